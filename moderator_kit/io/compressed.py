"""Opening an archive file, gzip-compressed or not: the one place where importers open files.

A file whose first bytes are gzip's magic number (``1f 8b``) is decompressed while it is read, whatever its name
(``chat.jsonl.gz``, or a ``.jsonl`` that is in fact compressed), so sniffing sees the decompressed content and
readers see the same bytes, line numbers and record positions as for the plain file. Decompression streams
(chunk by chunk; the chunked twarc2 reader stays chunked) and obeys the limits of :mod:`moderator_kit.io.safezip`
(``max_member_bytes`` and, past ``ratio_from_bytes``, ``max_ratio`` against the compressed file's size): a
decompression bomb raises :class:`GzipLimitError`, one readable line.

A damaged gzip (truncated, or corrupt part way) gives up the bytes decompressed before the damage; the damage is
recorded and :func:`take_damage` turns it into one quarantine entry (file, line where it stopped, reason), which
:mod:`moderator_kit.io.detect` adds after the file's records. A file that is damaged before anything could be
decompressed (a bad header) raises :class:`~moderator_kit.errors.ArchiveError`.

Examples
--------
>>> import gzip, tempfile
>>> path = Path(tempfile.mkdtemp()) / "chat.jsonl.gz"
>>> _ = path.write_bytes(gzip.compress(b'{"a": 1}\\n{"b": 2}\\n'))
>>> with open_source(path) as handle:
...     handle.readline(), handle.read()
(b'{"a": 1}\\n', b'{"b": 2}\\n')
>>> _ = path.write_bytes(gzip.compress(b'{"a": 1}\\n{"b": 2}\\n')[:-8])
>>> read_source_bytes(path)
b'{"a": 1}\\n{"b": 2}\\n'
>>> take_damage(path)
(3, 'the gzip file is truncated (it ends before its end-of-stream marker); what followed line 2 is lost')
"""

from __future__ import annotations

import gzip
import io
import os
import zlib
from pathlib import Path
from typing import BinaryIO

from moderator_kit.errors import ArchiveError
from moderator_kit.io.safezip import ZipLimitError, ZipLimits, current_limits

__all__ = ["GZIP_MAGIC", "GzipLimitError", "is_gzip", "plain_name", "open_source", "read_source_bytes",
           "take_damage", "GzipReader"]

#: The first two bytes of every gzip file.
GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1024 * 1024

# Damage seen while decompressing, by file, until the reader's caller takes it (detect.py, after the file is read).
_DAMAGE: dict[str, tuple[int, str]] = {}


class GzipLimitError(ZipLimitError):
    """A gzip file expands past a limit of :mod:`moderator_kit.io.safezip` (a decompression bomb, or too big)."""


def is_gzip(path: Path | str) -> bool:
    """Whether the file starts with gzip's magic number (its name does not matter)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(2) == GZIP_MAGIC
    except OSError:
        return False


def plain_name(path: Path | str) -> str:
    """The file's name without a ``.gz`` ending, for sniffers that look at names (a Slack day file).

    >>> plain_name("general/2020-05-14.json.gz"), plain_name("chat.jsonl")
    ('2020-05-14.json', 'chat.jsonl')
    """
    name = Path(path).name
    return name[:-3] if name.lower().endswith(".gz") else name


def open_source(path: Path | str) -> BinaryIO:
    """Open an archive file for reading as bytes: decompressed if it is gzip, as it is otherwise.

    Raises ``OSError`` as ``open`` does (readers turn it into their own one-line error).
    """
    if is_gzip(path):
        return GzipReader(path)  # type: ignore[return-value]
    return open(path, "rb")


def read_source_bytes(path: Path | str) -> bytes:
    """All the bytes of an archive file (decompressed if it is gzip), read in chunks within the limits."""
    with open_source(path) as handle:
        return handle.read()


def take_damage(path: Path | str) -> tuple[int, str] | None:
    """``(line, reason)`` of the damage met while decompressing ``path`` since it was last taken, else ``None``."""
    return _DAMAGE.pop(str(path), None)


def _reason(err: BaseException, lines: int) -> str:
    lost = f"what followed line {lines} is lost" if lines else "nothing could be read"
    if isinstance(err, EOFError):
        return f"the gzip file is truncated (it ends before its end-of-stream marker); {lost}"
    return f"the gzip file is corrupt ({err}); {lost}"


class GzipReader(io.RawIOBase):
    """A gzip file decompressed while it is read, within the current :class:`~moderator_kit.io.safezip.ZipLimits`.

    ``read``, ``readline`` and ``seek(0)`` behave as on the plain file. Damage ends the stream (see the module
    docstring); a bomb raises :class:`GzipLimitError`.
    """

    def __init__(self, path: Path | str, limits: ZipLimits | None = None):
        super().__init__()
        self.path = str(path)
        self.limits = limits or current_limits()
        self._raw = open(path, "rb")
        self.compressed_bytes = os.fstat(self._raw.fileno()).st_size
        self._rewind()

    def _rewind(self) -> None:
        if getattr(self, "_gzip", None) is not None:
            self._gzip.close()  # does not close the file under it
        self._raw.seek(0)
        self._gzip = gzip.GzipFile(fileobj=self._raw, mode="rb")
        self.produced = self.lines = 0
        self._ended = False
        _DAMAGE.pop(self.path, None)

    def _check(self, size: int, verb: str) -> None:
        limits = self.limits
        if size > limits.max_member_bytes:
            raise GzipLimitError(f"{verb} {size:,} bytes uncompressed, more than the limit of "
                                 f"{limits.max_member_bytes:,}", path=self.path)
        if size > limits.ratio_from_bytes and size > limits.max_ratio * max(self.compressed_bytes, 1):
            raise GzipLimitError(f"{verb} {size:,} bytes from {self.compressed_bytes:,} compressed (more than "
                                 f"{limits.max_ratio:g}:1); refusing a likely gzip bomb", path=self.path)

    def _take(self, data: bytes) -> bytes:
        self._check(self.produced + len(data), "expands to")
        self.produced += len(data)
        self.lines += data.count(b"\n")
        return data

    def _read1(self, size: int, line: bool = False) -> bytes:
        """At most ``size`` bytes (one line at most with ``line``), decompressed; ``b""`` at the end or the damage."""
        if self._ended:
            return b""
        try:
            data = self._gzip.readline(size) if line else self._gzip.read1(size)
        except (EOFError, OSError, zlib.error) as err:
            self._ended = True
            if self.produced == 0 and not isinstance(err, EOFError):
                raise ArchiveError(f"cannot read the gzip file ({err}); is it complete?", path=self.path) from None
            _DAMAGE[self.path] = (self.lines + 1, _reason(err, self.lines))
            return b""
        if not data:
            self._ended = True
        return self._take(data)

    def read(self, size: int | None = -1) -> bytes:
        whole = size is None or size < 0
        parts, got = [], 0
        while whole or got < size:
            part = self._read1(_CHUNK if whole else min(size - got, _CHUNK))
            if not part:
                break
            parts.append(part)
            got += len(part)
        return b"".join(parts)

    def readall(self) -> bytes:
        return self.read(-1)

    def readinto(self, buffer) -> int:  # noqa: ANN001 - a writable buffer
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            parts = []
            while (part := self._read1(_CHUNK, line=True)):
                parts.append(part)
                if part.endswith(b"\n"):
                    break
            return b"".join(parts)
        return self._read1(size, line=True)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if (offset, whence) != (0, os.SEEK_SET):
            raise io.UnsupportedOperation("a gzip source can only be rewound to its start")
        self._rewind()
        return 0

    def tell(self) -> int:
        return self.produced

    def close(self) -> None:
        if not self.closed:
            self._gzip.close()
            self._raw.close()
        super().close()
