"""Personal X/Twitter archives: the current ``data/tweets.js`` and the legacy ``tweets.csv`` / Grailbird files.

* **Current X archive** (2019 on): ``data/tweets.js`` holds ``window.YTD.tweets.part0 = [ {"tweet": {...}} ]``
  (older ones ``window.YTD.tweet.part0``; big archives add ``tweets-part1.js`` ...). The statuses are API v1.1-shaped
  but every number is a string and there is no ``user``: the author is the archive's owner, taken from
  ``data/account.js``, else from ``data/manifest.js`` (``userInfo``), else ``archive-owner``.
* **Legacy archive** (2012-2018): ``tweets.csv`` (10 columns) and ``data/js/tweets/YYYY_MM.js`` files holding
  ``Grailbird.data.tweets_YYYY_MM = [...]`` with v1.1-shaped statuses. A folder holding both is read whole: the
  month files first, then ``tweets.csv``, so a tweet missing from the months is still imported and one in both is
  counted once as imported and once as a duplicate. ``tweets.csv`` has no author column: the owner comes from
  ``data/js/user_details.js`` beside it, else the ``owner_handle`` argument (``import --owner``), else
  ``archive-owner``. Old tweets may carry a date with no time: they are marked ``time_imprecise``.

Neither keeps quote metadata: a link to another tweet is read as a quote of it (that is how X shows one), and a
retweet is a text starting ``RT @handle:``. See ``docs/formats/twitter.md``.

Examples
--------
>>> js = ('window.YTD.tweets.part0 = [ {"tweet": {"id_str": "5", "created_at": "Tue Apr 03 19:11:32 +0000 2018",'
...       ' "full_text": "RT @Ann: Q1 is up", "favorite_count": "0", "retweet_count": "2"}} ]')
>>> result = parse_x_archive(js, "tweets.js", owner_handle="Bob")
>>> result.messages.select("author_handle", "kind", "repost_of_author_handle", "repost_count").row(0)
('bob', 'repost', 'ann', 2)
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import polars as pl

from moderator_kit.errors import ArchiveError
from moderator_kit.io.base import (
    FormatSpec,
    MessageRows,
    ParseResult,
    QuarantineLog,
    as_list,
    finalize,
    iter_csv_rows,
    iter_json_array_items,
    read_archive_text,
    read_text,
    utc_or_none,
)
from moderator_kit.io.tweet_columns import SEP, TweetColumns, clean_text, gc_paused
from moderator_kit.io.twitter_v1 import RT_PATTERN, status_row
from moderator_kit.io.twitter_v2_rows import _reason
from moderator_kit.io.twitter_v2_sniff import _DECODER

__all__ = [
    "LEGACY_COLUMNS",
    "DEFAULT_OWNER",
    "parse_x_archive",
    "read_x_archive",
    "archive_owner",
    "parse_legacy_csv",
    "read_legacy_csv",
    "parse_grailbird_js",
    "read_legacy_archive",
    "owner_reader",
    "sniff_x_archive",
    "sniff_legacy_archive",
    "sniff_legacy_csv",
    "sniff_grailbird_js",
    "FORMATS",
]

#: The handle used when an archive does not say whose it is.
DEFAULT_OWNER = "archive-owner"
#: The legacy ``tweets.csv`` header.
LEGACY_COLUMNS = (
    "tweet_id", "in_reply_to_status_id", "in_reply_to_user_id", "timestamp", "source", "text",
    "retweeted_status_id", "retweeted_status_user_id", "retweeted_status_timestamp", "expanded_urls",
)  # fmt: skip
_LEGACY_REQUIRED = ("tweet_id", "timestamp", "text")
_YTD_TWEETS = re.compile(r"^\s*window\.YTD\.tweets?\.part\d+\s*=")
_GRAILBIRD = re.compile(r"^\s*Grailbird\.data\.tweets_\d{4}_\d{2}\s*=")
#: Files of an X archive's data folder holding the owner's tweets, imported as messages (community and Circle
#: tweets are the owner's too, posted to a community or to their Circle).
_TWEET_FILE = re.compile(r"^(?:tweets?|community-tweets?|twitter-circle-tweets?)(-part\d+)?\.js$")
_NOTE_FILE = re.compile(r"^note-tweets?(-part\d+)?\.js$")  # the full text of long posts
_DELETED_FILE = re.compile(r"^deleted-tweets?(-part\d+)?\.js$")
_OWNER_FILES = frozenset({"account.js", "manifest.js", "follower.js"})  # read for the owner, not messages
_STATUS_LINK = r"https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/(\w{1,15})/status(?:es)?/(\d{1,20})"

Owner = tuple[str | None, str, str | None, int | None]
_LEGACY_FORMATS = ("legacy-archive", "legacy-csv", "legacy-js")


# --------------------------------------------------------------------------------------------------------------------
# JS-wrapped JSON (window.YTD... = [...], Grailbird.data... = [...], var user_details = {...})


def _js_items(text: str, source_file: str) -> tuple[list[tuple[int, Any]], list[tuple[int, str]]]:
    """The items of the array assigned in a ``.js`` archive file; a truncated file gives up its complete items."""
    start = text.find("=")
    bracket = text.find("[", start + 1 if start >= 0 else 0)
    if bracket < 0:
        raise ArchiveError("no JSON array in this archive file; is it a tweets file?", path=source_file)
    try:
        value = orjson.loads(text[bracket:].rstrip().rstrip(";"))
    except orjson.JSONDecodeError:
        items, errors = [], []
        for index, item, error in iter_json_array_items(text, bracket):
            if error is None:
                items.append((index, item))
            else:
                errors.append((index, error))
        return items, errors
    if not isinstance(value, list):
        raise ArchiveError("the archive file does not hold a JSON array", path=source_file)
    return list(enumerate(value)), []


def _js_object(path: Path) -> Any:
    """The first JSON object or array assigned in a small ``.js`` file, or ``None`` if it cannot be read."""
    try:
        text = read_text(path)
    except OSError:
        return None
    starts = [i for i in (text.find("{"), text.find("[")) if i >= 0]
    if not starts:
        return None
    try:
        return _DECODER.raw_decode(text, min(starts))[0]
    except ValueError:
        return None


# --------------------------------------------------------------------------------------------------------------------
# Current X archive


def parse_x_archive(
    text: str,
    source_file: str = "<memory>",
    *,
    owner_handle: str = DEFAULT_OWNER,
    owner_id: str | None = None,
    owner_name: str | None = None,
    owner_followers: int | None = None,
) -> ParseResult:
    """Parse one ``tweets.js`` file of an X archive (``window.YTD.tweets.part0 = [...]``).

    Counts and ids stored as strings are parsed; a number that is not one becomes null. ``source_record`` is the
    0-based index in the array. The author of every tweet is the owner given here.

    Raises
    ------
    ArchiveError
        If the text holds no JSON array.

    Examples
    --------
    >>> js = 'window.YTD.tweets.part0 = [ {"tweet": {"id": "1", "created_at": "Tue Apr 03 19:11:32 +0000 2018"}}, {"tw'
    >>> result = parse_x_archive(js, owner_handle="ann")
    >>> result.imported, result.quarantine["reason"].to_list()
    (1, ['truncated JSON: item 1 starting at character 100 is incomplete'])
    """
    owner: Owner = (owner_id, owner_handle.lstrip("@") or DEFAULT_OWNER, owner_name, owner_followers)
    with gc_paused():
        return _parse_x_archive(text, str(source_file), owner)


def _parse_x_archive(text: str, source_file: str, owner: Owner, notes: _Notes | None = None) -> ParseResult:
    items, errors = _js_items(clean_text(text).lstrip("\ufeff"), source_file)
    columns = TweetColumns(source_file, "x-archive", html_source=True)
    bad = QuarantineLog(source_file, "x-archive")
    for index, item in items:
        tweet = item.get("tweet", item) if type(item) is dict else item
        if type(tweet) is not dict:
            bad.add(index, f"not a tweet (a JSON {type(tweet).__name__}, expected an object)", item)
            continue
        if notes:
            tweet = notes.complete(tweet)
        try:
            columns.rows.append(status_row(tweet, index, None, owner=owner, infer_quotes=True))
        except Exception as err:  # noqa: BLE001 - a malformed tweet goes to quarantine, whatever is wrong with it
            bad.add(index, _reason(None, err), item)
        columns.maybe_flush()
    for index, error in errors:
        bad.add(index, error)
    return columns.finish(bad)


def archive_owner(data_dir: Path | str) -> tuple[str | None, str, str | None, str]:
    """Whose archive this is: ``(account id, handle, display name, where it came from)``.

    Looks at ``account.js``, then ``manifest.js`` (``userInfo``), and falls back to ``archive-owner``.
    """
    data_dir = Path(data_dir)
    account = _js_object(data_dir / "account.js")
    if isinstance(account, list) and account and isinstance(account[0], dict):
        info = account[0].get("account", account[0])
        if isinstance(info, dict) and isinstance(info.get("username"), str) and info["username"]:
            return _opt_str(info.get("accountId")), info["username"], _opt_str(info.get("accountDisplayName")), \
                "account.js"
    manifest = _js_object(data_dir / "manifest.js")
    if isinstance(manifest, dict) and isinstance(manifest.get("userInfo"), dict):
        info = manifest["userInfo"]
        if isinstance(info.get("userName"), str) and info["userName"]:
            return _opt_str(info.get("accountId")), info["userName"], _opt_str(info.get("displayName")), "manifest.js"
    return None, DEFAULT_OWNER, None, "default"


def _opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _follower_count(data_dir: Path) -> int | None:
    path = data_dir / "follower.js"
    if not path.is_file():
        return None
    try:
        items, errors = _js_items(read_text(path), str(path))
    except (ArchiveError, OSError):
        return None
    return None if errors else len(items)


class _Notes:
    """The long posts of ``note-tweet.js``, matched to their (truncated) tweets by created second and opening words.

    A note names no tweet id, so a tweet takes a note's text and entities when it was created in the same second and
    its text (without the trailing ``…`` and link) opens the note's text.
    """

    def __init__(self) -> None:
        self.by_second: dict[int, list[tuple[str, int, dict]]] = {}
        self.matched = 0

    def add(self, source_file: str, index: int, note: dict, bad: QuarantineLog) -> None:
        created = utc_or_none(note.get("createdAt"))
        core = note.get("core")
        if created is None or type(core) is not dict or not isinstance(core.get("text"), str):
            bad.add(index, "note tweet without createdAt or core.text", note)
            return
        self.by_second.setdefault(int(created.timestamp()), []).append((source_file, index, note))

    def complete(self, tweet: dict) -> dict:
        """``tweet`` with the full text and entities of its note, if it has one here."""
        try:
            second = int(datetime.strptime(tweet.get("created_at") or "", _X_TIME).timestamp())
        except (TypeError, ValueError):
            return tweet
        candidates = self.by_second.get(second)
        text = tweet.get("full_text") or tweet.get("text")
        if not candidates or not isinstance(text, str):
            return tweet
        stem = _NOTE_STEM.sub("", _plain(text))[:100]
        for position, (_, _, note) in enumerate(candidates):
            core = note["core"]
            if stem and _plain(core["text"]).startswith(stem):
                del candidates[position]
                self.matched += 1
                entities = {
                    "hashtags": [{"text": h.get("hashtag") or h.get("text")} for h in as_list(core.get("hashtags"))
                                 if isinstance(h, dict) and (h.get("hashtag") or h.get("text"))],
                    "user_mentions": [{"screen_name": m.get("screenName") or m.get("screen_name")}
                                      for m in as_list(core.get("mentions"))
                                      if isinstance(m, dict) and (m.get("screenName") or m.get("screen_name"))],
                    "urls": [{"url": u.get("shortUrl") or "", "expanded_url": u.get("expandedUrl") or u.get("shortUrl")}
                             for u in as_list(core.get("urls")) if isinstance(u, dict)],
                }
                return {**tweet, "full_text": core["text"], "entities": entities}
        return tweet

    def unmatched(self) -> list[ParseResult]:
        """One result per note file whose notes found no tweet: each such note is quarantined."""
        logs: dict[str, QuarantineLog] = {}
        for source_file, index, note in (entry for entries in self.by_second.values() for entry in entries):
            log = logs.setdefault(source_file, QuarantineLog(source_file, "x-archive"))
            log.add(index, "note tweet: no tweet in the archive has its time and opening words", note)
        return [finalize(MessageRows(name, "x-archive"), log) for name, log in logs.items()]


_X_TIME = "%a %b %d %H:%M:%S %z %Y"
_NOTE_STEM = re.compile(r"(?:\s*https://t\.co/\w+)*\s*…?\s*$")


def _plain(text: str) -> str:
    return " ".join(text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").split())


def _read_notes(files: list[Path]) -> tuple[_Notes, list[ParseResult]]:
    notes, results = _Notes(), []
    for file in files:
        bad = QuarantineLog(str(file), "x-archive")
        items, errors = _js_items_or_reason(file, bad)
        for index, item in items:
            note = item.get("noteTweet", item) if isinstance(item, dict) else item
            if isinstance(note, dict):
                notes.add(str(file), index, note, bad)
            else:
                bad.add(index, f"not a note tweet (a JSON {type(note).__name__})", item)
        for index, error in errors:
            bad.add(index, error)
        results.append(finalize(MessageRows(str(file), "x-archive"), bad))
    return notes, results


def _js_items_or_reason(path: Path, bad: QuarantineLog) -> tuple[list[tuple[int, Any]], list[tuple[int, str]]]:
    """:func:`_js_items` of a side file; one that holds no array is quarantined (position 0), not fatal."""
    try:
        return _js_items(clean_text(read_archive_text(path)), str(path))
    except ArchiveError as err:
        bad.add(0, f"unreadable: {err.reason}")
        return [], []


def _not_imported(data_dir: Path, read: set[str]) -> list[ParseResult]:
    """Deleted tweets (each quarantined, without its text) and one entry per other data file left unread."""
    results = []
    for child in sorted(data_dir.iterdir()):
        if not child.is_file() or child.suffix != ".js" or child.name in read or child.name in _OWNER_FILES:
            continue
        bad = QuarantineLog(str(child), "x-archive")
        if _DELETED_FILE.match(child.name):
            items, errors = _js_items_or_reason(child, bad)
            for index, _ in items:
                bad.add(index, "deleted by the owner (deleted-tweets.js): not imported")
            for index, error in errors:
                bad.add(index, error)
        else:
            bad.add(0, "skipped: not a tweet file")
        results.append(finalize(MessageRows(str(child), "x-archive"), bad))
    return results


def _x_archive_files(path: Path) -> tuple[Path, list[Path]]:
    if path.is_file():
        return path.parent, [path]
    data_dir = path / "data" if (path / "data").is_dir() else path
    files = sorted(
        (child for child in data_dir.iterdir() if _TWEET_FILE.match(child.name) and child.is_file()),
        key=lambda child: (0 if child.name.startswith("tweets") else 1, len(child.name), child.name),
    )
    return data_dir, files


def read_x_archive(path: Path | str) -> ParseResult:
    """Read an X archive: the archive folder, its ``data`` folder, or a ``tweets.js`` file.

    Every ``tweets.js`` / ``tweets-partN.js`` (or the older ``tweet.js``), ``community-tweet.js`` and
    ``twitter-circle-tweet.js`` is read and the results are combined. The owner's follower count is the number of
    entries in ``data/follower.js`` when that file is present.

    For a folder every other ``.js`` data file is accounted for in the quarantine: a long post of ``note-tweet.js``
    completes its truncated tweet (counted as a duplicate of it) or, matching none, is quarantined; each tweet of
    ``deleted-tweets.js`` is quarantined as deleted by the owner (without its text); any other file (likes, DMs,
    ``tweet-headers.js`` ...) gets one entry at position 0, ``skipped: not a tweet file``. ``account.js``,
    ``manifest.js`` and ``follower.js`` are read for the owner.
    """
    path = Path(path)
    if not path.exists():
        raise ArchiveError("no such file or folder; check the path", path=str(path))
    data_dir, files = _x_archive_files(path)
    if not files:
        raise ArchiveError("no data/tweets.js here; give the archive folder, its data folder or tweets.js",
                           path=str(path))
    owner_id, handle, name, _ = archive_owner(data_dir)
    owner: Owner = (owner_id, handle.lstrip("@") or DEFAULT_OWNER, name, _follower_count(data_dir))
    note_files = sorted(child for child in data_dir.iterdir() if _NOTE_FILE.match(child.name)) if path.is_dir() else []
    notes, extra = _read_notes(note_files)
    parts = []
    for file in files:
        with gc_paused():
            parts.append(_parse_x_archive(read_archive_text(file), str(file), owner, notes))
    if path.is_dir():
        extra += notes.unmatched()
        extra += _not_imported(data_dir, {file.name for file in files + note_files})
    result = parts[0]
    for part in parts[1:] + extra:
        result = result.combine(part)
    result.records_seen += notes.matched  # a note that completed its tweet is a second record of that tweet
    result.duplicates += notes.matched
    return result


# --------------------------------------------------------------------------------------------------------------------
# Legacy archive


def parse_grailbird_js(text: str, source_file: str = "<memory>", *, owner: Owner | None = None) -> ParseResult:
    """Parse one legacy month file, ``data/js/tweets/YYYY_MM.js`` (``Grailbird.data.tweets_YYYY_MM = [...]``).

    Each status names its ``user``; one that does not is the archive owner's (``owner``: id, handle, name,
    followers), and is quarantined as lacking a ``user`` when no owner is known.

    Examples
    --------
    >>> js = ('Grailbird.data.tweets_2013_02 = [ {"id_str": "7", "created_at": "2013-02-20 20:48:58 +0000",'
    ...       ' "text": "A4 Maybe #ukedchat", "user": {"id_str": "1", "screen_name": "Ian"}} ]')
    >>> parse_grailbird_js(js).messages.select("author_handle", "hashtags", "created_at").row(0)[:2]
    ('ian', ['ukedchat'])
    """
    with gc_paused():
        return _parse_grailbird_js(text, str(source_file), owner)


def _parse_grailbird_js(text: str, source_file: str, owner: Owner | None) -> ParseResult:
    items, errors = _js_items(clean_text(text).lstrip("\ufeff"), source_file)
    columns = TweetColumns(source_file, "legacy-js", html_source=True)
    bad = QuarantineLog(source_file, "legacy-js")
    for index, status in items:
        if type(status) is not dict:
            bad.add(index, f"not a status (a JSON {type(status).__name__}, expected an object)", status)
            continue
        by_owner = owner if owner is not None and status.get("user") is None else None
        try:
            columns.rows.append(status_row(status, index, None, owner=by_owner, infer_quotes=True))
        except Exception as err:  # noqa: BLE001 - a malformed status goes to quarantine, whatever is wrong with it
            bad.add(index, _reason(None, err).replace("tweet", "status", 1), status)
        columns.maybe_flush()
    for index, error in errors:
        bad.add(index, error)
    return columns.finish(bad)


def parse_legacy_csv(
    text: str,
    source_file: str = "<memory>",
    *,
    owner_handle: str = DEFAULT_OWNER,
    owner_id: str | None = None,
    owner_name: str | None = None,
) -> ParseResult:
    """Parse a legacy archive's ``tweets.csv`` (10 columns, one tweet per row, all by the archive's owner).

    Retweets (``retweeted_status_id``, or text ``RT @handle:``) become reposts; replies keep the replied-to ids, and
    the replied-to handle is the owner's for a self-reply, else the ``@handle`` the text starts with (the CSV does not
    store it). Mentions and hashtags come from the text, URLs from ``expanded_urls``. Rows with a wrong field count,
    a non-numeric id or no timestamp are quarantined with their row number (header = 1).

    Raises
    ------
    ArchiveError
        If the header lacks ``tweet_id``, ``timestamp`` or ``text``.

    Examples
    --------
    >>> csv_text = ('"tweet_id","in_reply_to_status_id","in_reply_to_user_id","timestamp","source","text",'
    ...             '"retweeted_status_id","retweeted_status_user_id","retweeted_status_timestamp","expanded_urls"\\n'
    ...             '"9","8","3","2017-02-09 20:58:10 +0000","web","@Ann A8 yes #UKEdChat","","","",""\\n')
    >>> m = parse_legacy_csv(csv_text, owner_handle="ian").messages
    >>> m.select("author_handle", "kind", "reply_to_author_handle", "hashtags").row(0)
    ('ian', 'reply', 'ann', ['ukedchat'])
    """
    source_file = str(source_file)
    reader = csv.reader(io.StringIO(clean_text(text).lstrip("\ufeff"), newline=""))
    try:
        header = [name.strip() for name in next(reader, None) or []]
    except csv.Error as err:
        raise ArchiveError(f"not a readable CSV file ({err})", path=source_file, position=1) from None
    missing = [name for name in _LEGACY_REQUIRED if name not in header]
    if missing:
        raise ArchiveError(f"not a legacy tweets.csv: the header lacks {', '.join(missing)}", path=source_file,
                           position=1)
    columns = TweetColumns(source_file, "legacy-csv", html_source=True)
    bad = QuarantineLog(source_file, "legacy-csv")
    width = len(header)
    good: list[list[str]] = []
    positions: list[int] = []
    for position, fields in iter_csv_rows(reader, width, bad):
        good.append(fields)
        positions.append(position)
    raw = pl.DataFrame(
        {name: pl.Series(name, [row[i] for row in good], dtype=pl.String) for i, name in enumerate(header)
         if name in LEGACY_COLUMNS}
    ).with_columns(pl.Series("source_record", positions, dtype=pl.Int64))
    for name in LEGACY_COLUMNS:
        if name not in raw.columns:
            raw = raw.with_columns(pl.lit("", dtype=pl.String).alias(name))
    raw = raw.with_columns(
        [pl.when(pl.col(name).str.strip_chars() != "").then(pl.col(name).str.strip_chars()).alias(name)
         for name in LEGACY_COLUMNS if name != "text"]
    )
    valid = pl.col("tweet_id").str.contains(r"^\d{1,20}$").fill_null(False) & pl.col("timestamp").is_not_null()
    for position, tweet_id, stamp in raw.filter(~valid).select("source_record", "tweet_id", "timestamp").iter_rows():
        reason = "missing timestamp" if tweet_id and stamp is None else f"tweet_id is not an id: {str(tweet_id)[:30]!r}"
        columns.reject(position, reason)
    frame = raw.filter(valid)
    owner = owner_handle.lstrip("@") or DEFAULT_OWNER
    text_col = pl.col("text")
    retweet_handle = text_col.str.extract(RT_PATTERN.pattern, 1)
    status_links = (
        pl.col("expanded_urls").fill_null("").str.extract_all(_STATUS_LINK + r"(?:/photo|/video)?")
        .list.eval(pl.element().filter(~pl.element().str.contains(r"/(?:photo|video)$")))
        .list.last()
    )
    frame = frame.with_columns(status_links.alias("_link"), retweet_handle.alias("_rt"))
    quote_id = pl.col("_link").str.extract(_STATUS_LINK, 2)
    quote_id = pl.when(quote_id != pl.col("tweet_id")).then(quote_id)
    is_repost = pl.col("retweeted_status_id").is_not_null() | pl.col("_rt").is_not_null()
    is_reply = pl.col("in_reply_to_status_id").is_not_null() | pl.col("in_reply_to_user_id").is_not_null()
    reply_handle = (
        pl.when(is_reply & (pl.col("in_reply_to_user_id") == pl.lit(owner_id, dtype=pl.String)))
        .then(pl.lit(owner))
        .when(is_reply)
        .then(text_col.str.extract(r"^\s*\.?@(\w{1,15})", 1))
    )
    rows = frame.with_columns(quote_id.alias("_quote")).select(
        pl.col("tweet_id").alias("message_id"),
        pl.lit(None, dtype=pl.String).alias("conversation_id"),
        pl.lit(owner_id, dtype=pl.String).alias("author_id"),
        pl.lit(owner).alias("author_handle"),
        pl.lit(owner_name, dtype=pl.String).alias("author_name"),
        pl.lit(None, dtype=pl.Int64).alias("author_followers"),
        pl.col("timestamp").alias("created_at"),
        text_col,
        pl.when(is_repost).then(pl.lit("repost")).when(is_reply).then(pl.lit("reply"))
        .when(pl.col("_quote").is_not_null()).then(pl.lit("quote")).otherwise(pl.lit("post")).alias("kind"),
        pl.col("in_reply_to_status_id").alias("reply_to_message_id"),
        pl.col("in_reply_to_user_id").alias("reply_to_author_id"),
        reply_handle.alias("reply_to_author_handle"),
        pl.col("retweeted_status_id").alias("repost_of_message_id"),
        pl.col("retweeted_status_user_id").alias("repost_of_author_id"),
        pl.col("_rt").alias("repost_of_author_handle"),
        pl.col("_quote").alias("quote_of_message_id"),
        pl.lit(None, dtype=pl.String).alias("quote_of_author_id"),
        pl.when(pl.col("_quote").is_not_null()).then(pl.col("_link").str.extract(_STATUS_LINK, 1))
        .alias("quote_of_author_handle"),
        pl.lit(None, dtype=pl.String).alias("mentions"),
        pl.lit(None, dtype=pl.String).alias("hashtags"),
        pl.col("expanded_urls").fill_null("").str.replace_all(",", SEP, literal=True).alias("urls"),
        *[pl.lit(None, dtype=pl.Int64).alias(name) for name in ("like_count", "repost_count", "reply_count",
                                                                 "view_count")],
        pl.col("source").alias("source_app"),
        pl.lit(None, dtype=pl.String).alias("lang"),
        "source_record",
        pl.lit(None, dtype=pl.Int64).alias("_item"),
        pl.lit(False).alias("_stale"),
    )
    columns.add_frame(rows)
    return columns.finish(bad)


def _legacy_owner(folder: Path) -> tuple[str | None, str | None, str | None]:
    """``(id, handle, full name)`` from ``data/js/user_details.js`` in a legacy archive folder, else ``None``s."""
    details = _js_object(folder / "data" / "js" / "user_details.js")
    if isinstance(details, dict) and isinstance(details.get("screen_name"), str) and details["screen_name"]:
        return _opt_str(str(details["id"]) if details.get("id") is not None else None), details["screen_name"], \
            _opt_str(details.get("full_name"))
    return None, None, None


def read_legacy_csv(path: Path | str, owner_handle: str | None = None) -> ParseResult:
    """Read a legacy ``tweets.csv``; the owner comes from ``data/js/user_details.js`` beside it, else
    ``owner_handle``, else ``archive-owner``."""
    path = Path(path)
    text = read_archive_text(path)
    owner_id, handle, name = _legacy_owner(path.parent)
    return parse_legacy_csv(text, str(path), owner_handle=handle or owner_handle or DEFAULT_OWNER,
                            owner_id=owner_id, owner_name=name)


def _month_files(folder: Path) -> list[Path]:
    tweets = folder / "data" / "js" / "tweets"
    if not tweets.is_dir():
        return []
    return sorted(child for child in tweets.iterdir() if re.fullmatch(r"\d{4}_\d{2}\.js", child.name))


def read_legacy_archive(path: Path | str, owner_handle: str | None = None) -> ParseResult:
    """Read a legacy archive: its folder, its ``tweets.csv`` or one ``data/js/tweets/YYYY_MM.js`` month file.

    A folder's monthly ``.js`` files are read first (they carry entities and the retweeted status), then its
    ``tweets.csv``: the months of a real archive are often incomplete, so a tweet found only in the CSV is imported
    from there, and a tweet in both is imported once from its month file and counted once as a duplicate.
    ``owner_handle`` names the owner when ``data/js/user_details.js`` does not.
    """
    path = Path(path)
    if not path.exists():
        raise ArchiveError("no such file or folder; check the path", path=str(path))
    if path.is_dir():
        months = _month_files(path)
        csv_path = path / "tweets.csv"
        if not months and not csv_path.is_file():
            raise ArchiveError("no tweets.csv or data/js/tweets/*.js here; is this a legacy Twitter archive?",
                               path=str(path))
        owner_id, handle, name = _legacy_owner(path)
        handle = handle or owner_handle
        owner: Owner | None = (owner_id, handle.lstrip("@"), name, None) if handle else None
        parts = [parse_grailbird_js(_read(month), str(month), owner=owner) for month in months]
        if csv_path.is_file():
            parts.append(read_legacy_csv(csv_path, owner_handle))
        result = parts[0]
        for part in parts[1:]:
            result = result.combine(part)
        return result
    text = _read(path)
    if _GRAILBIRD.match(text):
        return parse_grailbird_js(text, str(path))
    return read_legacy_csv(path, owner_handle)


def owner_reader(format_name: str, owner_handle: str) -> Callable[[Path], ParseResult] | None:
    """A reader that names the archive's owner, for formats whose files may not say whose they are.

    For the legacy formats (``legacy-archive``, ``legacy-csv``, ``legacy-js``) the owner is ``owner_handle`` unless
    ``data/js/user_details.js`` names one; other formats (whose records name their authors, or whose archive has
    ``account.js`` / ``manifest.js``) get ``None``.

    >>> owner_reader("legacy-csv", "ian") is not None, owner_reader("twarc2", "ian")
    (True, None)
    """
    if format_name not in _LEGACY_FORMATS:
        return None
    return functools.partial(read_legacy_archive, owner_handle=owner_handle)


def _read(path: Path) -> str:
    return read_archive_text(path)


# --------------------------------------------------------------------------------------------------------------------
# Sniffers


def _head_of(path: Path, size: int = 512) -> str:
    try:
        with path.open("rb") as handle:
            return handle.read(size).decode("utf-8-sig", errors="replace")
    except OSError:
        return ""


def sniff_x_archive(path: Path, head: str) -> bool:
    """A ``tweets.js`` file (``window.YTD.tweets.part0 = [``), or a folder holding one directly or in ``data/``.

    >>> sniff_x_archive(Path("tweets.js"), 'window.YTD.tweets.part0 = [ {"tweet" : {}} ]')
    True
    >>> sniff_x_archive(Path("like.js"), 'window.YTD.like.part0 = [ ]')
    False
    """
    if head:
        return bool(_YTD_TWEETS.match(head.lstrip("\ufeff")))
    if not path.is_dir():
        return False
    for folder in (path / "data", path):
        for name in ("tweets.js", "tweet.js"):
            candidate = folder / name
            if candidate.is_file() and _YTD_TWEETS.match(_head_of(candidate)):
                return True
    return False


def _is_legacy_header(line: str) -> bool:
    try:
        header = [name.strip() for name in next(csv.reader([line]))]
    except (csv.Error, StopIteration):
        return False
    return all(name in header for name in ("tweet_id", "in_reply_to_status_id", "timestamp", "text",
                                           "retweeted_status_id"))


def sniff_legacy_csv(path: Path, head: str) -> bool:
    """A legacy ``tweets.csv``: its header has ``tweet_id``, ``in_reply_to_status_id``, ``timestamp`` ...

    >>> sniff_legacy_csv(Path("tweets.csv"), '"tweet_id","in_reply_to_status_id","in_reply_to_user_id","timestamp",'
    ...                  '"source","text","retweeted_status_id"\\n')
    True
    """
    first = head.lstrip("\ufeff").split("\n", 1)[0]
    return "tweet_id" in first and _is_legacy_header(first)


def sniff_grailbird_js(path: Path, head: str) -> bool:
    """A legacy month file: ``Grailbird.data.tweets_YYYY_MM = [``.

    >>> sniff_grailbird_js(Path("2013_02.js"), "Grailbird.data.tweets_2013_02 = \\n [ {")
    True
    """
    return bool(head) and bool(_GRAILBIRD.match(head.lstrip("\ufeff")))


def sniff_legacy_archive(path: Path, head: str) -> bool:
    """A legacy archive folder: ``tweets.csv`` with the legacy header, or ``data/js/tweets/YYYY_MM.js`` files."""
    if head or not path.is_dir():
        return False
    if _month_files(path):
        return True
    csv_path = path / "tweets.csv"
    return csv_path.is_file() and _is_legacy_header(_head_of(csv_path, 4096).split("\n", 1)[0])


FORMATS: list[FormatSpec] = [
    FormatSpec("x-archive", "personal X archive: data/tweets.js (window.YTD.tweets.part0), its data folder or "
               "the archive folder", sniff_x_archive, read_x_archive),
    FormatSpec("legacy-archive", "legacy Twitter archive folder (tweets.csv and data/js/tweets/YYYY_MM.js)",
               sniff_legacy_archive, read_legacy_archive),
    FormatSpec("legacy-csv", "legacy Twitter archive tweets.csv (10 columns)", sniff_legacy_csv, read_legacy_csv),
    FormatSpec("legacy-js", "legacy Twitter archive month file (Grailbird.data.tweets_YYYY_MM)",
               sniff_grailbird_js, read_legacy_archive),
]
