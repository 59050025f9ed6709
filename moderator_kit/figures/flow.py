"""The agenda-flow figures: the signature chart (share of messages per question, minute by minute) and the herding
score gauge.

They draw what :mod:`moderator_kit.flow` computed and compute no metric themselves:

* :func:`flow_chart` reads :func:`~moderator_kit.flow.flow_minutes` (``FLOW_MINUTES_SCHEMA``) and the questions
  (``QUESTION_SCHEMA`` or ``QUESTION_METRICS_SCHEMA``: ``question``, ``text``, ``planned_at``, ``posted_at``);
* :func:`herding_gauge` reads ``herding_score`` and ``herding_score_parts`` of
  :func:`~moderator_kit.flow.session_flow_metrics` (``SESSION_FLOW_SCHEMA``).

Examples
--------
>>> from datetime import datetime, timezone
>>> import polars as pl
>>> t = lambda m: datetime(2026, 1, 6, 1, m, tzinfo=timezone.utc)
>>> minutes = pl.DataFrame({"session_id": ["s"] * 3, "minute": [0, 1, 1], "question": [1, 1, None],
...                         "messages": [2, 1, 1], "share": [1.0, 0.5, 0.5]})
>>> questions = pl.DataFrame({"session_id": ["s"], "question": [1], "text": ["Q1 Why?"],
...                           "planned_at": [t(0)], "posted_at": [t(1)]})
>>> fig = flow_chart(minutes, questions, start=t(0))
>>> [trace.name for trace in fig.data], [a.text for a in fig.layout.annotations]
(['Q1', 'Not on a question'], ['Q1 planned', 'Q1 posted'])
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import datetime

import plotly.graph_objects as go
import polars as pl

from moderator_kit.figures.theme import (
    DEFAULT_HEIGHT,
    MUTED_COLOR,
    NO_QUESTION_COLOR,
    TEXT_COLOR,
    eager,
    empty_figure,
    esc,
    fmt_pct,
    new_figure,
    pick_session,
    question_color,
    score_value,
    shorten,
    wrap_text,
)

__all__ = ["flow_chart", "herding_gauge", "NO_QUESTION_LABEL"]

#: Legend name of the grey layer: messages of the minute that belong to no question.
NO_QUESTION_LABEL = "Not on a question"

_UTC = pl.Datetime("us", "UTC")
#: Characters per line of the formula under the herding gauge (the gauge sits in a one-third-width panel).
GAUGE_NOTE_CHARS = 44


def _window(sessions: pl.DataFrame | None, sid: str | None, start: datetime | None, end: datetime | None
            ) -> tuple[datetime | None, datetime | None]:
    if sessions is not None and sid is not None and "session_id" in sessions.columns:
        row = sessions.filter(pl.col("session_id") == sid)
        if row.height:
            if start is None and "start" in row.columns:
                start = row["start"][0]
            if end is None and "end" in row.columns:
                end = row["end"][0]
    return start, end


def _marks(questions: pl.DataFrame, start: datetime) -> pl.DataFrame:
    """Question number, minutes of the planned and posted times since ``start``, and the question text."""
    base = pl.lit(start).cast(_UTC)

    def minutes(column: str) -> pl.Expr:
        if column not in questions.columns:
            return pl.lit(None, dtype=pl.Float64).alias(column)
        delta = pl.col(column).cast(_UTC) - base
        return (delta.dt.total_microseconds().cast(pl.Float64) / 60e6).alias(column)

    text = pl.col("text") if "text" in questions.columns else pl.lit(None, dtype=pl.String)
    return (
        questions.select(pl.col("question").cast(pl.Int64), minutes("planned_at"), minutes("posted_at"),
                         text.alias("text"))
        .filter(pl.col("question").is_not_null())
        .unique("question", keep="first", maintain_order=True)
        .sort("question")
    )


def flow_chart(flow_minutes: pl.DataFrame | pl.LazyFrame, questions: pl.DataFrame | pl.LazyFrame | None, *,
               sessions: pl.DataFrame | None = None, session_id: str | None = None, start: datetime | None = None,
               end: datetime | None = None, title: str | None = None, height: int = DEFAULT_HEIGHT) -> go.Figure:
    """The signature chart: minute by minute, the share of messages per question, with question times marked.

    Parameters
    ----------
    flow_minutes
        :func:`moderator_kit.flow.flow_minutes` (one or more sessions).
    questions
        The session's questions (``QUESTION_SCHEMA`` or ``QUESTION_METRICS_SCHEMA``): ``question``, ``text``,
        ``planned_at``, ``posted_at``.
    sessions, start, end
        Where the session starts (minute 0) and ends: ``start`` / ``end`` directly, or the ``sessions`` frame.
        Without a start the question times cannot be placed, and the chart says so.
    session_id
        The session to draw; by default the only (or the last) session in the frames.

    Returns
    -------
    plotly.graph_objects.Figure
        One stacked-area trace per question (``name`` 'Q1'…, in the question's colour) and a grey
        :data:`NO_QUESTION_LABEL` trace on top. Each minute is drawn at its centre (x = minute + 0.5); minutes
        without messages have no share and are left out (the areas bridge them; the timeline shows the volume).
        Planned times are dashed vertical lines labelled 'Q3 planned', posted times solid lines labelled
        'Q3 posted' (``layout.shapes`` / ``layout.annotations``, with the same ``name``). Minutes after the chat's end
        (the table's tail) are shaded.
    """
    minutes = eager(flow_minutes)
    qs = eager(questions)
    if qs is None:
        qs = pl.DataFrame(schema={"question": pl.Int64})
    sid = pick_session([minutes, qs], session_id)
    if sid is not None:
        if "session_id" in minutes.columns:
            minutes = minutes.filter(pl.col("session_id") == sid)
        if "session_id" in qs.columns:
            qs = qs.filter(pl.col("session_id") == sid)
    start, end = _window(sessions, sid, start, end)
    heading = title or ("Agenda flow" + (f" — {esc(sid)}" if sid else ""))
    if minutes.height == 0:
        return empty_figure(heading, "No messages in this session's chat window — check that the archive covers "
                                     "the chat hour<br>and that the schedule in chat.yaml is right.", height=height)
    if qs.height == 0 and minutes["question"].drop_nulls().len() == 0:
        return empty_figure(heading, "No questions detected in this session — add an agenda to chat.yaml<br>"
                                     "or tag questions Q1, Q2… in the moderator's posts.", height=height)

    lo = min(int(minutes["minute"].min()), 0)
    hi = int(minutes["minute"].max())
    end_minute = None
    if start is not None and end is not None:
        end_minute = (end - start).total_seconds() / 60
        hi = max(hi, math.ceil(end_minute) - 1)
    keyed = minutes.with_columns(key=pl.col("question").cast(pl.String).fill_null("none"))
    share = keyed.pivot(on="key", index="minute", values="share", aggregate_function="sum")
    count = keyed.pivot(on="key", index="minute", values="messages", aggregate_function="sum")
    share = share.sort("minute").with_columns(pl.exclude("minute").fill_null(0.0))
    count = share.select("minute").join(count, on="minute", how="left").with_columns(
        pl.exclude("minute").fill_null(0))
    total = count.select(pl.sum_horizontal(pl.exclude("minute")).alias("total"))["total"]
    x = (share["minute"].cast(pl.Float64) + 0.5).to_numpy()

    texts = dict(zip(qs["question"].to_list(), qs["text"].to_list())) if "text" in qs.columns else {}
    numbers = sorted({int(k) for k in share.columns if k not in ("minute", "none")})
    fig = new_figure(
        heading,
        x_title="Minutes since the chat started",
        y_title="Share of the minute's messages",
        subtitle="Dashed line: planned question time · solid line: question posted · grey: not on a question",
        height=height,
    )
    layers = [(str(n), f"Q{n}", question_color(n), esc(shorten(texts.get(n), 90))) for n in numbers]
    if "none" in share.columns:
        layers.append(("none", NO_QUESTION_LABEL, NO_QUESTION_COLOR, "messages on no question"))
    for key, name, color, label in layers:
        messages = count[key]
        custom = pl.DataFrame({"m": share["minute"], "n": messages, "t": total}).to_numpy()
        fig.add_trace(go.Scatter(
            x=x, y=share[key].to_numpy(), name=name, mode="lines", stackgroup="share", line=dict(width=0.5,
            color=color), fillcolor=color, customdata=custom, legendgroup=name, meta=label,
            hovertemplate=(f"<b>{name}</b> %{{meta}}<br>minute %{{customdata[0]}}: %{{y:.0%}} of messages "
                           "(%{customdata[1]} of %{customdata[2]})<extra></extra>"),
        ))
    fig.update_yaxes(range=[0, 1], tickformat=".0%")

    x_max = hi + 1
    if start is None:
        fig.add_annotation(text="Question times not marked: the session start is unknown", x=1, y=1.0,
                           xref="paper", yref="paper", xanchor="right", yanchor="bottom", showarrow=False,
                           font=dict(size=11, color=MUTED_COLOR))
    else:
        marks = _marks(qs, start)
        shapes, notes = [], []
        for number, planned, posted, _ in marks.iter_rows():  # a handful of questions: one line and label each
            color = question_color(number)
            for at, what, dash, y, anchor in ((planned, "planned", "dash", 0.0, "bottom"),
                                              (posted, "posted", "solid", 1.0, "top")):
                if at is None:
                    continue
                name = f"Q{number} {what}"
                shapes.append(dict(type="line", x0=at, x1=at, y0=0, y1=1, xref="x", yref="paper", name=name,
                                   layer="above", line=dict(color=TEXT_COLOR, width=1.6 if what == "posted" else 1.2,
                                                            dash=dash)))
                notes.append(dict(text=name, name=name, x=at, y=y, xref="x", yref="paper", yanchor=anchor,
                                  xanchor="right", textangle=-90, showarrow=False, font=dict(size=11, color=color),
                                  bgcolor="rgba(255,255,255,0.75)"))
                x_max = max(x_max, math.ceil(at) + 1)
                lo = min(lo, math.floor(at))
        if end_minute is not None and end_minute < x_max:
            shapes.append(dict(type="rect", x0=end_minute, x1=x_max, y0=0, y1=1, xref="x", yref="paper",
                               fillcolor="#ffffff", opacity=0.5, line_width=0, layer="above", name="after the end"))
            notes.append(dict(text="after the end", name="after the end", x=x_max, y=1, xref="x", yref="paper",
                              xanchor="right", yanchor="top", showarrow=False,
                              font=dict(size=11, color=MUTED_COLOR)))
        # All marks at once: add_shape / add_vrect re-validate every shape already there, per call.
        fig.update_layout(shapes=shapes, annotations=notes)
    fig.update_xaxes(range=[lo, x_max], ticksuffix=" min", dtick=5 if x_max - lo <= 90 else None)
    fig.update_layout(hovermode="x unified" if len(layers) <= 8 else "closest")
    return fig


def _parts_text(parts: str | Mapping[str, float | None] | None) -> str:
    if parts is None:
        return ""
    if isinstance(parts, str):
        try:
            loaded = json.loads(parts)
        except ValueError:
            return esc(parts)
        if not isinstance(loaded, Mapping):
            return esc(parts)
        parts = loaded
    labels = {"on_agenda": "on-agenda", "pace": "pace", "flow": "answers before the next question"}
    return " · ".join(f"{esc(labels.get(k, k))} {fmt_pct(v, 0)}" for k, v in parts.items())


def herding_gauge(score: float | None, parts: str | Mapping[str, float | None] | None = None, *,
                  title: str = "Herding score", height: int = 300) -> go.Figure:
    """The session's 0-100 herding score as a gauge, with the parts it is built from written underneath.

    Parameters
    ----------
    score
        ``herding_score`` of :func:`moderator_kit.flow.session_flow_metrics` (None: no score, e.g. no questions).
    parts
        ``herding_score_parts`` (the formula in words), or a mapping ``{part: share}`` shown as percentages.

    >>> fig = herding_gauge(72.5, "0.4 × on-agenda 0.8 + 0.3 × pace 0.9 + 0.3 × (1 - spill-over) 0.5 = 72.5")
    >>> fig.data[0].value, fig.data[0].gauge.axis.range  # drawn as the cards print it (fmt_score)
    (73.0, (0, 100))
    >>> herding_gauge(None, "no questions in this session").layout.annotations[0].text[:20]
    'No herding score for'
    """
    detail = _parts_text(parts)
    if score is None or (isinstance(score, float) and math.isnan(score)):
        why = detail or "it needs questions"
        return empty_figure(title, f"No herding score for this session ({why}).<br>Add an agenda to chat.yaml or "
                                   "tag questions Q1, Q2… to measure it.", height=height)
    value = score_value(max(0.0, min(100.0, float(score))))  # the gauge prints what fmt_score prints
    fig = new_figure(title, height=height)
    fig.add_trace(go.Indicator(
        mode="gauge+number", value=value, domain=dict(x=[0, 1], y=[0, 1]),
        number=dict(valueformat=".0f", suffix=" / 100", font=dict(size=34)),
        gauge=dict(
            axis=dict(range=[0, 100], tickvals=[0, 40, 70, 100], ticks="outside"),
            bar=dict(color="#1d3f72", thickness=0.35),
            steps=[dict(range=[0, 40], color="#f6d5d9"), dict(range=[40, 70], color="#fbeccb"),
                   dict(range=[70, 100], color="#d3efe0")],
            borderwidth=0,
        ),
    ))
    lines = 0
    if detail:
        # under the gauge, in the bottom margin, broken into lines that fit a one-third-width panel
        text = wrap_text(detail, GAUGE_NOTE_CHARS)
        lines = text.count("<br>") + 1
        fig.add_annotation(text=text, x=0.5, y=0, xref="paper", yref="paper", yanchor="top", showarrow=False,
                           font=dict(size=11, color=MUTED_COLOR), align="center", name="herding formula")
    fig.update_layout(margin=dict(l=32, r=32, b=16 + 15 * lines), meta={"bands": {"low": [0, 40], "fair": [40, 70],
                                                                          "good": [70, 100]}})
    return fig
