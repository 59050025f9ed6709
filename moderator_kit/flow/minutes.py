"""The per-minute flow table behind the signature chart: the share of messages per question, minute by minute.

``minute`` counts whole minutes since the session start (0 = the first minute), over the in-chat window plus
``tail_minutes`` after its end (spill-over past the end stays visible). ``question`` is null for messages not on a
question. ``share = messages / all messages of that minute`` (reposts included unless ``include_reposts=False``).
Minutes without any message have no rows.

Examples
--------
>>> from datetime import datetime, timezone
>>> import polars as pl
>>> t = lambda m, s=0: datetime(2026, 1, 5, 21, m, s, tzinfo=timezone.utc)
>>> msgs = pl.DataFrame({"message_id": ["1", "2", "3", "4"], "session_id": ["s"] * 4, "kind": ["post"] * 4,
...                      "created_at": [t(0, 5), t(0, 40), t(1), t(30)]})
>>> a = pl.DataFrame({"message_id": ["1", "2", "3", "4"], "question": [1, None, 1, 2]})
>>> sessions = pl.DataFrame({"session_id": ["s"], "start": [t(0)], "end": [t(20)]})
>>> flow_minutes(msgs, a, sessions).rows()
[('s', 0, None, 1, 0.5), ('s', 0, 1, 1, 0.5), ('s', 1, 1, 1, 1.0)]
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

__all__ = ["FLOW_MINUTES_SCHEMA", "TAIL_MINUTES", "flow_minutes"]

#: Minutes after the in-chat window that the table still covers.
TAIL_MINUTES = 5

FLOW_MINUTES_SCHEMA = pl.Schema(
    {
        "session_id": pl.String,
        "minute": pl.Int64,
        "question": pl.Int64,
        "messages": pl.Int64,
        "share": pl.Float64,
    }
)


def flow_minutes(session_messages: pl.DataFrame | pl.LazyFrame, assignments: pl.DataFrame, sessions: pl.DataFrame,
                 *, tail_minutes: float = TAIL_MINUTES, include_reposts: bool = True) -> pl.DataFrame:
    """Messages per (session, minute since start, question) and their share of the minute.

    Returns :data:`FLOW_MINUTES_SCHEMA`, sorted by session_id, minute and question (nulls first).
    """
    lazy = session_messages.lazy() if isinstance(session_messages, pl.DataFrame) else session_messages
    msgs = lazy.select("message_id", "session_id", "kind", "created_at")
    if not include_reposts:
        msgs = msgs.filter(pl.col("kind") != "repost")
    windows = sessions.lazy().select("session_id", pl.col("start").cast(pl.Datetime("us", "UTC")),
                                     pl.col("end").cast(pl.Datetime("us", "UTC")))
    frame = (
        msgs.join(windows, on="session_id", how="inner")
        .filter((pl.col("created_at") >= pl.col("start"))
                & (pl.col("created_at") < pl.col("end") + timedelta(minutes=tail_minutes)))
        .join(assignments.lazy().select("message_id", pl.col("question").cast(pl.Int64)), on="message_id",
              how="left")
        .with_columns(minute=((pl.col("created_at") - pl.col("start")).dt.total_seconds() // 60).cast(pl.Int64))
        .group_by("session_id", "minute", "question")
        .agg(messages=pl.len().cast(pl.Int64))
        .with_columns(share=pl.col("messages") / pl.col("messages").sum().over("session_id", "minute"))
        .sort("session_id", "minute", "question", nulls_last=False)
    )
    return frame.collect().select(list(FLOW_MINUTES_SCHEMA)).cast(dict(FLOW_MINUTES_SCHEMA))
