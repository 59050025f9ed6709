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

This module reads exports (folders and zips) and sniffs them; message objects become rows in
:mod:`~moderator_kit.io.slack_messages` and text is rendered in :mod:`~moderator_kit.io.slack_text`. The names of
those modules are re-exported here.

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

import re
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import Any

import orjson
import polars as pl

from moderator_kit.errors import ArchiveError
from moderator_kit.io.base import (
    FormatSpec,
    MessageRows,
    ParseResult,
    QuarantineLog,
    as_dict,
    finalize,
    read_archive_text,
    storable,
)
from moderator_kit.io.compressed import plain_name
from moderator_kit.io.safezip import ZIP_ERRORS, ZipMemberError, ZipReader
from moderator_kit.io.slack_messages import (
    SOURCE_FORMAT,
    SYSTEM_SUBTYPES,
    _decode_day,
    _parse_items,
    parse_slack_day,
    parse_slack_messages,
)
from moderator_kit.io.slack_text import SlackText, message_markup, render_slack_text, slack_user_directory

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


_DAY_FILE = re.compile(r"^\d{4}-\d{2}-\d{2}\.json$")
_CHANNEL_LISTS = ("channels.json", "groups.json", "mpims.json", "dms.json")
_MEMBER_ERRORS = (OSError, zipfile.BadZipFile, KeyError, RuntimeError, EOFError, NotImplementedError, zlib.error,
                  ZipMemberError)


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
            # Members are read within the zip limits (size, ratio, no '..' names); see moderator_kit.io.safezip.
            self.reader = ZipReader(path)
            self.zip = self.reader.zip
            self.names = self.reader.names()

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
            data = self.reader.read(member)
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
        except ZIP_ERRORS:  # damaged, or an unsupported zip version: not claimed
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
    if not _DAY_FILE.match(plain_name(path)) or not head.lstrip().startswith("["):
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
