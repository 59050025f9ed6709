"""The Live page's answer wave: messages per minute per question as the session grows (the agenda-flow chart's
counts, ``moderator_kit.live.LiveView.wave``), as a plain figure dict.

Plain dicts, not plotly figure objects: building those costs about 100 ms, too much for a refresh every few seconds.
"""

from __future__ import annotations

import functools
import json

import plotly.io as pio

from moderator_kit.figures.theme import esc, new_figure, question_color
from moderator_kit.live.view import LiveView

__all__ = ["wave_figure"]


@functools.lru_cache(maxsize=1)
def _wave_layout() -> str:
    """The wave chart's layout (theme template, titles) as JSON, built once: plotly's figure objects cost ~100 ms
    a build, too much for a refresh every few seconds, so each refresh fills plain dicts."""
    return pio.to_json(new_figure("Answer wave", x_title="Minutes since the start", y_title="Messages per minute",
                                  height=320).layout)


def wave_figure(view: LiveView | None) -> dict:
    """Messages per minute per question (the agenda-flow chart's counts), one stacked bar trace per question, with
    each question's post marked; a plain figure dict."""
    layout = json.loads(_wave_layout())
    layout["barmode"] = "stack"
    figure = {"data": [], "layout": layout}
    if view is None or not view.wave:
        return figure
    by_question: dict[int | None, tuple[list[int], list[int]]] = {}
    for minute, question, count in view.wave:
        xs, ys = by_question.setdefault(question, ([], []))
        xs.append(minute + 0.5)  # a minute is drawn at its centre, as on the agenda-flow chart
        ys.append(count)
    for question in sorted(by_question, key=lambda q: (q is None, q or 0)):
        xs, ys = by_question[question]
        figure["data"].append({"type": "bar", "x": xs, "y": ys, "width": 1,
                               "name": f"Q{question}" if question is not None else "not on a question",
                               "marker": {"color": question_color(question)},
                               "hovertemplate": "minute %{x:.0f}: %{y}<extra>%{fullData.name}</extra>"})
    shapes, notes = [], []
    for q in view.questions:
        if q["posted_at"] is not None:
            minute = (q["posted_at"] - view.start).total_seconds() / 60
            color = question_color(q["question"])
            shapes.append({"type": "line", "x0": minute, "x1": minute, "xref": "x", "y0": 0, "y1": 1,
                           "yref": "paper", "line": {"color": color, "width": 1}})
            notes.append({"x": minute, "y": 1, "xref": "x", "yref": "paper", "yanchor": "bottom",
                          "showarrow": False, "text": esc(f"Q{q['question']}"), "font": {"color": color}})
    layout["shapes"], layout["annotations"] = shapes, notes
    return figure
