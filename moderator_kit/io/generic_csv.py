"""Any CSV of messages, read through a column mapping (canonical column -> CSV header).

There is no sniffer for this format (``FORMATS = []``): a CSV can only be read once the user says which header holds
what, e.g. ``--columns 'message_id=id,author_handle=user,created_at=time,text=body'`` on the command line.

Mapping choices (see ``docs/formats/generic_csv.md``):

* ``author_handle``, ``created_at`` and ``text`` must be mapped; any other canonical column may be.
* Without a ``message_id`` (unmapped, or an empty cell) the id is ``sha1:`` followed by the first 20 hex digits of the
  SHA-1 of ``handle␟created_at␟text`` (handle lower-cased without ``@``, time as UTC ``YYYY-MM-DDTHH:MM:SS.ffffff``,
  ``␟`` the unit separator U+001F), so importing the same file twice gives the same ids.
* ``kind`` comes from a mapped column (synonyms such as ``retweet`` / ``boost`` / ``comment`` are understood); where
  it is not mapped or empty, a row is a ``repost`` / ``quote`` / ``reply`` when the matching id column is mapped and
  filled, else a ``post``.
* ``mentions`` / ``hashtags`` / ``urls`` columns are split on whitespace, commas and semicolons; unmapped, they are
  taken from the text.
* Rows with no author, no or an unparseable time, an unknown kind or more fields than the header are quarantined with
  their line number.

Examples
--------
>>> table = pl.DataFrame({"user": ["@Ann", ""], "time": ["2024-01-01 21:00:00", "2024-01-01 21:01:00"],
...                       "body": ["Q1 #chat", "A1 hi"]})
>>> result = parse_generic_csv(table, {"author_handle": "user", "created_at": "time", "text": "body"})
>>> result.messages.select("author_handle", "kind", "hashtags").rows(), result.quarantine["reason"].to_list()
([('ann', 'post', ['chat'])], ['missing author_handle'])
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from moderator_kit.errors import ArchiveError
from moderator_kit.io.base import ParseResult, finalize_frame, read_text
from moderator_kit.schema import MESSAGE_SCHEMA, QUARANTINE_SCHEMA

__all__ = [
    "DEFAULT_NA_VALUES",
    "FORMATS",
    "MAPPABLE_COLUMNS",
    "REQUIRED_COLUMNS",
    "ColumnMappingError",
    "parse_column_mapping",
    "parse_generic_csv",
    "read_generic_csv",
]

SOURCE_FORMAT = "generic-csv"

#: Canonical columns a CSV header can be mapped to (provenance, platform and chat are set by the importer).
MAPPABLE_COLUMNS: tuple[str, ...] = tuple(
    name for name in MESSAGE_SCHEMA if name not in {"platform", "chat", "source_format", "source_file", "source_record"}
)
#: Canonical columns every mapping must name.
REQUIRED_COLUMNS: tuple[str, ...] = ("author_handle", "created_at", "text")

#: Cells that mean "missing" (as R's ``write.csv`` and pandas' ``to_csv`` write them; pandas' default ``na_values``).
#: They apply to every mapped column except ``text``: a message may well say "N/A". An empty cell is always missing.
DEFAULT_NA_VALUES: tuple[str, ...] = (
    "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA",
    "NULL", "NaN", "None", "n/a", "nan", "null",
)  # fmt: skip

#: No sniffer: a generic CSV needs a column mapping, so detection never claims it.
FORMATS: list = []

_KINDS = {
    **dict.fromkeys(("post", "tweet", "status", "toot", "original", "message", "skeet", "note"), "post"),
    **dict.fromkeys(("reply", "replied_to", "comment", "response", "answer"), "reply"),
    **dict.fromkeys(("repost", "retweet", "retweeted", "rt", "reblog", "boost", "share", "reshare"), "repost"),
    **dict.fromkeys(("quote", "quoted", "quote_tweet", "quotetweet", "qt"), "quote"),
}
_INT_COLUMNS = tuple(name for name, dtype in MESSAGE_SCHEMA.items() if dtype == pl.Int64 and name != "source_record")
_LIST_COLUMNS = ("mentions", "hashtags", "urls")
_AWARE_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%.f%#z",
    "%Y-%m-%d %H:%M:%S%.f%#z",
    "%Y-%m-%d %H:%M:%S %z",
    "%a %b %d %H:%M:%S %z %Y",
    "%a, %d %b %Y %H:%M:%S %z",
)
_NAIVE_FORMATS = ("%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d")
_EPOCH = r"^\d{9,13}(\.\d+)?$"
_RAW_LIMIT = 2000


class ColumnMappingError(ArchiveError, ValueError):
    """A column mapping names an unknown canonical column, misses a required one, or a header the CSV lacks."""


# ------------------------------------------------------------------------------------------------------ the mapping


def _check_mapping(mapping: Mapping[str, str]) -> dict[str, str]:
    if not isinstance(mapping, Mapping) or not mapping:
        raise ColumnMappingError(
            "empty column mapping: give canonical=header pairs, e.g. 'author_handle=user,created_at=time,text=body'"
        )
    unknown = [name for name in mapping if name not in MAPPABLE_COLUMNS]
    if unknown:
        raise ColumnMappingError(
            f"unknown canonical column {unknown[0]!r} in the column mapping; use one of: {', '.join(MAPPABLE_COLUMNS)}"
        )
    bad = [name for name, header in mapping.items() if not isinstance(header, str) or not header]
    if bad:
        raise ColumnMappingError(f"the column mapping gives no CSV header for {bad[0]!r}")
    missing = [name for name in REQUIRED_COLUMNS if name not in mapping]
    if missing:
        raise ColumnMappingError(f"the column mapping must name {', '.join(missing)} (as canonical=header)")
    return dict(mapping)


def parse_column_mapping(spec: str) -> dict[str, str]:
    """Parse ``'canonical=header,...'`` (as given on the command line) into a mapping.

    Headers may contain spaces and ``=``; they cannot contain commas.

    Raises
    ------
    ColumnMappingError
        (an :class:`~moderator_kit.errors.ArchiveError` and a ``ValueError``) naming what is wrong.

    Examples
    --------
    >>> parse_column_mapping("message_id=id, author_handle=user,created_at=time,text=Tweet Text")
    {'message_id': 'id', 'author_handle': 'user', 'created_at': 'time', 'text': 'Tweet Text'}
    >>> parse_column_mapping("author=user,created_at=time,text=body")
    Traceback (most recent call last):
    ...
    moderator_kit.io.generic_csv.ColumnMappingError: unknown canonical column 'author' in the column mapping; ...
    """
    if not isinstance(spec, str) or not spec.strip():
        return _check_mapping({})
    mapping: dict[str, str] = {}
    for part in spec.split(","):
        if not part.strip():
            continue
        name, sep, header = part.partition("=")
        name, header = name.strip(), header.strip()
        if not sep or not name:
            raise ColumnMappingError(f"{part.strip()!r} in the column mapping is not canonical=header")
        if name in mapping:
            raise ColumnMappingError(f"canonical column {name!r} is mapped twice in the column mapping")
        mapping[name] = header
    return _check_mapping(mapping)


# ------------------------------------------------------------------------------------------------- column parsing


def _blank_to_null(expr: pl.Expr, na_values: Sequence[str] = ()) -> pl.Expr:
    expr = expr.cast(pl.String).str.strip_chars()
    missing = expr == ""
    if na_values:
        missing = missing | expr.is_in(list(na_values))
    return pl.when(missing).then(None).otherwise(expr)


def _check_timezone(timezone: str, source_file: str) -> None:
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ArchiveError(
            f"unknown time zone {timezone!r}: give an IANA name such as 'UTC' or 'America/New_York'",
            path=str(source_file),
        ) from None


def _parse_times(raw: pl.Expr, timestamp_format: str | None, timezone: str) -> pl.Expr:
    """Vectorised timestamp parsing to UTC. Naive times are read in ``timezone``."""

    def naive(fmt: str) -> pl.Expr:
        local = raw.str.to_datetime(fmt, strict=False, time_unit="us")
        return local.dt.replace_time_zone(timezone, ambiguous="earliest", non_existent="null").dt.convert_time_zone(
            "UTC"
        )

    def aware(fmt: str) -> pl.Expr:
        return raw.str.to_datetime(fmt, strict=False, time_unit="us", time_zone="UTC")

    if timestamp_format:
        has_zone = any(code in timestamp_format for code in ("%z", "%:z", "%#z", "%::z"))
        return aware(timestamp_format) if has_zone else naive(timestamp_format)
    seconds = raw.str.extract(_EPOCH, 0).cast(pl.Float64, strict=False)
    micros = (pl.when(seconds > 1e11).then(seconds * 1e3).otherwise(seconds * 1e6)).cast(pl.Int64, strict=False)
    epoch = pl.from_epoch(micros, time_unit="us").dt.replace_time_zone("UTC")
    return pl.coalesce([*(aware(fmt) for fmt in _AWARE_FORMATS), *(naive(fmt) for fmt in _NAIVE_FORMATS), epoch])


def _split_list(raw: pl.Expr, column: str) -> pl.Expr:
    tokens = raw.fill_null("").str.extract_all(r"[^\s,;]+").list.eval(pl.element().str.strip_chars("[]\"'"))
    if column == "mentions":
        tokens = tokens.list.eval(pl.element().str.strip_chars_start("@").str.to_lowercase())
    elif column == "hashtags":
        tokens = tokens.list.eval(pl.element().str.strip_chars_start("#").str.to_lowercase())
    return tokens.list.eval(pl.element().filter(pl.element() != "")).list.unique(maintain_order=True)


def _parse_count(raw: pl.Expr) -> pl.Expr:
    cleaned = raw.str.replace_all(r"[,\s_]", "")
    return pl.coalesce(
        cleaned.cast(pl.Int64, strict=False),
        cleaned.cast(pl.Float64, strict=False).round(0).cast(pl.Int64, strict=False),
    )


def _hash_ids(frame: pl.DataFrame) -> pl.Series:
    """Stable ids for rows without one: ``sha1:`` + 20 hex digits of handle, UTC time and text."""
    keys = frame.select(
        pl.concat_str(
            pl.col("author_handle").str.strip_chars_start("@").str.to_lowercase(),
            pl.col("created_at").dt.strftime("%Y-%m-%dT%H:%M:%S%.6f"),
            pl.col("text").fill_null(""),
            separator="\x1f",
        )
    ).to_series()
    digests = [
        "sha1:" + hashlib.sha1(key.encode("utf-8", "replace")).hexdigest()[:20] for key in keys  # noqa: S324
    ]
    return pl.Series("message_id", digests, dtype=pl.String)


# ------------------------------------------------------------------------------------------------------ the parser


def parse_generic_csv(
    table: pl.DataFrame | pl.LazyFrame,
    mapping: Mapping[str, str] | str,
    *,
    source_file: str = "<memory>",
    platform: str = "csv",
    timestamp_format: str | None = None,
    timezone: str = "UTC",
    lines: Sequence[int] | None = None,
    na_values: Sequence[str] | None = None,
) -> ParseResult:
    """Turn an already-read table of strings into canonical messages through a column mapping.

    Parameters
    ----------
    table
        One row per CSV data row, columns named by the CSV headers (values as strings).
    mapping
        Canonical column -> CSV header, or its ``'canonical=header,...'`` spelling.
    source_file, platform
        Recorded on every row (``platform`` defaults to ``'csv'``; say ``'twitter'`` etc. when you know it).
    timestamp_format
        A strftime-style format for ``created_at`` (for example ``'%d/%m/%Y %H:%M'``). By default ISO 8601, Twitter's
        and RFC 2822 forms and epoch seconds are recognised; give the format for day-first or month-first dates.
    timezone
        The time zone of timestamps that carry no offset (default UTC).
    lines
        The line number of each row in its file (default: row index + 2, as the header is line 1).
    na_values
        Cells (after stripping) that mean "missing" in every mapped column but ``text``, like pandas' ``na_values``;
        default :data:`DEFAULT_NA_VALUES` (``NA``, ``NaN``, ``NULL``, ``N/A``, ...). An empty cell is always missing;
        pass ``()`` to treat only empty cells as missing.

    Raises
    ------
    ColumnMappingError
        If the mapping is invalid or names a header the table does not have.

    Examples
    --------
    >>> table = pl.DataFrame({"id": ["7", "8"], "who": ["ann", "bo"], "at": ["05/01/2024 21:00", "05/01/2024 21:02"],
    ...                       "msg": ["Q1 go", "A1 yes"], "parent": ["", "7"]})
    >>> mapping = "message_id=id,author_handle=who,created_at=at,text=msg,reply_to_message_id=parent"
    >>> out = parse_generic_csv(table, mapping, timestamp_format="%d/%m/%Y %H:%M").messages
    >>> out.select("message_id", "kind", "reply_to_message_id").rows()
    [('7', 'post', None), ('8', 'reply', '7')]
    >>> str(out["created_at"][0])
    '2024-01-05 21:00:00+00:00'
    >>> table = table.with_columns(pl.Series("parent", ["NA", "NULL"]))
    >>> parse_generic_csv(table, mapping, timestamp_format="%d/%m/%Y %H:%M").messages["kind"].to_list()
    ['post', 'post']
    """
    mapping = parse_column_mapping(mapping) if isinstance(mapping, str) else _check_mapping(mapping)
    _check_timezone(timezone, source_file)
    frame = table.collect() if isinstance(table, pl.LazyFrame) else table
    absent = sorted({header for header in mapping.values() if header not in frame.columns})
    if absent:
        shown = ", ".join(repr(c) for c in frame.columns[:30]) or "none"
        raise ColumnMappingError(
            f"the CSV has no column {absent[0]!r} (named in the column mapping); its headers are: {shown}",
            path=str(source_file),
        )
    positions = (
        pl.Series("__line", list(lines), dtype=pl.Int64)
        if lines is not None
        else pl.int_range(2, frame.height + 2, dtype=pl.Int64, eager=True).alias("__line")
    )
    if positions.len() != frame.height:
        raise ValueError(f"lines has {positions.len()} entries for {frame.height} rows")
    originals = frame.columns
    raw = pl.struct(originals).struct.json_encode().str.slice(0, _RAW_LIMIT) if originals else pl.lit("{}")
    frame = frame.with_columns(positions, raw.alias("__raw"))
    missing = tuple(DEFAULT_NA_VALUES if na_values is None else na_values)
    mapped = [_blank_to_null(pl.col(header), () if name == "text" else missing).alias(name)
              for name, header in mapping.items()]
    frame = frame.select("__line", "__raw", *mapped)

    exprs: list[pl.Expr] = [
        _parse_times(pl.col("created_at"), timestamp_format, timezone).alias("created_at"),
        pl.col("created_at").alias("__time_raw"),
    ]
    for name in _INT_COLUMNS:
        if name in mapping:
            exprs.append(_parse_count(pl.col(name)).alias(name))
    for name in _LIST_COLUMNS:
        if name in mapping:
            exprs.append(_split_list(pl.col(name), name).alias(name))
    inferred = pl.lit("post")
    for column, kind in (("reply_to_message_id", "reply"), ("quote_of_message_id", "quote"),
                         ("repost_of_message_id", "repost")):
        if column in mapping:
            inferred = pl.when(pl.col(column).is_not_null()).then(pl.lit(kind)).otherwise(inferred)
    if "kind" in mapping:
        normalised = pl.col("kind").str.to_lowercase().str.replace_all(r"[\s-]+", "_")
        exprs += [
            pl.when(pl.col("kind").is_null())
            .then(inferred)
            .otherwise(normalised.replace_strict(_KINDS, default=None, return_dtype=pl.String))
            .alias("__kind"),
            pl.col("kind").alias("__kind_raw"),
        ]
    else:
        exprs += [inferred.alias("__kind"), pl.lit(None, dtype=pl.String).alias("__kind_raw")]
    if "text" in mapping:
        exprs.append(pl.col("text").fill_null(""))
    frame = frame.with_columns(exprs)

    reason = (
        pl.when(pl.col("author_handle").str.strip_chars_start("@").fill_null("") == "")
        .then(pl.lit("missing author_handle"))
        .when(pl.col("__time_raw").is_null())
        .then(pl.lit("missing created_at"))
        .when(pl.col("created_at").is_null())
        .then(pl.format("unparseable created_at '{}'", pl.col("__time_raw").str.slice(0, 60)))
        .when(pl.col("__kind").is_null())
        .then(pl.format("unknown kind '{}' (use post, reply, repost or quote)", pl.col("__kind_raw").str.slice(0, 40)))
        .otherwise(None)
    )
    frame = frame.with_columns(reason.alias("__reason"))
    bad = frame.filter(pl.col("__reason").is_not_null())
    good = frame.filter(pl.col("__reason").is_null())

    quarantine = bad.select(
        pl.lit(None, dtype=pl.String).alias("chat"),
        pl.lit(str(source_file)).alias("source_file"),
        pl.col("__line").alias("source_record"),
        pl.lit(SOURCE_FORMAT).alias("source_format"),
        pl.col("__reason").alias("reason"),
        pl.col("__raw").alias("raw"),
    ).cast(dict(QUARANTINE_SCHEMA))

    good = good.with_columns(pl.col("__kind").alias("kind"))
    if "message_id" not in good.columns:
        good = good.with_columns(pl.lit(None, dtype=pl.String).alias("message_id"))
    if good.height:
        good = good.with_columns(pl.col("message_id").fill_null(_hash_ids(good)))
    good = good.with_columns(
        pl.lit(platform).alias("platform"),
        pl.lit(SOURCE_FORMAT).alias("source_format"),
        pl.lit(str(source_file)).alias("source_file"),
        pl.col("__line").alias("source_record"),
    )
    messages = good.select(
        [
            pl.col(name).cast(dtype, strict=True) if name in good.columns else pl.lit(None, dtype=dtype).alias(name)
            for name, dtype in MESSAGE_SCHEMA.items()
        ]
    )
    return _finish(messages, quarantine, str(source_file))


def _finish(messages: pl.DataFrame, quarantine: pl.DataFrame, source_file: str) -> ParseResult:
    return finalize_frame(messages, quarantine, source_file=source_file, source_format=SOURCE_FORMAT)


# --------------------------------------------------------------------------------------------------------- reading


def _read_rows(path: str, separator: str) -> tuple[list[str], list[list[str]], list[int], list[tuple[int, str, str]]]:
    """Header, rows, their starting line numbers, and ``(line, reason, raw)`` for rows with too many fields."""
    try:
        text = read_text(path)
    except OSError as err:
        raise ArchiveError(f"cannot read the file ({err.strerror or err}): check the path", path=path) from None
    if not text.strip():
        raise ArchiveError("the CSV file is empty: expected a header row and data rows", path=path)
    lines = text.splitlines(keepends=True)
    reader = csv.reader(lines, delimiter=separator, strict=False)
    header: list[str] | None = None
    rows: list[list[str]] = []
    starts: list[int] = []
    ragged: list[tuple[int, str, str]] = []
    start = 1
    old_limit = csv.field_size_limit()
    csv.field_size_limit(max(old_limit, 16 * 1024 * 1024))
    try:
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as err:
                raise ArchiveError(f"not readable as CSV ({err}): check the separator", path=path,
                                   position=reader.line_num) from None
            line, start = start, reader.line_num + 1
            if not row or not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = [cell.strip() for cell in row]
                continue
            if len(row) > len(header) and any(cell.strip() for cell in row[len(header):]):
                ragged.append((line, f"row has {len(row)} fields, the header has {len(header)}", separator.join(row)))
                continue
            rows.append((row + [""] * len(header))[: len(header)])
            starts.append(line)
    finally:
        csv.field_size_limit(old_limit)
    if header is None:
        raise ArchiveError("the CSV file has no header row", path=path)
    return header, rows, starts, ragged


def _unique_headers(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for index, name in enumerate(header):
        name = name or f"column_{index + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 0
        out.append(name)
    return out


def read_generic_csv(
    path: Path | str,
    mapping: Mapping[str, str] | str,
    *,
    platform: str = "csv",
    timestamp_format: str | None = None,
    timezone: str = "UTC",
    separator: str = ",",
    na_values: Sequence[str] | None = None,
) -> ParseResult:
    """Read a CSV file of messages through a column mapping (see :func:`parse_generic_csv`, also for ``na_values``).

    ``source_record`` is the line on which a row starts (the header is line 1), so a text cell spanning several lines
    does not shift the numbers of the rows after it. A repeated header name gets a suffix (``name_1``).

    Raises
    ------
    ArchiveError
        If the file cannot be read, is empty, has no header or is not CSV with this separator.
    ColumnMappingError
        If the mapping is invalid or names a header the file lacks.
    """
    mapping = parse_column_mapping(mapping) if isinstance(mapping, str) else _check_mapping(mapping)
    header, rows, starts, ragged = _read_rows(str(path), separator)
    columns = _unique_headers(header)
    table = pl.DataFrame(
        {name: [row[index] for row in rows] for index, name in enumerate(columns)},
        schema={name: pl.String for name in columns},
    )
    result = parse_generic_csv(
        table,
        mapping,
        source_file=str(path),
        platform=platform,
        timestamp_format=timestamp_format,
        timezone=timezone,
        lines=starts,
        na_values=na_values,
    )
    if ragged:
        extra = pl.DataFrame(
            {
                "chat": [None] * len(ragged),
                "source_file": [str(path)] * len(ragged),
                "source_record": [line for line, _, _ in ragged],
                "source_format": [SOURCE_FORMAT] * len(ragged),
                "reason": [reason for _, reason, _ in ragged],
                "raw": [raw[:_RAW_LIMIT] for _, _, raw in ragged],
            },
            schema=QUARANTINE_SCHEMA,
        )
        result.quarantine = pl.concat([result.quarantine, extra]).sort("source_record")
        result.records_seen += len(ragged)
    return result
