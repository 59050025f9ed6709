"""The chat comparison: hand-computed figures, noise, ranking reasons, the sponsor profile and the CLI."""

from __future__ import annotations

import json

import pytest

from moderator_kit.cli import main
from moderator_kit.compare import (
    MIN_SESSIONS,
    compare_chats,
    parse_profile,
    permutation_p,
    read_profile,
    session_metrics,
    spread,
)
from moderator_kit.errors import ConfigError, ModeratorKitError
from tests.compare_snapshots import random_chat, write_chat

SMALL_A = [{"active": n, "answers": [4, 6], "advocates": 2, "self_promoters": 1, "seekers": 5, "messages": 100,
            "spam": spam, "reach": 1000.0, "related_impressions": 1000.0}
           for n, spam in ((10, 25), (20, 0), (30, 0), (40, 0))]
SMALL_B = [{"active": 5, "answers": [3], "advocates": 0, "self_promoters": 1, "seekers": 1, "messages": 40,
            "spam": 0, "reach": 200.0, "related_impressions": 2000.0} for _ in range(4)]
PROFILE = {"name": "Acme", "benchmark_cpm": 15, "fees": {"a": 100, "b": 10}, "audience": {"roles": ["seeker"]}}


@pytest.fixture
def small(tmp_path):
    return write_chat(tmp_path, "a", SMALL_A, first_timers=(3, 4)), write_chat(tmp_path, "b", SMALL_B,
                                                                                platform="slack")


def test_per_session_figures_by_hand(small):
    a = session_metrics(small[0], parse_profile(PROFILE))
    assert a["active_participants"].to_list() == [10, 20, 30, 40]
    assert a["answers_per_question"].to_list() == [5.0] * 4
    assert a["advocate_share"].to_list() == pytest.approx([0.2, 0.1, 2 / 30, 0.05])
    assert a["self_promoter_share"].to_list() == pytest.approx([0.1, 0.05, 1 / 30, 0.025])
    assert a["spam_share"].to_list() == pytest.approx([25 / 125, 0, 0, 0])
    assert a["engaged_participants"].to_list() == [5] * 4  # the seekers only
    assert a["cost_per_engaged"].to_list() == [20.0] * 4  # $100 ÷ 5
    # attributable impressions at the mid rate 5% of a base of 20,000 = 1,000; CPM = 100 ÷ 1,000 × 1,000
    assert a["expected_exposure"].to_list() == pytest.approx([1000.0] * 4)
    assert a["cpm_attributable"].to_list() == pytest.approx([100.0] * 4)


def test_spread_by_hand():
    s = spread([10, 20, 30, 40])
    assert (s.median, s.q1, s.q3, s.mean) == (25.0, 17.5, 32.5, 25.0)
    assert 10 <= s.low < 25 < s.high <= 40


def test_small_chats_ranked_for_the_sponsor(small):
    comparison, frame = compare_chats(small, parse_profile(PROFILE), sessions="all")
    assert comparison.ranking_metric == "cost_per_engaged"
    first, second = comparison.chats
    assert (first.chat, first.rank, second.chat, second.rank) == ("b", 1, "a", 2)
    assert first.figures["cost_per_engaged"].median == 10.0 and second.figures["cost_per_engaged"].median == 20.0
    assert "cost per engaged participant $10 " in first.reasons[0] and "ahead of a ($20)" in first.reasons[0]
    # CPM on attributable impressions: b $10 ÷ 2,000 × 1,000 = $5 < $15; a $100 > $15
    assert (first.verdict, second.verdict) == ("worthwhile", "not worthwhile")
    assert "highest answers per question of the chats compared (5.0, a strength)" in second.reasons
    assert "lowest answers per question of the chats compared (3.0, a weakness)" in first.reasons
    assert (second.first_timers_returned, second.first_timers) == (3, 4)
    assert comparison.indistinct == []
    assert frame.height == 8 and set(frame["platform"]) == {"twitter", "slack"}


def test_same_parameters_cannot_be_told_apart(tmp_path):
    one = random_chat(tmp_path, "one", seed=1, sessions=6)
    two = random_chat(tmp_path, "two", seed=2, sessions=6)
    comparison, _ = compare_chats([one, two])
    assert len(comparison.indistinct) == 1
    assert "cannot be told apart on engaged participants with 6 and 6 sessions" in comparison.indistinct[0]
    assert any("within the noise" in r for r in comparison.chats[1].reasons)


def test_a_clearly_better_chat_ranks_first_with_the_reason(tmp_path):
    small_chat = random_chat(tmp_path, "smallchat", seed=3, active=15)
    big_chat = random_chat(tmp_path, "bigchat", seed=4, active=60)
    comparison, _ = compare_chats([small_chat, big_chat])
    assert [c.chat for c in comparison.chats] == ["bigchat", "smallchat"]
    reason = comparison.chats[0].reasons[0]
    assert reason.startswith("engaged participants ") and "ahead of smallchat" in reason
    assert comparison.indistinct == []
    assert permutation_p([60] * 12, [15] * 12) < 0.05


def test_too_few_sessions_are_not_judged(tmp_path):
    ok = random_chat(tmp_path, "ok", seed=5, sessions=8)
    young = random_chat(tmp_path, "young", seed=6, sessions=MIN_SESSIONS - 1, active=200)
    comparison, _ = compare_chats([young, ok])
    assert [(c.chat, c.rank) for c in comparison.chats] == [("ok", 1), ("young", None)]
    assert comparison.chats[1].reasons == [f"too few sessions to judge ({MIN_SESSIONS - 1} < {MIN_SESSIONS})"]
    assert "young (3)" in comparison.notes[0]


def test_reference_rows_are_cited_and_never_ranked(small):
    comparison, _ = compare_chats(small)
    assert "#JHMChat" not in [c.chat for c in comparison.chats]
    jhm = comparison.references[0]
    assert jhm.figure("active_participants").mean == 73 and jhm.figure("messages").sd == 129
    assert "Wray" in jhm.citation and "10.12788/jhm.2987" in jhm.citation


def test_last_sessions_only(tmp_path):
    chat = random_chat(tmp_path, "c", seed=7, sessions=10)
    assert session_metrics(chat, sessions="last:3")["number"].to_list() == [8, 9, 10]
    with pytest.raises(ModeratorKitError, match="last:N"):
        session_metrics(chat, sessions="first:3")


def test_profile_errors_are_one_line(tmp_path):
    bad = tmp_path / "p.yaml"
    bad.write_text("fees: {a: -5}\n")
    with pytest.raises(ConfigError, match="negative"):
        read_profile(bad)
    with pytest.raises(ConfigError, match="unknown role 'boss'"):
        parse_profile({"audience": {"roles": ["boss"]}})
    with pytest.raises(ConfigError, match="mapping"):
        parse_profile(["a"])


def test_cli_compare_across_workspaces(tmp_path, capsys):
    write_chat(tmp_path / "w1", "a", SMALL_A)
    write_chat(tmp_path / "w2", "b", SMALL_B)
    profile = tmp_path / "p.yaml"
    profile.write_text(json.dumps(PROFILE))
    argv = ["compare", "--chats", "a,b", "-w", str(tmp_path / "w1"), "-w", str(tmp_path / "w2"),
            "--sponsor-profile", str(profile), "--sessions", "all"]
    assert main(argv + ["--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [c["chat"] for c in out["chats"]] == ["b", "a"] and out["references"][0]["chat"] == "#JHMChat"
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "reference (not ranked): #JHMChat" in text and "worthwhile" in text
    assert main(["compare", "--chats", "a,zzz", "-w", str(tmp_path / "w1")]) == 2
    assert "no analysed chat 'zzz'" in capsys.readouterr().err


def test_audience_by_keyword_or_role(tmp_path):
    rows = [{"active": 4, "seekers": 1}, {"active": 4, "seekers": 0}]
    messages = [
        {"session": 0, "author": "P0", "text": "my Resume got 3 calls"},  # p0 is the seeker too: counted once
        {"session": 0, "author": "p1", "text": "RESUME tips?"},
        {"session": 0, "author": "p2", "text": "resume", "kind": "repost"},  # a repost is not engagement
        {"session": 0, "author": "p3", "text": "resume", "phase": "pre"},  # outside the chat phase
        {"session": 1, "author": "p2", "text": "an interview tomorrow"},
        {"session": 1, "author": "p3", "text": "hello"},
    ]
    snap = write_chat(tmp_path, "k", rows, messages=messages)
    profile = parse_profile({"audience": {"roles": ["seeker"], "keywords": ["resume", "Interview"]}})
    assert session_metrics(snap, profile)["engaged_participants"].to_list() == [2.0, 1.0]
    keywords_only = parse_profile({"audience": {"keywords": ["resume"]}})
    assert session_metrics(snap, keywords_only)["engaged_participants"].to_list() == [2.0, 0.0]


def _generated(tmp_path, name: str, seed: int, base) -> object:
    """Generate a Twitter chat with the project's generator, import and analyze it; its snapshot."""
    import dataclasses

    from moderator_kit.api import import_archives
    from moderator_kit.snapshot import analyze_chat
    from moderator_kit.synth.chat import write_config
    from moderator_kit.synth.twitter import generate_twitter_chat, write_twarc2

    chat = generate_twitter_chat(seed=seed, sessions=6, spec=dataclasses.replace(base, chat=name))
    write_twarc2(chat, tmp_path / name / "chat.jsonl")
    write_config(chat, tmp_path / name / "chat.yaml")
    import_archives([tmp_path / name / "chat.jsonl"], chat=name, workspace=tmp_path / "ws",
                    config=tmp_path / name / "chat.yaml")
    return analyze_chat(tmp_path / "ws", name)


def test_generated_twins_cannot_be_told_apart_and_the_bigger_chat_ranks_first(tmp_path):
    from moderator_kit.synth.twitter import CAREERPIVOTCHAT, JOBHUNTCHAT

    twin_a = _generated(tmp_path, "twina", 1, JOBHUNTCHAT)
    twin_b = _generated(tmp_path, "twinb", 2, JOBHUNTCHAT)
    comparison, _ = compare_chats([twin_a, twin_b])
    assert len(comparison.indistinct) == 1 and "cannot be told apart" in comparison.indistinct[0]
    pivot = _generated(tmp_path, "pivot", 3, CAREERPIVOTCHAT)
    comparison, _ = compare_chats([pivot, twin_a])
    assert [c.chat for c in comparison.chats] == ["twina", "pivot"] and comparison.indistinct == []
    assert "ahead of pivot" in comparison.chats[0].reasons[0]
