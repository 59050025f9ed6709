"""Activity figures: messages per minute, and the most frequent hashtags, words, URLs or domains.

* :func:`timeline_chart` reads :func:`moderator_kit.engagement.minute_series` (``MINUTE_SCHEMA``);
* :func:`top_entities_chart` reads :func:`moderator_kit.engagement.top_entities` (``ENTITY_SCHEMA``).

Examples
--------
>>> import polars as pl
>>> series = pl.DataFrame({"session_id": ["s"] * 3, "minute": [-1, 0, 1], "messages": [1, 3, 2],
...                        "originals": [1, 2, 1], "reposts": [0, 1, 1], "replies": [0, 1, 0],
...                        "active_authors": [1, 2, 1]})
>>> fig = timeline_chart(series, chat_minutes=2)
>>> [t.name for t in fig.data], fig.data[1].y.tolist()
(['Original posts', 'Replies', 'Reposts'], [0, 1, 0])
"""

from __future__ import annotations

from datetime import datetime

import plotly.graph_objects as go
import polars as pl

from moderator_kit.figures.theme import (
    DEFAULT_HEIGHT,
    KIND_COLORS,
    MUTED_COLOR,
    eager,
    empty_figure,
    esc,
    esc_expr,
    new_figure,
    pick_session,
    set_subtitle,
)

__all__ = ["timeline_chart", "top_entities_chart", "ENTITY_LABELS"]

#: How each entity type of ``ENTITY_SCHEMA`` is named in titles: (plural, axis unit).
ENTITY_LABELS = {
    "hashtag": ("Hashtags", "#"),
    "word": ("Words", ""),
    "url": ("Links", ""),
    "domain": ("Linked sites", ""),
}

#: Minutes shown before the chat starts and after it ends when the chat's length is known (zoom out for the rest).
CONTEXT_MINUTES = 15


def _chat_minutes(sessions: pl.DataFrame | None, sid: str | None, chat_minutes: float | None) -> float | None:
    if chat_minutes is not None or sessions is None or sid is None:
        return chat_minutes
    row = sessions.filter(pl.col("session_id") == sid)
    if row.height == 0 or "start" not in row.columns or "end" not in row.columns:
        return None
    start, end = row["start"][0], row["end"][0]
    if isinstance(start, datetime) and isinstance(end, datetime):
        return (end - start).total_seconds() / 60
    return None


def timeline_chart(minute_series: pl.DataFrame | pl.LazyFrame, *, session_id: str | None = None,
                   chat_minutes: float | None = None, sessions: pl.DataFrame | None = None,
                   title: str | None = None, height: int = DEFAULT_HEIGHT) -> go.Figure:
    """Messages per minute as stacked bars (original posts and quotes, replies, reposts), chat window shaded.

    Parameters
    ----------
    minute_series
        :func:`moderator_kit.engagement.minute_series`; ``minute`` is minutes since the chat's start (negative
        before it).
    session_id
        The session to draw (by default the only or the last one in the frame).
    chat_minutes, sessions
        The chat's length in minutes, or the ``sessions`` frame to read it from: the in-chat window
        ``[0, chat_minutes]`` is shaded and the view opens on it with :data:`CONTEXT_MINUTES` either side.
        Without it only the start (minute 0) is marked.

    Returns
    -------
    plotly.graph_objects.Figure
        Three bar traces ('Original posts' = originals − replies, 'Replies', 'Reposts'), x = minute.
    """
    frame = eager(minute_series)
    sid = pick_session([frame], session_id)
    if sid is not None and "session_id" in frame.columns:
        frame = frame.filter(pl.col("session_id") == sid)
    heading = title or ("Messages per minute" + (f" — {esc(sid)}" if sid else ""))
    if frame.height == 0 or int(frame["messages"].sum()) == 0:
        return empty_figure(heading, "No messages in this session — import an archive that covers it,<br>"
                                     "or check the schedule in chat.yaml.", height=height)
    length = _chat_minutes(sessions, sid, chat_minutes)
    frame = frame.sort("minute")
    x = frame["minute"].to_numpy()
    parts = [
        ("Original posts", (frame["originals"] - frame["replies"]).to_numpy(), KIND_COLORS["posts"]),
        ("Replies", frame["replies"].to_numpy(), KIND_COLORS["replies"]),
        ("Reposts", frame["reposts"].to_numpy(), KIND_COLORS["reposts"]),
    ]
    fig = new_figure(heading, x_title="Minutes since the chat started (negative: before it)",
                     y_title="Messages per minute", height=height)
    for name, values, color in parts:
        fig.add_trace(go.Bar(x=x, y=values, name=name, marker_color=color, offset=0, width=1,
                             hovertemplate=f"minute %{{x}}: %{{y}} {name.lower()}<extra></extra>"))
    fig.update_layout(barmode="stack", bargap=0.1, hovermode="x unified")
    if length is not None and length > 0:
        # A plain shape and annotation: add_vrect costs ~10 ms of plotly validation per call.
        fig.update_layout(
            shapes=[dict(type="rect", x0=0, x1=length, y0=0, y1=1, xref="x", yref="paper", fillcolor="#56b4e9",
                         opacity=0.10, line_width=0, layer="below", name="in-chat window")],
            annotations=[dict(text="chat", name="in-chat window", x=0, y=1, xref="x", yref="paper", xanchor="left",
                              yanchor="top", showarrow=False, font=dict(size=11, color=MUTED_COLOR))])
        lo = min(max(float(x.min()), -CONTEXT_MINUTES), 0.0)
        hi = max(min(float(x.max()) + 1, length + CONTEXT_MINUTES), length)
        fig.update_xaxes(range=[lo, hi])
        outside = frame.filter((pl.col("minute") < lo) | (pl.col("minute") + 1 > hi))
        hidden = int(outside["messages"].sum())
        if hidden:
            set_subtitle(fig, f"{hidden:,} more message{'s' if hidden != 1 else ''} before or after this view: "
                              "zoom out to see the pre-chat and follow-up")
    else:
        fig.add_vline(x=0, line=dict(color=MUTED_COLOR, dash="dot", width=1), name="chat starts",
                      annotation_text="chat starts", annotation_position="top right",
                      annotation_font=dict(size=11, color=MUTED_COLOR))
    return fig


def top_entities_chart(entities: pl.DataFrame | pl.LazyFrame, entity: str = "hashtag", *, n: int = 10,
                       session_id: str | None = None, title: str | None = None, height: int | None = None
                       ) -> go.Figure:
    """The most frequent entities of one type as horizontal bars, the most frequent at the top.

    Parameters
    ----------
    entities
        :func:`moderator_kit.engagement.top_entities`.
    entity
        'hashtag', 'word', 'url' or 'domain'.
    session_id
        Keep one session's rows. Without it, rows of several sessions are summed per value (each session
        contributes its own top list), and rows for the whole chat (``session_id`` null) are used when present.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace; y holds positions 0..n-1 with the (escaped, shortened) values as tick labels, so two
        values that shorten alike never merge. Hover shows the full escaped value.

    >>> import polars as pl
    >>> top = pl.DataFrame({"session_id": ["s", "s"], "entity": ["hashtag"] * 2, "value": ["jobs", "<b>"],
    ...                     "count": [5, 2], "rank": [1, 2]})
    >>> fig = top_entities_chart(top)
    >>> list(fig.layout.yaxis.ticktext), fig.data[0].x.tolist()
    (['#jobs', '#&lt;b&gt;'], [5, 2])
    """
    frame = eager(entities)
    plural, prefix = ENTITY_LABELS.get(entity, (entity.capitalize() + "s", ""))
    heading = title or f"Top {plural.lower()}" + (f" — {esc(session_id)}" if session_id else "")
    frame = frame.filter(pl.col("entity") == entity)
    if "session_id" in frame.columns:
        if session_id is not None:
            frame = frame.filter(pl.col("session_id") == session_id)
        elif frame["session_id"].null_count() > 0:
            frame = frame.filter(pl.col("session_id").is_null())
    frame = (
        frame.group_by("value").agg(pl.col("count").sum())
        .sort(["count", "value"], descending=[True, False])
        .head(n)
    )
    height = height or max(260, 110 + 30 * max(frame.height, 1))
    if frame.height == 0:
        return empty_figure(heading, f"No {plural.lower()} in these messages — nothing to rank yet.",
                            height=height)
    labels = frame.select(
        full=esc_expr(pl.lit(prefix) + pl.col("value")),
        short=esc_expr(pl.lit(prefix) + pl.when(pl.col("value").str.len_chars() > 48)
                       .then(pl.col("value").str.slice(0, 47) + "…").otherwise(pl.col("value"))),
    )
    positions = list(range(frame.height))
    fig = new_figure(heading, x_title="Messages containing it", height=height)
    fig.add_trace(go.Bar(
        x=frame["count"].to_numpy(), y=positions, orientation="h", marker_color="#0072b2",
        text=frame["count"].to_numpy(), textposition="outside", cliponaxis=False,
        customdata=labels["full"].to_numpy().reshape(-1, 1), name=plural,
        hovertemplate="%{customdata[0]}<br>%{x} messages<extra></extra>",
    ))
    fig.update_yaxes(tickvals=positions, ticktext=labels["short"].to_list(), autorange="reversed", ticks="",
                     showgrid=False)
    fig.update_xaxes(rangemode="tozero")
    fig.update_layout(showlegend=False, margin=dict(l=16))
    return fig
