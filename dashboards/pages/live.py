"""Live: herd the cats while the chat is on (``moderator-kit live``, ``docs/live.md``).

Every few seconds (``dcc.Interval``) the page reads the latest :class:`moderator_kit.live.LiveView` of the app's live
feed (``app.server.config[LIVE_KEY]``, set by ``create_app(live=...)``; nothing is computed on a request) and shows
the agenda clock with its hint, the answer wave, newcomers waiting for a reply, questions from the floor nobody
answered, spam and hijacks, and the running count. Message texts and names are Dash children (escaped by React);
only http(s) message URLs become links (:mod:`dashboards.components.links`).
"""

from __future__ import annotations

from typing import Any

import dash
import flask
from dash import Input, Output, dcc, html

from dashboards.components.layout import card_grid, fmt_duration, graph, kpi_card, note, page_header, section
from dashboards.components.links import message_link
from moderator_kit.figures.live import wave_figure
from moderator_kit.figures.theme import fmt_int
from moderator_kit.formats import fmt_score
from moderator_kit.live.view import LiveView

__all__ = ["layout", "update", "live_panels", "wave_figure", "current_feed", "NO_SOURCE", "REFRESH_MS"]

dash.register_page(__name__, path="/live", name="Live", order=0.5, title="Live · moderator-kit")

#: How often the page reads the live figures.
REFRESH_MS = 3000
#: What the page says without a live source (one line: how to start one).
NO_SOURCE = ("No live source: start one with 'moderator-kit live --chat NAME --follow stream.jsonl' "
             "(or --collect mastodon|bluesky); see docs/live.md.")


def current_feed() -> Any:
    """The live feed of the app serving this request (None without one)."""
    from dashboards.app import LIVE_KEY

    return flask.current_app.config.get(LIVE_KEY)


def layout(**_query: Any) -> html.Div:
    return html.Div(className="mk-page mk-live", children=[
        page_header("Live", "The chat as it happens: when to post the next question, who is waiting for a reply."),
        dcc.Interval(id="live-tick", interval=REFRESH_MS, n_intervals=0),
        html.Div(id="live-panels", children=[
            html.Div(id="live-top", children=html.P("Loading the live figures…", className="mk-section-help")),
            html.Div(id="live-wave-box", className="mk-section",
                     children=graph(wave_figure(None), id="live-wave", height=320)),
            html.Div(id="live-lists"),
        ]),
    ])


def _when(seconds: float | None) -> str:
    return fmt_duration(seconds) if seconds is not None else "—"


def _clock(view: LiveView) -> html.Section:
    clock = view.clock
    if clock["question"] is None:
        current = html.Div("No question posted yet", id="live-current", className="mk-card-value mk-card-value--text")
    else:
        current = html.Div([html.Span(f"Q{clock['question']}", id="live-current", className="mk-card-value"),
                            html.Span(" — " + (clock["text"] or ""), className="mk-item-text")])
    planned = (f"Q{clock['next_question']} planned at {clock['next_planned_at']:%H:%M} UTC"
               if clock["next_planned_at"] is not None else "no further question planned")
    details = [
        html.Span(f"posted {_when(clock['since_s'])} ago" if clock["since_s"] is not None else "", id="live-since"),
        html.Span(f" · {fmt_int(clock['answers'])} answer{'' if clock['answers'] == 1 else 's'} so far"
                  + (f", half-life {_when(clock['half_life_s'])}" if clock["half_life_s"] is not None else "")),
        html.Span(f" · {planned}", id="live-next"),
    ]
    hint = clock["hint"]
    return section("Agenda clock", [
        current,
        html.P(details, className="mk-item-meta"),
        note(hint, kind="warn") if hint else html.P("No action needed: answers are still coming in.",
                                                    className="mk-section-help"),
    ], help="The hint comes when the answer wave has died down (three half-lives, docs/live.md) or the planned time "
            "has passed.", id="live-clock", class_name="mk-live-clock")


def _link(platform: str | None, message_id: str | None, handle: str | None) -> Any:
    """A link to the post where one can be built (:func:`moderator_kit.links.message_url`)."""
    return message_link(platform, message_id, handle, text="open ↗")


def _items(items: tuple[dict, ...], total: int, empty: str, item_id: str) -> html.Div:
    if not items:
        return html.P(empty, className="mk-section-help")
    rows = []
    for item in items:
        link = _link(item.get("platform"), item.get("message_id"), item.get("handle"))
        rows.append(html.Li(className="mk-todo", **{"data-handle": item.get("handle") or ""}, children=[
            html.Div(className="mk-item-head", children=[
                html.Span(f"@{item.get('handle') or 'unknown'}", className="mk-handle"),
                html.Span(f"waiting {_when(item.get('wait_s'))}", className="mk-item-meta"),
                link,
            ]),
            html.Div(item.get("text") or "", className="mk-item-text"),
        ]))
    more = html.P(f"… and {total - len(items)} more", className="mk-section-help") if total > len(items) else None
    return html.Div([html.Ul(rows, id=item_id, className="mk-todo-list"), more])


def _spam(view: LiveView) -> html.Div:
    if not view.spam:
        return html.P("Nothing caught by the spam rules.", className="mk-section-help")
    rows = [html.Li(className="mk-todo", children=[
        html.Div(className="mk-item-head", children=[
            html.Span(f"@{row.get('author_handle') or 'unknown'}", className="mk-handle"),
            html.Span(row.get("reason") or "", className="mk-item-meta"),
            _link(row.get("platform"), row.get("message_id"), row.get("author_handle")),
        ]),
        html.Div(row.get("text") or "", className="mk-item-text"),
    ]) for row in view.spam]
    return html.Ul(rows, id="live-spam-list", className="mk-todo-list")


def _counts(view: LiveView) -> html.Div:
    counts = view.counts
    return card_grid([
        kpi_card("Active participants", fmt_int(counts["active_participants"]), id="live-kpi-active",
                 detail="authors of posts, replies and quotes in the chat (a pure retweeter is not active)"),
        kpi_card("Returning", fmt_int(counts["returning"]), id="live-kpi-returning",
                 detail=f"{fmt_int(counts['new'])} first-timers"),
        kpi_card("Messages", fmt_int(counts["messages"]), id="live-kpi-messages", detail="in the chat hour"),
        kpi_card("Herding score so far", fmt_score(counts["herding_score"]), id="live-kpi-herding",
                 detail=counts["herding_score_parts"]),
        kpi_card("Spam caught", fmt_int(counts["spam"]), id="live-kpi-spam",
                 detail="left out of every count above"),
    ])


def live_panels(view: LiveView | None, *, description: str = "", error: str | None = None) -> tuple[list, list]:
    """The page's panels for a live view: those above the wave chart (status, clock, running count) and those
    below it (newcomers, questions from the floor, spam). Without a view, the "no live source" line."""
    if view is None:
        return [html.P(NO_SOURCE, id="live-no-source", className="mk-empty-text")], []
    top: list = [html.P(f"{view.title} · session {view.session_id} · {description} · updated "
                        f"{view.now:%H:%M:%S} UTC", id="live-status", className="mk-section-help")]
    if error:
        top.append(note(error, kind="error"))
    top += [_clock(view), _counts(view)]
    lists = [
        html.Div(children=[
            section("Newcomers waiting", _items(view.newcomers, view.newcomers_total,
                                                "No first-timer is waiting for a reply.", "live-newcomer-list"),
                    help="First time in this chat, no reply or like yet: welcome them.", id="live-newcomers"),
            section("Questions from the floor", _items(view.floor, view.floor_total,
                                                       "No open question from participants.", "live-floor-list"),
                    help="Participants' questions nobody has replied to.", id="live-floor"),
        ]),
        section("Spam and hijacks", _spam(view), help="Posts caught by the chat config's spam rules.",
                id="live-spam"),
    ]
    return top, lists


@dash.callback(Output("live-top", "children"), Output("live-lists", "children"), Output("live-wave-box", "style"),
               Output("live-wave", "figure"), Input("live-tick", "n_intervals"))
def update(_n: int | None) -> tuple[list, list, dict, dict]:
    """Read the latest live view (precomputed by the feed's thread) and render it."""
    feed = current_feed()
    if feed is None:
        top, lists = live_panels(None)
        return top, lists, {"display": "none"}, wave_figure(None)
    view = feed.view
    top, lists = live_panels(view, description=feed.description, error=feed.error)
    return top, lists, {}, wave_figure(view)
