"""Locks, concurrent imports, readers during imports and leftovers of older versions, with real processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import polars as pl
import pytest

from moderator_kit.cli import main
from moderator_kit.errors import WorkspaceError
from moderator_kit.workspace import Workspace

sys.path.insert(0, str(Path(__file__).parent))
from workspace_worker import build  # noqa: E402

WORKER = Path(__file__).with_name("workspace_worker.py")


def start_worker(root: Path, *args: str | int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(WORKER), str(root), "demo", *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def holding(root: Path, seconds: float, first: int = 1000, last: int = 1010) -> subprocess.Popen:
    """A worker that has the chat's lock (it waits ``seconds`` before committing)."""
    worker = start_worker(root, first, last, "--hold", seconds)
    assert worker.stdout.readline().strip() == "HOLDING", worker.stderr.read()
    return worker


def test_a_killed_import_leaves_no_lock_behind(tmp_path):
    ws = Workspace(tmp_path, create=True)
    ws.import_results([build(0, 5, 0, "a.jsonl")], chat="demo")
    worker = holding(tmp_path, 60)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    [report] = Workspace(tmp_path).import_results([build(5, 8, 0, "b.jsonl")], chat="demo", lock_timeout=0)
    assert report.imported == 3 and ws.messages("demo").collect().height == 8  # the killed import left nothing


def test_a_second_import_waits_for_the_lock(tmp_path):
    ws = Workspace(tmp_path, create=True)
    worker = holding(tmp_path, 1.5, 0, 10)
    started = time.monotonic()
    [report] = ws.import_results([build(5, 15, 0, "b.jsonl")], chat="demo", lock_timeout=60)
    assert time.monotonic() - started > 0.5 and worker.wait() == 0
    assert (report.imported, report.duplicates) == (5, 5)  # it saw the first import's messages
    assert ws.messages("demo").collect()["message_id"].sort().to_list() == sorted(str(i) for i in range(15))


def test_waiting_for_the_lock_times_out_with_a_clear_message(tmp_path, monkeypatch, capsys):
    ws = Workspace(tmp_path, create=True)
    worker = holding(tmp_path, 5)
    try:
        with pytest.raises(WorkspaceError, match=rf"still running \(process {worker.pid}\); waited 0.3 s.*--lock-timeout"):
            ws.import_results([build(0, 3, 0, "a.jsonl")], chat="demo", lock_timeout=0.3)
        monkeypatch.setenv("MODERATOR_KIT_LOCK_TIMEOUT", "0.2")
        with pytest.raises(WorkspaceError, match="waited 0.2 s"):
            ws.import_results([build(0, 3, 0, "a.jsonl")], chat="demo")
        other = ws.import_results([build(0, 3, 0, "a.jsonl")], chat="other", lock_timeout=0)  # chats lock apart
        assert other[0].imported == 3
        archive = tmp_path / "a.jsonl"
        archive.write_text(json.dumps({"data": [{"id": "1", "text": "hi", "author_id": "1",
                                                 "created_at": "2024-01-01T21:00:00.000Z"}]}) + "\n")
        assert main(["import", str(archive), "--chat", "demo", "-w", str(tmp_path), "--lock-timeout", "0.2"]) == 2
        err = " ".join(capsys.readouterr().err.split())
        assert "another import into chat 'demo'" in err and "waited 0.2 s" in err and "Traceback" not in err
    finally:
        worker.kill()
        worker.wait()


def test_two_imports_at_once_lose_and_duplicate_nothing(tmp_path):
    Workspace(tmp_path, create=True)
    workers = [start_worker(tmp_path, 0, 300, "--lock-timeout", 60, "--name", "a.jsonl"),
               start_worker(tmp_path, 200, 500, "--lock-timeout", 60, "--name", "b.jsonl")]
    outputs = [w.communicate(timeout=120) for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs
    reports = [json.loads(out.splitlines()[0])[0] for out, _ in outputs]
    assert sum(r["imported"] for r in reports) == 500 and sum(r["duplicates"] for r in reports) == 100
    ws = Workspace(tmp_path)
    ids = ws.messages("demo").collect()["message_id"]
    assert ids.n_unique() == ids.len() == 500
    assert sorted(e["source"] for e in ws.import_log()) == ["a.jsonl", "b.jsonl"]


def test_readers_always_see_one_committed_state(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKSPACE_WORKER_MAX_PARTS", "4")  # the imports merge month files now and then
    ws = Workspace(tmp_path, create=True)
    ws.import_results([build(0, 30, 0, "0.jsonl")], chat="demo")
    imports = 10  # each adds 30 messages over two months
    committed = {30 * (n + 1) for n in range(imports + 1)}
    counts, failures, stop = [], [], threading.Event()

    def read() -> None:
        while not stop.is_set():
            try:
                counts.append(Workspace(tmp_path).messages("demo").collect().height)
            except Exception as err:  # noqa: BLE001 - every failure is the finding
                failures.append(repr(err))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for n in range(1, imports + 1):
            worker = start_worker(tmp_path, 30 * n, 30 * (n + 1), "--name", f"{n}.jsonl")
            assert worker.wait(timeout=120) == 0, worker.stderr.read()
    finally:
        stop.set()
        reader.join()
    assert failures == []
    assert json.loads((tmp_path / "state" / "demo.json").read_text())["retired"]  # month files were merged
    assert len(counts) > imports and set(counts) <= committed and max(counts) == 30 * (imports + 1)


def test_cli_refuses_an_archive_with_nothing_importable(tmp_path, capsys):
    archive = tmp_path / "bad.jsonl"
    tweets = [{"id": str(i), "text": f"t{i}", "author_id": "1"} for i in range(98)]
    archive.write_text(json.dumps({"data": tweets, "includes": {"users": [{"id": "1", "username": "ann"}]}}) + "\n")
    ws = tmp_path / "ws"
    assert main(["import", str(archive), "--chat", "x", "-w", str(ws)]) == 2
    err = " ".join(capsys.readouterr().err.split())  # the console wraps long lines
    assert "all 98 records were quarantined (missing required field 'created_at' ×98)" in err
    assert "Traceback" not in err
    assert main(["sessions", "--chat", "x", "-w", str(ws)]) == 2
    assert "no chat 'x'" in " ".join(capsys.readouterr().err.split())


def _v1_workspace(root: Path) -> pl.DataFrame:
    """A workspace as format 1 left it: part-0 files without manifest, a stale .lock and staging leftovers."""
    messages = build(0, 40, 0, "a.jsonl").messages
    by_month = messages.drop("chat").with_columns(month=pl.col("created_at").dt.strftime("%Y-%m"))
    for (month,), part in by_month.partition_by("month", as_dict=True, include_key=False).items():
        folder = root / "messages" / "chat=demo" / f"month={month}"
        folder.mkdir(parents=True)
        part.write_parquet(folder / "part-0.parquet")
    (root / "quarantine" / "chat=demo").mkdir(parents=True)
    build(0, 0, 2, "a.jsonl").quarantine.with_columns(chat=pl.lit("demo")).write_parquet(
        root / "quarantine" / "chat=demo" / "part-0.parquet")
    (root / "imports.jsonl").write_text(json.dumps({"at": "2026-01-01T00:00:00+00:00", "chat": "demo",
                                                    "source": "a.jsonl", "imported": 40}) + "\n")
    (root / "workspace.json").write_text(json.dumps({"format_version": 1}) + "\n")
    (root / ".lock").write_text("123")
    (root / ".staging-dead" / "messages").mkdir(parents=True)
    return messages


def test_a_format_1_workspace_is_upgraded_in_place(tmp_path):
    messages = _v1_workspace(tmp_path)
    ws = Workspace(tmp_path)
    assert ws.chats() == ["demo"] and ws.quarantine("demo").height == 2
    assert ws.messages("demo").collect().drop("chat").sort("message_id").equals(messages.drop("chat").sort("message_id"))
    assert [e["source"] for e in ws.import_log()] == ["a.jsonl"]
    assert not (tmp_path / ".lock").exists() and not list(tmp_path.glob(".staging-*"))
    [report] = ws.import_results([build(30, 50, 0, "b.jsonl")], chat="demo", lock_timeout=0)
    assert (report.imported, report.duplicates) == (10, 10)


def test_a_format_1_swap_cut_between_its_renames_is_restored(tmp_path):
    messages = _v1_workspace(tmp_path)
    staging = tmp_path / ".staging-cut"
    staging.mkdir()
    (tmp_path / "messages" / "chat=demo").rename(staging / "old-messages")  # the chat "disappeared"
    (staging / "messages" / "month=2026-01").mkdir(parents=True)  # the new state, never swapped in
    build(99, 100, 0, "new.jsonl").messages.drop("chat").write_parquet(
        staging / "messages" / "month=2026-01" / "part-0.parquet")
    ws = Workspace(tmp_path)
    assert ws.messages("demo").collect().drop("chat").sort("message_id").equals(messages.drop("chat").sort("message_id"))
    assert not list(tmp_path.glob(".staging-*"))
