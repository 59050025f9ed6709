"""Compare chats side by side: pick chats and a sponsor profile; see the ranking with its reasons, what is within
the noise, the figures' spread, participants and retention on one chart, and published reference rows.

Profiles: "no sponsor" (rank by engaged participants), "each chat's own sponsor" (the fee and benchmark CPM of the
first sponsor in each chat's config) and every ``*.yaml`` in ``<workspace>/profiles/`` (docs/compare.md). Chat
names, titles and reasons are shown as text (React escapes them).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dash
from dash import Input, Output, dcc, html

from dashboards.components.layout import empty_state, graph, page_header, section
from dashboards.data import current_state
from moderator_kit.compare import METRICS, SponsorProfile, compare_chats, metric_text, parse_profile, read_profile
from moderator_kit.errors import ModeratorKitError
from moderator_kit.figures.compare import compare_trends, ranking_chart

__all__ = ["layout", "update", "profile_options", "own_sponsors_profile", "comparison_body"]

dash.register_page(__name__, path="/compare", name="Compare", order=6.5, title="Compare · moderator-kit")

NO_PROFILE = "none"
OWN_SPONSORS = "own"


def _profiles_dir() -> Path:
    return current_state().workspace / "profiles"


def profile_options() -> list[dict[str, str]]:
    """The profiles to pick from: none, each chat's own sponsor, and the workspace's ``profiles/*.yaml``."""
    options = [{"label": "No sponsor (rank by engaged participants)", "value": NO_PROFILE},
               {"label": "Each chat's own sponsor (fees from the chat configs)", "value": OWN_SPONSORS}]
    folder = _profiles_dir()
    if folder.is_dir():
        options += [{"label": f"Profile: {p.stem}", "value": p.name} for p in sorted(folder.glob("*.yaml"))]
    return options


def own_sponsors_profile(snapshots: list) -> SponsorProfile:
    """A profile from the chats' configs: each chat's first sponsor's fee; the first benchmark CPM found."""
    fees, cpm = {}, None
    for snap in snapshots:
        sponsors = (snap.meta.get("config") or {}).get("sponsors") or []
        if sponsors:
            fees[snap.chat] = float((sponsors[0].get("costs") or {}).get("fee", 0.0))
            cpm = cpm if cpm is not None else sponsors[0].get("benchmark_cpm")
    return parse_profile({"name": "each chat's own sponsor", "fees": fees,
                          **({"benchmark_cpm": cpm} if cpm is not None else {})})


def _profile(choice: str | None, snapshots: list) -> SponsorProfile | None:
    if not choice or choice == NO_PROFILE:
        return None
    if choice == OWN_SPONSORS:
        return own_sponsors_profile(snapshots)
    names = {o["value"] for o in profile_options()}
    if choice not in names:  # only files listed in the folder, never a path from the browser
        raise ModeratorKitError(f"unknown profile {choice!r}")
    return read_profile(_profiles_dir() / choice)


def _ranking_table(comparison) -> html.Table:
    metric = comparison.ranking_metric
    head = html.Thead(html.Tr([html.Th(t) for t in ("Rank", "Chat", "Platform", "Sessions",
                                                    comparison.ranking_label, "Verdict", "Why")]))
    rows = [html.Tr([
        html.Td("—" if c.rank is None else str(c.rank)), html.Td(c.chat, title=c.title), html.Td(c.platform),
        html.Td(str(c.sessions)),
        html.Td(f"{metric_text(metric, c.figures[metric].median)} ({metric_text(metric, c.figures[metric].q1)}–"
                f"{metric_text(metric, c.figures[metric].q3)})"),
        html.Td(c.verdict or "—"), html.Td(html.Ul([html.Li(r) for r in c.reasons])),
    ], **{"data-chat": c.chat}) for c in comparison.chats]
    return html.Table([head, html.Tbody(rows)], className="mk-table", id="cmp-ranking")


def _figures_table(comparison) -> html.Table:
    names = list(comparison.chats[0].figures) if comparison.chats else []
    head = html.Thead(html.Tr([html.Th("Figure (median, IQR)")] + [html.Th(c.chat) for c in comparison.chats]))
    rows = [html.Tr([html.Td(METRICS[n][0])] + [
        html.Td(f"{metric_text(n, c.figures[n].median)} ({metric_text(n, c.figures[n].q1)}–"
                f"{metric_text(n, c.figures[n].q3)})") for c in comparison.chats]) for n in names]
    rows.append(html.Tr([html.Td("First-timer return (whole chat)")] + [
        html.Td(f"{c.first_timers_returned} of {c.first_timers}") for c in comparison.chats]))
    rows.append(html.Tr([html.Td("Reach basis")] + [html.Td(c.reach_basis) for c in comparison.chats]))
    return html.Table([head, html.Tbody(rows)], className="mk-table", id="cmp-figures")


def _reference_table(comparison) -> html.Table:
    rows = [html.Tr([html.Td(r.chat), html.Td(r.kind), html.Td(f.label),
                     html.Td(f"{f.mean:,.0f}" + (f" ± {f.sd:,.0f}" if f.sd is not None else "")),
                     html.Td(r.citation)]) for r in comparison.references for f in r.figures]
    head = html.Thead(html.Tr([html.Th(t) for t in ("Chat", "Kind", "Figure", "Mean ± SD", "Source")]))
    return html.Table([head, html.Tbody(rows)], className="mk-table", id="cmp-reference")


def comparison_body(chats: list[str], choice: str | None, sessions: str | None) -> list[Any]:
    state = current_state()
    snapshots = [s for s in (state.snapshot(c) for c in chats) if s is not None]
    if not snapshots:
        return [empty_state("No chats picked", "Pick two or more analysed chats to compare them.")]
    try:
        comparison, frame = compare_chats(snapshots, _profile(choice, snapshots), sessions)
    except ModeratorKitError as err:
        return [empty_state("Cannot compare", str(err))]
    noise = comparison.indistinct + comparison.notes or ["Every difference in the ranking is beyond the noise "
                                                         "(permutation test, p < 0.05)."]
    return [
        section("Ranking, with reasons", [_ranking_table(comparison),
                                          html.Div([html.P(line) for line in noise], id="cmp-noise")],
                help=f"Ranked by {comparison.ranking_label.lower()}, median per session; docs/metrics/compare.md"),
        section(None, graph(ranking_chart(comparison), id="cmp-ranking-chart")),
        section("Trends side by side", graph(compare_trends(frame), id="cmp-trends")),
        section("Figures per chat", _figures_table(comparison)),
        section("Reference (published figures, never ranked)", _reference_table(comparison)),
    ]


def layout(chats: str | None = None, profile: str | None = None, **_query: str) -> html.Div:
    """``?chats=a,b&profile=own`` preselects chats and a profile (default: the first four chats, no sponsor)."""
    analysed = current_state().analyzed_chats()
    wanted = [c for c in (chats or "").split(",") if c in analysed] or analysed[:4]
    options = profile_options()
    choice = profile if profile in {o["value"] for o in options} else NO_PROFILE
    return html.Div([
        page_header("Compare", "Which chat is worth it? Chats side by side for sponsors and moderators"),
        section("Pick", [
            html.Div("Chats", className="mk-section-help"),
            dcc.Checklist(id="cmp-chats", options=[{"label": c, "value": c} for c in analysed], value=wanted,
                          inline=True, className="mk-checklist"),
            html.Div("Sponsor profile", className="mk-section-help"),
            dcc.RadioItems(id="cmp-profile", options=options, value=choice, className="mk-radio"),
            html.Div("Sessions", className="mk-section-help"),
            dcc.RadioItems(id="cmp-sessions", options=[{"label": "Latest 12 of each chat", "value": "last:12"},
                                                       {"label": "Latest 6", "value": "last:6"},
                                                       {"label": "All", "value": "all"}],
                           value="last:12", inline=True, className="mk-radio"),
        ]),
        dcc.Loading(html.Div(id="cmp-body"), type="dot", delay_show=400),
    ])


@dash.callback(Output("cmp-body", "children"), Input("cmp-chats", "value"), Input("cmp-profile", "value"),
               Input("cmp-sessions", "value"))
def update(chats: list[str] | None, choice: str | None, sessions: str | None):
    return comparison_body(list(chats or []), choice, sessions)
