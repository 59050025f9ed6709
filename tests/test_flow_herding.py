"""Herding metrics, pacing suggestions and the per-minute flow, checked against values computed by hand."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
import pytest

from moderator_kit.config import AgendaQuestion, ChatConfig
from moderator_kit.flow import (
    FLOW_MINUTES_SCHEMA,
    HERDING_WEIGHTS,
    QUESTION_METRICS_SCHEMA,
    SESSION_FLOW_SCHEMA,
    assign_questions,
    detect_questions,
    flow_minutes,
    pacing_suggestions,
    question_metrics,
    session_flow_metrics,
)
from tests.helpers import BASE, at, messages_frame


def session_messages(rows):
    """Canonical session messages: each row a dict; 'minute' becomes created_at; session 's1', phase 'chat'."""
    built = []
    for row in rows:
        row = dict(row)
        row["created_at"] = at(row.pop("minute"))
        row.pop("phase", None)
        row.pop("session_id", None)
        built.append(row)
    return messages_frame(built).with_columns(
        session_id=pl.Series([r.get("session_id", "s1") for r in rows], dtype=pl.String),
        phase=pl.Series([r.get("phase", "chat") for r in rows], dtype=pl.String),
    )


SESSIONS = pl.DataFrame(
    {"session_id": ["s1", "s2", "s3"], "start": [BASE, BASE + timedelta(days=7), BASE + timedelta(days=14)]}
).with_columns(pl.col("start").dt.cast_time_unit("us").dt.convert_time_zone("UTC")).with_columns(
    end=pl.col("start") + timedelta(minutes=60))

AGENDA = [AgendaQuestion(number=1, offset_minutes=0, text="first"),
          AgendaQuestion(number=2, offset_minutes=20, text="second"),
          AgendaQuestion(number=3, offset_minutes=40, text="third")]

# Session s1: Q1 on time at 0:00, Q2 five minutes late at 0:25, Q3 skipped.
S1 = [
    {"message_id": "q1", "author_handle": "mod", "minute": 0, "text": "Q1: first?"},
    {"message_id": "a1", "author_handle": "amy", "minute": 2, "text": "A1 yes"},        # latency 120 s
    {"message_id": "b1", "author_handle": "bob", "minute": 4, "text": "A1 no"},         # 240
    {"message_id": "c1", "author_handle": "cat", "minute": 10, "text": "A1 maybe"},     # 600
    {"message_id": "f1", "author_handle": "fay", "minute": 5, "text": "hello all"},     # social
    {"message_id": "rt", "author_handle": "amy", "minute": 6, "kind": "repost", "repost_of_message_id": "b1",
     "repost_of_author_handle": "bob", "text": "RT @bob: A1 no"},                        # a repost: not counted
    {"message_id": "q2", "author_handle": "mod", "minute": 25, "text": "Q2: second?"},
    {"message_id": "d1", "author_handle": "dan", "minute": 26, "text": "A1 late"},      # 1560, spill 60
    {"message_id": "a2", "author_handle": "amy", "minute": 27, "text": "A2 sure"},      # Q2 latency 120
    {"message_id": "e1", "author_handle": "eve", "minute": 28, "text": "A1 later"},     # 1680, spill 180
    {"message_id": "g1", "author_handle": "gus", "minute": 30, "text": "A1 latest"},    # 1800, spill 300
    {"message_id": "h1", "author_handle": "hal", "minute": 31, "text": "thanks!"},      # social
    {"message_id": "w", "author_handle": "mod", "minute": 58, "text": "That's a wrap"},  # moderator
    {"message_id": "fu", "author_handle": "zed", "minute": 70, "phase": "follow_up", "text": "A2 after the end"},
]
# Session s2: no agenda, no Qn posts.
S2 = [{"message_id": f"n{i}", "author_handle": h, "minute": 7 * 24 * 60 + i, "session_id": "s2", "text": t}
      for i, (h, t) in enumerate([("amy", "hi"), ("bob", "what a night"), ("cat", "resumes matter")])]
# Session s3: no agenda, detected questions only; Q1 gets 4 answers, one after Q2.
T3 = 14 * 24 * 60
S3 = [{"session_id": "s3", "minute": T3 + m, "message_id": mid, "author_handle": h, "text": t} for mid, h, m, t in [
    ("s3q1", "mod", 0, "Q1: a?"), ("s3a", "amy", 1, "A1 x"), ("s3b", "bob", 2, "A1 y"), ("s3c", "cat", 3, "A1 z"),
    ("s3q2", "mod", 10, "Q2: b?"), ("s3d", "dan", 12, "A1 w"), ("s3e", "eve", 13, "A2 v"), ("s3f", "fay", 14, "meh")]]


@pytest.fixture(scope="module")
def flow():
    msgs = session_messages(S1 + S2 + S3)
    cfg = ChatConfig(chat="c", session_agendas={"s1": AGENDA})
    questions = detect_questions(msgs, SESSIONS, cfg, ["mod"])
    assignments = assign_questions(msgs, questions, ["mod"])
    return msgs, questions, assignments


def test_question_metrics_by_hand(flow):
    msgs, questions, assignments = flow
    qm = question_metrics(msgs, assignments, questions)
    assert qm.schema == QUESTION_METRICS_SCHEMA
    s1 = {r["question"]: r for r in qm.filter(pl.col("session_id") == "s1").iter_rows(named=True)}
    q1, q2, q3 = s1[1], s1[2], s1[3]
    # active participants: mod amy bob cat fay dan eve gus hal = 9 (the repost and the follow-up do not count)
    assert q1["active_participants"] == 9
    assert (q1["answers"], q1["answerers"]) == (6, 6)
    assert q1["answerer_share"] == pytest.approx(6 / 9)
    assert q1["median_latency_s"] == pytest.approx((600 + 1560) / 2)
    assert q1["half_life_s"] == pytest.approx(600)  # the 3rd of 6 answers
    assert (q1["next_question"], q1["spillover_answers"]) == (2, 3)
    assert q1["spillover_share"] == pytest.approx(0.5)
    assert q1["spillover_median_delay_s"] == pytest.approx(180)
    assert q1["lateness_minutes"] == pytest.approx(0)
    assert q1["text"] == "first"
    # Q2: amy in chat and zed's late tagged answer in the follow-up (2 answers, 120 s and 45 min)
    assert (q2["answers"], q2["answerers"]) == (2, 2)
    assert q2["median_latency_s"] == pytest.approx((120 + 45 * 60) / 2)
    assert q2["half_life_s"] == pytest.approx(120)
    assert q2["next_question"] is None and q2["spillover_answers"] is None and q2["spillover_share"] is None
    assert q2["lateness_minutes"] == pytest.approx(5)
    assert q3["posted_at"] is None and q3["answers"] == 0 and q3["median_latency_s"] is None
    assert q3["answerer_share"] == 0.0 and q3["half_life_s"] is None


def test_session_flow_metrics_by_hand(flow):
    msgs, questions, assignments = flow
    sf = session_flow_metrics(msgs, assignments, questions, SESSIONS)
    assert sf.schema == SESSION_FLOW_SCHEMA
    rows = {r["session_id"]: r for r in sf.iter_rows(named=True)}
    s1 = rows["s1"]
    assert (s1["questions_planned"], s1["questions_posted"]) == (3, 2)
    # in-chat original non-moderator messages: a1 b1 c1 f1 d1 a2 e1 g1 h1 = 9, 7 of them on a question
    assert (s1["chat_messages"], s1["on_agenda_messages"]) == (9, 7)
    assert s1["on_agenda_share"] == pytest.approx(7 / 9)
    # pace: Q1 1 - 0/20, Q2 1 - 5/20, Q3 skipped 0 -> mean
    pace = (1 + 0.75 + 0) / 3
    assert s1["pace_adherence"] == pytest.approx(pace)
    assert s1["spillover_share"] == pytest.approx(3 / 6)  # only Q1 has a next question
    score = 100 * (0.4 * 7 / 9 + 0.3 * pace + 0.3 * 0.5)
    assert s1["herding_score"] == pytest.approx(round(score, 1))
    assert s1["herding_score_parts"] == "0.4 × on-agenda 0.78 + 0.3 × pace 0.58 + 0.3 × (1 - spill-over) 0.5 = 63.6 ≈ 64"

    s2 = rows["s2"]  # no questions at all: say so, invent nothing
    assert (s2["questions_planned"], s2["questions_posted"], s2["chat_messages"]) == (0, 0, 3)
    assert s2["on_agenda_share"] is None and s2["herding_score"] is None and s2["pace_adherence"] is None
    assert s2["herding_score_parts"].startswith("no questions")

    s3 = rows["s3"]  # no plan: pace is left out and the other weights reweighted
    assert s3["pace_adherence"] is None
    # s3d (A1 after Q2) and s3f (time -> Q2): 6 of 6 on a question; spill-over 1 of 4
    assert s3["on_agenda_share"] == pytest.approx(1.0)
    assert s3["spillover_share"] == pytest.approx(0.25)
    w = HERDING_WEIGHTS
    expected = 100 * (w["on_agenda"] * 1.0 + w["flow"] * 0.75) / (w["on_agenda"] + w["flow"])
    assert s3["herding_score"] == pytest.approx(round(expected, 1))
    assert s3["herding_score_parts"].endswith("= 89.3 ≈ 89 (reweighted; pace n/a: no planned times)")
    assert s3["herding_score_parts"].startswith("0.57 × on-agenda 1.0 + 0.43 × (1 - spill-over) 0.75")


def test_pacing_suggestions_from_the_numbers(flow):
    msgs, questions, assignments = flow
    qm = question_metrics(msgs, assignments, questions)
    out = pacing_suggestions(qm)
    assert out.columns == ["session_id", "question", "suggestion"]
    assert out.filter(pl.col("session_id") == "s1")["suggestion"].to_list() == [
        "Q1 got 50% of its answers after Q2: give it 3 more minutes",
        "Q2 was posted 5 minutes late",
        "Q2 drew answers from only 22% of participants",
        "Q3 was planned but never posted",
    ]
    assert out.filter(pl.col("session_id") == "s2").height == 0
    # s3: 1 of Q1's 4 answers after Q2 is below the thresholds; Q2 drew 2 of 7 participants (29%); no plan
    assert out.filter(pl.col("session_id") == "s3").height == 0


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"lateness_minutes": -4.0}, ["Q1 was posted 4 minutes early"]),
        ({"lateness_minutes": 1.0}, []),  # below the threshold
        ({"lateness_minutes": 3.2}, ["Q1 was posted 3 minutes late"]),
        ({"posted_at": None, "lateness_minutes": None, "answers": 0, "answerers": 0, "answerer_share": 0.0},
         ["Q1 was planned but never posted"]),
        ({"answerers": 2, "answerer_share": 0.2}, ["Q1 drew answers from only 20% of participants"]),
        ({"answers": 0, "answerers": 0, "answerer_share": 0.0}, ["Q1 got no answers"]),
        ({"spillover_answers": 2, "spillover_share": 0.4, "spillover_median_delay_s": 61.0},
         ["Q1 got 40% of its answers after Q2: give it 2 more minutes"]),
        ({"spillover_answers": 2, "spillover_share": 0.4, "spillover_median_delay_s": 20.0},
         ["Q1 got 40% of its answers after Q2: give it 1 more minute"]),
    ],
)
def test_pacing_suggestion_rules(changes, expected):
    row = {"session_id": "s", "question": 1, "text": "t", "planned_at": BASE, "posted_at": BASE,
           "lateness_minutes": 0.0, "answers": 5, "answerers": 5, "active_participants": 10, "answerer_share": 0.5,
           "median_latency_s": 60.0, "half_life_s": 60.0, "next_question": 2, "spillover_answers": 0,
           "spillover_share": 0.0, "spillover_median_delay_s": None}
    row.update(changes)
    qm = pl.DataFrame([row], schema=QUESTION_METRICS_SCHEMA)
    assert pacing_suggestions(qm)["suggestion"].to_list() == expected


def test_flow_minutes_by_hand(flow):
    msgs, questions, assignments = flow
    fm = flow_minutes(msgs, assignments, SESSIONS)
    assert fm.schema == FLOW_MINUTES_SCHEMA
    s1 = fm.filter(pl.col("session_id") == "s1")
    # minute 0: q1; minute 5: f1 (social); minute 25: q2; minute 70 is past end + 5: dropped
    assert s1.filter(pl.col("minute") == 0).select("question", "messages", "share").rows() == [(1, 1, 1.0)]
    assert s1.filter(pl.col("minute") == 5).select("question", "messages", "share").rows() == [(None, 1, 1.0)]
    assert s1.filter(pl.col("minute") == 6).select("question").rows() == [(1,)]  # the repost counts
    assert s1["minute"].max() == 58
    assert s1["messages"].sum() == 14 - 1  # every s1 message but the follow-up one at minute 70
    s3 = fm.filter(pl.col("session_id") == "s3")
    assert s3.select("minute", "question").rows() == [(0, 1), (1, 1), (2, 1), (3, 1), (10, 2), (12, 1), (13, 2),
                                                      (14, 2)]
    without = flow_minutes(msgs, assignments, SESSIONS, include_reposts=False)
    assert without.filter(pl.col("session_id") == "s1")["messages"].sum() == 12


def test_minute_shares_split_between_questions():
    msgs = session_messages([
        {"message_id": "q1", "author_handle": "mod", "minute": 0, "text": "Q1: a?"},
        {"message_id": "q2", "author_handle": "mod", "minute": 3, "text": "Q2: b?"},
        {"message_id": "x", "author_handle": "amy", "minute": 3.2, "text": "A1 x"},
        {"message_id": "y", "author_handle": "bob", "minute": 3.5, "text": "A2 y"},
        {"message_id": "z", "author_handle": "cat", "minute": 3.9, "text": "hi all"},
        {"message_id": "late", "author_handle": "dan", "minute": 64.5, "phase": "follow_up", "text": "A2 late"},
    ])
    questions = detect_questions(msgs, SESSIONS, ChatConfig(chat="c"), ["mod"])
    assignments = assign_questions(msgs, questions, ["mod"])
    fm = flow_minutes(msgs, assignments, SESSIONS)
    assert fm.filter(pl.col("minute") == 3).select("question", "messages", "share").rows() == [
        (None, 1, 0.25), (1, 1, 0.25), (2, 2, 0.5)]
    assert fm.filter(pl.col("minute") == 64).select("question", "share").rows() == [(2, 1.0)]
    assert flow_minutes(msgs, assignments, SESSIONS, tail_minutes=0)["minute"].max() == 3


def test_on_agenda_share_leaves_moderators_out():
    msgs = session_messages([
        {"message_id": "q1", "author_handle": "mod", "minute": 1, "text": "Q1: a?"},
        {"message_id": "w", "author_handle": "mod", "minute": 2, "text": "Keep the answers coming!"},
        {"message_id": "m", "author_handle": "cohost", "minute": 3, "text": "A1 co-host's answer"},
        {"message_id": "x", "author_handle": "amy", "minute": 4, "text": "A1 yes"},
        {"message_id": "y", "author_handle": "bob", "minute": 5, "text": "hello all"},
    ])
    questions = detect_questions(msgs, SESSIONS, ChatConfig(chat="c"), ["mod", "cohost"])
    assignments = assign_questions(msgs, questions, ["mod", "cohost"])
    derived = session_flow_metrics(msgs, assignments, questions, SESSIONS).filter(pl.col("session_id") == "s1")
    # derived moderators: authors of question posts and moderator messages (mod); the co-host's answer counts
    assert derived.select("chat_messages", "on_agenda_messages").row(0) == (3, 2)
    given = session_flow_metrics(msgs, assignments, questions, SESSIONS, moderators=["@Mod", "cohost"]).filter(
        pl.col("session_id") == "s1")
    assert given.select("chat_messages", "on_agenda_messages", "on_agenda_share").row(0) == (2, 1, 0.5)
    # the co-host's tagged answer is an answer and counts for Q1
    qm = question_metrics(msgs, assignments, questions)
    assert qm.select("answers", "answerers").row(0) == (2, 2)
