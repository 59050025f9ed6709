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
from moderator_kit.figures.theme import fmt_int, fmt_pct, fmt_score
from moderator_kit.people.retention import new_and_returning
from moderator_kit.figures.trends import herding_trend
from moderator_kit.snapshot import ALL_SESSIONS, objectives_for
from moderator_kit.snapshot_store import Snapshot
from moderator_kit.value.objectives import KPI_METRICS

__all__ = ["layout", "update", "overview_body", "participant_counts"]

dash.register_page(__name__, path="/", name="Overview", order=0, title="Overview · moderator-kit")

def participant_counts(snapshot: Snapshot, sessions: list[str]) -> dict[str, int]:
    """Active participants and pure reposters of the selection, each person counted once.

    One session: the ``engagement`` row. Several: distinct handles in ``signals`` (active in any selected session;
    pure reposters = people who only reposted in every selected session).
    """
    engagement = table_or_empty(snapshot, "engagement", sessions)
    if len(sessions) == 1 and engagement.height:
        row = engagement.row(0, named=True)
        return {"active": int(row["active_participants"] or 0), "pure_reposters": int(row["pure_reposters"] or 0),
                "messages": int(row["messages"] or 0), "originals": int(row["originals"] or 0)}
    signals = table_or_empty(snapshot, "signals", sessions)
    out = {"active": 0, "pure_reposters": 0,
           "messages": int(engagement["messages"].sum()) if engagement.height else 0,
           "originals": int(engagement["originals"].sum()) if engagement.height else 0}
    if signals.height and "active" in signals.columns:
        people = signals.group_by("handle").agg(active=pl.col("active").any(), reposts=pl.col("reposts").sum())
        out["active"] = int(people["active"].sum())
        out["pure_reposters"] = int(people.filter(~pl.col("active") & (pl.col("reposts") > 0)).height)
    return out


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


def _mean(frame: pl.DataFrame, column: str) -> float | None:
    if frame.height == 0 or column not in frame.columns:
        return None
    value = frame[column].drop_nulls()
    return float(value.mean()) if value.len() else None


def _sum(frame: pl.DataFrame, column: str) -> float | None:
    if frame.height == 0 or column not in frame.columns:
        return None
    return float(frame[column].fill_null(0).sum())


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
    counts = participant_counts(snapshot, ids)
    flow = table_or_empty(snapshot, "session_flow", ids)
    reach = table_or_empty(snapshot, "reach", ids)
    engagement = table_or_empty(snapshot, "engagement", ids)
    single = selection.single
    several = len(ids) > 1

    split = new_and_returning(table_or_empty(snapshot, "signals", ids), ids)
    herding = _mean(flow, "herding_score")
    mid, low, high = (_sum(reach, c) for c in ("impressions_mid", "impressions_low", "impressions_high"))
    reply_share = (_sum(engagement, "replies") / counts["originals"]) if counts["originals"] else None
    shape_key = single or (ALL_SESSIONS if selection.mode == "all" else None)
    shape = (meta.get("shapes") or {}).get(shape_key) if shape_key else None

    cards = [
        kpi_card("Messages", fmt_int(counts["messages"]), id="ov-kpi-messages",
                 detail=f"{fmt_int(counts['originals'])} original · in the chat window"),
        kpi_card("Active participants", fmt_int(counts["active"]), id="ov-kpi-active",
                 detail=(f"+ {fmt_int(counts['pure_reposters'])} only reposted (not counted)"
                         + (" · each person once" if several else ""))),
        kpi_card("New · returning", f"{fmt_int(split['new'])} · {fmt_int(split['returning'])}", id="ov-kpi-new",
                 detail=f"of the {fmt_int(split['active'])} active: returning = active in an earlier session"
                        + (" (each person once)" if several else "")),
        kpi_card("Herding score", fmt_score(herding) + (" / 100" if herding is not None else ""),
                 id="ov-kpi-herding", detail="mean of the sessions" if several else "how well the chat followed "
                                                                                     "the agenda"),
        kpi_card("Reply share", fmt_pct(reply_share), id="ov-kpi-replies", detail="replies ÷ original messages"),
        kpi_card("Estimated impressions", fmt_int(mid), id="ov-kpi-impressions",
                 detail="measured: the platform's view counts" if low is not None and low == high
                 else f"range {fmt_int(low)} – {fmt_int(high)} (low – high exposure)"),
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
            section(None, graph(herding_gauge(herding, parts), id="ov-herding")),
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
