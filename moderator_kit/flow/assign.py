"""Answer assignment: every message of a session gets a question or a category, and the method used.

Order of evidence (the first that applies wins; see ``docs/metrics/flow.md``, "Answer assignment"):

1. **Question post** – the moderator's Qn post (or a later re-post of the same number by a moderator):
   category ``question``, method ``tag``.
2. **Explicit tag** – "A1", "A1:", "a1)", "A.1", "#A1", "A1/Q1", "a1 -", "A 1", "Ans 1:", a trailing "… A3"
   (:func:`moderator_kit.flow.patterns.answer_tag`), when the session has a question of that number (planned or
   posted), or when the session has no known question at all (a participant's own archive holds their answers
   but not the questions). An answer tagged before its question was posted keeps the tag.
3. **Social / promotional** – an untagged greeting, thank-you or intro, or a promotion (a link with promotional
   wording, or the same link posted again and again) is never an answer, wherever it hangs.
4. **Thread** – a reply to a message in the data takes that message's question (a question post, an answer, or a
   reply further down), and none when it has none (a reply to an intro is a side conversation). Chains are walked
   with one join per level, not per row.
5. **Quote** – a quote of a message in the data, likewise.
6. **Time** – for an in-chat, original, non-moderator message: the question current at that time (the last one
   posted before it, by ``join_asof``), marked inferred. Messages before the first question get none.

Reposts inherit the question, category and confidence of what they repost (method ``repost``); when the original is
not in the data, the "RT @x: …" text is read instead (a reposted Qn of a moderator is a question post, a reposted
"A3" an answer to Q3).

Tag, thread and quote evidence count in the ``chat`` and ``follow_up`` phases (a late "A6" two minutes after the
end is still an answer to Q6); the time step only inside the ``chat`` phase. Nothing in the ``pre`` phase gets a
question. A moderator with tag, thread or quote evidence is answering (category ``answer``); moderators never get a
time-inferred question.

Examples
--------
>>> from datetime import datetime, timezone
>>> import polars as pl
>>> from moderator_kit.schema import conform
>>> t = lambda m: datetime(2026, 1, 5, 21, m, tzinfo=timezone.utc)
>>> msgs = conform(pl.DataFrame({
...     "message_id": ["q1", "a", "b", "c", "d"], "author_handle": ["mod", "amy", "bob", "cat", "dan"],
...     "created_at": [t(1), t(2), t(3), t(4), t(5)], "platform": ["twitter"] * 5,
...     "kind": ["post", "post", "reply", "post", "post"], "reply_to_message_id": [None, None, "a", None, None],
...     "text": ["Q1: Why?", "A1: because", "@amy agreed", "Hi all!", "Depends on the team"]})
... ).with_columns(session_id=pl.lit("s"), phase=pl.lit("chat"))
>>> questions = pl.DataFrame({"session_id": ["s"], "question": [1], "message_id": ["q1"], "posted_at": [t(1)],
...     "planned_at": [None]}, schema_overrides={"planned_at": pl.Datetime("us", "UTC")})
>>> assign_questions(msgs, questions, ["mod"]).select("message_id", "question", "category", "method").rows()
[('q1', 1, 'question', 'tag'), ('a', 1, 'answer', 'tag'), ('b', 1, 'answer', 'thread'), ('c', None, 'social', 'none'), ('d', 1, 'answer', 'time')]
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from moderator_kit.flow.patterns import (
    ANSWER_CANDIDATE_PATTERN,
    QUESTION_CANDIDATE_PATTERN,
    answer_tag,
    has_promo_wording,
    has_url,
    is_social,
    question_number,
    repost_prefix_handle,
    strip_repost_prefix,
)

__all__ = [
    "ASSIGNMENT_SCHEMA",
    "CATEGORIES",
    "METHODS",
    "CONFIDENCE",
    "EXPLICIT_PHASES",
    "REPEATED_LINK_MIN",
    "MAX_THREAD_DEPTH",
    "assign_questions",
]

CATEGORIES = ("question", "answer", "moderator", "social", "promotional", "off_agenda")
METHODS = ("tag", "thread", "quote", "repost", "time", "none")

#: Confidence of each method. A reply or quote never claims more confidence than the message it hangs from
#: (a reply to a time-inferred answer is 0.5); a repost inherits the confidence of what it reposts.
#: The highest answer tag taken at its word in a session whose questions are unknown.
MAX_UNKNOWN_AGENDA_TAG = 20

CONFIDENCE = {"tag": 1.0, "thread": 0.9, "quote": 0.9, "time": 0.5}

#: Phases in which tag, thread and quote evidence count (the time step is 'chat' only).
EXPLICIT_PHASES = ("chat", "follow_up")

#: The same link posted by the same author this many times in one session makes those posts promotional.
REPEATED_LINK_MIN = 3

#: Reply chains deeper than this are cut (the walk stops earlier when nothing changes).
MAX_THREAD_DEPTH = 64

ASSIGNMENT_SCHEMA = pl.Schema(
    {
        "message_id": pl.String,
        "session_id": pl.String,
        "question": pl.Int64,
        "category": pl.String,
        "method": pl.String,
        "confidence": pl.Float64,
    }
)

_STATE = ("r_question", "r_category", "r_method", "r_confidence")


def _eager(frame: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    return frame.collect() if isinstance(frame, pl.LazyFrame) else frame


def _normalised_url(expr: pl.Expr) -> pl.Expr:
    return expr.str.to_lowercase().str.replace(r"^https?://(www\.)?", "").str.replace(r"[/?#]+$", "")


def _repeated_links(base: pl.DataFrame) -> pl.DataFrame:
    """_row of original messages whose link the same author posts >= REPEATED_LINK_MIN times in a session."""
    return (
        base.lazy()
        .filter(~pl.col("is_repost") & ((pl.col("urls").list.len() > 0) | pl.col("has_link")))
        .select(
            "_row", "session_id", "author_handle",
            url=pl.concat_list(pl.col("urls").fill_null(pl.lit([], pl.List(pl.String))),
                               pl.col("text").str.extract_all(r"https?://\S+")),
        )
        .explode("url")
        .filter(pl.col("url").is_not_null())
        .with_columns(url=_normalised_url(pl.col("url")))
        .unique(["_row", "url"])
        .with_columns(n=pl.len().over("session_id", "author_handle", "url"))
        .filter(pl.col("n") >= REPEATED_LINK_MIN)
        .select("_row", repeated_link=pl.lit(True))
        .unique("_row")
        .collect()
    )


def _current_question(base: pl.DataFrame, questions: pl.DataFrame) -> pl.DataFrame:
    """_row -> the question current at the message's time (last posted at or before it, per session), for the
    in-chat original messages. Where a session has no posted question at all, the planned times stand in."""
    posted_any = questions.group_by("session_id").agg(any_posted=pl.col("posted_at").is_not_null().any())
    anchors = (
        questions.join(posted_any, on="session_id", how="left")
        .select(
            "session_id",
            "question",
            anchor_at=pl.when(pl.col("any_posted")).then(pl.col("posted_at")).otherwise(pl.col("planned_at")),
        )
        .drop_nulls("anchor_at")
        .sort("anchor_at", "question")
        .unique(["session_id", "anchor_at"], keep="last", maintain_order=True)
        .sort("session_id", "anchor_at")
    )
    left = base.filter((pl.col("phase") == "chat") & ~pl.col("is_repost")).select(
        "_row", "session_id", "created_at").sort("session_id", "created_at")
    if anchors.height == 0 or left.height == 0:
        return left.select("_row", current=pl.lit(None, pl.Int64))
    joined = left.join_asof(anchors, left_on="created_at", right_on="anchor_at", by="session_id",
                            strategy="backward", check_sortedness=False)
    return joined.select("_row", current=pl.col("question")).drop_nulls("current")


def _inherit(frame: pl.DataFrame, state: pl.DataFrame, key: str, prefix: str) -> pl.DataFrame:
    """Join the resolved state of the message referenced by ``key`` (parent, quoted or reposted)."""
    ref = state.select(pl.col("message_id").alias(key), *[pl.col(c).alias(prefix + c) for c in _STATE])
    return frame.join(ref, on=key, how="left", maintain_order="left")


def _by_row(base: pl.DataFrame, *parts: pl.DataFrame) -> pl.DataFrame:
    """Attach per-row results (frames keyed by ``_row``) to ``base``."""
    for part in parts:
        base = base.join(part, on="_row", how="left", maintain_order="left")
    return base


def _valid_numbers(candidates: pl.LazyFrame, valid: pl.DataFrame, column: str) -> pl.LazyFrame:
    """Keep the candidate rows whose number names a question of their session."""
    return candidates.join(valid.lazy().select("session_id", pl.col("question").alias(column)),
                           on=["session_id", column], how="semi").select("_row", column)


def assign_questions(session_messages: pl.DataFrame | pl.LazyFrame, questions: pl.DataFrame,
                     moderators: Sequence[str] | None) -> pl.DataFrame:
    """Assign each session message to a question, or to a category, with the method and its confidence.

    Parameters
    ----------
    session_messages
        Canonical messages with ``session_id`` and ``phase``.
    questions
        The frame of :func:`moderator_kit.flow.questions.detect_questions` (session_id, question, message_id,
        posted_at, planned_at).
    moderators
        The moderators' handles (configured or inferred).

    Returns
    -------
    polars.DataFrame
        :data:`ASSIGNMENT_SCHEMA`, one row per message, in the input's order. ``question`` is null for messages
        without one; ``confidence`` is null for method ``none``.
    """
    frame = _eager(session_messages)
    mods = [m.strip().lstrip("@").lower() for m in (moderators or [])]
    qs = _eager(questions).select("session_id", "question", "message_id", "posted_at", "planned_at")
    valid = qs.select("session_id", "question").unique()

    text = pl.col("text")
    base = frame.select(
        "session_id", "phase", "author_handle", "kind", "created_at", "text", "message_id",
        "reply_to_message_id", "repost_of_message_id", "quote_of_message_id", "urls",
        repost_author=pl.coalesce(pl.col("repost_of_author_handle").str.to_lowercase(),
                                  repost_prefix_handle(text)),
    ).with_row_index("_row")
    base = base.with_columns(
        is_repost=(pl.col("kind") == "repost").fill_null(False),
        is_mod=pl.col("author_handle").is_in(mods).fill_null(False),
        explicit_ok=pl.col("phase").is_in(list(EXPLICIT_PHASES)).fill_null(False),
        has_link=has_url(text),
    )
    lazy = base.lazy()
    # The full tag patterns run only on the texts that pass a cheap test, and only valid numbers are kept.
    candidates = (lazy.filter(text.str.contains(ANSWER_CANDIDATE_PATTERN).fill_null(False))
                  .select("_row", "session_id", tag=answer_tag(text)))
    # Where a session has no known question at all (one participant's own archive holds their "A3 …" answers but
    # not the moderator's questions), an explicit tag is still an answer to that question number.
    agenda_unknown = (candidates.join(valid.lazy().select("session_id").unique(), on="session_id", how="anti")
                      .filter(pl.col("tag").is_between(1, MAX_UNKNOWN_AGENDA_TAG)).select("_row", "tag"))
    tags = pl.concat([_valid_numbers(candidates, valid, "tag"), agenda_unknown])
    qnums = _valid_numbers(
        lazy.filter((pl.col("is_mod") | pl.col("repost_author").is_in(mods).fill_null(False))
                    & text.str.contains(QUESTION_CANDIDATE_PATTERN).fill_null(False))
        .select("_row", "session_id", qnum=question_number(text)), valid, "qnum")
    designated = (
        lazy.select("_row", "message_id")
        .join(qs.lazy().drop_nulls("message_id").select("message_id", designated=pl.col("question")),
              on="message_id", how="inner")
        .select("_row", "designated")
    )
    classes = lazy.select("_row", social=is_social(strip_repost_prefix(text)))
    # Promotional wording only counts with a link, and its pattern is the slowest of all: run it on those rows only.
    with_link = pl.col("has_link") | (pl.col("urls").list.len() > 0)
    promo_rows = lazy.filter(with_link.fill_null(True)).select(
        "_row", promo_words=has_promo_wording(text) & with_link, _scanned=pl.lit(True))
    tags, qnums, designated, classes, promo_rows = pl.collect_all([tags, qnums, designated, classes, promo_rows])
    classes = _by_row(classes, promo_rows).select(
        "_row", "social", promo_words=pl.when(pl.col("_scanned")).then(pl.col("promo_words")).otherwise(False))
    base = _by_row(base, tags, qnums, designated, classes, _repeated_links(base), _current_question(base, qs))
    base = base.with_columns(promo=pl.col("promo_words") | pl.col("repeated_link").fill_null(False))

    # Own evidence of an original (non-repost) message: question post, then explicit tag; else the time rule.
    is_qpost = pl.col("designated").is_not_null() | (
        pl.col("is_mod") & pl.col("qnum").is_not_null() & pl.col("explicit_ok"))
    own_q = pl.when(is_qpost).then(pl.coalesce("designated", "qnum")).when(
        pl.col("tag").is_not_null() & pl.col("explicit_ok")).then(pl.col("tag"))
    own_cat = pl.when(is_qpost).then(pl.lit("question")).otherwise(pl.lit("answer"))
    # A greeting / thank-you or a promotion without a tag is never an answer, wherever it hangs.
    blocked = pl.col("social") | pl.col("promo")
    time_ok = ~pl.col("is_mod") & ~blocked & pl.col("current").is_not_null()
    originals = base.filter(~pl.col("is_repost"))
    ids = originals["message_id"].implode()
    originals = originals.with_columns(
        own_q=own_q,
        own_cat=pl.when(own_q.is_not_null()).then(own_cat),
        time_q=pl.when(time_ok).then(pl.col("current")),
        reply_in=pl.col("reply_to_message_id").is_in(ids).fill_null(False),
        quote_in=pl.col("quote_of_message_id").is_in(ids).fill_null(False),
    )
    own_or_time = {
        "r_question": pl.coalesce("own_q", "time_q"),
        "r_category": pl.when(pl.col("own_q").is_not_null()).then(pl.col("own_cat"))
        .when(pl.col("time_q").is_not_null()).then(pl.lit("answer")),
        "r_method": pl.when(pl.col("own_q").is_not_null()).then(pl.lit("tag"))
        .when(pl.col("time_q").is_not_null()).then(pl.lit("time")),
        "r_confidence": pl.when(pl.col("own_q").is_not_null()).then(pl.lit(CONFIDENCE["tag"]))
        .when(pl.col("time_q").is_not_null()).then(pl.lit(CONFIDENCE["time"])).cast(pl.Float64),
    }
    # A reply (or quote) of a message in the data takes that message's question, or none if it has none: a reply
    # to an intro is part of the side conversation, not an answer to the question current at that time.
    linked = pl.col("explicit_ok") & (pl.col("reply_in") | pl.col("quote_in"))
    depends = pl.col("own_q").is_null() & ~blocked & linked
    settled_now = pl.when(pl.col("own_q").is_null() & linked)
    fixed = originals.filter(~depends).select(
        "_row", "message_id", **{k: settled_now.then(None).otherwise(v) for k, v in own_or_time.items()})
    dependent = originals.filter(depends)
    targets = pl.concat([dependent["reply_to_message_id"], dependent["quote_of_message_id"]]).drop_nulls().unique()
    fixed_targets = fixed.filter(pl.col("message_id").is_in(targets.implode()))

    def step(rows: pl.DataFrame, state: pl.DataFrame) -> pl.DataFrame:
        joined = _inherit(_inherit(rows, state, "reply_to_message_id", "p_"), state, "quote_of_message_id", "q_")
        thread_ok = pl.col("p_r_question").is_not_null()
        quote_ok = pl.col("q_r_question").is_not_null()
        return joined.select(
            "_row",
            "message_id",
            r_question=pl.when(thread_ok).then(pl.col("p_r_question")).when(quote_ok).then(pl.col("q_r_question")),
            r_category=pl.when(thread_ok | quote_ok).then(pl.lit("answer")),
            r_method=pl.when(thread_ok).then(pl.lit("thread")).when(quote_ok).then(pl.lit("quote")),
            r_confidence=pl.when(thread_ok).then(
                pl.min_horizontal(pl.lit(CONFIDENCE["thread"]), pl.col("p_r_confidence")))
            .when(quote_ok).then(pl.min_horizontal(pl.lit(CONFIDENCE["quote"]), pl.col("q_r_confidence")))
            .cast(pl.Float64),
        )

    # Walk the reply/quote chains one level per round until nothing changes. A row's next state depends only on
    # the states of the messages it replies to and quotes, so after the first round only the rows under a message
    # whose state changed are recomputed (the same fixed point as recomputing every row each round).
    current = dependent.select("_row", "message_id", **own_or_time)
    pending = dependent
    for _ in range(MAX_THREAD_DEPTH):
        state = pl.concat([fixed_targets, current.filter(pl.col("message_id").is_in(targets.implode()))],
                          how="vertical_relaxed")
        new = step(pending, state)
        before = current.join(new.select("_row"), on="_row", how="semi", maintain_order="left")
        differs = pl.any_horizontal(pl.col(c).ne_missing(pl.col(f"{c}_new")) for c in _STATE)
        changed = before.join(new.drop("message_id"), on="_row", how="left", suffix="_new",
                              maintain_order="left").filter(differs)
        if changed.height == 0:
            break
        current = current.update(new, on="_row", include_nulls=True)
        ids = changed["message_id"].implode()
        pending = dependent.filter(pl.col("reply_to_message_id").is_in(ids) | pl.col("quote_of_message_id").is_in(ids))

    # Categories of originals without a question.
    settled = pl.concat([fixed, current], how="vertical_relaxed").drop("message_id")
    done = _by_row(originals.select("_row", "message_id", "reply_to_message_id", "is_mod", "promo", "social"),
                   settled).select(
        "_row",
        "message_id",
        "r_question",
        r_category=pl.coalesce(
            "r_category",
            pl.when(pl.col("is_mod") & pl.col("reply_to_message_id").is_null()).then(pl.lit("moderator"))
            .when(pl.col("promo")).then(pl.lit("promotional"))
            .when(pl.col("social")).then(pl.lit("social"))
            .when(pl.col("is_mod")).then(pl.lit("moderator"))
            .otherwise(pl.lit("off_agenda")),
        ),
        r_method=pl.col("r_method").fill_null("none"),
        r_confidence="r_confidence",
    )

    # Reposts: inherit from the original when it is in the data, else read the "RT @x:" text.
    reposts = _inherit(base.filter(pl.col("is_repost")), done, "repost_of_message_id", "o_")
    in_data = pl.col("o_r_category").is_not_null()
    mod_repost = pl.col("repost_author").is_in(mods).fill_null(False)
    rt_qpost = pl.col("designated").is_not_null() | (mod_repost & pl.col("qnum").is_not_null())
    rt_answer = pl.col("tag").is_not_null()
    reposts = reposts.select(
        "_row",
        "message_id",
        r_question=pl.when(in_data).then(pl.col("o_r_question"))
        .when(rt_qpost).then(pl.coalesce("designated", "qnum"))
        .when(rt_answer).then(pl.col("tag")),
        r_category=pl.when(in_data).then(pl.col("o_r_category"))
        .when(rt_qpost).then(pl.lit("question"))
        .when(rt_answer).then(pl.lit("answer"))
        .when(mod_repost).then(pl.lit("moderator"))
        .when(pl.col("promo")).then(pl.lit("promotional"))
        .when(pl.col("social")).then(pl.lit("social"))
        .otherwise(pl.lit("off_agenda")),
        r_method=pl.when(in_data & pl.col("o_r_question").is_not_null()).then(pl.lit("repost"))
        .when(~in_data & (rt_qpost | rt_answer)).then(pl.lit("repost"))
        .otherwise(pl.lit("none")),
        r_confidence=pl.when(in_data).then(pl.col("o_r_confidence"))
        .when(rt_qpost | rt_answer).then(pl.lit(CONFIDENCE["tag"])).cast(pl.Float64),
    )
    return (
        pl.concat([done, reposts], how="vertical_relaxed")
        .sort("_row")
        .select(
            "message_id",
            session_id=base["session_id"],
            question=pl.col("r_question"),
            category=pl.col("r_category"),
            method=pl.col("r_method"),
            confidence=pl.when(pl.col("r_method") == "none").then(None).otherwise(pl.col("r_confidence")),
        )
        .cast(dict(ASSIGNMENT_SCHEMA))
    )
