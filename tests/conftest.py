"""Shared fixtures. Real third-party archives are read from ../shared/real_data and never copied here."""

from __future__ import annotations

from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
REAL_DATA = PROJECT_ROOT.parent / "shared" / "real_data"
SAMPLE_DATA = PROJECT_ROOT / "sample_data"


@pytest.fixture(scope="session")
def real_data_dir() -> Path:
    """The folder of real archives; tests that need it are skipped with the reason when it is absent."""
    if not REAL_DATA.is_dir():
        pytest.skip(f"real archives not found at {REAL_DATA} (they live beside the project, in shared/real_data)")
    return REAL_DATA


@pytest.fixture(scope="session")
def sample_data_dir() -> Path:
    return SAMPLE_DATA


# The browser fixtures are registered once, here: one Playwright and one Chromium for the whole run (two
# session-scoped copies imported into two modules would start Playwright twice in one thread, which it refuses).
from tests.browser import browser_page, chromium_browser, page_problems  # noqa: E402, F401
