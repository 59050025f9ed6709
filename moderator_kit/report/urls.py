"""Safe links for reports: the project's one rule, :mod:`moderator_kit.links` (kept here for the old import path)."""

from __future__ import annotations

from moderator_kit.links import safe_url, safe_url_expr

__all__ = ["safe_url", "safe_url_expr"]
