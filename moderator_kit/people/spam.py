"""Exclude spam and hijack messages by rules: source app, listed account, text pattern.

Excluded messages leave every metric; the analysis reports how many were excluded and why
(:func:`excluded_counts`). Rules come from ``config.spam`` (:class:`~moderator_kit.config.SpamRules`):

- ``source_apps``: the message's source app equals one of them (case and surrounding spaces ignored);
- ``accounts``: the author's handle is listed (any case, with or without @);
- ``patterns``: a regular expression found in the text, case-insensitive (Rust ``regex`` syntax: no look-around).

A message matched by several rules gets the first reason in that order: ``'account listed'``, ``'source app X'``,
``'pattern /…/'``.

Examples
--------
>>> import polars as pl
>>> from moderator_kit.config import SpamRules
>>> msgs = pl.DataFrame({"message_id": ["1", "2", "3"], "author_handle": ["ann", "bot", "cy"],
...                      "source_app": ["Web", "IFTTT", "Web"], "text": ["hi", "win", "FREE followers here"]})
>>> kept, excluded = apply_spam_rules(msgs, SpamRules(source_apps=["ifttt"], patterns=["free followers"]))
>>> kept["message_id"].to_list(), excluded.select("message_id", "reason").rows()
(['1'], [('2', 'source app IFTTT'), ('3', 'pattern /free followers/')])
"""

from __future__ import annotations

import polars as pl

from moderator_kit.config import ChatConfig, SpamRules
from moderator_kit.errors import ConfigError

__all__ = ["apply_spam_rules", "excluded_counts"]


def _pattern_expr(pattern: str) -> pl.Expr:
    return pl.col("text").fill_null("").str.contains(f"(?i){pattern}")


def _check_patterns(patterns: list[str]) -> None:
    probe = pl.DataFrame({"text": [""]})
    for index, pattern in enumerate(patterns):
        try:
            probe.select(_pattern_expr(pattern))
        except pl.exceptions.PolarsError as err:
            lines = [line.strip() for line in str(err).splitlines()]
            first = next((line.removeprefix("error: ") for line in lines if line.startswith("error:")),
                         lines[0] if lines else type(err).__name__)
            raise ConfigError(f"chat config: spam.patterns.{index}: not a valid regular expression {pattern!r} "
                              f"({first})") from None


def apply_spam_rules(session_messages: pl.DataFrame | pl.LazyFrame,
                     rules: SpamRules | ChatConfig | None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split messages into (kept, excluded); ``excluded`` has an extra ``reason`` column.

    Works on any frame with ``author_handle``, ``source_app`` and ``text`` (canonical or session messages).
    With no rules everything is kept.

    Raises
    ------
    ConfigError
        If a pattern is not a valid regular expression (the message names it).
    """
    frame = session_messages.collect() if isinstance(session_messages, pl.LazyFrame) else session_messages
    if isinstance(rules, ChatConfig):
        rules = rules.spam
    rules = rules or SpamRules()
    _check_patterns(rules.patterns)
    apps = [app.strip().lower() for app in rules.source_apps]
    accounts = [a.strip().lstrip("@").lower() for a in rules.accounts]
    app_clean = pl.col("source_app").str.strip_chars()
    branches: list[tuple[pl.Expr, pl.Expr]] = []
    if accounts:
        branches.append((pl.col("author_handle").str.to_lowercase().is_in(accounts), pl.lit("account listed")))
    if apps:
        branches.append((app_clean.str.to_lowercase().is_in(apps), pl.format("source app {}", app_clean)))
    for pattern in rules.patterns:
        branches.append((_pattern_expr(pattern), pl.lit(f"pattern /{pattern}/")))
    if not branches:
        return frame, frame.head(0).with_columns(reason=pl.lit(None, dtype=pl.String))
    reason = pl.when(branches[0][0].fill_null(False)).then(branches[0][1])
    for cond, text in branches[1:]:
        reason = reason.when(cond.fill_null(False)).then(text)
    marked = frame.with_columns(reason.otherwise(pl.lit(None, dtype=pl.String)).alias("__spam_reason"))
    kept = marked.filter(pl.col("__spam_reason").is_null()).drop("__spam_reason")
    excluded = marked.filter(pl.col("__spam_reason").is_not_null()).rename({"__spam_reason": "reason"})
    return kept, excluded


def excluded_counts(excluded: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """How many messages were excluded, per session (when known) and reason, with the accounts behind them.

    Returns ``[session_id, reason, messages, accounts]`` (``session_id`` null for messages outside sessions).

    >>> import polars as pl
    >>> ex = pl.DataFrame({"session_id": ["s1", "s1", "s2"], "author_handle": ["a", "b", "a"],
    ...                    "reason": ["account listed"] * 3})
    >>> excluded_counts(ex).rows()
    [('s1', 'account listed', 2, 2), ('s2', 'account listed', 1, 1)]
    """
    frame = excluded.collect() if isinstance(excluded, pl.LazyFrame) else excluded
    if "session_id" not in frame.columns:
        frame = frame.with_columns(session_id=pl.lit(None, dtype=pl.String))
    return (
        frame.group_by("session_id", "reason")
        .agg(messages=pl.len().cast(pl.Int64), accounts=pl.col("author_handle").n_unique().cast(pl.Int64))
        .sort("session_id", "reason", nulls_last=True)
    )
