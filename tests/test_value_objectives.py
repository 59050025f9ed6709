"""Objectives (met, missed, trend, unavailable) and the moderator's value, on hand-written KPIs."""

from __future__ import annotations

import json

import polars as pl
import pytest

from moderator_kit.config import Objective, parse_config
from moderator_kit.value.moderator import ModeratorValue, moderator_value
from moderator_kit.value.objectives import KPI_METRICS, evaluate_objectives, objective_results

KPIS = pl.DataFrame(
    {
        # rows deliberately out of order: the trend follows `number`, not the row order
        "session_id": ["2024-01-15", "2024-01-01", "2024-01-08", "2024-01-22"],
        "number": [3, 1, 2, 4],
        "active_participants": [30, 20, 25, 35],  # in order 20, 25, 30, 35: mean 27.5, latest 35, up
        "herding_score": [60.0, 80.0, 70.0, 50.0],  # 80, 70, 60, 50: mean 65, down
        "returning_share": [0.40, 0.41, 0.40, 0.41],  # flat
        "roi_mid": [None, None, None, None],  # a signal unavailable in every session
        "label_text": ["a", "b", "c", "d"],
    },
    schema_overrides={"roi_mid": pl.Float64},
)


def evaluate(*objectives: Objective, how: str = "mean", kpis: pl.DataFrame = KPIS) -> list[dict]:
    return evaluate_objectives({"moderator": list(objectives)}, kpis, how=how).to_dicts()


@pytest.mark.parametrize(
    ("objective", "how", "actual", "met", "gap"),
    [
        (Objective(metric="active_participants", target=25), "mean", 27.5, True, 2.5),
        (Objective(metric="active_participants", target=30), "mean", 27.5, False, -2.5),
        (Objective(metric="active_participants", target=30), "latest", 35.0, True, 5.0),
        # at_most: gap = target - actual, so missing an upper bound is negative too
        (Objective(metric="herding_score", target=60, direction="at_most"), "mean", 65.0, False, -5.0),
        (Objective(metric="herding_score", target=70, direction="at_most"), "mean", 65.0, True, 5.0),
        (Objective(metric="herding_score", target=50, direction="at_most"), "latest", 50.0, True, 0.0),
    ],
)
def test_met_missed_and_gap(objective, how, actual, met, gap):
    (row,) = evaluate(objective, how=how)
    assert (row["actual"], row["met"], row["gap"]) == (pytest.approx(actual), met, pytest.approx(gap))
    assert row["available"] is True and row["sessions"] == 4


def test_trend_up_down_flat():
    rows = evaluate(
        Objective(metric="active_participants", target=1),
        Objective(metric="herding_score", target=1),
        Objective(metric="returning_share", target=0.3),
    )
    assert [r["trend"] for r in rows] == ["up", "down", "flat"]


def test_trend_needs_two_sessions():
    (row,) = evaluate(Objective(metric="active_participants", target=1), kpis=KPIS.filter(pl.col("number") == 1))
    assert (row["trend"], row["sessions"], row["actual"]) == (None, 1, 20.0)


def test_latest_names_the_session():
    (row,) = evaluate(Objective(metric="active_participants", target=1), how="latest")
    assert row["note"] == "latest session (2024-01-22)"


@pytest.mark.parametrize(
    ("metric", "note"),
    [
        ("sponsor_mentions", "'sponsor_mentions' is not measured for this chat (no such KPI column)"),
        ("roi_mid", "no selected session has a value for 'roi_mid': the signal is unavailable"),
        ("label_text", "'label_text' is not a number in the KPIs"),
    ],
)
def test_unavailable_is_never_a_fake_zero(metric, note):
    (row,) = evaluate(Objective(metric=metric, target=0))
    assert row["available"] is False
    assert (row["actual"], row["met"], row["gap"], row["trend"]) == (None, None, None, None)
    assert row["note"] == note and row["sessions"] == 0


def test_nulls_and_infinities_are_skipped():
    kpis = pl.DataFrame({"session_id": ["a", "b", "c"], "number": [1, 2, 3], "roi_mid": [0.5, None, float("inf")]})
    (row,) = evaluate(Objective(metric="roi_mid", target=0), kpis=kpis)
    assert (row["actual"], row["sessions"]) == (0.5, 1)


def test_order_labels_and_stakeholders():
    out = evaluate_objectives(
        {
            "moderator": [Objective(metric="herding_score", target=70, label="Herding score")],
            "community": [Objective(metric="active_participants", target=20), Objective(metric="x", target=1)],
        },
        KPIS,
    )
    assert out.select("stakeholder", "metric", "label").rows() == [
        ("moderator", "herding_score", "Herding score"),
        ("community", "active_participants", "active_participants"),
        ("community", "x", "x"),
    ]
    assert out.columns == ["stakeholder", "metric", "label", "target", "direction", "actual", "met", "gap", "trend",
                           "available", "sessions", "note"]


def test_no_objectives_and_no_sessions():
    assert evaluate_objectives({}, KPIS).height == 0
    (row,) = evaluate(Objective(metric="active_participants", target=1), kpis=KPIS.clear())
    assert row["available"] is False


def test_kpis_without_number_use_session_order():
    (row,) = evaluate(Objective(metric="active_participants", target=1), kpis=KPIS.drop("number"))
    assert row["trend"] == "up"  # session ids are dates, so their order is the time order


def test_results_are_typed_and_serialise():
    results = objective_results(evaluate_objectives(
        {"moderator": [Objective(metric="active_participants", target=25), Objective(metric="nope", target=1)]},
        KPIS))
    assert [r.met for r in results] == [True, None]
    assert json.loads(json.dumps([r.model_dump(mode="json") for r in results]))[1]["available"] is False


def test_sample_metric_names_are_documented():
    for name in ("active_participants", "new_participants", "returning_share", "herding_score", "sponsor_mentions",
                 "share_of_voice", "engaged_participants", "estimated_impressions_mid", "roi_mid"):
        assert name in KPI_METRICS


# ---------------------------------------------------------------- the moderator's value

MOD_KPIS = pl.DataFrame(
    {
        "session_id": ["2024-01-01", "2024-01-08", "2024-01-15"],
        "number": [1, 2, 3],
        "active_participants": [20, 24, 30],
        "new_participants": [20, 8, 6],
        "returning_share": [0.0, 0.5, 0.6],
    }
)


def mod_config(**extra):
    return parse_config({"chat": "c", "moderators": ["@Mod"],
                         "moderator_effort": {"hours_per_session": 2.5, "hourly_rate": 40}, **extra})


def test_moderator_hours_and_outcomes_hand_computed():
    mv = moderator_value(MOD_KPIS, mod_config())
    # 3 sessions × 2.5 h = 7.5 h; × 40 = 300
    assert (mv.hours_invested, mv.cost) == (7.5, 300.0)
    o = mv.outcomes
    assert (o.active_participants_first, o.active_participants_last) == (20, 30)
    assert o.active_growth == 10 and o.active_growth_rate == pytest.approx(0.5)  # (30 - 20) / 20
    assert o.active_participants_total == 74 and o.active_trend == "up"
    # 74 participant-sessions / 7.5 h; 34 new / 7.5 h
    assert o.participants_per_hour == pytest.approx(74 / 7.5)
    assert o.new_participants_per_hour == pytest.approx(34 / 7.5)
    assert o.cost_per_participant_session == pytest.approx(300 / 74)
    assert o.cost_per_new_participant == pytest.approx(300 / 34)
    assert o.returning_share_mean == pytest.approx(1.1 / 3)
    assert o.herding_score_mean is None
    assert mv.moderators == ["mod"] and mv.sessions == ["2024-01-01", "2024-01-08", "2024-01-15"]


@pytest.mark.parametrize(
    ("objectives", "verdict"),
    [
        ({"moderator": [{"metric": "active_participants", "target": 20}]}, "worthwhile"),
        ({"moderator": [{"metric": "active_participants", "target": 20},
                        {"metric": "herding_score", "target": 70}]}, "unclear"),  # one not measurable
        ({"moderator": [{"metric": "active_participants", "target": 40},
                        {"metric": "new_participants", "target": 15}]}, "unclear"),  # missed, but growing
        ({}, "unclear"),
    ],
)
def test_moderator_verdict(objectives, verdict):
    mv = moderator_value(MOD_KPIS, mod_config(objectives=objectives))
    assert mv.verdict == verdict
    assert mv.reasons[0] == "7.5 hours invested over 3 sessions (cost 300.00)."


def test_moderator_not_worthwhile_when_most_objectives_are_missed_and_shrinking():
    shrinking = MOD_KPIS.with_columns(active_participants=pl.Series([30, 24, 20]))
    cfg = mod_config(objectives={"moderator": [{"metric": "active_participants", "target": 40}],
                                 "community": [{"metric": "returning_share", "target": 0.2}]})
    mv = moderator_value(shrinking, cfg)
    # active participants missed (mean 24.67 < 40), returning share met (0.367 >= 0.2): 1 of 2 is not "most"
    assert mv.verdict == "unclear"
    cfg = mod_config(objectives={"moderator": [{"metric": "active_participants", "target": 40},
                                               {"metric": "new_participants", "target": 20}]})
    mv = moderator_value(shrinking, cfg)
    assert mv.verdict == "not worthwhile"
    assert any("2 of 2 measurable objectives are missed" in r for r in mv.reasons)


def test_moderator_without_rate_or_kpis_says_so():
    cfg = parse_config({"chat": "c"})
    mv = moderator_value(MOD_KPIS.select("session_id", "number"), cfg)
    assert mv.cost is None and "hourly_rate" in mv.unavailable["cost"]
    assert mv.outcomes.active_participants_mean is None and "active_participants" in mv.unavailable
    assert mv.outcomes.participants_per_hour is None
    assert "centrality" in mv.unavailable


def test_moderator_centrality_from_graph_nodes():
    nodes = pl.DataFrame(
        {
            "session_id": ["2024-01-01"] * 3 + ["2024-01-08"] * 2 + ["2023-12-25"],
            "handle": ["mod", "ann", "bob", "ann", "mod", "mod"],
            "pagerank": [0.5, 0.3, 0.2, 0.6, 0.4, 0.9],
            "betweenness": [0.7, 0.1, 0.0, 0.5, 0.5, 0.0],
        }
    )
    mv = moderator_value(MOD_KPIS, mod_config(), nodes_by_session=nodes)
    (c,) = mv.centrality
    # 2023-12-25 is not a selected session. Ranks: 1st of 3, then 2nd of 2; betweenness 1st, then tied 1st
    assert (c.handle, c.sessions, c.participants_mean) == ("mod", 2, 2.5)
    assert c.pagerank_mean == pytest.approx(0.45) and c.pagerank_rank_mean == 1.5
    assert c.betweenness_mean == pytest.approx(0.6) and c.betweenness_rank_mean == 1.0


def test_moderator_value_serialises():
    mv = moderator_value(MOD_KPIS, mod_config(objectives={"moderator": [{"metric": "x", "target": 1}]}))
    assert ModeratorValue.model_validate(json.loads(json.dumps(mv.model_dump(mode="json")))) == mv
