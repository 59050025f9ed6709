"""Question detection and moderator inference on hand-written transcripts."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
import pytest

from moderator_kit.config import AgendaQuestion, ChatConfig
from moderator_kit.flow import QUESTION_SCHEMA, detect_questions, infer_moderators
from tests.helpers import BASE, at, messages_frame


def session_messages(rows, session_id="s1"):
    """Canonical session messages: each row a dict; 'minute' becomes created_at, 'phase' defaults to chat."""
    built = []
    for row in rows:
        row = dict(row)
        row["created_at"] = at(row.pop("minute"))
        built.append(row)
    phases = [row.get("phase", "chat") for row in rows]
    sessions = [row.get("session_id", session_id) for row in rows]
    return messages_frame(built).with_columns(
        session_id=pl.Series(sessions, dtype=pl.String), phase=pl.Series(phases, dtype=pl.String))


def sessions_frame(*ids, minutes=60):
    return pl.DataFrame(
        {"session_id": list(ids), "start": [BASE + timedelta(days=7 * i) for i in range(len(ids))]}
    ).with_columns(pl.col("start").dt.cast_time_unit("us").dt.convert_time_zone("UTC")).with_columns(
        end=pl.col("start") + timedelta(minutes=minutes))


AGENDA = [AgendaQuestion(number=n, offset_minutes=off, text=f"planned {n}") for n, off in
          [(1, 0), (2, 15), (3, 30), (4, 45)]]


@pytest.mark.parametrize(
    "text, number",
    [("Q1 What is your goal?", 1), ("Q1: What?", 1), ("Q.1 What?", 1), ("Question 1: What?", 1), ("Q 1 What?", 1),
     ("#Q1 What?", 1), ("q1) what?", 1), ("🔔 Q12: What?", 12), ("#jobchat Q3 - Why?", 3),
     ("@amy @bob Q2: How?", 2), ("RT @mod: Q4 Who?", 4)],
)
def test_question_forms_are_detected(text, number):
    msgs = session_messages([{"message_id": "m", "author_handle": "mod", "minute": 3, "text": text}])
    q = detect_questions(msgs, sessions_frame("s1"), ChatConfig(chat="c"), ["mod"])
    assert q.select("question", "message_id", "origin").rows() == [(number, "m", "detected")]


@pytest.mark.parametrize(
    "text",
    ["Q1 coming up in 2 minutes!", "Quick reminder: use the tag", "Welcome! Questions 1-6 tonight", "I love Q1",
     "FAQ 1: how to join", "Q0 test"],
)
def test_non_questions_are_not_detected(text):
    msgs = session_messages([{"author_handle": "mod", "minute": 3, "text": text}])
    assert detect_questions(msgs, sessions_frame("s1"), ChatConfig(chat="c"), ["mod"]).height == 0


def test_agenda_posted_twice_skipped_and_out_of_order():
    msgs = session_messages([
        {"message_id": "q1", "author_handle": "mod", "minute": 1, "text": "Q1: Why now?"},
        {"message_id": "q2", "author_handle": "mod", "minute": 17, "text": "Q2: How?"},
        {"message_id": "q2b", "author_handle": "mod", "minute": 19, "text": "Q2 (again, in case you missed it)"},
        {"message_id": "q4", "author_handle": "mod", "minute": 28, "text": "Q4 Who?"},  # out of order
        {"message_id": "q5", "author_handle": "mod", "minute": 50, "text": "Q5: bonus!"},  # not in the agenda
        {"message_id": "x", "author_handle": "amy", "minute": 20, "text": "Q3: my own question"},  # not a moderator
    ])
    q = detect_questions(msgs, sessions_frame("s1"), ChatConfig(chat="c", agenda=AGENDA), ["@Mod"])
    assert q.schema == QUESTION_SCHEMA
    rows = {r["question"]: r for r in q.iter_rows(named=True)}
    assert list(rows) == [1, 2, 3, 4, 5]
    assert rows[1]["message_id"] == "q1" and rows[1]["lateness_minutes"] == pytest.approx(1.0)
    assert rows[2]["message_id"] == "q2" and rows[2]["posted_at"] == at(17)  # the first post counts
    assert rows[2]["lateness_minutes"] == pytest.approx(2.0)
    assert rows[3]["posted_at"] is None and rows[3]["origin"] == "agenda"  # skipped
    assert rows[3]["lateness_minutes"] is None and rows[3]["planned_at"] == at(30)
    assert rows[4]["lateness_minutes"] == pytest.approx(-17.0)  # posted early, before Q3
    assert rows[5]["origin"] == "detected" and rows[5]["planned_at"] is None
    assert rows[1]["origin"] == "agenda+detected"
    assert rows[1]["text"] == "planned 1" and rows[5]["text"] == "Q5: bonus!"
    assert rows[4]["author_handle"] == "mod"


def test_question_inside_a_retweet_counts_when_the_original_is_missing():
    msgs = session_messages([
        {"message_id": "rt1", "author_handle": "ian", "minute": 2, "kind": "repost", "repost_of_message_id": "gone",
         "repost_of_author_handle": "mentor", "text": "RT @mentor: Q1 How do you give feedback?"},
        {"message_id": "rt1b", "author_handle": "amy", "minute": 3, "kind": "repost", "repost_of_message_id": "gone",
         "repost_of_author_handle": "mentor", "text": "RT @mentor: Q1 How do you give feedback?"},
        {"message_id": "q2", "author_handle": "mentor", "minute": 14, "text": "Q2: And then?"},
        {"message_id": "rt2", "author_handle": "ian", "minute": 15, "kind": "repost", "repost_of_message_id": "q2",
         "repost_of_author_handle": "mentor", "text": "RT @mentor: Q2: And then?"},
        # an old-style manual retweet, kind 'post', the moderator only in the text
        {"message_id": "m3", "author_handle": "bob", "minute": 30, "text": "RT @Mentor: Q3 Last one?"},
    ])
    q = detect_questions(msgs, sessions_frame("s1"), ChatConfig(chat="c"), ["mentor"])
    assert q.select("question", "message_id", "author_handle").rows() == [
        (1, "rt1", "ian"), (2, "q2", "mentor"), (3, "m3", "bob")]
    assert q["text"][0] == "Q1 How do you give feedback?"


def test_pre_phase_previews_are_not_posts_and_session_agendas_override():
    msgs = session_messages([
        {"author_handle": "mod", "minute": -20, "phase": "pre", "text": "Q1: tonight we ask why"},
        {"message_id": "q1", "author_handle": "mod", "minute": 2, "text": "Q1: why?"},
        {"message_id": "z", "author_handle": "mod", "minute": 2, "text": "Q1: in another session",
         "session_id": "s2"},
    ])
    cfg = ChatConfig(chat="c", agenda=AGENDA, session_agendas={"s2": [AgendaQuestion(number=1, offset_minutes=5)]})
    q = detect_questions(msgs, sessions_frame("s1", "s2"), cfg, ["mod"])
    assert q.filter(pl.col("session_id") == "s1").height == 4
    s1q1 = q.filter((pl.col("session_id") == "s1") & (pl.col("question") == 1)).row(0, named=True)
    assert s1q1["message_id"] == "q1"
    s2 = q.filter(pl.col("session_id") == "s2")
    assert s2.select("question", "message_id", "origin").rows() == [(1, "z", "agenda+detected")]
    assert s2["planned_at"][0] == at(5, BASE + timedelta(days=7))


def test_a_question_posted_a_little_early_counts():
    msgs = session_messages([
        {"message_id": "preview", "author_handle": "mod", "minute": -25, "phase": "pre", "text": "Q1: preview"},
        {"message_id": "early", "author_handle": "mod", "minute": -2, "phase": "pre", "text": "Q1: why?"},
        {"message_id": "again", "author_handle": "mod", "minute": 1, "text": "Q1: why? (again)"},
    ])
    q = detect_questions(msgs, sessions_frame("s1"), ChatConfig(chat="c", agenda=AGENDA), ["mod"])
    q1 = q.filter(pl.col("question") == 1).row(0, named=True)
    assert (q1["message_id"], q1["lateness_minutes"]) == ("early", pytest.approx(-2.0))


def test_no_moderator_configured_infers_the_qn_poster():
    msgs = session_messages([
        {"author_handle": "host", "minute": 1, "text": "Q1: first?"},
        {"author_handle": "host", "minute": 15, "text": "Q2: second?"},
        {"author_handle": "amy", "minute": 16, "text": "Q2: my answer is yes"},  # one Qn only
        {"author_handle": "fan", "minute": 17, "kind": "repost", "repost_of_author_handle": "host",
         "repost_of_message_id": "2", "text": "RT @host: Q2: second?"},
        {"author_handle": "fan", "minute": 18, "kind": "repost", "repost_of_author_handle": "host",
         "repost_of_message_id": "x", "text": "RT @host: Q3: third?"},
    ])
    assert infer_moderators(msgs) == ["host"]
    q = detect_questions(msgs, sessions_frame("s1"), ChatConfig(chat="c"), [])
    assert q["question"].to_list() == [1, 2, 3]
    assert q["message_id"].to_list() == ["1", "2", "5"]


def test_infer_moderators_ignores_a_participant_with_fewer_qn_tags():
    rows = [{"author_handle": "host", "minute": m, "text": f"Q{n}: q?"} for n, m in [(1, 1), (2, 10), (3, 20),
                                                                                   (4, 30), (5, 40), (6, 50)]]
    rows += [{"author_handle": "amy", "minute": 11, "text": "Q1: yes"},
             {"author_handle": "amy", "minute": 21, "text": "Q2: no"}]
    assert infer_moderators(session_messages(rows)) == ["host"]


def test_no_questions_at_all():
    msgs = session_messages([{"author_handle": "amy", "minute": 1, "text": "hello"},
                             {"author_handle": "bob", "minute": 2, "text": "A1 maybe"}])
    assert infer_moderators(msgs) == []
    q = detect_questions(msgs, sessions_frame("s1"), ChatConfig(chat="c"), [])
    assert q.height == 0 and q.schema == QUESTION_SCHEMA
    q = detect_questions(msgs.lazy(), sessions_frame("s1"), None, ["mod"])
    assert q.height == 0
