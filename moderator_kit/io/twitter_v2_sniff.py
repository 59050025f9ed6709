"""Sniffers for twarc2 output: cheap, content first, and never claiming another platform's JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import orjson

from moderator_kit.io.base import JSON_DECODER
from moderator_kit.io.twitter_v2_rows import _is_v2_tweet

__all__ = [
    "sniff_twarc2",
    "sniff_twarc2_flat",
]

_DECODER = JSON_DECODER  # raises JSONDecodeError, not RecursionError, on deep nesting
_DATA_START = re.compile(r'"data"\s*:\s*(\[\s*)?\{')


def _lines(head: str) -> list[str]:
    return [line for line in head.lstrip("\ufeff").splitlines() if line.strip()][:20]


def _loads(line: str) -> Any:
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        return None


def _first_data_item(line: str) -> Any:
    """The first tweet of a (possibly truncated) page line, decoded on its own."""
    match = _DATA_START.search(line)
    if match is None:
        return None
    try:
        return _DECODER.raw_decode(line, match.end() - 1)[0]
    except json.JSONDecodeError:
        return None


def sniff_twarc2(path: Path, head: str) -> bool:
    """A twarc2 page file: the first page's ``data`` holds API v2 tweets (not users, counts or lists).

    >>> sniff_twarc2(Path("x.jsonl"), '{"data": [{"id": "1", "text": "hi", "author_id": "2"}], "includes": {}}\\n')
    True
    >>> sniff_twarc2(Path("x.jsonl"), '{"data": [{"id": "2", "username": "ann", "name": "Ann"}]}\\n')
    False
    """
    if not head or not head.lstrip("\ufeff \t\r\n").startswith("{"):
        return False
    for line in _lines(head):
        page = _loads(line)
        if page is None:  # the line goes on past the 64 KiB head: look at its first data item only
            return line.lstrip().startswith("{") and _is_v2_tweet(_first_data_item(line))
        if not isinstance(page, dict):
            return False
        data = page.get("data")
        if data is None:
            if "errors" in page and "__twarc" in page:
                continue  # an error-only page; decide on the next line
            return False
        item = data[0] if isinstance(data, list) and data else data
        return _is_v2_tweet(item)
    return False


def sniff_twarc2_flat(path: Path, head: str) -> bool:
    """``twarc2 flatten`` output: each line is one API v2 tweet (no ``data`` wrapper).

    >>> sniff_twarc2_flat(Path("f.jsonl"), '{"id": "1", "text": "hi", "author": {"id": "2"}, "__twarc": {}}\\n')
    True
    """
    if not head or not head.lstrip("\ufeff \t\r\n").startswith("{"):
        return False
    lines = _lines(head)
    if not lines:
        return False
    tweet = _loads(lines[0])
    if tweet is None:
        try:
            tweet = _DECODER.raw_decode(lines[0].lstrip())[0]
        except json.JSONDecodeError:
            # A very long first line: fall back to the keys twarc2 writes on every flattened tweet.
            line = lines[0]
            return '"__twarc"' in line and '"author"' in line and '"edit_history_tweet_ids"' in line[:4000] \
                and not line.lstrip().startswith('{"data"')
    return (
        _is_v2_tweet(tweet) and "data" not in tweet
        and ("author" in tweet or "author_id" in tweet or "__twarc" in tweet)
        and not str(tweet.get("created_at", "")).count(" ")  # v2 times are ISO 8601, v1.1's have spaces
    )  # fmt: skip
