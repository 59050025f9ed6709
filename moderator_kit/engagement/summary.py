"""Engagement figures per session (or for the whole chat) from the session messages.

Input: the ``session messages`` frame (canonical messages plus ``session_id`` and ``phase``). By default only the
in-chat phase counts (``phases=("chat",)``; ``None`` counts every phase). Formulas: ``docs/metrics/engagement.md``.

Examples
--------
>>> import polars as pl
>>> from datetime import datetime, timezone
>>> t = lambda m: datetime(2024, 1, 1, 21, m, tzinfo=timezone.utc)
>>> msgs = pl.DataFrame({
...     "session_id": ["s"] * 4, "phase": ["chat"] * 4,
...     "message_id": ["1", "2", "3", "4"],
...     "author_handle": ["mod", "ann", "bob", "cy"],
...     "created_at": [t(0), t(1), t(3), t(4)],
...     "kind": ["post", "reply", "reply", "repost"],
...     "reply_to_message_id": [None, "1", "1", None],
...     "reply_to_author_handle": [None, "mod", "mod", None],
...     "repost_of_author_handle": [None, None, None, "mod"],
... })
>>> row = engagement_by_session(msgs, moderators=["mod"]).row(0, named=True)
>>> row["active_participants"], row["pure_reposters"], row["median_reply_latency_s"]
(3, 1, 120.0)
>>> row["attention_gini_replies"]  # mod got both replies, ann and bob none: (n - 1) / n
0.6666666666666667
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from moderator_kit.engagement.gini import gini_expr
from moderator_kit.graph.build import interactions

__all__ = ["ENGAGEMENT_SCHEMA", "engagement_by_session"]

ENGAGEMENT_SCHEMA = pl.Schema(
    {
        "session_id": pl.String,
        "messages": pl.Int64,
        "originals": pl.Int64,
        "posts": pl.Int64,
        "replies": pl.Int64,
        "quotes": pl.Int64,
        "reposts": pl.Int64,
        "active_participants": pl.Int64,
        "pure_reposters": pl.Int64,
        "messages_per_active": pl.Float64,
        "reply_share": pl.Float64,
        "median_reply_latency_s": pl.Float64,
        "attention_gini_replies": pl.Float64,
        "attention_gini_mentions": pl.Float64,
        "moderator_messages": pl.Int64,
    }
)

_Frame = pl.DataFrame | pl.LazyFrame

_OPTIONAL = {
    "platform": pl.String,
    "author_handle": pl.String,
    "message_id": pl.String,
    "created_at": pl.Datetime("us", "UTC"),
    "kind": pl.String,
    "reply_to_message_id": pl.String,
    "reply_to_author_handle": pl.String,
    "repost_of_author_handle": pl.String,
    "quote_of_author_handle": pl.String,
    "mentions": pl.List(pl.String),
    "phase": pl.String,
}


def prepare(session_messages: _Frame) -> pl.LazyFrame:
    """Lazy frame with every column the engagement functions read (missing optional ones as nulls)."""
    lf = session_messages.lazy() if isinstance(session_messages, pl.DataFrame) else session_messages
    names = lf.collect_schema().names()
    missing = [pl.lit(None, dtype).alias(name) for name, dtype in _OPTIONAL.items() if name not in names]
    lf = lf.with_columns(missing) if missing else lf
    return lf.with_columns(
        kind=pl.col("kind").fill_null("post"),
        author_handle=pl.col("author_handle").str.strip_chars().str.strip_chars_start("@").str.to_lowercase(),
    )


def _in_phases(lf: pl.LazyFrame, phases: Iterable[str] | None) -> pl.LazyFrame:
    return lf if phases is None else lf.filter(pl.col("phase").is_in(list(phases)))


def engagement_by_session(session_messages: _Frame, *, moderators: Iterable[str] = (),
                          phases: Iterable[str] | None = ("chat",), by_session: bool = True) -> pl.DataFrame:
    """Engagement per ``session_id`` (columns of :data:`ENGAGEMENT_SCHEMA`, sorted by session).

    Every session present in the input gets a row, with zero counts and null ratios when it has no message in
    ``phases``. With ``by_session=False`` one row covers the whole chat (``session_id`` null): participants are
    counted once across sessions.

    Definitions (see ``docs/metrics/engagement.md``):

    * ``originals`` = messages that are not reposts (posts, replies and quotes);
    * ``active_participants`` = distinct authors of at least one original; ``pure_reposters`` = distinct authors
      with reposts only;
    * ``messages_per_active`` = messages / active_participants; ``reply_share`` = replies / originals;
    * ``median_reply_latency_s`` = median of (reply time - parent time) in seconds, over replies whose parent is a
      message of the same session (any phase) and is not later than the reply;
    * ``attention_gini_replies`` / ``attention_gini_mentions`` = Gini of replies / mentions received by each active
      participant, zeros included, counted as graph edges are (no self-replies, no self-mentions, the reply
      target's leading mention not counted, reposts carry no mentions); senders may be anyone in the phases;
    * ``moderator_messages`` = messages (every kind) by the given moderators.
    """
    lf = prepare(session_messages)
    mods = sorted({m.strip().lstrip("@").lower() for m in moderators if m and m.strip()})
    group = pl.col("session_id") if by_session else pl.lit(None, pl.String).alias("session_id")
    scope = _in_phases(lf, phases).with_columns(_group=group)
    original = pl.col("kind") != "repost"

    counts = scope.group_by("_group").agg(
        messages=pl.len(),
        originals=original.sum(),
        posts=(pl.col("kind") == "post").sum(),
        replies=(pl.col("kind") == "reply").sum(),
        quotes=(pl.col("kind") == "quote").sum(),
        reposts=(pl.col("kind") == "repost").sum(),
        active_participants=pl.col("author_handle").filter(original).drop_nulls().n_unique(),
        moderator_messages=pl.col("author_handle").is_in(mods).sum(),
    )
    per_author = (
        scope.filter(pl.col("author_handle").is_not_null())
        .group_by("_group", "author_handle")
        .agg(any_original=original.any())
    )
    reposters = per_author.group_by("_group").agg(pure_reposters=(~pl.col("any_original")).sum())
    actives = per_author.filter(pl.col("any_original")).select("_group", handle=pl.col("author_handle"))

    key = ["session_id", "platform", "message_id"]
    parents = (
        lf.select(*key, parent_at=pl.col("created_at"))
        .filter(pl.col("message_id").is_not_null())
        .unique(subset=key, keep="first")
        .rename({"message_id": "reply_to_message_id"})
    )
    latency = (
        scope.filter(original & pl.col("reply_to_message_id").is_not_null())
        .join(parents, on=["session_id", "platform", "reply_to_message_id"], how="inner", nulls_equal=True)
        .with_columns(latency_s=(pl.col("created_at") - pl.col("parent_at")).dt.total_microseconds() / 1e6)
        .filter(pl.col("latency_s") >= 0)
        .group_by("_group")
        .agg(median_reply_latency_s=pl.col("latency_s").median())
    )

    received = (
        interactions(scope, keys=["_group"])
        .filter(pl.col("type").is_in(["reply", "mention"]))
        .group_by("_group", "target")
        .agg(replies_in=(pl.col("type") == "reply").sum(), mentions_in=(pl.col("type") == "mention").sum())
        .rename({"target": "handle"})
    )
    attention = (
        actives.join(received, on=["_group", "handle"], how="left", nulls_equal=True)
        .with_columns(pl.col("replies_in", "mentions_in").fill_null(0))
        .group_by("_group")
        .agg(attention_gini_replies=gini_expr("replies_in"), attention_gini_mentions=gini_expr("mentions_in"))
    )

    sessions = lf.select(_group=group).unique()
    out = sessions
    for part in (counts, reposters, latency, attention):
        out = out.join(part, on="_group", how="left", nulls_equal=True)
    ints = [name for name, dtype in ENGAGEMENT_SCHEMA.items() if dtype == pl.Int64]
    out = out.with_columns(pl.col(ints).fill_null(0).cast(pl.Int64)).with_columns(
        messages_per_active=pl.when(pl.col("active_participants") > 0)
        .then(pl.col("messages") / pl.col("active_participants")),
        reply_share=pl.when(pl.col("originals") > 0).then(pl.col("replies") / pl.col("originals")),
    )
    out = out.rename({"_group": "session_id"}).select(ENGAGEMENT_SCHEMA.names()).sort("session_id")
    return out.collect().cast(ENGAGEMENT_SCHEMA)
