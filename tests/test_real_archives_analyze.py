"""`analyze` runs on every real archive in ../shared/real_data, and says plainly what an archive cannot tell."""

from __future__ import annotations

import polars as pl
import pytest

from moderator_kit.api import import_archives
from moderator_kit.snapshot import analyze_chat

pytestmark = pytest.mark.real_data

ARCHIVES = [
    "twarc2-jsonl-docnow",
    "twarc1-v1.1-jsonl-dlfteach",
    "tags-csv-aect19-tidytags",
    "twitter-archive-ytd-andreruffert",
    "twitter-archive-legacy-iansheffield",
    "slack-export-bcneng-2020",
    "discord-dce-json-cre8r",
    "mastodon-api-rtoot",
    "bluesky-api-bskyr",
]


@pytest.mark.parametrize("folder", ARCHIVES)
def test_analyze_runs_on_every_real_archive(real_data_dir, tmp_path, folder):
    reports = import_archives([real_data_dir / folder], chat="real", workspace=tmp_path)
    assert sum(r.imported for r in reports) > 0
    assert all(r.records_seen == r.imported + r.duplicates + r.quarantined for r in reports)
    snap = analyze_chat(tmp_path, "real")
    notes = " ".join(snap.meta["notes"])
    questions = snap.table("questions")
    if questions.height == 0:
        # No agenda anywhere: said plainly, and nothing is invented: answers only where a message tags one.
        assert "No agenda questions" in notes
        answers = snap.table("messages").filter(pl.col("category") == "answer")
        assert set(answers["method"].unique().to_list()) <= {"tag", "thread", "quote", "repost"}
    reach = snap.table("reach")
    unavailable = reach.filter(pl.col("reach_basis") == "unavailable")
    if unavailable.height:
        # Unknown reach is null with a statement, never a misleading zero.
        assert unavailable["potential_impressions"].null_count() == unavailable.height
        assert unavailable["basis_note"].str.len_chars().min() > 20
    availability = snap.table("signal_availability")
    assert {"signal", "available", "statement"} <= set(availability.columns)


def test_legacy_chat_answers_are_recognised(real_data_dir, tmp_path):
    """The #UKEdChat and #LTHEchat A1..An answers of the legacy archive are answers, by their tags."""
    import_archives([real_data_dir / "twitter-archive-legacy-iansheffield"], chat="legacy", workspace=tmp_path)
    snap = analyze_chat(tmp_path, "legacy")
    messages = snap.table("messages")
    tagged = messages.filter(pl.col("text").str.contains(r"(?i)#(ukedchat|lthechat)")
                             & pl.col("text").str.contains(r"^(?:@\w+\s+)*A\d"))
    assert tagged.height > 0
    assert (tagged["method"] == "tag").all() and (tagged["category"] == "answer").all()
