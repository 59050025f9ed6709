"""Analysis by partition (issue 14): a chat analysed batch of sessions by batch gives the snapshot of the whole chat.

The batches are cut only where no message refers back across the cut (moderator_kit.partition), every per-session
step runs on one batch, and the chat-level tables come from the sessions' results (moderator_kit.analysis_steps).
Checked with the smallest batches (one session each where the threads allow) against one batch for the whole chat,
on the bundled samples and on real archives whose threads run across sessions.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from moderator_kit.api import import_archives
from moderator_kit.config import ChatConfig
from moderator_kit.partition import cut_sessions, plan_batches
from moderator_kit.snapshot import analyze_chat
from moderator_kit.snapshot_store import Snapshot, remove_leftovers, scratch_folder
from moderator_kit.workspace import Workspace

SAMPLES = Path(__file__).resolve().parents[1] / "sample_data"
SAMPLE_SOURCES = {"jobhuntchat": "jobhuntchat.jsonl", "careerpivotchat": "careerpivotchat.jsonl",
                  "remote-careers": "export"}
RUN_FIELDS = ("generated_at", "run_id")


def assert_same_analysis(expected: Snapshot, actual: Snapshot) -> None:
    """Every table equal in values, types and row order (floats to 1e-12: a one-row batch can round a division in
    its last bit), and the metadata equal but for the run's time and id."""
    assert actual.tables() == expected.tables()
    for name in expected.tables():
        assert_frame_equal(actual.table(name), expected.table(name), check_exact=False, rel_tol=1e-12, abs_tol=0)
    strip = lambda meta: {k: v for k, v in meta.items() if k not in RUN_FIELDS}  # noqa: E731
    assert json.dumps(strip(actual.meta), sort_keys=True) == json.dumps(strip(expected.meta), sort_keys=True)


def _analyse_both_ways(workspace: Path, chat: str, tmp_path: Path) -> tuple[Snapshot, Snapshot, int]:
    whole = analyze_chat(workspace, chat)
    kept = shutil.copytree(whole.folder, tmp_path / "whole" / whole.folder.name)
    plan = plan_batches(Workspace(workspace), chat, ChatConfig.model_validate(whole.meta["config"]), budget=1)
    batched = analyze_chat(workspace, chat, batch_messages=1)
    return Snapshot(kept), batched, len(plan.batches)


@pytest.mark.parametrize("chat", sorted(SAMPLE_SOURCES))
def test_session_batches_give_the_snapshot_of_the_whole_chat(chat, tmp_path):
    ws = tmp_path / "ws"
    import_archives([SAMPLES / chat / SAMPLE_SOURCES[chat]], chat=chat, workspace=ws,
                    config=SAMPLES / chat / "chat.yaml")
    whole, batched, batches = _analyse_both_ways(ws, chat, tmp_path)
    assert batches >= 3
    assert_same_analysis(whole, batched)


@pytest.mark.parametrize("folder", ["slack-export-bcneng-2020", "discord-dce-json-cre8r", "twarc2-jsonl-docnow"])
def test_session_batches_on_real_archives(folder, real_data_dir, tmp_path):
    ws = tmp_path / "ws"
    import_archives([real_data_dir / folder], chat="real", workspace=ws)
    whole, batched, batches = _analyse_both_ways(ws, "real", tmp_path)
    assert batches >= 1
    assert_same_analysis(whole, batched)


def test_threads_across_sessions_keep_their_sessions_in_one_batch(real_data_dir, tmp_path):
    """Slack threads run for days: a reply's session and its parent's session share a batch."""
    import_archives([real_data_dir / "slack-export-bcneng-2020"], chat="real", workspace=tmp_path)
    ws = Workspace(tmp_path)
    config = ChatConfig(chat="real")
    plan = plan_batches(ws, "real", config, budget=1)
    sessions = [sid for batch in plan.batches for sid in batch]
    assert len(plan.batches) < len(sessions)  # some threads cross sessions, so some batches hold several
    batch_of = {sid: i for i, batch in enumerate(plan.batches) for sid in batch}
    tagged = analyze_chat(ws, "real", config=config).table("messages").select(
        "message_id", "session_id", "reply_to_message_id")
    parents = tagged.select(reply_to_message_id="message_id", parent_session="session_id")
    crossing = tagged.join(parents, on="reply_to_message_id", how="inner").filter(
        pl.col("session_id") != pl.col("parent_session"))
    assert crossing.height > 0
    for child, parent in crossing.select("session_id", "parent_session").iter_rows():
        assert batch_of[child] == batch_of[parent]


@pytest.mark.parametrize("seed", range(20))
def test_cuts_never_separate_a_message_from_what_it_refers_to(seed):
    rng = random.Random(seed)
    order = [f"s{i:02d}" for i in range(rng.randint(1, 15))]
    rows = []
    for index, sid in enumerate(order):
        for k in range(rng.randint(0, 6)):
            target = None
            if rows and rng.random() < 0.3:
                target = rng.choice(rows)["message_id"]
            rows.append({"message_id": f"{sid}-{k}", "session_id": sid, "reply_to_message_id": target})
    tagged = pl.DataFrame(rows, schema={"message_id": pl.String, "session_id": pl.String,
                                        "reply_to_message_id": pl.String})
    budget = rng.randint(1, 10)
    batches = cut_sessions(tagged, order, budget)
    assert [sid for batch in batches for sid in batch] == order
    batch_of = {sid: i for i, batch in enumerate(batches) for sid in batch}
    where = dict(tagged.select("message_id", "session_id").iter_rows())
    for row in rows:
        if row["reply_to_message_id"]:
            assert batch_of[row["session_id"]] == batch_of[where[row["reply_to_message_id"]]]
    sizes = dict(tagged.group_by("session_id").len().iter_rows())
    for i, batch in enumerate(batches[:-1]):  # a batch is only closed when the next session would overflow it
        assert sum(sizes.get(s, 0) for s in batch) + sizes.get(batches[i + 1][0], 0) > budget


def test_the_scratch_folder_is_gone_after_the_analysis_and_after_a_killed_one(tmp_path):
    ws = tmp_path / "ws"
    import_archives([SAMPLES / "jobhuntchat" / "jobhuntchat.jsonl"], chat="jobhuntchat", workspace=ws,
                    config=SAMPLES / "jobhuntchat" / "chat.yaml")
    snapshot = analyze_chat(ws, "jobhuntchat", batch_messages=500)
    assert [p.name for p in snapshot.folder.parent.iterdir()] == [snapshot.folder.name]
    left = scratch_folder(snapshot.folder)  # what a killed analysis leaves
    (left / "annotated-00000.parquet").write_bytes(b"partial")
    assert remove_leftovers(snapshot.folder) == [left] and not left.exists()


def test_the_cli_passes_the_batch_size_to_the_analysis(tmp_path, monkeypatch):
    import moderator_kit.snapshot as snapshot_module
    from moderator_kit.cli import main

    budgets = []
    real = snapshot_module.plan_batches

    def spy(*args, **kwargs):
        budgets.append(kwargs.get("budget"))
        return real(*args, **kwargs)

    monkeypatch.setattr(snapshot_module, "plan_batches", spy)
    ws = tmp_path / "ws"
    import_archives([SAMPLES / "jobhuntchat" / "jobhuntchat.jsonl"], chat="jobhuntchat", workspace=ws,
                    config=SAMPLES / "jobhuntchat" / "chat.yaml")
    assert main(["analyze", "--chat", "jobhuntchat", "--batch-messages", "400", "-w", str(ws)]) == 0
    assert main(["analyze", "--chats", "all", "-w", str(ws)]) == 0
    assert budgets == [400, 250_000]
    assert main(["analyze", "--chat", "jobhuntchat", "--batch-messages", "0", "-w", str(ws)]) == 2
