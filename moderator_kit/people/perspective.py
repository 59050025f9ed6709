"""Is the advice from one perspective or many? Communities of the graph behind each question's answers.

For each agenda question of a session, the *answerers* are the distinct authors of original messages the flow
assignment put in category ``answer`` for that question (reposts are not answers). Each answerer's community is
their Louvain community in the session graph (``nodes`` of :mod:`moderator_kit.graph`).

- ``communities``: distinct communities among the answerers with a known community;
- ``largest_community_share``: answerers in the largest of them / answerers with a known community;
- ``verdict``: ``'one perspective'`` when there is one community, or the largest holds at least
  :data:`ONE_PERSPECTIVE_SHARE` of the answerers; ``'many'`` when there are at least :data:`MANY_MIN_COMMUNITIES`
  communities and the largest holds at most :data:`MANY_MAX_SHARE`; ``'several'`` otherwise; null without answerers
  of known community. With fewer than :data:`MIN_ANSWERERS` answerers the verdict is ``'too few answerers'``.

Examples
--------
>>> import polars as pl
>>> assignments = pl.DataFrame({"message_id": ["1", "2", "3"], "session_id": ["s1"] * 3, "question": [1, 1, 1],
...                             "category": ["answer"] * 3})
>>> msgs = pl.DataFrame({"message_id": ["1", "2", "3"], "author_handle": ["ann", "bob", "cy"], "kind": ["post"] * 3})
>>> nodes = pl.DataFrame({"session_id": ["s1"] * 3, "handle": ["ann", "bob", "cy"], "community": [0, 1, 2]})
>>> question_perspective(assignments, msgs, nodes).select("question", "communities", "verdict").rows()
[(1, 3, 'many')]
"""

from __future__ import annotations

import polars as pl

__all__ = ["question_perspective", "ONE_PERSPECTIVE_SHARE", "MANY_MIN_COMMUNITIES", "MANY_MAX_SHARE",
           "MIN_ANSWERERS"]

#: The largest community holding at least this share of the answerers means one perspective.
ONE_PERSPECTIVE_SHARE = 0.8
#: At least this many communities ...
MANY_MIN_COMMUNITIES = 3
#: ... with the largest holding at most this share means many perspectives.
MANY_MAX_SHARE = 0.5
#: Fewer answerers than this cannot show a spread of perspectives.
MIN_ANSWERERS = 2


def _eager(frame: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    return frame.collect() if isinstance(frame, pl.LazyFrame) else frame


def question_perspective(assignments: pl.DataFrame | pl.LazyFrame, session_messages: pl.DataFrame | pl.LazyFrame,
                         nodes: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Per ``(session_id, question)``: ``answers``, ``answerers``, ``unknown_community`` (answerers not in the
    graph's nodes), ``communities``, ``largest_community``, ``largest_community_share`` and ``verdict``."""
    assigned = _eager(assignments).filter(
        (pl.col("category") == "answer") & pl.col("question").is_not_null()
    ).select("message_id", "session_id", pl.col("question").cast(pl.Int64))
    authors = _eager(session_messages).filter(pl.col("kind") != "repost").select(
        "message_id", handle="author_handle").unique("message_id")
    community = _eager(nodes).select(
        pl.col("session_id").cast(pl.String), "handle", pl.col("community").cast(pl.Int64)
    ).unique(["session_id", "handle"])
    answers = assigned.join(authors, on="message_id", how="inner")
    people = (
        answers.group_by("session_id", "question", "handle")
        .agg(n=pl.len())
        .join(community, on=["session_id", "handle"], how="left")
    )
    totals = people.group_by("session_id", "question").agg(
        answers=pl.col("n").sum().cast(pl.Int64),
        answerers=pl.len().cast(pl.Int64),
        unknown_community=pl.col("community").is_null().sum().cast(pl.Int64),
        communities=pl.col("community").drop_nulls().n_unique().cast(pl.Int64),
    )
    largest = (
        people.filter(pl.col("community").is_not_null())
        .group_by("session_id", "question", "community")
        .agg(size=pl.len())
        .sort(["session_id", "question", "size", "community"], descending=[False, False, True, False])
        .group_by("session_id", "question", maintain_order=True)
        .first()
        .rename({"community": "largest_community"})
    )
    out = totals.join(largest, on=["session_id", "question"], how="left").with_columns(
        largest_community_share=pl.when(pl.col("answerers") > pl.col("unknown_community")).then(
            pl.col("size") / (pl.col("answerers") - pl.col("unknown_community")))
    )
    share = pl.col("largest_community_share")
    verdict = (
        pl.when(share.is_null()).then(pl.lit(None, dtype=pl.String))
        .when(pl.col("answerers") - pl.col("unknown_community") < MIN_ANSWERERS).then(pl.lit("too few answerers"))
        .when((pl.col("communities") == 1) | (share >= ONE_PERSPECTIVE_SHARE)).then(pl.lit("one perspective"))
        .when((pl.col("communities") >= MANY_MIN_COMMUNITIES) & (share <= MANY_MAX_SHARE)).then(pl.lit("many"))
        .otherwise(pl.lit("several"))
    )
    return out.with_columns(verdict=verdict).select(
        "session_id", "question", "answers", "answerers", "unknown_community", "communities", "largest_community",
        "largest_community_share", "verdict",
    ).sort("session_id", "question")
