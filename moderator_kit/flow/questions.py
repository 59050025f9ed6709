"""The questions of each session: the agenda from the config, and the moderators' Qn posts found in the chat.

Rules (see ``docs/metrics/flow.md``, "Questions"):

* The plan comes from ``config.agenda_for(session_id)``: ``planned_at = start + offset_minutes``.
* The actual post is a moderator's in-chat message (or one up to :data:`EARLY_POST_MINUTES` before the start) that
  *leads* with "Q1", "Q1:", "Q.1", "Q 1" or "Question 1"
  (:data:`moderator_kit.flow.patterns.QUESTION_PATTERN`), also inside a repost "RT @mod: Q1 …" of a moderator's
  post. A repost stands for the question only when the moderator's original is not in the data.
* A question posted twice: the first original post counts (earliest ``created_at``); later posts of the same number
  are still classified as question posts by :func:`moderator_kit.flow.assign.assign_questions`.
* A planned question that is never posted keeps ``posted_at = null`` (skipped). A detected question that is not in the
  agenda is kept with ``origin = 'detected'``. Out-of-order posting is fine: each number keeps its own times.

Examples
--------
>>> from datetime import datetime, timezone
>>> import polars as pl
>>> from moderator_kit.config import ChatConfig
>>> from moderator_kit.schema import conform
>>> t = lambda m: datetime(2026, 1, 5, 21, m, tzinfo=timezone.utc)
>>> msgs = conform(pl.DataFrame({"message_id": ["1", "2", "3"], "author_handle": ["mod", "mod", "amy"],
...     "created_at": [t(1), t(12), t(3)], "text": ["Q1: Why?", "Q2: How?", "A1: because"], "kind": ["post"] * 3,
...     "platform": ["twitter"] * 3})).with_columns(session_id=pl.lit("2026-01-05"), phase=pl.lit("chat"))
>>> sessions = pl.DataFrame({"session_id": ["2026-01-05"], "start": [t(0)], "end": [t(59)]})
>>> infer_moderators(msgs)
['mod']
>>> q = detect_questions(msgs, sessions, ChatConfig(chat="demo"), ["mod"])
>>> q.select("question", "message_id", "origin").rows()
[(1, '1', 'detected'), (2, '2', 'detected')]
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from moderator_kit.config import ChatConfig
from moderator_kit.flow.patterns import (
    QUESTION_CANDIDATE_PATTERN,
    question_number,
    repost_prefix_handle,
    strip_repost_prefix,
)

__all__ = [
    "QUESTION_SCHEMA",
    "question_posts",
    "infer_moderators",
    "detect_questions",
    "MIN_INFERRED_QUESTIONS",
    "EARLY_POST_MINUTES",
]

_UTC = pl.Datetime("us", "UTC")

QUESTION_SCHEMA = pl.Schema(
    {
        "session_id": pl.String,
        "question": pl.Int64,
        "text": pl.String,
        "planned_at": _UTC,
        "posted_at": _UTC,
        "message_id": pl.String,
        "author_handle": pl.String,
        "origin": pl.String,  # 'agenda' | 'detected' | 'agenda+detected'
        "lateness_minutes": pl.Float64,
    }
)

#: An account is inferred to be a moderator when it posts at least this many distinct Qn numbers in one session.
MIN_INFERRED_QUESTIONS = 2

#: A moderator's Qn post this many minutes before the start (pre-chat) still counts as the question's post.
EARLY_POST_MINUTES = 10.0


def _eager(frame: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    return frame.collect() if isinstance(frame, pl.LazyFrame) else frame


def question_posts(session_messages: pl.DataFrame | pl.LazyFrame, sessions: pl.DataFrame | None = None, *,
                   early_minutes: float = EARLY_POST_MINUTES) -> pl.DataFrame:
    """Every in-chat message that leads with a Qn tag, with the account whose question it is.

    With ``sessions`` (``session_id``, ``start``), a Qn post up to ``early_minutes`` before the start (a moderator
    posting Q1 a little early) counts too; earlier pre-chat posts are previews.

    Returns session_id, message_id, created_at, author_handle, question_author (the reposted account for a repost or
    an "RT @x:" text, else the author), is_repost, repost_of_message_id, question (Int64) and text (without the RT
    prefix). Nothing here decides who is a moderator.
    """
    frame = _eager(session_messages)
    if frame.height == 0:
        frame = frame.clear()
    lazy = frame.lazy().filter(pl.col("text").str.contains(QUESTION_CANDIDATE_PATTERN).fill_null(False))
    in_window = pl.col("phase") == "chat"
    if sessions is not None and sessions.height:
        starts = sessions.lazy().select("session_id", _start=pl.col("start").cast(_UTC))
        lazy = lazy.join(starts, on="session_id", how="left")
        in_window = in_window | (
            (pl.col("phase") == "pre")
            & (pl.col("created_at") >= pl.col("_start") - pl.duration(microseconds=int(early_minutes * 60e6))))
    rt = repost_prefix_handle(pl.col("text"))
    is_repost = (pl.col("kind") == "repost") | rt.is_not_null()
    return (
        lazy.filter(in_window.fill_null(False))
        .with_columns(question=question_number(pl.col("text")))
        .filter(pl.col("question").is_not_null())
        .select(
            "session_id",
            "message_id",
            "created_at",
            "author_handle",
            question_author=pl.when(pl.col("kind") == "repost")
            .then(pl.coalesce(pl.col("repost_of_author_handle").str.to_lowercase(), rt))
            .otherwise(pl.coalesce(rt, pl.col("author_handle"))),
            is_repost=is_repost.fill_null(False),
            repost_of_message_id="repost_of_message_id",
            question="question",
            text=strip_repost_prefix(pl.col("text")),
        )
        .collect()
    )


def infer_moderators(session_messages: pl.DataFrame | pl.LazyFrame, *, min_questions: int = MIN_INFERRED_QUESTIONS,
                     min_ratio: float = 0.5) -> list[str]:
    """The accounts that post the Qn sequence, for chats whose config names no moderators.

    An account qualifies in a session when it is the author of at least ``min_questions`` distinct Qn posts there
    (a repost credits the reposted account, never the reposter) and at least ``min_ratio`` times as many as the
    session's top Qn poster (so a participant who answers with "Q1:"/"Q2:" tags does not become a moderator).

    Returns the sorted handles qualifying in at least one session.

    >>> import polars as pl
    >>> from datetime import datetime, timezone
    >>> from moderator_kit.schema import conform
    >>> t = datetime(2026, 1, 5, 21, tzinfo=timezone.utc)
    >>> m = conform(pl.DataFrame({"message_id": ["1", "2"], "author_handle": ["ian", "ian"], "created_at": [t, t],
    ...     "kind": ["repost", "repost"], "repost_of_author_handle": ["mentor", "mentor"],
    ...     "text": ["RT @mentor: Q3 Why?", "RT @mentor: Q4 How?"]})).with_columns(
    ...     session_id=pl.lit("s"), phase=pl.lit("chat"))
    >>> infer_moderators(m)
    ['mentor']
    """
    posts = question_posts(session_messages)
    if posts.height == 0:
        return []
    counts = (
        posts.filter(pl.col("question_author").is_not_null())
        .group_by("session_id", "question_author")
        .agg(n=pl.col("question").n_unique())
        .with_columns(top=pl.col("n").max().over("session_id"))
        .filter((pl.col("n") >= min_questions) & (pl.col("n") >= min_ratio * pl.col("top")))
    )
    return sorted(counts["question_author"].unique().to_list())


def _agenda_frame(sessions: pl.DataFrame, config: ChatConfig | None) -> pl.DataFrame:
    """One row per planned question (a loop over sessions, not messages)."""
    rows: dict[str, list] = {"session_id": [], "question": [], "offset_minutes": [], "agenda_text": []}
    if config is not None:
        for session_id in sessions["session_id"].to_list():
            for item in config.agenda_for(session_id):
                rows["session_id"].append(session_id)
                rows["question"].append(item.number)
                rows["offset_minutes"].append(item.offset_minutes)
                rows["agenda_text"].append(item.text or None)
    agenda = pl.DataFrame(
        rows, schema={"session_id": pl.String, "question": pl.Int64, "offset_minutes": pl.Float64,
                      "agenda_text": pl.String}
    ).unique(["session_id", "question"], keep="first", maintain_order=True)
    starts = sessions.select("session_id", pl.col("start").cast(_UTC))
    return agenda.join(starts, on="session_id", how="left").select(
        "session_id",
        "question",
        "agenda_text",
        in_agenda=pl.lit(True),
        planned_at=pl.col("start") + pl.duration(microseconds=(pl.col("offset_minutes") * 60_000_000).round()),
    )


def detect_questions(session_messages: pl.DataFrame | pl.LazyFrame, sessions: pl.DataFrame,
                     config: ChatConfig | None, moderators: Sequence[str] | None) -> pl.DataFrame:
    """The questions of every session: planned (agenda) and posted (moderators' Qn posts), one row per number.

    Parameters
    ----------
    session_messages
        Canonical messages with ``session_id`` and ``phase``.
    sessions
        The sessions frame (``session_id``, ``start``).
    config
        The chat config; its agenda gives the plan. ``None`` means no agenda.
    moderators
        Handles whose Qn posts count. Empty or ``None``: inferred with :func:`infer_moderators`.

    Returns
    -------
    polars.DataFrame
        :data:`QUESTION_SCHEMA`, sorted by session_id and question. ``lateness_minutes = posted_at - planned_at``
        (negative when early; null when either is unknown).
    """
    frame = _eager(session_messages)
    mods = [m.strip().lstrip("@").lower() for m in (moderators or [])] or infer_moderators(frame)
    posts = question_posts(frame, sessions).filter(pl.col("question_author").is_in(mods))
    originals = set(posts.filter(~pl.col("is_repost"))["message_id"].to_list())
    chosen = (
        posts.filter(~pl.col("is_repost") | ~pl.col("repost_of_message_id").is_in(list(originals)).fill_null(False))
        .sort("is_repost", "created_at", "message_id")
        .group_by("session_id", "question", maintain_order=True)
        .first()
        .select("session_id", "question", "message_id", "author_handle", posted_at="created_at", post_text="text")
    )
    agenda = _agenda_frame(sessions, config)
    merged = agenda.join(chosen, on=["session_id", "question"], how="full", coalesce=True)
    in_agenda = pl.col("in_agenda").fill_null(False)
    out = merged.select(
        "session_id",
        "question",
        text=pl.coalesce("agenda_text", "post_text"),
        planned_at=pl.col("planned_at").cast(_UTC),
        posted_at=pl.col("posted_at").cast(_UTC),
        message_id="message_id",
        author_handle="author_handle",
        origin=pl.when(in_agenda & pl.col("message_id").is_not_null())
        .then(pl.lit("agenda+detected"))
        .when(in_agenda)
        .then(pl.lit("agenda"))
        .otherwise(pl.lit("detected")),
    ).with_columns(
        lateness_minutes=(pl.col("posted_at") - pl.col("planned_at")).dt.total_microseconds() / 60_000_000,
    )
    return out.select(list(QUESTION_SCHEMA)).cast(dict(QUESTION_SCHEMA)).sort("session_id", "question")
