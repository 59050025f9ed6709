"""Property tests: every X/Twitter parser survives corrupted, truncated and wrongly typed input.

Each parser must return a ParseResult whose counts add up (bad records quarantined), or raise ArchiveError for a
file it cannot read at all - never another exception.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moderator_kit.errors import ArchiveError
from moderator_kit.io.base import ParseResult
from moderator_kit.io.twitter import (
    parse_grailbird_js,
    parse_legacy_csv,
    parse_tags_csv,
    parse_twarc2,
    parse_twarc2_flat,
    parse_v1,
    parse_x_archive,
)
from moderator_kit.io.twitter_archive import LEGACY_COLUMNS
from moderator_kit.io.twitter_v1 import TAGS_COLUMNS
from moderator_kit.schema import validate_messages

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text includes lone surrogates: Twitter's truncation of retweets leaves half emoji in real data.
texts = st.text(st.characters(exclude_categories=()), max_size=20)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.floats(allow_nan=False)
    | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)

V2_TWEET = {
    "id": "1001", "author_id": "7", "created_at": "2024-01-01T21:00:00.000Z", "text": "A1 hi @ann #chat",
    "conversation_id": "1000", "in_reply_to_user_id": "8", "lang": "en", "source": "Twitter Web App",
    "edit_history_tweet_ids": ["1001"], "referenced_tweets": [{"type": "replied_to", "id": "1000"}],
    "entities": {"mentions": [{"username": "ann"}], "hashtags": [{"tag": "chat"}],
                 "urls": [{"url": "https://t.co/x", "expanded_url": "https://e.org"}]},
    "public_metrics": {"like_count": 1, "retweet_count": 2, "reply_count": 0, "impression_count": 9},
    "author": {"id": "7", "username": "bob"},
}  # fmt: skip
V2_USER = {"id": "7", "username": "bob", "name": "Bob", "public_metrics": {"followers_count": 3}}
V1_STATUS = {
    "id_str": "2001", "created_at": "Tue Apr 03 18:09:17 +0000 2018", "full_text": "RT @ann: Q1 #chat",
    "user": {"id_str": "7", "screen_name": "bob", "followers_count": 4},
    "entities": {"user_mentions": [{"screen_name": "ann", "id_str": "8"}], "hashtags": [{"text": "chat"}],
                 "urls": []},
    "retweeted_status": {"id_str": "2000", "user": {"id_str": "8", "screen_name": "ann"}},
    "favorite_count": "3", "retweet_count": 1, "in_reply_to_status_id_str": None,
    "edit_info": {"initial": {"editTweetIds": ["2001"]}},
}  # fmt: skip


def check(parse, *args) -> None:
    try:
        result = parse(*args)
    except ArchiveError as err:
        assert str(err)
        return
    assert isinstance(result, ParseResult)
    assert result.records_seen == result.imported + result.duplicates + result.quarantined
    validate_messages(result.messages)
    assert result.messages["message_id"].is_unique().all()


def mutated(base: dict):
    """``base`` with some keys (top level or one level down) replaced by arbitrary JSON, or removed."""
    keys = sorted(base)

    @st.composite
    def build(draw):
        obj = json.loads(json.dumps(base))
        for key in draw(st.lists(st.sampled_from(keys), max_size=4)):
            action = draw(st.sampled_from(["replace", "delete", "nested"]))
            if action == "delete":
                obj.pop(key, None)
            elif action == "nested" and isinstance(obj.get(key), dict) and obj[key]:
                inner = draw(st.sampled_from(sorted(obj[key])))
                obj[key][inner] = draw(json_values)
            else:
                obj[key] = draw(json_values)
        return obj

    return build()


def truncations(text: str):
    return st.integers(min_value=0, max_value=len(text)).map(lambda cut: text[:cut])


lines_of_bytes = st.lists(st.binary(max_size=200), max_size=6)


# --------------------------------------------------------------------------------------------------------------------
# twarc2

@SETTINGS
@given(lines_of_bytes)
def test_twarc2_random_bytes(lines):
    check(parse_twarc2, lines)
    check(parse_twarc2_flat, lines)


@SETTINGS
@given(st.lists(mutated(V2_TWEET), min_size=1, max_size=4), st.lists(mutated(V2_USER), max_size=3),
       st.lists(json_values, max_size=2))
def test_twarc2_wrong_types_in_tweets_and_includes(tweets, users, extra_tweets):
    good = json.dumps({"data": [V2_TWEET], "includes": {"users": [V2_USER]}})
    page = json.dumps({"data": tweets, "includes": {"users": users, "tweets": extra_tweets}})
    check(parse_twarc2, [page, good])
    check(parse_twarc2_flat, [json.dumps(t).encode() for t in tweets])


@SETTINGS
@given(mutated({"data": [V2_TWEET], "includes": {"users": [V2_USER], "tweets": [V2_TWEET]}, "errors": [],
                "meta": {"result_count": 1}}))
def test_twarc2_wrong_types_in_pages(page):
    check(parse_twarc2, [json.dumps(page)])


@SETTINGS
@given(truncations(json.dumps({"data": [V2_TWEET, V2_TWEET], "includes": {"users": [V2_USER]}})))
def test_twarc2_truncated_page(text):
    check(parse_twarc2, [text, "", text])
    check(parse_twarc2_flat, [text])


# --------------------------------------------------------------------------------------------------------------------
# v1.1 and TAGS

@SETTINGS
@given(st.lists(mutated(V1_STATUS), min_size=1, max_size=4))
def test_v1_wrong_types(statuses):
    as_json = [json.dumps(s) for s in statuses]
    check(parse_v1, as_json)
    check(parse_v1, "[" + ",".join(as_json) + "]")


@SETTINGS
@given(texts | st.text(max_size=300) | truncations(json.dumps([V1_STATUS, V1_STATUS])))
def test_v1_random_or_truncated_text(text):
    check(parse_v1, text)


@SETTINGS
@given(st.text(max_size=300) | texts)
def test_tags_random_text(text):
    check(parse_tags_csv, text)


@SETTINGS
@given(st.lists(st.lists(st.text(max_size=25) | texts, min_size=0, max_size=20), max_size=5))
def test_tags_rows_of_anything(rows):
    lines = [",".join(TAGS_COLUMNS)] + [",".join(json.dumps(f) for f in row) for row in rows]
    check(parse_tags_csv, "\n".join(lines))


@SETTINGS
@given(truncations(",".join(TAGS_COLUMNS) + '\n"5","ann","RT @bob: hi","Tue Apr 03 18:09:17 +0000 2018",,,,,,,,'
                   ',,"12",,,,"{""hashtags"": [], ""user_mentions"": [{""screen_name"": ""bob""}], ""urls"": []}"\n'))
def test_tags_truncated(text):
    check(parse_tags_csv, text)


# --------------------------------------------------------------------------------------------------------------------
# Archives

ARCHIVE_TWEET = {key: value for key, value in V1_STATUS.items() if key != "user"}


@SETTINGS
@given(st.lists(mutated(ARCHIVE_TWEET), min_size=1, max_size=4) | st.lists(json_values, max_size=3))
def test_x_archive_wrong_types(tweets):
    text = "window.YTD.tweets.part0 = " + json.dumps([{"tweet": t} for t in tweets])
    check(parse_x_archive, text)
    check(parse_grailbird_js, "Grailbird.data.tweets_2013_01 = " + json.dumps(tweets))


@SETTINGS
@given(texts | st.text(max_size=200)
       | truncations("window.YTD.tweets.part0 = " + json.dumps([{"tweet": ARCHIVE_TWEET}] * 2)))
def test_x_archive_random_or_truncated(text):
    check(parse_x_archive, text)
    check(parse_grailbird_js, text)


@SETTINGS
@given(st.text(max_size=300) | texts
       | st.lists(st.lists(st.text(max_size=25) | texts, max_size=12), max_size=5).map(
           lambda rows: "\n".join([",".join(LEGACY_COLUMNS)] + [",".join(json.dumps(f) for f in r) for r in rows]))
       | truncations(",".join(LEGACY_COLUMNS) + '\n"9","8","3","2017-02-09 20:58:10 +0000","web","@Ann A8 yes",'
                     '"","","","https://twitter.com/a/status/1,https://e.org"\n'))
def test_legacy_csv_anything(text):
    check(parse_legacy_csv, text)
