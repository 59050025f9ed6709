"""The Compare page in headless Chromium: pick chats, switch the sponsor profile; no console errors, no dialogs."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from moderator_kit.compare import compare_chats, metric_text, parse_profile
from moderator_kit.demo import prepare_demo
from moderator_kit.snapshot import load_snapshot
from tests.browser import serve_wsgi

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
PROFILE = "name: Acme\nbenchmark_cpm: 15\nfees: {jobhuntchat: 600, careerpivotchat: 150, remote-careers: 200}\n" \
          "audience: {roles: [seeker, newcomer]}\n"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    if not (ROOT / "sample_data" / "careerpivotchat" / "chat.yaml").exists():
        pytest.skip("the bundled sample is missing: python -m moderator_kit.synth --out sample_data")
    ws = tmp_path_factory.mktemp("compare_ws")
    prepare_demo(ws)
    (ws / "profiles").mkdir()
    (ws / "profiles" / "acme.yaml").write_text(PROFILE)
    return ws


@pytest.fixture(scope="module")
def served(workspace):
    from dashboards.app import create_app

    app = create_app(workspace)
    with serve_wsgi(app.server) as url:
        yield url


def _ranked(page) -> list[str]:
    return [row.get_attribute("data-chat") for row in page.locator("#cmp-ranking tbody tr").all()]


def test_pick_chats_and_switch_the_profile(served, workspace, browser_page):
    page = browser_page
    page.goto(f"{served}/compare")
    page.wait_for_selector("#cmp-ranking tbody tr", state="visible")
    page.wait_for_load_state("networkidle")
    assert sorted(_ranked(page)) == ["careerpivotchat", "jobhuntchat", "remote-careers"]
    assert page.locator("#cmp-trends .js-plotly-plot").count() == 1
    assert "#JHMChat" in page.locator("#cmp-reference").inner_text()
    # pick: drop remote-careers
    page.locator("#cmp-chats label", has_text="remote-careers").click()
    expect(page.locator("#cmp-ranking tbody tr")).to_have_count(2)
    assert sorted(_ranked(page)) == ["careerpivotchat", "jobhuntchat"]
    # switch the profile: ranked by cost per engaged participant now, with verdicts
    page.locator("#cmp-profile label", has_text="Profile: acme").click()
    expect(page.locator("#cmp-ranking thead")).to_contain_text("Cost per engaged participant")
    snaps = [load_snapshot(workspace, c) for c in ("jobhuntchat", "careerpivotchat")]
    expected, _ = compare_chats(snaps, parse_profile(__import__("yaml").safe_load(PROFILE)))
    assert _ranked(page) == [c.chat for c in expected.chats]
    first = expected.chats[0]
    cell = page.locator("#cmp-ranking tbody tr").first.locator("td").nth(4).inner_text()
    assert cell.startswith(metric_text("cost_per_engaged", first.figures["cost_per_engaged"].median))
    page.locator("#cmp-profile label", has_text="Each chat's own sponsor").click()
    expect(page.locator("#cmp-ranking tbody")).to_contain_text("worthwhile")
    page.wait_for_load_state("networkidle")


def test_query_preselects_chats_and_profile(served, browser_page):
    page = browser_page
    page.goto(f"{served}/compare?chats=jobhuntchat,remote-careers&profile=own")
    expect(page.locator("#cmp-ranking tbody tr")).to_have_count(2)
    expect(page.locator("#cmp-ranking thead")).to_contain_text("Cost per engaged participant")
    page.wait_for_load_state("networkidle")
    assert sorted(_ranked(page)) == ["jobhuntchat", "remote-careers"]
