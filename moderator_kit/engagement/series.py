"""Per-minute activity of each session, for the timeline charts.

``minute`` counts whole minutes since the session's start (``floor((created_at - start) / 60 s)``): pre-chat
messages get negative minutes, follow-up messages minutes at or after the chat's duration. Every minute of the
in-chat window ``[0, ceil((end - start) / 60 s))`` is present for every session of ``sessions`` (zero rows filled in),
so a chart shows quiet minutes as quiet; outside the window only minutes with messages appear.

Examples
--------
>>> import polars as pl
>>> from datetime import datetime, timezone
>>> t = lambda h, m, s=0: datetime(2024, 1, 1, h, m, s, tzinfo=timezone.utc)
>>> sessions = pl.DataFrame({"session_id": ["s"], "start": [t(21, 0)], "end": [t(21, 3)]})
>>> msgs = pl.DataFrame({"session_id": ["s"] * 3, "author_handle": ["a", "b", "a"],
...                      "created_at": [t(20, 59, 30), t(21, 1, 5), t(21, 1, 50)],
...                      "kind": ["post", "reply", "repost"]})
>>> minute_series(msgs, sessions).select("minute", "messages", "reposts", "active_authors").rows()
[(-1, 1, 0, 1), (0, 0, 0, 0), (1, 2, 1, 1), (2, 0, 0, 0)]
"""

from __future__ import annotations

import polars as pl

from moderator_kit.engagement.summary import prepare

__all__ = ["MINUTE_SCHEMA", "minute_series"]

MINUTE_SCHEMA = pl.Schema(
    {
        "session_id": pl.String,
        "minute": pl.Int64,
        "messages": pl.Int64,
        "originals": pl.Int64,
        "reposts": pl.Int64,
        "replies": pl.Int64,
        "active_authors": pl.Int64,
    }
)

_MINUTE_US = 60_000_000


def minute_series(session_messages: pl.DataFrame | pl.LazyFrame, sessions: pl.DataFrame | pl.LazyFrame
                  ) -> pl.DataFrame:
    """Messages, originals, reposts, replies and distinct authors of originals per session and minute.

    Messages of every phase are counted; messages whose ``session_id`` is not in ``sessions`` are ignored.
    Sorted by ``session_id`` and ``minute``.
    """
    lf = prepare(session_messages)
    windows = (sessions.lazy() if isinstance(sessions, pl.DataFrame) else sessions).select(
        "session_id", "start", "end"
    )
    original = pl.col("kind") != "repost"
    observed = (
        lf.join(windows, on="session_id", how="inner")
        .with_columns(minute=(pl.col("created_at") - pl.col("start")).dt.total_microseconds() // _MINUTE_US)
        .group_by("session_id", "minute")
        .agg(
            messages=pl.len(),
            originals=original.sum(),
            reposts=(~original).sum(),
            replies=(pl.col("kind") == "reply").sum(),
            active_authors=pl.col("author_handle").filter(original).drop_nulls().n_unique(),
        )
    )
    length = -((pl.col("start") - pl.col("end")).dt.total_microseconds() // _MINUTE_US)  # ceil division
    grid = (
        windows.select("session_id", minute=pl.int_ranges(0, pl.max_horizontal(length, 0), dtype=pl.Int64))
        .explode("minute")
        .drop_nulls("minute")
    )
    counts = [name for name in MINUTE_SCHEMA.names() if name not in ("session_id", "minute")]
    return (
        grid.join(observed, on=["session_id", "minute"], how="full", coalesce=True)
        .with_columns(pl.col(counts).fill_null(0))
        .select(MINUTE_SCHEMA.names())
        .sort("session_id", "minute")
        .collect()
        .cast(MINUTE_SCHEMA)
    )
