"""Analyze (and import) many chats: one after another in this process, or as tasks on ``dask.distributed``.

The unit of work is one chat: :func:`analyze_task` runs :func:`moderator_kit.snapshot.analyze_chat` for it under the
chat's lock (the lock imports take, :mod:`moderator_kit.store.locks`), so the analysis reads one committed state of
the chat and two writers of the same chat take turns. The snapshot is written aside and swapped in
(:func:`moderator_kit.snapshot_store.write_snapshot`); a task killed half-way leaves only a staging folder, which the
next task of that chat removes (:func:`moderator_kit.snapshot_store.remove_leftovers`). Every snapshot records the
``run_id`` of the run that wrote it, so a task retried after its first attempt had already swapped its snapshot in
(the worker died before reporting back) finds it and does not write it again.

Engines (:data:`ENGINES`):

``local``
    the tasks one after another in this process (today's analysis, chat by chat);
``dask``
    the same tasks on ``dask.distributed``: a ``LocalCluster`` of ``workers`` processes (one thread each), or the
    scheduler at ``scheduler`` whose workers see the same workspace path. The scheduler retries a task whose worker
    died (``distributed.scheduler.allowed-failures``); ``retries`` re-runs a task that raised. Largest chats are
    submitted first, so that a big chat does not start last. Results are identical to ``local`` (``tests/
    test_scale_engine.py``): the graph metrics use fixed seeds inside each task.

Dask is optional (``pip install 'moderator-kit[dask]'``) and imported only when the ``dask`` engine runs.

Examples
--------
>>> import tempfile
>>> from moderator_kit.io.base import MessageRows, QuarantineLog, finalize, parse_utc
>>> from moderator_kit.workspace import Workspace
>>> rows = MessageRows("a.jsonl", "demo")
>>> rows.append(1, platform="twitter", message_id="1", author_handle="ann", kind="post",
...             created_at=parse_utc("2026-01-06T01:05:00Z"), text="Q1 What helps? #demo")
>>> ws = Workspace(tempfile.mkdtemp(), create=True)
>>> _ = ws.import_results([finalize(rows, QuarantineLog("a.jsonl", "demo"))], chat="demo")
>>> [(o.chat, o.status, o.messages) for o in analyze_chats(ws.root, resolve_chats(ws.root, "all"))]
[('demo', 'written', 1)]
>>> analyze_task(ws.root, "demo", run_id="r1")["status"], analyze_task(ws.root, "demo", run_id="r1")["status"]
('written', 'unchanged')
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from moderator_kit.errors import ModeratorKitError
from moderator_kit.snapshot_store import SNAPSHOT_FILE, Snapshot, remove_leftovers
from moderator_kit.store.chat_store import ChatStore
from moderator_kit.store.locks import hold_lock
from moderator_kit.workspace import Workspace, validate_chat_name

__all__ = ["ENGINES", "DASK_MISSING", "ChatOutcome", "analyze_chats", "analyze_task", "import_chats", "import_task",
           "resolve_chats", "dask_client"]

ENGINES = ("local", "dask")
#: The one-line error when the Dask engine is asked for without the extra installed.
DASK_MISSING = ("the dask engine needs dask and distributed, which are not installed: "
                "pip install 'moderator-kit[dask]' (or use --engine local)")
#: Worker processes of the default LocalCluster.
DEFAULT_WORKERS = 2

Progress = Callable[["ChatOutcome"], None]


@dataclass(frozen=True)
class ChatOutcome:
    """What one chat's task did.

    ``status`` is ``written`` (a new snapshot), ``unchanged`` (this run's snapshot was already there: a retried task
    whose first attempt had written it; or, for imports, nothing new) or ``failed`` (``error`` says why, one line).
    """

    chat: str
    status: str
    sessions: int = 0
    messages: int = 0
    seconds: float = 0.0
    snapshot: str | None = None
    worker: str | None = None
    error: str | None = None
    notes: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ChatOutcome:
        return cls(**{**data, "notes": tuple(data.get("notes") or ())})


def resolve_chats(workspace: Path | str | Workspace, spec: str | Sequence[str]) -> list[str]:
    """The chats named by ``spec``: ``"all"`` (every chat with messages), a comma-separated string or a list.

    >>> import tempfile
    >>> resolve_chats(Workspace(tempfile.mkdtemp(), create=True), "all")
    []
    """
    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    if isinstance(spec, str):
        if spec.strip().lower() == "all":
            return ws.chats()
        spec = [part for part in spec.split(",") if part.strip()]
    chats = [ws.require_chat(name) for name in spec]
    if not chats:
        raise ModeratorKitError("no chat named: give --chats all or a comma-separated list such as 'a,b'")
    return list(dict.fromkeys(chats))


def _worker_name() -> str:
    return f"{os.uname().nodename}:{os.getpid()}"


def analyze_task(workspace: Path | str, chat: str, *, run_id: str, config: Path | str | None = None,
                 lock_timeout: float | None = None, batch_messages: int | None = None) -> dict[str, Any]:
    """Analyze one chat under its lock and write its snapshot once per ``run_id``; a plain dict (it crosses
    processes) with the fields of :class:`ChatOutcome`.

    A user error (an unknown chat, a bad config) is returned as ``status="failed"`` rather than raised, so that Dask
    does not retry what would fail again.
    """
    from moderator_kit.snapshot import analyze_chat

    began = time.perf_counter()
    try:
        ws = Workspace(workspace)
        chat = ws.require_chat(chat)
        folder = ws.analysis_dir(chat)
        with hold_lock(ChatStore(ws.root, chat).lock_file, timeout=lock_timeout, what=f"chat {chat!r} of {ws.root}"):
            remove_leftovers(folder)
            snap = _snapshot_of_run(folder, run_id)
            status = "unchanged"
            if snap is None:
                batching = {} if batch_messages is None else {"batch_messages": batch_messages}
                snap = analyze_chat(ws, chat, config=config, run_id=run_id, **batching)
                status = "written"
    except ModeratorKitError as err:
        return {"chat": chat, "status": "failed", "error": str(err), "worker": _worker_name(),
                "seconds": time.perf_counter() - began}
    return {"chat": chat, "status": status, "sessions": len(snap.session_ids()), "messages": snap.meta["messages"],
            "seconds": time.perf_counter() - began, "snapshot": str(snap.folder), "worker": _worker_name(),
            "notes": list(snap.meta.get("notes") or ())}


def _snapshot_of_run(folder: Path, run_id: str) -> Snapshot | None:
    """The snapshot in ``folder`` when the run ``run_id`` wrote it, else None."""
    if not (folder / SNAPSHOT_FILE).is_file():
        return None
    try:
        snap = Snapshot(folder)
    except (ModeratorKitError, ValueError, OSError):
        return None
    return snap if snap.meta.get("run_id") == run_id else None


def import_task(workspace: Path | str, chat: str, paths: Sequence[Path | str], *, config: Path | str | None = None,
                lock_timeout: float | None = None) -> dict[str, Any]:
    """Import archives into one chat (under the chat's lock, as every import); the fields of :class:`ChatOutcome`.

    Imports are idempotent (messages are de-duplicated), so a retried import adds nothing twice.
    """
    from moderator_kit.api import import_archives

    began = time.perf_counter()
    try:
        reports = import_archives([Path(p) for p in paths], chat=chat, workspace=workspace, config=config,
                                  lock_timeout=lock_timeout)
    except ModeratorKitError as err:
        return {"chat": chat, "status": "failed", "error": str(err), "worker": _worker_name(),
                "seconds": time.perf_counter() - began}
    imported = sum(r.imported for r in reports)
    return {"chat": validate_chat_name(chat), "status": "written" if imported else "unchanged", "messages": imported,
            "seconds": time.perf_counter() - began, "worker": _worker_name()}


@contextmanager
def dask_client(scheduler: str | None = None, workers: int | None = None) -> Iterator[Any]:
    """A ``dask.distributed.Client``: to ``scheduler`` when given, else to a new ``LocalCluster`` of ``workers``
    processes with one thread each (closed on exit). Raises a one-line error when Dask is not installed."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise ModeratorKitError(DASK_MISSING) from None
    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as err:
            raise ModeratorKitError(f"cannot reach the Dask scheduler at {scheduler}: {err}; start one with "
                                    "'dask scheduler' (see docs/scale.md) or leave out --scheduler") from None
        with client:
            yield client
        return
    count = DEFAULT_WORKERS if workers is None else int(workers)
    if count < 1:
        raise ModeratorKitError(f"--workers must be at least 1 (got {count})")
    # igraph's OpenMP threads would compete with the other worker processes (the workers inherit the environment)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    with LocalCluster(n_workers=count, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=40) as cluster, Client(cluster) as client:
        yield client


def _chat_bytes(workspace: Path, chat: str) -> int:
    """The size of a chat's data files: how big its task is (the largest are submitted first)."""
    folder = workspace / ".data" / f"chat={chat}"
    try:
        return sum(entry.stat().st_size for entry in os.scandir(folder) if entry.is_file())
    except OSError:
        return 0


def _run(task: Callable[..., dict], items: Sequence[tuple[str, dict]], *, engine: str, scheduler: str | None,
         workers: int | None, retries: int, progress: Progress | None, key: str) -> list[ChatOutcome]:
    """Run ``task(**kwargs)`` for every (chat, kwargs) item on the engine; outcomes in the order of ``items``."""
    if engine not in ENGINES:
        raise ModeratorKitError(f"unknown engine {engine!r}: use one of {', '.join(ENGINES)}")
    say = progress or (lambda _outcome: None)
    outcomes: dict[str, ChatOutcome] = {}
    if engine == "local":
        if scheduler:
            raise ModeratorKitError("--scheduler needs --engine dask")
        for chat, kwargs in items:
            outcomes[chat] = ChatOutcome.from_dict(task(**kwargs))
            say(outcomes[chat])
        return [outcomes[chat] for chat, _ in items]
    with dask_client(scheduler, workers) as client:
        from dask.distributed import as_completed

        futures = {}
        for rank, (chat, kwargs) in enumerate(items):
            futures[client.submit(task, **kwargs, key=f"{key}-{chat}", retries=retries, pure=False,
                                  priority=len(items) - rank)] = chat
        for future in as_completed(futures):
            chat = futures[future]
            try:
                outcome = ChatOutcome.from_dict(future.result())
            except Exception as err:  # noqa: BLE001 - a task that failed after its retries, or a lost worker
                outcome = ChatOutcome(chat=chat, status="failed", error=f"{type(err).__name__}: {err}")
            outcomes[chat] = outcome
            say(outcome)
    return [outcomes[chat] for chat, _ in items]


def analyze_chats(workspace: Path | str, chats: Sequence[str], *, engine: str = "local", scheduler: str | None = None,
                  workers: int | None = None, config: Path | str | None = None, retries: int = 2,
                  lock_timeout: float | None = None, progress: Progress | None = None,
                  batch_messages: int | None = None) -> list[ChatOutcome]:
    """Analyze ``chats`` (see :func:`resolve_chats`) on an engine; one :class:`ChatOutcome` per chat, in order.

    ``config`` applies to every chat (default: each chat's config kept in the workspace). ``batch_messages`` sets
    the size of the batches of sessions a chat is read in (:mod:`moderator_kit.partition`; the snapshot does not
    depend on it). ``progress`` is called
    with each outcome as its chat finishes. A chat that fails does not stop the others.
    """
    root = Path(workspace).resolve()  # the workers may run elsewhere: they need the absolute path
    run_id = uuid.uuid4().hex
    names = [validate_chat_name(c) for c in chats]
    order = sorted(names, key=lambda c: -_chat_bytes(root, c))
    items = [(c, {"workspace": str(root), "chat": c, "run_id": run_id, "config": None if config is None else
                  str(Path(config).resolve()), "lock_timeout": lock_timeout, "batch_messages": batch_messages})
             for c in order]
    done = {o.chat: o for o in _run(analyze_task, items, engine=engine, scheduler=scheduler, workers=workers,
                                    retries=retries, progress=progress, key=f"analyze-{run_id[:8]}")}
    return [done[c] for c in names]


def import_chats(workspace: Path | str, archives: Mapping[str, Sequence[Path | str]], *, engine: str = "local",
                 scheduler: str | None = None, workers: int | None = None,
                 configs: Mapping[str, Path | str] | None = None, retries: int = 2, lock_timeout: float | None = None,
                 progress: Progress | None = None) -> list[ChatOutcome]:
    """Import archives into many chats at once (``archives``: chat -> its archive paths), each under its lock."""
    root = Path(workspace).resolve()
    Workspace(root, create=True)  # created once here, not raced by the workers
    configs = configs or {}
    items = [(validate_chat_name(chat), {
        "workspace": str(root), "chat": chat, "paths": [str(Path(p).resolve()) for p in paths],
        "config": None if configs.get(chat) is None else str(Path(configs[chat]).resolve()),
        "lock_timeout": lock_timeout}) for chat, paths in archives.items()]
    return _run(import_task, items, engine=engine, scheduler=scheduler, workers=workers, retries=retries,
                progress=progress, key=f"import-{uuid.uuid4().hex[:8]}")
