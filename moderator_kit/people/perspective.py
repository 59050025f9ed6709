"""Is the advice from one perspective or many? Communities of the graph behind each question's answers.

For each agenda question of a session, the *answerers* are the distinct authors of original messages the flow
assignment put in category ``answer`` for that question (reposts are not answers). Each answerer's community is
their Louvain community in the session graph (``nodes`` of :mod:`moderator_kit.graph`).

- ``communities``: distinct communities among the answerers with a known community;
- ``largest_community_share``: answerers in the largest of them / answerers with a known community;
- ``effective_communities``: the effective number of communities among the answerers, ``exp(H)`` with ``H`` the
  Shannon entropy of their community shares (Hill number of order 1: three equal communities give 3, one big and
  two tiny ones about 1.5);
- ``room_effective_communities``: the same over every person of the session graph (the room the answers could
  have come from);
- ``spread`` = ``effective_communities / room_effective_communities``: 1 when the answers come from across the
  room as much as the room itself is split, lower when they come from a corner of it;
- ``verdict``: ``'one perspective'`` when there is one community, or the largest holds at least
  :data:`ONE_PERSPECTIVE_SHARE` of the answerers; ``'narrow'`` when ``spread`` is below :data:`NARROW_SPREAD`;
  ``'broad'`` otherwise; null without answerers of known community. With fewer than :data:`MIN_ANSWERERS`
  answerers the verdict is ``'too few answerers'``.

A plain count of communities does not tell questions apart: a 30-person session splits into 5-6 Louvain
communities, so any 15 answerers touch 4 or more of them and every question read "many perspectives". The spread
compares each question with its own room instead (docs/metrics/people.md, "Perspective").

Examples
--------
>>> import polars as pl
>>> assignments = pl.DataFrame({"message_id": ["1", "2", "3"], "session_id": ["s1"] * 3, "question": [1, 1, 1],
...                             "category": ["answer"] * 3})
>>> msgs = pl.DataFrame({"message_id": ["1", "2", "3"], "author_handle": ["ann", "bob", "cy"], "kind": ["post"] * 3})
>>> nodes = pl.DataFrame({"session_id": ["s1"] * 3, "handle": ["ann", "bob", "cy"], "community": [0, 1, 2]})
>>> question_perspective(assignments, msgs, nodes).select("question", "communities", "spread", "verdict").rows()
[(1, 3, 1.0, 'broad')]
"""

from __future__ import annotations

import polars as pl

__all__ = ["question_perspective", "ONE_PERSPECTIVE_SHARE", "NARROW_SPREAD", "MIN_ANSWERERS", "VERDICT_LABELS"]

#: The largest community holding at least this share of the answerers means one perspective.
ONE_PERSPECTIVE_SHARE = 0.8
#: Answers whose effective number of communities is below this share of the room's come from a corner of it.
NARROW_SPREAD = 0.6
#: How the verdicts read on the dashboard and in reports.
VERDICT_LABELS = {"one perspective": "one perspective", "narrow": "narrow: from a corner of the room",
                  "broad": "broad: from across the room", "too few answerers": "too few answerers"}
#: Fewer answerers than this cannot show a spread of perspectives.
MIN_ANSWERERS = 2


def _effective(counts: pl.Expr) -> pl.Expr:
    """exp(Shannon entropy) of a group's community sizes (the effective number of communities).

    The sizes are summed in sorted order: a group's rows arrive in whatever order polars' threads produce them, and
    a float sum in another order differs in the last bits (two runs, or two Dask workers, must agree exactly).
    """
    counts = counts.sort()
    share = counts / counts.sum()
    return (-(share * share.log()).sum()).exp()


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
    effective = (
        people.filter(pl.col("community").is_not_null())
        .group_by("session_id", "question", "community").agg(size=pl.len())
        .group_by("session_id", "question").agg(effective_communities=_effective(pl.col("size")))
    )
    room = (
        community.filter(pl.col("community").is_not_null())
        .group_by("session_id", "community").agg(size=pl.len())
        .group_by("session_id").agg(room_effective_communities=_effective(pl.col("size")))
    )
    out = totals.join(largest, on=["session_id", "question"], how="left").join(
        effective, on=["session_id", "question"], how="left").join(room, on="session_id", how="left").with_columns(
        spread=(pl.col("effective_communities") / pl.col("room_effective_communities")).clip(upper_bound=1.0),
    ).with_columns(
        largest_community_share=pl.when(pl.col("answerers") > pl.col("unknown_community")).then(
            pl.col("size") / (pl.col("answerers") - pl.col("unknown_community")))
    )
    share = pl.col("largest_community_share")
    verdict = (
        pl.when(share.is_null()).then(pl.lit(None, dtype=pl.String))
        .when(pl.col("answerers") - pl.col("unknown_community") < MIN_ANSWERERS).then(pl.lit("too few answerers"))
        .when((pl.col("communities") == 1) | (share >= ONE_PERSPECTIVE_SHARE)).then(pl.lit("one perspective"))
        .when(pl.col("spread") < NARROW_SPREAD).then(pl.lit("narrow"))
        .otherwise(pl.lit("broad"))
    )
    return out.with_columns(verdict=verdict).select(
        "session_id", "question", "answers", "answerers", "unknown_community", "communities", "largest_community",
        "largest_community_share", "effective_communities", "room_effective_communities", "spread", "verdict",
    ).sort("session_id", "question")
