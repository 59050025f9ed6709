"""The ``(platform, message_id)`` keys an import has seen, compact and fast to probe chunk after chunk.

Each key is held as two independent 64-bit hashes (16 bytes a key, 80 MB for five million messages) in arrays sorted
by the first; a chunk is probed with a binary search (``numpy.searchsorted``) and new keys are merged in by position,
so a chunk costs time in proportion to its own size and one copy of the arrays, never a hash table of every stored
key. Two different keys are taken for one only if both hashes agree (about one chance in 2**128 per pair).

Examples
--------
>>> import polars as pl
>>> seen = KeySet(["platform", "message_id"])
>>> seen.add(pl.DataFrame({"platform": ["x", "x"], "message_id": ["1", "2"]}))
>>> seen.contains(pl.DataFrame({"platform": ["x", "x", "y"], "message_id": ["2", "3", "1"]})).tolist()
[True, False, False]
>>> len(seen)
2
"""

from __future__ import annotations

import numpy as np
import polars as pl

__all__ = ["KeySet"]

_SEPARATOR = "\x1f"


class KeySet:
    """A growing set of row keys (the values of ``columns``)."""

    def __init__(self, columns: list[str]):
        self.columns = list(columns)
        self._first = np.empty(0, dtype=np.uint64)
        self._second = np.empty(0, dtype=np.uint64)

    def __len__(self) -> int:
        return len(self._first)

    def _hashes(self, frame: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        joined = frame.select(pl.concat_str(self.columns, separator=_SEPARATOR, ignore_nulls=False).fill_null(""))
        series = joined.to_series()
        return (series.hash(seed=0x5EED).to_numpy(),
                (series + _SEPARATOR).hash(seed=0xC0FFEE).to_numpy())

    def contains(self, frame: pl.DataFrame) -> np.ndarray:
        """A boolean array: which rows of ``frame`` have a key already in the set."""
        if frame.height == 0 or not len(self):
            return np.zeros(frame.height, dtype=bool)
        first, second = self._hashes(frame)
        return self._contains(first, second)

    def _contains(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        order = np.argsort(first)  # sorted needles make the binary searches walk memory in order
        at = np.empty_like(order)
        at[order] = np.searchsorted(self._first, first[order], side="left")
        size = len(self._first)
        inside = np.minimum(at, size - 1)
        same_first = (at < size) & (self._first[inside] == first)
        found = same_first & (self._second[inside] == second)
        # Several keys of the set share this first hash (rare): look at all of them.
        crowded = same_first & ~found & (at + 1 < size) & (self._first[np.minimum(at + 1, size - 1)] == first)
        for row in np.flatnonzero(crowded):
            end = np.searchsorted(self._first, first[row], side="right")
            found[row] = bool((self._second[at[row]:end] == second[row]).any())
        return found

    def add(self, frame: pl.DataFrame) -> None:
        """Add the keys of ``frame`` (keys already present are added again harmlessly)."""
        if frame.height == 0:
            return
        first, second = self._hashes(frame)
        order = np.argsort(first, kind="stable")
        first, second = first[order], second[order]
        at = np.searchsorted(self._first, first, side="left")
        self._first = np.insert(self._first, at, first)
        self._second = np.insert(self._second, at, second)
