"""X/Twitter API v2 as written by twarc2: response pages (one per line) and twarc2's flattened tweets.

A twarc2 page is one API response: ``data`` (the tweets), ``includes.users`` (their authors and the people they
mention or reply to), ``includes.tweets`` (the tweets they retweet, quote or reply to), ``meta``, ``errors`` and
twarc's own ``__twarc``. Only the tweets in ``data`` become messages; ``includes.tweets`` are context used to resolve
who was retweeted, quoted or replied to (see ``docs/formats/twitter.md``).

The reader streams the file line by line, parses each line with orjson and keeps the rows as tuples that are turned
into polars columns every :data:`TweetColumns.CHUNK` rows, so a million-tweet file is read in a few seconds and
without holding the parsed pages.

Examples
--------
>>> page = {"data": [{"id": "2", "text": "A1: hi @Ann", "author_id": "9", "created_at": "2024-01-01T21:05:00.000Z",
...                   "referenced_tweets": [{"type": "replied_to", "id": "1"}], "in_reply_to_user_id": "8",
...                   "entities": {"mentions": [{"username": "Ann"}]}}],
...         "includes": {"users": [{"id": "9", "username": "Bob", "name": "Bob B"},
...                                {"id": "8", "username": "Ann"}]}}
>>> import orjson
>>> result = parse_twarc2([orjson.dumps(page)], "chat.jsonl")
>>> result.messages.select("message_id", "author_handle", "kind", "reply_to_author_handle", "mentions").row(0)
('2', 'bob', 'reply', 'ann', ['ann'])
"""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
import polars as pl

from moderator_kit.errors import ArchiveError
from moderator_kit.io.base import (
    JSON_DECODER,
    FormatSpec,
    MessageRows,
    ParseResult,
    QuarantineLog,
    fill_entities_from_text,
    finalize,
    numbered_lines,
    parse_utc,
)
from moderator_kit.schema import MESSAGE_SCHEMA

__all__ = [
    "SEP",
    "ROW_COLUMNS",
    "TweetColumns",
    "parse_twarc2",
    "read_twarc2",
    "parse_twarc2_flat",
    "read_twarc2_flat",
    "read_twarc2_chunks",
    "read_twarc2_flat_chunks",
    "CHUNK_TWEETS",
    "sniff_twarc2",
    "sniff_twarc2_flat",
    "gc_paused",
    "clean_text",
    "complete_repost",
    "FORMATS",
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


# --------------------------------------------------------------------------------------------------------------------
# API v2 tweets


class _Malformed(ValueError):
    """A tweet that cannot be imported; the message is the quarantine reason."""


def _as_id(value: Any, field: str) -> str:
    if type(value) is int and value >= 0:
        return str(value)
    if type(value) is str and value:
        return value
    raise _Malformed(f"field {field!r} is not an id: {str(value)[:40]!r}")


def _v2_row(t: dict, users: dict, tweets: dict, position: int, index: int | None, depth: int = 0) -> tuple:
    """One API v2 tweet as a row tuple (see :data:`ROW_COLUMNS`); raises for a tweet that cannot be imported.

    This runs once per tweet of a possibly million-tweet file, so it is written for speed: bound ``get`` methods,
    no helper calls on the common path, and lists carried as joined strings.
    """
    get = t.get
    tid = t["id"]
    created = t["created_at"]
    author_id = get("author_id")
    if author_id is None:
        author = get("author")
        if type(author) is dict:
            author_id = author.get("id")
        if author_id is None:
            raise KeyError("author_id")
    if type(tid) is not str:
        tid = _as_id(tid, "id")
    if type(author_id) is not str:
        author_id = _as_id(author_id, "author_id")
    if created is None:
        raise KeyError("created_at")
    message_id = tid
    stale = False
    history = get("edit_history_tweet_ids")
    if history is not None and type(history) is list and len(history) > 1 and history[-1] != tid \
            and type(history[-1]) is str and history[-1]:
        latest = history[-1]
        newer = tweets.get(latest) if depth == 0 else None
        if type(newer) is dict and newer.get("id") == latest:
            return _v2_row(newer, users, tweets, position, index, 1)
        message_id = latest
        stale = True

    user_of = users.get
    user = user_of(author_id)
    if user is not None:
        handle = user.get("username")
        name = user.get("name")
        metrics = user.get("public_metrics")
        followers = metrics.get("followers_count") if metrics else None
    else:
        handle = name = followers = None

    reply_id = reply_aid = reply_handle = repost_id = repost_aid = repost_handle = None
    quote_id = quote_aid = quote_handle = original = None
    refs = get("referenced_tweets")
    if refs:
        for ref in refs:
            rid = ref.get("id")
            target = tweets.get(rid)
            if target is not None:
                aid = target.get("author_id")
                if aid is None:
                    author = target.get("author")
                    aid = author.get("id") if type(author) is dict else None
                history = target.get("edit_history_tweet_ids")
                if history and type(history) is list and len(history) > 1 and type(history[-1]) is str:
                    rid = history[-1]
            else:
                aid = None
            kind = ref.get("type")
            if kind == "retweeted":
                repost_id, repost_aid, original = rid, aid, target
            elif kind == "replied_to":
                reply_id, reply_aid = rid, aid
            elif kind == "quoted":
                quote_id, quote_aid = rid, aid
    in_reply_to = get("in_reply_to_user_id")
    if in_reply_to is not None:
        reply_aid = in_reply_to
    if repost_id is not None:
        kind = "repost"
        if repost_aid is not None:
            user = user_of(repost_aid)
            if user is not None:
                repost_handle = user.get("username")
    elif reply_id is not None or reply_aid is not None:
        kind = "reply"
    elif quote_id is not None:
        kind = "quote"
    else:
        kind = "post"
    if reply_aid is not None:
        user = user_of(reply_aid)
        if user is not None:
            reply_handle = user.get("username")
    if quote_aid is not None:
        user = user_of(quote_aid)
        if user is not None:
            quote_handle = user.get("username")

    text = get("text")
    entities = get("entities")
    note = get("note_tweet")
    if note is not None:
        text = note.get("text", text)
        entities = note.get("entities", entities)
    if entities is not None:
        found = entities.get("mentions")
        if not found:
            mentions = ""
        elif len(found) == 1:
            mentions = found[0]["username"]
        else:
            mentions = _join([x["username"] for x in found])
        found = entities.get("hashtags")
        if not found:
            hashtags = ""
        elif len(found) == 1:
            hashtags = found[0]["tag"]
        else:
            hashtags = _join([x["tag"] for x in found])
        found = entities.get("urls")
        urls = _join([x.get("expanded_url") or x["url"] for x in found if "media_key" not in x
                      and not x.get("display_url", "").startswith("pic.")]) if found else ""
    else:
        mentions = hashtags = urls = None
    if original is not None and type(original) is dict:
        # A retweet's own text is cut at 140 characters ("RT @x: …"); its original, when the page has it, is whole.
        note = original.get("note_tweet")
        full = note.get("text") if type(note) is dict else None
        entities = (note.get("entities") if type(note) is dict else None) or original.get("entities")
        text, mentions, hashtags, urls = complete_repost(text, mentions, hashtags, urls, full or original.get("text"),
                                                         *_v2_entities(entities))
    metrics = get("public_metrics")
    if metrics is not None:
        pm = metrics.get
        likes, reposts = pm("like_count"), pm("retweet_count")
        replies, views = pm("reply_count"), pm("impression_count")
    else:
        likes = reposts = replies = views = None
    conversation = get("conversation_id")
    return (
        message_id, None if conversation == tid else conversation, author_id, handle, name, followers, created,
        text, kind, reply_id, reply_aid, reply_handle, repost_id, repost_aid, repost_handle,
        quote_id, quote_aid, quote_handle, mentions, hashtags, urls, likes, reposts, replies, views,
        get("source"), get("lang"), position, index, stale,
    )  # fmt: skip


def complete_repost(
    text: Any, mentions: str | None, hashtags: str | None, urls: str | None,
    original_text: Any, original_mentions: str | None, original_hashtags: str | None, original_urls: str | None,
) -> tuple[Any, str | None, str | None, str | None]:
    """A repost's text and entities completed from its original: ``RT @handle: `` + the original's full text; the
    retweeted handle followed by the original's mentions; the original's hashtags and URLs. Entities are
    :data:`SEP`-joined strings (``None`` = unknown: then they are taken from the completed text), as in a row tuple.

    >>> complete_repost("RT @ann: Q1 what helps you mo…", "ann", "", "", "Q1 what helps you most? #chat @bo",
    ...                 "bo", "chat", "")
    ('RT @ann: Q1 what helps you most? #chat @bo', 'ann\\x1fbo', 'chat', '')
    """
    if type(original_text) is not str or not original_text:
        return text, mentions, hashtags, urls
    handle = None
    if type(text) is str and text.startswith("RT @"):
        head, sep, _ = text.partition(": ")
        handle = head[4:] if sep and " " not in head[4:] else None
    if handle is None:
        return original_text, original_mentions, original_hashtags, original_urls
    if original_mentions is None:
        mentions = None
    elif not original_mentions:
        mentions = handle
    elif handle.lower() in original_mentions.lower().split(SEP):  # the original mentions its own author
        mentions = original_mentions
    else:
        mentions = handle + SEP + original_mentions
    return f"RT @{handle}: {original_text}", mentions, original_hashtags, original_urls


def _v2_entities(entities: Any) -> tuple[str | None, str | None, str | None]:
    """API v2 entities as joined mentions, hashtags and URLs (photos and videos left out); ``None`` when absent."""
    if type(entities) is not dict:
        return None, None, None
    get = entities.get
    try:  # written like the main path of _v2_row: well-formed entities cost no checks
        found = get("mentions")
        mentions = _join([x["username"] for x in found]) if found else ""
        found = get("hashtags")
        hashtags = _join([x["tag"] for x in found]) if found else ""
        found = get("urls")
        urls = _join([x.get("expanded_url") or x["url"] for x in found if "media_key" not in x
                      and not x.get("display_url", "").startswith("pic.")]) if found else ""
    except (KeyError, TypeError, AttributeError):
        return None, None, None  # malformed: taken from the text instead
    return mentions, hashtags, urls


def _reason(index: int | None, err: Exception) -> str:
    where = _where(index)
    if isinstance(err, KeyError):
        return f"{where}missing required field {err.args[0]!r}" if err.args else f"{where}missing a required field"
    if isinstance(err, _Malformed):
        return where + str(err)
    return clean_text(f"{where}malformed tweet ({type(err).__name__}: {str(err)[:120]})")


def _index_users(users: Any) -> dict:
    """``{user id: user object}`` from ``includes.users`` (malformed entries are skipped)."""
    if not users:
        return {}
    try:
        return {u["id"]: u for u in users}
    except (TypeError, KeyError):
        if not isinstance(users, list):
            return {}
        return {u.get("id"): u for u in users if type(u) is dict and type(u.get("id")) is str}


def _index_tweets(tweets: Any) -> dict:
    return _index_users(tweets)


def _error_summary(errors: Any) -> str:
    if not isinstance(errors, list) or not errors:
        return ""
    first = errors[0]
    if isinstance(first, dict):
        text = first.get("detail") or first.get("title") or first.get("message") or str(first)
    else:
        text = str(first)
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f": API error {str(text)[:160]!r}{more}"


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


def _raw_line(line: bytes | str) -> str:
    if isinstance(line, bytes):
        return line[:2000].decode("utf-8", errors="replace")
    return clean_text(line[:2000])


def _loads_lenient(line: bytes | str, err: Exception) -> Any:
    """orjson refuses lone surrogates (``"\\ud83d"``) that real tweets carry; the standard library accepts them."""
    if "surrogate" not in str(err):
        raise err
    try:
        return json.loads(line)
    except (ValueError, RecursionError):
        raise err from None


def _is_v2_tweet(obj: Any) -> bool:
    return (
        isinstance(obj, dict) and "id" in obj and "text" in obj
        and not ({"id_str", "user", "account", "content", "uri", "ts"} & obj.keys())
    )  # fmt: skip


def _add_flat(tweet: dict, number: int, rows: list, bad: QuarantineLog) -> None:
    """A flattened tweet: author, in_reply_to_user and referenced tweets are inlined."""
    users: dict = {}
    tweets: dict = {}
    try:
        for key in ("author", "in_reply_to_user"):
            user = tweet.get(key)
            if type(user) is dict and type(user.get("id")) is str:
                users[user["id"]] = user
        refs = tweet.get("referenced_tweets")
        if isinstance(refs, list):
            for ref in refs:
                if type(ref) is dict and type(ref.get("id")) is str:
                    tweets[ref["id"]] = ref
                    author = ref.get("author")
                    if type(author) is dict and type(author.get("id")) is str:
                        users.setdefault(author["id"], author)
        rows.append(_v2_row(tweet, users, tweets, number, None))
    except Exception as err:  # noqa: BLE001 - a malformed tweet goes to quarantine, whatever is wrong with it
        bad.add(number, _reason(None, err), tweet)


def _add_page(page: Any, number: int, line: bytes | str, rows: list, bad: QuarantineLog) -> None:
    """One twarc2 line: a response page (or, tolerated, a flattened tweet)."""
    if type(page) is not dict:
        bad.add(number, f"not a twarc2 response page (a JSON {type(page).__name__}, expected an object)",
                _raw_line(line))
        return
    data = page.get("data")
    if data is None:
        if _is_v2_tweet(page):
            _add_flat(page, number, rows, bad)
            return
        bad.add(number, "page has no data" + _error_summary(page.get("errors")), _raw_line(line))
        return
    if type(data) is dict:
        data = [data]
    elif type(data) is not list:
        bad.add(number, f"page data is a {type(data).__name__}, expected a list of tweets", _raw_line(line))
        return
    if not data:
        if page.get("errors"):
            bad.add(number, "page has no tweets" + _error_summary(page.get("errors")), _raw_line(line))
        return
    first = data[0]
    if not (type(first) is dict and "text" in first) and not any(type(x) is dict and "text" in x for x in data):
        keys = ", ".join(sorted(first)[:6]) if type(first) is dict else type(first).__name__
        bad.add(number, f"page holds no tweets (its {len(data)} data items have: {keys})", _raw_line(line))
        return
    includes = page.get("includes")
    if type(includes) is dict:
        users = _index_users(includes.get("users"))
        tweets = _index_tweets(includes.get("tweets"))
    else:
        users, tweets = {}, {}
    append = rows.append
    for index, tweet in enumerate(data):
        try:
            append(_v2_row(tweet, users, tweets, number, index))
        except Exception as err:  # noqa: BLE001 - a malformed tweet goes to quarantine, whatever is wrong with it
            if isinstance(err, (TypeError, AttributeError)) and type(tweet) is not dict:
                bad.add(number, f"tweet {index}: not a JSON object", tweet)
            else:
                bad.add(number, _reason(index, err), tweet)


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


#: Tweets per chunk when a file is read in chunks (:func:`read_twarc2_chunks`): memory stays bounded by the chunk.
CHUNK_TWEETS = 100_000


def _parse_chunks(lines: Iterable[bytes | str], source_file: str, source_format: str,
                  chunk_tweets: int | None = None) -> Iterator[ParseResult]:
    """Parse the lines into one :class:`ParseResult` per ``chunk_tweets`` tweets (all of them when None).

    Each chunk is finished on its own: de-duplication and handle lookups span the chunk, and the workspace
    de-duplicates across chunks.
    """
    numbered = numbered_lines(lines)  # an open file's blank lines are skipped in bulk
    loads = orjson.loads
    decode_error = orjson.JSONDecodeError
    first = True
    while True:
        columns = TweetColumns(source_file, source_format)
        bad = QuarantineLog(source_file, source_format)
        rows = columns.rows
        flushed, more, started = 0, False, False
        with gc_paused():
            for number, line in numbered:
                started = True
                try:
                    page = loads(line)
                except decode_error as err:
                    if not line.strip():
                        continue
                    try:
                        page = _loads_lenient(line, err)
                    except decode_error:
                        bad.add(number, f"invalid JSON: {err}", _raw_line(line))
                        continue
                _add_page(page, number, line, rows, bad)
                if len(rows) >= columns.CHUNK:
                    flushed += len(rows)
                    columns.flush()
                    rows = columns.rows
                if chunk_tweets is not None and flushed + len(rows) >= chunk_tweets:
                    more = True
                    break
            page = None
            if not (started or first):
                return  # the file ended exactly at a chunk's end
            result = columns.finish(bad)
        yield result
        first = False
        if not more:
            return


def _parse_lines(lines: Iterable[bytes | str], source_file: str, source_format: str) -> ParseResult:
    return next(_parse_chunks(lines, source_file, source_format))


def parse_twarc2(lines: Iterable[bytes | str], source_file: str = "<memory>") -> ParseResult:
    """Parse twarc2 output: one API v2 response page per line.

    Parameters
    ----------
    lines
        The file's lines (bytes or str), for example an open binary file; they are consumed one at a time.
    source_file
        Recorded on every row and quarantine entry.

    Returns
    -------
    ParseResult
        The tweets in each page's ``data``. A line that is not JSON, a page with no ``data`` (an error-only page),
        a page whose data are not tweets (users, counts) and single tweets without id, created_at or author are
        quarantined with their line number (and the tweet's index in the page). Lines holding one flattened tweet
        are accepted too.

    Examples
    --------
    >>> result = parse_twarc2([b'{"errors": [{"title": "Not Found Error"}]}', b'{"data": [{"id": "1", "tex'])
    >>> result.records_seen, result.imported, result.quarantine["reason"].to_list()[0]
    (2, 0, "page has no data: API error 'Not Found Error'")
    """
    return _parse_lines(lines, str(source_file), "twarc2")


def parse_twarc2_flat(lines: Iterable[bytes | str], source_file: str = "<memory>") -> ParseResult:
    """Parse ``twarc2 flatten`` output: one tweet per line with ``author`` and referenced tweets inlined.

    Examples
    --------
    >>> line = ('{"id": "5", "text": "RT @ann: Q1", "created_at": "2024-01-01T21:00:00.000Z", "author_id": "2",'
    ...         ' "author": {"id": "2", "username": "Bob"}, "referenced_tweets": [{"type": "retweeted", "id": "4",'
    ...         ' "author_id": "1", "author": {"id": "1", "username": "Ann"}}]}')
    >>> parse_twarc2_flat([line]).messages.select("kind", "repost_of_message_id", "repost_of_author_handle").row(0)
    ('repost', '4', 'ann')
    """
    return _parse_lines(lines, str(source_file), "twarc2-flat")


def _read_lines(path: Path | str, parse: Any) -> ParseResult:
    path = Path(path)
    try:
        with path.open("rb") as handle:
            return parse(handle, str(path))
    except OSError as err:
        raise ArchiveError(f"cannot read the file ({err.strerror or err}); check the path and permissions",
                           path=str(path)) from None


def read_twarc2(path: Path | str) -> ParseResult:
    """Read a twarc2 JSONL file (one response page per line), streaming it line by line."""
    return _read_lines(path, parse_twarc2)


def read_twarc2_flat(path: Path | str) -> ParseResult:
    """Read a ``twarc2 flatten`` JSONL file (one tweet per line)."""
    return _read_lines(path, parse_twarc2_flat)


def _read_chunks(path: Path | str, source_format: str, chunk_tweets: int | None) -> Iterator[ParseResult]:
    path = Path(path)
    chunk_tweets = chunk_tweets or CHUNK_TWEETS
    try:
        with path.open("rb") as handle:
            yield from _parse_chunks(handle, str(path), source_format, chunk_tweets)
    except OSError as err:
        raise ArchiveError(f"cannot read the file ({err.strerror or err}); check the path and permissions",
                           path=str(path)) from None


def read_twarc2_chunks(path: Path | str, chunk_tweets: int | None = None) -> Iterator[ParseResult]:
    """Read a twarc2 JSONL file as one :class:`ParseResult` per ``chunk_tweets`` tweets (default
    :data:`CHUNK_TWEETS`), so that memory holds one chunk.

    >>> import tempfile
    >>> line = '{"data": [{"id": "%d", "text": "hi", "author_id": "1", "created_at": "2024-01-01T21:00:00Z"}]}'
    >>> path = Path(tempfile.mkdtemp()) / "t.jsonl"
    >>> _ = path.write_text("\\n".join(line % i for i in range(5)))
    >>> [chunk.imported for chunk in read_twarc2_chunks(path, chunk_tweets=2)]
    [2, 2, 1]
    """
    return _read_chunks(path, "twarc2", chunk_tweets)


def read_twarc2_flat_chunks(path: Path | str, chunk_tweets: int | None = None) -> Iterator[ParseResult]:
    """Read a ``twarc2 flatten`` JSONL file as one :class:`ParseResult` per ``chunk_tweets`` tweets."""
    return _read_chunks(path, "twarc2-flat", chunk_tweets)


# --------------------------------------------------------------------------------------------------------------------
# Sniffers: cheap, content first, and never claiming another platform's JSON.

_DECODER = JSON_DECODER  # raises JSONDecodeError, not RecursionError, on deep nesting
_DATA_START = re.compile(r'"data"\s*:\s*(\[\s*)?\{')


def _lines(head: str) -> list[str]:
    return [line for line in head.lstrip("\ufeff").splitlines() if line.strip()][:20]


def _loads(line: str) -> Any:
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        return None


def _first_data_item(line: str) -> Any:
    """The first tweet of a (possibly truncated) page line, decoded on its own."""
    match = _DATA_START.search(line)
    if match is None:
        return None
    try:
        return _DECODER.raw_decode(line, match.end() - 1)[0]
    except json.JSONDecodeError:
        return None


def sniff_twarc2(path: Path, head: str) -> bool:
    """A twarc2 page file: the first page's ``data`` holds API v2 tweets (not users, counts or lists).

    >>> sniff_twarc2(Path("x.jsonl"), '{"data": [{"id": "1", "text": "hi", "author_id": "2"}], "includes": {}}\\n')
    True
    >>> sniff_twarc2(Path("x.jsonl"), '{"data": [{"id": "2", "username": "ann", "name": "Ann"}]}\\n')
    False
    """
    if not head or not head.lstrip("\ufeff \t\r\n").startswith("{"):
        return False
    for line in _lines(head):
        page = _loads(line)
        if page is None:  # the line goes on past the 64 KiB head: look at its first data item only
            return line.lstrip().startswith("{") and _is_v2_tweet(_first_data_item(line))
        if not isinstance(page, dict):
            return False
        data = page.get("data")
        if data is None:
            if "errors" in page and "__twarc" in page:
                continue  # an error-only page; decide on the next line
            return False
        item = data[0] if isinstance(data, list) and data else data
        return _is_v2_tweet(item)
    return False


def sniff_twarc2_flat(path: Path, head: str) -> bool:
    """``twarc2 flatten`` output: each line is one API v2 tweet (no ``data`` wrapper).

    >>> sniff_twarc2_flat(Path("f.jsonl"), '{"id": "1", "text": "hi", "author": {"id": "2"}, "__twarc": {}}\\n')
    True
    """
    if not head or not head.lstrip("\ufeff \t\r\n").startswith("{"):
        return False
    lines = _lines(head)
    if not lines:
        return False
    tweet = _loads(lines[0])
    if tweet is None:
        try:
            tweet = _DECODER.raw_decode(lines[0].lstrip())[0]
        except json.JSONDecodeError:
            # A very long first line: fall back to the keys twarc2 writes on every flattened tweet.
            line = lines[0]
            return '"__twarc"' in line and '"author"' in line and '"edit_history_tweet_ids"' in line[:4000] \
                and not line.lstrip().startswith('{"data"')
    return (
        _is_v2_tweet(tweet) and "data" not in tweet
        and ("author" in tweet or "author_id" in tweet or "__twarc" in tweet)
        and not str(tweet.get("created_at", "")).count(" ")  # v2 times are ISO 8601, v1.1's have spaces
    )  # fmt: skip


FORMATS: list[FormatSpec] = [
    FormatSpec("twarc2", "X/Twitter API v2 pages as written by twarc2 (JSONL, one response per line)",
               sniff_twarc2, read_twarc2, read_chunks=read_twarc2_chunks),
    FormatSpec("twarc2-flat", "X/Twitter API v2 tweets flattened by `twarc2 flatten` (JSONL, one tweet per line)",
               sniff_twarc2_flat, read_twarc2_flat, read_chunks=read_twarc2_flat_chunks),
]
