"""Slack workspace export importer: text rendering, threads, subtypes, broken files, zips, the real export."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import polars as pl
import pytest

from moderator_kit.errors import ArchiveError
from moderator_kit.io.slack import (
    FORMATS,
    parse_slack_day,
    parse_slack_messages,
    read_slack_day,
    read_slack_export,
    render_slack_text,
    slack_user_directory,
    sniff_slack_day,
    sniff_slack_export,
)

PARENT_TS = "1589471143.000200"


def msg(ts: str, user: str | None = "U1", text: str = "hi", **extra) -> dict:
    message = {"type": "message", "ts": ts, "text": text, **extra}
    if user is not None:
        message["user"] = user
    return message


def balanced(result) -> bool:
    return result.records_seen == result.imported + result.duplicates + result.quarantined


# ------------------------------------------------------------------------------------------------ text rendering


@pytest.mark.parametrize(
    ("raw", "text", "mentions", "urls"),
    [
        ("hi <@U1>", "hi @ann", ["ann"], []),
        ("hi <@U9|Bob>", "hi @bob", ["bob"], []),  # unknown user: the label
        ("hi <@U9>", "hi @u9", ["u9"], []),  # unknown user, no label: the id lower-cased
        ("<@U1> and <@U1|x>", "@ann and @ann", ["ann"], []),  # listed once
        ("see <#C5|general>", "see #general", [], []),
        ("see <#C5>", "see #random", [], []),  # name from the channel map
        ("see <#C7>", "see #c7", [], []),
        ("<https://x.io/a|the doc>", "the doc (https://x.io/a)", [], ["https://x.io/a"]),
        ("<https://x.io/a>", "https://x.io/a", [], ["https://x.io/a"]),
        ("<http://x.io|x.io>", "x.io", [], ["http://x.io"]),
        ("<mailto:a@b.io|a@b.io>", "a@b.io", [], []),
        ("<!here> <!channel> <!subteam^S1|@mods>", "@here @channel @mods", [], []),
        ("a &lt;b&gt; &amp;amp; c", "a <b> &amp; c", [], []),
        ("Q1: &lt;@U1&gt; literal", "Q1: <@U1> literal", [], []),  # escaped markup stays text
    ],
)
def test_render_slack_text(raw, text, mentions, urls):
    rendered = render_slack_text(raw, {"U1": {"handle": "ann"}}, {"C5": "random"})
    assert (rendered.text, rendered.mentions, rendered.urls) == (text, mentions, urls)


@pytest.mark.parametrize(
    ("raw", "hashtags"),
    [
        ("A1 #JobChat rocks #jobchat", ["jobchat"]),
        ("in <#C1|general> only", []),  # a channel link is not a hashtag
        ("<https://x.io/#frag|link> #real", ["real"]),
        ("issue&#35;3 no", []),
    ],
)
def test_render_slack_text_hashtags(raw, hashtags):
    assert render_slack_text(raw).hashtags == hashtags


def test_user_directory_prefers_users_json_then_profiles():
    directory = slack_user_directory(
        [{"id": "U1", "name": "Ann.Lee", "real_name": "Ann Lee"}, {"id": "U2"}, "junk"],
        [
            {"user": "U1", "user_profile": {"name": "other"}},
            {"user": "U3", "user_profile": {"name": "Cy", "display_name": "cy!", "real_name": ""}},
            {"user": "U4", "user_profile": "not a dict"},
        ],
    )
    assert directory == {"U1": {"handle": "ann.lee", "name": "Ann Lee"}, "U3": {"handle": "cy", "name": "cy!"}}


# --------------------------------------------------------------------------------------------- message parsing


def test_thread_reply_links_to_parent_and_conversation():
    users = {"U1": {"handle": "ann", "name": "Ann"}}
    messages = [
        msg(PARENT_TS, "U1", "Q1 what?", thread_ts=PARENT_TS, reply_count=2),
        msg("1589471150.000100", "U2", "A1 this", thread_ts=PARENT_TS, parent_user_id="U1"),
        msg("1589471160.000100", "U3", "A1 that", thread_ts=PARENT_TS),  # no parent_user_id: parent in file
        msg("1589471170.000100", "U2", "unrelated"),
    ]
    result = parse_slack_messages(messages, "general", users, "general/2020-05-14.json", channel_id="C1")
    rows = result.messages.select(
        "message_id", "conversation_id", "kind", "reply_to_message_id", "reply_to_author_id",
        "reply_to_author_handle", "reply_count",
    ).rows()
    parent_id = f"C1:{PARENT_TS}"
    assert rows == [
        (parent_id, parent_id, "post", None, None, None, 2),
        ("C1:1589471150.000100", parent_id, "reply", parent_id, "U1", "ann", 0),
        ("C1:1589471160.000100", parent_id, "reply", parent_id, "U1", "ann", 0),
        ("C1:1589471170.000100", "C1:1589471170.000100", "post", None, None, None, 0),
    ]
    assert set(result.messages["platform"]) == {"slack"} and set(result.messages["channel"]) == {"general"}
    assert result.messages["source_record"].to_list() == [0, 1, 2, 3]


def test_thread_broadcast_uses_root_user():
    message = msg("1589533700.453800", "U2", "also in channel", subtype="thread_broadcast",
                  thread_ts="1588836813.316200", root={"user": "U6", "ts": "1588836813.316200"})
    result = parse_slack_messages([message], "random", {"U6": {"handle": "six"}}, "r.json")
    assert result.messages.select("kind", "reply_to_author_id", "reply_to_author_handle").row(0) == (
        "reply", "U6", "six")


def test_message_id_falls_back_to_channel_name():
    result = parse_slack_messages([msg(PARENT_TS)], "general", {}, "g.json")
    assert result.messages["message_id"].to_list() == [f"general:{PARENT_TS}"]


def test_authors_handles_names_and_bots():
    messages = [
        msg("1589471143.000001", "U1", user_profile={"name": "Ann.B", "real_name": "Ann B", "display_name": "ab"}),
        msg("1589471143.000002", "U2"),  # name from the directory
        msg("1589471143.000003", "U3"),  # nobody knows U3: its id
        msg("1589471143.000004", None, "news", subtype="bot_message", bot_id="B1", username="Feed Bot"),
        msg("1589471143.000005", "U2", "", bot_id="B2", bot_profile={"name": "giphy"}),  # a human via an app
    ]
    result = parse_slack_messages(messages, "general", {"U2": {"handle": "bob", "name": "Bob"}}, "g.json")
    assert result.messages.select("author_id", "author_handle", "author_name", "source_app").rows() == [
        ("U1", "ann.b", "Ann B", None),
        ("U2", "bob", "Bob", None),
        ("U3", "u3", None, None),
        ("B1", "feed_bot", "Feed Bot", "Feed Bot"),
        ("U2", "bob", "Bob", "giphy"),
    ]


def test_reactions_sum_to_like_count():
    message = msg(PARENT_TS, reactions=[{"name": "+1", "count": 3}, {"name": "tada", "count": 2},
                                        {"name": "bad", "count": "9"}])
    result = parse_slack_messages([message, msg("1589471143.000300")], "g", {}, "g.json")
    assert result.messages["like_count"].to_list() == [5, 0]


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        (msg(PARENT_TS, subtype="channel_join", text="<@U1> has joined the channel"), "system message (channel_join)"),
        (msg(PARENT_TS, subtype="channel_leave"), "system message (channel_leave)"),
        (msg(PARENT_TS, subtype="channel_topic"), "system message (channel_topic)"),
        ("a string", "not a message object (str)"),
        ({"type": "message", "text": "no ts", "user": "U1"}, "missing or invalid ts (Slack message timestamp)"),
        (msg("yesterday"), "missing or invalid ts (Slack message timestamp)"),
        (msg(PARENT_TS, text=42), "text is not a string"),
        (msg(PARENT_TS, user=None), "no author (neither user nor bot id)"),
        (msg(PARENT_TS, subtype=["x"]), "subtype is not a string"),
        ({**msg(PARENT_TS), "type": "file"}, "not a message (type 'file')"),
    ],
)
def test_bad_and_system_records_are_quarantined(record, reason):
    result = parse_slack_messages([msg("1589471100.000100"), record], "general", {}, "general/2020-05-14.json")
    assert result.imported == 1
    assert result.quarantine.select("source_file", "source_record", "reason").rows() == [
        ("general/2020-05-14.json", 1, reason)
    ]
    assert balanced(result)


def test_duplicates_are_counted():
    result = parse_slack_messages([msg(PARENT_TS), msg(PARENT_TS)], "g", {}, "g.json")
    assert (result.records_seen, result.imported, result.duplicates) == (2, 1, 1)


# ------------------------------------------------------------------------------------------------- broken files


DAY = json.dumps([msg("1589471143.000001", text="one"), msg("1589471143.000002", text="two"),
                  msg("1589471143.000003", text="three")])


@pytest.mark.parametrize(
    ("text", "imported", "reason_start"),
    [
        (DAY[: DAY.index('{"type"', 20) + 12], 1, "truncated JSON: item 1 starting at character"),
        (DAY[: DAY.rindex("}") + 1], 3, f"truncated JSON: the file ends at character {len(DAY) - 1} before"),
        (DAY + " trailing junk", 3, "unexpected data after the JSON array"),
        ('{"not": "an array"}', 0, "day file is not a JSON array (dict)"),
        ("<html>oops</html>", 0, "day file is not valid JSON"),
    ],
)
def test_broken_day_files_keep_complete_messages(text, imported, reason_start):
    result = parse_slack_day(text, "general", {}, "general/2020-05-14.json")
    assert result.imported == imported
    assert result.quarantined == 1
    assert result.quarantine["reason"][0].startswith(reason_start)
    assert result.quarantine["source_file"][0] == "general/2020-05-14.json"
    assert balanced(result)


def test_truncated_day_reports_character_position():
    cut = DAY.index('{"type"', 20)
    result = parse_slack_day(DAY[: cut + 5], "general", {}, "d.json")
    assert result.quarantine.select("source_record", "reason").row(0) == (
        1, f"truncated JSON: item 1 starting at character {cut} is incomplete")


def test_valid_day_parses_like_parse_slack_messages():
    by_text = parse_slack_day(DAY, "g", {}, "g.json").messages
    by_list = parse_slack_messages(json.loads(DAY), "g", {}, "g.json").messages
    assert by_text.equals(by_list) and by_text.height == 3


# ------------------------------------------------------------------------------------------------- whole exports


TRUNCATED_DAY = '[{"type": "message", "user": "U1", "ts": "1589471200.0001", "text": "ok"}, {"type": "mess'


def write_export(root: Path, *, users: bool = False, channels: bool = True) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    if channels:
        (root / "channels.json").write_text(json.dumps([{"id": "C1", "name": "general"},
                                                        {"id": "C2", "name": "random"}]))
    if users:
        (root / "users.json").write_text(json.dumps([{"id": "U3", "name": "cy", "real_name": "Cy"}]))
    (root / "general").mkdir(exist_ok=True)
    (root / "random").mkdir(exist_ok=True)
    (root / "general" / "2020-05-14.json").write_text(json.dumps([
        msg(PARENT_TS, "U1", "Q1 ask <@U2> and <@U3>", thread_ts=PARENT_TS, reply_count=1,
            user_profile={"name": "ann", "real_name": "Ann"}),
    ]))
    (root / "general" / "2020-05-15.json").write_text(json.dumps([
        msg("1589560000.000100", "U2", "A1 thanks <@U1>", thread_ts=PARENT_TS,
            user_profile={"name": "bob", "real_name": "Bob"}),
        msg("1589560001.000100", "U4", subtype="channel_join", text="<@U4> has joined the channel"),
    ]))
    (root / "random" / "2020-05-14.json").write_text(TRUNCATED_DAY)
    (root / "integration_logs.json").write_text("[]")
    return root


def test_read_export_folder(tmp_path):
    root = write_export(tmp_path / "export", users=False)
    result = read_slack_export(root)
    messages = result.messages
    assert messages.select("message_id", "channel", "author_handle", "kind", "reply_to_author_handle",
                           "mentions").rows() == [
        (f"C1:{PARENT_TS}", "general", "ann", "post", None, ["bob", "u3"]),  # U2 named by a later day file
        ("C1:1589560000.000100", "general", "bob", "reply", "ann", ["ann"]),  # parent from another day file
        ("C2:1589471200.0001", "random", "ann", "post", None, []),
    ]
    assert messages["source_file"].to_list() == [
        str(root / "general" / "2020-05-14.json"), str(root / "general" / "2020-05-15.json"),
        str(root / "random" / "2020-05-14.json"),
    ]
    assert result.quarantine.select("source_file", "source_record", "reason").rows() == [
        (str(root / "general" / "2020-05-15.json"), 1, "system message (channel_join)"),
        (str(root / "random" / "2020-05-14.json"), 1,
         f"truncated JSON: item 1 starting at character {TRUNCATED_DAY.rindex('{')} is incomplete"),
    ]
    assert (result.records_seen, result.imported, result.duplicates, result.quarantined) == (5, 3, 0, 2)
    assert len(result.files) == 3


def test_users_json_names_mentions(tmp_path):
    result = read_slack_export(write_export(tmp_path / "e", users=True))
    assert result.messages["mentions"][0].to_list() == ["bob", "cy"]


def test_missing_channels_json_uses_folder_names(tmp_path):
    result = read_slack_export(write_export(tmp_path / "e", channels=False))
    assert result.messages["message_id"][0] == f"general:{PARENT_TS}"


def test_broken_users_json_is_reported_not_fatal(tmp_path):
    root = write_export(tmp_path / "e")
    (root / "users.json").write_text("[{oops")
    result = read_slack_export(root)
    assert result.imported == 3
    assert result.quarantine.filter(pl.col("source_file") == str(root / "users.json"))["reason"][0].startswith(
        "users.json is not valid JSON")
    assert balanced(result)


def test_reading_twice_gives_the_same_result(tmp_path):
    root = write_export(tmp_path / "e")
    first, second = read_slack_export(root), read_slack_export(root)
    assert first.messages.equals(second.messages) and first.quarantine.equals(second.quarantine)


@pytest.mark.parametrize("prefix", ["", "export-2020/"])
def test_read_export_zip_in_place(tmp_path, prefix):
    root = write_export(tmp_path / "e")
    archive = tmp_path / "archive.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for file in sorted(root.rglob("*")):
            if file.is_file():
                bundle.write(file, prefix + file.relative_to(root).as_posix())
    from_zip, from_folder = read_slack_export(archive), read_slack_export(root)
    assert from_zip.messages["source_file"][0] == f"{archive}!{prefix}general/2020-05-14.json"
    assert from_zip.quarantine["source_file"][1] == f"{archive}!{prefix}random/2020-05-14.json"
    drop = ["source_file"]
    assert from_zip.messages.drop(drop).equals(from_folder.messages.drop(drop))
    assert (from_zip.records_seen, from_zip.quarantined) == (from_folder.records_seen, from_folder.quarantined)
    assert sniff_slack_export(archive, archive.read_bytes()[:64].decode("latin-1"))


def test_duplicate_message_in_two_day_files_is_counted(tmp_path):
    root = write_export(tmp_path / "e")
    (root / "general" / "2020-05-16.json").write_text(json.dumps([msg(PARENT_TS, "U1", "Q1 again")]))
    result = read_slack_export(root)
    assert (result.imported, result.duplicates) == (3, 1)
    assert balanced(result)


@pytest.mark.parametrize("kind", ["missing", "empty-folder", "text-file", "bad-zip"])
def test_unreadable_exports_raise_archive_error(tmp_path, kind):
    path = tmp_path / "thing"
    if kind == "empty-folder":
        path.mkdir()
    elif kind == "text-file":
        path.write_text("hello")
    elif kind == "bad-zip":
        path = tmp_path / "x.zip"
        with zipfile.ZipFile(path, "w") as bundle:
            bundle.writestr("notes/readme.txt", "hi")
    with pytest.raises(ArchiveError) as err:
        read_slack_export(path)
    assert str(path) in str(err.value)


def test_read_slack_day_file(tmp_path):
    day = tmp_path / "general" / "2020-05-14.json"
    day.parent.mkdir()
    day.write_text(json.dumps([msg(PARENT_TS, "U1", "hi <@U2>", user_profile={"name": "ann"}),
                               msg("1589471144.000100", "U2", "yo", user_profile={"name": "bob"})]))
    result = read_slack_day(day)
    assert result.messages.select("channel", "author_handle", "mentions").rows() == [
        ("general", "ann", ["bob"]), ("general", "bob", [])]
    with pytest.raises(ArchiveError):
        read_slack_day(tmp_path / "nope" / "2020-05-14.json")


# ------------------------------------------------------------------------------------------------------ sniffing


def test_sniff_slack_export(tmp_path):
    root = write_export(tmp_path / "e")
    assert sniff_slack_export(root, "")
    assert not sniff_slack_export(tmp_path, "")  # the parent holds an export, it is not one
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as bundle:
        bundle.writestr("data/tweets.js", "window.YTD.tweets.part0 = []")
    assert not sniff_slack_export(other, "PK")
    assert not sniff_slack_export(root / "channels.json", "[")
    assert [spec.name for spec in FORMATS] == ["slack", "slack-day"]


@pytest.mark.parametrize(
    ("name", "head", "claimed"),
    [
        ("2020-05-14.json", '[\n{\n "type": "message",\n "ts": "1589471143.000200"}]', True),
        ("2020-05-14.json", '[{"id": "1", "content": "<p>hi</p>", "created_at": "2020-05-14"}]', False),
        ("statuses.json", '[{"type": "message", "ts": "1589471143.000200"}]', False),
        ("2020-05-14.json", '{"type": "message", "ts": "1589471143.000200"}', False),
    ],
)
def test_sniff_slack_day(name, head, claimed):
    assert sniff_slack_day(Path("general") / name, head) is claimed


# ------------------------------------------------------------------------------------------------- real archive


@pytest.mark.real_data
def test_real_slack_export(real_data_dir):
    root = real_data_dir / "slack-export-bcneng-2020"
    result = read_slack_export(root)
    messages = result.messages
    channel_ids = {c["name"]: c["id"] for c in json.loads((root / "channels.json").read_text())}

    assert result.records_seen == 1320
    assert result.records_seen == result.imported + result.duplicates + result.quarantined
    assert {Path(f).parent.name for f in result.files} == set(channel_ids) and len(channel_ids) == 56
    assert len(result.files) == 142
    # Joins and leaves are the only quarantined records.
    reasons = dict(result.quarantine.group_by("reason").len().rows())
    assert reasons == {"system message (channel_join)": 98, "system message (channel_leave)": 5}

    # message ids are '<channel id>:<ts>'.
    prefixes = messages.select(pl.col("message_id").str.split(":").list.first().alias("p"), "channel")
    assert prefixes.filter(pl.col("p") != pl.col("channel").replace_strict(channel_ids)).height == 0

    # Threads: 94 parents, 873 replies, 840 of them with their parent in this one-week export.
    replies = messages.filter(pl.col("kind") == "reply")
    assert messages.filter(pl.col("reply_count") > 0).height == 94
    assert replies.height == 873
    found = replies.filter(pl.col("reply_to_message_id").is_in(messages["message_id"].implode()))
    assert found.height == 840
    assert replies["reply_to_author_id"].null_count() == 0
    linked = found.join(messages.select(pl.col("message_id").alias("reply_to_message_id"),
                                        pl.col("author_handle").alias("parent_handle")), on="reply_to_message_id")
    assert (linked["reply_to_author_handle"] == linked["parent_handle"]).all()
    assert (replies["conversation_id"] == replies["reply_to_message_id"]).all()

    # Mentions become handles; everyone who posted is named from user_profile (no users.json in this export).
    posters = set(messages["author_handle"])
    mentioned = messages.explode("mentions").drop_nulls("mentions")["mentions"]
    assert mentioned.len() > 50
    assert mentioned.is_in(list(posters)).sum() >= 45
    assert not messages["text"].str.contains(r"<@U[A-Z0-9]+").any()
    assert (messages["author_handle"] == messages["author_handle"].str.to_lowercase()).all()
    assert messages.filter(pl.col("author_handle").str.contains(r"^u[0-9a-z]{8,10}$")).height < 20
    assert messages["like_count"].sum() > 0 and messages.filter(pl.col("like_count") > 0).height >= 200


# ------------------------------------------------------------------------------- words outside `text` (issue 10)


def test_file_comment_author_is_the_commenter():
    comment = {"type": "message", "subtype": "file_comment", "ts": "1389471143.000200",
               "text": "<@U7|cara> commented on <@U1|ann>'s file <https://files.slack.com/f|notes>: A2 yes #chat",
               "file": {"id": "F1", "user": "U1"}, "comment": {"id": "Fc1", "user": "U7", "comment": "A2 yes #chat"}}
    result = parse_slack_messages([comment], "general", {"U7": {"handle": "cara"}}, "g.json")
    assert result.quarantined == 0
    assert result.messages.select("author_id", "author_handle", "text", "hashtags").row(0) == (
        "U7", "cara", "A2 yes #chat", ["chat"])


def test_bot_post_text_comes_from_attachments_and_blocks():
    attached = msg("1589471143.000200", user=None, text="", subtype="bot_message", bot_id="B1", username="feed",
                   attachments=[{"pretext": "New post", "title": "Q1 ready?", "title_link": "https://x.io/q1", "text": "#chat",
                                 "fields": [{"title": "Host", "value": "<@U1>"}], "fallback": "Q1"}])
    blocked = msg("1589471144.000200", user=None, text="", subtype="bot_message", bot_id="B1", username="feed",
                  blocks=[{"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": [
                      {"type": "text", "text": "Q2 "}, {"type": "user", "user_id": "U1"},
                      {"type": "link", "url": "https://x.io/q2", "text": "details"}, {"type": "text", "text": " #chat"}]}]}])
    only_fallback = msg("1589471145.000200", user=None, text="", bot_id="B1", username="feed",
                        attachments=[{"fallback": "giphy: https://g.co/1"}])
    result = parse_slack_messages([attached, blocked, only_fallback], "general", {"U1": {"handle": "ann"}}, "g.json")
    rows = result.messages.select("text", "hashtags", "mentions", "urls").rows()
    assert rows[0] == ("New post\nQ1 ready? (https://x.io/q1)\n#chat\nHost: @ann", ["chat"], ["ann"],
                       ["https://x.io/q1"])
    assert rows[1] == ("Q2 @anndetails (https://x.io/q2) #chat", ["chat"], ["ann"], ["https://x.io/q2"])
    assert rows[2][0] == "giphy: https://g.co/1"


@pytest.mark.real_data
def test_real_slack_app_posts_keep_their_words(real_data_dir):
    messages = read_slack_export(real_data_dir / "slack-export-bcneng-2020").messages
    giphy = messages.filter(pl.col("source_app") == "giphy")
    assert giphy.height == 6
    # Four giphy posts have an empty `text`; their words are the attachment titles.
    assert giphy.filter(pl.col("text").str.strip_chars() == "").height == 0
    assert giphy.filter(pl.col("text").str.contains("surprise motherfucker")).height == 1
    assert giphy.filter(pl.col("urls").list.len() > 0).height >= 4
