"""Herding metrics: how each question drew answers, how the session kept to its agenda, and pacing suggestions.

Every formula is in ``docs/metrics/flow.md`` ("Herding metrics"). In short:

* per question: answers (original answer messages), answerers (distinct) and their share of the session's active
  participants, median latency, half-life of the answer wave, spill-over after the next question, lateness;
* per session: on-agenda share, pace adherence, spill-over share and the 0-100 herding score
  ``100 × (0.4 × on_agenda + 0.3 × pace + 0.3 × (1 - spill-over))``, reweighted over the parts that exist;
* plain-language pacing suggestions computed from the per-question numbers.

Examples
--------
>>> from datetime import datetime, timezone
>>> import polars as pl
>>> from moderator_kit.config import ChatConfig, AgendaQuestion
>>> from moderator_kit.flow import detect_questions, assign_questions
>>> from moderator_kit.schema import conform
>>> t = lambda m: datetime(2026, 1, 5, 21, m, tzinfo=timezone.utc)
>>> rows = [("q1", "mod", 0, "Q1: Why?"), ("a", "amy", 2, "A1 yes"), ("b", "bob", 11, "A1 late"),
...         ("q2", "mod", 10, "Q2: How?"), ("c", "cat", 12, "A2 so")]
>>> msgs = conform(pl.DataFrame({"message_id": [r[0] for r in rows], "author_handle": [r[1] for r in rows],
...     "created_at": [t(r[2]) for r in rows], "text": [r[3] for r in rows], "kind": ["post"] * 5,
...     "platform": ["twitter"] * 5})).with_columns(session_id=pl.lit("s"), phase=pl.lit("chat"))
>>> sessions = pl.DataFrame({"session_id": ["s"], "start": [t(0)], "end": [t(20)]})
>>> cfg = ChatConfig(chat="x", agenda=[AgendaQuestion(number=1, offset_minutes=0),
...                                   AgendaQuestion(number=2, offset_minutes=6)])
>>> qs = detect_questions(msgs, sessions, cfg, ["mod"])
>>> a = assign_questions(msgs, qs, ["mod"])
>>> qm = question_metrics(msgs, a, qs)
>>> qm.select("question", "answers", "spillover_answers", "spillover_share").rows()
[(1, 2, 1, 0.5), (2, 1, None, None)]
>>> session_flow_metrics(msgs, a, qs, sessions).select(pl.col("on_agenda_share", "pace_adherence").round(3), "herding_score").row(0)
(1.0, 0.857, 80.7)
>>> session_flow_metrics(msgs, a, qs, sessions)["herding_score_parts"].item()
'0.4 × on-agenda 1.0 + 0.3 × pace 0.86 + 0.3 × (1 - spill-over) 0.5 = 80.7 ≈ 81'
>>> pacing_suggestions(qm)["suggestion"].to_list()
['Q2 was posted 4 minutes late']
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

__all__ = [
    "QUESTION_METRICS_SCHEMA",
    "SESSION_FLOW_SCHEMA",
    "HERDING_WEIGHTS",
    "herding_score_expr",
    "SPILL_SHARE_MIN",
    "SPILL_ANSWERS_MIN",
    "LATE_MINUTES_MIN",
    "LOW_REACH_SHARE",
    "question_metrics",
    "session_flow_metrics",
    "pacing_suggestions",
]

_UTC = pl.Datetime("us", "UTC")

#: Weights of the herding score's parts (they sum to 1; missing parts are dropped and the rest reweighted).
HERDING_WEIGHTS = {"on_agenda": 0.4, "pace": 0.3, "flow": 0.3}

#: Suggest more time when at least this share of a question's answers came after the next question ...
SPILL_SHARE_MIN = 0.25
#: ... and at least this many answers did.
SPILL_ANSWERS_MIN = 2
#: Mention lateness (or earliness) of at least this many minutes.
LATE_MINUTES_MIN = 3.0
#: Mention a question whose answerers are fewer than this share of the active participants.
LOW_REACH_SHARE = 0.25

QUESTION_METRICS_SCHEMA = pl.Schema(
    {
        "session_id": pl.String,
        "question": pl.Int64,
        "text": pl.String,
        "planned_at": _UTC,
        "posted_at": _UTC,
        "lateness_minutes": pl.Float64,
        "answers": pl.Int64,
        "answerers": pl.Int64,
        "active_participants": pl.Int64,
        "answerer_share": pl.Float64,
        "median_latency_s": pl.Float64,
        "half_life_s": pl.Float64,
        "next_question": pl.Int64,
        "spillover_answers": pl.Int64,
        "spillover_share": pl.Float64,
        "spillover_median_delay_s": pl.Float64,
    }
)

SESSION_FLOW_SCHEMA = pl.Schema(
    {
        "session_id": pl.String,
        "questions_planned": pl.Int64,
        "questions_posted": pl.Int64,
        "chat_messages": pl.Int64,
        "on_agenda_messages": pl.Int64,
        "on_agenda_share": pl.Float64,
        "pace_adherence": pl.Float64,
        "spillover_share": pl.Float64,
        "herding_score": pl.Float64,
        "herding_score_parts": pl.String,
    }
)


def _eager(frame: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    return frame.collect() if isinstance(frame, pl.LazyFrame) else frame


def _seconds(duration: pl.Expr) -> pl.Expr:
    return duration.dt.total_microseconds().cast(pl.Float64) / 1e6


def _labelled(session_messages: pl.DataFrame | pl.LazyFrame, assignments: pl.DataFrame) -> pl.DataFrame:
    msgs = _eager(session_messages).select("message_id", "session_id", "phase", "author_handle", "kind", "created_at")
    return msgs.join(_eager(assignments).select("message_id", "question", "category", "method"), on="message_id",
                     how="left")


def _active(labelled: pl.DataFrame) -> pl.DataFrame:
    """Active participants per session: authors of at least one original message in the chat phase."""
    return (
        labelled.filter((pl.col("phase") == "chat") & (pl.col("kind") != "repost"))
        .group_by("session_id")
        .agg(active_participants=pl.col("author_handle").n_unique().cast(pl.Int64))
    )


def question_metrics(session_messages: pl.DataFrame | pl.LazyFrame, assignments: pl.DataFrame,
                     questions: pl.DataFrame) -> pl.DataFrame:
    """Per (session_id, question): answers, answerers, reach, latency, half-life, spill-over and lateness.

    * ``answers``: original messages (not reposts) of category 'answer' assigned to the question, any method.
    * ``answerers``: their distinct authors; ``answerer_share = answerers / active_participants`` (authors of at
      least one original in-chat message, moderators included).
    * ``median_latency_s``: median of ``created_at - posted_at`` over the answers at or after the post.
    * ``half_life_s``: time from the post until the ``ceil(n/2)``-th of all ``n`` answers (in time order) arrived,
      at least 0 (answers tagged before the post count as arrived at once).
    * ``next_question``: the question posted next in time in the session; ``spillover_answers``: answers at or after
      its post (null for the last posted question and for questions never posted); ``spillover_share`` = spill-over
      answers / answers; ``spillover_median_delay_s``: their median delay after the next question's post.
    """
    labelled = _labelled(session_messages, assignments)
    qs = _eager(questions).select("session_id", "question", "text", "planned_at", "posted_at", "lateness_minutes")
    order = (
        qs.filter(pl.col("posted_at").is_not_null())
        .sort("session_id", "posted_at", "question")
        .with_columns(
            next_question=pl.col("question").shift(-1).over("session_id"),
            next_posted_at=pl.col("posted_at").shift(-1).over("session_id"),
        )
        .select("session_id", "question", "next_question", "next_posted_at")
    )
    qs = qs.join(order, on=["session_id", "question"], how="left")
    answers = (
        labelled.filter((pl.col("category") == "answer") & (pl.col("kind") != "repost")
                        & pl.col("question").is_not_null())
        .join(qs.select("session_id", "question", "posted_at", "next_posted_at"), on=["session_id", "question"],
              how="inner")
        .with_columns(
            latency_s=_seconds(pl.col("created_at") - pl.col("posted_at")),
            spill=pl.col("created_at") >= pl.col("next_posted_at"),
            spill_delay_s=_seconds(pl.col("created_at") - pl.col("next_posted_at")),
        )
        .sort("created_at", "message_id")
    )
    per_q = answers.group_by("session_id", "question").agg(
        answers=pl.len().cast(pl.Int64),
        answerers=pl.col("author_handle").n_unique().cast(pl.Int64),
        median_latency_s=pl.col("latency_s").filter(pl.col("latency_s") >= 0).median(),
        half_life_s=pl.col("latency_s").get(((pl.len() + 1) // 2 - 1).cast(pl.Int64)).clip(lower_bound=0.0),
        spillover_answers=pl.col("spill").sum().cast(pl.Int64),
        spillover_median_delay_s=pl.col("spill_delay_s").filter(pl.col("spill")).median(),
    )
    out = (
        qs.join(per_q, on=["session_id", "question"], how="left")
        .join(_active(labelled), on="session_id", how="left")
        .with_columns(
            answers=pl.col("answers").fill_null(0),
            answerers=pl.col("answerers").fill_null(0),
            active_participants=pl.col("active_participants").fill_null(0),
        )
        .with_columns(
            answerer_share=pl.when(pl.col("active_participants") > 0).then(
                pl.col("answerers") / pl.col("active_participants")),
            spillover_answers=pl.when(pl.col("next_posted_at").is_not_null()).then(
                pl.col("spillover_answers").fill_null(0)),
        )
        .with_columns(
            spillover_share=pl.when(pl.col("answers") > 0).then(pl.col("spillover_answers") / pl.col("answers")),
        )
    )
    return out.select(list(QUESTION_METRICS_SCHEMA)).cast(dict(QUESTION_METRICS_SCHEMA)).sort(
        "session_id", "question")


def _pace(questions: pl.DataFrame, sessions: pl.DataFrame) -> pl.DataFrame:
    """Pace adherence per session (see the docs): mean over planned questions of
    ``clip(1 - |lateness| / planned interval, 0, 1)``, a skipped question scoring 0."""
    planned = (
        questions.filter(pl.col("planned_at").is_not_null())
        .join(sessions.select("session_id", "start", "end"), on="session_id", how="left")
        .sort("session_id", "planned_at", "question")
        .with_columns(
            gap_s=_seconds(
                pl.col("planned_at").shift(-1).over("session_id").fill_null(pl.col("end")) - pl.col("planned_at")),
            duration_s=_seconds(pl.col("end") - pl.col("start")),
        )
        .with_columns(gap_s=pl.when(pl.col("gap_s") > 0).then(pl.col("gap_s")))
        .with_columns(
            gap_s=pl.coalesce("gap_s", pl.col("gap_s").median().over("session_id"), "duration_s"),
        )
        .with_columns(
            score=pl.when(pl.col("posted_at").is_null()).then(0.0).otherwise(
                (1 - (pl.col("lateness_minutes").abs() * 60) / pl.col("gap_s")).clip(0.0, 1.0)),
        )
    )
    return planned.group_by("session_id").agg(pace_adherence=pl.col("score").mean())


def _fmt(expr: pl.Expr) -> pl.Expr:
    return expr.round(2).cast(pl.String)


def _available_weight(parts: dict[str, pl.Expr]) -> pl.Expr:
    return pl.sum_horizontal([pl.when(expr.is_not_null()).then(HERDING_WEIGHTS[k]).otherwise(0.0)
                              for k, expr in parts.items()])


def herding_score_expr(on_agenda: pl.Expr, pace: pl.Expr, flow: pl.Expr) -> pl.Expr:
    """The 0-100 herding score: ``100 × Σ wᵢ·partᵢ / Σ wᵢ`` over the parts that are not null (weights
    :data:`HERDING_WEIGHTS`; ``flow`` is 1 − spill-over share), rounded to one decimal; null when no part is there.

    One expression for the snapshot (:func:`session_flow_metrics`) and the Live page's running score.

    >>> pl.select(herding_score_expr(pl.lit(1.0), pl.lit(6 / 7), pl.lit(0.5))).item()
    80.7
    >>> pl.select(herding_score_expr(pl.lit(0.8), pl.lit(None, pl.Float64), pl.lit(None, pl.Float64))).item()
    80.0
    """
    parts = {"on_agenda": on_agenda, "pace": pace, "flow": flow}
    total_w = _available_weight(parts)
    weighted = pl.sum_horizontal([pl.when(expr.is_not_null()).then(HERDING_WEIGHTS[k] * expr).otherwise(0.0)
                                  for k, expr in parts.items()])
    return pl.when(total_w > 0).then((100 * weighted / total_w).round(1))


def session_flow_metrics(session_messages: pl.DataFrame | pl.LazyFrame, assignments: pl.DataFrame,
                         questions: pl.DataFrame, sessions: pl.DataFrame, *,
                         moderators: Sequence[str] | None = None) -> pl.DataFrame:
    """Per session: on-agenda share, pace adherence, spill-over share and the 0-100 herding score.

    * ``on_agenda_share`` = in-chat original non-moderator messages with a question / all of them (null when the
      session has no question, planned or posted, or no such message). Moderators are ``moderators`` when given,
      else the authors of question posts and moderator messages in ``assignments``.
    * ``pace_adherence``: see :func:`_pace`; null when no question has a planned time.
    * ``spillover_share`` = spill-over answers / answers, over questions that have a next question.
    * ``herding_score`` = 100 × Σ wᵢ·partᵢ / Σ wᵢ over the available parts, parts being on-agenda share, pace
      adherence and 1 − spill-over share with weights :data:`HERDING_WEIGHTS`; ``herding_score_parts`` shows the
      sum and names the parts left out. Null (with the reason) when no part is available.
    """
    labelled = _labelled(session_messages, assignments)
    qs = _eager(questions)
    sess = sessions.select("session_id", pl.col("start").cast(_UTC), pl.col("end").cast(_UTC))
    counts = qs.group_by("session_id").agg(
        questions_planned=pl.col("origin").is_in(["agenda", "agenda+detected"]).sum().cast(pl.Int64),
        questions_posted=pl.col("posted_at").is_not_null().sum().cast(pl.Int64),
    )
    if moderators is None:
        mods = labelled.filter(pl.col("category").is_in(["moderator", "question"]) & (pl.col("kind") != "repost"))[
            "author_handle"].unique()
    else:
        mods = pl.Series([m.strip().lstrip("@").lower() for m in moderators], dtype=pl.String)
    chat = (
        labelled.filter((pl.col("phase") == "chat") & (pl.col("kind") != "repost")
                        & ~pl.col("author_handle").is_in(mods.implode()).fill_null(False))
        .group_by("session_id")
        .agg(chat_messages=pl.len().cast(pl.Int64),
             on_agenda_messages=pl.col("question").is_not_null().sum().cast(pl.Int64))
    )
    qm = question_metrics(session_messages, assignments, qs)
    spill = qm.filter(pl.col("spillover_answers").is_not_null()).group_by("session_id").agg(
        spill=pl.col("spillover_answers").sum(), spill_base=pl.col("answers").sum())
    frame = (
        sess.join(counts, on="session_id", how="left")
        .join(chat, on="session_id", how="left")
        .join(_pace(qs, sess), on="session_id", how="left")
        .join(spill, on="session_id", how="left")
        .with_columns(pl.col("questions_planned", "questions_posted", "chat_messages", "on_agenda_messages")
                      .fill_null(0))
        .with_columns(
            has_questions=(pl.col("questions_planned") + pl.col("questions_posted")) > 0,
        )
        .with_columns(
            on_agenda_share=pl.when(pl.col("has_questions") & (pl.col("chat_messages") > 0)).then(
                pl.col("on_agenda_messages") / pl.col("chat_messages")),
            spillover_share=pl.when(pl.col("spill_base") > 0).then(pl.col("spill") / pl.col("spill_base")),
        )
    )
    w = HERDING_WEIGHTS
    parts = {  # part: (value, label, why it can be missing)
        "on_agenda": (pl.col("on_agenda_share"), "on-agenda", "no in-chat participant messages"),
        "pace": (pl.col("pace_adherence"), "pace", "no planned times"),
        "flow": (1 - pl.col("spillover_share"), "(1 - spill-over)", "no answers before a next question"),
    }
    total_w = _available_weight({k: expr for k, (expr, _, _) in parts.items()})
    score = herding_score_expr(*(expr for expr, _, _ in parts.values()))
    terms = [
        pl.when(expr.is_not_null()).then(pl.concat_str(_fmt(w[k] / total_w), pl.lit(f" × {label} "), _fmt(expr)))
        for k, (expr, label, _) in parts.items()
    ]
    missing = [pl.when(expr.is_null()).then(pl.lit(f"{label} n/a: {why}")) for expr, label, why in parts.values()]
    # the exact sum, then the whole points every view shows (theme.fmt_score: half up), so "= 86.5" never sits
    # under a gauge reading 87 without saying why
    shown = (score + 0.5).floor().cast(pl.Int64).cast(pl.String)
    formula = pl.concat_str(pl.concat_str(terms, separator=" + ", ignore_nulls=True), pl.lit(" = "),
                            score.cast(pl.String), pl.lit(" ≈ "), shown)
    left_out = pl.concat_str(missing, separator=", ", ignore_nulls=True)
    parts_text = (
        pl.when(~pl.col("has_questions")).then(pl.lit("no questions in this session (no agenda, no Qn posts)"))
        .when(total_w == 0).then(pl.lit("no part available: ") + left_out)
        .when(left_out == "").then(formula)
        .otherwise(pl.concat_str(formula, pl.lit(" (reweighted; "), left_out, pl.lit(")")))
    )
    frame = frame.with_columns(
        herding_score=pl.when(pl.col("has_questions")).then(score),
        herding_score_parts=parts_text,
    )
    return frame.select(list(SESSION_FLOW_SCHEMA)).cast(dict(SESSION_FLOW_SCHEMA)).sort("session_id")


def _q(expr: pl.Expr) -> pl.Expr:
    return pl.lit("Q") + expr.cast(pl.String)


def pacing_suggestions(question_metrics: pl.DataFrame) -> pl.DataFrame:
    """Plain-language pacing suggestions, computed from :func:`question_metrics`.

    One row per suggestion ([session_id, question, suggestion]), in this order for each question:

    * planned but never posted: "Q4 was planned but never posted";
    * lateness of at least :data:`LATE_MINUTES_MIN`: "Q5 was posted 6 minutes late" (or "early");
    * spill-over of at least :data:`SPILL_SHARE_MIN` and :data:`SPILL_ANSWERS_MIN` answers:
      "Q3 got 40% of its answers after Q4: give it 2 more minutes", the minutes being the spill-over answers'
      median delay after the next question, rounded up (at least 1);
    * posted but no answers: "Q6 got no answers";
    * answerers below :data:`LOW_REACH_SHARE` of the active participants: "Q2 drew answers from only 20% of
      participants".
    """
    qm = _eager(question_metrics)
    late = pl.col("lateness_minutes")
    minutes = (pl.col("spillover_median_delay_s") / 60).ceil().clip(lower_bound=1).cast(pl.Int64)
    late_min = late.abs().round(0).cast(pl.Int64)
    candidates = [
        pl.when(pl.col("planned_at").is_not_null() & pl.col("posted_at").is_null()).then(
            _q(pl.col("question")) + pl.lit(" was planned but never posted")),
        pl.when(late.abs() >= LATE_MINUTES_MIN).then(pl.concat_str(
            _q(pl.col("question")), pl.lit(" was posted "), late_min.cast(pl.String),
            pl.when(late_min == 1).then(pl.lit(" minute ")).otherwise(pl.lit(" minutes ")),
            pl.when(late > 0).then(pl.lit("late")).otherwise(pl.lit("early")))),
        pl.when((pl.col("spillover_share") >= SPILL_SHARE_MIN)
                & (pl.col("spillover_answers") >= SPILL_ANSWERS_MIN)).then(pl.concat_str(
            _q(pl.col("question")), pl.lit(" got "), (pl.col("spillover_share") * 100).round(0).cast(pl.Int64)
            .cast(pl.String), pl.lit("% of its answers after "), _q(pl.col("next_question")),
            pl.lit(": give it "), minutes.cast(pl.String),
            pl.when(minutes == 1).then(pl.lit(" more minute")).otherwise(pl.lit(" more minutes")))),
        pl.when(pl.col("posted_at").is_not_null() & (pl.col("answers") == 0)).then(
            _q(pl.col("question")) + pl.lit(" got no answers")),
        pl.when((pl.col("answers") > 0) & (pl.col("answerer_share") < LOW_REACH_SHARE)).then(pl.concat_str(
            _q(pl.col("question")), pl.lit(" drew answers from only "),
            (pl.col("answerer_share") * 100).round(0).cast(pl.Int64).cast(pl.String), pl.lit("% of participants"))),
    ]
    return (
        qm.select("session_id", "question", suggestion=pl.concat_list(candidates))
        .explode("suggestion")
        .drop_nulls("suggestion")
        .select("session_id", "question", "suggestion")
    )
