"""The moderator's value: hours invested against community outcomes, and a verdict against their objectives.

- hours invested = sessions × ``moderator_effort.hours_per_session``; their cost = hours × ``hourly_rate`` when a
  rate is configured (null, with the reason, when it is not);
- community outcomes from the per-session KPIs: active participants (first, last, mean, total person-sessions, growth
  and trend), new participants, the returning share, the herding score;
- outcomes per hour: participant-sessions and new participants per hour invested;
- the moderators' own centrality where graph node attributes are given (PageRank and betweenness, with their rank);
- the ``moderator`` and ``community`` objectives of the config, evaluated with
  :func:`moderator_kit.value.objectives.evaluate_objectives`.

Verdict: ``'worthwhile'`` when there are objectives and every one is measurable and met; ``'not worthwhile'`` when
most measurable objectives are missed and active participation is not growing; ``'unclear'`` otherwise (including
when no objectives are configured). ``reasons`` says why.

Examples
--------
>>> import polars as pl
>>> from moderator_kit.config import parse_config
>>> cfg = parse_config({"chat": "x", "moderator_effort": {"hours_per_session": 2, "hourly_rate": 30},
...     "objectives": {"moderator": [{"metric": "active_participants", "target": 20}]}})
>>> kpis = pl.DataFrame({"session_id": ["a", "b"], "number": [1, 2], "active_participants": [20, 30],
...                      "new_participants": [20, 6]})
>>> mv = moderator_value(kpis, cfg, ["mod"])
>>> mv.hours_invested, mv.cost, mv.outcomes.active_growth, mv.outcomes.participants_per_hour, mv.verdict
(4.0, 120.0, 10.0, 12.5, 'worthwhile')
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import polars as pl
from pydantic import BaseModel, ConfigDict

from moderator_kit.config import ChatConfig
from moderator_kit.formats import fmt_pct
from moderator_kit.value.objectives import (
    ObjectiveResult,
    evaluate_objectives,
    objective_results,
    objective_sentence,
    trend_of,
)

__all__ = ["ModeratorOutcomes", "ModeratorCentrality", "ModeratorValue", "moderator_value", "MODERATOR_STAKEHOLDERS"]

#: The objectives (by stakeholder key of the config) that the moderator's verdict is judged against.
MODERATOR_STAKEHOLDERS = ("moderator", "community")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ModeratorOutcomes(_Model):
    """Community outcomes over the selected sessions (null where the KPI is not measured)."""

    active_participants_first: float | None
    active_participants_last: float | None
    active_participants_mean: float | None
    active_participants_total: float | None
    active_growth: float | None
    active_growth_rate: float | None
    active_trend: Literal["up", "down", "flat"] | None
    new_participants_total: float | None
    returning_share_mean: float | None
    returning_share_trend: Literal["up", "down", "flat"] | None
    herding_score_mean: float | None
    participants_per_hour: float | None
    new_participants_per_hour: float | None
    cost_per_participant_session: float | None
    cost_per_new_participant: float | None


class ModeratorCentrality(_Model):
    """A moderator's own place in the interaction graph, averaged over the sessions where they appear."""

    handle: str
    sessions: int
    participants_mean: float | None
    pagerank_mean: float | None
    pagerank_rank_mean: float | None
    betweenness_mean: float | None
    betweenness_rank_mean: float | None


class ModeratorValue(_Model):
    """Hours invested against community outcomes, the objectives, and the verdict with its reasons."""

    moderators: list[str]
    sessions: list[str]
    sessions_count: int
    hours_per_session: float
    hours_invested: float
    hourly_rate: float | None
    cost: float | None
    outcomes: ModeratorOutcomes
    centrality: list[ModeratorCentrality]
    objectives: list[ObjectiveResult]
    verdict: Literal["worthwhile", "not worthwhile", "unclear"]
    reasons: list[str]
    assumptions: list[str]
    unavailable: dict[str, str]


def _metric_stats(kpis: pl.DataFrame, order: pl.Expr) -> dict[str, float | str | None]:
    """first / last / mean / sum / trend of the outcome metrics, in one polars pass."""
    exprs: list[pl.Expr] = []
    for metric in ("active_participants", "new_participants", "returning_share", "herding_score"):
        if metric not in kpis.columns or not kpis.schema[metric].is_numeric():
            continue
        y = pl.col(metric).cast(pl.Float64)
        kept = y.filter(y.is_not_null())
        x = order.filter(y.is_not_null())
        exprs += [
            kept.first().alias(f"{metric}_first"),
            kept.last().alias(f"{metric}_last"),
            kept.mean().alias(f"{metric}_mean"),
            pl.when(kept.count() > 0).then(kept.sum()).alias(f"{metric}_total"),
            trend_of(x, kept).alias(f"{metric}_trend"),
        ]
    if not exprs or kpis.height == 0:
        return {}
    return kpis.sort(order).select(exprs).row(0, named=True)


def _centrality(nodes: pl.DataFrame | pl.LazyFrame, moderators: Sequence[str],
                sessions: Sequence[str]) -> list[ModeratorCentrality]:
    lazy = nodes.lazy()
    names = lazy.collect_schema().names()
    handle = next((c for c in ("handle", "node", "author_handle") if c in names), None)
    if handle is None or "session_id" not in names:
        raise ValueError("nodes_by_session needs session_id and handle columns (plus pagerank / betweenness)")
    measures = [c for c in ("pagerank", "betweenness") if c in names]
    lazy = lazy.filter(pl.col("session_id").is_in(list(sessions))).with_columns(
        pl.col(handle).cast(pl.String).str.to_lowercase().str.strip_chars_start("@").alias("_handle"),
        pl.len().over("session_id").alias("_participants"),
        *[pl.col(m).rank("min", descending=True).over("session_id").alias(f"{m}_rank") for m in measures],
    )
    # Means over each moderator's values in session order (lists, then list.mean): polars' parallel group_by mean
    # may add the same values in another order from run to run, changing the last digit.
    means = ["_participants"]
    for m in ("pagerank", "betweenness"):
        if m in measures:
            means += [m, f"{m}_rank"]
    rows = (
        lazy.filter(pl.col("_handle").is_in(list(moderators)))
        .sort("session_id", maintain_order=True)
        .group_by("_handle")
        .agg(pl.col("session_id").n_unique().alias("sessions"), *[pl.col(c).cast(pl.Float64) for c in means])
        .collect()
        .with_columns(pl.col(c).list.mean() for c in means)
        .rename({"_handle": "handle", "_participants": "participants_mean"})
    )
    for m in ("pagerank", "betweenness"):
        if m in measures:
            rows = rows.rename({m: f"{m}_mean", f"{m}_rank": f"{m}_rank_mean"})
        else:
            rows = rows.with_columns(pl.lit(None, dtype=pl.Float64).alias(f"{m}_mean"),
                                     pl.lit(None, dtype=pl.Float64).alias(f"{m}_rank_mean"))
    rows = rows.select("handle", "sessions", "participants_mean", "pagerank_mean", "pagerank_rank_mean",
                       "betweenness_mean", "betweenness_rank_mean").sort("handle")
    return [ModeratorCentrality(**row) for row in rows.iter_rows(named=True)]


def _num(x: float | None) -> str:
    return "n/a" if x is None else f"{x:,.4g}"


def moderator_value(
    kpis: pl.DataFrame | pl.LazyFrame,
    config: ChatConfig,
    moderators: Sequence[str] | None = None,
    nodes_by_session: pl.DataFrame | pl.LazyFrame | None = None,
    *,
    stakeholders: Sequence[str] = MODERATOR_STAKEHOLDERS,
    objectives_how: Literal["mean", "latest"] = "mean",
) -> ModeratorValue:
    """Whether moderating the chat is worth the moderator's hours.

    Parameters
    ----------
    kpis
        One row per selected session: session_id, number and KPI columns (active_participants, new_participants,
        returning_share, herding_score, ...; see ``KPI_METRICS``). Missing KPIs give null outcomes with a reason.
    config
        Gives ``moderator_effort`` (hours per session, hourly rate) and the objectives.
    moderators
        Moderator handles (default: ``config.moderators``), for their centrality.
    nodes_by_session
        Optional graph node attributes: session_id, handle (or node), pagerank and / or betweenness.
    stakeholders
        The objective groups of the config the verdict is judged against.
    objectives_how
        ``'mean'`` or ``'latest'`` (see :func:`moderator_kit.value.objectives.evaluate_objectives`).

    Examples
    --------
    >>> import polars as pl
    >>> from moderator_kit.config import parse_config
    >>> kpis = pl.DataFrame({"session_id": ["a"], "number": [1], "active_participants": [12]})
    >>> mv = moderator_value(kpis, parse_config({"chat": "x"}))
    >>> mv.hours_invested, mv.cost, mv.verdict
    (2.0, None, 'unclear')
    >>> mv.unavailable["cost"]
    'No moderator_effort.hourly_rate is configured, so the hours are not priced.'
    """
    frame = kpis.lazy().collect()
    handles = [h.strip().lstrip("@").lower() for h in (moderators if moderators is not None else config.moderators)]
    order = pl.col("number").cast(pl.Float64) if "number" in frame.columns else pl.col("session_id").rank("dense")
    sessions = frame.sort(order)["session_id"].cast(pl.String).to_list() if "session_id" in frame.columns else []
    count = frame.height
    effort = config.moderator_effort
    hours = count * effort.hours_per_session
    unavailable: dict[str, str] = {}
    rate = effort.hourly_rate if effort.hourly_rate > 0 else None
    cost = hours * rate if rate is not None else None
    if rate is None:
        unavailable["cost"] = "No moderator_effort.hourly_rate is configured, so the hours are not priced."

    stats = _metric_stats(frame, order)

    def get(name: str) -> float | None:
        value = stats.get(name)
        return None if value is None else float(value)

    first, last = get("active_participants_first"), get("active_participants_last")
    total_active, total_new = get("active_participants_total"), get("new_participants_total")
    for metric in ("active_participants", "new_participants", "returning_share"):
        if f"{metric}_mean" not in stats:
            unavailable[metric] = f"The KPIs have no '{metric}' column, so this outcome is not measured."
    if hours == 0:
        unavailable["per_hour"] = "No hours are invested (no sessions or 0 hours per session), so nothing per hour."

    def ratio(a: float | None, b: float | None) -> float | None:
        return a / b if a is not None and b not in (None, 0) else None

    outcomes = ModeratorOutcomes(
        active_participants_first=first,
        active_participants_last=last,
        active_participants_mean=get("active_participants_mean"),
        active_participants_total=total_active,
        active_growth=None if first is None or last is None else last - first,
        active_growth_rate=ratio(None if first is None or last is None else last - first, first),
        active_trend=stats.get("active_participants_trend"),
        new_participants_total=total_new,
        returning_share_mean=get("returning_share_mean"),
        returning_share_trend=stats.get("returning_share_trend"),
        herding_score_mean=get("herding_score_mean"),
        participants_per_hour=ratio(total_active, hours),
        new_participants_per_hour=ratio(total_new, hours),
        cost_per_participant_session=ratio(cost, total_active),
        cost_per_new_participant=ratio(cost, total_new),
    )
    centrality: list[ModeratorCentrality] = []
    if nodes_by_session is not None:
        centrality = _centrality(nodes_by_session, handles, sessions)
    else:
        unavailable["centrality"] = "No graph node attributes were given, so the moderators' centrality is not shown."

    wanted = {s: list(config.objectives.get(s, [])) for s in stakeholders}
    objectives = objective_results(evaluate_objectives(wanted, frame, how=objectives_how))
    verdict, reasons = _verdict(objectives, outcomes, count, hours, cost)
    assumptions = [
        f"Hours invested = {count} session{'s' if count != 1 else ''} × {effort.hours_per_session:g} hours per "
        f"session (moderator_effort.hours_per_session: preparation, the chat and the follow-up) = {hours:g} hours.",
        (f"Cost of the hours = {hours:g} × an hourly rate of {rate:,.2f} = {cost:,.2f}." if cost is not None
         else "The hours are not priced (no hourly rate configured)."),
        "Active participants are people who posted, replied or quoted (pure reposters do not count); totals add "
        "the sessions up, so a person active in three sessions counts three times (participant-sessions).",
        "Objectives read the mean over the selected sessions" + (" (the latest session instead)."
                                                                 if objectives_how == "latest" else "."),
    ]
    return ModeratorValue(
        moderators=handles,
        sessions=sessions,
        sessions_count=count,
        hours_per_session=float(effort.hours_per_session),
        hours_invested=float(hours),
        hourly_rate=rate,
        cost=cost,
        outcomes=outcomes,
        centrality=centrality,
        objectives=objectives,
        verdict=verdict,
        reasons=reasons,
        assumptions=assumptions,
        unavailable=unavailable,
    )


def _verdict(objectives: list[ObjectiveResult], outcomes: ModeratorOutcomes, count: int, hours: float,
             cost: float | None) -> tuple[Literal["worthwhile", "not worthwhile", "unclear"], list[str]]:
    reasons = [f"{hours:g} hours invested over {count} session{'s' if count != 1 else ''}"
               + (f" (cost {cost:,.2f})." if cost is not None else ".")]
    if outcomes.active_participants_mean is not None:
        growth = ""
        if outcomes.active_growth is not None and count > 1:
            growth = (f", from {_num(outcomes.active_participants_first)} to "
                      f"{_num(outcomes.active_participants_last)} (trend {outcomes.active_trend or 'n/a'})")
        reasons.append(f"Active participants: {_num(outcomes.active_participants_mean)} per session on average"
                       f"{growth}; {_num(outcomes.participants_per_hour)} participant-sessions per hour invested.")
    if outcomes.new_participants_total is not None:
        reasons.append(f"New participants: {_num(outcomes.new_participants_total)} in total, "
                       f"{_num(outcomes.new_participants_per_hour)} per hour invested.")
    if outcomes.returning_share_mean is not None:
        reasons.append(f"Returning share: {fmt_pct(outcomes.returning_share_mean)} of active participants on average.")
    measurable = [o for o in objectives if o.available]
    missed = [o for o in measurable if not o.met]
    verdict: Literal["worthwhile", "not worthwhile", "unclear"]
    if not objectives:
        reasons.append("No moderator or community objectives are configured, so the hours cannot be judged against "
                       "targets: set objectives.moderator in the chat config.")
        verdict = "unclear"
    elif not missed and len(measurable) == len(objectives):
        verdict = "worthwhile"
    elif measurable and len(missed) * 2 > len(measurable) and outcomes.active_trend != "up":
        reasons.append(f"{len(missed)} of {len(measurable)} measurable objectives are missed and active "
                       "participation is not growing.")
        verdict = "not worthwhile"
    else:
        verdict = "unclear"
    reasons.extend(objective_sentence(o) for o in objectives)
    return verdict, reasons
