"""The row tuples every tweet importer builds, and the accumulator that turns them into the canonical frame.

Tweet parsers (:mod:`~moderator_kit.io.twitter_v2`, :mod:`~moderator_kit.io.twitter_v1`,
:mod:`~moderator_kit.io.twitter_archive`) append one tuple per tweet (see :data:`ROW_COLUMNS`) to a
:class:`TweetColumns`, which builds typed polars columns in chunks and tidies them with expressions: timestamps,
entity lists, handles known elsewhere in the file, and the quarantine of rows that cannot be used.

:func:`clean_text` and :func:`gc_paused` are small helpers every tweet parser shares.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import polars as pl

from moderator_kit.io.base import MessageRows, ParseResult, QuarantineLog, fill_entities_from_text, finalize, parse_utc
from moderator_kit.schema import MESSAGE_SCHEMA

__all__ = [
    "SEP",
    "ROW_COLUMNS",
    "TweetColumns",
    "gc_paused",
    "clean_text",
]

#: Separator used to carry a list of handles / tags / URLs as one string until it is split in polars
#: (building list columns from Python lists is ~60x slower in polars 2.1 than splitting a string column).
SEP = "\x1f"
_join = SEP.join

#: The order of the values in a row tuple handed to :class:`TweetColumns`. ``created_at`` is the raw timestamp
#: string; ``mentions`` / ``hashtags`` / ``urls`` are :data:`SEP`-joined strings (``None`` = unknown, filled from the
#: text); ``_item`` is the record's index inside its line or array (for quarantine reasons) and ``_stale`` marks an
#: older version of an edited tweet whose latest version was not in the file.
ROW_COLUMNS: tuple[str, ...] = (
    "message_id", "conversation_id", "author_id", "author_handle", "author_name", "author_followers",
    "created_at", "text", "kind",
    "reply_to_message_id", "reply_to_author_id", "reply_to_author_handle",
    "repost_of_message_id", "repost_of_author_id", "repost_of_author_handle",
    "quote_of_message_id", "quote_of_author_id", "quote_of_author_handle",
    "mentions", "hashtags", "urls",
    "like_count", "repost_count", "reply_count", "view_count",
    "source_app", "lang", "source_record", "_item", "_stale",
)  # fmt: skip

_INT_COLUMNS = {"author_followers", "like_count", "repost_count", "reply_count", "view_count", "source_record", "_item"}
_ROW_TYPES = {name: (pl.Int64 if name in _INT_COLUMNS else pl.String) for name in ROW_COLUMNS}
_ROW_TYPES["_stale"] = pl.Boolean
_ROW_SCHEMA = pl.Schema(_ROW_TYPES)
_LIST_COLUMNS = ("mentions", "hashtags", "urls")
_REF_COLUMNS = ("reply_to", "repost_of", "quote_of")
_INT64 = (-(2**63), 2**63)

#: Timestamp layouts tried (vectorized) in order: API v2 ISO 8601, API v1.1 / X archive, legacy archive.
_TIME_FORMATS = ("%Y-%m-%dT%H:%M:%S%.f%#z", "%a %b %d %H:%M:%S %z %Y", "%Y-%m-%d %H:%M:%S %z")
#: A date with no time (very old tweets in legacy archives), with an optional UTC offset: ``2008-11-05 +0000``.
_DATE_ONLY = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})(?:\s*(?:[+-]00:?00|Z|UTC))?\s*$")


class TweetColumns:
    """Accumulate tweets as row tuples (see :data:`ROW_COLUMNS`) and build the canonical frame in chunks.

    Parsers append tuples to :attr:`rows` (one ``list.append`` per tweet is the cheapest thing Python can do) and call
    :meth:`maybe_flush` now and then; every :attr:`CHUNK` rows are turned into a typed polars frame, so memory holds
    compact Arrow columns rather than millions of Python objects. :meth:`finish` parses the timestamps (vectorized),
    splits the entity lists, resolves handles known elsewhere in the file, quarantines rows that cannot be used and
    hands the frame to :func:`moderator_kit.io.base.finalize`.

    Examples
    --------
    >>> cols = TweetColumns("demo.jsonl", "twarc2")
    >>> row = dict.fromkeys(ROW_COLUMNS)
    >>> row.update(message_id="1", author_id="7", author_handle="@Ann", created_at="2024-01-01T21:00:00.000Z",
    ...            text="Q1 &amp; more #Chat", kind="post", source_record=1, _stale=False)
    >>> cols.rows.append(tuple(row.values()))
    >>> result = cols.finish(QuarantineLog("demo.jsonl", "twarc2"))
    >>> result.messages.select("author_handle", "text", "hashtags", "created_at").row(0)[:3]
    ('ann', 'Q1 & more #Chat', ['chat'])
    """

    CHUNK = 50_000

    def __init__(self, source_file: str, source_format: str, *, platform: str = "twitter", html_source: bool = False):
        self.source_file = str(source_file)
        self.source_format = source_format
        self.platform = platform
        self.html_source = html_source
        self.rows: list[tuple[Any, ...]] = []
        self._frames: list[pl.DataFrame] = []
        self._rejects: list[tuple[int, str, Any]] = []

    def add_frame(self, frame: pl.DataFrame) -> None:
        """Add rows built with polars expressions; ``frame`` must have the columns of :data:`ROW_COLUMNS`."""
        self.flush()
        self._frames.append(frame.select([pl.col(name).cast(dtype) for name, dtype in _ROW_TYPES.items()]))

    def reject(self, position: int, reason: str, raw: Any = None) -> None:
        """Quarantine a record found bad while building a frame (added to the log by :meth:`finish`)."""
        self._rejects.append((position, reason, raw))

    def maybe_flush(self) -> None:
        if len(self.rows) >= self.CHUNK:
            self.flush()

    def flush(self) -> None:
        """Turn the pending row tuples into a typed frame (rows with values of the wrong type are rejected)."""
        if not self.rows:
            return
        rows, self.rows = self.rows, []
        try:
            frame = _rows_to_frame(rows)
        except (TypeError, ValueError, OverflowError, pl.exceptions.PolarsError):
            rows = self._screen(rows)
            frame = _rows_to_frame(rows) if rows else _ROW_SCHEMA.to_frame(eager=True)
        self._frames.append(frame)

    def _screen(self, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """Slow path, only taken when a chunk has a malformed value: keep the rows whose values fit the schema."""
        good = []
        position_at, item_at = ROW_COLUMNS.index("source_record"), ROW_COLUMNS.index("_item")
        for row in rows:
            problem = _type_problem(row)
            if problem is None:
                good.append(tuple(clean_text(v) if type(v) is str else v for v in row))
            else:
                self._rejects.append((row[position_at], _where(row[item_at]) + problem, _raw_row(row)))
        return good

    def finish(self, quarantine: QuarantineLog, *, fill_entities: bool = True) -> ParseResult:
        """Build, check and de-duplicate the messages; rejected rows join ``quarantine``."""
        self.flush()
        # One contiguous frame: the later steps (and finalize's de-duplication) then peak lower in memory.
        frames, self._frames = self._frames or [_ROW_SCHEMA.to_frame(eager=True)], []
        frame = pl.concat(frames, how="vertical", rechunk=True)
        del frames
        self._frames = []
        frame = self._drop_unusable(frame)
        frame = self._parse_times(frame)
        frame = _tidy(frame, html_source=self.html_source, fill_entities=fill_entities)
        frame = self._settle_authors(frame)
        for position, reason, raw in self._rejects:
            quarantine.add(position, reason, raw)
        self._rejects = []
        if frame.height and frame["_stale"].any():
            # An older version of an edited tweet goes after the others, so de-duplication keeps the latest version.
            frame = frame.sort("_stale", maintain_order=True)
        frame = frame.with_columns(
            pl.lit(self.platform).alias("platform"),
            pl.lit(self.source_format).alias("source_format"),
            pl.lit(self.source_file).alias("source_file"),
        )
        missing = [pl.lit(None, dtype=dtype).alias(name) for name, dtype in MESSAGE_SCHEMA.items()
                   if name not in frame.columns]
        prepared = _Prepared(frame.with_columns(missing).select(list(MESSAGE_SCHEMA)), self.source_file,
                             self.source_format)
        del frame  # finalize() then holds the only reference, so memory peaks lower
        return finalize(prepared, quarantine, fill_entities=False)

    def _drop_unusable(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Rows without a message id (an id field that held no text) cannot be imported."""
        bad = pl.col("message_id").is_null() | (pl.col("message_id") == "")
        if frame.height and frame.select(bad.any()).item():
            for position, item in frame.filter(bad).select("source_record", "_item").iter_rows():
                self._rejects.append((position, _where(item) + "missing id", None))
            frame = frame.filter(~bad)
        return frame

    def _parse_times(self, frame: pl.DataFrame) -> pl.DataFrame:
        """``created_at`` as UTC datetimes, and ``time_imprecise`` (true for a date with no time, set at 00:00 UTC).

        Every row goes through the vectorized formats; only the rows they cannot read (rare) are parsed one by one,
        and that is also where date-only values are recognised, so the common path pays nothing for them.
        """
        raw = pl.col("created_at")
        formats = list(_TIME_FORMATS)
        first = frame["created_at"].drop_nulls().head(1)
        for fmt in _TIME_FORMATS if first.len() else ():  # the first timestamp's layout usually fits the whole file
            if first.str.to_datetime(fmt, time_zone="UTC", strict=False).is_not_null().item():
                formats.remove(fmt)
                formats.insert(0, fmt)
                break
        frame = frame.with_columns(
            raw.str.to_datetime(formats[0], time_unit="us", time_zone="UTC", strict=False).alias("_created")
        )
        if frame.select((pl.col("_created").is_null() & raw.is_not_null()).any()).item():
            frame = frame.with_columns(pl.coalesce(
                [pl.col("_created")]
                + [raw.str.to_datetime(fmt, time_unit="us", time_zone="UTC", strict=False) for fmt in formats[1:]]
            ).alias("_created"))
        imprecise = pl.lit(False)
        if frame.select(pl.col("_created").is_null().any()).item():
            frame = frame.with_row_index("_i")
            fixes: dict[int, Any] = {}
            dates: list[int] = []
            for index, text, position, item in frame.filter(pl.col("_created").is_null()).select(
                "_i", "created_at", "source_record", "_item"
            ).iter_rows():
                date_only = _DATE_ONLY.match(text) if text is not None else None
                value = parse_utc(date_only.group(1) if date_only else text)
                if value is None:
                    reason = "missing created_at" if text is None else f"created_at is not a timestamp: {text[:60]!r}"
                    self._rejects.append((position, _where(item) + reason, None))
                else:
                    fixes[index] = value
                    if date_only:
                        dates.append(index)
            if fixes:
                fix_frame = pl.DataFrame(
                    {"_i": list(fixes), "_fix": list(fixes.values())},
                    schema={"_i": pl.UInt32, "_fix": pl.Datetime("us", "UTC")},
                )
                frame = frame.join(fix_frame, on="_i", how="left", maintain_order="left").with_columns(
                    pl.coalesce("_created", "_fix").alias("_created")
                ).drop("_fix")
            if dates:
                imprecise = pl.col("_i").is_in(pl.Series(dates, dtype=pl.UInt32).implode())
            frame = frame.with_columns(imprecise.alias("time_imprecise"))
            frame = frame.filter(pl.col("_created").is_not_null()).drop("_i")
            imprecise = pl.col("time_imprecise")
        return frame.with_columns(pl.col("_created").alias("created_at"), imprecise.alias("time_imprecise")).drop(
            "_created")

    def _settle_authors(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Fill handles the page did not give from elsewhere in the file; else mark the author as ``id:<author_id>``."""
        nulls = frame.select(
            [pl.col("author_handle").is_null().any().alias("author")]
            + [(pl.col(f"{ref}_author_handle").is_null() & pl.col(f"{ref}_author_id").is_not_null()).any().alias(ref)
               for ref in _REF_COLUMNS]
        ).row(0, named=True)
        if not any(nulls.values()):
            return frame
        known = (
            frame.filter(pl.col("author_handle").is_not_null() & pl.col("author_id").is_not_null())
            .select("author_id", pl.col("author_handle").alias("_known"))
            .unique("author_id", keep="last")
        )
        if nulls["author"]:
            no_author = frame.filter(pl.col("author_handle").is_null() & pl.col("author_id").is_null())
            for position, item in no_author.select("source_record", "_item").iter_rows():
                self._rejects.append((position, _where(item) + "missing author", None))
            frame = frame.filter(pl.col("author_handle").is_not_null() | pl.col("author_id").is_not_null())
            frame = frame.join(known, on="author_id", how="left", maintain_order="left").with_columns(
                pl.coalesce("author_handle", "_known", pl.lit("id:") + pl.col("author_id")).alias("author_handle")
            ).drop("_known")
        for ref in _REF_COLUMNS:
            if nulls[ref]:
                lookup = known.rename({"author_id": f"{ref}_author_id"})
                frame = frame.join(lookup, on=f"{ref}_author_id", how="left", maintain_order="left").with_columns(
                    pl.coalesce(f"{ref}_author_handle", "_known").alias(f"{ref}_author_handle")
                ).drop("_known")
        return frame


class _Prepared(MessageRows):
    """A finished frame posing as :class:`MessageRows` for :func:`finalize`."""

    def __init__(self, frame: pl.DataFrame, source_file: str, source_format: str):
        super().__init__(source_file, source_format)
        self._frame = frame
        self._length = frame.height

    def to_frame(self) -> pl.DataFrame:
        frame, self._frame = self._frame, MESSAGE_SCHEMA.to_frame(eager=True)  # hand it over, keep no reference
        return frame


def _rows_to_frame(rows: list[tuple[Any, ...]]) -> pl.DataFrame:
    columns = list(zip(*rows, strict=True))
    return pl.DataFrame(
        [pl.Series(name, values, dtype=dtype, strict=True)
         for (name, dtype), values in zip(_ROW_TYPES.items(), columns, strict=True)]
    )


def _type_problem(row: tuple[Any, ...]) -> str | None:
    if len(row) != len(ROW_COLUMNS):
        return "malformed record"
    for name, value in zip(ROW_COLUMNS, row):
        if value is None:
            continue
        kind = _ROW_TYPES[name]
        if kind == pl.String:
            if type(value) is not str:
                return f"field {name!r} should be text, found {type(value).__name__}"
        elif kind == pl.Boolean:
            if type(value) is not bool:
                return f"field {name!r} should be true/false, found {type(value).__name__}"
        elif type(value) is not int or not _INT64[0] <= value < _INT64[1]:
            return f"field {name!r} should be a whole number, found {type(value).__name__} {str(value)[:30]}"
    return None


def _raw_row(row: tuple[Any, ...]) -> str:
    return ascii(dict(zip(ROW_COLUMNS, row)))


def _where(item: Any) -> str:
    return "" if item is None else f"tweet {item}: "


def _tidy(frame: pl.DataFrame, *, html_source: bool, fill_entities: bool) -> pl.DataFrame:
    """Vectorized clean-up: unescape text, lower-case handles, split entity lists, strip HTML from the source app."""
    text = pl.col("text").str.replace_many(["&lt;", "&gt;", "&amp;"], ["<", ">", "&"])  # one pass: "&amp;lt;" -> "&lt;"
    exprs = [text.alias("text")]
    for ref in _REF_COLUMNS:
        exprs.append(pl.col(f"{ref}_author_handle").str.strip_prefix("@").str.to_lowercase())
    empty = pl.lit([], dtype=pl.List(pl.String))
    for name in _LIST_COLUMNS:
        column = pl.col(name) if name == "urls" else pl.col(name).str.to_lowercase()
        exprs.append(pl.when(pl.col(name) == "").then(empty).otherwise(column.str.split(SEP)).alias(name))
    if html_source:
        app = pl.col("source_app").str.replace_all(r"<[^>]*>", "").str.replace_all("&amp;", "&", literal=True)
        app = app.str.strip_chars()
        exprs.append(pl.when(app != "").then(app).alias("source_app"))
    frame = frame.with_columns(exprs)
    if fill_entities and frame.height:
        missing = pl.any_horizontal([pl.col(name).is_null() for name in _LIST_COLUMNS])
        if frame.select(missing.any()).item():
            # Run the text patterns only on the rows that need them: the others see a null text (no regex work).
            masked = frame.select(pl.when(missing).then(pl.col("text")).alias("text"), *_LIST_COLUMNS)
            frame = frame.with_columns(fill_entities_from_text(masked).select(_LIST_COLUMNS))
    return frame


def clean_text(value: str) -> str:
    """``value`` as valid Unicode: a lone surrogate (half an emoji, left by Twitter's 140-character truncation of
    retweets) becomes U+FFFD; valid surrogate pairs are joined.

    >>> clean_text("ok \\ud83d")
    'ok \\ufffd'
    """
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while parsing (JSON trees hold no cycles; the collector would otherwise
    walk millions of freshly parsed objects again and again). Its previous state is restored on exit."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
