"""The engine switch (moderator_kit.scale): the Dask engine on a 2-process LocalCluster gives the local engine's
snapshot table by table; a killed worker's task is retried and nothing is written twice; parallel imports."""

from __future__ import annotations

import ast
import dataclasses
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from moderator_kit.cli import main
from moderator_kit.scale import analyze_chats, analyze_task, import_chats, resolve_chats
from moderator_kit.snapshot_store import SNAPSHOT_FILE, Snapshot, remove_leftovers

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_data"
#: meta fields that differ between two runs of the same analysis
RUN_FIELDS = ("generated_at", "run_id")

#: The tests that run a cluster; the others (retries, leftovers, the missing-extra error) run without Dask.
needs_dask = pytest.mark.skipif(importlib.util.find_spec("distributed") is None,
                                reason="the dask extra is not installed: pip install '.[dask]'")


def _import_samples(ws: Path) -> list[str]:
    chats = []
    for folder in sorted(p for p in SAMPLES.iterdir() if (p / "chat.yaml").is_file()):
        archive = folder / "export" if (folder / "export").is_dir() else folder / f"{folder.name}.jsonl"
        assert main(["import", str(archive), "--chat", folder.name, "--config", str(folder / "chat.yaml"),
                     "-w", str(ws)]) == 0
        chats.append(folder.name)
    return chats


def _generate(folder: Path, count: int, sessions: int = 4) -> dict[str, tuple[Path, Path]]:
    """``count`` Twitter chats from the project's generator: chat -> (archive, config)."""
    from moderator_kit.synth.chat import write_config
    from moderator_kit.synth.twitter import CAREERPIVOTCHAT, JOBHUNTCHAT, generate_twitter_chat, write_twarc2

    made = {}
    for index in range(count):
        name = f"gen{index}"
        base = (JOBHUNTCHAT, CAREERPIVOTCHAT)[index % 2]
        chat = generate_twitter_chat(seed=100 + index, sessions=sessions, spec=dataclasses.replace(base, chat=name))
        write_twarc2(chat, folder / name / "chat.jsonl")
        write_config(chat, folder / name / "chat.yaml")
        made[name] = (folder / name / "chat.jsonl", folder / name / "chat.yaml")
    return made


def _copy_snapshots(ws: Path, chats: list[str], to: Path) -> Path:
    for chat in chats:
        shutil.copytree(ws / "analysis" / f"chat={chat}", to / f"chat={chat}")
    return to


def assert_same_snapshot(expected: Path, actual: Path) -> None:
    """Every table equal (values, types, row order) and the metadata equal but for the run's time and id."""
    want, got = Snapshot(expected), Snapshot(actual)
    assert got.tables() == want.tables()
    for name in want.tables():
        assert_frame_equal(got.table(name), want.table(name), check_exact=True), name
    strip = lambda meta: {k: v for k, v in meta.items() if k not in RUN_FIELDS}  # noqa: E731
    assert strip(got.meta) == strip(want.meta)


def _leftovers(ws: Path) -> list[str]:
    return sorted(p.name for p in (ws / "analysis").iterdir() if not p.name.startswith("chat="))


@pytest.fixture(scope="module")
def cluster():
    """One 2-process LocalCluster for the tests that pass --scheduler (the sample test starts its own)."""
    from dask.distributed import Client, LocalCluster

    os.environ.setdefault("OMP_NUM_THREADS", "1")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=40) as local, Client(local) as client:
        yield local, client


@needs_dask
def test_dask_equals_local_on_the_bundled_samples(tmp_path):
    ws = tmp_path / "ws"
    chats = _import_samples(ws)
    local = analyze_chats(ws, resolve_chats(ws, "all"), engine="local")
    assert [o.status for o in local] == ["written"] * len(chats) and len(chats) == 3
    expected = _copy_snapshots(ws, chats, tmp_path / "local")
    # the default Dask engine: its own LocalCluster of 2 worker processes
    outcomes = analyze_chats(ws, chats, engine="dask", workers=2)
    assert [o.status for o in outcomes] == ["written"] * 3
    assert all(o.worker and int(o.worker.rsplit(":", 1)[1]) != os.getpid() for o in outcomes)  # ran in the workers
    for chat in chats:
        assert_same_snapshot(expected / f"chat={chat}", ws / "analysis" / f"chat={chat}")
    assert _leftovers(ws) == []


@needs_dask
def test_dask_equals_local_on_a_generated_workspace_imported_in_parallel(tmp_path, cluster):
    local_cluster, _client = cluster
    made = _generate(tmp_path / "archives", 4)
    archives = {chat: [paths[0]] for chat, paths in made.items()}
    configs = {chat: paths[1] for chat, paths in made.items()}
    # imports: one after another into one workspace, in parallel on the cluster into another
    import_chats(tmp_path / "ws_local", archives, configs=configs)
    parallel = import_chats(tmp_path / "ws_dask", archives, configs=configs, engine="dask",
                            scheduler=local_cluster.scheduler_address)
    assert [o.status for o in parallel] == ["written"] * 4 and all(o.messages > 500 for o in parallel)
    assert resolve_chats(tmp_path / "ws_dask", "all") == sorted(made)
    analyze_chats(tmp_path / "ws_local", sorted(made))
    outcomes = analyze_chats(tmp_path / "ws_dask", sorted(made), engine="dask",
                             scheduler=local_cluster.scheduler_address)
    assert [o.status for o in outcomes] == ["written"] * 4
    assert len({o.worker for o in outcomes}) == 2  # both worker processes took chats
    for chat in made:
        assert_same_snapshot(tmp_path / "ws_local" / "analysis" / f"chat={chat}",
                             tmp_path / "ws_dask" / "analysis" / f"chat={chat}")


@needs_dask
def test_a_worker_killed_mid_run_is_retried_and_nothing_is_written_twice(tmp_path, cluster):
    local_cluster, client = cluster
    made = _generate(tmp_path / "archives", 1, sessions=12)
    (chat, (archive, config)), = made.items()
    ws = tmp_path / "ws"
    import_chats(ws, {chat: [archive]}, configs={chat: config})
    analyze_chats(ws, [chat])
    expected = _copy_snapshots(ws, [chat], tmp_path / "local")
    workers = set(client.run(os.getpid).values())
    lock = ws / ".locks" / f"{chat}.lock"
    folder = ws / "analysis" / f"chat={chat}"
    before = json.loads((folder / SNAPSHOT_FILE).read_text())["run_id"]

    killed: list[int] = []

    def kill_when_writing() -> None:
        # SIGKILL the worker that holds the chat's lock once its new snapshot is half written (staging folder there)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not killed:
            holder = lock.read_text().strip() if lock.exists() else ""
            if holder.isdigit() and int(holder) in workers and list(folder.parent.glob(f".staging-{folder.name}-*")):
                os.kill(int(holder), signal.SIGKILL)
                killed.append(int(holder))
            time.sleep(0.002)

    import threading

    watcher = threading.Thread(target=kill_when_writing)
    watcher.start()
    outcomes = analyze_chats(ws, [chat], engine="dask", scheduler=local_cluster.scheduler_address)
    watcher.join()
    assert killed, "the worker was not caught while writing"
    (outcome,) = outcomes
    assert outcome.status == "written", outcome.error
    assert int(outcome.worker.rsplit(":", 1)[1]) != killed[0]  # the retry ran on another (or a restarted) worker
    meta = json.loads((folder / SNAPSHOT_FILE).read_text())
    assert meta["run_id"] not in (None, before)
    assert _leftovers(ws) == []  # the killed attempt's half-written staging folder is gone
    assert_same_snapshot(expected / f"chat={chat}", folder)


def test_a_retried_task_does_not_write_its_snapshot_again(tmp_path):
    ws = tmp_path / "ws"
    chats = _import_samples(ws)
    chat = chats[-1]
    first = analyze_task(ws, chat, run_id="run-1")
    stamp = os.stat(ws / "analysis" / f"chat={chat}" / SNAPSHOT_FILE)
    again = analyze_task(ws, chat, run_id="run-1")  # the same task, retried after it had written
    assert (first["status"], again["status"]) == ("written", "unchanged")
    after = os.stat(ws / "analysis" / f"chat={chat}" / SNAPSHOT_FILE)
    assert (after.st_ino, after.st_mtime_ns) == (stamp.st_ino, stamp.st_mtime_ns)
    assert analyze_task(ws, chat, run_id="run-2")["status"] == "written"  # a new run writes


def test_leftovers_of_a_killed_writer_are_removed_and_a_swapped_out_snapshot_is_put_back(tmp_path):
    folder = tmp_path / "analysis" / "chat=demo"
    from moderator_kit.snapshot_store import write_snapshot

    write_snapshot(folder, {"sessions": pl.DataFrame({"session_id": ["a"]})}, {"chat": "demo"})
    (folder.parent / ".staging-chat=demo-dead").mkdir()
    (folder.parent / ".staging-chat=demo-dead" / "messages.parquet").write_bytes(b"PAR1 half")
    (folder.parent / ".staging-chat=other-live").mkdir()  # another chat's writer: not ours to remove
    assert [p.name for p in remove_leftovers(folder)] == [".staging-chat=demo-dead"]
    assert (folder.parent / ".staging-chat=other-live").is_dir()
    # killed between the two renames: only the previous snapshot, swapped out, is left
    folder.rename(folder.parent / ".old-chat=demo-123")
    remove_leftovers(folder)
    assert Snapshot(folder).table("sessions")["session_id"].to_list() == ["a"]
    assert not list(folder.parent.glob(".old-*"))


@needs_dask
def test_cli_analyze_chats_all_on_dask_and_its_user_errors(tmp_path, capsys, cluster):
    local_cluster, _client = cluster
    ws = tmp_path / "ws"
    _import_samples(ws)
    capsys.readouterr()
    assert main(["analyze", "--chats", "all", "--engine", "dask", "--scheduler", local_cluster.scheduler_address,
                 "-w", str(ws), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["chat"], r["status"]) for r in rows] == [(c, "written") for c in
                                                        ("careerpivotchat", "jobhuntchat", "remote-careers")]
    for argv, message in (
        (["analyze", "-w", str(ws)], "--chat NAME, or several with --chats all"),
        (["analyze", "--chat", "jobhuntchat", "--chats", "all", "-w", str(ws)], "--chats all"),
        (["analyze", "--chats", "all", "--scheduler", "tcp://127.0.0.1:1", "-w", str(ws)], "needs --engine dask"),
        (["analyze", "--chats", "jobhuntchat,nope", "-w", str(ws)], "no chat 'nope'"),
    ):
        assert main(argv) == 2
        assert message in capsys.readouterr().err


def test_without_dask_the_engine_asks_for_the_extra_in_one_line(tmp_path):
    ws = tmp_path / "ws"
    _import_samples(ws)
    # a Python where dask cannot be imported (as after a plain 'pip install .')
    code = ("import sys; sys.modules['dask'] = None; sys.modules['distributed'] = None\n"
            "from moderator_kit.cli import main\n"
            f"sys.exit(main(['analyze', '--chats', 'all', '--engine', 'dask', '-w', {str(ws)!r}]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 2, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "pip install 'moderator-kit[dask]'" in lines[0], done.stderr


def test_no_module_imports_dask_at_import_time():
    """dask is an extra: a plain install imports every module (scripts/plain-install-check.sh)."""
    offenders = []
    for path in sorted([*(ROOT / "moderator_kit").rglob("*.py"), *(ROOT / "dashboards").rglob("*.py")]):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:  # module level only; inside functions is fine
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n.split(".")[0] in ("dask", "distributed") for n in names):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
