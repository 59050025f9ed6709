"""Links built from attacker-controlled data (handles, message ids, URLs), made safe.

Only ``http`` and ``https`` URLs with a host ever become an ``href``: ``javascript:``, ``data:``, ``vbscript:`` and
relative or malformed URLs are shown as plain text (or not at all). Text is always passed to Dash components as
children, never as HTML, so React escapes it.

Examples
--------
>>> safe_http_url("https://example.com/a?b=1"), safe_http_url("javascript:alert(1)")
('https://example.com/a?b=1', None)
>>> message_url("twitter", "1880000000000000001", "ann_b")
'https://x.com/ann_b/status/1880000000000000001'
>>> message_url("twitter", "12<script>", "ann"), message_url("slack", "C1:123.4", "ann")
(None, None)
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from dash import html

__all__ = ["safe_http_url", "message_url", "message_link", "external_link"]

_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f]")
_TWEET_ID = re.compile(r"^[0-9]{1,25}$")
_TWITTER_HANDLE = re.compile(r"^[A-Za-z0-9_]{1,50}$")
_BSKY_URI = re.compile(r"^at://(did:[a-z]+:[A-Za-z0-9._:%-]{1,200})/app\.bsky\.feed\.post/([A-Za-z0-9]{1,64})$")


def safe_http_url(url: object) -> str | None:
    """``url`` when it is an absolute http(s) URL with a host and no spaces or control characters, else None.

    >>> [safe_http_url(u) for u in ["http://a.b/c", "HTTPS://a.b", " https://a.b", "//a.b", "data:text/html,x",
    ...                               "https://", "https://a.b/<x>", None]]
    ['http://a.b/c', 'HTTPS://a.b', None, None, None, None, None, None]
    """
    if not isinstance(url, str) or not url or len(url) > 2048 or _CONTROL.search(url):
        return None
    if any(c in url for c in '<>"\'`\\'):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or parts.netloc.startswith("@"):
        return None
    return url


def message_url(platform: str | None, message_id: str | None, handle: str | None) -> str | None:
    """The public URL of a message where one can be built safely from its ids, else None.

    * X/Twitter: ``https://x.com/<handle>/status/<id>`` for digit ids and plain handles;
    * Bluesky: ``https://bsky.app/profile/<did>/post/<rkey>`` from an ``at://`` post URI.

    Slack, Discord and Mastodon messages carry no public URL in the canonical table, so None.

    >>> message_url("bluesky", "at://did:plc:abc123/app.bsky.feed.post/3kxyz", None)
    'https://bsky.app/profile/did:plc:abc123/post/3kxyz'
    >>> message_url("twitter", "123", "javascript:alert(1)")  # an odd handle is left out of the URL
    'https://x.com/i/status/123'
    """
    if not message_id or not isinstance(message_id, str):
        return None
    if platform == "twitter" and _TWEET_ID.match(message_id):
        if handle and isinstance(handle, str) and _TWITTER_HANDLE.match(handle):
            return f"https://x.com/{handle}/status/{message_id}"
        return f"https://x.com/i/status/{message_id}"
    if platform == "bluesky":
        match = _BSKY_URI.match(message_id)
        if match:
            return f"https://bsky.app/profile/{match.group(1)}/post/{match.group(2)}"
    return None


def external_link(url: object, text: str | None = None, *, class_name: str = "mk-link") -> html.A | html.Span:
    """An ``<a>`` opening ``url`` in a new tab (no referrer, no opener) when it is a safe http(s) URL, else text.

    >>> external_link("javascript:alert(1)").to_plotly_json()["type"]
    'Span'
    """
    safe = safe_http_url(url)
    label = text if text is not None else (str(url) if url is not None else "")
    if safe is None:
        return html.Span(label, className="mk-unsafe-link")
    return html.A(label, href=safe, target="_blank", rel="noopener noreferrer nofollow", className=class_name)


def message_link(platform: str | None, message_id: str | None, handle: str | None,
                 text: str = "open ↗") -> html.A | None:
    """A link to the message on its platform, or None when no safe URL can be built."""
    url = message_url(platform, message_id, handle)
    if url is None:
        return None
    return html.A(text, href=url, target="_blank", rel="noopener noreferrer nofollow", className="mk-link",
                  title="Open the message on its platform")
