"""Benchmark the whole pipeline at scale: generate, import and analyze many chats, locally and on Dask.

For each ``--messages`` size, a workspace of ``size / --per-chat`` chats (default 100,000 messages per chat, in 50
weekly sessions of about 2,000 messages: 20M messages = 10k sessions in 200 chats, the issue's target) is

1. **generated** with the project's generator (:func:`moderator_kit.synth.write_twarc2_stream`, one twarc2 archive
   per chat, chat number i with seed i, so the bytes do not depend on how many processes write them), one chat per
   task over ``--gen-workers`` processes (default: the number of cores); ``--gzip`` keeps each archive
   gzip-compressed on disk (level 1) and the import reads the ``.gz`` pieces directly;
2. **imported** (:func:`moderator_kit.scale.import_chats`, each chat under its lock) and
3. **analyzed** (:func:`moderator_kit.scale.analyze_chats`),

once with the ``local`` engine (one chat after another) and once with ``dask`` on a ``LocalCluster`` of
``--workers`` processes (``--engines`` picks). Each stage runs in a fresh child process. Its time is measured
inside the child, from after the interpreter has started and imported every module of the pipeline (all of
``moderator_kit``); that start is printed apart, with the wall time of the child. For ``dask`` the start also holds
starting the ``LocalCluster`` and the same imports on its workers (a fixed cost of that engine, a few seconds,
printed as part of the "start" and included in the wall time). Peak memory is the largest
resident set (RSS) of the child *and all its descendants* (the Dask scheduler, nannies and workers, the generating
processes) sampled every 50 ms with psutil. Printed per stage: seconds, messages per second, microseconds per
message, peak RSS; per size and engine the end-to-end cost (import + analyze; generation is reported apart); at the
end a table of every size and engine, the flatness of the cost per message (largest / smallest) and the Dask
speedup. Archives and workspaces are deleted afterwards unless ``--keep``.

``--dashboard N`` measures the dashboard over a workspace of N analysed chats (the bundled '#JobHuntChat' analysed
once, its snapshot cloned N times under other names, its Parquet files hard-linked): in a fresh process, importing
``dashboards.app``, ``create_app`` and the first page load (``/``, the layout, the callback map, the picker's
callback and the overview page's callback), against the same with 1 chat. Target: under 2 s with 200 chats.

``--one-chat N`` instead profiles the analysis of ONE chat of N messages (weekly sessions of about 500): peak RSS per ``analyze_chat`` step
(where the memory goes today; docs/scale.md).

The machine may be shared (other processes compete for its cores): the load average at the start and end of each
stage is printed next to its figures.

Run::

    OMP_NUM_THREADS=1 python benchmarks/bench_scale.py --messages 100000 1000000 [--engines local dask]
    OMP_NUM_THREADS=1 python benchmarks/bench_scale.py --messages 5000000 20000000 --gzip
    OMP_NUM_THREADS=1 python benchmarks/bench_scale.py --one-chat 1000000 --batch-messages 100000 250000 10000000
    python benchmarks/bench_scale.py --dashboard 200
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CONFIG = ("chat: {chat}\nschedule: {{weekday: monday, time: '20:00', timezone: America/New_York, "
          "duration_minutes: 60}}\nmoderators: []\n")
SESSIONS_PER_CHAT = 50

from tests.scale_workspace import chat_names as _chat_names, many_chats_workspace  # noqa: E402


class PeakRSS:
    """Samples the RSS of a process and all its descendants every ``interval`` seconds; ``peak`` in bytes."""

    def __init__(self, pid: int, interval: float = 0.05):
        import psutil

        self._root = psutil.Process(pid)
        self._psutil = psutil
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> int:
        total = 0
        try:
            procs = [self._root, *self._root.children(recursive=True)]
        except self._psutil.Error:
            return 0
        for proc in procs:
            try:
                total += proc.memory_info().rss
            except self._psutil.Error:
                pass
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.sample())
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()


# ------------------------------------------------------------------------------------------------ child processes


def generate_chat(folder: Path, index: int, per_chat: int, gzip_pieces: bool, sessions: int) -> dict:
    """Write chat number ``index`` (seed ``index``, so its bytes do not depend on the number of processes)."""
    from moderator_kit.synth import write_twarc2_stream

    chat = _chat_names(index + 1)[index]
    path = folder / f"{chat}.jsonl"
    stats = write_twarc2_stream(path, per_chat, seed=index, sessions=sessions or None)
    (folder / f"{chat}.yaml").write_text(CONFIG.format(chat=chat))
    size = stats.bytes
    if gzip_pieces:
        with open(path, "rb") as raw, gzip.open(f"{path}.gz", "wb", compresslevel=1) as packed:
            shutil.copyfileobj(raw, packed, 1 << 20)
        path.unlink()
        size = Path(f"{path}.gz").stat().st_size
    return {"messages": stats.messages, "sessions": stats.sessions, "bytes": size}


def child_generate(folder: Path, chats: int, per_chat: int, gzip_pieces: bool, sessions: int,
                   gen_workers: int) -> dict:
    """Generate the chats over ``gen_workers`` processes, one chat per task."""
    began = time.perf_counter()
    if gen_workers <= 1 or chats == 1:
        stats = [generate_chat(folder, i, per_chat, gzip_pieces, sessions) for i in range(chats)]
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(min(gen_workers, chats), mp_context=multiprocessing.get_context("fork")) as pool:
            stats = list(pool.map(generate_chat, [folder] * chats, range(chats), [per_chat] * chats,
                                  [gzip_pieces] * chats, [sessions] * chats))
    return {"messages": sum(s["messages"] for s in stats), "sessions": sum(s["sessions"] for s in stats),
            "bytes": sum(s["bytes"] for s in stats), "work_seconds": time.perf_counter() - began}


def _archive(folder: Path, chat: str) -> Path:
    """A chat's archive: the gzip piece itself when there is one (imported without unpacking)."""
    packed = folder / f"{chat}.jsonl.gz"
    return packed if packed.exists() else folder / f"{chat}.jsonl"


def child_import(folder: Path, workspace: Path, chats: int, engine: str, workers: int,
                 scheduler: str | None = None) -> dict:
    from moderator_kit.scale import import_chats

    names = _chat_names(chats)
    began = time.perf_counter()
    outcomes = import_chats(workspace, {c: [_archive(folder, c)] for c in names}, engine=engine,
                            scheduler=scheduler, workers=workers, configs={c: folder / f"{c}.yaml" for c in names})
    work = time.perf_counter() - began
    failed = [o.error for o in outcomes if o.status == "failed"]
    if failed:
        raise SystemExit(f"import failed: {failed[:3]}")
    return {"messages": sum(o.messages for o in outcomes), "work_seconds": work}


def child_analyze(workspace: Path, chats: int, engine: str, workers: int, scheduler: str | None = None) -> dict:
    from moderator_kit.scale import analyze_chats

    began = time.perf_counter()
    outcomes = analyze_chats(workspace, _chat_names(chats), engine=engine, scheduler=scheduler, workers=workers)
    work = time.perf_counter() - began
    failed = [o.error for o in outcomes if o.status == "failed"]
    if failed:
        raise SystemExit(f"analyze failed: {failed[:3]}")
    return {"messages": sum(o.messages for o in outcomes), "sessions": sum(o.sessions for o in outcomes),
            "work_seconds": work}


def preload_pipeline() -> None:
    """Import every module the pipeline may use (all of moderator_kit, the formats, igraph, plotly), so that a
    stage's time measured after this is the pipeline's, not the interpreter's start and first imports."""
    import importlib
    import pkgutil

    import moderator_kit
    from moderator_kit.io.detect import all_formats

    for module in pkgutil.walk_packages(moderator_kit.__path__, "moderator_kit."):
        if module.name.endswith("__main__"):
            continue
        try:
            importlib.import_module(module.name)
        except ImportError:  # an optional extra that is not installed
            pass
    all_formats()


def child_one_chat(workspace: Path, batch_messages: int) -> dict:
    """Analyze the one chat of ``workspace`` in batches of ``batch_messages``; the peak RSS of each analyze_chat step
    (the batches of the first pass together on one line)."""
    from moderator_kit.snapshot import analyze_chat

    meter = PeakRSS(os.getpid(), interval=0.02)
    steps: list[dict] = []
    current = {"step": "start", "began": time.perf_counter()}

    def progress(name: str) -> None:
        now = time.perf_counter()
        steps.append({"step": current["step"], "seconds": now - current["began"], "peak_mb": meter.peak / 1e6,
                      "rss_after_mb": meter.sample() / 1e6})
        meter.peak = meter.sample()  # the next step's peak starts from what is held now
        current.update(step=name, began=now)

    with meter:
        analyze_chat(workspace, _chat_names(1)[0], progress=progress, batch_messages=batch_messages)
        progress("end")
    merged: list[dict] = []
    for step in steps[1:]:
        if step["step"].startswith("sessions batch"):
            total = step["step"].split("/")[1].split(":")[0]
            step = {**step, "step": f"first pass ({total} batches)"}
            if merged and merged[-1]["step"] == step["step"]:
                last = merged[-1]
                merged[-1] = {**last, "seconds": last["seconds"] + step["seconds"],
                              "peak_mb": max(last["peak_mb"], step["peak_mb"]), "rss_after_mb": step["rss_after_mb"]}
                continue
        merged.append(step)
    return {"steps": merged}


def child_dashboard(workspace: Path) -> dict:
    """Cold start of the dashboard: import, create_app, and the requests of a first page load (seconds each)."""
    began = time.perf_counter()
    from bench_dashboard import payload  # the JSON body Dash's renderer POSTs (benchmarks/bench_dashboard.py)
    from dashboards.app import create_app

    times = {"import": time.perf_counter() - began}
    began = time.perf_counter()
    app = create_app(workspace)
    times["create_app"] = time.perf_counter() - began
    client = app.server.test_client()
    began = time.perf_counter()
    for path in ("/", "/_dash-layout", "/_dash-dependencies"):
        assert client.get(path).status_code == 200, path
    values = {"mk-url.search": "", "mk-url.pathname": "/", "mk-chats-version.data": 0}
    picked = client.post("/_dash-update-component", data=json.dumps(payload(app, "mk-selection.data", values, {})),
                         content_type="application/json")
    assert picked.status_code == 200, picked.get_data(as_text=True)[:300]
    answer = picked.get_json()["response"]
    selection = answer["mk-selection"]["data"]
    overview = client.post("/_dash-update-component", content_type="application/json", data=json.dumps(
        payload(app, "ov-body.children", {"mk-selection.data": selection}, {})))
    assert overview.status_code == 200, overview.get_data(as_text=True)[:300]
    times["first_page"] = time.perf_counter() - began
    state = app.server.config["MODERATOR_KIT"]
    return {"times": times, "chats_listed": len(answer["mk-pick-chat"]["options"]),
            "snapshots_loaded": len(state._snapshots), "chat": selection["chat"]}


def bench_dashboard(folder: Path, chats: int) -> None:
    print(f"\n== dashboard start: {chats} analysed chats against 1 (fresh process each, best of 3)", flush=True)
    for count in (1, chats):
        workspace = many_chats_workspace(folder / f"dashboard_{count}", count)
        runs = [_run_child("dashboard", str(workspace)) for _ in range(3)]
        best = min(runs, key=lambda r: sum(r["times"].values()))
        t = best["times"]
        print(f"  {count:4d} chats: import {t['import']:.2f} s + create_app {t['create_app']:.2f} s + first page "
              f"{t['first_page']:.2f} s = {sum(t.values()):.2f} s (create_app + first page "
              f"{t['create_app'] + t['first_page']:.2f} s; target < 2 s); {best['chats_listed']} chats listed, "
              f"{best['snapshots_loaded']} snapshot(s) opened (load {best['load_before']:.1f})", flush=True)


def _run_child(*args: str) -> dict:
    """Run this script in a fresh interpreter, sampling its process tree; its JSON result plus seconds and peak."""
    load = os.getloadavg()[0]
    began, spawned = time.perf_counter(), time.time()
    proc = subprocess.Popen([sys.executable, __file__, "--child", *args], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'benchmarks'}"})
    with PeakRSS(proc.pid) as meter:
        out, _ = proc.communicate()
    if proc.returncode:
        raise SystemExit(f"child {args[0]} failed with status {proc.returncode}")
    result = json.loads(out.strip().splitlines()[-1])
    result.update(seconds=time.perf_counter() - began, peak_mb=meter.peak / 1e6, load_before=load,
                  load_after=os.getloadavg()[0])
    if "ready_at" in result:  # interpreter start + imports, measured apart from the stage's work
        result["startup_seconds"] = result["ready_at"] - spawned
    return result


# ---------------------------------------------------------------------------------------------------- measurements


def bench_size(folder: Path, messages: int, per_chat: int, engines: list[str], workers: int, gzip_pieces: bool,
               keep: bool, gen_workers: int) -> dict:
    chats = max(1, round(messages / per_chat))
    per = messages // chats
    archives = folder / f"archives_{messages}"
    shutil.rmtree(archives, ignore_errors=True)
    archives.mkdir(parents=True)
    print(f"\n== {messages:,} messages: {chats} chat(s) of {per:,} ({SESSIONS_PER_CHAT} sessions each)", flush=True)
    result = {"messages": messages, "chats": chats,
              "generate": _run_child("generate", str(archives), str(chats), str(per), str(int(gzip_pieces)),
                                     str(SESSIONS_PER_CHAT), str(gen_workers))}
    gen = result["generate"]
    _line(f"generate ({min(gen_workers, chats)} proc)", gen, gen["messages"])
    print(f"  {gen['messages']:,} messages in {gen['sessions']:,} sessions, {gen['bytes'] / 1e6:,.0f} MB on disk"
          + (" (gzip)" if gzip_pieces else ""), flush=True)
    for engine in engines:
        workspace = folder / f"workspace_{messages}_{engine}"
        shutil.rmtree(workspace, ignore_errors=True)
        imp = _run_child("import", str(archives), str(workspace), str(chats), engine, str(workers))
        _line(f"import ({engine})", imp, gen["messages"])
        ana = _run_child("analyze", str(workspace), str(chats), engine, str(workers))
        _line(f"analyze ({engine})", ana, ana["messages"])
        result[engine] = {"import": imp, "analyze": ana}
        work, wall = imp["work_seconds"] + ana["work_seconds"], imp["seconds"] + ana["seconds"]
        print(f"  end to end ({engine}): {work:,.1f} s = {work / ana['messages'] * 1e6:,.1f} µs per message "
              f"(wall with the starts {wall:,.1f} s = {wall / ana['messages'] * 1e6:,.1f} µs); "
              f"peak {max(imp['peak_mb'], ana['peak_mb']):,.0f} MB", flush=True)
        if not keep:
            shutil.rmtree(workspace, ignore_errors=True)
    if "local" in result and "dask" in result:
        for stage in ("import", "analyze"):
            speedup = result["local"][stage]["work_seconds"] / result["dask"][stage]["work_seconds"]
            print(f"  dask speedup, {stage}: {speedup:.2f}x ({workers} workers)")
    if not keep:
        shutil.rmtree(archives, ignore_errors=True)
    return result


def _line(name: str, stage: dict, messages: int) -> None:
    work = stage["work_seconds"]
    print(f"  {name:<19} {work:8.1f} s  {messages / work:10,.0f} msg/s  {work / messages * 1e6:7.1f} µs/msg  "
          f"peak {stage['peak_mb']:7,.0f} MB  (wall {stage['seconds']:.1f} s, of which start "
          f"{stage['startup_seconds']:.1f} s; load {stage['load_before']:.1f} -> {stage['load_after']:.1f})",
          flush=True)


def end_to_end(result: dict, engine: str) -> tuple[float, float]:
    """``(seconds, µs per message)`` of import + analyze, measured inside the children after their imports."""
    stages = result[engine]
    seconds = stages["import"]["work_seconds"] + stages["analyze"]["work_seconds"]
    return seconds, seconds / stages["analyze"]["messages"] * 1e6


def print_table(results: list[dict], engines: list[str], workers: int) -> None:
    """The summary: one row per size and engine, then the flatness of the cost per message and Dask's speedup."""
    print("\n== summary (stage seconds measured inside each child, after its imports; generation is not part of "
          "end to end)")
    header = (f"{'messages':>12} {'chats':>5} {'engine':<6} {'generate s':>10} {'import s':>9} {'analyze s':>9} "
              f"{'end-to-end s':>12} {'µs/msg':>7} {'wall e2e s':>10} {'peak RSS MB':>11}")
    print(header)
    print("-" * len(header))
    for r in results:
        for engine in engines:
            stages = r[engine]
            seconds, cost = end_to_end(r, engine)
            wall = stages["import"]["seconds"] + stages["analyze"]["seconds"]
            peak = max(stages["import"]["peak_mb"], stages["analyze"]["peak_mb"])
            print(f"{r['messages']:>12,} {r['chats']:>5} {engine:<6} {r['generate']['work_seconds']:>10.1f} "
                  f"{stages['import']['work_seconds']:>9.1f} {stages['analyze']['work_seconds']:>9.1f} "
                  f"{seconds:>12.1f} {cost:>7.1f} {wall:>10.1f} {peak:>11,.0f}")
    for engine in engines:
        costs = [end_to_end(r, engine)[1] for r in results]
        if len(costs) > 1:
            print(f"flatness ({engine}): largest / smallest µs/msg = {max(costs):.1f} / {min(costs):.1f} = "
                  f"{max(costs) / min(costs):.2f}x (target <= 1.5x)")
    if "local" in engines and "dask" in engines:
        print(f"dask speedup, end to end ({workers} workers): " + ", ".join(
            f"{r['messages']:,}: {end_to_end(r, 'local')[0] / end_to_end(r, 'dask')[0]:.2f}x" for r in results))
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", flush=True)


def bench_one_chat(folder: Path, messages: int, keep: bool, budgets: list[int]) -> None:
    archives = folder / f"one_chat_{messages}"
    shutil.rmtree(archives, ignore_errors=True)
    archives.mkdir(parents=True)
    workspace = folder / f"workspace_one_chat_{messages}"
    shutil.rmtree(workspace, ignore_errors=True)
    print(f"\n== one chat of {messages:,} messages", flush=True)
    # the shape of benchmarks/bench_analyze.py: weekly sessions of about 500 messages (1M: about 1,900 sessions)
    gen = _run_child("generate", str(archives), "1", str(messages), "0", "0", "1")
    _line("generate", gen, gen["messages"])
    imp = _run_child("import", str(archives), str(workspace), "1", "local", "1")
    _line("import", imp, gen["messages"])
    for budget in budgets:
        ana = _run_child("one-chat", str(workspace), str(budget))
        print(f"  analyze in batches of {budget:,} messages: {ana['seconds']:.1f} s, peak {ana['peak_mb']:,.0f} MB "
              f"(load {ana['load_before']:.1f})")
        print(f"  {'step':<28} {'seconds':>8} {'peak MB':>9} {'held after':>11}")
        for step in ana["steps"]:
            print(f"  {step['step']:<28} {step['seconds']:8.1f} {step['peak_mb']:9,.0f} {step['rss_after_mb']:11,.0f}")
    if not keep:
        shutil.rmtree(archives, ignore_errors=True)
        shutil.rmtree(workspace, ignore_errors=True)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        stage, args = sys.argv[2], sys.argv[3:]
        with contextlib.ExitStack() as stack:
            scheduler = None
            if stage in ("import", "analyze"):
                preload_pipeline()
                if args[-2] == "dask":  # the cluster's start and its workers' imports count as start, not work
                    from moderator_kit.scale.engine import dask_client

                    client = stack.enter_context(dask_client(workers=int(args[-1])))
                    client.run(preload_pipeline)
                    scheduler = client.scheduler.address
            ready_at = time.time()
            if stage == "generate":
                out = child_generate(Path(args[0]), int(args[1]), int(args[2]), args[3] == "1", int(args[4]),
                                     int(args[5]))
            elif stage == "import":
                out = child_import(Path(args[0]), Path(args[1]), int(args[2]), args[3], int(args[4]), scheduler)
            elif stage == "analyze":
                out = child_analyze(Path(args[0]), int(args[1]), args[2], int(args[3]), scheduler)
            elif stage == "dashboard":
                out = child_dashboard(Path(args[0]))
            else:
                out = child_one_chat(Path(args[0]), int(args[1]))
        print(json.dumps({**out, "ready_at": ready_at}))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--per-chat", type=int, default=100_000, help="messages per chat (default 100,000)")
    parser.add_argument("--engines", nargs="+", choices=["local", "dask"], default=["local", "dask"])
    parser.add_argument("--workers", type=int, default=2, help="Dask LocalCluster worker processes")
    parser.add_argument("--gzip", action="store_true",
                        help="keep the generated archives gzip-compressed on disk and import the .gz pieces directly")
    parser.add_argument("--gen-workers", type=int, default=os.cpu_count() or 1,
                        help="processes generating the chats, one chat per task (default: the number of cores)")
    parser.add_argument("--dashboard", type=int, help="measure the dashboard's start with this many chats")
    parser.add_argument("--one-chat", type=int, help="profile the memory of analyzing ONE chat of this size")
    parser.add_argument("--batch-messages", type=int, nargs="+", default=[250_000],
                        help="with --one-chat: analyze it in batches of sessions of these sizes, one run each")
    parser.add_argument("--dir", type=Path, default=Path("/tmp/mk_bench_scale"))
    parser.add_argument("--keep", action="store_true", help="keep archives and workspaces")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} (a shared machine: other processes compete)")
    if args.one_chat:
        bench_one_chat(args.dir, args.one_chat, args.keep, args.batch_messages)
        return
    if args.dashboard:
        bench_dashboard(args.dir, args.dashboard)
        return
    results = []
    for n in args.messages:
        results.append(bench_size(args.dir, n, args.per_chat, args.engines, args.workers, args.gzip, args.keep,
                                  args.gen_workers))
        if args.json:  # after each size: a long run interrupted keeps what it measured
            args.json.write_text(json.dumps(results, indent=1))
    print_table(results, args.engines, args.workers)


if __name__ == "__main__":
    main()
