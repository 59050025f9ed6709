"""One import into one chat: parsed results (whole archives or chunks of one) go to disk as they come, and one
manifest replacement commits them all (see :mod:`moderator_kit.store.chat_store`).

Messages are de-duplicated by ``(platform, message_id)`` against the chat's stored keys and everything added earlier
in the same import; only the keys are held in memory (as hashes, :class:`~moderator_kit.store.keyset.KeySet`), never
the stored messages.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import datetime, timezone

import polars as pl

from moderator_kit.io.base import ParseResult
from moderator_kit.schema import QUARANTINE_SCHEMA
from moderator_kit.store.chat_store import (
    RETIRED_GRACE_SECONDS,
    ChatStore,
    Manifest,
    new_file_id,
    scan_message_files,
)
from moderator_kit.store.keyset import KeySet
from moderator_kit.store.durable import sink_parquet_durably, write_parquet_durably
from moderator_kit.store.reports import ImportReport, count_reasons

__all__ = ["ChatImport", "DEDUP_KEY", "QUARANTINE_KEY", "MAX_PARTS_PER_MONTH"]

DEDUP_KEY = ["platform", "message_id"]
QUARANTINE_KEY = ["source_file", "source_record", "reason"]
_MAX_PENDING_WRITES = 4
MAX_PARTS_PER_MONTH = 32  # more files than this in one month are merged into one at commit


def _describe(files: list[str]) -> str:
    return ", ".join(files) if len(files) <= 3 else f"{len(files)} files"


class ChatImport:
    """Collects an import's new files; :meth:`commit` makes them the chat's state, :meth:`discard` drops them.

    Create it under the chat's lock, after recovery, with the committed manifest (None for a new chat).
    """

    def __init__(self, store: ChatStore, base: Manifest | None):
        self.store = store
        self.base = base
        self.messages: list[dict] = []
        self.quarantine: list[dict] = []
        self.reports: list[ImportReport] = []
        self.committed = False
        # Parquet writes run in a thread (they release the GIL) while the next chunk is parsed; a few at most.
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="workspace-writer")
        self._pending: list[Future] = []
        base_messages = [store.data_path(e["id"]) for e in base.messages] if base else []
        base_quarantine = [store.data_path(e["id"]) for e in base.quarantine] if base else []
        self._keys = KeySet(DEDUP_KEY)
        for path in base_messages:  # file by file: memory holds one file's keys as text at a time
            self._keys.add(pl.read_parquet(path, columns=DEDUP_KEY))
        self._quarantine_keys = (pl.scan_parquet(base_quarantine).select(QUARANTINE_KEY).collect() if base_quarantine
                                 else QUARANTINE_SCHEMA.to_frame(eager=True).select(QUARANTINE_KEY))

    @property
    def imported(self) -> int:
        return sum(e["rows"] for e in self.messages)

    def add(self, result: ParseResult) -> ImportReport:
        """Write the result's new messages and quarantine entries; its report (also kept in :attr:`reports`)."""
        known = self._keys.contains(result.messages)
        fresh = result.messages.filter(pl.Series(~known)) if known.any() else result.messages
        self._keys.add(fresh)
        self._write_messages(fresh)
        quarantine = result.quarantine.with_columns(chat=pl.lit(self.store.chat, dtype=pl.String))
        new_bad = quarantine.unique(subset=QUARANTINE_KEY, keep="first", maintain_order=True).join(
            self._quarantine_keys, on=QUARANTINE_KEY, how="anti", nulls_equal=True)
        if new_bad.height:
            self._quarantine_keys = pl.concat([self._quarantine_keys, new_bad.select(QUARANTINE_KEY)])
            self.quarantine.append(self._write(new_bad.select(list(QUARANTINE_SCHEMA)), month=None))
        report = ImportReport(
            source=_describe(result.files),
            source_format=result.source_format,
            records_seen=result.records_seen,
            imported=fresh.height,
            duplicates=result.duplicates + (result.messages.height - fresh.height),
            quarantined=result.quarantined,
            reasons=count_reasons(result.quarantine["reason"]),
        )
        self.reports.append(report)
        return report

    def _write_messages(self, fresh: pl.DataFrame) -> None:
        if not fresh.height:
            return
        by_month = (
            fresh.drop("chat")
            .sort("created_at")
            .with_columns(month=pl.col("created_at").dt.strftime("%Y-%m"))
            .partition_by("month", as_dict=True, include_key=False)
        )
        for (month,), part in sorted(by_month.items()):
            self.messages.append(self._write(part, month=month))

    def _write(self, frame: pl.DataFrame, *, month: str | None) -> dict:
        file_id = new_file_id()
        self.store.data_dir.mkdir(parents=True, exist_ok=True)
        self._pending.append(self._writer.submit(write_parquet_durably, frame, self.store.data_path(file_id)))
        while len(self._pending) > _MAX_PENDING_WRITES:
            self._pending.pop(0).result()
        entry = {"id": file_id, "rows": frame.height}
        return entry if month is None else {"id": file_id, "month": month, "rows": frame.height}

    def _finish_writes(self) -> None:
        """Wait for every pending write; the first failure is raised."""
        pending, self._pending = self._pending, []
        try:
            for future in pending:
                future.result()
        finally:
            for future in pending:
                future.cancel()
            wait(pending)

    def discard(self) -> None:
        try:
            self._finish_writes()
        except Exception:  # noqa: BLE001 - the files are removed either way
            pass
        self._writer.shutdown()
        self.store.discard([e["id"] for e in self.messages + self.quarantine])
        self.messages, self.quarantine = [], []

    def commit(self, reports: list[ImportReport] | None = None) -> Manifest:
        """Commit the files written so far with ``reports`` (default: one per :meth:`add`) in the import log."""
        self._finish_writes()
        base = self.base or Manifest.empty(self.store.chat)
        now = datetime.now(timezone.utc)
        stamp = now.isoformat(timespec="seconds")
        logged = [{"at": stamp, "chat": self.store.chat, **r.to_dict()} for r in (reports or self.reports)]
        messages, retired = self._compact(base.messages + self.messages)
        now_s = now.timestamp()
        still_kept = [r for r in base.retired if now_s - r["at"] < RETIRED_GRACE_SECONDS]
        base_ids = base.listed_ids()
        new = base.evolve(messages=messages, quarantine=base.quarantine + self.quarantine,
                          imports=base.imports + logged,
                          retired=still_kept + [{"id": i, "at": now_s} for i in retired if i in base_ids])
        self._writer.shutdown()
        self.store.commit(self.base, new)
        self.committed = True
        # Files of this import merged away before they were ever committed: no reader can know them.
        self.store.discard([i for i in retired if i not in base_ids])
        return new

    def _compact(self, entries: list[dict]) -> tuple[list[dict], list[str]]:
        """Merge the files of months that hold too many into one file each (streamed: memory holds a batch)."""
        by_month: dict[str, list[dict]] = {}
        for entry in entries:
            by_month.setdefault(entry["month"], []).append(entry)
        kept, retired = [], []
        for month in sorted(by_month):
            group = by_month[month]
            if len(group) <= MAX_PARTS_PER_MONTH:
                kept.extend(group)
                continue
            entry = {"id": new_file_id(), "month": month, "rows": sum(e["rows"] for e in group)}
            self.messages.append(entry)
            sink_parquet_durably(scan_message_files([self.store.data_path(e["id"]) for e in group]),
                                 self.store.data_path(entry["id"]))
            kept.append(entry)
            retired.extend(e["id"] for e in group)
        return kept, retired
