"""Sponsor value: costs, CPM, value at a benchmark CPM, ROI ranges, break-even exposure rate, and a verdict.

Formulas (sources and assumptions in ``docs/metrics/value.md``):

- cost = (fee + staff_hours × hourly_rate + other) × sessions when ``costs_per == 'session'`` (once when
  ``'total'``);
- estimated impressions at exposure rate r = measured impressions (views) + r × potential impressions;
- CPM = cost ÷ impressions × 1,000 (the advertising cost per mille);
- value = impressions ÷ 1,000 × benchmark CPM;
- ROI = (value - cost) ÷ cost, for the low, mid and high exposure rates;
- break-even exposure rate = the r at which value = cost.

The value rests on the **attributable** impressions: those of the messages by or about the sponsor (its posts,
mentions of its handles and hashtags, replies, reposts and quotes of its accounts, links to its domains, the
moderators' posts naming it). The whole chat's impressions are shown beside them as an upper bound (if every
participant saw the sponsorship). With no attributable message at all the verdict is ``'no evidence of exposure'``.

Examples
--------
>>> import polars as pl
>>> from moderator_kit.config import Costs, ExposureRates, Sponsor
>>> exposure = pl.DataFrame({"session_id": ["s1"], "messages": [10], "originals": [8], "mentions": [4],
...     "related_messages": [4], "related_originals": [2], "engaged_participants": [4],
...     "related_measured_impressions": [0.0], "related_exposure_base": [100_000.0]})
>>> reach = pl.DataFrame({"session_id": ["s1"], "reach_basis": ["followers"], "potential_impressions": [400_000],
...     "measured_impressions": [0.0], "exposure_base": [400_000.0], "basis_note": ["followers"]})
>>> sv = sponsor_value(exposure, reach, Sponsor(name="Acme", costs=Costs(fee=50), benchmark_cpm=20),
...                    ExposureRates(), 1)
>>> sv.cost, sv.value.mid, sv.roi.mid, sv.break_even_exposure_rate, sv.verdict
(50.0, 100.0, 1.0, 0.025, 'unclear')
>>> sv.chat_value.mid, sv.chat_roi.mid  # the upper bound: every participant saw the sponsorship
(400.0, 7.0)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import polars as pl
from pydantic import BaseModel, ConfigDict

from moderator_kit.config import ExposureRates, Sponsor
from moderator_kit.formats import fmt_int, fmt_money, fmt_pct, fmt_roi
from moderator_kit.value.objectives import (
    ObjectiveResult,
    evaluate_objectives,
    objective_results,
    objective_sentence,
)

__all__ = [
    "Range",
    "CostBreakdown",
    "SensitivityPoint",
    "SessionValue",
    "SponsorValue",
    "Verdict",
    "cost_breakdown",
    "sponsor_kpis",
    "sponsor_value",
    "SENSITIVITY_RATES",
    "SENSITIVITY_CPM_FACTORS",
    "NO_EVIDENCE",
    "UPPER_BOUND_LABEL",
]

#: The verdict when no message is by or about the sponsor: nothing shows that the sponsorship was seen.
NO_EVIDENCE = "no evidence of exposure"
Verdict = Literal["worthwhile", "not worthwhile", "unclear", "no evidence of exposure"]
#: How the whole chat's audience is labelled wherever it is shown beside the attributable figures.
UPPER_BOUND_LABEL = "upper bound, if every participant saw the sponsorship"

#: Exposure rates of the sensitivity grid (the configured low / mid / high are always added).
SENSITIVITY_RATES = (0.01, 0.02, 0.05, 0.10, 0.20, 0.30)
#: Benchmark CPMs of the sensitivity grid, as multiples of the sponsor's benchmark CPM.
SENSITIVITY_CPM_FACTORS = (0.25, 0.5, 1.0, 2.0, 4.0)
#: CPMs used for the grid when the benchmark CPM is 0.
_FALLBACK_CPMS = (1.0, 5.0, 10.0, 20.0, 40.0)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Range(_Model):
    """A figure under the low, mid and high exposure-rate scenarios (so CPM low is the worst, i.e. highest, CPM)."""

    low: float | None = None
    mid: float | None = None
    high: float | None = None


class CostBreakdown(_Model):
    """What the sponsorship cost: the config's costs times the sessions they apply to."""

    per: Literal["session", "total"]
    sessions: int
    multiplier: int
    fee: float
    staff_hours: float
    hourly_rate: float
    staff_cost: float
    other: float
    total: float
    per_session: float | None


class SensitivityPoint(_Model):
    """ROI at one exposure rate and one benchmark CPM (a cell of the sensitivity chart).

    ``exposure_rate`` is None when the impressions are measured (nothing is estimated): only the CPM varies then.
    """

    exposure_rate: float | None
    benchmark_cpm: float
    impressions: float | None
    value: float | None
    roi: float | None


class SessionValue(_Model):
    """One sponsored session's figures, for the trend over the sponsored sessions."""

    session_id: str
    number: int
    sponsor_mentions: int | None
    share_of_voice: float | None
    engaged_participants: int | None
    sponsor_posts: int | None
    estimated_impressions_mid: float | None
    sponsor_impressions_mid: float | None
    cost: float | None
    value_mid: float | None
    roi_mid: float | None


class SponsorValue(_Model):
    """Everything the sponsor report shows: exposure, costs, CPM, value, ROI ranges, sensitivity and the verdict."""

    sponsor: str
    handles: list[str]
    hashtags: list[str]
    sessions: list[str]
    sessions_count: int
    messages: int
    originals: int
    costs: CostBreakdown
    cost: float
    benchmark_cpm: float
    exposure_rates: Range
    reach_basis: str
    reach_note: str
    chat_potential_impressions: int | None
    chat_impressions: Range
    sponsor_potential_impressions: int | None
    sponsor_impressions: Range
    attributable_messages: int | None
    value_basis_note: str
    impressions: Range
    impressions_measured: bool
    chat_value: Range
    chat_roi: Range
    upper_bound_note: str
    mentions: int | None
    mentioning_people: int | None
    share_of_voice: float | None
    sponsor_posts: int | None
    engagement_in_data: int | None
    likes_on_posts: int | None
    engaged_participants: int | None
    cpm: Range
    cost_per_engaged_participant: float | None
    cost_per_mention: float | None
    value: Range
    roi: Range
    break_even_exposure_rate: float | None
    sensitivity: list[SensitivityPoint]
    objectives: list[ObjectiveResult]
    verdict: Verdict
    reasons: list[str]
    assumptions: list[str]
    unavailable: dict[str, str]
    trend: list[SessionValue]


def cost_breakdown(sponsor: Sponsor, sessions_count: int) -> CostBreakdown:
    """The sponsorship's cost: fee + staff hours × rate + other, times the sessions when costs are per session.

    >>> from moderator_kit.config import Costs
    >>> s = Sponsor(name="A", costs=Costs(fee=500, staff_hours=4, hourly_rate=50, other=20))
    >>> cost_breakdown(s, 3).total, cost_breakdown(s.model_copy(update={"costs_per": "total"}), 3).total
    (2160.0, 720.0)
    """
    costs = sponsor.costs
    multiplier = sessions_count if sponsor.costs_per == "session" else 1
    total = costs.total * multiplier
    return CostBreakdown(
        per=sponsor.costs_per,
        sessions=sessions_count,
        multiplier=multiplier,
        fee=float(costs.fee * multiplier),
        staff_hours=float(costs.staff_hours * multiplier),
        hourly_rate=float(costs.hourly_rate),
        staff_cost=float(costs.staff_hours * costs.hourly_rate * multiplier),
        other=float(costs.other * multiplier),
        total=float(total),
        per_session=float(total / sessions_count) if sessions_count > 0 else None,
    )


def _joined(exposure: pl.DataFrame | pl.LazyFrame, reach: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    exposure = exposure.lazy()
    reach_cols = ["session_id", "reach_basis", "potential_impressions", "measured_impressions", "exposure_base",
                  "basis_note"]
    reach = reach.lazy()
    present = reach.collect_schema().names()
    missing = [c for c in reach_cols if c not in present]
    if missing:
        raise ValueError(f"reach frame lacks columns: {', '.join(missing)} (pass the frame of reach_by_session)")
    exposure_names = exposure.collect_schema().names()
    exposure = exposure.drop([c for c in reach_cols[1:] if c in exposure_names])
    reach = reach.select(
        reach_cols[:1] + [pl.col(c).alias(f"chat_{c}") for c in reach_cols[1:]]
    )
    return exposure.join(reach, on="session_id", how="left").sort("session_id").collect()


def _col(frame: pl.DataFrame, name: str, dtype: pl.DataType = pl.Float64) -> pl.Expr:
    return pl.col(name).cast(dtype) if name in frame.columns else pl.lit(None, dtype=dtype)


def sponsor_kpis(
    exposure: pl.DataFrame | pl.LazyFrame,
    reach: pl.DataFrame | pl.LazyFrame,
    sponsor: Sponsor,
    rates: ExposureRates,
    sessions_count: int | None = None,
) -> pl.DataFrame:
    """Per sponsored session, the sponsor's KPI columns (the names objectives use, see ``KPI_METRICS``).

    Columns: session_id, number (session order), sponsor_mentions, share_of_voice, engaged_participants,
    sponsor_posts, engagement_in_data, potential_impressions, estimated_impressions_low / _mid / _high (the chat's),
    sponsor_impressions_mid, cost (the total cost ÷ sessions_count), and value_mid, cpm_mid, roi_low / _mid / _high
    on the attributable impressions (those of the messages by or about the sponsor).

    >>> import polars as pl
    >>> from moderator_kit.config import Costs
    >>> exposure = pl.DataFrame({"session_id": ["s1", "s2"], "mentions": [3, 5],
    ...     "related_measured_impressions": [0.0, 0.0], "related_exposure_base": [1000.0, 3000.0]})
    >>> reach = pl.DataFrame({"session_id": ["s1", "s2"], "reach_basis": ["followers"] * 2,
    ...     "potential_impressions": [1000, 3000], "measured_impressions": [0.0, 0.0],
    ...     "exposure_base": [1000.0, 3000.0], "basis_note": ["", ""]})
    >>> k = sponsor_kpis(exposure, reach, Sponsor(name="A", costs=Costs(fee=1), benchmark_cpm=20),
    ...                  ExposureRates(mid=0.1))
    >>> k.select("sponsor_mentions", "estimated_impressions_mid", "cost", "value_mid", "roi_mid").rows()
    [(3, 100.0, 1.0, 2.0, 1.0), (5, 300.0, 1.0, 6.0, 5.0)]
    """
    frame = _joined(exposure, reach)
    count = frame.height if sessions_count is None else sessions_count
    total_cost = cost_breakdown(sponsor, count).total
    per_session = total_cost / count if count > 0 else None
    cpm = sponsor.benchmark_cpm
    chat_ok = pl.col("chat_reach_basis").is_not_null() & (pl.col("chat_reach_basis") != "unavailable")

    def chat(rate: float) -> pl.Expr:
        return pl.when(chat_ok).then(
            pl.col("chat_measured_impressions").cast(pl.Float64) + rate * pl.col("chat_exposure_base").cast(pl.Float64)
        )

    def related(rate: float) -> pl.Expr:
        return _col(frame, "related_measured_impressions") + rate * _col(frame, "related_exposure_base")

    basis = related
    cost = pl.lit(per_session, dtype=pl.Float64)
    value = {level: basis(getattr(rates, level)) * cpm / 1000 for level in ("low", "mid", "high")}
    roi = {level: pl.when(cost > 0).then((v - cost) / cost) for level, v in value.items()}
    impressions_mid = basis(rates.mid)
    return frame.select(
        "session_id",
        number=pl.col("session_id").rank("ordinal").cast(pl.Int64),
        sponsor_mentions=_col(frame, "mentions", pl.Int64),
        share_of_voice=_col(frame, "share_of_voice"),
        engaged_participants=_col(frame, "engaged_participants", pl.Int64),
        sponsor_posts=_col(frame, "sponsor_posts", pl.Int64),
        engagement_in_data=_col(frame, "engagement_in_data", pl.Int64),
        potential_impressions=pl.col("chat_potential_impressions").cast(pl.Int64),
        estimated_impressions_low=chat(rates.low),
        estimated_impressions_mid=chat(rates.mid),
        estimated_impressions_high=chat(rates.high),
        sponsor_impressions_mid=related(rates.mid),
        cost=cost,
        value_mid=value["mid"],
        cpm_mid=pl.when(impressions_mid > 0).then(cost / impressions_mid * 1000),
        roi_low=roi["low"],
        roi_mid=roi["mid"],
        roi_high=roi["high"],
    )


def _sum(frame: pl.DataFrame, name: str) -> float | None:
    """Sum of a column over rows that have a value; None when the column is absent or all null."""
    if name not in frame.columns or frame[name].null_count() == frame.height:
        return None
    return frame[name].sum()


def _int(x: float | None) -> int | None:
    return None if x is None else int(round(x))


def _reach_summary(frame: pl.DataFrame) -> tuple[str, str, list[str]]:
    """The basis over the sponsored sessions, its note, and the sessions without reach."""
    if frame.height == 0:
        return "unavailable", "Reach unavailable: no messages in the sponsored sessions.", []
    bases = frame.with_columns(pl.col("chat_reach_basis").fill_null("unavailable"))
    missing = bases.filter(pl.col("chat_reach_basis") == "unavailable")["session_id"].to_list()
    per_basis = (
        bases.group_by("chat_reach_basis", maintain_order=True)
        .agg(pl.len().alias("n"), pl.col("chat_basis_note").drop_nulls().first().alias("note"))
        .sort("n", descending=True, maintain_order=True)
    )
    if per_basis.height == 1:
        basis, _, note = per_basis.row(0)
        return basis, note or "", missing
    parts = ", ".join(f"{b} ({n} session{'s' if n != 1 else ''})" for b, n, _ in per_basis.iter_rows())
    notes = " ".join(f"{b}: {note}" for b, _, note in per_basis.iter_rows() if note)
    return "mixed", f"The sponsored sessions stand on different reach bases: {parts}. {notes}", missing


def _sensitivity(
    measured: float | None, base: float | None, cost: float, sponsor: Sponsor, rates: ExposureRates,
    grid_rates: Sequence[float] | None, grid_cpms: Sequence[float] | None,
) -> list[SensitivityPoint]:
    rate_values: list[float | None] = sorted(set(grid_rates if grid_rates is not None else SENSITIVITY_RATES)
                                             | {rates.low, rates.mid, rates.high})
    if base == 0 and measured is not None:
        rate_values = [None]  # measured impressions: only the benchmark CPM varies
    if grid_cpms is not None:
        cpm_values = sorted(set(grid_cpms))
    elif sponsor.benchmark_cpm > 0:
        cpm_values = sorted({sponsor.benchmark_cpm * f for f in SENSITIVITY_CPM_FACTORS})
    else:
        cpm_values = list(_FALLBACK_CPMS)
    grid = pl.DataFrame({"exposure_rate": rate_values}, schema={"exposure_rate": pl.Float64}).join(
        pl.DataFrame({"benchmark_cpm": cpm_values}, schema={"benchmark_cpm": pl.Float64}), how="cross"
    )
    known = measured is not None and base is not None
    impressions = (
        pl.lit(measured, dtype=pl.Float64) + pl.col("exposure_rate").fill_null(0.0) * pl.lit(base, dtype=pl.Float64)
        if known
        else pl.lit(None, dtype=pl.Float64)
    )
    grid = grid.with_columns(impressions=impressions).with_columns(
        value=pl.col("impressions") * pl.col("benchmark_cpm") / 1000
    ).with_columns(
        roi=(pl.col("value") - cost) / cost if cost > 0 else pl.lit(None, dtype=pl.Float64)
    )
    return [SensitivityPoint(**row) for row in grid.iter_rows(named=True)]


def _break_even(measured: float | None, base: float | None, cost: float, cpm: float) -> tuple[float | None, str | None]:
    """The exposure rate at which value = cost, or None with the reason."""
    if cost == 0:
        return 0.0, None
    if measured is None or base is None:
        return None, "Reach is unavailable, so no exposure rate can be tied to a value."
    if cpm == 0:
        return None, "The benchmark CPM is 0: the impressions are valued at nothing, so no exposure rate breaks even."
    needed = cost * 1000 / cpm  # impressions needed for value = cost
    if base == 0:
        # nothing is estimated, so no exposure rate can move the value: a break-even rate would be a made-up 0%
        return None, ("The impressions are measured (platform view counts), so the value does not depend on an "
                      f"exposure rate; they would break even at {fmt_int(needed)} impressions, or at a benchmark CPM "
                      "equal to the CPM paid.")
    return max(0.0, (needed - measured) / base), None


def sponsor_value(
    exposure: pl.DataFrame | pl.LazyFrame,
    reach: pl.DataFrame | pl.LazyFrame,
    sponsor: Sponsor,
    rates: ExposureRates,
    sessions_count: int | None = None,
    *,
    sensitivity_rates: Sequence[float] | None = None,
    sensitivity_cpms: Sequence[float] | None = None,
    objectives_how: Literal["mean", "latest"] = "mean",
) -> SponsorValue:
    """What the sponsor got against what it paid, with the assumptions and a verdict.

    Parameters
    ----------
    exposure
        :func:`moderator_kit.value.sponsor.sponsor_exposure` for the sponsored sessions.
    reach
        :func:`moderator_kit.value.reach.reach_by_session`; only the sessions in ``exposure`` are used.
    sponsor
        The sponsor from the config (costs, ``costs_per``, ``benchmark_cpm``, objectives).
    rates
        The exposure rates (low / mid / high) of the estimate.
    sessions_count
        The sessions the sponsorship covers (what per-session costs are multiplied by); by default the sessions in
        ``exposure``.
    sensitivity_rates, sensitivity_cpms
        The grid of the sensitivity chart (defaults: :data:`SENSITIVITY_RATES` plus the configured rates, and
        :data:`SENSITIVITY_CPM_FACTORS` × the benchmark CPM). When the impressions are measured, the grid has the
        CPMs only (``exposure_rate`` None): no exposure rate changes a measured figure.
    objectives_how
        How the sponsor's objectives read the per-session KPIs (see
        :func:`moderator_kit.value.objectives.evaluate_objectives`).

    Returns
    -------
    SponsorValue
        Value, CPM and ROI rest on the attributable impressions (messages by or about the sponsor); the whole chat's
        impressions, value and ROI are beside them as an upper bound (``chat_*``). Null figures come with their
        reason in ``unavailable``. Verdict: ``'no evidence of exposure'`` when no message is by or about the sponsor
        (whatever the cost); ``'not worthwhile'`` when even the high-rate ROI is negative; ``'worthwhile'`` when the
        low-rate ROI is at least 0 (or the sponsorship cost nothing) and every objective is measurable and met;
        ``'unclear'`` otherwise. ``reasons`` says why.

    Examples
    --------
    >>> import polars as pl
    >>> from moderator_kit.config import Costs
    >>> exposure = pl.DataFrame({"session_id": ["s1"], "messages": [5], "originals": [5], "mentions": [0],
    ...     "related_messages": [0], "related_measured_impressions": [0.0], "related_exposure_base": [0.0]})
    >>> reach = pl.DataFrame({"session_id": ["s1"], "reach_basis": ["members"],
    ...     "potential_impressions": [500], "measured_impressions": [0.0], "exposure_base": [500.0],
    ...     "basis_note": ["members"]})
    >>> sv = sponsor_value(exposure, reach, Sponsor(name="A", costs=Costs(fee=1)), ExposureRates(), 1)
    >>> sv.verdict, sv.roi.mid, sv.chat_impressions.mid
    ('no evidence of exposure', None, 25.0)
    >>> sv.unavailable["cost_per_mention"]
    'Nobody mentioned the sponsor, so there is no cost per mention.'
    """
    frame = _joined(exposure, reach)
    count = frame.height if sessions_count is None else sessions_count
    costs = cost_breakdown(sponsor, count)
    cost = costs.total
    cpm_benchmark = float(sponsor.benchmark_cpm)
    unavailable: dict[str, str] = {}

    basis, reach_note, no_reach = _reach_summary(frame)
    available = frame.filter(
        pl.col("chat_reach_basis").is_not_null() & (pl.col("chat_reach_basis") != "unavailable")
    )
    chat_measured = _sum(available, "chat_measured_impressions") if available.height else None
    chat_base = _sum(available, "chat_exposure_base") if available.height else None
    chat_potential = _int(_sum(available, "chat_potential_impressions")) if available.height else None
    attributable = _int(_sum(frame, "related_messages"))
    evidence = attributable is not None and attributable > 0
    measured = _sum(frame, "related_measured_impressions") if evidence else None
    base = _sum(frame, "related_exposure_base") if evidence else None
    rel_potential = _int(_sum(frame, "related_potential_impressions"))

    def impressions_range(m: float | None, b: float | None) -> Range:
        if m is None or b is None:
            return Range()
        return Range(**{lvl: m + getattr(rates, lvl) * b for lvl in ("low", "mid", "high")})

    def value_of(impressions: Range) -> Range:
        return Range(**{lvl: None if getattr(impressions, lvl) is None else getattr(impressions, lvl)
                        * cpm_benchmark / 1000 for lvl in ("low", "mid", "high")})

    def roi_of(value: Range) -> Range:
        if cost <= 0:
            return Range()
        return Range(**{lvl: None if getattr(value, lvl) is None else (getattr(value, lvl) - cost) / cost
                        for lvl in ("low", "mid", "high")})

    chat_impressions = impressions_range(chat_measured, chat_base)
    chat_value = value_of(chat_impressions)
    chat_roi = roi_of(chat_value)
    impressions = impressions_range(measured, base)
    sponsor_impressions = impressions
    is_measured = base is not None and base == 0
    value_note = ("Value rests on the attributable impressions: those of the messages by or about the sponsor (its "
                  "posts; mentions of its handles and hashtags; replies, reposts and quotes of its accounts; links "
                  "to its domains; the moderators' posts that name it). A message there is evidence that the "
                  "sponsorship was seen.")
    upper_note = _upper_bound_note(chat_impressions, chat_value, chat_roi, cpm_benchmark)
    if not evidence:
        unavailable["impressions"] = _no_evidence_reason(sponsor, attributable)
    elif impressions.mid is None:
        unavailable["impressions"] = ("Reach is unavailable for the sponsored sessions (no follower or view counts "
                                      "and no audience_members configured), so impressions, CPM, value and ROI "
                                      "cannot be estimated.")

    value = value_of(impressions)
    cpm = Range(**{lvl: cost / getattr(impressions, lvl) * 1000
                   if getattr(impressions, lvl) not in (None, 0) else None for lvl in ("low", "mid", "high")})
    if impressions.mid is not None and cpm.low is None:
        unavailable["cpm"] = "Estimated impressions are 0 at some exposure rates, so CPM is undefined there."
    roi = roi_of(value)
    if cost <= 0:
        unavailable["roi"] = ("The cost is 0, so ROI = (value - cost) ÷ cost is undefined (there is nothing to "
                              "return on).")
    if evidence:
        break_even, break_even_reason = _break_even(measured, base, cost, cpm_benchmark)
    else:
        break_even, break_even_reason = None, unavailable["impressions"]
    if break_even_reason:
        unavailable["break_even_exposure_rate"] = break_even_reason

    mentions = _int(_sum(frame, "mentions"))
    engaged = _int(_sum(frame, "engaged_participants"))
    originals = _int(_sum(frame, "originals")) or 0
    related_originals = _sum(frame, "related_originals")
    share_of_voice = related_originals / originals if related_originals is not None and originals > 0 else None
    if frame.height == 0:
        missing_reason = "None of the sponsored sessions has messages in the data, so nothing can be counted."
    else:
        missing_reason = ("The sponsor has no handles or hashtags in the config, so mentions and engagement cannot be "
                          "found.")
    if mentions is None:
        unavailable["mentions"] = missing_reason
        cost_per_mention = None
    elif mentions == 0:
        cost_per_mention = None
        unavailable["cost_per_mention"] = "Nobody mentioned the sponsor, so there is no cost per mention."
    else:
        cost_per_mention = cost / mentions
    if engaged is None:
        cost_per_engaged = None
        unavailable["cost_per_engaged_participant"] = missing_reason
    elif engaged == 0:
        cost_per_engaged = None
        unavailable["cost_per_engaged_participant"] = (
            "Nobody engaged with the sponsor, so there is no cost per engaged participant.")
    else:
        cost_per_engaged = cost / engaged

    kpis = sponsor_kpis(exposure, reach, sponsor, rates, count)
    objectives = objective_results(
        evaluate_objectives({"sponsor": list(sponsor.objectives)}, kpis, how=objectives_how)
    )
    trend = [SessionValue(**row) for row in kpis.select(list(SessionValue.model_fields)).iter_rows(named=True)]

    verdict, reasons = _verdict(
        _Figures(cost=cost, impressions=impressions, value=value, roi=roi, cpm=cpm, break_even=break_even,
                 measured=is_measured, benchmark_cpm=cpm_benchmark), rates, objectives,
        no_evidence=None if evidence else unavailable["impressions"], upper_note=upper_note)
    assumptions = _assumptions(sponsor, costs, rates, reach_note, value_note, upper_note, no_reach, frame.height,
                               is_measured)
    return SponsorValue(
        sponsor=sponsor.name,
        handles=list(sponsor.handles),
        hashtags=list(sponsor.hashtags),
        sessions=frame["session_id"].to_list(),
        sessions_count=count,
        messages=_int(_sum(frame, "messages")) or 0,
        originals=originals,
        costs=costs,
        cost=cost,
        benchmark_cpm=cpm_benchmark,
        exposure_rates=Range(low=rates.low, mid=rates.mid, high=rates.high),
        reach_basis=basis,
        reach_note=reach_note,
        chat_potential_impressions=chat_potential,
        chat_impressions=chat_impressions,
        sponsor_potential_impressions=rel_potential,
        sponsor_impressions=sponsor_impressions,
        attributable_messages=attributable,
        value_basis_note=value_note,
        impressions=impressions,
        impressions_measured=is_measured,
        chat_value=chat_value,
        chat_roi=chat_roi,
        upper_bound_note=upper_note,
        mentions=mentions,
        mentioning_people=_int(_sum(frame, "mentioning_people")),
        share_of_voice=share_of_voice,
        sponsor_posts=_int(_sum(frame, "sponsor_posts")),
        engagement_in_data=_int(_sum(frame, "engagement_in_data")),
        likes_on_posts=_int(_sum(frame, "likes_on_posts")),
        engaged_participants=engaged,
        cpm=cpm,
        cost_per_engaged_participant=cost_per_engaged,
        cost_per_mention=cost_per_mention,
        value=value,
        roi=roi,
        break_even_exposure_rate=break_even,
        sensitivity=_sensitivity(measured, base, cost, sponsor, rates, sensitivity_rates, sensitivity_cpms),
        objectives=objectives,
        verdict=verdict,
        reasons=reasons,
        assumptions=assumptions,
        unavailable=unavailable,
        trend=trend,
    )


def _no_evidence_reason(sponsor: Sponsor, attributable: int | None) -> str:
    """Why there is no attributable exposure, and what to configure so that it can be found."""
    looked_for = ([f"@{h}" for h in sponsor.handles] + [f"#{t}" for t in sponsor.hashtags]
                  + [f"links to {d}" for d in sponsor.domains])
    if attributable is None:
        found = (f"Nothing in the config identifies {sponsor.name} in the messages (no handles, hashtags or domains, "
                 "and no moderators whose posts could name it)")
    else:
        what = ", ".join(looked_for) if looked_for else "no handle, hashtag or domain configured"
        found = (f"No message in the sponsored sessions is by or about {sponsor.name} ({what}; a moderator's post "
                 "naming it would count too)")
    return (f"{found}, so there is no evidence that the sponsorship was seen. To measure it, set the sponsor's "
            "handles, hashtags and domains in chat.yaml, or give it a slot in the agenda: a moderator's post such as "
            f"'Tonight's chat is sponsored by {sponsor.name}'.")


def _upper_bound_note(impressions: Range, value: Range, roi: Range, cpm: float) -> str:
    if impressions.mid is None:
        return "The whole chat's audience is unknown (reach unavailable), so there is no upper bound either."
    roi_text = f", ROI {fmt_roi(roi.mid)}" if roi.mid is not None else ""
    return (f"Whole-chat audience ({UPPER_BOUND_LABEL}): {fmt_int(impressions.mid)} impressions in the sponsored "
            f"sessions, worth {fmt_money(value.mid)} at a benchmark CPM of {fmt_money(cpm)}{roi_text}. It is not "
            "evidence that the sponsor was seen.")


class _Figures(_Model):
    """The attributable figures the verdict reads."""

    cost: float
    impressions: Range
    value: Range
    roi: Range
    cpm: Range
    break_even: float | None
    measured: bool
    benchmark_cpm: float


def _verdict(
    f: _Figures, rates: ExposureRates, objectives: list[ObjectiveResult], *, no_evidence: str | None,
    upper_note: str,
) -> tuple[Verdict, list[str]]:
    reasons: list[str] = []
    missed = [o for o in objectives if o.available and not o.met]
    unmeasured = [o for o in objectives if not o.available]
    objectives_ok = not missed and not unmeasured
    cost, value, roi = f.cost, f.value, f.roi
    verdict: Verdict
    if no_evidence is not None:
        # however low the cost: a sponsorship nobody can be shown to have seen earns no positive verdict
        return NO_EVIDENCE, [no_evidence, upper_note]
    if cost == 0:
        reasons.append("The sponsorship cost nothing (cost 0), so ROI is undefined and there is nothing to lose.")
        verdict = "worthwhile" if objectives_ok else "unclear"
    elif value.mid is None:
        reasons.append("Reach is unavailable, so the value of the exposure (and the ROI) cannot be estimated.")
        verdict = "unclear"
    elif f.measured:
        pays = roi.mid is not None and roi.mid >= 0
        reasons.append(
            f"The attributable impressions are measured views: {fmt_int(f.impressions.mid)}, worth "
            f"{fmt_money(value.mid)} at a benchmark CPM of {fmt_money(f.benchmark_cpm)}, against a cost of "
            f"{fmt_money(cost)}: ROI {fmt_roi(roi.mid)}. The CPM paid is {fmt_money(f.cpm.mid)}, so the "
            f"sponsorship {'pays back' if pays else 'would pay back only'} at a benchmark CPM of "
            f"{fmt_money(f.cpm.mid)} or more.")
        verdict = ("worthwhile" if objectives_ok else "unclear") if pays else "not worthwhile"
    elif roi.high is not None and roi.high < 0:
        reasons.append(
            f"Even at the high exposure rate ({fmt_pct(rates.high)}) the value ({fmt_money(value.high)}) stays below "
            f"the cost ({fmt_money(cost)}): ROI {fmt_roi(roi.high)}."
        )
        verdict = "not worthwhile"
    elif roi.low is not None and roi.low >= 0:
        reasons.append(
            f"Already at the low exposure rate ({fmt_pct(rates.low)}) the value ({fmt_money(value.low)}) covers the "
            f"cost ({fmt_money(cost)}): ROI {fmt_roi(roi.low)}."
        )
        verdict = "worthwhile" if objectives_ok else "unclear"
    else:
        spans = (f"The ROI range spans break-even: {fmt_roi(roi.low)} at {fmt_pct(rates.low)} exposure, "
                 f"{fmt_roi(roi.mid)} at {fmt_pct(rates.mid)}, {fmt_roi(roi.high)} at {fmt_pct(rates.high)}.")
        if f.break_even is not None:
            spans += f" Value equals cost at an exposure rate of {fmt_pct(f.break_even)}."
        reasons.append(spans)
        verdict = "unclear"
    if f.break_even is not None and f.break_even > 1:
        reasons.append(f"Breaking even would need an exposure rate of {fmt_pct(f.break_even)}, above 100%: not "
                       "reachable with this audience at this benchmark CPM.")
    if cost > 0 and value.mid is not None and verdict != "not worthwhile" and roi.mid is not None and not f.measured:
        reasons.append(f"At the mid exposure rate ({fmt_pct(rates.mid)}): value {fmt_money(value.mid)} against cost "
                       f"{fmt_money(cost)}, ROI {fmt_roi(roi.mid)}.")
    reasons.append(upper_note)
    if not objectives:
        reasons.append("No sponsor objectives are configured, so the verdict rests on ROI alone.")
    reasons.extend(objective_sentence(o) for o in objectives)
    if verdict == "unclear" and (missed or unmeasured) and (cost == 0 or (roi.low is not None and roi.low >= 0)):
        reasons.append("It pays back, but not every objective is met and measurable, so the verdict is unclear.")
    return verdict, reasons


def _assumptions(
    sponsor: Sponsor, costs: CostBreakdown, rates: ExposureRates, reach_note: str, value_note: str, upper_note: str,
    no_reach: list[str], sessions_in_data: int, measured: bool,
) -> list[str]:
    c = sponsor.costs
    per = (f", × {costs.sessions} session{'s' if costs.sessions != 1 else ''} (costs are per session)"
           if costs.per == "session" else " (costs are for the whole sponsorship)")
    rates_item = (
        "The attributable impressions are measured (platform view counts), so no exposure rate is assumed for them."
        if measured else
        f"Exposure rates (the share of potential impressions really seen): {fmt_pct(rates.low)} low, "
        f"{fmt_pct(rates.mid)} mid, {fmt_pct(rates.high)} high (TweetReach found real impressions to be 1-20% of "
        "potential).")
    items = [
        f"Cost = fee + staff hours × hourly rate + other costs = {fmt_money(c.fee)} + {c.staff_hours:g} × "
        f"{fmt_money(c.hourly_rate)} + {fmt_money(c.other)} = {fmt_money(c.total)}{per} = {fmt_money(costs.total)}.",
        reach_note,
        rates_item,
        value_note,
        upper_note,
        f"Value = attributable impressions ÷ 1,000 × a benchmark CPM of {fmt_money(sponsor.benchmark_cpm)} (what "
        "1,000 advertising impressions would otherwise cost).",
        "CPM = cost ÷ attributable impressions × 1,000; ROI = (value - cost) ÷ cost; the break-even exposure rate is "
        "the rate at which value = cost.",
        "Engaged participants (people other than the sponsor who mentioned, replied to, reposted or quoted it) are "
        "counted per session and summed: a person who engaged in two sessions counts twice.",
        "Share of voice = messages by or about the sponsor ÷ all messages, counting original messages only (a repost "
        "is not a new voice).",
    ]
    if no_reach:
        items.append(f"{len(no_reach)} of {sessions_in_data} sponsored sessions have no reach data "
                     f"({', '.join(no_reach)}) and add nothing to the impressions, so they are a lower bound.")
    if costs.sessions > sessions_in_data:
        items.append(f"The sponsorship covers {costs.sessions} session{'s' if costs.sessions != 1 else ''}, "
                     f"{sessions_in_data} of which {'has' if sessions_in_data == 1 else 'have'} messages in the data.")
    return [item for item in items if item]
