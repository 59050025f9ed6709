"""Participants: who carried the chat — a sortable, filterable table with each person's role and the reasons behind
it, answers, replies given and received, and sessions attended; click a person for their history across sessions.

One session: that session's roles and signals. Several: signals summed over the selected sessions and, for all
sessions, the chat-history roles (for a range, each person's role in the last selected session they took part in).
"""

from __future__ import annotations

from typing import Any

import dash
import polars as pl
from dash import ALL, Input, Output, State, dcc, html

from dashboards.components.layout import empty_state, graph, keep_dates, no_chat_state, page_header, section
from dashboards.components.table import PAGE_TYPE, SORT_TYPE, Column, next_page, next_sort, render_table, sort_and_page
from dashboards.data import Selection, selected, session_title, table_or_empty
from moderator_kit.figures.people import participant_history_chart
from moderator_kit.figures.theme import ROLE_ORDER, fmt_int, role_label
from moderator_kit.snapshot_store import Snapshot

__all__ = ["layout", "render", "controls", "pick_person", "show_person", "participants_frame", "filter_people",
           "person_panel", "sensitivity_table", "show_sensitivity", "PAGE_SIZE"]

dash.register_page(__name__, path="/participants", name="Participants", order=3,
                   title="Participants · moderator-kit")

PAGE_SIZE = 25
TABLE_ID = "participants"
_SUMMED = ["messages", "originals", "reposts", "answers", "replies_given", "replies_received", "mentions_received",
           "distinct_advised", "help_requests", "thank_yous"]


def participants_frame(snapshot: Snapshot, selection: Selection) -> pl.DataFrame:
    """One row per person of the selection: role, labels, reasons, summed signals, sessions attended."""
    ids = selection.ids
    signals = table_or_empty(snapshot, "signals", ids)
    roles = table_or_empty(snapshot, "roles")
    history = table_or_empty(snapshot, "history")
    if signals.height == 0:
        return pl.DataFrame()
    present = [c for c in _SUMMED if c in signals.columns]
    people = signals.group_by("handle").agg(
        *[pl.col(c).fill_null(0).sum().alias(c) for c in present],
        sessions_here=pl.col("active").fill_null(False).sum().cast(pl.Int64) if "active" in signals.columns
        else pl.len().cast(pl.Int64),
    )
    if roles.height:
        if selection.single:
            chosen = roles.filter(pl.col("session_id") == selection.single)
        elif selection.mode == "all" and roles["session_id"].null_count():
            chosen = roles.filter(pl.col("session_id").is_null())
        else:
            chosen = (roles.filter(pl.col("session_id").is_in(ids)).sort("session_id")
                      .group_by("handle", maintain_order=True).last())
        people = people.join(chosen.select("handle", "primary_role", "labels", "reasons",
                                           *[c for c in ("strength",) if c in chosen.columns]), on="handle", how="left")
    for name, dtype in (("primary_role", pl.String), ("labels", pl.List(pl.String)), ("reasons", pl.List(pl.String)),
                        ("strength", pl.String)):
        if name not in people.columns:
            people = people.with_columns(pl.lit(None, dtype=dtype).alias(name))
    if history.height and "sessions_attended" in history.columns:
        people = people.join(history.select("handle", "sessions_attended", "first_session", "last_session"),
                             on="handle", how="left")
    else:
        people = people.with_columns(sessions_attended=pl.lit(None, pl.Int64), first_session=pl.lit(None, pl.String),
                                     last_session=pl.lit(None, pl.String))
    return people.with_columns(primary_role=pl.col("primary_role").fill_null("participant")).sort(
        "answers" if "answers" in people.columns else "handle", "handle", descending=[True, False])


def filter_people(frame: pl.DataFrame, text: str | None, roles: list[str] | None) -> pl.DataFrame:
    """Rows whose handle, role or reasons contain ``text`` (case-insensitive, literal) and whose role is in ``roles``.

    >>> import polars as pl
    >>> f = pl.DataFrame({"handle": ["ann", "bob"], "primary_role": ["advocate", "seeker"],
    ...                   "reasons": [["advocate: replied to 5 people"], []]})
    >>> filter_people(f, "REPLIED", None)["handle"].to_list(), filter_people(f, "", ["seeker"])["handle"].to_list()
    (['ann'], ['bob'])
    """
    if frame.height == 0:
        return frame
    if roles:
        frame = frame.filter(pl.col("primary_role").is_in(roles))
    needle = (text or "").strip().lower().lstrip("@")
    if needle:
        haystack = pl.concat_str([
            pl.col("handle").fill_null(""), pl.col("primary_role").fill_null(""),
            pl.col("reasons").list.join(" ").fill_null("") if "reasons" in frame.columns else pl.lit(""),
        ], separator=" ").str.to_lowercase()
        frame = frame.filter(haystack.str.contains(needle, literal=True))
    return frame


def _columns() -> list[Column]:
    return [
        Column("handle", "Person", render=lambda r: html.Button(
            f"@{r['handle']}", id={"type": "part-person", "handle": str(r["handle"])[:200]}, n_clicks=0,
            className="mk-link-button mk-handle", title="Show this person's history")),
        Column("primary_role", "Role", render=lambda r: role_label(r.get("primary_role"))),
        # clear: the label holds with every threshold one step stricter; borderline: it would not
        Column("strength", "Strength", render=lambda r: html.Span(
            r.get("strength") or "—", className=f"mk-strength mk-strength-{r.get('strength') or 'none'}",
            title="clear: still holds with every threshold one step stricter; borderline: would not")),
        Column("reasons", "Why", sortable=False, render=lambda r: html.Ul(
            [html.Li(keep_dates(x)) for x in (r.get("reasons") or [])[:4]], className="mk-reasons")
            if r.get("reasons")
            else html.Span("no label signals", className="mk-muted mk-small")),
        Column("answers", "Answers", kind="int"),
        Column("replies_given", "Replies given", kind="int"),
        Column("replies_received", "Replies received", kind="int"),
        Column("mentions_received", "Mentions", kind="int"),
        Column("sessions_here", "Sessions here", kind="int"),
        Column("sessions_attended", "Sessions in all", kind="int"),
    ]


def person_panel(snapshot: Snapshot | None, handle: str | None) -> list[Any]:
    """One participant's history: signals per session as a chart, and their role with reasons per session."""
    if snapshot is None:
        return []
    if not handle:
        return [html.P("Click a person in the table to see their history across sessions.", className="mk-muted")]
    signals = table_or_empty(snapshot, "signals")
    signals = signals.filter(pl.col("handle") == handle) if signals.height else signals
    if signals.height == 0:  # e.g. a person of another chat, before the picker switched
        return [html.P("Click a person in the table to see their history across sessions.", className="mk-muted")]
    roles = table_or_empty(snapshot, "roles")
    roles = roles.filter(pl.col("handle") == handle) if roles.height else roles
    messages = table_or_empty(snapshot, "messages")
    name = None
    if messages.height:
        names = messages.filter(pl.col("author_handle") == handle)["author_name"].drop_nulls()
        name = names[-1] if names.len() else None
    chart = participant_history_chart(signals, handle=handle)
    rows = []
    if roles.height:
        for row in roles.filter(pl.col("session_id").is_not_null()).sort("session_id").iter_rows(named=True):
            rows.append(html.Li([
                html.Span(row["session_id"], className="mk-item-meta"), " ",
                html.Strong(role_label(row.get("primary_role"))),
                html.Ul([html.Li(keep_dates(x)) for x in (row.get("reasons") or [])], className="mk-reasons")
                if row.get("reasons") else None,
            ]))
        overall = roles.filter(pl.col("session_id").is_null())
    else:
        overall = roles
    head = [html.H3([f"@{handle}", html.Span(f" · {name}" if name else "", className="mk-muted")],
                    className="mk-section-title", id="part-person-title")]
    if overall.height:
        row = overall.row(0, named=True)
        head.append(html.P(["Across the chat: ", html.Strong(role_label(row.get("primary_role"))),
                            keep_dates(". " + "; ".join(row.get("reasons") or []))], className="mk-small"))
    return [*head, html.Div(className="mk-grid-main", children=[
        graph(chart, id="part-history-chart"),
        html.Div([html.H4("Role per session", className="mk-section-title"),
                  html.Ul(rows, className="mk-list") if rows else html.P("No sessions.", className="mk-muted")],
                 style={"maxHeight": "460px", "overflowY": "auto"}),
    ])]


def layout(**_query: str) -> html.Div:
    role_options = [{"label": role_label(r), "value": r} for r in ROLE_ORDER if r != "unknown"]
    return html.Div([
        html.Div(id="part-header", children=page_header("Participants")),
        dcc.Store(id="part-sort", data={"column": "answers", "descending": True}),
        dcc.Store(id="part-page", data=0),
        dcc.Store(id="part-pages", data=1),
        dcc.Store(id="part-person"),
        dcc.Store(id="part-scroll"),
        section("Participant history", html.Div(id="part-history"), id="part-history-section"),
        section(None, [
            html.Div(className="mk-controls", children=[
                html.Div(className="mk-control", children=[
                    html.Label("Find", htmlFor="part-filter", className="mk-control-label"),
                    dcc.Input(id="part-filter", type="search", debounce=0.3, className="mk-input",
                              placeholder="handle, role or reason…", autoComplete="off"),
                ]),
                html.Div(className="mk-control", children=[
                    html.Label("Roles", htmlFor="part-roles", className="mk-control-label"),
                    html.Div(dcc.Dropdown(id="part-roles", options=role_options, multi=True,
                                          placeholder="all roles"), className="mk-dropdown",
                             style={"minWidth": "320px"}),
                ]),
                html.Span(id="part-count", className="mk-muted"),
            ]),
            dcc.Loading(html.Div(id="part-table"), type="dot", delay_show=400),
        ]),
        section("How stable are the labels", html.Div(id="part-sensitivity"),
                help="For each label and threshold of its rule: the (session, person) rows that keep the label when "
                     "the threshold moves one step lower or higher (whole chat, session level)."),
    ])


def sensitivity_table(snapshot: Snapshot | None) -> Any:
    """The snapshot's ``role_sensitivity`` table (people keeping each label when a threshold moves one step)."""
    frame = table_or_empty(snapshot, "role_sensitivity") if snapshot is not None else pl.DataFrame()
    if frame.height == 0:
        return html.P("No sensitivity table in this snapshot: re-run 'moderator-kit analyze'.", className="mk-muted")
    return render_table("part-sens", frame, [
        Column("label", "Label", sortable=False, render=lambda r: role_label(r["label"])),
        Column("threshold", "Threshold", sortable=False),
        Column("value", "Value", sortable=False, render=lambda r: f"{r['value']:g}"),
        Column("people", "People", kind="int", sortable=False),
        Column("kept_lower", "Kept one step lower", sortable=False,
               render=lambda r: f"{r['lower']:g}: {r['kept_lower']} (+{r['gained_lower']})"),
        Column("kept_higher", "Kept one step higher", sortable=False,
               render=lambda r: f"{r['higher']:g}: {r['kept_higher']} (+{r['gained_higher']})"),
    ], pager=False, empty="No labels with thresholds.")


@dash.callback(Output("part-sensitivity", "children"), Input("mk-selection", "data"))
def show_sensitivity(stored: dict | None):
    snapshot, _ = selected(stored)
    return sensitivity_table(snapshot)


@dash.callback(Output("part-sort", "data"), Output("part-page", "data"),
               Input({"type": SORT_TYPE, "table": TABLE_ID, "column": ALL}, "n_clicks"),
               Input({"type": PAGE_TYPE, "table": TABLE_ID, "step": ALL}, "n_clicks"),
               Input("part-filter", "value"), Input("part-roles", "value"), Input("mk-selection", "data"),
               State("part-sort", "data"), State("part-page", "data"), State("part-pages", "data"),
               prevent_initial_call=True)
def controls(_sorts, _pages, _text, _roles, _stored, sort: dict | None, page: int | None, pages: int | None):
    """Header clicks sort (again: reverse), pager clicks turn pages; a new filter or selection goes to page 1."""
    trigger = dash.ctx.triggered_id
    clicked = any(t.get("value") for t in dash.ctx.triggered)
    if isinstance(trigger, dict) and trigger.get("type") == SORT_TYPE:
        return (next_sort(sort, trigger["column"]), 0) if clicked else (dash.no_update, dash.no_update)
    if isinstance(trigger, dict) and trigger.get("type") == PAGE_TYPE:
        return (dash.no_update, next_page(page, trigger["step"], pages)) if clicked else (dash.no_update,
                                                                                           dash.no_update)
    return dash.no_update, 0


@dash.callback(Output("part-header", "children"), Output("part-table", "children"), Output("part-pages", "data"),
               Output("part-count", "children"),
               Input("mk-selection", "data"), Input("part-filter", "value"), Input("part-roles", "value"),
               Input("part-sort", "data"), Input("part-page", "data"))
def render(stored: dict | None, text: str | None, roles: list[str] | None, sort: dict | None, page: int | None):
    """The table page for the selection, filters, sort and page."""
    snapshot, selection = selected(stored)
    if snapshot is None:
        return page_header("Participants", "Who carried the chat"), no_chat_state(), 1, ""
    header = page_header("Participants", f"{snapshot.meta.get('title') or snapshot.chat} · "
                                         f"{session_title(snapshot, selection)}")
    people = participants_frame(snapshot, selection)
    if people.height == 0:
        return header, empty_state("No participants", "No messages from people in the selected sessions."), 1, ""
    shown = filter_people(people, text, roles)
    rows, pages = sort_and_page(shown, sort, page=page or 0, page_size=PAGE_SIZE)
    current = min(max(0, page or 0), pages - 1)
    table = render_table(TABLE_ID, rows, _columns(), sort=sort, page=current, pages=pages, total=shown.height,
                         empty="Nobody matches these filters.")
    count = f"{fmt_int(shown.height)} of {fmt_int(people.height)} people"
    return header, table, pages, count


@dash.callback(Output("part-person", "data"), Input({"type": "part-person", "handle": ALL}, "n_clicks"),
               prevent_initial_call=True)
def pick_person(_clicks):
    trigger = dash.ctx.triggered_id
    if not isinstance(trigger, dict) or not any(t.get("value") for t in dash.ctx.triggered):
        return dash.no_update
    return trigger["handle"]


# the history is drawn above the table: scroll it into view when a person is picked (assets/moderator_kit.js)
dash.clientside_callback(
    dash.ClientsideFunction(namespace="mk", function_name="showHistory"),
    Output("part-scroll", "data"), Input("part-person", "data"), prevent_initial_call=True,
)


@dash.callback(Output("part-history", "children"), Input("part-person", "data"), Input("mk-selection", "data"))
def show_person(handle: str | None, stored: dict | None):
    snapshot, _ = selected(stored)
    return person_panel(snapshot, handle)
