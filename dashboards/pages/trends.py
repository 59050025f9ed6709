"""Trends across sessions: participants (new against returning), the cohort retention heat map, first-timer return
by "got a reply", the herding score and reach.

With one session picked, the trends show every session of the chat (a trend needs several); with a range, the
sessions of the range. The first-timer return rates are the snapshot's whole-chat figures.
"""

from __future__ import annotations

from typing import Any

import dash
import polars as pl
from dash import Input, Output, dcc, html

from dashboards.components.layout import card_grid, empty_state, graph, kpi_card, no_chat_state, page_header, section
from dashboards.data import Selection, selected, table_or_empty
from moderator_kit.figures.theme import fmt_int, fmt_num, fmt_pct
from moderator_kit.figures.trends import (
    cohort_heatmap,
    first_timer_return_chart,
    herding_trend,
    participants_trend,
    reach_trend,
)
from moderator_kit.snapshot_store import Snapshot

__all__ = ["layout", "update", "trends_body", "trend_sessions"]

dash.register_page(__name__, path="/trends", name="Trends", order=5, title="Trends · moderator-kit")


def trend_sessions(snapshot: Snapshot, selection: Selection) -> list[str]:
    """The sessions a trend covers: the selection when it spans several, else the whole chat."""
    if len(selection.sessions) > 1:
        return selection.ids
    return table_or_empty(snapshot, "sessions")["session_id"].to_list()


def trends_body(snapshot: Snapshot | None, selection: Selection) -> list[Any]:
    if snapshot is None:
        return [no_chat_state()]
    ids = trend_sessions(snapshot, selection)
    if not ids:
        return [empty_state("No sessions in this chat", "Check the schedule in chat.yaml.")]
    children: list[Any] = []
    if len(ids) < 2:
        children.append(empty_state("One session so far", "Trends compare sessions: import more sessions of "
                                                          "this chat to see them."))
    retention = table_or_empty(snapshot, "retention", ids)
    engagement = table_or_empty(snapshot, "engagement", ids)
    cohorts = table_or_empty(snapshot, "cohorts")
    if cohorts.height:
        cohorts = cohorts.filter(pl.col("cohort").is_in(ids) & pl.col("session_id").is_in(ids))
    first = table_or_empty(snapshot, "first_timers")
    flow = table_or_empty(snapshot, "session_flow", ids)
    reach = table_or_empty(snapshot, "reach", ids)

    got = first.filter(pl.col("got_reply")) if first.height else first
    not_got = first.filter(~pl.col("got_reply")) if first.height else first
    rate = lambda f: f["rate"][0] if f.height else None  # noqa: E731
    mean_returning = retention["returning_share"].drop_nulls().mean() if retention.height else None
    gini = engagement["attention_gini_replies"].drop_nulls().mean() if engagement.height and \
        "attention_gini_replies" in engagement.columns else None
    children.append(card_grid([
        kpi_card("Sessions", fmt_int(len(ids)), id="tr-kpi-sessions", detail=f"{ids[0]} to {ids[-1]}"),
        kpi_card("New participants", fmt_int(retention["new"].sum() if retention.height else None),
                 id="tr-kpi-new", detail="first seen in these sessions"),
        kpi_card("Returning share", fmt_pct(mean_returning), id="tr-kpi-returning",
                 detail="mean over the sessions"),
        kpi_card("First-timers with a reply came back", fmt_pct(rate(got)), id="tr-kpi-return-reply",
                 detail=f"without a reply: {fmt_pct(rate(not_got))}"),
        kpi_card("Spread of attention (Gini)", fmt_num(gini, 2), id="tr-kpi-gini",
                 detail="of replies received; 0 = spread evenly, 1 = one person gets all"),
    ]))
    children.append(section(None, graph(participants_trend(engagement, retention), id="tr-participants")))
    children.append(html.Div(className="mk-grid-main mk-row-gap", children=[
        section(None, graph(cohort_heatmap(cohorts), id="tr-cohorts")),
        section(None, graph(first_timer_return_chart(first), id="tr-first-timers")),
    ]))
    children.append(html.Div(className="mk-grid-2 mk-row-gap", children=[
        section(None, graph(herding_trend(flow), id="tr-herding")),
        section(None, graph(reach_trend(reach), id="tr-reach")),
    ]))
    return children


def layout(**_query: str) -> html.Div:
    return html.Div([
        html.Div(id="tr-header", children=page_header("Trends")),
        dcc.Loading(html.Div(id="tr-body"), type="dot", delay_show=400),
    ])


@dash.callback(Output("tr-header", "children"), Output("tr-body", "children"), Input("mk-selection", "data"))
def update(stored: dict | None):
    snapshot, selection = selected(stored)
    if snapshot is None:
        return page_header("Trends", "Across sessions"), trends_body(None, selection)
    ids = trend_sessions(snapshot, selection)
    scope = "every session of the chat" if len(selection.sessions) <= 1 else f"the {len(ids)} selected sessions"
    header = page_header("Trends", f"{snapshot.meta.get('title') or snapshot.chat} · across {scope}")
    return header, trends_body(snapshot, selection)
