"""The dashboard's callbacks as plain functions (no browser), its helpers, and the app factory's HTTP behaviour.

Callbacks are called as the plain functions under ``@dash.callback`` (:func:`raw`) inside the app's context; the few
that read ``dash.ctx`` get a callback context with the triggering input set by :func:`triggered`.
"""

from __future__ import annotations

import base64
import io
import json
import sys
import time
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import dash
import networkx as nx
import plotly.graph_objects as go
import polars as pl
import pytest

from dashboards.app import create_app, is_loopback, parse_basic_auth, run_dashboard
from dashboards.components.links import external_link, message_url, safe_http_url
from dashboards.components.picker import OPEN_REQUEST_STORE, URL, nav_links, sync_picker
from dashboards.components.table import Column, next_page, next_sort, render_table, sort_and_page
from dashboards.data import DashboardState, Selection, parse_query, resolve_sessions, selection_query
from dashboards.imports import (
    UploadError,
    decode_upload,
    default_chat_name,
    read_uploaded_config,
    resolve_workspace_file,
    workspace_files,
)
from moderator_kit.api import import_archives
from moderator_kit.errors import ConfigError, ModeratorKitError
from moderator_kit.figures.theme import fmt_int, fmt_pct, fmt_score
from moderator_kit.formats import fmt_roi
from moderator_kit.snapshot import ALL_SESSIONS, analyze_chat, load_snapshot, replay_steps

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "jobhuntchat"


# -- helpers -------------------------------------------------------------------------------------------------------
def _tweet(tid: int, at: datetime, author: str, text: str, reply_to: tuple[int, str] | None = None) -> dict:
    out = {"id": str(tid), "text": text, "created_at": at.strftime("%Y-%m-%dT%H:%M:%S.000Z"), "author_id": author,
           "conversation_id": str(reply_to[0] if reply_to else tid),
           "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": 0, "quote_count": 0}}
    if reply_to:
        out["referenced_tweets"] = [{"type": "replied_to", "id": str(reply_to[0])}]
        out["in_reply_to_user_id"] = reply_to[1]
    return out


def write_plain_chat(path: Path) -> Path:
    """A small twarc2 chat without agenda questions, sponsors or objectives (one burst of replies)."""
    t0 = datetime(2026, 2, 2, 20, 0, tzinfo=timezone.utc)
    users = [{"id": str(i), "username": f"p{i}", "name": f"P {i}"} for i in range(1, 5)]
    tweets = [_tweet(100 + i, t0 + timedelta(minutes=2 * i), str(1 + i % 4), f"hello number {i}",
                     reply_to=(100 + i - 1, str(1 + (i - 1) % 4)) if i else None) for i in range(12)]
    path.write_text(json.dumps({"data": tweets, "includes": {"users": users}}) + "\n", encoding="utf-8")
    return path


def find(tree: Any, cid: Any) -> Any:
    """The component with id ``cid`` in a Dash component tree (or None)."""
    if isinstance(tree, (list, tuple)):
        for item in tree:
            hit = find(item, cid)
            if hit is not None:
                return hit
        return None
    if hasattr(tree, "to_plotly_json"):
        if getattr(tree, "id", None) == cid:
            return tree
        return find(getattr(tree, "children", None), cid)
    return None


def find_all(tree: Any, kind: str) -> list[Any]:
    """Every component of type ``kind`` (e.g. 'Dt') in a tree, in order."""
    out: list[Any] = []

    def walk(node: Any) -> None:
        if isinstance(node, (list, tuple)):
            for item in node:
                walk(item)
        elif hasattr(node, "to_plotly_json"):
            if type(node).__name__ == kind:
                out.append(node)
            walk(getattr(node, "children", None))

    walk(tree)
    return out


def text(tree: Any) -> str:
    """All text in a component tree, joined by spaces."""
    if tree is None:
        return ""
    if isinstance(tree, (str, int, float)):
        return str(tree)
    if isinstance(tree, (list, tuple)):
        return " ".join(text(t) for t in tree)
    if hasattr(tree, "to_plotly_json"):
        return text(getattr(tree, "children", None))
    return ""


def figures(tree: Any) -> dict[str, go.Figure]:
    """Figures of the dcc.Graphs in a tree, by graph id."""
    out: dict[str, go.Figure] = {}

    def walk(node: Any) -> None:
        if isinstance(node, (list, tuple)):
            for item in node:
                walk(item)
        elif isinstance(node, dash.dcc.Graph):
            out[node.id] = node.figure
        elif hasattr(node, "to_plotly_json"):
            walk(getattr(node, "children", None))

    walk(tree)
    return out


@contextmanager
def triggered(*inputs: tuple[Any, str, Any]):
    """Run code as Dash would inside a callback triggered by ``(component id, prop, value)`` inputs."""
    from dash._callback_context import context_value
    from dash._utils import AttributeDict

    items = [{"prop_id": f"{dash.stringify_id(cid)}.{prop}", "value": value} for cid, prop, value in inputs]
    token = context_value.set(AttributeDict(triggered_inputs=items))
    try:
        yield
    finally:
        context_value.reset(token)


def raw(callback):
    """The plain function under ``@dash.callback`` (Dash 4 returns it as is; older versions wrap it)."""
    return getattr(callback, "__wrapped__", callback)


def page(name: str):
    """A page module as Dash executed it for the last app created."""
    return sys.modules[f"dashboards.pages.{name}"]


# -- fixtures ------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    if not (SAMPLE / "jobhuntchat.jsonl").exists():
        pytest.skip("the bundled sample is missing: python -m moderator_kit.synth --out sample_data")
    ws = tmp_path_factory.mktemp("callbacks_ws")
    import_archives([SAMPLE / "jobhuntchat.jsonl"], chat="jobhuntchat", workspace=ws, config=SAMPLE / "chat.yaml")
    analyze_chat(ws, "jobhuntchat")
    folder = tmp_path_factory.mktemp("plain")
    plain = write_plain_chat(folder / "plain.jsonl")
    config = folder / "plain.yaml"
    config.write_text("chat: plainchat\nschedule: {weekday: monday, time: '20:00', timezone: UTC}\n")
    import_archives([plain], chat="plainchat", workspace=ws, config=config)
    analyze_chat(ws, "plainchat")
    return ws


@pytest.fixture(scope="module")
def app(workspace):
    return create_app(workspace, max_upload_mb=1)


@pytest.fixture
def ctx(app):
    with app.server.test_request_context("/"):
        yield app


@pytest.fixture(scope="module")
def snap(workspace):
    return load_snapshot(workspace, "jobhuntchat")


def store(snap, mode: str = "session", sessions: list[str] | None = None, chat: str = "jobhuntchat") -> dict:
    ids = sessions if sessions is not None else (snap.session_ids()[-1:] if mode == "session" else
                                                 snap.session_ids())
    return {"chat": chat, "mode": mode, "sessions": ids}


# -- data, links, table --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("search, expected", [
    ("?chat=a&session=s1", {"chat": "a", "mode": "session", "session": "s1"}),
    ("?chat=a&from=s1&to=s3", {"chat": "a", "mode": "range", "start": "s1", "end": "s3"}),
    ("?chat=a&sessions=all&session=s2", {"chat": "a", "mode": "all"}),
    ("?chat=<script>&session=%3Cimg%3E", {"chat": "<script>", "mode": "session", "session": "<img>"}),
    (None, {}),
])
def test_parse_query(search, expected):
    assert parse_query(search) == expected


@pytest.mark.parametrize("selection", [
    Selection("c", "session", ("s2",)), Selection("c", "range", ("s1", "s2", "s3")), Selection("c", "all", ("s1",)),
])
def test_selection_survives_the_url(selection):
    query = parse_query(selection_query(selection))
    ids = ["s1", "s2", "s3"]
    again = resolve_sessions(ids, query["mode"], query.get("session"), query.get("start"), query.get("end"))
    expected = ids if selection.mode == "all" else list(selection.sessions)
    assert again == expected


@pytest.mark.parametrize("data", [None, [], {"chat": 3, "mode": "bogus", "sessions": ["a", 2, None]}])
def test_selection_from_bad_store_data(data):
    sel = Selection.from_store(data)
    assert sel.mode == "session" and all(isinstance(s, str) for s in sel.sessions)


@pytest.mark.parametrize("url, safe", [
    ("https://example.com/a", True), ("http://example.com", True), ("javascript:alert(1)", False),
    ("JaVaScRiPt:alert(1)", False), ("java\tscript:alert(1)", False), ("data:text/html,<script>", False),
    ("vbscript:msgbox", False), ("//evil.com", False), ("https://ex.com/\"><script>", False),
    ("https://@evil.com", False), ("", False), (None, False), ("https://exa mple.com", False),
])
def test_only_http_urls_become_links(url, safe):
    assert (safe_http_url(url) is not None) is safe
    rendered = external_link(url, "x").to_plotly_json()
    assert (rendered["type"] == "A") is safe


@pytest.mark.parametrize("platform, mid, handle, expected", [
    ("twitter", "123", "ann_b", "https://x.com/ann_b/status/123"),
    ("twitter", "123", "<img src=x>", "https://x.com/i/status/123"),
    ("twitter", "12a", "ann", None),
    ("slack", "C1:1.2", "ann", None),
    ("bluesky", "at://did:plc:x1/app.bsky.feed.post/3k", None, "https://bsky.app/profile/did:plc:x1/post/3k"),
    ("bluesky", "at://did:plc:x1/app.bsky.feed.post/3k\"onload", None, None),
])
def test_message_urls_are_built_only_from_safe_ids(platform, mid, handle, expected):
    assert message_url(platform, mid, handle) == expected


def test_table_sorts_with_nulls_last_and_pages():
    frame = pl.DataFrame({"h": ["a", "b", "c", "d"], "n": [2, None, 5, 1], "tags": [["x"], [], ["y", "z"], None]})
    rows, pages = sort_and_page(frame, {"column": "n", "descending": False}, page=0, page_size=3)
    assert rows["h"].to_list() == ["d", "a", "c"] and pages == 2
    rows, _ = sort_and_page(frame, {"column": "n", "descending": True}, page=1, page_size=3)
    assert rows["h"].to_list() == ["b"]
    rows, _ = sort_and_page(frame, {"column": "tags", "descending": True}, page=0, page_size=4)
    assert rows["h"].to_list()[0] == "c"
    assert next_sort(None, "n") == {"column": "n", "descending": True}
    assert next_page(5, 1, 3) == 2


def test_table_cells_are_text_not_html():
    table = render_table("t", pl.DataFrame({"a": ["<img src=x onerror=alert(1)>"], "n": [1234]}),
                         [Column("a", "A"), Column("n", "N", kind="int")])
    assert "<img src=x onerror=alert(1)>" in text(table) and "1,234" in text(table)
    assert '"type": "Img"' not in json.dumps(table.to_plotly_json(), default=str)


# -- app factory and HTTP ------------------------------------------------------------------------------------------
def test_each_app_gets_its_own_pages_and_callbacks(workspace, tmp_path):
    first = create_app(workspace)
    second = create_app(tmp_path)  # an empty workspace
    for one in (first, second):
        assert any("ov-body" in key for key in one.callback_map)
        assert any("mk-selection" in key for key in one.callback_map)
    assert first.server.config["MODERATOR_KIT"].analyzed_chats()[:2] == ["jobhuntchat", "plainchat"]
    assert second.server.config["MODERATOR_KIT"].analyzed_chats() == []
    client = first.server.test_client()
    assert client.get("/").status_code == 200
    assert client.get("/flow").status_code == 200


def _update(client, output: str, inputs: list[dict], state: list[dict] | None = None) -> dict:
    payload = {"output": output, "outputs": [{"id": o.split(".")[0], "property": o.split(".")[1]}
                                             for o in output.strip(".").split("...")],
               "inputs": inputs, "state": state or [], "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"]}
    response = client.post("/_dash-update-component", json=payload)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()


def test_a_callback_answers_over_http_with_security_headers(app, snap):
    client = app.server.test_client()
    client.get("/")  # Dash finishes its set-up on the first request
    data = _update(client, "..ov-header.children...ov-body.children..",
                   [{"id": "mk-selection", "property": "data", "value": store(snap)}])
    body = json.dumps(data["response"])
    row = snap.table("engagement").filter(pl.col("session_id") == snap.session_ids()[-1]).row(0, named=True)
    assert fmt_int(row["active_participants"]) in body
    page_response = client.get("/")
    policy = page_response.headers["Content-Security-Policy"]
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy and "'unsafe-inline'" not in \
        policy.split("script-src", 1)[1].split(";")[0]
    assert page_response.headers["X-Content-Type-Options"] == "nosniff"


def test_response_cache_serves_repeats_and_forgets_them_on_a_new_analysis(workspace, snap):
    import os

    from dashboards.app import CACHE_KEY

    app = create_app(workspace)
    cache = app.server.config[CACHE_KEY]
    client = app.server.test_client()
    client.get("/")
    inputs = [{"id": "mk-selection", "property": "data", "value": store(snap)}]
    first = _update(client, "..ov-header.children...ov-body.children..", inputs)
    again = _update(client, "..ov-header.children...ov-body.children..", inputs)
    assert first == again and cache.hits == 1 and len(cache) == 1
    meta = workspace / "analysis" / "chat=jobhuntchat" / "snapshot.json"
    stat = meta.stat()
    os.utime(meta, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # as a new analysis would
    _update(client, "..ov-header.children...ov-body.children..", inputs)
    assert cache.hits == 1 and len(cache) == 2
    # the picker reads the workspace's chat list: never cached
    _update(client, "..mk-pick-chat.options...mk-pick-chat.value...mk-pick-mode.value...mk-pick-session.options"
                    "...mk-pick-session.value...mk-pick-from.options...mk-pick-from.value...mk-pick-to.options"
                    "...mk-pick-to.value...mk-pick-session-wrap.style...mk-pick-range-wrap.style"
                    "...mk-selection.data...mk-pick-summary.children..",
            [{"id": i, "property": p, "value": v} for i, p, v in (
                (URL, "search", "?chat=jobhuntchat"), ("mk-pick-chat", "value", None), ("mk-pick-mode", "value", None),
                ("mk-pick-session", "value", None), ("mk-pick-from", "value", None), ("mk-pick-to", "value", None),
                ("mk-chats-version", "data", 0), (OPEN_REQUEST_STORE, "data", None))],
            [{"id": "mk-selection", "property": "data", "value": None}])
    assert len(cache) == 2
    assert create_app(workspace, response_cache=0).server.config.get(CACHE_KEY) is None


def test_requests_larger_than_the_upload_limit_are_refused(app):
    client = app.server.test_client()
    big = b"x" * (app.server.config["MAX_CONTENT_LENGTH"] + 10)
    response = client.post("/_dash-update-component", data=big, content_type="application/json")
    assert response.status_code == 413


def test_basic_auth_guards_every_route(workspace):
    app = create_app(workspace, basic_auth="mod:s3cret")
    client = app.server.test_client()
    assert client.get("/").status_code == 401
    assert client.get("/_dash-layout").status_code == 401
    bad = base64.b64encode(b"mod:wrong").decode()
    assert client.get("/", headers={"Authorization": f"Basic {bad}"}).status_code == 401
    good = base64.b64encode(b"mod:s3cret").decode()
    assert client.get("/", headers={"Authorization": f"Basic {good}"}).status_code == 200


@pytest.mark.parametrize("value", ["nopassword", ":x", "user:", ("a",)])
def test_bad_basic_auth_values_are_refused(value):
    with pytest.raises(ModeratorKitError):
        parse_basic_auth(value)


def test_run_dashboard_binds_loopback_unless_allowed(workspace, monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(dash.Dash, "run", lambda self, **kw: calls.append(kw))
    with pytest.raises(ModeratorKitError, match="allow-remote"):
        run_dashboard(workspace, host="0.0.0.0")
    assert calls == []
    run_dashboard(workspace, host="0.0.0.0", port=8123, allow_remote=True)
    assert calls[-1]["host"] == "0.0.0.0" and calls[-1]["port"] == 8123
    assert "WARNING" in capsys.readouterr().err
    run_dashboard(workspace)
    assert calls[-1]["host"] == "127.0.0.1" and calls[-1]["port"] == 8050
    assert is_loopback("127.0.0.2") and not is_loopback("10.0.0.1")


# -- picker and navigation -----------------------------------------------------------------------------------------
def test_picker_reads_the_url_and_fills_the_store(ctx, snap):
    ids = snap.session_ids()
    out = sync_picker(f"?chat=jobhuntchat&from={ids[1]}&to={ids[3]}", None, None, None, None, None, 0, None, None,
                      triggered=URL)
    chat_options, chat, mode, options, session, _, start, _, end, session_style, range_style, data, summary = out
    assert chat == "jobhuntchat" and mode == "range" and (start, end) == (ids[1], ids[3])
    assert data["sessions"] == ids[1:4] and data["query"] == f"?chat=jobhuntchat&from={ids[1]}&to={ids[3]}"
    assert session_style == {"display": "none"} and range_style == {}
    assert [o["value"] for o in chat_options][:2] == ["jobhuntchat", "plainchat"]
    assert len(options) == len(ids) and summary == f"3 of {len(ids)} sessions"


def test_picker_falls_back_on_unknown_values_and_opens_imported_sessions(ctx, snap):
    ids = snap.session_ids()
    out = sync_picker("?chat=nope&session=zzz", None, None, None, None, None, 0, None, None, triggered=URL)
    assert out[1] == "jobhuntchat" and out[11]["sessions"] == [ids[-1]]
    out = sync_picker("", "jobhuntchat", "session", ids[0], None, None, 1, {"chat": "jobhuntchat",
                      "sessions": ids[2:4]}, None, triggered="mk-chats-version", also=(OPEN_REQUEST_STORE,))
    assert out[2] == "range" and out[11]["sessions"] == ids[2:4]
    # switching chat opens the new chat's latest session
    plain = load_snapshot(ctx.server.config["MODERATOR_KIT"].workspace, "plainchat").session_ids()
    out = sync_picker("", "plainchat", "session", ids[0], None, None, 0, None, store(snap), triggered="mk-pick-chat")
    assert out[11]["chat"] == "plainchat" and out[11]["sessions"] == plain[-1:]


def test_nav_links_carry_the_selection(ctx, snap):
    outputs = [{"id": {"type": "mk-nav", "path": p}} for p in ("/", "/flow", "/import")]
    hrefs, classes = nav_links(store(snap), "/flow", outputs)
    assert hrefs[0] == f"/?chat=jobhuntchat&session={snap.session_ids()[-1]}"
    assert hrefs[2] == "/import" and classes[1].endswith("--active") and not classes[0].endswith("--active")


# -- pages -----------------------------------------------------------------------------------------------------------
def test_overview_shows_snapshot_numbers_and_objectives(ctx, snap):
    header, body = raw(page("overview").update)(store(snap))
    last = snap.session_ids()[-1]
    row = snap.table("engagement").filter(pl.col("session_id") == last).row(0, named=True)
    assert text(find(body, "ov-kpi-active-value")) == fmt_int(row["active_participants"])
    assert f"+ {fmt_int(row['pure_reposters'])} only reposted" in text(find(body, "ov-kpi-active"))
    assert {"ov-timeline", "ov-herding", "ov-roles", "ov-hashtags"} <= set(figures(body))
    assert snap.meta["title"] in text(header)
    # all sessions: the snapshot's own objectives table
    _, body = raw(page("overview").update)(store(snap, "all"))
    objectives = snap.table("objectives")
    assert f"{int(objectives['met'].sum())} of {objectives.height} met" in text(body)
    active = snap.table("signals").filter(pl.col("active"))["handle"].n_unique()
    assert text(find(body, "ov-kpi-active-value")) == fmt_int(active)


@pytest.mark.parametrize("mode", ["session", "range", "all"])
def test_overview_new_and_returning_add_up_to_the_active_participants(ctx, snap, mode):
    ids = snap.session_ids()
    chosen = {"session": ids[-1:], "range": ids[2:6], "all": ids}[mode]
    _, body = raw(page("overview").update)(store(snap, mode, chosen))
    new, returning = (int(v.replace(",", "")) for v in text(find(body, "ov-kpi-new-value")).split(" · "))
    active = int(text(find(body, "ov-kpi-active-value")).replace(",", ""))
    assert new + returning == active, (mode, new, returning, active)
    assert f"of the {fmt_int(active)} active" in text(find(body, "ov-kpi-new"))


@pytest.mark.parametrize("mode", ["session", "all"])
def test_cli_summary_headline_equals_the_overview_cards(ctx, snap, workspace, mode):
    """One number, one value: the headline of 'moderator-kit summary' is the Overview's cards, label and rounding."""
    from click.testing import CliRunner

    from moderator_kit.cli import cli

    last = snap.session_ids()[-1]
    args = ["summary", "--chat", "jobhuntchat", "--workspace", str(workspace), "--json"]
    result = CliRunner().invoke(cli, args + (["--session", last] if mode == "session" else []))
    assert result.exit_code == 0, result.output
    headline = json.loads(result.output)["headline"]
    _, body = raw(page("overview").update)(store(snap, mode))
    cards = {"Messages": "ov-kpi-messages", "Active participants": "ov-kpi-active", "New · returning": "ov-kpi-new",
             "Herding score": "ov-kpi-herding", "Reply share": "ov-kpi-replies",
             "Estimated impressions": "ov-kpi-impressions"}
    from moderator_kit.selection import SelectionSummary, headline_rows

    printed = dict(headline_rows(SelectionSummary(**headline)))
    for label, card in cards.items():
        assert text(find(body, f"{card}-value")) == printed[label], label
    assert headline["active"] == headline["new"] + headline["returning"]
    table = CliRunner().invoke(cli, args[:-1] + (["--session", last] if mode == "session" else []))
    import re

    for label in ("Active participants", "Herding score", "Reply share"):
        assert re.search(rf"{label}\s*│\s*{re.escape(printed[label])}\s*│", table.output), (label, table.output)


def as_json(fig: go.Figure) -> dict:
    """A figure as plain JSON data (arrays as lists), for equality."""
    return json.loads(fig.to_json())


def _page_figures(snap, selection: dict) -> dict[str, list[tuple[str, go.Figure]]]:
    """Every figure the Overview, Agenda flow, Trends, Participants and Network pages draw for a selection, by
    title, with the page that drew it."""
    found: dict[str, list[tuple[str, go.Figure]]] = {}

    def add(name: str, tree: Any) -> None:
        for fig in figures(tree).values():
            fig = fig if isinstance(fig, go.Figure) else go.Figure(fig)
            found.setdefault(fig.layout.title.text or "", []).append((name, fig))

    for name in ("overview", "flow", "trends"):
        add(name, raw(page(name).update)(selection)[1])
    parts = page("participants")
    first = parts.participants_frame(snap, Selection.from_store(selection))["handle"][0]
    add("participants", raw(parts.show_person)(first, selection))
    net = page("network")
    _, scope, _, _ = raw(net.on_selection)(selection)
    top, *_ = raw(net.on_scope)(scope, selection)
    add("network", raw(net.draw)(scope, ["reply", "mention", "repost", "quote"], "community", top, selection)[0])
    return found


@pytest.mark.parametrize("mode", ["session", "all"])
def test_a_figure_is_the_same_on_every_page_that_shows_it(ctx, snap, mode):
    """One number, one value: a chart on two pages (the herding gauge on Overview and Agenda flow, the herding
    trend on Overview and Trends…) comes from one builder with the same inputs, so it is equal, label for label."""
    found = _page_figures(snap, store(snap, mode))
    shared = {title: shown for title, shown in found.items() if len({p for p, _ in shown}) > 1}
    assert shared, "no figure appears on two pages: the test would check nothing"
    for title, shown in shared.items():
        first_page, first = shown[0]
        for other_page, fig in shown[1:]:
            assert as_json(fig) == as_json(first), f"{title!r}: {first_page} ≠ {other_page}"
    if mode == "session":
        assert {p for p, _ in shared["Herding score"]} == {"overview", "flow"}
    else:
        assert {p for p, _ in shared["Herding score per session"]} == {"overview", "trends"}


def test_the_herding_score_reads_the_same_on_cards_and_gauge(ctx, snap):
    body = raw(page("overview").update)(store(snap))[1]
    card = text(find(body, "ov-kpi-herding-value")).split(" / ")[0]
    gauge = figures(body)["ov-herding"]
    gauge = gauge if isinstance(gauge, go.Figure) else go.Figure(gauge)
    objectives = snap.table("objectives")
    index = objectives["metric"].to_list().index("herding_score")  # the sample's config has this objective
    assert card == fmt_score(gauge.data[0].value)
    formula = gauge.layout.annotations[0].text.replace("<br>", " ")
    assert formula.endswith(f"≈ {card}"), formula  # the formula under the gauge ends on the number it shows
    assert text(find(body, f"ov-objective-{index}-value")) == card


def test_the_moderator_report_draws_the_trends_pages_figures(ctx, snap):
    """The HTML report's overview charts (participants, herding, impressions per session) equal the Trends page's
    over all sessions."""
    from moderator_kit.report import build_report

    model = build_report(snap, audience="moderator")
    body = raw(page("trends").update)(store(snap, "all"))[1]
    drawn = {k: (v if isinstance(v, go.Figure) else go.Figure(v)) for k, v in figures(body).items()}
    for key, graph_id in (("participants", "tr-participants"), ("herding", "tr-herding")):
        assert as_json(model.figures[key]) == as_json(drawn[graph_id]), key
    # the impressions chart: the same bars and band; the report titles it for its own reader
    assert as_json(model.figures["reach"])["data"] == as_json(drawn["tr-reach"])["data"]


def test_overview_says_what_to_do_without_data(ctx, snap):
    _, body = raw(page("overview").update)(None)
    assert "Import" in text(body)
    plain = load_snapshot(ctx.server.config["MODERATOR_KIT"].workspace, "plainchat")
    _, body = raw(page("overview").update)(store(plain, chat="plainchat"))
    assert "No objectives in the chat config" in text(body)


def test_agenda_flow_lists_the_answers_of_a_clicked_question(ctx, snap):
    flow = page("flow")
    last = snap.session_ids()[-1]
    _, body, question = raw(flow.update)(store(snap))
    assert question is None
    chart = figures(body)["flow-chart"]
    assert [t.name for t in chart.data][:2] == ["Q1", "Q2"]
    with triggered(({"type": "flow-question", "q": 3}, "n_clicks", 1)):
        assert raw(flow.pick_question)([0, 0, 1]) == 3
    with triggered(({"type": "flow-question", "q": 3}, "n_clicks", 0)):
        assert raw(flow.pick_question)([0, 0, 0]) is dash.no_update
    panel = raw(flow.show_answers)(3, store(snap))
    expected = snap.table("messages").filter((pl.col("session_id") == last) & (pl.col("question") == 3)
                                             & (pl.col("category") == "answer"))
    originals = expected.filter(pl.col("kind") != "repost").height
    counted = snap.table("questions").filter((pl.col("session_id") == last) & (pl.col("question") == 3))["answers"]
    assert originals == counted[0] and text(find(panel, "flow-answers-title")).startswith(f"Q3 — {originals} answers")
    assert len(find(panel, "flow-answer-list").children) == expected.height
    short = flow.answers_panel(snap, last, 3, limit=2)
    assert len(find(short, "flow-answer-list").children) == 2 and find(short, "flow-answers-all") is not None
    full = raw(flow.show_all_answers)(1, 3, store(snap))
    assert len(find(full, "flow-answer-list").children) == expected.height
    assert raw(flow.show_all_answers)(0, 3, store(snap)) is dash.no_update
    suggestions = snap.table("suggestions").filter(pl.col("session_id") == last)["suggestion"].to_list()
    assert all(s in text(body) for s in suggestions)


def test_agenda_flow_without_questions_says_how_to_add_them(ctx):
    plain = load_snapshot(ctx.server.config["MODERATOR_KIT"].workspace, "plainchat")
    _, body, _ = raw(page("flow").update)(store(plain, chat="plainchat"))
    assert "Add the agenda to chat.yaml" in text(body)


def test_network_replay_grows_the_graph(ctx, snap):
    net = page("network")
    last = snap.session_ids()[-1]
    options, scope, empty, style = raw(net.on_selection)(store(snap))
    assert scope == last and options[-1]["value"] == ALL_SESSIONS and empty is None
    total = replay_steps(snap, last).height
    top, value, marks, shape, people = raw(net.on_scope)(last, store(snap))
    assert top == value == total and marks[0] == "start"
    assert snap.meta["shapes"][last]["shape"] in text(shape)
    full, status = raw(net.draw)(last, ["reply", "mention", "repost", "quote"], "community", total,
                                        store(snap))
    early, early_status = raw(net.draw)(last, ["reply", "mention", "repost", "quote"], "community", 5,
                                               store(snap))
    points = lambda fig: sum(len(t.x) for t in fig.data if "markers" in (t.mode or ""))  # noqa: E731
    assert points(full) == snap.table("nodes").filter(pl.col("session_id") == last).height
    assert 0 < points(early) < points(full) and f"the first 5 of {total:,}" in early_status
    empty_figure, _ = raw(net.draw)(last, [], "role", total, store(snap))
    assert empty_figure.layout.meta == {"empty": True}


@pytest.mark.parametrize("scope", ["last", ALL_SESSIONS])
def test_network_labels_count_one_thing_each_and_agree(ctx, snap, scope):
    """Interactions (messages) on the slider, the status, the subtitle and the legend; ties (pairs) in the subtitle
    and the shape panel; communities of 2+ people in the legend and the panel; isolates in both."""
    net = page("network")
    scope = snap.session_ids()[-1] if scope == "last" else scope
    kinds = ["reply", "mention", "repost", "quote"]
    interactions = snap.table("interactions")
    total = (interactions if scope == ALL_SESSIONS else interactions.filter(
        (pl.col("session_id") == scope) & (pl.col("phase") == "chat"))).height
    top, _, _, shape, _ = raw(net.on_scope)(scope, store(snap))
    fig, status = raw(net.draw)(scope, kinds, "community", top, store(snap))
    metrics = snap.table("graph_metrics").filter(pl.col("session_id") == scope).row(0, named=True)
    assert top == total and f"all {total:,} interactions" in status
    subtitle = fig.layout.title.subtitle.text.replace("<br>", " ")
    assert f"{metrics['edges']:,} ties from {total:,} interactions" in subtitle
    counts = [int(t.name.rsplit("(", 1)[1].rstrip(")").replace(",", "")) for t in fig.data if t.mode == "lines"]
    assert sum(counts) == total  # the legend's interaction counts add up to the slider
    panel = dict(zip([text(dt) for dt in find_all(shape, "Dt")], [text(dd) for dd in find_all(shape, "Dd")]))
    assert panel["Interactions"] == fmt_int(total)
    assert panel["Ties (pairs who interacted)"] == fmt_int(metrics["edges"])
    node_names = [t.name for t in fig.data if t.mode != "lines"]
    communities = [n for n in node_names if n.startswith("Community ")]
    assert panel["Communities (2+ people)"] == fmt_int(metrics["communities"])
    if metrics["communities"] <= 10:
        assert len(communities) == metrics["communities"]
    alone = [n for n in node_names if n.startswith("No community")]
    isolates = int(alone[0].split(" · ")[1].split()[0].replace(",", "")) if alone else 0
    assert panel["Isolates (no community)"] == fmt_int(isolates) == fmt_int(metrics["isolates"])


def test_network_replay_keeps_community_colours(ctx, snap):
    net = page("network")
    last = snap.session_ids()[-1]
    kinds = ["reply", "mention", "repost", "quote"]
    colour = lambda fig: {t.name.split(" · ")[0]: t.marker.color for t in fig.data if t.mode != "lines"}  # noqa
    total = replay_steps(snap, last).height
    full = colour(raw(net.draw)(last, kinds, "community", total, store(snap))[0])
    for step in (3, 10, 25, total // 2):
        early = colour(raw(net.draw)(last, kinds, "community", step, store(snap))[0])
        assert all(full[name] == c for name, c in early.items() if name.startswith("Community")), step


@pytest.mark.parametrize("button, suffix, reader", [("net-dl-graphml", ".graphml", nx.read_graphml),
                                                    ("net-dl-gexf", ".gexf", nx.read_gexf)])
def test_network_downloads_the_session_graph(ctx, snap, button, suffix, reader):
    last = snap.session_ids()[-1]
    with triggered((button, "n_clicks", 1)):
        sent = raw(page("network").download)(1, 1, last, store(snap))
    assert sent["filename"] == f"jobhuntchat-{last}{suffix}"
    graph = reader(io.BytesIO(base64.b64decode(sent["content"])))
    nodes = snap.table("nodes").filter(pl.col("session_id") == last)
    assert set(graph.nodes) == set(nodes["handle"].to_list())
    assert "pagerank" in next(iter(graph.nodes(data=True)))[1]


def test_cli_export_graph_writes_the_pages_download(ctx, snap, workspace, tmp_path):
    """One graph, one file: 'moderator-kit export-graph' writes the Network page's download, node metrics included."""
    from moderator_kit.cli import main

    last = snap.session_ids()[-1]
    with triggered(("net-dl-graphml", "n_clicks", 1)):
        sent = raw(page("network").download)(1, 1, last, store(snap))
    out = tmp_path / "cli.graphml"
    assert main(["export-graph", "--chat", "jobhuntchat", "--session", last, "-o", str(out),
                 "-w", str(workspace)]) == 0
    assert out.read_bytes() == base64.b64decode(sent["content"])
    assert "pagerank" in next(iter(nx.read_graphml(out).nodes(data=True)))[1]


def test_participants_filter_sort_and_history(ctx, snap):
    parts = page("participants")
    header, table, pages, count = raw(parts.render)(store(snap, "all"), "advocate", None,
                                                           {"column": "replies_given", "descending": True}, 0)
    people = parts.participants_frame(snap, Selection("jobhuntchat", "all", tuple(snap.session_ids())))
    shown = parts.filter_people(people, "advocate", None)
    assert count == f"{fmt_int(shown.height)} of {fmt_int(people.height)} people" and shown.height < people.height
    first = shown.sort("replies_given", descending=True)["handle"][0]
    assert text(table).split("@", 2)[1].split()[0] == first
    with triggered(({"type": "mk-sort", "table": "participants", "column": "answers"}, "n_clicks", 1)):
        assert raw(parts.controls)([1], [], "", None, None, {"column": "answers", "descending": True},
                                          3, 5) == ({"column": "answers", "descending": False}, 0)
    with triggered(({"type": "mk-page", "table": "participants", "step": 1}, "n_clicks", 1)):
        assert raw(parts.controls)([], [0, 1], "", None, None, None, 3, 5) == (dash.no_update, 4)
    panel = raw(parts.show_person)(first, store(snap))
    assert f"@{first}" in text(panel) and "part-history-chart" in figures(panel)


def test_follow_up_lists_todos_with_safe_links(ctx, snap):
    last = snap.session_ids()[-1]
    _, body = raw(page("followup").update)(store(snap), ["helper_to_thank"])
    todo = snap.table("todo").filter((pl.col("session_id") == last) & (pl.col("kind") == "helper_to_thank"))
    assert find(body, "fu-group-helper_to_thank") is not None and find(body, "fu-group-help_seeker") is None
    links = json.dumps(find(body, "fu-group-helper_to_thank").to_plotly_json(), default=str)
    assert links.count("https://x.com/") == todo.height
    _, body = raw(page("followup").update)(store(snap), [])
    assert "Nothing to follow up" in text(body)
    assert text(find(body, "fu-kpi-todo-value")) == fmt_int(snap.table("todo").filter(
        pl.col("session_id") == last).height)


def test_trends_cover_every_session_for_one_picked(ctx, snap):
    _, body = raw(page("trends").update)(store(snap))
    assert text(find(body, "tr-kpi-sessions-value")) == str(len(snap.session_ids()))
    assert {"tr-participants", "tr-cohorts", "tr-first-timers", "tr-herding", "tr-reach"} <= set(figures(body))
    _, body = raw(page("trends").update)(store(snap, "range", snap.session_ids()[:3]))
    assert text(find(body, "tr-kpi-sessions-value")) == "3"


def test_sponsor_page_and_report_export(ctx, snap):
    sp = page("sponsor")
    options, value = raw(sp.on_selection)(store(snap), None)
    key = next(iter(snap.meta["sponsors"]))
    assert value == key and options[0]["label"] == snap.meta["sponsors"][key]["sponsor"]
    _, body = raw(sp.update)(store(snap), key)
    assert text(find(body, "sp-kpi-roi-value")) == fmt_roi(snap.meta["sponsors"][key]["roi"]["mid"])
    assert {"sp-roi", "sp-sensitivity", "sp-trend", "sp-mix", "sp-costs"} <= set(figures(body))
    pytest.importorskip("moderator_kit.report")
    with triggered(({"type": "sp-export", "fmt": "html"}, "n_clicks", 1)):
        sent, status, cls = raw(sp.export)([1, 0, 0], key, [], store(snap, "all"))
    assert sent["filename"].endswith(".html") and "ok" in cls, status
    assert b"<html" in base64.b64decode(sent["content"]).lower()


def test_a_report_export_shows_progress_while_it_renders(ctx):
    """A PDF takes seconds: the status sits in a dcc.Loading (a spinner) and a running note says what happens."""
    tree = page("sponsor").layout()
    progress = find(tree, "sp-export-progress")
    assert isinstance(progress, dash.dcc.Loading) and find(progress, "sp-export-status") is not None
    running = [cb.get("running") for cb in ctx._callback_list if "sp-download.data" in str(cb.get("output"))]
    assert running and "sp-export-running.children" in (running[0] or {}).get("running", {})


def test_sponsor_page_without_sponsor_says_how_to_add_one(ctx):
    plain = load_snapshot(ctx.server.config["MODERATOR_KIT"].workspace, "plainchat")
    _, body = raw(page("sponsor").update)(store(plain, chat="plainchat"), None)
    assert "Add a sponsor to chat.yaml" in text(body)


# -- import -----------------------------------------------------------------------------------------------------------
def _data_url(data: bytes) -> str:
    return "data:application/octet-stream;base64," + base64.b64encode(data).decode()


@pytest.mark.parametrize("upload, message", [
    ({"name": "a.exe", "contents": _data_url(b"x")}, "must be a"),
    ({"name": "a.jsonl", "contents": _data_url(b"x" * 2_000_000)}, "upload limit"),
    ({"name": "a.jsonl", "contents": "data:;base64,@@@"}, "not valid base64"),
    ({"name": "a.jsonl", "contents": _data_url(b"")}, "empty"),
])
def test_bad_uploads_are_refused_with_a_reason(upload, message):
    with pytest.raises(UploadError, match=message):
        decode_upload(upload, limit=1 << 20, suffixes=(".jsonl",), what="archive")


def test_import_start_validates_before_doing_anything(ctx):
    imp = page("importer")
    job, disabled, msg, cls, _ = raw(imp.start)(1, None, None, None, None, None)
    assert "choose an archive first" in msg and "error" in cls and job is dash.no_update
    config = {"name": "chat.yaml", "contents": _data_url(b"chat: [oops\n")}
    archive = {"name": "x.jsonl", "contents": _data_url(b"{}\n")}
    job, _, msg, cls, _ = raw(imp.start)(1, archive, config, None, None, None)
    assert "not valid YAML" in msg
    config = {"name": "chat.yaml", "contents": _data_url(b"chat: ok\nschedule: {weekday: someday}\n")}
    job, _, msg, *_ = raw(imp.start)(1, archive, config, None, None, None)
    assert "weekday" in msg
    job, _, msg, *_ = raw(imp.start)(1, archive, None, ["../../etc/passwd"], None, "x")
    assert "not a file under the workspace" in msg
    job, _, msg, *_ = raw(imp.start)(1, archive, None, None, None, "../evil")
    assert "not allowed" in msg


def _wait_for(state: DashboardState, job_id: str, seconds: float = 60) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = state.job(job_id)
        if job["status"] != "running":
            return job
        time.sleep(0.1)
    raise AssertionError("the import job did not finish")


def test_import_job_runs_and_opens_the_new_sessions(ctx, tmp_path):
    imp = page("importer")
    state = ctx.server.config["MODERATOR_KIT"]
    data = write_plain_chat(tmp_path / "newchat.jsonl").read_bytes()
    archive = {"name": "newchat.jsonl", "contents": _data_url(data)}
    job_id, disabled, msg, _, cancel_disabled = raw(imp.start)(1, archive, None, None, None, None)
    assert disabled is False and cancel_disabled is False and "newchat" in msg
    job = _wait_for(state, job_id)
    assert job["status"] == "done", job
    view, stop, version, request, _, _ = raw(imp.poll)(3, job_id, 4)
    assert stop is True and version == 5 and request == {"chat": "newchat", "sessions": job["new_sessions"]}
    assert "Done: chat 'newchat'" in text(view) and "newchat" in state.analyzed_chats()
    assert (state.workspace / "uploads").is_dir()
    # a file no reader recognises is refused before a job starts, and not kept (tests/test_dashboard_security.py)
    uploads = sorted((state.workspace / "uploads").rglob("*"))
    archive = {"name": "junk.json", "contents": _data_url(b"not json at all\n")}
    job_id, _, msg, *_ = raw(imp.start)(1, archive, None, None, None, "junkchat")
    assert job_id is dash.no_update and "could not be recognised" in msg
    assert sorted((state.workspace / "uploads").rglob("*")) == uploads


def test_workspace_files_skip_the_workspace_data(tmp_path):
    (tmp_path / "messages" / "chat=x").mkdir(parents=True)
    (tmp_path / "messages" / "chat=x" / "a.json").write_text("{}")
    (tmp_path / "inbox" / "slack").mkdir(parents=True)
    (tmp_path / "inbox" / "slack" / "users.json").write_text("[]")
    (tmp_path / "inbox" / "chat.jsonl").write_text("{}")
    (tmp_path / "inbox" / "chat.yaml").write_text("chat: x")
    (tmp_path / "notes.txt").write_text("x")
    archives, configs = workspace_files(tmp_path)
    assert archives == ["inbox/chat.jsonl", "inbox/slack/"] and configs == ["inbox/chat.yaml"]
    assert resolve_workspace_file(tmp_path, "inbox/chat.jsonl").name == "chat.jsonl"
    with pytest.raises(UploadError):
        resolve_workspace_file(tmp_path, "../x")


def test_default_chat_name_prefers_typed_then_config():
    from moderator_kit.config import parse_config

    assert default_chat_name("", parse_config({"chat": "FromConfig"}), [Path("a.jsonl")]) == "fromconfig"
    with pytest.raises(ModeratorKitError):
        default_chat_name("bad/name", None, [])
    with pytest.raises(ConfigError, match="UTF-8"):
        read_uploaded_config("c.yaml", b"\xff\xfe")


@pytest.mark.parametrize("name", ["dashboards.app", "dashboards.cache", "dashboards.data", "dashboards.imports",
                                  "dashboards.components.layout", "dashboards.components.links",
                                  "dashboards.components.metrics", "dashboards.components.table"])
def test_module_examples_run(name):
    """The docstring examples of the dashboard's modules (pages need an app: they are tested above)."""
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
