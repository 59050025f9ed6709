"""The Mastodon collector over real HTTP (Mastodon.py against a local server on 127.0.0.1)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import orjson
import pytest

from moderator_kit.cli import main
from moderator_kit.collect import Backoff, CollectError, collect_mastodon
from moderator_kit.io.detect import read_archive
from tests.collect_servers import FakeMastodon

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def httpserver_listen_address():
    return ("127.0.0.1", 0)


@pytest.fixture
def fake(httpserver):
    server = FakeMastodon(count=95)
    server.serve(httpserver)
    return server


def ids(path: Path) -> list[str]:
    return [orjson.loads(line)["id"] for line in path.read_bytes().splitlines()]


def quick(sleeps: list | None = None, attempts: int = 4) -> Backoff:
    return Backoff(attempts=attempts, base=0.01, sleep=(sleeps.append if sleeps is not None else lambda s: None))


def test_collects_every_status_once_in_order(fake, tmp_path):
    out = tmp_path / "chat.jsonl"
    result = collect_mastodon(fake.url, "#fedichat", out, since=datetime(2026, 1, 1, tzinfo=timezone.utc),
                              backoff=quick())
    assert result.new == result.total == 95
    assert ids(out) == [s["id"] for s in fake.posts]
    assert all("min_id" in r for r in fake.requests)  # the forward walk


def test_resume_fetches_only_after_the_newest_held(fake, tmp_path):
    out = tmp_path / "chat.jsonl"
    collect_mastodon(fake.url, "fedichat", out, since=datetime(2026, 1, 1, tzinfo=timezone.utc), backoff=quick())
    fake.add(12)
    fake.requests.clear()
    result = collect_mastodon(fake.url, "fedichat", out, backoff=quick())
    assert result.new == 12 and result.total == 107
    assert fake.requests[0]["min_id"] == fake.posts[94]["id"]
    assert ids(out) == [s["id"] for s in fake.posts]


def test_without_since_an_empty_file_starts_from_the_newest_page(fake, tmp_path):
    out = tmp_path / "chat.jsonl"
    collect_mastodon(fake.url, "fedichat", out, backoff=quick())
    assert "min_id" not in fake.requests[0]
    assert ids(out)[-1] == fake.posts[-1]["id"]


def test_since_skips_older_statuses(fake, tmp_path):
    out = tmp_path / "chat.jsonl"
    since = datetime.fromisoformat(fake.posts[50]["created_at"].replace("Z", "+00:00"))
    collect_mastodon(fake.url, "fedichat", out, since=since, backoff=quick())
    assert ids(out) == [s["id"] for s in fake.posts[50:]]


def test_rate_limits_server_errors_and_malformed_pages_are_retried(fake, tmp_path):
    fake.faults = ["429", "500", "502", "503", "malformed", "exhausted"]
    sleeps: list[float] = []
    out = tmp_path / "chat.jsonl"
    collect_mastodon(fake.url, "fedichat", out, since=datetime(2026, 1, 1, tzinfo=timezone.utc),
                     backoff=Backoff(attempts=6, base=0.01, sleep=sleeps.append))
    assert ids(out) == [s["id"] for s in fake.posts]
    assert sleeps[0] == 1.0  # Retry-After: 1
    assert sleeps[1:5] == [0.01, 0.02, 0.04, 0.08]  # 500, 502, 503, malformed: exponential back-off
    assert 0 < sleeps[5] <= 1.0  # X-RateLimit-Remaining: 0 → wait for X-RateLimit-Reset


def test_a_timeout_is_retried(fake, tmp_path):
    fake.faults = ["slow"]
    out = tmp_path / "chat.jsonl"
    collect_mastodon(fake.url, "fedichat", out, since=datetime(2026, 1, 1, tzinfo=timezone.utc), timeout=0.5,
                     backoff=quick())
    assert len(ids(out)) == 95


def test_persistent_failure_is_one_line_and_exit_2(fake, tmp_path, capsys):
    fake.faults = ["503"] * 10
    with pytest.raises(CollectError, match="giving up after 4 attempts: HTTP 503"):
        collect_mastodon(fake.url, "fedichat", tmp_path / "a.jsonl", backoff=quick())
    fake.faults = ["503"] * 10
    code = main(["collect", "mastodon", "--instance", "http://127.0.0.1:9", "--tag", "x", "-o",
                 str(tmp_path / "b.jsonl")])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert err.strip().startswith("error: http://127.0.0.1:9: giving up after 5 attempts: network error")


def test_a_server_without_the_route_is_a_user_error(fake, httpserver, tmp_path):
    httpserver.no_handler_status_code = 404  # not a Mastodon server: 404 everywhere else
    with pytest.raises(CollectError, match="404"):
        collect_mastodon(fake.url, "othertag", tmp_path / "a.jsonl", backoff=quick())


def test_a_partial_last_line_is_cut_before_resuming(fake, tmp_path):
    out = tmp_path / "chat.jsonl"
    whole = b"".join(orjson.dumps(s) + b"\n" for s in fake.posts[:10])
    out.write_bytes(whole + orjson.dumps(fake.posts[10])[:37])
    collect_mastodon(fake.url, "fedichat", out, backoff=quick())
    assert ids(out) == [s["id"] for s in fake.posts]


def test_a_collection_is_an_importable_archive(fake, tmp_path):
    out = tmp_path / "chat.jsonl"
    collect_mastodon(fake.url, "fedichat", out, since=datetime(2026, 1, 1, tzinfo=timezone.utc), backoff=quick())
    result, = read_archive(out)
    messages = result.messages
    assert messages.height == 95 and result.quarantine.height == 0
    assert set(messages["platform"]) == {"mastodon"}
    assert sorted(messages["message_id"]) == sorted(s["uri"] for s in fake.posts)  # ids are URIs across servers
    code = main(["import", str(out), "--chat", "fedichat", "-w", str(tmp_path / "ws")])
    assert code == 0


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "moderator_kit.cli", *args]


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def test_sigkill_mid_run_then_resume_loses_and_duplicates_nothing(httpserver, tmp_path):
    fake = FakeMastodon(count=1200)
    slow = fake.handler

    def handler(request):
        time.sleep(0.05)
        return slow(request)

    url = fake.serve(httpserver, handler)
    out = tmp_path / "chat.jsonl"
    args = _cli("collect", "mastodon", "--instance", url, "--tag", "fedichat", "--since", "2026-01-01", "-o", str(out))
    process = subprocess.Popen(args, env=_env(), stderr=subprocess.PIPE)
    deadline = time.time() + 30
    while time.time() < deadline and (not out.exists() or out.stat().st_size < 100_000):
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    held = len(ids(out)) if out.read_bytes().endswith(b"\n") else None
    assert held is None or 0 < held < 1200, "the collector finished before it was killed"
    done = subprocess.run(args, env=_env(), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert ids(out) == [s["id"] for s in fake.posts]


def test_follow_polls_until_sigterm(fake, tmp_path):
    out = tmp_path / "chat.jsonl"
    process = subprocess.Popen(
        _cli("collect", "mastodon", "--instance", fake.url, "--tag", "fedichat", "--since", "2026-01-01",
             "--follow", "--interval", "0.2", "-o", str(out)), env=_env(), stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 30
        while time.time() < deadline and (not out.exists() or len(ids(out)) < 95):
            time.sleep(0.05)
        fake.add(7)
        while time.time() < deadline and len(ids(out)) < 102:
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "stopped" in err
    assert ids(out) == [s["id"] for s in fake.posts]
