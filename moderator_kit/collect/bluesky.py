"""Collect Bluesky ``app.bsky.feed.searchPosts`` results with the atproto SDK into a JSON-lines archive.

Each pass walks the search (newest first, by cursor) down to the bound of the last *complete* pass, kept in a small
state sidecar (``FILE.state.json``); posts already in the file are skipped by URI. A run killed mid-pass redoes that
pass, so nothing is lost and nothing is written twice.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from atproto import Client, exceptions, models

from moderator_kit.collect.archive import ArchiveAppender, CollectError, read_state, write_state
from moderator_kit.collect.mastodon import CollectResult
from moderator_kit.collect.retry import Backoff

__all__ = ["collect_bluesky", "state_path"]


def state_path(out: Path | str) -> Path:
    """The state sidecar of a Bluesky collection.

    >>> state_path("chat.jsonl").name
    'chat.jsonl.state.json'
    """
    out = Path(out)
    return out.with_name(out.name + ".state.json")


def _uri(record: dict) -> str | None:
    value = record.get("uri")
    return value if isinstance(value, str) and value.startswith("at://") else None


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def collect_bluesky(
    query: str,
    out: Path | str,
    *,
    base_url: str = "https://public.api.bsky.app",
    since: datetime | None = None,
    handle: str | None = None,
    app_password: str | None = None,
    follow: bool = False,
    interval: float = 30.0,
    page_size: int = 100,
    timeout: float = 30.0,
    backoff: Backoff | None = None,
    stop: threading.Event | None = None,
    on_page: Callable[[int, int], None] | None = None,
) -> CollectResult:
    """Append the search's PostViews (raw, one per line) to ``out``, resuming from the state sidecar.

    Parameters
    ----------
    query
        The search, e.g. ``"#fedichat"``.
    base_url
        The AppView (or PDS, after a login) serving ``app.bsky.feed.searchPosts``.
    handle, app_password
        Log in (``com.atproto.server.createSession``) where the server requires it.

    Raises
    ------
    CollectError
        When the server refuses (bad login, bad query) or keeps failing after the bounded retries.
    """
    if not query.strip():
        raise CollectError('--query is empty: give the search, e.g. --query "#fedichat"')
    backoff = backoff or Backoff()
    stop = stop or threading.Event()
    client = Client(base_url=base_url)
    client.request._client.timeout = timeout  # httpx client of the SDK
    if handle or app_password:
        if not (handle and app_password):
            raise CollectError("give both --handle and --app-password (or neither)")
        _call(lambda: client.login(handle, app_password, fetch_bsky_profile=False), backoff, base_url)
    sidecar = state_path(out)
    state = read_state(sidecar)
    bound = state.get("since") or (_iso(since) if since else None)
    new = pages = 0
    with ArchiveAppender(out, key=_uri) as archive:
        while not stop.is_set():
            cursor = None
            newest = None
            while not stop.is_set():
                params = models.AppBskyFeedSearchPosts.Params(
                    q=query, limit=page_size, sort="latest", since=bound, cursor=cursor
                )
                page = _call(
                    lambda: client.invoke_query("app.bsky.feed.searchPosts", params=params).content, backoff, base_url
                )
                posts = page.get("posts") if isinstance(page, dict) else None
                if not isinstance(posts, list) or not all(isinstance(p, dict) and _uri(p) for p in posts):
                    raise CollectError(f"{base_url}: malformed searchPosts page (no list of posts)")
                pages += 1
                written = archive.append_many(posts)
                new += written
                if on_page:
                    on_page(written, len(archive.keys))
                stamps = [p.get("indexedAt") for p in posts if isinstance(p.get("indexedAt"), str)]
                if stamps and (newest is None or max(stamps) > newest):
                    newest = max(stamps)
                cursor = page.get("cursor")
                if not posts or not cursor:
                    break
            else:
                break  # stopped mid-pass: the bound stays, the next run redoes this pass
            if newest:
                bound = newest
                write_state(sidecar, {"query": query, "since": bound})
            if not follow:
                break
            stop.wait(interval)
        return CollectResult(new=new, total=len(archive.keys), pages=pages)


def _call(request: Callable, backoff: Backoff, base_url: str):
    failures = limited = 0
    while True:
        try:
            return request()
        except exceptions.UnauthorizedError:
            raise CollectError(
                f"{base_url}: the server refused access; log in with --handle and an --app-password"
            ) from None
        except exceptions.BadRequestError as err:
            raise CollectError(f"{base_url}: the server refused the request: {_message(err)}") from None
        except (exceptions.NetworkError, exceptions.InvokeTimeoutError) as err:
            response = getattr(err, "response", None)
            reason = f"HTTP {response.status_code}" if response is not None else f"network error ({type(err).__name__})"
            if not backoff.wait(failures):
                raise CollectError(f"{base_url}: giving up after {failures + 1} attempts: {reason}") from None
            failures += 1
        except exceptions.RequestException as err:
            response = err.response
            status = response.status_code if response is not None else None
            if status == 429:
                limited += 1
                if limited > 20:
                    raise CollectError(f"{base_url}: still rate-limited after 20 waits; try again later") from None
                backoff.pause(max(1.0, _retry_after(response.headers)))
                continue
            if status is not None and status < 500 and status not in (408, 409, 413):
                raise CollectError(f"{base_url}: HTTP {status}: {_message(err)}") from None
            reason = f"HTTP {status}" if status else f"network error ({type(err).__name__})"
            if not backoff.wait(failures):
                raise CollectError(f"{base_url}: giving up after {failures + 1} attempts: {reason}") from None
            failures += 1
        except (exceptions.AtProtocolError, ValueError) as err:
            if not backoff.wait(failures):
                raise CollectError(
                    f"{base_url}: giving up after {failures + 1} attempts: malformed response ({type(err).__name__})"
                ) from None
            failures += 1


def _retry_after(headers: dict) -> float:
    for name in ("retry-after",):
        try:
            return float(headers.get(name, ""))
        except ValueError:
            pass
    try:
        return float(headers.get("ratelimit-reset", "")) - time.time()
    except ValueError:
        return 0.0


def _message(err: Exception) -> str:
    content = getattr(getattr(err, "response", None), "content", None)
    return str(getattr(content, "message", None) or getattr(content, "error", None) or type(err).__name__)[:200]
