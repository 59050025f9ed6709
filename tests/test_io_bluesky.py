"""Bluesky XRPC importer: feeds, reposts, replies, quotes, facets, threads, bad input and the real bskyr fixtures."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from moderator_kit.errors import ArchiveError
from moderator_kit.io.bluesky import (
    FORMATS,
    bluesky_records,
    parse_bluesky,
    parse_bluesky_records,
    read_bluesky,
    sniff_bluesky,
)

BLUESKY = "bluesky-api-bskyr"
REPOST = "app.bsky.feed.defs#reasonRepost"


def profile(name: str) -> dict:
    return {"did": f"did:plc:{name}", "handle": f"{name}.bsky.social", "displayName": name.title()}


def uri(name: str, rkey: str) -> str:
    return f"at://did:plc:{name}/app.bsky.feed.post/{rkey}"


def post(name: str, rkey: str, text: str = "hello", **record) -> dict:
    """A PostView as the AppView returns it."""
    return {
        "uri": uri(name, rkey),
        "cid": f"cid-{rkey}",
        "author": profile(name),
        "record": {"$type": "app.bsky.feed.post", "text": text, "createdAt": "2024-01-01T21:00:00.000Z",
                   "langs": ["en"], **record},
        "replyCount": 1,
        "repostCount": 2,
        "likeCount": 3,
        "quoteCount": 4,
        "indexedAt": "2024-01-01T21:00:01.000Z",
    }


def facet(start: int, end: int, **feature) -> dict:
    return {"index": {"byteStart": start, "byteEnd": end}, "features": [feature]}


def reply_ref(parent: str, root: str) -> dict:
    return {"parent": {"uri": parent, "cid": "p"}, "root": {"uri": root, "cid": "r"}}


# --------------------------------------------------------------------------------------------------- field mapping


def test_post_fields_map_to_the_canonical_columns():
    row = parse_bluesky({"posts": [post("ann", "1", "Q1 go")]}, "search.json").messages.row(0, named=True)
    assert row["platform"] == "bluesky"
    assert row["message_id"] == uri("ann", "1") == row["conversation_id"]
    assert (row["author_id"], row["author_handle"], row["author_name"]) == ("did:plc:ann", "ann.bsky.social", "Ann")
    assert row["author_followers"] is None
    assert row["created_at"].isoformat() == "2024-01-01T21:00:00+00:00"
    assert (row["like_count"], row["repost_count"], row["reply_count"]) == (3, 2, 1)
    assert (row["kind"], row["lang"], row["text"]) == ("post", "en", "Q1 go")
    assert (row["source_file"], row["source_record"], row["source_format"]) == ("search.json", 0, "bluesky-xrpc")


def test_facets_become_mentions_links_and_tags():
    text = "hi @bo.bsky.social and @zed.example see x.io #Chat"
    facets = [
        facet(3, 18, **{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:bo"}),
        facet(23, 35, **{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:zed"}),
        facet(40, 44, **{"$type": "app.bsky.richtext.facet#link", "uri": "https://x.io/full"}),
        facet(45, 50, **{"$type": "app.bsky.richtext.facet#tag", "tag": "Chat"}),
    ]
    bo_post = post("bo", "9")  # bo appears in the file, so his DID resolves to his current handle
    bo_post["author"]["handle"] = "bo.new.handle"
    result = parse_bluesky({"posts": [post("ann", "1", text, facets=facets), bo_post]})
    row = result.messages.row(0, named=True)
    assert row["mentions"] == ["bo.new.handle", "zed.example"]
    assert row["urls"] == ["https://x.io/full"]
    assert row["hashtags"] == ["chat"]


def test_mention_of_an_unknown_did_without_a_readable_handle_keeps_the_did():
    facets = [facet(0, 2, **{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:who"})]
    row = parse_bluesky({"posts": [post("ann", "1", "hi there", facets=facets)]}).messages.row(0, named=True)
    assert row["mentions"] == ["did:plc:who"]


def test_hashtags_typed_without_tag_facets_still_count():
    row = parse_bluesky({"posts": [post("ann", "1", "A1 yes #RStats #rgov")]}).messages.row(0, named=True)
    assert row["hashtags"] == ["rstats", "rgov"]


def test_link_card_embed_is_a_url():
    embed = {"$type": "app.bsky.embed.external", "external": {"uri": "https://card.example/a", "title": "t"}}
    row = parse_bluesky({"posts": [post("ann", "1", embed=embed)]}).messages.row(0, named=True)
    assert row["urls"] == ["https://card.example/a"]


def test_reply_takes_the_parent_author_from_the_feed_item():
    parent = post("bo", "1")
    child = post("ann", "2", reply=reply_ref(uri("bo", "1"), uri("cy", "0")))
    row = parse_bluesky({"feed": [{"post": child, "reply": {"parent": parent, "root": post("cy", "0")}}]})
    row = row.messages.row(0, named=True)
    assert row["kind"] == "reply"
    assert row["reply_to_message_id"] == uri("bo", "1")
    assert row["reply_to_author_id"] == "did:plc:bo"
    assert row["reply_to_author_handle"] == "bo.bsky.social"
    assert row["conversation_id"] == uri("cy", "0")


def test_reply_without_context_resolves_the_parent_did_in_the_file_or_keeps_it():
    known = post("ann", "2", reply=reply_ref(uri("bo", "1"), uri("bo", "1")))
    unknown = post("ann", "3", reply=reply_ref(uri("zz", "1"), uri("zz", "1")))
    result = parse_bluesky({"posts": [known, unknown, post("bo", "5")]})
    assert result.messages["reply_to_author_handle"].to_list()[:2] == ["bo.bsky.social", "did:plc:zz"]


def test_repost_item_gives_a_repost_row_and_the_original_post():
    original = post("ann", "1", "Q1 #chat")
    item = {"post": original, "reason": {"$type": REPOST, "by": profile("bo"), "indexedAt": "2024-01-01T21:05:00Z"}}
    result = parse_bluesky({"feed": [item]})
    repost, kept = result.messages.to_dicts()
    assert repost["message_id"] == f"repost:did:plc:bo:{uri('ann', '1')}"
    assert repost["kind"] == "repost"
    assert repost["author_handle"] == "bo.bsky.social"
    assert repost["created_at"].isoformat() == "2024-01-01T21:05:00+00:00"
    assert (repost["repost_of_message_id"], repost["repost_of_author_handle"]) == (uri("ann", "1"), "ann.bsky.social")
    assert repost["like_count"] is None and repost["hashtags"] == ["chat"]
    assert kept["message_id"] == uri("ann", "1") and kept["kind"] == "post"
    assert (result.records_seen, result.imported) == (2, 2)


def test_a_pinned_reason_is_not_a_repost():
    item = {"post": post("ann", "1"), "reason": {"$type": "app.bsky.feed.defs#reasonPin"}}
    assert parse_bluesky({"feed": [item]}).messages["kind"].to_list() == ["post"]


@pytest.mark.parametrize(
    ("embed", "view"),
    [
        ({"$type": "app.bsky.embed.record", "record": {"uri": uri("cy", "7"), "cid": "c"}},
         {"$type": "app.bsky.embed.record#view",
          "record": {"$type": "app.bsky.embed.record#viewRecord", "uri": uri("cy", "7"), "author": profile("cy")}}),
        ({"$type": "app.bsky.embed.recordWithMedia", "record": {"record": {"uri": uri("cy", "7"), "cid": "c"}},
          "media": {"$type": "app.bsky.embed.external", "external": {"uri": "https://m.example/"}}},
         {"$type": "app.bsky.embed.recordWithMedia#view",
          "record": {"record": {"uri": uri("cy", "7"), "author": profile("cy")}}}),
    ],
)
def test_record_embeds_are_quotes(embed, view):
    quoting = post("ann", "1", embed=embed)
    quoting["embed"] = view
    row = parse_bluesky({"posts": [quoting]}).messages.row(0, named=True)
    assert row["kind"] == "quote"
    assert row["quote_of_message_id"] == uri("cy", "7")
    assert row["quote_of_author_id"] == "did:plc:cy"
    assert row["quote_of_author_handle"] == "cy.bsky.social"


def test_embedding_a_non_post_record_is_not_a_quote():
    embed = {"$type": "app.bsky.embed.record", "record": {"uri": "at://did:plc:x/app.bsky.graph.starterpack/1"}}
    assert parse_bluesky({"posts": [post("ann", "1", embed=embed)]}).messages["kind"].to_list() == ["post"]


def test_thread_is_walked_and_every_post_imported_once():
    root, mid, focus = post("cy", "0"), post("bo", "1"), post("ann", "2")
    r1, r2 = post("dee", "3"), post("ed", "4")
    r11 = post("fi", "5", reply=reply_ref(uri("dee", "3"), uri("cy", "0")))
    thread = {
        "$type": "app.bsky.feed.defs#threadViewPost",
        "post": focus,
        "parent": {"post": mid, "parent": {"post": root}},
        "replies": [
            {"post": r1, "replies": [{"post": r11}, {"post": focus}]},
            {"post": r2},
            {"$type": "app.bsky.feed.defs#notFoundPost", "uri": uri("gone", "6"), "notFound": True},
        ],
    }
    result = parse_bluesky({"thread": thread})
    assert result.messages["message_id"].to_list() == [uri(n, k) for n, k in
                                                        (("cy", "0"), ("bo", "1"), ("ann", "2"), ("dee", "3"),
                                                         ("fi", "5"), ("ed", "4"))]
    assert result.duplicates == 0
    assert result.quarantine["reason"].to_list() == [f"thread post not found (deleted): {uri('gone', '6')}"]
    handles = dict(zip(result.messages["author_handle"], result.messages["reply_to_author_handle"]))
    assert handles["fi.bsky.social"] == "dee.bsky.social"


def test_thread_parent_author_fills_the_reply_handle():
    focus = post("ann", "2", reply=reply_ref(uri("zz", "1"), uri("zz", "1")))
    thread = {"post": focus, "parent": {"post": post("zz", "1")}}
    result = parse_bluesky({"thread": thread})
    assert result.messages["reply_to_author_handle"].to_list() == [None, "zz.bsky.social"]


def test_bluesky_records_positions_and_shapes():
    assert [p for p, _, _ in bluesky_records({"feed": [{}, {}, {}]})] == [0, 1, 2]
    assert bluesky_records([post("a", "1")])[0][0] == 0
    assert bluesky_records(post("a", "1"))[0][1]["uri"] == uri("a", "1")
    assert bluesky_records({"cursor": "x"})[0][2].startswith("not a Bluesky response")
    assert bluesky_records(5)[0][2].startswith("expected a Bluesky response object")


# --------------------------------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ({"post": {**post("ann", "9"), "uri": "https://not-at"}}, "post has no at:// uri"),
        ({"post": {**post("ann", "9"), "author": {}, "uri": "at://weird/x"}}, "post has no author did or handle"),
        ({"post": {**post("ann", "9", createdAt="??"), "indexedAt": None}}, "unparseable or missing createdAt"),
        ({"post": None}, "feed item has no post object"),
        ({"post": post("ann", "9"), "reason": {"$type": REPOST, "by": {}}}, "repost reason has no by.did"),
        ([1, 2], "expected a feed item or post object"),
    ],
)
def test_bad_items_are_quarantined_and_the_rest_imported(bad, reason):
    result = parse_bluesky({"feed": [{"post": post("ann", "1")}, bad]}, "feed.json")
    assert result.imported == 1
    assert result.quarantine.select("source_record", "source_file").row(0) == (1, "feed.json")
    assert result.quarantine["reason"][0].startswith(reason)
    assert result.records_seen == result.imported + result.duplicates + result.quarantined


def test_created_at_falls_back_to_indexed_at():
    row = parse_bluesky({"posts": [post("ann", "1", createdAt="garbage")]}).messages.row(0, named=True)
    assert row["created_at"].isoformat() == "2024-01-01T21:00:01+00:00"


def test_api_error_response_is_one_quarantined_record():
    result = parse_bluesky({"error": "InvalidRequest", "message": "bad cursor"})
    assert (result.imported, result.quarantine["reason"][0]) == (0, "API error response: InvalidRequest: bad cursor")


def test_records_with_errors_are_quarantined():
    result = parse_bluesky_records([(0, None, "invalid JSON: x"), (1, post("ann", "1"), None)])
    assert result.quarantine.select("source_record", "reason").rows() == [(0, "invalid JSON: x")]


def test_read_truncated_feed_keeps_complete_items(tmp_path: Path):
    text = json.dumps({"feed": [{"post": post("ann", str(i))} for i in range(3)], "cursor": "c"})
    path = tmp_path / "feed.json"
    path.write_text(text[: text.rindex('"uri"')])
    result = read_bluesky(path)
    assert result.imported == 2
    assert result.quarantine["reason"][0].startswith("truncated JSON: item 2")


def test_read_jsonl_of_pages_and_posts(tmp_path: Path):
    path = tmp_path / "pages.jsonl"
    lines = [json.dumps({"feed": [{"post": post("ann", "1")}, {"post": post("bo", "2")}]}),
             json.dumps(post("cy", "3")), "{oops", json.dumps({"post": post("dee", "4")})]
    path.write_text("\n".join(lines) + "\n")
    result = read_bluesky(path)
    assert result.messages["source_record"].to_list() == [1, 1, 2, 4]
    assert result.quarantine["source_record"].to_list() == [3]


@pytest.mark.parametrize("content", ["", "nope", "\x00\x01"])
def test_read_unreadable_files_raise_archive_error(tmp_path: Path, content):
    path = tmp_path / "x.json"
    path.write_text(content)
    with pytest.raises(ArchiveError) as err:
        read_bluesky(path)
    assert str(path) in str(err.value)


def test_read_truncated_thread_is_one_quarantined_record(tmp_path: Path):
    path = tmp_path / "thread.json"
    path.write_text(json.dumps({"thread": {"post": post("ann", "1")}})[:80])
    result = read_bluesky(path)
    assert (result.imported, result.quarantined) == (0, 1)


# ---------------------------------------------------------------------------------------------------------- sniffing


@pytest.mark.parametrize(
    ("head", "claimed"),
    [
        (json.dumps({"feed": [{"post": post("a", "1")}]}), True),
        (json.dumps({"posts": [post("a", "1")]}), True),
        (json.dumps({"thread": {"post": post("a", "1")}}), True),
        (json.dumps(post("a", "1")) + "\n", True),
        ('{"guild": {}, "channel": {}, "messages": [{"content": "\\"at://did:plc:x app.bsky.feed.post"}]}', False),
        ('[{"id": "1", "acct": "a", "content": "<a href=\\"at://did:plc:x\\">app.bsky.feed.post</a>"}]', False),
        ('{"data": [{"id": "1"}], "includes": {}}', False),
        ("uri,text\nat://did:plc:x/app.bsky.feed.post/1,hi", False),
    ],
)
def test_sniff_bluesky(head, claimed):
    assert sniff_bluesky(Path("x.json"), head) is claimed


def test_formats_entry():
    (spec,) = FORMATS
    assert spec.name == "bluesky" and spec.read is read_bluesky and spec.sniff is sniff_bluesky


# ------------------------------------------------------------------------------------------------------- real files


@pytest.mark.real_data
def test_real_author_feed(real_data_dir: Path):
    path = real_data_dir / BLUESKY / "getAuthorFeed_chriskenny.bsky.social.json"
    result = read_bluesky(path)
    messages = result.messages
    feed = json.loads(path.read_text())["feed"]
    deleted_parents = sum(1 for item in feed if item.get("reply", {}).get("parent", {}).get("notFound"))
    assert result.quarantined == 0
    reposts = messages.filter(pl.col("kind") == "repost")
    assert reposts.height == 7
    assert reposts["message_id"].str.starts_with("repost:did:plc:").all()
    assert reposts["repost_of_message_id"].is_in(messages["message_id"].implode()).all()  # originals imported
    assert (reposts["author_handle"] == "chriskenny.bsky.social").all()
    assert messages.height == 50 + 7
    replies = messages.filter(pl.col("reply_to_message_id").is_not_null())
    assert replies.height == 24
    # the handle comes from reply.parent; only parents that were deleted (notFoundPost) leave the DID
    assert deleted_parents == 3
    assert replies["reply_to_author_handle"].str.starts_with("did:").sum() == deleted_parents
    assert (replies["conversation_id"] != replies["message_id"]).all()
    assert messages.filter(pl.col("kind") == "quote")["quote_of_author_handle"].null_count() == 0
    assert messages["author_followers"].null_count() == messages.height


@pytest.mark.real_data
def test_real_facets(real_data_dir: Path):
    path = real_data_dir / BLUESKY / "getAuthorFeed_chriskenny.bsky.social.json"
    document = json.loads(path.read_text())
    features = [f for item in document["feed"] for fc in item["post"]["record"].get("facets", [])
                for f in fc["features"]]
    messages = read_bluesky(path).messages.filter(pl.col("kind") != "repost")
    mentions = messages["mentions"].explode().drop_nulls()
    urls = messages["urls"].explode().drop_nulls()
    tags = messages["hashtags"].explode().drop_nulls()
    for feature in features:
        kind = feature["$type"].rsplit("#", 1)[1]
        if kind == "link":
            assert feature["uri"] in urls.to_list()
        elif kind == "tag":
            assert feature["tag"].lower() in tags.to_list()
    assert mentions.len() == sum(1 for f in features if f["$type"].endswith("#mention"))
    assert not mentions.str.starts_with("@").any()
    assert "typst.app" in mentions.to_list()  # resolved from the text the facet covers


@pytest.mark.real_data
def test_real_search_posts(real_data_dir: Path):
    result = read_bluesky(real_data_dir / BLUESKY / "searchPosts_q-redistricting.json")
    assert result.imported == 25
    assert result.messages["reply_to_message_id"].is_not_null().sum() == 12
    assert result.messages["reply_to_author_id"].str.starts_with("did:").sum() == 12


@pytest.mark.real_data
def test_real_thread_and_quotes(real_data_dir: Path):
    thread = read_bluesky(real_data_dir / BLUESKY / "getPostThread_3k7qmjev5lr2s.json").messages
    assert thread["message_id"].to_list() == ["at://did:plc:ic6zqvuw5ulmfpjiwnhsr2ns/app.bsky.feed.post/3k7qmjev5lr2s"]
    assert {"rstats", "rgov"} <= set(thread["hashtags"][0])  # typed, not faceted, in 2023
    quotes_path = real_data_dir / BLUESKY / "getQuotes_3lc5c5qv72r2w.json"
    quoted = json.loads(quotes_path.read_text())["uri"]
    quotes = read_bluesky(quotes_path).messages
    assert (quotes["kind"] == "quote").all() and (quotes["quote_of_message_id"] == quoted).all()


@pytest.mark.real_data
def test_real_files_account_for_every_record(real_data_dir: Path):
    paths = sorted((real_data_dir / BLUESKY).glob("*.json"))
    assert len(paths) == 8
    for path in paths:
        document = json.loads(path.read_text())
        records = bluesky_records(document)
        reposts = sum(1 for _, item, _ in records
                      if isinstance(item, dict) and (item.get("reason") or {}).get("$type") == REPOST)
        result = read_bluesky(path)
        assert result.records_seen == result.imported + result.duplicates + result.quarantined, path.name
        assert result.records_seen == len(records) + reposts, path.name
        assert sniff_bluesky(path, path.read_text()[:65536]), path.name
        assert result.messages["message_id"].str.contains(r"^(at://|repost:did:)").all(), path.name


@pytest.mark.real_data
def test_other_real_json_is_not_claimed(real_data_dir: Path):
    for folder in ("discord-dce-json-cre8r", "twarc2-jsonl-docnow", "twarc1-v1.1-jsonl-dlfteach", "mastodon-api-rtoot"):
        for path in sorted((real_data_dir / folder).glob("*.json*")):
            head = path.read_bytes()[:65536].decode("utf-8", "replace")
            assert not sniff_bluesky(path, head), path
