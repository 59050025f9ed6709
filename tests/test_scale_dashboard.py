"""Many chats in the dashboard: with 200 analysed chats the picker lists them all from their titles, opens only the
chosen chat's snapshot, and its chat field searches (the start time is measured by benchmarks/bench_scale.py
--dashboard, not here)."""

from __future__ import annotations

import json

import pytest

from dashboards.app import create_app
from dashboards.components.picker import URL, sync_picker
from dashboards.data import read_title
from tests.browser import serve_wsgi
from tests.scale_workspace import many_chats_workspace

CHATS = 200


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    return many_chats_workspace(tmp_path_factory.mktemp("many") / "ws", CHATS)


def _pick(app, search: str = "", chat: str | None = None, triggered: str | None = URL):
    with app.server.test_request_context("/"):
        return sync_picker(search, chat, None, None, None, None, 0, None, None, triggered=triggered)


def test_the_picker_lists_200_chats_and_opens_only_the_chosen_snapshot(workspace):
    app = create_app(workspace)
    state = app.server.config["MODERATOR_KIT"]
    options, chat, *_rest, store, _summary = _pick(app, "?chat=bench150")
    assert len(options) == CHATS
    assert options[150] == {"label": "#Bench150 chat (bench150)", "value": "bench150"}
    assert chat == "bench150" and store["chat"] == "bench150" and len(store["sessions"]) == 1
    assert list(state._snapshots) == ["bench150"]  # the other 199 snapshots were never opened
    # the overview of the chosen chat reads that snapshot only
    client = app.server.test_client()
    client.get("/")
    body = {"output": "..ov-header.children...ov-body.children..",
            "outputs": [{"id": "ov-header", "property": "children"}, {"id": "ov-body", "property": "children"}],
            "inputs": [{"id": "mk-selection", "property": "data", "value": store}], "state": [],
            "changedPropIds": ["mk-selection.data"]}
    assert client.post("/_dash-update-component", json=body).status_code == 200
    assert list(state._snapshots) == ["bench150"]


def test_a_new_title_is_read_when_the_snapshot_changes(workspace, tmp_path):
    app = create_app(workspace)
    assert _pick(app)[0][7]["label"] == "#Bench007 chat (bench007)"
    meta_file = workspace / "analysis" / "chat=bench007" / "snapshot.json"
    original = meta_file.read_text()
    try:
        meta = json.loads(original)
        replacement = meta_file.with_name("snapshot.json.new")
        replacement.write_text(json.dumps({**meta, "title": "Renamed <b>chat</b>"}, indent=1))
        replacement.replace(meta_file)  # a new inode, as a new analysis swaps in a new folder
        assert _pick(app)[0][7]["label"] == "Renamed <b>chat</b> (bench007)"
    finally:
        meta_file.write_text(original)


def test_read_title_of_a_file_in_another_order_or_damaged(tmp_path):
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps({"tables": {}, "title": "Later", "chat": "x"}))
    assert read_title(path) == "Later"
    # only the head is read: what follows the title is never parsed (a big chat's file holds a shape per session)
    path.write_text('{\n "chat": "x",\n "title": "First",\n "shapes": {"cut off' + " " * 10_000)
    assert read_title(path) == "First"
    path.write_text('{"chat": "x", "tit')
    assert read_title(path) is None
    assert read_title(tmp_path / "missing.json") is None


def test_listing_again_reads_no_snapshot_file(workspace, monkeypatch):
    app = create_app(workspace)
    state = app.server.config["MODERATOR_KIT"]
    titles = state.chat_titles()
    assert len(titles) == CHATS and titles["bench000"] == "#Bench000 chat"
    opened = []
    real_open = open
    monkeypatch.setattr("builtins.open", lambda file, *a, **k: opened.append(str(file)) or real_open(file, *a, **k))
    assert state.chat_titles() == titles  # unchanged files: one stat each, nothing read
    assert opened == [], opened[:3]


@pytest.mark.browser
def test_the_chat_picker_searches_among_200_chats(workspace, browser_page):
    page = browser_page
    app = create_app(workspace)
    with serve_wsgi(app.server) as base:
        page.goto(f"{base}/?chat=bench000", wait_until="networkidle")
        page.wait_for_function("() => document.querySelector('#mk-pick-chat')?.innerText.includes('bench000')")
        page.click("#mk-pick-chat")
        page.get_by_placeholder("Search").fill("Bench173")
        listbox = page.get_by_role("listbox")
        option = listbox.get_by_role("option", name="#Bench173 chat (bench173)")
        option.wait_for()
        # the search leaves the one matching chat of 200 (the mode radio items are options too)
        assert listbox.get_by_role("option").filter(has_text="chat (bench").count() == 1
        option.click()
        page.wait_for_function("() => location.search.includes('chat=bench173')")
        page.wait_for_function("() => document.querySelector('#mk-pick-chat')?.innerText.includes('bench173')")
    state = app.server.config["MODERATOR_KIT"]
    assert set(state._snapshots) <= {"bench000", "bench173"}
