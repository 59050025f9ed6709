"""After the chat, ``analyze`` gives the figures the live state had at the end (issue 12).

The bundled sample chats are imported and analysed; a live state follows each of their sessions while the archive's
lines arrive in batches (the earlier sessions in the workspace are its history), and every figure of the live view
is compared with the snapshot's: per question (answers, answerers, half-life, latency, spill-over), the herding score
and its parts, the running count, the answer wave, the spam caught, the questions from the floor and the newcomers
waiting.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
import yaml

from moderator_kit.api import import_archives
from moderator_kit.config import parse_config
from moderator_kit.live import LiveState, chat_history, live_session, parse_lines
from moderator_kit.snapshot import analyze_chat
from moderator_kit.workspace import Workspace

SAMPLES = Path(__file__).resolve().parents[1] / "sample_data"
#: (chat, whether the config names its moderators: without them both sides infer them)
CHATS = {"jobhuntchat": True, "careerpivotchat": False}


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    out = {}
    for chat, named in CHATS.items():
        folder = tmp_path_factory.mktemp(f"live-equal-{chat}")
        data = yaml.safe_load((SAMPLES / chat / "chat.yaml").read_text(encoding="utf-8"))
        if not named:
            data.pop("moderators")
        config_path = folder / "chat.yaml"
        config_path.write_text(yaml.safe_dump(data), encoding="utf-8")
        root = folder / "ws"
        import_archives([SAMPLES / chat / f"{chat}.jsonl"], workspace=root, chat=chat, config=config_path)
        out[chat] = (root, analyze_chat(root, chat), parse_config(data))
    return out


def _live(chat: str, root: Path, snapshot, config, session_id: str, batch: int) -> LiveState:
    start = snapshot.table("sessions").filter(pl.col("session_id") == session_id)["start"].item()
    session = live_session(config, start)
    history = chat_history(Workspace(root).messages(chat), config, session["pre_start"].item())
    state = LiveState(config, session, history=set(history.handles), history_moderators=history.moderators)
    lines = (SAMPLES / chat / f"{chat}.jsonl").read_bytes().splitlines()
    for at in range(0, len(lines), batch):
        result = parse_lines("twarc2", lines[at:at + batch], f"{chat}.jsonl")
        state.ingest(result.messages, result.quarantined)
    return state


def _cases() -> list:
    cases = [("jobhuntchat", s, 1) for s in ("2026-01-12", "2026-02-02")]
    cases += [("jobhuntchat", s, 7) for s in ("2026-01-19", "2026-03-02", "2026-03-30")]
    cases += [("careerpivotchat", s, 3) for s in ("first", "last")]
    return cases


@pytest.mark.parametrize("chat, session_id, batch", _cases())
def test_live_figures_equal_analyze(analysed, chat, session_id, batch):
    root, snap, config = analysed[chat]
    ids = snap.session_ids()
    session_id = {"first": ids[0], "last": ids[-1]}.get(session_id, session_id)
    state = _live(chat, root, snap, config, session_id, batch)
    end = snap.table("sessions").filter(pl.col("session_id") == session_id)["follow_up_end"].item()
    view = state.view(end)
    one = lambda name: snap.table(name).filter(pl.col("session_id") == session_id)  # noqa: E731

    assert view.session_id == session_id
    assert state.moderators == snap.meta["moderators"]
    columns = ["question", "answers", "answerers", "active_participants", "half_life_s", "median_latency_s",
               "next_question", "spillover_answers", "spillover_share", "posted_at", "planned_at"]
    expected = one("questions").select(columns).sort("question").rows()
    assert expected and [tuple(q[c] for c in columns) for q in view.questions] == expected

    flow = one("session_flow").row(0, named=True)
    counts = view.counts
    assert counts["herding_score"] == flow["herding_score"]
    for name in ("on_agenda_share", "pace_adherence", "spillover_share"):
        assert counts[name] == pytest.approx(flow[name], abs=1e-12), name
    engagement = one("engagement").row(0, named=True)
    assert (counts["messages"], counts["active_participants"]) == (engagement["messages"],
                                                                    engagement["active_participants"])
    retention = one("retention").row(0, named=True)
    assert (counts["new"], counts["returning"]) == (retention["new"], retention["returning"])
    assert counts["spam"] == one("excluded_counts")["messages"].sum()

    wave = one("flow_minutes").select("minute", "question", "messages").sort("minute", "question", nulls_last=False)
    assert list(view.wave) == wave.rows()

    todo = one("todo")
    floor = set(todo.filter(pl.col("kind") == "unanswered_question")["message_id"].to_list())
    assert {item["message_id"] for item in view.floor} == floor

    # newcomers waiting at the end: first-timers of the session nobody replied to and nobody liked
    signals = one("signals")
    likes = one("messages").group_by("author_handle").agg(likes=pl.col("like_count").fill_null(0).sum())
    first_timers = set(signals.filter(pl.col("active") & (pl.col("first_session") == session_id))["handle"].to_list())
    waiting = (signals.filter(pl.col("handle").is_in(list(first_timers)) & (pl.col("replies_received") == 0))
               .join(likes, left_on="handle", right_on="author_handle", how="left")
               .filter(pl.col("likes").fill_null(0) == 0))
    assert len(first_timers) == counts["new"]
    assert {i["handle"] for i in view.newcomers} == set(waiting["handle"].to_list()) - set(state.moderators)


def test_live_knows_the_moderators_from_history_before_the_second_question(analysed):
    """Without configured moderators, live used to infer them from the session alone, which needs two Qn posts:
    the first question went unrecognised until the second arrived. The earlier sessions name them at once."""
    root, snap, config = analysed["careerpivotchat"]
    assert not config.moderators and snap.meta["moderators"]
    session_id = snap.session_ids()[-1]
    q1 = snap.table("questions").filter((pl.col("session_id") == session_id) & (pl.col("question") == 1)).row(
        0, named=True)
    session = live_session(config, snap.table("sessions").filter(pl.col("session_id") == session_id)["start"].item())
    history = chat_history(Workspace(root).messages("careerpivotchat"), config, session["pre_start"].item())
    assert list(history.moderators) == snap.meta["moderators"]
    lines = (SAMPLES / "careerpivotchat" / "careerpivotchat.jsonl").read_bytes().splitlines()
    messages = parse_lines("twarc2", lines, "careerpivotchat.jsonl").messages
    state = LiveState(config, session, history=set(history.handles), history_moderators=history.moderators)
    state.ingest(messages.filter(pl.col("created_at") <= q1["posted_at"]))
    view = state.view(q1["posted_at"])
    assert state.moderators == snap.meta["moderators"]
    posted = {q["question"]: q["posted_at"] for q in view.questions}
    assert posted.get(1) == q1["posted_at"]
