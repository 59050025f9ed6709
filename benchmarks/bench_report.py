"""Benchmark the sponsor and moderator reports: the time to build the report model and render each format, for one
session and for a 12-session range of the bundled sample (#JobHuntChat, 12 weekly sessions).

Targets: HTML under 3 s and PDF under 10 s, each end to end (building the model from the snapshot included). The
first PDF of a process also starts kaleido's Chromium (about 2 s, shown as "cold"); later PDFs reuse it ("warm").

Run::

    /tmp/venv/bin/python benchmarks/bench_report.py [--workspace DIR] [--repeat 2]

Without ``--workspace`` the sample is imported and analyzed into a temporary workspace first (not timed).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from moderator_kit.api import import_archives  # noqa: E402
from moderator_kit.report import build_report, render_model  # noqa: E402
from moderator_kit.snapshot import analyze_chat, load_snapshot  # noqa: E402

SAMPLE = ROOT / "sample_data" / "jobhuntchat"
TARGETS = {"html": 3.0, "pdf": 10.0}
FORMATS = ("html", "pdf", "xlsx", "csv")


def prepare(workspace: Path | None) -> Path:
    if workspace is not None and (workspace / "analysis" / "chat=jobhuntchat").exists():
        return workspace
    workspace = workspace or Path(tempfile.mkdtemp(prefix="bench_report_"))
    import_archives([SAMPLE / "jobhuntchat.jsonl"], chat="jobhuntchat", workspace=workspace,
                    config=SAMPLE / "chat.yaml")
    analyze_chat(workspace, "jobhuntchat")
    return workspace


def timed(func):  # noqa: ANN001, ANN201
    began = time.perf_counter()
    result = func()
    return result, time.perf_counter() - began


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workspace", type=Path, help="a workspace that already holds the analyzed sample")
    parser.add_argument("--repeat", type=int, default=2, help="runs per measurement; the best is reported")
    args = parser.parse_args(argv)
    workspace = prepare(args.workspace)
    snapshot = load_snapshot(workspace, "jobhuntchat")
    out = Path(tempfile.mkdtemp(prefix="bench_report_out_"))
    print(f"workspace {workspace}; {snapshot.meta['messages']:,} messages, {len(snapshot.session_ids())} sessions")
    print(f"{'audience':<10}{'sessions':<10}{'format':<8}{'build s':>9}{'render s':>10}{'total s':>9}  target")
    failed = []
    first_pdf = True
    for audience in ("sponsor", "moderator"):
        for label, sessions in (("1", ["1"]), ("1..12", ["1..12"])):
            for fmt in FORMATS:
                best = None
                for run in range(max(1, args.repeat)):
                    model, build = timed(lambda: build_report(snapshot, sessions=sessions, audience=audience))
                    target = out / f"{audience}-{label.replace('..', '-')}-{run}.{'zip' if fmt == 'csv' else fmt}"
                    _, render = timed(lambda: render_model(model, fmt, target))
                    if fmt == "pdf" and first_pdf:
                        first_pdf = False
                        print(f"{audience:<10}{label:<10}{fmt:<8}{build:>9.2f}{render:>10.2f}"
                              f"{build + render:>9.2f}  (cold: starts kaleido's Chromium)")
                    if best is None or build + render < best[0] + best[1]:
                        best = (build, render)
                build, render = best
                total = build + render
                limit = TARGETS.get(fmt)
                verdict = "" if limit is None else (f"< {limit:g} s ok" if total < limit else f"< {limit:g} s MISSED")
                if limit is not None and total >= limit:
                    failed.append(f"{audience} {label} {fmt}")
                print(f"{audience:<10}{label:<10}{fmt:<8}{build:>9.2f}{render:>10.2f}{total:>9.2f}  {verdict}")
    print(f"outputs in {out}")
    if failed:
        print("targets missed: " + ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
