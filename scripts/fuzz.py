"""Fuzz the importers: mutated inputs per format through the public read path; prints counts per format.

    python scripts/fuzz.py --iterations 5000 [--seed 1] [--format twarc2 ...] [--save-failures DIR]

Exits 1 if any input raised something other than a ModeratorKitError or gave counts that do not add up
(see tests/fuzzing.py for the seeds and mutators; tests/test_fuzz.py runs a shorter pass in the test suite).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fuzzing import FORMAT_GROUPS, fuzz  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=2000, help="mutated inputs per format (default 2000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--format", action="append", choices=FORMAT_GROUPS, help="only these formats")
    parser.add_argument("--save-failures", type=Path, help="write each failing input to this folder")
    args = parser.parse_args(argv)
    header = f"{'format':<12} {'inputs':>7} {'parsed ok':>10} {'typed errors':>13} {'unhandled':>10} {'seconds':>8}"
    print(header)
    print("-" * len(header))
    failures: list[str] = []
    totals = [0, 0, 0, 0]
    for group in args.format or FORMAT_GROUPS:
        tally = fuzz(group, args.iterations, args.seed, save_failures=args.save_failures)
        print(f"{group:<12} {tally.inputs:>7} {tally.parsed:>10} {tally.typed_errors:>13} {tally.unhandled:>10} "
              f"{tally.seconds:>8.1f}", flush=True)
        for i, value in enumerate((tally.inputs, tally.parsed, tally.typed_errors, tally.unhandled)):
            totals[i] += value
        failures.extend(tally.failures)
    print("-" * len(header))
    print(f"{'total':<12} {totals[0]:>7} {totals[1]:>10} {totals[2]:>13} {totals[3]:>10}")
    for failure in failures[:50]:
        print("UNHANDLED", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
