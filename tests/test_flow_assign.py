"""Answer assignment on hand-written labelled transcripts, and the A-tags of a real legacy archive."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
import pytest

from moderator_kit.config import AgendaQuestion, ChatConfig
from moderator_kit.flow import ASSIGNMENT_SCHEMA, assign_questions, detect_questions, infer_moderators
from moderator_kit.flow.patterns import answer_tag
from moderator_kit.schema import conform
from tests.helpers import BASE, at, messages_frame


def session_messages(rows, session_id="s1"):
    """Canonical session messages: each row a dict; 'minute' becomes created_at, 'phase' defaults to chat."""
    built = []
    for row in rows:
        row = dict(row)
        row["created_at"] = at(row.pop("minute"))
        row.pop("phase", None)
        built.append(row)
    return messages_frame(built).with_columns(
        session_id=pl.lit(session_id, pl.String),
        phase=pl.Series([row.get("phase", "chat") for row in rows], dtype=pl.String),
    )


SESSIONS = pl.DataFrame({"session_id": ["s1"], "start": [BASE], "end": [BASE + timedelta(minutes=60)]}).with_columns(
    pl.col("start", "end").dt.cast_time_unit("us").dt.convert_time_zone("UTC"))

# Q1 at minute 1, Q2 at 20, Q3 at 40; Q4 planned at 50 and posted at 55 (answers to it may come earlier).
QUESTIONS = [
    {"message_id": "q1", "author_handle": "mod", "minute": 1, "text": "Q1: What got you your last job?"},
    {"message_id": "q2", "author_handle": "mod", "minute": 20, "text": "Q2: How do you network?"},
    {"message_id": "q3", "author_handle": "mod", "minute": 40, "text": "Q3: Best interview tip?"},
    {"message_id": "q4", "author_handle": "mod", "minute": 55, "text": "Q4: Last words?"},
]


def run(rows, moderators=("mod",), agenda=()):
    msgs = session_messages(QUESTIONS + rows)
    cfg = ChatConfig(chat="c", agenda=list(agenda))
    questions = detect_questions(msgs, SESSIONS, cfg, list(moderators))
    out = assign_questions(msgs, questions, list(moderators))
    assert out.schema == ASSIGNMENT_SCHEMA
    assert out["message_id"].to_list() == msgs["message_id"].to_list()
    return {r["message_id"]: r for r in out.iter_rows(named=True)}


def label(result, mid):
    r = result[mid]
    return r["question"], r["category"], r["method"], r["confidence"]


@pytest.mark.parametrize(
    "text",
    ["A2 Go to meetups", "A2: Go to meetups", "a2) go to meetups", "A.2 meetups", "#A2 meetups", "A2/Q2 meetups",
     "a2 - meetups", "A 2 Meetups", "A 2: meetups", "@amy A2 agreed, meetups", "#jobchat A2 meetups",
     "Q2/A2: meetups", "Q2 A2 meetups", "@amy.lee A2 yes", "@amy@mastodon.social A2 yes", "Ans 2: meetups",
     "Answer2 meetups", "Meetups, always #jobchat A2",
     "Meetups (A2)", "a2 meetups", "A2- meetups", "A2.meetups", "💡A2 meetups", "A2, meetups", "A2/2 both"],
)
def test_every_tag_form_is_an_answer(text):
    # posted at minute 45, after Q3: only the tag can say Q2
    result = run([{"message_id": "m", "author_handle": "amy", "minute": 45, "text": text}])
    assert label(result, "m") == (2, "answer", "tag", 1.0)


@pytest.mark.parametrize(
    "text",
    ["A1 Steak Sauce is the best", "a 2 minute pitch is plenty", "A 2 minute pitch", "Plan A2 never works out",
     "I think A2 is right", "A4 paper for resumes", "AA2 meeting", "A22 is not a question", "BA2 degree",
     "A2B testing", "Area 2", "@Joga5 could they swap?", "@pasaka81 not so much", "@bevevans22 has a frog",
     "@NuttyA10 congrats", "RT @Joga5: the materials are up"],
)
def test_things_that_are_not_tags(text):
    result = run([{"message_id": "m", "author_handle": "amy", "minute": 45, "text": text}])
    assert result["m"]["method"] != "tag"
    assert label(result, "m") == (3, "answer", "time", 0.5)


def test_question_posts_threads_quotes_and_time():
    result = run([
        {"message_id": "a", "author_handle": "amy", "minute": 2, "text": "A1 A referral"},
        {"message_id": "b", "author_handle": "bob", "minute": 3, "kind": "reply", "reply_to_message_id": "q1",
         "text": "@mod Cold emails"},
        {"message_id": "c", "author_handle": "cat", "minute": 25, "kind": "reply", "reply_to_message_id": "a",
         "text": "@amy same here"},  # after Q2 was posted, but in Q1's thread
        {"message_id": "d", "author_handle": "amy", "minute": 26, "kind": "reply", "reply_to_message_id": "c",
         "text": "@cat nice"},  # deeper in the thread
        {"message_id": "e", "author_handle": "dan", "minute": 27, "kind": "reply", "reply_to_message_id": "d",
         "text": "@amy @cat A2 something else"},  # own tag wins over the thread
        {"message_id": "f", "author_handle": "eve", "minute": 28, "kind": "quote", "quote_of_message_id": "q1",
         "text": "Late to this one: referrals"},
        {"message_id": "g", "author_handle": "fay", "minute": 30, "text": "LinkedIn groups work for me"},
        {"message_id": "h", "author_handle": "gus", "minute": 31, "kind": "reply", "reply_to_message_id": "g",
         "text": "@fay which ones?"},  # thread of a time-inferred answer
        {"message_id": "i", "author_handle": "hal", "minute": 32, "kind": "reply", "reply_to_message_id": "elsewhere",
         "text": "@zed totally"},  # parent not in the data: time
        {"message_id": "j", "author_handle": "ivy", "minute": 33, "kind": "quote", "quote_of_message_id": "e",
         "text": "This!"},  # quote of an answer
        {"message_id": "k", "author_handle": "mod", "minute": 34, "kind": "reply", "reply_to_message_id": "g",
         "text": "@fay great point"},  # a moderator taking part in a thread answers too
        {"message_id": "l", "author_handle": "amy", "minute": 2.5, "kind": "reply", "reply_to_message_id": "q1",
         "text": "@mod #A2 jumping ahead"},  # the tag wins over the question's thread
    ])
    assert label(result, "q1") == (1, "question", "tag", 1.0)
    assert label(result, "a") == (1, "answer", "tag", 1.0)
    assert label(result, "b") == (1, "answer", "thread", 0.9)
    assert label(result, "c") == (1, "answer", "thread", 0.9)
    assert label(result, "d") == (1, "answer", "thread", 0.9)
    assert label(result, "e") == (2, "answer", "tag", 1.0)
    assert label(result, "f") == (1, "answer", "quote", 0.9)
    assert label(result, "g") == (2, "answer", "time", 0.5)
    assert label(result, "h") == (2, "answer", "thread", 0.5)
    assert label(result, "i") == (2, "answer", "time", 0.5)
    assert label(result, "j") == (2, "answer", "quote", 0.9)
    assert label(result, "k") == (2, "answer", "thread", 0.5)
    assert label(result, "l") == (2, "answer", "tag", 1.0)


def test_side_conversations_in_threads_are_not_answers():
    result = run([
        {"message_id": "intro", "author_handle": "amy", "minute": 0.5, "text": "Hi all! Amy from Leeds"},
        {"message_id": "side", "author_handle": "bob", "minute": 3, "kind": "reply", "reply_to_message_id": "intro",
         "text": "@amy No way, I used to live in Leeds too!"},  # after Q1, but in an intro's thread
        {"message_id": "side2", "author_handle": "amy", "minute": 4, "kind": "reply", "reply_to_message_id": "side",
         "text": "@bob small world"},
        {"message_id": "welcome", "author_handle": "mod", "minute": 1.5, "kind": "reply",
         "reply_to_message_id": "intro", "text": "@amy Welcome back, Amy!"},
        {"message_id": "ans", "author_handle": "cat", "minute": 5, "text": "A1: referrals. Any advice on cold emails?"},
        {"message_id": "adv", "author_handle": "dan", "minute": 6, "kind": "reply", "reply_to_message_id": "ans",
         "text": "@cat Try this: keep it to three lines"},
        {"message_id": "ty", "author_handle": "cat", "minute": 7, "kind": "reply", "reply_to_message_id": "adv",
         "text": "@dan Thank you! That's really helpful 🙏"},
        {"message_id": "ty2", "author_handle": "dan", "minute": 7.5, "kind": "reply", "reply_to_message_id": "adv",
         "text": "@cat.smith Hi! That's awesome, keep me posted"},
        {"message_id": "plug", "author_handle": "spam", "minute": 8, "kind": "reply", "reply_to_message_id": "ans",
         "text": "@cat DM me, my coaching covers exactly this 👉 https://coach.example/book"},
        {"message_id": "agree", "author_handle": "mod2", "minute": 9, "kind": "reply", "reply_to_message_id": "adv",
         "text": "@dan So true 💯"},
        {"message_id": "m2a", "author_handle": "mod2", "minute": 21, "text": "A2: alumni groups"},
        {"message_id": "m2b", "author_handle": "mod2", "minute": 22, "text": "Loving these answers, keep going!"},
        {"message_id": "qt", "author_handle": "eve", "minute": 10, "kind": "quote", "quote_of_message_id": "intro",
         "text": "Look who's back"},
    ], moderators=("mod", "mod2"))
    assert label(result, "side") == (None, "off_agenda", "none", None)
    assert label(result, "side2") == (None, "off_agenda", "none", None)
    assert label(result, "welcome") == (None, "social", "none", None)
    assert label(result, "adv") == (1, "answer", "thread", 0.9)
    assert label(result, "ty") == (None, "social", "none", None)
    assert label(result, "ty2") == (None, "social", "none", None)
    assert label(result, "plug") == (None, "promotional", "none", None)
    assert label(result, "agree") == (1, "answer", "thread", 0.9)
    assert label(result, "m2a") == (2, "answer", "tag", 1.0)
    assert label(result, "m2b") == (None, "moderator", "none", None)  # moderators get no time-inferred question
    assert label(result, "qt") == (None, "off_agenda", "none", None)


def test_social_promotional_moderator_and_off_agenda():
    result = run([
        {"message_id": "pre", "author_handle": "amy", "minute": -5, "phase": "pre", "text": "A1 early bird"},
        {"message_id": "before", "author_handle": "amy", "minute": 0.5, "text": "Excited for tonight"},
        {"message_id": "w", "author_handle": "mod", "minute": 0.2, "text": "Welcome to #jobchat! Intros please"},
        {"message_id": "hi", "author_handle": "bob", "minute": 5, "text": "Hi all! Joining from Leeds"},
        {"message_id": "ty", "author_handle": "cat", "minute": 6, "text": "@amy thanks for sharing!"},
        {"message_id": "ge", "author_handle": "dan", "minute": 7, "text": "Good evening everyone"},
        {"message_id": "promo", "author_handle": "spam", "minute": 8,
         "text": "Check out my course on interviews https://course.example/x"},
        {"message_id": "hire", "author_handle": "corp", "minute": 9, "text": "We're hiring! https://jobs.example",
         "urls": ["https://jobs.example"]},
        {"message_id": "l1", "author_handle": "bot", "minute": 10, "text": "Great stuff https://me.example/a"},
        {"message_id": "l2", "author_handle": "bot", "minute": 21, "text": "So true https://me.example/a/"},
        {"message_id": "l3", "author_handle": "bot", "minute": 41, "text": "Yes! https://me.example/a"},
        {"message_id": "link", "author_handle": "eve", "minute": 11, "text": "This guide helped me https://g.example"},
        {"message_id": "recap", "author_handle": "mod", "minute": 58, "text": "That's a wrap, thanks all"},
        {"message_id": "late", "author_handle": "fay", "minute": 62, "phase": "follow_up",
         "text": "A3: sorry, late"},
        {"message_id": "fu", "author_handle": "gus", "minute": 63, "phase": "follow_up", "text": "great chat"},
        {"message_id": "fu2", "author_handle": "gus", "minute": 64, "phase": "follow_up", "text": "Resume tips?"},
    ])
    assert label(result, "pre") == (None, "off_agenda", "none", None)
    assert label(result, "before") == (None, "off_agenda", "none", None)
    assert label(result, "w") == (None, "moderator", "none", None)
    assert label(result, "hi") == (None, "social", "none", None)
    assert label(result, "ty") == (None, "social", "none", None)
    assert label(result, "ge") == (None, "social", "none", None)
    assert label(result, "promo") == (None, "promotional", "none", None)
    assert label(result, "hire") == (None, "promotional", "none", None)
    for mid in ("l1", "l2", "l3"):
        assert label(result, mid) == (None, "promotional", "none", None)
    assert label(result, "link") == (1, "answer", "time", 0.5)
    assert label(result, "recap") == (None, "moderator", "none", None)
    assert label(result, "late") == (3, "answer", "tag", 1.0)
    assert label(result, "fu") == (None, "social", "none", None)
    assert label(result, "fu2") == (None, "off_agenda", "none", None)


def test_reposts_inherit():
    result = run([
        {"message_id": "a", "author_handle": "amy", "minute": 2, "text": "A1 A referral"},
        {"message_id": "g", "author_handle": "fay", "minute": 30, "text": "LinkedIn groups"},
        {"message_id": "s", "author_handle": "bob", "minute": 3, "text": "hello friends"},
        {"message_id": "r1", "author_handle": "zed", "minute": 4, "kind": "repost", "repost_of_message_id": "a",
         "repost_of_author_handle": "amy", "text": "RT @amy: A1 A referral"},
        {"message_id": "r2", "author_handle": "zed", "minute": 21, "kind": "repost", "repost_of_message_id": "q2",
         "repost_of_author_handle": "mod", "text": "RT @mod: Q2: How do you network?"},
        {"message_id": "r3", "author_handle": "zed", "minute": 31, "kind": "repost", "repost_of_message_id": "g",
         "repost_of_author_handle": "fay", "text": "RT @fay: LinkedIn groups"},
        {"message_id": "r4", "author_handle": "zed", "minute": 32, "kind": "repost", "repost_of_message_id": "s",
         "repost_of_author_handle": "bob", "text": "RT @bob: hello friends"},
        {"message_id": "r5", "author_handle": "zed", "minute": 50, "kind": "repost", "repost_of_message_id": "old",
         "repost_of_author_handle": "kim", "text": "RT @kim: A2: mentors matter"},  # original not in the data
        {"message_id": "r6", "author_handle": "zed", "minute": 51, "kind": "repost", "repost_of_message_id": "old2",
         "repost_of_author_handle": "kim", "text": "RT @kim: a thought"},
    ])
    assert label(result, "r1") == (1, "answer", "repost", 1.0)
    assert label(result, "r2") == (2, "question", "repost", 1.0)
    assert label(result, "r3") == (2, "answer", "repost", 0.5)
    assert label(result, "r4") == (None, "social", "none", None)
    assert label(result, "r5") == (2, "answer", "repost", 1.0)
    assert label(result, "r6") == (None, "off_agenda", "none", None)


def test_answers_before_their_question_and_duplicate_question_posts():
    result = run([
        {"message_id": "early", "author_handle": "amy", "minute": 45, "text": "A4 jumping ahead: be kind"},
        {"message_id": "dup", "author_handle": "mod", "minute": 22, "text": "Q2 again: How do you network?"},
        {"message_id": "nine", "author_handle": "bob", "minute": 46, "text": "A9 there is no Q9"},
    ])
    assert label(result, "early") == (4, "answer", "tag", 1.0)
    assert label(result, "dup") == (2, "question", "tag", 1.0)
    assert label(result, "nine") == (3, "answer", "time", 0.5)  # the tag names no question: time decides


def test_skipped_and_out_of_order_questions_with_agenda():
    agenda = [AgendaQuestion(number=n, offset_minutes=o) for n, o in [(1, 0), (2, 20), (3, 40), (4, 50), (5, 55)]]
    msgs = session_messages([
        {"message_id": "q1", "author_handle": "mod", "minute": 1, "text": "Q1: a?"},
        {"message_id": "q3", "author_handle": "mod", "minute": 15, "text": "Q3: c?"},  # before Q2
        {"message_id": "q2", "author_handle": "mod", "minute": 30, "text": "Q2: b?"},
        {"message_id": "x", "author_handle": "amy", "minute": 20, "text": "thinking about it"},
        {"message_id": "y", "author_handle": "amy", "minute": 35, "text": "my answer"},
        {"message_id": "z", "author_handle": "bob", "minute": 36, "text": "A5: skipped one"},
    ])
    questions = detect_questions(msgs, SESSIONS, ChatConfig(chat="c", agenda=agenda), ["mod"])
    out = assign_questions(msgs, questions, ["mod"])
    got = dict(zip(out["message_id"], out["question"], strict=True))
    assert got["x"] == 3 and got["y"] == 2
    assert got["z"] == 5  # planned, never posted: the tag still names it


def test_planned_times_stand_in_when_nothing_was_posted():
    agenda = [AgendaQuestion(number=1, offset_minutes=0), AgendaQuestion(number=2, offset_minutes=30)]
    msgs = session_messages([{"message_id": "x", "author_handle": "amy", "minute": 35, "text": "my answer"},
                             {"message_id": "y", "author_handle": "amy", "minute": 5, "text": "A2 early"}])
    questions = detect_questions(msgs, SESSIONS, ChatConfig(chat="c", agenda=agenda), [])
    out = assign_questions(msgs, questions, [])
    assert out.select("question", "method").rows() == [(2, "time"), (2, "tag")]


def test_no_moderator_configured_and_no_questions():
    msgs = session_messages([
        {"message_id": "q1", "author_handle": "host", "minute": 1, "text": "Q1: a?"},
        {"message_id": "q2", "author_handle": "host", "minute": 20, "text": "Q2: b?"},
        {"message_id": "a", "author_handle": "amy", "minute": 21, "text": "A1 late"},
    ])
    mods = infer_moderators(msgs)
    questions = detect_questions(msgs, SESSIONS, ChatConfig(chat="c"), mods)
    out = assign_questions(msgs, questions, mods)
    assert out.select("question", "category", "method").rows() == [
        (1, "question", "tag"), (2, "question", "tag"), (1, "answer", "tag")]

    plain = session_messages([{"author_handle": "amy", "minute": 1, "text": "A1 hello"},
                              {"author_handle": "bob", "minute": 2, "text": "hi amy", "kind": "reply",
                               "reply_to_message_id": "1"},
                              {"author_handle": "cat", "minute": 3, "text": "Resumes matter"}])
    none = detect_questions(plain, SESSIONS, ChatConfig(chat="c"), infer_moderators(plain))
    assert none.height == 0  # no question is invented
    out = assign_questions(plain, none, [])
    # With no known question in the session, an explicit tag is still taken at its word (a participant's own
    # archive holds "A1 …" but not the moderator's Q1); nothing is inferred from time.
    assert out.select("question", "category", "method").rows() == [
        (1, "answer", "tag"), (None, "social", "none"), (None, "off_agenda", "none")]


def test_lazy_input_and_empty_frames():
    msgs = session_messages(QUESTIONS)
    questions = detect_questions(msgs, SESSIONS, ChatConfig(chat="c"), ["mod"])
    assert assign_questions(msgs.lazy(), questions, ["mod"])["category"].to_list() == ["question"] * 4
    empty = assign_questions(msgs.head(0), questions.head(0), [])
    assert empty.height == 0 and empty.schema == ASSIGNMENT_SCHEMA


@pytest.mark.real_data
def test_legacy_archive_answer_tags_are_recognised(real_data_dir):
    """#UKEdChat and #LTHEchat answers in a real legacy tweets.csv are tagged answers of their question."""
    path = real_data_dir / "twitter-archive-legacy-iansheffield" / "tweets.csv"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    raw = pl.read_csv(path, infer_schema=False).filter(
        pl.col("text").str.contains(r"(?i)#(?:ukedchat|lthechat)\b"))
    msgs = raw.select(
        message_id="tweet_id",
        platform=pl.lit("twitter"),
        author_handle=pl.lit("ianinsheffield"),
        created_at=pl.col("timestamp").str.to_datetime("%Y-%m-%d %H:%M:%S %z").dt.convert_time_zone("UTC"),
        text="text",
        kind=pl.when(pl.col("retweeted_status_id") != "").then(pl.lit("repost")).otherwise(pl.lit("post")),
    ).with_columns(session_id=pl.col("created_at").dt.date().cast(pl.String), phase=pl.lit("chat"))
    msgs = conform(msgs).with_columns(session_id=msgs["session_id"], phase=msgs["phase"])
    # The archive holds the answers, not the moderators' questions: plan Q1..Q10 for every chat night.
    sessions = msgs.group_by("session_id").agg(start=pl.col("created_at").min()).with_columns(
        end=pl.col("start") + timedelta(hours=1))
    cfg = ChatConfig(chat="ukedchat", agenda=[AgendaQuestion(number=n) for n in range(1, 11)])
    questions = detect_questions(msgs, sessions, cfg, ["ukedchat"])
    out = assign_questions(msgs, questions, ["ukedchat"]).join(msgs.select("message_id", "text"), on="message_id")
    answers = out.filter(pl.col("category") == "answer")
    expected = {"829796556882731008": 8, "829794976779366400": 6, "829792540622778368": 5,
                "829787904180420609": 3, "740623512180822016": 2, "733011553121914880": 1}
    got = dict(zip(answers["message_id"], answers["question"], strict=True))
    assert {k: got.get(k) for k in expected} == expected
    assert set(answers["method"]) == {"tag"}
    # every #UKEdChat / #LTHEchat tweet opening with A<n> is an answer, and nothing else is
    opening = msgs.filter(pl.col("text").str.contains(r"^A\d+\s")).height
    assert answers.height == opening == len(expected)


@pytest.mark.real_data
def test_legacy_archive_tags_have_no_false_positives(real_data_dir):
    """Across all 10,326 tweets, exactly the 19 real A-tag answers are tagged (checked by hand), none of the
    @Joga5 / @NuttyA10 / "a 15 min" look-alikes; the retweeted Q3/Q4 of @mentor_shooc make it the moderator."""
    path = real_data_dir / "twitter-archive-legacy-iansheffield" / "tweets.csv"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    raw = pl.read_csv(path, infer_schema=False)
    tagged = raw.select("tweet_id", tag=answer_tag(pl.col("text"))).drop_nulls("tag")
    expected = {
        "829796556882731008": 8, "829794976779366400": 6, "829792540622778368": 5, "829787904180420609": 3,
        "804435823483650049": 4, "804434849574559745": 4, "804428676486103041": 2, "804424767780622337": 1,
        "804424143248691200": 1, "804423378836877312": 1, "790472807146721280": 4, "740623512180822016": 2,
        "733011553121914880": 1, "628611231809708032": 4, "628603682389667844": 1, "628601626132131840": 1,
        "489848208903118848": 1, "488770690045464576": 4, "304331835905814528": 4,
    }
    assert dict(zip(tagged["tweet_id"], tagged["tag"], strict=True)) == expected
    msgs = raw.select(
        message_id="tweet_id",
        author_handle=pl.lit("ianinsheffield"),
        created_at=pl.col("timestamp").str.to_datetime("%Y-%m-%d %H:%M:%S %z").dt.convert_time_zone("UTC"),
        text="text",
        kind=pl.when(pl.col("retweeted_status_id") != "").then(pl.lit("repost")).otherwise(pl.lit("post")),
        repost_of_message_id=pl.when(pl.col("retweeted_status_id") != "").then(pl.col("retweeted_status_id")),
        platform=pl.lit("twitter"),
    )
    msgs = conform(msgs).with_columns(session_id=raw["timestamp"].str.slice(0, 10), phase=pl.lit("chat"))
    assert infer_moderators(msgs) == ["mentor_shooc"]


def test_messages_without_text_or_links_do_not_break_anything():
    result = run([
        {"message_id": "photo", "author_handle": "amy", "minute": 3, "text": None},
        {"message_id": "r", "author_handle": "bob", "minute": 4, "kind": "reply", "reply_to_message_id": "photo",
         "text": None},
        {"message_id": "rt", "author_handle": "cat", "minute": 5, "kind": "repost", "repost_of_message_id": "x",
         "text": None},
        {"message_id": "loop1", "author_handle": "dan", "minute": 6, "kind": "reply", "reply_to_message_id": "loop2",
         "text": "circular"},
        {"message_id": "loop2", "author_handle": "eve", "minute": 7, "kind": "reply", "reply_to_message_id": "loop1",
         "text": "references"},
    ])
    assert label(result, "photo") == (1, "answer", "time", 0.5)
    assert label(result, "r") == (1, "answer", "thread", 0.5)
    assert label(result, "rt") == (None, "off_agenda", "none", None)
    assert result["loop1"]["category"] in {"answer", "off_agenda"}  # malformed chains end within the bound
