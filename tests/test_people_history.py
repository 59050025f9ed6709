"""History signals from per-session results equal the scan of every message at once (issue 14).

The oracle is the whole-history scan the analysis used before (``_scope_signals`` over no scope, plus attendance
from the active messages); :func:`moderator_kit.people.history_signals` now merges the sessions' signal rows and
pairs. Checked on the three samples and on the real archives (skipped when ../shared/real_data is absent).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from moderator_kit.api import import_archives
from moderator_kit.config import ChatConfig
from moderator_kit.people import annotate_messages, history_signals
from moderator_kit.people.history import history_from_sessions, session_parts
from moderator_kit.people.signals import _scope_signals
from moderator_kit.snapshot import analyze_chat

SAMPLES = Path(__file__).resolve().parents[1] / "sample_data"
SAMPLE_CHATS = {"jobhuntchat": "jobhuntchat.jsonl", "careerpivotchat": "careerpivotchat.jsonl",
                "remote-careers": "export"}
REAL = ["slack-export-bcneng-2020", "discord-dce-json-cre8r", "mastodon-api-rtoot", "bluesky-api-bskyr",
        "twarc2-jsonl-docnow", "twitter-archive-legacy-iansheffield"]


def _whole_history_scan(ann: pl.DataFrame) -> pl.DataFrame:
    """What history_signals computed before: every message of the chat scanned at once."""
    attendance = (ann.filter(pl.col("active")).group_by("handle").agg(sessions=pl.col("session_id").unique().sort())
                  .select("handle", sessions_attended=pl.col("sessions").list.len().cast(pl.Int64),
                          first_session=pl.col("sessions").list.first(),
                          last_session=pl.col("sessions").list.last()))
    return (_scope_signals(ann, []).join(attendance, on="handle", how="left")
            .with_columns(pl.col("sessions_attended").fill_null(0),
                          sessions_in_data=pl.lit(ann["session_id"].n_unique(), dtype=pl.Int64))
            .sort("handle"))


def _annotated(workspace: Path, chat: str) -> pl.DataFrame:
    snapshot = analyze_chat(workspace, chat)
    messages = snapshot.table("messages")
    config = ChatConfig.model_validate(snapshot.meta["config"])
    assignments = messages.select("message_id", "category", "method", "question")
    return annotate_messages(messages, assignments, config)


def _check(ann: pl.DataFrame) -> None:
    assert ann.height > 0
    expected = _whole_history_scan(ann)
    merged = history_signals(ann)
    assert_frame_equal(merged, expected, check_exact=True)
    # a batch of sessions that no later message refers back into can be scanned on its own: the merge of the two
    # batches' parts is the whole history again (the invariant a batch planner keeps)
    cut = _reference_free_cut(ann)
    if cut is not None:
        first = pl.col("session_id").is_in(cut)
        parts = [session_parts(ann.filter(first)), session_parts(ann.filter(~first))]
        signals = pl.concat([p[0] for p in parts], how="vertical_relaxed")
        pairs = pl.concat([p[1] for p in parts])
        assert_frame_equal(history_from_sessions(signals, pairs, sessions_in_data=ann["session_id"].n_unique()),
                           expected, check_exact=True)


def _reference_free_cut(ann: pl.DataFrame) -> list[str] | None:
    """The sessions before the middle-most cut that no later message replies to, reposts or quotes, else None."""
    sessions = ann["session_id"].unique().sort().to_list()
    where = dict(ann.select("message_id", "session_id").iter_rows())
    refs = ann.select("session_id", target=pl.concat_list("reply_to_message_id", "repost_of_message_id",
                                                          "quote_of_message_id")).explode("target").drop_nulls()
    crossing = [(sessions.index(s), sessions.index(where[t])) for s, t in refs.iter_rows() if t in where]
    cuts = [k for k in range(1, len(sessions)) if not any(p < k <= c for c, p in crossing)]
    if not cuts:
        return None
    best = min(cuts, key=lambda k: abs(k - len(sessions) / 2))
    return sessions[:best]


@pytest.mark.parametrize("chat", sorted(SAMPLE_CHATS))
def test_history_from_sessions_equals_the_whole_scan_on_the_samples(chat, tmp_path):
    source = SAMPLES / chat / SAMPLE_CHATS[chat]
    import_archives([source], chat=chat, workspace=tmp_path, config=SAMPLES / chat / "chat.yaml")
    _check(_annotated(tmp_path, chat))


@pytest.mark.parametrize("folder", REAL)
def test_history_from_sessions_equals_the_whole_scan_on_real_archives(folder, real_data_dir, tmp_path):
    import_archives([real_data_dir / folder], chat="real", workspace=tmp_path)
    _check(_annotated(tmp_path, "real"))
