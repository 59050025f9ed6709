"""Benchmark the night's recap: build it from the snapshot and render md, html and thread for one session of about
5,000 messages (a synthetic '#JobHuntChat' session scaled up, the same as ``bench_dashboard.py``'s).

Target: under 1 s per format, end to end from a freshly loaded snapshot (reading the Parquet tables included).

Run::

    /work/main/.venv/bin/python benchmarks/bench_recap.py [--messages 5000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_dashboard import build_workspace  # noqa: E402

from moderator_kit.recap import build_recap, render_recap  # noqa: E402
from moderator_kit.snapshot import load_snapshot  # noqa: E402

TARGET_S = 1.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=5000, help="in-chat messages of the session")
    parser.add_argument("--repeat", type=int, default=3, help="runs per format; the best is reported")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="bench_recap_"))
    ws, chat, session, in_session, seconds = build_workspace(root, args.messages, args.seed)
    print(f"session {session}: {in_session:,} in-chat messages (import + analyze {seconds:.1f} s, not timed)")
    failed = []
    for fmt in ("md", "html", "thread"):
        best = float("inf")
        for _ in range(args.repeat):
            began = time.perf_counter()
            snapshot = load_snapshot(ws, chat)  # fresh: the tables are read from disk in every run
            text = render_recap(build_recap(snapshot, session), fmt)
            best = min(best, time.perf_counter() - began)
        verdict = "ok" if best < TARGET_S else "SLOW"
        if best >= TARGET_S:
            failed.append(fmt)
        print(f"recap {fmt:<7}{best:8.3f} s  ({len(text):,} characters)  target < {TARGET_S:g} s  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
