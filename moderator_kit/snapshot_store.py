"""The analysis snapshot on disk: typed results as Parquet tables plus one JSON document, and loading them.

Layout (``<workspace>/analysis/chat=<chat>/``)::

    snapshot.json          metadata, graph figures, shapes, sponsor and moderator values, notes
    <table>.parquet        one file per table (see docs/snapshot.md), every row keyed by session_id

A snapshot is written aside and swapped in, like the workspace, so readers never see half of one. The dashboard and
the reports read it and never recompute.

Examples
--------
>>> import tempfile, polars as pl
>>> from pathlib import Path
>>> folder = Path(tempfile.mkdtemp()) / "chat=demo"
>>> write_snapshot(folder, {"sessions": pl.DataFrame({"session_id": ["2026-01-05"]})}, {"chat": "demo"})
>>> snap = Snapshot(folder)
>>> snap.meta["chat"], snap.table("sessions").height, snap.tables()
('demo', 1, ['sessions'])
"""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path
from typing import Any

import polars as pl

from moderator_kit.errors import WorkspaceError

__all__ = ["Snapshot", "write_snapshot", "scratch_folder", "remove_leftovers", "SNAPSHOT_FILE"]

SNAPSHOT_FILE = "snapshot.json"


def write_snapshot(folder: Path, tables: dict[str, pl.DataFrame | pl.LazyFrame], meta: dict[str, Any]) -> None:
    """Write tables and metadata to a staging folder beside ``folder``, then swap it in.

    The staging and swapped-out folders are named after ``folder`` (``.staging-chat=x-…``, ``.old-chat=x-…``), so a
    writer that was killed half-way leaves only folders that :func:`remove_leftovers` recognises as that chat's.
    """
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = folder.parent / f".staging-{folder.name}-{uuid.uuid4().hex}"
    staging.mkdir()
    try:
        listing = {}
        for name, frame in tables.items():
            path = staging / f"{name}.parquet"
            if isinstance(frame, pl.LazyFrame):  # streamed to disk (the message table of a big chat)
                frame.sink_parquet(path)
                listing[name] = {"rows": pl.scan_parquet(path).select(pl.len()).collect().item(),
                                 "columns": frame.collect_schema().names()}
                continue
            frame.write_parquet(path)
            listing[name] = {"rows": frame.height, "columns": frame.columns}
        meta = {**meta, "tables": listing}
        (staging / SNAPSHOT_FILE).write_text(json.dumps(meta, indent=1, default=str, ensure_ascii=False))
        old = folder.parent / f".old-{folder.name}-{uuid.uuid4().hex}"
        if folder.exists():
            folder.rename(old)
        staging.rename(folder)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def scratch_folder(folder: Path) -> Path:
    """A new scratch folder beside the snapshot ``folder`` for an analysis' intermediate files (named after the
    chat, so :func:`remove_leftovers` removes it if the analysis is killed)."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    scratch = folder.parent / f".scratch-{folder.name}-{uuid.uuid4().hex}"
    scratch.mkdir()
    return scratch


def remove_leftovers(folder: Path) -> list[Path]:
    """Remove what a killed :func:`write_snapshot` of ``folder`` left beside it; returns the paths removed.

    A half-written staging folder is deleted, and so is the scratch folder of a killed analysis
    (:func:`scratch_folder`). A writer killed between its two renames leaves no ``folder`` but a
    complete ``.old-…`` one: that previous snapshot is put back. Call it only while holding the chat's lock (another
    writer's staging folder looks the same).

    >>> import tempfile, polars as pl
    >>> folder = Path(tempfile.mkdtemp()) / "chat=demo"
    >>> (folder.parent / ".staging-chat=demo-dead").mkdir()
    >>> [p.name for p in remove_leftovers(folder)]
    ['.staging-chat=demo-dead']
    """
    folder = Path(folder)
    removed = []
    olds = sorted(folder.parent.glob(f".old-{folder.name}-*"), key=lambda p: p.stat().st_mtime)
    if not folder.exists() and olds and (olds[-1] / SNAPSHOT_FILE).is_file():
        olds.pop().rename(folder)
    for leftover in [*folder.parent.glob(f".staging-{folder.name}-*"), *folder.parent.glob(f".scratch-{folder.name}-*"),
                     *olds]:
        shutil.rmtree(leftover, ignore_errors=True)
        removed.append(leftover)
    return removed


class Snapshot:
    """A loaded analysis snapshot. Tables are read on first use and kept on this object (not globally)."""

    def __init__(self, folder: Path | str):
        self.folder = Path(folder)
        meta_file = self.folder / SNAPSHOT_FILE
        if not meta_file.exists():
            raise WorkspaceError(
                f"{self.folder}: no analysis snapshot; run 'moderator-kit analyze --chat "
                f"{self.folder.name.removeprefix('chat=')}' first"
            )
        self.meta: dict[str, Any] = json.loads(meta_file.read_text())
        self._cache: dict[str, pl.DataFrame] = {}

    @property
    def chat(self) -> str:
        return self.meta.get("chat", self.folder.name.removeprefix("chat="))

    def tables(self) -> list[str]:
        return sorted(self.meta.get("tables", {}))

    def table(self, name: str) -> pl.DataFrame:
        """A table by name (see docs/snapshot.md)."""
        if name not in self._cache:
            path = self.folder / f"{name}.parquet"
            if not path.exists():
                raise WorkspaceError(f"{self.folder}: the snapshot has no table {name!r}; re-run 'moderator-kit analyze'")
            self._cache[name] = pl.read_parquet(path)
        return self._cache[name]

    def table_or_empty(self, name: str, session_ids: list[str] | None = None) -> pl.DataFrame:
        """A table (its rows of ``session_ids`` when given, even an empty list), or an empty frame when the snapshot
        lacks it: for readers that show what is there (pages, headline figures, graph files)."""
        if name not in self.tables():
            return pl.DataFrame()
        frame = self.table(name)
        if session_ids is not None and "session_id" in frame.columns:
            frame = frame.filter(pl.col("session_id").is_in(list(session_ids)))
        return frame

    def for_sessions(self, name: str, session_ids: list[str] | None) -> pl.DataFrame:
        """Rows of a table for some sessions (all when ``session_ids`` is empty or None)."""
        frame = self.table(name)
        if not session_ids or "session_id" not in frame.columns:
            return frame
        return frame.filter(pl.col("session_id").is_in(session_ids))

    def session_ids(self) -> list[str]:
        return self.table("sessions")["session_id"].to_list()
