"""Property tests: the Slack and Discord parsers take corrupted, truncated and ill-typed input without falling over.

Each parse_* must return a ParseResult whose counts balance (bad records quarantined with file and position) or
raise an ArchiveError naming the file and position, never anything else.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moderator_kit.errors import ArchiveError
from moderator_kit.io.base import ParseResult
from moderator_kit.io.discord import parse_dce_csv, parse_dce_json, parse_dce_messages
from moderator_kit.io.slack import parse_slack_day, parse_slack_messages, render_slack_text

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SOURCE = "chan/2020-05-14.json"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)

# Strings that look like the real thing, including lone-surrogate escapes that the standard JSON decoder lets through.
slack_ts = st.sampled_from(["1589471143.000200", "1589471150.000100", "1589471143", "0", "1e20", "", "abc"])
slack_text = st.sampled_from(["Q1 <@U1> hi", "<#C1|general> <https://x.io|x>", "<@", "&amp;&lt;", "\ud800 lone",
                              "<!here|>", "<@U1|>", "<https://x.io|>", "#tag"]) | st.text(max_size=40)


def maybe(strategy):
    return strategy | json_values


slack_message = st.fixed_dictionaries(
    {},
    optional={
        "type": maybe(st.just("message")),
        "ts": maybe(slack_ts),
        "user": maybe(st.sampled_from(["U1", "U2", ""])),
        "text": maybe(slack_text),
        "thread_ts": maybe(slack_ts),
        "parent_user_id": maybe(st.sampled_from(["U1", "U9"])),
        "subtype": maybe(st.sampled_from(["channel_join", "thread_broadcast", "bot_message", "me_message"])),
        "reactions": maybe(st.lists(st.fixed_dictionaries({"count": maybe(st.integers(0, 5))}), max_size=3)),
        "reply_count": json_values,
        "user_profile": maybe(st.fixed_dictionaries({"name": maybe(st.text(max_size=8)),
                                                     "real_name": maybe(st.text(max_size=8))})),
        "bot_id": json_values,
        "bot_profile": json_values,
        "root": maybe(st.fixed_dictionaries({"user": json_values})),
        "username": json_values,
    },
)

dce_author = st.fixed_dictionaries(
    {},
    optional={"id": maybe(st.sampled_from(["1", "2"])), "name": maybe(st.sampled_from(["Ann", "bob", " ", "\ud800"])),
              "discriminator": maybe(st.sampled_from(["0000", "0420", "x"])), "nickname": json_values,
              "isBot": json_values},
)
dce_message = st.fixed_dictionaries(
    {},
    optional={
        "id": maybe(st.sampled_from(["100", "101", "102"])),
        "type": maybe(st.sampled_from(["Default", "Reply", "GuildMemberJoin", "ThreadCreated"])),
        "timestamp": maybe(st.sampled_from(["2022-07-18T10:28:55.561+00:00", "0001-01-01T00:00:00+01:00",
                                            "9999-12-31T23:59:59-05:00", "1589471143", "soon"])),
        "content": maybe(st.text(max_size=30)),
        "author": maybe(dce_author),
        "reactions": maybe(st.lists(st.fixed_dictionaries({"count": json_values}), max_size=3)),
        "mentions": maybe(st.lists(dce_author, max_size=3)),
        "reference": maybe(st.fixed_dictionaries({"messageId": maybe(st.sampled_from(["100", "101", "999"]))})),
    },
)


def check(result: ParseResult, source: str = SOURCE) -> None:
    assert isinstance(result, ParseResult)
    assert result.records_seen == result.imported + result.duplicates + result.quarantined
    assert result.quarantine["source_file"].to_list() == [source] * result.quarantined
    assert result.quarantine["source_record"].null_count() == 0
    assert result.quarantine["reason"].null_count() == 0
    handles = result.messages["author_handle"]
    assert (handles == handles.str.to_lowercase()).all()


# ------------------------------------------------------------------------------------------------------- Slack


@SETTINGS
@given(st.lists(slack_message | json_values, max_size=8), st.dictionaries(st.text(max_size=3), json_values,
                                                                         max_size=3))
def test_parse_slack_messages_never_raises(messages, users):
    result = parse_slack_messages(messages, "general", users, SOURCE, channel_id="C1")
    check(result)
    assert result.records_seen == len(messages)


@SETTINGS
@given(json_values)
def test_parse_slack_messages_takes_any_json_document(document):
    check(parse_slack_messages(document, "general", {}, SOURCE))


@SETTINGS
@given(st.text(max_size=200) | st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
def test_parse_slack_day_takes_any_text(text):
    check(parse_slack_day(text, "general", {}, SOURCE))


VALID_DAY = [
    {"type": "message", "user": f"U{i % 3}", "ts": f"15894711{i:02d}.000100", "text": f"message {i} <@U1>",
     "user_profile": {"name": f"user{i % 3}"}, **({"thread_ts": "1589471100.000100"} if i % 2 else {})}
    for i in range(6)
]
VALID_DAY_TEXT = json.dumps(VALID_DAY, indent=1)
ITEM_ENDS = [VALID_DAY_TEXT.index(json.dumps(m, indent=1).replace("\n", "\n ")) +
             len(json.dumps(m, indent=1).replace("\n", "\n ")) for m in VALID_DAY]


@SETTINGS
@given(st.integers(0, len(VALID_DAY_TEXT)))
def test_truncated_day_gives_up_every_complete_message(cut):
    result = parse_slack_day(VALID_DAY_TEXT[:cut], "general", {}, SOURCE)
    check(result)
    complete = sum(end <= cut for end in ITEM_ENDS)
    assert result.imported == complete
    assert result.quarantined == (0 if cut == len(VALID_DAY_TEXT) else 1)
    if result.quarantined:
        assert result.quarantine["reason"][0].startswith("truncated JSON" if cut else "day file is empty")
        assert result.quarantine["source_record"][0] == complete


@SETTINGS
@given(slack_text, st.dictionaries(st.sampled_from(["U1", "U2"]), json_values, max_size=2))
def test_render_slack_text_never_raises(text, users):
    rendered = render_slack_text(text, users)
    assert isinstance(rendered.text, str)
    assert all(m == m.lower() and m.strip() == m and " " not in m for m in rendered.mentions)
    assert all(url.lower().startswith(("http://", "https://")) for url in rendered.urls)


# ----------------------------------------------------------------------------------------------------- Discord


def dce_document(messages: list) -> str:
    return json.dumps({"guild": {"id": "1", "name": "G"}, "channel": {"id": "10", "name": "chat"},
                       "dateRange": {"after": None, "before": None}, "exportedAt": "2025-08-14T01:26:02+00:00",
                       "messages": messages, "messageCount": len(messages)}, indent=2)


@SETTINGS
@given(st.text(max_size=200) | st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
def test_parse_dce_json_takes_any_text(text):
    try:
        result = parse_dce_json(text, SOURCE)
    except ArchiveError as err:
        assert err.path == SOURCE and err.position is not None
    else:
        check(result)


@SETTINGS
@given(st.lists(dce_message | json_values, max_size=8))
def test_parse_dce_json_takes_ill_typed_messages(messages):
    result = parse_dce_json(dce_document(messages), SOURCE)
    check(result)
    assert result.records_seen >= len(messages)


@SETTINGS
@given(st.lists(dce_message | json_values, max_size=8), json_values)
def test_parse_dce_messages_never_raises(messages, channel):
    check(parse_dce_messages(messages, channel, SOURCE))


VALID_DCE = [
    {"id": str(100 + i), "type": "Reply" if i % 2 else "Default", "timestamp": f"2022-07-18T10:{i:02d}:00+00:00",
     "content": f"message {i}", "author": {"id": str(i % 3), "name": f"user{i % 3}", "discriminator": "0000"},
     "reactions": [], "mentions": [], "reference": {"messageId": str(99 + i)}}
    for i in range(6)
]
VALID_DCE_TEXT = dce_document(VALID_DCE)
DCE_ITEM_ENDS = []
_search_from = VALID_DCE_TEXT.index('"messages"')
for _message in VALID_DCE:
    _block = json.dumps(_message, indent=2).replace("\n", "\n    ")
    _start = VALID_DCE_TEXT.index(_block, _search_from)
    DCE_ITEM_ENDS.append(_start + len(_block))
    _search_from = _start + len(_block)
MESSAGES_START = VALID_DCE_TEXT.index("[", VALID_DCE_TEXT.index('"messages"'))


@SETTINGS
@given(st.integers(0, len(VALID_DCE_TEXT)))
def test_truncated_dce_json_gives_up_every_complete_message(cut):
    text = VALID_DCE_TEXT[:cut]
    if cut <= MESSAGES_START:
        try:
            parse_dce_json(text, SOURCE)
        except ArchiveError as err:
            assert err.path == SOURCE and err.position is not None
            return
        raise AssertionError("a file cut before its messages must raise ArchiveError")
    result = parse_dce_json(text, SOURCE)
    check(result)
    complete = sum(end <= cut for end in DCE_ITEM_ENDS)
    assert result.imported == complete
    assert result.quarantined == (0 if cut == len(VALID_DCE_TEXT) else 1)
    if result.quarantined:
        assert result.quarantine["reason"][0].startswith(("truncated JSON", "invalid JSON after the messages array"))
        assert result.quarantine["source_record"][0] == complete


NEW_HEADER = "AuthorID,Author,Date,Content,Attachments,Reactions\n"
OLD_HEADER = "AuthorID;Author;Date;Content;Attachments;Reactions;\n"
csv_cell = st.sampled_from(['"', '""', ",", ";", "\n", "14-May-20 03:45 PM", "2020-05-14T15:45:43+00:00", "Ann#0420",
                            "👍 (3)", "(99999999999)", "\ud800", ""]) | st.text(max_size=10)


@SETTINGS
@given(st.sampled_from([NEW_HEADER, OLD_HEADER]),
       st.lists(st.lists(csv_cell, max_size=8), max_size=6), st.sampled_from([",", ";"]))
def test_parse_dce_csv_takes_garbled_rows(header, rows, delimiter):
    text = header + "\n".join(delimiter.join(row) for row in rows)
    check(parse_dce_csv(text, SOURCE))


@SETTINGS
@given(st.text(max_size=200))
def test_parse_dce_csv_takes_any_text(text):
    try:
        result = parse_dce_csv(text, SOURCE)
    except ArchiveError as err:
        assert err.path == SOURCE and err.position == 1
    else:
        check(result)


VALID_CSV = NEW_HEADER + "".join(
    f'"{i % 3}","user{i % 3}","2020-05-14T15:{i:02d}:43.000+00:00","message, {i}\nline two","","👍 ({i})"\n'
    for i in range(5)
)


@SETTINGS
@given(st.integers(0, len(VALID_CSV)))
def test_truncated_dce_csv(cut):
    try:
        result = parse_dce_csv(VALID_CSV[:cut], SOURCE)
    except ArchiveError as err:  # cut inside the header
        assert cut < len(NEW_HEADER) and err.position == 1
        return
    check(result)
    assert result.imported <= 5
    if cut == len(VALID_CSV):
        assert (result.imported, result.quarantined) == (5, 0)
