"""Benchmark ``analyze`` against ``import`` on a big workspace, and all metrics of one big session.

Two measurements:

1. **Workspace** (``--messages``, default 1,000,000: about 1,900 weekly sessions of ~530 messages). A twarc2 archive
   written by :func:`moderator_kit.synth.write_twarc2_stream` (cached in ``--dir``) is imported into a fresh workspace,
   then analyzed (:func:`moderator_kit.snapshot.analyze_chat`). Each run is a fresh Python process (wall time, CPU
   time and peak memory of that process). Target: analyze at most 2x the import.
2. **One session** (``--session-messages``, default 5,000 messages in one session): the per-session pipeline
   (sessions, agenda flow, engagement, graph metrics and shape, people, value), timed in-process from the steps of
   ``analyze_chat``. Target: under 0.5 s. Network layouts (drawing positions, not metrics) and writing the snapshot
   are timed and printed apart.

The machine may be shared: each measurement is repeated ``--repeat`` times and both the best and the median are
printed. igraph runs single-threaded (``OMP_NUM_THREADS=1``, as the command line sets it).

Run::

    /tmp/venv/bin/python benchmarks/bench_analyze.py [--messages 1000000] [--repeat 2] [--dir /tmp/mk_bench]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHAT = "bench"
CONFIG = ("chat: bench\nschedule: {weekday: monday, time: '20:00', timezone: America/New_York, "
          "duration_minutes: 60}\nmoderators: []\n")
#: analyze_chat progress steps that are not metrics: drawing positions and writing the files.
NOT_METRICS = ("graph layouts", "writing snapshot")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


class StepClock:
    """A progress callback recording wall and CPU time per ``analyze_chat`` step."""

    def __init__(self) -> None:
        self.steps: dict[str, list[float]] = {}
        self._name = "start"
        self._wall = time.perf_counter()
        self._cpu = time.process_time()

    def __call__(self, name: str) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        key = self._name
        if key.startswith("graph") and key not in ("graph", "graph all", "graph layouts"):
            key = "graph sessions"  # "graph: 1884 sessions" (older versions: one "graph <session>" step each)
        spent = self.steps.setdefault(key, [0.0, 0.0])
        spent[0] += wall - self._wall
        spent[1] += cpu - self._cpu
        self._name, self._wall, self._cpu = name, wall, cpu


# ------------------------------------------------------------------------------------------------ child processes


def child_import(archive: Path, workspace: Path, config: Path) -> dict:
    from moderator_kit.api import import_archives

    wall, cpu = time.perf_counter(), time.process_time()
    import_archives([archive], chat=CHAT, workspace=workspace, config=config)
    return {"seconds": time.perf_counter() - wall, "cpu": time.process_time() - cpu, "peak_mb": _peak_mb()}


def child_analyze(workspace: Path) -> dict:
    from moderator_kit.snapshot import analyze_chat

    clock = StepClock()
    wall, cpu = time.perf_counter(), time.process_time()
    snapshot = analyze_chat(workspace, CHAT, progress=clock)
    clock("end")
    return {"seconds": time.perf_counter() - wall, "cpu": time.process_time() - cpu, "peak_mb": _peak_mb(),
            "steps": clock.steps, "sessions": snapshot.table("sessions").height,
            "messages": snapshot.meta.get("messages")}


def _run_child(*args: str) -> dict:
    """Run this script in a fresh interpreter and read the JSON line it prints."""
    out = subprocess.run([sys.executable, __file__, "--child", *args], check=True, capture_output=True, text=True,
                         env={**os.environ, "OMP_NUM_THREADS": os.environ["OMP_NUM_THREADS"]})
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------------------------------- measurements


def archive_for(folder: Path, messages: int, seed: int) -> Path:
    """The cached twarc2 archive of ``messages`` tweets (written once; about 50 s per million)."""
    from moderator_kit.synth import write_twarc2_stream

    path = folder / f"twarc2_{messages}_seed{seed}.jsonl"
    if not path.exists():
        began = time.perf_counter()
        partial = path.with_suffix(".partial")
        stats = write_twarc2_stream(partial, messages, seed=seed)
        partial.replace(path)
        print(f"  wrote {path} ({stats.messages:,} tweets, {stats.sessions:,} sessions, "
              f"{stats.bytes / 1e6:,.0f} MB) in {time.perf_counter() - began:.1f} s")
    return path


def session_archive(folder: Path, messages: int, seed: int) -> Path:
    """A twarc2 archive holding exactly one session of ``messages`` tweets (cached)."""
    from moderator_kit.synth import write_twarc2_stream

    path = folder / f"twarc2_one_session_{messages}_seed{seed}.jsonl"
    if path.exists():
        return path
    # ``sessions`` below 1 simulates a session bigger than ``messages``, cut to its first ``messages`` tweets
    for fraction in (0.8, 0.6, 0.4, 0.2):
        stats = write_twarc2_stream(path, messages, seed=seed, sessions=fraction)
        if stats.sessions == 1:
            return path
    raise RuntimeError(f"could not write a single session of {messages} messages")


def bench_workspace(folder: Path, messages: int, seed: int, repeat: int) -> dict:
    archive = archive_for(folder, messages, seed)
    config = folder / "bench_chat.yaml"
    config.write_text(CONFIG)
    workspace = folder / f"workspace_{messages}"
    imports, analyses = [], []
    for _ in range(repeat):
        shutil.rmtree(workspace, ignore_errors=True)
        imports.append(_run_child("import", str(archive), str(workspace), str(config)))
        analyses.append(_run_child("analyze", str(workspace)))
    return {"imports": imports, "analyses": analyses}


def bench_session(folder: Path, messages: int, seed: int, repeat: int) -> dict:
    from moderator_kit.api import import_archives
    from moderator_kit.snapshot import analyze_chat

    archive = session_archive(folder, messages, seed)
    config = folder / "bench_chat.yaml"
    config.write_text(CONFIG)
    workspace = folder / f"workspace_one_session_{messages}"
    shutil.rmtree(workspace, ignore_errors=True)
    import_archives([archive], chat=CHAT, workspace=workspace, config=config)
    runs = []
    for _ in range(repeat + 1):  # the first run pays for the imports and the regex compilation
        clock = StepClock()
        began = time.perf_counter()
        snapshot = analyze_chat(workspace, CHAT, progress=clock)
        clock("end")
        total = time.perf_counter() - began
        steps = {name: wall for name, (wall, _cpu) in clock.steps.items()}
        metrics = sum(wall for name, wall in steps.items() if name not in NOT_METRICS)
        runs.append({"total": total, "metrics": metrics, "steps": steps})
    nodes = snapshot.table("nodes")
    return {"first": runs[0], "runs": runs[1:], "sessions": snapshot.table("sessions").height,
            "messages": snapshot.meta.get("session_messages"),
            "nodes": nodes.filter(nodes["session_id"] != "all").height,
            "edges": snapshot.table("graph_metrics")["edges"][0]}


# --------------------------------------------------------------------------------------------------------- report


def _fmt(values: list[float]) -> str:
    return f"best {min(values):7.2f} s   median {statistics.median(values):7.2f} s"


def report_workspace(result: dict, messages: int) -> None:
    imports, analyses = result["imports"], result["analyses"]
    imp = [r["seconds"] for r in imports]
    ana = [r["seconds"] for r in analyses]
    last = analyses[-1]
    print(f"workspace: {messages:,} messages, {last['sessions']:,} sessions")
    print(f"  import   {_fmt(imp)}   cpu {min(r['cpu'] for r in imports):6.1f} s   "
          f"peak {max(r['peak_mb'] for r in imports):,.0f} MB")
    print(f"  analyze  {_fmt(ana)}   cpu {min(r['cpu'] for r in analyses):6.1f} s   "
          f"peak {max(r['peak_mb'] for r in analyses):,.0f} MB")
    print(f"  ratio analyze / import: best {min(ana) / min(imp):.2f} x, median "
          f"{statistics.median(ana) / statistics.median(imp):.2f} x   (target <= 2 x)")
    print("  analyze steps (wall / cpu, best run):")
    best = min(analyses, key=lambda r: r["seconds"])
    for name, (wall, cpu) in best["steps"].items():
        if name != "start":
            print(f"    {name:<22} {wall:6.2f} s / {cpu:6.2f} s")


def report_session(result: dict) -> None:
    runs = result["runs"]
    print(f"one session: {result['messages']:,} messages, {result['sessions']} session, graph "
          f"{result['nodes']:,} people / {result['edges']:,} ties")
    metrics = [r["metrics"] for r in runs]
    print(f"  all metrics (sessions, flow, engagement, graph, people, value): {_fmt(metrics)}   "
          f"(first run {result['first']['metrics']:.2f} s; target < 0.5 s)")
    for name in NOT_METRICS:
        print(f"  {name + ' (not a metric)':<34} {_fmt([r['steps'].get(name, 0.0) for r in runs])}")
    print(f"  whole analyze_chat                 {_fmt([r['total'] for r in runs])}")
    best = min(runs, key=lambda r: r["metrics"])
    print("  steps (best run): " + ", ".join(f"{k} {v:.3f}" for k, v in best["steps"].items() if k != "start"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--session-messages", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=2, help="runs of each measurement (best and median shown)")
    parser.add_argument("--dir", type=Path, default=Path("/tmp/moderator_kit_bench"),
                        help="where the archives are cached and the workspaces written")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-workspace", action="store_true", help="only the one-session measurement")
    parser.add_argument("--json", type=Path, help="also write the raw figures to this file")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        kind, *rest = args.child
        result = child_import(*map(Path, rest)) if kind == "import" else child_analyze(Path(rest[0]))
        print(json.dumps(result))
        return

    args.dir.mkdir(parents=True, exist_ok=True)
    print(f"OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f}; {args.repeat} run(s) per measurement")
    raw: dict = {}
    if not args.skip_workspace:
        raw["workspace"] = bench_workspace(args.dir, args.messages, args.seed, args.repeat)
        report_workspace(raw["workspace"], args.messages)
    raw["session"] = bench_session(args.dir, args.session_messages, args.seed, max(args.repeat, 3))
    report_session(raw["session"])
    if args.json:
        args.json.write_text(json.dumps(raw, indent=1))


if __name__ == "__main__":
    main()
