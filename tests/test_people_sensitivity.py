"""The role sensitivity table: people who keep a label when one threshold moves one step either way."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polars as pl

from moderator_kit.people import assign_roles
from moderator_kit.people.evaluate import roles_from_messages
from moderator_kit.people.roles import stricter_thresholds, role_thresholds
from moderator_kit.people.sensitivity import role_sensitivity
from moderator_kit.synth_alt import generate_alt_chat

ROOT = Path(__file__).resolve().parents[1]


def _chat():
    chat = generate_alt_chat(seed=5, sessions=3)
    signals, roles = roles_from_messages(chat.messages, chat.config)
    return chat, signals, roles


def test_each_row_matches_assign_roles_with_the_moved_threshold():
    chat, signals, roles = _chat()
    table = role_sensitivity(signals, chat.config, moderators=chat.config.moderators)
    assert table.height > 10
    for row in table.filter(pl.col("threshold").is_in(["advocate_min_advice_reach", "retweeter_min_reposts",
                                                      "recruiter_min_job_share"])).iter_rows(named=True):
        base = set(roles.filter(pl.col("labels").list.contains(row["label"])).select(
            pl.concat_str("session_id", "handle")).to_series())
        assert row["people"] == len(base)
        for side in ("lower", "higher"):
            moved = assign_roles(signals, None, chat.config, moderators=chat.config.moderators,
                                 thresholds={row["threshold"]: row[side]})
            holders = set(moved.filter(pl.col("labels").list.contains(row["label"])).select(
                pl.concat_str("session_id", "handle")).to_series())
            assert row[f"kept_{side}"] == len(base & holders), (row, side)
            assert row[f"gained_{side}"] == len(holders - base), (row, side)


def test_clear_labels_survive_the_stricter_thresholds():
    chat, signals, roles = _chat()
    strict = assign_roles(signals, None, chat.config, moderators=chat.config.moderators,
                          thresholds=stricter_thresholds(role_thresholds(chat.config)))
    pairs = roles.explode("labels", "strengths").drop_nulls("labels").join(
        strict.select("session_id", "handle", strict_labels="labels"), on=["session_id", "handle"])
    held = pairs.with_columns(held=pl.col("strict_labels").list.contains(pl.col("labels")))
    behaviour = held.filter(~pl.col("labels").is_in(["moderator", "sponsor"]))
    assert (behaviour["held"] == (behaviour["strengths"] == "clear")).all()
    assert set(behaviour["strengths"]) == {"clear", "borderline"}


def test_the_docs_table_is_current():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "role_sensitivity.py"), "--check"],
                            cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, capture_output=True)
    assert result.returncode == 0, "docs/metrics/people.md is stale: run python scripts/role_sensitivity.py"
