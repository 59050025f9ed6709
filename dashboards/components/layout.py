"""Small layout pieces shared by the pages: headers, sections, KPI cards, empty states, notes and graphs.

Every piece takes plain text (rendered by React as text, never as HTML) or Dash components.

Examples
--------
>>> card = kpi_card("Active participants", "28", detail="3 only reposted", status="met")
>>> card.className
'mk-card mk-card--met'
>>> empty_state("No sessions", "Import an archive first.").className
'mk-empty'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
from dash import dcc, html

from moderator_kit.figures.theme import fmt_int, fmt_money, fmt_num, fmt_pct

__all__ = [
    "GRAPH_CONFIG",
    "page_header",
    "section",
    "kpi_card",
    "card_grid",
    "empty_state",
    "note",
    "badge",
    "graph",
    "fmt_value",
    "fmt_duration",
    "no_chat_state",
    "keep_dates",
]

#: Plotly config of every graph: no logo, no "edit in Chart Studio", PNG export at 2x.
GRAPH_CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}


def page_header(title: str, subtitle: Any = None, *, actions: Any = None) -> html.Div:
    """The page title, a one-line subtitle (what the page answers, or the selection) and optional actions."""
    return html.Div(className="mk-page-header", children=[
        html.Div([html.H1(title, className="mk-page-title"),
                  html.P(subtitle, className="mk-page-subtitle") if subtitle else None]),
        html.Div(actions, className="mk-page-actions") if actions else None,
    ])


def section(title: str | None, children: Any, *, help: str | None = None, class_name: str = "",
            id: str | None = None) -> html.Section:
    """A white panel with a title and an optional one-line explanation."""
    head = []
    if title:
        head.append(html.H2(title, className="mk-section-title"))
    if help:
        head.append(html.P(help, className="mk-section-help"))
    kwargs = {"id": id} if id else {}
    body = [c for c in children if c is not None] if isinstance(children, (list, tuple)) else [children]
    return html.Section(className=f"mk-section {class_name}".strip(), children=[*head, *body], **kwargs)


def kpi_card(label: str, value: str, *, detail: Any = None, status: str | None = None, target: str | None = None,
             id: str | None = None, wide_value: bool = False) -> html.Div:
    """A KPI card: label, big value, a detail line; ``status`` 'met' / 'missed' adds a coloured badge.

    ``wide_value`` is for words rather than numbers (smaller, wrapping).
    """
    badge_el = None
    if status == "met":
        badge_el = html.Span("✓ met", className="mk-badge mk-badge--ok")
    elif status == "missed":
        badge_el = html.Span("✗ missed", className="mk-badge mk-badge--bad")
    elif status == "unavailable":
        badge_el = html.Span("n/a", className="mk-badge")
    kwargs = {"id": id} if id else {}
    return html.Div(className=f"mk-card mk-card--{status}" if status else "mk-card", children=[
        html.Div([html.Span(label, className="mk-card-label"), badge_el], className="mk-card-head"),
        html.Div(value, className="mk-card-value mk-card-value--text" if wide_value else "mk-card-value",
                 **({"id": f"{id}-value"} if id else {})),
        html.Div(target, className="mk-card-target") if target else None,
        html.Div(keep_dates(detail), className="mk-card-detail") if detail else None,
    ], **kwargs)


_DATES = re.compile(r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2})?")


def keep_dates(text: Any) -> Any:
    """Text whose dates ('2026-03-30') never break at their hyphens: each date becomes a ``mk-nowrap`` span.

    Anything but a string (a component, None) is returned as is; text without a date stays a plain string.

    >>> keep_dates("from 2026-03-19 to 2026-03-30.")[1].children
    '2026-03-19'
    >>> keep_dates("no date"), keep_dates(None)
    ('no date', None)
    """
    if not isinstance(text, str) or not _DATES.search(text):
        return text
    parts: list[Any] = []
    at = 0
    for match in _DATES.finditer(text):
        parts.append(text[at:match.start()])
        parts.append(html.Span(match.group(0), className="mk-nowrap"))
        at = match.end()
    parts.append(text[at:])
    return [p for p in parts if p != ""]


def card_grid(cards: Sequence[Any], *, class_name: str = "") -> html.Div:
    return html.Div(list(cards), className=f"mk-cards {class_name}".strip())


def empty_state(title: str, message: Any, *, action: Any = None) -> html.Div:
    """What to show when there is nothing to show: say why and what to do."""
    return html.Div(className="mk-empty", children=[
        html.Div("∅", className="mk-empty-icon", **{"aria-hidden": "true"}),
        html.H3(title, className="mk-empty-title"),
        html.P(message, className="mk-empty-text"),
        html.Div(action, className="mk-empty-action") if action else None,
    ])


def no_chat_state() -> html.Div:
    """The empty state of every page when the workspace holds no analysed chat or none is selected."""
    return empty_state(
        "No analysed chat yet",
        "Import an archive (and its chat.yaml) on the Import page, or run 'moderator-kit import' and "
        "'moderator-kit analyze' on the command line, then pick the chat above.",
        action=dcc.Link("Go to Import →", href="/import", className="mk-button mk-button--primary"),
    )


def note(children: Any, *, kind: str = "info") -> html.Div:
    """A short coloured note (kind: info, warn, error, ok)."""
    return html.Div(children, className=f"mk-note mk-note--{kind}", role="status" if kind != "error" else "alert")


def badge(text: str, kind: str = "") -> html.Span:
    return html.Span(text, className=f"mk-badge mk-badge--{kind}" if kind else "mk-badge")


def graph(figure: go.Figure | dict, *, id: str | dict | None = None, class_name: str = "",
          height: int | None = None) -> dcc.Graph:
    """A ``dcc.Graph`` with the shared config (the figure builders set the look)."""
    kwargs: dict[str, Any] = {"figure": figure, "config": GRAPH_CONFIG, "className": f"mk-graph {class_name}".strip()}
    if id is not None:
        kwargs["id"] = id
    if height is not None:
        kwargs["style"] = {"height": f"{height}px"}
    return dcc.Graph(**kwargs)


def fmt_value(value: Any, kind: str = "num") -> str:
    """A value for a table cell or a card: kind 'int', 'num', 'pct', 'money', 'seconds', 'list' or 'text'.

    >>> fmt_value(1234, "int"), fmt_value(0.25, "pct"), fmt_value(95, "seconds"), fmt_value(["a", "b"], "list")
    ('1,234', '25%', '1 min 35 s', 'a; b')
    >>> fmt_value(None, "int")
    '—'
    """
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if kind == "int":
        return fmt_int(value)
    if kind == "pct":
        return fmt_pct(value)
    if kind == "money":
        return fmt_money(value)
    if kind == "seconds":
        return fmt_duration(value)
    if kind == "list":
        return "; ".join(str(v) for v in value) if isinstance(value, (list, tuple)) else str(value)
    if kind == "num":
        return fmt_num(value) if isinstance(value, (int, float)) else str(value)
    return str(value)


def fmt_duration(seconds: float | None) -> str:
    """Seconds as '45 s', '3 min 05 s' or '1 h 02 min'.

    >>> fmt_duration(45), fmt_duration(185), fmt_duration(3720), fmt_duration(None)
    ('45 s', '3 min 05 s', '1 h 02 min', '—')
    """
    if seconds is None or (isinstance(seconds, float) and seconds != seconds):
        return "—"
    total = int(round(float(seconds)))
    if total < 60:
        return f"{total} s"
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"
