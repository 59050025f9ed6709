"""What the analysis does differently to scale, checked against the straightforward computation on the sample.

- network layouts: the latest sessions at analysis time, the others on first view (``session_layout``), equal to what
  analysis would have stored;
- ``attended_so_far`` (a running count) and the entities of the whole chat (summed from the sessions) equal their
  definitions.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import polars as pl
import pytest

from moderator_kit import snapshot as snapshot_module
from moderator_kit.engagement import top_entities, top_entities_with_totals
from moderator_kit.snapshot import ALL_SESSIONS, analyze_chat, nodes_with_layout, session_layout

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "jobhuntchat"


def _need(module: str, name: str):
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as err:
        pytest.skip(f"{module}.{name} is not available ({err})")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    if not (SAMPLE / "jobhuntchat.jsonl").exists():
        pytest.skip("the bundled sample is missing: python -m moderator_kit.synth --out sample_data")
    import_archives = _need("moderator_kit.api", "import_archives")
    ws = tmp_path_factory.mktemp("scale_ws")
    import_archives([SAMPLE / "jobhuntchat.jsonl"], chat="jobhuntchat", workspace=ws, config=SAMPLE / "chat.yaml")
    return ws


@pytest.fixture(scope="module")
def full(workspace):
    """Every session laid out at analysis time, as before layouts were deferred."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(snapshot_module, "LAYOUT_SESSIONS", 10_000)
        snap = analyze_chat(workspace, "jobhuntchat")
    return snap.table("nodes"), snap.table("sessions")["session_id"].to_list()


def test_layouts_of_older_sessions_are_computed_on_first_view_and_cached(workspace, full, monkeypatch):
    full_nodes, session_ids = full
    assert full_nodes["x"].null_count() == 0
    monkeypatch.setattr(snapshot_module, "LAYOUT_SESSIONS", 2)
    snap = analyze_chat(workspace, "jobhuntchat")
    nodes = snap.table("nodes")
    laid_out = nodes.filter(pl.col("x").is_not_null())["session_id"].unique().sort().to_list()
    assert laid_out == sorted([*session_ids[-2:], ALL_SESSIONS])
    assert nodes.drop("x", "y").equals(full_nodes.drop("x", "y"))  # only the positions are deferred

    older = session_ids[0]
    expected = full_nodes.filter(pl.col("session_id") == older).select("handle", "x", "y").sort("handle")
    cache = snap.folder / snapshot_module.LAYOUT_FOLDER
    assert not cache.exists()
    first = session_layout(snap, older)
    assert first.equals(expected)  # what analysis would have stored
    assert len(list(cache.glob("*.parquet"))) == 1
    again = session_layout(type(snap)(snap.folder), older)  # a fresh snapshot object reads the cache
    assert again.equals(expected)
    filled = nodes_with_layout(snap, older)
    assert filled.equals(full_nodes.filter(pl.col("session_id") == older))
    # laid out at analysis time: read from the nodes table, nothing cached
    latest = session_ids[-1]
    assert session_layout(snap, latest).equals(
        full_nodes.filter(pl.col("session_id") == latest).select("handle", "x", "y").sort("handle"))
    assert len(list(cache.glob("*.parquet"))) == 1
    assert session_layout(snap, "no-such-session").height == 0


def test_a_damaged_layout_cache_is_recomputed(workspace, full, monkeypatch):
    full_nodes, session_ids = full
    monkeypatch.setattr(snapshot_module, "LAYOUT_SESSIONS", 1)
    snap = analyze_chat(workspace, "jobhuntchat")
    target = session_ids[1]
    path = snapshot_module._layout_file(snap, target)
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(b"not parquet")
    expected = full_nodes.filter(pl.col("session_id") == target).select("handle", "x", "y").sort("handle")
    assert session_layout(snap, target).equals(expected)
    assert pl.read_parquet(path).equals(expected)


@pytest.fixture(scope="module")
def annotated(workspace):
    from moderator_kit.api import chat_config
    from moderator_kit.flow import assign_questions, detect_questions
    from moderator_kit.people import annotate_messages, apply_spam_rules
    from moderator_kit.sessions import split_sessions
    from moderator_kit.workspace import Workspace

    ws = Workspace(workspace)
    cfg = chat_config(ws, "jobhuntchat", None)
    sessions, tagged = split_sessions(ws.messages("jobhuntchat").collect(), cfg)
    kept, _excluded = apply_spam_rules(tagged, cfg.spam)
    assignments = assign_questions(kept, detect_questions(kept, sessions, cfg, cfg.moderators), cfg.moderators)
    return kept, assignments, annotate_messages(kept, assignments, cfg)


def test_attended_so_far_and_first_session_follow_their_definition(annotated):
    from moderator_kit.people import participant_signals

    _kept, assignments, ann = annotated
    signals = participant_signals(ann, assignments)
    active = ann.filter(pl.col("active")).select("session_id", "handle").unique()
    attended: dict[str, list[str]] = {}
    for session_id, handle in active.sort("session_id").iter_rows():
        attended.setdefault(handle, []).append(session_id)
    for row in signals.iter_rows(named=True):
        mine = attended.get(row["handle"], [])
        assert row["attended_so_far"] == sum(1 for s in mine if s <= row["session_id"])
        assert row["first_session"] == (mine[0] if mine else None)
        assert row["is_first_session"] == (row["active"] and bool(mine) and mine[0] == row["session_id"])
    assert signals["attended_so_far"].max() > 3  # regulars are in the sample


def test_entities_of_the_whole_chat_are_the_sum_of_the_sessions(annotated):
    kept = annotated[0]
    for n in (3, 10):
        both = top_entities_with_totals(kept, exclude_hashtags=["jobhuntchat"], n=n)
        expected = pl.concat([top_entities(kept, exclude_hashtags=["jobhuntchat"], n=n),
                              top_entities(kept, exclude_hashtags=["jobhuntchat"], n=n, by_session=False)])
        assert both.equals(expected)
        assert both.filter(pl.col("session_id").is_null()).height > 0
