"""Links built from attacker-controlled data (handles, message ids, URLs), made safe (the rule is
:mod:`moderator_kit.links`, shared with the reports and the recap).

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

from dash import html

from moderator_kit.links import message_url_of, safe_url

__all__ = ["safe_http_url", "message_url", "message_link", "external_link"]

#: The library's one rule for links (:mod:`moderator_kit.links`): pages and reports link the same messages alike.
safe_http_url = safe_url
message_url = message_url_of


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
