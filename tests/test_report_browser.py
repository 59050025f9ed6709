"""The HTML report in real headless Chromium with the network blocked: charts render from the single file, nothing
is requested, no console error, no dialog, and script payloads in names, texts and URLs never run."""

from __future__ import annotations

from pathlib import Path

import pytest

from moderator_kit.report import build_report, render_model
from tests.test_report import payload_snapshot, report_workspace, snap  # noqa: F401

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOT = ROOT / "artifacts" / "screenshots" / "report.png"


def open_offline(page, path: Path) -> list[str]:
    """Open a local file with every non-file request aborted; returns the list of requests that were tried."""
    tried: list[str] = []

    def route(request_route) -> None:
        url = request_route.request.url
        if url.startswith("file:"):
            request_route.continue_()
        else:
            tried.append(url)
            request_route.abort()

    page.route("**/*", route)
    page.goto(path.resolve().as_uri())
    return tried


def wait_for_charts(page, count: int) -> None:
    page.wait_for_function(
        """n => {
            const plots = document.querySelectorAll('.js-plotly-plot');
            return plots.length === n && Array.from(plots).every(
                p => p.querySelector('svg.main-svg') && p.querySelectorAll('svg.main-svg *').length > 20);
        }""",
        arg=count,
    )


@pytest.fixture(scope="module")
def sponsor_html(snap, tmp_path_factory):  # noqa: F811
    model = build_report(snap)
    return model, render_model(model, "html", tmp_path_factory.mktemp("html") / "sponsor.html")


def test_the_sponsor_report_renders_its_charts_offline(browser_page, page_problems, sponsor_html):  # noqa: F811
    model, path = sponsor_html
    tried = open_offline(browser_page, path)
    wait_for_charts(browser_page, len(model.figures))
    assert tried == []
    drawn = browser_page.evaluate(
        "() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(p => p.closest('figure').dataset.chart)")
    assert sorted(drawn) == sorted(model.figures)
    bars = browser_page.locator('figure[data-chart="roi"] .js-plotly-plot g.point path').count()
    assert bars == (1 if model.value.impressions_measured else 3)  # measured views: one figure, one bar
    assert browser_page.locator("#verdict .value").inner_text() == model.verdict_label
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    browser_page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert SCREENSHOT.stat().st_size > 50_000
    page_problems.assert_clean()


def test_script_payloads_in_names_texts_and_urls_never_run(browser_page, page_problems, snap,  # noqa: F811
                                                           tmp_path):
    bad = payload_snapshot(snap, tmp_path)
    model = build_report(bad)
    path = render_model(model, "html", tmp_path / "payload.html")
    tried = open_offline(browser_page, path)
    wait_for_charts(browser_page, len(model.figures))
    browser_page.hover("#table-top_messages")
    browser_page.mouse.wheel(0, 4000)
    assert tried == []
    assert browser_page.evaluate("() => window.__pwned") is None
    assert browser_page.evaluate(
        "() => document.querySelectorAll('script:not([nonce]):not([type=\"application/json\"])').length") == 0
    assert browser_page.evaluate("() => document.querySelectorAll('iframe, img, [onerror], [onload]').length") == 0
    hrefs = browser_page.evaluate("() => Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
    assert hrefs and not [h for h in hrefs if not h.startswith(("http://", "https://", "file:"))]
    table = browser_page.locator("#table-top_messages").inner_text()
    assert "<script>window.__pwned=1;alert('x')</script>" in table
    assert "<img src=x" in browser_page.locator("h1").inner_text()
    page_problems.assert_clean()


def test_the_moderator_report_renders_its_charts_offline(browser_page, page_problems, snap, tmp_path):  # noqa: F811
    model = build_report(snap, audience="moderator", anonymize=True, salt=b"browser-test-salt")
    path = render_model(model, "html", tmp_path / "moderator.html")
    tried = open_offline(browser_page, path)
    wait_for_charts(browser_page, len(model.figures))
    assert tried == []
    assert browser_page.locator("#anonymized-badge").is_visible()
    page_problems.assert_clean()
