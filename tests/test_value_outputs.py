"""One number, one value: the sponsor's figures read the same on the dashboard, in the HTML report and in the XLSX.

The sample's snapshot is analysed once; the sponsor page callback, the HTML report and the XLSX report are read back
and their cost, impressions, CPM, ROI and verdict compared with each other and with the snapshot.
"""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from moderator_kit.api import import_archives
from moderator_kit.config import Costs, ExposureRates, Sponsor
from moderator_kit.formats import fmt_int, fmt_money, fmt_roi
from moderator_kit.snapshot import analyze_chat, load_snapshot
from moderator_kit.value import SponsorValue, sponsor_headline, sponsor_value

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "jobhuntchat"
#: The headline figures compared across the outputs.
KEYS = ("cost", "impressions", "cpm", "roi", "value")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    if not (SAMPLE / "jobhuntchat.jsonl").exists():
        pytest.skip("the bundled sample is missing: python -m moderator_kit.synth --out sample_data")
    ws = tmp_path_factory.mktemp("outputs_ws")
    import_archives([SAMPLE / "jobhuntchat.jsonl"], chat="jobhuntchat", workspace=ws, config=SAMPLE / "chat.yaml")
    analyze_chat(ws, "jobhuntchat")
    return ws


@pytest.fixture(scope="module")
def snap(workspace):
    return load_snapshot(workspace, "jobhuntchat")


def _component(tree, cid):
    """The component with id ``cid`` in a Dash component tree."""
    if isinstance(tree, (list, tuple)):
        for item in tree:
            hit = _component(item, cid)
            if hit is not None:
                return hit
        return None
    if getattr(tree, "id", None) == cid:
        return tree
    children = getattr(tree, "children", None)
    return _component(children, cid) if children is not None else None


def _text(node) -> str:
    if node is None:
        return ""
    if isinstance(node, (str, int, float)):
        return str(node)
    if isinstance(node, (list, tuple)):
        return "".join(_text(n) for n in node)
    return _text(getattr(node, "children", None))


@pytest.fixture(scope="module")
def dashboard_figures(workspace, snap) -> dict[str, str]:
    """What the sponsor page callback shows: card values by key, and the verdict."""
    from dashboards.app import create_app

    app = create_app(workspace)
    page = sys.modules["dashboards.pages.sponsor"]
    update = getattr(page.update, "__wrapped__", page.update)
    key = next(iter(snap.meta["sponsors"]))
    with app.server.test_request_context("/"):
        _, body = update({"chat": "jobhuntchat", "mode": "all", "sessions": snap.session_ids()}, key)
    shown = {k: _text(_component(body, f"sp-kpi-{k}-value")) for k in KEYS}
    shown["verdict"] = _text(_component(body, "sp-verdict")).removeprefix("Verdict: ").rstrip(". ")
    return shown


@pytest.fixture(scope="module")
def report_files(snap, tmp_path_factory) -> dict[str, Path]:
    from moderator_kit.report import render_report

    out = tmp_path_factory.mktemp("reports")
    return {fmt: render_report(snap, fmt, out, audience="sponsor") for fmt in ("html", "xlsx")}


@pytest.fixture(scope="module")
def html_figures(report_files) -> dict[str, str]:
    tree = HTMLParser(report_files["html"].read_text(encoding="utf-8"))
    shown = {card.attributes["data-key"]: card.css_first(".v").text(strip=True)
             for card in tree.css("section.cards .card")}
    shown["verdict"] = tree.css_first("#verdict .value").text(strip=True)
    return shown


@pytest.fixture(scope="module")
def xlsx_figures(report_files) -> dict[str, str]:
    sheet = openpyxl.load_workbook(report_files["xlsx"], read_only=True)["summary"]
    rows = [r for r in sheet.iter_rows(values_only=True) if any(c is not None for c in r)]
    header = next(i for i, r in enumerate(rows) if r[:3] == ("section", "key", "figure"))
    table = [dict(zip(rows[header], r)) for r in rows[header + 1:]]
    shown = {r["key"]: r["display"] for r in table if r["section"] == "Headline"}
    shown["verdict"] = next(r["display"] for r in table if r["key"] == "verdict")
    return shown


@pytest.mark.parametrize("key", [*KEYS, "verdict"])
def test_sponsor_figures_are_identical_on_dashboard_html_and_xlsx(snap, dashboard_figures, html_figures,
                                                                  xlsx_figures, key):
    sv = SponsorValue.model_validate(next(iter(snap.meta["sponsors"].values())))
    expected = {f.key: f.display for f in sponsor_headline(sv)}[key]
    raw = {"cost": fmt_money(sv.cost), "impressions": fmt_int(sv.impressions.mid), "cpm": fmt_money(sv.cpm.mid),
           "roi": fmt_roi(sv.roi.mid), "value": fmt_money(sv.value.mid)}
    assert expected == raw.get(key, expected)  # the snapshot's numbers, in the one format
    assert dashboard_figures[key] == expected
    assert xlsx_figures[key] == expected
    if key != "value":  # the HTML cards carry every other headline figure; the value is in its own section
        assert html_figures[key] == expected


def test_the_reasons_quote_money_and_percentages_as_the_cards_do():
    """The card says '$703': the reasons must not say 'cost (702)', nor print raw fractions."""
    exposure = pl.DataFrame({"session_id": ["s1"], "messages": [10], "originals": [8], "mentions": [4],
                             "related_messages": [4], "related_measured_impressions": [0.0],
                             "related_exposure_base": [1_000_000.0]})
    reach = pl.DataFrame({"session_id": ["s1"], "reach_basis": ["followers"], "potential_impressions": [1_000_000],
                          "measured_impressions": [0.0], "exposure_base": [1_000_000.0], "basis_note": ["f"]})
    sponsor = Sponsor(name="Acme", costs=Costs(fee=702.5), benchmark_cpm=20)
    sv = sponsor_value(exposure, reach, sponsor, ExposureRates(), 1)
    cards = {f.key: f.display for f in sponsor_headline(sv)}
    assert cards["cost"] == "$703"
    reasons = " ".join(sv.reasons)
    assert "$703" in reasons and "702" not in reasons
    assert cards["roi"] in reasons  # the mid ROI, formatted as on the card
    assert "0.0" not in reasons  # no raw fractions


@pytest.mark.parametrize("fee", [0.0, 1.0])
def test_sample_sponsor_named_in_the_data_can_pay_back_a_never_named_one_cannot(snap, fee):
    """Same chat, same low cost: the sample's sponsor (named 179 times) pays back; one nobody names gets no verdict
    but 'no evidence of exposure', though the whole chat's audience is the same for both."""
    from moderator_kit.config import ChatConfig
    from moderator_kit.value import sponsor_exposure

    cfg = ChatConfig.model_validate(snap.meta["config"])
    messages, reach = snap.table("messages"), snap.table("reach")
    cheap = {"costs": Costs(fee=fee), "objectives": []}
    named = cfg.sponsors[0].model_copy(update=cheap)
    never_named = Sponsor(name="Quiet Harbor Staffing", handles=["quietharborhq"], hashtags=["quietharborjobs"],
                          domains=["quietharbor.example"], **cheap)
    values = {}
    for sponsor in (named, never_named):
        exposure = sponsor_exposure(messages, sponsor, None, config=cfg)
        values[sponsor.name] = sponsor_value(exposure, reach, sponsor, cfg.exposure_rates)
    good, quiet = values[named.name], values[never_named.name]
    assert good.attributable_messages > 0 and good.verdict == "worthwhile"
    assert quiet.attributable_messages == 0 and quiet.verdict == "no evidence of exposure"
    assert quiet.chat_impressions == good.chat_impressions  # the same upper bound: it decides nothing
