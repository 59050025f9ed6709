"""Trends across sessions: participants (new and returning), cohort retention, first-timer return, the herding
score and reach.

Each builder reads one analysis table and draws it session by session (x = session ids, in session order):

============================  =============================================================================
builder                       reads
============================  =============================================================================
:func:`participants_trend`    :func:`~moderator_kit.people.retention_by_session` (+ ``active_participants`` of
                              :func:`~moderator_kit.engagement.engagement_by_session`)
:func:`cohort_heatmap`        :func:`~moderator_kit.people.cohort_matrix`
:func:`first_timer_return_chart`  :func:`~moderator_kit.people.first_timer_return`
:func:`herding_trend`         :func:`~moderator_kit.flow.session_flow_metrics`
:func:`reach_trend`           :func:`~moderator_kit.value.reach_by_session`
============================  =============================================================================

Examples
--------
>>> import polars as pl
>>> retention = pl.DataFrame({"session_id": ["s1", "s2"], "number": [1, 2], "active": [2, 3], "new": [2, 1],
...                           "returning": [0, 2], "lapsed": [0, 0], "returning_share": [0.0, 0.67]})
>>> fig = participants_trend(None, retention)
>>> [t.name for t in fig.data], fig.data[1].y.tolist()
(['New', 'Returning'], [0, 2])
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import polars as pl

from moderator_kit.figures.theme import (
    DEFAULT_HEIGHT,
    MUTED_COLOR,
    POSITIVE_COLOR,
    eager,
    empty_figure,
    esc_expr,
    fmt_int,
    legend_above,
    new_figure,
    session_axis,
)

__all__ = ["participants_trend", "cohort_heatmap", "first_timer_return_chart", "herding_trend", "reach_trend"]

_NEW_COLOR = "#e69f00"
_RETURNING_COLOR = "#0072b2"


def _in_order(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows in session order (``number`` when present, else the id: ids are dates) with an escaped ``_x`` label."""
    frame = frame.filter(pl.col("session_id").is_not_null())
    frame = frame.sort("number", "session_id") if "number" in frame.columns else frame.sort("session_id")
    return frame.with_columns(_x=esc_expr("session_id"))


def _session_axis(fig: go.Figure, labels: list[str]) -> None:
    session_axis(fig, labels)


def participants_trend(engagement: pl.DataFrame | pl.LazyFrame | None, retention: pl.DataFrame | pl.LazyFrame,
                       *, title: str = "Participants per session", height: int = DEFAULT_HEIGHT) -> go.Figure:
    """New and returning participants per session (stacked bars), with active participants as a line.

    Parameters
    ----------
    engagement
        :func:`moderator_kit.engagement.engagement_by_session` (optional): its ``active_participants`` (people
        with an original message in the session) is drawn as a line.
    retention
        :func:`moderator_kit.people.retention_by_session`: ``new`` and ``returning`` (their sum is ``active``:
        originals in the chat or follow-up). The first session has no history, so everyone in it counts as new.

    Returns
    -------
    plotly.graph_objects.Figure
        Bars 'New' and 'Returning', then (with engagement) the line 'Active participants'.
    """
    frame = eager(retention)
    if frame is None or frame.height == 0:
        return empty_figure(title, "No sessions with participants yet — import an archive and run "
                                   "'moderator-kit analyze'.", height=height)
    frame = _in_order(frame)
    labels = frame["_x"].to_list()
    fig = new_figure(title, x_title="Session", y_title="People", height=height,
                     subtitle="Returning: active in an earlier session of the archive (the first session has no "
                              "history, so everyone in it counts as new)")
    custom = frame.select("active", "returning_share").to_numpy()
    for column, name, color in (("new", "New", _NEW_COLOR), ("returning", "Returning", _RETURNING_COLOR)):
        fig.add_trace(go.Bar(
            x=labels, y=frame[column].to_numpy(), name=name, marker_color=color, customdata=custom,
            hovertemplate=f"%{{x}}: %{{y}} {name.lower()} of %{{customdata[0]}} active"
                          "<br>returning share %{customdata[1]:.0%}<extra></extra>",
        ))
    eng = eager(engagement)
    if eng is not None and eng.height and "active_participants" in eng.columns:
        line = frame.select("session_id", "_x").join(eng.select("session_id", "active_participants"),
                                                      on="session_id", how="left", maintain_order="left")
        fig.add_trace(go.Scatter(
            x=labels, y=line["active_participants"].to_numpy(), name="Active participants", mode="lines+markers",
            line=dict(color="#1f2933", width=2), marker=dict(size=7),
            hovertemplate="%{x}: %{y} active participants<extra></extra>",
        ))
    _session_axis(fig, labels)
    fig.update_yaxes(rangemode="tozero")
    fig.update_layout(barmode="stack", hovermode="x unified")
    return fig


def cohort_heatmap(cohorts: pl.DataFrame | pl.LazyFrame, *, title: str = "Cohort retention",
                   height: int | None = None) -> go.Figure:
    """Cohort retention as a heat map: rows = the session people first came, columns = sessions later.

    Reads :func:`moderator_kit.people.cohort_matrix`. Cells show the share retained; hover adds the counts. Cells a
    cohort cannot have yet (later than the last session) stay empty.

    >>> import polars as pl
    >>> cohorts = pl.DataFrame({"cohort": ["s1", "s1", "s2"], "session_id": ["s1", "s2", "s2"],
    ...                         "sessions_since": [0, 1, 0], "retained": [4, 1, 2], "cohort_size": [4, 4, 2],
    ...                         "share": [1.0, 0.25, 1.0]})
    >>> fig = cohort_heatmap(cohorts)
    >>> list(fig.data[0].y), fig.data[0].z.tolist()
    (['s1', 's2'], [[1.0, 0.25], [1.0, nan]])
    """
    frame = eager(cohorts)
    if frame is None or frame.height == 0:
        return empty_figure(title, "No cohorts yet — retention needs sessions with participants.",
                            height=height or DEFAULT_HEIGHT)
    frame = frame.sort("cohort", "sessions_since").with_columns(
        _text=pl.format("{}%", (pl.col("share") * 100).round(0).cast(pl.Int64)))

    def grid(values: str) -> pl.DataFrame:
        wide = frame.pivot(on="sessions_since", index="cohort", values=values, sort_columns=True).sort("cohort")
        return wide.select("cohort", *sorted((c for c in wide.columns if c != "cohort"), key=int))

    share, retained, text = grid("share"), grid("retained"), grid("_text")
    steps = share.columns[1:]
    z = share.select(steps).to_numpy()
    sizes = frame.group_by("cohort").agg(pl.col("cohort_size").first()).sort("cohort")["cohort_size"].to_numpy()
    counts = retained.select(steps).cast(pl.Float64).to_numpy()
    custom = np.dstack([counts, np.broadcast_to(sizes.astype(float)[:, None], counts.shape)])
    cohort_names = share.select(esc_expr("cohort"))["cohort"].to_list()
    text = text.select(steps).fill_null("").to_numpy()
    height = height or max(300, 140 + 28 * len(cohort_names))
    fig = new_figure(title, x_title="Sessions after the first (0 = the cohort's first session)",
                     y_title="First session (cohort)", height=height,
                     subtitle="Share of each cohort active again n sessions later")
    fig.add_trace(go.Heatmap(
        z=z, x=[int(s) for s in steps], y=cohort_names, text=text, customdata=custom,
        texttemplate="%{text}" if len(steps) <= 24 else None,
        zmin=0, zmax=1, colorscale="Blues", xgap=2, ygap=2, name="Retained", hoverongaps=False,
        colorbar=dict(title=dict(text="Retained", side="right"), tickformat=".0%"),
        hovertemplate=("cohort %{y}, %{x} sessions later: %{z:.0%}<br>%{customdata[0]} of %{customdata[1]} "
                       "people<extra></extra>"),
    ))
    fig.update_yaxes(type="category", autorange="reversed", showgrid=False)
    fig.update_xaxes(dtick=1, showgrid=False)
    return fig


def first_timer_return_chart(first_timers: pl.DataFrame | pl.LazyFrame, *,
                             title: str = "Do first-timers come back?", height: int = 360) -> go.Figure:
    """The return rate of first-timers who got a reply in their first session against those who did not.

    Reads :func:`moderator_kit.people.first_timer_return` ([got_reply, newcomers, returned, rate]). Each bar is
    labelled with its counts ('3 of 7 came back'); a group without newcomers shows 'no first-timers'.

    >>> import polars as pl
    >>> ft = pl.DataFrame({"got_reply": [True, False], "newcomers": [4, 6], "returned": [3, 1],
    ...                    "rate": [0.75, 1 / 6]})
    >>> fig = first_timer_return_chart(ft)
    >>> list(fig.data[0].x), list(fig.data[0].text)
    (['Got a reply', 'Got no reply'], ['3 of 4 came back (75%)', '1 of 6 came back (17%)'])
    """
    frame = eager(first_timers)
    if frame is None or frame.height == 0 or int(frame["newcomers"].sum()) == 0:
        return empty_figure(title, "No first-timers who could have come back yet — this needs at least three "
                                   "sessions<br>(first-timers of the first and the last session are left out).",
                            height=height)
    frame = frame.sort("got_reply", descending=True)
    labels = ["Got a reply" if g else "Got no reply" for g in frame["got_reply"].to_list()]
    texts = frame.select(
        pl.when(pl.col("newcomers") > 0)
        .then(pl.format("{} of {} came back ({}%)", "returned", "newcomers", (pl.col("rate") * 100).round(0)
                        .cast(pl.Int64)))
        .otherwise(pl.lit("no first-timers"))
    ).to_series().to_list()
    fig = new_figure(title, x_title="First session", y_title="Came back to a later session (%)", height=height,
                     subtitle="First-timers who got a reply in their first session (Budak & Agrawal 2013: replies "
                              "predict return)")
    fig.add_trace(go.Bar(
        x=labels, y=frame["rate"].fill_null(0.0).to_numpy(), text=texts, textposition="outside", cliponaxis=False,
        marker_color=[POSITIVE_COLOR, MUTED_COLOR][: len(labels)], name="Return rate", width=0.5,
        customdata=frame.select("returned", "newcomers").to_numpy(),
        hovertemplate="%{x}: %{customdata[0]} of %{customdata[1]} came back (%{y:.0%})<extra></extra>",
    ))
    fig.update_yaxes(range=[0, 1.15], tickformat=".0%", tickvals=[0, 0.25, 0.5, 0.75, 1])
    fig.update_layout(showlegend=False)
    return fig


def herding_trend(session_flow: pl.DataFrame | pl.LazyFrame, *, title: str = "Herding score per session",
                  height: int = DEFAULT_HEIGHT) -> go.Figure:
    """The 0-100 herding score per session, with its parts (on-agenda share, pace, answers before the next
    question) as thin lines on the same 0-100 scale.

    Reads :func:`moderator_kit.flow.session_flow_metrics`. Sessions without a score (no questions) leave a gap.

    >>> import polars as pl
    >>> flow = pl.DataFrame({"session_id": ["s1", "s2"], "herding_score": [70.0, None],
    ...     "on_agenda_share": [0.8, None], "pace_adherence": [0.6, None], "spillover_share": [0.3, None],
    ...     "herding_score_parts": ["…", "no questions in this session"]})
    >>> fig = herding_trend(flow)
    >>> fig.data[0].name, fig.data[0].y.tolist()
    ('Herding score', [70.0, nan])
    """
    frame = eager(session_flow)
    if frame is None or frame.height == 0 or frame["herding_score"].drop_nulls().len() == 0:
        return empty_figure(title, "No herding scores yet — add an agenda to chat.yaml or tag questions Q1, Q2… "
                                   "so the sessions can be measured.", height=height)
    frame = _in_order(frame)
    labels = frame["_x"].to_list()
    parts = frame.select(
        esc_expr(pl.col("herding_score_parts")).fill_null("") if "herding_score_parts" in frame.columns
        else pl.lit("").alias("herding_score_parts")
    ).to_numpy()
    fig = new_figure(title, x_title="Session", y_title="Score (0-100)", height=height,
                     subtitle="Built from the on-agenda share, pace adherence and answers that arrive before the "
                              "next question")
    fig.add_trace(go.Scatter(
        x=labels, y=frame["herding_score"].cast(pl.Float64).to_numpy(), name="Herding score", mode="lines+markers",
        line=dict(color="#1d3f72", width=3), marker=dict(size=8), customdata=parts, connectgaps=False,
        hovertemplate="%{x}: <b>%{y:.0f}</b><br>%{customdata[0]}<extra></extra>",
    ))
    components = (("on_agenda_share", "On-agenda share", "#009e73", pl.col("on_agenda_share")),
                  ("pace_adherence", "Pace adherence", "#e69f00", pl.col("pace_adherence")),
                  ("spillover_share", "Answers before the next question", "#cc79a7", 1 - pl.col("spillover_share")))
    for column, name, color, expr in components:
        if column not in frame.columns:
            continue
        values = frame.select((expr.cast(pl.Float64) * 100).alias("v"))["v"].to_numpy()
        fig.add_trace(go.Scatter(
            x=labels, y=values, name=name, mode="lines+markers", line=dict(color=color, width=1.5, dash="dot"),
            marker=dict(size=5), hovertemplate=f"%{{x}}: {name.lower()} %{{y:.0f}}%<extra></extra>",
        ))
    _session_axis(fig, labels)
    fig.update_yaxes(range=[0, 105])
    fig.update_layout(hovermode="x unified")
    return legend_above(fig, rows=3)  # four long names: beside the plot they left it a sliver at 1280 px


def reach_trend(reach: pl.DataFrame | pl.LazyFrame, *, title: str = "Estimated impressions per session",
                height: int = DEFAULT_HEIGHT) -> go.Figure:
    """Estimated real impressions per session: the low-high band around the mid estimate.

    Reads :func:`moderator_kit.value.reach_by_session` (``impressions_low`` / ``_mid`` / ``_high``,
    ``potential_impressions``, ``reach_basis``, ``basis_note``). Sessions whose reach is unavailable leave a gap
    and are counted in the subtitle; the hover states each session's basis (views, followers or members).

    >>> import polars as pl
    >>> reach = pl.DataFrame({"session_id": ["s1", "s2"], "reach_basis": ["followers", "unavailable"],
    ...     "potential_impressions": [1000, None], "impressions_low": [10.0, None],
    ...     "impressions_mid": [50.0, None], "impressions_high": [200.0, None], "basis_note": ["x", "y"]})
    >>> fig = reach_trend(reach)
    >>> [t.name for t in fig.data], fig.data[2].y.tolist()
    (['Low estimate', 'High estimate', 'Mid estimate'], [50.0, nan])
    """
    frame = eager(reach)
    if frame is None or frame.height == 0 or frame["impressions_mid"].drop_nulls().len() == 0:
        return empty_figure(title, "Reach is unavailable — the archive has no follower or view counts.<br>Set "
                                   "audience_members in chat.yaml to estimate reach for Slack or Discord.",
                            height=height)
    frame = _in_order(frame)
    labels = frame["_x"].to_list()
    basis = frame.select(
        esc_expr(pl.col("reach_basis").fill_null("unavailable")).alias("basis"),
        pl.col("potential_impressions").cast(pl.Float64).alias("potential"),
    ).to_numpy()
    low = frame["impressions_low"].cast(pl.Float64).to_numpy()
    mid = frame["impressions_mid"].cast(pl.Float64).to_numpy()
    high = frame["impressions_high"].cast(pl.Float64).to_numpy()
    missing = int(frame["impressions_mid"].null_count())
    subtitle = "Band: low to high exposure rate · line: mid estimate"
    if missing:
        subtitle += f" · reach unavailable for {fmt_int(missing)} session{'s' if missing != 1 else ''}"
    fig = new_figure(title, x_title="Session", y_title="Estimated impressions", subtitle=subtitle, height=height)
    fig.add_trace(go.Scatter(x=labels, y=low, name="Low estimate", mode="lines", line=dict(width=0,
                             color="#56b4e9"), showlegend=False, hovertemplate="low %{y:,.0f}<extra></extra>"))
    fig.add_trace(go.Scatter(x=labels, y=high, name="High estimate", mode="lines", fill="tonexty",
                             fillcolor="rgba(86,180,233,0.25)", line=dict(width=0, color="#56b4e9"),
                             hovertemplate="high %{y:,.0f}<extra></extra>"))
    fig.add_trace(go.Scatter(
        x=labels, y=mid, name="Mid estimate", mode="lines+markers", line=dict(color="#0072b2", width=2.5),
        customdata=basis,
        hovertemplate="%{x}: <b>%{y:,.0f}</b> impressions (mid)<br>basis: %{customdata[0]} · potential "
                      "%{customdata[1]:,.0f}<extra></extra>",
    ))
    _session_axis(fig, labels)
    fig.update_yaxes(rangemode="tozero", tickformat="~s")
    fig.update_layout(hovermode="x unified")
    return fig
