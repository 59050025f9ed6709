"""The shared session picker (chat, one session, a range of sessions, or all) and the navigation bar.

The picker lives in the app's layout, outside the pages, and writes the selection to the ``dcc.Store``
:data:`SELECTION_STORE` (``{"chat", "mode", "sessions"}``, see :class:`dashboards.data.Selection`); every page reads
that store. A URL query (``?chat=…&session=…``, ``&from=…&to=…``, ``&sessions=all``) sets it when a page is
opened; the address bar follows the picker (``history.replaceState``, in ``assets/moderator_kit.js``) and the
navigation links carry the selection's query, so that any page URL can be bookmarked or shared.

These callbacks belong to the app's frame rather than to one page, so :func:`register_callbacks` attaches them to
each app with ``app.callback`` (``@dash.callback`` at import time would attach them only to the first app created in
a process).
"""

from __future__ import annotations

from typing import Any

import dash
from dash import ALL, Input, Output, State, dcc, html

from dashboards.data import Selection, current_state, parse_query, resolve_sessions, selection_query, session_labels

__all__ = [
    "SELECTION_STORE",
    "CHATS_VERSION_STORE",
    "OPEN_REQUEST_STORE",
    "URL",
    "picker_layout",
    "nav_layout",
    "sync_picker",
    "nav_links",
    "register_callbacks",
]

SELECTION_STORE = "mk-selection"
#: Bumped by the Import page when a chat was added or re-analysed, so the picker re-reads the chat list.
CHATS_VERSION_STORE = "mk-chats-version"
#: Written by the Import page: ``{"chat", "sessions"}`` to open after an import.
OPEN_REQUEST_STORE = "mk-open-request"
URL = "mk-url"

_MODE_OPTIONS = [
    {"label": "One session", "value": "session"},
    {"label": "Range", "value": "range"},
    {"label": "All sessions", "value": "all"},
]


def picker_layout() -> html.Div:
    """The picker bar (filled by :func:`sync_picker` from the workspace and the URL)."""
    return html.Div(className="mk-picker", id="mk-picker", children=[
        html.Div(className="mk-picker-field mk-picker-chat", children=[
            html.Label("Chat", htmlFor="mk-pick-chat", className="mk-picker-label"),
            # searchable: a workspace may hold hundreds of chats (type part of a name or title)
            dcc.Dropdown(id="mk-pick-chat", options=[], clearable=False, searchable=True,
                         placeholder="No analysed chat yet", className="mk-pick-chat"),
        ]),
        html.Div(className="mk-picker-field mk-picker-mode", children=[
            html.Span("Show", className="mk-picker-label"),
            dcc.RadioItems(id="mk-pick-mode", options=_MODE_OPTIONS, value="session", inline=True,
                           className="mk-radio"),
        ]),
        html.Div(id="mk-pick-session-wrap", className="mk-picker-field mk-picker-session", children=[
            html.Label("Session", htmlFor="mk-pick-session", className="mk-picker-label"),
            dcc.Dropdown(id="mk-pick-session", options=[], clearable=False, searchable=False,
                         style={"width": "310px"}),
        ]),
        html.Div(id="mk-pick-range-wrap", className="mk-picker-field mk-picker-range", style={"display": "none"},
                 children=[
                     html.Label("From", htmlFor="mk-pick-from", className="mk-picker-label"),
                     dcc.Dropdown(id="mk-pick-from", options=[], clearable=False, searchable=False,
                                  style={"width": "250px"}),
                     html.Label("to", htmlFor="mk-pick-to", className="mk-picker-label"),
                     dcc.Dropdown(id="mk-pick-to", options=[], clearable=False, searchable=False,
                                  style={"width": "250px"}),
                 ]),
        html.Div(id="mk-pick-summary", className="mk-picker-summary", **{"aria-live": "polite"}),
    ])


def nav_layout() -> html.Nav:
    """Links to every registered page, in page order (their hrefs get the selection's query)."""
    links = []
    for page in dash.page_registry.values():
        if page["module"].endswith("not_found_404"):
            continue
        links.append(dcc.Link(page["name"], href=page["relative_path"], className="mk-nav-link",
                              id={"type": "mk-nav", "path": page["path"]}))
    return html.Nav(links, className="mk-nav", **{"aria-label": "Pages"})


def _hidden(flag: bool) -> dict:
    return {"display": "none"} if flag else {}


def sync_picker(search: str | None, chat: str | None, mode: str | None, session: str | None, start: str | None,
                end: str | None, _version: Any, open_request: dict | None, stored: dict | None,
                triggered: str | None = None, also: tuple[str, ...] = ()) -> tuple:
    """Keep the picker's controls, the URL query and the selection store consistent.

    ``triggered`` is the id of the control that changed (``dash.ctx.triggered_id``): the URL (page load, link),
    a picker control, the chat list version or an open request from the Import page; ``also`` the ids of every
    input that changed in the same round (an open request wins over the rest).

    Returns
    -------
    tuple
        chat options, chat, mode, session options, session, from options, from, to options, to,
        session-field style, range-field style, selection store data, summary text.
    """
    state = current_state()
    titles = state.chat_titles()  # the analysed chats, with their titles read cheaply
    chats = list(titles)
    previous = Selection.from_store(stored)
    want: dict[str, Any] = {}
    if OPEN_REQUEST_STORE in (triggered, *also) and isinstance(open_request, dict) and open_request.get("chat"):
        ids = [s for s in open_request.get("sessions") or [] if isinstance(s, str)]
        want = {"chat": open_request["chat"], "mode": "session" if len(ids) <= 1 else "range"}
        if ids:
            want.update(session=ids[-1], start=ids[0], end=ids[-1])
    elif triggered in (None, URL, CHATS_VERSION_STORE):
        query = parse_query(search)
        if query:
            want = dict(query)
        elif previous.chat:
            want = {"chat": previous.chat, "mode": previous.mode, "session": previous.last,
                    "start": previous.sessions[0] if previous.sessions else None, "end": previous.last}
        else:
            want = {"chat": chat, "mode": mode, "session": session, "start": start, "end": end}
    else:
        want = {"chat": chat, "mode": mode or "session", "session": session, "start": start, "end": end}
        if triggered == "mk-pick-chat" and chat != previous.chat:
            want.update(session=None, start=None, end=None)  # a new chat opens on its latest session

    chat_value = want.get("chat") if want.get("chat") in chats else (chats[0] if chats else None)
    chat_options = []
    for name, title in titles.items():
        label = name if title == name else f"{title} ({name})"
        chat_options.append({"label": label[:90], "value": name})
    mode_value = want.get("mode") if want.get("mode") in ("session", "range", "all") else "session"

    snap = state.snapshot(chat_value)
    options: list[dict] = []
    ids: list[str] = []
    if snap is not None:
        try:
            sessions = snap.table("sessions")
        except Exception:  # an old or damaged snapshot: show the chat without sessions
            sessions = None
        if sessions is not None and sessions.height:
            options = session_labels(sessions)
            ids = [o["value"] for o in options]
    selected = resolve_sessions(ids, mode_value, want.get("session"), want.get("start"), want.get("end"))
    selection = Selection(chat=chat_value, mode=mode_value, sessions=tuple(selected))
    session_value = selection.last
    start_value = selected[0] if selected else None
    end_value = selected[-1] if selected else None

    if not chats:
        summary = "No analysed chat yet."
    elif not ids:
        summary = "No sessions: check the schedule."
    elif mode_value == "all":
        summary = f"All {len(ids)} sessions"
    elif mode_value == "range":
        summary = f"{len(selected)} of {len(ids)} sessions"
    else:
        summary = f"Session {ids.index(session_value) + 1} of {len(ids)}" if session_value in ids else ""
    store = {**selection.to_store(), "query": selection_query(selection)}
    if store == (stored or None):
        store = dash.no_update
    return (chat_options, chat_value, mode_value, options, session_value, options, start_value, options, end_value,
            _hidden(mode_value != "session"), _hidden(mode_value != "range"), store, summary)


def nav_links(stored: dict | None, pathname: str | None, outputs: list[dict]) -> tuple[list[str], list[str]]:
    """The hrefs (page path + the selection's query) and classes (active page highlighted) of the nav links."""
    query = selection_query(Selection.from_store(stored))
    by_path = {p["path"]: p["relative_path"] for p in dash.page_registry.values()}
    hrefs, classes = [], []
    current = (pathname or "/").rstrip("/") or "/"
    for item in outputs:
        path = item["id"]["path"]
        base = by_path.get(path, path)
        keep = query if path != "/import" else ""
        hrefs.append(base + keep)
        active = (base.rstrip("/") or "/") == current
        classes.append("mk-nav-link mk-nav-link--active" if active else "mk-nav-link")
    return hrefs, classes


def register_callbacks(app: dash.Dash) -> None:
    """Attach the picker and navigation callbacks to ``app``."""

    @app.callback(
        Output("mk-pick-chat", "options"), Output("mk-pick-chat", "value"), Output("mk-pick-mode", "value"),
        Output("mk-pick-session", "options"), Output("mk-pick-session", "value"),
        Output("mk-pick-from", "options"), Output("mk-pick-from", "value"),
        Output("mk-pick-to", "options"), Output("mk-pick-to", "value"),
        Output("mk-pick-session-wrap", "style"), Output("mk-pick-range-wrap", "style"),
        Output(SELECTION_STORE, "data"), Output("mk-pick-summary", "children"),
        Input(URL, "search"), Input("mk-pick-chat", "value"), Input("mk-pick-mode", "value"),
        Input("mk-pick-session", "value"), Input("mk-pick-from", "value"), Input("mk-pick-to", "value"),
        Input(CHATS_VERSION_STORE, "data"), Input(OPEN_REQUEST_STORE, "data"),
        State(SELECTION_STORE, "data"),
    )
    def _sync(search, chat, mode, session, start, end, version, open_request, stored):
        changed = tuple(p.split(".")[0] for p in dash.ctx.triggered_prop_ids)
        return sync_picker(search, chat, mode, session, start, end, version, open_request, stored,
                           triggered=dash.ctx.triggered_id, also=changed)

    @app.callback(
        Output({"type": "mk-nav", "path": ALL}, "href"), Output({"type": "mk-nav", "path": ALL}, "className"),
        Input(SELECTION_STORE, "data"), Input(URL, "pathname"),
    )
    def _nav(stored, pathname):
        return nav_links(stored, pathname, dash.ctx.outputs_list[0])
