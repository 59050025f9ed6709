"""Sponsor: what the sponsor got for what it paid — exposure, audience mix and ROI ranges, with the assumptions
spelled out, and an export of the sponsor report (HTML, PDF, XLSX) for the selected sessions.

The ROI figures are the snapshot's (``snapshot.meta['sponsors']``, one SponsorValue per sponsor over its sponsored
sessions: the whole deal). The report export calls :func:`moderator_kit.report.render_report` with the sessions
selected in the picker.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import dash
import polars as pl
from dash import Input, Output, State, dcc, html

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
from moderator_kit.errors import ModeratorKitError
from moderator_kit.figures.sponsor import (
    audience_mix_chart,
    cost_breakdown_chart,
    roi_range_chart,
    sensitivity_chart,
    sponsor_trend_chart,
)
from moderator_kit.snapshot_store import Snapshot
from moderator_kit.value.headline import sponsor_headline

__all__ = ["layout", "on_selection", "update", "export", "sponsor_body", "sponsor_options", "export_report",
           "REPORT_FORMATS", "CARD_KEYS"]

dash.register_page(__name__, path="/sponsor", name="Sponsor", order=6, title="Sponsor · moderator-kit")

#: Formats the export buttons offer (CSV is a folder of tables: use the CLI for it).
REPORT_FORMATS = ("html", "pdf", "xlsx")
#: The note style of each verdict (its words come from :func:`moderator_kit.value.headline.sponsor_headline`).
_VERDICT_KIND = {"worthwhile": "ok", "not worthwhile": "error", "unclear": "warn", "no evidence of exposure": "error"}
#: The headline figures shown as cards, in order (the verdict is the note above them).
CARD_KEYS = ("roi", "cost", "value", "impressions", "cpm", "break_even", "mentions", "engaged")


def sponsor_options(snapshot: Snapshot) -> list[dict[str, str]]:
    sponsors = snapshot.meta.get("sponsors") or {}
    return [{"label": str(v.get("sponsor") or k), "value": k} for k, v in sponsors.items() if isinstance(v, dict)]


def sponsor_body(snapshot: Snapshot | None, selection: Selection, key: str | None) -> list[Any]:
    if snapshot is None:
        return [no_chat_state()]
    sponsors = snapshot.meta.get("sponsors") or {}
    if not sponsors:
        return [empty_state(
            "No sponsor in this chat's config",
            "Add a sponsor to chat.yaml (sponsors: name, handles, hashtags, costs, benchmark_cpm, objectives) and "
            "run 'moderator-kit analyze' again to see its exposure and ROI here.")]
    key = key if key in sponsors else next(iter(sponsors))
    sv = sponsors[key]
    verdict = str(sv.get("verdict") or "unclear")
    figures = {f.key: f for f in sponsor_headline(sv)}
    sessions = sv.get("sessions") or []
    chosen = [s for s in selection.ids if s in sessions]
    children: list[Any] = [
        note([html.Strong(f"Verdict: {figures['verdict'].display}. ", id="sp-verdict"),
              f"{figures['verdict'].detail} " if figures["verdict"].detail else "",
              f"Over the {len(sessions)} sponsored session"
              f"{'s' if len(sessions) != 1 else ''} (the whole deal); the export covers the "
              f"{len(chosen)} sponsored session{'s' if len(chosen) != 1 else ''} of your selection."],
             kind=_VERDICT_KIND.get(verdict, "info")),
        card_grid([kpi_card(figures[k].label, figures[k].display, id=f"sp-kpi-{k}", detail=figures[k].detail or None)
                   for k in CARD_KEYS if k in figures]),
    ]
    mix = table_or_empty(snapshot, "audience_mix")
    if mix.height and "sponsor" in mix.columns:
        mix = mix.filter(pl.col("sponsor") == key)
        if selection.single:
            mix_figure = audience_mix_chart(mix, session_id=selection.single)
        else:
            mix_figure = audience_mix_chart(mix.filter(pl.col("session_id").is_in(selection.ids) |
                                                       pl.col("session_id").is_null())
                                            if selection.mode != "all" else mix)
    else:
        mix_figure = audience_mix_chart(pl.DataFrame(schema={"session_id": pl.String, "role": pl.String,
                                                             "participants": pl.Int64, "share": pl.Float64}))
    children.append(html.Div(className="mk-grid-2 mk-row-gap", children=[
        section(None, graph(roi_range_chart(sv), id="sp-roi")),
        section(None, graph(sensitivity_chart(sv), id="sp-sensitivity")),
    ]))
    children.append(section(None, graph(sponsor_trend_chart(sv), id="sp-trend")))
    children.append(html.Div(className="mk-grid-2 mk-row-gap", children=[
        section(None, graph(mix_figure, id="sp-mix")),
        section(None, graph(cost_breakdown_chart(sv), id="sp-costs")),
    ]))
    objectives = sv.get("objectives") or []
    if objectives:
        items = []
        for o in objectives:
            met = o.get("met")
            sign = "≥" if o.get("direction") == "at_least" else "≤"
            items.append(html.Li([
                html.Span("✓ " if met else "✗ " if met is False else "– ",
                          className="mk-badge mk-badge--ok" if met else "mk-badge mk-badge--bad" if met is False
                          else "mk-badge"),
                f" {metric_label(o.get('metric', ''), o.get('label'))}: "
                f"{format_metric(o.get('metric', ''), o.get('actual'))} (target {sign} "
                f"{format_metric(o.get('metric', ''), o.get('target'))}; {o.get('note') or ''})",
            ]))
        children.append(section("Sponsor objectives", html.Ul(items, className="mk-list")))
    reasons = [r for r in sv.get("reasons") or [] if isinstance(r, str)]
    assumptions = [a for a in sv.get("assumptions") or [] if isinstance(a, str)]
    children.append(html.Div(className="mk-grid-2 mk-row-gap", children=[
        section("Why this verdict", html.Ul([html.Li(r) for r in reasons], className="mk-list") if reasons
                else html.P("No reasons recorded.", className="mk-muted")),
        section("Assumptions", html.Ul([html.Li(a) for a in assumptions], className="mk-list") if assumptions
                else html.P("No assumptions recorded.", className="mk-muted"),
                help="Every estimate rests on these; change them in chat.yaml (exposure_rates, benchmark_cpm, "
                     "costs) and re-run 'moderator-kit analyze'."),
    ]))
    return children


def export_report(snapshot: Snapshot, fmt: str, *, sponsor: str | None, sessions: list[str], anonymize: bool,
                  folder: Path) -> Path:
    """Write the sponsor report for the sessions with :func:`moderator_kit.report.render_report`."""
    from moderator_kit.report import render_report  # the report package is optional at import time

    return render_report(snapshot, fmt, folder, sponsor=sponsor, sessions=sessions or None, audience="sponsor",
                         anonymize=anonymize)


def layout(**_query: str) -> html.Div:
    formats = [html.Button(f"⬇ {fmt.upper()} report", id={"type": "sp-export", "fmt": fmt}, n_clicks=0,
                           className="mk-button mk-button--primary" if fmt == "html" else "mk-button")
               for fmt in REPORT_FORMATS]
    return html.Div([
        html.Div(id="sp-header", children=page_header("Sponsor")),
        dcc.Download(id="sp-download"),
        section(None, html.Div(className="mk-controls", children=[
            html.Div(className="mk-control", children=[
                html.Label("Sponsor", htmlFor="sp-sponsor", className="mk-control-label"),
                html.Div(dcc.Dropdown(id="sp-sponsor", options=[], clearable=False, searchable=False),
                         className="mk-dropdown"),
            ]),
            dcc.Checklist(id="sp-anonymize", options=[{"label": "Pseudonymize participants in the report",
                                                       "value": "yes"}], value=[], className="mk-radio-inline"),
            *formats,
            # a PDF takes seconds (charts drawn by Chromium): a spinner shows the export is under way
            html.Span(id="sp-export-running", className="mk-muted mk-small", **{"aria-live": "polite"}),
            dcc.Loading(html.Div(id="sp-export-status", className="mk-note", role="status"), type="circle",
                        delay_show=200, id="sp-export-progress", className="mk-export-progress"),
        ])),
        dcc.Loading(html.Div(id="sp-body"), type="dot", delay_show=400),
    ])


@dash.callback(Output("sp-sponsor", "options"), Output("sp-sponsor", "value"), Input("mk-selection", "data"),
               State("sp-sponsor", "value"))
def on_selection(stored: dict | None, current: str | None):
    snapshot, _ = selected(stored)
    if snapshot is None:
        return [], None
    options = sponsor_options(snapshot)
    values = [o["value"] for o in options]
    return options, current if current in values else (values[0] if values else None)


@dash.callback(Output("sp-header", "children"), Output("sp-body", "children"), Input("mk-selection", "data"),
               Input("sp-sponsor", "value"))
def update(stored: dict | None, key: str | None):
    snapshot, selection = selected(stored)
    if snapshot is None:
        return page_header("Sponsor", "Exposure, audience and ROI"), sponsor_body(None, selection, key)
    header = page_header("Sponsor", f"{snapshot.meta.get('title') or snapshot.chat} · "
                                    f"{session_title(snapshot, selection)}")
    return header, sponsor_body(snapshot, selection, key)


@dash.callback(Output("sp-download", "data"), Output("sp-export-status", "children"),
               Output("sp-export-status", "className"),
               Input({"type": "sp-export", "fmt": dash.ALL}, "n_clicks"),
               State("sp-sponsor", "value"), State("sp-anonymize", "value"), State("mk-selection", "data"),
               running=[(Output("sp-export-running", "children"), "Rendering the report… a PDF takes a few seconds.",
                         "")],
               prevent_initial_call=True)
def export(_clicks, key: str | None, anonymize: list[str] | None, stored: dict | None):
    """Render the report in the clicked format and send it; say so on the page when it cannot be made."""
    trigger = dash.ctx.triggered_id
    if not isinstance(trigger, dict) or not any(t.get("value") for t in dash.ctx.triggered):
        return dash.no_update, dash.no_update, dash.no_update
    snapshot, selection = selected(stored)
    if snapshot is None:
        return dash.no_update, "Pick a chat first.", "mk-note mk-note--error"
    fmt = trigger["fmt"] if trigger.get("fmt") in REPORT_FORMATS else "html"
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = export_report(snapshot, fmt, sponsor=key, sessions=selection.ids,
                                 anonymize=bool(anonymize), folder=Path(folder))
            content = path.read_bytes()
            name = path.name
    except ImportError:
        return dash.no_update, "The report renderer (moderator_kit.report) is not installed.", \
            "mk-note mk-note--error"
    except ModeratorKitError as err:
        return dash.no_update, f"No report: {err}", "mk-note mk-note--error"
    except OSError as err:  # e.g. PDF rendering without Pango
        return dash.no_update, f"The {fmt.upper()} report could not be written: {err}", "mk-note mk-note--error"
    return dcc.send_bytes(content, name), f"Report ready: {name} ({len(content) / 1024:,.0f} KiB).", \
        "mk-note mk-note--ok"
