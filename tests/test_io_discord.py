"""DiscordChatExporter importer: JSON (replies, mentions, truncation), both CSV dialects, the real exports."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import polars as pl
import pytest

from moderator_kit.errors import ArchiveError
from moderator_kit.io.discord import (
    FORMATS,
    dce_csv_message_id,
    discord_handle,
    parse_dce_csv,
    parse_dce_date,
    parse_dce_json,
    parse_dce_messages,
    read_dce_csv,
    read_dce_json,
    sniff_dce_csv,
    sniff_dce_json,
)

CHANNEL = {"id": "10", "type": "GuildTextChat", "category": "chats", "name": "jobchat", "topic": None}


def author(name: str, user_id: str, nickname: str | None = None, discriminator: str = "0000", bot: bool = False):
    return {"id": user_id, "name": name, "discriminator": discriminator, "nickname": nickname or name,
            "isBot": bot}


def dmsg(message_id: str, who: dict, content: str = "hi", minute: int = 0, **extra) -> dict:
    return {"id": message_id, "type": "Default", "timestamp": f"2022-07-18T10:{minute:02d}:00.000+00:00",
            "timestampEdited": None, "content": content, "author": who, "attachments": [], "embeds": [],
            "reactions": [], "mentions": [], **extra}


def reply(message_id: str, who: dict, parent: str, content: str = "re", minute: int = 1, **extra) -> dict:
    return dmsg(message_id, who, content, minute, type="Reply",
                reference={"messageId": parent, "channelId": "10", "guildId": "1"}, **extra)


ANN = author("Ann", "1", "Annie")
BOB = author("bob", "2")
OLD = author("Tyrrrz", "3", discriminator="5447")
BOT = author("Carl-bot", "4", bot=True)


def document(messages: list, channel: dict = CHANNEL, **extra) -> str:
    return json.dumps({"guild": {"id": "1", "name": "G"}, "channel": channel,
                       "dateRange": {"after": None, "before": None}, "exportedAt": "2025-08-14T01:26:02.89+00:00",
                       "messages": messages, "messageCount": len(messages), **extra}, indent=2)


def balanced(result) -> bool:
    return result.records_seen == result.imported + result.duplicates + result.quarantined


# ------------------------------------------------------------------------------------------------------- JSON


def test_replies_link_to_parents_and_chains_share_a_conversation():
    messages = [
        dmsg("100", ANN, "Q1 what brings you here?", reactions=[{"emoji": {"name": "👍"}, "count": 3},
                                                              {"emoji": {"name": "🎉"}, "count": 1}]),
        reply("101", BOB, "100", "A1 curiosity @Annie", mentions=[{"id": "1", "name": "Ann", "nickname": "Annie"}]),
        reply("102", ANN, "101", "nice", minute=2),
        reply("103", BOB, "999", "to an older message", minute=3),  # parent not in the file
        dmsg("104", BOB, "no reference", minute=4, type="Reply"),  # a Reply without a reference: a post
    ]
    result = parse_dce_json(document(messages), "jobchat.json")
    assert result.messages.select(
        "message_id", "kind", "conversation_id", "reply_to_message_id", "reply_to_author_id",
        "reply_to_author_handle", "mentions",
    ).rows() == [
        ("100", "post", "100", None, None, None, []),
        ("101", "reply", "100", "100", "1", "ann", ["ann"]),
        ("102", "reply", "100", "101", "2", "bob", []),
        ("103", "reply", "999", "999", None, None, []),
        ("104", "post", "104", None, None, None, []),
    ]
    assert result.messages["like_count"].to_list() == [4, 0, 0, 0, 0]
    assert result.messages["reply_count"].null_count() == 5
    assert set(result.messages["channel"]) == {"jobchat"} and set(result.messages["platform"]) == {"discord"}
    assert result.messages["source_record"].to_list() == [0, 1, 2, 3, 4]
    assert result.messages["created_at"][0] == datetime(2022, 7, 18, 10, 0, tzinfo=timezone.utc)


def test_authors_handles_and_bots():
    result = parse_dce_messages([dmsg("1", ANN), dmsg("2", OLD), dmsg("3", BOT),
                                 dmsg("4", author("Deleted User", "456226577798135808"))], CHANNEL, "c.json")
    assert result.messages.select("author_id", "author_handle", "author_name", "source_app").rows() == [
        ("1", "ann", "Annie", None),
        ("3", "tyrrrz#5447", "Tyrrrz", None),
        ("4", "carl-bot", "Carl-bot", "bot"),
        ("456226577798135808", "deleted_user", "Deleted User", None),
    ]


@pytest.mark.parametrize(
    ("name", "discriminator", "handle"),
    [("Ann", "0000", "ann"), ("Ann", "0", "ann"), ("Ann", None, "ann"), ("Ann", "0420", "ann#0420"),
     ("@Ann Lee ", None, "ann_lee"), ("", None, None), (7, None, None)],
)
def test_discord_handle(name, discriminator, handle):
    assert discord_handle(name, discriminator) == handle


def test_thread_export_uses_the_thread_as_conversation():
    thread = {**CHANNEL, "id": "55", "type": "GuildPublicThread", "name": "Q1 thread"}
    result = parse_dce_json(document([dmsg("1", ANN), reply("2", BOB, "1")], channel=thread), "t.json")
    assert result.messages["conversation_id"].to_list() == ["55", "55"]


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        (dmsg("9", BOB, type="GuildMemberJoin"), "system message (GuildMemberJoin)"),
        (dmsg("9", BOB, type="ChannelPinnedMessage"), "system message (ChannelPinnedMessage)"),
        (dmsg("9", BOB, type="ThreadCreated"), "system message (ThreadCreated)"),
        ([1, 2], "not a message object (list)"),
        ({**dmsg("9", BOB), "id": None}, "missing message id"),
        ({**dmsg("9", BOB), "timestamp": "soon"}, "missing or invalid timestamp"),
        ({**dmsg("9", BOB), "author": {"id": "2"}}, "missing author name"),
        ({**dmsg("9", BOB), "content": {"x": 1}}, "content is not a string"),
        ({**dmsg("9", BOB), "type": 19}, "type is not a string"),
    ],
)
def test_bad_and_system_messages_are_quarantined(record, reason):
    result = parse_dce_json(document([dmsg("1", ANN), record]), "c.json")
    assert result.imported == 1
    assert result.quarantine.select("source_file", "source_record", "reason").rows() == [("c.json", 1, reason)]
    assert balanced(result)


def test_duplicate_ids_are_counted():
    result = parse_dce_json(document([dmsg("1", ANN), dmsg("1", ANN)]), "c.json")
    assert (result.records_seen, result.imported, result.duplicates) == (2, 1, 1)


FULL = document([dmsg(str(i), ANN if i % 2 else BOB, f"message {i}", i) for i in range(1, 6)])


def test_truncated_json_gives_up_complete_messages():
    cut = FULL.index('"id": "4"') + 5  # inside the 4th message
    result = parse_dce_json(FULL[:cut], "big.json")
    assert result.messages["message_id"].to_list() == ["1", "2", "3"]
    assert result.quarantined == 1
    index, reason, raw = result.quarantine.select("source_record", "reason", "raw").row(0)
    start = FULL.rindex("{", 0, FULL.index('"id": "4"'))
    assert (index, reason) == (3, f"truncated JSON: item 3 starting at character {start} is incomplete")
    assert raw == FULL[start:cut]
    assert set(result.messages["channel"]) == {"jobchat"}  # the channel precedes the messages
    assert balanced(result)


def test_truncated_between_messages_is_reported():
    cut = FULL.index('"id": "4"')
    cut = FULL.rindex("}", 0, cut) + 1  # right after the 3rd message
    result = parse_dce_json(FULL[:cut], "big.json")
    assert result.imported == 3
    assert result.quarantine["reason"].to_list() == [
        f"truncated JSON: the file ends at character {cut} before the array closes"]


def test_broken_after_the_messages_array_is_reported():
    broken = FULL.replace('"messageCount": 5', '"messageCount": oops')
    result = parse_dce_json(broken, "c.json")
    assert result.imported == 5
    assert result.quarantine["reason"][0].startswith("invalid JSON after the messages array (from character")


def test_message_count_larger_than_messages_is_reported():
    result = parse_dce_json(document([dmsg("1", ANN)], messageCount=3).replace('"messageCount": 1,', ""), "c.json")
    assert result.quarantine["reason"].to_list() == ["messageCount says 3 but the file holds 1 messages"]


@pytest.mark.parametrize(
    ("text", "position"),
    [
        (FULL[: FULL.index('"messages"') - 5], None),  # ends inside the header
        ("[1, 2, 3]", 0),
        ("", 0),
        ('{"guild": {}, "channel": {}, "messages": {"not": "a list"}}', 0),
        ('{"guild": {}, "channel": {}, "messages": 5, "x": ', None),
        ('{"guild": {}, "channel": {}}', 0),
    ],
)
def test_unreadable_json_raises_archive_error_with_file_and_position(text, position):
    with pytest.raises(ArchiveError) as err:
        parse_dce_json(text, "c.json")
    assert err.value.path == "c.json"
    assert err.value.position is not None
    if position is not None:
        assert err.value.position == position


def test_read_dce_json(tmp_path):
    path = tmp_path / "channel_10.json"
    path.write_text("\ufeff" + FULL, encoding="utf-8")
    result = read_dce_json(path)
    assert result.imported == 5 and result.messages["source_file"][0] == str(path)
    with pytest.raises(ArchiveError):
        read_dce_json(tmp_path / "missing.json")


# -------------------------------------------------------------------------------------------------------- CSV

NEW_CSV = (
    "AuthorID,Author,Date,Content,Attachments,Reactions\n"
    '"1","Ann","2020-05-14T15:45:43.000+00:00","Q1, what brings you here?","","👍 (3),🎉 (2)"\n'
    '"2","bob","2020-05-14T15:46:10.120+02:00","A1 ""quoted""\nand a second line","https://cdn.x/a.png",""\n'
    '"2","bob","2020-05-14T15:46:10.120+02:00","A1 ""quoted""\nand a second line","",""\n'
)
OLD_CSV = (
    "AuthorID;Author;Date;Content;Attachments;Reactions;\n"
    '1;Ann#0420;14-May-20 03:45 PM;"Q1; what brings you here?";;👍 (3);\n'
    '2;bob#1234;14-May-20 03:46 PM;A1 hello;;;\n'
)


def test_current_csv_dialect():
    result = parse_dce_csv(NEW_CSV, "CRE8R DAO - chats - jobchat [998527456925462549].csv")
    messages = result.messages
    assert messages.select("channel", "author_id", "author_handle", "author_name", "text", "like_count",
                           "kind", "source_record").rows() == [
        ("jobchat", "1", "ann", "Ann", "Q1, what brings you here?", 5, "post", 2),
        ("jobchat", "2", "bob", "bob", 'A1 "quoted"\nand a second line', 0, "post", 3),
        ("jobchat", "2", "bob", "bob", 'A1 "quoted"\nand a second line', 0, "post", 4),
    ]
    assert messages["created_at"].to_list() == [
        datetime(2020, 5, 14, 15, 45, 43, tzinfo=timezone.utc),
        datetime(2020, 5, 14, 13, 46, 10, 120000, tzinfo=timezone.utc),
        datetime(2020, 5, 14, 13, 46, 10, 120000, tzinfo=timezone.utc),
    ]
    ids = messages["message_id"].to_list()
    assert ids[0].startswith("998527456925462549:1:1589471143000:")
    assert ids[2] == ids[1] + "#2"  # an identical second row is a second message, not a duplicate
    assert result.duplicates == 0 and balanced(result)


def test_old_csv_dialect():
    result = parse_dce_csv(OLD_CSV, "exports/general.csv")
    assert result.messages.select("channel", "author_id", "author_handle", "author_name", "text", "like_count",
                                  "created_at").rows() == [
        ("general", "1", "ann#0420", "Ann", "Q1; what brings you here?", 3,
         datetime(2020, 5, 14, 15, 45, tzinfo=timezone.utc)),
        ("general", "2", "bob#1234", "bob", "A1 hello", 0, datetime(2020, 5, 14, 15, 46, tzinfo=timezone.utc)),
    ]
    assert result.messages["message_id"][0].startswith("general:1:1589471100000:")
    assert result.quarantined == 0


def test_csv_ids_are_stable_across_reads():
    first = parse_dce_csv(NEW_CSV, "a/jobchat.csv")
    second = parse_dce_csv(NEW_CSV, "b/jobchat.csv")
    assert first.messages["message_id"].to_list() == second.messages["message_id"].to_list()
    other_channel = parse_dce_csv(NEW_CSV, "b/random.csv")
    assert set(first.messages["message_id"]).isdisjoint(other_channel.messages["message_id"])


def test_csv_without_author_id_or_reactions():
    text = "Author;Date;Content;Attachments;\nAnn#0420;14-May-20 03:45 PM;hello;;\n"
    result = parse_dce_csv(text, "c.csv", channel="jobchat")
    assert result.messages.select("channel", "author_id", "author_handle", "like_count").row(0) == (
        "jobchat", None, "ann#0420", 0)
    assert result.messages["message_id"][0].startswith("jobchat:ann#0420:")


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ('"3","cy","not a date","x","",""', "unparseable date 'not a date'"),
        ('"3","","2020-05-14T15:45:43+00:00","x","",""', "missing author"),
        ('"3","cy","2020-05-14T15:45:43+00:00","x","","","extra"', "row has 7 fields but the header has 6"),
        ('"3","cy"', "row has 2 fields but the header has 6"),
    ],
)
def test_bad_csv_rows_are_quarantined(row, reason):
    text = NEW_CSV.split("\n", 1)[0] + "\n" + row + "\n" + '"1","Ann","2020-05-14T15:45:43+00:00","ok","",""\n'
    result = parse_dce_csv(text, "c.csv")
    assert result.imported == 1
    assert result.quarantine.select("source_file", "source_record", "reason").rows() == [("c.csv", 2, reason)]
    assert balanced(result)


def test_blank_lines_are_not_records():
    result = parse_dce_csv(OLD_CSV + "\n\n", "c.csv")
    assert (result.records_seen, result.imported) == (2, 2)


@pytest.mark.parametrize("header", ["id,author,date,content", "Author,Content", ""])
def test_csv_without_dce_header(header):
    if not header:
        assert parse_dce_csv("", "c.csv").records_seen == 0
        return
    with pytest.raises(ArchiveError) as err:
        parse_dce_csv(header + "\n1,a,b,c\n", "c.csv")
    assert (err.value.path, err.value.position) == ("c.csv", 1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2020-05-14T15:45:43.000+00:00", datetime(2020, 5, 14, 15, 45, 43, tzinfo=timezone.utc)),
        ("2020-05-14T17:45:43+02:00", datetime(2020, 5, 14, 15, 45, 43, tzinfo=timezone.utc)),
        ("14-May-20 03:45 PM", datetime(2020, 5, 14, 15, 45, tzinfo=timezone.utc)),
        ("14-May-20 03:45 AM", datetime(2020, 5, 14, 3, 45, tzinfo=timezone.utc)),
        ("1589471143", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_dce_date(value, expected):
    assert parse_dce_date(value) == expected


def test_csv_message_id_changes_with_each_part():
    when = datetime(2020, 5, 14, tzinfo=timezone.utc)
    base = dce_csv_message_id("c", "1", when, "hi")
    variants = [dce_csv_message_id("d", "1", when, "hi"), dce_csv_message_id("c", "2", when, "hi"),
                dce_csv_message_id("c", "1", when.replace(minute=1), "hi"), dce_csv_message_id("c", "1", when, "ho")]
    assert len({base, *variants}) == 5


def test_read_dce_csv(tmp_path):
    path = tmp_path / "G - C - jobchat [42].csv"
    path.write_text("\ufeff" + NEW_CSV, encoding="utf-8")
    result = read_dce_csv(path)
    assert result.imported == 3 and result.messages["message_id"][0].startswith("42:")
    assert result.messages["source_file"][0] == str(path)


# ------------------------------------------------------------------------------------------------------ sniffing


@pytest.mark.parametrize(
    ("head", "claimed"),
    [
        (FULL[:300], True),
        ('{"guild":{"id":"1"},"channel":{"id":"2"},"dateRange":{}', True),
        ('[{"id": "1", "content": "<p>hi</p>", "account": {}}]', False),  # Mastodon statuses
        ('{"ancestors": [], "descendants": []}', False),
        ('{"feed": [{"post": {"uri": "at://x"}}]}', False),
        ('{"channel": {"id": "1"}, "guild": {}}', False),
        ('[{"type": "message", "ts": "1589471143.000200"}]', False),  # a Slack day
    ],
)
def test_sniff_dce_json(head, claimed):
    assert sniff_dce_json(Path("x.json"), head) is claimed


@pytest.mark.parametrize(
    ("head", "claimed"),
    [
        (NEW_CSV, True),
        ("\ufeff" + OLD_CSV, True),
        ('"AuthorID","Author","Date","Content","Attachments","Reactions"\n', True),
        ("Author;Date;Content;Attachments;\n", True),
        ("id_str,from_user,text,created_at,time\n", False),  # TAGS
        ("Author,Date,Content\n", False),  # too generic for a comma CSV without AuthorID
        ("AuthorID,Author,Date,Content,Score\n", False),
    ],
)
def test_sniff_dce_csv(head, claimed):
    assert sniff_dce_csv(Path("x.csv"), head) is claimed


def test_formats_are_registered():
    assert [(spec.name, spec.read) for spec in FORMATS] == [("dce-json", read_dce_json), ("dce-csv", read_dce_csv)]


# -------------------------------------------------------------------------------------------------- real archive

REAL = "discord-dce-json-cre8r"


@pytest.mark.real_data
def test_real_truncated_export_gives_up_its_complete_messages(real_data_dir):
    path = real_data_dir / REAL / "channel_860395547567587331.TRUNCATED.json"
    result = read_dce_json(path)
    assert result.imported == 327
    assert result.records_seen == 328 and balanced(result)
    assert result.quarantine.height == 1
    source_file, index, reason, raw = result.quarantine.select("source_file", "source_record", "reason", "raw").row(0)
    assert source_file == str(path)
    assert index == 327
    assert reason == "truncated JSON: item 327 starting at character 857697 is incomplete"
    assert raw.lstrip().startswith("{")
    messages = result.messages
    assert set(messages["channel"]) == {"👋｜welcome-and-hellos"}
    replies = messages.filter(pl.col("kind") == "reply")
    assert replies.height == 140
    assert replies.filter(pl.col("reply_to_author_handle").is_not_null()).height == 139
    assert messages.filter(pl.col("mentions").list.len() > 0).height == 181


@pytest.mark.real_data
def test_real_damo_labs_replies(real_data_dir):
    result = read_dce_json(real_data_dir / REAL / "channel_998527456925462549.json")
    messages = result.messages
    assert (result.records_seen, result.imported, result.quarantined) == (39, 39, 0)
    assert set(messages["channel"]) == {"damo-labs"}
    assert messages["author_handle"].n_unique() == 3
    replies = messages.filter(pl.col("kind") == "reply")
    assert replies.height == 12
    linked = replies.join(messages.select(pl.col("message_id").alias("reply_to_message_id"),
                                          pl.col("author_handle").alias("parent")), on="reply_to_message_id")
    assert linked.height == 12
    assert (linked["reply_to_author_handle"] == linked["parent"]).all()
    assert messages.filter(pl.col("mentions").list.len() > 0).height == 14


@pytest.mark.real_data
def test_real_rules_channel_and_sniffing(real_data_dir):
    folder = real_data_dir / REAL
    result = read_dce_json(folder / "channel_923736705926840403.json")
    assert (result.imported, result.quarantined) == (1, 0)
    assert result.messages["like_count"][0] > 0
    for path in folder.glob("*.json"):
        head = path.read_bytes()[:65536].decode("utf-8", errors="replace")
        assert sniff_dce_json(path, head), path.name
