"""Safe links for reports: only absolute http(s) URLs without spaces or control characters are ever written as
links (message text is attacker-controlled; ``javascript:`` and protocol-relative links are dropped).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import polars as pl

__all__ = ["safe_url", "safe_url_expr"]


def safe_url(url: object) -> str | None:
    """The URL when it is an absolute http(s) link without spaces or control characters, else None.

    >>> safe_url("https://x.com/ann/status/1"), safe_url("javascript:alert(1)"), safe_url("//evil.example/x")
    ('https://x.com/ann/status/1', None, None)
    >>> safe_url("https://ok.example/a b"), safe_url(None)
    (None, None)
    """
    if not isinstance(url, str) or not url or len(url) > 2048:
        return None
    if any(ord(ch) < 33 or ord(ch) == 127 for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


_SAFE_URL = r"(?i)^https?://[^\s/?#\x00-\x1f\x7f]+[^\s\x00-\x1f\x7f]*$"


def safe_url_expr(expr: pl.Expr) -> pl.Expr:
    """:func:`safe_url` as a polars expression (null where the value is not a safe http(s) link).

    >>> import polars as pl
    >>> pl.DataFrame({"u": ["https://a.example/x?y=1", "javascript:alert(1)", "http://b.example/a b", None]}).select(
    ...     safe_url_expr(pl.col("u")))["u"].to_list()
    ['https://a.example/x?y=1', None, None, None]
    """
    return pl.when(expr.str.contains(_SAFE_URL) & (expr.str.len_chars() <= 2048)).then(expr)
