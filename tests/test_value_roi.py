"""Sponsor exposure, costs, CPM, value, ROI ranges, break-even, sensitivity and verdicts, on hand-computed data."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from moderator_kit.config import Costs, ExposureRates, Objective, Sponsor, parse_config
from moderator_kit.schema import conform
from moderator_kit.value.reach import reach_by_session
from moderator_kit.value.roi import SponsorValue, cost_breakdown, sponsor_kpis, sponsor_value
from moderator_kit.value.sponsor import audience_mix, sponsor_exposure, top_sponsor_messages

T0 = datetime(2024, 1, 1, 21, 0, tzinfo=UTC)
RATES = ExposureRates()  # 1% / 5% / 20%


def messages(rows: list[dict]) -> pl.DataFrame:
    sessions = [row.get("session_id", "s1") for row in rows]
    full = [
        {"platform": "twitter", "kind": "post", "created_at": T0 + timedelta(minutes=i), "source_file": "test",
         "source_record": i, "message_id": str(i + 1), **{k: v for k, v in row.items() if k != "session_id"}}
        for i, row in enumerate(rows)
    ]
    frame = conform(pl.DataFrame(full, infer_schema_length=None))
    return frame.with_columns(session_id=pl.Series(sessions, dtype=pl.String), phase=pl.lit("chat"))


ACME = Sponsor(name="Acme", handles=["@Acme"], hashtags=["#AcmeJobs"])

# Session s1 (message ids are 1-based positions):
CHAT = [
    {"author_handle": "acme", "author_followers": 5000, "text": "Welcome, from @acme",  # 1: the sponsor's own post
     "like_count": 10, "repost_count": 3, "reply_count": 2},
    {"author_handle": "ann", "author_followers": 1000, "kind": "reply", "reply_to_message_id": "1",  # 2
     "reply_to_author_handle": "acme", "mentions": ["acme"], "text": "@acme thanks!"},
    {"author_handle": "bob", "author_followers": 200, "hashtags": ["acmejobs"], "like_count": 5,  # 3
     "text": "Great roles at #AcmeJobs"},
    {"author_handle": "cy", "author_followers": 50, "kind": "repost", "repost_of_message_id": "1",  # 4
     "repost_of_author_handle": "acme", "mentions": ["acme"]},
    {"author_handle": "dan", "author_followers": 300, "kind": "quote", "quote_of_message_id": "1",  # 5
     "quote_of_author_handle": "acme", "like_count": 1, "text": "this"},
    {"author_handle": "eve", "author_followers": 100, "text": "A1 unrelated"},  # 6
    {"author_handle": "ann", "author_followers": 1000, "text": "A2 unrelated"},  # 7
    {"author_handle": "gus", "author_followers": 10, "kind": "reply", "reply_to_message_id": "3",  # 8
     "reply_to_author_handle": "bob", "text": "@bob agreed"},
    # Session s2: nobody mentions the sponsor
    {"author_handle": "eve", "author_followers": 100, "session_id": "s2"},  # 9
    {"author_handle": "fay", "author_followers": 400, "session_id": "s2"},  # 10
]

ROLES = pl.DataFrame(
    {
        "session_id": ["s1", "s1", "s1", "s1"],
        "handle": ["ann", "bob", "cy", "acme"],
        "labels": [["advocate", "newcomer"], ["self_promoter"], ["retweeter", "newcomer"], ["sponsor"]],
        "primary_role": ["advocate", "self_promoter", "retweeter", "sponsor"],
    }
)


def row_of(frame: pl.DataFrame, session_id: str) -> dict:
    return frame.filter(pl.col("session_id") == session_id).row(0, named=True)


# ---------------------------------------------------------------- exposure


def test_exposure_hand_counted():
    out = sponsor_exposure(messages(CHAT), ACME, ROLES)
    assert out["session_id"].to_list() == ["s1", "s2"]
    s1 = row_of(out, "s1")
    # mentions by others: 2 (@acme), 3 (#acmejobs), 4 (repost carrying @acme); 5 is a quote without a mention
    assert (s1["mentions"], s1["mentioning_people"]) == (3, 3)
    # engaged: ann (reply + mention), bob (hashtag), cy (repost), dan (quote); acme itself never counts
    assert s1["engaged_participants"] == 4
    assert s1["engaged_newcomers"] == 2  # ann and cy carry the newcomer label
    # share of voice: sponsor-related originals (1, 2, 3, 5) ÷ originals (all but the repost 4) = 4 / 7
    assert (s1["related_originals"], s1["originals"]) == (4, 7)
    assert s1["share_of_voice"] == pytest.approx(4 / 7)
    assert s1["sponsor_posts"] == 1
    assert (s1["replies_to_sponsor"], s1["reposts_of_sponsor"], s1["quotes_of_sponsor"]) == (1, 1, 1)
    assert s1["engagement_in_data"] == 3
    # the platform's counters on the sponsor's own post; no view counts anywhere
    assert (s1["likes_on_posts"], s1["reposts_on_posts"], s1["replies_on_posts"]) == (10, 3, 2)
    assert s1["views_on_posts"] is None
    # sponsor-related messages 1-5: 5000 + 1000 + 200 + 50 + 300 = 6550 potential, × 5% = 327.5
    assert s1["related_messages"] == 5
    assert s1["related_potential_impressions"] == 6550
    assert s1["related_impressions_mid"] == pytest.approx(327.5)
    assert s1["reach_basis"] == "followers"


def test_exposure_session_without_mentions_is_real_zeros():
    s2 = row_of(sponsor_exposure(messages(CHAT), ACME, ROLES), "s2")
    assert (s2["mentions"], s2["engaged_participants"], s2["sponsor_posts"], s2["share_of_voice"]) == (0, 0, 0, 0.0)
    assert s2["related_potential_impressions"] == 0 and s2["related_impressions_mid"] == 0.0
    assert s2["likes_on_posts"] is None  # no sponsor post carries a like count: not a zero


def test_exposure_without_roles_has_null_newcomers():
    s1 = row_of(sponsor_exposure(messages(CHAT), ACME, None), "s1")
    assert s1["engaged_newcomers"] is None and s1["engaged_participants"] == 4


def test_exposure_keeps_only_the_sponsored_sessions():
    only_s2 = ACME.model_copy(update={"sessions": ["s2"]})
    assert sponsor_exposure(messages(CHAT), only_s2, ROLES)["session_id"].to_list() == ["s2"]


def test_sponsor_without_handles_or_hashtags_is_not_measurable():
    out = row_of(sponsor_exposure(messages(CHAT), Sponsor(name="Anon"), ROLES), "s1")
    for column in ("mentions", "share_of_voice", "engaged_participants", "sponsor_posts", "related_impressions_mid"):
        assert out[column] is None, column
    assert out["messages"] == 8


def test_hashtag_only_sponsor_counts_mentions_but_not_posts():
    out = row_of(sponsor_exposure(messages(CHAT), Sponsor(name="Tag", hashtags=["acmejobs"]), None), "s1")
    assert (out["mentions"], out["engaged_participants"], out["sponsor_posts"]) == (1, 1, None)


def test_exposure_on_slack_uses_members():
    rows = [
        {"platform": "slack", "author_handle": "u1", "mentions": ["acme"]},
        {"platform": "slack", "author_handle": "u2"},
        {"platform": "slack", "author_handle": "u3"},
    ]
    cfg = parse_config({"chat": "c", "audience_members": 40})
    s1 = row_of(sponsor_exposure(messages(rows), ACME, None, config=cfg), "s1")
    # one sponsor-related message × 40 members = 40 potential, × 5% = 2
    assert (s1["reach_basis"], s1["related_potential_impressions"], s1["related_impressions_mid"]) == (
        "members", 40, 2.0)
    unavailable = row_of(sponsor_exposure(messages(rows), ACME, None), "s1")
    assert unavailable["reach_basis"] == "unavailable" and unavailable["related_impressions_mid"] is None
    assert unavailable["mentions"] == 1  # mentions are still counted


def test_audience_mix_by_role():
    mix = audience_mix(messages(CHAT), ACME, ROLES)
    # the four engaged people of s1: ann advocate, bob self_promoter, cy retweeter, dan unknown to the roles
    assert mix.rows() == [
        ("s1", "advocate", 1, 0.25),
        ("s1", "retweeter", 1, 0.25),
        ("s1", "self_promoter", 1, 0.25),
        ("s1", "unknown", 1, 0.25),
    ]
    overall = audience_mix(messages(CHAT), ACME, None, by_session=False)
    assert overall.rows() == [(None, "unknown", 4, 1.0)]


def test_top_sponsor_messages_rank_and_link():
    top = top_sponsor_messages(messages(CHAT), ACME, n=5)
    # originals about the sponsor: 3 (5 likes > 1 reply in the data), 5 (1 like), 2 (nothing); repost 4 excluded
    assert top.select("message_id", "engagement").rows() == [("3", 5), ("5", 1), ("2", 0)]
    assert top["url"][0] == "https://x.com/bob/status/3"
    with_own = top_sponsor_messages(messages(CHAT), ACME, n=1, include_own=True)
    # the sponsor's post: likes 10 + reposts 3 + replies 2 = 15 (>= the 3 interactions found in the data)
    assert with_own.select("message_id", "engagement").row(0) == ("1", 15)


def test_message_links_are_only_built_from_real_ids():
    rows = [
        {"author_handle": "ann", "mentions": ["acme"], "message_id": "javascript:alert(1)"},
        {"platform": "bluesky", "author_handle": "ann.bsky.social", "mentions": ["acme"],
         "message_id": "at://did:plc:abc123/app.bsky.feed.post/3kxyz"},
        {"platform": "slack", "author_handle": "u1", "mentions": ["acme"], "message_id": "C1:1700000000.1"},
    ]
    urls = dict(top_sponsor_messages(messages(rows), ACME).select("message_id", "url").iter_rows())
    assert urls == {
        "javascript:alert(1)": None,
        "at://did:plc:abc123/app.bsky.feed.post/3kxyz": "https://bsky.app/profile/did:plc:abc123/post/3kxyz",
        "C1:1700000000.1": None,
    }


# ---------------------------------------------------------------- costs


@pytest.mark.parametrize(
    ("per", "sessions", "total"),
    [
        ("session", 3, (500 + 4 * 50 + 20) * 3),  # 720 per session × 3 = 2160
        ("total", 3, 500 + 4 * 50 + 20),  # 720 once
        ("session", 0, 0),
    ],
)
def test_cost_breakdown(per, sessions, total):
    sponsor = Sponsor(name="A", costs=Costs(fee=500, staff_hours=4, hourly_rate=50, other=20), costs_per=per)
    costs = cost_breakdown(sponsor, sessions)
    assert costs.total == total
    assert costs.fee + costs.staff_cost + costs.other == pytest.approx(total)
    assert costs.per == per


# ---------------------------------------------------------------- ROI, hand computed


def roi_case(costs_per: str = "session", costs: Costs | None = None, benchmark: float = 20, objectives=()):
    """Two sessions with 600,000 and 400,000 potential impressions; one mention in each."""
    rows = [
        {"author_handle": "ann", "author_followers": 600_000, "mentions": ["acme"]},
        {"author_handle": "bob", "author_followers": 400_000, "hashtags": ["acmejobs"], "session_id": "s2"},
    ]
    sponsor = ACME.model_copy(update={
        "costs": costs or Costs(fee=500, staff_hours=4, hourly_rate=50, other=20), "costs_per": costs_per,
        "benchmark_cpm": benchmark, "objectives": list(objectives)})
    frame = messages(rows)
    cfg = parse_config({"chat": "c"})
    return sponsor_value(sponsor_exposure(frame, sponsor, None, config=cfg), reach_by_session(frame, cfg), sponsor,
                         RATES, 2)


def test_roi_costs_per_session_hand_computed():
    sv = roi_case()
    # cost = (500 + 4 × 50 + 20) × 2 sessions = 1440
    assert sv.cost == 1440 and sv.costs.multiplier == 2
    # chat impressions: 1,000,000 potential × 1% / 5% / 20% = 10,000 / 50,000 / 200,000
    assert sv.chat_potential_impressions == 1_000_000
    assert (sv.impressions.low, sv.impressions.mid, sv.impressions.high) == pytest.approx((10_000, 50_000, 200_000))
    # CPM = 1440 / impressions × 1000 = 144 / 28.8 / 7.2
    assert (sv.cpm.low, sv.cpm.mid, sv.cpm.high) == pytest.approx((144, 28.8, 7.2))
    # value at a 20 CPM = impressions / 1000 × 20 = 200 / 1000 / 4000
    assert (sv.value.low, sv.value.mid, sv.value.high) == pytest.approx((200, 1000, 4000))
    # ROI = (value - 1440) / 1440
    assert sv.roi.low == pytest.approx((200 - 1440) / 1440)  # -0.861
    assert sv.roi.mid == pytest.approx((1000 - 1440) / 1440)  # -0.306
    assert sv.roi.high == pytest.approx((4000 - 1440) / 1440)  # +1.778
    # break-even: 1440 × 1000 / 20 = 72,000 impressions needed = 7.2% of 1,000,000
    assert sv.break_even_exposure_rate == pytest.approx(0.072)
    # 2 mentions, 2 engaged people: 720 each
    assert (sv.mentions, sv.cost_per_mention, sv.cost_per_engaged_participant) == (2, 720, 720)
    assert sv.verdict == "unclear"
    assert any("spans break-even" in r and "7.2%" in r for r in sv.reasons)
    assert sv.reach_basis == "followers" and not sv.impressions_measured
    # every message names the sponsor, so the whole-chat upper bound equals the attributable figures here
    assert sv.attributable_messages == 2 and sv.chat_roi == sv.roi


def test_roi_costs_total_hand_computed():
    sv = roi_case(costs_per="total")
    # cost = 500 + 4 × 50 + 20 = 720 once
    assert sv.cost == 720 and sv.costs.multiplier == 1
    assert sv.roi.mid == pytest.approx((1000 - 720) / 720)  # +0.389
    # break-even: 720 × 1000 / 20 = 36,000 impressions = 3.6%
    assert sv.break_even_exposure_rate == pytest.approx(0.036)
    assert sv.cost_per_mention == 360
    assert any("Cost = fee + staff hours × hourly rate + other costs = $500 + 4 × $50 + $20 = $720" in a
               for a in sv.assumptions)


def test_roi_zero_cost_is_undefined_not_infinite():
    sv = roi_case(costs=Costs())
    assert sv.cost == 0
    assert (sv.roi.low, sv.roi.mid, sv.roi.high) == (None, None, None)
    assert "undefined" in sv.unavailable["roi"]
    assert sv.cpm.mid == 0 and sv.cost_per_mention == 0
    assert sv.break_even_exposure_rate == 0.0
    assert all(point.roi is None for point in sv.sensitivity)
    assert sv.verdict == "worthwhile"  # nothing to lose and no objectives to miss
    assert any("cost nothing" in r for r in sv.reasons)


def test_roi_no_sponsor_mentions_at_all():
    rows = [{"author_handle": "ann", "author_followers": 1_000_000}]
    frame = messages(rows)
    cfg = parse_config({"chat": "c"})
    sponsor = ACME.model_copy(update={"costs": Costs(fee=100), "benchmark_cpm": 10})
    sv = sponsor_value(sponsor_exposure(frame, sponsor, None), reach_by_session(frame, cfg), sponsor, RATES, 1)
    assert (sv.mentions, sv.engaged_participants, sv.share_of_voice) == (0, 0, 0.0)
    assert sv.cost_per_mention is None and "Nobody mentioned" in sv.unavailable["cost_per_mention"]
    assert sv.cost_per_engaged_participant is None
    # nothing is by or about the sponsor: no evidence it was seen, so no value, no ROI and no positive verdict
    assert sv.attributable_messages == 0 and sv.verdict == "no evidence of exposure"
    assert (sv.impressions.mid, sv.value.mid, sv.roi.mid, sv.break_even_exposure_rate) == (None, None, None, None)
    # the chat's audience is only the upper bound: 1,000,000 × 5% / 1000 × 10 = 500 against 100 → ROI +400%
    assert sv.chat_roi.mid == pytest.approx(4.0)
    assert "upper bound, if every participant saw the sponsorship" in sv.upper_bound_note
    assert "ROI +400%" in sv.upper_bound_note
    assert "handles, hashtags and domains" in sv.reasons[0] and "slot in the agenda" in sv.reasons[0]


def test_roi_followers_unknown_from_members():
    rows = [{"platform": "slack", "author_handle": f"u{i % 3}", "mentions": ["acme"]} for i in range(4)]
    rows += [{"platform": "slack", "author_handle": f"u{i % 3}", "session_id": "s2", "mentions": ["acme"]}
             for i in range(6)]
    frame = messages(rows)
    cfg = parse_config({"chat": "c", "audience_members": 50})
    sponsor = ACME.model_copy(update={"costs": Costs(fee=100), "costs_per": "total", "benchmark_cpm": 10})
    sv = sponsor_value(sponsor_exposure(frame, sponsor, None, config=cfg), reach_by_session(frame, cfg), sponsor,
                       RATES, 2)
    assert sv.reach_basis == "members"
    # potential = 50 members × (4 + 6) messages = 500; impressions 5 / 25 / 100
    assert sv.chat_potential_impressions == 500
    assert (sv.impressions.low, sv.impressions.mid, sv.impressions.high) == pytest.approx((5, 25, 100))
    # value at 10 CPM: 0.05 / 0.25 / 1.0 against a cost of 100
    assert sv.roi.high == pytest.approx((1.0 - 100) / 100)
    # break-even: 100 × 1000 / 10 = 10,000 impressions = 20 × the 500 potential: not reachable
    assert sv.break_even_exposure_rate == pytest.approx(20.0)
    assert sv.verdict == "not worthwhile"
    assert any("above 100%" in r for r in sv.reasons)
    assert any("audience_members" in a for a in sv.assumptions)
    assert sv.mentions == 10 and sv.cost_per_mention == 10


def test_roi_followers_unknown_without_members_is_unclear():
    rows = [{"platform": "discord", "author_handle": "u1", "mentions": ["acme"]}]
    frame = messages(rows)
    cfg = parse_config({"chat": "c"})
    sponsor = ACME.model_copy(update={"costs": Costs(fee=100)})
    sv = sponsor_value(sponsor_exposure(frame, sponsor, None), reach_by_session(frame, cfg), sponsor, RATES, 1)
    assert sv.reach_basis == "unavailable"
    assert (sv.impressions.mid, sv.cpm.mid, sv.value.mid, sv.roi.mid) == (None, None, None, None)
    assert sv.break_even_exposure_rate is None and "unavailable" in sv.unavailable["break_even_exposure_rate"]
    assert "impressions" in sv.unavailable
    assert sv.verdict == "unclear"
    assert sv.cost_per_mention == 100  # one mention: cost per mention is still known


def test_roi_from_view_counts_is_one_measured_figure():
    rows = [
        {"author_handle": "ann", "author_followers": 10, "view_count": 30_000, "mentions": ["acme"]},
        {"author_handle": "bob", "author_followers": 10, "view_count": 20_000},
    ]
    frame = messages(rows)
    cfg = parse_config({"chat": "c"})
    sponsor = ACME.model_copy(update={"costs": Costs(fee=500), "benchmark_cpm": 20})
    sv = sponsor_value(sponsor_exposure(frame, sponsor, None), reach_by_session(frame, cfg), sponsor, RATES, 1)
    assert sv.reach_basis == "views" and sv.impressions_measured
    # measured: the 30,000 views of the message naming the sponsor, whatever the rate; value 600; ROI +20%
    assert (sv.impressions.low, sv.impressions.mid, sv.impressions.high) == (30_000, 30_000, 30_000)
    assert sv.roi.mid == pytest.approx(100 / 500)
    assert sv.chat_impressions.mid == 50_000  # the upper bound counts bob's views too
    # no exposure rate moves a measured figure: no break-even rate (never a made-up 0%), and the sensitivity
    # varies the benchmark CPM only
    assert sv.break_even_exposure_rate is None
    assert "measured" in sv.unavailable["break_even_exposure_rate"]
    assert {p.exposure_rate for p in sv.sensitivity} == {None}
    assert [p.benchmark_cpm for p in sv.sensitivity] == [5, 10, 20, 40, 80]
    assert len({p.roi for p in sv.sensitivity}) == 5
    assert sv.verdict == "worthwhile"
    assert not any("exposure rate (" in r for r in sv.reasons)  # no low / mid / high wording for one figure
    assert any("measured views: 30,000, worth $600" in r and "ROI +20%" in r for r in sv.reasons)
    assert any("no exposure rate is assumed" in a for a in sv.assumptions)
    short = sponsor.model_copy(update={"costs": Costs(fee=2000)})
    sv = sponsor_value(sponsor_exposure(frame, short, None), reach_by_session(frame, cfg), short, RATES, 1)
    assert sv.break_even_exposure_rate is None
    assert sv.verdict == "not worthwhile"
    # the CPM paid (2000 / 30,000 × 1000 = 66.67) is the benchmark CPM at which it would pay back
    assert any("would pay back only at a benchmark CPM of $66.67 or more" in r for r in sv.reasons)


def test_value_rests_on_attributable_impressions():
    frame = messages(CHAT)
    cfg = parse_config({"chat": "c"})
    sponsor = ACME.model_copy(update={"costs": Costs(fee=10), "costs_per": "total", "benchmark_cpm": 20})
    sv = sponsor_value(sponsor_exposure(frame, sponsor, ROLES), reach_by_session(frame, cfg), sponsor, RATES, 2)
    # related potential 6550 (s1) + 0 (s2); × 5% = 327.5; value 327.5 / 1000 × 20 = 6.55
    assert sv.attributable_messages == 5
    assert sv.impressions.mid == pytest.approx(327.5) and sv.impressions == sv.sponsor_impressions
    assert sv.value.mid == pytest.approx(6.55)
    assert sv.roi.mid == pytest.approx((6.55 - 10) / 10)
    # the chat's impressions are the upper bound beside them: 7660 + 500 potential = 8160 × 5% = 408 → value 8.16
    assert sv.chat_impressions.mid == pytest.approx(408.0)
    assert sv.chat_value.mid == pytest.approx(8.16) and sv.chat_roi.mid == pytest.approx(-0.184)
    assert "attributable impressions" in sv.value_basis_note
    assert any("Whole-chat audience (upper bound, if every participant saw the sponsorship): 408 impressions" in r
               for r in sv.reasons)


@pytest.mark.parametrize("fee", [0, 0.01, 100])
@pytest.mark.parametrize("with_handles", [True, False])
def test_never_named_sponsor_gets_no_positive_verdict_however_low_its_cost(fee, with_handles):
    """A sponsor no message names, that never posts and nobody engages with: no evidence, whatever it cost."""
    frame = messages(CHAT)
    cfg = parse_config({"chat": "c", "moderators": ["eve"]})
    identity = {"handles": ["zetahq"], "hashtags": ["zeta"], "domains": ["zeta.example"]} if with_handles else {}
    sponsor = Sponsor(name="Zeta Corp", costs=Costs(fee=fee), benchmark_cpm=1000, **identity)
    sv = sponsor_value(sponsor_exposure(frame, sponsor, ROLES, config=cfg), reach_by_session(frame, cfg), sponsor,
                       RATES, 2)
    assert sv.verdict == "no evidence of exposure"
    assert sv.roi.mid is None and sv.value.mid is None
    assert sv.chat_impressions.mid == pytest.approx(408.0)  # the upper bound is still shown
    assert "no evidence that the sponsorship was seen" in sv.reasons[0]


def test_links_and_moderator_announcements_are_attributable():
    rows = [
        {"author_handle": "mod", "author_followers": 1000, "text": "Tonight's chat is sponsored by Zeta Corp!"},
        {"author_handle": "ann", "author_followers": 500, "text": "try this", "urls": ["https://jobs.zeta.example/a"]},
        {"author_handle": "bob", "author_followers": 300, "text": "zeta corporation is unrelated"},
    ]
    frame = messages(rows)
    cfg = parse_config({"chat": "c", "moderators": ["mod"]})
    sponsor = Sponsor(name="Zeta Corp", domains=["https://www.Zeta.example/"], costs=Costs(fee=1), benchmark_cpm=20)
    assert sponsor.domains == ["zeta.example"]
    out = row_of(sponsor_exposure(frame, sponsor, None, config=cfg), "s1")
    # the announcement (1000) and the link (500), not bob's message: 1500 potential impressions
    assert out["related_messages"] == 2 and out["related_potential_impressions"] == 1500
    assert out["mentions"] is None  # no handle or hashtag: mentions cannot be counted
    sv = sponsor_value(sponsor_exposure(frame, sponsor, None, config=cfg), reach_by_session(frame, cfg), sponsor,
                       RATES, 1)
    assert sv.verdict != "no evidence of exposure" and sv.impressions.mid == pytest.approx(75.0)


def test_sensitivity_grid():
    sv = roi_case()
    rates = sorted({p.exposure_rate for p in sv.sensitivity})
    cpms = sorted({p.benchmark_cpm for p in sv.sensitivity})
    assert len(sv.sensitivity) == len(rates) * len(cpms)
    assert cpms == [5, 10, 20, 40, 80]  # 0.25× .. 4× the benchmark of 20
    assert {0.01, 0.05, 0.2} <= set(rates)
    cell = next(p for p in sv.sensitivity if p.exposure_rate == 0.05 and p.benchmark_cpm == 20)
    assert cell.roi == pytest.approx(sv.roi.mid)
    cell = next(p for p in sv.sensitivity if p.exposure_rate == 0.1 and p.benchmark_cpm == 40)
    # 100,000 impressions at 40 CPM = 4000; (4000 - 1440) / 1440
    assert cell.roi == pytest.approx((4000 - 1440) / 1440)


@pytest.mark.parametrize(
    ("fee", "objective", "verdict"),
    [
        (100, Objective(metric="sponsor_mentions", target=1), "worthwhile"),  # ROI low +100%, 1 mention a session
        (100, Objective(metric="sponsor_mentions", target=5), "unclear"),  # pays back, objective missed
        (100, Objective(metric="no_such_metric", target=1), "unclear"),  # objective not measurable
        (5000, Objective(metric="sponsor_mentions", target=1), "not worthwhile"),  # ROI high < 0
    ],
)
def test_verdict_against_objectives(fee, objective, verdict):
    # costs per total: value low = 10,000 / 1000 × 20 = 200
    sv = roi_case(costs_per="total", costs=Costs(fee=fee), objectives=[objective])
    assert sv.verdict == verdict
    assert len(sv.objectives) == 1 and sv.objectives[0].stakeholder == "sponsor"
    assert any(r.startswith("Objective") for r in sv.reasons)


def test_sponsor_objectives_read_per_session_kpis():
    sv = roi_case(objectives=[Objective(metric="engaged_participants", target=1),
                              Objective(metric="estimated_impressions_mid", target=30_000)])
    engaged, impressions = sv.objectives
    assert (engaged.actual, engaged.met) == (1.0, True)  # 1 engaged person in each session
    # 30,000 and 20,000 mid impressions: the mean 25,000 misses 30,000 by 5,000, trending down
    assert (impressions.actual, impressions.gap, impressions.trend) == (25_000, -5_000, "down")
    assert [t.session_id for t in sv.trend] == ["s1", "s2"]
    assert sv.trend[0].estimated_impressions_mid == pytest.approx(30_000)


def test_sponsor_kpis_columns():
    frame = messages(CHAT)
    cfg = parse_config({"chat": "c"})
    kpis = sponsor_kpis(sponsor_exposure(frame, ACME, ROLES), reach_by_session(frame, cfg), ACME, RATES)
    assert {"sponsor_mentions", "share_of_voice", "engaged_participants", "estimated_impressions_mid",
            "roi_mid"} <= set(kpis.columns)
    assert kpis["number"].to_list() == [1, 2]
    assert kpis["sponsor_mentions"].to_list() == [3, 0]


def test_mixed_reach_is_a_stated_lower_bound():
    rows = [
        {"author_handle": "ann", "author_followers": 1000, "mentions": ["acme"]},
        {"author_handle": "bob", "session_id": "s2"},  # no follower count at all in s2
    ]
    frame = messages(rows)
    cfg = parse_config({"chat": "c"})
    sv = sponsor_value(sponsor_exposure(frame, ACME, None), reach_by_session(frame, cfg), ACME, RATES, 2)
    assert sv.reach_basis == "mixed"
    assert sv.chat_potential_impressions == 1000
    assert any("1 of 2 sponsored sessions have no reach data (s2)" in a for a in sv.assumptions)


def test_sponsor_value_serialises_to_json_without_infinities():
    for sv in (roi_case(), roi_case(costs=Costs())):
        text = json.dumps(sv.model_dump(mode="json"), allow_nan=False)
        assert SponsorValue.model_validate(json.loads(text)) == sv
        for point in sv.sensitivity:
            assert point.roi is None or math.isfinite(point.roi)


@pytest.mark.parametrize(
    ("sponsor", "reason"),
    [
        (Sponsor(name="Anon", costs=Costs(fee=100)), "no handles or hashtags"),
        (ACME.model_copy(update={"sessions": ["2030-01-01"], "costs": Costs(fee=100)}), "None of the sponsored"),
    ],
)
def test_unmeasurable_sponsorship_says_why(sponsor, reason):
    frame = messages(CHAT)
    cfg = parse_config({"chat": "c"})
    sv = sponsor_value(sponsor_exposure(frame, sponsor, None), reach_by_session(frame, cfg), sponsor, RATES, 1)
    assert sv.mentions is None and sv.cost_per_mention is None and sv.engaged_participants is None
    assert reason in sv.unavailable["mentions"]
    assert reason in sv.unavailable["cost_per_engaged_participant"]
    assert sv.cost == 100
