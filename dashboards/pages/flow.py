"""Agenda flow: did the conversation follow the agenda ("herding cats")?

The signature chart (share of messages per question, minute by minute, with planned and posted question times), the
per-question table (answers, answerers, latency, spill-over, lateness), the pacing suggestions, and — on clicking a
question — the list of its answers from the snapshot's ``messages`` table. One session at a time: with several
sessions selected the page shows the last one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import dash
import polars as pl
from dash import ALL, Input, Output, State, dcc, html

from dashboards.components.layout import (
    badge,
    empty_state,
    graph,
    no_chat_state,
    note,
    page_header,
    section,
)
from dashboards.components.links import message_link
from dashboards.components.table import Column, render_table
from dashboards.data import Selection, selected, session_title, table_or_empty
from moderator_kit.figures.flow import flow_chart, herding_gauge
from moderator_kit.figures.theme import fmt_int, fmt_num, fmt_pct
from moderator_kit.people.perspective import VERDICT_LABELS
from moderator_kit.snapshot_store import Snapshot

__all__ = ["layout", "update", "pick_question", "show_answers", "flow_body", "answers_panel", "answers_of",
           "show_all_answers", "MAX_ANSWERS", "ALL_ANSWERS"]

dash.register_page(__name__, path="/flow", name="Agenda flow", order=1, title="Agenda flow · moderator-kit")

#: Answers listed at first for one question (a button shows all, up to :data:`ALL_ANSWERS`).
MAX_ANSWERS = 100
ALL_ANSWERS = 2000

_METHODS = {
    "tag": ("tagged", "ok"),
    "thread": ("in thread", "info"),
    "quote": ("quote", "info"),
    "repost": ("repost", ""),
    "time": ("by time · inferred", "warn"),
}


def _offset(at: datetime | None, start: datetime | None) -> str:
    """'+12:15' (minutes:seconds since the chat started) or '—'."""
    if at is None or start is None:
        return "—"
    seconds = int(round((at - start).total_seconds()))
    sign = "-" if seconds < 0 else "+"
    minutes, secs = divmod(abs(seconds), 60)
    return f"{sign}{minutes}:{secs:02d}"


def _session_start(snapshot: Snapshot, session_id: str) -> datetime | None:
    sessions = table_or_empty(snapshot, "sessions", [session_id])
    return sessions["start"][0] if sessions.height and "start" in sessions.columns else None


def answers_of(snapshot: Snapshot, session_id: str, question: int) -> pl.DataFrame:
    """The messages assigned to a question as answers, in time order (reposts of answers included: the
    ``questions`` table counts the originals)."""
    messages = table_or_empty(snapshot, "messages", [session_id])
    if messages.height == 0 or "question" not in messages.columns:
        return messages.clear() if messages.width else messages
    return (messages.filter((pl.col("question") == question) & (pl.col("category") == "answer"))
            .sort("created_at", "message_id"))


def answers_panel(snapshot: Snapshot | None, session_id: str | None, question: int | None, *,
                  limit: int = MAX_ANSWERS) -> list[Any]:
    """The answers of one question as a list (text shown as text; a link where the platform has a safe URL)."""
    if snapshot is None or session_id is None:
        return []
    if question is None:
        return [html.P("Click a question in the table (Q1, Q2…) to list its answers here.", className="mk-muted")]
    answers = answers_of(snapshot, session_id, question)
    questions = table_or_empty(snapshot, "questions", [session_id]).filter(pl.col("question") == question)
    text = questions["text"][0] if questions.height and "text" in questions.columns else None
    start = _session_start(snapshot, session_id)
    reposts = int((answers["kind"] == "repost").sum()) if answers.height and "kind" in answers.columns else 0
    originals = answers.height - reposts
    title = f"Q{question} — {fmt_int(originals)} answer{'s' if originals != 1 else ''}"
    if reposts:
        title += f" (+ {fmt_int(reposts)} repost{'s' if reposts != 1 else ''})"
    head = html.Div(className="mk-answers-head", children=[
        html.H3(title, id="flow-answers-title", className="mk-section-title"),
        html.P(text, className="mk-section-help") if text else None,
    ])
    if answers.height == 0:
        return [head, empty_state("No answers to this question",
                                  "Nobody's message was assigned to it: no 'A" + str(question) + "' tags, replies "
                                  "in its thread or messages while it was current.")]
    items = []
    for row in answers.head(limit).iter_rows(named=True):
        label, kind = _METHODS.get(row.get("method") or "", (row.get("method") or "", ""))
        who = [html.Span(f"@{row.get('author_handle') or 'unknown'}", className="mk-handle")]
        if row.get("author_name"):
            who.append(html.Span(row["author_name"], className="mk-muted"))
        link = message_link(row.get("platform"), row.get("message_id"), row.get("author_handle"))
        items.append(html.Li(className="mk-answer", children=[
            html.Div(className="mk-item-head", children=[
                *who,
                html.Span(_offset(row.get("created_at"), start), className="mk-item-meta",
                          title="minutes:seconds since the chat started"),
                badge(label, kind) if label else None,
                badge(row["kind"]) if row.get("kind") in ("repost", "quote") else None,
                link,
            ]),
            html.Div(row.get("text") or "", className="mk-item-text"),
        ]))
    more = None
    if answers.height > limit:
        more = note([f"Showing the first {limit:,} of {answers.height:,} answers. ",
                     html.Button(f"Show {'all' if answers.height <= ALL_ANSWERS else f'the first {ALL_ANSWERS:,}'}",
                                 id="flow-answers-all", n_clicks=0, className="mk-button mk-button--small")
                     if limit < ALL_ANSWERS else None])
    return [head, more, html.Ul(items, className="mk-list mk-answers", id="flow-answer-list")]


def _perspective_cell(row: dict) -> Any:
    """'broad: from across the room' with the spread (answerers' effective communities ÷ the room's)."""
    verdict = row.get("verdict")
    if not verdict:
        return "—"
    spread = row.get("spread")
    text = VERDICT_LABELS.get(verdict, verdict)
    return html.Span(text + (f" · {fmt_pct(spread, 0)}" if spread is not None else ""),
                     title="Spread: how many communities the answerers come from, as a share of how many the "
                           "session's room is split into (docs/metrics/people.md, Perspective)")


def _question_table(questions: pl.DataFrame, perspective: pl.DataFrame, start: datetime | None,
                    chosen: int | None) -> html.Div:
    frame = questions.sort("question")
    if perspective.height and "verdict" in perspective.columns:
        keep = [c for c in ("question", "verdict", "communities", "spread") if c in perspective.columns]
        frame = frame.join(perspective.select(keep), on="question", how="left")
    columns = [
        Column("question", "Question", sortable=False, render=lambda r: html.Button(
            f"Q{r['question']}", id={"type": "flow-question", "q": int(r["question"])}, n_clicks=0,
            className="mk-link-button mk-question-pick", title="List the answers to this question")),
        Column("text", "Text", sortable=False,
               render=lambda r: html.Div(r.get("text") or "", className="mk-small mk-question-text")),
        Column("posted_at", "Posted", sortable=False, render=lambda r: html.Span(
            _offset(r.get("posted_at"), start), title="posted, minutes:seconds after the start")),
        Column("lateness_minutes", "Late", kind="num", sortable=False, render=lambda r: (
            "—" if r.get("lateness_minutes") is None else
            f"{'+' if r['lateness_minutes'] > 0 else ''}{fmt_num(r['lateness_minutes'], 1)} min")),
        Column("answers", "Answers", kind="int", sortable=False),
        Column("answerers", "People", kind="int", sortable=False),
        Column("median_latency_s", "Median latency", kind="seconds", sortable=False),
        Column("half_life_s", "Half-life", kind="seconds", sortable=False),
        Column("spillover_share", "Spill-over", kind="pct", sortable=False),
    ]
    if "verdict" in frame.columns:
        columns.append(Column("verdict", "Perspectives", sortable=False,
                              render=_perspective_cell))
    return render_table("flow-questions", frame, columns, pager=False,
                        row_class=lambda r: "mk-row--selected" if r["question"] == chosen else "")


def flow_body(snapshot: Snapshot | None, selection: Selection) -> list[Any]:
    """The page below its header (the answers panel is filled by :func:`show_answers`)."""
    if snapshot is None:
        return [no_chat_state()]
    sid = selection.last
    if sid is None:
        return [empty_state("No sessions in this chat", "Check the schedule in chat.yaml and run "
                                                        "'moderator-kit analyze' again.")]
    children: list[Any] = []
    if len(selection.sessions) > 1:
        children.append(note(f"The agenda flow is drawn one session at a time: showing {sid}, the last of the "
                             "selection. Pick one session above to see another."))
    questions = table_or_empty(snapshot, "questions", [sid])
    minutes = table_or_empty(snapshot, "flow_minutes", [sid])
    sessions = table_or_empty(snapshot, "sessions")
    flow = table_or_empty(snapshot, "session_flow", [sid])
    suggestions = table_or_empty(snapshot, "suggestions", [sid])
    perspective = table_or_empty(snapshot, "perspective", [sid])
    start = _session_start(snapshot, sid)

    chart = flow_chart(minutes, questions, sessions=sessions, session_id=sid)
    children.append(section(None, graph(chart, id="flow-chart")))

    if questions.height == 0:
        children.append(section("Questions", empty_state(
            "No agenda questions in this session",
            "Add the agenda to chat.yaml (agenda: questions with number, offset_minutes and text) or have the "
            "moderator post questions as 'Q1: …', then run 'moderator-kit analyze' again.")))
        return children

    row = flow.row(0, named=True) if flow.height else {}
    score = row.get("herding_score")
    if suggestions.height:
        tips: Any = html.Ul([html.Li(s, className="mk-suggestion") for s in suggestions.sort("question")[
            "suggestion"].to_list()], className="mk-list", id="flow-suggestions")
    else:
        tips = html.P("No pacing issues: every question was posted on time and got its answers before the next "
                      "one.", className="mk-muted", id="flow-suggestions")
    facts = html.Dl(className="mk-kv", children=[
        html.Dt("Questions posted"), html.Dd(f"{fmt_int(row.get('questions_posted'))} of "
                                             f"{fmt_int(row.get('questions_planned'))} planned"),
        html.Dt("On-agenda share"), html.Dd(fmt_pct(row.get("on_agenda_share"))),
        html.Dt("Pace adherence"), html.Dd(fmt_pct(row.get("pace_adherence"))),
        html.Dt("Spill-over"), html.Dd(fmt_pct(row.get("spillover_share"))),
    ])
    children.append(html.Div(className="mk-grid-2 mk-row-gap", children=[
        section(None, graph(herding_gauge(score, row.get("herding_score_parts")), id="flow-herding")),
        section("Pacing suggestions", [tips, facts]),
    ]))
    children.append(section("Questions", [
        _question_table(questions, perspective, start, None),
        html.P("Latency: time from the question to its answers (median). Half-life: time until half its answers "
               "arrived. Spill-over: answers that came after the next question was posted. Perspectives: do the "
               "answerers come from across the room or from a corner of it — the effective number of network "
               "communities among them as a share of the session's (100%: as spread as the room).", className="mk-muted mk-small"),
    ], help="Click a question to list its answers below.", id="flow-questions-section"))
    children.append(section(None, html.Div(id="flow-answers", children=answers_panel(snapshot, sid, None)),
                            id="flow-answers-section"))
    return children


def layout(**_query: str) -> html.Div:
    return html.Div([
        html.Div(id="flow-header", children=page_header("Agenda flow")),
        dcc.Store(id="flow-question"),
        dcc.Loading(html.Div(id="flow-body"), type="dot", delay_show=400),
    ])


@dash.callback(Output("flow-header", "children"), Output("flow-body", "children"), Output("flow-question", "data"),
               Input("mk-selection", "data"))
def update(stored: dict | None):
    snapshot, selection = selected(stored)
    subtitle = "How the conversation followed the agenda"
    if snapshot is not None and selection.last:
        one = Selection(selection.chat, "session", (selection.last,))
        subtitle = f"{snapshot.meta.get('title') or snapshot.chat} · {session_title(snapshot, one)}"
    return page_header("Agenda flow", subtitle), flow_body(snapshot, selection), None


@dash.callback(Output("flow-question", "data", allow_duplicate=True),
               Input({"type": "flow-question", "q": ALL}, "n_clicks"), prevent_initial_call=True)
def pick_question(_clicks: list[int | None]):
    """Remember the question whose button was clicked (new buttons appearing do not count as clicks)."""
    trigger = dash.ctx.triggered_id
    if not isinstance(trigger, dict) or not any(t.get("value") for t in dash.ctx.triggered):
        return dash.no_update
    return int(trigger["q"])


@dash.callback(Output("flow-answers", "children"), Input("flow-question", "data"), State("mk-selection", "data"),
               prevent_initial_call=True)
def show_answers(question: int | None, stored: dict | None):
    snapshot, selection = selected(stored)
    return answers_panel(snapshot, selection.last, question)


@dash.callback(Output("flow-answers", "children", allow_duplicate=True), Input("flow-answers-all", "n_clicks"),
               State("flow-question", "data"), State("mk-selection", "data"), prevent_initial_call=True)
def show_all_answers(n_clicks: int | None, question: int | None, stored: dict | None):
    if not n_clicks:
        return dash.no_update
    snapshot, selection = selected(stored)
    return answers_panel(snapshot, selection.last, question, limit=ALL_ANSWERS)
