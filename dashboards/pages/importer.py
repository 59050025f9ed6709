"""Import: upload an archive (and optionally its chat.yaml), or choose files under the workspace; the dashboard
imports and analyzes them in the background, shows the progress, then opens the new sessions.

Uploads are checked in the browser first (a file over the limit is never sent) and again on the server; bad files
and bad configs get a one-line message on the page. See :mod:`dashboards.imports` for the job itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dash
import polars as pl
from dash import Input, Output, State, dcc, html

from dashboards.components.layout import note, page_header, section
from dashboards.components.picker import CHATS_VERSION_STORE, OPEN_REQUEST_STORE
from dashboards.components.table import Column, render_table
from dashboards.data import Selection, current_state, selection_query
from dashboards.imports import (
    ARCHIVE_SUFFIXES,
    CONFIG_LIMIT,
    CONFIG_SUFFIXES,
    UploadError,
    decode_upload,
    default_chat_name,
    read_uploaded_config,
    resolve_workspace_file,
    save_upload,
    start_import,
    workspace_files,
)
from moderator_kit.config import ChatConfig, read_config
from moderator_kit.errors import ModeratorKitError

__all__ = ["layout", "start", "poll", "job_view", "prepare_import"]

dash.register_page(__name__, path="/import", name="Import", order=7, title="Import · moderator-kit")

POLL_MS = 500


def _mib(n: int) -> str:
    return f"{n / (1 << 20):.0f} MiB" if n >= (1 << 20) else f"{n / 1024:.0f} KiB"


def layout(**_query: str) -> html.Div:
    state = current_state()
    archives, configs = workspace_files(state.workspace)
    accept = ",".join(ARCHIVE_SUFFIXES)
    return html.Div([
        page_header("Import", "Add an archive to a chat: it is imported and analysed in the background"),
        dcc.Store(id="imp-limit", data=state.max_upload_bytes),
        dcc.Store(id="imp-config-limit", data=CONFIG_LIMIT),
        dcc.Store(id="imp-archive"),
        dcc.Store(id="imp-config"),
        dcc.Store(id="imp-job"),
        dcc.Interval(id="imp-poll", interval=POLL_MS, disabled=True),
        html.Div(className="mk-grid-2 mk-row-gap", children=[
            section("1 · Archive", [
                dcc.Upload(id="imp-upload", accept=accept, multiple=False, className="mk-upload",
                           children=html.Div([html.Strong("Drop an archive here"), " or click to choose one",
                                              html.Br(),
                                              html.Span(f"{', '.join(ARCHIVE_SUFFIXES)} · up to "
                                                        f"{_mib(state.max_upload_bytes)} · a Slack export as .zip",
                                                        className="mk-small")])),
                html.Div(id="imp-upload-status", className="mk-note"),
                html.Div(className="mk-control", style={"marginTop": "12px"}, children=[
                    html.Label("or choose under the workspace", htmlFor="imp-files", className="mk-control-label"),
                ]),
                dcc.Dropdown(id="imp-files", options=[{"label": a, "value": a} for a in archives], multi=True,
                             placeholder=("archives found under " + str(state.workspace)) if archives else
                             f"no archives under {state.workspace} (put files there to pick them)"),
            ], help="twarc2 / X API, X archive, TAGS CSV, Slack, Discord, Mastodon, Bluesky or generic CSV: the "
                    "format is detected from the content."),
            section("2 · Chat config (optional)", [
                dcc.Upload(id="imp-config-upload", accept=",".join(CONFIG_SUFFIXES), multiple=False,
                           className="mk-upload",
                           children=html.Div([html.Strong("Drop chat.yaml here"), " or click to choose it",
                                              html.Br(),
                                              html.Span("schedule, agenda, moderators, sponsors, objectives",
                                                        className="mk-small")])),
                html.Div(id="imp-config-status", className="mk-note"),
                html.Div(className="mk-control", style={"marginTop": "12px"}, children=[
                    html.Label("or choose under the workspace", htmlFor="imp-config-file",
                               className="mk-control-label"),
                ]),
                dcc.Dropdown(id="imp-config-file", options=[{"label": c, "value": c} for c in configs],
                             placeholder="chat configs found under the workspace" if configs else
                             "no .yaml files under the workspace"),
            ], help="Without a config, sessions are detected from bursts of activity and the agenda from the "
                    "moderators' 'Q1' posts; the chat keeps the config it was imported with last."),
        ]),
        section("3 · Import", [
            html.Div(className="mk-controls", children=[
                html.Div(className="mk-control", children=[
                    html.Label("Chat name", htmlFor="imp-chat", className="mk-control-label"),
                    dcc.Input(id="imp-chat", type="text", className="mk-input", autoComplete="off",
                              placeholder="default: from chat.yaml or the file name"),
                ]),
                html.Button("Import and analyze", id="imp-start", n_clicks=0,
                            className="mk-button mk-button--primary"),
            ]),
            html.Div(id="imp-message", className="mk-note", role="alert"),
            html.Div(id="imp-progress"),
        ]),
    ])


# Browser-side size checks: an over-size file is refused before it is sent (assets/moderator_kit.js).
dash.clientside_callback(
    dash.ClientsideFunction(namespace="mk", function_name="checkArchive"),
    Output("imp-archive", "data"), Output("imp-upload-status", "children"), Output("imp-upload-status", "className"),
    Input("imp-upload", "contents"), State("imp-upload", "filename"), State("imp-limit", "data"),
    prevent_initial_call=True,
)
dash.clientside_callback(
    dash.ClientsideFunction(namespace="mk", function_name="checkConfig"),
    Output("imp-config", "data"), Output("imp-config-status", "children"), Output("imp-config-status", "className"),
    Input("imp-config-upload", "contents"), State("imp-config-upload", "filename"),
    State("imp-config-limit", "data"),
    prevent_initial_call=True,
)


def prepare_import(workspace: Path, max_bytes: int, archive: dict | None, config_upload: dict | None,
                   files: list[str] | None, config_file: str | None, chat: str | None
                   ) -> tuple[list[Path], str, Path | None]:
    """Check the inputs and save uploads; returns (sources, chat, config path). Raises a ModeratorKitError."""
    sources: list[Path] = [resolve_workspace_file(workspace, f) for f in files or []]
    config: ChatConfig | None = None
    config_path: Path | None = None
    config_bytes: tuple[str, bytes] | None = None
    if config_upload:
        config_bytes = decode_upload(config_upload, limit=CONFIG_LIMIT, suffixes=CONFIG_SUFFIXES, what="config")
        config = read_uploaded_config(*config_bytes)
    elif config_file:
        config_path = resolve_workspace_file(workspace, config_file)
        config = read_config(config_path)
    upload: tuple[str, bytes] | None = None
    if archive:
        upload = decode_upload(archive, limit=max_bytes, suffixes=ARCHIVE_SUFFIXES, what="archive")
    if not sources and upload is None:
        raise UploadError("choose an archive first: drop one above, or pick files under the workspace")
    chat_name = default_chat_name(chat, config, [Path(upload[0])] if upload else sources)
    # everything checked: keep the uploads under the workspace
    if upload is not None:
        sources.insert(0, save_upload(workspace, *upload))
    if config_bytes is not None:
        config_path = save_upload(workspace, *config_bytes)
    return sources, chat_name, config_path


@dash.callback(Output("imp-job", "data"), Output("imp-poll", "disabled"), Output("imp-message", "children"),
               Output("imp-message", "className"),
               Input("imp-start", "n_clicks"),
               State("imp-archive", "data"), State("imp-config", "data"), State("imp-files", "value"),
               State("imp-config-file", "value"), State("imp-chat", "value"), prevent_initial_call=True)
def start(n_clicks: int, archive: dict | None, config_upload: dict | None, files: list[str] | None,
          config_file: str | None, chat: str | None):
    """Validate what was given, save uploads under the workspace and start the background job."""
    if not n_clicks:
        return dash.no_update, dash.no_update, dash.no_update, dash.no_update
    state = current_state()
    try:
        sources, chat_name, config_path = prepare_import(state.workspace, state.max_upload_bytes, archive,
                                                         config_upload, files, config_file, chat)
        job_id = start_import(state, sources, chat_name, config_path)
    except ModeratorKitError as err:
        return dash.no_update, dash.no_update, str(err), "mk-note mk-note--error"
    except OSError as err:
        return dash.no_update, dash.no_update, f"could not save the upload under the workspace: {err}", \
            "mk-note mk-note--error"
    return job_id, False, f"Importing into chat '{chat_name}'…", "mk-note"


def job_view(job: dict[str, Any] | None) -> list[Any]:
    """The progress bar, stage, log and (when done) the per-source report and links to the new sessions."""
    if job is None:
        return [note("This import is not known to this server process (was it restarted?). Start it again.",
                     kind="warn")]
    pct = int(round(100 * float(job.get("progress") or 0)))
    children: list[Any] = [
        html.Div(className="mk-progress", role="progressbar", **{"aria-valuenow": pct, "aria-valuemin": 0,
                                                                   "aria-valuemax": 100},
                 children=html.Div(className="mk-progress-bar", style={"width": f"{pct}%"})),
        html.Div(f"{pct}% · {job.get('stage')}", className="mk-muted", id="imp-stage"),
        html.Ol([html.Li(line) for line in job.get("log") or []], className="mk-log"),
    ]
    if job.get("reports"):
        columns = [Column("source", "Source", sortable=False),
                   Column("source_format", "Format", sortable=False),
                   Column("records_seen", "Seen", kind="int", sortable=False),
                   Column("imported", "Imported", kind="int", sortable=False),
                   Column("duplicates", "Duplicates", kind="int", sortable=False),
                   Column("quarantined", "Quarantined", kind="int", sortable=False),
                   Column("reasons", "Why quarantined", sortable=False)]
        frame = pl.DataFrame([{
            "source": Path(str(r.get("source") or "")).name, "source_format": r.get("source_format"),
            "records_seen": r.get("records_seen"), "imported": r.get("imported"), "duplicates": r.get("duplicates"),
            "quarantined": r.get("quarantined"),
            "reasons": "; ".join(f"{k} ×{v}" for k, v in (r.get("reasons") or {}).items()) or "—",
        } for r in job["reports"]])
        children.append(render_table("imp-report", frame, columns, pager=False))
    if job.get("status") == "failed":
        children.append(note(f"Import failed: {job.get('error')}", kind="error"))
    elif job.get("status") == "done":
        chat = job.get("chat")
        new = job.get("new_sessions") or []
        sessions = job.get("sessions") or []
        opened = new or sessions[-1:]
        query = selection_query(Selection(chat, "session" if len(opened) <= 1 else "range", tuple(opened)))
        links = [dcc.Link(text, href=href + query, className="mk-button" + (" mk-button--primary" if i == 0 else ""))
                 for i, (text, href) in enumerate([("Open the overview →", "/"), ("Agenda flow", "/flow"),
                                                   ("Network", "/network"), ("Follow-up", "/follow-up")])]
        summary = (f"Done: chat '{chat}' has {len(sessions)} session{'s' if len(sessions) != 1 else ''}"
                   f" ({len(new)} new: {', '.join(new[:6])}{' …' if len(new) > 6 else ''})." if new else
                   f"Done: chat '{chat}' has {len(sessions)} session{'s' if len(sessions) != 1 else ''}; no new "
                   "session (the archive added nothing new, or no messages fall in the schedule's windows).")
        children.append(note(summary, kind="ok"))
        children.append(html.Div(links, className="mk-page-actions", id="imp-open-links"))
    return children


@dash.callback(Output("imp-progress", "children"), Output("imp-poll", "disabled", allow_duplicate=True),
               Output(CHATS_VERSION_STORE, "data"), Output(OPEN_REQUEST_STORE, "data"),
               Input("imp-poll", "n_intervals"), State("imp-job", "data"), State(CHATS_VERSION_STORE, "data"),
               prevent_initial_call=True)
def poll(_n: int, job_id: str | None, version: int | None):
    """Show the job's progress; when it ends stop polling, refresh the chat list and open the new sessions."""
    if not job_id:
        return dash.no_update, True, dash.no_update, dash.no_update
    job = current_state().job(job_id)
    view = job_view(job)
    if job is None or job.get("status") == "failed":
        return view, True, dash.no_update, dash.no_update
    if job.get("status") == "done":
        opened = job.get("new_sessions") or (job.get("sessions") or [])[-1:]
        return view, True, (version or 0) + 1, {"chat": job.get("chat"), "sessions": opened}
    return view, False, dash.no_update, dash.no_update
