"""The live state as plain functions: messages in, figures out (issue 12, part 2)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import polars as pl
import pytest

import moderator_kit.live.assign as live_assign
from moderator_kit.config import AgendaQuestion, ChatConfig, Schedule, SpamRules
from moderator_kit.errors import ModeratorKitError
from moderator_kit.flow import assign_questions, detect_questions
from moderator_kit.live import LiveSpec, LiveState, agenda_hint, live_session, parse_lines, wave_decayed
from moderator_kit.people import apply_spam_rules
from moderator_kit.sessions import assign_sessions
from tests.test_dashboard_browser import tweet, twarc2_line, user

T0 = datetime(2026, 1, 5, 20, 0, tzinfo=timezone.utc)  # a Monday
USERS = [user("1", "mod", "Mod"), user("2", "amy", "Amy"), user("3", "bob", "Bob"), user("4", "newbie", "New"),
         user("5", "spammer", "Spam"), user("6", "cat", "Cat")]


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def config(**extra) -> ChatConfig:
    return ChatConfig(chat="c", schedule=Schedule(weekday="monday", time="20:00", timezone="UTC"),
                      moderators=["mod"], agenda=[AgendaQuestion(number=1, offset_minutes=2),
                                                  AgendaQuestion(number=2, offset_minutes=10)],
                      spam=SpamRules(patterns=[r"earn \$\d+/day"]), **extra)


def state(history=("mod", "amy", "bob", "cat")) -> LiveState:
    cfg = config()
    return LiveState(cfg, live_session(cfg, at(0)), history=set(history))


def feed(live: LiveState, *tweets: dict) -> int:
    for t in tweets:
        t["like_count"] = 0
        t["public_metrics"]["like_count"] = 0
    result = parse_lines("twarc2", [twarc2_line(list(tweets), USERS)], "live.jsonl")
    return live.ingest(result.messages, result.quarantined)


def test_session_and_window_follow_the_schedule():
    cfg = config()
    row = live_session(cfg, at(30)).row(0, named=True)
    assert (row["session_id"], row["start"], row["end"]) == ("2026-01-05", at(0), at(60))
    assert live_session(cfg, at(-60 * 24)).row(0, named=True)["session_id"] == "2026-01-05"  # the next one
    with pytest.raises(ModeratorKitError, match="no session within a week"):
        live_session(config().model_copy(update={"schedule": Schedule(dates=[datetime(2020, 1, 1, 20)])}), at(0))


def test_newcomer_waits_until_someone_replies():
    live = state()
    feed(live, tweet(10, at(2), "1", "Q1: What helps? #c"), tweet(11, at(3), "4", "A1 first time here! #c"))
    view = live.view(at(6))
    assert [(n["handle"], n["message_id"], n["wait_s"]) for n in view.newcomers] == [("newbie", "11", 180.0)]
    assert (view.counts["new"], view.counts["returning"]) == (1, 1)
    feed(live, tweet(12, at(5), "2", "A1 welcome!", reply_to=(11, "4")))
    view = live.view(at(7))
    assert view.newcomers == ()
    assert (view.counts["new"], view.counts["returning"]) == (1, 2)


def test_question_from_the_floor_until_answered_and_spam_caught():
    live = state()
    feed(live, tweet(10, at(2), "1", "Q1: What helps? #c"),
         tweet(11, at(4), "3", "Does anyone know a good resume template? #c"),
         tweet(12, at(5), "5", "earn $500/day from home #c"))
    view = live.view(at(6))
    assert [f["message_id"] for f in view.floor] == ["11"]
    assert [(s["message_id"], s["reason"]) for s in view.spam] == [("12", r"pattern /earn \$\d+/day/")]
    assert view.counts["spam"] == 1 and view.counts["messages"] == 2
    feed(live, tweet(13, at(7), "2", "Try the one from the library", reply_to=(11, "3")))
    assert live.view(at(8)).floor == ()


def test_a_question_under_someone_elses_help_request_is_not_a_floor_question():
    """As analyze decides it: help language in a reply to a help request is about the asker's problem."""
    live = state()
    feed(live, tweet(10, at(2), "1", "Q1: What helps? #c"),
         tweet(11, at(4), "3", "Does anyone know a good resume template? #c"))
    assert [f["message_id"] for f in live.view(at(5)).floor] == ["11"]
    feed(live, tweet(12, at(6), "2", "Does anyone know if the library ones are free? #c", reply_to=(11, "3")))
    assert live.view(at(7)).floor == ()  # 11 got a reply; 12 asks about 11's problem, not for help of its own


def test_a_plural_you_question_to_someone_else_is_no_help_request_of_its_own_live_as_in_analyze():
    """'¿Tenéis …?' under someone else's post asks about them; help language replying to it is a request of one's
    own, so it stays a question from the floor until answered (the parent is judged with its authors, as analyze
    does)."""
    live = state()
    feed(live, tweet(10, at(2), "1", "Q1: What helps? #c"),
         tweet(11, at(3), "2", "A1 we keep one shared tracker for every application #c"),
         tweet(12, at(4), "3", "¿Tenéis una plantilla para el tracker? #c", reply_to=(11, "2")),
         tweet(13, at(5), "6", "Can anyone help me set up a tracker like that? #c", reply_to=(12, "3")))
    assert "13" in [f["message_id"] for f in live.view(at(6)).floor]
    # analyze's flags on the same messages: 12 asks about someone else, 13 asks for help of its own
    from moderator_kit.people import annotate_messages

    kept = live.assigner.rows(list(live.assigner.index))
    flags = dict(annotate_messages(kept).select("message_id", "help_seeking").iter_rows())
    assert (flags["12"], flags["13"]) == (False, True)


def test_repost_is_not_active_and_the_wave_grows_per_question():
    live = state()
    feed(live, tweet(10, at(2), "1", "Q1: What helps? #c"), tweet(11, at(3), "2", "A1 lists #c"),
         tweet(12, at(3.5), "6", "RT @amy: A1 lists", retweet_of=11))
    view = live.view(at(4))
    assert view.counts["active_participants"] == 2  # mod and amy; cat only reposted
    assert list(view.wave) == [(2, 1, 1), (3, 1, 2)]
    assert [(q["question"], q["answers"]) for q in view.questions] == [(1, 1), (2, 0)]


def test_hint_after_the_wave_decays_and_more_time_for_a_slow_chat():
    live = state()
    feed(live, tweet(10, at(2), "1", "Q1: What helps? #c"),
         *[tweet(20 + i, at(2) + timedelta(seconds=20 * (i + 1)), "2" if i % 2 else "3", f"A1 idea {i} #c")
           for i in range(6)])
    assert live.view(at(4)).clock["hint"] is None          # answers still arriving, Q2 planned at :10
    view = live.view(at(8))
    assert view.clock["question"] == 1 and view.clock["hint"] == "Post Q2 now"
    slow = state()
    feed(slow, tweet(10, at(2), "1", "Q1: What helps? #c"),
         *[tweet(20 + i, at(2 + 1.5 * (i + 1)), "2" if i % 2 else "3", f"A1 idea {i} #c") for i in range(6)])
    assert slow.view(at(11)).clock["hint"].startswith("Give Q1 ")
    feed(live, tweet(30, at(9), "1", "Q2: And then? #c"))
    assert live.view(at(9.5)).clock["question"] == 2


def test_decay_rule():
    posted = at(0)
    quick = [posted + timedelta(seconds=s) for s in (10, 20, 30, 40)]
    assert not wave_decayed(posted, quick, posted + timedelta(seconds=60))
    assert wave_decayed(posted, quick, posted + timedelta(seconds=100))
    assert not wave_decayed(posted, quick[:2], posted + timedelta(minutes=30))  # too few answers to judge
    assert agenda_hint(None, None, [], at(3), next_question=1, next_planned=at(2)) == "Post Q1 now"


def _analysed(live: LiveState) -> pl.DataFrame:
    """assign_questions on the whole session, as analyze runs it."""
    frame = live.assigner.frame
    return assign_questions(frame, detect_questions(frame, live.session_frame, live.config, ["mod"]), ["mod"])


def test_late_evidence_moves_earlier_messages_as_analyze_would():
    live = state()
    feed(live, tweet(10, at(2), "1", "Q1: What helps? #c"),
         tweet(11, at(3), "2", "so true", reply_to=(99, "3")),           # replies to a message not yet seen
         *[tweet(20 + i, at(4 + i), "3", f"my course https://promo.example/x #c") for i in range(2)])
    feed(live, tweet(99, at(2.5), "3", "A1 lists #c"),                  # the parent arrives late
         tweet(22, at(8), "3", "again https://promo.example/x #c"))      # third link post: all three promotional
    expected = {r[0]: r[2:5] for r in _analysed(live).rows()}
    assert {k: live.assigner.state[k][:3] for k in expected} == expected
    assert live.assigner.state["11"][:3] == (1, "answer", "thread")
    assert {live.assigner.state[k][1] for k in ("20", "21", "22")} == {"promotional"}


def test_a_refresh_costs_the_new_messages_only(monkeypatch):
    live = state()
    feed(live, tweet(10, at(2), "1", "Q1: What helps? #c"),
         *[tweet(100 + i, at(2) + timedelta(seconds=5 * i), str(2 + i % 3), f"A1 idea {i} #c") for i in range(400)])
    seen = []
    real = live_assign.assign_questions
    monkeypatch.setattr(live_assign, "assign_questions", lambda f, q, m: seen.append(f.height) or real(f, q, m))
    feed(live, *[tweet(1000 + i, at(40), "2", f"A1 more {i} #c") for i in range(5)])
    assert seen and max(seen) <= 10
    assert live.view(at(41)).questions[0]["answers"] == 405


def test_spam_rules_and_sessions_are_the_analysis_steps():
    live = state()
    feed(live, tweet(10, at(-200), "2", "long before #c"), tweet(11, at(5), "5", "earn $9/day #c"))
    frame = parse_lines("twarc2", [twarc2_line([tweet(11, at(5), "5", "earn $9/day #c")], USERS)]).messages
    _, excluded = apply_spam_rules(assign_sessions(frame, live.session_frame), live.config.spam)
    assert [s["reason"] for s in live.view(at(6)).spam] == excluded["reason"].to_list()
    assert live.view(at(6)).counts["outside_session"] == 1


def test_spec_errors_are_one_line(tmp_path):
    with pytest.raises(ModeratorKitError, match="live needs a source"):
        LiveSpec(chat="c").validate()
    with pytest.raises(ModeratorKitError, match="needs --instance"):
        LiveSpec(chat="c", collect="mastodon", out=str(tmp_path / "a.jsonl")).validate()
    bad = tmp_path / "x.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(ModeratorKitError, match="live follows JSON-lines archives"):
        LiveSpec(chat="c", follow=(str(bad),)).validate()


def test_inferred_moderators_recount_everything():
    cfg = config().model_copy(update={"moderators": []})
    live = LiveState(cfg, live_session(cfg, at(0)), history={"amy"})
    feed(live, tweet(10, at(2), "1", "Q1: What helps? #c"), tweet(11, at(3), "2", "A1 lists #c"),
         tweet(12, at(4), "3", "A1 calendars #c"))
    assert live.moderators == [] and live.view(at(5)).clock["question"] is None  # one Qn post: no moderator yet
    feed(live, tweet(13, at(10), "1", "Q2: And then? #c"), tweet(14, at(11), "2", "A2 rest #c"))
    assert live.moderators == ["mod"]
    frame = live.assigner.frame
    expected = assign_questions(frame, detect_questions(frame, live.session_frame, cfg, ["mod"]), ["mod"])
    assert {k: v[:3] for k, v in live.assigner.state.items()} == {r[0]: r[2:5] for r in expected.rows()}
    view = live.view(at(12))
    assert [(q["question"], q["answers"]) for q in view.questions] == [(1, 2), (2, 1)]
    assert view.counts["on_agenda_share"] == 1.0 and view.counts["messages"] == 5


def test_a_rewritten_file_starts_the_state_over(tmp_path):
    from moderator_kit.live import LiveFeed

    path = tmp_path / "stream.jsonl"
    first = [tweet(10, at(2), "1", "Q1: What helps? #c"), tweet(11, at(3), "2", "A1 lists #c"),
             tweet(12, at(4), "3", "A1 calendars #c")]
    path.write_text(twarc2_line(first, USERS) + "\n")
    live = LiveFeed(state(), [path], clock=lambda: at(5))
    live.poll_once()
    assert live.view.counts["messages"] == 3
    path.write_text(twarc2_line(first[:1], USERS) + "\n")  # shorter: rewritten
    live.poll_once()
    assert live.view.counts["messages"] == 1 and live.view.questions[0]["answers"] == 0
