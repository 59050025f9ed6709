"""X/Twitter API v1.1 statuses (twarc 1) and TAGS Google-Sheet CSV exports.

API v1.1 statuses are read one per line (twarc 1's JSONL), as a JSON array, or from search responses
(``{"statuses": [...], "search_metadata": {...}}``, one file or one per line). A retweet carries the original in
``retweeted_status`` and becomes a ``repost``; a quote carries ``quoted_status`` / ``quoted_status_id_str`` and becomes
a ``quote``. The same status converter (:func:`status_row`) serves the personal archives in
:mod:`moderator_kit.io.twitter_archive`, where numbers are strings and the author is the archive's owner.

TAGS (Twitter Archiving Google Sheet) exports have 18 columns, starting ``id_str,from_user,text,created_at``; the
``entities_str`` column holds the v1.1 entities as JSON. Retweets show only as text beginning ``RT @handle:``.

Examples
--------
>>> line = ('{"id_str": "2", "created_at": "Tue Apr 03 19:11:32 +0000 2018", "full_text": "RT @ann: Q1 #chat",'
...         ' "user": {"id_str": "9", "screen_name": "Bob"}, "retweeted_status": {"id_str": "1",'
...         ' "user": {"id_str": "8", "screen_name": "Ann"}}}')
>>> parse_v1([line], "t.jsonl").messages.select("kind", "repost_of_message_id", "repost_of_author_handle").row(0)
('repost', '1', 'ann')
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from moderator_kit.errors import ArchiveError
from moderator_kit.io.base import (
    FormatSpec,
    ParseResult,
    QuarantineLog,
    iter_csv_rows,
    iter_json_array_items,
    numbered_lines,
    read_archive_text,
    read_text,
)
from moderator_kit.io.compressed import open_source
from moderator_kit.io.tweet_columns import TweetColumns, _join, clean_text, gc_paused
from moderator_kit.io.twitter_v2 import _loads_lenient, _raw_line
from moderator_kit.io.twitter_v2_rows import _as_id, _reason, complete_repost
from moderator_kit.io.twitter_v2_sniff import _DECODER, _lines, _loads

__all__ = [
    "RT_PATTERN",
    "STATUS_URL_PATTERN",
    "status_row",
    "parse_v1",
    "read_v1",
    "parse_tags_csv",
    "read_tags_csv",
    "sniff_v1",
    "sniff_tags_csv",
    "TAGS_COLUMNS",
    "FORMATS",
]

#: A retweet as plain text: ``RT @handle: ...`` at the very start.
RT_PATTERN = re.compile(r"^RT @(\w{1,15}):")
#: A link to a tweet (how archives without quote metadata show a quote tweet): groups are handle and tweet id.
STATUS_URL_PATTERN = re.compile(
    r"^https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/(\w{1,15})/status(?:es)?/(\d{1,20})/?(?:[?#].*)?$"
)

#: The TAGS export header.
TAGS_COLUMNS = (
    "id_str", "from_user", "text", "created_at", "time", "geo_coordinates", "user_lang", "in_reply_to_user_id_str",
    "in_reply_to_screen_name", "from_user_id_str", "in_reply_to_status_id_str", "source", "profile_image_url",
    "user_followers_count", "user_friends_count", "user_location", "status_url", "entities_str",
)  # fmt: skip
_TAGS_REQUIRED = ("id_str", "from_user", "text", "created_at")
_TAGS_STATUS_ID = re.compile(r"/status(?:es)?/(\d{1,20})")
_DIGITS = re.compile(r"\d{1,20}")
_SEARCH_START = re.compile(r'\{\s*"statuses"\s*:\s*\[\s*\{')


def _count(value: Any) -> int | None:
    """A count that may be a number or (in the X archive) a string of digits."""
    if type(value) is int:
        return value if 0 <= value < 2**63 else None
    if type(value) is str and value.isdigit() and len(value) < 19:
        return int(value)
    return None


def _opt_id(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if type(value) is str:
        return value
    if type(value) is int and value >= 0:
        return str(value)
    return None


def _entities(entities: Any) -> tuple[str | None, str | None, str | None, dict[str, str]]:
    """v1.1 entities -> joined mentions, hashtags, URLs (media excluded) and ``{handle: user id}`` of the mentions."""
    if type(entities) is not dict:
        return None, None, None, {}
    found = entities.get("user_mentions") or ()
    names = [m["screen_name"] for m in found]
    ids = {m["screen_name"].lower(): _opt_id(m.get("id_str") or m.get("id")) for m in found}
    found = entities.get("hashtags") or ()
    tags = [h["text"] for h in found]
    found = entities.get("urls") or ()
    urls = [u.get("expanded_url") or u["url"] for u in found]
    return _join(names), _join(tags), _join([u for u in urls if u]), ids


def _quote_from_urls(urls: str | None, tweet_id: str) -> tuple[str | None, str | None]:
    """The last link to another tweet, as (tweet id, handle): how an archive without quote metadata shows a quote."""
    if not urls:
        return None, None
    for url in reversed(urls.split("\x1f")):
        match = STATUS_URL_PATTERN.match(url)
        if match and match.group(2) != tweet_id:
            return match.group(2), match.group(1)
    return None, None


def _complete_from(original: dict, text: Any, mentions: str | None, hashtags: str | None, urls: str | None
                   ) -> tuple[Any, str | None, str | None, str | None]:
    """A retweet's truncated text and entities, completed from the ``retweeted_status`` it carries."""
    full = original.get("full_text") or original.get("text")
    entities = original.get("entities")
    extended = original.get("extended_tweet")
    if type(extended) is dict:
        full = extended.get("full_text") or full
        entities = extended.get("entities") or entities
    try:
        o_mentions, o_hashtags, o_urls, _ = _entities(entities)
    except (KeyError, TypeError, AttributeError):
        return text, mentions, hashtags, urls  # a malformed original does not cost the retweet
    return complete_repost(text, mentions, hashtags, urls, full, o_mentions, o_hashtags, o_urls)


def status_row(
    status: dict,
    position: int,
    index: int | None,
    *,
    owner: tuple[str | None, str, str | None, int | None] | None = None,
    infer_quotes: bool = False,
) -> tuple:
    """One API v1.1-shaped status as a row tuple (see :data:`moderator_kit.io.twitter_v2.ROW_COLUMNS`).

    Parameters
    ----------
    status
        The status object. Numbers may be strings (as in the X archive).
    position, index
        Where it was found (line number or array index) and its index inside the line (or ``None``).
    owner
        ``(author_id, handle, name, followers)`` for archives whose statuses carry no ``user``.
    infer_quotes
        Treat a link to another tweet as a quote (archives keep no quote metadata).

    Raises
    ------
    KeyError, ValueError
        For a status that cannot be imported (the caller quarantines it).

    Examples
    --------
    >>> row = status_row({"id_str": "5", "created_at": "Tue Apr 03 19:11:32 +0000 2018", "text": "hi",
    ...                   "favorite_count": "3"}, 0, None, owner=("1", "ann", "Ann", None))
    >>> row[:4], row[8], row[21]
    (('5', None, '1', 'ann'), 'post', 3)
    """
    tweet_id = _as_id(status.get("id_str") or status["id"], "id_str")
    created = status["created_at"]
    if created is None:
        raise KeyError("created_at")
    if owner is None:
        user = status["user"]
        if type(user) is not dict:
            raise ValueError("field 'user' is not an object")
        author_id = _as_id(user.get("id_str") or user["id"], "user.id_str")
        handle = user["screen_name"]
        name = user.get("name")
        followers = _count(user.get("followers_count"))
    else:
        author_id, handle, name, followers = owner
    text = status.get("full_text") or status.get("text")
    entities = status.get("entities")
    extended = status.get("extended_tweet")  # the streaming API keeps the long text here
    if type(extended) is dict:
        text = extended.get("full_text") or text
        entities = extended.get("entities") or entities
    mentions, hashtags, urls, mention_ids = _entities(entities)

    message_id = tweet_id
    stale = False
    edit = status.get("edit_info")
    if type(edit) is dict:
        chain = (edit.get("initial") or (edit.get("edit") or {}).get("editControlInitial") or {}).get("editTweetIds")
        if type(chain) is list and len(chain) > 1 and type(chain[-1]) is str and chain[-1] != tweet_id:
            message_id, stale = chain[-1], True

    reply_id = _opt_id(status.get("in_reply_to_status_id_str") or status.get("in_reply_to_status_id"))
    reply_aid = _opt_id(status.get("in_reply_to_user_id_str") or status.get("in_reply_to_user_id"))
    reply_handle = status.get("in_reply_to_screen_name") if reply_aid or reply_id else None
    repost_id = repost_aid = repost_handle = None
    retweeted = status.get("retweeted_status")
    if type(retweeted) is dict:
        repost_id = _opt_id(retweeted.get("id_str") or retweeted.get("id"))
        original = retweeted.get("user")
        if type(original) is dict:
            repost_aid = _opt_id(original.get("id_str") or original.get("id"))
            repost_handle = original.get("screen_name")
        text, mentions, hashtags, urls = _complete_from(retweeted, text, mentions, hashtags, urls)
    elif type(text) is str and text.startswith("RT @"):
        match = RT_PATTERN.match(text)
        if match:
            repost_handle = match.group(1)
            repost_aid = mention_ids.get(repost_handle.lower())
    quote_id = _opt_id(status.get("quoted_status_id_str") or status.get("quoted_status_id"))
    quote_aid = quote_handle = None
    quoted = status.get("quoted_status")
    if type(quoted) is dict:
        quote_id = quote_id or _opt_id(quoted.get("id_str") or quoted.get("id"))
        original = quoted.get("user")
        if type(original) is dict:
            quote_aid = _opt_id(original.get("id_str") or original.get("id"))
            quote_handle = original.get("screen_name")
    elif quote_id is None and infer_quotes:
        quote_id, quote_handle = _quote_from_urls(urls, tweet_id)
        if quote_handle is not None:
            quote_aid = mention_ids.get(quote_handle.lower())
    if repost_handle is not None or repost_id is not None:
        kind = "repost"
    elif reply_id is not None or reply_aid is not None:
        kind = "reply"
    elif quote_id is not None:
        kind = "quote"
    else:
        kind = "post"
    return (
        message_id, None, author_id, handle, name, followers, created, text, kind,
        reply_id, reply_aid, reply_handle, repost_id, repost_aid, repost_handle, quote_id, quote_aid, quote_handle,
        mentions, hashtags, urls,
        _count(status.get("favorite_count")), _count(status.get("retweet_count")), _count(status.get("reply_count")),
        None, status.get("source"), status.get("lang"), position, index, stale,
    )  # fmt: skip


def _search_statuses(value: Any) -> list | None:
    """The ``statuses`` of a v1.1 search response (``{"statuses": [...], "search_metadata": ...}``), else ``None``."""
    if type(value) is dict and type(value.get("statuses")) is list and "created_at" not in value:
        return value["statuses"]
    return None


def _add_status(status: Any, position: int, columns: TweetColumns, bad: QuarantineLog, raw: Any = None,
                index: int | None = None) -> None:
    if index is None and type(status) is dict:
        statuses = _search_statuses(status)
        if statuses is not None:  # a search response on one line: each status counts, found by its index
            for item_index, item in enumerate(statuses):
                _add_status(item, position, columns, bad, index=item_index)
            return
    if type(status) is not dict:
        if index is not None:
            bad.add(position, f"status {index}: not a status (a JSON {type(status).__name__})", status)
            return
        bad.add(position, f"not a status (a JSON {type(status).__name__}, expected an object)", raw or status)
        return
    if "created_at" not in status and ("delete" in status or "limit" in status or "scrub_geo" in status):
        notice = next(key for key in ("delete", "limit", "scrub_geo") if key in status)
        bad.add(position, f"not a status: a streaming {notice!r} notice", status)
        return
    try:
        columns.rows.append(status_row(status, position, index))
    except Exception as err:  # noqa: BLE001 - a malformed status goes to quarantine, whatever is wrong with it
        bad.add(position, _reason(index, err).replace("tweet", "status", 1), status)


def parse_v1(source: str | Iterable[bytes | str], source_file: str = "<memory>") -> ParseResult:
    """Parse API v1.1 statuses: JSON lines (twarc 1), or a JSON array of statuses.

    Parameters
    ----------
    source
        The whole text (a JSON array, a search response, or JSON lines), or an iterable of lines.
    source_file
        Recorded on every row.

    Returns
    -------
    ParseResult
        ``source_record`` is the line number for JSON lines and the 0-based index for an array or for the
        ``statuses`` of a search response file (a search response on one line of a JSONL file gives its line
        number, and quarantine reasons name the status's index). A truncated array gives up its complete
        statuses; the broken tail is quarantined.

    Examples
    --------
    >>> text = ('[{"id_str": "1", "created_at": "Tue Apr 03 18:09:17 +0000 2018", "text": "hi @Ann",'
    ...         ' "user": {"id_str": "7", "screen_name": "Bob"}}, {"id_str": "2", "crea')
    >>> result = parse_v1(text)
    >>> result.imported, result.quarantined, result.messages["mentions"].to_list()
    (1, 1, [['ann']])
    >>> search = '{"statuses": [' + text[1:text.index("}}") + 2] + '], "search_metadata": {"count": 1}}'
    >>> parse_v1(search).messages.select("message_id", "source_record").row(0)
    ('1', 0)
    """
    with gc_paused():
        return _parse_v1(source, str(source_file))


def _parse_v1(source: str | Iterable[bytes | str], source_file: str) -> ParseResult:
    columns = TweetColumns(source_file, "v1", html_source=True)
    bad = QuarantineLog(source_file, "v1")
    if isinstance(source, str):
        source = clean_text(source)
    if isinstance(source, str) and source.lstrip("\ufeff \t\r\n").startswith("{"):
        try:
            statuses = _search_statuses(orjson.loads(source.lstrip("\ufeff")))
        except orjson.JSONDecodeError:
            statuses = None  # JSON lines (or a broken file): read line by line below
        if statuses is not None:
            for index, item in enumerate(statuses):
                _add_status(item, index, columns, bad, index=None if type(item) is dict else index)
                columns.maybe_flush()
            return columns.finish(bad)
    if isinstance(source, str) and source.lstrip("\ufeff \t\r\n").startswith("["):
        text = source.lstrip("\ufeff")
        try:
            items = list(enumerate(orjson.loads(text)))
            errors: list[tuple[int, str]] = []
        except orjson.JSONDecodeError:
            items, errors = [], []
            for index, item, error in iter_json_array_items(text):
                if error is None:
                    items.append((index, item))
                else:
                    errors.append((index, error))
        for index, item in items:
            _add_status(item, index, columns, bad)
            columns.maybe_flush()
        for index, error in errors:
            bad.add(index, error)
        return columns.finish(bad)
    for number, line in numbered_lines(source):  # a text splits at \n only; blank lines are skipped in bulk
        try:
            status = orjson.loads(line)
        except orjson.JSONDecodeError as err:
            if not line.strip():
                continue
            try:
                status = _loads_lenient(line, err)
            except orjson.JSONDecodeError:
                bad.add(number, f"invalid JSON: {err}", _raw_line(line))
                continue
        _add_status(status, number, columns, bad, _raw_line(line) if type(status) is not dict else None)
        columns.maybe_flush()
    return columns.finish(bad)


def read_v1(path: Path | str) -> ParseResult:
    """Read API v1.1 statuses from a JSONL file (streamed), a JSON array file or a search response file."""
    path = Path(path)
    try:
        with open_source(path) as handle:
            first_line = handle.readline(1 << 16)
            start = first_line.lstrip(b"\xef\xbb\xbf \t\r\n")
            # A JSON array, or one JSON document over several lines (a pretty-printed search response).
            # (the cheap end-of-line test first: a JSONL line is not decoded twice)
            if start.startswith(b"[") or (start.startswith(b"{") and not first_line.rstrip().endswith(b"}")
                                          and _loads(first_line.decode("utf-8", "replace")) is None):
                return parse_v1(read_text(path), str(path))
            handle.seek(0)
            return parse_v1(handle, str(path))
    except OSError as err:
        raise ArchiveError(f"cannot read the file ({err.strerror or err})", path=str(path)) from None


# --------------------------------------------------------------------------------------------------------------------
# TAGS


def _tags_value(value: str) -> str | None:
    return None if value == "" or value == "NA" else value


def _tags_row(record: dict[str, str], position: int) -> tuple:
    tweet_id = _tags_value(record.get("id_str", ""))
    if tweet_id is not None and not _DIGITS.fullmatch(tweet_id):
        tweet_id = None  # Sheets shows long ids as 1.25E+18; the status URL still has the real one
    if tweet_id is None:
        match = _TAGS_STATUS_ID.search(record.get("status_url") or "")
        if match is None:
            raise ValueError(f"no tweet id (id_str {record.get('id_str', '')[:30]!r}, no status_url)")
        tweet_id = match.group(1)
    handle = _tags_value(record.get("from_user", ""))
    if handle is None:
        raise KeyError("from_user")
    created = _tags_value(record.get("created_at", "")) or _tags_value(record.get("time", ""))
    if created is None:
        raise KeyError("created_at")
    text = record.get("text")
    raw_entities = _tags_value(record.get("entities_str", ""))
    mentions = hashtags = urls = None
    mention_ids: dict[str, str] = {}
    if raw_entities is not None:
        try:
            mentions, hashtags, urls, mention_ids = _entities(orjson.loads(raw_entities))
        except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError):
            mentions = hashtags = urls = None  # filled from the text instead
    reply_id = _tags_value(record.get("in_reply_to_status_id_str", ""))
    reply_aid = _tags_value(record.get("in_reply_to_user_id_str", ""))
    reply_handle = _tags_value(record.get("in_reply_to_screen_name", ""))
    repost_aid = repost_handle = quote_aid = None
    match = RT_PATTERN.match(text or "")
    if match:
        repost_handle = match.group(1)
        repost_aid = mention_ids.get(repost_handle.lower())
    quote_id, quote_handle = _quote_from_urls(urls, tweet_id)
    if quote_handle is not None:
        quote_aid = mention_ids.get(quote_handle.lower())
    if repost_handle is not None:
        kind = "repost"
    elif reply_id is not None or reply_aid is not None or reply_handle is not None:
        kind = "reply"
    elif quote_id is not None:
        kind = "quote"
    else:
        kind = "post"
    followers = record.get("user_followers_count", "")
    return (
        tweet_id, None, _tags_value(record.get("from_user_id_str", "")), handle, None,
        int(followers) if followers.isdigit() and len(followers) < 19 else None, created, text, kind,
        reply_id, reply_aid, reply_handle, None, repost_aid, repost_handle, quote_id, quote_aid, quote_handle,
        mentions, hashtags, urls, None, None, None, None, _tags_value(record.get("source", "")), None,
        position, None, False,
    )  # fmt: skip


def parse_tags_csv(text: str, source_file: str = "<memory>") -> ParseResult:
    """Parse a TAGS (Twitter Archiving Google Sheet) CSV export.

    Rows whose field count differs from the header's, or without id, author or time, are quarantined with their row
    number (header = 1, first data row = 2). ``NA`` (as written by R) and empty cells are missing values. Repeated
    rows (TAGS often collects a tweet twice) are counted as duplicates.

    Raises
    ------
    ArchiveError
        If the header lacks the TAGS columns ``id_str``, ``from_user``, ``text`` or ``created_at``.

    Examples
    --------
    >>> csv_text = ("id_str,from_user,text,created_at\\n"
    ...             "2,bob,RT @Ann: Q1 is up,Tue Apr 03 18:09:17 +0000 2018\\n"
    ...             "2,bob,RT @Ann: Q1 is up,Tue Apr 03 18:09:17 +0000 2018\\n")
    >>> result = parse_tags_csv(csv_text, "tags.csv")
    >>> result.imported, result.duplicates, result.messages.select("kind", "repost_of_author_handle").row(0)
    (1, 1, ('repost', 'ann'))
    """
    source_file = str(source_file)
    reader = csv.reader(io.StringIO(clean_text(text).lstrip("\ufeff"), newline=""))
    try:
        header = next(reader, None)
    except csv.Error as err:
        raise ArchiveError(f"not a readable CSV file ({err})", path=source_file, position=1) from None
    header = [name.strip() for name in header] if header else []
    missing = [name for name in _TAGS_REQUIRED if name not in header]
    if missing:
        raise ArchiveError(f"not a TAGS export: the header lacks {', '.join(missing)}", path=source_file, position=1)
    columns = TweetColumns(source_file, "tags-csv", html_source=True)
    bad = QuarantineLog(source_file, "tags-csv")
    width = len(header)
    for position, fields in iter_csv_rows(reader, width, bad, allow_empty_extra=True):
        record = dict(zip(header, fields))
        try:
            columns.rows.append(_tags_row(record, position))
        except Exception as err:  # noqa: BLE001 - a malformed row goes to quarantine, whatever is wrong with it
            bad.add(position, _reason(None, err).replace("tweet", "row", 1), ",".join(fields))
        columns.maybe_flush()
    return columns.finish(bad)


def read_tags_csv(path: Path | str) -> ParseResult:
    """Read a TAGS CSV export."""
    path = Path(path)
    text = read_archive_text(path)
    return parse_tags_csv(text, str(path))


# --------------------------------------------------------------------------------------------------------------------
# Sniffers


def _is_status(obj: Any) -> bool:
    if not isinstance(obj, dict) or not ("full_text" in obj or "text" in obj) or "created_at" not in obj:
        return False
    user = obj.get("user")
    return (
        ("id_str" in obj or "id" in obj) and isinstance(user, dict) and "screen_name" in user
        and isinstance(obj["created_at"], str) and obj["created_at"][:3].isalpha()
    )  # fmt: skip


def sniff_v1(path: Path, head: str) -> bool:
    """API v1.1 statuses: a status with ``user.screen_name`` and a ``'Tue Apr 03 ...'`` time, per line or in an array.

    >>> sniff_v1(Path("t.jsonl"), '{"id_str": "1", "created_at": "Tue Apr 03 18:09:17 +0000 2018", "text": "x",'
    ...          ' "user": {"screen_name": "ann"}}\\n')
    True
    >>> sniff_v1(Path("m.json"), '[{"id": "1", "created_at": "2024-01-01T00:00:00Z", "content": "<p>x</p>",'
    ...          ' "account": {"acct": "ann"}}]')
    False
    >>> sniff_v1(Path("search.json"), '{\\n "statuses": [\\n  {"id_str": "1", "created_at": "Tue Apr 03 18:09:17 +0000'
    ...          ' 2018", "text": "x", "user": {"screen_name": "ann"}}], "search_metadata": {}}')
    True
    """
    text = head.lstrip("\ufeff \t\r\n")
    if text.startswith("["):
        try:
            first = _DECODER.raw_decode(text, text.index("{"))[0] if "{" in text else None
        except ValueError:
            return False
        return _is_status(first)
    if not text.startswith("{"):
        return False
    search = _SEARCH_START.match(text)
    if search is not None:  # a search response: {"statuses": [ {status}, ...], "search_metadata": ...}
        try:
            first = _DECODER.raw_decode(text, search.end() - 1)[0]
        except ValueError:
            return False
        return _is_status(first)
    for line in _lines(text)[:5]:
        obj = _loads(line)
        if obj is None:
            return False
        if isinstance(obj, dict) and ("delete" in obj or "limit" in obj) and "created_at" not in obj:
            continue
        return _is_status(obj)
    return False


def sniff_tags_csv(path: Path, head: str) -> bool:
    """A TAGS export: the first line is a CSV header with ``id_str``, ``from_user``, ``text``, ``created_at``.

    >>> sniff_tags_csv(Path("t.csv"), "id_str,from_user,text,created_at,time,status_url\\n1,ann,hi,x,y,z\\n")
    True
    """
    first = head.lstrip("\ufeff").split("\n", 1)[0]
    if "id_str" not in first or "from_user" not in first:
        return False
    try:
        header = next(csv.reader([first]))
    except (csv.Error, StopIteration):
        return False
    return all(name in [h.strip() for h in header] for name in _TAGS_REQUIRED)


FORMATS: list[FormatSpec] = [
    FormatSpec("v1", "X/Twitter API v1.1 statuses (twarc 1 JSONL, a JSON array, or search responses)", sniff_v1,
               read_v1),
    FormatSpec("tags-csv", "TAGS (Twitter Archiving Google Sheet) CSV export", sniff_tags_csv, read_tags_csv),
]
