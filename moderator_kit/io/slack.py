"""Slack workspace exports: a folder (or a .zip) with one folder per channel and one JSON file per day.

Layout::

    export/
      channels.json          optional: [{"id": "C2WR8BJ49", "name": "lang-go", ...}]
      users.json             optional: [{"id": "U2WPLA0KA", "name": "smoya", "real_name": ..., "profile": {...}}]
      general/2020-05-14.json   a JSON array of message objects
      general/2020-05-15.json

Choices (see ``docs/formats/slack.md``):

* ``message_id`` is ``'<channel id>:<ts>'`` (the channel id from ``channels.json``, else the folder name), because a
  Slack ``ts`` is only unique inside one channel.
* A message whose ``thread_ts`` differs from its ``ts`` is a ``reply`` to ``'<channel>:<thread_ts>'``; every message
  of a thread (the parent included) gets ``conversation_id = '<channel>:<thread_ts>'``.
* Handles are the lower-cased Slack user name (``users.json`` ``name``, else the ``user_profile.name`` embedded in
  messages, else the user id lower-cased). ``author_name`` is the real name, else the display name.
* System messages (joins, leaves, topic changes, ...) are quarantined with reason ``'system message (<subtype>)'``:
  they are counted, never silently dropped, and they are not conversation.
* ``like_count`` is the sum of the reaction counts (0 when there are none); ``reply_count`` is Slack's own.

Examples
--------
>>> users = slack_user_directory([{"id": "U1", "name": "Ann", "real_name": "Ann Lee"}])
>>> msgs = [
...     {"type": "message", "user": "U1", "ts": "1589471143.000200", "text": "Q1 hi <@U2|bob>",
...      "thread_ts": "1589471143.000200", "reply_count": 1},
...     {"type": "message", "user": "U2", "ts": "1589471150.000100", "text": "A1 yes",
...      "thread_ts": "1589471143.000200", "parent_user_id": "U1"},
...     {"type": "message", "subtype": "channel_join", "user": "U3", "ts": "1589471100.000000",
...      "text": "<@U3> has joined the channel"},
... ]
>>> result = parse_slack_messages(msgs, "general", users, "general/2020-05-14.json", channel_id="C1")
>>> result.messages.select("message_id", "kind", "author_handle", "reply_to_author_handle", "mentions").rows()
[('C1:1589471143.000200', 'post', 'ann', None, ['bob']), ('C1:1589471150.000100', 'reply', 'u2', 'ann', [])]
>>> result.quarantine["reason"].to_list()
['system message (channel_join)']
"""

from __future__ import annotations

import json
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import orjson
import polars as pl

from moderator_kit.errors import ArchiveError
from moderator_kit.io.base import (
    HASHTAG_PATTERN,
    FormatSpec,
    MessageRows,
    ParseResult,
    QuarantineLog,
    append_storable,
    as_dict,
    as_list,
    finalize,
    iter_json_array_items,
    nonblank_str,
    reaction_total,
    read_archive_text,
    storable,
    utc_or_none,
)

__all__ = [
    "FORMATS",
    "SOURCE_FORMAT",
    "SYSTEM_SUBTYPES",
    "SlackText",
    "slack_user_directory",
    "render_slack_text",
    "message_markup",
    "parse_slack_messages",
    "parse_slack_day",
    "read_slack_day",
    "read_slack_export",
    "sniff_slack_export",
    "sniff_slack_day",
]

SOURCE_FORMAT = "slack"

#: Subtypes that are events, not conversation. They are quarantined as ``'system message (<subtype>)'``.
#: Every other subtype (``thread_broadcast``, ``bot_message``, ``me_message``, ``file_share``, ...) is imported.
SYSTEM_SUBTYPES = frozenset(
    {
        "channel_join", "channel_leave", "channel_topic", "channel_purpose", "channel_name", "channel_archive",
        "channel_unarchive", "channel_convert_to_private", "channel_convert_to_public", "group_join",
        "group_leave", "group_topic", "group_purpose", "group_name", "group_archive", "group_unarchive",
        "pinned_item", "unpinned_item", "bot_add", "bot_remove", "bot_enable", "bot_disable", "tombstone",
        "reminder_add", "slackbot_response", "sh_room_created", "sh_room_shared", "huddle_thread",
        "channel_posting_permissions", "app_conversation_join", "joiner_notification",
        "joiner_notification_for_inviter",
    }
)

_DAY_FILE = re.compile(r"^\d{4}-\d{2}-\d{2}\.json$")
_TOKEN = re.compile(r"<([^<>\n]*)>")
_TS = re.compile(r"^\d{9,10}(?:\.\d{1,9})?$")  # epoch seconds (1973..2286), as Slack writes them
_HASHTAG = re.compile(HASHTAG_PATTERN)
_WHITESPACE = re.compile(r"\s+")
_DECODER = json.JSONDecoder()
_CHANNEL_LISTS = ("channels.json", "groups.json", "mpims.json", "dms.json")
_MEMBER_ERRORS = (OSError, zipfile.BadZipFile, KeyError, RuntimeError, EOFError, NotImplementedError, zlib.error)


def _unescape(text: str) -> str:
    """Undo Slack's three escapes (only ``&``, ``<`` and ``>`` are escaped in message text)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _handle(value: Any) -> str | None:
    """A handle from a Slack name: lower-cased, no leading ``@``, inner whitespace as ``_``."""
    if not isinstance(value, str):
        return None
    value = _WHITESPACE.sub("_", value.strip().lstrip("@").strip()).lower()
    return value or None


@dataclass(frozen=True)
class SlackText:
    """Slack message text made readable, with what it mentions and links to."""

    text: str
    mentions: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)


def slack_user_directory(
    users_json: Iterable[Any] | None = None, messages: Iterable[Any] = ()
) -> dict[str, dict[str, str | None]]:
    """Map Slack user ids to ``{"handle": ..., "name": ...}``.

    ``users.json`` entries win; ``user_profile`` objects embedded in messages fill the gaps (real exports often
    lack ``users.json``). Entries that are not objects, or lack an id or a name, are ignored.

    >>> d = slack_user_directory(
    ...     [{"id": "U1", "name": "Ann", "profile": {"display_name": "annie"}}],
    ...     [{"user": "U2", "user_profile": {"name": "bob", "real_name": "Bob B"}},
    ...      {"user": "U1", "user_profile": {"name": "x"}}])
    >>> d["U1"], d["U2"]
    ({'handle': 'ann', 'name': 'annie'}, {'handle': 'bob', 'name': 'Bob B'})
    """
    directory: dict[str, dict[str, str | None]] = {}
    for user in users_json or ():
        if not isinstance(user, dict) or not isinstance(user.get("id"), str):
            continue
        profile = as_dict(user.get("profile"))
        handle = _handle(user.get("name"))
        if handle is None:
            continue
        name = (
            nonblank_str(user.get("real_name"))
            or nonblank_str(profile.get("real_name"))
            or nonblank_str(profile.get("display_name"))
        )
        directory[user["id"]] = {"handle": handle, "name": name}
    for message in messages:
        if not isinstance(message, dict):
            continue
        user_id, profile = message.get("user"), message.get("user_profile")
        if not isinstance(user_id, str) or user_id in directory or not isinstance(profile, dict):
            continue
        handle = _handle(profile.get("name")) or _handle(profile.get("display_name"))
        if handle is None:
            continue
        name = nonblank_str(profile.get("real_name")) or nonblank_str(profile.get("display_name"))
        directory[user_id] = {"handle": handle, "name": name}
    return directory


def _resolve_user(user_id: str, users: Mapping[str, Mapping[str, Any]], label: str | None = None) -> str:
    entry = users.get(user_id)
    handle = _handle(entry.get("handle")) if isinstance(entry, Mapping) else None
    return handle or _handle(label) or user_id.lower()


def render_slack_text(
    text: str,
    users: Mapping[str, Mapping[str, Any]] | None = None,
    channels: Mapping[str, str] | None = None,
) -> SlackText:
    """Turn Slack's markup into readable text and pull out mentions, URLs and hashtags.

    * ``<@U123>`` / ``<@U123|ann>`` -> ``@handle`` (from ``users``, else the label, else the id lower-cased);
    * ``<#C123|general>`` -> ``#general`` (a channel link, not a hashtag);
    * ``<https://x.io|label>`` -> ``label (https://x.io)``; ``<https://x.io>`` and ``<https://x.io|x.io>`` -> the URL
      or the label alone; the URL goes to ``urls``;
    * ``<!here>`` -> ``@here``; ``<!subteam^S1|@team>`` and ``<!date^...|fallback>`` -> their label;
    * ``&lt;``, ``&gt;``, ``&amp;`` are unescaped.

    >>> r = render_slack_text("hi <@U1> see <https://x.io/a|the doc> in <#C9|general> #JobChat &amp; <!here>",
    ...                       {"U1": {"handle": "ann"}})
    >>> r.text
    'hi @ann see the doc (https://x.io/a) in #general #JobChat & @here'
    >>> r.mentions, r.urls, r.hashtags
    (['ann'], ['https://x.io/a'], ['jobchat'])
    """
    users = users or {}
    channels = channels or {}
    mentions: list[str] = []
    urls: list[str] = []
    plain: list[str] = []  # text outside tokens, for hashtags (channel links are not hashtags)

    def replace(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        label = _unescape(label)
        if target.startswith("@"):
            handle = _resolve_user(target[1:], users, label)
            if handle not in mentions:
                mentions.append(handle)
            return f"@{handle}"
        if target.startswith("#"):
            name = label or channels.get(target[1:]) or target[1:].lower()
            return f"#{name}"
        if target.startswith("!"):
            if label:
                return label
            keyword = target[1:].split("^", 1)[0]
            return f"@{keyword}" if keyword in {"here", "channel", "everyone"} else keyword
        url = _unescape(target)
        if url.lower().startswith("mailto:"):
            return label or url[7:]
        if url.lower().startswith(("http://", "https://")) and url not in urls:
            urls.append(url)
        if not label or label == url or url.split("://", 1)[-1].rstrip("/") == label.rstrip("/"):
            return label or url
        return f"{label} ({url})"

    last = 0
    for match in _TOKEN.finditer(text):
        plain.append(text[last:match.start()])
        last = match.end()
    plain.append(text[last:])
    rendered = _unescape(_TOKEN.sub(replace, text))
    hashtags: list[str] = []
    for piece in plain:
        for tag in _HASHTAG.findall(_unescape(piece)):
            tag = tag.lower()
            if tag not in hashtags:
                hashtags.append(tag)
    return SlackText(rendered, mentions, urls, hashtags)


def message_markup(message: Mapping[str, Any], text: str | None = None) -> str:
    """The Slack markup that carries a message's words, before :func:`render_slack_text`.

    * a ``file_comment`` (old exports): the comment itself (``comment.comment``), not the "commented on" notice;
    * a message whose ``text`` is blank (bot and app posts): its ``blocks``, else its ``attachments`` (``pretext``,
      ``title`` linked to ``title_link``, ``text``, ``fields``; ``fallback`` when they give nothing);
    * otherwise ``text``.

    >>> message_markup({"text": "", "attachments": [{"title": "rage", "title_link": "https://g.co/1",
    ...                                              "fallback": "giphy: https://g.co/1"}]})
    '<https://g.co/1|rage>'
    >>> message_markup({"text": "", "blocks": [{"type": "rich_text", "elements": [{"type": "rich_text_section",
    ...     "elements": [{"type": "text", "text": "Q1 "}, {"type": "user", "user_id": "U1"}]}]}]})
    'Q1 <@U1>'
    >>> message_markup({"subtype": "file_comment", "text": "<@U1> commented on a file: yes",
    ...                 "comment": {"user": "U1", "comment": "A1 yes #chat"}})
    'A1 yes #chat'
    """
    text = message.get("text", "") if text is None else text
    text = text if isinstance(text, str) else ""
    if message.get("subtype") == "file_comment":
        comment = nonblank_str(as_dict(message.get("comment")).get("comment"))
        if comment is not None:
            return comment
    if text.strip():
        return text
    return _blocks_markup(message.get("blocks")) or _attachments_markup(message.get("attachments")) or text


def _attachments_markup(attachments: Any) -> str:
    parts: list[str] = []
    for attachment in attachments if isinstance(attachments, list) else ():
        attachment = as_dict(attachment)
        found: list[str] = []
        for key in ("pretext", "title", "text"):
            value = nonblank_str(attachment.get(key))
            if value is None:
                continue
            link = nonblank_str(attachment.get("title_link")) if key == "title" else None
            found.append(f"<{link}|{value}>" if link and "|" not in value and ">" not in value else value)
        for item in attachment.get("fields") if isinstance(attachment.get("fields"), list) else ():
            item = as_dict(item)
            pair = [v for v in (nonblank_str(item.get("title")), nonblank_str(item.get("value"))) if v]
            if pair:
                found.append(": ".join(pair))
        if not found and nonblank_str(attachment.get("fallback")):
            found.append(attachment["fallback"])
        parts.extend(found)
    return "\n".join(parts)


def _rich_text(element: Any) -> str:
    """One element of a ``rich_text`` block as Slack markup."""
    element = as_dict(element)
    kind = element.get("type")
    if isinstance(element.get("elements"), list):  # sections, lists, quotes, preformatted
        inner = "".join(_rich_text(child) for child in element["elements"])
        return inner + "\n" if kind in ("rich_text_list", "rich_text_preformatted", "rich_text_quote") else inner
    if kind == "text":
        return str(element.get("text") or "")
    if kind == "user" and nonblank_str(element.get("user_id")):
        return f"<@{element['user_id']}>"
    if kind == "channel" and nonblank_str(element.get("channel_id")):
        return f"<#{element['channel_id']}>"
    if kind == "link" and nonblank_str(element.get("url")):
        label = nonblank_str(element.get("text"))
        return f"<{element['url']}|{label}>" if label else f"<{element['url']}>"
    if kind == "emoji" and nonblank_str(element.get("name")):
        return f":{element['name']}:"
    if kind == "broadcast" and nonblank_str(element.get("range")):
        return f"<!{element['range']}>"
    return ""


def _blocks_markup(blocks: Any) -> str:
    parts: list[str] = []
    for block in blocks if isinstance(blocks, list) else ():
        block = as_dict(block)
        kind = block.get("type")
        if kind == "rich_text":
            parts.append("".join(_rich_text(element) for element in as_list(block.get("elements"))).strip())
        elif kind in ("section", "header"):
            parts.append(str(as_dict(block.get("text")).get("text") or ""))
            parts.extend(str(as_dict(item).get("text") or "") for item in as_list(block.get("fields")))
        elif kind == "context":
            parts.extend(str(as_dict(item).get("text") or "") for item in as_list(block.get("elements")))
    return "\n".join(part for part in parts if part.strip())


def _ts_text(value: Any) -> str | None:
    """A Slack ``ts`` as its canonical string, or ``None`` if it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        if value != value or not 1e8 <= value < 1e10:  # NaN, or not epoch seconds
            return None
        value = f"{value:.6f}"
    if isinstance(value, str) and _TS.match(value.strip()):
        return value.strip()
    return None


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


class _Parser:
    """Per-file state: the rows and quarantine of one day file."""

    def __init__(self, channel: str, channel_key: str, users: Mapping, channels: Mapping, rows: MessageRows,
                 bad: QuarantineLog):
        self.source_file = bad.source_file
        self.channel = channel
        self.key = channel_key
        self.users = users
        self.channels = channels
        self.rows = rows
        self.bad = bad

    def author(self, message: dict) -> tuple[str | None, str | None, str | None, str | None]:
        """``(author_id, handle, name, source_app)`` of a message.

        A ``file_comment`` (old exports) has no ``user``: its author is ``comment.user``.
        """
        user_id = message.get("user") if isinstance(message.get("user"), str) and message.get("user") else None
        if user_id is None and message.get("subtype") == "file_comment":
            user_id = nonblank_str(as_dict(message.get("comment")).get("user"))
        profile = as_dict(message.get("user_profile"))
        bot_profile = as_dict(message.get("bot_profile"))
        bot_id = message.get("bot_id") if isinstance(message.get("bot_id"), str) else None
        bot_name = nonblank_str(bot_profile.get("name")) or nonblank_str(message.get("username"))
        entry = as_dict(self.users.get(user_id)) if user_id else {}
        # A user id wins over a bot name so that the author and ``<@U…>`` mentions of them get the same handle
        # (a human posting through an app such as giphy carries the app's bot_profile too).
        handle = (
            _handle(profile.get("name"))
            or _handle(entry.get("handle"))
            or (user_id.lower() if user_id else None)
            or _handle(bot_name)
            or (bot_id.lower() if bot_id else None)
        )
        name = (
            nonblank_str(profile.get("real_name"))
            or nonblank_str(profile.get("display_name"))
            or nonblank_str(entry.get("name"))
            or bot_name
        )
        source_app = bot_name if (bot_id or message.get("subtype") == "bot_message") else None
        return user_id or bot_id, handle, name, source_app

    def parent_author(self, message: dict, thread_ts: str, local: Mapping[str, tuple[str | None, str | None]]):
        parent_id = message.get("parent_user_id")
        if not isinstance(parent_id, str) or not parent_id:
            parent_id = as_dict(message.get("root")).get("user")
            parent_id = parent_id if isinstance(parent_id, str) and parent_id else None
        if parent_id is None:
            return local.get(thread_ts, (None, None))
        local_id, local_handle = local.get(thread_ts, (None, None))
        if local_id == parent_id and local_handle:
            return parent_id, local_handle
        return parent_id, _resolve_user(parent_id, self.users)

    def add(self, index: int, message: Any, local: Mapping[str, tuple[str | None, str | None]]) -> None:
        if not isinstance(message, dict):
            self.bad.add(index, f"not a message object ({type(message).__name__})", message)
            return
        subtype = message.get("subtype")
        if subtype is not None and not isinstance(subtype, str):
            self.bad.add(index, "subtype is not a string", message)
            return
        if subtype in SYSTEM_SUBTYPES:
            self.bad.add(index, storable(f"system message ({subtype})"), message)
            return
        kind_field = message.get("type", "message")
        if kind_field != "message":
            self.bad.add(index, f"not a message (type {kind_field!r})", message)
            return
        ts = _ts_text(message.get("ts"))
        created = utc_or_none(ts) if ts else None
        if created is None:
            self.bad.add(index, "missing or invalid ts (Slack message timestamp)", message)
            return
        raw_text = message.get("text", "")
        if raw_text is None:
            raw_text = ""
        if not isinstance(raw_text, str):
            self.bad.add(index, "text is not a string", message)
            return
        author_id, handle, name, source_app = self.author(message)
        if handle is None:
            self.bad.add(index, "no author (neither user nor bot id)", message)
            return
        rendered = render_slack_text(message_markup(message, raw_text), self.users, self.channels)
        thread_ts = _ts_text(message.get("thread_ts"))
        message_id = f"{self.key}:{ts}"
        conversation_id = f"{self.key}:{thread_ts}" if thread_ts else None
        reply_to = reply_author_id = reply_author_handle = None
        kind = "post"
        if thread_ts and thread_ts != ts:
            kind = "reply"
            reply_to = f"{self.key}:{thread_ts}"
            reply_author_id, reply_author_handle = self.parent_author(message, thread_ts, local)
        append_storable(
            self.rows,
            index,
            platform="slack",
            channel=self.channel,
            message_id=message_id,
            conversation_id=conversation_id,
            author_id=author_id,
            author_handle=handle,
            author_name=name,
            created_at=created,
            text=rendered.text,
            kind=kind,
            reply_to_message_id=reply_to,
            reply_to_author_id=reply_author_id,
            reply_to_author_handle=reply_author_handle,
            mentions=rendered.mentions,
            hashtags=rendered.hashtags,
            urls=rendered.urls,
            like_count=reaction_total(message.get("reactions")),
            reply_count=_count(message.get("reply_count")),
            source_app=source_app,
            source_file=self.source_file,
        )


def _local_authors(messages: Iterable[Any], parser: _Parser) -> dict[str, tuple[str | None, str | None]]:
    """``ts -> (author_id, handle)`` for the messages of one file (to resolve reply parents found there)."""
    found: dict[str, tuple[str | None, str | None]] = {}
    for message in messages:
        if isinstance(message, dict):
            ts = _ts_text(message.get("ts"))
            if ts:
                author_id, handle, _, _ = parser.author(message)
                found[ts] = (author_id, handle)
    return found


def _parse_items(
    items: Iterable[tuple[int, Any, str | None]],
    channel: str,
    users: Mapping,
    source_file: str,
    channel_id: str | None,
    channels: Mapping[str, str] | None,
    rows: MessageRows | None = None,
) -> tuple[MessageRows, QuarantineLog]:
    """Parse decoded items into ``rows`` (a new accumulator unless one is shared across files)."""
    rows = rows if rows is not None else MessageRows(source_file, SOURCE_FORMAT)
    bad = QuarantineLog(source_file, SOURCE_FORMAT)
    parser = _Parser(channel, channel_id or channel, users or {}, channels or {}, rows, bad)
    items = list(items)
    local = _local_authors((item for _, item, error in items if error is None), parser)
    for index, item, error in items:
        if error is not None:
            bad.add(index, error)
        else:
            parser.add(index, item, local)
    return rows, bad


def parse_slack_messages(
    messages: list[Any],
    channel: str,
    users: Mapping[str, Mapping[str, Any]],
    source_file: str,
    *,
    channel_id: str | None = None,
    channels: Mapping[str, str] | None = None,
) -> ParseResult:
    """Parse the message objects of one Slack day file.

    Parameters
    ----------
    messages
        The decoded JSON array of the day file.
    channel
        The channel name (the folder name).
    users
        ``user id -> {"handle", "name"}`` from :func:`slack_user_directory`, used for authors without an embedded
        ``user_profile``, for ``<@U…>`` mentions and for thread parents.
    source_file
        Where the messages came from (recorded on every row and quarantine entry).
    channel_id
        The channel id from ``channels.json``; message ids are ``'<channel_id or channel>:<ts>'``.
    channels
        ``channel id -> name``, for ``<#C…>`` links without a label.

    Returns
    -------
    ParseResult
        ``source_record`` is the 0-based index of the message in the array.

    Examples
    --------
    >>> r = parse_slack_messages([{"type": "message", "user": "U1", "ts": "1589471143.000200", "text": "hi",
    ...                            "reactions": [{"name": "+1", "count": 2}, {"name": "tada", "count": 1}]}, 7],
    ...                          "general", {}, "g.json")
    >>> r.messages.select("message_id", "author_handle", "like_count", "reply_count").row(0)
    ('general:1589471143.000200', 'u1', 3, 0)
    >>> r.quarantine.select("source_record", "reason").row(0)
    (1, 'not a message object (int)')
    """
    if not isinstance(messages, list):
        bad = QuarantineLog(source_file, SOURCE_FORMAT)
        bad.add(0, f"day file is not a JSON array ({type(messages).__name__})", messages)
        return finalize(MessageRows(source_file, SOURCE_FORMAT), bad, fill_entities=False)
    rows, bad = _parse_items(
        ((i, m, None) for i, m in enumerate(messages)), channel, users, source_file, channel_id, channels
    )
    return finalize(rows, bad, fill_entities=False)


def _decode_day(text: str) -> Iterator[tuple[int, Any, str | None]]:
    """Items of a day file; a broken file gives up its complete messages, then one error for the rest."""
    try:
        document = orjson.loads(text)
    except orjson.JSONDecodeError:
        document = None
    else:
        if isinstance(document, list):
            yield from ((i, m, None) for i, m in enumerate(document))
        else:
            yield 0, None, f"day file is not a JSON array ({type(document).__name__})"
        return
    try:  # the standard library also accepts NaN / Infinity, which orjson refuses
        document = json.loads(text)
    except (ValueError, RecursionError):
        pass
    else:
        if isinstance(document, list):
            yield from ((i, m, None) for i, m in enumerate(document))
        else:
            yield 0, None, f"day file is not a JSON array ({type(document).__name__})"
        return
    if not text.strip():
        yield 0, None, "day file is empty"
        return
    if not text.lstrip().startswith("["):
        yield 0, None, "day file is not valid JSON (expected an array of messages)"
        return
    count = 0
    try:
        for index, item, error in iter_json_array_items(text):
            count = index + 1
            yield index, item, error
            if error is not None:
                return
    except RecursionError:
        yield count, None, f"JSON nested too deeply at item {count}"
        return
    # Every item decoded, yet the file is not valid JSON: either the array never closes, or something follows it.
    try:
        _, end = _DECODER.raw_decode(text, text.index("["))
    except (ValueError, RecursionError):
        yield count, None, f"truncated JSON: the file ends at character {len(text)} before the array closes"
    else:
        yield count, None, f"unexpected data after the JSON array of messages (from character {end})"


def parse_slack_day(
    text: str,
    channel: str,
    users: Mapping[str, Mapping[str, Any]],
    source_file: str,
    *,
    channel_id: str | None = None,
    channels: Mapping[str, str] | None = None,
) -> ParseResult:
    """Parse the text of one Slack day file, recovering the complete messages of a broken or truncated file.

    The incomplete tail is quarantined with its index and the character position where it starts.

    >>> text = '[{"type": "message", "user": "U1", "ts": "1589471143.000200", "text": "hi"}, {"type": "mess'
    >>> r = parse_slack_day(text, "general", {}, "general/2020-05-14.json")
    >>> r.imported, r.quarantine.select("source_record", "reason").row(0)
    (1, (1, 'truncated JSON: item 1 starting at character 77 is incomplete'))
    """
    rows, bad = _parse_items(_decode_day(storable(text)), channel, users, source_file, channel_id, channels)
    return finalize(rows, bad, fill_entities=False)


# --------------------------------------------------------------------------------------------------- file access


class _Source:
    """A Slack export on disk: a folder or a zip, with members addressed by relative POSIX paths."""

    def __init__(self, path: Path):
        self.path = path
        self.zip: zipfile.ZipFile | None = None
        self.prefix = ""
        if path.is_dir():
            self.names = None
        else:
            try:
                self.zip = zipfile.ZipFile(path)
                names = [n for n in self.zip.namelist() if not n.endswith("/")]
            except (zipfile.BadZipFile, OSError, ValueError) as err:
                raise ArchiveError(f"cannot open the Slack export zip ({err})", path=str(path)) from None
            self.names = names

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()

    def label(self, member: str) -> str:
        """The ``source_file`` recorded for a member."""
        if self.zip is not None:
            return f"{self.path}!{member}"
        return str(self.path / member)

    def read(self, member: str) -> str:
        if self.zip is not None:
            data = self.zip.read(member)
        else:
            data = (self.path / member).read_bytes()
        return data.decode("utf-8-sig", errors="replace")

    def day_files(self) -> list[tuple[str, str]]:
        """``(channel folder name, member path)`` of every day file, sorted."""
        found: list[tuple[str, str]] = []
        if self.zip is not None:
            for name in self.names:
                parts = PurePosixPath(name).parts
                if len(parts) >= 2 and _DAY_FILE.match(parts[-1]) and not parts[0].startswith("__MACOSX"):
                    found.append((parts[-2], name))
        else:
            for folder in self.path.iterdir():
                if folder.is_dir() and not folder.name.startswith("."):
                    for day in folder.iterdir():
                        if day.is_file() and _DAY_FILE.match(day.name):
                            found.append((folder.name, f"{folder.name}/{day.name}"))
        return sorted(found, key=lambda pair: pair[1])

    def top_file(self, name: str) -> str | None:
        """The member path of ``channels.json`` etc. (the shallowest one in a zip), or ``None``."""
        if self.zip is None:
            return name if (self.path / name).is_file() else None
        matches = [n for n in self.names if PurePosixPath(n).name == name and "__MACOSX" not in n]
        return min(matches, key=lambda n: n.count("/")) if matches else None


def _read_list(source: _Source, member: str, bad: list[QuarantineLog]) -> list[Any]:
    """A top-level list file (``users.json``, ``channels.json``); a broken one is quarantined, not fatal."""
    try:
        value = orjson.loads(source.read(member))
    except (orjson.JSONDecodeError, *_MEMBER_ERRORS) as err:
        log = QuarantineLog(source.label(member), SOURCE_FORMAT)
        log.add(0, f"{PurePosixPath(member).name} is not valid JSON ({err}); names are taken from the messages")
        bad.append(log)
        return []
    if not isinstance(value, list):
        log = QuarantineLog(source.label(member), SOURCE_FORMAT)
        log.add(0, f"{PurePosixPath(member).name} is not a JSON array; it was ignored")
        bad.append(log)
        return []
    return value


def _channel_maps(source: _Source, bad: list[QuarantineLog]) -> tuple[dict[str, str], dict[str, str]]:
    """``(name -> id, id -> name)`` from channels.json, groups.json, mpims.json and dms.json."""
    name_to_id: dict[str, str] = {}
    id_to_name: dict[str, str] = {}
    for list_name in _CHANNEL_LISTS:
        member = source.top_file(list_name)
        if member is None:
            continue
        for entry in _read_list(source, member, bad):
            entry = as_dict(entry)
            channel_id, name = entry.get("id"), entry.get("name")
            if isinstance(channel_id, str) and channel_id:
                if isinstance(name, str) and name:
                    name_to_id.setdefault(name, channel_id)
                    id_to_name.setdefault(channel_id, name)
                else:
                    name_to_id.setdefault(channel_id, channel_id)
    return name_to_id, id_to_name


def _load_day(source: _Source, member: str) -> tuple[str | None, str | None]:
    try:
        return storable(source.read(member)), None
    except _MEMBER_ERRORS as err:
        return None, f"cannot read the day file ({err})"


def _profiles_in(text: str) -> list[Any]:
    """Messages of a day file that carry a ``user_profile`` (first pass: build the user directory)."""
    return [item for _, item, error in _decode_day(text) if error is None and isinstance(item, dict)
            and "user_profile" in item]


def _fill_parents(messages: pl.DataFrame) -> pl.DataFrame:
    """Fill a reply's missing parent author from the parent message when the parent is in the export."""
    parents = messages.select(
        pl.col("message_id").alias("reply_to_message_id"),
        pl.col("author_id").alias("_parent_id"),
        pl.col("author_handle").alias("_parent_handle"),
    ).unique(subset="reply_to_message_id", keep="first")
    return (
        messages.join(parents, on="reply_to_message_id", how="left", maintain_order="left")
        .with_columns(
            pl.when(pl.col("reply_to_author_id").is_null() & pl.col("reply_to_author_handle").is_null())
            .then(pl.col("_parent_id"))
            .otherwise(pl.col("reply_to_author_id"))
            .alias("reply_to_author_id"),
            pl.coalesce("reply_to_author_handle", "_parent_handle").alias("reply_to_author_handle"),
        )
        .drop("_parent_id", "_parent_handle")
    )


def read_slack_export(path: Path | str) -> ParseResult:
    """Read a Slack workspace export: a folder, or a ``.zip`` read in place (members are never extracted).

    ``source_file`` is the day file's path, or ``'archive.zip!channel/2020-05-14.json'`` for a zip.

    Raises
    ------
    ArchiveError
        If the path is neither a folder nor a zip, or holds no channel folder of ``YYYY-MM-DD.json`` day files.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> (root / "general").mkdir()
    >>> _ = (root / "channels.json").write_text(json.dumps([{"id": "C1", "name": "general"}]))
    >>> _ = (root / "general" / "2020-05-14.json").write_text(json.dumps([
    ...     {"type": "message", "user": "U1", "ts": "1589471143.000200", "text": "Q1",
    ...      "user_profile": {"name": "ann", "real_name": "Ann"}},
    ...     {"type": "message", "user": "U2", "ts": "1589471150.000100", "text": "A1 <@U1>",
    ...      "thread_ts": "1589471143.000200"}]))
    >>> r = read_slack_export(root)
    >>> r.messages.select("message_id", "kind", "reply_to_author_handle", "mentions").rows()
    [('C1:1589471143.000200', 'post', None, []), ('C1:1589471150.000100', 'reply', 'ann', ['ann'])]
    """
    path = Path(path)
    if not path.exists():
        raise ArchiveError("no such file or folder; check the path", path=str(path))
    if not path.is_dir() and not zipfile.is_zipfile(path):
        raise ArchiveError("not a Slack export: expected a folder or a .zip of one", path=str(path))
    source = _Source(path)
    try:
        return _read_source(source)
    finally:
        source.close()


def _read_source(source: _Source) -> ParseResult:
    days = source.day_files()
    if not days:
        raise ArchiveError(
            "not a Slack export: no channel folders with YYYY-MM-DD.json day files", path=str(source.path)
        )
    logs: list[QuarantineLog] = []
    name_to_id, id_to_name = _channel_maps(source, logs)
    users_member = source.top_file("users.json")
    users_json = _read_list(source, users_member, logs) if users_member else []
    profiles: list[Any] = []
    for _, member in days:  # first pass: the names of everyone who posted
        text, error = _load_day(source, member)
        if error is None:
            profiles.extend(_profiles_in(text))
    users = slack_user_directory(users_json, profiles)
    rows = MessageRows(str(source.path), SOURCE_FORMAT)
    for channel, member in days:  # second pass: parse (reading again keeps memory flat on big exports)
        label = source.label(member)
        text, error = _load_day(source, member)
        if error is not None:
            log = QuarantineLog(label, SOURCE_FORMAT)
            log.add(0, error)
            logs.append(log)
            continue
        _, bad = _parse_items(_decode_day(text), channel, users, label, name_to_id.get(channel), id_to_name, rows)
        logs.append(bad)
    result = finalize(rows, QuarantineLog(str(source.path), SOURCE_FORMAT), fill_entities=False)
    if logs:
        result.quarantine = pl.concat([log.to_frame() for log in logs], how="vertical")
    result.messages = _fill_parents(result.messages)
    result.records_seen += result.quarantine.height
    result.files = [source.label(member) for _, member in days]
    return result


def read_slack_day(path: Path | str) -> ParseResult:
    """Read a single Slack day file; the channel is its folder's name (no ``users.json`` is consulted).

    Raises
    ------
    ArchiveError
        If the file cannot be read.
    """
    path = Path(path)
    text = read_archive_text(path)
    items = list(_decode_day(text))
    users = slack_user_directory(None, [item for _, item, error in items if error is None])
    rows, bad = _parse_items(items, path.parent.name or "slack", users, str(path), None, None)
    return finalize(rows, bad, fill_entities=False)


# ------------------------------------------------------------------------------------------------------- sniffing


def _zip_looks_like_slack(path: Path) -> bool:
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            parts = PurePosixPath(name).parts
            if len(parts) >= 2 and _DAY_FILE.match(parts[-1]) and "__MACOSX" not in name:
                return True
    return False


def sniff_slack_export(path: Path, head: str) -> bool:
    """A folder with channel subfolders of ``YYYY-MM-DD.json`` day files, or a .zip whose members look like that.

    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> sniff_slack_export(root, "")
    False
    >>> (root / "general").mkdir(); _ = (root / "general" / "2020-05-14.json").write_text("[]")
    >>> sniff_slack_export(root, "")
    True
    """
    path = Path(path)
    if path.is_dir():
        for count, child in enumerate(path.iterdir()):
            if count > 2000:
                break
            if child.is_dir() and not child.name.startswith("."):
                if any(_DAY_FILE.match(day.name) for day in child.glob("????-??-??.json")):
                    return True
        return False
    if path.is_file() and (head.startswith("PK") or path.suffix.lower() == ".zip") and zipfile.is_zipfile(path):
        try:
            return _zip_looks_like_slack(path)
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
    return False


_HEAD_TS = re.compile(r'"ts"\s*:\s*"\d{9,12}\.\d+"')
_HEAD_TYPE = re.compile(r'"type"\s*:\s*"message"')


def sniff_slack_day(path: Path, head: str) -> bool:
    """A single ``YYYY-MM-DD.json`` file holding an array of Slack messages (``"type": "message"``, ``"ts"``).

    >>> from pathlib import Path
    >>> sniff_slack_day(Path("general/2020-05-14.json"), '[{"type": "message", "ts": "1589471143.000200"}]')
    True
    >>> sniff_slack_day(Path("general/notes.json"), '[{"type": "message", "ts": "1589471143.000200"}]')
    False
    """
    if not _DAY_FILE.match(Path(path).name) or not head.lstrip().startswith("["):
        return False
    return bool(_HEAD_TS.search(head)) and bool(_HEAD_TYPE.search(head))


FORMATS: list[FormatSpec] = [
    FormatSpec(
        name="slack",
        description="Slack workspace export (folder or .zip: one folder per channel, one JSON file per day)",
        sniff=sniff_slack_export,
        read=read_slack_export,
    ),
    FormatSpec(
        name="slack-day",
        description="One day file of a Slack export (channel/YYYY-MM-DD.json)",
        sniff=sniff_slack_day,
        read=read_slack_day,
    ),
]
