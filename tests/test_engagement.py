"""Engagement: counts, participants, reply latency, attention Gini, per-minute series, top entities."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moderator_kit.engagement import (
    ENGAGEMENT_SCHEMA,
    MINUTE_SCHEMA,
    engagement_by_session,
    gini,
    gini_expr,
    minute_series,
    top_entities,
)
from moderator_kit.schema import conform

T0 = datetime(2024, 1, 1, 21, 0, tzinfo=timezone.utc)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def messages(*rows: dict) -> pl.DataFrame:
    """Canonical session messages from short dicts (ids, times, session and phase filled in)."""
    full = [{"platform": "twitter", "message_id": f"m{i}", "kind": "post", "created_at": at(i),
             "source_file": "t", "source_record": i, "session_id": "s1", "phase": "chat", **row}
            for i, row in enumerate(rows)]
    frame = pl.DataFrame(full, infer_schema_length=None).with_columns(pl.col("created_at").dt.cast_time_unit("us"))
    return pl.concat([conform(frame), frame.select("session_id", "phase")], how="horizontal")


def row_of(frame: pl.DataFrame, session_id: str | None = "s1") -> dict:
    if session_id is None:
        return frame.row(0, named=True)
    return frame.filter(session_id=session_id).row(0, named=True)


# ------------------------------------------------------------------------------------------------------------ gini


def brute_gini(values):
    n, total = len(values), sum(values)
    return sum(abs(a - b) for a, b in itertools.product(values, values)) / (2 * n * total)


@pytest.mark.parametrize("values", [[1], [5, 5, 5], [0, 0, 1], [3, 1, 2, 0, 7], [0.5, 10, 2.5], list(range(20))])
def test_gini_matches_the_pairwise_definition(values):
    assert gini(values) == pytest.approx(brute_gini(values))
    assert pl.DataFrame({"x": values}).select(gini_expr("x")).item() == pytest.approx(brute_gini(values))


@pytest.mark.parametrize("values", [[], [0, 0, 0], [None, None]])
def test_gini_without_attention_is_null(values):
    assert gini(values) is None


def test_gini_ignores_nulls_and_works_per_group():
    frame = pl.DataFrame({"g": ["a", "a", "a", "b", "b"], "x": [None, 0, 4, 2, 2]})
    out = dict(frame.group_by("g").agg(gini_expr("x")).rows())
    assert out == {"a": pytest.approx(0.5), "b": 0.0}
    assert gini("x").meta.output_name() == "gini"


# ----------------------------------------------------------------------------------------------------- engagement


def chat_with_everything() -> pl.DataFrame:
    return messages(
        {"message_id": "q1", "author_handle": "mod", "text": "Q1 what?"},
        {"author_handle": "ann", "kind": "reply", "reply_to_message_id": "q1", "reply_to_author_handle": "mod",
         "created_at": at(2), "mentions": ["mod"]},
        {"author_handle": "bob", "kind": "reply", "reply_to_message_id": "q1", "reply_to_author_handle": "mod",
         "created_at": at(4), "mentions": ["mod", "ann"]},
        {"author_handle": "bob", "kind": "quote", "quote_of_author_handle": "ann"},
        {"author_handle": "rita", "kind": "repost", "repost_of_author_handle": "mod", "mentions": ["mod"]},
        {"author_handle": "rita", "kind": "repost", "repost_of_author_handle": "ann"},
        {"author_handle": "Mod", "text": "welcome"},
        {"author_handle": "zed", "kind": "repost", "repost_of_author_handle": "mod", "phase": "pre"},
        {"author_handle": "zed", "text": "late", "phase": "follow_up"},
    )


def test_counts_and_participants():
    row = row_of(engagement_by_session(chat_with_everything(), moderators=["@MOD"]))
    assert (row["messages"], row["originals"], row["posts"], row["replies"], row["quotes"], row["reposts"]) == (
        7, 5, 2, 2, 1, 2)
    assert row["active_participants"] == 3  # mod, ann, bob; rita only reposts; zed is outside the chat phase
    assert row["pure_reposters"] == 1
    assert row["messages_per_active"] == pytest.approx(7 / 3)
    assert row["reply_share"] == pytest.approx(2 / 5)
    assert row["moderator_messages"] == 2  # handles are compared lower-case
    assert row["median_reply_latency_s"] == pytest.approx(180.0)  # 120 s and 240 s after Q1


def test_phases_change_who_is_active():
    frame = chat_with_everything()
    every = row_of(engagement_by_session(frame, phases=None))
    assert every["messages"] == 9 and every["active_participants"] == 4 and every["pure_reposters"] == 1
    pre = row_of(engagement_by_session(frame, phases=["pre"]))
    assert pre["active_participants"] == 0 and pre["pure_reposters"] == 1
    assert pre["messages_per_active"] is None and pre["reply_share"] is None


def test_attention_gini_counts_zeros_and_follows_the_graph_rules():
    row = row_of(engagement_by_session(chat_with_everything()))
    # replies received by the active participants mod, ann, bob: [2, 0, 0]
    assert row["attention_gini_replies"] == pytest.approx(brute_gini([2, 0, 0]))
    # mentions: the reply targets' leading @mod do not count; bob's @ann does; reposts carry none -> [0, 1, 0]
    assert row["attention_gini_mentions"] == pytest.approx(brute_gini([0, 1, 0]))


def test_self_replies_are_not_attention():
    frame = messages(
        {"message_id": "a", "author_handle": "ann"},
        {"author_handle": "ann", "kind": "reply", "reply_to_message_id": "a", "reply_to_author_handle": "ann"},
        {"author_handle": "bob"},
    )
    row = row_of(engagement_by_session(frame))
    assert row["attention_gini_replies"] is None  # no reply from someone else: nothing to spread
    assert row["median_reply_latency_s"] == 60.0  # latency still counts the thread


def test_reply_latency_only_uses_parents_of_the_same_session():
    frame = messages(
        {"message_id": "p", "author_handle": "ann", "phase": "pre", "created_at": at(-10)},
        {"message_id": "old", "author_handle": "ann", "session_id": "s0", "created_at": at(-10080)},
        {"author_handle": "bob", "kind": "reply", "reply_to_message_id": "p", "created_at": at(5)},
        {"author_handle": "bob", "kind": "reply", "reply_to_message_id": "old", "created_at": at(6)},
        {"author_handle": "bob", "kind": "reply", "reply_to_message_id": "missing", "created_at": at(7)},
        {"message_id": "future", "author_handle": "cy", "created_at": at(30)},
        {"author_handle": "bob", "kind": "reply", "reply_to_message_id": "future", "created_at": at(8)},
    )
    out = engagement_by_session(frame)
    assert out["session_id"].to_list() == ["s0", "s1"]  # every session of the input gets a row
    assert row_of(out)["median_reply_latency_s"] == pytest.approx(15 * 60)  # only the pre-chat parent
    s0 = row_of(out, "s0")
    assert s0["messages"] == 1 and s0["median_reply_latency_s"] is None


def test_whole_chat_counts_people_once():
    frame = pl.concat([
        chat_with_everything(),
        messages({"author_handle": "ann", "session_id": "s2"}, {"author_handle": "new", "session_id": "s2"}),
    ])
    per_session = engagement_by_session(frame)
    chat = engagement_by_session(frame, by_session=False)
    assert chat.height == 1 and chat["session_id"].item() is None
    assert per_session["active_participants"].sum() == 5
    assert chat["active_participants"].item() == 4  # ann is active in both sessions
    assert chat["messages"].item() == per_session["messages"].sum()
    assert chat.schema == ENGAGEMENT_SCHEMA


def test_empty_input():
    out = engagement_by_session(messages({"author_handle": "a"}).head(0))
    assert out.height == 0 and out.schema == ENGAGEMENT_SCHEMA


def test_lazy_input_is_accepted():
    frame = chat_with_everything()
    assert engagement_by_session(frame.lazy()).equals(engagement_by_session(frame))


# ------------------------------------------------------------------------------------------------- minute series


def sessions_frame(*ids: str, minutes: int = 3) -> pl.DataFrame:
    return pl.DataFrame({"session_id": list(ids), "start": [T0] * len(ids),
                         "end": [T0 + timedelta(minutes=minutes)] * len(ids)}).with_columns(
        pl.col("start", "end").dt.cast_time_unit("us"))


def test_minute_series_floors_and_fills_the_chat_window():
    frame = messages(
        {"author_handle": "a", "created_at": at(-0.5), "phase": "pre"},
        {"author_handle": "a", "created_at": at(-1.5), "phase": "pre"},
        {"author_handle": "b", "kind": "reply", "created_at": at(1.1)},
        {"author_handle": "c", "kind": "repost", "created_at": at(1.9)},
        {"author_handle": "b", "created_at": at(1.5)},
        {"author_handle": "d", "created_at": at(45), "phase": "follow_up"},
    )
    out = minute_series(frame, sessions_frame("s1", "quiet"))
    assert out.schema == MINUTE_SCHEMA
    s1 = out.filter(session_id="s1")
    assert s1.select("minute", "messages", "originals", "reposts", "replies", "active_authors").rows() == [
        (-2, 1, 1, 0, 0, 1), (-1, 1, 1, 0, 0, 1), (0, 0, 0, 0, 0, 0), (1, 3, 2, 1, 1, 1), (2, 0, 0, 0, 0, 0),
        (45, 1, 1, 0, 0, 1)]
    assert out.filter(session_id="quiet")["minute"].to_list() == [0, 1, 2]
    assert out.filter(session_id="quiet")["messages"].sum() == 0


def test_minute_series_rounds_a_partial_last_minute_up_and_ignores_unknown_sessions():
    frame = messages({"author_handle": "a", "session_id": "other"})
    sessions = sessions_frame("s1").with_columns(end=pl.col("end") + timedelta(seconds=30))
    out = minute_series(frame, sessions)
    assert out["minute"].to_list() == [0, 1, 2, 3] and out["session_id"].unique().to_list() == ["s1"]


# ------------------------------------------------------------------------------------------------------- entities


def entity_chat() -> pl.DataFrame:
    return messages(
        {"author_handle": "a", "text": "A1: Feedback loops and feedback! #EdTech #ukedchat #A1 @bob it's great",
         "hashtags": ["edtech", "ukedchat", "a1"], "urls": []},
        {"author_handle": "b", "text": "Peer feedback works http://x.co/z https://www.Example.org:8080/p?q=1",
         "hashtags": [], "urls": ["https://www.Example.org:8080/p?q=1", "http://user@blog.example.org/"]},
        {"author_handle": "c", "text": "loops loops loops #edtech", "hashtags": ["edtech"],
         "urls": ["https://www.Example.org:8080/p?q=1"]},
        {"author_handle": "d", "kind": "repost", "text": "RT @a: feedback loops", "hashtags": ["edtech"]},
        {"author_handle": "e", "text": "feedback in the pre-chat", "phase": "pre"},
        {"author_handle": "f", "text": "café olé naïve", "session_id": "s2"},
    )


def test_words_skip_stop_words_handles_urls_tags_and_count_messages():
    out = top_entities(entity_chat(), exclude_hashtags=["#UKEdChat"])
    words = dict(out.filter(session_id="s1", entity="word").select("value", "count").rows())
    assert words["feedback"] == 2 and words["loops"] == 2  # once per message, reposts and pre-chat excluded
    assert {"and", "the", "it", "bob", "ukedchat", "edtech", "http", "example", "www"}.isdisjoint(words)
    assert "peer" in words and "works" in words
    assert dict(out.filter(session_id="s2", entity="word").select("value", "count").rows()) == {
        "café": 1, "naïve": 1, "olé": 1}


def test_hashtags_urls_and_domains():
    out = top_entities(entity_chat(), exclude_hashtags=["ukedchat"]).filter(session_id="s1")
    assert out.filter(entity="hashtag").select("value", "count").rows() == [("edtech", 2)]  # no #a1, no own tag
    assert out.filter(entity="url").select("value", "count").rows() == [
        ("https://www.Example.org:8080/p?q=1", 2), ("http://user@blog.example.org/", 1)]
    assert out.filter(entity="domain").select("value", "count").rows() == [
        ("example.org", 2), ("blog.example.org", 1)]


def test_rank_ties_limit_and_chat_level():
    out = top_entities(entity_chat(), n=2, by_session=False, include_reposts=True, phases=None)
    assert out["session_id"].null_count() == out.height
    words = out.filter(entity="word")
    assert words.select("value", "count", "rank").rows() == [("feedback", 4, 1), ("loops", 3, 2)]
    assert out.group_by("entity").len()["len"].max() <= 2
    tied = top_entities(messages({"author_handle": "a", "text": "zebra apple mango"}), n=3)
    assert tied.select("value", "rank").rows() == [("apple", 1), ("mango", 2), ("zebra", 3)]



@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=40))
def test_gini_bounds_and_scale_invariance(values):
    g = gini(values)
    if sum(values) == 0:
        assert g is None
    else:
        n = len(values)
        assert -1e-12 <= g <= (n - 1) / n + 1e-12
        assert gini([3 * v for v in values]) == pytest.approx(g)
        assert g == pytest.approx(brute_gini(values))
