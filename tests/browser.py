"""Shared Playwright fixtures for browser tests: Debian's Chromium (never a downloaded browser), a WSGI app served
from a thread, and a page that fails the test on console errors, uncaught page errors and any dialog.

The fixtures are registered once in ``tests/conftest.py`` (one Playwright per run); a test module imports only
``serve_wsgi`` when it needs it::

    from tests.browser import serve_wsgi

* ``chromium_browser`` (session): headless ``/usr/bin/chromium`` (``MODERATOR_KIT_CHROMIUM`` overrides the path)
  with the flags of ``../shared/RECIPES.md``. Without Chromium or the ``playwright`` package the tests are skipped
  with the reason, unless ``MODERATOR_KIT_REQUIRE_BROWSER=1`` is set (CI): then they fail.
* ``browser_page``: a fresh 1280×900 page in its own context. At the end of the test it fails on any console error,
  uncaught page error or dialog (``alert``, ``confirm``, ``prompt``; dialogs are dismissed at once).
* ``page_problems``: what ``browser_page`` has seen so far, for checks in the middle of a test.
* ``serve_wsgi(app)``: a context manager serving a WSGI app (Flask, ``dash_app.server``) on 127.0.0.1 at a free port;
  yields the base URL.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

__all__ = [
    "CHROMIUM",
    "LAUNCH_ARGS",
    "REQUIRE_ENV",
    "PageProblems",
    "chromium_browser",
    "browser_page",
    "page_problems",
    "serve_wsgi",
    "browser_unavailable",
    "DASHBOARD_PAGES",
]

CHROMIUM = os.environ.get("MODERATOR_KIT_CHROMIUM", "/usr/bin/chromium")
#: Flags that make Debian's Chromium run headless in containers and CI (see RECIPES.md).
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
#: The dashboard's pages: (name, path, a selector that is there once the page has rendered its data).
#: Used by the browser tests and by benchmarks/bench_dashboard.py.
DASHBOARD_PAGES = [
    ("overview", "/", "#ov-kpi-active-value"),
    ("agenda-flow", "/flow", "#flow-chart .js-plotly-plot"),
    ("network", "/network", "#net-replay-status:has-text('interactions')"),
    ("participants", "/participants", "#part-table table"),
    ("follow-up", "/follow-up", "#fu-kpi-todo-value"),
    ("trends", "/trends", "#tr-participants .js-plotly-plot"),
    ("sponsor", "/sponsor", "#sp-kpi-roi-value"),
    ("compare", "/compare", "#cmp-ranking tbody tr"),
    ("import", "/import", "#imp-upload"),
]

#: Set to 1 to make a missing browser a failure instead of a skip.
REQUIRE_ENV = "MODERATOR_KIT_REQUIRE_BROWSER"


def browser_unavailable(reason: str) -> None:
    """Skip (or, with MODERATOR_KIT_REQUIRE_BROWSER=1, fail) because the browser cannot run."""
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason} ({REQUIRE_ENV}=1 requires the browser tests to run)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Any]:
    """Headless Debian Chromium driven by Playwright (one browser for the whole session)."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        browser_unavailable("playwright is not installed: pip install playwright (never run 'playwright install')")
    if not Path(CHROMIUM).exists():
        browser_unavailable(f"Chromium not found at {CHROMIUM}: apt-get install chromium (or set "
                            "MODERATOR_KIT_CHROMIUM)")
    manager = sync_playwright().start()
    try:
        try:
            browser = manager.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        except PlaywrightError as err:
            browser_unavailable(f"Chromium at {CHROMIUM} did not start: {str(err).splitlines()[0]}")
        yield browser
        browser.close()
    finally:
        manager.stop()


@dataclass
class PageProblems:
    """Console errors, uncaught page errors and dialogs seen by a page."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.console_errors or self.page_errors or self.dialogs)

    def describe(self) -> str:
        parts = []
        for title, items in (("console errors", self.console_errors), ("page errors", self.page_errors),
                             ("dialogs", self.dialogs)):
            if items:
                parts.append(f"{title}: " + " | ".join(i[:300] for i in items[:5]))
        return "; ".join(parts)

    def assert_clean(self) -> None:
        assert not self, f"the page reported problems: {self.describe()}"


@pytest.fixture
def page_problems() -> PageProblems:
    return PageProblems()


@pytest.fixture
def browser_page(chromium_browser: Any, page_problems: PageProblems) -> Iterator[Any]:
    """A fresh page (own context, 1280×900); the test fails on console errors, page errors or any dialog."""
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)

    def on_console(message: Any) -> None:
        if message.type == "error":
            page_problems.console_errors.append(message.text)

    def on_dialog(dialog: Any) -> None:
        page_problems.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("console", on_console)
    page.on("pageerror", lambda error: page_problems.page_errors.append(str(error)))
    page.on("dialog", on_dialog)
    try:
        yield page
    finally:
        context.close()
    if page_problems:
        pytest.fail(f"the browser reported problems: {page_problems.describe()}")


@contextmanager
def serve_wsgi(app: Any, *, quiet: bool = True) -> Iterator[str]:
    """Serve a WSGI app on 127.0.0.1 at a free port from a daemon thread; yields its base URL."""
    from werkzeug.serving import make_server

    if quiet:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="test-wsgi-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
