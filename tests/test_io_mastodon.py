"""Mastodon REST v1 importer: HTML to text, statuses, context, boosts, quotes, bad input and the real rtoot fixtures."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest

from moderator_kit.errors import ArchiveError
from moderator_kit.io.mastodon import (
    FORMATS,
    html_to_text,
    mastodon_records,
    parse_mastodon,
    parse_mastodon_records,
    read_mastodon,
    sniff_mastodon,
)

MASTODON = "mastodon-api-rtoot"


def status(sid: str, acct: str = "ann", *, content: str = "<p>hi</p>", host: str = "a.example", **extra) -> dict:
    """A minimal status as the API gives it (local account on ``host`` unless ``acct`` has an instance)."""
    user = acct.split("@")[0]
    home = acct.split("@")[1] if "@" in acct else host
    value = {
        "id": sid,
        "created_at": f"2024-01-01T21:{int(sid) % 60:02d}:00.000Z",
        "in_reply_to_id": None,
        "in_reply_to_account_id": None,
        "uri": f"https://{home}/users/{user}/statuses/{sid}",
        "url": f"https://{home}/@{user}/{sid}",
        "content": content,
        "reblog": None,
        "account": {"id": f"acc-{user}", "username": user, "acct": acct, "display_name": user.title(),
                    "url": f"https://{home}/@{user}", "uri": f"https://{home}/users/{user}",
                    "followers_count": 42},
        "mentions": [],
        "tags": [],
        "replies_count": 1,
        "reblogs_count": 2,
        "favourites_count": 3,
        "language": "en",
        "application": {"name": "Tusky"},
    }
    value.update(extra)
    return value


def rows(result) -> list[dict]:
    return result.messages.to_dicts()


# ------------------------------------------------------------------------------------------------------ HTML to text


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>one</p><p>two</p>", "one\n\ntwo"),
        ("<p>line<br>break<br/>again</p>", "line\nbreak\nagain"),
        ("<p>Q&amp;A &lt;tag&gt; it&#39;s &quot;x&quot;</p>", "Q&A <tag> it's \"x\""),
        ('<p><a href="https://m.example/tags/Chat" class="mention hashtag" rel="tag">#<span>Chat</span></a></p>',
         "#Chat"),
        ('<p><span class="h-card"><a href="https://m.example/@bo" class="u-url mention">@<span>bo</span></a>'
         "</span> hi</p>", "@bo hi"),
        ('<p><a href="https://x.io/long/path"><span class="invisible">https://</span><span class="ellipsis">'
         'x.io/lo</span><span class="invisible">ng/path</span></a></p>', "https://x.io/long/path"),
        ("<p>safe<script>alert(1)</script></p>", "safe"),
        ("plain text, no tags", "plain text, no tags"),
        ("", ""),
    ],
)
def test_html_to_text(html, expected):
    assert html_to_text(html) == expected


def test_html_links_exclude_mentions_and_hashtags_and_include_card():
    content = (
        '<p><a href="https://m.example/@bo" class="u-url mention">@<span>bo</span></a> see '
        '<a href="https://docs.example/a" rel="nofollow">docs</a> '
        '<a href="https://m.example/tags/chat" class="mention hashtag" rel="tag">#chat</a></p>'
    )
    result = parse_mastodon([status("1", content=content, card={"url": "https://card.example/"})])
    assert rows(result)[0]["urls"] == ["https://docs.example/a", "https://card.example/"]


def test_content_warning_goes_before_the_text():
    result = parse_mastodon([status("1", content="<p>A1: spoilers</p>", spoiler_text="CW: plot")])
    assert rows(result)[0]["text"] == "CW: plot\n\nA1: spoilers"


# --------------------------------------------------------------------------------------------------- field mapping


def test_status_fields_map_to_the_canonical_columns():
    one = status("7", content="<p>Q1 <a href='https://a.example/tags/chat' class='mention hashtag'>#chat</a></p>",
                 tags=[{"name": "Chat"}],
                 mentions=[{"id": "acc-bo", "acct": "bo@b.example", "url": "https://b.example/@bo"}],
                 edited_at="2024-01-02T00:00:00Z")
    row = rows(parse_mastodon(one, "status.json"))[0]
    assert row["platform"] == "mastodon"
    assert row["message_id"] == "https://a.example/users/ann/statuses/7"
    assert row["author_id"] == "acc-ann"
    assert row["author_handle"] == "ann@a.example"
    assert row["author_name"] == "Ann"
    assert row["author_followers"] == 42
    assert row["created_at"].isoformat() == "2024-01-01T21:07:00+00:00"
    assert (row["like_count"], row["repost_count"], row["reply_count"]) == (3, 2, 1)
    assert (row["source_app"], row["lang"], row["kind"]) == ("Tusky", "en", "post")
    assert row["hashtags"] == ["chat"]
    assert row["mentions"] == ["bo@b.example"]
    assert (row["source_file"], row["source_record"], row["source_format"]) == ("status.json", 0, "mastodon-api")
    assert row["chat"] is None


@pytest.mark.parametrize(
    ("instance", "expected"),
    [(None, "ann@a.example"), ("other.example", "ann@other.example"), ("https://Other.Example/", "ann@other.example"),
     ("http://other.example:8080/x", "ann@other.example")],
)
def test_local_handles_get_the_instance_of_the_file(instance, expected):
    result = parse_mastodon([status("1")], instance=instance)
    assert rows(result)[0]["author_handle"] == expected


def test_remote_handles_are_lower_cased_full_accts():
    result = parse_mastodon([status("1", acct="Bo@B.Example")])
    assert rows(result)[0]["author_handle"] == "bo@b.example"


def test_reply_to_a_status_in_the_same_file_uses_its_uri():
    root = status("1")
    reply = status("2", acct="bo@b.example", in_reply_to_id="1", in_reply_to_account_id="acc-ann")
    result = parse_mastodon({"ancestors": [root], "descendants": [reply]})
    by_id = {r["message_id"]: r for r in rows(result)}
    child = by_id["https://b.example/users/bo/statuses/2"]
    assert child["kind"] == "reply"
    assert child["reply_to_message_id"] == root["uri"]
    assert child["reply_to_author_id"] == "acc-ann"
    assert child["reply_to_author_handle"] == "ann@a.example"
    assert child["conversation_id"] == root["uri"] == by_id[root["uri"]]["conversation_id"]


def test_reply_to_an_absent_local_status_builds_its_uri_and_finds_the_author_in_mentions():
    mention = {"id": "acc-cy", "username": "cy", "acct": "cy", "url": "https://a.example/@cy"}
    reply = status("5", in_reply_to_id="99", in_reply_to_account_id="acc-cy", mentions=[mention])
    row = rows(parse_mastodon([reply]))[0]
    assert row["reply_to_message_id"] == "https://a.example/users/cy/statuses/99"
    assert row["reply_to_author_handle"] == "cy@a.example"
    assert row["conversation_id"] == row["reply_to_message_id"]


def test_reply_to_an_absent_remote_status_gets_a_locator_on_the_instance():
    mention = {"id": "acc-dee", "username": "dee", "acct": "dee@d.example", "url": "https://d.example/@dee"}
    reply = status("5", in_reply_to_id="77", in_reply_to_account_id="acc-dee", mentions=[mention])
    row = rows(parse_mastodon([reply]))[0]
    assert row["reply_to_message_id"] == "https://a.example/api/v1/statuses/77"
    assert row["reply_to_author_handle"] == "dee@d.example"


def test_conversation_follows_the_reply_chain_inside_the_file():
    chain = [
        status("1"),
        status("2", acct="bo@b.example", in_reply_to_id="1", in_reply_to_account_id="acc-ann"),
        status("3", in_reply_to_id="2", in_reply_to_account_id="acc-bo"),
    ]
    result = parse_mastodon(list(reversed(chain)))
    assert result.messages["conversation_id"].unique().to_list() == [chain[0]["uri"]]


def test_boost_gives_a_repost_row_and_imports_the_boosted_status():
    inner = status("1", content="<p>Q1: why?</p>", tags=[{"name": "chat"}])
    boost = status("9", acct="bo@b.example", content="", reblog=inner, application=None)
    boost["uri"] += "/activity"
    result = parse_mastodon([boost])
    repost, original = rows(result)
    assert repost["kind"] == "repost"
    assert repost["author_handle"] == "bo@b.example"
    assert repost["repost_of_message_id"] == inner["uri"]
    assert repost["repost_of_author_id"] == "acc-ann"
    assert repost["repost_of_author_handle"] == "ann@a.example"
    assert repost["text"] == "Q1: why?" and repost["hashtags"] == ["chat"]
    assert original["message_id"] == inner["uri"] and original["kind"] == "post"
    assert (result.records_seen, result.imported, result.duplicates) == (2, 2, 0)


def test_a_boosted_status_also_present_on_its_own_is_kept_once():
    inner = status("1")
    boost = status("9", acct="bo@b.example", reblog=inner)
    result = parse_mastodon([boost, inner])
    assert result.imported == 2 and result.duplicates == 1
    assert result.messages.filter(pl.col("message_id") == inner["uri"])["source_record"].to_list() == [1]


@pytest.mark.parametrize(
    "quote",
    [
        {"state": "accepted", "quoted_status": status("3", acct="cy@c.example")},  # Mastodon 4.4+
        status("3", acct="cy@c.example"),  # a bare status (Fedibird-style)
    ],
)
def test_quote_posts_are_kind_quote(quote):
    row = rows(parse_mastodon([status("4", quote=quote)]))[0]
    assert row["kind"] == "quote"
    assert row["quote_of_message_id"] == "https://c.example/users/cy/statuses/3"
    assert row["quote_of_author_handle"] == "cy@c.example"


def test_shallow_quote_resolves_the_quoted_id_in_the_file():
    quoted = status("3")
    row = rows(parse_mastodon([quoted, status("4", quote={"state": "accepted", "quoted_status_id": "3"})]))[1]
    assert (row["kind"], row["quote_of_message_id"]) == ("quote", quoted["uri"])


def test_context_positions_run_through_ancestors_then_descendants():
    records = mastodon_records({"ancestors": [status("1")], "descendants": [status("2"), status("3")]})
    assert [position for position, _, _ in records] == [0, 1, 2]


# --------------------------------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (status("1", created_at="not a time"), "unparseable or missing created_at"),
        (status("1", created_at=None), "unparseable or missing created_at"),
        ({**status("1"), "account": "ann"}, "status has no account acct"),
        ({**status("1"), "uri": None, "url": None}, "status has no uri or url"),
        ({"id": "1"}, "not a Mastodon status"),
        ({"error": "Record not found"}, "API error response"),
        ("a string", "expected a status object"),
        (status("1", reblog={**status("2"), "created_at": "?"}), "boosted status: unparseable"),
    ],
)
def test_bad_statuses_are_quarantined_and_the_rest_imported(bad, reason):
    result = parse_mastodon([status("5"), bad], "page.json")
    assert result.imported == 1
    assert result.quarantine.select("source_record", "source_file").row(0) == (1, "page.json")
    assert result.quarantine["reason"][0].startswith(reason)
    assert result.records_seen == result.imported + result.duplicates + result.quarantined


def test_parse_mastodon_rejects_a_document_that_is_not_json_objects():
    with pytest.raises(ArchiveError, match="found int"):
        parse_mastodon(3, "x.json")


def test_records_with_errors_are_quarantined_with_their_reason():
    result = parse_mastodon_records([(3, None, "invalid JSON: oops"), (4, status("1"), None)], "s.jsonl")
    assert result.quarantine.select("source_record", "reason").rows() == [(3, "invalid JSON: oops")]
    assert result.imported == 1


def test_read_jsonl_with_a_broken_line(tmp_path: Path):
    path = tmp_path / "statuses.jsonl"
    path.write_text("\n".join([json.dumps(status("1")), "{broken", "", json.dumps([status("2"), status("3")])]))
    result = read_mastodon(path)
    assert result.messages["source_record"].to_list() == [1, 4, 4]
    assert result.quarantine["source_record"].to_list() == [2]
    assert result.quarantine["reason"][0].startswith("invalid JSON")


def test_read_truncated_list_keeps_complete_statuses(tmp_path: Path):
    text = json.dumps([status("1"), status("2"), status("3")])
    path = tmp_path / "timeline.json"
    path.write_text(text[: text.index('"id": "3"') + 12])
    result = read_mastodon(path)
    assert result.imported == 2
    assert result.quarantine["reason"][0].startswith("truncated JSON: item 2")


def test_read_truncated_context_keeps_ancestors_and_complete_descendants(tmp_path: Path):
    text = json.dumps({"ancestors": [status("1")], "descendants": [status("2"), status("3")]})
    path = tmp_path / "context.json"
    path.write_text(text[:-40])
    result = read_mastodon(path)
    assert result.messages["source_record"].to_list() == [0, 1]
    assert result.quarantine["source_record"].to_list() == [2]


def test_read_truncated_single_status_is_one_quarantined_record(tmp_path: Path):
    path = tmp_path / "status.json"
    path.write_text(json.dumps(status("1"))[:100])
    result = read_mastodon(path)
    assert (result.imported, result.quarantined) == (0, 1)


@pytest.mark.parametrize("content", ["", "   \n", "not json at all", "\x00\x01binary"])
def test_read_unreadable_files_raise_archive_error_naming_the_file(tmp_path: Path, content):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(ArchiveError) as err:
        read_mastodon(path)
    assert str(path) in str(err.value)


def test_read_missing_file_raises_archive_error(tmp_path: Path):
    with pytest.raises(ArchiveError, match="cannot read"):
        read_mastodon(tmp_path / "nope.json")


def test_reading_twice_gives_the_same_frame(tmp_path: Path):
    path = tmp_path / "t.json"
    path.write_text(json.dumps([status("1"), status("2", reblog=status("3"))]))
    assert read_mastodon(path).messages.equals(read_mastodon(path).messages)


# ---------------------------------------------------------------------------------------------------------- sniffing


@pytest.mark.parametrize(
    ("head", "claimed"),
    [
        (json.dumps([status("1")]), True),
        (json.dumps(status("1")), True),
        (json.dumps({"ancestors": [], "descendants": []}), True),
        (json.dumps(status("1")) + "\n" + json.dumps(status("2")), True),
        ('{"guild": {"id": "1"}, "channel": {"id": "2"}, "messages": [{"content": "acct reblogs_count"}]}', False),
        ('[{"id_str": "1", "user": {"favourites_count": 3, "screen_name": "a"}, "favorite_count": 1}]', False),
        ('{"data": [{"id": "1", "author_id": "2"}], "includes": {"users": []}, "__twarc": {}}', False),
        ('{"feed": [{"post": {"uri": "at://did:plc:x/app.bsky.feed.post/1"}}]}', False),
        ("id,acct,reblogs_count\n1,a,2", False),
        ("", False),
    ],
)
def test_sniff_mastodon(head, claimed):
    assert sniff_mastodon(Path("x.json"), head) is claimed


def test_formats_entry_reads_and_sniffs():
    (spec,) = FORMATS
    assert spec.name == "mastodon" and spec.read is read_mastodon and spec.sniff is sniff_mastodon


# ------------------------------------------------------------------------------------------------------- real files


@pytest.mark.real_data
def test_real_context_thread_has_59_linked_replies_from_50_accounts(real_data_dir: Path):
    result = read_mastodon(real_data_dir / MASTODON / "context_mastodon.social_109294719267373593.json")
    messages = result.messages
    assert messages.height == 59 and result.quarantined == 0
    assert messages["author_handle"].n_unique() == 50
    assert (messages["kind"] == "reply").all()
    assert messages["reply_to_message_id"].null_count() == 0
    assert messages["reply_to_author_handle"].null_count() == 0
    assert messages["author_handle"].str.contains("@").all()
    # the root (not in the file) is by a local account, so its uri can be built; the whole thread shares it
    root = "https://mastodon.social/users/austinkocher/statuses/109294719267373593"
    assert messages["conversation_id"].unique().to_list() == [root]
    assert messages.filter(pl.col("reply_to_message_id") == root).height > 0


@pytest.mark.real_data
def test_real_account_statuses_pages(real_data_dir: Path):
    paths = sorted((real_data_dir / MASTODON).glob("account_statuses_fosstodon_page*.json"))
    assert len(paths) == 5
    results = [read_mastodon(path) for path in paths]
    messages = pl.concat([r.messages for r in results])
    own = messages.filter(pl.col("author_handle") == "schochastics@fosstodon.org")
    assert own.height == 100
    assert (own["kind"] == "reply").sum() == 52
    assert (own["kind"] == "repost").sum() == 1
    assert own.filter(pl.col("mentions").list.len() > 0).height == 65
    assert own.filter(pl.col("kind") == "reply")["reply_to_author_handle"].null_count() == 0
    # the one boost also brings in the boosted status, by someone else
    assert messages.height == 101
    repost = own.filter(pl.col("kind") == "repost").row(0, named=True)
    assert messages.filter(pl.col("message_id") == repost["repost_of_message_id"]).height == 1


@pytest.mark.real_data
def test_real_html_becomes_text(real_data_dir: Path):
    for path in sorted((real_data_dir / MASTODON).glob("*.json")):
        raw = path.read_text()
        texts = read_mastodon(path).messages["text"]
        assert not texts.str.contains(r"<[a-zA-Z/][^>]*>").any(), path.name
        assert not texts.str.contains(r"&(amp|lt|gt|quot|#\d+);").any(), path.name
        if "&amp;" in raw or "&#39;" in raw:
            assert texts.str.contains("&|'").any(), path.name


@pytest.mark.real_data
def test_real_files_account_for_every_record(real_data_dir: Path):
    paths = sorted((real_data_dir / MASTODON).glob("*.json"))
    assert len(paths) == 11
    for path in paths:
        document = json.loads(path.read_text())
        statuses = [s for _, s, _ in mastodon_records(document)]
        expected_rows = len(statuses) + sum(1 for s in statuses if s.get("reblog"))
        result = read_mastodon(path)
        assert result.records_seen == result.imported + result.duplicates + result.quarantined, path.name
        assert result.records_seen == expected_rows, path.name
        assert sniff_mastodon(path, path.read_text()[:65536]), path.name
        assert result.messages["message_id"].str.starts_with("https://").all(), path.name
        assert re.fullmatch(r"[a-z0-9_.\-]+@[a-z0-9.\-]+", result.messages["author_handle"][0]), path.name


@pytest.mark.real_data
def test_other_real_json_is_not_claimed(real_data_dir: Path):
    for folder in ("discord-dce-json-cre8r", "twarc2-jsonl-docnow", "twarc1-v1.1-jsonl-dlfteach", "bluesky-api-bskyr"):
        for path in sorted((real_data_dir / folder).glob("*.json*")):
            head = path.read_bytes()[:65536].decode("utf-8", "replace")
            assert not sniff_mastodon(path, head), path
