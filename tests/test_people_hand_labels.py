"""Role labels against hand labels of real archives nobody here wrote (``tests/data/role_labels*.csv``).

The labels were given by reading the messages before running the rules, following ``docs/labelling.md``; only the
labels are stored (platform, session, handle, label), never the archives' text. Two files:

- ``role_labels.csv`` (133 rows, people with ≥ 3 messages in a session): seen while the rules were tuned, so no
  longer held out;
- ``role_labels_holdout.csv`` (72 rows, people with 2 messages in the same sessions): labelled before the rule
  changes of issue 16's second round and never used to choose them.

Each archive is imported and analysed with its defaults; a row's prediction is its primary behaviour label
(``participant`` when none). Precision and recall per label are printed (run with ``-s``) for both sets, and the
figures in ``docs/labelling.md`` are asserted not to get worse (``FLOORS``, ``MAX_WRONG``).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from moderator_kit.api import import_archives
from moderator_kit.people.evaluate import BEHAVIOUR_LABELS, format_scores, label_scores, primary_behaviour
from moderator_kit.snapshot import analyze_chat

pytestmark = pytest.mark.real_data

DATA = Path(__file__).resolve().parent / "data"
SETS = {"seen": DATA / "role_labels.csv", "held-out": DATA / "role_labels_holdout.csv"}
ARCHIVES = {"slack": "slack-export-bcneng-2020", "discord": "discord-dce-json-cre8r"}
SCORED = ("advocate", "seeker", "self_promoter", "participant")
#: What the rules reach on these rows, as (precision, recall) floors a change must not go below. Advocates still fall
#: short of 0.9: docs/labelling.md says why, with examples. Before the second round of issue 16 (Spanish patterns, the
#: flat-thread advocate rule) advocate and seeker recall were 0.00 on both sets; the third round (first-person
#: questions, plural "you" questions under others' posts, three links for the loose self-promotion route) took seen
#: seeker from 0.80 / 0.73 to 0.91 / 0.91 and the 3 false self-promoters to none.
FLOORS = {
    "seen": {"advocate": (1.0, 0.36), "seeker": (0.9, 0.9), "participant": (0.88, 0.99)},
    "held-out": {"seeker": (1.0, 0.62), "participant": (0.85, 1.0)},
}
#: False positives of the behaviour labels on these rows must not grow.
MAX_WRONG = {
    "seen": {"advocate": 0, "seeker": 1, "self_promoter": 0},
    "held-out": {"advocate": 0, "seeker": 0, "self_promoter": 0},
}


def _truth(name: str) -> pl.DataFrame:
    return pl.read_csv(SETS[name], infer_schema=False)


@pytest.fixture(scope="module")
def predicted(real_data_dir, tmp_path_factory):
    """Primary behaviour label per (platform, session, handle), from ``analyze`` with its defaults."""
    frames = []
    for platform, folder in ARCHIVES.items():
        ws = tmp_path_factory.mktemp(f"labels_{platform}")
        import_archives([real_data_dir / folder], chat=platform, workspace=ws)
        snap = analyze_chat(ws, platform)
        roles = primary_behaviour(snap.table("roles").filter(pl.col("session_id").is_not_null()))
        frames.append(roles.with_columns(platform=pl.lit(platform)))
    return pl.concat(frames)


def _rows(name: str) -> pl.DataFrame:
    return _truth(name).filter(pl.col("label") != "unclear").select(
        "platform", session_id="session", handle="handle", persona="label")


def _scores(name: str, predicted: pl.DataFrame, platform: str | None = None) -> pl.DataFrame:
    rows = _rows(name)
    roles = predicted
    if platform:
        rows, roles = rows.filter(pl.col("platform") == platform), roles.filter(pl.col("platform") == platform)
    # keys include the platform: the same session id and handle may exist on two platforms
    key = pl.concat_str("platform", "session_id", separator="/")
    return label_scores(rows.with_columns(session_id=key), roles.with_columns(session_id=key), SCORED)


def test_hand_labels_are_enough_and_span_platforms():
    seen, held = _truth("seen"), _truth("held-out")
    for truth in (seen, held):
        assert truth.columns == ["platform", "session", "handle", "label"]
        assert set(truth["label"]) <= {*BEHAVIOUR_LABELS, "participant", "unclear"}
        assert truth.select("platform", "session", "handle").is_unique().all()
    assert seen.height >= 80 and seen["platform"].n_unique() >= 2
    assert held.height >= 30
    # held-out rows are new rows, not relabelled seen ones
    assert held.join(seen, on=["platform", "session", "handle"], how="semi").height == 0


@pytest.mark.parametrize("name", list(SETS))
def test_every_labelled_row_is_a_row_of_the_analysis(predicted, name):
    missing = _rows(name).join(predicted, on=["platform", "session_id", "handle"], how="anti")
    assert missing.height == 0, missing.rows()[:5]


@pytest.mark.parametrize("name", list(SETS))
def test_precision_and_recall_on_hand_labels(predicted, name):
    rows = _rows(name)
    for platform in ARCHIVES:
        n = rows.filter(pl.col("platform") == platform).height
        print("\n" + format_scores(f"{name} hand labels, {platform}: {n} rows", _scores(name, predicted, platform)))
    scores = _scores(name, predicted)
    print("\n" + format_scores(f"{name} hand labels, all platforms: {rows.height} rows", scores))
    by_label = {r["label"]: r for r in scores.to_dicts()}
    for label, (precision, recall) in FLOORS[name].items():
        row = by_label[label]
        assert (row["precision"] or 0) >= precision, row
        assert (row["recall"] or 0) >= recall, row
    for label, most in MAX_WRONG[name].items():
        row = by_label[label]
        assert row["predicted"] - row["hits"] <= most, row
