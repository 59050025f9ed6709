"""Imports started from the dashboard: saving uploads, finding archives under the workspace, and the background
job that runs import + analyze.

Dash 4's background callbacks need a manager (diskcache or Celery), which this project does not depend on, so the
Import page starts :func:`run_import_job` in a thread and polls the job's state with ``dcc.Interval``. The job's
state lives on the app (:class:`dashboards.data.DashboardState`), never in module globals.

Examples
--------
>>> safe_file_name("../../etc/passwd"), safe_file_name("my chat (1).jsonl"), safe_file_name("<script>.csv")
('passwd', 'my_chat_1_.jsonl', 'script_.csv')
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
import threading
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

import yaml

from dashboards.data import DashboardState
from moderator_kit.config import ChatConfig, parse_config
from moderator_kit.errors import ArchiveError, ConfigError, ModeratorKitError
from moderator_kit.workspace import validate_chat_name

__all__ = [
    "ARCHIVE_SUFFIXES",
    "CONFIG_SUFFIXES",
    "CONFIG_LIMIT",
    "UploadError",
    "safe_file_name",
    "decode_upload",
    "save_upload",
    "read_uploaded_config",
    "workspace_files",
    "resolve_workspace_file",
    "default_chat_name",
    "start_import",
    "run_import_job",
]

log = logging.getLogger(__name__)

#: Archive files the Import page accepts (a folder export is chosen from the workspace, or zipped).
ARCHIVE_SUFFIXES = (".jsonl", ".ndjson", ".json", ".js", ".csv", ".zip")
CONFIG_SUFFIXES = (".yaml", ".yml")
#: The largest chat.yaml accepted (bytes).
CONFIG_LIMIT = 1 << 20
#: Folders of the workspace that hold its own data, never offered as archives.
_INTERNAL = {"messages", "quarantine", "analysis", "secrets", "__pycache__"}
_MAX_LISTED = 500
_MAX_DEPTH = 4

# Progress through analyze_chat's steps (moderator_kit.snapshot.analyze_chat says these names).
_STAGES = {"sessions": 0.40, "agenda flow": 0.45, "engagement": 0.52, "graph": 0.55, "people": 0.80,
           "reach and value": 0.88, "writing snapshot": 0.94}


class UploadError(ModeratorKitError):
    """An uploaded file cannot be used (too large, wrong type, not decodable); the message says what to do."""


def safe_file_name(name: str, default: str = "upload") -> str:
    """A file name safe to write: the last path part, only letters, digits, '.', '-' and '_'."""
    base = re.split(r"[\\/]", str(name or ""))[-1]
    clean = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._")[:120]
    return clean or default


def decode_upload(upload: dict | None, *, limit: int, suffixes: Sequence[str], what: str) -> tuple[str, bytes]:
    """(file name, bytes) of an upload kept by the page (``{"name", "contents"}``, contents a base64 data URL).

    >>> decode_upload({"name": "a.csv", "contents": "data:text/csv;base64,aGk="}, limit=10, suffixes=[".csv"],
    ...               what="archive")
    ('a.csv', b'hi')
    >>> decode_upload({"name": "a.exe", "contents": "data:;base64,aGk="}, limit=10, suffixes=[".csv"], what="archive")
    Traceback (most recent call last):
    ...
    dashboards.imports.UploadError: a.exe: an archive must be a .csv file
    """
    if not isinstance(upload, dict) or not isinstance(upload.get("contents"), str):
        raise UploadError(f"no {what} uploaded")
    name = safe_file_name(upload.get("name") or what)
    if not name.lower().endswith(tuple(suffixes)):
        article = "an" if what[:1] in "aeiou" else "a"
        raise UploadError(f"{name}: {article} {what} must be a {', '.join(suffixes)} file")
    payload = upload["contents"].split(",", 1)[-1]
    if len(payload) * 3 // 4 > limit + 3:
        raise UploadError(f"{name} is larger than the {limit / (1 << 20):.1f} MiB upload limit; put it under the "
                          "workspace folder and choose it from the list instead")
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise UploadError(f"{name}: the upload was damaged (not valid base64); try again") from None
    if not data:
        raise UploadError(f"{name} is empty")
    if len(data) > limit:
        raise UploadError(f"{name} is larger than the {limit / (1 << 20):.1f} MiB upload limit")
    return name, data


def save_upload(workspace: Path, name: str, data: bytes) -> Path:
    """Keep an uploaded file under ``<workspace>/uploads/<time>-<id>/`` (imports record where messages came from)."""
    folder = Path(workspace) / "uploads" / f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}"
    folder.mkdir(parents=True, exist_ok=False)
    path = folder / safe_file_name(name)
    path.write_bytes(data)
    return path


def read_uploaded_config(name: str, data: bytes) -> ChatConfig:
    """Validate an uploaded chat.yaml (raises :class:`ConfigError` naming the problem)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{name}: not a UTF-8 text file; save the chat config as UTF-8 YAML") from None
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise ConfigError(f"{name}{where}: not valid YAML ({getattr(err, 'problem', None) or 'syntax error'})"
                          ) from None
    try:
        return parse_config(loaded)
    except ConfigError as err:
        raise ConfigError(f"{name}: {err}") from None


def workspace_files(workspace: Path) -> tuple[list[str], list[str]]:
    """Archives and configs found under the workspace, as paths relative to it (sorted, at most 500 each).

    Archives: files with an archive suffix, and folders holding a Slack export (``users.json`` or
    ``channels.json``). The workspace's own data folders are skipped.
    """
    root = Path(workspace)
    archives: list[str] = []
    configs: list[str] = []
    if not root.is_dir():
        return archives, configs

    def walk(folder: Path, depth: int) -> None:
        try:
            entries = sorted(folder.iterdir(), key=lambda p: p.name)
        except OSError:
            return
        for entry in entries:
            if len(archives) >= _MAX_LISTED or entry.name.startswith((".", "_")) or entry.is_symlink():
                continue
            rel = entry.relative_to(root).as_posix()
            if entry.is_dir():
                if depth == 0 and entry.name in _INTERNAL:
                    continue
                if (entry / "users.json").is_file() or (entry / "channels.json").is_file():
                    archives.append(rel + "/")
                elif depth < _MAX_DEPTH:
                    walk(entry, depth + 1)
            elif entry.suffix.lower() in CONFIG_SUFFIXES:
                configs.append(rel)
            elif entry.suffix.lower() in ARCHIVE_SUFFIXES and entry.name != "workspace.json":
                archives.append(rel)

    walk(root, 0)
    return sorted(archives), sorted(configs)[:_MAX_LISTED]


def resolve_workspace_file(workspace: Path, relative: str) -> Path:
    """An archive or config chosen from the list, checked to lie inside the workspace.

    >>> import tempfile
    >>> resolve_workspace_file(Path(tempfile.mkdtemp()), "../../etc/passwd")
    Traceback (most recent call last):
    ...
    dashboards.imports.UploadError: ../../etc/passwd: not a file under the workspace
    """
    root = Path(workspace).resolve()
    path = (root / str(relative)).resolve()
    if root not in path.parents or not path.exists():
        raise UploadError(f"{relative}: not a file under the workspace")
    return path


def default_chat_name(typed: str | None, config: ChatConfig | None, sources: Sequence[Path]) -> str:
    """The chat to import into: what the user typed, else the config's chat, else the first file's name.

    >>> default_chat_name(None, None, [Path("uploads/x/My-Chat.jsonl")])
    'my-chat'
    >>> default_chat_name(" #JobHuntChat ", None, [])
    'jobhuntchat'
    """
    if typed and typed.strip():
        return validate_chat_name(typed)
    if config is not None:
        return validate_chat_name(config.chat)
    for source in sources:
        stem = re.sub(r"[^a-z0-9._-]+", "-", Path(source).name.split(".")[0].lower()).strip("-._")
        if stem:
            return validate_chat_name(stem[:60])
    raise UploadError("type a chat name: it could not be taken from the config or the file name")


def _known_sessions(state: DashboardState, chat: str) -> list[str]:
    snapshot = state.snapshot(chat)
    if snapshot is None:
        return []
    try:
        return snapshot.session_ids()
    except ModeratorKitError:
        return []


def run_import_job(state: DashboardState, job_id: str, sources: Sequence[Path], chat: str,
                   config: Path | None) -> None:
    """Import the sources into the chat and analyze it, recording progress on the job (runs in a thread)."""
    from moderator_kit.api import import_archives
    from moderator_kit.snapshot import analyze_chat

    def note(stage: str, progress: float, line: str | None = None) -> None:
        state.update_job(job_id, stage=stage, progress=progress)
        if line:
            state.update_job(job_id, log=line)

    try:
        before = _known_sessions(state, chat)
        state.update_job(job_id, sessions_before=before)
        note("reading", 0.05, f"reading {len(sources)} source{'s' if len(sources) != 1 else ''}")
        seen = {"n": 0}

        def on_source(path: Path, fmt: str) -> None:
            seen["n"] += 1
            note("reading", min(0.30, 0.05 + 0.05 * seen["n"]), f"reading {Path(path).name} ({fmt})")

        reports = import_archives([str(s) for s in sources], chat=chat, workspace=state.workspace,
                                  config=config, on_source=on_source)
        imported = sum(r.imported for r in reports)
        state.update_job(job_id, reports=[r.to_dict() for r in reports])
        note("imported", 0.35, f"imported {imported:,} new messages")
        graphs = {"n": 0}

        def on_progress(message: str) -> None:
            if message.startswith("graph "):
                graphs["n"] += 1
                note("graph", min(0.78, 0.55 + 0.01 * graphs["n"]), None)
                return
            note(message, _STAGES.get(message, 0.5), f"analyze: {message}")

        snapshot = analyze_chat(state.workspace, chat, progress=on_progress)
        sessions = snapshot.session_ids()
        new = [s for s in sessions if s not in before]
        state.allow_chat(chat)
        state.update_job(job_id, status="done", stage="done", progress=1.0, sessions=sessions, new_sessions=new,
                         log=f"analyzed {len(sessions)} session{'s' if len(sessions) != 1 else ''}"
                             f" ({len(new)} new)")
    except (ModeratorKitError, ArchiveError) as err:
        state.update_job(job_id, status="failed", stage="failed", error=str(err))
    except Exception as err:  # an unexpected bug: say so on the page, keep the traceback in the server log
        log.exception("import job %s failed", job_id)
        state.update_job(job_id, status="failed", stage="failed",
                         error=f"unexpected error ({type(err).__name__}: {err}); the server log has the details")


def start_import(state: DashboardState, sources: Sequence[Path], chat: str, config: Path | None) -> str:
    """Start an import job in a daemon thread; returns its id (one job at a time per app)."""
    job = state.new_job(chat, [Path(s).name for s in sources])
    if job is None:
        raise UploadError("an import is already running: wait for it to finish")
    thread = threading.Thread(target=run_import_job, args=(state, job.id, list(sources), chat, config),
                              name=f"moderator-kit-import-{job.id[:8]}", daemon=True)
    thread.start()
    return job.id
