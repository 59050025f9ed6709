"""Follow-up, thank-yous, the moderator's recap and to-do list, on the hand-written chat of test_people_roles."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
import pytest

from moderator_kit.people.followup import (
    TODO_KINDS,
    continuing_ties,
    follow_up_interactions,
    follow_up_summary,
    moderator_recap,
    thank_yous,
    todo_list,
)
from tests.test_people_roles import MODERATORS, S1, S2, S3, S4, START, analysed, chat_assignments


@pytest.fixture(scope="module")
def result():
    return analysed()


def test_follow_up_interactions_between_participants(result):
    kept = result[0]
    out = follow_up_interactions(kept)
    # bob's follow-up reply to ada; mod's recap mentions nobody
    assert out.select("session_id", "message_id", "source", "target", "type").rows() == [
        (S1, "30", "bob", "ada", "reply")]


def test_follow_up_ignores_people_who_were_not_in_the_chat(result):
    kept = result[0]
    late = kept.filter(pl.col("message_id") == "30").with_columns(
        message_id=pl.lit("late"), author_handle=pl.lit("stranger"))
    out = follow_up_interactions(pl.concat([kept, late]))
    assert out["message_id"].to_list() == ["30"]


def test_follow_up_summary(result):
    out = follow_up_summary(result[0])
    # session, participants (in-chat), follow-up messages, interactions, pairs, people
    assert out.rows() == [
        (S1, 10, 2, 1, 1, 2),
        (S2, 5, 0, 0, 0, 0),
        (S3, 4, 0, 0, 0, 0),
        (S4, 6, 0, 0, 0, 0),
    ]


def test_continuing_ties(result):
    out = continuing_ties(result[0])
    rows = out.select("session_id", "a", "b", "later_interactions", "later_sessions").rows()
    # ada and bob met in s1's chat (message 8) and talked again in its follow-up (30); bob's in-chat "thanks" (11)
    # does not count as later. ada and sam met in s1 (13) and talked again in s2 (52).
    assert rows == [(S1, "ada", "bob", 1, [S1]), (S1, "ada", "sam", 1, [S2])]
    first = out.row(0, named=True)
    assert first["first_at"] == START[S1] + timedelta(minutes=5)
    assert first["last_at"] == START[S1] + timedelta(minutes=180)


def test_ties_first_met_outside_the_chat_do_not_count(result):
    kept = result[0].with_columns(phase=pl.when(pl.col("message_id") == "8").then(pl.lit("pre"))
                                  .otherwise(pl.col("phase")))
    pairs = continuing_ties(kept).select("a", "b").rows()
    assert ("ada", "bob") not in pairs and ("ada", "sam") in pairs


def test_thank_yous(result):
    out = thank_yous(result[0])
    assert out.select("session_id", "message_id", "handle").rows() == [(S1, "11", "bob"), (S1, "29", "mod")]
    assert out["thanked"].to_list() == [["ada"], []]


def test_moderator_recap(result):
    out = moderator_recap(result[0], MODERATORS)
    assert out.select("session_id", "recap", "thanks", "recap_message_id").rows() == [
        (S1, True, True, "29"), (S2, False, False, None), (S3, False, False, None), (S4, False, False, None)]
    assert out["statement"].to_list() == [
        "a moderator posted a recap (message 29) and thanks (message 29)",
        *["no recap or thanks from a moderator after the chat"] * 3,
    ]


def test_moderator_thanks_in_the_closing_minutes_count(result):
    kept = result[0]
    bye = kept.filter(pl.col("message_id") == "41").with_columns(
        message_id=pl.lit("bye"), text=pl.lit("Thank you all, see you next week!"),
        created_at=pl.lit(START[S4] + timedelta(minutes=10)))  # last chat message: minute 24
    out = moderator_recap(pl.concat([kept, bye]), MODERATORS).filter(pl.col("session_id") == S4).row(0, named=True)
    assert (out["recap"], out["thanks"], out["thanks_message_id"]) == (False, True, "bye")
    assert out["statement"] == "a moderator posted thanks (message bye) but no recap"
    early = moderator_recap(pl.concat([kept, bye]), MODERATORS, closing_minutes=0)
    assert early.filter(pl.col("session_id") == S4)["thanks"].item() is False


def test_recap_without_moderators_says_so(result):
    out = moderator_recap(result[0], [])
    assert set(out["statement"]) == {"no moderators in the chat config, so the recap cannot be checked"}


def test_todo_list(result):
    kept, _, signals, _, roles = result
    out = todo_list(kept, chat_assignments(), signals, roles, moderators=MODERATORS)
    assert out.select("session_id", "kind", "handle", "message_id").rows() == [
        (S1, "unanswered_question", "cy", "51"),
        (S1, "helper_to_thank", "ada", "8"),  # her message with the most replies
        (S1, "help_seeker", "sam", "12"),
        (S1, "help_seeker", "cy", "51"),
        (S2, "newcomer_no_reply", "newb", "35"),  # newa got a reply from ada
        (S4, "newcomer_no_reply", "fay", "46"),  # newc, dan and eve got replies from sam
        (S4, "helper_to_thank", "sam", "47"),
        (S4, "help_seeker", "newc", "43"),
    ]
    details = dict(zip(out["message_id"] + out["kind"], out["detail"]))
    assert details["51unanswered_question"] == "nobody replied to this question"
    assert details["8helper_to_thank"] == "replied to 4 distinct people, answered 2 questions"
    assert details["12help_seeker"] == "asked for help; 2 replies"
    assert details["51help_seeker"] == "asked for help; no reply yet"
    assert details["35newcomer_no_reply"] == "first session; nobody replied to their message"
    assert out.filter(pl.col("message_id") == "12")["text"].item() == "Any tips for negotiating salary as a new grad?"
    assert set(out["kind"]) <= set(TODO_KINDS)


def test_todo_list_top_helpers_and_no_items_for_moderators(result):
    kept, _, signals, _, roles = result
    none = todo_list(kept, chat_assignments(), signals, roles, moderators=MODERATORS, top_helpers=0)
    assert "helper_to_thank" not in set(none["kind"])
    as_mod = todo_list(kept, chat_assignments(), signals, roles, moderators=[*MODERATORS, "cy"])
    assert "cy" not in set(as_mod["handle"])
    assert S3 not in set(as_mod["session_id"])  # nothing to do after s3


def test_an_empty_chat_gives_empty_results_not_errors():
    from moderator_kit.people import (
        apply_spam_rules,
        assign_roles,
        cohort_matrix,
        first_timer_return,
        history_signals,
        participant_signals,
        pay_it_forward,
        question_perspective,
        regular_survival,
        retention_by_session,
    )
    from moderator_kit.schema import empty_messages

    msgs = empty_messages().with_columns(session_id=pl.lit(None, pl.String), phase=pl.lit(None, pl.String))
    sessions = pl.DataFrame(schema={"session_id": pl.String, "number": pl.Int64})
    assignments = pl.DataFrame(schema={"message_id": pl.String, "session_id": pl.String, "question": pl.Int64,
                                       "category": pl.String, "method": pl.String})
    nodes = pl.DataFrame(schema={"session_id": pl.String, "handle": pl.String, "community": pl.Int64})
    kept, excluded = apply_spam_rules(msgs, None)
    signals = participant_signals(kept, assignments)
    roles = assign_roles(signals, history_signals(kept, assignments), None, moderators=["mod"], excluded=excluded)
    assert roles.height == 0 and roles.columns == ["session_id", "handle", "labels", "primary_role", "reasons", "notes",
                                                 "strengths", "strength"]
    frames = [
        question_perspective(assignments, kept, nodes), retention_by_session(kept, sessions),
        cohort_matrix(kept, sessions), regular_survival(kept, sessions), follow_up_interactions(kept),
        follow_up_summary(kept), continuing_ties(kept), thank_yous(kept), moderator_recap(kept, MODERATORS),
        todo_list(kept, assignments, signals, roles, moderators=MODERATORS), pay_it_forward(roles, sessions),
    ]
    assert [frame.height for frame in frames] == [0] * len(frames)
    assert first_timer_return(kept, sessions)["rate"].null_count() == 2


def test_annotating_once_gives_the_same_results(result):
    from moderator_kit.people.signals import annotate_messages

    kept = result[0]
    annotated = annotate_messages(kept, chat_assignments())
    assert annotate_messages(annotated) is annotated
    assert continuing_ties(annotated).equals(continuing_ties(kept))
    assert thank_yous(annotated).equals(thank_yous(kept))
    assert follow_up_summary(annotated).equals(follow_up_summary(kept))
