"""Collector throughput (posts/s) against local Mastodon and Bluesky API servers on 127.0.0.1.

Each collector runs the real client (Mastodon.py, the atproto SDK) over HTTP to the servers of
tests/collect_servers.py, writing an archive from scratch; the figure includes fsync per page.

    python benchmarks/bench_collect.py [--posts 20000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from moderator_kit.collect import collect_bluesky, collect_mastodon  # noqa: E402
from tests.collect_servers import INSTANCE, FakeBluesky, FakeMastodon  # noqa: E402


def serve(routes: dict) -> tuple[str, object]:
    import json

    @Request.application
    def app(request: Request) -> Response:
        if request.path in routes:
            return routes[request.path](request)
        if request.path == "/api/v2/instance/":
            return Response(json.dumps(INSTANCE), mimetype="application/json")
        return Response("{}", status=404, mimetype="application/json")

    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log in the figures
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=20000)
    args = parser.parse_args()
    mastodon, bluesky = FakeMastodon(count=args.posts), FakeBluesky(count=args.posts)
    url, server = serve({"/api/v1/timelines/tag/fedichat": mastodon.handler,
                         "/xrpc/app.bsky.feed.searchPosts": bluesky.handler})
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        result = collect_mastodon(url, "fedichat", Path(folder) / "m.jsonl", since=datetime(2026, 1, 1, tzinfo=timezone.utc))
        took = time.perf_counter() - started
        print(f"mastodon: {result.total} posts, {result.pages} pages in {took:.2f} s = {result.total / took:,.0f} posts/s")
        started = time.perf_counter()
        result = collect_bluesky("#fedichat", Path(folder) / "b.jsonl", base_url=url)
        took = time.perf_counter() - started
        print(f"bluesky:  {result.total} posts, {result.pages} pages in {took:.2f} s = {result.total / took:,.0f} posts/s")
    server.shutdown()


if __name__ == "__main__":
    main()
