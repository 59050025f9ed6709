"""Local Mastodon and Bluesky API servers for the collector tests and benchmark (127.0.0.1 only).

They implement the real pagination (Link headers with max_id/min_id/since_id; searchPosts cursors), rate-limit
headers and error codes, and serve small realistic posts. ``faults`` is a queue of scripted failures, one per request.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Callable

from werkzeug.wrappers import Request, Response

__all__ = ["FakeMastodon", "FakeBluesky", "mastodon_status", "bluesky_post"]

START = datetime(2026, 1, 6, 1, 0, tzinfo=timezone.utc)
HANDLES = ["mod", "alice", "bob", "carol", "dave", "erin"]


def mastodon_status(index: int, tag: str = "fedichat") -> dict:
    created = START + timedelta(seconds=7 * index)
    sid = str((int(created.timestamp() * 1000) << 16) + index)
    handle = HANDLES[index % len(HANDLES)]
    text = f"Q{index // 10 + 1}: what helps you most?" if handle == "mod" else f"A{index // 10 + 1}: idea {index}"
    return {
        "id": sid, "created_at": created.isoformat().replace("+00:00", ".000Z"),
        "in_reply_to_id": None, "in_reply_to_account_id": None, "sensitive": False, "spoiler_text": "",
        "visibility": "public", "language": "en", "uri": f"https://social.example/users/{handle}/statuses/{sid}",
        "url": f"https://social.example/@{handle}/{sid}", "replies_count": 0, "reblogs_count": index % 3,
        "favourites_count": index % 5, "content": f"<p>{text} <a href=\"https://social.example/tags/{tag}\" "
        f"class=\"mention hashtag\" rel=\"tag\">#<span>{tag}</span></a></p>",
        "reblog": None, "account": {"id": str(100 + index % len(HANDLES)), "username": handle, "acct": handle,
                                    "display_name": handle.title(), "followers_count": 10 * (index % 7),
                                    "url": f"https://social.example/@{handle}"},
        "mentions": [], "tags": [{"name": tag, "url": f"https://social.example/tags/{tag}"}], "emojis": [],
    }


def bluesky_post(index: int, tag: str = "fedichat") -> dict:
    created = START + timedelta(seconds=7 * index)
    stamp = created.isoformat().replace("+00:00", ".000Z")
    handle = HANDLES[index % len(HANDLES)]
    did = f"did:plc:{handle}{'x' * (24 - len(handle))}"
    text = f"A{index // 10 + 1}: idea {index} #{tag}"
    return {
        "uri": f"at://{did}/app.bsky.feed.post/3k{index:011d}", "cid": f"bafyrei{index:052d}",
        "author": {"did": did, "handle": f"{handle}.bsky.social", "displayName": handle.title()},
        "record": {"$type": "app.bsky.feed.post", "text": text, "createdAt": stamp, "langs": ["en"],
                   "facets": [{"index": {"byteStart": len(text) - len(tag) - 1, "byteEnd": len(text)},
                               "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": tag}]}]},
        "replyCount": 0, "repostCount": index % 2, "likeCount": index % 4, "quoteCount": 0, "indexedAt": stamp,
    }


# What Mastodon.py reads from /api/v2/instance to decide that the hashtag timeline is public.
INSTANCE = {
    "domain": "social.example", "title": "Example", "version": "4.3.0",
    "configuration": {"timelines_access": {
        feed: {"local": "public", "remote": "public"} for feed in ("live_feeds", "hashtag_feeds", "trending_link_feeds")
    }},
}


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class _Fake:
    build: Callable[[int, str], dict]

    def __init__(self, tag: str = "fedichat", count: int = 0):
        self.tag = tag
        self.lock = threading.Lock()
        self.posts: list[dict] = [self.build(i, tag) for i in range(count)]
        self.faults: list[str] = []
        self.requests: list[dict] = []
        self.remaining = 300

    def add(self, count: int) -> None:
        """Publish ``count`` more posts (a chat going on)."""
        with self.lock:
            start = len(self.posts)
            self.posts.extend(self.build(i, self.tag) for i in range(start, start + count))

    def handler(self, request: Request) -> Response:
        """Record the request, play the next scripted fault, else answer it."""
        self.requests.append(dict(request.args))
        fault = self.fault()
        if fault and (failed := self.failure(fault)):
            return failed
        return self.respond(request, fault)

    def fault(self) -> str | None:
        with self.lock:
            return self.faults.pop(0) if self.faults else None

    def failure(self, fault: str) -> Response | None:
        if fault in ("500", "502", "503"):
            return Response(json.dumps({"error": "upstream trouble"}), status=int(fault), mimetype="application/json")
        if fault == "429":
            return Response(json.dumps({"error": "Too many requests"}), status=429, mimetype="application/json",
                            headers={"Retry-After": "1"})
        if fault == "slow":
            time.sleep(1.5)  # beyond the client's timeout: a timeout on the client side
        return None


class FakeMastodon(_Fake):
    """``/api/v1/timelines/tag/<tag>`` over a list of statuses (ascending ids)."""

    build = staticmethod(mastodon_status)

    def serve(self, httpserver, handler=None) -> str:
        """Register the routes on a pytest-httpserver; return the instance URL."""
        httpserver.expect_request("/api/v2/instance/").respond_with_json(INSTANCE)
        httpserver.expect_request(f"/api/v1/timelines/tag/{self.tag}").respond_with_handler(handler or self.handler)
        self.url = httpserver.url_for("/").rstrip("/")
        return self.url

    def respond(self, request: Request, fault: str | None) -> Response:
        args = request.args
        limit = min(int(args.get("limit", 20)), 40)
        with self.lock:
            chosen = [s for s in self.posts
                      if ("max_id" not in args or int(s["id"]) < int(args["max_id"]))
                      and ("since_id" not in args or int(s["id"]) > int(args["since_id"]))
                      and ("min_id" not in args or int(s["id"]) > int(args["min_id"]))]
        # min_id: the page just after it; otherwise the newest page. Always returned newest first.
        page = chosen[:limit] if "min_id" in args else chosen[-limit:]
        page = list(reversed(page))
        body = json.dumps(page)
        if fault == "malformed":
            body = body[: len(body) // 2]
        self.remaining = max(0, self.remaining - 1)
        reset = (datetime.now(timezone.utc) + timedelta(seconds=1)).isoformat()
        headers = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0" if fault == "exhausted" else "299",
                   "X-RateLimit-Reset": reset}
        if page:
            base = f"{request.host_url.rstrip('/')}{request.path}"
            headers["Link"] = (f'<{base}?max_id={page[-1]["id"]}>; rel="next", '
                               f'<{base}?min_id={page[0]["id"]}>; rel="prev"')
        return Response(body, mimetype="application/json", headers=headers)


class FakeBluesky(_Fake):
    """``/xrpc/app.bsky.feed.searchPosts`` (newest first, integer-offset cursors, ``since`` inclusive)."""

    build = staticmethod(bluesky_post)

    def respond(self, request: Request, fault: str | None) -> Response:
        args = request.args
        if not args.get("q"):
            return Response(json.dumps({"error": "InvalidRequest", "message": "q is required"}), status=400,
                            mimetype="application/json")
        limit = min(int(args.get("limit", 25)), 100)
        offset = int(args.get("cursor", 0))
        since = _when(args["since"]) if "since" in args else None
        with self.lock:
            chosen = [p for p in reversed(self.posts) if args["q"].lstrip("#") in p["record"]["text"]
                      and (since is None or _when(p["indexedAt"]) >= since)]
        page = chosen[offset: offset + limit]
        body = {"posts": page}
        if offset + limit < len(chosen):
            body["cursor"] = str(offset + limit)
        text = json.dumps(body)
        if fault == "malformed":
            text = text[: len(text) // 2]
        return Response(text, mimetype="application/json",
                        headers={"RateLimit-Limit": "3000", "RateLimit-Remaining": "2999"})
