"""Import jobs started from the Import page, each in its own process that can be stopped.

An import reads whatever the user gave it (a zip may expand a thousandfold), so it never runs inside the server:
:class:`ImportRunner` starts ``python -m dashboards.jobs`` for each job and a watcher thread that

* applies the progress the child reports (JSON lines on its stdout) to the job on :class:`DashboardState`;
* stops the child when the user cancels, when the job runs past ``JobLimits.max_seconds`` or when its private
  temporary folder (where zips are unpacked; the child's ``TMPDIR``) grows past ``JobLimits.max_temp_bytes``;
* removes that folder when the job ends, fails or is stopped, and the saved uploads of a job that imported nothing.

Stopping is polite first (SIGTERM: the child unwinds, which removes its temporary files and the workspace lock) and
forceful after ``JobLimits.grace_seconds`` (SIGKILL). The child never gives way while it writes the workspace or the
snapshot (it says when it does): the writes are short, and a write cut in the middle could lose data. A child whose
server goes away (its stdin closes) stops itself. At interpreter exit (``atexit``) running jobs are stopped and their
files removed.

Examples
--------
>>> limits = JobLimits(max_seconds=60, max_temp_bytes=1 << 20)
>>> limits.describe_temp()
'1 MiB'
>>> strip_paths("/srv/ws/uploads/x/a.zip: cannot unpack", [Path("/srv/ws")])
'uploads/x/a.zip: cannot unpack'
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import re
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import flask

from dashboards.data import DashboardState
from dashboards.imports import discard_upload
from moderator_kit.errors import ModeratorKitError

__all__ = ["JOBS_KEY", "JobLimits", "ImportRunner", "JobStopped", "StopGuard", "current_runner", "zip_expanded_size",
           "check_expansion", "strip_paths", "worker_main"]

log = logging.getLogger(__name__)

# Progress through analyze_chat's steps (moderator_kit.snapshot.analyze_chat says these names).
_STAGES = {"sessions": 0.40, "graph": 0.76, "people": 0.80, "to-do lists and sponsors": 0.84,
           "reach and value": 0.88, "writing snapshot": 0.94}
#: The batches of sessions ("sessions batch k/n: …") fill the progress between these two.
_BATCHES = (0.42, 0.75)
_PACKAGE_ROOT = Path(__file__).resolve().parents[1]
#: Key of the app's :class:`ImportRunner` in ``app.server.config``.
JOBS_KEY = "MODERATOR_KIT_JOBS"


@dataclass(frozen=True)
class JobLimits:
    """Limits of one import job.

    Parameters
    ----------
    max_seconds
        Wall-clock time before the job is stopped.
    max_temp_bytes
        How large the job's temporary folder (unpacked zips) may grow; also the largest file the job may write.
    grace_seconds
        How long a stopped job may take to clean up before it is killed.
    """

    max_seconds: float = 900.0
    max_temp_bytes: int = 2 << 30
    grace_seconds: float = 10.0

    def describe_temp(self) -> str:
        mib = self.max_temp_bytes / (1 << 20)
        return f"{mib / 1024:.1f} GiB" if mib >= 1024 else f"{mib:.0f} MiB"

    def describe_time(self) -> str:
        return f"{self.max_seconds / 60:.0f} min" if self.max_seconds >= 120 else f"{self.max_seconds:.0f} s"


def zip_expanded_size(path: Path) -> int | None:
    """The total uncompressed size a zip declares (None when ``path`` is not a zip).

    Python's zipfile never writes more than a member's declared size, so this bounds what unpacking writes.
    """
    try:
        if not path.is_file() or not zipfile.is_zipfile(path):
            return None
        with zipfile.ZipFile(path) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None  # the reader says what is wrong with it


def check_expansion(sources: Iterable[Path], limits: JobLimits, names: Sequence[str] | None = None) -> None:
    """Refuse zips that declare more uncompressed data than the job may unpack (before anything starts)."""
    total = 0
    for i, source in enumerate(sources):
        size = zip_expanded_size(Path(source))
        if size is None:
            continue
        total += size
        if total > limits.max_temp_bytes:
            name = names[i] if names and i < len(names) else Path(source).name
            raise ModeratorKitError(
                f"{name} unpacks to {size / (1 << 20):,.0f} MiB, more than the {limits.describe_temp()} an import "
                "from the dashboard may unpack; import it with 'moderator-kit import' instead")


def strip_paths(message: str, roots: Iterable[Path]) -> str:
    """``message`` without the absolute paths of ``roots`` (the page shows paths relative to the workspace)."""
    for root in roots:
        for form in sorted({str(root), str(Path(root).absolute()), str(Path(root).resolve())}, key=len,
                           reverse=True):
            if form and form != os.sep:
                message = message.replace(form.rstrip(os.sep) + os.sep, "").replace(form, ".")
    return message


def _tree_size(folder: Path) -> int:
    total = 0
    stack = [str(folder)]
    while stack:
        try:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            stack.append(entry.path)
                        else:
                            total += entry.stat(follow_symlinks=False).st_size
                    except OSError:
                        continue
        except OSError:
            continue
    return total


@dataclass
class _Running:
    """A job's child process and what the watcher knows about it."""

    process: subprocess.Popen
    temp: Path
    started: float
    chat: str
    sessions_before: list[str]
    discard: list[Path]
    stop_reason: str | None = None
    stop_status: str = "cancelled"
    stop_sent: float | None = None
    critical: bool = False
    imported: bool = False
    finished: bool = False
    outcome: dict[str, Any] = field(default_factory=dict)
    done: threading.Event = field(default_factory=threading.Event)


class ImportRunner:
    """Starts, watches, stops and cleans up the import jobs of one dashboard (one job at a time).

    Parameters
    ----------
    state
        The app's state; jobs are registered and updated there.
    limits
        Time and size limits of each job.
    """

    def __init__(self, state: DashboardState, limits: JobLimits | None = None):
        self.state = state
        self.limits = limits or JobLimits()
        self._lock = threading.Lock()
        self._running: dict[str, _Running] = {}

    # -- public --------------------------------------------------------------------------------------------------
    def start(self, sources: Sequence[Path], chat: str, config: Path | None, *, format_name: str | None = None,
              discard: Sequence[Path] = ()) -> str:
        """Start a job; returns its id. ``discard``: files to delete if the job imports nothing (saved uploads)."""
        job = self.state.new_job(chat, [Path(s).name for s in sources])
        if job is None:
            raise ModeratorKitError("an import is already running: wait for it to finish, or cancel it")
        temp = Path(tempfile.mkdtemp(prefix=f"moderator-kit-job-{job.id[:8]}-"))
        # absolute paths: the child runs in its temporary folder
        spec = {"sources": [str(Path(s).absolute()) for s in sources], "chat": chat,
                "config": str(Path(config).absolute()) if config else None,
                "workspace": str(self.state.workspace.absolute()), "format": format_name,
                "max_file_bytes": self.limits.max_temp_bytes}
        env = dict(os.environ, TMPDIR=str(temp), TEMP=str(temp), TMP=str(temp), PYTHONUNBUFFERED="1",
                   PYTHONPATH=os.pathsep.join(p for p in (str(_PACKAGE_ROOT), os.environ.get("PYTHONPATH")) if p))
        try:
            with open(temp / "stderr.log", "wb") as stderr:
                process = subprocess.Popen(
                    [sys.executable, "-m", "dashboards.jobs"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                    stderr=stderr, env=env, cwd=str(temp), start_new_session=True)
            process.stdin.write((json.dumps(spec) + "\n").encode())
            process.stdin.flush()
        except OSError as err:
            shutil.rmtree(temp, ignore_errors=True)
            self.state.update_job(job.id, status="failed", stage="failed", error=f"could not start the import ({err})")
            return job.id
        running = _Running(process=process, temp=temp, started=time.monotonic(), chat=chat,
                           sessions_before=_known_sessions(self.state, chat), discard=list(discard))
        with self._lock:
            self._running[job.id] = running
        self.state.update_job(job.id, sessions_before=running.sessions_before, stage="starting", progress=0.02,
                              log=f"reading {len(sources)} source{'s' if len(sources) != 1 else ''}")
        atexit.register(self.shutdown)
        threading.Thread(target=self._watch, args=(job.id, running), name=f"moderator-kit-job-{job.id[:8]}",
                         daemon=True).start()
        return job.id

    def cancel(self, job_id: str | None, reason: str = "Import cancelled.", *, status: str = "cancelled") -> bool:
        """Ask a running job to stop; returns False when it is not running (any more)."""
        if not isinstance(job_id, str):
            return False
        with self._lock:
            running = self._running.get(job_id)
            if running is None or running.finished:
                return False
            if running.stop_reason is not None:  # already stopping
                return True
            running.stop_reason, running.stop_status = reason, status
        self.state.update_job(job_id, stage="stopping", log=reason)
        return True

    def temp_folder(self, job_id: str) -> Path | None:
        """The private temporary folder of a running job (the child's ``TMPDIR``), None once it has ended."""
        with self._lock:
            running = self._running.get(job_id)
        return None if running is None else running.temp

    def process_id(self, job_id: str) -> int | None:
        """The process id of a running job's child, None once it has ended."""
        with self._lock:
            running = self._running.get(job_id)
        return None if running is None else running.process.pid

    def wait(self, job_id: str, timeout: float | None = None) -> bool:
        """Wait until the job's process has ended and its files are cleaned up (True when it has)."""
        with self._lock:
            running = self._running.get(job_id)
        return True if running is None else running.done.wait(timeout)

    def shutdown(self, timeout: float = 15.0) -> None:
        """Stop every running job and wait for their clean-up (the server is going away)."""
        with self._lock:
            ids = [job_id for job_id, r in self._running.items() if not r.finished]
        for job_id in ids:
            self.cancel(job_id, "Import stopped: the dashboard was shut down.")
        deadline = time.monotonic() + timeout
        for job_id in ids:
            if not self.wait(job_id, max(0.0, deadline - time.monotonic())):
                with self._lock:
                    running = self._running.get(job_id)
                if running is not None:  # the watcher is stuck: do its last steps here
                    _kill(running.process)
                    shutil.rmtree(running.temp, ignore_errors=True)

    # -- the watcher ---------------------------------------------------------------------------------------------
    def _watch(self, job_id: str, running: _Running) -> None:
        process = running.process
        selector = selectors.DefaultSelector()
        selector.register(process.stdout, selectors.EVENT_READ)
        buffer = b""
        last_size_check = 0.0
        try:
            while True:
                for _key, _ in selector.select(timeout=0.2):
                    chunk = os.read(process.stdout.fileno(), 65536)
                    if not chunk:
                        selector.unregister(process.stdout)
                        break
                    buffer += chunk
                    *lines, buffer = buffer.split(b"\n")
                    for line in lines:
                        self._apply(job_id, running, line)
                if process.poll() is not None and not selector.get_map():
                    break
                if process.poll() is not None:
                    # the child is gone; whatever it still wrote is in the pipe
                    rest = process.stdout.read() or b""
                    for line in (buffer + rest).split(b"\n"):
                        self._apply(job_id, running, line)
                    buffer = b""
                    break
                now = time.monotonic()
                if running.stop_reason is not None:
                    pass
                elif now - running.started > self.limits.max_seconds:
                    self.cancel(job_id, f"Import stopped: it ran longer than the {self.limits.describe_time()} "
                                        "limit of an import from the dashboard; import large archives with "
                                        "'moderator-kit import'.", status="failed")
                elif now - last_size_check > 0.5:
                    last_size_check = now
                    if _tree_size(running.temp) > self.limits.max_temp_bytes:
                        self.cancel(job_id, "Import stopped: the archive unpacked to more than "
                                            f"{self.limits.describe_temp()}, the limit of an import from the "
                                            "dashboard.", status="failed")
                self._enforce_stop(running)
        except Exception:  # the watcher must always clean up
            log.exception("watching import job %s failed", job_id)
            _kill(process)
        finally:
            selector.close()
            process.wait()
            self._finish(job_id, running)

    def _enforce_stop(self, running: _Running) -> None:
        if running.stop_reason is None:
            return
        now = time.monotonic()
        if running.stop_sent is None:
            running.stop_sent = now
            _signal(running.process, signal.SIGTERM)
        elif now - running.stop_sent > self.limits.grace_seconds and (
                not running.critical or now - running.stop_sent > self.limits.grace_seconds + 300):
            _kill(running.process)

    def _apply(self, job_id: str, running: _Running, line: bytes) -> None:
        try:
            event = json.loads(line)
        except ValueError:
            return
        if not isinstance(event, dict):
            return
        if "critical" in event:
            running.critical = bool(event["critical"])
        changes: dict[str, Any] = {}
        if "stage" in event:
            changes["stage"] = str(event["stage"])
        if "progress" in event:
            changes["progress"] = float(event["progress"])
        if "reports" in event:
            changes["reports"] = list(event["reports"])
            running.imported = True
        if changes:
            self.state.update_job(job_id, **changes)
        if event.get("log"):
            self.state.update_job(job_id, log=str(event["log"]))
        for key in ("done", "error", "cancelled"):
            if key in event:
                running.outcome = event

    def _finish(self, job_id: str, running: _Running) -> None:
        roots = [self.state.workspace, running.temp]
        outcome = running.outcome
        try:
            if "done" in outcome:  # finished before a stop could reach it
                sessions = [str(s) for s in outcome.get("sessions") or []]
                new = [s for s in sessions if s not in running.sessions_before]
                self.state.allow_chat(running.chat)
                self.state.update_job(job_id, status="done", stage="done", progress=1.0, sessions=sessions,
                                      new_sessions=new,
                                      log=f"analyzed {len(sessions)} session{'s' if len(sessions) != 1 else ''}"
                                          f" ({len(new)} new)")
            elif running.stop_reason is not None:
                kept = (" The messages read before the stop were imported; the analysis did not finish: "
                        "import again (nothing is imported twice) or run 'moderator-kit analyze'."
                        if running.imported else " The workspace is unchanged.")
                self.state.update_job(job_id, status=running.stop_status, stage=running.stop_status,
                                      error=running.stop_reason + kept)
            elif "error" in outcome:
                self.state.update_job(job_id, status="failed", stage="failed",
                                      error=strip_paths(str(outcome["error"]), roots))
            else:
                tail = _tail(running.temp / "stderr.log")
                log.error("import job %s ended with exit code %s: %s", job_id, running.process.returncode, tail)
                self.state.update_job(job_id, status="failed", stage="failed",
                                      error=f"the import process stopped unexpectedly (exit code "
                                            f"{running.process.returncode}); the server log has the details")
            if not running.imported:
                for path in running.discard:
                    discard_upload(path, self.state.workspace)
        finally:
            shutil.rmtree(running.temp, ignore_errors=True)
            for stream in (running.process.stdin, running.process.stdout):
                try:
                    stream.close()
                except OSError:
                    pass
            running.finished = True
            with self._lock:
                self._running.pop(job_id, None)
                still_running = bool(self._running)
            if not still_running:
                atexit.unregister(self.shutdown)
            running.done.set()


def current_runner() -> ImportRunner:
    """The :class:`ImportRunner` of the app serving the current request."""
    return flask.current_app.config[JOBS_KEY]


def _known_sessions(state: DashboardState, chat: str) -> list[str]:
    snapshot = state.snapshot(chat)
    if snapshot is None:
        return []
    try:
        return snapshot.session_ids()
    except ModeratorKitError:
        return []


def _signal(process: subprocess.Popen, sig: int) -> None:
    if process.poll() is None:
        try:
            process.send_signal(sig)
        except OSError:
            pass


def _kill(process: subprocess.Popen) -> None:
    _signal(process, signal.SIGKILL)


def _tail(path: Path, limit: int = 2000) -> str:
    try:
        return path.read_bytes()[-limit:].decode("utf-8", "replace")
    except OSError:
        return ""


# -- the child process ---------------------------------------------------------------------------------------------
class JobStopped(BaseException):
    """Raised in the child when it is asked to stop (a BaseException, so no ``except Exception`` swallows it)."""


class StopGuard:
    """How the child takes a stop signal: at once, except while it writes the workspace or the snapshot.

    Examples
    --------
    >>> guard = StopGuard()
    >>> with guard.critical():
    ...     guard.on_signal()            # deferred: the write goes on
    ...     wrote = True
    Traceback (most recent call last):
    ...
    dashboards.jobs.JobStopped
    >>> wrote, guard.on_signal()         # a second signal does not interrupt the unwinding
    (True, None)
    """

    def __init__(self, emit: Callable[..., None] | None = None):
        self._emit = emit or (lambda **_event: None)
        self.in_critical = False
        self.pending = False
        self.stopping = False

    def on_signal(self, *_args: Any) -> None:
        """The SIGTERM handler: raise :class:`JobStopped` now, or after the running write."""
        if self.in_critical:
            self.pending = True
        elif not self.stopping:
            self.stopping = True
            raise JobStopped

    @contextmanager
    def critical(self) -> Iterator[None]:
        """A write that must not be cut in the middle (the watcher does not kill the child meanwhile)."""
        self.in_critical = True
        self._emit(critical=True)
        try:
            yield
        finally:
            self.in_critical = False
            self._emit(critical=False)
        if self.pending and not self.stopping:
            self.stopping = True
            raise JobStopped


def worker_main(stdin: Any = None, stdout: Any = None) -> int:
    """``python -m dashboards.jobs``: read the job from stdin (one JSON line), run it, report JSON lines on stdout."""
    stdin = stdin or sys.stdin.buffer
    stdout = stdout or sys.stdout
    write_lock = threading.Lock()
    orphaned = threading.Event()

    def emit(**event: Any) -> None:
        try:
            with write_lock:
                stdout.write(json.dumps(event) + "\n")
                stdout.flush()
        except (OSError, ValueError):  # the server is gone: nobody to tell
            pass

    guard = StopGuard(emit)

    def watch_parent() -> None:  # the server went away: stop like a cancel
        while stdin.read(65536):
            pass
        orphaned.set()
        os.kill(os.getpid(), signal.SIGTERM)

    spec = json.loads(stdin.readline() or "{}")
    current: dict[str, str] = {}
    try:
        signal.signal(signal.SIGTERM, guard.on_signal)
        _limit_file_size(int(spec.get("max_file_bytes") or 0))
        threading.Thread(target=watch_parent, daemon=True).start()
        _run_job(spec, emit, guard.critical, current)
    except (zipfile.BadZipFile, zlib.error, EOFError) as err:  # a damaged zip member, found while unpacking
        emit(error=f"{Path(current.get('source', 'the archive')).name}: the zip is damaged and cannot be unpacked "
                   f"({err}); export it again")
        return 1
    except JobStopped:
        emit(cancelled=True)
        return 1
    except ModeratorKitError as err:
        emit(error=str(err))
        return 1
    except OSError as err:
        emit(error=f"{err.strerror or err} ({Path(err.filename).name if err.filename else 'file'})")
        return 1
    except Exception as err:  # an unexpected bug: say so on the page, keep the traceback in the server log
        import traceback

        traceback.print_exc()
        emit(error=f"unexpected error ({type(err).__name__}: {err}); the server log has the details")
        return 1
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # the clean-up below must not be cut short
        if orphaned.is_set():  # nobody is left to remove the job's temporary folder
            temp = Path(os.environ.get("TMPDIR", ""))
            if temp.name.startswith("moderator-kit-job-"):
                shutil.rmtree(temp, ignore_errors=True)
    return 0


def _limit_file_size(limit: int) -> None:
    """No file the job writes may exceed ``limit`` bytes: a write past it fails with EFBIG instead."""
    if limit <= 0:
        return
    try:
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
        if hard == resource.RLIM_INFINITY or hard > limit:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit if hard == resource.RLIM_INFINITY else hard))
    except (ImportError, OSError, ValueError, AttributeError):
        pass  # not on this system: the watcher's size check still applies


def _run_job(spec: dict, emit: Callable[..., None], critical: Callable[[], Any], current: dict[str, str]) -> None:
    from moderator_kit.config import read_config
    from moderator_kit.io.detect import read_archive
    from moderator_kit.io.safezip import ZipLimits, zip_limits
    from moderator_kit.snapshot import analyze_chat
    from moderator_kit.workspace import Workspace

    chat = spec["chat"]
    workspace = Path(spec["workspace"])
    config = Path(spec["config"]) if spec.get("config") else None
    if config is not None:
        read_config(config)  # checked before anything is read
    seen = {"n": 0}

    def on_source(path: Path, fmt: str) -> None:
        seen["n"] += 1
        emit(stage="reading", progress=min(0.30, 0.05 + 0.05 * seen["n"]), log=f"reading {Path(path).name} ({fmt})")

    results = []
    # Zips are also held to the job's size limit while they unpack (declared sizes, ratio, bytes read).
    limit = int(spec.get("max_file_bytes") or 0)
    zip_bounds = ZipLimits().tightened(max_member_bytes=limit or None, max_total_bytes=limit or None)
    with zip_limits(zip_bounds):
        for source in spec["sources"]:
            current["source"] = source
            results.extend(read_archive(Path(source), format_name=spec.get("format") or None, on_source=on_source))
    with critical():
        ws = Workspace(workspace, create=True)
        reports = ws.import_results(results, chat)
        if config is not None:
            ws.save_config(chat, config)
    imported = sum(r.imported for r in reports)
    emit(reports=[r.to_dict() for r in reports], stage="imported", progress=0.35,
         log=f"imported {imported:,} new messages")
    graphs = {"n": 0}
    writing = ExitStack()  # the snapshot write, once analyze_chat says it has begun

    def on_progress(message: str) -> None:
        batch = re.match(r"sessions batch (\d+)/(\d+)", message)
        if batch:
            done, total = int(batch[1]) - 1, max(int(batch[2]), 1)
            emit(stage="sessions", progress=_BATCHES[0] + (_BATCHES[1] - _BATCHES[0]) * done / total,
                 log=f"analyze: {message}")
            return
        if message.startswith("graph "):
            graphs["n"] += 1
            emit(stage="graph", progress=min(0.78, 0.76 + 0.005 * graphs["n"]))
            return
        if message == "writing snapshot" and not graphs.get("writing"):
            graphs["writing"] = 1
            writing.enter_context(critical())
        emit(stage=message, progress=_STAGES.get(message, 0.5), log=f"analyze: {message}")

    with writing:
        snapshot = analyze_chat(workspace, chat, progress=on_progress)
    emit(done=True, sessions=snapshot.session_ids())


if __name__ == "__main__":
    sys.exit(worker_main())
