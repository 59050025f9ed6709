"""Durable file steps: data reach the disk before the commit that makes them visible.

Examples
--------
>>> import tempfile, json
>>> from pathlib import Path
>>> folder = Path(tempfile.mkdtemp())
>>> write_json_atomic(folder / "a.json", {"n": 1})
>>> json.loads((folder / "a.json").read_text())
{'n': 1}
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import polars as pl

__all__ = ["fsync_file", "fsync_dir", "write_parquet_durably", "sink_parquet_durably", "write_json_atomic", "link_or_copy"]


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    """Make a folder's entries (new, renamed or removed names) durable."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a folder; the rename is still atomic
    finally:
        os.close(fd)


def write_parquet_durably(frame: pl.DataFrame, path: Path) -> None:
    """Write ``frame`` to ``path`` (a fresh, unique name) and sync it to disk."""
    frame.write_parquet(path)
    fsync_file(path)


def sink_parquet_durably(frame: pl.LazyFrame, path: Path) -> None:
    """Stream ``frame`` into ``path`` (a fresh, unique name) and sync it to disk."""
    frame.sink_parquet(path)
    fsync_file(path)


def write_json_atomic(path: Path, data: object) -> None:
    """Replace ``path`` with ``data`` as JSON in one step: readers see the old or the new content, never a mix."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(data, ensure_ascii=False, indent=1) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def link_or_copy(source: Path, target: Path) -> None:
    """Give ``source`` a second name ``target`` (a hard link; a copy where the file system has none)."""
    try:
        os.link(source, target)
    except FileExistsError:
        raise
    except OSError:
        tmp = target.with_name(f".{target.name}.tmp")
        with open(source, "rb") as src, open(tmp, "wb") as dst:
            while block := src.read(1 << 20):
                dst.write(block)
            dst.flush()
            os.fsync(dst.fileno())
        os.replace(tmp, target)
