"""Write the bundled sample data: the '#JobHuntChat' and '#CareerPivotChat' Twitter chats and the 'remote-careers'
Slack community.

``python -m moderator_kit.synth --out sample_data`` regenerates ``sample_data/`` byte for byte (the generators are
deterministic for a given seed). See ``docs/sample_data.md``.

Examples
--------
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     written = write_sample(tmp, twitter_sessions=1, slack_sessions=1, pivot_sessions=1)
>>> sorted(written)[:3]
['careerpivotchat/careerpivotchat.jsonl', 'careerpivotchat/chat.yaml', 'careerpivotchat/truth.csv']
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from moderator_kit.synth.chat import write_config, write_truth
from moderator_kit.synth.slack import generate_slack_community, write_slack_export
from moderator_kit.synth.twitter import (
    CAREERPIVOTCHAT,
    SAMPLE_SEED,
    generate_twitter_chat,
    write_twarc2,
    write_twarc2_stream,
)

__all__ = ["write_sample", "main", "SAMPLE_FOLDERS"]

#: The folders of the bundled sample, one per chat.
SAMPLE_FOLDERS = ("jobhuntchat", "remote-careers", "careerpivotchat")


def write_sample(out: Path | str, seed=SAMPLE_SEED, *, twitter_sessions: int = 12,
                 slack_sessions: int = 4, pivot_sessions: int = 10) -> list[str]:
    """Generate and write the sample communities under ``out``; return the files written (relative, sorted)."""
    out = Path(out)
    twitter = generate_twitter_chat(seed=seed, sessions=twitter_sessions)
    write_twarc2(twitter, out / "jobhuntchat" / "jobhuntchat.jsonl")
    write_config(twitter, out / "jobhuntchat" / "chat.yaml")
    write_truth(twitter, out / "jobhuntchat" / "truth.csv")
    slack = generate_slack_community(seed=seed, sessions=slack_sessions)
    write_slack_export(slack, out / "remote-careers" / "export")
    write_config(slack, out / "remote-careers" / "chat.yaml")
    write_truth(slack, out / "remote-careers" / "truth.csv")
    pivot = generate_twitter_chat(seed=seed, sessions=pivot_sessions, spec=CAREERPIVOTCHAT)
    write_twarc2(pivot, out / "careerpivotchat" / "careerpivotchat.jsonl")
    write_config(pivot, out / "careerpivotchat" / "chat.yaml")
    write_truth(pivot, out / "careerpivotchat" / "truth.csv")
    files = [p for folder in SAMPLE_FOLDERS for p in (out / folder).rglob("*") if p.is_file()]
    return sorted(p.relative_to(out).as_posix() for p in files)


def main(argv: list[str] | None = None) -> int:
    """Command line: regenerate the sample (``--out``), or write a big twarc2 file for benchmarks (``--stream N``)."""
    parser = argparse.ArgumentParser(prog="python -m moderator_kit.synth", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="sample_data", help="folder to write the sample into (default: sample_data)")
    parser.add_argument("--seed", default=str(SAMPLE_SEED), help="random seed (default: the bundled sample's)")
    parser.add_argument("--stream", type=int, metavar="N", help="instead, write N tweets to --out as one twarc2 file")
    parser.add_argument("--sessions", type=int, default=None, help="with --stream: number of sessions (size of each)")
    args = parser.parse_args(argv)
    seed: int | str = int(args.seed) if args.seed.lstrip("-").isdigit() else args.seed
    if args.stream is not None:
        stats = write_twarc2_stream(args.out, args.stream, seed=seed, sessions=args.sessions)
        print(f"wrote {stats.messages:,} tweets in {stats.sessions:,} sessions, {stats.pages:,} pages, "
              f"{stats.bytes / 1e6:,.1f} MB in {stats.seconds:.1f} s ({stats.messages_per_second:,.0f} tweets/s) "
              f"to {args.out}")
        return 0
    began = time.perf_counter()
    files = write_sample(args.out, seed)
    print(f"wrote {len(files)} files to {args.out} in {time.perf_counter() - began:.1f} s")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
