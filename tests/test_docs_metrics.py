"""Every metric in the analysis snapshot is documented with its formula in docs/metrics/."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

from moderator_kit.api import import_archives
from moderator_kit.snapshot import analyze_chat

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "jobhuntchat"
#: Tables whose numeric columns are metrics (identifiers and message fields are not).
METRIC_TABLES = ("questions", "session_flow", "engagement", "graph_metrics", "nodes", "signals", "retention",
                 "cohorts", "first_timers", "survival", "follow_up", "perspective", "reach", "sponsor_exposure",
                 "kpis")
NOT_METRICS = {"number", "question", "x", "y", "community", "session_number", "sessions_since", "sessions_since_first",
               "cohort_number", "largest_community"}


def _documented_names() -> set[str]:
    """Identifiers inside code spans of docs/metrics/*.md, with ``x_low / _mid / _high`` shorthand expanded."""
    docs = "\n".join(p.read_text() for p in (ROOT / "docs" / "metrics").glob("*.md"))
    fences = re.findall(r"```.*?```", docs, flags=re.S)
    prose = re.sub(r"```.*?```", "", docs, flags=re.S)
    names: set[str] = set()
    for span in fences + re.findall(r"`([^`]+)`", prose):
        names.update(re.findall(r"[a-z][a-z0-9_]*", span))
    for stem in re.findall(r"`?([a-z][a-z0-9_]*)_low`?\s*/\s*`?_mid", docs):
        names.update({f"{stem}_low", f"{stem}_mid", f"{stem}_high"})
    return names


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    ws = tmp_path_factory.mktemp("ws")
    import_archives([SAMPLE / "jobhuntchat.jsonl"], chat="jobhuntchat", workspace=ws, config=SAMPLE / "chat.yaml")
    return analyze_chat(ws, "jobhuntchat")


def test_every_snapshot_metric_is_documented(snapshot):
    documented = _documented_names()
    missing = {}
    for table in METRIC_TABLES:
        frame = snapshot.table(table)
        for name, dtype in frame.schema.items():
            if dtype.is_numeric() and name not in NOT_METRICS and name not in documented:
                missing.setdefault(table, []).append(name)
    assert not missing, f"undocumented metrics: {missing}"


def test_every_meta_figure_of_the_sponsor_value_is_documented(snapshot):
    documented = _documented_names()
    value = next(iter(snapshot.meta["sponsors"].values()))
    numeric = [k for k, v in value.items() if isinstance(v, (int, float, dict)) and not isinstance(v, bool)]
    assert numeric
    assert [k for k in numeric if k not in documented] == []
