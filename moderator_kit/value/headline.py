"""The sponsor's headline figures, formatted once for every output: dashboard cards, reports (HTML, PDF, XLSX, CSV).

A figure shown in two places comes from :func:`sponsor_headline`: same label, same value, same rounding. The
attributable figures (messages by or about the sponsor) are the headline; the whole chat's audience is in the
detail line, labelled as the upper bound it is. When the impressions are measured views, a figure is one number
(never a low / mid / high range that cannot vary).

Examples
--------
>>> import polars as pl
>>> from moderator_kit.config import Costs, ExposureRates, Sponsor
>>> from moderator_kit.value.roi import sponsor_value
>>> exposure = pl.DataFrame({"session_id": ["s1"], "messages": [10], "originals": [8], "mentions": [4],
...     "related_messages": [4], "related_measured_impressions": [30_000.0], "related_exposure_base": [0.0]})
>>> reach = pl.DataFrame({"session_id": ["s1"], "reach_basis": ["views"], "potential_impressions": [9_000],
...     "measured_impressions": [50_000.0], "exposure_base": [0.0], "basis_note": ["views"]})
>>> sv = sponsor_value(exposure, reach, Sponsor(name="Acme", costs=Costs(fee=702.5), benchmark_cpm=20),
...                    ExposureRates(), 1)
>>> figures = {f.key: f for f in sponsor_headline(sv)}
>>> figures["cost"].display, figures["impressions"].display, figures["roi"].display, figures["verdict"].display
('$703', '30,000', '-14.6%', 'Not worthwhile')
>>> figures["impressions"].detail
'measured views · whole chat: 50,000 (upper bound, if every participant saw the sponsorship)'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from moderator_kit.formats import fmt_int, fmt_money, fmt_pct, fmt_roi
from moderator_kit.value.roi import NO_EVIDENCE, UPPER_BOUND_LABEL, Range, SponsorValue

__all__ = ["HeadlineFigure", "VERDICT_LABELS", "HEADLINE_KEYS", "sponsor_headline", "verdict_label", "range_text"]

#: How each verdict reads, wherever it is shown.
VERDICT_LABELS = {
    "worthwhile": "Worthwhile",
    "not worthwhile": "Not worthwhile",
    "unclear": "Unclear",
    NO_EVIDENCE: "No evidence of exposure",
}

#: The keys of :func:`sponsor_headline`, in display order.
HEADLINE_KEYS = ("verdict", "roi", "cost", "value", "impressions", "cpm", "break_even", "mentions", "engaged",
                 "share_of_voice")


@dataclass(frozen=True)
class HeadlineFigure:
    """One headline figure: machine key, label, raw value, formatted value, and a detail line."""

    key: str
    label: str
    value: float | None
    display: str
    detail: str = ""


def verdict_label(verdict: str) -> str:
    """'no evidence of exposure' → 'No evidence of exposure'.

    >>> verdict_label("worthwhile"), verdict_label("unclear")
    ('Worthwhile', 'Unclear')
    """
    return VERDICT_LABELS.get(verdict, verdict.capitalize())


def range_text(values: Range, fmt: Callable[[float | None], str], measured: bool = False) -> str:
    """'low to high (low – high exposure)', or '' when the three figures cannot differ.

    >>> range_text(Range(low=1000, mid=5000, high=20000), fmt_int)
    '1,000 to 20,000 (low – high exposure)'
    >>> range_text(Range(low=5, mid=5, high=5), fmt_int, measured=True)
    ''
    """
    if measured or values.low is None or values.high is None or values.low == values.high:
        return ""
    return f"{fmt(values.low)} to {fmt(values.high)} (low – high exposure)"


def _with(*parts: str) -> str:
    return " · ".join(p for p in parts if p)


def sponsor_headline(sponsor_value: SponsorValue | Mapping[str, Any]) -> tuple[HeadlineFigure, ...]:
    """The headline figures of a sponsorship (see :data:`HEADLINE_KEYS`), formatted with the project's formats.

    ``break_even`` is left out when the impressions are measured: no exposure rate moves them, and the break-even
    benchmark CPM is the CPM itself (its detail says so).
    """
    sv = (sponsor_value if isinstance(sponsor_value, SponsorValue)
          else SponsorValue.model_validate(dict(sponsor_value)))
    measured = sv.impressions_measured
    basis = "measured views" if measured else ""
    upper = (f"whole chat: {fmt_int(sv.chat_impressions.mid)} ({UPPER_BOUND_LABEL})"
             if sv.chat_impressions.mid is not None else "")
    upper_roi = (f"whole chat: {fmt_roi(sv.chat_roi.mid)} ({UPPER_BOUND_LABEL})"
                 if sv.chat_roi.mid is not None else "")
    no_figure = sv.unavailable.get("impressions", "")
    # measured views: no exposure rate breaks even, and the break-even benchmark CPM is the CPM paid (one card)
    break_even = () if measured else (HeadlineFigure(
        "break_even", "Break-even exposure", sv.break_even_exposure_rate, fmt_pct(sv.break_even_exposure_rate),
        sv.unavailable.get("break_even_exposure_rate")
        or "share of potential impressions that must be seen to cover the cost"),)
    per_session = sv.costs.per_session
    return (
        HeadlineFigure("verdict", "Verdict", None, verdict_label(sv.verdict),
                       no_figure if sv.verdict == NO_EVIDENCE else ""),
        HeadlineFigure("roi", "ROI", sv.roi.mid, fmt_roi(sv.roi.mid),
                       _with(range_text(sv.roi, fmt_roi, measured), basis, upper_roi,
                             sv.unavailable.get("roi", "") if sv.roi.mid is None else "")),
        HeadlineFigure("cost", "Cost", sv.cost, fmt_money(sv.cost),
                       f"{fmt_money(per_session)} per session" if per_session is not None else ""),
        HeadlineFigure("value", "Value", sv.value.mid, fmt_money(sv.value.mid),
                       _with(range_text(sv.value, fmt_money, measured),
                             f"at a benchmark CPM of {fmt_money(sv.benchmark_cpm)}")),
        HeadlineFigure("impressions", "Impressions by or about the sponsor", sv.impressions.mid,
                       fmt_int(sv.impressions.mid), _with(range_text(sv.impressions, fmt_int, measured), basis, upper)),
        HeadlineFigure("cpm", "CPM", sv.cpm.mid, fmt_money(sv.cpm.mid),
                       _with(range_text(sv.cpm, fmt_money, measured), "cost per 1,000 attributable impressions",
                             "it pays back at a benchmark CPM from this up" if measured else "")),
        *break_even,
        HeadlineFigure("mentions", "Mentions", sv.mentions, fmt_int(sv.mentions),
                       f"by {fmt_int(sv.mentioning_people)} people (per session, summed)"
                       if sv.mentioning_people is not None else sv.unavailable.get("mentions", "")),
        HeadlineFigure("engaged", "Engaged participants", sv.engaged_participants, fmt_int(sv.engaged_participants),
                       f"{fmt_money(sv.cost_per_engaged_participant)} per engaged participant"
                       if sv.cost_per_engaged_participant is not None else ""),
        HeadlineFigure("share_of_voice", "Share of voice", sv.share_of_voice, fmt_pct(sv.share_of_voice),
                       "original messages by or about the sponsor ÷ all original messages"),
    )
