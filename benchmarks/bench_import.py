"""Benchmark: import a large twarc2 file into a workspace and compare with bare orjson line parsing.

For each size, writes a synthetic twarc2 file (one API v2 response page per line, 100 tweets a page, referenced
tweets in ``includes``) with ``moderator_kit.synth``'s streaming twarc2 writer when there is one, else with the
generator below; then

* parses every line with orjson and throws the result away (the floor for any importer),
* imports the file into a fresh workspace with :func:`moderator_kit.api.import_archives` (what ``moderator-kit
  import`` does: read in chunks, de-duplicate, write Parquet, commit) in a child process, and
* prints both times, their ratio and that child's peak memory (``os.wait4``'s ``ru_maxrss``).

Usage::

    python benchmarks/bench_import.py --messages 1000000 5000000 [--keep DIR] [--repeat 3]

The targets, at every size: the import within 3x of the bare parse, and under 1 GB of peak memory.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

_WORDS = (
    "the chat tonight is about how we learn and teach with tools that help our students grow ideas share "
    "great question love this thanks everyone joining from london nyc first time here agree totally and "
    "resources link below community mentoring feedback practice reflect moderators question answer"
).split()
_TAGS = ("edchat", "ukedchat", "jobchat", "lthechat", "a1", "a2", "q3", "tips", "ai", "careers")
_SOURCES = ("Twitter for iPhone", "Twitter Web App", "Twitter for Android", "TweetDeck")


def _synth_writer():
    """The streaming twarc2 writer of ``moderator_kit.synth``, if the module offers one."""
    for module_name in ("moderator_kit.synth", "moderator_kit.synth.twarc2", "moderator_kit.synth.writers",
                        "moderator_kit.synth.export"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        for name in ("write_twarc2_stream", "write_twarc2"):
            writer = getattr(module, name, None)
            if callable(writer):
                return f"{module_name}.{name}", writer
    return None, None


def write_synthetic_twarc2(path: Path, n_messages: int, seed: int = 0, per_page: int = 100) -> None:
    """Write ``n_messages`` tweets as twarc2 pages shaped like real search results (~850 bytes a tweet).

    About 35% retweets, 25% replies and 5% quotes, with authors, mentions, hashtags, some URLs and public metrics;
    ``includes.users`` holds every author and replied-to user of the page, ``includes.tweets`` the referenced
    originals.
    """
    rng = random.Random(seed)
    users = [
        {"id": str(10_000_000 + i), "username": f"user_{i}", "name": f"User {i}",
         "created_at": "2015-03-01T12:00:00.000Z",
         "public_metrics": {"followers_count": rng.randint(0, 50_000), "following_count": rng.randint(0, 2000),
                            "tweet_count": rng.randint(10, 90_000), "listed_count": rng.randint(0, 50)}}
        for i in range(max(1000, n_messages // 50))
    ]  # fmt: skip
    start = datetime(2024, 1, 1, 21, 0, tzinfo=timezone.utc)
    next_id = 1_700_000_000_000_000_000
    written = 0
    with path.open("wb") as out:
        while written < n_messages:
            data, page_users, page_tweets = [], {}, []
            for _ in range(min(per_page, n_messages - written)):
                next_id += rng.randint(1, 5000)
                author = rng.choice(users)
                page_users[author["id"]] = author
                when = (start + timedelta(seconds=written * 3)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
                words = " ".join(rng.choices(_WORDS, k=rng.randint(8, 18)))
                tag = rng.choice(_TAGS)
                mentioned = rng.choice(users)
                tweet = {
                    "id": str(next_id), "author_id": author["id"], "created_at": when,
                    "conversation_id": str(next_id), "lang": "en", "source": rng.choice(_SOURCES),
                    "edit_history_tweet_ids": [str(next_id)],
                    "public_metrics": {"retweet_count": rng.randint(0, 20), "reply_count": rng.randint(0, 5),
                                       "like_count": rng.randint(0, 50), "quote_count": 0,
                                       "impression_count": rng.randint(0, 5000)},
                }  # fmt: skip
                entities = {"hashtags": [{"start": 0, "end": len(tag) + 1, "tag": tag}],
                            "mentions": [{"start": 0, "end": 10, "username": mentioned["username"],
                                          "id": mentioned["id"]}]}  # fmt: skip
                roll = rng.random()
                if roll < 0.35:
                    original = rng.choice(users)
                    page_users[original["id"]] = original
                    ref_id = str(next_id - rng.randint(10_000, 10_000_000))
                    tweet["text"] = f"RT @{original['username']}: {words} #{tag}"[:140]
                    tweet["referenced_tweets"] = [{"type": "retweeted", "id": ref_id}]
                    entities["mentions"] = [{"start": 3, "end": 4 + len(original["username"]),
                                             "username": original["username"], "id": original["id"]}]
                    page_tweets.append({"id": ref_id, "author_id": original["id"], "created_at": when,
                                        "text": f"{words} #{tag}", "edit_history_tweet_ids": [ref_id]})
                elif roll < 0.60:
                    parent = rng.choice(users)
                    page_users[parent["id"]] = parent
                    tweet["text"] = f"@{parent['username']} A{rng.randint(1, 6)}: {words} #{tag}"
                    tweet["referenced_tweets"] = [{"type": "replied_to", "id": str(next_id - rng.randint(1, 9999))}]
                    tweet["in_reply_to_user_id"] = parent["id"]
                elif roll < 0.65:
                    ref_id = str(next_id - rng.randint(1, 99_999))
                    tweet["text"] = f"{words} #{tag} https://t.co/abcdefghij"
                    tweet["referenced_tweets"] = [{"type": "quoted", "id": ref_id}]
                    entities["urls"] = [{"start": 0, "end": 23, "url": "https://t.co/abcdefghij",
                                         "expanded_url": f"https://twitter.com/x/status/{ref_id}",
                                         "display_url": "twitter.com/x/status/…"}]  # fmt: skip
                else:
                    tweet["text"] = f"{words} #{tag} @{mentioned['username']}"
                    if rng.random() < 0.2:
                        entities["urls"] = [{"start": 0, "end": 23, "url": "https://t.co/zyxwvutsrq",
                                             "expanded_url": f"https://example.org/{rng.randint(1, 999)}",
                                             "display_url": "example.org/…"}]  # fmt: skip
                tweet["entities"] = entities
                data.append(tweet)
                written += 1
            page = {
                "data": data,
                "includes": {"users": list(page_users.values()), "tweets": page_tweets},
                "meta": {"result_count": len(data), "newest_id": data[0]["id"], "oldest_id": data[-1]["id"]},
                "__twarc": {"url": "https://api.twitter.com/2/tweets/search/recent?query=%23chat",
                            "version": "2.14.0", "retrieved_at": "2024-01-02T00:00:00+00:00"},
            }
            out.write(orjson.dumps(page))
            out.write(b"\n")


def bare_parse(path: Path) -> tuple[float, int]:
    """Seconds to parse every line with orjson (results discarded) and the number of tweets seen."""
    started = time.perf_counter()
    tweets = 0
    with path.open("rb") as handle:
        for line in handle:
            page = orjson.loads(line)
            tweets += len(page.get("data") or ())
    return time.perf_counter() - started, tweets


_CHILD = """
import json, sys, time
from moderator_kit.api import import_archives
started = time.perf_counter()
[report] = import_archives([sys.argv[1]], chat="bench", workspace=sys.argv[2])
elapsed = time.perf_counter() - started
print(json.dumps({"seconds": elapsed, "imported": report.imported, "seen": report.records_seen,
                  "quarantined": report.quarantined, "duplicates": report.duplicates}))
"""

TARGET_RATIO = 3.0
TARGET_PEAK_MB = 1000


def timed_import(path: Path, workspace: Path) -> dict:
    """Import into a fresh workspace in a child process; returns its timing, counts and peak RSS in MB."""
    shutil.rmtree(workspace, ignore_errors=True)
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(path), str(workspace)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=env)
    out, err = child.stdout.read(), child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)  # this child's own peak, not the largest of all children so far
    child.returncode = os.waitstatus_to_exitcode(status)
    shutil.rmtree(workspace, ignore_errors=True)
    if child.returncode != 0:
        raise SystemExit(f"import failed:\n{err.decode()}")
    report = json.loads(out.decode().strip().splitlines()[-1])
    report["peak_mb"] = usage.ru_maxrss / 1024  # KiB on Linux
    return report


def measure(path: Path, n_messages: int, seed: int, repeat: int) -> bool:
    """Write (or reuse) the file, measure, print; whether both targets are met."""
    if not path.exists():
        name, writer = _synth_writer()
        started = time.perf_counter()
        if writer is not None:
            writer(path, n_messages, seed)
            source = name
        else:
            write_synthetic_twarc2(path, n_messages, seed)
            source = "benchmarks/bench_import.py generator (moderator_kit.synth has no twarc2 writer yet)"
        print(f"wrote {path} with {source} in {time.perf_counter() - started:.1f} s")
    size_mb = path.stat().st_size / 1e6
    bare_seconds, report, tweets = float("inf"), None, 0
    for _ in range(max(1, repeat)):
        seconds, tweets = bare_parse(path)
        bare_seconds = min(bare_seconds, seconds)
        run = timed_import(path, path.with_name(path.name + ".workspace"))
        if report is None or run["seconds"] < report["seconds"]:
            report = run
    assert report is not None
    ratio = report["seconds"] / bare_seconds
    per_tweet = size_mb * 1e6 / max(tweets, 1)
    ok = ratio <= TARGET_RATIO and report["peak_mb"] < TARGET_PEAK_MB
    print(f"{n_messages:,} tweets")
    print(f"  file:               {size_mb:,.0f} MB, {tweets:,} tweets ({per_tweet:,.0f} B/tweet)")
    print(f"  bare orjson parse:  {bare_seconds:.2f} s")
    print(f"  import:             {report['seconds']:.2f} s  (seen {report['seen']:,}, imported "
          f"{report['imported']:,}, quarantined {report['quarantined']:,}, duplicates {report['duplicates']:,})")
    print(f"  ratio:              {ratio:.2f}x  (target <= {TARGET_RATIO:g}x)")
    print(f"  peak memory:        {report['peak_mb']:,.0f} MB  (target < {TARGET_PEAK_MB:,} MB)")
    print(f"  {'meets both targets' if ok else 'MISSES a target'}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, nargs="+", default=[1_000_000],
                        help="tweets to write, one size or several (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="write the files into this folder and keep them (reused)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="alternate the two measurements this many times and keep the fastest of each "
                             "(steadier on a busy machine)")
    args = parser.parse_args(argv)

    tmp = None
    if args.keep:
        folder = args.keep
        folder.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="bench-import-")
        folder = Path(tmp.name)
    try:
        results = [measure(folder / f"twarc2-{n}.jsonl", n, args.seed, args.repeat) for n in args.messages]
        return 0 if all(results) else 1
    finally:
        if tmp is not None:
            tmp.cleanup()


if __name__ == "__main__":
    raise SystemExit(main())
