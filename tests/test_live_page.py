"""The Live page's callback and renderers as plain functions (issue 12, part 3)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from dashboards.app import LIVE_KEY, create_app
from moderator_kit.figures.live import wave_figure
from moderator_kit.live import LiveFeed
from tests.test_dashboard_browser import PAYLOADS, twarc2_line, user
from tests.test_dashboard_browser import tweet as liked_tweet
from tests.test_live_state import USERS, at, state


def tweet(*args, **kwargs) -> dict:
    """A tweet nobody liked yet (a like takes a newcomer off the waiting list)."""
    out = liked_tweet(*args, **kwargs)
    out["public_metrics"]["like_count"] = 0
    return out


def page():
    return sys.modules["dashboards.pages.live"]


def _strings(component) -> list[str]:
    """Every string in a Dash component tree (children and props)."""
    out: list[str] = []

    def walk(value):
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif hasattr(value, "to_plotly_json"):
            walk(value.to_plotly_json())
    walk(component)
    return out


def _feed(tmp_path: Path, lines: list[str]) -> LiveFeed:
    path = tmp_path / "live.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    live = LiveFeed(state(), [path], clock=lambda: at(8), description="following live.jsonl")
    live.poll_once()
    return live


def test_without_a_source_the_page_says_how_to_start_one(tmp_path):
    app = create_app(tmp_path / "ws")
    with app.server.test_request_context("/"):
        top, lists, style, figure = page().update(0)
    assert len(top) == 1 and "moderator-kit live --chat NAME --follow" in top[0].children
    assert "\n" not in top[0].children and lists == [] and style == {"display": "none"}
    assert app.server.test_client().get("/live").status_code == 200


def test_the_callback_reads_the_feeds_latest_view(tmp_path):
    lines = [twarc2_line([tweet(10, at(2), "1", "Q1: What helps? #c"), tweet(11, at(3), "4", "A1 first time #c"),
                          tweet(12, at(4), "3", "Does anyone know a good template? #c")], USERS)]
    live = _feed(tmp_path, lines)
    app = create_app(tmp_path / "ws", live=live)
    assert app.server.config[LIVE_KEY] is live
    with app.server.test_request_context("/"):
        top, lists, style, figure = page().update(1)
    text = " ".join(_strings([top, lists]))
    assert "Q1" in text and "What helps?" in text and "@newbie" in text and "good template" in text
    assert "following live.jsonl" in text
    assert [t["name"] for t in figure["data"]] == ["Q1"]  # the floor question is time-inferred to Q1
    # nothing is computed on a request: the same view object is rendered until the feed polls again
    before = live.view
    with app.server.test_request_context("/"):
        page().update(2)
    assert live.view is before


def test_message_text_stays_text(tmp_path):
    users = [user("1", "mod", PAYLOADS["script"]), user("2", "evil", PAYLOADS["img"])]
    tweets = [tweet(10, at(2), "1", f"Q1: {PAYLOADS['img']} #c"),
              tweet(11, at(3), "2", f"A1 {PAYLOADS['script']} {PAYLOADS['link']} {PAYLOADS['markdown']} #c"),
              tweet(12, at(4), "2", f"Any help? {PAYLOADS['svg']} #c")]
    live = _feed(tmp_path, [twarc2_line(tweets, users)])
    panels = list(page().live_panels(live.view, description="x"))
    rendered = json.dumps([p.to_plotly_json() for part in panels for p in part], default=str)
    assert "dangerously_allow_html" not in rendered
    assert PAYLOADS["script"] in _strings(panels)[0] or any(PAYLOADS["script"] in s for s in _strings(panels))
    hrefs = [s for s in _strings(panels) if s.startswith(("http", "javascript"))]
    assert not [h for h in hrefs if h.startswith("javascript")]
    fig = json.dumps(wave_figure(live.view))
    assert "<img" not in fig and "<script" not in fig


@pytest.mark.parametrize("error", [None, "live refresh failed: OSError: gone"])
def test_errors_show_in_one_note(tmp_path, error):
    live = _feed(tmp_path, [twarc2_line([tweet(10, at(2), "1", "Q1: What helps? #c")], USERS)])
    panels = list(page().live_panels(live.view, description="x", error=error))
    assert (error in " ".join(_strings(panels))) if error else "failed" not in " ".join(_strings(panels))


@pytest.mark.parametrize("platform, message_id, href", [
    ("twitter", "123", "https://x.com/amy/status/123"),
    ("mastodon", "https://social.example/users/amy/statuses/9", "https://social.example/users/amy/statuses/9"),
    ("mastodon", "javascript:alert(1)", None),
    ("slack", "C1:1.2", None),
])
def test_links_to_posts_are_safe(tmp_path, platform, message_id, href):
    create_app(tmp_path / "ws")  # the page module is loaded by an app
    link = page()._link(platform, message_id, "amy")
    found = getattr(link, "href", None) if link is not None else None
    assert found == href
