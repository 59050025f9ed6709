"""One import in its own process, for the workspace's kill, lock and concurrency tests.

Usage: python tests/workspace_worker.py ROOT CHAT FIRST LAST [--bad N] [--name FILE] [--kill-at STEP]
       [--hold SECONDS] [--lock-timeout SECONDS]

Imports messages FIRST..LAST-1 (and N quarantined records). ``--kill-at STEP`` SIGKILLs the process at its STEP-th
file-system step (a parquet write is cut in half first); ``--hold`` keeps the chat locked that long before committing.
Prints the reports as JSON, or ``STEPS n`` with the number of steps taken.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import polars as pl  # noqa: E402

from moderator_kit.errors import WorkspaceError  # noqa: E402
from moderator_kit.store import chat_import  # noqa: E402
from moderator_kit.io.base import MessageRows, QuarantineLog, finalize  # noqa: E402
from moderator_kit.workspace import Workspace  # noqa: E402

# Calls that change what is on disk (fsync does not change what a killed process leaves: the page cache survives it).
STEPPED = ("replace", "rename", "link", "unlink", "rmdir", "mkdir")


def build(first: int, last: int, bad: int, name: str):
    rows, log = MessageRows(name, "demo"), QuarantineLog(name, "demo")
    start = datetime(2026, 1, 20, 21, tzinfo=timezone.utc)
    for i in range(first, last):
        rows.append(i, platform="twitter", message_id=str(i), author_handle=f"u{i % 7}", kind="post",
                    text=f"message {i}", created_at=start + timedelta(days=i % 40, minutes=i))
    for j in range(bad):
        log.add(10_000 + j, f"tweet {j}: missing required field 'created_at'", "{}")
    return finalize(rows, log)


def arm(kill_at: int) -> list[int]:
    """Count file-system steps; at step ``kill_at`` die as a power cut or ``kill -9`` would kill the import."""
    steps = [0]
    trace = os.environ.get("WORKSPACE_WORKER_TRACE")

    def tick(name: str, path) -> bool:
        steps[0] += 1
        if trace:
            print(f"step {steps[0]}: {name} {path}", file=sys.stderr)
        return steps[0] == kill_at

    for name in STEPPED:
        original = getattr(os, name)

        def stepped(*args, _original=original, _name=name, **kwargs):
            if not (_name == "mkdir" and os.path.isdir(args[0])) and tick(_name, args[0]):
                os.kill(os.getpid(), signal.SIGKILL)
            return _original(*args, **kwargs)

        setattr(os, name, stepped)
    write_parquet = pl.DataFrame.write_parquet

    def torn_write(self, file, *args, **kwargs):
        write_parquet(self, file, *args, **kwargs)
        if tick("write_parquet", file):
            size = os.path.getsize(file)
            os.truncate(file, size // 2)  # a write cut short
            os.kill(os.getpid(), signal.SIGKILL)

    pl.DataFrame.write_parquet = torn_write
    sink_parquet = pl.LazyFrame.sink_parquet

    def torn_sink(self, path, *args, **kwargs):
        sink_parquet(self, path, *args, **kwargs)
        if tick("sink_parquet", path):
            os.truncate(path, os.path.getsize(path) // 2)
            os.kill(os.getpid(), signal.SIGKILL)

    pl.LazyFrame.sink_parquet = torn_sink
    return steps


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("root")
    parser.add_argument("chat")
    parser.add_argument("first", type=int)
    parser.add_argument("last", type=int)
    parser.add_argument("--bad", type=int, default=0)
    parser.add_argument("--name", default="a.jsonl")
    parser.add_argument("--kill-at", type=int, default=0)
    parser.add_argument("--hold", type=float, default=0)
    parser.add_argument("--lock-timeout", type=float, default=None)
    args = parser.parse_args()
    if os.environ.get("WORKSPACE_WORKER_MAX_PARTS"):  # merge months after fewer files, to test it quickly
        chat_import.MAX_PARTS_PER_MONTH = int(os.environ["WORKSPACE_WORKER_MAX_PARTS"])
    result = build(args.first, args.last, args.bad, args.name)
    steps = arm(args.kill_at)  # 0: count the steps only
    try:
        ws = Workspace(args.root, create=True)
        if args.hold:
            with ws.importing(args.chat, lock_timeout=args.lock_timeout) as job:
                reports = [job.add(result)]
                print("HOLDING", flush=True)
                time.sleep(args.hold)
                job.commit()
        else:
            reports = ws.import_results([result], args.chat, lock_timeout=args.lock_timeout)
    except WorkspaceError as err:
        print(f"error: {err}")
        return 2
    print(json.dumps([r.to_dict() for r in reports]))
    print(f"STEPS {steps[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
