"""The canonical message table: one polars schema for every platform.

Every importer produces rows of this schema, and :func:`validate_messages` checks a frame at the boundary (before it
is written to the workspace). See ``docs/schema.md`` for the meaning of each column.

Examples
--------
>>> import polars as pl
>>> frame = empty_messages()
>>> frame.columns[:4]
['platform', 'chat', 'channel', 'message_id']
>>> validate_messages(frame).height
0
"""

from __future__ import annotations

import polars as pl

__all__ = [
    "MESSAGE_SCHEMA",
    "QUARANTINE_SCHEMA",
    "KINDS",
    "LIST_COLUMNS",
    "DEFAULTS",
    "SchemaError",
    "empty_messages",
    "empty_quarantine",
    "validate_messages",
    "conform",
]

#: Message kinds. A repost is kept but never counts as a new voice.
KINDS = ("post", "reply", "repost", "quote")

_STR = pl.String
_INT = pl.Int64
_UTC = pl.Datetime("us", "UTC")

MESSAGE_SCHEMA: pl.Schema = pl.Schema(
    {
        "platform": _STR,  # twitter, slack, discord, mastodon, bluesky, csv
        "chat": _STR,  # the hashtag or channel this archive was imported as
        "channel": _STR,  # platform channel / hashtag stream the record came from (nullable)
        "message_id": _STR,
        "conversation_id": _STR,
        "author_id": _STR,
        "author_handle": _STR,  # lower-cased, no leading @
        "author_name": _STR,
        "author_followers": _INT,  # nullable: unknown on Slack / Discord
        "created_at": _UTC,
        "text": _STR,
        "kind": _STR,  # one of KINDS
        "reply_to_message_id": _STR,
        "reply_to_author_id": _STR,
        "reply_to_author_handle": _STR,
        "repost_of_message_id": _STR,
        "repost_of_author_id": _STR,
        "repost_of_author_handle": _STR,
        "quote_of_message_id": _STR,
        "quote_of_author_id": _STR,
        "quote_of_author_handle": _STR,
        "mentions": pl.List(_STR),  # handles, lower-cased, no @
        "hashtags": pl.List(_STR),  # lower-cased, no #
        "urls": pl.List(_STR),  # expanded where the archive has them
        "like_count": _INT,
        "repost_count": _INT,
        "reply_count": _INT,
        "view_count": _INT,
        "source_app": _STR,
        "lang": _STR,
        "source_format": _STR,  # e.g. twarc2, twarc2-flat, v1, tags-csv, x-archive, legacy-csv, slack, ...
        "source_file": _STR,
        "source_record": _INT,  # 1-based line number, or 0-based index inside a JSON array
        # True when the archive gives only the date (old legacy-archive tweets): created_at is then that day at
        # 00:00 UTC, which is not when it was sent, so sessions never place it in a window. False by default.
        "time_imprecise": pl.Boolean,
    }
)

#: Values filled in where an importer leaves a column out or null (the other columns default to null).
DEFAULTS: dict[str, object] = {"time_imprecise": False}

LIST_COLUMNS = tuple(name for name, dtype in MESSAGE_SCHEMA.items() if isinstance(dtype, pl.List))

_REQUIRED = ("platform", "message_id", "author_handle", "created_at", "kind", "source_file", "source_record")

QUARANTINE_SCHEMA: pl.Schema = pl.Schema(
    {
        "chat": _STR,
        "source_file": _STR,
        "source_record": _INT,
        "source_format": _STR,
        "reason": _STR,
        "raw": _STR,  # the offending record, truncated to 2,000 characters
    }
)


class SchemaError(ValueError):
    """A frame does not conform to the canonical message schema."""


def empty_messages() -> pl.DataFrame:
    """An empty frame with the canonical message schema."""
    return MESSAGE_SCHEMA.to_frame(eager=True)


def empty_quarantine() -> pl.DataFrame:
    """An empty frame with the quarantine schema."""
    return QUARANTINE_SCHEMA.to_frame(eager=True)


def conform(frame: pl.DataFrame, schema: pl.Schema = MESSAGE_SCHEMA) -> pl.DataFrame:
    """Add missing columns as nulls (or their :data:`DEFAULTS`), cast to the schema's types and order the columns.

    Extra columns are dropped. Casting is strict, so a value that cannot be cast raises.

    >>> import polars as pl
    >>> out = conform(pl.DataFrame({"message_id": [1], "platform": ["x"]}))
    >>> out.schema["message_id"], out.width == len(MESSAGE_SCHEMA), out["time_imprecise"].to_list()
    (String, True, [False])
    """
    exprs = []
    for name, dtype in schema.items():
        default = DEFAULTS.get(name) if schema is MESSAGE_SCHEMA else None
        if name in frame.columns:
            column = pl.col(name).cast(dtype, strict=True)
            exprs.append(column if default is None else column.fill_null(pl.lit(default, dtype=dtype)))
        else:
            exprs.append(pl.lit(default, dtype=dtype).alias(name))
    return frame.select(exprs)


def validate_messages(frame: pl.DataFrame) -> pl.DataFrame:
    """Check a frame against the canonical schema and return it in canonical column order, defaults filled.

    Raises
    ------
    SchemaError
        If a column is missing or of the wrong type, a required value is null, or a kind is unknown.

    Examples
    --------
    >>> import polars as pl
    >>> bad = empty_messages().with_columns(pl.col("kind").cast(pl.Categorical))
    >>> try:
    ...     validate_messages(bad)
    ... except SchemaError as err:
    ...     print(err)
    column 'kind' has type Categorical, expected String
    """
    missing = [name for name in MESSAGE_SCHEMA if name not in frame.columns]
    if missing:
        raise SchemaError(f"missing columns: {', '.join(missing)}")
    for name, dtype in MESSAGE_SCHEMA.items():
        if frame.schema[name] != dtype:
            raise SchemaError(f"column {name!r} has type {frame.schema[name]}, expected {dtype}")
    # Columns with a default get it where an importer left them null (every importer passes through here).
    frame = frame.select(list(MESSAGE_SCHEMA)).with_columns(
        pl.col(name).fill_null(pl.lit(value, dtype=MESSAGE_SCHEMA[name])) for name, value in DEFAULTS.items()
    )
    if frame.height == 0:
        return frame
    nulls = frame.select(pl.col(_REQUIRED).null_count()).row(0, named=True)
    bad = [name for name, count in nulls.items() if count]
    if bad:
        raise SchemaError(f"required columns have nulls: {', '.join(bad)}")
    unknown = frame.filter(~pl.col("kind").is_in(KINDS))["kind"].unique().to_list()
    if unknown:
        raise SchemaError(f"unknown message kinds: {', '.join(map(str, unknown))}")
    return frame
