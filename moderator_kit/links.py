"""Links built from attacker-controlled data (message ids, handles, URLs): the one rule for every page and report.

Only absolute ``http``/``https`` URLs with a host, without spaces, control characters or markup characters, ever
become a link: ``javascript:``, ``data:``, protocol-relative and malformed URLs are dropped. A message's own link is
built from its ids where the platform allows it from the data alone:

* X/Twitter: ``https://x.com/<handle>/status/<id>`` (``https://x.com/i/status/<id>`` when the handle does not look
  like one);
* Bluesky: ``https://bsky.app/profile/<did>/post/<rkey>`` from the ``at://`` post URI;
* Mastodon: the status URI itself (the importer stores it as ``message_id``): an https URL that its server answers
  with the post;
* Slack and Discord: none (a link needs the workspace or server, which the message table does not hold).

:func:`message_url` is the polars expression; :func:`message_url_of` gives the same answer for one message (it
evaluates the same expression), so the dashboard, the reports and the recap link the same messages the same way.

>>> message_url_of("twitter", "1880000000000000001", "ann_b")
'https://x.com/ann_b/status/1880000000000000001'
>>> message_url_of("mastodon", "https://mastodon.example/users/ann/statuses/1", "ann@mastodon.example")
'https://mastodon.example/users/ann/statuses/1'
>>> message_url_of("twitter", "12<script>", "ann"), message_url_of("slack", "C1:123.4", "ann")
(None, None)
"""

from __future__ import annotations

from urllib.parse import urlsplit

import polars as pl

__all__ = ["safe_url", "safe_url_expr", "message_url", "message_url_of"]

#: Characters never allowed in a link: they could close an attribute or open markup if a renderer forgot to escape.
_MARKUP = set("<>\"'`\\")
_SAFE_URL = r"(?i)^https?://[^\s/?#@\x00-\x1f\x7f<>\"'`\\][^\s/?#\x00-\x1f\x7f<>\"'`\\]*(?:[/?#][^\s\x00-\x1f\x7f<>\"'`\\]*)?$"
_TWITTER_ID = r"^[0-9]{1,25}$"
_TWITTER_HANDLE = r"^[A-Za-z0-9_]{1,50}$"
_BLUESKY_URI = r"^at://(did:[a-z]+:[A-Za-z0-9._:%-]{1,200})/app\.bsky\.feed\.post/([A-Za-z0-9._~:-]{1,64})$"
_MAX_URL = 2048


def safe_url(url: object) -> str | None:
    """The URL when it is an absolute http(s) link with a host and no spaces, control or markup characters, else None.

    >>> safe_url("https://x.com/ann/status/1"), safe_url("javascript:alert(1)"), safe_url("//evil.example/x")
    ('https://x.com/ann/status/1', None, None)
    >>> safe_url("https://ok.example/a b"), safe_url("https://a.example/<x>"), safe_url("https://@evil"), safe_url(None)
    (None, None, None, None)
    """
    if not isinstance(url, str) or not url or len(url) > _MAX_URL:
        return None
    if any(ord(ch) < 33 or 127 <= ord(ch) <= 159 or ch in _MARKUP or ch.isspace() for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or parts.netloc.startswith("@"):
        return None
    return url


def safe_url_expr(expr: pl.Expr) -> pl.Expr:
    """:func:`safe_url` as a polars expression (null where the value is not a safe http(s) link).

    >>> pl.DataFrame({"u": ["https://a.example/x?y=1", "javascript:alert(1)", "http://b.example/a b", None]}).select(
    ...     safe_url_expr(pl.col("u")))["u"].to_list()
    ['https://a.example/x?y=1', None, None, None]
    """
    return pl.when(expr.str.contains(_SAFE_URL) & (expr.str.len_chars() <= _MAX_URL)
                   & ~expr.str.contains(r"[\x80-\x9f]")).then(expr)


def _column(value: pl.Expr | str) -> pl.Expr:
    return pl.col(value) if isinstance(value, str) else value


def message_url(platform: pl.Expr | str = "platform", message_id: pl.Expr | str = "message_id",
                author_handle: pl.Expr | str = "author_handle") -> pl.Expr:
    """A link to each message where the platform allows one from the data alone, else null (column ``url``).

    >>> frame = pl.DataFrame({"platform": ["twitter", "twitter", "slack", "mastodon", "mastodon"],
    ...                       "message_id": ["12", "x'y", "C1:1.2", "https://m.example/@ann/1", "javascript:x"],
    ...                       "author_handle": ["ann", "ann", "bob", "ann", "ann"]})
    >>> frame.select(message_url())["url"].to_list()
    ['https://x.com/ann/status/12', None, None, 'https://m.example/@ann/1', None]
    """
    platform, message_id, handle = _column(platform), _column(message_id), _column(author_handle)
    twitter = (platform == "twitter") & message_id.str.contains(_TWITTER_ID)
    return (
        pl.when(twitter & handle.fill_null("").str.contains(_TWITTER_HANDLE))
        .then(pl.format("https://x.com/{}/status/{}", handle, message_id))
        .when(twitter)
        .then(pl.format("https://x.com/i/status/{}", message_id))
        .when((platform == "bluesky") & message_id.str.contains(_BLUESKY_URI))
        .then(pl.format("https://bsky.app/profile/{}/post/{}", message_id.str.extract(_BLUESKY_URI, 1),
                        message_id.str.extract(_BLUESKY_URI, 2)))
        .when(platform == "mastodon")
        .then(safe_url_expr(message_id))
        .otherwise(pl.lit(None, dtype=pl.String))
        .alias("url")
    )


def message_url_of(platform: str | None, message_id: str | None, handle: str | None) -> str | None:
    """:func:`message_url` for one message (the same expression, evaluated on one row).

    >>> message_url_of("bluesky", "at://did:plc:abc123/app.bsky.feed.post/3kxyz", None)
    'https://bsky.app/profile/did:plc:abc123/post/3kxyz'
    >>> message_url_of("twitter", "123", "javascript:alert(1)")  # an odd handle is left out of the URL
    'https://x.com/i/status/123'
    """
    if not isinstance(message_id, str) or not message_id:
        return None
    row = pl.DataFrame({"platform": [platform if isinstance(platform, str) else None], "message_id": [message_id],
                        "author_handle": [handle if isinstance(handle, str) else None]},
                       schema={"platform": pl.String, "message_id": pl.String, "author_handle": pl.String})
    return row.select(message_url())["url"].item()
