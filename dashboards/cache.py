"""A per-app cache of callback responses, so that many people looking at the same chat cost one computation.

Page callbacks are pure functions of their inputs and of the analysis snapshot: the same request body (outputs,
inputs, state, what changed) against the same snapshot files gives the same response. The cache keeps the JSON
responses of the page callbacks named in :data:`CACHEABLE` (not the picker, which also reads the workspace's chat
list; not the Import page, downloads or exports, which act) keyed by a hash of the request body and the stamps
(mtime, size, inode) of every ``snapshot.json`` in the workspace, so a new analysis invalidates it at once. It is
bounded by entries and bytes (least recently used out first) and lives on the app, never in a module global.

Examples
--------
>>> cache = ResponseCache(max_entries=2, max_bytes=1000)
>>> cache.put("a", b"1"); cache.put("b", b"2"); cache.put("c", b"3")
>>> cache.get("a") is None, cache.get("c"), len(cache)
(True, b'3', 2)
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections import OrderedDict

import flask

from dashboards.data import DashboardState

__all__ = ["CACHEABLE", "NEVER", "ResponseCache", "install_response_cache"]

#: Output ids of the callbacks whose responses may be cached (pure functions of inputs and snapshot).
CACHEABLE = (
    "ov-body", "flow-body", "flow-answers", "net-scope", "net-graph", "net-shape", "part-table", "part-history",
    "fu-body", "tr-body", "sp-body", "sp-sponsor",
)
#: Outputs that act (downloads, exports, the Import page): a callback writing any of them is never cached.
NEVER = ("net-download", "sp-download", "sp-export-status", "imp-job", "imp-progress", "imp-message")
_ENDPOINT = "_dash-update-component"
_MAX_REQUEST = 256 << 10


class ResponseCache:
    """A thread-safe LRU of response bodies, bounded by entries and total bytes."""

    def __init__(self, max_entries: int = 256, max_bytes: int = 64 << 20):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: str) -> bytes | None:
        with self._lock:
            body = self._items.get(key)
            if body is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return body

    def put(self, key: str, body: bytes) -> None:
        if len(body) > self.max_bytes // 4:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= len(old)
            self._items[key] = body
            self._bytes += len(body)
            while self._items and (len(self._items) > self.max_entries or self._bytes > self.max_bytes):
                _, dropped = self._items.popitem(last=False)
                self._bytes -= len(dropped)


def _snapshot_stamps(state: DashboardState) -> str:
    root = state.workspace / "analysis"
    parts = []
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError:
        return ""
    for entry in entries:
        try:
            info = os.stat(os.path.join(entry.path, "snapshot.json"))
        except OSError:
            continue
        parts.append(f"{entry.name}:{info.st_mtime_ns}:{info.st_size}:{info.st_ino}")
    return "|".join(parts)


def install_response_cache(server: flask.Flask, state: DashboardState, cache: ResponseCache) -> None:
    """Serve repeated page-callback requests from ``cache`` (hooks on ``server``)."""

    def key_of(request: flask.Request) -> str | None:
        if request.method != "POST" or not request.path.endswith(_ENDPOINT):
            return None
        if (request.content_length or 0) > _MAX_REQUEST:  # uploads are never cached
            return None
        body = request.get_data(cache=True)
        try:
            outputs = json.loads(body).get("outputs")
        except (ValueError, AttributeError):
            return None
        outputs = outputs if isinstance(outputs, list) else [outputs]
        ids = {o.get("id") for o in outputs if isinstance(o, dict)}
        if not ids & set(CACHEABLE) or ids & set(NEVER):
            return None
        digest = hashlib.sha256(body)
        digest.update(_snapshot_stamps(state).encode())
        return digest.hexdigest()

    @server.before_request
    def _serve_cached():
        key = key_of(flask.request)
        if key is None:
            return None
        flask.g.mk_cache_key = key
        body = cache.get(key)
        if body is None:
            return None
        return flask.Response(body, 200, mimetype="application/json")

    @server.after_request
    def _remember(response: flask.Response) -> flask.Response:
        key = flask.g.pop("mk_cache_key", None)
        if key is not None and response.status_code == 200 and not response.direct_passthrough:
            cache.put(key, response.get_data())
        return response
