"""Collect a Mastodon hashtag timeline (``/api/v1/timelines/tag/:hashtag``) with Mastodon.py into a JSON-lines archive.

The walk goes forward in time with ``min_id`` (the page of statuses just after the newest one already held), so the
file's newest status id is the resume point: a run killed at any moment resumes without a gap or a duplicate.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Callable

import orjson
import requests
from mastodon import Mastodon
from mastodon.errors import (
    MastodonAPIError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from moderator_kit.collect.archive import ArchiveAppender, CollectError
from moderator_kit.collect.retry import Backoff

__all__ = ["CollectResult", "collect_mastodon", "snowflake_floor"]


@dataclass
class CollectResult:
    """What one collector run did: new records written, records in the file, pages fetched."""

    new: int
    total: int
    pages: int


def snowflake_floor(moment: datetime) -> int:
    """The smallest Mastodon status id created at ``moment`` (ids are milliseconds << 16).

    >>> snowflake_floor(datetime(2024, 1, 1, tzinfo=timezone.utc))
    111677748019200000
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp() * 1000) << 16


def _status_id(record: dict) -> str | None:
    value = record.get("id")
    return str(value) if isinstance(value, (str, int)) and str(value).isdigit() else None


def _retry_after(response: requests.Response | None, now: float) -> float:
    """Seconds to wait after a 429: Retry-After (seconds or HTTP date), else X-RateLimit-Reset, else 0."""
    if response is None:
        return 0.0
    value = response.headers.get("Retry-After")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            try:
                return max(0.0, parsedate_to_datetime(value).timestamp() - now)
            except (TypeError, ValueError):
                pass
    return _reset_in(response, now)


def _reset_in(response: requests.Response, now: float) -> float:
    value = response.headers.get("X-RateLimit-Reset")
    if not value:
        return 0.0
    try:
        return max(0.0, datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() - now)
    except ValueError:
        try:
            return max(0.0, float(value) - now)
        except ValueError:
            return 0.0


def collect_mastodon(
    instance: str,
    tag: str,
    out: Path | str,
    *,
    since: datetime | None = None,
    token: str | None = None,
    follow: bool = False,
    interval: float = 30.0,
    page_size: int = 40,
    timeout: float = 30.0,
    backoff: Backoff | None = None,
    stop: threading.Event | None = None,
    on_page: Callable[[int, int], None] | None = None,
    clock: Callable[[], float] | None = None,
) -> CollectResult:
    """Append the hashtag timeline's statuses (raw, one per line) to ``out``, resuming after the newest held.

    Parameters
    ----------
    instance, tag
        The server (``https://mastodon.social``) and the hashtag, with or without ``#``.
    since
        Start of the collection when the file holds no status yet (default: the newest page only).
    follow
        Keep polling every ``interval`` seconds until ``stop`` is set.
    on_page
        Called with (new statuses, statuses in the file) after each page.

    Raises
    ------
    CollectError
        When the server refuses (unknown instance, bad token) or keeps failing after the bounded retries.
    """
    import time

    clock = clock or time.time
    backoff = backoff or Backoff()
    stop = stop or threading.Event()
    tag = tag.lstrip("#")
    if not tag:
        raise CollectError("--tag is empty: give the hashtag, e.g. --tag fedichat")
    captured: dict[str, requests.Response] = {}
    session = requests.Session()
    session.hooks["response"].append(lambda response, *args, **kwargs: captured.__setitem__("last", response))
    client = Mastodon(
        api_base_url=instance.rstrip("/"),
        access_token=token,
        ratelimit_method="throw",  # we honour Retry-After and X-RateLimit-Reset ourselves, with an injectable sleep
        version_check_mode="none",
        request_timeout=timeout,
        session=session,
    )
    new = pages = 0
    with ArchiveAppender(out, key=_status_id) as archive:
        held = [int(key) for key in archive.keys]
        min_id: int | None = max(held) if held else (snowflake_floor(since) if since else None)
        while not stop.is_set():
            page = _fetch_page(client, tag, min_id, page_size, captured, backoff, clock, instance)
            pages += 1
            # Oldest first, so the file's newest id is always a valid resume point.
            page.sort(key=lambda status: int(status["id"]))
            written = archive.append_many(page)
            new += written
            if on_page:
                on_page(written, len(archive.keys))
            if page:
                min_id = int(page[-1]["id"])
            response = captured.get("last")
            if response is not None and response.headers.get("X-RateLimit-Remaining") == "0":
                backoff.pause(_reset_in(response, clock()))
            if len(page) < page_size or min_id is None:
                if not follow:
                    break
                stop.wait(interval)
        return CollectResult(new=new, total=len(archive.keys), pages=pages)


def _fetch_page(client, tag, min_id, page_size, captured, backoff, clock, instance) -> list[dict]:
    failures = limited = 0
    while True:
        captured.pop("last", None)
        try:
            client.timeline_hashtag(tag, min_id=min_id, limit=page_size)
            raw = orjson.loads(captured["last"].content)
            if not isinstance(raw, list) or not all(isinstance(s, dict) and _status_id(s) for s in raw):
                raise ValueError("the page is not a list of statuses")
            return raw
        except MastodonRatelimitError:
            limited += 1
            if limited > 20:
                raise CollectError(f"{instance}: still rate-limited after 20 waits; try again later") from None
            backoff.pause(max(1.0, _retry_after(captured.get("last"), clock())))
            continue
        except MastodonNotFoundError:
            raise CollectError(f"{instance}: no hashtag timeline here (HTTP 404); check --instance") from None
        except MastodonUnauthorizedError:
            raise CollectError(f"{instance}: the server refused access (HTTP 401); check --token") from None
        except (MastodonServerError, MastodonNetworkError, MastodonAPIError, ValueError, KeyError) as err:
            reason = _reason(err, captured.get("last"))
            if isinstance(err, MastodonAPIError) and not isinstance(err, MastodonServerError) and "parse" not in str(err):
                raise CollectError(f"{instance}: the server refused the request ({reason})") from None
            if not backoff.wait(failures):
                raise CollectError(f"{instance}: giving up after {failures + 1} attempts: {reason}") from None
            failures += 1


def _reason(err: Exception, response: requests.Response | None) -> str:
    if response is not None and not response.ok:
        return f"HTTP {response.status_code} {response.reason}"
    if isinstance(err, MastodonNetworkError):
        return "network error: " + str(err).split("\n")[0][:160]
    return "malformed page: " + str(err).split("\n")[0][:160]
