"""Issue 10: every record of an X/Twitter archive is accounted for (seen = imported + duplicates + quarantined).

Each test here failed before its fix: tweets vanished (legacy csv beside js months, community and note tweets),
were read wrongly (owner, date-only times, retweet text) or a file was not recognised (v1.1 search responses).
"""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import polars as pl
import pytest

from moderator_kit.io.detect import detect_format, read_archive
from moderator_kit.io.twitter import read_v1

V1 = "twarc1-v1.1-jsonl-dlfteach"


def balanced(result) -> bool:
    return result.records_seen == result.imported + result.duplicates + result.quarantined


def v1_status(tweet_id: str, text: str = "hello #chat", handle: str = "ann", **extra) -> dict:
    return {"id_str": tweet_id, "created_at": "Tue Apr 03 18:09:17 +0000 2018", "full_text": text,
            "user": {"id_str": "7", "screen_name": handle}, **extra}


# --------------------------------------------------------------------------------------- v1.1 search responses


@pytest.mark.real_data
@pytest.mark.parametrize("layout", ["pretty", "compact", "pages"])
def test_v1_search_responses_are_detected_and_read(real_data_dir, tmp_path, layout):
    statuses = [orjson.loads(line) for line in (real_data_dir / V1 / "tweets.jsonl").read_bytes().splitlines()]
    assert len(statuses) == 4
    path = tmp_path / "search.json"
    if layout == "pretty":
        path.write_text(json.dumps({"statuses": statuses, "search_metadata": {"count": 100}}, indent=2))
    elif layout == "compact":
        path.write_text(json.dumps({"statuses": statuses, "search_metadata": {"count": 100}}))
    else:  # one search response page per line
        path.write_text("\n".join(json.dumps({"statuses": part, "search_metadata": {}})
                                  for part in (statuses[:3], statuses[3:])) + "\n")
    spec = detect_format(path)
    assert spec is not None and spec.name == "v1"
    result = read_archive(path)[0]
    assert (result.records_seen, result.imported, result.quarantined) == (4, 4, 0) and balanced(result)
    assert set(result.messages["message_id"]) == {s["id_str"] for s in statuses}


def test_v1_search_response_quarantines_bad_statuses_by_index(tmp_path):
    path = tmp_path / "search.json"
    path.write_text(json.dumps({"statuses": [v1_status("1"), {"id_str": "2"}, 5], "search_metadata": {}}, indent=1))
    result = read_v1(path)
    assert (result.records_seen, result.imported, result.quarantined) == (3, 1, 2)
    assert result.quarantine.select("source_record", "reason").rows() == [
        (1, "missing required field 'created_at'"), (2, "status 2: not a status (a JSON int)")]


# ------------------------------------------------------------------------------------------------ legacy archive

LEGACY = "twitter-archive-legacy-iansheffield"
LEGACY_HEADER = ('"tweet_id","in_reply_to_status_id","in_reply_to_user_id","timestamp","source","text",'
                 '"retweeted_status_id","retweeted_status_user_id","retweeted_status_timestamp","expanded_urls"\n')
USER_DETAILS = ('var user_details =  {\n  "screen_name" : "IaninSheffield",\n  "full_name" : "Ian Guest",\n'
                '  "id" : "19185564"\n}')


def legacy_row(tweet_id: str, when: str, text: str) -> str:
    return f'"{tweet_id}","","","{when}","web","{text}","","","",""\n'


def grailbird(month: str, *statuses: dict) -> str:
    return f"Grailbird.data.tweets_{month} = \n" + json.dumps(list(statuses), indent=1)


def legacy_folder(root: Path, csv_text: str, *month_files: tuple[str, str], details: str | None = None) -> Path:
    (root / "data" / "js" / "tweets").mkdir(parents=True)
    (root / "tweets.csv").write_text(csv_text)
    for month, text in month_files:
        (root / "data" / "js" / "tweets" / f"{month}.js").write_text(text)
    if details is not None:
        (root / "data" / "js" / "user_details.js").write_text(details)
    return root


def test_legacy_folder_reads_the_union_of_month_files_and_tweets_csv(tmp_path):
    owner = {"id_str": "19185564", "screen_name": "IaninSheffield"}
    month = grailbird("2013_02", {"id_str": "2", "created_at": "2013-02-20 20:48:58 +0000", "text": "A1 yes #ukedchat",
                                  "user": owner, "entities": {"hashtags": [{"text": "ukedchat"}]}})
    csv_text = LEGACY_HEADER + legacy_row("2", "2013-02-20 20:48:58 +0000", "A1 yes #ukedchat") + \
        legacy_row("3", "2013-03-01 20:10:00 +0000", "A2 only in the csv #ukedchat")
    folder = legacy_folder(tmp_path / "archive", csv_text, ("2013_02", month), details=USER_DETAILS)
    spec = detect_format(folder)
    assert spec is not None and spec.name == "legacy-archive"
    result = read_archive(folder)[0]
    assert (result.records_seen, result.imported, result.duplicates, result.quarantined) == (3, 2, 1, 0)
    columns = ("message_id", "author_handle", "author_id", "source_format")
    assert result.messages.sort("message_id").select(columns).rows() == [
        ("2", "ianinsheffield", "19185564", "legacy-js"), ("3", "ianinsheffield", "19185564", "legacy-csv")]


@pytest.mark.real_data
def test_real_legacy_csv_beside_an_incomplete_month_file(real_data_dir, tmp_path):
    """The real tweets.csv with one month file holding just three of its tweets: nothing from the csv vanishes."""
    real_csv = real_data_dir / LEGACY / "tweets.csv"
    rows = pl.read_csv(real_csv, infer_schema=False).head(3)
    statuses = [{"id_str": r["tweet_id"], "created_at": r["timestamp"], "text": r["text"],
                 "user": {"id_str": "19185564", "screen_name": "IaninSheffield", "name": "Ian Guest"}}
                for r in rows.iter_rows(named=True)]
    folder = tmp_path / "archive"
    (folder / "data" / "js" / "tweets").mkdir(parents=True)
    (folder / "tweets.csv").symlink_to(real_csv)  # read in place, never copied
    (folder / "data" / "js" / "tweets" / "2017_11.js").write_text(grailbird("2017_11", *statuses))
    (folder / "data" / "js" / "user_details.js").write_text(USER_DETAILS)
    result = read_archive(folder)[0]
    assert (result.records_seen, result.imported, result.duplicates, result.quarantined) == (10329, 10326, 3, 0)
    assert set(result.messages["author_handle"]) == {"ianinsheffield"}
    assert set(result.messages["author_name"]) == {"Ian Guest"}


def test_lone_tweets_csv_takes_its_owner_from_the_command_line(tmp_path, capsys):
    from moderator_kit.cli import main
    from moderator_kit.workspace import Workspace

    path = tmp_path / "tweets.csv"
    path.write_text(LEGACY_HEADER + legacy_row("9", "2017-02-09 20:58:10 +0000", "A8 yes #UKEdChat"))
    assert main(["import", str(path), "--chat", "ukedchat", "--owner", "@IaninSheffield", "-w",
                 str(tmp_path / "ws")]) == 0
    messages = Workspace(tmp_path / "ws").messages("ukedchat").collect()
    assert messages["author_handle"].to_list() == ["ianinsheffield"]
    # --owner is for archives that do not name their authors; elsewhere it is a one-line user error.
    other = tmp_path / "v1.jsonl"
    other.write_text(json.dumps(v1_status("1")) + "\n")
    capsys.readouterr()
    assert main(["import", str(other), "--chat", "x", "--owner", "ian", "-w", str(tmp_path / "ws2")]) == 2
    assert "--owner names the owner of a legacy Twitter archive" in capsys.readouterr().err


def test_date_only_timestamps_are_marked_imprecise(tmp_path):
    csv_text = LEGACY_HEADER + legacy_row("1", "2008-11-05", "early days") + \
        legacy_row("2", "2008-11-06 +0000", "still early") + legacy_row("3", "2017-02-09 20:58:10 +0000", "A1 yes")
    month = grailbird("2008_11", {"id_str": "4", "created_at": "2008-11-07", "text": "from js",
                                  "user": {"id_str": "5", "screen_name": "ian"}})
    folder = legacy_folder(tmp_path / "archive", csv_text, ("2008_11", month))
    result = read_archive(folder, format_name="legacy-archive")[0]
    assert result.imported == 4 and balanced(result)
    rows = result.messages.sort("message_id").select("message_id", "created_at", "time_imprecise").rows()
    assert [(m, t.isoformat(), imprecise) for m, t, imprecise in rows] == [
        ("1", "2008-11-05T00:00:00+00:00", True), ("2", "2008-11-06T00:00:00+00:00", True),
        ("3", "2017-02-09T20:58:10+00:00", False), ("4", "2008-11-07T00:00:00+00:00", True)]


# ------------------------------------------------------------------------------------------------------ X archive

X_ARCHIVE = "twitter-archive-ytd-andreruffert"
LONG_POST = ("Q3 for #chat: what would you tell someone starting out as a moderator? Think of the first month, "
             "the tools, the people who help, and the mistakes that taught you the most. Take your time, answer "
             "with A3, and tag a friend like @Bo who should hear this. The long tail of this post is only in the "
             "note. #modchat")


def ytd(part: str, *items: dict) -> str:
    return f"window.YTD.{part}.part0 = " + json.dumps(list(items), indent=2)


def x_tweet(tweet_id: str, text: str, when: str = "Thu Nov 03 08:50:26 +0000 2022") -> dict:
    return {"tweet": {"id_str": tweet_id, "created_at": when, "full_text": text, "favorite_count": "1",
                      "retweet_count": "0", "entities": {"hashtags": [], "user_mentions": [], "urls": []}}}


def note(text: str, when: str = "2022-11-03T08:50:26.000Z") -> dict:
    return {"noteTweet": {"noteTweetId": "99", "createdAt": when, "core": {
        "text": text, "hashtags": [{"hashtag": "chat"}, {"hashtag": "modchat"}], "mentions": [{"screenName": "Bo"}],
        "urls": [], "cashtags": [], "styletags": []}}}


def test_x_archive_accounts_for_every_data_file(tmp_path):
    data = tmp_path / "archive" / "data"
    data.mkdir(parents=True)
    truncated = LONG_POST[:270] + "… https://t.co/AbC123"
    later = "Thu Nov 03 09:00:00 +0000 2022"
    (data / "tweets.js").write_text(ytd("tweets", x_tweet("1", truncated), x_tweet("2", "A2 hi", later)))
    (data / "community-tweet.js").write_text(ytd("community_tweet", x_tweet("3", "A1 in the community #chat")))
    stray = note("no tweet of mine", "2021-01-01T00:00:00.000Z")
    (data / "note-tweet.js").write_text(ytd("note_tweet", note(LONG_POST), stray))
    (data / "deleted-tweets.js").write_text(ytd("deleted_tweets", x_tweet("4", "oops")))
    (data / "like.js").write_text(ytd("like", {"like": {"tweetId": "5"}}))
    (data / "account.js").write_text(ytd("account", {"account": {"username": "Mod", "accountId": "7"}}))
    result = read_archive(tmp_path / "archive")[0]
    assert balanced(result)
    assert (result.records_seen, result.imported, result.duplicates, result.quarantined) == (7, 3, 1, 3)
    rows = {r["message_id"]: r for r in result.messages.iter_rows(named=True)}
    assert set(rows) == {"1", "2", "3"} and rows["3"]["author_handle"] == "mod"
    assert rows["1"]["text"] == LONG_POST and rows["1"]["hashtags"] == ["chat", "modchat"]
    assert rows["1"]["mentions"] == ["bo"]
    reasons = {Path(f).name: r for f, r in result.quarantine.select("source_file", "reason").iter_rows()}
    assert reasons == {"note-tweet.js": "note tweet: no tweet in the archive has its time and opening words",
                       "deleted-tweets.js": "deleted by the owner (deleted-tweets.js): not imported",
                       "like.js": "skipped: not a tweet file"}
    assert result.quarantine.filter(pl.col("source_file").str.ends_with("deleted-tweets.js"))["raw"].to_list() == [None]


def test_x_archive_side_files_without_an_array_are_reported_not_fatal(tmp_path):
    data = tmp_path / "archive" / "data"
    data.mkdir(parents=True)
    (data / "tweets.js").write_text(ytd("tweets", x_tweet("1", "A1 hi")))
    (data / "note-tweet.js").write_text("window.YTD.note_tweet.part0 = oops")
    (data / "deleted-tweets.js").write_text("")
    result = read_archive(tmp_path / "archive")[0]
    assert (result.imported, result.quarantined) == (1, 2) and balanced(result)
    assert set(result.quarantine["reason"].str.slice(0, 11)) == {"unreadable:"}


@pytest.mark.real_data
def test_real_x_archive_with_a_community_tweet_file(real_data_dir, tmp_path):
    data = tmp_path / "archive" / "data"
    data.mkdir(parents=True)
    for name in ("tweets.js", "manifest.js"):
        (data / name).symlink_to(real_data_dir / X_ARCHIVE / "data" / name)  # read in place, never copied
    (data / "community-tweet.js").write_text(ytd("community_tweet", x_tweet("42", "A1 from a community #chat")))
    result = read_archive(tmp_path / "archive")[0]
    assert (result.records_seen, result.imported, result.duplicates, result.quarantined) == (1987, 1987, 0, 0)
    assert set(result.messages["author_handle"]) == {"andreruffert"}


# ------------------------------------------------------------------------------------------------ retweet text


@pytest.mark.real_data
def test_v1_retweets_get_the_full_text_of_their_original(real_data_dir):
    lines = [orjson.loads(line) for line in (real_data_dir / V1 / "tweets.jsonl").read_bytes().splitlines()]
    originals = {s["id_str"]: s["retweeted_status"] for s in lines if "retweeted_status" in s}
    assert len(originals) == 2 and all(s["full_text"].endswith("…") for s in lines if "retweeted_status" in s)
    reposts = read_v1(real_data_dir / V1 / "tweets.jsonl").messages.filter(pl.col("kind") == "repost")
    for row in reposts.iter_rows(named=True):
        original = originals[row["message_id"]]
        assert row["text"] == "RT @letsshall: " + original["full_text"]
        assert "clirdlf" in row["mentions"] and row["mentions"][0] == "letsshall"  # @CLIRDLF was cut off
        assert row["hashtags"] == ["dlfteach"]


@pytest.mark.real_data
def test_twarc2_retweets_get_the_full_text_of_their_original(real_data_dir):
    path = real_data_dir / "twarc2-jsonl-docnow" / "media_policy_violation_off.jsonl"
    from moderator_kit.io.twitter import read_twarc2

    pages = [orjson.loads(line) for line in path.read_bytes().splitlines()]
    included = {t["id"]: t for p in pages for t in p.get("includes", {}).get("tweets", [])}
    retweets = {t["id"]: included[r["id"]] for p in pages for t in p.get("data", [])
                for r in t.get("referenced_tweets", []) if r["type"] == "retweeted" and r["id"] in included}
    assert len(retweets) > 10
    reposts = read_twarc2(path).messages.filter(pl.col("message_id").is_in(list(retweets)))
    assert reposts.height == len(retweets)
    for row in reposts.iter_rows(named=True):
        original = retweets[row["message_id"]]
        full = original.get("note_tweet", {}).get("text") or original["text"]
        assert row["text"].endswith(full.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))
        assert row["text"].startswith("RT @") and "…" not in row["text"][-3:]
        assert row["repost_of_author_handle"] is not None


def test_a_retweeted_question_keeps_its_hashtags():
    from moderator_kit.io.twitter import parse_twarc2

    question = {"id": "1", "author_id": "8", "created_at": "2024-01-01T21:00:00.000Z",
                "text": "Q1: what is the one thing you would change about how your team runs meetings? #jobchat",
                "entities": {"hashtags": [{"tag": "jobchat"}]}}
    retweet = {"id": "2", "author_id": "9", "created_at": "2024-01-01T21:01:00.000Z",
               "text": "RT @mod: Q1: what is the one thing you would change about how your team runs meetings…",
               "referenced_tweets": [{"type": "retweeted", "id": "1"}],
               "entities": {"mentions": [{"username": "mod"}]}}
    page = {"data": [retweet], "includes": {"users": [{"id": "8", "username": "mod"}, {"id": "9", "username": "bo"}],
                                           "tweets": [question]}}
    row = parse_twarc2([orjson.dumps(page)]).messages.row(0, named=True)
    assert row["text"] == "RT @mod: " + question["text"]
    assert (row["hashtags"], row["mentions"]) == (["jobchat"], ["mod"])
