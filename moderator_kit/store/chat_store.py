"""One chat's files and its manifest: the commit point of every import.

Layout of one chat ``X`` inside a workspace::

    state/X.json                             the manifest: the chat's Parquet files, its import reports
    .data/chat=X/<id>.parquet                every data file, immutable, under a unique name
    messages/chat=X/month=<YYYY-MM>/<id>.parquet    hard links to the listed message files (hive layout)
    quarantine/chat=X/<id>.parquet                  hard links to the listed quarantine files
    .locks/X.lock                            the chat's lock (``fcntl.flock``)

An import writes new files under new names (synced to disk), links them into the hive folders, then replaces the
manifest with :func:`os.replace`: that one rename is the commit. Until it happens the chat is what it was; after it,
the chat is the new state. Anything no manifest lists is an interrupted import's leftover, and :func:`recover_chat`
(run under the chat's lock) removes it, so the hive folders always show one committed state when no import runs.

Readers (``Workspace.messages``) scan the ``.data`` files a manifest lists, never the hive links: a file dropped from
the manifest (by compaction) stays in ``.data`` for :data:`RETIRED_GRACE_SECONDS`, so a reader that read the previous
manifest still finds every file it was promised.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> store = ChatStore(Path(tempfile.mkdtemp()), "demo")
>>> store.read_manifest() is None
True
>>> store.commit(Manifest.empty("demo"), Manifest.empty("demo").evolve(imports=[{"source": "a.jsonl"}]))
>>> store.read_manifest().imports
[{'source': 'a.jsonl'}]
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl

from moderator_kit.schema import MESSAGE_SCHEMA
from moderator_kit.store.durable import fsync_dir, link_or_copy, write_json_atomic

__all__ = ["ChatStore", "Manifest", "MANIFEST_FORMAT", "RETIRED_GRACE_SECONDS", "new_file_id", "scan_message_files"]

MANIFEST_FORMAT = 2
RETIRED_GRACE_SECONDS = 600.0


def scan_message_files(paths: list[Path]) -> pl.LazyFrame:
    """Scan message files in the stored schema (the canonical one without ``chat``, which is in the path); a column
    added to the schema after a file was written reads as null."""
    stored = {name: dtype for name, dtype in MESSAGE_SCHEMA.items() if name != "chat"}
    return pl.scan_parquet(paths, hive_partitioning=False, schema=stored, missing_columns="insert")


def new_file_id() -> str:
    """A unique, sortable name for a new data file (time first, so listings follow the order of writing)."""
    return f"{time.time_ns():x}-{uuid.uuid4().hex[:12]}"


@dataclass(frozen=True)
class Manifest:
    """The committed state of one chat.

    ``messages`` entries are ``{"id", "month", "rows"}``, ``quarantine`` entries ``{"id", "rows"}``, ``imports``
    the import reports in order, ``retired`` the files dropped by compaction (``{"id", "at"}``), kept for readers.
    """

    chat: str
    generation: int = 0
    messages: list[dict] = field(default_factory=list)
    quarantine: list[dict] = field(default_factory=list)
    imports: list[dict] = field(default_factory=list)
    retired: list[dict] = field(default_factory=list)

    @classmethod
    def empty(cls, chat: str) -> Manifest:
        return cls(chat=chat)

    def evolve(self, **changes) -> Manifest:
        """The next generation, with ``changes``."""
        return replace(self, generation=self.generation + 1, **changes)

    def listed_ids(self) -> set[str]:
        return {e["id"] for e in self.messages} | {e["id"] for e in self.quarantine}

    def to_json(self) -> dict:
        return {"format": MANIFEST_FORMAT, "chat": self.chat, "generation": self.generation,
                "messages": self.messages, "quarantine": self.quarantine, "imports": self.imports,
                "retired": self.retired}

    @classmethod
    def from_json(cls, data: dict) -> Manifest:
        return cls(chat=data["chat"], generation=data.get("generation", 0), messages=data.get("messages", []),
                   quarantine=data.get("quarantine", []), imports=data.get("imports", []),
                   retired=data.get("retired", []))


class ChatStore:
    """Paths, manifest, commit and recovery of one chat. Writing steps run under the chat's lock."""

    def __init__(self, root: Path, chat: str):
        self.root = Path(root)
        self.chat = chat
        self.state_file = self.root / "state" / f"{chat}.json"
        self.data_dir = self.root / ".data" / f"chat={chat}"
        self.messages_dir = self.root / "messages" / f"chat={chat}"
        self.quarantine_dir = self.root / "quarantine" / f"chat={chat}"
        self.lock_file = self.root / ".locks" / f"{chat}.lock"

    # -- paths ---------------------------------------------------------------------------------------------------
    def data_path(self, file_id: str) -> Path:
        return self.data_dir / f"{file_id}.parquet"

    def message_link(self, entry: dict) -> Path:
        return self.messages_dir / f"month={entry['month']}" / f"{entry['id']}.parquet"

    def quarantine_link(self, entry: dict) -> Path:
        return self.quarantine_dir / f"{entry['id']}.parquet"

    # -- reading -------------------------------------------------------------------------------------------------
    def read_manifest(self) -> Manifest | None:
        """The committed manifest, or None when the chat has never been committed."""
        try:
            text = self.state_file.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        return Manifest.from_json(json.loads(text))

    # -- writing (under the chat's lock) -------------------------------------------------------------------------
    def commit(self, old: Manifest | None, new: Manifest) -> None:
        """Make ``new`` the chat's state. Its new files must already be written (and synced) in ``.data``."""
        old_ids = old.listed_ids() if old else set()
        touched: set[Path] = set()
        for entry in new.messages:
            if entry["id"] not in old_ids:
                touched.add(self._link(self.data_path(entry["id"]), self.message_link(entry)))
        for entry in new.quarantine:
            if entry["id"] not in old_ids:
                touched.add(self._link(self.data_path(entry["id"]), self.quarantine_link(entry)))
        fsync_dir(self.data_dir)
        for folder in touched:
            fsync_dir(folder)
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        write_json_atomic(self.state_file, new.to_json())  # the commit point
        self.recover(new)

    def _link(self, source: Path, target: Path) -> Path:
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            link_or_copy(source, target)
        except FileExistsError:  # left by an interrupted commit of this very file: the same content
            pass
        return target.parent

    def discard(self, file_ids: list[str]) -> None:
        """Remove files written by an import that will not be committed."""
        for file_id in file_ids:
            self.data_path(file_id).unlink(missing_ok=True)

    def recover(self, manifest: Manifest | None = None) -> None:
        """Bring the folders in line with the committed manifest: finish or roll back an interrupted import.

        Files no manifest lists are removed (an import that did not reach its commit), missing hive links of listed
        files are made again (an import interrupted after its commit), and retired files past their grace go.
        """
        if manifest is None:
            manifest = self.read_manifest()
        manifest = manifest or Manifest.empty(self.chat)
        now = time.time()
        keep = manifest.listed_ids() | {r["id"] for r in manifest.retired if now - r["at"] < RETIRED_GRACE_SECONDS}
        wanted = {self.message_link(e): e["id"] for e in manifest.messages}
        wanted |= {self.quarantine_link(e): e["id"] for e in manifest.quarantine}
        for folder in (self.messages_dir, self.quarantine_dir):
            if not folder.is_dir():
                continue
            for path in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
                if path.is_dir():
                    _remove_empty_dir(path)
                elif path not in wanted:
                    path.unlink(missing_ok=True)
        for link, file_id in wanted.items():
            data = self.data_path(file_id)
            if not link.exists() and data.exists():
                self._link(data, link)
        if self.data_dir.is_dir():
            for path in self.data_dir.iterdir():
                if path.name.removesuffix(".parquet") not in keep or not path.name.endswith(".parquet"):
                    path.unlink(missing_ok=True)
        if self.state_file.parent.is_dir():
            for tmp in self.state_file.parent.glob(f".{self.state_file.name}.*.tmp"):
                tmp.unlink(missing_ok=True)
        for folder in (self.messages_dir, self.quarantine_dir, self.data_dir):
            _remove_empty_dir(folder)


def _remove_empty_dir(path: Path) -> None:
    try:
        if not any(path.iterdir()):
            path.rmdir()
    except OSError:
        pass  # gone, or filled meanwhile
