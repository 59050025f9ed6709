"""DiscordChatExporter (DCE) exports: JSON, and the two CSV dialects.

* JSON: ``{"guild", "channel", "dateRange", "exportedAt", "messages": [...], "messageCount"}``. The channel comes
  before the messages, so a truncated file still names its channel; every complete message of a truncated file is
  imported and the incomplete tail is quarantined with its index and character position.
* CSV, current dialect: ``AuthorID,Author,Date,Content,Attachments,Reactions`` (comma-separated, quoted).
* CSV, old dialect: ``AuthorID;Author;Date;Content;Attachments;Reactions;`` (semicolons, a trailing one).

Choices (see ``docs/formats/discord.md``):

* ``author_handle`` is the Discord user name lower-cased (whitespace as ``_``), with ``#discriminator`` appended
  for legacy accounts whose discriminator is not ``0000``/``0`` (those names were not unique on their own).
  ``author_name`` is the server nickname, else the user name.
* Type ``Reply`` with a ``reference.messageId`` is a ``reply``; its parent's author is filled when the parent is in
  the same file. ``conversation_id`` is the root of the reply chain within the file (a thread channel's id for a
  thread export).
* System messages (member joins, pins, thread creation, calls, ...) are quarantined as
  ``'system message (<type>)'``.
* ``like_count`` is the sum of the reaction counts. ``reply_count`` is left null (DCE does not record it).
* DCE CSV has no message id: ``message_id`` is derived from the channel, author id, date and a hash of the content
  (see :func:`dce_csv_message_id`), and every CSV row is a ``post`` (the CSV has no reply links).

Examples
--------
>>> doc = '''{"guild": {"id": "1", "name": "G"}, "channel": {"id": "10", "name": "chat"}, "messages": [
...  {"id": "100", "type": "Default", "timestamp": "2022-07-18T10:00:00+00:00", "content": "Q1 hi",
...   "author": {"id": "7", "name": "Ann", "discriminator": "0000", "nickname": "Annie"}, "reactions": [{"count": 2}]},
...  {"id": "101", "type": "Reply", "timestamp": "2022-07-18T10:01:00+00:00", "content": "A1 yes @Annie",
...   "author": {"id": "8", "name": "bob", "discriminator": "0000"},
...   "mentions": [{"id": "7", "name": "Ann"}], "reference": {"messageId": "100"}},
...  {"id": "102", "type": "GuildMemberJoin", "timestamp": "2022-07-18T10:02:00+00:00", "content": "",
...   "author": {"id": "9", "name": "cy"'''
>>> r = parse_dce_json(doc, "chat.json")
>>> r.messages.select("message_id", "kind", "author_handle", "reply_to_author_handle", "mentions", "like_count").rows()
[('100', 'post', 'ann', None, [], 2), ('101', 'reply', 'bob', 'ann', ['ann'], 0)]
>>> r.quarantine.select("source_record", "reason").rows()
[(2, 'truncated JSON: item 2 starting at character 551 is incomplete')]
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson

from moderator_kit.errors import ArchiveError
from moderator_kit.io.base import (
    JSON_DECODER,
    NESTED_TOO_DEEPLY,
    FormatSpec,
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
    read_archive_text,
    storable,
    utc_or_none,
)
from moderator_kit.io.compressed import plain_name

__all__ = [
    "FORMATS",
    "JSON_FORMAT",
    "CSV_FORMAT",
    "CONTENT_TYPES",
    "discord_handle",
    "parse_dce_messages",
    "parse_dce_json",
    "parse_dce_csv",
    "parse_dce_date",
    "dce_csv_message_id",
    "read_dce_json",
    "read_dce_csv",
    "sniff_dce_json",
    "sniff_dce_csv",
]

JSON_FORMAT = "dce-json"
CSV_FORMAT = "dce-csv"

#: Message types that carry conversation. Any other type (``GuildMemberJoin``, ``ChannelPinnedMessage``,
#: ``ThreadCreated``, ``Call``, ``RecipientAdd``, ...) is quarantined as ``'system message (<type>)'``.
CONTENT_TYPES = frozenset({"Default", "Reply", "ApplicationCommand", "ContextMenuCommand", "ThreadStarterMessage"})

_WHITESPACE = re.compile(r"\s+")
_REACTION_COUNT = re.compile(r"\((\d{1,9})\)")
_CSV_COLUMNS = {"AuthorID", "Author", "Date", "Content", "Attachments", "Reactions", ""}
_DECODER = JSON_DECODER  # JSONDecodeError, not RecursionError, on deep nesting
_OLD_DATE_FORMATS = ("%d-%b-%y %I:%M %p", "%d-%b-%Y %I:%M %p", "%d-%b-%y %H:%M", "%m/%d/%Y %I:%M %p",
                     "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")
_FILE_CHANNEL = re.compile(r"^(?:.* - )?(?P<name>[^\[\]]*?)\s*(?:\[(?P<id>\d+)\])?(?:\s*\[part \d+\])?$")


def discord_handle(name: Any, discriminator: Any = None) -> str | None:
    """The handle for a Discord user name.

    Lower-cased, whitespace as ``_``, no leading ``@``; legacy accounts (a discriminator other than ``0000``/``0``)
    keep it as ``name#1234`` because those names alone were not unique.

    >>> discord_handle("Dunks411", "0000"), discord_handle("Tyrrrz", "5447"), discord_handle("Deleted User")
    ('dunks411', 'tyrrrz#5447', 'deleted_user')
    >>> discord_handle("Tyrrrz#5447"), discord_handle(None)
    ('tyrrrz#5447', None)
    """
    if not isinstance(name, str):
        return None
    handle = _WHITESPACE.sub("_", name.strip().lstrip("@").strip()).lower()
    if not handle:
        return None
    if isinstance(discriminator, (str, int)) and not isinstance(discriminator, bool):
        disc = str(discriminator).strip()
        if disc.isdigit() and int(disc) != 0 and "#" not in handle:
            handle = f"{handle}#{disc}"
    return handle


def _message_id(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _parse_json_items(
    items: list[tuple[int, Any, str | None]],
    channel: Mapping[str, Any] | None,
    rows: MessageRows,
    bad: QuarantineLog,
) -> None:
    channel = as_dict(channel)
    channel_name = nonblank_str(channel.get("name")) or _message_id(channel.get("id"))
    channel_type = channel.get("type") if isinstance(channel.get("type"), str) else ""
    thread_id = _message_id(channel.get("id")) if "Thread" in channel_type else None

    # First pass: who wrote what, and which message each reply points to (for parent authors and chains).
    authors: dict[str, tuple[str | None, str | None]] = {}
    parents: dict[str, str] = {}
    for _, message, error in items:
        message = as_dict(message) if error is None else {}
        message_id = _message_id(message.get("id"))
        if message_id is None:
            continue
        author = as_dict(message.get("author"))
        authors.setdefault(message_id, (_message_id(author.get("id")),
                                        discord_handle(author.get("name"), author.get("discriminator"))))
        parent = _message_id(as_dict(message.get("reference")).get("messageId"))
        if message.get("type") == "Reply" and parent:
            parents.setdefault(message_id, parent)

    roots: dict[str, str] = {}

    def root(message_id: str) -> str:
        """The first message of the reply chain (memoised, so long chains stay linear; cycles stop)."""
        path = [message_id]
        seen = {message_id}
        current = message_id
        while current not in roots and current in parents and parents[current] not in seen:
            current = parents[current]
            path.append(current)
            seen.add(current)
        found = roots.get(current, current)
        for step in path:
            roots[step] = found
        return found

    for index, message, error in items:
        if error is not None:
            bad.add(index, error)
            continue
        if not isinstance(message, dict):
            bad.add(index, f"not a message object ({type(message).__name__})", message)
            continue
        kind_field = message.get("type", "Default")
        if not isinstance(kind_field, str):
            bad.add(index, "type is not a string", message)
            continue
        if kind_field not in CONTENT_TYPES:
            bad.add(index, storable(f"system message ({kind_field})"), message)
            continue
        message_id = _message_id(message.get("id"))
        if message_id is None:
            bad.add(index, "missing message id", message)
            continue
        created = utc_or_none(message.get("timestamp"), strings_only=True)
        if created is None:
            bad.add(index, "missing or invalid timestamp", message)
            continue
        author = as_dict(message.get("author"))
        handle = discord_handle(author.get("name"), author.get("discriminator"))
        if handle is None:
            bad.add(index, "missing author name", message)
            continue
        content = message.get("content", "")
        if content is None:
            content = ""
        if not isinstance(content, str):
            bad.add(index, "content is not a string", message)
            continue
        mentions: list[str] = []
        for mention in message.get("mentions") if isinstance(message.get("mentions"), list) else ():
            mention = as_dict(mention)
            mentioned = discord_handle(mention.get("name"), mention.get("discriminator"))
            if mentioned and mentioned not in mentions:
                mentions.append(mentioned)
        kind = "post"
        reply_to = reply_author_id = reply_author_handle = None
        parent = parents.get(message_id)
        if kind_field == "Reply" and parent:
            kind, reply_to = "reply", parent
            reply_author_id, reply_author_handle = authors.get(parent, (None, None))
        append_storable(
            rows,
            index,
            platform="discord",
            channel=channel_name,
            message_id=message_id,
            conversation_id=thread_id or root(message_id),
            author_id=_message_id(author.get("id")),
            author_handle=handle,
            author_name=nonblank_str(author.get("nickname")) or nonblank_str(author.get("name")),
            created_at=created,
            text=content,
            kind=kind,
            reply_to_message_id=reply_to,
            reply_to_author_id=reply_author_id,
            reply_to_author_handle=reply_author_handle,
            mentions=mentions,
            like_count=reaction_total(message.get("reactions")),
            source_app="bot" if author.get("isBot") is True else None,
        )


def parse_dce_messages(
    messages: Iterable[Any], channel: Mapping[str, Any] | None, source_file: str
) -> ParseResult:
    """Parse DCE message objects (the ``messages`` array) of one channel.

    Parameters
    ----------
    messages
        The message objects; ``source_record`` is each one's 0-based index.
    channel
        The export's ``channel`` object (``name`` becomes the ``channel`` column; a thread channel's ``id`` becomes
        the ``conversation_id``).
    source_file
        Recorded on every row and quarantine entry.

    Examples
    --------
    >>> r = parse_dce_messages([{"id": "1", "timestamp": "2022-07-18T10:00:00Z", "content": "hi",
    ...                          "author": {"name": "Ann", "nickname": "Annie", "isBot": False}}, "junk"],
    ...                        {"name": "chat"}, "x.json")
    >>> r.messages.select("channel", "author_handle", "author_name").row(0), r.quarantine["reason"].to_list()
    (('chat', 'ann', 'Annie'), ['not a message object (str)'])
    """
    rows, bad = MessageRows(source_file, JSON_FORMAT), QuarantineLog(source_file, JSON_FORMAT)
    if isinstance(messages, (str, bytes, Mapping)) or not isinstance(messages, Iterable):
        bad.add(0, f"messages is not an array ({type(messages).__name__})", None)
    else:
        _parse_json_items([(i, m, None) for i, m in enumerate(messages)], channel, rows, bad)
    return finalize(rows, bad)


def _top_level(text: str, source_file: str) -> tuple[dict[str, Any], int | None]:
    """Walk the top-level object of a DCE JSON file, stopping at the ``messages`` array.

    Returns the keys decoded before it and the character position of the array (``None`` if there is none).
    Raises :class:`ArchiveError` if the text is not a JSON object or ends before the messages.
    """
    pos = len(text) - len(text.lstrip())
    if not text.startswith("{", pos):
        raise ArchiveError("not a DiscordChatExporter JSON export (expected a JSON object)", path=source_file,
                           position=pos)
    pos += 1
    fields: dict[str, Any] = {}
    length = len(text)
    while True:
        while pos < length and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= length:
            raise ArchiveError("file ends before the messages array (truncated export)", path=source_file,
                               position=pos)
        if text[pos] == "}":
            return fields, None
        try:
            key, pos = _DECODER.raw_decode(text, pos)
            while pos < length and text[pos] in " \t\r\n":
                pos += 1
            if not isinstance(key, str) or pos >= length or text[pos] != ":":
                raise ValueError("expected a key and ':'")
            pos += 1
            while pos < length and text[pos] in " \t\r\n":
                pos += 1
            if key == "messages":
                return fields, pos
            fields[key], pos = _DECODER.raw_decode(text, pos)
        except (ValueError, RecursionError) as err:
            raise ArchiveError(
                f"not a readable DiscordChatExporter JSON export before the messages array ({err})",
                path=source_file, position=pos,
            ) from None


def _recover_items(text: str, start: int) -> list[tuple[int, Any, str | None]]:
    """The items of the array at ``start`` in text that is not valid JSON, ending with one error entry."""
    items: list[tuple[int, Any, str | None]] = []
    for item in iter_json_array_items(text, start):
        items.append(item)
        if item[2] is not None and not item[2].startswith(NESTED_TOO_DEEPLY):
            return items
    # Every item read: the array never closes, something after it is broken, or an item was nested too deeply to
    # decode (already reported; then the rest of the document is fine).
    end = end_of_json_value(text, start)
    if end is None:
        items.append((len(items), None, f"truncated JSON: the file ends at character {len(text)} before the "
                                        "messages array closes"))
        return items
    try:
        orjson.loads(text[:start] + "[]" + text[end:])
    except orjson.JSONDecodeError:
        items.append((len(items), None, f"invalid JSON after the messages array (from character {end})"))
    return items


_AT_CHARACTER = re.compile(r"character (\d+)")


def parse_dce_json(text: str, source_file: str) -> ParseResult:
    """Parse the text of a DCE JSON export, recovering every complete message of a truncated file.

    The incomplete tail is quarantined with its index and the character position where it starts (characters of
    the decoded text, not bytes). A complete file whose ``messageCount`` exceeds the messages it holds gets one
    more quarantine entry saying how many are missing.

    Raises
    ------
    ArchiveError
        If the text is not a DCE JSON export, or ends before its ``messages`` array (with the position).

    Examples
    --------
    >>> r = parse_dce_json('{"channel": {"name": "c"}, "messages": [], "messageCount": 0}', "c.json")
    >>> r.imported, r.quarantined
    (0, 0)
    >>> r = parse_dce_json('{"channel": {"name": "c"}, "messages": [{"id": "1"},', "c.json")
    >>> r.quarantine["reason"].to_list()
    ['missing or invalid timestamp', 'truncated JSON: the file ends at character 52 before the array closes']
    """
    text = storable(text).lstrip("\ufeff")
    try:
        document = orjson.loads(text)
    except orjson.JSONDecodeError:
        try:  # the standard library also accepts NaN / Infinity
            document = json.loads(text)
        except (ValueError, RecursionError):
            document = None
    rows, bad = MessageRows(source_file, JSON_FORMAT), QuarantineLog(source_file, JSON_FORMAT)
    if isinstance(document, dict):
        messages = document.get("messages")
        if not isinstance(messages, list):
            raise ArchiveError("not a DiscordChatExporter JSON export (no messages array)", path=source_file,
                               position=0)
        items: list[tuple[int, Any, str | None]] = [(i, m, None) for i, m in enumerate(messages)]
        channel = document.get("channel")
        expected = document.get("messageCount")
    else:
        fields, start = _top_level(text, source_file)
        if start is None:
            raise ArchiveError("not a DiscordChatExporter JSON export (no messages array)", path=source_file,
                               position=0)
        if not text.startswith("[", start):
            raise ArchiveError("not a DiscordChatExporter JSON export (messages is not an array)",
                               path=source_file, position=start)
        items = _recover_items(text, start)
        channel, expected = fields.get("channel"), None
    _parse_json_items(items[:-1] if items and items[-1][2] else items, channel, rows, bad)
    if items and items[-1][2]:
        index, _, reason = items[-1]
        at = _AT_CHARACTER.search(reason)
        bad.add(index, reason, text[int(at.group(1)):int(at.group(1)) + 2000] if at else None)
    if isinstance(expected, int) and not isinstance(expected, bool) and expected > len(items):
        bad.add(len(items), f"messageCount says {expected} but the file holds {len(items)} messages")
    return finalize(rows, bad)


def read_dce_json(path: Path | str) -> ParseResult:
    """Read a DiscordChatExporter JSON file (see :func:`parse_dce_json`).

    Raises
    ------
    ArchiveError
        If the file cannot be read or is not a DCE JSON export.
    """
    path = Path(path)
    text = read_archive_text(path)
    return parse_dce_json(text, str(path))


# ------------------------------------------------------------------------------------------------------------ CSV


def parse_dce_date(value: Any) -> datetime | None:
    """Parse a DCE CSV date: ISO 8601 with an offset, or the old ``'14-May-20 03:45 PM'`` (read as UTC).

    The old dialect wrote local time without a zone; the exporter's time zone is unknown, so it is taken as UTC.

    >>> parse_dce_date("2020-05-14T15:45:43.000+02:00").isoformat()
    '2020-05-14T13:45:43+00:00'
    >>> parse_dce_date("14-May-20 03:45 PM").isoformat()
    '2020-05-14T15:45:00+00:00'
    >>> parse_dce_date("yesterday") is None
    True
    """
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    for fmt in _OLD_DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=timezone.utc)
        except ValueError:
            continue
    if not re.match(r"^\d{4}-\d{2}-\d{2}", text):  # only ISO dates past this point (no epoch numbers)
        return None
    return utc_or_none(text, strings_only=True)


def dce_csv_message_id(channel: str, author_id: str, created_at: datetime, content: str, occurrence: int = 1) -> str:
    """The stable id of a DCE CSV row, which has none of its own.

    ``'<channel>:<author id>:<epoch milliseconds>:<first 16 hex digits of SHA-1 of the content>'``, with ``'#n'``
    appended for the n-th identical row (same author, time and text) in one file, so that repeated short messages
    ("lol" twice in a minute) are not mistaken for duplicates, while importing the same file twice gives the same ids.

    >>> from datetime import datetime, timezone
    >>> dce_csv_message_id("998527456925462549", "7", datetime(2020, 5, 14, tzinfo=timezone.utc), "hi")
    '998527456925462549:7:1589414400000:c22b5f9178342609'
    >>> dce_csv_message_id("chat", "7", datetime(2020, 5, 14, tzinfo=timezone.utc), "hi", occurrence=2)[-2:]
    '#2'
    """
    digest = hashlib.sha1(content.encode("utf-8", errors="surrogatepass")).hexdigest()[:16]
    millis = int(created_at.timestamp() * 1000)
    suffix = f"#{occurrence}" if occurrence > 1 else ""
    return f"{channel}:{author_id}:{millis}:{digest}{suffix}"


def _channel_from_file(source_file: str) -> tuple[str, str]:
    """``(key, name)`` from a DCE file name such as ``'Guild - Category - chat [998527456925462549].csv'``.

    >>> _channel_from_file("exports/CRE8R DAO - archives - damo-labs [998527456925462549].csv")
    ('998527456925462549', 'damo-labs')
    >>> _channel_from_file("general.csv")
    ('general', 'general')
    """
    stem = Path(plain_name(source_file.split("!")[-1])).stem  # chat.csv.gz: the channel is "chat"
    match = _FILE_CHANNEL.match(stem)
    name = (match.group("name").strip() if match else "") or stem
    key = match.group("id") if match and match.group("id") else name
    return key, name


class _Cells:
    """A CSV row read by column name (missing columns read as ``''``)."""

    __slots__ = ("row", "columns")

    def __init__(self, row: list[str], columns: Mapping[str, int]):
        self.row, self.columns = row, columns

    def __call__(self, column: str) -> str:
        i = self.columns.get(column)
        return self.row[i] if i is not None and i < len(self.row) else ""


def _sniff_delimiter(header_line: str) -> str:
    return ";" if header_line.count(";") > header_line.count(",") else ","


def parse_dce_csv(text: str, source_file: str, *, channel: str | None = None) -> ParseResult:
    """Parse a DCE CSV export in either dialect (``,`` with quotes, or the old ``;`` with a trailing ``;``).

    Parameters
    ----------
    text
        The file's text.
    source_file
        Recorded on every row; the channel is taken from its name unless ``channel`` is given. DCE names files
        ``'Guild - Category - channel [channel id].csv'``: the id in brackets keys the message ids.
    channel
        The channel name, overriding the file name.

    Returns
    -------
    ParseResult
        ``source_record`` is the data row number (the header is row 1).

    Raises
    ------
    ArchiveError
        If the header lacks ``Author``, ``Date`` or ``Content``.

    Examples
    --------
    >>> old = 'AuthorID;Author;Date;Content;Attachments;Reactions;\\n1;Ann#0420;14-May-20 03:45 PM;"Q1; go";;👍 (3);\\n'
    >>> r = parse_dce_csv(old, "G - C - chat [42].csv")
    >>> r.messages.select("channel", "author_handle", "author_name", "text", "like_count").row(0)
    ('chat', 'ann#0420', 'Ann', 'Q1; go', 3)
    """
    text = storable(text).lstrip("\ufeff")
    first_line = text.split("\n", 1)[0].rstrip("\r")
    delimiter = _sniff_delimiter(first_line)
    key, name = _channel_from_file(source_file)
    if channel:
        key = name = channel
    rows, bad = MessageRows(source_file, CSV_FORMAT), QuarantineLog(source_file, CSV_FORMAT)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', strict=False)
    try:
        header = [cell.strip().lstrip("\ufeff") for cell in next(reader)]
    except StopIteration:
        return finalize(rows, bad)
    except csv.Error as err:
        raise ArchiveError(f"cannot read the CSV header ({err})", path=source_file, position=1) from None
    columns = {cell: i for i, cell in enumerate(header) if cell}
    missing = [c for c in ("Author", "Date", "Content") if c not in columns]
    if missing:
        raise ArchiveError(
            f"not a DiscordChatExporter CSV: the header lacks {', '.join(missing)}", path=source_file, position=1
        )
    width = len(header)
    seen: dict[str, int] = {}
    row_number = 1
    for _ in range(len(text) + 1):  # bounded: every step consumes input
        row_number += 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            bad.add(row_number, f"unreadable CSV row ({err})")
            continue
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # a blank line is not a record
        if len(row) > width and any(cell.strip() for cell in row[width:]):
            bad.add(row_number, f"row has {len(row)} fields but the header has {width}", delimiter.join(row))
            continue
        if len(row) < len(columns):
            bad.add(row_number, f"row has {len(row)} fields but the header has {width}", delimiter.join(row))
            continue
        cell = _Cells(row, columns)
        author = cell("Author").strip()
        handle = discord_handle(author)
        if handle is None:
            bad.add(row_number, "missing author", delimiter.join(row))
            continue
        created = parse_dce_date(cell("Date"))
        if created is None:
            bad.add(row_number, f"unparseable date {cell('Date')[:40]!r}", delimiter.join(row))
            continue
        author_id = cell("AuthorID").strip() or handle
        content = cell("Content")
        base = dce_csv_message_id(key, author_id, created, content)
        seen[base] = seen.get(base, 0) + 1
        display = re.sub(r"#\d{1,4}$", "", author).strip() or author
        append_storable(
            rows,
            row_number,
            platform="discord",
            channel=name,
            message_id=dce_csv_message_id(key, author_id, created, content, seen[base]),
            author_id=cell("AuthorID").strip() or None,
            author_handle=handle,
            author_name=display,
            created_at=created,
            text=content,
            kind="post",
            like_count=sum(int(n) for n in _REACTION_COUNT.findall(cell("Reactions"))),
        )
    return finalize(rows, bad)


def read_dce_csv(path: Path | str) -> ParseResult:
    """Read a DiscordChatExporter CSV file (see :func:`parse_dce_csv`).

    Raises
    ------
    ArchiveError
        If the file cannot be read or its header is not DCE's.
    """
    path = Path(path)
    text = read_archive_text(path)
    return parse_dce_csv(text, str(path))


# ------------------------------------------------------------------------------------------------------- sniffing


def sniff_dce_json(path: Path, head: str) -> bool:
    """A JSON object that starts with DCE's ``guild`` and ``channel`` and has ``messages`` (or ``exportedAt``).

    >>> from pathlib import Path
    >>> sniff_dce_json(Path("c.json"), '{\\n  "guild": {"id": "1"},\\n  "channel": {"id": "2"},\\n  "messages": [')
    True
    >>> sniff_dce_json(Path("c.json"), '[{"id": "1", "content": "<p>hi</p>"}]')
    False
    """
    start = head.lstrip("\ufeff \t\r\n")
    if not start.startswith("{"):
        return False
    opening = start[:4096]
    return (
        re.match(r'\{\s*"guild"\s*:\s*\{', start) is not None
        and '"channel"' in opening
        and ('"messages"' in head or '"exportedAt"' in head or '"dateRange"' in head)
    )


def sniff_dce_csv(path: Path, head: str) -> bool:
    """A CSV whose header is DCE's: ``AuthorID,Author,Date,Content,...`` or the old ``;`` dialect.

    >>> from pathlib import Path
    >>> sniff_dce_csv(Path("c.csv"), "AuthorID,Author,Date,Content,Attachments,Reactions\\n")
    True
    >>> sniff_dce_csv(Path("c.csv"), "AuthorID;Author;Date;Content;Attachments;Reactions;\\n")
    True
    >>> sniff_dce_csv(Path("c.csv"), "id,author,date,content\\n")
    False
    """
    first = head.lstrip("\ufeff").split("\n", 1)[0].strip()
    delimiter = _sniff_delimiter(first)
    cells = [cell.strip().strip('"') for cell in first.split(delimiter)]
    if not {"Author", "Date", "Content"} <= set(cells) or not set(cells) <= _CSV_COLUMNS:
        return False
    return cells[0] == "AuthorID" or (delimiter == ";" and cells[:3] == ["Author", "Date", "Content"])


FORMATS: list[FormatSpec] = [
    FormatSpec(
        name=JSON_FORMAT,
        description="DiscordChatExporter JSON (one channel per file; truncated files give up their complete messages)",
        sniff=sniff_dce_json,
        read=read_dce_json,
    ),
    FormatSpec(
        name=CSV_FORMAT,
        description="DiscordChatExporter CSV (AuthorID,Author,Date,Content,... or the old ;-separated dialect)",
        sniff=sniff_dce_csv,
        read=read_dce_csv,
    ),
]
