"""The workspace: hive-partitioned Parquet that DuckDB, pandas and Spark read as they are.

Layout::

    <workspace>/
      workspace.json                                    marker and format version
      messages/chat=<chat>/month=<YYYY-MM>/<id>.parquet canonical messages (see moderator_kit.schema)
      quarantine/chat=<chat>/<id>.parquet               records that could not be imported, with file, position, reason
      configs/<chat>.yaml                               the chat config last used for this chat
      imports.jsonl                                     one JSON report per import (written from the manifests)
      analysis/chat=<chat>/                             the analysis snapshot (moderator_kit.snapshot)
      state/<chat>.json                                 the chat's manifest: its files and import reports
      .data/chat=<chat>/<id>.parquet                    the data files the hive folders link to
      .locks/<chat>.lock                                one lock per chat (released by the OS when a process dies)

An import writes its new files aside and commits them by replacing the chat's manifest in one step
(:mod:`moderator_kit.store.chat_store`): an import that fails, is interrupted or is killed leaves the chat as it
was, and opening the workspace removes what it left behind. Messages are de-duplicated by ``(platform,
message_id)``, so importing the same archive twice changes nothing.

Examples
--------
>>> import tempfile, polars as pl
>>> from moderator_kit.io.base import MessageRows, QuarantineLog, finalize, parse_utc
>>> rows = MessageRows("a.jsonl", "demo")
>>> rows.append(1, platform="twitter", message_id="1", author_handle="ann", kind="post",
...             created_at=parse_utc("2026-01-05T21:00:00Z"), text="hi")
>>> result = finalize(rows, QuarantineLog("a.jsonl", "demo"))
>>> ws = Workspace(tempfile.mkdtemp(), create=True)
>>> [r.imported for r in ws.import_results([result], chat="demo")]
[1]
>>> [r.duplicates for r in ws.import_results([result], chat="demo")]  # the same archive again adds nothing
[1]
>>> ws.messages("demo").collect().height
1
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl

from moderator_kit.errors import WorkspaceError
from moderator_kit.io.base import ParseResult
from moderator_kit.schema import DEFAULTS, MESSAGE_SCHEMA, QUARANTINE_SCHEMA, empty_quarantine
from moderator_kit.store.chat_import import ChatImport
from moderator_kit.store.chat_store import ChatStore, Manifest, scan_message_files
from moderator_kit.store.durable import write_json_atomic
from moderator_kit.store.legacy import migrate_v1
from moderator_kit.store.locks import hold_lock, release, try_lock
from moderator_kit.store.reports import ImportReport

__all__ = ["Workspace", "ImportReport", "validate_chat_name", "DEFAULT_WORKSPACE"]

DEFAULT_WORKSPACE = "workspace"
_FORMAT_VERSION = 2
_CHAT_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


def validate_chat_name(name: str) -> str:
    """Normalise a chat name (lower case, no leading #) and check that it is safe as a folder name.

    >>> validate_chat_name("#JobHuntChat")
    'jobhuntchat'
    >>> validate_chat_name("../etc")
    Traceback (most recent call last):
    ...
    moderator_kit.errors.WorkspaceError: chat name '../etc' is not allowed: use letters, digits, '-', '_' or '.'
    """
    clean = name.strip().lstrip("#").lower()
    if not _CHAT_NAME.match(clean):
        raise WorkspaceError(f"chat name {name!r} is not allowed: use letters, digits, '-', '_' or '.'")
    return clean


class Workspace:
    """A folder of Parquet files holding one or more chats.

    Opening a workspace finishes or rolls back any import that was interrupted (for chats no import is writing).
    """

    def __init__(self, root: Path | str, *, create: bool = False):
        self.root = Path(root)
        marker = self.root / "workspace.json"
        if not marker.exists():
            if not create:
                raise WorkspaceError(
                    f"{self.root}: no workspace here; run 'moderator-kit import PATH --chat NAME "
                    f"--workspace {self.root}' first"
                )
            self.root.mkdir(parents=True, exist_ok=True)
            write_json_atomic(marker, {"format_version": _FORMAT_VERSION})
        version = json.loads(marker.read_text()).get("format_version", 1)
        if version < _FORMAT_VERSION:
            with hold_lock(self._workspace_lock, what=str(self.root)):
                if json.loads(marker.read_text()).get("format_version", 1) < _FORMAT_VERSION:
                    migrate_v1(self.root, _legacy_chats(self.root))
                    write_json_atomic(marker, {"format_version": _FORMAT_VERSION})
        elif version > _FORMAT_VERSION:
            raise WorkspaceError(f"{self.root}: written by a newer moderator-kit (format {version}); upgrade it")
        self._recover_idle_chats()

    # -- paths ---------------------------------------------------------------------------------------------------
    @property
    def _workspace_lock(self) -> Path:
        return self.root / ".locks" / "workspace.lock"

    def _store(self, chat: str) -> ChatStore:
        return ChatStore(self.root, chat)

    def analysis_dir(self, chat: str) -> Path:
        return self.root / "analysis" / f"chat={validate_chat_name(chat)}"

    def config_path(self, chat: str) -> Path:
        return self.root / "configs" / f"{validate_chat_name(chat)}.yaml"

    # -- reading -------------------------------------------------------------------------------------------------
    def _manifests(self) -> list[Manifest]:
        folder = self.root / "state"
        if not folder.is_dir():
            return []
        found = []
        for path in sorted(folder.glob("*.json")):
            manifest = self._store(path.stem).read_manifest()
            if manifest is not None:
                found.append(manifest)
        return found

    def chats(self) -> list[str]:
        """Chats that hold messages, sorted."""
        return [m.chat for m in self._manifests() if m.messages]

    def require_chat(self, chat: str) -> str:
        chat = validate_chat_name(chat)
        manifest = self._store(chat).read_manifest()
        if manifest is None or not manifest.messages:
            known = ", ".join(self.chats()) or "none yet"
            raise WorkspaceError(f"{self.root}: no chat {chat!r} in this workspace (chats: {known}); import it first")
        return chat

    def messages(self, chat: str) -> pl.LazyFrame:
        """The chat's messages as a LazyFrame with the canonical schema (one committed state, even during imports)."""
        chat = self.require_chat(chat)
        store = self._store(chat)
        manifest = store.read_manifest()
        if manifest is None or not manifest.messages:
            self.require_chat(chat)
        scan = scan_message_files([store.data_path(e["id"]) for e in manifest.messages])
        # A column added to the schema later (time_imprecise) is absent from older files: read it as its default.
        defaults = [pl.col(name).fill_null(pl.lit(value, dtype=MESSAGE_SCHEMA[name]))
                    for name, value in DEFAULTS.items()]
        return scan.with_columns(*defaults, chat=pl.lit(chat, dtype=pl.String)).select(list(MESSAGE_SCHEMA))

    def quarantine(self, chat: str) -> pl.DataFrame:
        """Records of the chat that could not be imported, with file, position and reason."""
        store = self._store(validate_chat_name(chat))
        manifest = store.read_manifest()
        if manifest is None or not manifest.quarantine:
            return empty_quarantine()
        return pl.read_parquet([store.data_path(e["id"]) for e in manifest.quarantine]).select(
            list(QUARANTINE_SCHEMA))

    def import_log(self) -> list[dict]:
        """Every import's report, oldest first (from the chats' manifests, so it matches what was committed)."""
        entries = [entry for manifest in self._manifests() for entry in manifest.imports]
        return sorted(entries, key=lambda e: e.get("at", ""))

    # -- writing -------------------------------------------------------------------------------------------------
    @contextmanager
    def importing(self, chat: str, *, lock_timeout: float | None = None) -> Iterator[ChatImport]:
        """Hold the chat's lock and yield a :class:`ChatImport`; nothing is committed unless it calls ``commit``.

        Another import into the same chat waits up to ``lock_timeout`` seconds (default: ``$MODERATOR_KIT_LOCK_TIMEOUT``
        or 300) for the lock.
        """
        chat = validate_chat_name(chat)
        store = self._store(chat)
        with hold_lock(store.lock_file, timeout=lock_timeout, what=f"chat {chat!r} of {self.root}"):
            store.recover()
            job = ChatImport(store, store.read_manifest())
            try:
                yield job
            finally:
                if not job.committed:
                    job.discard()
            self._write_import_log()

    def import_results(self, results: Iterable[ParseResult | Iterable[ParseResult]], chat: str, *,
                       lock_timeout: float | None = None) -> list[ImportReport]:
        """Merge parsed archives into the chat, de-duplicated, and commit them in one step.

        Each item of ``results`` is one source: a :class:`ParseResult`, or an iterable of them (the chunks of a large
        file, read while they are written, so memory holds one chunk). Returns one :class:`ImportReport` per
        source. Messages already in the workspace count as duplicates. When no record of any source can be imported
        (all quarantined, or none found) nothing changes and a :class:`~moderator_kit.errors.WorkspaceError` gives
        the reasons.
        """
        with self.importing(chat, lock_timeout=lock_timeout) as job:
            reports = []
            for source in results:
                if isinstance(source, ParseResult):
                    reports.append(job.add(source))
                    continue
                report = None
                for chunk in source:
                    part = job.add(chunk)
                    report = part if report is None else report.merge(part)
                if report is not None:
                    reports.append(report)
            require_importable(reports)
            job.commit(reports)
        return reports

    def _write_import_log(self) -> None:
        """Rewrite imports.jsonl from the manifests (under the workspace lock, so the last writer saw every commit)."""
        with hold_lock(self._workspace_lock, what=str(self.root)):
            lines = "".join(json.dumps(entry, ensure_ascii=False) + "\n" for entry in self.import_log())
            log = self.root / "imports.jsonl"
            if not log.exists() or log.read_text(encoding="utf-8") != lines:
                tmp = log.with_name(".imports.jsonl.tmp")
                tmp.write_text(lines, encoding="utf-8")
                tmp.replace(log)

    def _recover_idle_chats(self) -> None:
        """Finish or roll back interrupted imports of every chat no import holds; then refresh imports.jsonl."""
        names = set()
        for folder, prefix in (("state", ""), (".data", "chat="), ("messages", "chat="), ("quarantine", "chat=")):
            base = self.root / folder
            if base.is_dir():
                names |= {(p.stem if folder == "state" else p.name.removeprefix(prefix)) for p in base.iterdir()
                          if not p.name.startswith(".") and (folder == "state") == p.is_file()}
        try:
            for chat in sorted(names):
                if not _CHAT_NAME.match(chat):
                    continue
                store = self._store(chat)
                fd = try_lock(store.lock_file)
                if fd is None:
                    continue  # an import is writing this chat; it cleans up after itself
                try:
                    store.recover()
                finally:
                    release(fd)
            fd = try_lock(self._workspace_lock)
            if fd is not None:
                release(fd)
                self._write_import_log()
        except PermissionError:
            pass  # a read-only workspace: readers follow the manifests and ignore leftovers

    def save_config(self, chat: str, source: Path | str) -> Path:
        """Keep a copy of the chat config in the workspace, so later commands find it."""
        target = self.config_path(chat)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".yaml.tmp")
        tmp.write_bytes(Path(source).read_bytes())
        tmp.replace(target)
        return target


def require_importable(reports: list[ImportReport]) -> None:
    """Refuse an import from which no message could be taken (nothing to create the chat from).

    >>> require_importable([ImportReport("a.jsonl", "twarc2", 2, 0, 0, 2, {"missing required field": 2})])
    Traceback (most recent call last):
    ...
    moderator_kit.errors.WorkspaceError: nothing could be imported from a.jsonl: all 2 records were quarantined (missing required field ×2); the workspace is unchanged
    """
    if any(r.imported or r.duplicates for r in reports):
        return
    sources = "; ".join(r.source for r in reports) or "the given paths"
    seen = sum(r.records_seen for r in reports)
    if not seen:
        raise WorkspaceError(f"nothing could be imported from {sources}: no records found; the workspace is unchanged")
    reasons: dict[str, int] = {}
    for report in reports:
        for reason, count in report.reasons.items():
            reasons[reason] = reasons.get(reason, 0) + count
    listed = ", ".join(f"{reason} ×{count}" for reason, count in sorted(reasons.items(), key=lambda kv: -kv[1]))
    raise WorkspaceError(f"nothing could be imported from {sources}: all {seen:,} records were quarantined "
                         f"({listed}); the workspace is unchanged")


def _legacy_chats(root: Path) -> list[str]:
    base = root / "messages"
    if not base.is_dir():
        return []
    return sorted(p.name.removeprefix("chat=") for p in base.iterdir() if p.name.startswith("chat="))
