"""Comparison charts: participants and retention of several chats on one chart, and the ranking metric's spread.

Chat names come from the data and are escaped (:func:`esc`) before they reach a figure.

Examples
--------
>>> import polars as pl
>>> frame = pl.DataFrame({"chat": ["a", "a", "b"], "number": [1, 2, 1], "session_id": ["x", "y", "z"],
...                       "active_participants": [10.0, 12.0, 5.0], "returning_share": [0.0, 0.5, 0.0]})
>>> fig = compare_trends(frame)
>>> [t.name for t in fig.data]
['a: active participants', 'a: returning share', 'b: active participants', 'b: returning share']
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from moderator_kit.compare.ranking import Comparison, metric_text
from moderator_kit.figures.theme import COMMUNITY_COLORS, DEFAULT_HEIGHT, empty_figure, esc, new_figure

__all__ = ["compare_trends", "ranking_chart"]


def compare_trends(frame: pl.DataFrame, *, title: str = "Participants and retention, chat by chat",
                   height: int = DEFAULT_HEIGHT) -> go.Figure:
    """Active participants (solid, left axis) and returning share (dotted, right axis) per session of each chat.

    The x axis is the session's position among the sessions compared (chats meet on different days).
    """
    if frame.is_empty():
        return empty_figure(title, "No sessions to compare — pick at least one analysed chat.", height=height)
    fig = new_figure(title, x_title="Session (in order, per chat)", y_title="Active participants", height=height,
                     subtitle="Solid: active participants (pure reposters and spam not counted). Dotted: share "
                              "returning from an earlier session.")
    for k, (chat,) in enumerate(frame.select("chat").unique(maintain_order=True).iter_rows()):
        rows = frame.filter(pl.col("chat") == chat).sort("number")
        x = list(range(1, rows.height + 1))
        color = COMMUNITY_COLORS[k % len(COMMUNITY_COLORS)]
        name = esc(chat)
        sessions = [esc(s) for s in rows["session_id"].to_list()]
        fig.add_trace(go.Scatter(x=x, y=rows["active_participants"].to_numpy(), name=f"{name}: active participants",
                                 mode="lines+markers", line=dict(color=color, width=2), legendgroup=name,
                                 customdata=sessions,
                                 hovertemplate=f"{name} %{{customdata}}: %{{y}} active<extra></extra>"))
        fig.add_trace(go.Scatter(x=x, y=rows["returning_share"].to_numpy(), name=f"{name}: returning share",
                                 mode="lines", line=dict(color=color, width=2, dash="dot"), legendgroup=name,
                                 yaxis="y2", customdata=sessions,
                                 hovertemplate=f"{name} %{{customdata}}: %{{y:.0%}} returning<extra></extra>"))
    fig.update_layout(yaxis2=dict(title="Returning share", overlaying="y", side="right", tickformat=".0%",
                                  range=[0, 1], showgrid=False), hovermode="closest")
    fig.update_yaxes(rangemode="tozero", selector=dict(side="left"))
    return fig


def ranking_chart(comparison: Comparison, *, height: int = DEFAULT_HEIGHT) -> go.Figure:
    """The ranking metric per chat: median (marker) and interquartile range (bar), in rank order."""
    metric, label = comparison.ranking_metric, comparison.ranking_label
    chats = [c for c in comparison.chats if c.figures[metric].median is not None]
    if not chats:
        return empty_figure(label, "No chat has this figure for the sessions compared.", height=height)
    fig = new_figure(f"{label}: median and IQR per session", x_title=label, height=height)
    names = [esc(c.chat) + ("" if c.judged else " (too few sessions)") for c in chats]
    medians = [c.figures[metric].median for c in chats]
    fig.add_trace(go.Scatter(
        x=medians, y=names, mode="markers", marker=dict(size=12, color=COMMUNITY_COLORS[0]), name="median",
        error_x=dict(type="data", symmetric=False,
                     array=[c.figures[metric].q3 - c.figures[metric].median for c in chats],
                     arrayminus=[c.figures[metric].median - c.figures[metric].q1 for c in chats]),
        text=[metric_text(metric, m) for m in medians],
        hovertemplate="%{y}: %{text} (median)<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed")
    return fig
