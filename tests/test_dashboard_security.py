"""The dashboard is no door into the machine (issue 9, section 4) and a new workspace starts on the Import page
(issue 11, section 4).

Host header checks (DNS rebinding), the basic-auth throttle, files chosen under the workspace (symlinks, NUL bytes,
non-UTF-8 configs, the workspace's own files), the network download's ``scope``, and import jobs: limits on size,
time and unpacking, cancelling, clean-up of temporary files and refused uploads, at the end of a job and when the
server stops. Callbacks are called as plain functions, and over HTTP where a 500 is what went wrong.
"""

from __future__ import annotations

import base64
import io
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import dash
import pytest

from dashboards.app import create_app, prepare_workspace
from dashboards.guards import LoginThrottle
from dashboards.imports import UploadError, read_workspace_config, resolve_workspace_file, workspace_files
from dashboards.jobs import JOBS_KEY, ImportRunner, JobLimits
from moderator_kit.api import import_archives
from moderator_kit.errors import ModeratorKitError
from moderator_kit.snapshot import ALL_SESSIONS, analyze_chat
from tests.test_dashboard_callbacks import page, raw, text, triggered, write_plain_chat

ROOT = Path(__file__).resolve().parents[1]


# -- fixtures and helpers ----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def analysed(tmp_path_factory) -> Path:
    """A workspace with one small analysed chat."""
    ws = tmp_path_factory.mktemp("security_ws")
    folder = tmp_path_factory.mktemp("plain")
    config = folder / "plain.yaml"
    config.write_text("chat: plainchat\nschedule: {weekday: monday, time: '20:00', timezone: UTC}\n")
    import_archives([write_plain_chat(folder / "plain.jsonl")], chat="plainchat", workspace=ws, config=config)
    analyze_chat(ws, "plainchat")
    return ws


def _data_url(data: bytes) -> str:
    return "data:application/octet-stream;base64," + base64.b64encode(data).decode()


def _update(client, outputs: list[str], inputs: list[dict], state: list[dict] | None = None):
    """A Dash callback request over HTTP (the response, whatever its status)."""
    payload = {"output": ".." + "...".join(outputs) + "..",
               "outputs": [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in outputs],
               "inputs": inputs, "state": state or [],
               "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"]}
    return client.post("/_dash-update-component", json=payload)


_START_OUTPUTS = ["imp-job.data", "imp-poll.disabled", "imp-message.children", "imp-message.className",
                  "imp-cancel.disabled"]


def _start_over_http(client, *, files=None, config_file=None, archive=None, chat=None):
    state = [{"id": "imp-archive", "property": "data", "value": archive},
             {"id": "imp-config", "property": "data", "value": None},
             {"id": "imp-files", "property": "value", "value": files},
             {"id": "imp-config-file", "property": "value", "value": config_file},
             {"id": "imp-chat", "property": "value", "value": chat},
             {"id": "imp-format", "property": "value", "value": "auto"}]
    return _update(client, _START_OUTPUTS, [{"id": "imp-start", "property": "n_clicks", "value": 1}], state)


def _message(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return json.dumps(response.get_json()["response"]["imp-message"]["children"])


def _wait(app, job_id: str, seconds: float = 60) -> dict:
    runner: ImportRunner = app.server.config[JOBS_KEY]
    assert runner.wait(job_id, seconds), "the import job did not end"
    return app.server.config["MODERATOR_KIT"].job(job_id)


def _wait_until(predicate, seconds: float = 20, what: str = "the condition") -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"{what} did not happen within {seconds} s")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (not yet reaped by its parent) is as good as gone
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except OSError:
        return True


def _fifo(folder: Path, name: str = "stuck.jsonl") -> Path:
    """A named pipe nobody writes to: reading it blocks forever (a job that never ends by itself)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    os.mkfifo(path)
    return path


# -- the Host header -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("host, status", [
    ("attacker.example", 400), ("attacker.example:8050", 400), ("127.0.0.1.attacker.example", 400),
    ("localhost.", 302), ("localhost:8050", 302), ("127.0.0.1:8050", 302), ("[::1]:8050", 302), ("", 400),
])
def test_only_the_bound_host_names_are_served(tmp_path, host, status):
    app = create_app(tmp_path)
    response = app.server.test_client().get("/", headers={"Host": host})
    assert response.status_code == status  # 302: the empty workspace's first start opens the Import page
    if status == 400:
        assert b"allowed-host" in response.data and b"workspace" not in response.data


def test_dash_requests_with_a_foreign_host_get_nothing(analysed):
    client = create_app(analysed).server.test_client()
    for path in ("/_dash-layout", "/_dash-dependencies", "/assets/moderator_kit.js", "/flow"):
        assert client.get(path, headers={"Host": "rebound.example"}).status_code == 400
    response = _update(client, ["ov-header.children", "ov-body.children"],
                       [{"id": "mk-selection", "property": "data", "value": {"chat": "plainchat"}}])
    assert response.status_code == 200  # the test client's own Host is localhost
    foreign = client.post("/_dash-update-component", json={}, headers={"Host": "rebound.example"})
    assert foreign.status_code == 400 and b"plainchat" not in foreign.data


def test_allowed_hosts_and_the_bound_address_are_served(analysed):
    app = create_app(analysed, allowed_hosts=["Chats.Example.org"], bound_host="192.168.1.5")
    client = app.server.test_client()
    assert client.get("/", headers={"Host": "chats.example.org"}).status_code == 200
    assert client.get("/", headers={"Host": "192.168.1.5:8050"}).status_code == 200
    assert client.get("/", headers={"Host": "other.example.org"}).status_code == 400
    anything = create_app(analysed, allowed_hosts=["*"]).server.test_client()
    assert anything.get("/", headers={"Host": "whatever.example"}).status_code == 200


def test_allowed_hosts_come_from_the_command_line_and_the_environment(monkeypatch, tmp_path):
    from dashboards import __main__ as entry

    seen = {}
    monkeypatch.setattr("dashboards.app.run_dashboard", lambda workspace, **kw: seen.update(kw))
    monkeypatch.setenv("MODERATOR_KIT_ALLOWED_HOSTS", "a.example, b.example")
    assert entry.main(["--workspace", str(tmp_path), "--allowed-host", "c.example"]) == 0
    assert seen["allowed_hosts"] == ["a.example", "b.example", "c.example"]


# -- basic auth ----------------------------------------------------------------------------------------------------
def _auth(user: str, password: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_failed_logins_are_throttled_per_address(analysed):
    now = [1000.0]
    app = create_app(analysed, basic_auth="mod:s3cret", login_throttle=LoginThrottle(clock=lambda: now[0]))
    client = app.server.test_client()
    attacker = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/", environ_base=attacker).status_code == 401  # no credentials yet: not a guess
    codes = [client.get("/", headers=_auth("mod", f"guess{i}"), environ_base=attacker).status_code
             for i in range(8)]
    assert codes[:4] == [401] * 4 and codes[4:] == [429] * 4
    locked = client.get("/", headers=_auth("mod", "s3cret"), environ_base=attacker)
    assert locked.status_code == 429 and 0 < int(locked.headers["Retry-After"]) <= 30  # even the right password
    # another address is not affected
    assert client.get("/flow", headers=_auth("mod", "s3cret"), environ_base={"REMOTE_ADDR": "198.51.100.1"}
                      ).status_code == 200
    now[0] += 31
    # the second lock-out lasts twice as long
    for i in range(5):
        client.get("/", headers=_auth("mod", f"again{i}"), environ_base=attacker)
    assert int(client.get("/", environ_base=attacker).headers["Retry-After"]) == 60
    now[0] += 61
    assert client.get("/flow", headers=_auth("mod", "s3cret"), environ_base=attacker).status_code == 200
    assert client.get("/", headers=_auth("mod", "wrong"), environ_base=attacker).status_code == 401  # forgotten


def test_three_hundred_guesses_take_hours_not_seconds(analysed):
    now = [0.0]
    throttle = LoginThrottle(clock=lambda: now[0])
    client = create_app(analysed, basic_auth="mod:s3cret", login_throttle=throttle).server.test_client()
    guesses = 0
    while guesses < 300:
        response = client.get("/", headers=_auth("mod", f"g{guesses}"))
        if response.status_code == 429:
            now[0] += int(response.headers["Retry-After"])  # a patient attacker waits each lock-out out
        else:
            guesses += 1
    assert now[0] > 3 * 3600


# -- files chosen under the workspace ----------------------------------------------------------------------------------
def test_symlinks_inside_a_chosen_folder_may_not_lead_out(tmp_path):
    ws, outside = tmp_path / "ws", tmp_path / "outside"
    (ws / "exports" / "slack" / "general").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.json").write_text('[{"text": "private"}]')
    (ws / "exports" / "slack" / "users.json").write_text("[]")
    (ws / "exports" / "slack" / "general" / "2026-01-05.json").write_text("[]")
    (ws / "exports" / "slack" / "general" / "2026-01-06.json").symlink_to(outside / "secret.json")
    assert workspace_files(ws)[0] == ["exports/slack/"]
    with pytest.raises(UploadError, match="leads out of the workspace"):
        resolve_workspace_file(ws, "exports/slack/")
    with pytest.raises(UploadError, match="leads out of the workspace"):
        resolve_workspace_file(ws, "exports")
    (ws / "exports" / "slack" / "general" / "2026-01-06.json").unlink()
    (ws / "exports" / "slack" / "general" / "2026-01-06.json").symlink_to(ws / "exports" / "slack" / "users.json")
    assert resolve_workspace_file(ws, "exports/slack/") == (ws / "exports" / "slack").resolve()  # inside: fine
    (ws / "link.jsonl").symlink_to(outside / "secret.json")
    with pytest.raises(UploadError, match="not a file under the workspace"):
        resolve_workspace_file(ws, "link.jsonl")
    (ws / "outdir").symlink_to(outside, target_is_directory=True)
    with pytest.raises(UploadError, match="not a file under the workspace"):
        resolve_workspace_file(ws, "outdir/secret.json")


@pytest.mark.parametrize("name", ["inbox/a\x00b.jsonl", "\x00", "a\nb.jsonl", "x" * 5000])
def test_bad_names_get_a_message_not_a_500(tmp_path, name):
    (tmp_path / "inbox").mkdir()
    client = create_app(tmp_path).server.test_client()
    message = _message(_start_over_http(client, files=[name], chat="x"))
    assert "not a valid file name" in message
    message = _message(_start_over_http(client, files=["inbox/a.jsonl"], config_file=name, chat="x"))
    assert "not a valid file name" in message or "not a file under the workspace" in message


@pytest.mark.parametrize("field, value", [("imp-files", "inbox/a.jsonl"), ("imp-files", [1, 2]),
                                          ("imp-chat", 42), ("imp-chat", ["x"]), ("imp-format", ["twarc2"]),
                                          ("imp-format", {"a": 1}), ("imp-config-file", 7), ("imp-archive", "x")])
def test_values_of_the_wrong_type_get_a_message_not_a_500(tmp_path, field, value):
    (tmp_path / "inbox").mkdir()
    write_plain_chat(tmp_path / "inbox" / "a.jsonl")
    client = create_app(tmp_path).server.test_client()
    values = {"imp-archive": None, "imp-config": None, "imp-files": ["inbox/a.jsonl"], "imp-config-file": None,
              "imp-chat": "x", "imp-format": "auto", field: value}
    props = {"imp-archive": "data", "imp-config": "data", "imp-files": "value", "imp-config-file": "value",
             "imp-chat": "value", "imp-format": "value"}
    state = [{"id": cid, "property": props[cid], "value": v} for cid, v in values.items()]
    response = _update(client, _START_OUTPUTS, [{"id": "imp-start", "property": "n_clicks", "value": 1}], state)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert "mk-note--error" in json.dumps(response.get_json()["response"]["imp-message"])


@pytest.mark.parametrize("job", [["x"], {"a": 1}, 5, "no-such-job"])
def test_cancel_and_poll_of_a_strange_job_id_answer_calmly(tmp_path, job):
    with create_app(tmp_path).server.test_request_context("/"):
        assert "Nothing to cancel" in raw(page("importer").cancel)(1, job)[0]
        assert raw(page("importer").poll)(1, job, 0)[1] is True


def test_a_non_utf8_or_broken_config_gets_a_message_without_the_workspace_path(tmp_path):
    ws = tmp_path / "ws"
    (ws / "inbox").mkdir(parents=True)
    write_plain_chat(ws / "inbox" / "chat.jsonl")
    (ws / "inbox" / "latin1.yaml").write_bytes("chat: café\n".encode("latin-1"))
    (ws / "inbox" / "broken.yaml").write_text("chat: [unclosed\n")
    (ws / "inbox" / "invalid.yaml").write_text("chat: ok\nschedule: {weekday: someday}\n")
    client = create_app(ws).server.test_client()
    for name, expected in (("latin1.yaml", "not a UTF-8 text file"), ("broken.yaml", "not valid YAML"),
                           ("invalid.yaml", "weekday")):
        message = _message(_start_over_http(client, files=["inbox/chat.jsonl"], config_file=f"inbox/{name}"))
        assert expected in message and f"inbox/{name}" in message
        assert str(tmp_path) not in message and str(ws.resolve()) not in message
    with pytest.raises(ModeratorKitError, match="chat config must be"):
        read_workspace_config(ws, "inbox/chat.jsonl")


def test_the_workspace_own_files_are_not_offered_for_import(analysed):
    archives, configs = workspace_files(analysed)
    assert (analysed / "imports.jsonl").is_file() and (analysed / "configs" / "plainchat.yaml").is_file()
    assert not any(a.startswith(("imports.jsonl", "workspace.json", "messages", "analysis", "configs", "uploads"))
                   for a in archives)
    assert configs == []
    for internal in ("imports.jsonl", "workspace.json", "configs/plainchat.yaml"):
        with pytest.raises(UploadError, match="workspace's own data"):
            resolve_workspace_file(analysed, internal)


# -- the network page's download -----------------------------------------------------------------------------------
@pytest.mark.parametrize("scope", ["../../../tmp/evil", "/etc/passwd", "x/../../y", "a\x00b", 42, ["x"],
                                   "2026-02-02/../../evil"])
def test_graph_download_refuses_a_scope_that_is_no_session(analysed, tmp_path, scope, monkeypatch):
    app = create_app(analysed)
    written = []
    with app.server.test_request_context("/"):
        net = page("network")
        monkeypatch.setattr(net, "graph_file", lambda *a, **k: written.append(a) or (_ for _ in ()).throw(
            AssertionError("graph_file must not be called")))
        with triggered(("net-dl-graphml", "n_clicks", 1)):
            sent = raw(net.download)(1, None, scope, {"chat": "plainchat", "mode": "all", "sessions": []})
    assert sent is dash.no_update and written == []


def test_graph_download_still_sends_real_sessions(analysed):
    app = create_app(analysed)
    with app.server.test_request_context("/"):
        net = page("network")
        session = app.server.config["MODERATOR_KIT"].snapshot("plainchat").session_ids()[-1]
        for scope, name in ((session, f"plainchat-{session}.gexf"), (ALL_SESSIONS, "plainchat-all-sessions.gexf")):
            with triggered(("net-dl-gexf", "n_clicks", 1)):
                sent = raw(net.download)(None, 1, scope, {"chat": "plainchat", "mode": "all", "sessions": []})
            assert sent["filename"] == name


# -- uploads and import jobs -----------------------------------------------------------------------------------------
def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _uploads(ws: Path) -> list[Path]:
    return sorted(p for p in (ws / "uploads").rglob("*")) if (ws / "uploads").exists() else []


def test_a_zip_that_unpacks_too_large_is_refused_before_it_starts(tmp_path):
    ws = tmp_path / "ws"
    bomb = _zip({f"part{i}.jsonl": b"\0" * (4 << 20) for i in range(5)})  # 20 MiB in about 20 KiB
    assert len(bomb) < 200_000
    app = create_app(ws, import_limits=JobLimits(max_temp_bytes=10 << 20))
    with app.server.test_request_context("/"):
        job, _, message, cls, _ = raw(page("importer").start)(
            1, {"name": "bomb.zip", "contents": _data_url(bomb)}, None, None, None, "bomb")
    assert job is dash.no_update and "unpacks to 20 MiB" in message and "error" in cls
    assert _uploads(ws) == [] and app.server.config["MODERATOR_KIT"].running_jobs() == 0


def test_an_unrecognised_upload_is_not_kept_and_the_message_fits_the_page(tmp_path):
    ws = tmp_path / "ws"
    app = create_app(ws)
    with app.server.test_request_context("/"):
        job, _, message, _, _ = raw(page("importer").start)(
            1, {"name": "notes.json", "contents": _data_url(b"just some notes\n")}, None, None, None, "notes")
        assert job is dash.no_update and "choose its format under 'Format'" in message
        assert "--format (" not in message and _uploads(ws) == []
        # choosing a format on the page is passed to the reader
        job, _, message, _, _ = raw(page("importer").start)(
            1, {"name": "notes.json", "contents": _data_url(b"just some notes\n")}, None, None, None, "notes",
            "nonsense-format")
        assert "not a known format" in message and _uploads(ws) == []
        formats = [o["value"] for o in page("importer")._format_options()]
        assert formats[0] == "auto" and "twarc2" in formats and "slack" in formats


def test_a_failed_job_removes_its_upload_and_temp_files_and_hides_paths(tmp_path):
    ws = tmp_path / "ws"
    good = _zip({"chat.jsonl": write_plain_chat(tmp_path / "c.jsonl").read_bytes()})
    # damage the member's compressed data: unpacking fails (bad CRC / invalid data)
    offset = good.index(b"chat.jsonl") + len(b"chat.jsonl") + 40
    broken = good[:offset] + bytes(b ^ 0x5A for b in good[offset:offset + 64]) + good[offset + 64:]
    app = create_app(ws)
    with app.server.test_request_context("/"):
        job_id, *_ = raw(page("importer").start)(1, {"name": "broken.zip", "contents": _data_url(broken)}, None,
                                                 None, None, "broken")
        assert isinstance(job_id, str)
        temp = app.server.config[JOBS_KEY].temp_folder(job_id)
        job = _wait(app, job_id)
        assert job["status"] == "failed" and "broken.zip" in job["error"], job
        assert str(ws) not in job["error"] and str(ws.resolve()) not in job["error"]
        view, stop, _, _, cancel_disabled, message = raw(page("importer").poll)(1, job_id, 0)
        assert "Import failed" in text(view) and stop is True and cancel_disabled is True and message == ""
    assert _uploads(ws) == [] or all(p.is_dir() for p in _uploads(ws))
    assert temp is not None and not temp.exists()


def test_an_upload_into_a_relative_workspace_is_imported(tmp_path, monkeypatch):
    """The job's process runs in its own temporary folder: every path it gets must be absolute."""
    monkeypatch.chdir(tmp_path)
    app = create_app("relative-ws")
    data = write_plain_chat(tmp_path / "rel.jsonl").read_bytes()
    with app.server.test_request_context("/"):
        job_id, *_ = raw(page("importer").start)(1, {"name": "rel.jsonl", "contents": _data_url(data)}, None, None,
                                                 None, None)
        job = _wait(app, job_id)
    assert job["status"] == "done", job
    assert "rel" in app.server.config["MODERATOR_KIT"].analyzed_chats() and len(_uploads(tmp_path / "relative-ws"))


def test_a_gzip_compressed_upload_is_imported_like_the_plain_file(tmp_path):
    import gzip

    ws = tmp_path / "ws"
    app = create_app(ws)
    data = gzip.compress(write_plain_chat(tmp_path / "packed.jsonl").read_bytes())
    with app.server.test_request_context("/"):
        job_id, *_ = raw(page("importer").start)(1, {"name": "packed.jsonl.gz", "contents": _data_url(data)}, None,
                                                 None, None, None)
        job = _wait(app, job_id)
    assert job["status"] == "done", job
    state = app.server.config["MODERATOR_KIT"]
    assert "packed" in state.analyzed_chats()
    plain = tmp_path / "plain-ws"
    from moderator_kit.api import import_archives

    import_archives([tmp_path / "packed.jsonl"], chat="packed", workspace=plain)
    from moderator_kit.workspace import Workspace

    assert Workspace(ws).messages("packed").collect().height == Workspace(plain).messages("packed").collect().height


def test_cancel_stops_the_job_and_removes_its_files(tmp_path):
    ws = tmp_path / "ws"
    stuck = _fifo(ws / "inbox")
    app = create_app(ws)
    runner: ImportRunner = app.server.config[JOBS_KEY]
    with app.server.test_request_context("/"):
        imp = page("importer")
        job_id, polling, _, _, cancel_disabled = raw(imp.start)(1, None, None, ["inbox/stuck.jsonl"], None, "stuck")
        assert polling is False and cancel_disabled is False
        pid, temp = runner.process_id(job_id), runner.temp_folder(job_id)
        (temp / "unpacked.bin").write_bytes(b"x" * 1000)  # what an unpacking zip leaves behind
        _wait_until(lambda: "reading" in (app.server.config["MODERATOR_KIT"].job(job_id)["log"] or [""])[0],
                    what="the job start")
        # a second import has to wait for this one
        _, _, message, _, _ = raw(imp.start)(1, None, None, ["inbox/stuck.jsonl"], None, "other")
        assert "already running" in message and "cancel" in message
        message, _, disabled = raw(imp.cancel)(1, job_id)
        assert "Cancelling" in message and disabled is True
        job = _wait(app, job_id, 30)
        assert job["status"] == "cancelled" and "workspace is unchanged" in job["error"]
        view, stop, version, request, cancel_disabled, message = raw(imp.poll)(1, job_id, 3)
        assert stop is True and request is dash.no_update and "cancelled" in text(view).lower() and message == ""
        assert cancel_disabled is True
        message, _, _ = raw(imp.cancel)(2, job_id)
        assert "Nothing to cancel" in message
        # the next import may start at once
        stuck.unlink()
        write_plain_chat(ws / "inbox" / "next.jsonl")
        next_id, *_ = raw(imp.start)(1, None, None, ["inbox/next.jsonl"], None, "nextchat")
        assert _wait(app, next_id)["status"] == "done"
    assert not _alive(pid) and not temp.exists() and not (ws / ".lock").exists()


def test_a_job_past_its_time_limit_is_stopped(tmp_path):
    ws = tmp_path / "ws"
    _fifo(ws / "inbox")
    app = create_app(ws, import_limits=JobLimits(max_seconds=2, grace_seconds=2))
    with app.server.test_request_context("/"):
        started = time.monotonic()
        job_id, *_ = raw(page("importer").start)(1, None, None, ["inbox/stuck.jsonl"], None, "stuck")
        job = _wait(app, job_id, 30)
    assert job["status"] == "failed" and "longer than the 2 s limit" in job["error"]
    assert time.monotonic() - started < 15


def test_a_job_whose_temp_folder_grows_too_large_is_stopped(tmp_path):
    ws = tmp_path / "ws"
    _fifo(ws / "inbox")
    app = create_app(ws, import_limits=JobLimits(max_temp_bytes=1 << 20))
    runner: ImportRunner = app.server.config[JOBS_KEY]
    with app.server.test_request_context("/"):
        job_id, *_ = raw(page("importer").start)(1, None, None, ["inbox/stuck.jsonl"], None, "stuck")
    temp = runner.temp_folder(job_id)
    for i in range(3):  # what a zip bomb unpacks, file by file
        (temp / f"member{i}.json").write_bytes(b"\0" * (512 << 10))
    job = _wait(app, job_id, 30)
    assert job["status"] == "failed" and "unpacked to more than 1 MiB" in job["error"]
    assert not temp.exists()


def test_a_job_may_not_write_a_file_past_the_unpacking_limit(tmp_path):
    """The child's own limit on file size: a single huge member fails at once, whatever its zip declares."""
    ws = tmp_path / "ws"
    (ws / "inbox").mkdir(parents=True)
    (ws / "inbox" / "big.zip").write_bytes(_zip({"one.jsonl": b"\0" * (3 << 20)}))
    app = create_app(ws, import_limits=JobLimits(max_temp_bytes=1 << 20))
    runner: ImportRunner = app.server.config[JOBS_KEY]
    job_id = runner.start([ws / "inbox" / "big.zip"], "big", None)  # past the up-front check on purpose
    job = _wait(app, job_id, 60)
    assert job["status"] == "failed" and ("too large" in job["error"] or "unpacked to more" in job["error"]
                                          or "more than the limit" in job["error"]), job
    assert "big.zip!one.jsonl" in job["error"]  # the zip reader itself holds the member to the job's limit


_SHUTDOWN_SCRIPT = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    from dashboards.app import create_app
    from dashboards.jobs import JOBS_KEY
    app = create_app(sys.argv[1])
    runner = app.server.config[JOBS_KEY]
    job_id = runner.start([Path(sys.argv[1]) / "inbox" / "stuck.jsonl"], "stuck", None)
    (runner.temp_folder(job_id) / "unpacked.bin").write_bytes(b"x" * 1000)
    print(json.dumps({"pid": runner.process_id(job_id), "temp": str(runner.temp_folder(job_id))}), flush=True)
    if sys.argv[2] == "exit":
        sys.exit(0)
    time.sleep(600)
""")


@pytest.mark.parametrize("how", ["exit", "sigkill"])
def test_jobs_are_stopped_and_cleaned_up_when_the_server_goes(tmp_path, how):
    ws = tmp_path / "ws"
    _fifo(ws / "inbox")
    server = subprocess.Popen([sys.executable, "-c", _SHUTDOWN_SCRIPT, str(ws), how], stdout=subprocess.PIPE,
                              env={**os.environ, "PYTHONPATH": str(ROOT)}, text=True)
    try:
        info = json.loads(server.stdout.readline())
        assert _alive(info["pid"]) and Path(info["temp"]).is_dir()
        if how == "sigkill":  # no atexit: the child sees its stdin close and stops by itself
            server.kill()
        server.wait(timeout=60)
        _wait_until(lambda: not _alive(info["pid"]), 60, what="the job's process to end")
        _wait_until(lambda: not Path(info["temp"]).exists(), 60, what="the job's temporary folder to go")
    finally:
        if server.poll() is None:
            server.kill()
    assert not (ws / ".lock").exists()


# -- first start -----------------------------------------------------------------------------------------------------
def test_prepare_workspace_creates_new_or_empty_folders_only(tmp_path):
    assert (prepare_workspace(tmp_path / "new") / "workspace.json").is_file()
    (tmp_path / "empty").mkdir()
    assert (prepare_workspace(tmp_path / "empty") / "workspace.json").is_file()
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "holiday.jpg").write_bytes(b"x")
    with pytest.raises(ModeratorKitError, match="new or empty folder"):
        prepare_workspace(tmp_path / "busy")
    assert not (tmp_path / "busy" / "workspace.json").exists()


def test_an_empty_workspace_opens_on_the_import_page_with_what_to_do(tmp_path, analysed):
    app = create_app(tmp_path / "fresh")
    client = app.server.test_client()
    first = client.get("/")
    assert first.status_code == 302 and first.headers["Location"].endswith("/import")
    assert client.get("/import").status_code == 200
    with app.server.test_request_context("/import"):
        layout = page("importer").layout()
    assert "Nothing imported yet" in text(layout) and "Import and analyze" in text(layout)
    # with a chat, '/' is the overview and the Import page has no first-start note
    analysed_app = create_app(analysed)
    assert analysed_app.server.test_client().get("/").status_code == 200
    with analysed_app.server.test_request_context("/import"):
        assert "Nothing imported yet" not in text(page("importer").layout())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_dashboard_command_starts_on_a_new_workspace(tmp_path):
    ws, port = tmp_path / "brand-new", _free_port()
    server = subprocess.Popen([sys.executable, "-m", "moderator_kit.cli", "dashboard", "--workspace", str(ws),
                               "--port", str(port)], env={**os.environ, "PYTHONPATH": str(ROOT)},
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    final_url, body = response.geturl(), response.read().decode()
                break
            except (urllib.error.URLError, ConnectionError):
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"the dashboard did not start: {server.stderr.read()}") from None
                time.sleep(0.3)
        assert final_url.endswith("/import") and "moderator-kit" in body
        assert (ws / "workspace.json").is_file()
        request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"Host": "rebind.example"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=5)
        assert refused.value.code == 400
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
        assert "created a new workspace" in server.stderr.read()
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def test_the_dashboard_command_refuses_a_folder_of_other_files(tmp_path):
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "cat.jpg").write_bytes(b"x")
    result = subprocess.run([sys.executable, "-m", "moderator_kit.cli", "dashboard", "--workspace",
                             str(tmp_path / "photos"), "--port", str(_free_port())], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert result.returncode == 2 and "new or empty folder" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("name", ["dashboards.guards", "dashboards.jobs", "dashboards.imports", "dashboards.app"])
def test_module_examples_run(name):
    """The docstring examples of the modules this file tests (pytest collects doctests of moderator_kit only)."""
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_a_stop_waits_for_the_running_write_and_never_interrupts_the_unwinding():
    """The child's SIGTERM handler: a write to the workspace or the snapshot is finished before the job stops."""
    from dashboards.jobs import JobStopped, StopGuard

    events = []
    guard = StopGuard(lambda **event: events.append(event))
    steps = []
    with pytest.raises(JobStopped):
        with guard.critical():
            guard.on_signal()
            steps.append("first half")
            guard.on_signal()  # the parent may signal twice (cancel, then its own stdin closing)
            steps.append("second half")
        steps.append("after the write")  # never reached: the stop comes right after the write
    assert steps == ["first half", "second half"] and events == [{"critical": True}, {"critical": False}]
    guard.on_signal()  # once stopping, further signals are ignored
    outside = StopGuard()
    with pytest.raises(JobStopped):
        outside.on_signal()
