"""Overview: how the chat went — KPI cards against the objectives, honest participant counts, the herding score and
the per-minute timeline.

Participant counts are honest: an *active* participant posted, replied or quoted; people who only reposted are
counted apart and never as active (DESIGN.md). Objectives come from :func:`moderator_kit.snapshot.objectives_for`
(the snapshot's table for every session, the same targets on the selection's ``kpis`` rows otherwise).
"""

from __future__ import annotations

from typing import Any

import dash
import polars as pl
from dash import Input, Output, dcc, html

from dashboards.components.layout import (
    card_grid,
    empty_state,
    graph,
    kpi_card,
    no_chat_state,
    note,
    page_header,
    section,
)
from dashboards.components.metrics import format_metric, metric_label
from dashboards.data import Selection, selected, session_title, table_or_empty
from moderator_kit.figures.activity import timeline_chart, top_entities_chart
from moderator_kit.figures.flow import herding_gauge
from moderator_kit.figures.people import roles_chart
from moderator_kit.figures.theme import fmt_int
from moderator_kit.figures.trends import herding_trend
from moderator_kit.selection import headline_rows, summarize_selection
from moderator_kit.snapshot import ALL_SESSIONS, objectives_for
from moderator_kit.snapshot_store import Snapshot
from moderator_kit.value.objectives import KPI_METRICS

__all__ = ["layout", "update", "overview_body"]

dash.register_page(__name__, path="/", name="Overview", order=0, title="Overview · moderator-kit")

def _objective_card(row: dict[str, Any], index: int) -> html.Div:
    metric = row["metric"]
    sign = "≥" if row["direction"] == "at_least" else "≤"
    status = "unavailable" if not row.get("available") or row.get("met") is None else (
        "met" if row["met"] else "missed")
    trend = {"up": "↗ trending up", "down": "↘ trending down", "flat": "→ flat"}.get(row.get("trend") or "", "")
    detail = " · ".join(x for x in (str(row.get("stakeholder") or "").capitalize(), row.get("note") or "", trend)
                        if x)
    return html.Div(kpi_card(
        metric_label(metric, row.get("label")),
        format_metric(metric, row.get("actual")),
        target=f"target {sign} {format_metric(metric, row['target'])}",
        detail=detail,
        status=status,
        id=f"ov-objective-{index}",
    ), title=KPI_METRICS.get(metric, ""))


def overview_body(snapshot: Snapshot | None, selection: Selection) -> list[Any]:
    """The page below its header for a selection."""
    if snapshot is None:
        return [no_chat_state()]
    ids = selection.ids
    if not ids:
        return [empty_state("No sessions in this chat",
                            "No messages fall inside the schedule's chat windows. Check the schedule in chat.yaml "
                            "(day, time, time zone), re-import with --config, and run 'moderator-kit analyze'.")]
    meta = snapshot.meta
    summary = summarize_selection(snapshot, ids)
    value = dict(headline_rows(summary))  # the same figures, labels and rounding as 'moderator-kit summary'
    single = selection.single
    several = len(ids) > 1
    measured = summary.impressions_low is not None and summary.impressions_low == summary.impressions_high
    shape_key = single or (ALL_SESSIONS if selection.mode == "all" else None)
    shape = (meta.get("shapes") or {}).get(shape_key) if shape_key else None

    cards = [
        kpi_card("Messages", value["Messages"], id="ov-kpi-messages",
                 detail=f"{fmt_int(summary.originals)} original · in the chat window"),
        kpi_card("Active participants", value["Active participants"], id="ov-kpi-active",
                 detail=(f"+ {fmt_int(summary.pure_reposters)} only reposted (not counted)"
                         + (" · each person once" if several else ""))),
        kpi_card("New · returning", value["New · returning"], id="ov-kpi-new",
                 detail=f"of the {fmt_int(summary.active)} active: returning = active in an earlier session"
                        + (" (each person once)" if several else "")),
        kpi_card("Herding score", value["Herding score"],
                 id="ov-kpi-herding", detail="mean of the sessions" if several else "how well the chat followed "
                                                                                     "the agenda"),
        kpi_card("Reply share", value["Reply share"], id="ov-kpi-replies",
                 detail="replies ÷ original messages"),
        kpi_card("Estimated impressions", value["Estimated impressions"], id="ov-kpi-impressions",
                 detail="measured: the platform's view counts" if measured
                 else f"range {fmt_int(summary.impressions_low)} – {fmt_int(summary.impressions_high)} "
                      "(low – high exposure)"),
    ]
    if shape:
        cards.append(kpi_card("Conversation shape", str(shape.get("shape") or "n/a").capitalize(), id="ov-kpi-shape",
                              detail="see Network for the rule", wide_value=True))

    children: list[Any] = [card_grid(cards)]

    objectives = objectives_for(snapshot, ids)
    if objectives.height:
        met = int(objectives["met"].fill_null(False).sum())
        children.append(section(
            f"Objectives: {met} of {objectives.height} met",
            card_grid([_objective_card(r, i) for i, r in enumerate(objectives.iter_rows(named=True))],
                      class_name="mk-cards--wide"),
            help="Targets from the chat config, by stakeholder; the actual value is the mean over the selected "
                 "sessions.",
        ))
    else:
        children.append(note("No objectives in the chat config: add 'objectives:' (e.g. moderator: "
                             "active_participants ≥ 40) to chat.yaml to track them here.", kind="info"))

    flow = table_or_empty(snapshot, "session_flow", ids)
    minutes = table_or_empty(snapshot, "minutes", [selection.last])
    sessions = table_or_empty(snapshot, "sessions")
    timeline = timeline_chart(minutes, session_id=selection.last, sessions=sessions,
                              title=f"Messages per minute — session {selection.last}")
    if several:
        children.append(section(None, graph(herding_trend(flow), id="ov-herding"), class_name="mk-row-gap"))
        children.append(section(None, graph(timeline, id="ov-timeline"), class_name="mk-row-gap",
                                help="The per-minute timeline shows one session: the last of the selection. Pick "
                                     "one session above to see another."))
    else:
        parts = flow["herding_score_parts"][0] if flow.height and "herding_score_parts" in flow.columns else None
        children.append(html.Div(className="mk-grid-main mk-row-gap", children=[
            section(None, graph(timeline, id="ov-timeline")),
            section(None, graph(herding_gauge(summary.herding_score, parts), id="ov-herding")),
        ]))
    roles = table_or_empty(snapshot, "roles", ids)
    entities = table_or_empty(snapshot, "entities")
    if entities.height:  # chat-wide rows have no session id
        entities = (entities.filter(pl.col("session_id").is_null()) if selection.mode == "all"
                    else entities.filter(pl.col("session_id") == (single or selection.last)))
    children.append(html.Div(className="mk-grid-2 mk-row-gap", children=[
        section(None, graph(roles_chart(roles, title="Who carried it: participants by role"), id="ov-roles")),
        section(None, graph(top_entities_chart(entities, "hashtag", n=10), id="ov-hashtags")),
    ]))
    notes = [n for n in meta.get("notes") or [] if isinstance(n, str)]
    if notes:
        children.append(section("Notes from the analysis", html.Ul([html.Li(n) for n in notes])))
    return children


def layout(**_query: str) -> html.Div:
    return html.Div([
        html.Div(id="ov-header", children=page_header("Overview")),
        dcc.Loading(html.Div(id="ov-body"), type="dot", delay_show=400),
    ])


@dash.callback(Output("ov-header", "children"), Output("ov-body", "children"), Input("mk-selection", "data"))
def update(stored: dict | None):
    snapshot, selection = selected(stored)
    if snapshot is None:
        return page_header("Overview", "How the chat went"), overview_body(None, selection)
    title = snapshot.meta.get("title") or snapshot.chat
    return (page_header("Overview", f"{title} · {session_title(snapshot, selection)}"),
            overview_body(snapshot, selection))
