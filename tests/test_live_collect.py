"""``live --collect``: the collector runs in a background thread and the live state follows its file."""

from __future__ import annotations

import time
from datetime import timedelta

from moderator_kit.live import LiveSpec, start_feed
from tests.collect_servers import START, FakeBluesky, FakeMastodon


def _wait(condition, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def _config(tmp_path):
    path = tmp_path / "chat.yaml"
    path.write_text("chat: fedichat\nmoderators: [mod@social.example]\nschedule: {dates: ['2026-01-06T01:00:00'], timezone: UTC}\n")
    return path


def test_a_background_mastodon_collector_feeds_the_live_state(httpserver, tmp_path):
    fake = FakeMastodon(count=60)
    url = fake.serve(httpserver)
    out = tmp_path / "fedichat.jsonl"
    spec = LiveSpec(chat="fedichat", collect="mastodon", out=str(out), config=str(_config(tmp_path)),
                    collect_options={"instance": url, "tag": "fedichat", "since": "2026-01-01T00:00:00+00:00",
                                     "interval": 0.2}, poll_seconds=0.2)
    feed = start_feed(spec, clock=lambda: START + timedelta(minutes=20))
    try:
        assert _wait(lambda: feed.view.counts["session_messages"] == 60), feed.view.counts
        fake.add(15)  # the chat goes on: the collector polls again, the page follows
        assert _wait(lambda: feed.view.counts["session_messages"] == 75), feed.view.counts
        assert feed.view.clock["question"] is not None and feed.error is None
        assert feed.description == f"collecting mastodon into {out}"
    finally:
        feed.stop()
    assert all(not thread.is_alive() for thread, _ in feed.helpers)


def test_a_background_bluesky_collector_feeds_the_live_state(httpserver, tmp_path):
    fake = FakeBluesky(count=40)
    httpserver.expect_request("/xrpc/app.bsky.feed.searchPosts").respond_with_handler(fake.handler)
    url = httpserver.url_for("/").rstrip("/")
    spec = LiveSpec(chat="fedichat", collect="bluesky", out=str(tmp_path / "sky.jsonl"),
                    config=str(_config(tmp_path)), collect_options={"query": "#fedichat", "server": url,
                                                                    "interval": 0.2}, poll_seconds=0.2)
    feed = start_feed(spec, clock=lambda: START + timedelta(minutes=20))
    try:
        assert _wait(lambda: feed.view.counts["session_messages"] == 40), feed.view.counts
    finally:
        feed.stop()
    since = [r.get("since") for r in fake.requests]
    assert since and since[0].startswith("2026-01-06T00:30:00")  # no --since: from the session's pre-chat
