"""Objectives: each stakeholder's KPI targets from the chat config, evaluated against per-session KPIs.

For every objective: the actual value (the **mean over the selected sessions** by default, or the latest session),
whether the target is met, the gap (signed: positive = beaten by, negative = missed by) and the trend over the
sessions (the sign of the least-squares slope, 'flat' within a tolerance). A metric the KPIs do not hold, or that no
session has a value for, is reported as unavailable with a note: never as a fake zero.

Examples
--------
>>> import polars as pl
>>> from moderator_kit.config import Objective
>>> kpis = pl.DataFrame({"session_id": ["a", "b", "c"], "number": [1, 2, 3], "active_participants": [20, 25, 33]})
>>> out = evaluate_objectives({"moderator": [Objective(metric="active_participants", target=30)]}, kpis)
>>> out.select("actual", "met", "gap", "trend").row(0)
(26.0, False, -4.0, 'up')
"""

from __future__ import annotations

from typing import Literal

import polars as pl
from pydantic import BaseModel, ConfigDict

from moderator_kit.config import Objective
from moderator_kit.formats import fmt_metric, fmt_pct

__all__ = [
    "KPI_METRICS",
    "TREND_TOLERANCE",
    "ObjectiveResult",
    "evaluate_objectives",
    "objective_results",
    "objective_sentence",
    "trend_of",
]

#: Metric names that objectives can use, with their meaning (the KPI frame has one column per metric).
KPI_METRICS: dict[str, str] = {
    "active_participants": "people who posted, replied or quoted in the session (pure reposters do not count)",
    "new_participants": "active participants seen for the first time in this chat",
    "returning_share": "share of active participants who were active in an earlier session",
    "herding_score": "0-100 score of how well the conversation followed the agenda",
    "sponsor_mentions": "messages by others that mention a sponsor handle or use a sponsor hashtag",
    "share_of_voice": "sponsor-related original messages ÷ all original messages",
    "engaged_participants": "distinct people who mentioned, replied to, reposted or quoted the sponsor",
    "sponsor_posts": "original messages by the sponsor's accounts",
    "engagement_in_data": "replies, reposts and quotes of the sponsor's accounts found in the data",
    "potential_impressions": "sum over messages of the author's followers (or members × messages)",
    "estimated_impressions_low": "estimated real impressions at the low exposure rate",
    "estimated_impressions_mid": "estimated real impressions at the mid exposure rate",
    "estimated_impressions_high": "estimated real impressions at the high exposure rate",
    "sponsor_impressions_mid": "estimated real impressions of sponsor-related messages at the mid rate",
    "cost": "the sponsor's cost attributed to the session",
    "value_mid": "value of the session's impressions at the benchmark CPM (mid rate)",
    "cpm_mid": "cost per 1,000 estimated impressions (mid rate)",
    "roi_low": "(value - cost) ÷ cost at the low exposure rate",
    "roi_mid": "(value - cost) ÷ cost at the mid exposure rate",
    "roi_high": "(value - cost) ÷ cost at the high exposure rate",
}

#: A trend is 'flat' when the fitted change over the sessions is within this share of the mean absolute value.
TREND_TOLERANCE = 0.05

Trend = Literal["up", "down", "flat"]


class ObjectiveResult(BaseModel):
    """One evaluated objective (a row of :func:`evaluate_objectives`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    stakeholder: str
    metric: str
    label: str
    target: float
    direction: Literal["at_least", "at_most"]
    actual: float | None
    met: bool | None
    gap: float | None
    trend: Trend | None
    available: bool
    sessions: int
    note: str


_OBJECTIVE_SCHEMA = {
    "stakeholder": pl.String,
    "metric": pl.String,
    "label": pl.String,
    "target": pl.Float64,
    "direction": pl.String,
    "_order": pl.Int64,
}

_COLUMNS = ["stakeholder", "metric", "label", "target", "direction", "actual", "met", "gap", "trend", "available",
            "sessions", "note"]


def _session_order(kpis: pl.LazyFrame) -> pl.Expr:
    names = kpis.collect_schema().names()
    if "number" in names:
        return pl.col("number").cast(pl.Float64)
    if "session_id" in names:
        return pl.col("session_id").rank("dense").cast(pl.Float64)
    return pl.int_range(pl.len()).cast(pl.Float64)


def trend_of(x: pl.Expr, y: pl.Expr, tolerance: float = TREND_TOLERANCE) -> pl.Expr:
    """Aggregation: 'up', 'down' or 'flat' from the least-squares slope of y over x; null with fewer than 2 points.

    Flat when |slope × (max x - min x)| ≤ tolerance × mean |y| (or when every y is 0).

    >>> import polars as pl
    >>> pl.DataFrame({"x": [1, 2, 3], "y": [10.0, 10.2, 10.1]}).select(trend_of(pl.col("x"), pl.col("y"))).item()
    'flat'
    """
    dx = x - x.mean()
    dy = y - y.mean()
    denominator = (dx * dx).sum()
    slope = (dx * dy).sum() / denominator
    change = slope * (x.max() - x.min())
    scale = y.abs().mean()
    return (
        pl.when((y.count() < 2) | (denominator == 0))
        .then(pl.lit(None, dtype=pl.String))
        .when(change.abs() <= tolerance * scale)
        .then(pl.lit("flat"))
        .when(change > 0)
        .then(pl.lit("up"))
        .otherwise(pl.lit("down"))
    )


def evaluate_objectives(
    objectives: dict[str, list[Objective]],
    kpis: pl.DataFrame | pl.LazyFrame,
    *,
    how: Literal["mean", "latest"] = "mean",
    tolerance: float = TREND_TOLERANCE,
) -> pl.DataFrame:
    """Evaluate KPI targets against per-session KPIs.

    Parameters
    ----------
    objectives
        Objectives by stakeholder (``ChatConfig.objectives``, or ``{"sponsor": sponsor.objectives}``).
    kpis
        One row per selected session: ``session_id``, ``number`` (session order; ``session_id`` order when absent)
        and one numeric column per metric (see :data:`KPI_METRICS`). Null values (a signal missing in a session) are
        skipped.
    how
        ``'mean'`` (default): the actual value is the mean over the sessions that have a value, so one unusual
        session does not decide the verdict. ``'latest'``: the value of the last such session.
    tolerance
        See :func:`trend_of`.

    Returns
    -------
    polars.DataFrame
        [stakeholder, metric, label, target, direction, actual, met, gap, trend, available, sessions, note] in config
        order. ``gap`` = actual - target for ``at_least`` and target - actual for ``at_most``: negative means missed
        by that much. ``met``, ``actual``, ``gap`` and ``trend`` are null when the metric is unavailable.

    Examples
    --------
    >>> import polars as pl
    >>> from moderator_kit.config import Objective
    >>> kpis = pl.DataFrame({"session_id": ["a", "b"], "number": [1, 2], "herding_score": [80.0, 60.0]})
    >>> objs = {"moderator": [Objective(metric="herding_score", target=75, direction="at_least"),
    ...                       Objective(metric="roi_mid", target=0)]}
    >>> evaluate_objectives(objs, kpis, how="latest").select("metric", "met", "gap", "trend", "available").rows()
    [('herding_score', False, -15.0, 'down', True), ('roi_mid', None, None, None, False)]
    """
    flat = [(stakeholder, o) for stakeholder, items in objectives.items() for o in items]
    rows = [
        {"stakeholder": stakeholder, "metric": o.metric, "label": o.label or o.metric, "target": float(o.target),
         "direction": o.direction, "_order": order}
        for order, (stakeholder, o) in enumerate(flat)
    ]
    wanted = pl.DataFrame(rows, schema=_OBJECTIVE_SCHEMA)
    lazy = kpis.lazy()
    schema = lazy.collect_schema()
    metrics = sorted(set(wanted["metric"].to_list()))
    numeric = [m for m in metrics if m in schema and schema[m].is_numeric()]
    stats_schema = {"metric": pl.String, "sessions": pl.Int64, "mean": pl.Float64, "latest": pl.Float64,
                    "trend": pl.String, "_last_session": pl.String}
    if numeric:
        session = pl.col("session_id").cast(pl.String) if "session_id" in schema else pl.lit(None, dtype=pl.String)
        long = (
            lazy.select(_x=_session_order(lazy), _session=session, **{m: pl.col(m).cast(pl.Float64) for m in numeric})
            .unpivot(index=["_x", "_session"], on=numeric, variable_name="metric", value_name="value")
            .filter(pl.col("value").is_not_null() & pl.col("value").is_finite())
            .sort("_x")
        )
        stats = long.group_by("metric").agg(
            sessions=pl.len().cast(pl.Int64),
            mean=pl.col("value").mean(),
            latest=pl.col("value").last(),
            trend=trend_of(pl.col("_x"), pl.col("value"), tolerance),
            _last_session=pl.col("_session").last(),
        ).collect()
        stats = stats.select([pl.col(c).cast(t) for c, t in stats_schema.items()])
    else:
        stats = pl.DataFrame(schema=stats_schema)

    actual = pl.col("mean") if how == "mean" else pl.col("latest")
    gap = pl.when(pl.col("direction") == "at_most").then(pl.col("target") - actual).otherwise(actual - pl.col("target"))
    known = pl.col("sessions").fill_null(0) > 0
    how_text = (
        pl.format("mean over {} session(s)", pl.col("sessions"))
        if how == "mean"
        else pl.format("latest session ({})", pl.col("_last_session").fill_null("?"))
    )
    missing_note = (
        pl.when(pl.col("metric").is_in(numeric))
        .then(pl.format("no selected session has a value for '{}': the signal is unavailable", pl.col("metric")))
        .when(pl.col("metric").is_in([m for m in metrics if m in schema]))
        .then(pl.format("'{}' is not a number in the KPIs", pl.col("metric")))
        .otherwise(pl.format("'{}' is not measured for this chat (no such KPI column)", pl.col("metric")))
    )
    return (
        wanted.join(stats, on="metric", how="left")
        .sort("_order")
        .with_columns(
            actual=pl.when(known).then(actual),
            gap=pl.when(known).then(gap),
            trend=pl.when(known).then(pl.col("trend")),
            available=known,
            sessions=pl.col("sessions").fill_null(0),
            note=pl.when(known).then(how_text).otherwise(missing_note),
        )
        .with_columns(met=pl.when(known).then(pl.col("gap") >= 0))
        .select(_COLUMNS)
    )


def objective_results(frame: pl.DataFrame) -> list[ObjectiveResult]:
    """The rows of :func:`evaluate_objectives` as typed results (for the snapshot and the reports).

    >>> import polars as pl
    >>> from moderator_kit.config import Objective
    >>> kpis = pl.DataFrame({"session_id": ["a"], "number": [1], "share_of_voice": [0.1]})
    >>> [r.met for r in objective_results(evaluate_objectives(
    ...     {"sponsor": [Objective(metric="share_of_voice", target=0.05)]}, kpis))]
    [True]
    """
    return [ObjectiveResult(**row) for row in frame.select(_COLUMNS).iter_rows(named=True)]


def objective_sentence(result: ObjectiveResult) -> str:
    """One plain sentence for an evaluated objective (used in the verdicts' reasons).

    Figures are in the metric's unit, with the formats of every other output (:func:`moderator_kit.formats.fmt_metric`):
    shares and ROI as percentages, money with its symbol.

    >>> r = ObjectiveResult(stakeholder="sponsor", metric="sponsor_mentions", label="Mentions", target=20,
    ...     direction="at_least", actual=12.5, met=False, gap=-7.5, trend="up", available=True, sessions=2,
    ...     note="mean over 2 session(s)")
    >>> objective_sentence(r)
    'Objective missed: Mentions ≥ 20 (actual 12.5, missed by 7.5; mean over 2 session(s), trend up).'
    >>> objective_sentence(r.model_copy(update={"metric": "share_of_voice", "label": "share_of_voice",
    ...     "target": 0.05, "actual": 0.0481, "gap": -0.00194}))
    'Objective missed: share of voice ≥ 5% (actual 4.8%, missed by 0.2%; mean over 2 session(s), trend up).'
    """
    sign = "≥" if result.direction == "at_least" else "≤"
    label = result.label if result.label and result.label != result.metric else result.metric.replace("_", " ")
    metric = result.metric

    def shown(value: float) -> str:
        return fmt_metric(metric, value)

    goal = f"{label} {sign} {shown(result.target)}"
    if not result.available or result.actual is None or result.gap is None:
        return f"Objective not measurable: {goal} ({result.note})."
    trend = f", trend {result.trend}" if result.trend else ""
    if result.met:
        return f"Objective met: {goal} (actual {shown(result.actual)}; {result.note}{trend})."
    # a gap is a distance, never signed: ROI's '+' would read as a direction
    missed_by = fmt_pct(abs(result.gap)) if metric.startswith("roi_") else shown(abs(result.gap))
    return (f"Objective missed: {goal} (actual {shown(result.actual)}, missed by {missed_by}; "
            f"{result.note}{trend}).")
