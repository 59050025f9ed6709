"""Slack message objects as canonical rows: threads, replies, authors, reactions and system messages.

:func:`parse_slack_messages` parses a channel's decoded messages and :func:`parse_slack_day` one day file's text;
file access (folders and zips) lives in :mod:`moderator_kit.io.slack`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import orjson

from moderator_kit.io.base import (
    NESTED_TOO_DEEPLY,
    MessageRows,
    ParseResult,
    QuarantineLog,
    append_storable,
    as_dict,
    end_of_json_value,
    finalize,
    iter_json_array_items,
    nonblank_str,
    reaction_total,
    storable,
    utc_or_none,
)
from moderator_kit.io.slack_text import _handle, _resolve_user, message_markup, render_slack_text

__all__ = [
    "SOURCE_FORMAT",
    "SYSTEM_SUBTYPES",
    "parse_slack_messages",
    "parse_slack_day",
]

_TS = re.compile(r"^\d{9,10}(?:\.\d{1,9})?$")  # epoch seconds (1973..2286), as Slack writes them

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
    for index, item, error in iter_json_array_items(text):
        count = index + 1
        yield index, item, error
        if error is not None and not error.startswith(NESTED_TOO_DEEPLY):
            return
    # Every item read, yet the file is not valid JSON: the array never closes, something follows it, or an item was
    # nested too deeply to decode (already reported).
    end = end_of_json_value(text, text.index("["))
    if end is None:
        yield count, None, f"truncated JSON: the file ends at character {len(text)} before the array closes"
    elif text[end:].strip():
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
