"""Advisory file locks (``fcntl.flock``) that the operating system releases when their process dies.

A crashed or killed import therefore never leaves a lock behind: the next import takes the lock at once. Lock files
stay on disk (deleting a lock file while another process waits on it would let two processes hold "the" lock).

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> path = Path(tempfile.mkdtemp()) / "demo.lock"
>>> with hold_lock(path, timeout=0, what="demo"):
...     try_lock(path) is None  # held: a second holder is refused at once
True
>>> lock = try_lock(path); lock is not None
True
>>> release(lock)
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from moderator_kit.errors import WorkspaceError

__all__ = ["hold_lock", "try_lock", "release", "lock_timeout", "LOCK_TIMEOUT_ENV", "DEFAULT_LOCK_TIMEOUT"]

LOCK_TIMEOUT_ENV = "MODERATOR_KIT_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 300.0
_POLL = 0.05


def lock_timeout(timeout: float | None = None) -> float:
    """The seconds to wait for a lock: ``timeout``, else ``$MODERATOR_KIT_LOCK_TIMEOUT``, else 300.

    >>> lock_timeout(2)
    2.0
    """
    if timeout is not None:
        return max(0.0, float(timeout))
    raw = os.environ.get(LOCK_TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_LOCK_TIMEOUT
    try:
        return max(0.0, float(raw))
    except ValueError:
        raise WorkspaceError(f"{LOCK_TIMEOUT_ENV}={raw!r} is not a number of seconds; set it to e.g. 60") from None


def try_lock(path: Path) -> int | None:
    """Take the exclusive lock on ``path`` without waiting; the open descriptor, or None when another holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    except BaseException:
        os.close(fd)
        raise
    # The holder's pid, for the message another process shows while it waits (informative only).
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(os.getpid()).encode(), 0)
    return fd


def release(fd: int) -> None:
    """Release a lock taken by :func:`try_lock` (closing the descriptor releases it)."""
    os.close(fd)


def _holder(path: Path) -> str:
    try:
        pid = path.read_text().strip()
    except OSError:
        pid = ""
    return f" (process {pid})" if pid.isdigit() else ""


@contextmanager
def hold_lock(path: Path, *, timeout: float | None = None, what: str = "the workspace") -> Iterator[None]:
    """Hold the exclusive lock on ``path``, waiting up to ``timeout`` seconds (see :func:`lock_timeout`)."""
    limit = lock_timeout(timeout)
    deadline = time.monotonic() + limit
    fd = try_lock(path)
    while fd is None:
        if time.monotonic() >= deadline:
            raise WorkspaceError(
                f"another import into {what} is still running{_holder(path)}; waited {limit:g} s for it. Run the "
                f"import again when it has finished, or wait longer with --lock-timeout SECONDS "
                f"(or {LOCK_TIMEOUT_ENV})"
            )
        time.sleep(_POLL)
        fd = try_lock(path)
    try:
        yield
    finally:
        release(fd)
