"""Views that look broken, found automatically: every dashboard page at 1280 and 1920 px, and the HTML reports, in
real headless Chromium, checked for cut-off text, dates and numbers broken across lines, chart text leaving its
chart, overlapping tick labels and overlapping chart titles / legends / annotations (``tests/layout_checks.py``).

Both samples are checked: the Twitter chat (#JobHuntChat) and the Slack office hours (remote-careers, whose sponsor
values are long). Screenshots go to ``artifacts/screenshots/layout-*.png`` (not committed).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from moderator_kit.api import import_archives
from moderator_kit.report import build_report, render_model
from moderator_kit.snapshot import analyze_chat, load_snapshot
from tests.browser import DASHBOARD_PAGES, serve_wsgi
from tests.layout_checks import layout_defects

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_data"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
WIDTHS = (1280, 1920)
CHATS = {
    "jobhuntchat": (SAMPLES / "jobhuntchat" / "jobhuntchat.jsonl", SAMPLES / "jobhuntchat" / "chat.yaml"),
    "remote-careers": (SAMPLES / "remote-careers" / "export", SAMPLES / "remote-careers" / "chat.yaml"),
}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    missing = [str(archive) for archive, _ in CHATS.values() if not archive.exists()]
    if missing:
        pytest.skip(f"the bundled samples are missing ({', '.join(missing)}): python -m moderator_kit.synth "
                    "--out sample_data")
    ws = tmp_path_factory.mktemp("layout_ws")
    for chat, (archive, config) in CHATS.items():
        import_archives([archive], chat=chat, workspace=ws, config=config)
        analyze_chat(ws, chat)
    return ws


@pytest.fixture(scope="module")
def served(workspace):
    from dashboards.app import create_app

    app = create_app(workspace)
    with serve_wsgi(app.server) as url:
        yield url


def _check(page, name: str) -> list[str]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / f"layout-{name}.png"), full_page=True)
    return [f"{name}: {defect}" for defect in layout_defects(page)]


def _settle(page, ready: str) -> None:
    page.wait_for_selector(ready, state="visible")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)  # Plotly lays out titles and legends after the first draw


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("chat", sorted(CHATS))
def test_no_page_has_cut_off_or_overlapping_text(served, workspace, browser_page, chat, width):
    page = browser_page
    page.set_viewport_size({"width": width, "height": 1000})
    snap = load_snapshot(workspace, chat)
    last = snap.session_ids()[-1]
    found: list[str] = []
    for name, path, ready in DASHBOARD_PAGES:
        for mode, query in (("session", f"session={last}"), ("all", "sessions=all")):
            if mode == "all" and name in ("import", "agenda-flow", "follow-up"):
                continue
            page.goto(f"{served}{path}?chat={chat}&{query}")
            _settle(page, ready)
            found += _check(page, f"{chat}-{name}-{mode}-{width}")
            if name == "participants" and mode == "session":
                page.locator("#part-table tbody tr button").first.click()
                _settle(page, "#part-history-chart .js-plotly-plot")
                found += _check(page, f"{chat}-{name}-person-{width}")
    assert not found, "layout defects:\n" + "\n".join(found)


@pytest.mark.parametrize("audience", ["sponsor", "moderator"])
@pytest.mark.parametrize("chat", sorted(CHATS))
def test_the_html_report_has_no_cut_off_or_overlapping_text(workspace, browser_page, chat, audience, tmp_path):
    snap = load_snapshot(workspace, chat)
    model = build_report(snap, audience=audience)
    path = render_model(model, "html", tmp_path / f"{chat}-{audience}.html")
    page = browser_page
    found: list[str] = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 1000})
        page.goto(path.resolve().as_uri())
        page.wait_for_function(
            """n => { const p = document.querySelectorAll('.js-plotly-plot');
                      return p.length === n && [...p].every(x => x.querySelector('svg.main-svg')); }""",
            arg=len(model.figures))
        page.wait_for_timeout(300)
        found += _check(page, f"report-{chat}-{audience}-{width}")
    assert not found, "layout defects:\n" + "\n".join(found)


def test_a_person_picked_far_down_the_table_shows_their_history_in_view(served, workspace, browser_page):
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 900})
    snap = load_snapshot(workspace, "jobhuntchat")
    page.goto(f"{served}/participants?chat=jobhuntchat&sessions=all")
    _settle(page, "#part-table table")
    # 25 rows with their reasons stay a readable table, not a tower of one-word lines
    table_height = page.evaluate("() => document.querySelector('#part-table table').getBoundingClientRect().height")
    assert table_height < 2600, f"the participants table is {table_height:.0f} px tall"
    last = page.locator("#part-table tbody tr button.mk-handle").last
    last.scroll_into_view_if_needed()
    handle = last.inner_text().strip()
    last.click()
    page.wait_for_selector(f"#part-person-title:has-text('{handle}')")
    page.wait_for_selector("#part-history-chart .js-plotly-plot")
    top = page.evaluate("() => document.querySelector('#part-history-section').getBoundingClientRect().top")
    assert 0 <= top < 300, f"the history panel is at {top:.0f} px: out of view"
    assert snap.session_ids()


@pytest.mark.parametrize("chat", sorted(CHATS))
def test_the_pdf_reports_first_page_keeps_every_word_on_the_page(workspace, chat, tmp_path):
    """The headline cards wrap: long values (the Slack sponsor's '9,912 – 99,120 (mid 39,648)') used to run off the
    right edge of the first page."""
    import re
    import shutil
    import subprocess

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is missing: apt-get install poppler-utils")
    pytest.importorskip("weasyprint")
    path = render_model(build_report(load_snapshot(workspace, chat)), "pdf", tmp_path / "sponsor.pdf")
    boxes = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-bbox", str(path), "-"], capture_output=True,
                           text=True, check=True).stdout
    width = float(re.search(r'<page width="([\d.]+)"', boxes).group(1))
    words = re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', boxes)
    assert words
    outside = [w for x0, x1, w in words if float(x1) > width - 20 or float(x0) < 20]
    assert not outside, f"words off the first page ({width:.0f} pt wide): {outside[:10]}"
