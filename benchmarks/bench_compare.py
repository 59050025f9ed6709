"""Benchmark the chat comparison: 20 chats of 100 sessions each, compared from their snapshots (loading the tables,
per-session figures, spreads with bootstrap intervals, permutation tests, ranking), with and without a sponsor
profile. Target: under 2 s.

The snapshots are written first (not timed) by ``tests/compare_snapshots.py``: the tables ``compare`` reads, typed
as ``analyze`` writes them. Each repeat loads fresh :class:`Snapshot` objects, so nothing is cached between runs.

Run::

    python benchmarks/bench_compare.py [--chats 20] [--sessions 100] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from moderator_kit.compare import compare_chats, parse_profile  # noqa: E402
from moderator_kit.compare.load import load_snapshots  # noqa: E402
from tests.compare_snapshots import random_chat  # noqa: E402

TARGET_S = 2.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", type=int, default=20)
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-compare-") as tmp:
        names = [f"chat{k:02d}" for k in range(args.chats)]
        for k, name in enumerate(names):
            random_chat(Path(tmp), name, seed=k, sessions=args.sessions, active=20 + 3 * k)
        profile = parse_profile({"name": "bench", "benchmark_cpm": 15, "fees": {n: 100 + 10 * k for k, n in
                                                                               enumerate(names)},
                                 "audience": {"roles": ["seeker"]}})
        worst = 0.0
        for label, prof in (("no profile", None), ("sponsor profile", profile)):
            times = []
            for _ in range(args.repeat):
                began = time.perf_counter()
                comparison, _ = compare_chats(load_snapshots([tmp], names), prof, "all")
                times.append(time.perf_counter() - began)
            best = min(times)
            worst = max(worst, max(times))
            print(f"compare {args.chats} chats × {args.sessions} sessions ({label}): best {best:.2f} s, "
                  f"worst {max(times):.2f} s over {args.repeat} runs; ranked by {comparison.ranking_metric}")
        verdict = "OK" if worst < TARGET_S else "SLOWER than"
        print(f"target: < {TARGET_S:.0f} s from the snapshots — {verdict} the target (worst run {worst:.2f} s)")
        return 0 if worst < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
