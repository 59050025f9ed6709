"""Reach: potential impressions, unique reach, estimated impressions, on hand-computed sessions."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import polars as pl
import pytest

from moderator_kit.config import ExposureRates, parse_config
from moderator_kit.schema import conform
from moderator_kit.value.reach import ReachSummary, impression_contributions, reach_by_session, reach_total

T0 = datetime(2024, 1, 1, 21, 0, tzinfo=UTC)


def messages(rows: list[dict]) -> pl.DataFrame:
    """Canonical messages plus session_id from short row dicts (session defaults to 's1')."""
    sessions = [row.get("session_id", "s1") for row in rows]
    full = [
        {"platform": "twitter", "kind": "post", "created_at": T0, "source_file": "test", "source_record": i,
         "message_id": str(i + 1), **{k: v for k, v in row.items() if k != "session_id"}}
        for i, row in enumerate(rows)
    ]
    frame = conform(pl.DataFrame(full, infer_schema_length=None))
    return frame.with_columns(session_id=pl.Series(sessions, dtype=pl.String), phase=pl.lit("chat"))


def config(**extra) -> object:
    return parse_config({"chat": "testchat", **extra})


def row_of(frame: pl.DataFrame, session_id: str) -> dict:
    return frame.filter(pl.col("session_id") == session_id).row(0, named=True)


FOLLOWERS = [
    # session s1: every follower count known
    {"author_handle": "ann", "author_followers": 1000},
    {"author_handle": "ann", "author_followers": 1000, "kind": "reply"},
    {"author_handle": "bob", "author_followers": 200},
    {"author_handle": "cy", "author_followers": 50, "kind": "repost"},
    # session s2: dan's followers unknown
    {"author_handle": "ann", "author_followers": 1100, "session_id": "s2"},
    {"author_handle": "dan", "author_followers": None, "session_id": "s2"},
]


def test_followers_basis_hand_computed():
    out = reach_by_session(messages(FOLLOWERS), config())
    assert out["session_id"].to_list() == ["s1", "s2"]
    s1 = row_of(out, "s1")
    assert s1["reach_basis"] == "followers"
    # potential = 1000 + 1000 + 200 + 50 (the repost counts: it reaches cy's followers) = 2250
    assert s1["potential_impressions"] == 2250
    # unique reach = ann 1000 + bob 200 + cy 50 = 1250
    assert s1["unique_reach"] == 1250
    # estimated real impressions = 2250 × 1% / 5% / 20%
    assert s1["impressions_low"] == pytest.approx(22.5)
    assert s1["impressions_mid"] == pytest.approx(112.5)
    assert s1["impressions_high"] == pytest.approx(450.0)
    assert (s1["messages"], s1["originals"], s1["authors"]) == (4, 3, 3)
    assert s1["followers_coverage"] == 1.0
    assert s1["views"] is None and s1["views_coverage"] == 0.0
    assert "Tweet Binder" in s1["basis_note"] and "1-20%" in s1["basis_note"]
    assert "lower bound" not in s1["basis_note"]


def test_partial_followers_are_a_stated_lower_bound():
    s2 = row_of(reach_by_session(messages(FOLLOWERS), config()), "s2")
    # only ann's 1100 is known; dan adds nothing
    assert (s2["potential_impressions"], s2["unique_reach"]) == (1100, 1100)
    assert s2["impressions_mid"] == pytest.approx(55.0)  # 1100 × 5%
    assert s2["followers_coverage"] == 0.5
    assert "Followers are known for 50% of messages" in s2["basis_note"]
    assert "lower bound" in s2["basis_note"]


def test_reach_total_counts_each_author_once():
    total = reach_total(messages(FOLLOWERS), config())
    assert total.sessions == ["s1", "s2"]
    # potential adds up: 2250 + 1100 = 3350
    assert total.potential_impressions == 3350
    # unique reach: ann (largest count seen, 1100) + bob 200 + cy 50 = 1350; dan unknown
    assert total.unique_reach == 1350
    assert total.impressions_high == pytest.approx(3350 * 0.20)
    assert total.exposure_rates == {"low": 0.01, "mid": 0.05, "high": 0.20}
    only_s2 = reach_total(messages(FOLLOWERS), config(), ["s2"])
    assert (only_s2.sessions, only_s2.potential_impressions) == (["s2"], 1100)


def test_custom_exposure_rates():
    cfg = config(exposure_rates={"low": 0.02, "mid": 0.1, "high": 0.3})
    s1 = row_of(reach_by_session(messages(FOLLOWERS), cfg), "s1")
    # 2250 × 2% / 10% / 30%
    assert (s1["impressions_low"], s1["impressions_mid"], s1["impressions_high"]) == pytest.approx((45, 225, 675))
    assert "2% / 10% / 30%" in s1["basis_note"]


def test_view_counts_are_used_and_said():
    rows = [
        {"author_handle": "ann", "author_followers": 1000, "view_count": 500},
        {"author_handle": "bob", "author_followers": 200, "view_count": 300, "kind": "reply"},
        # a repost has no views of its own on X: not estimated either (its views count on the original)
        {"author_handle": "cy", "author_followers": 50, "kind": "repost"},
    ]
    s1 = row_of(reach_by_session(messages(rows), config()), "s1")
    assert s1["reach_basis"] == "views"
    assert (s1["views"], s1["views_coverage"]) == (800, 1.0)
    # measured: 500 + 300 = 800 whatever the exposure rate
    assert (s1["impressions_low"], s1["impressions_mid"], s1["impressions_high"]) == (800.0, 800.0, 800.0)
    assert s1["potential_impressions"] == 1250  # follower-based potential still reported
    assert s1["basis_note"].startswith("Impressions are measured: the platform's view counts, present on 100%")


def test_views_with_a_gap_estimate_the_uncovered_originals():
    rows = [{"author_handle": f"u{i}", "author_followers": 10, "view_count": 100} for i in range(4)]
    rows.append({"author_handle": "big", "author_followers": 1000})  # 4 of 5 originals have views: 80%
    s1 = row_of(reach_by_session(messages(rows), config()), "s1")
    assert s1["reach_basis"] == "views" and s1["views_coverage"] == pytest.approx(0.8)
    # 400 measured + 1000 followers × 1% / 5% / 20%
    assert (s1["impressions_low"], s1["impressions_mid"], s1["impressions_high"]) == pytest.approx((410, 450, 600))
    assert (s1["measured_impressions"], s1["exposure_base"]) == (400.0, 1000.0)


def test_sparse_views_fall_back_to_followers_but_are_still_reported():
    rows = [
        {"author_handle": "ann", "author_followers": 100, "view_count": 70},
        {"author_handle": "bob", "author_followers": 100},
    ]
    s1 = row_of(reach_by_session(messages(rows), config()), "s1")
    assert s1["reach_basis"] == "followers"
    assert (s1["views"], s1["views_coverage"]) == (70, 0.5)
    assert s1["impressions_mid"] == pytest.approx(10.0)  # 200 × 5%


def test_zero_view_counts_are_not_measurements():
    # X gives impression_count 0 for tweets older than view counts (seen in the real twarc2 sample: Sep 2022 tweets
    # with likes and 0 impressions) and for tweets captured as they were posted
    rows = [
        {"author_handle": "ann", "author_followers": 1000, "view_count": 0, "like_count": 4},
        {"author_handle": "bob", "author_followers": 200, "view_count": 0},
    ]
    s1 = row_of(reach_by_session(messages(rows), config()), "s1")
    assert s1["reach_basis"] == "followers"
    assert (s1["views"], s1["views_coverage"]) == (None, 0.0)
    assert s1["impressions_mid"] == pytest.approx(60.0)  # 1200 × 5%, not 0


@pytest.mark.parametrize("platform", ["slack", "discord"])
def test_followers_unknown_reach_from_configured_members(platform):
    rows = [
        {"platform": platform, "author_handle": "u1"},
        {"platform": platform, "author_handle": "u2", "kind": "reply"},
        {"platform": platform, "author_handle": "u1"},
    ]
    s1 = row_of(reach_by_session(messages(rows), config(audience_members=40)), "s1")
    assert s1["reach_basis"] == "members"
    # reach = the 40 configured members; potential = 40 members × 3 messages = 120
    assert (s1["unique_reach"], s1["potential_impressions"]) == (40, 120)
    # estimated = 120 × 1% / 5% / 20%
    assert (s1["impressions_low"], s1["impressions_mid"], s1["impressions_high"]) == pytest.approx((1.2, 6.0, 24.0))
    assert s1["followers_coverage"] == 0.0
    assert f"Follower counts are unknown here ({platform})" in s1["basis_note"]
    assert "40 members" in s1["basis_note"]


@pytest.mark.parametrize("platform", ["slack", "discord"])
def test_followers_unknown_and_no_members_is_unavailable_not_zero(platform):
    rows = [{"platform": platform, "author_handle": "u1"}, {"platform": platform, "author_handle": "u2"}]
    s1 = row_of(reach_by_session(messages(rows), config()), "s1")
    assert s1["reach_basis"] == "unavailable"
    for column in ("potential_impressions", "unique_reach", "impressions_low", "impressions_mid",
                   "impressions_high", "views", "measured_impressions", "exposure_base"):
        assert s1[column] is None, column
    assert s1["basis_note"].startswith("Reach unavailable")
    assert "audience_members" in s1["basis_note"] and platform in s1["basis_note"]
    assert s1["messages"] == 2  # the counts that are known stay


def test_configured_members_of_zero_is_a_real_zero():
    rows = [{"platform": "slack", "author_handle": "u1"}]
    s1 = row_of(reach_by_session(messages(rows), config(audience_members=0)), "s1")
    assert (s1["reach_basis"], s1["unique_reach"], s1["impressions_mid"]) == ("members", 0, 0.0)


def test_contributions_add_up_to_the_session():
    frame = messages(FOLLOWERS)
    parts = impression_contributions(frame).collect()
    sums = parts.group_by("session_id").agg(pl.col("imp_base").sum()).sort("session_id")
    reach = reach_by_session(frame, config())
    assert sums["imp_base"].to_list() == reach["exposure_base"].to_list()


def test_empty_input():
    empty = messages([{"author_handle": "x"}]).clear()
    assert reach_by_session(empty, config()).height == 0
    total = reach_total(empty, config())
    assert (total.reach_basis, total.messages, total.impressions_mid) == ("unavailable", 0, None)


def test_lazy_input_and_missing_columns():
    frame = messages(FOLLOWERS)
    assert reach_by_session(frame.lazy(), config()).equals(reach_by_session(frame, config()))
    with pytest.raises(ValueError, match="session_id"):
        reach_by_session(frame.drop("session_id"), config())


def test_summary_serialises_to_json():
    total = reach_total(messages(FOLLOWERS), config())
    data = json.loads(json.dumps(total.model_dump(mode="json")))
    assert ReachSummary.model_validate(data) == total
    with pytest.raises(Exception):
        total.messages = 3  # frozen


def test_rates_validation_is_the_configs():
    with pytest.raises(ValueError):
        ExposureRates(low=0.3, mid=0.1, high=0.2)
