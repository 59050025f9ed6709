"""X/Twitter importers: real archives from ../shared/real_data and tiny inline cases."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import polars as pl
import pytest

from moderator_kit.errors import ArchiveError
from moderator_kit.io import twitter
from moderator_kit.io.twitter import (
    FORMATS,
    archive_owner,
    parse_grailbird_js,
    parse_legacy_csv,
    parse_tags_csv,
    parse_twarc2,
    parse_twarc2_flat,
    parse_v1,
    parse_x_archive,
    read_legacy_archive,
    read_legacy_csv,
    read_tags_csv,
    read_twarc2,
    read_twarc2_flat,
    read_v1,
    read_x_archive,
)
from moderator_kit.schema import MESSAGE_SCHEMA

TWARC2 = "twarc2-jsonl-docnow"
NOT_TWEETS = {"users.jsonl", "counts.jsonl", "lists.jsonl", "tweets_compliance.jsonl", "users_compliance.jsonl"}
EDIT_LATEST = "1576994789110992896"
SPECS = {spec.name: spec for spec in FORMATS}


def balanced(result) -> bool:
    return result.records_seen == result.imported + result.duplicates + result.quarantined


def head_of(path: Path) -> str:
    return "" if path.is_dir() else path.read_bytes()[:65536].decode("utf-8-sig", errors="replace")


def claims(path: Path) -> list[str]:
    head = head_of(path)
    return [spec.name for spec in FORMATS if spec.sniff(path, head)]


def page(*tweets, users=(), includes_tweets=(), **extra) -> bytes:
    body = {"data": list(tweets), "includes": {"users": list(users), "tweets": list(includes_tweets)}, **extra}
    return orjson.dumps(body)


def tweet(tweet_id="1", author="7", when="2024-01-01T21:00:00.000Z", text="hello", **extra) -> dict:
    return {"id": tweet_id, "author_id": author, "created_at": when, "text": text, **extra}


def user(user_id="7", username="Ann", followers=10) -> dict:
    return {"id": user_id, "username": username, "name": username.title(),
            "public_metrics": {"followers_count": followers}}


# --------------------------------------------------------------------------------------------------------------------
# Real archives


def real_archives(root: Path) -> list[tuple[str, object]]:
    """(label, zero-argument reader) for every X/Twitter archive in real_data."""
    cases = []
    for path in sorted((root / TWARC2).glob("*.jsonl")):
        reader = read_twarc2_flat if path.name == "flat.jsonl" else read_twarc2
        cases.append((path.name, lambda p=path, r=reader: r(p)))
    cases += [
        ("twarc1", lambda: read_v1(root / "twarc1-v1.1-jsonl-dlfteach" / "tweets.jsonl")),
        ("tags", lambda: read_tags_csv(root / "tags-csv-aect19-tidytags" / "sample-data.csv")),
        ("tags-one", lambda: read_tags_csv(root / "tags-csv-aect19-tidytags" / "sample-tweet.csv")),
        ("x-archive", lambda: read_x_archive(root / "twitter-archive-ytd-andreruffert")),
        ("legacy", lambda: read_legacy_archive(root / "twitter-archive-legacy-iansheffield")),
    ]
    return cases


@pytest.mark.real_data
def test_every_real_archive_accounts_for_every_record(real_data_dir):
    for label, read in real_archives(real_data_dir):
        result = read()
        assert balanced(result), label
        assert result.records_seen > 0, label
        assert result.messages.schema == MESSAGE_SCHEMA, label
        assert (result.messages["platform"] == "twitter").all(), label
        assert result.messages["message_id"].is_unique().all(), label
        assert result.messages["source_record"].null_count() == 0, label


@pytest.mark.real_data
def test_twarc2_error_line_is_quarantined_with_its_line_number(real_data_dir):
    result = read_twarc2(real_data_dir / TWARC2 / "streaming_output_with_error.jsonl")
    assert (result.records_seen, result.imported, result.quarantined) == (8, 7, 1)
    entry = result.quarantine.row(0, named=True)
    assert entry["source_record"] == 8
    assert entry["reason"].startswith("invalid JSON")
    assert entry["raw"].startswith('{"data": {"author_id": "1021159080151404544"')
    assert result.messages["source_record"].to_list() == list(range(1, 8))


@pytest.mark.real_data
def test_twarc2_pages_resolve_authors_and_references(real_data_dir):
    path = real_data_dir / TWARC2 / "2sets.jsonl"
    pages = [orjson.loads(line) for line in path.read_bytes().splitlines()]
    tweets = [t for p in pages for t in p["data"]]
    retweets = {t["id"] for t in tweets if any(r["type"] == "retweeted" for r in t.get("referenced_tweets", []))}
    result = read_twarc2(path)
    messages = result.messages
    assert result.imported == len(tweets) == 200
    assert set(messages.filter(pl.col("kind") == "repost")["message_id"]) == retweets
    reposts = messages.filter(pl.col("kind") == "repost")
    assert reposts["repost_of_message_id"].null_count() == 0
    assert reposts["repost_of_author_handle"].null_count() == 0
    # includes.tweets are context: none of them is imported unless it is also in data
    context_only = {t["id"] for p in pages for t in p["includes"]["tweets"]} - {t["id"] for t in tweets}
    assert context_only and not context_only & set(messages["message_id"])
    first, first_user = tweets[0], next(u for u in pages[0]["includes"]["users"] if u["id"] == tweets[0]["author_id"])
    row = messages.filter(pl.col("message_id") == first["id"]).row(0, named=True)
    assert row["author_handle"] == first_user["username"].lower()
    assert row["author_followers"] == first_user["public_metrics"]["followers_count"]
    assert row["like_count"] == first["public_metrics"]["like_count"]
    assert row["conversation_id"] == first["conversation_id"]
    own = [h["tag"].lower() for h in first["entities"].get("hashtags", [])]
    assert row["hashtags"][:len(own)] == own  # a repost's own tags come first, then its original's (issue 10)
    assert row["source_app"] == first["source"] and row["lang"] == first["lang"]


@pytest.mark.real_data
def test_twarc2_replies_use_in_reply_to_user(real_data_dir):
    messages = read_twarc2(real_data_dir / TWARC2 / "noflat.jsonl").messages
    replies = messages.filter(pl.col("kind") == "reply")
    assert replies.height > 0
    assert replies["reply_to_author_id"].null_count() == 0
    assert replies["reply_to_author_handle"].null_count() == 0


@pytest.mark.real_data
def test_twarc2_flat_matches_the_same_tweets_as_pages(real_data_dir):
    flat = read_twarc2_flat(real_data_dir / TWARC2 / "flat.jsonl").messages
    pages = read_twarc2(real_data_dir / TWARC2 / "noflat.jsonl").messages
    provenance = ["source_file", "source_record", "source_format"]
    assert flat.height == pages.height == 100
    assert flat.drop(provenance).sort("message_id").equals(pages.drop(provenance).sort("message_id"))
    assert set(flat["kind"]) == {"post", "reply", "repost", "quote"}


@pytest.mark.real_data
@pytest.mark.parametrize("name", ["edited.jsonl", "edited_before.jsonl", "edited_after.jsonl"])
def test_edited_tweets_keep_the_latest_version(real_data_dir, name):
    result = read_twarc2(real_data_dir / TWARC2 / name)
    assert result.messages["message_id"].to_list() == [EDIT_LATEST]
    assert result.messages["text"].to_list() == ["hey :) https://t.co/rnwEIoNuqd"]


@pytest.mark.real_data
def test_references_to_an_edited_tweet_point_at_its_latest_version(real_data_dir):
    row = read_twarc2(real_data_dir / TWARC2 / "quoted_edit.jsonl").messages.row(0, named=True)
    assert row["kind"] == "reply"
    assert row["reply_to_message_id"] == row["quote_of_message_id"] == EDIT_LATEST
    assert row["reply_to_author_handle"] == row["quote_of_author_handle"] == "wongmjane"


@pytest.mark.real_data
def test_withheld_tweets_are_imported_and_unknown_authors_marked(real_data_dir):
    result = read_twarc2(real_data_dir / TWARC2 / "withheld.jsonl")
    assert (result.imported, result.quarantined) == (215, 0)
    assert "25712847277" in set(result.messages["message_id"])  # withheld in DE and FR
    unknown = result.messages.filter(pl.col("author_handle").str.starts_with("id:"))
    assert unknown.height == 6
    assert (unknown["author_handle"] == "id:" + unknown["author_id"]).all()


@pytest.mark.real_data
@pytest.mark.parametrize("name", sorted(NOT_TWEETS))
def test_twarc2_files_without_tweets_are_quarantined_not_imported(real_data_dir, name):
    path = real_data_dir / TWARC2 / name
    assert claims(path) == []
    result = read_twarc2(path)
    assert result.imported == 0
    assert result.quarantined == result.records_seen > 0


@pytest.mark.real_data
def test_sniffers_claim_only_their_own_files(real_data_dir):
    expected = {
        "twarc1-v1.1-jsonl-dlfteach/tweets.jsonl": ["v1"],
        "tags-csv-aect19-tidytags/sample-data.csv": ["tags-csv"],
        "tags-csv-aect19-tidytags/sample-tweet.csv": ["tags-csv"],
        "twitter-archive-ytd-andreruffert/data/tweets.js": ["x-archive"],
        "twitter-archive-legacy-iansheffield/tweets.csv": ["legacy-csv"],
        "twitter-archive-ytd-andreruffert": ["x-archive"],
        "twitter-archive-ytd-andreruffert/data": ["x-archive"],
        "twitter-archive-legacy-iansheffield": ["legacy-archive"],
    }
    for path in sorted((real_data_dir / TWARC2).glob("*.jsonl")):
        name = f"{TWARC2}/{path.name}"
        expected[name] = [] if path.name in NOT_TWEETS else ["twarc2-flat" if path.name == "flat.jsonl" else "twarc2"]
    checked = 0
    for path in sorted(real_data_dir.rglob("*")):
        if path.name in {"SOURCE.txt", "README.md"}:
            continue
        name = path.relative_to(real_data_dir).as_posix()
        assert claims(path) == expected.get(name, []), name
        checked += 1
    assert checked > 100  # the other platforms' JSON and CSV files were all looked at


@pytest.mark.real_data
def test_v1_retweets_are_reposts(real_data_dir):
    result = read_v1(real_data_dir / "twarc1-v1.1-jsonl-dlfteach" / "tweets.jsonl")
    messages = result.messages
    assert (result.imported, result.quarantined) == (4, 0)
    reposts = messages.filter(pl.col("kind") == "repost")
    assert reposts["repost_of_message_id"].to_list() == ["981232181216514048"] * 2
    assert reposts["repost_of_author_handle"].to_list() == ["letsshall"] * 2
    assert set(messages["author_handle"]) == {"ti_events", "brandontlocke", "clirdlf", "letsshall"}
    assert "<" not in "".join(messages["source_app"].to_list())
    assert messages["created_at"].min().isoformat() == "2018-04-03T18:09:17+00:00"


@pytest.mark.real_data
def test_tags_rows_retweets_and_duplicates(real_data_dir):
    path = real_data_dir / "tags-csv-aect19-tidytags" / "sample-data.csv"
    result = read_tags_csv(path)
    messages = result.messages
    assert (result.records_seen, result.imported, result.quarantined) == (10, 10, 0)
    assert messages.filter(pl.col("kind") == "repost").height == 8
    retweet = messages.filter(pl.col("message_id") == "1248064163211096064").row(0, named=True)
    assert retweet["repost_of_author_handle"] == "dtpthanh"
    assert messages["author_followers"].null_count() == 1  # written as NA
    text = path.read_text(encoding="utf-8")
    doubled = parse_tags_csv(text + text.split("\n", 1)[1], str(path))
    assert (doubled.records_seen, doubled.imported, doubled.duplicates) == (20, 10, 10)
    assert balanced(doubled)


@pytest.mark.real_data
def test_x_archive_parses_every_number_stored_as_a_string(real_data_dir):
    folder = real_data_dir / "twitter-archive-ytd-andreruffert"
    raw_text = (folder / "data" / "tweets.js").read_text(encoding="utf-8")
    raw = [item["tweet"] for item in json.loads(raw_text[raw_text.index("["):])]
    result = read_x_archive(folder)
    messages = result.messages
    assert (result.imported, result.quarantined) == (1986, 0)
    for column, field in (("like_count", "favorite_count"), ("repost_count", "retweet_count")):
        assert messages.schema[column] == pl.Int64
        assert messages[column].null_count() == 0
        assert messages[column].sum() == sum(int(t[field]) for t in raw)
    assert messages.filter(pl.col("kind") == "repost").height == 643
    assert messages["reply_to_message_id"].drop_nulls().len() == 485
    assert set(messages["author_handle"]) == {"andreruffert"}  # from manifest.js
    assert set(messages["author_id"]) == {"112769581"}
    retweet = messages.filter(pl.col("message_id") == "1471135073105858562").row(0, named=True)
    assert (retweet["repost_of_author_handle"], retweet["repost_of_author_id"]) == ("year_progress", "3233484298")
    quote = messages.filter(pl.col("message_id") == "1486721823299407877").row(0, named=True)
    assert (quote["kind"], quote["quote_of_message_id"]) == ("quote", "1486023451584638980")
    assert messages["source_app"].str.contains("<").sum() == 0


@pytest.mark.real_data
def test_x_archive_accepts_folder_data_folder_or_file(real_data_dir):
    folder = real_data_dir / "twitter-archive-ytd-andreruffert"
    counts = {read_x_archive(p).imported for p in (folder, folder / "data", folder / "data" / "tweets.js")}
    assert counts == {1986}


@pytest.mark.real_data
def test_legacy_csv_keeps_all_records_and_chat_answers(real_data_dir):
    path = real_data_dir / "twitter-archive-legacy-iansheffield" / "tweets.csv"
    result = read_legacy_csv(path, owner_handle="IaninSheffield")
    messages = result.messages
    assert (result.records_seen, result.imported, result.quarantined) == (10326, 10326, 0)
    assert set(messages["author_handle"]) == {"ianinsheffield"}
    answers = messages.filter(pl.col("text").str.contains(r"^A\d"))
    assert answers.height >= 11
    tags = set(answers["hashtags"].explode().drop_nulls())
    assert {"ukedchat", "lthechat"} <= tags
    raw = pl.read_csv(path, infer_schema=False)
    native = raw.filter(pl.col("retweeted_status_id").fill_null("") != "")
    reposts = messages.filter(pl.col("kind") == "repost")
    assert reposts["repost_of_message_id"].drop_nulls().len() == native.height > 500
    manual = raw.filter((pl.col("retweeted_status_id").fill_null("") == "") & pl.col("text").str.contains(r"^RT @\w+:"))
    assert reposts.height == native.height + manual.height  # old text-only "RT @x:" retweets count too
    commented = messages.filter(pl.col("text").str.contains(r"^RT @\w+ "))  # "RT @x text <- comment": own words
    assert commented.height > 50 and "repost" not in set(commented["kind"])
    assert read_legacy_archive(path.parent).imported == 10326
    assert set(read_legacy_archive(path.parent).messages["author_handle"]) == {"archive-owner"}


# --------------------------------------------------------------------------------------------------------------------
# twarc2, inline


def test_twarc2_quarantines_one_bad_tweet_and_keeps_the_rest():
    good = tweet("1")
    no_time = {"id": "2", "author_id": "7", "text": "no time"}
    result = parse_twarc2([page(good, no_time, tweet("3"), users=[user()])], "p.jsonl")
    assert result.messages["message_id"].to_list() == ["1", "3"]
    entry = result.quarantine.row(0, named=True)
    assert (entry["source_record"], entry["source_file"]) == (1, "p.jsonl")
    assert entry["reason"] == "tweet 1: missing required field 'created_at'"
    assert balanced(result)


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ({"author_id": "7", "created_at": "2024-01-01T21:00:00Z", "text": "x"}, "tweet 0: missing required field 'id'"),
        ({"id": "2", "created_at": "2024-01-01T21:00:00Z", "text": "x"}, "tweet 0: missing required field 'author_id'"),
        (tweet("2", when="yesterday"), "tweet 0: created_at is not a timestamp: 'yesterday'"),
        (tweet("2", lang=5), "tweet 0: field 'lang' should be text, found int"),
        (tweet("2", public_metrics={"like_count": "many"}), "tweet 0: field 'like_count' should be a whole number"),
        ("not a tweet", "tweet 0: not a JSON object"),
    ],
)
def test_twarc2_bad_tweets_are_quarantined_with_reasons(bad, reason):
    result = parse_twarc2([page(bad, tweet("8"), users=[user()]), page(tweet("9"), users=[user()])])
    assert result.messages["message_id"].to_list() == ["8", "9"]
    assert result.quarantine["reason"][0].startswith(reason)
    assert result.quarantine["source_record"].to_list() == [1]
    assert balanced(result)


def test_twarc2_error_only_page_and_garbage_lines():
    lines = [
        b'{"errors": [{"detail": "Could not find tweet 5"}], "__twarc": {}}',
        b"",
        b"[1, 2]",
        b"{not json",
        page(tweet("1"), users=[user()]),
    ]
    result = parse_twarc2(lines)
    reasons = result.quarantine["reason"].to_list()
    assert result.quarantine["source_record"].to_list() == [1, 3, 4]
    assert reasons[0] == "page has no data: API error 'Could not find tweet 5'"
    assert reasons[1].startswith("not a twarc2 response page")
    assert reasons[2].startswith("invalid JSON")
    assert (result.records_seen, result.imported) == (4, 1)


def test_twarc2_kinds_entities_and_metrics():
    quoted = tweet("50", author="8", text="Q1: what helps?")
    lines = [page(
        tweet("60", text="RT @Mod: Q1: what helps?", referenced_tweets=[{"type": "retweeted", "id": "50"}],
              entities={"mentions": [{"username": "Mod"}]}),
        tweet("61", text="A1 this &amp; that", referenced_tweets=[{"type": "quoted", "id": "50"}],
              entities={"hashtags": [{"tag": "EdChat"}, {"tag": "A1"}],
                        "urls": [{"url": "https://t.co/a", "expanded_url": "https://example.org/a"},
                                 {"url": "https://t.co/p", "expanded_url": "https://x.com/a/status/61/photo/1",
                                  "media_key": "3_1"}]},
              public_metrics={"like_count": 4, "retweet_count": 1, "reply_count": 2, "impression_count": 90},
              note_tweet={"text": "A1 this &amp; that, and a long note"}),
        tweet("62", text="@mod thanks", in_reply_to_user_id="8", conversation_id="50",
              referenced_tweets=[{"type": "replied_to", "id": "50"}]),
        tweet("63", text="plain post"),
        users=[user("7", "Ann"), user("8", "Mod")], includes_tweets=[quoted],
    )]
    messages = parse_twarc2(lines).messages
    rows = {row["message_id"]: row for row in messages.iter_rows(named=True)}
    assert [rows[i]["kind"] for i in ("60", "61", "62", "63")] == ["repost", "quote", "reply", "post"]
    assert (rows["60"]["repost_of_message_id"], rows["60"]["repost_of_author_handle"]) == ("50", "mod")
    assert rows["60"]["mentions"] == ["mod"]
    assert (rows["61"]["quote_of_author_id"], rows["61"]["quote_of_author_handle"]) == ("8", "mod")
    assert rows["61"]["text"] == "A1 this & that, and a long note"
    assert rows["61"]["hashtags"] == ["edchat", "a1"]
    assert rows["61"]["urls"] == ["https://example.org/a"]
    assert [rows["61"][c] for c in ("like_count", "repost_count", "reply_count", "view_count")] == [4, 1, 2, 90]
    assert (rows["62"]["reply_to_message_id"], rows["62"]["reply_to_author_handle"]) == ("50", "mod")
    assert rows["62"]["conversation_id"] == "50" and rows["63"]["conversation_id"] == "63"
    assert rows["62"]["mentions"] == ["mod"]  # no entities in the tweet: taken from the text
    assert "50" not in rows  # includes.tweets are context only


def test_twarc2_author_missing_from_includes_is_resolved_elsewhere_in_the_file():
    lines = [page(tweet("1", author="7"), tweet("2", author="9")), page(tweet("3", author="7"), users=[user("7")])]
    messages = parse_twarc2(lines).messages
    assert messages["author_handle"].to_list() == ["ann", "id:9", "ann"]


def test_twarc2_older_version_of_an_edited_tweet_yields_to_the_latest():
    old = tweet("1", text="first try", edit_history_tweet_ids=["1", "2"])
    new = tweet("2", text="second try", edit_history_tweet_ids=["1", "2"])
    alone = parse_twarc2([page(old, users=[user()])]).messages
    assert alone.select("message_id", "text").row(0) == ("2", "first try")  # the latest id, the text we have
    both = parse_twarc2([page(old, users=[user()]), page(new, users=[user()])])
    assert both.messages.select("message_id", "text").rows() == [("2", "second try")]
    assert both.duplicates == 1 and balanced(both)


def test_twarc2_lone_surrogates_do_not_cost_the_page():
    lines = [b'{"data": [{"id": "1", "author_id": "7", "created_at": "2024-01-01T21:00:00.000Z",'
             b' "text": "RT @x: cut \\ud83d"}, ' + orjson.dumps(tweet("2"))[0:] + b'], "includes": {"users": []}}']
    result = parse_twarc2(lines)
    assert result.messages["text"].to_list() == ["RT @x: cut \ufffd", "hello"]
    assert result.quarantined == 0


def test_twarc2_streaming_lines_have_a_single_tweet_as_data():
    line = orjson.dumps({"data": tweet("5"), "includes": {"users": [user()]}, "matching_rules": [{"id": "1"}]})
    assert parse_twarc2([line]).messages["author_handle"].to_list() == ["ann"]


def test_twarc2_flat_tweet_without_author_is_quarantined():
    lines = [b'{"id": "1", "text": "x", "created_at": "2024-01-01T21:00:00.000Z"}']
    result = parse_twarc2_flat(lines)
    assert result.imported == 0
    assert result.quarantine["reason"].to_list() == ["missing required field 'author_id'"]


def test_read_twarc2_missing_file_raises_archive_error(tmp_path):
    with pytest.raises(ArchiveError, match="cannot read the file"):
        read_twarc2(tmp_path / "nope.jsonl")


def test_read_twarc2_streams_a_file(tmp_path):
    path = tmp_path / "chat.jsonl"
    path.write_bytes(b"\n".join(page(tweet(str(i)), users=[user()]) for i in range(1, 4)) + b"\n")
    result = read_twarc2(path)
    assert result.messages["source_record"].to_list() == [1, 2, 3]
    assert set(result.messages["source_file"]) == {str(path)}
    assert claims(path) == ["twarc2"]


# --------------------------------------------------------------------------------------------------------------------
# v1.1, inline


def status(status_id="1", handle="Ann", text="hello", **extra) -> dict:
    return {"id_str": status_id, "created_at": "Tue Apr 03 18:09:17 +0000 2018", "full_text": text,
            "user": {"id_str": "7", "screen_name": handle, "name": handle, "followers_count": 12}, **extra}


def test_v1_quotes_replies_and_arrays():
    statuses = [
        status("1", text="Q1 #Chat", entities={"hashtags": [{"text": "Chat"}], "user_mentions": [], "urls": []}),
        status("2", text="look", is_quote_status=True, quoted_status_id_str="1",
               quoted_status=status("1"), favorite_count=3, retweet_count=1),
        status("3", text="@ann A1", in_reply_to_status_id_str="1", in_reply_to_user_id_str="7",
               in_reply_to_screen_name="Ann"),
    ]
    result = parse_v1(json.dumps(statuses), "s.json")
    rows = {row["message_id"]: row for row in result.messages.iter_rows(named=True)}
    assert [rows[i]["kind"] for i in "123"] == ["post", "quote", "reply"]
    assert (rows["2"]["quote_of_author_handle"], rows["2"]["like_count"], rows["2"]["repost_count"]) == ("ann", 3, 1)
    assert rows["3"]["reply_to_author_handle"] == "ann"
    assert result.messages["source_record"].to_list() == [0, 1, 2]
    assert rows["1"]["author_followers"] == 12


def test_v1_extended_tweet_and_notices():
    lines = [
        json.dumps(status("1", text="short…", extended_tweet={"full_text": "the long text"})),
        json.dumps({"delete": {"status": {"id_str": "9"}}}),
        json.dumps({"id_str": "4", "full_text": "no user", "created_at": "Tue Apr 03 18:09:17 +0000 2018"}),
    ]
    result = parse_v1(lines)
    assert result.messages["text"].to_list() == ["the long text"]
    assert result.quarantine["reason"].to_list() == [
        "not a status: a streaming 'delete' notice",
        "missing required field 'user'",
    ]


# --------------------------------------------------------------------------------------------------------------------
# TAGS, inline

TAGS_HEADER = ",".join(twitter.twitter_v1.TAGS_COLUMNS)


def tags_row(**values) -> str:
    row = dict.fromkeys(twitter.twitter_v1.TAGS_COLUMNS, "")
    row.update(values)
    return ",".join(f'"{v}"' for v in row.values())


def test_tags_handles_na_scientific_ids_and_bad_rows():
    text = "\n".join([
        TAGS_HEADER,
        tags_row(id_str="5", from_user="Ann", text="A1 hi", created_at="Tue Apr 03 18:09:17 +0000 2018",
                 user_followers_count="NA", in_reply_to_status_id_str="4", in_reply_to_screen_name="Mod"),
        tags_row(id_str="1.25195E+18", from_user="Bob", text="hi", created_at="Tue Apr 03 18:10:17 +0000 2018",
                 status_url="http://twitter.com/Bob/statuses/1251954312772812801"),
        '"6","short row"',
        tags_row(id_str="7", from_user="", text="no author", created_at="Tue Apr 03 18:10:17 +0000 2018"),
    ]) + "\n"
    result = parse_tags_csv(text, "tags.csv")
    assert result.messages["message_id"].to_list() == ["5", "1251954312772812801"]
    first = result.messages.row(0, named=True)
    assert (first["kind"], first["reply_to_author_handle"], first["author_followers"]) == ("reply", "mod", None)
    assert result.quarantine.select("source_record", "reason").rows() == [
        (4, "row has 2 fields, the header has 18"),
        (5, "missing required field 'from_user'"),
    ]
    assert balanced(result)


def test_tags_without_its_header_is_an_archive_error():
    with pytest.raises(ArchiveError, match="not a TAGS export"):
        parse_tags_csv("a,b,c\n1,2,3\n", "x.csv")


# --------------------------------------------------------------------------------------------------------------------
# X archive, inline


def ytd(*tweets, part="tweets.part0") -> str:
    return f"window.YTD.{part} = " + json.dumps([{"tweet": t} for t in tweets], indent=2)


def archive_tweet(tweet_id="1", text="hello", **extra) -> dict:
    return {"id_str": tweet_id, "id": tweet_id, "created_at": "Thu Nov 03 08:50:26 +0000 2022", "full_text": text,
            "favorite_count": "5", "retweet_count": "0", "entities": {"hashtags": [], "user_mentions": [], "urls": []},
            **extra}


def test_x_archive_owner_comes_from_account_then_manifest_then_default(tmp_path):
    data = tmp_path / "archive" / "data"
    data.mkdir(parents=True)
    (data / "tweets.js").write_text(ytd(archive_tweet()), encoding="utf-8")
    assert archive_owner(data)[1:] == (None, "archive-owner", None, "default")[1:]
    assert read_x_archive(tmp_path / "archive").messages["author_handle"].to_list() == ["archive-owner"]
    (data / "manifest.js").write_text(
        'window.__THAR_CONFIG = {"userInfo": {"accountId": "3", "userName": "FromManifest", "displayName": "M"}}')
    assert archive_owner(data) == ("3", "FromManifest", "M", "manifest.js")
    (data / "account.js").write_text(
        'window.YTD.account.part0 = [ {"account": {"username": "FromAccount", "accountId": "4",'
        ' "accountDisplayName": "A"}} ]')
    (data / "follower.js").write_text('window.YTD.follower.part0 = [ {"follower": {"accountId": "1"}},'
                                      ' {"follower": {"accountId": "2"}} ]')
    row = read_x_archive(data).messages.row(0, named=True)
    assert (row["author_handle"], row["author_id"], row["author_name"], row["author_followers"]) == \
        ("fromaccount", "4", "A", 2)


def test_x_archive_parts_old_prefix_truncation_and_edits(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    chain = {"edit_info": {"initial": {"editTweetIds": ["10", "11"]}}}
    (data / "tweets.js").write_text(ytd(archive_tweet("10", "first", **chain), archive_tweet("11", "second", **chain),
                                        archive_tweet("12", "RT @Mod: Q2 is up")))
    (data / "tweets-part1.js").write_text(ytd(archive_tweet("13"), part="tweets.part1")[:-40])
    result = read_x_archive(data)
    rows = {row["message_id"]: row for row in result.messages.iter_rows(named=True)}
    assert rows["11"]["text"] == "second" and "10" not in rows
    assert (rows["12"]["kind"], rows["12"]["repost_of_author_handle"]) == ("repost", "mod")
    assert "13" not in rows  # the truncated part gave up nothing complete
    assert result.quarantine["reason"][0].startswith("truncated JSON: item 0")
    assert (result.duplicates, result.quarantined) == (1, 1) and balanced(result)
    old_style = parse_x_archive(ytd(archive_tweet("20"), part="tweet.part0"), owner_handle="@Ann")
    assert old_style.messages.select("message_id", "author_handle", "like_count").row(0) == ("20", "ann", 5)


def test_x_archive_bad_counts_become_null_and_bad_items_are_quarantined():
    js = ytd(archive_tweet("1", favorite_count="lots"), archive_tweet("2", created_at="never")) + "\n"
    result = parse_x_archive(js.replace('{"tweet": {"id_str": "2"', '{"tweet": {"id_str": "2"'), "t.js")
    assert result.messages.select("message_id", "like_count").rows() == [("1", None)]
    assert result.quarantine.select("source_record", "reason").rows() == [
        (1, "created_at is not a timestamp: 'never'")
    ]


def test_x_archive_without_an_array_is_an_archive_error():
    with pytest.raises(ArchiveError, match="no JSON array"):
        parse_x_archive("window.YTD.tweets.part0 = ", "t.js")
    with pytest.raises(ArchiveError, match="no data/tweets.js"):
        read_x_archive(Path(__file__).parent)


# --------------------------------------------------------------------------------------------------------------------
# Legacy archive, inline

LEGACY_HEADER = ",".join(f'"{c}"' for c in twitter.twitter_archive.LEGACY_COLUMNS)


def legacy_row(tweet_id, text, *, reply=("", ""), retweet=("", ""), urls="", when="2017-02-09 20:58:10 +0000"):
    fields = [tweet_id, reply[0], reply[1], when, '<a href="http://x">Web</a>', text, retweet[0], retweet[1], "",
              urls]
    return ",".join('"' + f.replace('"', '""') + '"' for f in fields)


def test_legacy_csv_kinds_owner_and_bad_rows(tmp_path):
    text = "\n".join([
        LEGACY_HEADER,
        legacy_row("1", "Q1 what do you think? #UKEdChat"),
        legacy_row("2", "@Ann A1 I think so", reply=("1", "55")),
        legacy_row("3", "more from me", reply=("2", "99")),
        legacy_row("4", "RT @Mod: Q2 is up", retweet=("40", "77")),
        legacy_row("5", "see this https://t.co/x", urls="https://twitter.com/Bob/status/42,https://e.org"),
        legacy_row("six", "bad id"),
        '"7","short"',
        legacy_row("8", "multi\nline \u00e9 text"),
    ]) + "\n"
    (tmp_path / "data" / "js").mkdir(parents=True)
    (tmp_path / "data" / "js" / "user_details.js").write_text(
        'var user_details =  {\n  "screen_name" : "Ian",\n  "full_name" : "Ian G",\n  "id" : "99"\n}')
    (tmp_path / "tweets.csv").write_text(text, encoding="utf-8")
    result = read_legacy_csv(tmp_path / "tweets.csv", owner_handle="ignored")
    rows = {row["message_id"]: row for row in result.messages.iter_rows(named=True)}
    assert set(result.messages["author_handle"]) == {"ian"}
    assert [rows[i]["kind"] for i in "12345"] == ["post", "reply", "reply", "repost", "quote"]
    assert rows["2"]["reply_to_author_handle"] == "ann"
    assert rows["3"]["reply_to_author_handle"] == "ian"  # a self-reply: the owner's id
    assert (rows["4"]["repost_of_message_id"], rows["4"]["repost_of_author_handle"]) == ("40", "mod")
    assert (rows["5"]["quote_of_message_id"], rows["5"]["quote_of_author_handle"]) == ("42", "bob")
    assert rows["5"]["urls"] == ["https://twitter.com/Bob/status/42", "https://e.org"]
    assert rows["1"]["hashtags"] == ["ukedchat"] and rows["2"]["mentions"] == ["ann"]
    assert rows["1"]["source_app"] == "Web"
    assert rows["8"]["text"] == "multi\nline \u00e9 text" and rows["8"]["source_record"] == 9
    assert result.quarantine.select("source_record", "reason").rows() == [
        (8, "row has 2 fields, the header has 10"),
        (7, "tweet_id is not an id: 'six'"),
    ]
    assert balanced(result)
    default = parse_legacy_csv(text)
    assert set(default.messages["author_handle"]) == {"archive-owner"}


def test_grailbird_month_files_and_legacy_folder(tmp_path):
    tweets = tmp_path / "data" / "js" / "tweets"
    tweets.mkdir(parents=True)
    month = [
        {"id_str": "1", "created_at": "2013-02-20 20:48:58 +0000", "text": "A4 Maybe #etmchat",
         "user": {"id_str": "9", "screen_name": "Ian", "name": "Ian"},
         "entities": {"hashtags": [{"text": "etmchat"}], "user_mentions": [], "urls": []}},
        {"id_str": "2", "created_at": "2013-02-20 20:50:00 +0000", "text": "RT @Mod: Q5",
         "user": {"id_str": "9", "screen_name": "Ian"},
         "retweeted_status": {"id_str": "3", "user": {"id_str": "8", "screen_name": "Mod"}}},
    ]
    (tweets / "2013_02.js").write_text("Grailbird.data.tweets_2013_02 = \n " + json.dumps(month, indent=1))
    (tweets / "2013_03.js").write_text("Grailbird.data.tweets_2013_03 = \n [ {\"id_str\": \"4\", \"crea")
    assert claims(tmp_path) == ["legacy-archive"]
    assert claims(tweets / "2013_02.js") == ["legacy-js"]
    result = read_legacy_archive(tmp_path)
    assert result.messages.select("message_id", "kind", "repost_of_message_id").rows() == [
        ("1", "post", None), ("2", "repost", "3")]
    assert result.quarantined == 1 and balanced(result)
    assert parse_grailbird_js((tweets / "2013_02.js").read_text()).imported == 2


# --------------------------------------------------------------------------------------------------------------------
# Sniffers, inline


@pytest.mark.parametrize(
    "head",
    [
        '[{"id": "1", "created_at": "2024-01-01T00:00:00.000Z", "content": "<p>hi</p>", "account": {"acct": "a"}}]',
        '{"feed": [{"post": {"uri": "at://x", "cid": "c", "record": {"text": "hi", "createdAt": "2024"}}}]}',
        '{"guild": {"id": "1"}, "channel": {"id": "2"}, "messages": [{"id": "3", "content": "hi"}]}',
        '[{"type": "message", "user": "U1", "text": "hi <@U2>", "ts": "1589471143.000200"}]',
        '{"data": [{"id": "1", "username": "ann", "name": "Ann"}], "__twarc": {}}',
        "AuthorID;Author;Date;Content;Attachments;Reactions;\n",
        "id,text,author\n1,hi,ann\n",
    ],
)
def test_sniffers_do_not_claim_other_platforms(tmp_path, head):
    path = tmp_path / "file.json"
    path.write_text(head)
    assert claims(path) == []
