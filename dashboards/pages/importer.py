"""Import: upload an archive (and optionally its chat.yaml), or choose files under the workspace; the dashboard
imports and analyzes them in a separate process, shows the progress (with a button to cancel), then opens the new
sessions. A workspace with nothing imported yet opens here, with what to do first.

Uploads are checked in the browser first (a file over the limit is never sent) and again on the server; bad files
and bad configs get a one-line message on the page and are not kept. See :mod:`dashboards.imports` for the checks
and :mod:`dashboards.jobs` for the job.
"""

from __future__ import annotations

import zipfile
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
    discard_upload,
    read_uploaded_config,
    read_workspace_config,
    resolve_workspace_file,
    save_upload,
    workspace_files,
)
from dashboards.jobs import JobLimits, check_expansion, current_runner
from moderator_kit.config import ChatConfig
from moderator_kit.errors import ModeratorKitError
from moderator_kit.io.detect import all_formats, detect_format

__all__ = ["layout", "start", "cancel", "poll", "job_view", "prepare_import", "FORMAT_AUTO"]

dash.register_page(__name__, path="/import", name="Import", order=7, title="Import · moderator-kit")

POLL_MS = 500
#: The format dropdown's value for "detect the format from the content".
FORMAT_AUTO = "auto"


def _mib(n: int) -> str:
    return f"{n / (1 << 20):.0f} MiB" if n >= (1 << 20) else f"{n / 1024:.0f} KiB"


def _format_options() -> list[dict[str, str]]:
    return [{"label": "Detect from the content", "value": FORMAT_AUTO}] + [
        {"label": f"{spec.name} · {spec.description.split(' (')[0]}", "value": spec.name} for spec in all_formats()]


def _first_start() -> html.Div:
    """What a new user sees first: the workspace is empty, here is what to do."""
    return html.Div(id="imp-first-start", className="mk-section mk-first-start", children=[
        html.H2("Nothing imported yet", className="mk-section-title"),
        html.Ol([
            html.Li("Drop a chat archive in box 1 (an X/Twitter export, a Slack export as .zip, a Discord, "
                    "Mastodon or Bluesky export), or put files in the workspace folder and choose them there."),
            html.Li("Optionally add the chat's chat.yaml in box 2: its schedule, agenda, moderators and sponsors."),
            html.Li("Press 'Import and analyze'. When the analysis is done the chat opens, and the Overview, Agenda "
                    "flow, Network and the other pages show it."),
        ]),
        html.P("No archive at hand? 'moderator-kit demo' imports the bundled sample chats.", className="mk-small"),
    ])


def layout(**_query: str) -> html.Div:
    state = current_state()
    archives, configs = workspace_files(state.workspace)
    accept = ",".join(ARCHIVE_SUFFIXES)
    return html.Div([
        page_header("Import", "Add an archive to a chat: it is imported and analysed in the background"),
        _first_start() if not state.analyzed_chats() else None,
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
                             placeholder="archives found in the workspace folder" if archives else
                             "no archives in the workspace folder (put files there to pick them)"),
                html.Div(className="mk-control", style={"marginTop": "12px"}, children=[
                    html.Label("Format", htmlFor="imp-format", className="mk-control-label"),
                ]),
                dcc.Dropdown(id="imp-format", options=_format_options(), value=FORMAT_AUTO, clearable=False),
            ], help="twarc2 / X API, X archive, TAGS CSV, Slack, Discord, Mastodon, Bluesky: the format is detected "
                    "from the content; choose it under 'Format' when it is not."),
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
                             placeholder="chat configs found in the workspace folder" if configs else
                             "no .yaml files in the workspace folder"),
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
                html.Button("Cancel import", id="imp-cancel", n_clicks=0, disabled=True, className="mk-button"),
            ]),
            html.Div(id="imp-message", className="mk-note", role="alert"),
            html.Div(id="imp-progress"),
        ], help=f"An import may run {current_runner().limits.describe_time()} and unpack "
                f"{current_runner().limits.describe_temp()}; larger archives: 'moderator-kit import' on the command "
                "line."),
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


def _check_sources(sources: list[Path], names: list[str], fmt: str | None, limits: JobLimits) -> None:
    """Refuse, before a job starts, files whose format is not recognised and zips that unpack too large."""
    check_expansion(sources, limits, names)
    if fmt:
        return
    known = ", ".join(spec.name for spec in all_formats())
    for source, name in zip(sources, names):
        if source.is_file() and not zipfile.is_zipfile(source) and detect_format(source) is None:
            raise UploadError(f"{name}: the format could not be recognised from the content. If it is a chat "
                              f"export, choose its format under 'Format' ({known}); a CSV of another layout needs "
                              "a column mapping: 'moderator-kit import FILE --format csv --map …' on the command "
                              "line.")


def prepare_import(workspace: Path, max_bytes: int, archive: dict | None, config_upload: dict | None,
                   files: list[str] | None, config_file: str | None, chat: str | None, *,
                   fmt: str | None = None, limits: JobLimits | None = None
                   ) -> tuple[list[Path], str, Path | None, list[Path]]:
    """Check the inputs and save uploads; returns (sources, chat, config path, saved uploads).

    Raises a ModeratorKitError, and then keeps nothing of the uploads.
    """
    if not isinstance(files, (list, type(None))) or not all(isinstance(f, str) for f in files or []):
        raise UploadError("choose the archives from the list")
    sources: list[Path] = [resolve_workspace_file(workspace, f) for f in files or []]
    names = list(files or [])
    if chat is not None and not isinstance(chat, str):
        raise UploadError("type the chat name as text")
    if fmt is not None and (not isinstance(fmt, str) or fmt not in {spec.name for spec in all_formats()}):
        raise UploadError(f"{str(fmt)[:40]!r} is not a known format; choose one from the list")
    config: ChatConfig | None = None
    config_path: Path | None = None
    config_bytes: tuple[str, bytes] | None = None
    if config_upload:
        config_bytes = decode_upload(config_upload, limit=CONFIG_LIMIT, suffixes=CONFIG_SUFFIXES, what="config")
        config = read_uploaded_config(*config_bytes)
    elif config_file:
        config_path, config = read_workspace_config(workspace, config_file)
    upload: tuple[str, bytes] | None = None
    if archive:
        upload = decode_upload(archive, limit=max_bytes, suffixes=ARCHIVE_SUFFIXES, what="archive")
    if not sources and upload is None:
        raise UploadError("choose an archive first: drop one above, or pick files under the workspace")
    chat_name = default_chat_name(chat, config, [Path(upload[0])] if upload else sources)
    # everything checked: keep the uploads under the workspace (and remove them again if the job refuses them)
    saved: list[Path] = []
    try:
        if upload is not None:
            saved.append(save_upload(workspace, *upload))
            sources.insert(0, saved[-1])
            names.insert(0, upload[0])
        _check_sources(sources, names, fmt, limits or JobLimits())
        if config_bytes is not None:
            config_path = save_upload(workspace, *config_bytes)
            saved.append(config_path)
    except BaseException:
        for path in saved:
            discard_upload(path, workspace)
        raise
    return sources, chat_name, config_path, saved


@dash.callback(Output("imp-job", "data"), Output("imp-poll", "disabled"), Output("imp-message", "children"),
               Output("imp-message", "className"), Output("imp-cancel", "disabled"),
               Input("imp-start", "n_clicks"),
               State("imp-archive", "data"), State("imp-config", "data"), State("imp-files", "value"),
               State("imp-config-file", "value"), State("imp-chat", "value"), State("imp-format", "value"),
               prevent_initial_call=True)
def start(n_clicks: int, archive: dict | None, config_upload: dict | None, files: list[str] | None,
          config_file: str | None, chat: str | None, fmt: str | None = FORMAT_AUTO):
    """Validate what was given, save uploads under the workspace and start the import job."""
    if not n_clicks:
        return (dash.no_update,) * 5
    state = current_state()
    runner = current_runner()
    try:
        sources, chat_name, config_path, saved = prepare_import(
            state.workspace, state.max_upload_bytes, archive, config_upload, files, config_file, chat,
            fmt=None if fmt is None or fmt == FORMAT_AUTO else fmt, limits=runner.limits)
    except ModeratorKitError as err:
        return dash.no_update, dash.no_update, str(err), "mk-note mk-note--error", dash.no_update
    except OSError as err:
        return dash.no_update, dash.no_update, f"could not save the upload in the workspace folder " \
            f"({err.strerror or 'error'})", "mk-note mk-note--error", dash.no_update
    try:
        job_id = runner.start(sources, chat_name, config_path, format_name=None if fmt is None or fmt == FORMAT_AUTO
                              else fmt, discard=saved)
    except ModeratorKitError as err:
        for path in saved:
            discard_upload(path, state.workspace)
        return dash.no_update, dash.no_update, str(err), "mk-note mk-note--error", dash.no_update
    return job_id, False, f"Importing into chat '{chat_name}'…", "mk-note", False


@dash.callback(Output("imp-message", "children", allow_duplicate=True),
               Output("imp-message", "className", allow_duplicate=True),
               Output("imp-cancel", "disabled", allow_duplicate=True),
               Input("imp-cancel", "n_clicks"), State("imp-job", "data"), prevent_initial_call=True)
def cancel(n_clicks: int, job_id: str | None):
    """Stop the running import: its process is ended and its temporary files removed; the workspace is kept as it
    was (or as far as the import got, which the page then says)."""
    if not n_clicks:
        return dash.no_update, dash.no_update, dash.no_update
    if current_runner().cancel(job_id):
        return "Cancelling the import…", "mk-note mk-note--warn", True
    return "Nothing to cancel: the import has already ended.", "mk-note", True


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
    elif job.get("status") == "cancelled":
        children.append(note(job.get("error") or "Import cancelled.", kind="warn"))
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
               Output("imp-cancel", "disabled", allow_duplicate=True),
               Output("imp-message", "children", allow_duplicate=True),
               Input("imp-poll", "n_intervals"), State("imp-job", "data"), State(CHATS_VERSION_STORE, "data"),
               prevent_initial_call=True)
def poll(_n: int, job_id: str | None, version: int | None):
    """Show the job's progress; when it ends stop polling, refresh the chat list and open the new sessions.

    Returns (progress view, polling stopped, chats version, sessions to open, cancel disabled, message): the
    message above the progress ("Importing…", "Cancelling…") is cleared once the job has ended and says so itself.
    """
    if not job_id or not isinstance(job_id, str):
        return dash.no_update, True, dash.no_update, dash.no_update, True, dash.no_update
    job = current_state().job(job_id)
    view = job_view(job)
    if job is None or job.get("status") in ("failed", "cancelled"):
        return view, True, dash.no_update, dash.no_update, True, ""
    if job.get("status") == "done":
        opened = job.get("new_sessions") or (job.get("sessions") or [])[-1:]
        return view, True, (version or 0) + 1, {"chat": job.get("chat"), "sessions": opened}, True, ""
    return view, False, dash.no_update, dash.no_update, job.get("stage") == "stopping", dash.no_update
