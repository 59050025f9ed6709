"""Snapshot access for the dashboard: the per-app state, cached snapshots and the session selection.

The dashboard reads the analysis snapshot (:class:`moderator_kit.snapshot_store.Snapshot`) and never recomputes the
analysis on a click. Everything an app needs between requests lives on the app itself
(``app.server.config[APP_KEY]``, a :class:`DashboardState`), never in module globals, so two apps in one process
(tests, or two workspaces) do not see each other's data. Callbacks reach it through :func:`current_state`.

Snapshots are cached per chat and reloaded when the chat's ``snapshot.json`` changes (a new ``analyze`` or an import
from the dashboard swaps in a new snapshot folder).

Examples
--------
>>> parse_query("?chat=jobhuntchat&from=2026-01-12&to=2026-02-02")
{'chat': 'jobhuntchat', 'mode': 'range', 'start': '2026-01-12', 'end': '2026-02-02'}
>>> sel = Selection.from_store({"chat": "demo", "mode": "session", "sessions": ["2026-01-05"]})
>>> sel.single, selection_query(sel)
('2026-01-05', '?chat=demo&session=2026-01-05')
"""

from __future__ import annotations

import json
import os
import re
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import flask
import polars as pl

from moderator_kit.errors import ModeratorKitError
from moderator_kit.snapshot_store import SNAPSHOT_FILE, Snapshot
from moderator_kit.workspace import validate_chat_name

__all__ = [
    "APP_KEY",
    "MODES",
    "DashboardState",
    "ImportJob",
    "Selection",
    "current_state",
    "parse_query",
    "selection_query",
    "resolve_sessions",
    "session_labels",
    "selected",
    "table_or_empty",
    "session_title",
    "read_title",
]

#: Key of the :class:`DashboardState` in ``app.server.config``.
APP_KEY = "MODERATOR_KIT"
#: Picker modes: one session, a range of sessions, or every session of the chat.
MODES = ("session", "range", "all")
#: How much of a ``snapshot.json`` :func:`read_title` reads: the chat and title come first in it.
_TITLE_HEAD = 4096
_HEAD = re.compile(r'^\{\s*"chat":\s*"(?:[^"\\]|\\.)*",\s*"title":\s*("(?:[^"\\]|\\.)*")')


def read_title(meta_file: Path) -> str | None:
    """The ``title`` of a snapshot from the start of its ``snapshot.json``, without parsing the whole file.

    Analysis writes ``chat`` and ``title`` first (:func:`moderator_kit.snapshot.analyze_chat`), so listing 200 chats
    reads 4 KiB of each instead of every snapshot's metadata (tens of KiB to MiB: one shape per session). A file that
    starts otherwise is parsed whole. None when the file cannot be read.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "snapshot.json"
    >>> _ = path.write_text(json.dumps({"chat": "demo", "title": "#Demo \\"chat\\"", "shapes": {}}, indent=1))
    >>> read_title(path)
    '#Demo "chat"'
    """
    try:
        with open(meta_file, encoding="utf-8") as handle:
            head = handle.read(_TITLE_HEAD)
            found = _HEAD.match(head)
            if found:
                return json.loads(found.group(1))
            meta = json.loads(head + handle.read())
    except (OSError, ValueError):
        return None
    title = meta.get("title") if isinstance(meta, dict) else None
    return title if isinstance(title, str) else None


@dataclass
class ImportJob:
    """An import + analyze run started from the Import page (state shared between the worker thread and polls)."""

    id: str
    chat: str
    sources: list[str]
    status: str = "running"  # running | done | failed
    stage: str = "queued"
    progress: float = 0.0
    log: list[str] = field(default_factory=list)
    reports: list[dict] = field(default_factory=list)
    sessions_before: list[str] = field(default_factory=list)
    sessions: list[str] = field(default_factory=list)
    new_sessions: list[str] = field(default_factory=list)
    error: str | None = None

    def view(self) -> dict[str, Any]:
        """A JSON-safe copy for callbacks."""
        return {"id": self.id, "chat": self.chat, "sources": list(self.sources), "status": self.status,
                "stage": self.stage, "progress": self.progress, "log": list(self.log),
                "reports": [dict(r) for r in self.reports], "sessions": list(self.sessions),
                "new_sessions": list(self.new_sessions), "error": self.error}


class DashboardState:
    """What one dashboard app knows: its workspace, cached snapshots and running import jobs.

    Parameters
    ----------
    workspace
        The workspace folder (it need not exist yet: the Import page creates it).
    chats
        Show only these chats (default: every analysed chat of the workspace).
    max_upload_bytes
        The largest archive the Import page accepts.

    Examples
    --------
    >>> import tempfile
    >>> state = DashboardState(tempfile.mkdtemp())
    >>> state.analyzed_chats(), state.snapshot("nothing-here")
    ([], None)
    """

    def __init__(self, workspace: Path | str, *, chats: list[str] | None = None, max_upload_bytes: int = 50 << 20):
        self.workspace = Path(workspace)
        self.only_chats = [validate_chat_name(c) for c in chats] if chats else None
        self.max_upload_bytes = int(max_upload_bytes)
        self._lock = threading.Lock()
        self._snapshots: dict[str, tuple[tuple[int, int, int], Snapshot]] = {}
        self._titles: dict[str, tuple[tuple[int, int, int], str]] = {}
        self._jobs: dict[str, ImportJob] = {}

    # -- snapshots -----------------------------------------------------------------------------------------------
    def _analysis_root(self) -> Path:
        return self.workspace / "analysis"

    def analyzed_chats(self) -> list[str]:
        """Chats with an analysis snapshot, sorted (restricted to ``chats`` when the app was given a list)."""
        root = self._analysis_root()
        if not root.is_dir():
            return []
        found = sorted(p.name.removeprefix("chat=") for p in root.iterdir()
                       if p.name.startswith("chat=") and (p / SNAPSHOT_FILE).is_file())
        if self.only_chats is not None:
            found = [c for c in found if c in self.only_chats]
        return found

    def chat_titles(self) -> dict[str, str]:
        """Each analysed chat's title (its name when the snapshot has none), without loading the snapshots.

        Titles are cached per chat and re-read when its ``snapshot.json`` changes (:func:`read_title`), so the picker
        lists hundreds of chats from one ``stat`` each; only the chosen chat's snapshot is opened.
        """
        titles = {}
        for chat in self.analyzed_chats():
            meta = self._analysis_root() / f"chat={chat}" / SNAPSHOT_FILE
            try:
                info = os.stat(meta)
            except OSError:
                continue
            stamp = (info.st_mtime_ns, info.st_size, info.st_ino)
            with self._lock:
                cached = self._titles.get(chat)
            if cached is None or cached[0] != stamp:
                cached = (stamp, read_title(meta) or chat)
                with self._lock:
                    self._titles[chat] = cached
            titles[chat] = cached[1]
        return titles

    def allow_chat(self, chat: str) -> None:
        """Show ``chat`` too (after the Import page added it to an app limited to some chats)."""
        if self.only_chats is not None and chat not in self.only_chats:
            self.only_chats.append(chat)

    def snapshot(self, chat: str | None) -> Snapshot | None:
        """The chat's snapshot, loaded once and reloaded when ``snapshot.json`` changes; None when there is none."""
        if not chat:
            return None
        try:
            chat = validate_chat_name(chat)
        except ModeratorKitError:
            return None
        if self.only_chats is not None and chat not in self.only_chats:
            return None
        meta = self._analysis_root() / f"chat={chat}" / SNAPSHOT_FILE
        try:
            info = os.stat(meta)
        except OSError:
            return None
        stamp = (info.st_mtime_ns, info.st_size, info.st_ino)
        with self._lock:
            cached = self._snapshots.get(chat)
            if cached is not None and cached[0] == stamp:
                return cached[1]
        try:
            snap = Snapshot(meta.parent)
        except (ModeratorKitError, OSError, ValueError):
            return None
        with self._lock:
            self._snapshots[chat] = (stamp, snap)
        return snap

    # -- import jobs ---------------------------------------------------------------------------------------------
    def new_job(self, chat: str, sources: list[str]) -> ImportJob | None:
        """Register a new running job, or return None when one is already running (one at a time)."""
        job = ImportJob(id=uuid.uuid4().hex, chat=chat, sources=sources)
        with self._lock:
            if any(j.status == "running" for j in self._jobs.values()):
                return None
            self._jobs[job.id] = job
        return job

    def job(self, job_id: str | None) -> dict[str, Any] | None:
        """A snapshot of a job's state (a copy, safe to read while the worker updates it)."""
        if not job_id:
            return None
        with self._lock:
            job = self._jobs.get(job_id)
            return job.view() if job is not None else None

    def update_job(self, job_id: str, **changes: Any) -> None:
        with self._lock:
            job = self._jobs[job_id]
            for key, value in changes.items():
                if key == "log":
                    job.log.append(value)
                else:
                    setattr(job, key, value)

    def running_jobs(self) -> int:
        with self._lock:
            return sum(1 for j in self._jobs.values() if j.status == "running")


def current_state() -> DashboardState:
    """The :class:`DashboardState` of the app serving the current request."""
    return flask.current_app.config[APP_KEY]


@dataclass(frozen=True)
class Selection:
    """What the session picker selected: a chat and the ids of its selected sessions (in session order)."""

    chat: str | None = None
    mode: str = "session"
    sessions: tuple[str, ...] = ()

    @classmethod
    def from_store(cls, data: dict | None) -> Selection:
        """The selection kept in the picker's ``dcc.Store`` (tolerant of missing or malformed data)."""
        if not isinstance(data, dict):
            return cls()
        chat = data.get("chat") if isinstance(data.get("chat"), str) else None
        mode = data.get("mode") if data.get("mode") in MODES else "session"
        sessions = tuple(s for s in data.get("sessions") or () if isinstance(s, str))
        return cls(chat=chat, mode=mode, sessions=sessions)

    def to_store(self) -> dict:
        return {"chat": self.chat, "mode": self.mode, "sessions": list(self.sessions)}

    @property
    def single(self) -> str | None:
        """The session id when exactly one session is selected."""
        return self.sessions[0] if len(self.sessions) == 1 else None

    @property
    def last(self) -> str | None:
        """The latest selected session."""
        return self.sessions[-1] if self.sessions else None

    @property
    def ids(self) -> list[str]:
        return list(self.sessions)


def parse_query(search: str | None) -> dict[str, str]:
    """The picker's state carried in a URL query (``?chat=…&session=…``, ``&from=…&to=…`` or ``&sessions=all``).

    >>> parse_query("?chat=demo&sessions=all")
    {'chat': 'demo', 'mode': 'all'}
    >>> parse_query("?chat=demo&session=2026-01-05")
    {'chat': 'demo', 'mode': 'session', 'session': '2026-01-05'}
    >>> parse_query("")
    {}
    """
    if not search:
        return {}
    raw = {k: v[0] for k, v in parse_qs(search.lstrip("?"), keep_blank_values=False).items() if v}
    out: dict[str, str] = {}
    if raw.get("chat"):
        out["chat"] = raw["chat"][:100]
    if raw.get("sessions") == "all":
        out["mode"] = "all"
    elif raw.get("from") or raw.get("to"):
        out["mode"] = "range"
        if raw.get("from"):
            out["start"] = raw["from"][:40]
        if raw.get("to"):
            out["end"] = raw["to"][:40]
    elif raw.get("session"):
        out["mode"] = "session"
        out["session"] = raw["session"][:40]
    return out


def selection_query(selection: Selection) -> str:
    """The URL query that reproduces a selection ('' when nothing is selected).

    >>> selection_query(Selection("demo", "range", ("a", "b", "c")))
    '?chat=demo&from=a&to=c'
    >>> selection_query(Selection("demo", "all", ("a", "b")))
    '?chat=demo&sessions=all'
    """
    if not selection.chat:
        return ""
    params: dict[str, str] = {"chat": selection.chat}
    if selection.mode == "all":
        params["sessions"] = "all"
    elif selection.mode == "range" and selection.sessions:
        params["from"], params["to"] = selection.sessions[0], selection.sessions[-1]
    elif selection.sessions:
        params["session"] = selection.sessions[0]
    return "?" + urlencode(params)


def resolve_sessions(session_ids: list[str], mode: str, session: str | None = None, start: str | None = None,
                     end: str | None = None) -> list[str]:
    """The selected session ids, in session order, for a picker state.

    ``session_ids`` are the chat's sessions in order. Unknown ids fall back to the latest session (mode
    'session') or to the ends of the chat (mode 'range'); a reversed range is turned round.

    >>> ids = ["s1", "s2", "s3", "s4"]
    >>> resolve_sessions(ids, "session", "s2"), resolve_sessions(ids, "session", "nope")
    (['s2'], ['s4'])
    >>> resolve_sessions(ids, "range", start="s3", end="s2"), resolve_sessions(ids, "all")
    (['s2', 's3'], ['s1', 's2', 's3', 's4'])
    """
    if not session_ids:
        return []
    if mode == "all":
        return list(session_ids)
    if mode == "range":
        lo = session_ids.index(start) if start in session_ids else 0
        hi = session_ids.index(end) if end in session_ids else len(session_ids) - 1
        lo, hi = min(lo, hi), max(lo, hi)
        return list(session_ids[lo: hi + 1])
    return [session if session in session_ids else session_ids[-1]]


def session_labels(sessions: pl.DataFrame) -> list[dict[str, str]]:
    """Dropdown options for a ``sessions`` table: 'Session 3 · 2026-01-26 20:00 EST', value = session id.

    >>> import polars as pl
    >>> session_labels(pl.DataFrame({"session_id": ["2026-01-05"], "number": [1],
    ...                              "local_start": ["2026-01-05 21:00 EST"]}))
    [{'label': 'Session 1 · 2026-01-05 21:00 EST', 'value': '2026-01-05'}]
    """
    if sessions.height == 0:
        return []
    frame = sessions.sort("number") if "number" in sessions.columns else sessions.sort("session_id")
    when = "local_start" if "local_start" in frame.columns else "session_id"
    number = "number" if "number" in frame.columns else None
    out = []
    for i, row in enumerate(frame.iter_rows(named=True), start=1):
        label = f"Session {row[number] if number else i} · {row[when] or row['session_id']}"
        out.append({"label": label, "value": row["session_id"]})
    return out


def selected(stored: dict | None) -> tuple[Snapshot | None, Selection]:
    """The snapshot and selection behind the picker's store data (snapshot None when the chat has none)."""
    selection = Selection.from_store(stored)
    return current_state().snapshot(selection.chat), selection


def table_or_empty(snapshot: Snapshot, name: str, sessions: list[str] | None = None) -> pl.DataFrame:
    """A snapshot table (rows of ``sessions`` when given), or an empty frame when the snapshot lacks it."""
    return snapshot.table_or_empty(name, sessions)


def session_title(snapshot: Snapshot, selection: Selection) -> str:
    """'Session 12 · 2026-03-30 20:00 EDT', 'Sessions 1-4 of 12' or 'All 12 sessions'.

    >>> import tempfile
    >>> from pathlib import Path
    >>> from moderator_kit.snapshot_store import write_snapshot
    >>> folder = Path(tempfile.mkdtemp()) / "chat=demo"
    >>> write_snapshot(folder, {"sessions": pl.DataFrame({"session_id": ["a", "b"], "number": [1, 2],
    ...                                                    "local_start": ["2026-01-05 21:00 EST", "x"]})}, {})
    >>> session_title(Snapshot(folder), Selection("demo", "session", ("a",)))
    'Session 1 · 2026-01-05 21:00 EST'
    >>> session_title(Snapshot(folder), Selection("demo", "all", ("a", "b")))
    'All 2 sessions'
    """
    sessions = table_or_empty(snapshot, "sessions")
    if not selection.sessions or sessions.height == 0:
        return "No session selected"
    labels = {o["value"]: o["label"] for o in session_labels(sessions)}
    if len(selection.sessions) == 1:
        return labels.get(selection.sessions[0], selection.sessions[0])
    if selection.mode == "all" and len(selection.sessions) == sessions.height:
        return f"All {sessions.height} sessions"
    numbers = dict(zip(sessions["session_id"].to_list(),
                       sessions["number"].to_list() if "number" in sessions.columns else range(1, sessions.height + 1)))
    first, last = numbers.get(selection.sessions[0]), numbers.get(selection.sessions[-1])
    return f"Sessions {first}–{last} of {sessions.height} ({selection.sessions[0]} to {selection.sessions[-1]})"
