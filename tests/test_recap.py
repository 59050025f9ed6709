"""The night's recap (moderator_kit.recap and ``moderator-kit recap``) on the bundled sample's snapshot."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

from moderator_kit.cli import main
from moderator_kit.recap import (
    Recap,
    RecapAnswer,
    RecapQuestion,
    THREAD_POST_LIMIT,
    anonymize_recap,
    build_recap,
    recap_html,
    recap_markdown,
    recap_thread,
)
from moderator_kit.report.anonymize import Pseudonymizer
from moderator_kit.snapshot_store import Snapshot

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "jobhuntchat"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    if not (SAMPLE / "jobhuntchat.jsonl").is_file():
        pytest.skip("bundled sample not generated yet")
    ws = tmp_path_factory.mktemp("ws")
    assert main(["import", str(SAMPLE / "jobhuntchat.jsonl"), "--chat", "jobhuntchat", "--config",
                 str(SAMPLE / "chat.yaml"), "-w", str(ws)]) == 0
    assert main(["analyze", "--chat", "jobhuntchat", "-w", str(ws)]) == 0
    return ws


@pytest.fixture(scope="module")
def snap(workspace) -> Snapshot:
    return Snapshot(workspace / "analysis" / "chat=jobhuntchat")


@pytest.fixture(scope="module")
def recaps(snap) -> dict[str, Recap]:
    return {sid: build_recap(snap, sid) for sid in snap.session_ids()}


def test_every_quoted_answer_belongs_to_its_question(snap, recaps):
    messages = snap.table("messages").select("message_id", "session_id", "question", "category")
    quoted = pl.DataFrame(
        [{"message_id": a.message_id, "session_id": sid, "shown_under": q.number}
         for sid, recap in recaps.items() for q in recap.questions for a in q.answers])
    assert quoted.height > 20
    joined = quoted.join(messages, on=["message_id", "session_id"], how="left")
    assert joined["category"].to_list() == ["answer"] * joined.height
    assert (joined["question"] == joined["shown_under"]).all()


def test_no_self_promoter_recruiter_or_spam_message_is_quoted(snap, recaps):
    roles = snap.table("roles").filter(pl.col("session_id").is_not_null())
    bad = set(roles.filter(pl.col("labels").list.set_intersection(["self_promoter", "recruiter", "spam"])
                           .list.len() > 0).select(pl.concat_str("session_id", "handle")).to_series())
    assert bad, "the sample has self-promoters and spam to leave out"
    excluded = set(snap.table("excluded")["message_id"])
    promotional = set(snap.table("messages").filter(pl.col("category") == "promotional")["message_id"])
    for sid, recap in recaps.items():
        for q in recap.questions:
            for a in q.answers:
                assert sid + a.handle not in bad
                assert a.message_id not in excluded and a.message_id not in promotional


def test_left_out_posts_are_counted_and_said(recaps):
    recap = next(r for r in recaps.values() if r.left_out["promotional"] > 0)
    assert f"{recap.left_out['promotional']} promotional posts left out" in recap_markdown(recap)


def test_advocates_come_first_and_answers_by_reception(recaps):
    for recap in recaps.values():
        for q in recap.questions:
            roles = [a.role == "advocate" for a in q.answers]
            assert roles == sorted(roles, reverse=True)
            for first, second in zip(q.answers, q.answers[1:]):
                if (first.role == "advocate") == (second.role == "advocate"):
                    assert first.received >= second.received


def test_newcomers_thanks_and_pay_it_forward(recaps):
    assert any(r.newcomers for r in recaps.values())
    assert any(r.thanked for r in recaps.values())
    stories = [row["handle"] for r in recaps.values() for row in r.forward]
    assert "priya_pivots" in stories  # the sample's seeker who turns advocate


def _hostile() -> Recap:
    answer = RecapAnswer(message_id="1\"><x", handle="<img src=x onerror=alert(1)>", text="<script>alert(1)</script>"
                         " [click](javascript:alert(1)) " + "word " * 200, url="javascript:alert(1)", received=3,
                         role="advocate", strength="clear", community=1)
    question = RecapQuestion(number=1, text="What <b>now</b>?", answers=(answer,), answer_count=1, perspective="many")
    return Recap(chat="c", title="<Title>", session_id="s1", questions=[question], left_out={"promotional": 2,
                 "spam": 1}, newcomers=["<new>"], thanked=[("<t>", 2)], forward=[], handles={"<new>"})


def test_html_escapes_handles_and_text():
    page = recap_html(_hostile())
    assert "<script>" not in page and "<img" not in page and "<b>" not in page and "<new>" not in page
    assert "&lt;script&gt;" in page and "javascript:" not in page.split("&lt;script&gt;")[0]
    assert 'href="javascript' not in page


def test_markdown_escapes_links_out_of_quotes():
    text = recap_markdown(_hostile())
    assert "](javascript" not in text and "<script>" not in text


def test_thread_posts_fit_500_characters(recaps):
    for recap in [*recaps.values(), _hostile()]:
        posts = recap_thread(recap)
        assert posts and max(len(p) for p in posts) <= THREAD_POST_LIMIT
        assert [int(p.split("/", 1)[0]) for p in posts] == list(range(1, len(posts) + 1))
        assert all(p.split(" ", 1)[0].endswith(f"/{len(posts)}") for p in posts)


def test_anonymized_recap_leaks_no_handle_or_name(snap, recaps):
    pseudo = Pseudonymizer(b"test-salt")
    messages = snap.table("messages")
    for sid, recap in recaps.items():
        session = messages.filter(pl.col("session_id") == sid)
        secret = (set(session["author_handle"].drop_nulls()) | set(session["author_name"].drop_nulls())
                  | set(session["mentions"].explode().drop_nulls()))
        anon = anonymize_recap(recap, pseudo)
        for text in (recap_markdown(anon), recap_html(anon), "\n".join(recap_thread(anon))):
            lowered = text.lower().replace("\\", "")
            leaks = [s for s in secret if len(s) > 2 and re.search(rf"(?<![\w-]){re.escape(s.lower())}(?![\w-])",
                                                                   lowered)]
            assert not leaks, (sid, leaks[:5])
        assert anon.anonymized and "person-" in recap_markdown(anon)


def test_cli_writes_each_format(workspace, tmp_path):
    for fmt in ("md", "html", "thread"):
        out = tmp_path / f"recap.{fmt}"
        assert main(["recap", "--chat", "jobhuntchat", "--format", fmt, "-o", str(out), "-w", str(workspace)]) == 0
        assert "Q1" in out.read_text()
    assert main(["recap", "--chat", "jobhuntchat", "--session", "1999-01-01", "-w", str(workspace)]) == 2


def test_cli_anonymize(workspace, tmp_path, snap):
    out = tmp_path / "anon.md"
    sid = snap.session_ids()[-1]
    assert main(["recap", "--chat", "jobhuntchat", "--session", sid, "--anonymize", "-o", str(out), "-w",
                 str(workspace)]) == 0
    text = out.read_text()
    assert "person-" in text and "priya_pivots" not in text and "priya\\_pivots" not in text


def test_people_command_shows_each_label_strength(workspace, capsys):
    capsys.readouterr()
    assert main(["people", "--chat", "jobhuntchat", "--json", "-w", str(workspace)]) == 0
    import json

    people = json.loads(capsys.readouterr().out)
    labelled = [p for p in people if p["labels"]]
    assert labelled and all(len(p["strengths"]) == len(p["labels"]) for p in labelled)
    assert {p["strength"] for p in labelled} <= {"clear", "borderline"}
    assert main(["people", "--chat", "jobhuntchat", "-w", str(workspace)]) == 0
    assert "strength" in capsys.readouterr().out
