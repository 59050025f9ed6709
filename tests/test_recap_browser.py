"""The Recap panel of the Follow-up page and the Participants strength column, in headless Chromium.

The page fixture (tests/browser.py) fails on any console error or dialog. The panel's answers are the ones
:func:`moderator_kit.recap.build_recap` chooses, and a chat whose texts carry script payloads shows them as text.
"""

from __future__ import annotations

import pytest

from moderator_kit.recap import build_recap
from moderator_kit.snapshot import load_snapshot
# the same workspace (sample plus a chat carrying script payloads) and server as the dashboard's browser tests
from tests.test_dashboard_browser import PAYLOADS, served, workspace  # noqa: F401

pytestmark = pytest.mark.browser


def test_recap_panel_shows_the_recap_answers(served, workspace, browser_page):
    page = browser_page
    snap = load_snapshot(workspace, "jobhuntchat")
    sid = snap.session_ids()[-1]
    recap = build_recap(snap, sid)
    page.goto(f"{served}/follow-up?chat=jobhuntchat&session={sid}")
    page.wait_for_selector("#fu-recap li[data-message]", state="visible")
    page.wait_for_load_state("networkidle")
    shown = page.eval_on_selector_all("#fu-recap li[data-message]", "els => els.map(e => e.dataset.message)")
    assert shown == [a.message_id for q in recap.questions for a in q.answers]
    assert f"{recap.left_out['promotional']} promotional posts" in page.locator("#fu-recap-left-out").inner_text()
    hrefs = page.eval_on_selector_all("#fu-recap a[href]", "els => els.map(e => e.getAttribute('href'))")
    assert hrefs and all(h.startswith("https://x.com/") for h in hrefs)


def test_participants_page_shows_label_strength(served, workspace, browser_page):
    page = browser_page
    sid = load_snapshot(workspace, "jobhuntchat").session_ids()[-1]
    page.goto(f"{served}/participants?chat=jobhuntchat&session={sid}")
    page.wait_for_selector("#part-table table", state="visible")
    page.wait_for_load_state("networkidle")
    strengths = set(page.eval_on_selector_all(".mk-strength", "els => els.map(e => e.innerText.trim())"))
    assert "clear" in strengths and strengths <= {"clear", "borderline", "—"}


def test_recap_panel_shows_payloads_as_text(served, workspace, browser_page):
    page = browser_page
    sid = load_snapshot(workspace, "xsschat").session_ids()[-1]
    page.goto(f"{served}/follow-up?chat=xsschat&session={sid}")
    page.wait_for_selector("#fu-recap", state="visible")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("() => document.querySelectorAll('#fu-recap img, #fu-recap svg, #fu-recap script').length") == 0
    assert not page.eval_on_selector_all(
        "#fu-recap a[href]", "els => els.filter(a => /^\\s*javascript:/i.test(a.getAttribute('href'))).length")
    assert PAYLOADS["script"] not in page.content()  # escaped in the DOM, never raw


def test_participants_page_shows_the_sensitivity_table(served, workspace, browser_page):
    page = browser_page
    snap = load_snapshot(workspace, "jobhuntchat")
    page.goto(f"{served}/participants?chat=jobhuntchat&session={snap.session_ids()[-1]}")
    page.wait_for_selector("#part-sensitivity table", state="visible")
    text = page.locator("#part-sensitivity").inner_text()
    table = snap.table("role_sensitivity")
    assert table.height > 10
    for row in table.head(3).iter_rows(named=True):
        assert row["threshold"] in text
        assert f"{row['higher']:g}: {row['kept_higher']} (+{row['gained_higher']})" in text
