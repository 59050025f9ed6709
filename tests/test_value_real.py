"""A real Slack archive with audience_members set and a sponsor nobody names: no positive verdict, and the reach
is explained on the basis actually used (members), not followers."""

from __future__ import annotations

import pytest

from moderator_kit.api import import_archives
from moderator_kit.config import parse_config
from moderator_kit.snapshot import analyze_chat, load_snapshot
from moderator_kit.value import SponsorValue

pytestmark = pytest.mark.real_data

CONFIG = {
    "chat": "bcneng",
    "audience_members": 500,
    "sponsors": [{"name": "Nimbus Cloud Hosting", "handles": ["nimbuscloudhq"], "hashtags": ["nimbuscloud"],
                  "domains": ["nimbus-cloud.example"], "costs": {"fee": 1}, "benchmark_cpm": 1000}],
}


@pytest.fixture(scope="module")
def slack_workspace(real_data_dir, tmp_path_factory):
    ws = tmp_path_factory.mktemp("slack_value")
    import_archives([real_data_dir / "slack-export-bcneng-2020"], chat="bcneng", workspace=ws)
    analyze_chat(ws, "bcneng", config=parse_config(CONFIG))
    return ws


@pytest.fixture(scope="module")
def slack_snapshot(slack_workspace):
    return load_snapshot(slack_workspace, "bcneng")


def test_never_named_sponsor_on_real_slack_gets_no_positive_verdict(slack_snapshot):
    sv = SponsorValue.model_validate(next(iter(slack_snapshot.meta["sponsors"].values())))
    assert sv.reach_basis == "members"
    assert sv.mentions == 0 and sv.engaged_participants == 0 and sv.attributable_messages == 0
    # a $1 fee and a $1,000 CPM would make the whole chat's audience look like a bargain: it is no evidence
    assert sv.chat_roi.mid is not None and sv.chat_roi.mid > 0
    assert sv.verdict == "no evidence of exposure"
    assert sv.roi.mid is None and sv.value.mid is None and sv.cpm.mid is None
    assert "handles, hashtags and domains" in sv.reasons[0]
    assert "upper bound, if every participant saw the sponsorship" in sv.reasons[1]


def test_real_slack_report_states_the_members_basis(slack_snapshot):
    from moderator_kit.report import build_report

    model = build_report(slack_snapshot)
    assert model.verdict == "no evidence of exposure" and model.verdict_label == "No evidence of exposure"
    facts = {f.key: f for _, f in model.facts()}
    assert "audience_members × messages" in facts["potential_impressions"].note
    assert "audience_members" in facts["unique_reach"].note
    assert "followers" not in facts["potential_impressions"].note + facts["unique_reach"].note
    assert "audience_members" in model.tables["reach"].description


def test_real_slack_dashboard_shows_no_evidence(slack_workspace, slack_snapshot):
    import sys

    from dashboards.app import create_app

    app = create_app(slack_workspace)
    page = sys.modules["dashboards.pages.sponsor"]
    update = getattr(page.update, "__wrapped__", page.update)
    key = next(iter(slack_snapshot.meta["sponsors"]))
    with app.server.test_request_context("/"):
        _, body = update({"chat": "bcneng", "mode": "all", "sessions": slack_snapshot.session_ids()}, key)
    text = str(body)
    assert "Verdict: No evidence of exposure." in text and "Worthwhile" not in text
    assert "slot in the agenda" in text
