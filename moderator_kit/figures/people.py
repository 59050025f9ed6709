"""People figures: how many participants carry each role, and one participant's history across sessions.

* :func:`roles_chart` reads :func:`moderator_kit.people.assign_roles` (``ROLE_SCHEMA``: session_id, handle,
  labels, primary_role, reasons, notes);
* :func:`participant_history_chart` reads :func:`moderator_kit.people.participant_signals` rows of one handle.

Examples
--------
>>> import polars as pl
>>> roles = pl.DataFrame({"session_id": ["s1"] * 3, "handle": ["mod", "ann", "bob"],
...                       "primary_role": ["moderator", "advocate", "advocate"]})
>>> fig = roles_chart(roles)
>>> list(fig.data[0].y), fig.data[0].x.tolist()
(['Moderator', 'Advocate'], [1, 2])
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
import polars as pl

from moderator_kit.figures.theme import (
    DEFAULT_HEIGHT,
    QUESTION_COLORS,
    ROLE_ORDER,
    eager,
    empty_figure,
    esc,
    esc_expr,
    new_figure,
    role_color,
    role_label,
    session_axis,
)

__all__ = ["roles_chart", "participant_history_chart", "HISTORY_METRICS"]

#: The signals :func:`participant_history_chart` draws by default, with their legend names.
HISTORY_METRICS = {
    "answers": "Answers to agenda questions",
    "replies_given": "Replies given",
    "replies_received": "Replies received",
    "mentions_received": "Mentions received",
}


def _one_row_per_person(roles: pl.DataFrame, session_id: str | None) -> tuple[pl.DataFrame, str]:
    """The rows to count, and what they stand for."""
    if "session_id" not in roles.columns:
        return roles, ""
    if session_id is not None:
        return roles.filter(pl.col("session_id") == session_id), esc(session_id)
    ids = roles["session_id"]
    if ids.null_count() > 0 and ids.null_count() < roles.height:
        return roles.filter(pl.col("session_id").is_null()), "all sessions"
    if ids.n_unique() > 1:
        # each person once, under their role in the last session they were seen in
        latest = roles.sort("session_id").group_by("handle", maintain_order=True).last()
        return latest, "all sessions"
    only = ids.drop_nulls()
    return roles, (esc(only[0]) if only.len() else "all sessions")


def roles_chart(roles: pl.DataFrame | pl.LazyFrame, *, session_id: str | None = None, title: str | None = None,
                height: int | None = None) -> go.Figure:
    """Participants per primary role, as horizontal bars in the order of the role labels.

    Each person counts once. ``session_id`` keeps that session's rows; otherwise the chat-history rows
    (``session_id`` null) are used when the frame has them next to session rows, and a frame of several sessions
    counts each person under their role in the last session.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace; y = role names, x = participants, hover with a few example handles (escaped).
    """
    frame = eager(roles)
    rows, scope = _one_row_per_person(frame, session_id)
    heading = title or "Participants by role" + (f" — {scope}" if scope else "")
    if rows.height == 0:
        return empty_figure(heading, "No participants in this selection — import messages and run "
                                     "'moderator-kit analyze'.", height=height or DEFAULT_HEIGHT)
    counts = (
        rows.with_columns(role=pl.col("primary_role").fill_null("participant"))
        .group_by("role")
        .agg(people=pl.col("handle").n_unique(), examples=pl.col("handle").unique().sort().head(5))
    )
    known = {r: i for i, r in enumerate(ROLE_ORDER)}
    counts = (
        counts.with_columns(_order=pl.col("role").replace_strict(known, default=len(known), return_dtype=pl.Int64))
        .sort(["_order", "role"])
        .with_columns(examples=esc_expr(pl.lit("@") + pl.col("examples").list.join(", @")))
    )
    role_names = counts["role"].to_list()
    height = height or max(280, 120 + 34 * len(role_names))
    fig = new_figure(heading, x_title="Participants (people)", height=height,
                     subtitle="Each person counted once, under their primary role (see the reasons in the table)")
    fig.add_trace(go.Bar(
        x=counts["people"].to_numpy(), y=[role_label(r) for r in role_names], orientation="h",
        marker_color=[role_color(r) for r in role_names], text=counts["people"].to_numpy(), textposition="outside",
        cliponaxis=False, customdata=counts.select("examples").to_numpy(), name="Participants",
        hovertemplate="<b>%{y}</b>: %{x} people<br>e.g. %{customdata[0]}<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed", ticks="", showgrid=False)
    fig.update_xaxes(rangemode="tozero")
    fig.update_layout(showlegend=False)
    return fig


def participant_history_chart(signals: pl.DataFrame | pl.LazyFrame, *, handle: str | None = None,
                              metrics: Sequence[str] | None = None, title: str | None = None,
                              height: int = DEFAULT_HEIGHT) -> go.Figure:
    """One participant's answers, replies and mentions, session by session (grouped bars).

    Parameters
    ----------
    signals
        :func:`moderator_kit.people.participant_signals` rows of one handle (rows of other handles are dropped
        when ``handle`` is given; without it the first handle in sort order is drawn). History rows (no
        ``session_id``) are ignored.
    metrics
        Signal columns to draw (default :data:`HISTORY_METRICS`).

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace per metric, x = session ids in order.

    >>> import polars as pl
    >>> sig = pl.DataFrame({"session_id": ["s2", "s1"], "handle": ["ann", "ann"], "answers": [3, 1],
    ...                     "replies_given": [2, 0], "replies_received": [1, 1], "mentions_received": [0, 4]})
    >>> fig = participant_history_chart(sig)
    >>> fig.data[0].name, list(fig.data[0].x), fig.data[0].y.tolist()
    ('Answers to agenda questions', ['s1', 's2'], [1, 3])
    """
    frame = eager(signals)
    if handle is not None:
        handle = handle.strip().lstrip("@").lower()
        frame = frame.filter(pl.col("handle") == handle)
    elif frame.height:
        handle = frame["handle"].drop_nulls().sort()[0] if frame["handle"].drop_nulls().len() else None
        frame = frame.filter(pl.col("handle") == handle)
    if "session_id" in frame.columns:
        frame = frame.filter(pl.col("session_id").is_not_null()).sort("session_id")
    who = f"@{esc(handle)}" if handle else "Participant"
    heading = title or f"{who} across sessions"
    if frame.height == 0:
        return empty_figure(heading, "No sessions for this participant — pick someone from the participants table.",
                            height=height)
    names = {m: esc(HISTORY_METRICS.get(m, m.replace("_", " ").capitalize())) for m in
             (metrics if metrics is not None else HISTORY_METRICS)}
    names = {m: label for m, label in names.items() if m in frame.columns}
    sessions = frame.select(esc_expr("session_id"))["session_id"].to_list()
    fig = new_figure(heading, x_title="Session", y_title="Messages", height=height)
    for i, (metric, label) in enumerate(names.items()):
        fig.add_trace(go.Bar(
            x=sessions, y=frame[metric].fill_null(0).to_numpy(), name=label, marker_color=QUESTION_COLORS[i],
            hovertemplate=f"%{{x}}: %{{y}} {label.lower()}<extra></extra>",
        ))
    session_axis(fig, sessions)
    fig.update_yaxes(rangemode="tozero")
    fig.update_layout(barmode="group", bargap=0.25, hovermode="x unified")
    return fig
