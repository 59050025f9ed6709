"""An append-only JSON-lines archive: whole lines only, resumable, never the same post twice."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Callable

import orjson

from moderator_kit.errors import ModeratorKitError

__all__ = ["ArchiveAppender", "CollectError", "repair_tail"]


class CollectError(ModeratorKitError):
    """A collection that cannot go on; the message is one readable line for the user."""


def repair_tail(path: Path) -> int:
    """Cut a trailing partial line (a write killed midway) off ``path``; return the bytes removed.

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "a.jsonl"
    >>> _ = p.write_bytes(b'{"id": "1"}\\n{"id": "2')
    >>> repair_tail(p), p.read_bytes()
    (9, b'{"id": "1"}\\n')
    """
    if not path.exists():
        return 0
    size = path.stat().st_size
    if size == 0:
        return 0
    with path.open("rb+") as handle:
        handle.seek(max(0, size - 1))
        if handle.read(1) == b"\n":
            return 0
        # Walk back in blocks to the last newline.
        end = size
        keep = 0
        while end > 0:
            start = max(0, end - 65536)
            handle.seek(start)
            block = handle.read(end - start)
            at = block.rfind(b"\n")
            if at >= 0:
                keep = start + at + 1
                break
            end = start
        handle.truncate(keep)
        handle.flush()
        os.fsync(handle.fileno())
    return size - keep


class ArchiveAppender:
    """Append raw records to a JSON-lines file, one whole line per record, skipping keys already in the file.

    Parameters
    ----------
    path
        The archive file (created if missing; a trailing partial line is cut on open).
    key
        The record's identity (status id, post URI); records whose key is in the file already are skipped.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "c.jsonl"
    >>> with ArchiveAppender(p, key=lambda r: r["id"]) as out:
    ...     out.append_many([{"id": "1"}, {"id": "1"}, {"id": "2"}])
    2
    >>> with ArchiveAppender(p, key=lambda r: r["id"]) as out:
    ...     out.append_many([{"id": "2"}, {"id": "3"}]), sorted(out.keys)
    (1, ['1', '2', '3'])
    """

    def __init__(self, path: Path | str, key: Callable[[dict], str | None]):
        self.path = Path(path)
        self.key = key
        self.repaired_bytes = repair_tail(self.path)
        self.records: list[dict] = []
        self.keys: set[str] = set()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists():
            with self.path.open("rb") as handle:
                for number, line in enumerate(handle, 1):
                    if not line.strip():
                        continue
                    try:
                        value = orjson.loads(line)
                    except orjson.JSONDecodeError as err:
                        raise CollectError(
                            f"{self.path}: line {number} is not JSON ({err}); collect into a new file or repair it"
                        ) from None
                    if isinstance(value, dict) and (found := key(value)) is not None:
                        self.keys.add(found)
                        self.records.append(value)
        self._handle = self.path.open("ab")

    def append_many(self, records: list[dict]) -> int:
        """Append the records not yet in the file with one write, flush and fsync; return how many were new."""
        lines = []
        for record in records:
            found = self.key(record)
            if found is None or found in self.keys:
                continue
            self.keys.add(found)
            lines.append(orjson.dumps(record) + b"\n")
        if lines:
            self._handle.write(b"".join(lines))
            self._handle.flush()
            os.fsync(self._handle.fileno())
        return len(lines)

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> "ArchiveAppender":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def read_state(path: Path) -> dict:
    """The collector's state sidecar (``{}`` when absent or unreadable)."""
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def write_state(path: Path, state: dict) -> None:
    """Write the state sidecar atomically (write aside, fsync, rename)."""
    aside = path.with_name(path.name + ".tmp")
    with aside.open("w", encoding="utf-8") as handle:
        json.dump(state, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(aside, path)
