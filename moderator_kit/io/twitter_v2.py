"""X/Twitter API v2 as written by twarc2: response pages (one per line) and twarc2's flattened tweets.

A twarc2 page is one API response: ``data`` (the tweets), ``includes.users`` (their authors and the people they
mention or reply to), ``includes.tweets`` (the tweets they retweet, quote or reply to), ``meta``, ``errors`` and
twarc's own ``__twarc``. Only the tweets in ``data`` become messages; ``includes.tweets`` are context used to resolve
who was retweeted, quoted or replied to (see ``docs/formats/twitter.md``).

The reader streams the file line by line, parses each line with orjson and keeps the rows as tuples that are turned
into polars columns every :data:`TweetColumns.CHUNK` rows, so a million-tweet file is read in a few seconds and
without holding the parsed pages.

This module parses lines and pages and reads files (whole or in chunks); one tweet becomes a row in
:mod:`~moderator_kit.io.twitter_v2_rows`, rows become the frame in :mod:`~moderator_kit.io.tweet_columns`, and the
sniffers are in :mod:`~moderator_kit.io.twitter_v2_sniff`. The names of those modules are re-exported here.

Examples
--------
>>> page = {"data": [{"id": "2", "text": "A1: hi @Ann", "author_id": "9", "created_at": "2024-01-01T21:05:00.000Z",
...                   "referenced_tweets": [{"type": "replied_to", "id": "1"}], "in_reply_to_user_id": "8",
...                   "entities": {"mentions": [{"username": "Ann"}]}}],
...         "includes": {"users": [{"id": "9", "username": "Bob", "name": "Bob B"},
...                                {"id": "8", "username": "Ann"}]}}
>>> import orjson
>>> result = parse_twarc2([orjson.dumps(page)], "chat.jsonl")
>>> result.messages.select("message_id", "author_handle", "kind", "reply_to_author_handle", "mentions").row(0)
('2', 'bob', 'reply', 'ann', ['ann'])
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

from moderator_kit.errors import ArchiveError
from moderator_kit.io.base import FormatSpec, ParseResult, QuarantineLog, numbered_lines
from moderator_kit.io.compressed import open_source
from moderator_kit.io.tweet_columns import ROW_COLUMNS, SEP, TweetColumns, clean_text, gc_paused
from moderator_kit.io.twitter_v2_rows import (
    _error_summary,
    _index_tweets,
    _index_users,
    _is_v2_tweet,
    _reason,
    _v2_row,
    complete_repost,
)
from moderator_kit.io.twitter_v2_sniff import sniff_twarc2, sniff_twarc2_flat

__all__ = [
    "SEP",
    "ROW_COLUMNS",
    "TweetColumns",
    "parse_twarc2",
    "read_twarc2",
    "parse_twarc2_flat",
    "read_twarc2_flat",
    "read_twarc2_chunks",
    "read_twarc2_flat_chunks",
    "CHUNK_TWEETS",
    "sniff_twarc2",
    "sniff_twarc2_flat",
    "gc_paused",
    "clean_text",
    "complete_repost",
    "FORMATS",
]


def _raw_line(line: bytes | str) -> str:
    if isinstance(line, bytes):
        return line[:2000].decode("utf-8", errors="replace")
    return clean_text(line[:2000])


def _loads_lenient(line: bytes | str, err: Exception) -> Any:
    """orjson refuses lone surrogates (``"\\ud83d"``) that real tweets carry; the standard library accepts them."""
    if "surrogate" not in str(err):
        raise err
    try:
        return json.loads(line)
    except (ValueError, RecursionError):
        raise err from None


def _add_flat(tweet: dict, number: int, rows: list, bad: QuarantineLog) -> None:
    """A flattened tweet: author, in_reply_to_user and referenced tweets are inlined."""
    users: dict = {}
    tweets: dict = {}
    try:
        for key in ("author", "in_reply_to_user"):
            user = tweet.get(key)
            if type(user) is dict and type(user.get("id")) is str:
                users[user["id"]] = user
        refs = tweet.get("referenced_tweets")
        if isinstance(refs, list):
            for ref in refs:
                if type(ref) is dict and type(ref.get("id")) is str:
                    tweets[ref["id"]] = ref
                    author = ref.get("author")
                    if type(author) is dict and type(author.get("id")) is str:
                        users.setdefault(author["id"], author)
        rows.append(_v2_row(tweet, users, tweets, number, None))
    except Exception as err:  # noqa: BLE001 - a malformed tweet goes to quarantine, whatever is wrong with it
        bad.add(number, _reason(None, err), tweet)


def _add_page(page: Any, number: int, line: bytes | str, rows: list, bad: QuarantineLog) -> None:
    """One twarc2 line: a response page (or, tolerated, a flattened tweet)."""
    if type(page) is not dict:
        bad.add(number, f"not a twarc2 response page (a JSON {type(page).__name__}, expected an object)",
                _raw_line(line))
        return
    data = page.get("data")
    if data is None:
        if _is_v2_tweet(page):
            _add_flat(page, number, rows, bad)
            return
        bad.add(number, "page has no data" + _error_summary(page.get("errors")), _raw_line(line))
        return
    if type(data) is dict:
        data = [data]
    elif type(data) is not list:
        bad.add(number, f"page data is a {type(data).__name__}, expected a list of tweets", _raw_line(line))
        return
    if not data:
        if page.get("errors"):
            bad.add(number, "page has no tweets" + _error_summary(page.get("errors")), _raw_line(line))
        return
    first = data[0]
    if not (type(first) is dict and "text" in first) and not any(type(x) is dict and "text" in x for x in data):
        keys = ", ".join(sorted(first)[:6]) if type(first) is dict else type(first).__name__
        bad.add(number, f"page holds no tweets (its {len(data)} data items have: {keys})", _raw_line(line))
        return
    includes = page.get("includes")
    if type(includes) is dict:
        users = _index_users(includes.get("users"))
        tweets = _index_tweets(includes.get("tweets"))
    else:
        users, tweets = {}, {}
    append = rows.append
    for index, tweet in enumerate(data):
        try:
            append(_v2_row(tweet, users, tweets, number, index))
        except Exception as err:  # noqa: BLE001 - a malformed tweet goes to quarantine, whatever is wrong with it
            if isinstance(err, (TypeError, AttributeError)) and type(tweet) is not dict:
                bad.add(number, f"tweet {index}: not a JSON object", tweet)
            else:
                bad.add(number, _reason(index, err), tweet)


#: Tweets per chunk when a file is read in chunks (:func:`read_twarc2_chunks`): memory stays bounded by the chunk.
CHUNK_TWEETS = 100_000


def _parse_chunks(lines: Iterable[bytes | str], source_file: str, source_format: str,
                  chunk_tweets: int | None = None) -> Iterator[ParseResult]:
    """Parse the lines into one :class:`ParseResult` per ``chunk_tweets`` tweets (all of them when None).

    Each chunk is finished on its own: de-duplication and handle lookups span the chunk, and the workspace
    de-duplicates across chunks.
    """
    numbered = numbered_lines(lines)  # an open file's blank lines are skipped in bulk
    loads = orjson.loads
    decode_error = orjson.JSONDecodeError
    first = True
    while True:
        columns = TweetColumns(source_file, source_format)
        bad = QuarantineLog(source_file, source_format)
        rows = columns.rows
        flushed, more, started = 0, False, False
        with gc_paused():
            for number, line in numbered:
                started = True
                try:
                    page = loads(line)
                except decode_error as err:
                    if not line.strip():
                        continue
                    try:
                        page = _loads_lenient(line, err)
                    except decode_error:
                        bad.add(number, f"invalid JSON: {err}", _raw_line(line))
                        continue
                _add_page(page, number, line, rows, bad)
                if len(rows) >= columns.CHUNK:
                    flushed += len(rows)
                    columns.flush()
                    rows = columns.rows
                if chunk_tweets is not None and flushed + len(rows) >= chunk_tweets:
                    more = True
                    break
            page = None
            if not (started or first):
                return  # the file ended exactly at a chunk's end
            result = columns.finish(bad)
        yield result
        first = False
        if not more:
            return


def _parse_lines(lines: Iterable[bytes | str], source_file: str, source_format: str) -> ParseResult:
    return next(_parse_chunks(lines, source_file, source_format))


def parse_twarc2(lines: Iterable[bytes | str], source_file: str = "<memory>") -> ParseResult:
    """Parse twarc2 output: one API v2 response page per line.

    Parameters
    ----------
    lines
        The file's lines (bytes or str), for example an open binary file; they are consumed one at a time.
    source_file
        Recorded on every row and quarantine entry.

    Returns
    -------
    ParseResult
        The tweets in each page's ``data``. A line that is not JSON, a page with no ``data`` (an error-only page),
        a page whose data are not tweets (users, counts) and single tweets without id, created_at or author are
        quarantined with their line number (and the tweet's index in the page). Lines holding one flattened tweet
        are accepted too.

    Examples
    --------
    >>> result = parse_twarc2([b'{"errors": [{"title": "Not Found Error"}]}', b'{"data": [{"id": "1", "tex'])
    >>> result.records_seen, result.imported, result.quarantine["reason"].to_list()[0]
    (2, 0, "page has no data: API error 'Not Found Error'")
    """
    return _parse_lines(lines, str(source_file), "twarc2")


def parse_twarc2_flat(lines: Iterable[bytes | str], source_file: str = "<memory>") -> ParseResult:
    """Parse ``twarc2 flatten`` output: one tweet per line with ``author`` and referenced tweets inlined.

    Examples
    --------
    >>> line = ('{"id": "5", "text": "RT @ann: Q1", "created_at": "2024-01-01T21:00:00.000Z", "author_id": "2",'
    ...         ' "author": {"id": "2", "username": "Bob"}, "referenced_tweets": [{"type": "retweeted", "id": "4",'
    ...         ' "author_id": "1", "author": {"id": "1", "username": "Ann"}}]}')
    >>> parse_twarc2_flat([line]).messages.select("kind", "repost_of_message_id", "repost_of_author_handle").row(0)
    ('repost', '4', 'ann')
    """
    return _parse_lines(lines, str(source_file), "twarc2-flat")


def _read_lines(path: Path | str, parse: Any) -> ParseResult:
    path = Path(path)
    try:
        with open_source(path) as handle:
            return parse(handle, str(path))
    except OSError as err:
        raise ArchiveError(f"cannot read the file ({err.strerror or err}); check the path and permissions",
                           path=str(path)) from None


def read_twarc2(path: Path | str) -> ParseResult:
    """Read a twarc2 JSONL file (one response page per line), streaming it line by line."""
    return _read_lines(path, parse_twarc2)


def read_twarc2_flat(path: Path | str) -> ParseResult:
    """Read a ``twarc2 flatten`` JSONL file (one tweet per line)."""
    return _read_lines(path, parse_twarc2_flat)


def _read_chunks(path: Path | str, source_format: str, chunk_tweets: int | None) -> Iterator[ParseResult]:
    path = Path(path)
    chunk_tweets = chunk_tweets or CHUNK_TWEETS
    try:
        with open_source(path) as handle:
            yield from _parse_chunks(handle, str(path), source_format, chunk_tweets)
    except OSError as err:
        raise ArchiveError(f"cannot read the file ({err.strerror or err}); check the path and permissions",
                           path=str(path)) from None


def read_twarc2_chunks(path: Path | str, chunk_tweets: int | None = None) -> Iterator[ParseResult]:
    """Read a twarc2 JSONL file as one :class:`ParseResult` per ``chunk_tweets`` tweets (default
    :data:`CHUNK_TWEETS`), so that memory holds one chunk.

    >>> import tempfile
    >>> line = '{"data": [{"id": "%d", "text": "hi", "author_id": "1", "created_at": "2024-01-01T21:00:00Z"}]}'
    >>> path = Path(tempfile.mkdtemp()) / "t.jsonl"
    >>> _ = path.write_text("\\n".join(line % i for i in range(5)))
    >>> [chunk.imported for chunk in read_twarc2_chunks(path, chunk_tweets=2)]
    [2, 2, 1]
    """
    return _read_chunks(path, "twarc2", chunk_tweets)


def read_twarc2_flat_chunks(path: Path | str, chunk_tweets: int | None = None) -> Iterator[ParseResult]:
    """Read a ``twarc2 flatten`` JSONL file as one :class:`ParseResult` per ``chunk_tweets`` tweets."""
    return _read_chunks(path, "twarc2-flat", chunk_tweets)


FORMATS: list[FormatSpec] = [
    FormatSpec("twarc2", "X/Twitter API v2 pages as written by twarc2 (JSONL, one response per line)",
               sniff_twarc2, read_twarc2, read_chunks=read_twarc2_chunks),
    FormatSpec("twarc2-flat", "X/Twitter API v2 tweets flattened by `twarc2 flatten` (JSONL, one tweet per line)",
               sniff_twarc2_flat, read_twarc2_flat, read_chunks=read_twarc2_flat_chunks),
]
