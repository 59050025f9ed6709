"""After the chat, ``analyze`` gives the figures the live state had at the end (issue 12).

The bundled sample chat is imported and analysed; a live state follows one of its sessions while the archive's
lines arrive in batches (the earlier sessions in the workspace are its history), and every figure of the live view
is compared with the snapshot's.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from moderator_kit.api import import_archives
from moderator_kit.config import read_config
from moderator_kit.live import LiveState, history_handles, live_session, parse_lines
from moderator_kit.snapshot import analyze_chat
from moderator_kit.workspace import Workspace

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "jobhuntchat"
SESSION = "2026-02-02"


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    root = tmp_path_factory.mktemp("live-equal") / "ws"
    import_archives([SAMPLE / "jobhuntchat.jsonl"], workspace=root, chat="jobhuntchat", config=SAMPLE / "chat.yaml")
    return root, analyze_chat(root, "jobhuntchat")


def _live(root: Path, snapshot, batch: int) -> LiveState:
    config = read_config(SAMPLE / "chat.yaml")
    start = snapshot.table("sessions").filter(pl.col("session_id") == SESSION)["start"].item()
    session = live_session(config, start)
    history = history_handles(Workspace(root).messages("jobhuntchat"), config, session["pre_start"].item())
    state = LiveState(config, session, history=history)
    lines = (SAMPLE / "jobhuntchat.jsonl").read_bytes().splitlines()
    for at in range(0, len(lines), batch):
        result = parse_lines("twarc2", lines[at:at + batch], "jobhuntchat.jsonl")
        state.ingest(result.messages, result.quarantined)
    return state


@pytest.mark.parametrize("batch", [1, 7])
def test_live_figures_equal_analyze(analysed, batch):
    root, snap = analysed
    state = _live(root, snap, batch)
    end = snap.table("sessions").filter(pl.col("session_id") == SESSION)["follow_up_end"].item()
    view = state.view(end)
    one = lambda name: snap.table(name).filter(pl.col("session_id") == SESSION)  # noqa: E731

    assert view.session_id == SESSION
    columns = ["question", "answers", "answerers", "active_participants", "half_life_s", "median_latency_s",
               "next_question", "spillover_answers", "spillover_share", "posted_at", "planned_at"]
    expected = one("questions").select(columns).sort("question").rows()
    assert [tuple(q[c] for c in columns) for q in view.questions] == expected

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
    assert counts["spam"] == one("excluded_counts")["messages"].sum() > 0

    wave = one("flow_minutes").select("minute", "question", "messages").sort("minute", "question", nulls_last=False)
    assert list(view.wave) == wave.rows()

    todo = one("todo")
    floor = set(todo.filter(pl.col("kind") == "unanswered_question")["message_id"].to_list())
    assert {item["message_id"] for item in view.floor} == floor

    # newcomers waiting at the end: first-timers of the session nobody replied to or liked
    signals = one("signals")
    messages = one("messages")
    likes = messages.group_by("author_handle").agg(likes=pl.col("like_count").fill_null(0).sum())
    first_timers = set(signals.filter(pl.col("active") & (pl.col("first_session") == SESSION))["handle"].to_list())
    waiting = (signals.filter(pl.col("handle").is_in(list(first_timers)) & (pl.col("replies_received") == 0))
               .join(likes, left_on="handle", right_on="author_handle", how="left")
               .filter(pl.col("likes").fill_null(0) == 0))
    moderators = set(snap.meta["moderators"])
    assert len(first_timers) == counts["new"]
    assert {i["handle"] for i in view.newcomers} == set(waiting["handle"].to_list()) - moderators
    assert floor and view.newcomers_total <= counts["new"]
