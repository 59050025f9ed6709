"""Network: who talked to whom — the interaction graph, its shape, and a time replay.

Nodes are sized by PageRank and coloured by community or role; edge types (reply, mention, repost, quote) can be
switched off. Positions come from the snapshot's ``nodes`` table (computed at analysis time for the latest sessions,
else laid out once on first view and cached: ``moderator_kit.snapshot.nodes_with_layout``) and only the
strongest edges the snapshot kept (at most 10k per session) are sent to the browser. The **replay** slider grows the graph interaction by interaction from the snapshot's ``interactions`` table.
The graph can be downloaded as GraphML or GEXF (built from the snapshot's messages of that session).
"""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

import dash
import polars as pl
from dash import Input, Output, State, dcc, html

from dashboards.components.layout import (
    empty_state,
    graph,
    no_chat_state,
    page_header,
    section,
)
from dashboards.components.table import Column, render_table
from dashboards.data import Selection, selected, session_labels, table_or_empty
from moderator_kit.figures.network import EDGE_LABELS, EDGE_TYPES, network_figure
from moderator_kit.figures.theme import fmt_int, fmt_num, fmt_pct, role_label
from moderator_kit.graph_file import write_scope_graph
from moderator_kit.snapshot import ALL_SESSIONS, network_at, replay_steps
from moderator_kit.snapshot_store import Snapshot

__all__ = ["layout", "on_selection", "on_scope", "draw", "download", "scope_options", "graph_file"]

dash.register_page(__name__, path="/network", name="Network", order=2, title="Network · moderator-kit")

_EDGE_OPTIONS = [{"label": EDGE_LABELS[t], "value": t} for t in EDGE_TYPES]
_COLOR_OPTIONS = [{"label": "Community", "value": "community"}, {"label": "Role", "value": "role"}]


def scope_options(snapshot: Snapshot, selection: Selection) -> tuple[list[dict], str | None]:
    """The graphs one can look at for a selection (its sessions and the cumulative graph), and the default."""
    sessions = table_or_empty(snapshot, "sessions")
    if sessions.height == 0:
        return [], None
    labels = {o["value"]: o["label"] for o in session_labels(sessions)}
    options = [{"label": labels.get(s, s), "value": s} for s in selection.sessions]
    options.append({"label": "All sessions (cumulative)", "value": ALL_SESSIONS})
    default = selection.single or (ALL_SESSIONS if selection.mode == "all" else selection.last)
    return options, default


def _marks(steps: pl.DataFrame, start: datetime | None) -> dict[int, str]:
    total = steps.height
    if total == 0:
        return {0: "start"}
    marks: dict[int, str] = {}
    for i in range(5):
        index = round(total * i / 4)
        if index >= total:
            marks[total] = "end"
            continue
        at = steps["created_at"][index]
        if start is not None and at is not None:
            minutes = int((at - start).total_seconds() // 60)
            marks[index] = f"{'+' if minutes >= 0 else ''}{minutes} min"
        else:
            marks[index] = f"#{index}"
    marks[0] = "start"
    return marks


def _scope_start(snapshot: Snapshot, scope: str, steps: pl.DataFrame) -> datetime | None:
    """When the replay's clock starts: the session's start, or the first interaction of the whole chat."""
    if scope != ALL_SESSIONS:
        sessions = table_or_empty(snapshot, "sessions", [scope])
        return sessions["start"][0] if sessions.height and "start" in sessions.columns else None
    return steps["created_at"][0] if steps.height else None


def _clock(at: datetime | None, start: datetime | None) -> str:
    """'+12:05 into the chat' (or the UTC time when the start is unknown)."""
    if at is None:
        return ""
    if start is None:
        return f" (up to {at:%Y-%m-%d %H:%M} UTC)"
    seconds = int((at - start).total_seconds())
    sign = "-" if seconds < 0 else "+"
    minutes, secs = divmod(abs(seconds), 60)
    return f" (up to {sign}{minutes}:{secs:02d} after the start)" if minutes < 600 else \
        f" (up to {at:%Y-%m-%d %H:%M} UTC)"


def _shape_panel(snapshot: Snapshot, scope: str) -> list[Any]:
    shapes = snapshot.meta.get("shapes") or {}
    shape = shapes.get(scope) or {}
    metrics = table_or_empty(snapshot, "graph_metrics")
    row = metrics.filter(pl.col("session_id") == scope).row(0, named=True) if metrics.height and (
        metrics["session_id"] == scope).any() else {}
    name = shape.get("shape") or row.get("shape")
    rule = shape.get("rule") or row.get("shape_rule")
    if not name:
        return [html.P("No shape: this graph has no interactions.", className="mk-muted")]
    interactions = replay_steps(snapshot, scope).height
    facts = [
        ("People", fmt_int(row.get("nodes"))), ("Interactions", fmt_int(interactions)),
        ("Ties (pairs who interacted)", fmt_int(row.get("edges"))),
        ("Density", fmt_num(row.get("density"), 3)), ("Reciprocity", fmt_pct(row.get("reciprocity"))),
        ("Modularity", fmt_num(row.get("modularity"), 2)), ("Communities (2+ people)", fmt_int(row.get("communities"))),
        ("Moderator centralization", fmt_num(row.get("moderator_centralization"), 2)),
        ("Isolates (no community)", fmt_int(row.get("isolates"))),
    ]
    return [
        html.Div(className="mk-shape", children=[html.Div([
            html.Div(str(name), className="mk-shape-name", id="net-shape-name"),
            html.Div(["Rule: ", str(rule or "—")], className="mk-shape-rule", id="net-shape-rule"),
        ])]),
        html.P("One of the six shapes of the Pew Research / Social Media Research Foundation study (Smith et al. "
               "2014).", className="mk-muted mk-small"),
        html.Dl([x for k, v in facts for x in (html.Dt(k), html.Dd(v))], className="mk-kv"),
    ]


def _top_people(snapshot: Snapshot, scope: str) -> html.Div:
    nodes = table_or_empty(snapshot, "nodes")
    if nodes.height == 0:
        return html.Div()
    nodes = nodes.filter(pl.col("session_id") == scope).sort("pagerank", descending=True, nulls_last=True).head(10)
    roles = table_or_empty(snapshot, "roles")
    if roles.height:
        roles = roles.filter(pl.col("session_id") == scope) if scope != ALL_SESSIONS else roles.filter(
            pl.col("session_id").is_null())
        nodes = nodes.join(roles.select("handle", "primary_role"), on="handle", how="left")
    columns = [
        Column("handle", "Person", sortable=False, render=lambda r: html.Span(f"@{r['handle']}",
                                                                               className="mk-handle")),
        Column("primary_role", "Role", sortable=False, render=lambda r: role_label(r.get("primary_role")) if
               r.get("primary_role") else "—"),
        Column("pagerank", "PageRank", kind="num", sortable=False,
               render=lambda r: fmt_num(r.get("pagerank"), 3)),
        Column("in_degree", "In", kind="int", sortable=False),
        Column("out_degree", "Out", kind="int", sortable=False),
        Column("community", "Community", kind="int", sortable=False),
    ]
    return render_table("net-top", nodes, columns, pager=False)


def layout(**_query: str) -> html.Div:
    return html.Div([
        html.Div(id="net-header", children=page_header(
            "Network", "Who replied to, mentioned, reposted or quoted whom",
            actions=[
                html.Button("⬇ GraphML", id="net-dl-graphml", n_clicks=0, className="mk-button",
                            title="Download the graph for Gephi, Cytoscape or yEd"),
                html.Button("⬇ GEXF", id="net-dl-gexf", n_clicks=0, className="mk-button",
                            title="Download the graph for Gephi"),
            ])),
        dcc.Download(id="net-download"),
        html.Div(id="net-empty"),
        html.Div(id="net-content", children=[
            section(None, [
                html.Div(className="mk-controls", children=[
                    html.Div(className="mk-control", children=[
                        html.Label("Graph of", htmlFor="net-scope", className="mk-control-label"),
                        html.Div(dcc.Dropdown(id="net-scope", options=[], clearable=False, searchable=False),
                                 className="mk-dropdown"),
                    ]),
                    html.Div(className="mk-control", children=[
                        html.Span("Edges", className="mk-control-label"),
                        dcc.Checklist(id="net-edge-types", options=_EDGE_OPTIONS, value=list(EDGE_TYPES),
                                      inline=True, className="mk-radio-inline"),
                    ]),
                    html.Div(className="mk-control", children=[
                        html.Span("Colour by", className="mk-control-label"),
                        dcc.RadioItems(id="net-color", options=_COLOR_OPTIONS, value="community", inline=True,
                                       className="mk-radio-inline"),
                    ]),
                ]),
                html.Div(className="mk-slider-wrap", children=[
                    html.Span("Replay: grow the graph interaction by interaction", className="mk-control-label"),
                    dcc.Slider(id="net-replay", min=0, max=1, step=1, value=1, marks=None,
                               updatemode="mouseup", className="mk-slider"),
                    html.Div(id="net-replay-status", className="mk-replay-status", **{"aria-live": "polite"}),
                ]),
                dcc.Loading(graph({}, id="net-graph", height=640), type="dot", delay_show=500),
            ]),
            html.Div(className="mk-grid-2", children=[
                section("Conversation shape", html.Div(id="net-shape")),
                section("Most central people", html.Div(id="net-top"),
                        help="By PageRank in this graph: whose messages the conversation flowed to."),
            ]),
        ]),
    ])


@dash.callback(Output("net-scope", "options"), Output("net-scope", "value"), Output("net-empty", "children"),
               Output("net-content", "style"), Input("mk-selection", "data"))
def on_selection(stored: dict | None):
    """The choice of graphs for the selection (and the empty state when there is nothing to draw)."""
    snapshot, selection = selected(stored)
    if snapshot is None:
        return [], None, no_chat_state(), {"display": "none"}
    options, default = scope_options(snapshot, selection)
    if not options:
        return [], None, empty_state("No sessions in this chat", "Check the schedule in chat.yaml and run "
                                     "'moderator-kit analyze' again."), {"display": "none"}
    return options, default, None, {}


@dash.callback(Output("net-replay", "max"), Output("net-replay", "value"), Output("net-replay", "marks"),
               Output("net-shape", "children"), Output("net-top", "children"),
               Input("net-scope", "value"), State("mk-selection", "data"))
def on_scope(scope: str | None, stored: dict | None):
    """A new graph: the replay slider spans its interactions (starting at the end: the full graph)."""
    snapshot, _ = selected(stored)
    if snapshot is None or not scope:
        return 1, 1, None, None, None
    steps = replay_steps(snapshot, scope)
    start = _scope_start(snapshot, scope, steps)
    total = max(steps.height, 1)
    return total, total, _marks(steps, start), _shape_panel(snapshot, scope), _top_people(snapshot, scope)


@dash.callback(Output("net-graph", "figure"), Output("net-replay-status", "children"),
               Input("net-scope", "value"), Input("net-edge-types", "value"), Input("net-color", "value"),
               Input("net-replay", "value"), State("mk-selection", "data"))
def draw(scope: str | None, edge_types: list[str] | None, color_by: str | None, step: int | None,
         stored: dict | None):
    """The network figure for the scope, edge types, colouring and replay step."""
    snapshot, _ = selected(stored)
    if snapshot is None or not scope:
        return {}, ""
    view = network_at(snapshot, scope, step)
    nodes, edges, shown, total = view.nodes, view.edges, view.shown, view.total
    roles = table_or_empty(snapshot, "roles")
    types = [t for t in (edge_types or []) if t in EDGE_TYPES]
    title = "Interaction network — " + ("all sessions" if scope == ALL_SESSIONS else scope)
    if not types:
        from moderator_kit.figures.theme import empty_figure
        return empty_figure(title, "No edge type selected — tick replies, mentions, reposts or quotes above."), ""
    figure = network_figure(nodes, edges, color_by=color_by or "community", edge_types=types, roles=roles,
                            session_id=scope, title=title)
    _hold_still(figure, network_at(snapshot, scope).nodes if not view.complete else nodes, scope)
    if total == 0:
        status = "No interactions to replay in this graph."
    elif shown >= total:
        status = f"The whole graph: all {total:,} interactions. Drag the slider back to replay the chat " \
                 "interaction by interaction."
    elif shown == 0:
        status = f"Replay: the start, before any of the {total:,} interactions. Move the slider right to watch " \
                 "the graph grow."
    else:
        steps = view.steps
        when = _clock(steps["created_at"][shown - 1], _scope_start(snapshot, scope, steps))
        status = f"Replay: the first {shown:,} of {total:,} interactions{when} · {nodes.height:,} people so far."
    return figure, status


def _hold_still(figure: Any, nodes: pl.DataFrame, scope: str) -> None:
    """Keep the axes of the whole graph (``nodes``: all its people) while replaying (people stay where they are as
    the graph grows), and keep the user's zoom across replay steps and filters of the same graph (``uirevision``)."""
    if nodes.height == 0 or "x" not in nodes.columns or (figure.layout.meta or {}).get("empty"):
        return
    extent = nodes.select(
        pl.col("x").min().alias("x0"), pl.col("x").max().alias("x1"),
        pl.col("y").min().alias("y0"), pl.col("y").max().alias("y1")).row(0)
    if any(v is None for v in extent):
        return
    x0, x1, y0, y1 = extent
    pad_x, pad_y = max(0.08 * (x1 - x0), 0.05), max(0.08 * (y1 - y0), 0.05)
    figure.update_layout(xaxis_range=[x0 - pad_x, x1 + pad_x], yaxis_range=[y0 - pad_y, y1 + pad_y],
                         uirevision=f"network-{scope}")


def graph_file(snapshot: Snapshot, scope: str, fmt: str, folder: Path) -> Path:
    """Write the scope's graph with its node metrics as GraphML or GEXF (the ``export-graph`` command's file)."""
    name = f"{snapshot.chat}-{'all-sessions' if scope == ALL_SESSIONS else scope}.{fmt}"
    return write_scope_graph(snapshot, scope, fmt, folder / name)[0]


@dash.callback(Output("net-download", "data"), Input("net-dl-graphml", "n_clicks"), Input("net-dl-gexf", "n_clicks"),
               State("net-scope", "value"), State("mk-selection", "data"), prevent_initial_call=True)
def download(_graphml: int, _gexf: int, scope: str | None, stored: dict | None):
    """Send the graph file the user asked for.

    ``scope`` comes from the request: only the snapshot's own session ids (or the cumulative graph) are accepted,
    so it can never steer the file path.
    """
    import re

    snapshot, _ = selected(stored)
    if snapshot is None or not isinstance(scope, str) or not scope:
        return dash.no_update
    # session ids are dates and counters; anything else never becomes part of a file name
    if scope != ALL_SESSIONS and (scope not in snapshot.session_ids()
                                  or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,80}", scope)):
        return dash.no_update
    fmt = "gexf" if dash.ctx.triggered_id == "net-dl-gexf" else "graphml"
    with tempfile.TemporaryDirectory() as folder:
        path = graph_file(snapshot, scope, fmt, Path(folder))
        content = path.read_bytes()
    return dcc.send_bytes(content, path.name)
