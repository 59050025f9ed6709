"""One link rule for every page, report and recap (moderator_kit.links)."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings, strategies as st

from moderator_kit.links import message_url, message_url_of, safe_url, safe_url_expr

CASES = [
    ("twitter", "1880000000000000001", "ann_b", "https://x.com/ann_b/status/1880000000000000001"),
    ("twitter", "123", "<img src=x>", "https://x.com/i/status/123"),
    ("twitter", "12a", "ann", None),
    ("slack", "C1:1.2", "ann", None),
    ("discord", "1234567", "ann", None),
    ("bluesky", "at://did:plc:x1/app.bsky.feed.post/3k", None, "https://bsky.app/profile/did:plc:x1/post/3k"),
    ("bluesky", 'at://did:plc:x1/app.bsky.feed.post/3k"onload', None, None),
    ("mastodon", "https://mastodon.example/users/ann/statuses/110", "ann@mastodon.example",
     "https://mastodon.example/users/ann/statuses/110"),
    ("mastodon", "javascript:alert(1)", "ann", None),
    ("mastodon", "https://m.example/<script>", "ann", None),
    ("mastodon", "tag:m.example,2024:objectId=1:objectType=Status", "ann", None),
]


@pytest.mark.parametrize("platform, mid, handle, expected", CASES)
def test_message_url_for_one_message_and_as_an_expression_agree(platform, mid, handle, expected):
    assert message_url_of(platform, mid, handle) == expected
    frame = pl.DataFrame({"platform": [platform], "message_id": [mid], "author_handle": [handle]},
                         schema={"platform": pl.String, "message_id": pl.String, "author_handle": pl.String})
    assert frame.select(message_url())["url"].item() == expected


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=40), st.sampled_from(
    ["https://a.example/x", "http://a.example", "https://@a", "https://a.example/\x85", "https://a .b",
     "https://a.example/\u2003x", "HTTPS://A.EXAMPLE/Q?x=1#f", "//a.example", "https://", "https:///x"])))
def test_the_scalar_and_the_expression_accept_the_same_urls(url):
    expression = pl.DataFrame({"u": [url]}).select(safe_url_expr(pl.col("u")))["u"].item()
    assert expression == safe_url(url)


def test_the_dashboard_and_the_reports_use_the_library_rule():
    from dashboards.components import links
    from moderator_kit.report import urls

    assert links.message_url is message_url_of and links.safe_http_url is safe_url and urls.safe_url is safe_url
