"""Number formats shared by every output: cards, verdict reasons, dashboard, figures and every report format.

One function per kind of figure, so a number shown in two places reads the same in both: counts (:func:`fmt_int`),
plain numbers (:func:`fmt_num`), shares as percentages (:func:`fmt_pct`) and money (:func:`fmt_money`). Rounding is
half away from zero on the decimal the number prints as, so 702.5 is '$703' everywhere (Python's ``format`` rounds
half to even and would print 702).

The module has no dependencies, so the analysis (``moderator_kit.value``), the figures and the reports can all use it.

Examples
--------
>>> fmt_int(12345), fmt_pct(0.125), fmt_money(702.5), fmt_pct(0.969, signed=True)
('12,345', '12.5%', '$703', '+96.9%')
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

__all__ = ["CURRENCY", "fmt_int", "fmt_num", "fmt_pct", "fmt_score", "score_value", "fmt_money", "fmt_roi",
           "fmt_metric"]

#: The currency symbol of money figures. The chat config names no currency, so every output uses this one.
CURRENCY = "$"


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _half_up(value: float, digits: int = 0) -> Decimal:
    """Round half away from zero, on the decimal the number prints as (so 2.675 → 2.68, 12.5 → 13)."""
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def fmt_int(value: float | None, *, missing: str = "n/a") -> str:
    """A count with thousands separators (rounded); ``missing`` for None or NaN.

    >>> fmt_int(1234567), fmt_int(12.5), fmt_int(None)
    ('1,234,567', '13', 'n/a')
    """
    if _missing(value):
        return missing
    return f"{_half_up(value):,}"


def fmt_num(value: float | None, digits: int = 1, *, missing: str = "n/a") -> str:
    """A number with up to ``digits`` decimals and thousands separators (trailing zeros dropped).

    >>> fmt_num(1234.56), fmt_num(3.0), fmt_num(0.125, 2), fmt_num(None)
    ('1,234.6', '3', '0.13', 'n/a')
    """
    if _missing(value):
        return missing
    text = f"{_half_up(value, digits):,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fmt_pct(value: float | None, digits: int = 1, *, signed: bool = False, missing: str = "n/a") -> str:
    """A share (0.125) as a percentage ('12.5%'); ``signed`` adds '+' to positive values (for ROI).

    >>> fmt_pct(0.125), fmt_pct(0.5), fmt_pct(-0.4, signed=True), fmt_pct(1.5, 0, signed=True), fmt_pct(None)
    ('12.5%', '50%', '-40%', '+150%', 'n/a')
    """
    if _missing(value):
        return missing
    text = fmt_num(value * 100, digits)
    if signed and text != "0" and not text.startswith("-"):
        text = "+" + text
    return text + "%"


def fmt_money(value: float | None, symbol: str = CURRENCY, *, missing: str = "n/a") -> str:
    """An amount of money: whole units from 100 up, cents below (unless whole); the sign before the symbol.

    The chat config names no currency, so ``symbol`` defaults to '$'; pass another (or '') to match the sponsor's.

    >>> fmt_money(1234.5), fmt_money(12.5), fmt_money(40), fmt_money(-50), fmt_money(9.99, "€"), fmt_money(None)
    ('$1,235', '$12.50', '$40', '-$50', '€9.99', 'n/a')
    >>> fmt_money(99.996), fmt_money(0.004)
    ('$100', '$0')
    """
    if _missing(value):
        return missing
    sign = "-" if value < 0 else ""
    cents = _half_up(abs(value), 2)
    if cents >= 100 or cents == cents.to_integral_value():
        body = f"{_half_up(abs(value)):,}"
    else:
        body = f"{cents:,.2f}"
    return f"{sign}{symbol}{body}"


def fmt_score(value: float | None, *, missing: str = "n/a") -> str:
    """A 0-100 score (the herding score) as every view shows it: whole points, rounded half up.

    The KPI card, the objective card, the gauge and the trend all use it, so 86.5 reads 87 everywhere.

    >>> fmt_score(86.5), fmt_score(86.49), fmt_score(None)
    ('87', '86', 'n/a')
    """
    return fmt_num(value, 0, missing=missing)


def score_value(value: float) -> float:
    """The number :func:`fmt_score` shows, as a float (for a chart that draws and prints it itself).

    >>> score_value(86.5)
    87.0
    """
    return float(_half_up(value))


def fmt_roi(value: float | None, *, missing: str = "n/a") -> str:
    """A return on investment (0.97) as a signed percentage ('+97%'): the one ROI format of every output.

    >>> fmt_roi(0.9698), fmt_roi(-0.7727), fmt_roi(0), fmt_roi(None)
    ('+97%', '-77.3%', '0%', 'n/a')
    """
    return fmt_pct(value, signed=True, missing=missing)


#: KPI metrics shown as money, and the prefixes and suffixes of those shown as percentages.
_MONEY_METRICS = ("cost", "benchmark_cpm", "value_mid", "value_low", "value_high", "cost_per_mention",
                  "cost_per_engaged_participant")
_PCT_METRICS = ("pace_adherence", "break_even_exposure_rate")


def fmt_metric(metric: str, value: float | None, *, missing: str = "n/a") -> str:
    """A KPI value in its unit: ROI signed %, shares %, money with the symbol, impressions as counts.

    The KPI names are those of ``moderator_kit.value.objectives.KPI_METRICS`` and of the KPI table; the verdict
    reasons, the dashboard and the reports all format objectives with this function.

    >>> fmt_metric("returning_share", 0.741), fmt_metric("roi_mid", 0.97), fmt_metric("cost", 702.5)
    ('74.1%', '+97%', '$703')
    >>> fmt_metric("share_of_voice", 0.048064), fmt_metric("active_participants", 28.25), fmt_metric("x", None)
    ('4.8%', '28.3', 'n/a')
    """
    if _missing(value):
        return missing
    if metric.startswith("roi_"):
        return fmt_roi(value)
    if metric.endswith("_share") or metric.startswith("share_") or metric in _PCT_METRICS:
        return fmt_pct(value)
    if metric in _MONEY_METRICS or metric.startswith("cpm"):
        return fmt_money(value)
    if metric == "herding_score":
        return fmt_score(value)
    if "impressions" in metric or metric in ("potential_impressions", "unique_reach"):
        return fmt_int(value)
    return fmt_num(value)
