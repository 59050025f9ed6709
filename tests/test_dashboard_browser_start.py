"""The dashboard in headless Chromium on a brand-new workspace, and the Import page's cancel button.

* First start: a new workspace opens on the Import page with what to do first; every other page shows its empty
  state (no crash, no console error: the page fixture fails the test on any).
* Cancel: an import that never ends by itself (it reads a named pipe nobody writes to) is cancelled from the page; its
  process ends, its temporary folder goes, and the page says the workspace is unchanged.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from dashboards.jobs import JOBS_KEY
from tests.browser import DASHBOARD_PAGES, serve_wsgi
from tests.test_dashboard_security import _alive

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_a_new_workspace_opens_on_the_import_page_and_every_page_says_what_to_do(tmp_path, browser_page):
    from dashboards.app import create_app, prepare_workspace

    app = create_app(prepare_workspace(tmp_path / "new-workspace"))
    page = browser_page
    with serve_wsgi(app.server) as url:
        page.goto(url + "/")
        page.wait_for_selector("#imp-first-start", state="visible")
        assert page.url.endswith("/import")
        first = page.locator("#imp-first-start").inner_text()
        assert "Nothing imported yet" in first and "Import and analyze" in first
        page.wait_for_load_state("networkidle")
        _shot(page, "first-start-import")
        for name, path, _ready in DASHBOARD_PAGES:
            if path == "/import":
                continue
            page.locator(f".mk-nav a[href='{path}']").click()  # '/' itself would open the Import page again
            page.wait_for_function("(path) => location.pathname === path", arg=path)
            page.wait_for_load_state("networkidle")
            # every page says why it is empty (a titled empty state), and nothing else is drawn
            page.wait_for_function("() => [...document.querySelectorAll('.mk-main .mk-empty-title')]"
                                   ".some(e => e.innerText.trim().length > 0)")
            _shot(page, f"first-start-{name}")
        # the empty state leads to the Import page
        page.goto(url + "/flow")
        page.get_by_role("link", name="Go to Import →").first.click()
        page.wait_for_selector("#imp-first-start", state="visible")


def test_the_cancel_button_stops_a_running_import(tmp_path, browser_page):
    from dashboards.app import create_app, prepare_workspace

    ws = prepare_workspace(tmp_path / "ws")
    (ws / "inbox").mkdir()
    os.mkfifo(ws / "inbox" / "stuck.jsonl")
    app = create_app(ws)
    runner = app.server.config[JOBS_KEY]
    state = app.server.config["MODERATOR_KIT"]
    page = browser_page
    with serve_wsgi(app.server) as url:
        page.goto(url + "/import")
        page.wait_for_selector("#imp-files", state="visible")
        page.wait_for_load_state("networkidle")
        assert page.locator("#imp-cancel").is_disabled()
        page.click("#imp-files")
        page.get_by_role("option", name="inbox/stuck.jsonl").click()
        page.keyboard.press("Escape")
        page.fill("#imp-chat", "stuckchat")
        page.click("#imp-start")
        page.wait_for_selector("#imp-cancel:not([disabled])")
        page.wait_for_selector("#imp-progress .mk-progress")
        job_id = next(iter(runner._running))
        pid, temp = runner.process_id(job_id), runner.temp_folder(job_id)
        assert _alive(pid) and temp.is_dir()
        _shot(page, "import-running")
        page.click("#imp-cancel")
        page.wait_for_selector("#imp-progress:has-text('workspace is unchanged')", timeout=30_000)
        page.wait_for_function("() => !document.querySelector('#imp-message').innerText.includes('Cancelling')")
        assert page.locator("#imp-cancel").is_disabled()
        assert state.job(job_id)["status"] == "cancelled"
        deadline = time.monotonic() + 10
        while (_alive(pid) or temp.exists()) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(pid) and not temp.exists()
        _shot(page, "import-cancelled")
