"""``moderator-kit live``: one-line user errors, and a real run serving the Live page on a growing file."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from moderator_kit.cli import main
from tests.test_dashboard_browser import twarc2_line
from tests.test_live_page import tweet
from tests.test_live_state import USERS, at

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("argv, message", [
    (["live", "--chat", "c"], "live needs a source"),
    (["live", "--chat", "c", "--collect", "mastodon", "-o", "x.jsonl"], "--collect mastodon needs --instance"),
    (["live", "--chat", "c", "--collect", "bluesky"], "needs -o FILE"),
])
def test_user_errors_are_one_line(argv, message, capsys, tmp_path):
    assert main([*argv, "-w", str(tmp_path / "ws")]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1 and "Traceback" not in err


def test_a_file_of_another_format_is_refused(capsys, tmp_path):
    bad = tmp_path / "export.csv"
    bad.write_text("id,text\n1,hi\n")
    assert main(["live", "--chat", "c", "--follow", str(bad), "-w", str(tmp_path / "ws")]) == 2
    assert "live follows JSON-lines archives" in capsys.readouterr().err


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _post(url: str, body: dict) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_live_serves_the_page_on_a_growing_file(tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text("chat: c\nmoderators: [mod]\nschedule: {weekday: monday, time: '20:00', timezone: UTC}\n"
                      "agenda: [{number: 1, offset_minutes: 2}, {number: 2, offset_minutes: 10}]\n")
    stream = tmp_path / "stream.jsonl"
    stream.write_text(twarc2_line([tweet(10, at(2), "1", "Q1: What helps? #c")], USERS) + "\n")
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "moderator_kit.cli", "live", "--chat", "c", "--follow", str(stream), "--config",
         str(config), "--at", at(5).isoformat(), "-w", str(tmp_path / "ws"), "--port", str(port)],
        env=env, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"{base}/live", timeout=2) as response:
                    assert response.status == 200
                break
            except OSError:
                assert process.poll() is None, process.stderr.read()
                time.sleep(0.2)
        with stream.open("a") as handle:
            handle.write(twarc2_line([tweet(11, at(3), "4", "A1 first time here #c")], USERS) + "\n")
        body = {"output": "..live-top.children...live-lists.children...live-wave-box.style...live-wave.figure..",
                "outputs": [{"id": i, "property": p} for i, p in (("live-top", "children"), ("live-lists", "children"),
                                                                 ("live-wave-box", "style"), ("live-wave", "figure"))],
                "inputs": [{"id": "live-tick", "property": "n_intervals", "value": 1}], "changedPropIds": []}
        for _ in range(50):
            text = json.dumps(_post(f"{base}/_dash-update-component", body))
            if "newbie" in text:
                break
            time.sleep(0.2)
        assert "Q1" in text and "newbie" in text and "session 2026-01-05" in text
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
    assert "live: following" in process.stderr.read()
