"""Follow-up: "the dialog is not over when the chat ends".

The moderator's to-do list (unanswered questions, newcomers nobody replied to, helpers to thank, people asking for
help), each linked to its message (on the platform where a safe URL can be built, else the message text is shown);
the follow-up window in numbers; ties that continued after the chat; and pay-it-forward stories (people who were
helped in earlier sessions and now help others).
"""

from __future__ import annotations

from typing import Any

import dash
import polars as pl
from dash import Input, Output, dcc, html

from dashboards.components.layout import (
    badge,
    card_grid,
    empty_state,
    keep_dates,
    kpi_card,
    no_chat_state,
    page_header,
    section,
)
from dashboards.components.links import external_link, message_link
from dashboards.components.table import Column, render_table
from dashboards.data import Selection, selected, session_title, table_or_empty
from moderator_kit.figures.theme import fmt_int
from moderator_kit.recap import build_recap
from moderator_kit.snapshot_store import Snapshot

__all__ = ["layout", "update", "todo_items", "followup_body", "recap_panel", "TODO_KINDS"]

dash.register_page(__name__, path="/follow-up", name="Follow-up", order=4, title="Follow-up · moderator-kit")

#: To-do kinds in the order a moderator works through them, with a heading and what to do.
TODO_KINDS = {
    "unanswered_question": ("Unanswered questions", "Nobody replied: answer, or ask someone who knows."),
    "newcomer_no_reply": ("Newcomers nobody replied to", "Welcome them: a first reply predicts that they return."),
    "help_seeker": ("People asking for help", "Check that they got what they needed."),
    "helper_to_thank": ("Helpers to thank", "They carried the conversation: say thank you."),
}
_MAX_PER_KIND = 25


def todo_items(snapshot: Snapshot, sessions: list[str], kinds: list[str] | None = None) -> pl.DataFrame:
    """To-do rows of the sessions (optionally some kinds) with the message's platform and time when known."""
    todo = table_or_empty(snapshot, "todo", sessions)
    if todo.height == 0:
        return todo
    if kinds is not None:
        todo = todo.filter(pl.col("kind").is_in(list(kinds)))
    messages = table_or_empty(snapshot, "messages", sessions)
    if messages.height and "message_id" in todo.columns:
        todo = todo.join(messages.select("message_id", "platform", "created_at").unique("message_id"),
                         on="message_id", how="left")
    else:
        todo = todo.with_columns(platform=pl.lit(None, pl.String), created_at=pl.lit(None, pl.Datetime("us", "UTC")))
    order = {k: i for i, k in enumerate(TODO_KINDS)}
    return todo.with_columns(_order=pl.col("kind").replace_strict(order, default=len(order), return_dtype=pl.Int64)
                             ).sort("_order", "session_id", "created_at", nulls_last=True).drop("_order")


def _todo_item(row: dict) -> html.Li:
    link = message_link(row.get("platform"), row.get("message_id"), row.get("handle"),
                        text="open message ↗")
    return html.Li(className="mk-todo", children=[
        html.Div(className="mk-item-head", children=[
            html.Span(f"@{row.get('handle') or 'unknown'}", className="mk-handle"),
            html.Span(row.get("session_id") or "", className="mk-item-meta"),
            html.Span(row.get("detail") or "", className="mk-item-meta"),
            link,
        ]),
        html.Div(row.get("text") or "", className="mk-item-text") if row.get("text") else None,
    ])


def _todo_section(items: pl.DataFrame) -> html.Div:
    if items.height == 0:
        return empty_state("Nothing to follow up", "No unanswered questions, unwelcomed newcomers or helpers to "
                                                   "thank in these sessions (or none of the kinds you picked).")
    groups = []
    for kind, (title, what) in {**TODO_KINDS, **{k: (k.replace("_", " ").capitalize(), "") for k in
                                                  items["kind"].unique().to_list() if k not in TODO_KINDS}}.items():
        part = items.filter(pl.col("kind") == kind)
        if part.height == 0:
            continue
        more = part.height - _MAX_PER_KIND
        groups.append(html.Div(className="mk-todo-group", id=f"fu-group-{kind}", children=[
            html.H3([title, " ", badge(fmt_int(part.height), "info")], className="mk-section-title"),
            html.P(what, className="mk-section-help") if what else None,
            html.Ul([_todo_item(r) for r in part.head(_MAX_PER_KIND).iter_rows(named=True)], className="mk-list"),
            html.P(f"… and {more:,} more: narrow the selection to fewer sessions.", className="mk-muted")
            if more > 0 else None,
        ]))
    return html.Div(groups, className="mk-stack")


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _stories(forward: pl.DataFrame) -> Any:
    if forward.height == 0:
        return html.P("No pay-it-forward stories yet: nobody who sought help in an earlier session has advised "
                      "others since (this needs several sessions).", className="mk-muted")
    items = []
    for row in forward.sort("first_advocate_session", "handle").iter_rows(named=True):
        sought = row.get("seeker_sessions") or []
        helped = row.get("advocate_sessions") or []
        items.append(html.Li([
            html.Span(f"@{row['handle']}", className="mk-handle"),
            *_as_list(keep_dates(f" asked for help in {len(sought)} session{'s' if len(sought) != 1 else ''} from "
            f"{row.get('first_seeker_session')}, then advised others in {len(helped)} session"
            f"{'s' if len(helped) != 1 else ''} from {row.get('first_advocate_session')}"
            + (f" ({row['sessions_between']} sessions later)." if row.get("sessions_between") is not None else "."))),
        ]))
    return html.Ul(items, className="mk-list", id="fu-forward")


def recap_panel(snapshot: Snapshot, session_id: str) -> html.Div:
    """The night's recap (:func:`moderator_kit.recap.build_recap`) as components: text is children, never HTML."""
    recap = build_recap(snapshot, session_id)
    blocks: list[Any] = []
    for q in recap.questions:
        items = [html.Li([
            external_link(a.url, f"@{a.handle}", class_name="mk-link mk-handle"),
            html.Span(f" {a.role.replace('_', ' ')}" + (" (borderline)" if a.strength == "borderline" else "")
                      + (f", community {a.community}" if a.community is not None else "")
                      + f", received {a.received}: ", className="mk-muted mk-small"),
            html.Q(a.text[:280]),
        ], **{"data-message": a.message_id}) for a in q.answers]
        blocks.append(html.Div(className="mk-recap-question", children=[
            html.H4(f"Q{q.number}. {q.text}"),
            html.Ul(items, className="mk-list") if items else html.P("No answers to quote.", className="mk-muted"),
        ]))
    left = [f"{n} {'promotional posts' if kind == 'promotional' else 'spam messages'}"
            for kind, n in recap.left_out.items() if n]
    if left:
        blocks.append(html.P(" and ".join(left) + " left out.", className="mk-muted", id="fu-recap-left-out"))
    if recap.newcomers:
        blocks.append(html.P("Welcome " + ", ".join(f"@{h}" for h in recap.newcomers) + "!"))
    if recap.thanked:
        blocks.append(html.P("Thank you " + ", ".join(f"@{h} ({n})" for h, n in recap.thanked) + "!"))
    if not blocks:
        blocks.append(html.P("Nothing to recap: no agenda questions were found in this session.", className="mk-muted"))
    return html.Div(blocks, id="fu-recap")


def followup_body(snapshot: Snapshot | None, selection: Selection, kinds: list[str] | None) -> list[Any]:
    if snapshot is None:
        return [no_chat_state()]
    ids = selection.ids
    if not ids:
        return [empty_state("No sessions in this chat", "Check the schedule in chat.yaml.")]
    follow = table_or_empty(snapshot, "follow_up", ids)
    thanks = table_or_empty(snapshot, "thanks", ids)
    recaps = table_or_empty(snapshot, "recaps", ids)
    ties = table_or_empty(snapshot, "ties", ids)
    items = todo_items(snapshot, ids, kinds)
    all_items = todo_items(snapshot, ids)

    def total(frame: pl.DataFrame, column: str) -> int | None:
        return int(frame[column].fill_null(0).sum()) if frame.height and column in frame.columns else None

    recap_count = int(recaps["recap"].fill_null(False).sum()) if recaps.height and "recap" in recaps.columns else 0
    cards = card_grid([
        kpi_card("To-do items", fmt_int(all_items.height), id="fu-kpi-todo",
                 detail=", ".join(f"{fmt_int(n)} {TODO_KINDS.get(k, (k,))[0].lower()}" for k, n in
                                  all_items.group_by("kind").len().sort("kind").iter_rows()) if all_items.height
                 else "nothing left to do"),
        kpi_card("Follow-up interactions", fmt_int(total(follow, "interactions")), id="fu-kpi-interactions",
                 detail=f"{fmt_int(total(follow, 'pairs'))} pairs talked after the chat (follow-up window)"),
        kpi_card("Thank-yous", fmt_int(thanks.height), id="fu-kpi-thanks", detail="messages thanking someone"),
        kpi_card("Continuing ties", fmt_int(ties.height), id="fu-kpi-ties",
                 detail="pairs who met here and spoke again later"),
        kpi_card("Moderator recaps", f"{recap_count} of {len(ids)}", id="fu-kpi-recaps",
                 detail="sessions with a recap post by a moderator"),
    ])
    tie_rows = ties.sort("later_interactions", "first_at", descending=[True, False]).head(25) if ties.height else ties
    tie_table = render_table("fu-ties", tie_rows, [
        Column("a", "Person", sortable=False, render=lambda r: html.Span(f"@{r['a']}", className="mk-handle")),
        Column("b", "and", sortable=False, render=lambda r: html.Span(f"@{r['b']}", className="mk-handle")),
        Column("session_id", "Met in", sortable=False),
        Column("later_interactions", "Later interactions", kind="int", sortable=False),
        Column("later_sessions", "Spoke again in", kind="list", sortable=False,
               render=lambda r: ", ".join((r.get("later_sessions") or [])[:4])
               + (" …" if len(r.get("later_sessions") or []) > 4 else "")),
    ], pager=False, empty="No ties continued after these sessions yet.")
    forward = table_or_empty(snapshot, "forward")
    recap_session = selection.single or ids[-1]
    return [
        cards,
        html.Div(className="mk-grid-main mk-row-gap", children=[
            section("Moderator's to-do list", _todo_section(items),
                    help="Linked to the message on its platform where a safe link exists (X/Twitter, Bluesky); "
                         "otherwise the message text is shown."),
            html.Div(className="mk-stack", children=[
                section("Pay it forward", _stories(forward),
                        help="Seekers of earlier sessions who later acted as advocates (whole chat)."),
                section("Continuing ties", tie_table,
                        help="Pairs who first interacted in the selected sessions and spoke again later."),
            ]),
        ]),
        section(f"Recap of {recap_session}", recap_panel(snapshot, recap_session),
                help="The night's best answers per question (advocates first, then by replies, likes, reposts and "
                     "thank-yous), with promotion and spam left out. 'moderator-kit recap' writes it as Markdown, "
                     "HTML or a thread."),
    ]


def layout(**_query: str) -> html.Div:
    return html.Div([
        html.Div(id="fu-header", children=page_header("Follow-up")),
        section(None, html.Div(className="mk-controls", children=[
            html.Span("Show", className="mk-control-label"),
            dcc.Checklist(id="fu-kinds", options=[{"label": t, "value": k} for k, (t, _) in TODO_KINDS.items()],
                          value=list(TODO_KINDS), inline=True, className="mk-radio-inline"),
        ])),
        dcc.Loading(html.Div(id="fu-body"), type="dot", delay_show=400),
    ])


@dash.callback(Output("fu-header", "children"), Output("fu-body", "children"), Input("mk-selection", "data"),
               Input("fu-kinds", "value"))
def update(stored: dict | None, kinds: list[str] | None):
    snapshot, selection = selected(stored)
    if snapshot is None:
        return page_header("Follow-up", "What to do after the chat"), followup_body(None, selection, kinds)
    header = page_header("Follow-up", f"{snapshot.meta.get('title') or snapshot.chat} · "
                                      f"{session_title(snapshot, selection)}")
    return header, followup_body(snapshot, selection, kinds)
