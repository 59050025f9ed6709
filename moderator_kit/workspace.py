"""The workspace: hive-partitioned Parquet that DuckDB, pandas and Spark read as they are.

Layout::

    <workspace>/
      workspace.json                               marker and format version
      messages/chat=<chat>/month=<YYYY-MM>/*.parquet   canonical messages (see moderator_kit.schema)
      quarantine/chat=<chat>/*.parquet             records that could not be imported, with file, position, reason
      configs/<chat>.yaml                          the chat config last used for this chat
      imports.jsonl                                one JSON report per import
      analysis/chat=<chat>/                        the analysis snapshot (moderator_kit.snapshot)

Imports are written aside and swapped in (:meth:`Workspace.import_results`): an import that fails, or is
interrupted, leaves the workspace as it was. Messages are de-duplicated by ``(platform, message_id)``, so importing
the same archive twice changes nothing.

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
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import polars as pl

from moderator_kit.errors import WorkspaceError
from moderator_kit.io.base import ParseResult
from moderator_kit.schema import DEFAULTS, MESSAGE_SCHEMA, QUARANTINE_SCHEMA, empty_quarantine

__all__ = ["Workspace", "ImportReport", "validate_chat_name", "DEFAULT_WORKSPACE"]

DEFAULT_WORKSPACE = "workspace"
_FORMAT_VERSION = 1
_CHAT_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_DEDUP_KEY = ["platform", "message_id"]


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


@dataclass
class ImportReport:
    """What happened to one source in one import."""

    source: str
    source_format: str
    records_seen: int
    imported: int
    duplicates: int
    quarantined: int
    reasons: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


class Workspace:
    """A folder of Parquet files holding one or more chats."""

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
            marker.write_text(json.dumps({"format_version": _FORMAT_VERSION}) + "\n")

    # -- paths ---------------------------------------------------------------------------------------------------
    def _messages_dir(self, chat: str) -> Path:
        return self.root / "messages" / f"chat={chat}"

    def _quarantine_dir(self, chat: str) -> Path:
        return self.root / "quarantine" / f"chat={chat}"

    def analysis_dir(self, chat: str) -> Path:
        return self.root / "analysis" / f"chat={validate_chat_name(chat)}"

    def config_path(self, chat: str) -> Path:
        return self.root / "configs" / f"{validate_chat_name(chat)}.yaml"

    # -- reading -------------------------------------------------------------------------------------------------
    def chats(self) -> list[str]:
        """Chats that hold messages, sorted."""
        base = self.root / "messages"
        if not base.is_dir():
            return []
        return sorted(p.name.removeprefix("chat=") for p in base.iterdir() if p.name.startswith("chat="))

    def require_chat(self, chat: str) -> str:
        chat = validate_chat_name(chat)
        if chat not in self.chats():
            known = ", ".join(self.chats()) or "none yet"
            raise WorkspaceError(f"{self.root}: no chat {chat!r} in this workspace (chats: {known}); import it first")
        return chat

    def messages(self, chat: str) -> pl.LazyFrame:
        """The chat's messages as a LazyFrame with the canonical schema."""
        chat = self.require_chat(chat)
        # A column added to the schema later (time_imprecise) is absent from older files: read it as its default.
        stored = {name: dtype for name, dtype in MESSAGE_SCHEMA.items() if name != "chat"}
        scan = pl.scan_parquet(self._messages_dir(chat) / "**" / "*.parquet", hive_partitioning=False,
                               schema=stored, missing_columns="insert")
        defaults = [pl.col(name).fill_null(pl.lit(value, dtype=MESSAGE_SCHEMA[name]))
                    for name, value in DEFAULTS.items()]
        return scan.with_columns(*defaults, chat=pl.lit(chat, dtype=pl.String)).select(list(MESSAGE_SCHEMA))

    def quarantine(self, chat: str) -> pl.DataFrame:
        directory = self._quarantine_dir(validate_chat_name(chat))
        if not any(directory.glob("*.parquet")):
            return empty_quarantine()
        return pl.read_parquet(directory / "*.parquet").select(list(QUARANTINE_SCHEMA))

    def import_log(self) -> list[dict]:
        log = self.root / "imports.jsonl"
        if not log.exists():
            return []
        return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]

    # -- writing -------------------------------------------------------------------------------------------------
    @contextmanager
    def _lock(self) -> Iterator[None]:
        lock = self.root / ".lock"
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            raise WorkspaceError(
                f"{self.root}: another import is running (or one crashed); if none is running, delete {lock}"
            ) from None
        try:
            os.write(fd, str(os.getpid()).encode())
            os.close(fd)
            yield
        finally:
            lock.unlink(missing_ok=True)

    def import_results(self, results: list[ParseResult], chat: str) -> list[ImportReport]:
        """Merge parsed archives into the chat, de-duplicated, and swap them in atomically.

        Returns one :class:`ImportReport` per result. Messages already in the workspace count as duplicates.
        """
        chat = validate_chat_name(chat)
        with self._lock():
            current = self.messages(chat).collect() if chat in self.chats() else MESSAGE_SCHEMA.to_frame(eager=True)
            old_quarantine = self.quarantine(chat)
            seen_keys = current.select(_DEDUP_KEY)
            merged, reports, quarantines = [current], [], [old_quarantine]
            for result in results:
                fresh = result.messages.join(seen_keys, on=_DEDUP_KEY, how="anti")
                seen_keys = pl.concat([seen_keys, fresh.select(_DEDUP_KEY)])
                merged.append(fresh.with_columns(chat=pl.lit(chat, dtype=pl.String)))
                quarantine = result.quarantine.with_columns(chat=pl.lit(chat, dtype=pl.String))
                quarantines.append(quarantine)
                reasons = (
                    quarantine.group_by(pl.col("reason").str.replace(r":.*", "")).len().sort("len", descending=True)
                )
                reports.append(
                    ImportReport(
                        source=", ".join(result.files) if len(result.files) <= 3 else f"{len(result.files)} files",
                        source_format=result.source_format,
                        records_seen=result.records_seen,
                        imported=fresh.height,
                        duplicates=result.duplicates + (result.messages.height - fresh.height),
                        quarantined=result.quarantined,
                        reasons=dict(reasons.iter_rows()),
                    )
                )
            messages = pl.concat(merged, how="vertical")
            quarantine = pl.concat(quarantines, how="vertical").unique(
                subset=["source_file", "source_record", "reason"], keep="first", maintain_order=True
            )
            self._swap_in(chat, messages, quarantine)
            with (self.root / "imports.jsonl").open("a", encoding="utf-8") as log:
                stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
                for report in reports:
                    log.write(json.dumps({"at": stamp, "chat": chat, **report.to_dict()}) + "\n")
        return reports

    def _swap_in(self, chat: str, messages: pl.DataFrame, quarantine: pl.DataFrame) -> None:
        staging = self.root / f".staging-{uuid.uuid4().hex}"
        try:
            new_messages = staging / "messages"
            new_quarantine = staging / "quarantine"
            new_quarantine.mkdir(parents=True)
            new_messages.mkdir()
            by_month = (
                messages.sort("created_at")
                .with_columns(month=pl.col("created_at").dt.strftime("%Y-%m"))
                .drop("chat")
                .partition_by("month", as_dict=True, include_key=False)
            )
            # The partition keys live in the path only (hive style), so DuckDB, pandas and Spark read it as it is.
            for (month,), part in by_month.items():
                folder = new_messages / f"month={month}"
                folder.mkdir()
                part.write_parquet(folder / "part-0.parquet")
            quarantine.write_parquet(new_quarantine / "part-0.parquet")
            # The swap: two renames per folder. Until the first rename the workspace is untouched.
            for new, target in ((new_messages, self._messages_dir(chat)), (new_quarantine, self._quarantine_dir(chat))):
                target.parent.mkdir(parents=True, exist_ok=True)
                old = staging / f"old-{target.parent.name}"
                if target.exists():
                    target.rename(old)
                new.rename(target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def save_config(self, chat: str, source: Path | str) -> Path:
        """Keep a copy of the chat config in the workspace, so later commands find it."""
        target = self.config_path(chat)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".yaml.tmp")
        shutil.copyfile(source, tmp)
        tmp.replace(target)
        return target
