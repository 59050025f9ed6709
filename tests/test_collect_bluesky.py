"""The Bluesky collector over real HTTP (the atproto SDK against a local searchPosts server on 127.0.0.1)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import orjson
import pytest

from moderator_kit.cli import main
from moderator_kit.collect import Backoff, CollectError, collect_bluesky
from moderator_kit.collect.bluesky import state_path
from moderator_kit.io.detect import read_archive
from tests.collect_servers import FakeBluesky


@pytest.fixture(scope="session")
def httpserver_listen_address():
    return ("127.0.0.1", 0)


@pytest.fixture
def fake(httpserver):
    server = FakeBluesky(count=230)
    httpserver.expect_request("/xrpc/app.bsky.feed.searchPosts").respond_with_handler(server.handler)
    server.url = httpserver.url_for("/").rstrip("/")
    return server


def uris(path) -> list[str]:
    return [orjson.loads(line)["uri"] for line in path.read_bytes().splitlines()]


def quick(sleeps: list | None = None) -> Backoff:
    return Backoff(attempts=4, base=0.01, sleep=(sleeps.append if sleeps is not None else lambda s: None))


def test_collects_every_post_once_through_the_cursor(fake, tmp_path):
    out = tmp_path / "chat.jsonl"
    result = collect_bluesky("#fedichat", out, base_url=fake.url, backoff=quick())
    assert result.total == result.new == 230 and result.pages == 3
    assert sorted(uris(out)) == sorted(p["uri"] for p in fake.posts)
    assert [r.get("cursor") for r in fake.requests] == [None, "100", "200"]
    assert json.loads(state_path(out).read_text())["since"] == fake.posts[-1]["indexedAt"]


def test_resume_asks_only_since_the_last_complete_pass(fake, tmp_path):
    out = tmp_path / "chat.jsonl"
    collect_bluesky("#fedichat", out, base_url=fake.url, backoff=quick())
    fake.add(15)
    fake.requests.clear()
    result = collect_bluesky("#fedichat", out, base_url=fake.url, backoff=quick())
    assert result.new == 15 and result.total == 245
    assert fake.requests[0]["since"] == fake.posts[229]["indexedAt"] and len(fake.requests) == 1
    assert sorted(uris(out)) == sorted(p["uri"] for p in fake.posts)


def test_a_pass_cut_short_is_redone_without_duplicates(fake, tmp_path):
    out = tmp_path / "chat.jsonl"
    # As if a run was killed after the first page: 100 posts held, no state written.
    out.write_bytes(b"".join(orjson.dumps(p) + b"\n" for p in reversed(fake.posts[-100:])) + b'{"uri": "at://')
    collect_bluesky("#fedichat", out, base_url=fake.url, backoff=quick())
    held = uris(out)
    assert len(held) == len(set(held)) == 230


def test_since_is_sent_to_the_server(fake, tmp_path):
    out = tmp_path / "chat.jsonl"
    since = datetime.fromisoformat(fake.posts[200]["indexedAt"].replace("Z", "+00:00"))
    collect_bluesky("#fedichat", out, base_url=fake.url, since=since, backoff=quick())
    assert sorted(uris(out)) == sorted(p["uri"] for p in fake.posts[200:])


def test_rate_limits_and_server_errors_are_retried(fake, tmp_path):
    fake.faults = ["429", "500", "502", "503", "malformed"]
    sleeps: list[float] = []
    out = tmp_path / "chat.jsonl"
    collect_bluesky("#fedichat", out, base_url=fake.url,
                    backoff=Backoff(attempts=6, base=0.01, sleep=sleeps.append))
    assert len(set(uris(out))) == 230
    assert sleeps == [1.0, 0.01, 0.02, 0.04, 0.08]


def test_persistent_failure_is_one_line_and_exit_2(fake, tmp_path, capsys):
    fake.faults = ["503"] * 10
    with pytest.raises(CollectError, match="giving up after 4 attempts: HTTP 503"):
        collect_bluesky("#fedichat", tmp_path / "a.jsonl", base_url=fake.url, backoff=quick())
    code = main(["collect", "bluesky", "--query", "#fedichat", "--server", "http://127.0.0.1:9", "-o",
                 str(tmp_path / "b.jsonl")])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "giving up after 5 attempts: network error" in err


def test_a_refused_login_is_a_user_error(fake, httpserver, tmp_path):
    httpserver.expect_request("/xrpc/com.atproto.server.createSession", method="POST").respond_with_json(
        {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}, status=401)
    with pytest.raises(CollectError, match="refused access"):
        collect_bluesky("#fedichat", tmp_path / "a.jsonl", base_url=fake.url, handle="me.bsky.social",
                        app_password="nope", backoff=quick())


def test_a_collection_is_an_importable_archive(fake, tmp_path):
    out = tmp_path / "chat.jsonl"
    collect_bluesky("#fedichat", out, base_url=fake.url, backoff=quick())
    result, = read_archive(out)
    assert result.messages.height == 230 and result.quarantine.height == 0
    assert set(result.messages["platform"]) == {"bluesky"}
    assert main(["import", str(out), "--chat", "fedichat", "-w", str(tmp_path / "ws")]) == 0


def test_a_timeout_is_retried(fake, tmp_path):
    fake.faults = ["slow"]
    sleeps: list[float] = []
    out = tmp_path / "chat.jsonl"
    collect_bluesky("#fedichat", out, base_url=fake.url, timeout=0.5, backoff=quick(sleeps))
    assert len(uris(out)) == 230 and sleeps[:1] == [0.01]  # the one-threaded server may time out twice
