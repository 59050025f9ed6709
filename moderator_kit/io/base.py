"""Building blocks shared by every importer.

An importer is a pair:

* ``parse_<format>(records, source_file)`` is pure. It takes already-read records, each with its position in the
  file, and returns a :class:`ParseResult`.
* ``read_<format>(path)`` does the file I/O and calls the parser.

Every record either becomes a message row or a quarantine entry with file, position and reason, so that
``records_seen == messages.height + quarantine.height`` before de-duplication. De-duplication by ``message_id``
happens once, in :func:`finalize`, and its count is reported.

Examples
--------
>>> rows, bad = MessageRows("demo.jsonl", "demo"), QuarantineLog("demo.jsonl", "demo")
>>> rows.append(1, platform="twitter", message_id="1", author_handle="ann",
...             created_at=parse_utc("2024-01-01T21:00:00Z"), kind="post", text="Q1 hi")
>>> rows.append(2, platform="twitter", message_id="1", author_handle="ann",
...             created_at=parse_utc("2024-01-01T21:00:00Z"), kind="post", text="Q1 hi")
>>> bad.add(3, "not JSON", "{oops")
>>> result = finalize(rows, bad)
>>> (result.records_seen, result.imported, result.duplicates, result.quarantined)
(3, 1, 1, 1)
"""

from __future__ import annotations

import csv
import json
import re
import reprlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, BinaryIO

import orjson
import polars as pl

from moderator_kit.errors import ArchiveError
from moderator_kit.io.compressed import read_source_bytes
from moderator_kit.schema import MESSAGE_SCHEMA, QUARANTINE_SCHEMA, conform, empty_quarantine, validate_messages

__all__ = [
    "FormatSpec",
    "ParseResult",
    "MessageRows",
    "QuarantineLog",
    "finalize",
    "finalize_frame",
    "parse_utc",
    "iter_json_lines",
    "iter_json_array_items",
    "JSON_DECODER",
    "NESTED_TOO_DEEPLY",
    "end_of_json_value",
    "iter_nonblank_lines",
    "iter_nonblank_text_lines",
    "numbered_lines",
    "loads_stdlib",
    "fill_entities_from_text",
    "MENTION_PATTERN",
    "HASHTAG_PATTERN",
    "URL_PATTERN",
    "read_text",
    "read_archive_text",
    "storable",
    "append_storable",
    "as_dict",
    "as_list",
    "unique_present",
    "nonblank_str",
    "int64_or_none",
    "utc_or_none",
    "reaction_total",
    "iter_csv_rows",
]

MENTION_PATTERN = r"(?:^|[^\w@])@([A-Za-z0-9_]{1,30})"
HASHTAG_PATTERN = r"(?:^|[^\w#&])#([\w]+)"
URL_PATTERN = r"https?://[^\s<>\"']+"

_RAW_LIMIT = 2000


@dataclass
class ParseResult:
    """What an importer returns: canonical messages, quarantined records and the counts that tie them together."""

    messages: pl.DataFrame
    quarantine: pl.DataFrame = field(default_factory=empty_quarantine)
    records_seen: int = 0
    duplicates: int = 0
    source_format: str = ""
    files: list[str] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.messages.height

    @property
    def quarantined(self) -> int:
        return self.quarantine.height

    def combine(self, other: ParseResult) -> ParseResult:
        """Concatenate two results (for example two files of one archive) and de-duplicate again."""
        messages = pl.concat([self.messages, other.messages], how="vertical")
        deduped = messages.unique(subset=["platform", "message_id"], keep="first", maintain_order=True)
        formats = sorted({f for f in (self.source_format, other.source_format) if f})
        return ParseResult(
            messages=deduped,
            quarantine=pl.concat([self.quarantine, other.quarantine], how="vertical"),
            records_seen=self.records_seen + other.records_seen,
            duplicates=self.duplicates + other.duplicates + (messages.height - deduped.height),
            source_format="+".join(formats),
            files=self.files + other.files,
        )


@dataclass(frozen=True)
class FormatSpec:
    """How :mod:`moderator_kit.io.detect` recognises and reads one format.

    ``sniff(path, head)`` gets the path and the first 64 KiB of a file decoded as text (``""`` for a folder) and
    says whether this format can read it, from the content first and the name second. ``read(path)`` reads it;
    ``read_chunks(path)``, where a format has it, reads a large file as a series of results in bounded memory.
    Each importer module lists its formats in a module-level ``FORMATS`` list.
    """

    name: str
    description: str
    sniff: Callable[[Path, str], bool]
    read: Callable[[Path], "ParseResult"]
    read_chunks: Callable[[Path], Iterator["ParseResult"]] | None = None


class MessageRows:
    """Column-wise accumulator of message rows (cheaper than a list of dicts for millions of rows)."""

    def __init__(self, source_file: str, source_format: str):
        self.source_file = str(source_file)
        self.source_format = source_format
        self._columns: dict[str, list[Any]] = {name: [] for name in MESSAGE_SCHEMA}
        self._length = 0

    def __len__(self) -> int:
        return self._length

    def append(self, position: int, **values: Any) -> None:
        """Add one message. Unknown column names raise ``KeyError`` so that typos surface in tests."""
        unknown = set(values) - self._columns.keys()
        if unknown:
            raise KeyError(f"unknown message columns: {sorted(unknown)}")
        values.setdefault("source_file", self.source_file)
        values.setdefault("source_format", self.source_format)
        values["source_record"] = position
        for name, column in self._columns.items():
            column.append(values.get(name))
        self._length += 1

    def to_frame(self) -> pl.DataFrame:
        if not self._length:
            return MESSAGE_SCHEMA.to_frame(eager=True)
        try:
            return pl.DataFrame(self._columns, schema=MESSAGE_SCHEMA, strict=False)
        except UnicodeEncodeError:
            # Lone surrogates (JSON escapes such as \ud800) cannot be stored as UTF-8: replace them.
            return pl.DataFrame({name: [storable(v) for v in column] for name, column in self._columns.items()},
                                schema=MESSAGE_SCHEMA, strict=False)


_RAW_REPR = reprlib.Repr()
_RAW_REPR.maxlevel, _RAW_REPR.maxstring, _RAW_REPR.maxother = 50, _RAW_LIMIT, 200
_RAW_REPR.maxlist = _RAW_REPR.maxdict = _RAW_REPR.maxtuple = 100


def _raw_json(raw: Any) -> str:
    """A record as JSON for the quarantine's ``raw`` column; a value orjson cannot write (nested deeper than its limit
    of 255, integers past 64 bits) gets a bounded ``repr`` instead, never a ``RecursionError``.

    >>> _raw_json({"a": [1]}), _raw_json([2**70]), _raw_json([[[[]]]])
    ('{"a":[1]}', '[1180591620717411303424]', '[[[[]]]]')
    >>> len(_raw_json(orjson.loads("[" * 1000 + "]" * 1000))) < 200
    True
    """
    try:
        return orjson.dumps(raw).decode()
    except TypeError:
        return _RAW_REPR.repr(raw)


class QuarantineLog:
    """Records that could not be imported, each with file, position and reason."""

    def __init__(self, source_file: str, source_format: str):
        self.source_file = str(source_file)
        self.source_format = source_format
        self._rows: list[dict[str, Any]] = []

    def __len__(self) -> int:
        return len(self._rows)

    def add(self, position: int, reason: str, raw: Any = None) -> None:
        if raw is not None and not isinstance(raw, str):
            raw = _raw_json(raw)
        reason, raw = storable(reason), storable(raw)  # lone surrogates cannot be stored as UTF-8
        self._rows.append(
            {
                "chat": None,
                "source_file": self.source_file,
                "source_record": position,
                "source_format": self.source_format,
                "reason": reason,
                "raw": None if raw is None else raw[:_RAW_LIMIT],
            }
        )

    def to_frame(self) -> pl.DataFrame:
        if not self._rows:
            return empty_quarantine()
        return pl.DataFrame(self._rows, schema=QUARANTINE_SCHEMA)


def finalize(rows: MessageRows, quarantine: QuarantineLog, *, fill_entities: bool = True) -> ParseResult:
    """Turn accumulated rows into a validated, de-duplicated :class:`ParseResult`."""
    return finalize_frame(rows.to_frame(), quarantine.to_frame(), source_file=rows.source_file,
                          source_format=rows.source_format, fill_entities=fill_entities)


def finalize_frame(frame: pl.DataFrame, quarantine: pl.DataFrame, *, source_file: str, source_format: str,
                   fill_entities: bool = True) -> ParseResult:
    """:func:`finalize` for messages already built as a frame (for example by a vectorised CSV reader)."""
    if fill_entities:
        frame = fill_entities_from_text(frame)
    frame = frame.with_columns(
        pl.col("author_handle").str.strip_prefix("@").str.to_lowercase(),
        pl.col("conversation_id").fill_null(pl.col("message_id")),
    )
    frame = validate_messages(frame)
    # Same result as unique(keep="first", maintain_order=True), about 2x faster and with a lower memory peak.
    deduped = frame.filter(pl.struct("platform", "message_id").is_first_distinct())
    return ParseResult(
        messages=deduped,
        quarantine=quarantine if quarantine.height else empty_quarantine(),
        records_seen=frame.height + quarantine.height,
        duplicates=frame.height - deduped.height,
        source_format=source_format,
        files=[str(source_file)],
    )


def fill_entities_from_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Fill null ``mentions``, ``hashtags`` and ``urls`` from the text (for archives without entities).

    Lists the archive gave (even empty ones) are kept as they are.

    >>> import polars as pl
    >>> from moderator_kit.schema import conform
    >>> f = conform(pl.DataFrame({"text": ["A1: ask @Ann about #JobChat https://x.io/a"]}))
    >>> fill_entities_from_text(f).select("mentions", "hashtags", "urls").row(0)
    (['ann'], ['jobchat'], ['https://x.io/a'])
    """
    text = pl.col("text").fill_null("")
    return frame.with_columns(
        pl.col("mentions").fill_null(text.str.extract_all(MENTION_PATTERN).list.eval(
            pl.element().str.replace(r"^[^@]*@", "").str.to_lowercase())),
        pl.col("hashtags").fill_null(text.str.extract_all(HASHTAG_PATTERN).list.eval(
            pl.element().str.replace(r"^[^#]*#", "").str.to_lowercase())),
        pl.col("urls").fill_null(text.str.extract_all(URL_PATTERN).list.eval(
            pl.element().str.strip_chars_end(".,;:!?)]}"))),
    )


def storable(value: Any) -> Any:
    """Replace lone surrogates (JSON escapes such as ``\\ud800``) so that strings can be stored as UTF-8.

    >>> storable("ok \\ud800")
    'ok ?'
    >>> storable(["a", 1])
    ['a', 1]
    """
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value.encode("utf-8", "replace").decode("utf-8")
        return value
    if isinstance(value, list):
        return [storable(v) for v in value]
    return value


_TWITTER_TIME = "%a %b %d %H:%M:%S %z %Y"


def parse_utc(value: Any) -> datetime | None:
    """Parse the timestamp forms found in chat archives into an aware UTC datetime.

    Accepts ISO 8601 (with ``Z`` or an offset; naive values are taken as UTC), Twitter's
    ``'Tue Apr 03 18:09:17 +0000 2018'``, RFC 2822, the legacy CSV's ``'2018-01-01 20:00:00 +0000'``,
    and epoch seconds (int, float or a numeric string such as Slack's ``'1589471143.000200'``).

    >>> parse_utc("Tue Apr 03 18:09:17 +0000 2018").isoformat()
    '2018-04-03T18:09:17+00:00'
    >>> parse_utc("1589471143.000200").isoformat()
    '2020-05-14T15:45:43.000200+00:00'
    >>> parse_utc("2024-03-04T21:00:00.000Z").isoformat()
    '2024-03-04T21:00:00+00:00'
    >>> parse_utc("not a date") is None, parse_utc("0001-01-01T00:00:00+01:00") is None
    (True, True)
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = value / 1000 if value > 1e11 else value
        try:
            return datetime.fromtimestamp(seconds, tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if re.fullmatch(r"\d{9,13}(\.\d+)?", text):
        if "." in text:
            whole, frac = text.split(".", 1)
            try:
                base = datetime.fromtimestamp(int(whole), tz=timezone.utc)
            except (OverflowError, OSError, ValueError):
                return None
            return base.replace(microsecond=int(frac[:6].ljust(6, "0")))
        return parse_utc(int(text))
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
    if parsed is None:
        for fmt in (_TWITTER_TIME, "%Y-%m-%d %H:%M:%S %z", "%d/%m/%Y %H:%M:%S", "%m/%d/%Y %H:%M:%S"):
            try:
                parsed = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    try:
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=timezone.utc)
        return parsed.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return None


def iter_json_lines(lines: Iterable[bytes | str] | str) -> Iterator[tuple[int, Any, str | None]]:
    """Parse JSON lines (an iterable of lines, or the whole text). Yields ``(line_number, value, error)``; blank
    lines are skipped (for a text, in bulk: see :func:`iter_nonblank_text_lines`).

    ``value`` is ``None`` and ``error`` says why when a line is not valid JSON.

    >>> [(n, v, e) for n, v, e in iter_json_lines([b'{"a": 1}', b'', b'{oops'])][:1]
    [(1, {'a': 1}, None)]
    >>> list(iter_json_lines([b'{oops']))[0][2].startswith('invalid JSON')
    True
    >>> [(n, v) for n, v, _ in iter_json_lines('[1]\\n\\n\\n{"b": 2}')]
    [(1, [1]), (4, {'b': 2})]
    """
    numbered = iter_nonblank_text_lines(lines) if isinstance(lines, str) else enumerate(lines, start=1)
    for number, line in numbered:
        if not line.strip():
            continue
        try:
            yield number, orjson.loads(line), None
        except orjson.JSONDecodeError as err:
            yield number, None, f"invalid JSON: {err}"


_NON_BLANK = re.compile(rb"\S")
_NON_BLANK_TEXT = re.compile(r"\S")
_LINE_CHUNK = 1024 * 1024


def _lines_of(block: Any, non_blank: re.Pattern, newline: Any, number: int) -> Iterator[tuple[int, Any]]:
    """The non-blank lines of ``block`` (str or bytes) numbered from ``number + 1``; returns the last line number.

    Blank lines are skipped by a regular-expression search, not a Python step per line.
    """
    pos = 0
    while found := non_blank.search(block, pos):
        start = block.rfind(newline, pos, found.start()) + 1 or pos
        end = block.find(newline, found.start())
        if end < 0:
            end = len(block)
        number += block.count(newline, pos, start) + 1
        yield number, block[start:end]
        pos = end + 1
    return number + block.count(newline, pos)


def iter_nonblank_lines(handle: BinaryIO, chunk_size: int = _LINE_CHUNK) -> Iterator[tuple[int, bytes]]:
    """``(line number, line)`` of the lines of a binary file that hold more than whitespace (newline removed).

    Blank lines are not records: they are skipped in bulk by a regular-expression search, so a file of millions of
    newlines costs a scan of its bytes, not a Python step (or an exception) per line. Line numbers still count them.

    >>> import io
    >>> list(iter_nonblank_lines(io.BytesIO(b'{"a": 1}\\n\\n \\r\\n{"b": 2}\\r\\n\\n[3]'), chunk_size=4))
    [(1, b'{"a": 1}'), (4, b'{"b": 2}\\r'), (6, b'[3]')]
    """
    number = 0
    pending: list[bytes] = []
    while chunk := handle.read(chunk_size):
        cut = chunk.rfind(b"\n")
        if cut < 0:
            pending.append(chunk)  # a long line: join its pieces once, when it ends
            continue
        block = b"".join([*pending, chunk[: cut + 1]]) if pending else chunk[: cut + 1]
        pending = [chunk[cut + 1:]] if cut + 1 < len(chunk) else []
        number = yield from _lines_of(block, _NON_BLANK, b"\n", number)
    yield from _lines_of(b"".join(pending), _NON_BLANK, b"\n", number)


def iter_nonblank_text_lines(text: str) -> Iterator[tuple[int, str]]:
    """:func:`iter_nonblank_lines` for text already read; lines end at ``\\n`` only (a JSON string may hold U+2028,
    which ``str.splitlines`` would split on).

    >>> list(iter_nonblank_text_lines('{"a": "x\\u2028y"}\\n\\n\\n [1]\\n'))
    [(1, '{"a": "x\\u2028y"}'), (4, ' [1]')]
    """
    return _lines_of(text, _NON_BLANK_TEXT, "\n", 0)


def numbered_lines(lines: Iterable[bytes | str] | BinaryIO | str) -> Iterator[tuple[int, bytes | str]]:
    """``(line number, line)`` of an iterable of lines, or of the non-blank lines of an open binary file or a text.

    >>> import io
    >>> list(numbered_lines(["a", "", "b"])), list(numbered_lines(io.BytesIO(b"a\\n\\nb"))), list(numbered_lines("a\\n\\nb"))
    ([(1, 'a'), (2, ''), (3, 'b')], [(1, b'a'), (3, b'b')], [(1, 'a'), (3, 'b')])
    """
    if isinstance(lines, str):
        return iter_nonblank_text_lines(lines)
    if hasattr(lines, "read"):
        return iter_nonblank_lines(lines)  # type: ignore[arg-type]
    return enumerate(lines, start=1)


#: How a JSON value nested deeper than the decoders follow is reported. :func:`iter_json_array_items` goes on after
#: such an item (its other errors end the array).
NESTED_TOO_DEEPLY = "JSON nested too deeply"


class _DepthSafeDecoder(json.JSONDecoder):
    """The standard library's decoder (which, unlike orjson, accepts lone surrogates and NaN), raising
    ``json.JSONDecodeError`` instead of ``RecursionError`` for JSON nested deeper than Python's recursion limit."""

    def raw_decode(self, s: str, idx: int = 0) -> tuple[Any, int]:
        try:
            return super().raw_decode(s, idx)
        except RecursionError:
            raise json.JSONDecodeError(NESTED_TOO_DEEPLY, s, idx) from None


#: Use this instead of ``json.JSONDecoder()``: its ``decode`` and ``raw_decode`` never raise ``RecursionError``.
JSON_DECODER = _DepthSafeDecoder()
_DECODER = JSON_DECODER


def loads_stdlib(data: bytes | str) -> Any:
    """``json.loads`` that raises ``json.JSONDecodeError`` (a ``ValueError``), never ``RecursionError``.

    >>> loads_stdlib(b'["\\\\ud83d", NaN]')[0] == "\\ud83d"
    True
    >>> loads_stdlib("[" * 100_000)
    Traceback (most recent call last):
    ...
    json.decoder.JSONDecodeError: JSON nested too deeply: line 1 column 1 (char 0)
    """
    if isinstance(data, (bytes, bytearray)):
        data = data.decode(json.detect_encoding(data), "surrogatepass")
    return JSON_DECODER.decode(data)


def iter_json_array_items(text: str, start: int = 0) -> Iterator[tuple[int, Any, str | None]]:
    """Yield ``(index, item, error)`` for the items of a JSON array that begins at or after ``start``.

    Works on truncated files: every complete item is yielded, and if the text ends inside an item, one final
    ``(index, None, reason)`` reports it (with the character offset where the broken item starts). An item nested
    too deeply to decode is reported (its reason starts with :data:`NESTED_TOO_DEEPLY`) and the items after it are
    still read.

    >>> list(iter_json_array_items('[{"a": 1}, {"b": 2}, {"c": '))
    [(0, {'a': 1}, None), (1, {'b': 2}, None), (2, None, 'truncated JSON: item 2 starting at character 21 is incomplete')]
    >>> list(iter_json_array_items('x = [1, 2]', start=4))
    [(0, 1, None), (1, 2, None)]
    >>> list(iter_json_array_items('[1, 2'))[-1][2]
    'truncated JSON: the file ends at character 5 before the array closes'

    An item nested deeper than the decoder can follow is reported on its own and the items after it are kept:

    >>> [(i, e) for i, _, e in iter_json_array_items('[1, ' + '[' * 5000 + ']' * 5000 + ', 3]')]
    [(0, None), (1, 'JSON nested too deeply: item 1 starting at character 4'), (2, None)]
    """
    pos = text.find("[", start)
    if pos < 0:
        return
    pos += 1
    index = 0
    length = len(text)
    while True:
        pos = _SEPARATORS.match(text, pos).end()  # a regex, not a Python loop: runs of blank lines stay cheap
        if pos >= length:
            yield index, None, f"truncated JSON: the file ends at character {pos} before the array closes"
            return
        if text[pos] == "]":
            return
        try:
            item, end = _DECODER.raw_decode(text, pos)
        except json.JSONDecodeError as err:
            skip = end_of_json_value(text, pos) if err.msg == NESTED_TOO_DEEPLY else None
            if skip is None:
                yield index, None, f"truncated JSON: item {index} starting at character {pos} is incomplete"
                return
            yield index, None, f"{NESTED_TOO_DEEPLY}: item {index} starting at character {pos}"
            index += 1
            pos = skip
            continue
        yield index, item, None
        index += 1
        pos = end


_SEPARATORS = re.compile(r"[ \t\r\n,]*")
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def end_of_json_value(text: str, pos: int) -> int | None:
    """Where the array or object starting at ``pos`` ends (without decoding it), or ``None`` if it never closes.

    >>> end_of_json_value('[[1, "]"], {"a": [2]}] tail', 0)
    22
    """
    depth = 0
    for token in _JSON_TOKEN.finditer(text, pos):
        mark = token.group()
        if mark in ("[", "{"):
            depth += 1
        elif mark in ("]", "}"):
            depth -= 1
            if depth == 0:
                return token.end()
    return None


def read_text(path: Path | str) -> str:
    """Read a text file as UTF-8 (with a BOM, if any, removed); undecodable bytes are replaced. A gzip-compressed
    file is decompressed (see :mod:`moderator_kit.io.compressed`)."""
    return read_source_bytes(path).decode("utf-8-sig", errors="replace")


def read_archive_text(path: Path | str, advice: str = "") -> str:
    """:func:`read_text`, raising :class:`~moderator_kit.errors.ArchiveError` (with ``advice`` appended) if it fails.

    >>> read_archive_text("/no/such/file.json", ": check the path")
    Traceback (most recent call last):
    ...
    moderator_kit.errors.ArchiveError: ...cannot read the file (No such file or directory): check the path...
    """
    try:
        return read_text(path)
    except OSError as err:
        raise ArchiveError(f"cannot read the file ({err.strerror or err}){advice}", path=str(path)) from None


# ------------------------------------------------------------------------------------- coercing values of JSON records


def append_storable(rows: MessageRows, position: int, **values: Any) -> None:
    """:meth:`MessageRows.append` with every value passed through :func:`storable` first.

    >>> rows = MessageRows("f.json", "demo")
    >>> append_storable(rows, 0, text="bad \\ud800", mentions=["ann"])
    >>> rows.to_frame()["text"][0]
    'bad ?'
    """
    rows.append(position, **{name: storable(value) for name, value in values.items()})


def as_dict(value: Any) -> dict:
    """``value`` if it is a dict, else an empty dict (for optional objects in JSON records).

    >>> as_dict({"a": 1}), as_dict(None), as_dict([1])
    ({'a': 1}, {}, {})
    """
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list:
    """``value`` if it is a list, else an empty list (for optional arrays in JSON records).

    >>> as_list([1, 2]), as_list(None), as_list("ab")
    ([1, 2], [], [])
    """
    return value if isinstance(value, list) else []


def unique_present(values: Iterable[Any]) -> list[Any]:
    """The truthy values, each once, in first-seen order.

    >>> unique_present(["ann", None, "", "bo", "ann"])
    ['ann', 'bo']
    """
    return list(dict.fromkeys(v for v in values if v))


def nonblank_str(value: Any) -> str | None:
    """``value`` if it is a string with something other than whitespace in it (returned unstripped), else ``None``.

    >>> nonblank_str(" hi "), nonblank_str("  "), nonblank_str(3)
    (' hi ', None, None)
    """
    return value if isinstance(value, str) and value.strip() else None


def int64_or_none(value: Any, *, digit_strings: bool = False) -> int | None:
    """An integer (not a bool) that fits in Int64, else ``None``; negative values are kept.

    With ``digit_strings=True`` a string of up to 18 digits (surrounding whitespace allowed) is also accepted.

    >>> int64_or_none(7), int64_or_none(-2), int64_or_none(True), int64_or_none(2**63), int64_or_none("12")
    (7, -2, None, None, None)
    >>> int64_or_none(" 12 ", digit_strings=True), int64_or_none("1.5", digit_strings=True)
    (12, None)
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if -(2**63) <= value < 2**63 else None
    if digit_strings and isinstance(value, str):
        digits = value.strip()
        # ASCII digits only: "²".isdigit() is true, but int("²") fails.
        if digits.isascii() and digits.isdecimal() and len(digits) < 19:
            return int(digits)
    return None


def utc_or_none(value: Any, *, strings_only: bool = False) -> datetime | None:
    """:func:`parse_utc`, returning ``None`` instead of raising; ``strings_only`` refuses non-string values.

    >>> utc_or_none("2024-03-04T21:00:00Z").isoformat(), utc_or_none("soon")
    ('2024-03-04T21:00:00+00:00', None)
    >>> utc_or_none(1589471143) is None, utc_or_none(1589471143, strings_only=True) is None
    (False, True)
    """
    if strings_only and not isinstance(value, str):
        return None
    try:
        return parse_utc(value)
    except (ValueError, OverflowError, OSError):
        return None


def reaction_total(reactions: Any) -> int:
    """The sum of the positive integer ``count`` fields of a list of reaction objects (Slack, Discord); 0 if none.

    >>> reaction_total([{"count": 2}, {"count": "3"}, {"count": True}, "x", {"count": 1}]), reaction_total(None)
    (3, 0)
    """
    if not isinstance(reactions, list):
        return 0
    total = 0
    for reaction in reactions:
        count = as_dict(reaction).get("count")
        if isinstance(count, int) and not isinstance(count, bool) and count > 0:
            total += count
    return total


def iter_csv_rows(
    reader: Iterator[list[str]], width: int, quarantine: QuarantineLog, *, allow_empty_extra: bool = False
) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(position, fields)`` for the data rows of a CSV reader whose header has already been read.

    ``position`` counts the header as 1. Blank rows are skipped; unreadable rows and rows whose field count is not
    ``width`` go to ``quarantine``. ``allow_empty_extra`` accepts rows longer than the header when the extra fields
    are all empty (spreadsheet exports pad rows with trailing commas).

    >>> import csv, io
    >>> reader = csv.reader(io.StringIO("id,text\\n1,hi\\n\\n2\\n3,yo,\\n"))
    >>> header, bad = next(reader), QuarantineLog("t.csv", "demo")
    >>> list(iter_csv_rows(reader, len(header), bad)), len(bad)
    ([(2, ['1', 'hi'])], 2)
    >>> reader = csv.reader(io.StringIO("id,text\\n3,yo,\\n"))
    >>> header = next(reader)
    >>> list(iter_csv_rows(reader, len(header), bad, allow_empty_extra=True))
    [(2, ['3', 'yo', ''])]
    """
    position = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            position += 1
            quarantine.add(position, f"unreadable CSV row ({err})")
            continue
        position += 1
        if not any(fields):
            continue
        if len(fields) != width and not (allow_empty_extra and len(fields) > width and not any(fields[width:])):
            quarantine.add(position, f"row has {len(fields)} fields, the header has {width}", ",".join(fields))
            continue
        yield position, fields
