"""Roles with reasons, spam rules, perspective and paying it forward, on a hand-written four-session chat.

The chat (``CHAT`` below, also used by the retention and follow-up tests) has one clear case of every label:

* s1 2026-01-05: ``mod`` asks Q1 and Q2; ``ada`` answers both and replies to bob, cy, dee and sam (advocate);
  ``promo`` posts four links to promo.biz and talks to nobody (self-promoter); ``sam`` asks "Any tips ...?"
  (seeker); ``cy`` asks the room "Does anyone know ...?" and nobody answers; ``rita`` posts two job ads with links
  and replies to sam (recruiter); ``acme`` is the sponsor; ``feedy`` posts via IFTTT (spam by bot signal);
  ``bot1`` posts via AutoPoster and ``hijack`` posts "buy followers" (spam by the config's rules); ``rt`` only
  reposts. In the follow-up ``mod`` thanks everyone with a recap and ``bob`` asks ada one more thing.
* s2 2026-01-12: newcomers ``newa`` (ada replies) and ``newb`` (nobody replies); sam replies to ada.
* s3 2026-01-19: ``newa`` comes back, ``newb`` does not.
* s4 2026-01-26: ``sam`` answers both questions and replies to newc, dan and eve: the seeker of s1 is an advocate
  three sessions later. ``fay`` is a newcomer nobody replies to.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import polars as pl
import pytest

from moderator_kit.config import ChatConfig, RoleThresholds, SpamRules, parse_config
from moderator_kit.people.forward import pay_it_forward
from moderator_kit.people.perspective import question_perspective
from moderator_kit.people.roles import assign_roles
from moderator_kit.people.signals import history_signals, participant_signals, signal_availability
from moderator_kit.people.spam import apply_spam_rules, excluded_counts
from tests.helpers import messages_frame

START = {
    "2026-01-05": datetime(2026, 1, 6, 1, 0, tzinfo=timezone.utc),
    "2026-01-12": datetime(2026, 1, 13, 1, 0, tzinfo=timezone.utc),
    "2026-01-19": datetime(2026, 1, 20, 1, 0, tzinfo=timezone.utc),
    "2026-01-26": datetime(2026, 1, 27, 1, 0, tzinfo=timezone.utc),
}
S1, S2, S3, S4 = START

# id, session, minute, handle, text, extras (kind / reply / urls / app / assignment)
ROWS = [
    ("1", S1, 0, "mod", "Q1: How do you prepare for interviews?", dict(cat="question", q=1, m="tag")),
    ("2", S1, 20, "mod", "Q2: How do you negotiate salary?", dict(cat="question", q=2, m="tag")),
    ("3", S1, 2, "ada", "A1: Research the company and practice out loud", dict(cat="answer", q=1, m="tag")),
    ("4", S1, 21, "ada", "A2: Know your market rate before the call", dict(cat="answer", q=2, m="tag")),
    ("5", S1, 3, "bob", "A1: I write down stories with the STAR method", dict(cat="answer", q=1, m="tag")),
    ("6", S1, 4, "cy", "A1: Mock interviews with friends", dict(cat="answer", q=1, m="tag")),
    ("7", S1, 22, "dee", "A2: Ask for the range first", dict(cat="answer", q=2, m="tag")),
    ("8", S1, 5, "ada", "@bob Write each STAR story on one card and time it",
     dict(reply="5", cat="answer", q=1, m="thread")),
    ("9", S1, 6, "ada", "@cy Mock interviews helped me too, record them on video",
     dict(reply="6", cat="answer", q=1, m="thread")),
    ("10", S1, 23, "ada", "@dee Yes, and anchor high when they ask for your number",
     dict(reply="7", cat="answer", q=2, m="thread")),
    ("11", S1, 7, "bob", "@ada Thanks!", dict(reply="8", cat="social", m="thread")),
    ("12", S1, 24, "sam", "Any tips for negotiating salary as a new grad?", dict(cat="answer", q=2, m="time")),
    ("13", S1, 25, "ada", "@sam Ask for the range and take a day to decide", dict(reply="12", cat="answer", q=2,
                                                                                  m="thread")),
    ("14", S1, 8, "promo", "My new resume course https://promo.biz/course?a=1",
     dict(urls=["https://promo.biz/course?a=1"], cat="promotional")),
    ("15", S1, 18, "promo", "Still time to join: https://www.promo.biz/join",
     dict(urls=["https://www.promo.biz/join"], cat="promotional")),
    ("16", S1, 28, "promo", "Free webinar https://promo.biz/webinar",
     dict(urls=["https://promo.biz/webinar"], cat="promotional")),
    ("17", S1, 38, "promo", "Last call https://promo.biz/last", dict(urls=["https://promo.biz/last"],
                                                                     cat="promotional")),
    ("18", S1, 9, "rita", "We're hiring a data analyst, apply now https://jobs.acme.io/1",
     dict(urls=["https://jobs.acme.io/1"], cat="promotional")),
    ("19", S1, 29, "rita", "Join our team as a research coordinator https://jobs.acme.io/2",
     dict(urls=["https://jobs.acme.io/2"], cat="promotional")),
    ("20", S1, 26, "rita", "@sam happy to chat about salary bands", dict(reply="12", cat="answer", q=2, m="thread")),
    ("21", S1, 1, "acme", "Proud to sponsor #jobchat tonight https://acme.io", dict(urls=["https://acme.io"],
                                                                                    cat="promotional")),
    ("22", S1, 10, "bot1", "Top 10 jobs today https://jobs.example/x", dict(app="AutoPoster",
                                                                            urls=["https://jobs.example/x"])),
    ("23", S1, 11, "hijack", "Buy followers cheap at https://f.example", dict(urls=["https://f.example"])),
    ("24", S1, 12, "feedy", "New job alert https://feed.example/1", dict(app="IFTTT",
                                                                         urls=["https://feed.example/1"])),
    ("25", S1, 13, "feedy", "New job alert https://feed.example/2", dict(app="IFTTT",
                                                                         urls=["https://feed.example/2"])),
    ("26", S1, 14, "feedy", "New job alert https://feed.example/3", dict(app="IFTTT",
                                                                         urls=["https://feed.example/3"])),
    ("27", S1, 15, "rt", "RT @ada: A1: Research the company and practice out loud", dict(repost="3")),
    ("28", S1, 16, "rt", "RT @bob: A1: I write down stories with the STAR method", dict(repost="5")),
    ("29", S1, 120, "mod", "Thanks everyone for a great chat! Recap: https://mod.blog/recap",
     dict(urls=["https://mod.blog/recap"], cat="moderator")),
    ("30", S1, 180, "bob", "@ada one more thing: how long should STAR stories be?", dict(reply="8", cat="answer", q=1,
                                                                                        m="thread")),
    ("51", S1, 40, "cy", "Does anyone know a good resume template?", dict(cat="off_agenda")),
    # session 2
    ("31", S2, 0, "mod", "Q1: Which job boards work for you?", dict(cat="question", q=1, m="tag")),
    ("32", S2, 2, "ada", "A1: Niche boards beat the big ones", dict(cat="answer", q=1, m="tag")),
    ("33", S2, 3, "newa", "First time here! A1: I use LinkedIn", dict(cat="answer", q=1, m="tag")),
    ("34", S2, 4, "ada", "@newa Welcome! Try niche boards too", dict(reply="33", cat="answer", q=1, m="thread")),
    ("35", S2, 5, "newb", "A1: Indeed mostly", dict(cat="answer", q=1, m="tag")),
    ("36", S2, 6, "sam", "A1: Referrals from friends", dict(cat="answer", q=1, m="tag")),
    ("52", S2, 7, "sam", "@ada niche boards worked for me too", dict(reply="32", cat="answer", q=1, m="thread")),
    # session 3
    ("37", S3, 0, "mod", "Q1: What keeps you going?", dict(cat="question", q=1, m="tag")),
    ("38", S3, 2, "ada", "A1: Small wins", dict(cat="answer", q=1, m="tag")),
    ("39", S3, 3, "newa", "A1: Coffee and a plan", dict(cat="answer", q=1, m="tag")),
    ("40", S3, 4, "sam", "A1: My study group", dict(cat="answer", q=1, m="tag")),
    # session 4
    ("41", S4, 0, "mod", "Q1: How do you stay motivated?", dict(cat="question", q=1, m="tag")),
    ("42", S4, 20, "mod", "Q2: How do you celebrate progress?", dict(cat="question", q=2, m="tag")),
    ("43", S4, 2, "newc", "How do I stay motivated after 50 rejections?", dict(cat="answer", q=1, m="time")),
    ("44", S4, 3, "dan", "A1: I track applications in a sheet", dict(cat="answer", q=1, m="tag")),
    ("45", S4, 21, "eve", "A2: Dinner out after every interview", dict(cat="answer", q=2, m="tag")),
    ("46", S4, 22, "fay", "A2: A walk in the park", dict(cat="answer", q=2, m="tag")),
    ("47", S4, 4, "sam", "@newc Set small weekly goals, it gets easier", dict(likes=4, reply="43", cat="answer", q=1,
                                                                              m="thread")),
    ("48", S4, 5, "sam", "@dan A sheet is great, add follow-up dates", dict(likes=4, reply="44", cat="answer", q=1,
                                                                            m="thread")),
    ("49", S4, 23, "sam", "@eve Love that, and invite a friend who keeps you going",
     dict(reply="45", cat="answer", q=2, m="thread")),
    ("50", S4, 24, "sam", "A2: Celebrate interviews, not only offers", dict(likes=4, cat="answer", q=2, m="tag")),
]

MODERATORS = ["mod"]
SPONSORS = {"acme": "Acme"}
RULES = SpamRules(source_apps=["AutoPoster"], patterns=["buy followers"])
CONFIG = ChatConfig(chat="jobchat", moderators=MODERATORS, spam=RULES)


def chat_messages() -> pl.DataFrame:
    """The session messages of the hand-written chat (all messages, before the spam rules)."""
    by_id = {row[0]: row for row in ROWS}
    rows, sessions, phases = [], [], []
    for mid, session, minute, handle, text, extra in ROWS:
        row = {"message_id": mid, "author_handle": handle, "text": text,
               "created_at": START[session] + timedelta(minutes=minute),
               "source_app": extra.get("app", "Twitter Web App"), "urls": extra.get("urls", []),
               "like_count": extra.get("likes", 0),
               "mentions": [w[1:] for w in text.split() if w.startswith("@") and not text.startswith("RT")]}
        if "reply" in extra:
            row.update(kind="reply", reply_to_message_id=extra["reply"],
                       reply_to_author_handle=by_id[extra["reply"]][3])
        if "repost" in extra:
            row.update(kind="repost", repost_of_message_id=extra["repost"],
                       repost_of_author_handle=by_id[extra["repost"]][3], mentions=[by_id[extra["repost"]][3]])
        rows.append(row)
        sessions.append(session)
        phases.append("chat" if minute < 60 else "follow_up")
    return messages_frame(rows).with_columns(session_id=pl.Series(sessions), phase=pl.Series(phases))


def chat_assignments() -> pl.DataFrame:
    """Flow assignments as the flow module would give them (category, question, method)."""
    return pl.DataFrame(
        {
            "message_id": [r[0] for r in ROWS],
            "session_id": [r[1] for r in ROWS],
            "question": [r[5].get("q") for r in ROWS],
            "category": [r[5].get("cat", "off_agenda") for r in ROWS],
            "method": [r[5].get("m", "none") for r in ROWS],
            "confidence": [1.0] * len(ROWS),
        },
        schema_overrides={"question": pl.Int64},
    )


def chat_sessions() -> pl.DataFrame:
    return pl.DataFrame({"session_id": list(START), "number": [1, 2, 3, 4]})


def analysed(config: ChatConfig = CONFIG):
    """(kept, excluded, signals, history, roles) of the hand-written chat."""
    kept, excluded = apply_spam_rules(chat_messages(), config.spam)
    signals = participant_signals(kept, chat_assignments(), config)
    history = history_signals(kept, chat_assignments(), config)
    roles = assign_roles(signals, history, config, moderators=config.moderators, sponsor_handles=SPONSORS,
                         excluded=excluded)
    return kept, excluded, signals, history, roles


@pytest.fixture(scope="module")
def result():
    return analysed()


def role(roles: pl.DataFrame, session: str | None, handle: str) -> dict:
    scope = pl.col("session_id").is_null() if session is None else pl.col("session_id") == session
    rows = roles.filter(scope & (pl.col("handle") == handle)).to_dicts()
    assert len(rows) == 1, (session, handle, rows)
    return rows[0]


def sig(signals: pl.DataFrame, session: str, handle: str) -> dict:
    return signals.filter((pl.col("session_id") == session) & (pl.col("handle") == handle)).to_dicts()[0]


# ---- spam rules ---------------------------------------------------------------------------------------------------


def test_spam_rules_exclude_by_source_app_and_pattern_and_count_them(result):
    kept, excluded, *_ = result
    assert excluded.select("message_id", "author_handle", "reason").sort("message_id").rows() == [
        ("22", "bot1", "source app AutoPoster"),
        ("23", "hijack", "pattern /buy followers/"),
    ]
    assert kept.height == len(ROWS) - 2
    assert not set(kept["message_id"]) & {"22", "23"}
    assert excluded_counts(excluded).rows() == [
        (S1, "pattern /buy followers/", 1, 1),
        (S1, "source app AutoPoster", 1, 1),
    ]


def test_spam_rules_account_list_wins_and_matching_ignores_case():
    msgs = chat_messages()
    rules = SpamRules(accounts=["@Hijack", "feedy"], source_apps=["  autoposter "], patterns=["BUY FOLLOWERS"])
    _, excluded = apply_spam_rules(msgs, rules)
    reasons = dict(excluded.select("message_id", "reason").rows())
    assert reasons["23"] == "account listed"  # listed and matching the pattern: the account reason comes first
    assert reasons["22"] == "source app AutoPoster"
    assert [reasons[m] for m in ("24", "25", "26")] == ["account listed"] * 3


def test_no_rules_keep_everything():
    kept, excluded = apply_spam_rules(chat_messages(), SpamRules())
    assert kept.height == len(ROWS) and excluded.height == 0 and "reason" in excluded.columns


def test_excluded_messages_leave_the_signals(result):
    _, _, signals, history, _ = result
    assert "hijack" not in set(signals["handle"]) and "bot1" not in set(history["handle"])


# ---- signals ------------------------------------------------------------------------------------------------------


def test_advocate_signals(result):
    s = sig(result[2], S1, "ada")
    assert (s["answers"], s["questions_answered"], s["replies_given"], s["distinct_replied"]) == (6, 2, 4, 4)
    assert (s["replies_received"], s["distinct_repliers"]) == (2, 1)  # bob, twice (chat and follow-up)
    assert s["reciprocity"] == pytest.approx(0.25)
    assert s["broadcast_ratio"] == pytest.approx(2 / 6)


def test_self_promoter_signals(result):
    s = sig(result[2], S1, "promo")
    assert (s["originals"], s["link_messages"], s["top_domain"]) == (4, 4, "promo.biz")  # www. is dropped
    assert s["link_share"] == s["own_domain_share"] == s["promo_link_share"] == 1.0
    assert s["broadcast_ratio"] == 1.0 and s["distinct_replied"] == 0


def test_question_and_bot_signals(result):
    signals = result[2]
    assert (sig(signals, S1, "sam")["questions_asked"], sig(signals, S1, "sam")["help_requests"]) == (1, 1)
    assert sig(signals, S1, "bob")["questions_asked"] == 1  # a plain question in a reply
    assert sig(signals, S1, "bob")["help_requests"] == 0
    assert sig(signals, S1, "mod")["questions_asked"] == 0  # agenda questions are not asked for help
    assert sig(signals, S1, "feedy")["bot_signal"] is True and sig(signals, S1, "feedy")["bot_apps"] == ["IFTTT"]
    assert sig(signals, S1, "ada")["bot_signal"] is False
    assert sig(signals, S1, "cy")["off_agenda_messages"] == 1
    assert sig(signals, S1, "rita")["job_posts"] == 2


def test_mentions_received_leave_out_the_replied_person(result):
    signals = result[2]
    # bob's "@ada Thanks!" is a reply to ada: it counts as a reply, not also as a mention
    assert sig(signals, S1, "ada")["mentions_received"] == 0
    assert sig(signals, S1, "ada")["mentions_received"] == sig(signals, S1, "ada")["distinct_mentioners"]


def test_history_signals_count_attendance(result):
    history = result[3]
    rows = {r["handle"]: r for r in history.to_dicts()}
    assert (rows["sam"]["sessions_attended"], rows["sam"]["first_session"], rows["sam"]["last_session"]) == (4, S1, S4)
    assert rows["ada"]["sessions_attended"] == 3
    assert rows["rt"]["sessions_attended"] == 0 and rows["rt"]["first_session"] is None  # reposts are not a voice
    # (session, question) pairs: his s1 ask is no answer
    assert rows["sam"]["distinct_replied"] == 4 and rows["sam"]["questions_answered"] == 4


def test_bot_signal_is_null_without_source_apps():
    msgs = chat_messages().with_columns(source_app=pl.lit(None, pl.String))
    signals = participant_signals(msgs, chat_assignments(), CONFIG)
    assert signals["bot_signal"].null_count() == signals.height
    roles = assign_roles(signals, None, CONFIG, moderators=MODERATORS, sponsor_handles=SPONSORS)
    assert "bot signal unavailable: no source app in this archive" in role(roles, S1, "ada")["notes"]
    statements = signal_availability(msgs).filter(~pl.col("available"))
    assert statements["signal"].to_list() == ["bot_signal"]
    assert statements["statement"][0].startswith("no source app in this archive")


# ---- labels with reasons ------------------------------------------------------------------------------------------


def test_clear_advocate(result):
    r = role(result[4], S1, "ada")
    assert r["labels"] == ["advocate"] and r["primary_role"] == "advocate"
    assert r["reasons"][0] == (
        "advocate: gave advice in 6 messages: answered 2 questions and advised 4 people directly "
        "(≥ 4 questions and people in all, or ≥ 2 questions and ≥ 3 people)")
    assert r["reasons"][1].startswith("advocate: well received: ")


def test_clear_self_promoter(result):
    r = role(result[4], S1, "promo")
    assert r["labels"] == ["self_promoter"]
    assert r["reasons"] == [
        "self_promoter: 4 of 4 messages (≥ 3) carry a link: 100% (≥ 50%)",
        "self_promoter: 100% of link messages point to the same own domain promo.biz (≥ 50%), 4 messages (≥ 2)",
        "self_promoter: 100% of messages are links without conversation (≥ 50%), 4 messages (≥ 3)",
        "self_promoter: replied to 0 distinct people (≤ 1)",
    ]


def test_seeker(result):
    r = role(result[4], S1, "sam")
    assert r["labels"] == ["seeker"]
    assert r["reasons"] == ["seeker: asked 1 question (≥ 1)", "seeker: 1 with help-seeking language (≥ 1)"]
    assert "seeker" not in role(result[4], S1, "bob")["labels"]  # a question without help-seeking language


def test_thank_yous_and_help_requests_are_not_advice_or_answers():
    # a seeker who thanks three helpers in the threads of two questions is not an advocate
    t = START[S2]
    rows = [
        {"message_id": "q1", "author_handle": "mod", "created_at": t, "text": "Q1: go"},
        {"message_id": "q2", "author_handle": "mod", "created_at": t, "text": "Q2: go"},
        {"message_id": "a", "author_handle": "seek", "created_at": t,
         "text": "A1: I'm stuck on my resume. Any advice?"},
        *[{"message_id": f"h{i}", "author_handle": h, "created_at": t, "kind": "reply", "reply_to_message_id": "a",
           "reply_to_author_handle": "seek", "text": "Try a summary line"} for i, h in enumerate(("x", "y", "z"))],
        *[{"message_id": f"t{i}", "author_handle": "seek", "created_at": t, "kind": "reply",
           "reply_to_message_id": f"h{i}", "reply_to_author_handle": h, "text": "Thank you, this helps!"}
          for i, h in enumerate(("x", "y", "z"))],
        {"message_id": "b", "author_handle": "seek", "created_at": t, "text": "A2: Keep a brag document"},
    ]
    msgs = messages_frame(rows).with_columns(session_id=pl.lit(S2), phase=pl.lit("chat"))
    q = {"q1": (1, "question", "tag"), "q2": (2, "question", "tag"), "a": (1, "answer", "tag"),
         "b": (2, "answer", "tag"), **{f"h{i}": (1, "answer", "thread") for i in range(3)},
         **{f"t{i}": (1, "answer", "thread") for i in range(3)}}
    assignments = pl.DataFrame({"message_id": list(q), "question": [v[0] for v in q.values()],
                                "category": [v[1] for v in q.values()], "method": [v[2] for v in q.values()]})
    seek = sig(participant_signals(msgs, assignments, CONFIG), S2, "seek")
    assert (seek["distinct_replied"], seek["distinct_advised"]) == (3, 0)
    assert (seek["answers"], seek["questions_answered"]) == (1, 1)  # only "A2: Keep a brag document"
    assert (seek["questions_asked"], seek["help_requests"], seek["thank_yous"]) == (1, 1, 3)  # a tagged ask counts
    roles = assign_roles(participant_signals(msgs, assignments, CONFIG), None, CONFIG, moderators=MODERATORS,
                         sponsor_handles=[])
    assert role(roles, S2, "seek")["labels"] == ["seeker"]


@pytest.mark.parametrize(
    ("text", "parent", "advice"),
    [
        ("@x Practise your number out loud, then stop talking", "ans", True),
        ("@x Same here, and I turned off job alerts after six in the evening", "ans", True),
        ("@x Ask 'what do you wish you had known before starting?' at the end", "ans", True),  # a quoted question
        ("@x So true 💯", "ans", False),  # too short
        ("@x Exactly what I needed to hear tonight", "ans", False),  # agreement
        ("@x Welcome! Great to have you here with us tonight", "ans", False),  # greeting
        ("@x Did you ever hear back from that company you mentioned?", "ans", False),  # a question
        ("@x Thank you, I am going to try that this week", "ans", False),  # a thank-you
        ("@x I'm stuck on the same thing, any advice for me too", "ans", False),  # a help request
        ("@x Practise your number out loud, then stop talking", "q1", False),  # answering the question's thread
        ("@z Practise your number out loud, then stop talking", "q1", True),  # addressing z in a flat thread
        ("@x @z Practise your number out loud, then stop talking", "q1", True),  # Twitter's reply prefix, then z
    ],
)
def test_what_counts_as_an_advice_reply(text, parent, advice):
    t = START[S1]
    rows = [
        {"message_id": "q1", "author_handle": "x", "created_at": t, "text": "Q1: go"},
        {"message_id": "ans", "author_handle": "x", "created_at": t, "text": "A1: my answer"},
        {"message_id": "r", "author_handle": "y", "created_at": t, "kind": "reply", "reply_to_message_id": parent,
         "reply_to_author_handle": "x", "text": text},
    ]
    msgs = messages_frame(rows).with_columns(session_id=pl.lit(S1), phase=pl.lit("chat"))
    assignments = pl.DataFrame({"message_id": ["q1", "ans", "r"], "question": [1, 1, 1],
                                "category": ["question", "answer", "answer"], "method": ["tag", "tag", "thread"]})
    y = sig(participant_signals(msgs, assignments), S1, "y")
    assert y["distinct_replied"] == 1
    assert y["distinct_advised"] == int(advice)


@pytest.mark.parametrize(
    ("text", "category", "method", "asked", "help"),
    [
        ("Why are there so many interview rounds now? #JobHuntChat", "off_agenda", "none", 1, 0),
        ("Who else is job hunting with a toddler at home? 🙋", "off_agenda", "none", 1, 0),
        ("Honestly? Awards and promotions show impact. Still working on it!", "answer", "time", 0, 0),  # rhetorical
        ("Nervous about interviews? Our simulator helps 👉 https://x.example/sim", "promotional", "none", 0, 0),
        ("A2: Have you tried a salary calculator?", "answer", "tag", 0, 0),  # a tagged answer, no help wanted
        ("A2: I have never negotiated. Any advice?", "answer", "tag", 1, 1),  # a tagged ask is a question
        ("Q1: How do you prepare?", "question", "tag", 0, 0),  # the agenda's question
    ],
)
def test_what_counts_as_a_question(text, category, method, asked, help):
    msgs = messages_frame([{"message_id": "m", "author_handle": "p", "created_at": START[S1], "text": text}])
    msgs = msgs.with_columns(session_id=pl.lit(S1), phase=pl.lit("chat"))
    assignments = pl.DataFrame({"message_id": ["m"], "question": [None], "category": [category], "method": [method]},
                               schema_overrides={"question": pl.Int64})
    p = sig(participant_signals(msgs, assignments), S1, "p")
    assert (p["questions_asked"], p["help_requests"]) == (asked, help)


def test_a_few_automated_posts_do_not_make_spam():
    msgs = chat_messages().with_columns(
        source_app=pl.when(pl.col("message_id") == "3").then(pl.lit("IFTTT")).otherwise(pl.col("source_app")))
    signals = participant_signals(msgs, chat_assignments(), CONFIG)
    ada = sig(signals, S1, "ada")
    assert (ada["bot_messages"], ada["bot_share"], ada["bot_signal"]) == (1, pytest.approx(1 / 6), False)
    roles = assign_roles(signals, None, CONFIG, moderators=MODERATORS, sponsor_handles=SPONSORS)
    assert role(roles, S1, "ada")["labels"] == ["advocate"]


def test_recruiter_beats_self_promoter(result):
    r = role(result[4], S1, "rita")
    assert r["labels"] == ["recruiter"] and r["primary_role"] == "recruiter"
    assert r["reasons"] == [
        "recruiter: 2 job posts (≥ 1), 2 with a link",
        "recruiter: in conversation: answered 1 question, replied to 1 person and got replies from 0 people "
        "(≥ 1 in all)",
        "recruiter: 67% of their messages are job posts (≥ 50%)",
    ]


def test_recruiter_who_only_posts_jobs():
    msgs = chat_messages().filter(pl.col("message_id") != "20")  # rita no longer replies to sam
    signals = participant_signals(msgs, chat_assignments(), CONFIG)
    roles = assign_roles(signals, None, CONFIG, moderators=MODERATORS, sponsor_handles=SPONSORS)
    rita = role(roles, S1, "rita")
    assert rita["labels"] == ["recruiter"]  # job posts with links and nothing else: a recruiter, not silence
    assert "recruiter: 100% of their messages are job posts (≥ 50%)" in rita["reasons"]
    roles = assign_roles(signals, None, CONFIG, moderators=MODERATORS, sponsor_handles=SPONSORS,
                         thresholds={"recruiter_min_job_share": 1.01})
    assert role(roles, S1, "rita")["labels"] == []  # without the jobs-only branch: no conversation, no label


def test_moderator_and_sponsor(result):
    roles = result[4]
    mod = role(roles, S1, "mod")
    assert mod["labels"] == ["moderator"] and mod["reasons"] == ["moderator: listed as a moderator in the chat config"]
    assert role(roles, S4, "mod")["labels"] == ["moderator", "regular"]
    acme = role(roles, S1, "acme")
    assert acme["labels"] == ["sponsor"] and acme["reasons"] == ["sponsor: listed as a handle of sponsor Acme"]


def test_spam_by_rules_and_by_bot_signal(result):
    roles = result[4]
    bot1 = role(roles, S1, "bot1")
    assert bot1["labels"] == ["spam"]
    assert bot1["reasons"] == ["spam: 1 message excluded by the spam rules (source app AutoPoster), 0 kept"]
    assert role(roles, S1, "hijack")["reasons"] == [
        "spam: 1 message excluded by the spam rules (pattern /buy followers/), 0 kept"]
    feedy = role(roles, S1, "feedy")
    assert feedy["labels"] == ["spam"]
    assert feedy["reasons"] == [
        "spam: posts via IFTTT (an automation app or one named in the spam rules) in 100% of messages (≥ 50%)",
        "spam: 67% of 3 messages (≥ 3) repeat an earlier text (≥ 50%) and reply to nobody",
    ]
    assert role(roles, None, "hijack")["primary_role"] == "spam"  # the history level too


def test_retweeter(result):
    r = role(result[4], S1, "rt")
    assert r["labels"] == ["retweeter"]
    assert r["reasons"] == ["retweeter: only reposts: 2 reposts (≥ 2) and no original message in the chat"]


def test_newcomers_and_regulars(result):
    roles = result[4]
    newa = role(roles, S2, "newa")
    assert newa["labels"] == ["newcomer"]
    assert newa["reasons"] == ["newcomer: first active session in the archive (1 session before it without them)",
                               "newcomer: says it is their first time (1 message)"]
    assert role(roles, S2, "newb")["reasons"] == [
        "newcomer: first active session in the archive (1 session before it without them)"]
    assert "newcomer" not in role(roles, S3, "newa")["labels"]
    assert role(roles, S4, "fay")["labels"] == ["newcomer"]
    assert role(roles, S4, "newc")["labels"] == ["newcomer", "seeker"]  # newcomer first: welcome them
    # nobody is a newcomer in the archive's first session: it is not decidable, and the notes say so
    first = role(roles, S1, "sam")
    assert "newcomer" not in first["labels"]
    assert "newcomer not decidable: first session in the archive, earlier history unknown" in first["notes"]
    ada3 = role(roles, S3, "ada")
    assert ada3["labels"] == ["regular"] and ada3["reasons"] == ["regular: active in 3 sessions so far (≥ 3)"]
    assert role(roles, None, "newb")["labels"] == ["newcomer"]
    assert role(roles, None, "newb")["reasons"] == ["newcomer: active in a single session (2026-01-12), "
                                                    "not the archive's first"]


def test_newcomers_of_the_first_session_are_known_when_they_say_so():
    msgs = chat_messages().with_columns(text=pl.when(pl.col("message_id") == "7")
                                        .then(pl.lit("First time joining! A2: Ask for the range first"))
                                        .otherwise(pl.col("text")))
    signals = participant_signals(msgs, chat_assignments(), CONFIG)
    history = history_signals(msgs, chat_assignments(), CONFIG)
    roles = assign_roles(signals, history, CONFIG, moderators=MODERATORS, sponsor_handles=SPONSORS)
    dee = role(roles, S1, "dee")
    assert dee["labels"] == ["newcomer"] and dee["reasons"] == ["newcomer: says it is their first time (1 message)"]
    assert dee["notes"] == []  # decided, so no "not decidable" note
    assert role(roles, None, "dee")["labels"] == ["newcomer"]
    assert role(roles, None, "cy")["labels"] != ["newcomer"]  # single session, the archive's first, said nothing


def test_history_level_labels_are_habits(result):
    roles = result[4]
    # sam was a seeker in 1 of his 4 sessions and an advocate in 1: neither is his habit; he is a regular
    sam = role(roles, None, "sam")
    assert sam["labels"] == ["regular"] and sam["reasons"] == ["regular: active in 4 sessions (≥ 3)"]
    assert role(roles, None, "ada")["labels"] == ["regular"]  # advocate in 1 of 3 sessions
    promo = role(roles, None, "promo")
    assert promo["labels"] == ["self_promoter"]
    assert promo["reasons"] == ["self_promoter: self_promoter in 1 of 1 session (≥ 50%)"]
    assert role(roles, None, "feedy")["reasons"][0] == "spam: spam in 1 of 1 session (≥ 50%)"
    assert role(roles, None, "rt")["labels"] == ["retweeter"]


def test_history_habit_share_is_configurable():
    kept, excluded = apply_spam_rules(chat_messages(), RULES)
    signals = participant_signals(kept, chat_assignments(), CONFIG)
    history = history_signals(kept, chat_assignments(), CONFIG)
    roles = assign_roles(signals, history, RoleThresholds(), moderators=MODERATORS, sponsor_handles=SPONSORS)
    assert "advocate" not in role(roles, None, "sam")["labels"]
    roles = assign_roles(signals, history, RoleThresholds(), moderators=MODERATORS, sponsor_handles=SPONSORS,
                         thresholds={"history_min_session_share": 0.25})
    sam = role(roles, None, "sam")
    assert sam["labels"] == ["advocate", "seeker", "regular"]
    assert "advocate: advocate in 1 of 4 sessions (≥ 25%)" in sam["reasons"]
    with pytest.raises(ValueError, match="unknown role threshold"):
        assign_roles(signals, history, moderators=MODERATORS, thresholds={"advocate_min_hugs": 1})


def test_history_falls_back_to_whole_history_signals_without_session_signals(result):
    history = result[3]
    roles = assign_roles(None, history, CONFIG, moderators=MODERATORS, sponsor_handles=SPONSORS)
    assert roles["session_id"].null_count() == roles.height
    # summed over the history, sam replied with advice to 4 people and answered 4 questions
    assert role(roles, None, "sam")["labels"] == ["advocate", "seeker", "regular"]


def test_thresholds_come_from_the_config():
    strict = parse_config({"chat": "jobchat", "moderators": MODERATORS,
                           "roles": {"advocate_min_distinct_replied": 5}, "spam": RULES.model_dump()})
    kept, _, signals, _, _ = analysed(strict)
    roles = assign_roles(signals, None, strict, moderators=MODERATORS, sponsor_handles=SPONSORS,
                         thresholds={"advocate_min_advice_reach": 7})
    assert "advocate" not in role(roles, S1, "ada")["labels"]
    assert "advocate" in role(analysed(strict)[4], S1, "ada")["labels"]  # 2 questions + 4 people ≥ 4 in all
    lenient = RoleThresholds(advocate_min_distinct_replied=1, advocate_min_answers=1)
    kept, _, signals, _, _ = analysed()
    roles = assign_roles(signals, None, lenient, moderators=MODERATORS, sponsor_handles=SPONSORS,
                         thresholds={"advocate_min_reception": 0, "advocate_min_reception_ratio": 0})
    rita = role(roles, S1, "rita")
    assert rita["labels"] == ["recruiter", "advocate"]
    assert [r for r in rita["reasons"] if r.startswith("advocate")][0] == (
        "advocate: gave advice in 1 message: answered 1 question and advised 1 person directly "
        "(≥ 4 questions and people in all, or ≥ 1 questions and ≥ 1 people)")
    # bob's replies are a thank-you and a question: no advice, so not an advocate even with lenient thresholds
    assert "advocate" not in role(roles, S1, "bob")["labels"]


def test_every_row_has_one_primary_role_and_participant_is_the_fallback(result):
    roles = result[4]
    assert roles.filter(pl.col("primary_role").is_null()).height == 0
    assert role(roles, S1, "dee")["primary_role"] == "participant" and role(roles, S1, "dee")["labels"] == []
    assert roles.group_by("session_id", "handle").len()["len"].max() == 1


def test_no_links_in_the_archive_is_said_plainly():
    msgs = chat_messages().with_columns(urls=pl.lit([], dtype=pl.List(pl.String)),
                                        text=pl.col("text").str.replace_all(r"https?://\S+", ""))
    signals = participant_signals(msgs, chat_assignments(), CONFIG)
    roles = assign_roles(signals, None, CONFIG, moderators=MODERATORS, sponsor_handles=SPONSORS)
    notes = role(roles, S1, "promo")["notes"]
    assert "self-promotion and recruiter not decidable: no links in this archive" in notes
    assert "links" in signal_availability(msgs).filter(~pl.col("available"))["signal"].to_list()


# ---- paying it forward --------------------------------------------------------------------------------------------


def test_seeker_becomes_advocate_three_sessions_later(result):
    roles = result[4]
    assert role(roles, S4, "sam")["labels"] == ["advocate", "regular"]
    forward = pay_it_forward(roles, chat_sessions())
    assert forward.rows() == [("sam", [S1], [S4], S1, S4, 3)]
    assert pay_it_forward(roles)["sessions_between"].to_list() == [3]  # the same without the sessions frame


def test_advocate_before_seeking_is_not_paying_forward():
    roles = pl.DataFrame({"session_id": ["s1", "s2", None], "handle": ["x", "x", "x"],
                          "labels": [["advocate"], ["seeker"], ["advocate", "seeker"]]})
    assert pay_it_forward(roles).height == 0


# ---- perspective --------------------------------------------------------------------------------------------------


def _perspective(communities: list[int | None], extra: list[dict] | None = None,
                 room: list[int] | None = None) -> dict:
    """The perspective of one question answered by people of ``communities``; ``room`` adds silent people of the
    session graph in those communities."""
    handles = [f"p{i}" for i in range(len(communities))]
    room = room or []
    t = START[S1]
    rows = [{"message_id": str(i), "author_handle": h, "created_at": t} for i, h in enumerate(handles)]
    rows += extra or []
    msgs = messages_frame(rows)
    assignments = pl.DataFrame({"message_id": msgs["message_id"], "session_id": [S1] * msgs.height,
                                "question": [1] * msgs.height, "category": ["answer"] * msgs.height})
    silent = [f"q{i}" for i in range(len(room))]
    nodes = pl.DataFrame({"session_id": [S1] * (len(handles) + len(silent)), "handle": handles + silent,
                          "community": communities + room}, schema_overrides={"community": pl.Int64})
    out = question_perspective(assignments, msgs, nodes)
    assert out.height == 1
    return out.row(0, named=True)


#: a room of four equal communities (effective number 4, with the answerers added it stays about 4)
ROOM = [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]


@pytest.mark.parametrize(
    ("communities", "n_communities", "share", "verdict"),
    [
        ([0, 0, 0, 0], 1, 1.0, "one perspective"),
        ([0, 0, 0, 0, 1], 2, 0.8, "one perspective"),
        ([0, 0, 0, 1], 2, 0.75, "narrow"),
        ([0, 0, 1, 1], 2, 0.5, "narrow"),
        ([0, 0, 1, 2], 3, 0.5, "broad"),
        ([0, 1, 2, 3], 4, 0.25, "broad"),
        ([0, 0, 1, 1, 2, 2, 3, 3], 4, 0.25, "broad"),
    ],
)
def test_question_perspective(communities, n_communities, share, verdict):
    row = _perspective(communities, room=ROOM)
    assert (row["answerers"], row["communities"]) == (len(communities), n_communities)
    assert row["largest_community_share"] == pytest.approx(share)
    assert row["verdict"] == verdict


def test_perspective_compares_the_answers_with_their_room():
    # the same two-community answers are the whole room's spread in a two-community room, a corner of a
    # four-community one (a plain count of communities called both "several")
    assert _perspective([0, 0, 1, 1], room=[0, 0, 1, 1])["spread"] == pytest.approx(1.0)
    assert _perspective([0, 0, 1, 1], room=[0, 0, 1, 1])["verdict"] == "broad"
    corner = _perspective([0, 0, 1, 1], room=ROOM)
    assert corner["spread"] == pytest.approx(2 / corner["room_effective_communities"])
    assert corner["verdict"] == "narrow"


def test_perspective_counts_people_not_messages_and_leaves_out_reposts_and_unknowns():
    t = START[S1]
    extra = [
        {"message_id": "x1", "author_handle": "p0", "created_at": t},  # p0 answers twice: still one answerer
        {"message_id": "x2", "author_handle": "rt", "created_at": t, "kind": "repost"},  # a repost is no answer
        {"message_id": "x3", "author_handle": "stranger", "created_at": t},  # not in the graph's nodes
    ]
    row = _perspective([0, 1], extra)
    assert (row["answers"], row["answerers"], row["unknown_community"]) == (4, 3, 1)
    assert row["largest_community_share"] == pytest.approx(0.5) and row["verdict"] == "broad"  # its room is {0, 1}
    assert _perspective([0])["verdict"] == "too few answerers"


def test_a_single_session_archive_says_newcomers_are_not_decidable():
    msgs = chat_messages().filter(pl.col("session_id") == S1).with_columns(
        text=pl.when(pl.col("message_id") == "7").then(pl.lit("First time here! A2: Ask for the range first"))
        .otherwise(pl.col("text")))
    signals = participant_signals(msgs, chat_assignments(), CONFIG)
    roles = assign_roles(signals, history_signals(msgs, chat_assignments(), CONFIG), CONFIG, moderators=MODERATORS,
                         sponsor_handles=SPONSORS)
    assert "newcomer not decidable: only one session in the archive" in role(roles, None, "ada")["notes"]
    dee = role(roles, None, "dee")
    assert dee["labels"] == ["newcomer"] and dee["notes"] == []


def test_one_link_to_a_docs_page_is_not_an_own_domain():
    """Two links to two different sites: each is 50% of the link messages, but neither is 'again and again'."""
    answer = {"kind": "reply", "reply_to_message_id": "q", "reply_to_author_handle": "bob"}  # answers bob
    rows = [
        {"message_id": "q", "author_handle": "bob", "text": "How do I host a WordPress site as static pages?",
         "created_at": START[S1] + timedelta(minutes=4)},
        {"message_id": "p1", "author_handle": "ann", "text": "see https://docs.netlify.com/forms and more",
         "urls": ["https://docs.netlify.com/forms"], "created_at": START[S1] + timedelta(minutes=5), **answer},
        {"message_id": "p2", "author_handle": "ann", "text": "or https://wordpress.org/plugins/simply-static/",
         "urls": ["https://wordpress.org/plugins/simply-static/"], "created_at": START[S1] + timedelta(minutes=6),
         **answer},
        {"message_id": "p3", "author_handle": "ann", "text": "both work fine for a static site",
         "created_at": START[S1] + timedelta(minutes=7)},
    ]
    msgs = messages_frame(rows).with_columns(session_id=pl.lit(S1), phase=pl.lit("chat"))
    signals = participant_signals(msgs)
    assert sig(signals, S1, "ann")["own_domain_share"] == 0.5
    roles = assign_roles(signals, None, None)
    assert "self_promoter" not in role(roles, S1, "ann")["labels"]
    again = assign_roles(signals, None, None, thresholds={"self_promoter_min_own_domain_messages": 1})
    assert "self_promoter" in role(again, S1, "ann")["labels"]


def test_gif_hosts_are_no_links_and_shared_hosts_are_nobodys_own_domain():
    """Real Slack: two /giphy reactions made 'the same own domain giphy.com', two YouTube videos 'youtube.com'."""
    answer = {"kind": "reply", "reply_to_message_id": "q", "reply_to_author_handle": "bob"}
    rows = [
        {"message_id": "q", "author_handle": "bob", "text": "Anyone tried static hosting for WordPress?",
         "created_at": START[S1] + timedelta(minutes=4)},
        *({"message_id": f"g{i}", "author_handle": "gif", "text": "/giphy party", "created_at":
           START[S1] + timedelta(minutes=5 + i), "urls": [f"https://media.giphy.com/media/x{i}/giphy.gif"], **answer}
          for i in range(3)),
        *({"message_id": f"y{i}", "author_handle": "tube", "text": f"this talk explains it https://youtu.be/v{i}",
           "created_at": START[S1] + timedelta(minutes=5 + i), "urls": [f"https://youtu.be/v{i}"], **answer}
          for i in range(3)),
        *({"message_id": f"o{i}", "author_handle": "shop", "text": f"see https://myshop.biz/p{i}",
           "created_at": START[S1] + timedelta(minutes=5 + i), "urls": [f"https://myshop.biz/p{i}"], **answer}
          for i in range(3)),
    ]
    msgs = messages_frame(rows).with_columns(session_id=pl.lit(S1), phase=pl.lit("chat"))
    signals = participant_signals(msgs)
    assert sig(signals, S1, "gif")["link_messages"] == 0
    tube = sig(signals, S1, "tube")
    assert tube["link_messages"] == 3 and tube["top_domain"] is None and not tube["own_domain_share"]
    shop = sig(signals, S1, "shop")
    assert (shop["top_domain"], shop["own_domain_share"]) == ("myshop.biz", 1.0)
    roles = assign_roles(signals, None, None)
    assert "self_promoter" in role(roles, S1, "shop")["labels"]
    assert "self_promoter" not in role(roles, S1, "tube")["labels"]
    assert "self_promoter" not in role(roles, S1, "gif")["labels"]
