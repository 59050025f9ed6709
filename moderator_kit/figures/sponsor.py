"""Sponsor figures: ROI ranges, the sensitivity of ROI to the assumptions, the audience mix, the trend over the
sponsored sessions and the cost breakdown.

They draw a :class:`~moderator_kit.value.SponsorValue` (or its JSON form from the snapshot,
``model_dump(mode="json")``) and the :func:`~moderator_kit.value.audience_mix` frame; they compute no figure.
Money is shown with ``currency`` (default '$': the chat config names no currency).

Examples
--------
>>> import polars as pl
>>> from moderator_kit.config import Costs, ExposureRates, Sponsor
>>> from moderator_kit.value import sponsor_value
>>> exposure = pl.DataFrame({"session_id": ["s1"], "messages": [10], "originals": [8], "mentions": [4],
...     "related_messages": [4], "related_originals": [2], "engaged_participants": [4],
...     "related_measured_impressions": [0.0], "related_exposure_base": [100_000.0]})
>>> reach = pl.DataFrame({"session_id": ["s1"], "reach_basis": ["followers"], "potential_impressions": [100_000],
...     "measured_impressions": [0.0], "exposure_base": [100_000.0], "basis_note": ["followers"]})
>>> sv = sponsor_value(exposure, reach, Sponsor(name="Acme", costs=Costs(fee=50), benchmark_cpm=20),
...                    ExposureRates(), 1)
>>> list(roi_range_chart(sv).data[0].y)
[-0.6, 1.0, 7.0]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import plotly.graph_objects as go
import polars as pl

from moderator_kit.figures.theme import (
    DEFAULT_HEIGHT,
    MUTED_COLOR,
    NEGATIVE_COLOR,
    POSITIVE_COLOR,
    QUESTION_COLORS,
    ROLE_ORDER,
    eager,
    empty_figure,
    esc,
    esc_expr,
    fmt_int,
    legend_above,
    fmt_money,
    fmt_pct,
    new_figure,
    role_color,
    role_label,
    session_axis,
)
from moderator_kit.formats import fmt_roi
from moderator_kit.value.roi import NO_EVIDENCE, SponsorValue

__all__ = ["roi_range_chart", "sensitivity_chart", "audience_mix_chart", "sponsor_trend_chart",
           "cost_breakdown_chart"]


def _value(sponsor_value: SponsorValue | Mapping[str, Any]) -> SponsorValue:
    if isinstance(sponsor_value, SponsorValue):
        return sponsor_value
    return SponsorValue.model_validate(dict(sponsor_value))


def _reason(sv: SponsorValue, *keys: str, default: str) -> str:
    for key in keys:
        if sv.unavailable.get(key):
            return esc(sv.unavailable[key])
    return default


def _wrap(text: str, width: int = 90) -> str:
    """Break a long (already escaped) sentence into lines for an annotation."""
    words, lines, line = text.split(" "), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "<br>".join(lines)


def _scenarios(sv: SponsorValue) -> list[tuple[str, str]]:
    """(level, x label) of the ROI chart: low / mid / high, or the one measured figure."""
    if sv.impressions_measured:
        return [("mid", "Measured views")]
    # two lines per tick, so the three labels fit a narrow chart side by side
    return [(lvl, f"{lvl.capitalize()}<br>{fmt_pct(getattr(sv.exposure_rates, lvl))} seen")
            for lvl in ("low", "mid", "high")]


def roi_range_chart(sponsor_value: SponsorValue | Mapping[str, Any], *, currency: str = "$",
                    title: str | None = None, height: int = 400) -> go.Figure:
    """ROI of the attributable impressions as bars (red below break-even, green above), break-even at 0.

    One bar per exposure-rate scenario (low, mid, high); a single bar when the impressions are measured views (no
    exposure rate changes them, so three bars would only repeat one figure). The whole chat's ROI, the upper bound
    if every participant saw the sponsorship, is drawn beside each bar as an outlined marker.

    Returns
    -------
    plotly.graph_objects.Figure
        Trace 0 (bars): x = 'Low<br>1% seen'… or 'Measured views', y = ROI as a fraction (axis in %); trace 1
        (markers): the upper bound; a horizontal 'break-even' line at 0.
    """
    currency = esc(currency)  # shown in text, so escaped like any other input
    sv = _value(sponsor_value)
    heading = title or f"Return on investment — {esc(sv.sponsor)}"
    scenarios = _scenarios(sv)
    rois = [getattr(sv.roi, lvl) for lvl, _ in scenarios]
    if all(r is None for r in rois):
        hint = "" if sv.verdict == NO_EVIDENCE else " Add costs, follower counts or audience_members in chat.yaml."
        return empty_figure(heading, _wrap(_reason(sv, "roi", "impressions", default="ROI cannot be estimated.")
                                           + hint), height=height)
    values = [getattr(sv.value, lvl) for lvl, _ in scenarios]
    labels = [label for _, label in scenarios]
    y = [r if r is not None else 0.0 for r in rois]
    subtitle = f"Cost {fmt_money(sv.cost, currency)} · value at {fmt_money(sv.benchmark_cpm, currency)} CPM"
    if sv.impressions_measured:
        subtitle += " · measured views: no exposure rate is assumed"
    elif sv.break_even_exposure_rate is not None:
        subtitle += f" · break-even at {fmt_pct(sv.break_even_exposure_rate)} of potential impressions seen"
    x_title = ("Impressions of the messages by or about the sponsor" if sv.impressions_measured
               else "Share of potential impressions seen")
    fig = new_figure(heading, x_title=x_title, y_title="ROI (%)", subtitle=subtitle, height=height)
    fig.add_trace(go.Bar(
        x=labels, y=y, name="ROI (attributable)", width=0.55,
        marker_color=[MUTED_COLOR if r is None else (POSITIVE_COLOR if r >= 0 else NEGATIVE_COLOR) for r in rois],
        text=[fmt_roi(r) for r in rois], textposition="outside", cliponaxis=False,
        customdata=[[fmt_money(v, currency), fmt_int(getattr(sv.impressions, lvl))] for v, (lvl, _) in
                    zip(values, scenarios)],
        hovertemplate="%{x}: ROI %{text}<br>value %{customdata[0]} from %{customdata[1]} impressions of messages "
                      "by or about the sponsor<extra></extra>",
    ))
    upper = [getattr(sv.chat_roi, lvl) for lvl, _ in scenarios]
    if any(u is not None for u in upper):
        fig.add_trace(go.Scatter(
            x=labels, y=upper, name="Upper bound: if every participant saw it", mode="markers",
            marker=dict(symbol="diamond-open", size=13, color="#1f2933", line=dict(width=2)),
            text=[fmt_roi(u) for u in upper],
            hovertemplate="%{x}: ROI %{text} if every participant saw the sponsorship (upper bound)<extra></extra>",
        ))
    fig.add_hline(y=0, line=dict(color="#1f2933", width=1.5), name="break-even",
                  annotation_text="break-even", annotation_position="top left",
                  annotation_font=dict(size=11, color=MUTED_COLOR))
    fig.update_yaxes(tickformat=".0%", zeroline=False)
    fig.update_layout(showlegend=True, meta={"verdict": sv.verdict})
    # two long legend names: beside the plot they squeezed a half-width chart until its ticks overlapped
    return legend_above(fig, rows=2)


def sensitivity_chart(sponsor_value: SponsorValue | Mapping[str, Any], *, currency: str = "$",
                      title: str | None = None, height: int = 420) -> go.Figure:
    """ROI over exposure rate × benchmark CPM as a heat map, on a diverging colour scale centred at 0.

    Red cells lose money, green cells make it, and white is exactly break-even (ROI 0) wherever 0 falls in the
    range (so a small loss still shows red next to a large gain); each cell is labelled with its ROI. The
    configured scenario (mid exposure rate, the sponsor's benchmark CPM) is outlined.

    When the impressions are measured views only the benchmark CPM varies (the grid's ``exposure_rate`` is None):
    the chart is then ROI against the benchmark CPM, as bars, with the configured CPM outlined.

    >>> fig = sensitivity_chart(_example(fee=50))
    >>> fig.data[0].z.shape, list(fig.layout.xaxis.ticktext)
    ((5, 6), ['1%', '2%', '5%', '10%', '20%', '30%'])
    """
    currency = esc(currency)  # shown in text, so escaped like any other input
    sv = _value(sponsor_value)
    heading = title or f"ROI sensitivity — {esc(sv.sponsor)}"
    grid = pl.DataFrame([p.model_dump() for p in sv.sensitivity],
                        schema={"exposure_rate": pl.Float64, "benchmark_cpm": pl.Float64,
                                "impressions": pl.Float64, "value": pl.Float64, "roi": pl.Float64})
    if grid.height == 0 or grid["roi"].drop_nulls().len() == 0:
        return empty_figure(heading, _wrap(_reason(sv, "roi", "impressions", default="No sensitivity grid.")),
                            height=height)
    if grid["exposure_rate"].null_count() == grid.height:
        return _cpm_sensitivity(sv, grid.sort("benchmark_cpm"), heading, currency, height)
    rates = sorted(grid["exposure_rate"].unique().to_list())
    cpms = sorted(grid["benchmark_cpm"].unique().to_list())
    # the cells read as the ROI card and bars do (fmt_roi): the mid cell is the same figure; a grid of a few dozen
    # cells, so formatting each in Python costs nothing
    grid = grid.with_columns(text=pl.Series([fmt_roi(r) if r is not None else "" for r in grid["roi"]],
                                            dtype=pl.String))
    wide = {name: grid.pivot(on="exposure_rate", index="benchmark_cpm", values=name, sort_columns=True)
            .sort("benchmark_cpm") for name in ("roi", "text", "value")}
    rate_columns = [c for c in wide["roi"].columns if c != "benchmark_cpm"]
    rate_columns = sorted(rate_columns, key=float)
    z = wide["roi"].select(rate_columns).to_numpy()
    text = wide["text"].select(rate_columns).fill_null("").to_numpy()
    value = wide["value"].select(rate_columns).to_numpy()
    x_labels = [fmt_pct(r) for r in rates]
    y_labels = [fmt_money(c, currency) for c in cpms]
    custom = np.dstack([
        value.astype(object),
        np.broadcast_to(np.array(x_labels, dtype=object)[None, :], value.shape),
        np.broadcast_to(np.array(y_labels, dtype=object)[:, None], value.shape),
    ])
    fig = new_figure(heading, x_title="Exposure rate (share of potential impressions really seen)",
                     y_title=f"Benchmark CPM ({currency or 'money'} per 1,000 impressions)",
                     subtitle="Red: the sponsorship loses money · green: it pays back · outlined: the configured "
                              "mid scenario", height=height)
    lo, hi = min(float(np.nanmin(z)), 0.0), max(float(np.nanmax(z)), 0.0)
    fig.add_trace(go.Heatmap(
        z=z, x=list(range(len(rates))), y=list(range(len(cpms))), text=text, texttemplate="%{text}",
        customdata=custom, zmin=lo, zmax=hi, colorscale=_diverging(lo, hi),
        xgap=2, ygap=2, name="ROI", hoverongaps=False,
        colorbar=dict(title=dict(text="ROI", side="right"), tickformat=".0%"),
        hovertemplate=("exposure rate %{customdata[1]}, CPM %{customdata[2]}: ROI <b>%{text}</b>"
                       "<br>value %{meta}%{customdata[0]:,.0f}<extra></extra>"), meta=currency,
    ))
    # x and y are cell positions (the rates are not evenly spaced); the ticks carry the real rates and CPMs
    fig.update_xaxes(tickvals=list(range(len(rates))), ticktext=x_labels, showgrid=False)
    fig.update_yaxes(tickvals=list(range(len(cpms))), ticktext=y_labels, showgrid=False)
    mid, cpm = sv.exposure_rates.mid, sv.benchmark_cpm
    if mid in rates and cpm in cpms:
        i, j = rates.index(mid), cpms.index(cpm)
        fig.add_shape(type="rect", x0=i - 0.5, x1=i + 0.5, y0=j - 0.5, y1=j + 0.5, name="configured scenario",
                      line=dict(color="#1f2933", width=2.5))
    return fig


def _cpm_sensitivity(sv: SponsorValue, grid: pl.DataFrame, heading: str, currency: str, height: int) -> go.Figure:
    """ROI against the benchmark CPM alone (measured impressions: the one assumption that still varies)."""
    cpms = grid["benchmark_cpm"].to_list()
    rois = grid["roi"].to_list()
    labels = [fmt_money(c, currency) for c in cpms]
    fig = new_figure(heading, x_title=f"Benchmark CPM ({currency or 'money'} per 1,000 impressions)",
                     y_title="ROI (%)", height=height,
                     subtitle="Measured views: only the benchmark CPM varies · outlined: the configured CPM")
    fig.add_trace(go.Bar(
        x=labels, y=[r if r is not None else 0.0 for r in rois], name="ROI", width=0.6,
        marker=dict(color=[MUTED_COLOR if r is None else (POSITIVE_COLOR if r >= 0 else NEGATIVE_COLOR)
                           for r in rois],
                    line=dict(color=["#1f2933" if c == sv.benchmark_cpm else "rgba(0,0,0,0)" for c in cpms],
                              width=2.5)),
        text=[fmt_roi(r) for r in rois], textposition="outside", cliponaxis=False,
        customdata=[fmt_money(v, currency) for v in grid["value"].to_list()],
        hovertemplate="CPM %{x}: ROI %{text}<br>value %{customdata}<extra></extra>",
    ))
    fig.add_hline(y=0, line=dict(color="#1f2933", width=1.5), name="break-even")
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=labels)
    fig.update_yaxes(tickformat=".0%", zeroline=False)
    fig.update_layout(showlegend=False)
    return fig


def _diverging(lo: float, hi: float) -> list[list]:
    """Red below 0, white at exactly 0, green above, over [lo, hi] (0 need not be the middle).

    >>> _diverging(-1.0, 3.0)
    [[0.0, '#d1495b'], [0.25, '#f7f7f7'], [1.0, '#2a9d68']]
    """
    white = "#f7f7f7"
    if hi <= lo:
        return [[0.0, white], [1.0, white]]
    zero = (0.0 - lo) / (hi - lo)
    if zero <= 0:
        return [[0.0, white], [1.0, POSITIVE_COLOR]]
    if zero >= 1:
        return [[0.0, NEGATIVE_COLOR], [1.0, white]]
    return [[0.0, NEGATIVE_COLOR], [zero, white], [1.0, POSITIVE_COLOR]]


def audience_mix_chart(audience_mix: pl.DataFrame | pl.LazyFrame, *, session_id: str | None = None,
                       title: str = "Who engaged with the sponsor", height: int | None = None) -> go.Figure:
    """The roles of the people who engaged with the sponsor, as horizontal bars ('12 · 40%').

    Reads :func:`moderator_kit.value.audience_mix` ([session_id, role, participants, share]). ``session_id`` keeps
    one session; otherwise the whole-chat rows (``session_id`` null, from ``by_session=False``) are used when
    present, else the sessions are summed (a person then counts once per session they engaged in).

    >>> import polars as pl
    >>> mix = pl.DataFrame({"session_id": ["s1", "s1"], "role": ["advocate", "unknown"], "participants": [3, 1],
    ...                     "share": [0.75, 0.25]})
    >>> fig = audience_mix_chart(mix)
    >>> list(fig.data[0].y), list(fig.data[0].text)
    (['Advocate', 'Unknown'], ['3 · 75%', '1 · 25%'])
    """
    frame = eager(audience_mix)
    note = ""
    if frame is not None and "session_id" in frame.columns:
        if session_id is not None:
            frame = frame.filter(pl.col("session_id") == session_id)
        elif frame["session_id"].null_count() > 0:
            frame = frame.filter(pl.col("session_id").is_null())
        elif frame["session_id"].n_unique() > 1:
            note = "Summed over the sessions: a person counts once per session they engaged in"
    if frame is None or frame.height == 0 or int(frame["participants"].sum()) == 0:
        return empty_figure(title, "Nobody engaged with the sponsor here — check the sponsor's handles and "
                                   "hashtags in chat.yaml.", height=height or 320)
    known = {r: i for i, r in enumerate(ROLE_ORDER)}
    counts = (
        frame.group_by("role").agg(pl.col("participants").sum())
        .with_columns(share=pl.col("participants") / pl.col("participants").sum(),
                      _order=pl.col("role").replace_strict(known, default=len(known), return_dtype=pl.Int64))
        .sort(["participants", "_order", "role"], descending=[True, False, False])
        .with_columns(text=pl.format("{} · {}%", "participants", (pl.col("share") * 100).round(0).cast(pl.Int64)))
    )
    roles = counts["role"].to_list()
    height = height or max(280, 120 + 34 * len(roles))
    fig = new_figure(title, x_title="People who engaged (mentioned, replied to, reposted or quoted it)",
                     subtitle=note or "By their primary role in the session they engaged in", height=height)
    fig.add_trace(go.Bar(
        x=counts["participants"].to_numpy(), y=[role_label(r) for r in roles], orientation="h", name="People",
        marker_color=[role_color(r) for r in roles], text=counts["text"].to_list(), textposition="outside",
        cliponaxis=False, hovertemplate="%{y}: %{text}<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed", ticks="", showgrid=False)
    # room right of the longest bar for its "19 · 20%" label (autorange left it outside the chart)
    fig.update_xaxes(range=[0, float(counts["participants"].max()) * 1.4])
    fig.update_layout(showlegend=False)
    return fig


def sponsor_trend_chart(sponsor_value: SponsorValue | Mapping[str, Any], *, title: str | None = None,
                        height: int = DEFAULT_HEIGHT) -> go.Figure:
    """Mentions, engaged participants and the sponsor's own posts per sponsored session (bars), with the share of
    voice as a line on a second axis.

    Reads ``SponsorValue.trend`` (one :class:`~moderator_kit.value.SessionValue` per sponsored session).
    """
    sv = _value(sponsor_value)
    heading = title or f"Sponsor exposure per session — {esc(sv.sponsor)}"
    trend = pl.DataFrame([t.model_dump() for t in sv.trend], schema={
        "session_id": pl.String, "number": pl.Int64, "sponsor_mentions": pl.Int64, "share_of_voice": pl.Float64,
        "engaged_participants": pl.Int64, "sponsor_posts": pl.Int64, "estimated_impressions_mid": pl.Float64,
        "sponsor_impressions_mid": pl.Float64, "cost": pl.Float64, "value_mid": pl.Float64, "roi_mid": pl.Float64,
    })
    bars = (("sponsor_mentions", "Mentions"), ("engaged_participants", "Engaged people"),
            ("sponsor_posts", "Sponsor's own posts"))
    if trend.height == 0 or all(trend[c].drop_nulls().len() == 0 for c, _ in bars):
        return empty_figure(heading, _wrap(_reason(sv, "mentions", default="No sponsored session has messages.")
                                           + " Add the sponsor's handles or hashtags to chat.yaml."), height=height)
    trend = trend.sort("number", "session_id").with_columns(_x=esc_expr("session_id"))
    labels = trend["_x"].to_list()
    fig = new_figure(heading, x_title="Sponsored session", y_title="Messages or people", height=height)
    for i, (column, name) in enumerate(bars):
        if trend[column].drop_nulls().len() == 0:
            continue
        fig.add_trace(go.Bar(x=labels, y=trend[column].to_numpy(), name=name, marker_color=QUESTION_COLORS[i],
                             hovertemplate=f"%{{x}}: %{{y}} {name.lower()}<extra></extra>"))
    if trend["share_of_voice"].drop_nulls().len():
        fig.add_trace(go.Scatter(
            x=labels, y=trend["share_of_voice"].to_numpy(), name="Share of voice", yaxis="y2",
            mode="lines+markers", line=dict(color="#1f2933", width=2),
            hovertemplate="%{x}: share of voice %{y:.1%}<extra></extra>",
        ))
        fig.update_layout(yaxis2=dict(title=dict(text="Share of voice (%)"), overlaying="y", side="right",
                                      tickformat=".0%", rangemode="tozero", showgrid=False))
    session_axis(fig, labels)  # short dates, spaced so they never overlap (shared with the trends)
    fig.update_yaxes(rangemode="tozero", selector=dict(overlaying=None))
    fig.update_layout(barmode="group", hovermode="x unified")
    return fig


def cost_breakdown_chart(sponsor_value: SponsorValue | Mapping[str, Any], *, currency: str = "$",
                         title: str | None = None, height: int = 380) -> go.Figure:
    """What the sponsorship cost: fee, staff time and other costs adding up to the total (a waterfall).

    >>> fig = cost_breakdown_chart(_example(fee=500, staff_hours=4, hourly_rate=50))
    >>> list(fig.data[0].x), fig.data[0].y, list(fig.data[0].text)
    (['Fee', 'Staff time', 'Other', 'Total'], (500.0, 200.0, 0.0, 700.0), ['$500', '$200', '$0', '$700'])
    """
    currency = esc(currency)  # shown in text, so escaped like any other input
    sv = _value(sponsor_value)
    c = sv.costs
    heading = title or f"What the sponsorship cost — {esc(sv.sponsor)}"
    if c.total == 0:
        return empty_figure(heading, "The sponsorship cost nothing — add its costs (fee, staff_hours, hourly_rate, "
                                     "other)<br>to the sponsor in chat.yaml.", height=height)
    per = (f"per session × {c.sessions} session{'s' if c.sessions != 1 else ''}" if c.per == "session"
           else "for the whole sponsorship")
    staff = f"{c.staff_hours:g} h × {fmt_money(c.hourly_rate, currency)}"
    fig = new_figure(heading, y_title=f"Cost ({currency or 'money'})", height=height,
                     subtitle=f"Fee + staff hours × hourly rate + other, {per}")
    amounts = [c.fee, c.staff_cost, c.other, c.total]
    fig.add_trace(go.Waterfall(
        x=["Fee", "Staff time", "Other", "Total"], y=amounts, measure=["relative", "relative", "relative", "total"],
        text=[fmt_money(a, currency) for a in amounts], textposition="outside", cliponaxis=False, name="Cost",
        customdata=["fee", staff, "other costs", "total"],
        hovertemplate="%{x}: %{text} (%{customdata})<extra></extra>",
        connector=dict(line=dict(color="#9aa5b1", width=1)),
        increasing=dict(marker=dict(color="#0072b2")), totals=dict(marker=dict(color="#1d3f72")),
    ))
    fig.update_yaxes(rangemode="tozero", tickprefix=currency)
    fig.update_layout(showlegend=False)
    return fig


def _example(**costs: float) -> SponsorValue:
    """A real SponsorValue of one session for the doctests (100,000 potential impressions, benchmark CPM 20)."""
    from moderator_kit.config import Costs, ExposureRates, Sponsor
    from moderator_kit.value import sponsor_value

    exposure = pl.DataFrame({"session_id": ["s1"], "messages": [10], "originals": [8], "mentions": [4],
                             "related_messages": [4], "related_originals": [2], "engaged_participants": [4],
                             "related_measured_impressions": [0.0], "related_exposure_base": [100_000.0]})
    reach = pl.DataFrame({"session_id": ["s1"], "reach_basis": ["followers"], "potential_impressions": [100_000],
                          "measured_impressions": [0.0], "exposure_base": [100_000.0], "basis_note": ["followers"]})
    sponsor = Sponsor(name="Acme", costs=Costs(**(costs or {"fee": 50})), benchmark_cpm=20)
    return sponsor_value(exposure, reach, sponsor, ExposureRates(), 1)
