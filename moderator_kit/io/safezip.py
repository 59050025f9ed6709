"""Reading zip archives within limits: no zip bombs, no paths out of the target folder, typed errors only.

A zip member's header says how big it is, but headers can lie, so each member is checked twice: before it is read
(its declared size and compression ratio) and while it is read (the bytes actually produced, in chunks, stopping at
the cap). The limits are module constants; callers (the dashboard's upload job, say) can pass tighter ones to
:func:`moderator_kit.io.detect.read_archive`, which makes them current for everything read inside the call, so
that readers opening a zip themselves (the Slack export) obey them too.

=====================  ===========  ===================================================================
limit                  default      what it bounds
=====================  ===========  ===================================================================
``max_member_bytes``   2 GiB        the uncompressed size of one member
``max_total_bytes``    2 GiB        the uncompressed size of all members read from one zip
``max_ratio``          200          uncompressed / compressed size of a member ...
``ratio_from_bytes``   4 MiB        ... once it expands past this (small files compress better than 200:1)
``max_members``        100,000      the number of entries in the zip
=====================  ===========  ===================================================================

Every problem is an :class:`~moderator_kit.errors.ArchiveError` naming ``archive.zip!member``:
:class:`ZipLimitError` for a limit, :class:`ZipMemberError` for a damaged, encrypted or unsupported member, and a
plain :class:`~moderator_kit.errors.ArchiveError` for a zip that cannot be opened or a member name that points
outside the archive (``..`` or an absolute path).

Examples
--------
>>> import io, zipfile
>>> buffer = io.BytesIO()
>>> with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
...     z.writestr("day.json", b"\\n" * 1_000_000)
>>> with ZipReader(buffer, "a.zip", ZipLimits(ratio_from_bytes=1000)) as zipped:
...     zipped.read("day.json")
Traceback (most recent call last):
...
moderator_kit.io.safezip.ZipLimitError: a.zip!day.json: declares 1,000,000 bytes from ... compressed (more than 200:1)...
"""

from __future__ import annotations

import lzma
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import IO, Any

from moderator_kit.errors import ArchiveError

__all__ = [
    "MAX_MEMBER_BYTES",
    "MAX_TOTAL_BYTES",
    "MAX_RATIO",
    "RATIO_FROM_BYTES",
    "MAX_MEMBERS",
    "ZipLimits",
    "ZipLimitError",
    "ZipMemberError",
    "ZipReader",
    "ZIP_ERRORS",
    "zip_limits",
    "current_limits",
]

#: Largest uncompressed size of one zip member.
MAX_MEMBER_BYTES = 2 * 1024**3
#: Largest uncompressed size of all members read from one zip.
MAX_TOTAL_BYTES = 2 * 1024**3
#: Largest compression ratio (uncompressed / compressed) of a member that expands past :data:`RATIO_FROM_BYTES`.
MAX_RATIO = 200
#: Members smaller than this are not ratio-checked (a small JSON file of repeated keys compresses well).
RATIO_FROM_BYTES = 4 * 1024**2
#: Most entries a zip may list.
MAX_MEMBERS = 100_000

_CHUNK = 1024 * 1024
#: What zipfile raises on damaged, encrypted or unsupported zips and members.
ZIP_ERRORS = _DAMAGE = (zipfile.BadZipFile, zipfile.LargeZipFile, RuntimeError, NotImplementedError, EOFError, OSError,
           ValueError, zlib.error, lzma.LZMAError)


class ZipLimitError(ArchiveError):
    """A zip member expands past a limit (a zip bomb, or simply too big for this job)."""


class ZipMemberError(ArchiveError):
    """A zip member cannot be read: damaged, encrypted or compressed with an unsupported method."""


@dataclass(frozen=True)
class ZipLimits:
    """The limits applied while reading a zip (see the module docstring for what each bounds)."""

    max_member_bytes: int = MAX_MEMBER_BYTES
    max_total_bytes: int = MAX_TOTAL_BYTES
    max_ratio: float = MAX_RATIO
    ratio_from_bytes: int = RATIO_FROM_BYTES
    max_members: int = MAX_MEMBERS

    def tightened(self, **limits: Any) -> ZipLimits:
        """These limits with the given ones (``None`` values are ignored) replacing them.

        >>> ZipLimits().tightened(max_ratio=50, max_member_bytes=None).max_ratio
        50
        """
        return replace(self, **{name: value for name, value in limits.items() if value is not None})


_CURRENT: ContextVar[ZipLimits] = ContextVar("moderator_kit_zip_limits", default=ZipLimits())


def current_limits() -> ZipLimits:
    """The limits in force: the defaults, or those set by :func:`zip_limits` around the current call."""
    return _CURRENT.get()


@contextmanager
def zip_limits(limits: ZipLimits) -> Iterator[ZipLimits]:
    """Make ``limits`` current for every zip read inside the ``with`` block."""
    token = _CURRENT.set(limits)
    try:
        yield limits
    finally:
        _CURRENT.reset(token)


def _unsafe_name(name: str) -> bool:
    """Whether a member name would land outside the folder it is extracted to.

    >>> [_unsafe_name(n) for n in ("a/b.json", "../x", "/etc/x", "a/../../x", "C:\\\\x", "a\\\\..\\\\x")]
    [False, True, True, True, True, True]
    """
    posix = name.replace("\\", "/")
    path = PurePosixPath(posix)
    return path.is_absolute() or ".." in path.parts or (len(posix) > 1 and posix[1] == ":")


class ZipReader:
    """An open zip whose members are read within :class:`ZipLimits`.

    Opening checks the member count and refuses member names with ``..`` or an absolute path. Each member read
    counts towards the total budget once (reading the same member again is free).
    """

    def __init__(self, file: Path | str | IO[bytes], label: str | None = None, limits: ZipLimits | None = None):
        self.label = str(label if label is not None else file)
        self.limits = limits or current_limits()
        try:
            self.zip = zipfile.ZipFile(file)
            infos = self.zip.infolist()
        except _DAMAGE as err:
            raise ArchiveError(f"cannot open the zip ({err}); is the file complete?", path=self.label) from None
        if len(infos) > self.limits.max_members:
            self.zip.close()
            raise ZipLimitError(f"the zip lists {len(infos):,} entries, more than the limit of "
                                f"{self.limits.max_members:,}", path=self.label)
        for info in infos:
            if _unsafe_name(info.filename):
                self.zip.close()
                raise ArchiveError(f"refusing member {info.filename!r}: its path leads outside the archive "
                                   "('..' or absolute)", path=self.label)
        self.infos = [info for info in infos if not info.is_dir()]
        self._counted: set[str] = set()
        self._total = 0

    def __enter__(self) -> ZipReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.zip.close()

    def names(self) -> list[str]:
        """The member names (files only), in archive order."""
        return [info.filename for info in self.infos]

    def where(self, name: str) -> str:
        """How errors and provenance name a member: ``archive.zip!member``."""
        return f"{self.label}!{name}"

    def _check_declared(self, info: zipfile.ZipInfo) -> None:
        limits = self.limits
        if info.file_size > limits.max_member_bytes:
            raise ZipLimitError(f"declares {info.file_size:,} bytes uncompressed, more than the limit of "
                                f"{limits.max_member_bytes:,}", path=self.where(info.filename))
        if self._total + info.file_size > limits.max_total_bytes and info.filename not in self._counted:
            raise ZipLimitError(f"the zip's members expand past the limit of {limits.max_total_bytes:,} bytes in all",
                                path=self.where(info.filename))
        self._check_ratio(info, info.file_size, "declares")

    def _check_ratio(self, info: zipfile.ZipInfo, size: int, verb: str) -> None:
        limits = self.limits
        if size > limits.ratio_from_bytes and size > limits.max_ratio * max(info.compress_size, 1):
            raise ZipLimitError(
                f"{verb} {size:,} bytes from {info.compress_size:,} compressed (more than {limits.max_ratio:g}:1); "
                "refusing a likely zip bomb", path=self.where(info.filename))

    def iter_chunks(self, name: str | zipfile.ZipInfo) -> Iterator[bytes]:
        """The member's bytes in chunks, checked against the limits before and while reading."""
        info = name if isinstance(name, zipfile.ZipInfo) else self._info(name)
        self._check_declared(info)
        limits, where = self.limits, self.where(info.filename)
        produced = 0
        first_time = info.filename not in self._counted
        try:
            with self.zip.open(info) as member:
                while chunk := member.read(_CHUNK):
                    produced += len(chunk)
                    if produced > limits.max_member_bytes:
                        raise ZipLimitError(f"expands past the limit of {limits.max_member_bytes:,} bytes",
                                            path=where)
                    if first_time and self._total + produced > limits.max_total_bytes:
                        raise ZipLimitError(f"the zip's members expand past the limit of "
                                            f"{limits.max_total_bytes:,} bytes in all", path=where)
                    self._check_ratio(info, produced, "expands")
                    yield chunk
        except ArchiveError:
            raise
        except _DAMAGE as err:
            raise ZipMemberError(f"cannot read this zip member ({err})", path=where) from None
        if first_time:
            self._counted.add(info.filename)
            self._total += produced

    def read(self, name: str | zipfile.ZipInfo) -> bytes:
        """The member's bytes (see :meth:`iter_chunks`)."""
        return b"".join(self.iter_chunks(name))

    def extract_all(self, folder: Path | str) -> None:
        """Write every member under ``folder`` (names were checked when the zip was opened)."""
        folder = Path(folder)
        for info in self.infos:
            parts = [part for part in PurePosixPath(info.filename.replace("\\", "/")).parts if part != "."]
            if not parts:
                continue
            target = folder.joinpath(*parts)
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                with target.open("wb") as out:
                    for chunk in self.iter_chunks(info):
                        out.write(chunk)
            except OSError as err:  # a member named like a folder of another, a name the file system refuses
                raise ZipMemberError(f"cannot unpack this member ({err.strerror or err})",
                                     path=self.where(info.filename)) from None

    def _info(self, name: str) -> zipfile.ZipInfo:
        try:
            return self.zip.getinfo(name)
        except KeyError:
            raise ZipMemberError("no such member in the zip", path=self.where(name)) from None

