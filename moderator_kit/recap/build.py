"""The night's recap from the snapshot: best answers per question, newcomers, thank-yous, pay-it-forward stories.

Every figure comes from tables the analysis wrote (``messages``, ``questions``, ``roles``, ``nodes``,
``perspective``, ``thanks``, ``forward``, ``excluded``); nothing is recomputed from the archive. The rules (also in
``docs/metrics/people.md``, "The night's recap"):

- an *answer* is a kept original the flow assigned to a question (category ``answer``), not a repost, not a help
  request and not a thank-you;
- it is *received* by others: replies from other people, likes, reposts (the platform's count, or the reposts in the
  archive when more) and thank-yous replying to it, summed;
- per question the best :data:`ANSWERS_PER_QUESTION` answers, advocates of the night first, then by reception,
  then time; each carries its author's role, role strength and graph community of the night;
- left out and counted: messages of people labelled ``self_promoter``, ``recruiter`` or ``spam`` that night,
  messages the flow calls ``promotional``, and messages the spam rules excluded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from moderator_kit.people.signals import HELP_SEEKING, THANKS
from moderator_kit.snapshot_store import Snapshot
from moderator_kit.value.sponsor import message_url

__all__ = ["Recap", "RecapAnswer", "RecapQuestion", "build_recap", "ANSWERS_PER_QUESTION", "LEFT_OUT_ROLES"]

#: How many answers a question shows.
ANSWERS_PER_QUESTION = 3
#: Answers with fewer words (mentions, hashtags and links not counted) are not quoted.
MIN_QUOTE_WORDS = 5
#: Whose messages are never quoted (their messages are counted as left out).
LEFT_OUT_ROLES = ("self_promoter", "recruiter", "spam")


@dataclass(frozen=True)
class RecapAnswer:
    message_id: str
    handle: str
    text: str
    url: str | None
    received: int
    role: str
    strength: str | None
    community: int | None


@dataclass(frozen=True)
class RecapQuestion:
    number: int
    text: str
    answers: tuple[RecapAnswer, ...]
    answer_count: int
    perspective: str | None


@dataclass
class Recap:
    """Everything a recap shows, already filtered (renderers only format)."""

    chat: str
    title: str
    session_id: str
    questions: list[RecapQuestion]
    left_out: dict[str, int]
    newcomers: list[str]
    thanked: list[tuple[str, int]]
    forward: list[dict[str, Any]]
    anonymized: bool = False
    include_text: bool = True
    handles: set[str] = field(default_factory=set)

    @property
    def left_out_total(self) -> int:
        return sum(self.left_out.values())


def _empty_if_missing(snapshot: Snapshot, name: str) -> pl.DataFrame:
    return snapshot.table(name) if name in snapshot.tables() else pl.DataFrame()


def _received(messages: pl.DataFrame) -> pl.DataFrame:
    """Per message id: replies by others, in-archive reposts and thank-you replies."""
    replies = (
        messages.filter(pl.col("reply_to_message_id").is_not_null()
                        & (pl.col("author_handle") != pl.col("reply_to_author_handle")).fill_null(True))
        .group_by("reply_to_message_id")
        .agg(replies=pl.len(), thanks=pl.col("text").fill_null("").str.contains(THANKS).sum())
        .rename({"reply_to_message_id": "message_id"})
    )
    reposts = (messages.filter(pl.col("kind") == "repost").group_by("repost_of_message_id").agg(archived=pl.len())
               .rename({"repost_of_message_id": "message_id"}))
    return replies.join(reposts, on="message_id", how="full", coalesce=True)


def build_recap(snapshot: Snapshot, session_id: str, *, answers_per_question: int = ANSWERS_PER_QUESTION
                ) -> Recap:
    """The recap of one session of ``snapshot`` (see the module docstring for what is chosen and why)."""
    messages = snapshot.table("messages").filter(pl.col("session_id") == session_id)
    roles = _empty_if_missing(snapshot, "roles")
    roles = roles.filter(pl.col("session_id") == session_id) if roles.height else pl.DataFrame(
        schema={"handle": pl.String, "labels": pl.List(pl.String), "primary_role": pl.String})
    if "strength" not in roles.columns:
        roles = roles.with_columns(strength=pl.lit(None, pl.String))
    labelled = roles.filter(pl.col("labels").list.set_intersection(list(LEFT_OUT_ROLES)).list.len() > 0)
    left_out_people = labelled["handle"].to_list()
    spam_people = labelled.filter(pl.col("labels").list.contains("spam"))["handle"].to_list()
    advocates = roles.filter(pl.col("labels").list.contains("advocate"))["handle"].to_list()

    originals = messages.filter(pl.col("kind") != "repost")
    by_author = pl.col("author_handle")
    promotional = originals.filter(
        (by_author.is_in(left_out_people) & ~by_author.is_in(spam_people))
        | ((pl.col("category").fill_null("") == "promotional") & ~by_author.is_in(spam_people)))
    excluded = _empty_if_missing(snapshot, "excluded")
    left_out = {
        "promotional": promotional.height,
        "spam": originals.filter(by_author.is_in(spam_people)).height
        + (excluded.filter(pl.col("session_id") == session_id).height if excluded.height else 0),
    }

    nodes = _empty_if_missing(snapshot, "nodes")
    community = (nodes.filter(pl.col("session_id") == session_id).select("handle", "community")
                 if nodes.height else pl.DataFrame(schema={"handle": pl.String, "community": pl.Int64}))
    answers = (
        originals.filter(
            (pl.col("category") == "answer") & pl.col("question").is_not_null()
            & ~pl.col("author_handle").is_in(left_out_people)
            & ~pl.col("text").fill_null("").str.contains(HELP_SEEKING)
            & ~pl.col("text").fill_null("").str.contains(THANKS)
            # "Yes yes yes 👏" agrees, it does not answer: too short to quote
            & (pl.col("text").fill_null("").str.replace_all(r"[@#]\w+|https?://\S+", " ")
               .str.count_matches(r"[^\W_]+") >= MIN_QUOTE_WORDS)
        )
        .join(_received(messages), on="message_id", how="left")
        .with_columns(
            received=(pl.col("replies").fill_null(0) + pl.col("like_count").fill_null(0)
                      + pl.max_horizontal(pl.col("repost_count").fill_null(0), pl.col("archived").fill_null(0))
                      + pl.col("thanks").fill_null(0)).cast(pl.Int64),
            advocate=pl.col("author_handle").is_in(advocates),
            url=message_url(),
        )
        .join(roles.select(author_handle="handle", role="primary_role", strength="strength"), on="author_handle",
              how="left")
        .join(community.rename({"handle": "author_handle"}), on="author_handle", how="left")
        .sort(["question", "advocate", "received", "created_at", "message_id"],
              descending=[False, True, True, False, False])
    )
    counts = dict(answers.group_by("question").len().iter_rows())
    best = answers.group_by("question", maintain_order=True).head(answers_per_question)
    questions = _empty_if_missing(snapshot, "questions")
    questions = questions.filter(pl.col("session_id") == session_id).sort("question") if questions.height else questions
    perspective = _empty_if_missing(snapshot, "perspective")
    verdicts = dict(perspective.filter(pl.col("session_id") == session_id).select("question", "verdict").iter_rows()
                    ) if perspective.height and "verdict" in perspective.columns else {}
    grouped: dict[int, list[RecapAnswer]] = {}
    for row in best.iter_rows(named=True):  # a handful of rows per question: formatting, not computing
        grouped.setdefault(row["question"], []).append(RecapAnswer(
            message_id=row["message_id"], handle=row["author_handle"], text=row["text"] or "", url=row["url"],
            received=row["received"], role=row["role"] or "participant", strength=row["strength"],
            community=row["community"]))
    recap_questions = [
        RecapQuestion(number=q, text=text or "", answers=tuple(grouped.get(q, ())), answer_count=counts.get(q, 0),
                      perspective=verdicts.get(q))
        for q, text in (questions.select("question", "text").iter_rows() if questions.height else [])
    ]

    newcomers = sorted(roles.filter(pl.col("labels").list.contains("newcomer"))["handle"].to_list())
    thanks = _empty_if_missing(snapshot, "thanks")
    thanked: list[tuple[str, int]] = []
    if thanks.height:
        thanked = [
            (h, n) for h, n in thanks.filter(pl.col("session_id") == session_id)
            .select("handle", pl.col("thanked")).explode("thanked").drop_nulls("thanked")
            .filter(pl.col("thanked") != pl.col("handle")).unique()
            .group_by("thanked").agg(n=pl.len()).sort(["n", "thanked"], descending=[True, False]).iter_rows()
            if h not in left_out_people
        ]
    forward = _empty_if_missing(snapshot, "forward")
    stories = (forward.filter(pl.col("advocate_sessions").list.contains(session_id)).sort("handle").to_dicts()
               if forward.height else [])
    handles = set(messages["author_handle"].drop_nulls()) | {h for h, _ in thanked} | set(newcomers)
    return Recap(chat=snapshot.chat, title=str(snapshot.meta.get("title") or snapshot.chat), session_id=session_id,
                 questions=recap_questions, left_out=left_out, newcomers=newcomers, thanked=thanked,
                 forward=stories, handles=handles)
