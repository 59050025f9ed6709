"""Reach: potential impressions, unique reach and estimated real impressions, per session and over a set of sessions.

Every figure says which basis it stands on (``reach_basis``) and a sentence that states the assumption
(``basis_note``):

``'views'``
    The platform gives view counts on (nearly) every original message: impressions are measured, not estimated.
``'followers'``
    Potential impressions = the sum over messages of the author's followers (Tweet Binder, Symplur); estimated real
    impressions = potential × an exposure rate (low / mid / high; TweetReach: real impressions are 1-20% of potential).
``'members'``
    Followers are unknown (Slack, Discord): reach is the configured ``audience_members`` and potential impressions are
    members × messages (every member could see every message).
``'unavailable'``
    Neither followers, views nor a member count: the numbers are null, never a misleading zero.

See ``docs/metrics/value.md`` for the formulas and their sources.

Examples
--------
>>> import polars as pl
>>> from moderator_kit.config import parse_config
>>> from moderator_kit.schema import conform
>>> msgs = conform(pl.DataFrame({
...     "platform": ["twitter"] * 3, "message_id": ["1", "2", "3"], "author_handle": ["ann", "ann", "bob"],
...     "author_followers": [100, 100, 50], "kind": ["post", "post", "repost"]})).with_columns(
...     session_id=pl.lit("2024-01-01"))
>>> row = reach_by_session(msgs, parse_config({"chat": "x"})).row(0, named=True)
>>> row["reach_basis"], row["potential_impressions"], row["unique_reach"], row["impressions_mid"]
('followers', 250, 150, 12.5)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import polars as pl
from pydantic import BaseModel, ConfigDict

from moderator_kit.config import ChatConfig, ExposureRates

__all__ = [
    "REACH_BASES",
    "VIEWS_MIN_COVERAGE",
    "ReachSummary",
    "impression_contributions",
    "measured_views",
    "reach_by_session",
    "reach_total",
    "rates_text",
    "basis_formulas",
]

#: The bases a reach figure can stand on, best first.
REACH_BASES = ("views", "followers", "members", "unavailable")

#: View counts are used as the impressions when at least this share of original messages carries one.
VIEWS_MIN_COVERAGE = 0.8

_NEEDED = ("session_id", "platform", "author_handle", "author_followers", "kind", "view_count")


def measured_views() -> pl.Expr:
    """The message's view count, or null when the platform gave none **or gave 0**.

    X returns ``impression_count: 0`` for tweets older than its view counts (December 2022) and for tweets captured as
    they were posted, and a repost's views count on the original. A 0 is therefore "not measured", not "nobody saw
    it": treating it as a measurement would print a misleading zero.

    >>> import polars as pl
    >>> pl.DataFrame({"view_count": [None, 0, 7]}).select(measured_views())["view_count"].to_list()
    [None, None, 7]
    """
    return pl.when(pl.col("view_count") > 0).then(pl.col("view_count")).alias("view_count")

ReachBasis = Literal["views", "followers", "members", "unavailable"]


class ReachSummary(BaseModel):
    """Reach over a set of sessions (see :func:`reach_total`); the fields mirror :func:`reach_by_session`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sessions: list[str]
    messages: int
    originals: int
    authors: int
    reach_basis: ReachBasis
    potential_impressions: int | None
    unique_reach: int | None
    impressions_low: float | None
    impressions_mid: float | None
    impressions_high: float | None
    views: int | None
    views_coverage: float | None
    followers_coverage: float | None
    measured_impressions: float | None
    exposure_base: float | None
    exposure_rates: dict[str, float]
    basis_note: str


def rates_text(rates: ExposureRates) -> str:
    """The exposure rates as words, e.g. ``'1% / 5% / 20%'``.

    >>> rates_text(ExposureRates(low=0.025, mid=0.05, high=0.2))
    '2.5% / 5% / 20%'
    """
    return " / ".join(f"{value * 100:g}%" for value in (rates.low, rates.mid, rates.high))


def basis_formulas(basis: str) -> dict[str, str]:
    """How potential impressions and unique reach were computed on a reach basis, in words (for reports).

    >>> basis_formulas("members")["potential_impressions"]
    'audience_members × messages: every member of the channel could see every message'
    >>> basis_formulas("followers")["unique_reach"]
    'Σ over distinct authors of their followers (each author once)'
    """
    followers = {
        "potential_impressions": "Σ over the messages of the author's followers",
        "unique_reach": "Σ over distinct authors of their followers (each author once)",
    }
    return {
        "views": {**followers, "impressions": "the platform's view counts (measured); originals without one are "
                                               "estimated as the author's followers × the exposure rate"},
        "followers": {**followers, "impressions": "potential impressions × the exposure rate"},
        "members": {
            "potential_impressions": "audience_members × messages: every member of the channel could see every "
                                     "message",
            "unique_reach": "audience_members (the channel's members, from the chat config)",
            "impressions": "potential impressions × the exposure rate",
        },
        "mixed": {key: "per session, on that session's basis (see the reach table)"
                  for key in ("potential_impressions", "unique_reach", "impressions")},
    }.get(basis, {key: "unavailable: no follower or view counts and no audience_members in the chat config"
                  for key in ("potential_impressions", "unique_reach", "impressions")})


def _lazy(frame: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    lazy = frame.lazy()
    names = lazy.collect_schema().names()
    missing = [name for name in _NEEDED if name not in names]
    if missing:
        raise ValueError(f"session messages lack columns: {', '.join(missing)} (expected the canonical schema "
                         "plus session_id)")
    return lazy


def _group_stats(lazy: pl.LazyFrame, keys: list[str], audience_members: int | None,
                 views_min_coverage: float) -> pl.LazyFrame:
    """One row per group with the counts that decide the basis, and the basis itself."""
    is_repost = pl.col("kind") == "repost"
    stats = lazy.group_by(keys).agg(
        messages=pl.len().cast(pl.Int64),
        originals=(~is_repost).sum().cast(pl.Int64),
        authors=pl.col("author_handle").n_unique().cast(pl.Int64),
        _followers_known=pl.col("author_followers").is_not_null().sum(),
        _views_known=measured_views().is_not_null().sum(),
        _views_known_originals=(measured_views().is_not_null() & ~is_repost).sum(),
        _views_sum=measured_views().sum(),
        _platforms=pl.col("platform").drop_nulls().unique().sort().str.join(", "),
    )
    views_coverage = pl.when(pl.col("originals") > 0).then(pl.col("_views_known_originals") / pl.col("originals"))
    basis = (
        pl.when(views_coverage >= views_min_coverage)
        .then(pl.lit("views"))
        .when(pl.col("_followers_known") > 0)
        .then(pl.lit("followers"))
        .when(pl.lit(audience_members is not None))
        .then(pl.lit("members"))
        .otherwise(pl.lit("unavailable"))
    )
    return stats.with_columns(
        views=pl.when(pl.col("_views_known") > 0).then(pl.col("_views_sum")).cast(pl.Int64),
        views_coverage=views_coverage.cast(pl.Float64),
        followers_coverage=(pl.col("_followers_known") / pl.col("messages")).cast(pl.Float64),
        reach_basis=basis,
    )


def _contribution_columns(audience_members: int | None) -> list[pl.Expr]:
    """Per message: potential impressions, measured impressions (views) and the base the exposure rate applies to."""
    basis = pl.col("reach_basis")
    followers = pl.col("author_followers").cast(pl.Float64)
    members = pl.lit(audience_members, dtype=pl.Float64)
    not_repost = pl.col("kind") != "repost"
    potential = (
        pl.when(basis.is_in(["views", "followers"])).then(followers).when(basis == "members").then(members)
    )
    measured = (
        pl.when(basis == "views")
        .then(measured_views().cast(pl.Float64).fill_null(0.0))
        .when(basis.is_in(["followers", "members"]))
        .then(0.0)
    )
    base = (
        pl.when(basis == "views")
        .then(pl.when(not_repost & measured_views().is_null()).then(followers.fill_null(0.0)).otherwise(0.0))
        .when(basis == "followers")
        .then(followers.fill_null(0.0))
        .when(basis == "members")
        .then(members)
    )
    return [potential.alias("imp_potential"), measured.alias("imp_measured"), base.alias("imp_base")]


def impression_contributions(
    session_messages: pl.DataFrame | pl.LazyFrame,
    *,
    audience_members: int | None = None,
    views_min_coverage: float = VIEWS_MIN_COVERAGE,
    by: Sequence[str] = ("session_id",),
) -> pl.LazyFrame:
    """Each message's share of its group's impressions, under the group's reach basis.

    Adds ``reach_basis`` (of the message's group, by default its session), ``imp_potential`` (potential impressions
    of the message), ``imp_measured`` (impressions measured from views) and ``imp_base`` (the potential impressions
    the exposure rate applies to). A group's estimated impressions at rate *r* are
    ``sum(imp_measured) + r × sum(imp_base)``; the values are null when the basis is ``'unavailable'``.
    Summing over any subset of messages (e.g. those about a sponsor) gives that subset's impressions.

    >>> import polars as pl
    >>> from moderator_kit.schema import conform
    >>> msgs = conform(pl.DataFrame({"platform": ["slack"] * 2, "message_id": ["a", "b"],
    ...                              "author_handle": ["u1", "u2"], "kind": ["post", "reply"]}))
    >>> out = impression_contributions(msgs.with_columns(session_id=pl.lit("s")), audience_members=40).collect()
    >>> out["reach_basis"].to_list(), out["imp_potential"].to_list()
    (['members', 'members'], [40.0, 40.0])
    """
    keys = list(by)
    lazy = _lazy(session_messages)
    stats = _group_stats(lazy, keys, audience_members, views_min_coverage).select([*keys, "reach_basis"])
    return lazy.join(stats, on=keys, how="left", nulls_equal=True).with_columns(
        _contribution_columns(audience_members)
    )


def _notes(rates: ExposureRates, audience_members: int | None) -> pl.Expr:
    rate_words = rates_text(rates)
    views_pct = (pl.col("views_coverage") * 100).round(0).cast(pl.Int64)
    followers_pct = (pl.col("followers_coverage") * 100).round(0).cast(pl.Int64)
    views_note = pl.format(
        "Impressions are measured: the platform's view counts, present on {}% of original messages (a repost has no "
        "views of its own; its views count on the original). Original messages without a view count are estimated as "
        f"their author's followers × an exposure rate of {rate_words} (low / mid / high).",
        views_pct,
    )
    followers_note = pl.format(
        "Potential impressions = the sum over messages of the author's followers (Tweet Binder, Symplur); estimated "
        f"real impressions = potential × an exposure rate of {rate_words} (low / mid / high; TweetReach found real "
        "impressions to be 1-20% of potential). Unique reach = the sum over distinct authors of their followers. "
        "Followers are known for {}% of messages.",
        followers_pct,
    )
    lower_bound = pl.when(pl.col("followers_coverage") < 1).then(
        pl.lit(" Messages without a follower count add nothing, so the figures are a lower bound.")
    ).otherwise(pl.lit(""))
    members_note = pl.format(
        "Follower counts are unknown here ({}): reach is the "
        f"{audience_members} members configured as audience_members; potential impressions = members × messages "
        f"(every member could see every message) and estimated real impressions = potential × an exposure rate of "
        f"{rate_words} (low / mid / high).",
        pl.col("_platforms").fill_null("platform unknown"),
    )
    unavailable_note = pl.format(
        "Reach unavailable: the messages carry no follower or view counts ({}) and no audience_members is configured. "
        "Set audience_members in the chat config to the channel's member count to estimate it.",
        pl.col("_platforms").fill_null("platform unknown"),
    )
    basis = pl.col("reach_basis")
    return (
        pl.when(pl.col("messages") == 0)
        .then(pl.lit("Reach unavailable: no messages in the selected sessions."))
        .when(basis == "views")
        .then(views_note)
        .when(basis == "followers")
        .then(pl.concat_str([followers_note, lower_bound]))
        .when(basis == "members")
        .then(members_note)
        .otherwise(unavailable_note)
    )


_COLUMNS = [
    "messages",
    "originals",
    "authors",
    "reach_basis",
    "potential_impressions",
    "unique_reach",
    "impressions_low",
    "impressions_mid",
    "impressions_high",
    "views",
    "views_coverage",
    "followers_coverage",
    "measured_impressions",
    "exposure_base",
    "basis_note",
]


def _reach(lazy: pl.LazyFrame, keys: list[str], config: ChatConfig, views_min_coverage: float) -> pl.LazyFrame:
    members = config.audience_members
    rates = config.exposure_rates
    stats = _group_stats(lazy, keys, members, views_min_coverage)
    with_basis = lazy.join(stats.select([*keys, "reach_basis"]), on=keys, how="left", nulls_equal=True)
    sums = with_basis.with_columns(_contribution_columns(members)).group_by(keys).agg(
        _potential=pl.col("imp_potential").sum(),
        measured_impressions=pl.col("imp_measured").sum(),
        exposure_base=pl.col("imp_base").sum(),
    )
    per_author = (
        with_basis.group_by([*keys, "author_handle"])
        .agg(pl.col("author_followers").max())
        .group_by(keys)
        .agg(_unique=pl.col("author_followers").sum(), _unique_known=pl.col("author_followers").is_not_null().sum())
    )
    basis = pl.col("reach_basis")
    available = basis != "unavailable"
    followers_based = basis.is_in(["views", "followers"])
    out = (
        stats.join(sums, on=keys, how="left", nulls_equal=True)
        .join(per_author, on=keys, how="left", nulls_equal=True)
        .with_columns(
            potential_impressions=pl.when(followers_based & (pl.col("_followers_known") > 0))
            .then(pl.col("_potential"))
            .when(basis == "members")
            .then(pl.col("_potential"))
            .round(0)
            .cast(pl.Int64),
            unique_reach=pl.when(followers_based & (pl.col("_unique_known") > 0))
            .then(pl.col("_unique"))
            .when(basis == "members")
            .then(pl.lit(members))
            .cast(pl.Int64),
            measured_impressions=pl.when(available).then(pl.col("measured_impressions")),
            exposure_base=pl.when(available).then(pl.col("exposure_base")),
        )
        .with_columns(
            [
                (pl.col("measured_impressions") + getattr(rates, level) * pl.col("exposure_base")).alias(
                    f"impressions_{level}"
                )
                for level in ("low", "mid", "high")
            ]
        )
        .with_columns(basis_note=_notes(rates, members))
    )
    return out.select([*keys, *_COLUMNS])


def reach_by_session(
    session_messages: pl.DataFrame | pl.LazyFrame,
    config: ChatConfig,
    *,
    views_min_coverage: float = VIEWS_MIN_COVERAGE,
) -> pl.DataFrame:
    """Reach per session: potential impressions, unique reach and estimated real impressions (low / mid / high).

    Parameters
    ----------
    session_messages
        Canonical messages plus ``session_id`` (spam already excluded). Every message counts, reposts included
        (a repost is shown to the reposter's followers).
    config
        Gives ``exposure_rates`` and ``audience_members`` (the reach where followers are unknown).
    views_min_coverage
        The share of original messages that must carry a view count for the views to be used.

    Returns
    -------
    polars.DataFrame
        One row per session_id (sorted): messages, originals, authors, reach_basis, potential_impressions,
        unique_reach, impressions_low / _mid / _high, views, views_coverage, followers_coverage,
        measured_impressions, exposure_base (estimated impressions at rate r = measured_impressions +
        r × exposure_base) and basis_note. Figures are null, never zero, where reach is unavailable.

    Examples
    --------
    >>> import polars as pl
    >>> from moderator_kit.config import parse_config
    >>> from moderator_kit.schema import conform
    >>> msgs = conform(pl.DataFrame({"platform": ["discord"], "message_id": ["1"], "author_handle": ["a"],
    ...                              "kind": ["post"]})).with_columns(session_id=pl.lit("s1"))
    >>> row = reach_by_session(msgs, parse_config({"chat": "x"})).row(0, named=True)
    >>> row["reach_basis"], row["potential_impressions"], row["impressions_mid"]
    ('unavailable', None, None)
    """
    lazy = _lazy(session_messages)
    return _reach(lazy, ["session_id"], config, views_min_coverage).sort("session_id").collect()


def reach_total(
    session_messages: pl.DataFrame | pl.LazyFrame,
    config: ChatConfig,
    session_ids: Sequence[str] | None = None,
    *,
    views_min_coverage: float = VIEWS_MIN_COVERAGE,
) -> ReachSummary:
    """Reach over a set of sessions (all by default) taken together.

    Potential and estimated impressions add up over the sessions; unique reach counts each author once
    (with the largest follower count seen). The basis is decided over all the selected messages together.

    >>> import polars as pl
    >>> from moderator_kit.config import parse_config
    >>> from moderator_kit.schema import conform
    >>> msgs = conform(pl.DataFrame({"platform": ["twitter"] * 2, "message_id": ["1", "2"],
    ...     "author_handle": ["ann", "ann"], "author_followers": [100, 120], "kind": ["post", "post"]}))
    >>> msgs = msgs.with_columns(session_id=pl.Series(["s1", "s2"]))
    >>> total = reach_total(msgs, parse_config({"chat": "x"}))
    >>> total.sessions, total.potential_impressions, total.unique_reach
    (['s1', 's2'], 220, 120)
    """
    lazy = _lazy(session_messages)
    if session_ids is not None:
        lazy = lazy.filter(pl.col("session_id").is_in(list(session_ids)))
    frame = lazy.collect()
    sessions = sorted(frame["session_id"].unique().drop_nulls().to_list())
    rates = config.exposure_rates
    base = {"sessions": sessions, "exposure_rates": {"low": rates.low, "mid": rates.mid, "high": rates.high}}
    if frame.height == 0:
        return ReachSummary(
            **base, messages=0, originals=0, authors=0, reach_basis="unavailable", potential_impressions=None,
            unique_reach=None, impressions_low=None, impressions_mid=None, impressions_high=None, views=None,
            views_coverage=None, followers_coverage=None, measured_impressions=None, exposure_base=None,
            basis_note="Reach unavailable: no messages in the selected sessions.",
        )
    row = (
        _reach(frame.lazy().with_columns(_all=pl.lit(0)), ["_all"], config, views_min_coverage)
        .drop("_all")
        .collect()
        .row(0, named=True)
    )
    return ReachSummary(**base, **row)
