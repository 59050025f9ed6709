"""End to end through the command line: import, analyze and every terminal view, plus user errors."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from moderator_kit.cli import main

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "jobhuntchat"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    ws = tmp_path_factory.mktemp("ws")
    assert main(["import", str(SAMPLE / "jobhuntchat.jsonl"), "--chat", "jobhuntchat", "--config",
                 str(SAMPLE / "chat.yaml"), "-w", str(ws)]) == 0
    assert main(["analyze", "--chat", "jobhuntchat", "-w", str(ws)]) == 0
    return ws


def _json(capsys, argv):
    capsys.readouterr()
    assert main(argv + ["--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_import_twice_adds_nothing(workspace, capsys):
    reports = _json(capsys, ["import", str(SAMPLE / "jobhuntchat.jsonl"), "--chat", "jobhuntchat", "-w",
                             str(workspace)])
    assert reports[0]["imported"] == 0
    assert reports[0]["records_seen"] == reports[0]["duplicates"] + reports[0]["quarantined"]


def test_sessions_follow_the_schedule(workspace, capsys):
    sessions = _json(capsys, ["sessions", "--chat", "jobhuntchat", "-w", str(workspace)])
    assert len(sessions) == 12
    assert sessions[0]["session_id"] == "2026-01-12"
    assert all(s["chat_messages"] > 100 for s in sessions)


def test_flow_lists_questions_and_herding_score(workspace, capsys):
    flow = _json(capsys, ["flow", "--chat", "jobhuntchat", "--session", "2026-02-23", "-w", str(workspace)])
    questions = {q["question"]: q for q in flow["questions"]}
    assert questions and all(q["question"] >= 1 for q in flow["questions"])
    assert questions[6]["posted_at"] is None  # Q6 was skipped that week
    assert 0 <= flow["session"][0]["herding_score"] <= 100


def test_summary_people_todo_retention_value(workspace, capsys):
    summary = _json(capsys, ["summary", "--chat", "jobhuntchat", "-w", str(workspace)])
    assert len(summary["engagement"]) == 12
    assert all(row["active_participants"] <= row["messages"] for row in summary["engagement"])
    people = _json(capsys, ["people", "--chat", "jobhuntchat", "-w", str(workspace)])
    assert any(p["primary_role"] == "advocate" and p["reasons"] for p in people)
    todo = _json(capsys, ["todo", "--chat", "jobhuntchat", "-w", str(workspace)])
    assert {item["kind"] for item in todo} <= {"unanswered_question", "newcomer_no_reply", "helper_to_thank",
                                               "help_seeker"}
    assert all(item["message_id"] for item in todo if item["kind"] != "helper_to_thank")
    retention = _json(capsys, ["retention", "--chat", "jobhuntchat", "-w", str(workspace)])
    assert retention["retention"][0]["returning"] == 0
    value = _json(capsys, ["value", "--chat", "jobhuntchat", "-w", str(workspace)])
    assert value["sponsor"]["verdict"] in {"worthwhile", "not worthwhile", "unclear"}
    assert value["sponsor"]["reasons"]


def test_export_graph(workspace, tmp_path):
    import networkx as nx

    out = tmp_path / "g.graphml"
    assert main(["export-graph", "--chat", "jobhuntchat", "--session", "2026-01-12", "-o", str(out), "-w",
                 str(workspace)]) == 0
    graph = nx.read_graphml(out)
    assert graph.number_of_nodes() > 10 and graph.number_of_edges() > 10
    out = tmp_path / "g.gexf"
    assert main(["export-graph", "--chat", "jobhuntchat", "--format", "gexf", "-o", str(out), "-w",
                 str(workspace)]) == 0
    assert nx.read_gexf(out).number_of_nodes() > graph.number_of_nodes()


@pytest.mark.parametrize(
    "argv, message",
    [
        (["sessions", "--chat", "nope"], "no chat 'nope'"),
        (["flow", "--chat", "jobhuntchat", "--session", "1999-01-01"], "no session '1999-01-01'"),
        (["value", "--chat", "jobhuntchat", "--sponsor", "acme"], "no sponsor 'acme'"),
    ],
)
def test_user_errors_are_one_line(workspace, capsys, argv, message):
    assert main(argv + ["-w", str(workspace)]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "Traceback" not in err and len(err.splitlines()) <= 2


def test_bad_config_names_the_field(tmp_path, capsys):
    config = tmp_path / "chat.yaml"
    config.write_text("chat: x\nschedule:\n  timezone: Mars/Base\n")
    assert main(["import", str(SAMPLE / "jobhuntchat.jsonl"), "--chat", "x", "--config", str(config),
                 "-w", str(tmp_path / "ws")]) == 2
    err = capsys.readouterr().err
    assert "schedule.timezone" in err and "Traceback" not in err
    assert not (tmp_path / "ws").exists()  # nothing was written


def test_unknown_file_format_is_a_clear_error(tmp_path, capsys):
    odd = tmp_path / "notes.txt"
    odd.write_text("just some notes\n")
    assert main(["import", str(odd), "--chat", "x", "-w", str(tmp_path / "ws")]) == 2
    assert "cannot detect the format" in capsys.readouterr().err


def test_generic_csv_with_mapping_on_command_line_or_in_config(tmp_path, capsys):
    data = tmp_path / "chat.csv"
    data.write_text("id,user,when,body\n1,Ann,2026-01-05 21:01:00,A1: hi #jobs\n2,bob,not a date,hello\n"
                    "1,Ann,2026-01-05 21:01:00,A1: hi #jobs\n")
    reports = _json(capsys, ["import", str(data), "--chat", "csvchat", "--map",
                             "message_id=id,author_handle=user,created_at=when,text=body", "-w", str(tmp_path / "a")])
    assert [(r["records_seen"], r["imported"], r["duplicates"], r["quarantined"]) for r in reports] == [(3, 1, 1, 1)]
    config = tmp_path / "chat.yaml"
    config.write_text("chat: csvchat\ncsv_import:\n  mapping: {message_id: id, author_handle: user, "
                      "created_at: when, text: body}\n")
    reports = _json(capsys, ["import", str(data), "--chat", "csvchat", "--format", "csv", "--config", str(config),
                             "-w", str(tmp_path / "b")])
    assert reports[0]["imported"] == 1
    assert main(["import", str(data), "--chat", "csvchat", "--format", "csv", "-w", str(tmp_path / "c")]) == 2
    assert "needs a column mapping" in capsys.readouterr().err


def test_python_api_gives_frames_graphs_and_typed_results(workspace):
    from moderator_kit.api import interaction_graph, load_snapshot, session_messages

    sessions, messages, config = session_messages(workspace, "jobhuntchat")
    assert sessions.height == 12 and {"session_id", "phase"} <= set(messages.columns)
    graph = interaction_graph(workspace, "jobhuntchat", "2026-01-12")
    snap = load_snapshot(workspace, "jobhuntchat")
    nodes = snap.table("nodes").filter(pl.col("session_id") == "2026-01-12")
    assert graph.number_of_nodes() == nodes.height
    assert snap.meta["sponsors"] and config.chat == "jobhuntchat"
