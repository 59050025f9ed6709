"""Role labels against hand labels of real archives nobody here wrote (``tests/data/role_labels.csv``).

The labels were given by reading the messages before running the rules, following ``docs/labelling.md``; only the
labels are stored (platform, session, handle, label), never the archives' text. Each archive is imported and analysed
with its defaults; a row's prediction is its primary behaviour label (``participant`` when none). Precision and
recall per label are printed (run with ``-s``) and the figures in ``docs/labelling.md`` are asserted not to get
worse (``FLOORS``, ``MAX_WRONG``).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from moderator_kit.api import import_archives
from moderator_kit.people.evaluate import BEHAVIOUR_LABELS, format_scores, label_scores, primary_behaviour
from moderator_kit.snapshot import analyze_chat

pytestmark = pytest.mark.real_data

LABELS = Path(__file__).resolve().parent / "data" / "role_labels.csv"
ARCHIVES = {"slack": "slack-export-bcneng-2020", "discord": "discord-dce-json-cre8r"}
SCORED = ("advocate", "seeker", "self_promoter", "participant")
#: What the rules reach today on these rows, as floors a change must not go below. They fall far short of 0.9 for
#: advocates and seekers: docs/labelling.md says why, with examples (English-only language patterns on a Spanish
#: Slack; help given in one flat thread to one asker; no reception signals there).
FLOORS = {"participant": (0.75, 0.9)}
#: False positives of the behaviour labels on these rows must not grow (help-language and own-domain mistakes).
MAX_WRONG = {"advocate": 0, "seeker": 1, "self_promoter": 3}


@pytest.fixture(scope="module")
def scored(real_data_dir, tmp_path_factory):
    truth = pl.read_csv(LABELS, infer_schema=False).filter(pl.col("label") != "unclear")
    frames = []
    for platform, folder in ARCHIVES.items():
        ws = tmp_path_factory.mktemp(f"labels_{platform}")
        import_archives([real_data_dir / folder], chat=platform, workspace=ws)
        snap = analyze_chat(ws, platform)
        roles = primary_behaviour(snap.table("roles").filter(pl.col("session_id").is_not_null()))
        rows = truth.filter(pl.col("platform") == platform).select(
            session_id="session", handle="handle", persona="label")
        frames.append((platform, rows, roles))
    return frames


def test_hand_labels_are_enough_and_span_platforms():
    truth = pl.read_csv(LABELS, infer_schema=False)
    assert truth.columns == ["platform", "session", "handle", "label"]
    assert truth.height >= 80 and truth["platform"].n_unique() >= 2
    assert set(truth["label"]) <= {*BEHAVIOUR_LABELS, "participant", "unclear"}
    assert truth.select("platform", "session", "handle").is_unique().all()


def test_every_labelled_row_is_a_row_of_the_analysis(scored):
    for platform, rows, roles in scored:
        missing = rows.join(roles, on=["session_id", "handle"], how="anti")
        assert missing.height == 0, (platform, missing.rows()[:5])


def test_precision_and_recall_on_hand_labels(scored):
    rows = pl.concat([r for _, r, _ in scored])
    roles = pl.concat([r for _, _, r in scored])
    for platform, r, ro in scored:
        print("\n" + format_scores(f"hand labels, {platform}: {r.height} rows", label_scores(r, ro, SCORED)))
    scores = label_scores(rows, roles, SCORED)
    print("\n" + format_scores(f"hand labels, all platforms: {rows.height} rows", scores))
    by_label = {r["label"]: r for r in scores.to_dicts()}
    for label, (precision, recall) in FLOORS.items():
        row = by_label[label]
        assert (row["precision"] or 0) >= precision, row
        assert (row["recall"] or 0) >= recall, row
    for label, most in MAX_WRONG.items():
        row = by_label[label]
        assert row["predicted"] - row["hits"] <= most, row
