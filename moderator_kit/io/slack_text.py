"""Slack message text: the user directory, mrkdwn rendered as plain text, and the markup of a message.

Slack writes mentions, channels and links as ``<...>`` tokens and escapes ``&``, ``<`` and ``>``;
:func:`render_slack_text` turns them into readable text and collects the mentions, hashtags and URLs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from moderator_kit.io.base import HASHTAG_PATTERN, as_dict, as_list, nonblank_str

__all__ = [
    "SlackText",
    "slack_user_directory",
    "render_slack_text",
    "message_markup",
]

_TOKEN = re.compile(r"<([^<>\n]*)>")
_HASHTAG = re.compile(HASHTAG_PATTERN)
_WHITESPACE = re.compile(r"\s+")


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
