"""Follow a growing JSON-lines archive: each read returns only the complete lines added since the last one."""

from __future__ import annotations

from pathlib import Path

__all__ = ["FileTail"]


class FileTail:
    """Read a growing file from the last byte offset, whole lines only, so each refresh costs the new bytes only.

    A partial last line (a writer mid-write) is left for the next read. A file that shrank (rotated or rewritten)
    is read again from the start, and ``reset`` tells the caller to drop its state.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "stream.jsonl"
    >>> _ = p.write_bytes(b'{"a": 1}\\n{"b"')
    >>> tail = FileTail(p)
    >>> tail.read_lines()
    [(1, b'{"a": 1}')]
    >>> with p.open("ab") as f:
    ...     _ = f.write(b': 2}\\n')
    >>> tail.read_lines(), tail.offset
    ([(2, b'{"b": 2}')], 18)
    """

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.offset = 0
        self.line_number = 0
        self.reset = False

    def read_lines(self) -> list[tuple[int, bytes]]:
        """The complete lines added since the last call, as ``(line number, bytes)``; empty lines are skipped."""
        self.reset = False
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            return []
        if size < self.offset:
            self.offset = self.line_number = 0
            self.reset = True
        if size == self.offset:
            return []
        with self.path.open("rb") as handle:
            handle.seek(self.offset)
            chunk = handle.read(size - self.offset)
        end = chunk.rfind(b"\n")
        if end < 0:
            return []
        self.offset += end + 1
        lines = []
        for line in chunk[: end + 1].split(b"\n")[:-1]:
            self.line_number += 1
            if line.strip():
                lines.append((self.line_number, line.rstrip(b"\r")))
        return lines
