"""Kill an import at every file-system step, one step at a time: the workspace holds exactly what it held before or
exactly what it holds after, and the next import works without any manual step."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl

from moderator_kit.store import chat_import
from moderator_kit.workspace import Workspace

sys.path.insert(0, str(Path(__file__).parent))
from workspace_worker import build  # noqa: E402

WORKER = Path(__file__).with_name("workspace_worker.py")


def run_worker(root: Path, *args: str | int, trace: bool = False) -> subprocess.CompletedProcess:
    env = dict(os.environ, WORKSPACE_WORKER_TRACE="1") if trace else None
    return subprocess.run([sys.executable, str(WORKER), str(root), "demo", *map(str, args)],
                          capture_output=True, text=True, timeout=120, env=env)


def state(root: Path) -> tuple:
    """Everything a user can see of chat 'demo' (opening the workspace first, which recovers it)."""
    if not (root / "workspace.json").exists():
        return (None, [], [])  # the same as an empty workspace: no chat, nothing quarantined, nothing logged
    ws = Workspace(root)
    log = [{k: v for k, v in entry.items() if k != "at"} for entry in ws.import_log()]
    file_log = [json.loads(line) for line in (root / "imports.jsonl").read_text().splitlines()] \
        if (root / "imports.jsonl").exists() else []
    assert [{k: v for k, v in e.items() if k != "at"} for e in file_log] == log  # imports.jsonl is exact
    quarantine = ws.quarantine("demo").sort("source_file", "source_record").rows()
    hive = sorted((root / "messages").glob("chat=demo/**/*.parquet"))
    if "demo" not in ws.chats():
        assert not hive and not list((root / "quarantine").glob("chat=demo/*"))
        return (None, quarantine, log)
    messages = ws.messages("demo").collect().sort("message_id")
    # The hive folders (what DuckDB and pandas read) hold exactly the committed state: nothing missing, nothing twice.
    from_hive = pl.read_parquet(hive).sort("message_id")
    assert from_hive.equals(messages.drop("chat")), "the hive folders differ from the committed state"
    assert not list(root.glob("state/.*.tmp"))
    return (messages.rows(), quarantine, log)


def kill_sweep(tmp_path: Path, prepare, first: int, last: int, bad: int = 0, name: str = "a.jsonl") -> list[str]:
    """Kill the import at step 1, 2, … until it completes; check the workspace after each kill."""
    import_args = [first, last, "--bad", bad, "--name", name]
    template = tmp_path / "template"
    prepare(template)
    before = state(template)
    done = tmp_path / "done"
    shutil.copytree(template, done) if template.exists() else None
    finished = run_worker(done, *import_args, trace=True)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    steps = [line.split(": ", 1)[1].replace(str(done) + "/", "") for line in finished.stderr.splitlines()
             if line.startswith("step ")]
    total_steps = int(finished.stdout.split("STEPS ")[1])
    [expected] = json.loads(finished.stdout.splitlines()[0])
    after = state(done)
    assert after != before
    outcomes = []
    for step in range(1, total_steps + 2):
        root = tmp_path / f"kill-{step}"
        shutil.copytree(template, root) if template.exists() else None
        killed = run_worker(root, *import_args, "--kill-at", step)
        if killed.returncode == 0:  # the import finished: every step was tried
            assert step == total_steps + 1
            break
        assert killed.returncode == -9, killed.stderr
        seen = state(root)
        assert seen in (before, after), f"kill at step {step} left a state that is neither before nor after"
        outcomes.append("before" if seen == before else "after")
        # The next import works with no manual step (no lock to delete, nothing to clean) and ends in the same state;
        # when the kill came after the commit, it finds every message there already.
        [again] = Workspace(root, create=True).import_results([build(first, last, bad, name)], chat="demo")
        assert again.imported == (0 if seen == after else expected["imported"])
        messages, quarantine, log = state(root)
        assert (messages, quarantine, log[:len(after[2])]) == after and len(log) == len(after[2]) + (seen == after)
        shutil.rmtree(root)
    assert len(outcomes) == total_steps and "before" in outcomes and "after" in outcomes
    for number, (step, outcome) in enumerate(zip(steps, outcomes, strict=True), start=1):
        print(f"kill before step {number:2} ({step}): {outcome}")  # shown with pytest -s
    return outcomes


def test_kill_at_every_step_into_an_existing_chat(tmp_path):
    def prepare(root):
        Workspace(root, create=True).import_results([build(0, 50, 3, "a.jsonl")], chat="demo")

    outcomes = kill_sweep(tmp_path, prepare, 25, 90, bad=5, name="b.jsonl")
    # Once the manifest is replaced (the commit) every later kill leaves the new state.
    assert outcomes == sorted(outcomes, key=lambda o: o == "after")


def test_kill_at_every_step_of_a_new_chat(tmp_path):
    outcomes = kill_sweep(tmp_path, lambda root: None, 0, 50, bad=3)
    assert outcomes == sorted(outcomes, key=lambda o: o == "after")


def test_kill_at_every_step_of_an_import_that_compacts_months(tmp_path, monkeypatch):
    monkeypatch.setattr(chat_import, "MAX_PARTS_PER_MONTH", 4)
    monkeypatch.setenv("WORKSPACE_WORKER_MAX_PARTS", "4")

    def prepare(root):
        ws = Workspace(root, create=True)
        for n in range(4):  # each import adds one file to January (ids 40n … 40n+9); the next one merges them
            ws.import_results([build(n * 40, n * 40 + 10, 0, f"{n}.jsonl")], chat="demo")

    kill_sweep(tmp_path, prepare, 200, 210)
    merged = json.loads((tmp_path / "done" / "state" / "demo.json").read_text())
    assert len(merged["retired"]) == 4 and len(merged["messages"]) == 1  # the import did merge the month
