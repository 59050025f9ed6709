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


def test_value_table_shows_the_sponsor_pages_figures(workspace, capsys, monkeypatch):
    """The terminal prints the headline figures as the Sponsor page's cards do (one function, same rounding), and no
    raw float such as -0.773 for an ROI of -77.3%."""
    import re

    from moderator_kit.snapshot import load_snapshot
    from moderator_kit.value.headline import sponsor_headline

    monkeypatch.setenv("COLUMNS", "200")
    sponsors = load_snapshot(workspace, "jobhuntchat").meta["sponsors"]
    figures = sponsor_headline(next(iter(sponsors.values())))
    capsys.readouterr()
    assert main(["value", "--chat", "jobhuntchat", "-w", str(workspace)]) == 0
    out = capsys.readouterr().out
    for figure in figures:
        if figure.key != "verdict":
            assert re.search(rf"{re.escape(figure.label)}\s*│\s*{re.escape(figure.display)}\s*│", out), figure
    assert not re.search(r"│\s*-?0\.\d{3}\s*│", out), out


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


# -- archives without a schedule ---------------------------------------------------------------------------------------


def test_suggest_prints_the_inferred_slot_as_config_yaml(workspace, capsys):
    import yaml

    capsys.readouterr()
    assert main(["sessions", "--chat", "jobhuntchat", "--suggest", "-w", str(workspace)]) == 0
    out = capsys.readouterr().out
    schedule = yaml.safe_load(out)["schedule"]  # the comment lines are YAML comments: the output pastes as it is
    configured = yaml.safe_load((SAMPLE / "chat.yaml").read_text())["schedule"]
    assert schedule == {**configured, "duration_minutes": 60.0, "pre_minutes": 30.0, "follow_up_hours": 72.0}
    assert "88% of 2,561 #jobhuntchat" in out and "busiest hour in 12 of 12 weeks" in out
    utc = _json(capsys, ["sessions", "--chat", "jobhuntchat", "--suggest", "--timezone", "UTC", "-w", str(workspace)])
    assert (utc["schedule"]["weekday"], utc["schedule"]["time"], utc["slot"]["weeks"]) == ("tuesday", "01:00", 8)


@pytest.fixture(scope="module")
def unscheduled(tmp_path_factory) -> Path:
    """The sample imported without its config: no schedule, no sponsors."""
    ws = tmp_path_factory.mktemp("noconfig")
    assert main(["import", str(SAMPLE / "jobhuntchat.jsonl"), "--chat", "jobhuntchat", "-w", str(ws)]) == 0
    return ws


def test_archive_without_config_uses_the_inferred_slot(unscheduled, capsys, tmp_path):
    ws = str(unscheduled)
    capsys.readouterr()
    assert main(["analyze", "--chat", "jobhuntchat", "-w", ws]) == 0
    out = capsys.readouterr().out
    assert "sessions follow the weekly slot inferred from the data, Tuesday 01:00 UTC" in out
    assert "sessions --chat jobhuntchat --suggest" in out and "--config" in out
    from moderator_kit.snapshot import load_snapshot

    snap = load_snapshot(unscheduled, "jobhuntchat")
    assert snap.meta["schedule_origin"] == "inferred" and snap.meta["weekly_slot"]["weekday"] == "tuesday"
    assert set(snap.table("sessions")["origin"]) == {"inferred"} and snap.table("sessions").height == 12
    sessions = _json(capsys, ["sessions", "--chat", "jobhuntchat", "-w", ws])
    assert {s["origin"] for s in sessions} == {"inferred"}
    for command in (["flow"], ["summary"], ["people"], ["todo"], ["report", "--moderator", "-o", str(tmp_path / "r.html")]):
        assert main([*command, "--chat", "jobhuntchat", "-w", ws]) == 0, command
    for command in (["value"], ["report", "-o", str(tmp_path / "s.html")]):
        capsys.readouterr()
        assert main([*command, "--chat", "jobhuntchat", "-w", ws]) == 2
        err = capsys.readouterr().err
        assert "no sponsors" in err and "--config" in err and len(err.strip().splitlines()) == 1


def _tiny_csv(tmp_path: Path, rows: list[tuple[str, str, str]]) -> Path:
    data = tmp_path / "chat.csv"
    lines = ["id,user,when,body"] + [f"{i},{user},{when},{body}" for i, (user, when, body) in enumerate(rows, 1)]
    data.write_text("\n".join(lines) + "\n")
    return data


MAP = "message_id=id,author_handle=user,created_at=when,text=body"


def test_no_sessions_messages_say_what_to_do(tmp_path, capsys):
    data = _tiny_csv(tmp_path, [("ann", "2026-01-05 09:00:00", "hello"), ("bob", "2026-01-07 15:00:00", "hi"),
                                ("cy", "2026-01-10 22:00:00", "hey")])
    ws = str(tmp_path / "ws")
    assert main(["import", str(data), "--chat", "quiet", "--map", MAP, "-w", ws]) == 0
    capsys.readouterr()
    assert main(["sessions", "--chat", "quiet", "-w", ws]) == 0
    out = capsys.readouterr().out
    assert "no sessions found" in out and "sessions --chat quiet --suggest" in out and "--config" in out
    assert main(["sessions", "--chat", "quiet", "--suggest", "-w", ws]) == 2
    err = capsys.readouterr().err
    assert "no weekly slot" in err and "--config" in err and len(err.strip().splitlines()) == 1
    assert main(["analyze", "--chat", "quiet", "-w", ws]) == 0
    assert "--suggest" in capsys.readouterr().out
    for command in ("flow", "summary", "people", "todo", "value"):
        assert main([command, "--chat", "quiet", "-w", ws]) == 2, command
        err = capsys.readouterr().err
        assert ("--suggest" in err or "no sponsors" in err) and "--config" in err, (command, err)
    assert main(["report", "--chat", "quiet", "--moderator", "-o", str(tmp_path / "r.html"), "-w", ws]) == 2
    err = capsys.readouterr().err
    assert "--suggest" in err and "--config" in err


# -- the CLI says what it does -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("command, default", [("summary", "all sessions"), ("people", "all sessions"),
                                              ("export-graph", "all sessions"), ("flow", "the latest session with"),
                                              ("todo", "the latest session with")])
def test_session_help_says_the_default_the_command_uses(command, default, capsys):
    capsys.readouterr()
    with pytest.raises(SystemExit):
        from moderator_kit.cli import cli

        cli.main(args=[command, "--help"], prog_name="moderator-kit")
    text = " ".join(capsys.readouterr().out.split())
    assert f"default: {default}" in text
    assert "all sessions when --session is omitted" not in text


def test_whole_chat_views_cover_every_session(workspace, capsys):
    summary = _json(capsys, ["summary", "--chat", "jobhuntchat", "-w", str(workspace)])
    assert len({row["session_id"] for row in summary["engagement"]}) == 12
    one = _json(capsys, ["summary", "--chat", "jobhuntchat", "--session", "2026-01-12", "-w", str(workspace)])
    assert [row["session_id"] for row in one["engagement"]] == ["2026-01-12"]


def test_flow_defaults_to_the_latest_session_with_messages(tmp_path, capsys):
    rows = [(user, f"2026-01-{day:02d} 21:{minute:02d}:00", f"A{minute % 3 + 1} thoughts #tiny")
            for day in (5, 12) for minute in range(5, 40, 5) for user in ("ann", "bob", "cy")]
    rows += [("spammer", f"2026-01-19 21:{minute:02d}:00", "BUY NOW cheap followers") for minute in range(5, 30, 5)]
    config = tmp_path / "chat.yaml"
    config.write_text("chat: tiny\nschedule: {weekday: monday, time: '21:00', timezone: UTC}\n"
                      "spam: {patterns: ['(?i)buy now']}\n")
    ws = str(tmp_path / "ws")
    assert main(["import", str(_tiny_csv(tmp_path, rows)), "--chat", "tiny", "--map", MAP, "--config", str(config),
                 "-w", ws]) == 0
    assert main(["analyze", "--chat", "tiny", "-w", ws]) == 0
    sessions = _json(capsys, ["sessions", "--chat", "tiny", "-w", ws])
    assert [s["session_id"] for s in sessions] == ["2026-01-05", "2026-01-12", "2026-01-19"]  # the last: spam only
    capsys.readouterr()
    assert main(["flow", "--chat", "tiny", "--json", "-w", ws]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["session_id"] == "2026-01-12"
    assert "session 2026-01-12 (the latest with messages" in captured.err


def test_tables_never_wrap_timestamps_mid_value(workspace, capsys):
    sessions = _json(capsys, ["sessions", "--chat", "jobhuntchat", "-w", str(workspace)])
    assert main(["sessions", "--chat", "jobhuntchat", "-w", str(workspace)]) == 0
    out = capsys.readouterr().out
    for session in sessions:
        start = session["start"].replace("T", " ")[:16]
        assert f"{start} UTC" in out and session["local_start"] in out
    assert "+00:0" not in out


def test_shortened_texts_end_on_a_word_with_an_ellipsis():
    from moderator_kit.cli import shorten

    texts = ["What red flags do you look for before you accept an offer?", "short one", "x" * 90,
             "Thanks  so\nmuch for   the tip about informational interviews, I will try it"]
    cut = pl.DataFrame({"t": texts}).select(shorten(pl.col("t"), 40))["t"].to_list()
    for original, short in zip(texts, cut, strict=True):
        flat = " ".join(original.split())
        assert len(short) <= 40
        if short == flat:
            continue
        assert short.endswith("…")
        kept = short.removesuffix("…")
        assert flat.startswith(kept)
        assert flat[len(kept)] == " " or " " not in flat  # cut between words (one long word: inside it)
    assert cut[1] == "short one"
