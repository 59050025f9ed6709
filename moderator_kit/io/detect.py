"""Detect an archive's format from its content and read it: a single file, a folder, or a .zip.

Each importer module lists its formats in ``FORMATS`` (see :class:`moderator_kit.io.base.FormatSpec`). Detection
asks folder-level formats first (a Slack export, an X archive), then walks the folder and sniffs each file's first
64 KiB. Files no format recognises are reported as quarantined (file, position 0, reason), so nothing is lost
silently.

Examples
--------
>>> "twarc2" in format_names()
True
"""

from __future__ import annotations

import importlib
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import polars as pl

from moderator_kit.errors import ArchiveError
from moderator_kit.io.base import FormatSpec, MessageRows, ParseResult, QuarantineLog, finalize
from moderator_kit.io.compressed import open_source, take_damage
from moderator_kit.io.safezip import ZipReader, current_limits, zip_limits

__all__ = ["all_formats", "format_names", "detect_format", "read_archive", "iter_sources"]

_MODULES = ("twitter", "slack", "discord", "mastodon", "bluesky", "generic_csv")
_HEAD_BYTES = 65536
_BLANK_CHUNK = 1024 * 1024
_SKIP_NAMES = {"SOURCE.txt", "README.md", "README.txt", ".DS_Store"}


def all_formats() -> list[FormatSpec]:
    """Every registered format, in detection order."""
    specs: list[FormatSpec] = []
    for name in _MODULES:
        module = importlib.import_module(f"moderator_kit.io.{name}")
        specs.extend(getattr(module, "FORMATS", []))
    return specs


def format_names() -> list[str]:
    return [spec.name for spec in all_formats()]


def _head(path: Path) -> str:
    with open_source(path) as handle:
        return handle.read(_HEAD_BYTES).decode("utf-8-sig", errors="replace")


def detect_format(path: Path | str) -> FormatSpec | None:
    """The first format whose sniffer claims ``path`` (a file or a folder), or ``None``."""
    path = Path(path)
    head = "" if path.is_dir() else _head(path)
    for spec in all_formats():
        try:
            if spec.sniff(path, head):
                return spec
        except (OSError, ValueError):
            continue
    return None


def _unrecognised(path: Path) -> ParseResult:
    log = QuarantineLog(str(path), "unknown")
    if path.is_file() and _is_blank(path):
        log.add(0, "file is empty: nothing to import")
    else:
        log.add(0, "unrecognised format: no importer claims this file (pass --format to force one)")
    return finalize(MessageRows(str(path), "unknown"), log)


def _rename_sources(result: ParseResult, old_prefix: str, new_prefix: str) -> ParseResult:
    """Point provenance at the zip member (``archive.zip!folder/file``) instead of the temporary folder."""
    fix = pl.col("source_file").str.replace(old_prefix.rstrip("/") + "/", new_prefix, literal=True)
    result.messages = result.messages.with_columns(fix)
    result.quarantine = result.quarantine.with_columns(fix)
    result.files = [f.replace(old_prefix.rstrip("/") + "/", new_prefix) for f in result.files]
    return result


def _read_lazily(source: Path, spec: FormatSpec, on_source: Callable[[Path, str], None] | None
                 ) -> Iterator[ParseResult]:
    if on_source:  # when the reading starts, not when the source is listed
        on_source(source, spec.name)
    yield from spec.read_chunks(source)
    damage = _damage_entry(source, spec.name)
    if damage is not None:
        yield damage


def _damage_entry(source: Path, format_name: str) -> ParseResult | None:
    """The quarantine entry for a gzip file that was damaged part way (see :mod:`moderator_kit.io.compressed`)."""
    damage = take_damage(source)
    if damage is None:
        return None
    log = QuarantineLog(str(source), format_name)
    log.add(*damage)
    return finalize(MessageRows(str(source), format_name), log)


def _read_whole(source: Path, read: Callable[[Path], ParseResult], format_name: str) -> ParseResult:
    """``read(source)``, with the quarantine entry of a damaged gzip added."""
    result = read(source)
    damage = _damage_entry(source, format_name)
    if damage is not None:
        result.quarantine = pl.concat([result.quarantine, damage.quarantine], how="vertical")
        result.records_seen += damage.records_seen
    return result


def iter_sources(path: Path) -> Iterator[tuple[Path, FormatSpec | None]]:
    """Yield ``(path, format)`` for what a folder holds: itself if a folder-level format claims it, else its files."""
    spec = detect_format(path)
    if spec is not None or not path.is_dir():
        yield path, spec
        return
    for child in sorted(path.iterdir()):
        if child.name in _SKIP_NAMES or child.name.startswith("."):
            continue
        yield from iter_sources(child)


def read_archive(
    path: Path | str,
    *,
    format_name: str | None = None,
    reader: Callable[[Path], ParseResult] | None = None,
    on_source: Callable[[Path, str], None] | None = None,
    max_member_bytes: int | None = None,
    max_total_bytes: int | None = None,
    max_ratio: float | None = None,
    ratio_from_bytes: int | None = None,
    max_members: int | None = None,
    chunked: bool = False,
) -> list[ParseResult | Iterator[ParseResult]]:
    """Read an archive into one :class:`ParseResult` per source (file or folder-level archive).

    Parameters
    ----------
    path
        A file, a folder, or a .zip (which is unpacked to a temporary folder first unless a format reads zips).
    format_name
        Force a format by name instead of detecting it.
    reader
        A ready reader (for example the generic CSV with its column mapping); overrides detection.
    on_source
        Called with each source and its format name before it is read (for progress bars).
    max_member_bytes, max_total_bytes, max_ratio, ratio_from_bytes, max_members
        Limits for zips, replacing the defaults of :mod:`moderator_kit.io.safezip` (2 GiB per member and in all,
        200:1 for members past 4 MiB, 100,000 entries) for everything read in this call; ``None`` keeps a default.
    chunked
        A source whose format reads in chunks (``FormatSpec.read_chunks``) becomes a lazy iterator of results, read
        while it is consumed (one source, bounded memory).

    Raises
    ------
    ArchiveError
        If the path does not exist, a file is empty, a single file's format cannot be detected, no file of a zip is
        in a known format, or a zip is damaged, unsafe (``..`` or absolute member names) or expands past a limit.

    Examples
    --------
    >>> import tempfile
    >>> empty = Path(tempfile.mkdtemp()) / "chat.jsonl"
    >>> _ = empty.write_bytes(b"\\n\\n")
    >>> read_archive(empty)
    Traceback (most recent call last):
    ...
    moderator_kit.errors.ArchiveError: .../chat.jsonl: file is empty (nothing but whitespace); nothing to import
    """
    limits = current_limits().tightened(
        max_member_bytes=max_member_bytes, max_total_bytes=max_total_bytes, max_ratio=max_ratio,
        ratio_from_bytes=ratio_from_bytes, max_members=max_members,
    )
    with zip_limits(limits):
        return _read_archive(Path(path), format_name, reader, on_source, chunked)


def _read_archive(path: Path, format_name: str | None, reader: Callable[[Path], ParseResult] | None,
                  on_source: Callable[[Path, str], None] | None,
                  chunked: bool = False) -> list[ParseResult | Iterator[ParseResult]]:
    if not path.exists():
        raise ArchiveError("no such file or folder; check the path", path=str(path))
    if path.is_file() and _is_blank(path):
        raise ArchiveError("file is empty" + ("" if _size(path) == 0 else " (nothing but whitespace)")
                           + "; nothing to import", path=str(path))
    if reader is not None or format_name is not None:
        if reader is None:
            specs = {spec.name: spec for spec in all_formats()}
            if format_name not in specs:
                raise ArchiveError(f"unknown format {format_name!r}; known: {', '.join(specs)}", path=str(path))
            spec = specs[format_name]
            if chunked and spec.read_chunks is not None:
                return [_read_lazily(path, spec, on_source)]
            reader = spec.read
        if on_source:
            on_source(path, format_name or "custom")
        return [_read_whole(path, reader, format_name or "custom")]
    if path.is_file() and zipfile.is_zipfile(path):
        spec = detect_format(path)
        if spec is not None:
            if on_source:
                on_source(path, spec.name)
            return [spec.read(path)]
        return _read_zip(path, on_source)
    results = _read_sources(path, on_source, chunked)
    if not results:
        raise ArchiveError("the folder holds no files to import", path=str(path))
    return results


def _read_sources(path: Path, on_source: Callable[[Path, str], None] | None,
                  chunked: bool = False) -> list[ParseResult | Iterator[ParseResult]]:
    """Read a file or each source of a folder; files of a folder no format claims are quarantined."""
    results = []
    for source, spec in iter_sources(path):
        if spec is None:
            if source == path:
                raise ArchiveError(
                    "cannot detect the format from the content; pass --format (one of: "
                    + ", ".join(format_names()) + ")",
                    path=str(path),
                )
            results.append(_unrecognised(source))
            continue
        if chunked and spec.read_chunks is not None:
            results.append(_read_lazily(source, spec, on_source))
            continue
        if on_source:
            on_source(source, spec.name)
        results.append(_read_whole(source, spec.read, spec.name))
    return results


def _read_zip(path: Path, on_source: Callable[[Path, str], None] | None) -> list[ParseResult]:
    """Unpack a zip no format reads in place (within the current limits) and read what it holds."""
    with tempfile.TemporaryDirectory(prefix="moderator-kit-zip-") as tmp:
        with ZipReader(path) as archive:
            if not archive.names():
                raise ArchiveError("the zip holds no files to import", path=str(path))
            archive.extract_all(tmp)
        try:
            results = [_rename_sources(result, tmp, f"{path}!") for result in _read_sources(Path(tmp), on_source)]
        except ArchiveError as err:  # name the zip member, not the temporary folder
            raise _renamed_error(err, tmp, f"{path}!") from None
    if all(result.source_format == "unknown" for result in results):
        # The same content as a plain file would be refused: say so instead of importing nothing.
        raise ArchiveError(
            "no file in the zip is in a format moderator-kit reads; unpack it and pass --format for the file "
            "(one of: " + ", ".join(format_names()) + ")", path=str(path))
    return results


def _renamed_error(err: ArchiveError, old_prefix: str, new_prefix: str) -> ArchiveError:
    if not err.path or not err.path.startswith(old_prefix.rstrip("/") + "/"):
        return err
    where = new_prefix + err.path[len(old_prefix.rstrip("/")) + 1:]
    try:
        return type(err)(err.reason, path=where, position=err.position)
    except TypeError:  # a subclass with another signature: keep it as it is
        return err


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return -1


def _is_blank(path: Path) -> bool:
    """Whether a file holds nothing but whitespace (and a BOM); read in chunks, so huge blank files are cheap."""
    try:
        with open_source(path) as handle:
            first = True
            while chunk := handle.read(_BLANK_CHUNK):
                if first and chunk.startswith(b"\xef\xbb\xbf"):
                    chunk = chunk[3:]
                first = False
                if chunk.strip():
                    return False
    except OSError:
        return False  # the reader reports the error with its own message
    damage = take_damage(path)
    if damage is not None:  # a gzip damaged before any record: say so, not "empty"
        raise ArchiveError(damage[1], path=str(path), position=damage[0])
    return True
