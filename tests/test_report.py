"""Sponsor and moderator reports: every format rendered for the bundled sample's sponsor and read back, figures
equal to the snapshot's, traceability to message counts, formula injection, anonymization and script payloads."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from moderator_kit.api import import_archives
from moderator_kit.config import ChatConfig
from moderator_kit.errors import ModeratorKitError
from moderator_kit.figures.theme import fmt_pct
from moderator_kit.formats import fmt_roi
from moderator_kit.report import FORMULAS, build_report, render_model, render_report, resolve_sessions
from moderator_kit.report.anonymize import Pseudonymizer, load_salt, salt_path
from moderator_kit.report.model import safe_url
from moderator_kit.report.tables import FORMATTED_FIGURE, neutralize
from moderator_kit.snapshot import analyze_chat, sponsor_key
from moderator_kit.snapshot_store import Snapshot
from moderator_kit.value import SponsorValue, moderator_value, sponsor_value

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "jobhuntchat"
REQUIRE_TOOLS = os.environ.get("MODERATOR_KIT_REQUIRE_BROWSER") == "1"
SPONSOR_SECTIONS = {"summary", "objectives", "reach", "exposure", "audience", "messages", "costs", "efficiency", "roi",
                    "sensitivity", "trend", "trace", "methodology"}
MODERATOR_SECTIONS = {"summary", "hours", "outcomes", "objectives", "centrality", "reach", "trend", "trace",
                      "methodology"}
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
SCRIPT_PAYLOAD = "<script>window.__pwned=1;alert('x')</script>"
IMG_PAYLOAD = '<img src=x onerror="window.__pwned=1;alert(1)">'


# ---------------------------------------------------------------------------------------------------------------
# fixtures


@pytest.fixture(scope="session")
def report_workspace(tmp_path_factory) -> Path:
    if not (SAMPLE / "jobhuntchat.jsonl").exists():
        pytest.skip(f"the bundled sample is missing at {SAMPLE} (regenerate it: python -m moderator_kit.synth)")
    ws = tmp_path_factory.mktemp("report_ws")
    import_archives([SAMPLE / "jobhuntchat.jsonl"], chat="jobhuntchat", workspace=ws, config=SAMPLE / "chat.yaml")
    analyze_chat(ws, "jobhuntchat")
    return ws


@pytest.fixture(scope="session")
def snap(report_workspace) -> Snapshot:
    return Snapshot(report_workspace / "analysis" / "chat=jobhuntchat")


@pytest.fixture(scope="session")
def sponsor(snap):
    """The sample's sponsor (from the config the snapshot was made with)."""
    return ChatConfig.model_validate(snap.meta["config"]).sponsors[0]


@pytest.fixture(scope="session")
def sponsor_model(snap):
    return build_report(snap)


@pytest.fixture(scope="session")
def stored_value(snap) -> SponsorValue:
    return SponsorValue.model_validate(next(iter(snap.meta["sponsors"].values())))


@pytest.fixture(scope="session")
def rendered(sponsor_model, tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("reports")
    return {
        "html": render_model(sponsor_model, "html", out / "report.html"),
        "pdf": render_model(sponsor_model, "pdf", out / "report.pdf"),
        "xlsx": render_model(sponsor_model, "xlsx", out / "report.xlsx"),
        "zip": render_model(sponsor_model, "csv", out / "report.zip"),
        "folder": render_model(sponsor_model, "csv", out / "csv"),
    }


def same(a, b) -> bool:
    """Equal, with floats equal to 12 significant digits (polars may sum floats in another order)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, (int, float)) and not isinstance(b, bool):
        return a == pytest.approx(b, rel=1e-12, abs=1e-15)
    return a == b


def participant_handles(snapshot: Snapshot, keep: set[str]) -> set[str]:
    """Every handle the messages name (authors, targets, mentions), minus the kept ones."""
    frame = snapshot.table("messages")
    handles = set(frame["author_handle"].drop_nulls().to_list())
    for col in ("reply_to_author_handle", "repost_of_author_handle", "quote_of_author_handle"):
        handles |= set(frame[col].drop_nulls().to_list())
    handles |= set(frame["mentions"].explode().drop_nulls().to_list())
    return {h for h in handles if h} - keep


def leaked(text: str, handles: set[str]) -> set[str]:
    found = set()
    for handle in handles:
        if re.search(rf"(?<![A-Za-z0-9_]){re.escape(handle)}(?![A-Za-z0-9_])", text, re.IGNORECASE):
            found.add(handle)
    return found


def pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        if REQUIRE_TOOLS:
            pytest.fail("pdftotext (poppler-utils) is required but missing")
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def xlsx_cells(path: Path) -> dict[str, list[list]]:
    book = openpyxl.load_workbook(path)
    return {ws.title: [[c for c in row] for row in ws.iter_rows()] for ws in book.worksheets}


def html_without_plotly(path: Path) -> str:
    from plotly.offline import get_plotlyjs

    return path.read_text(encoding="utf-8").replace(get_plotlyjs(), "")


def payload_snapshot(source: Snapshot, folder: Path) -> Snapshot:
    """A copy of the sample snapshot with script and formula payloads in names, texts, URLs and labels."""
    target = folder / "analysis" / "chat=jobhuntchat"
    shutil.copytree(source.folder, target)
    meta = json.loads((target / "snapshot.json").read_text())
    key = next(iter(meta["sponsors"]))
    meta["title"] = f"{SCRIPT_PAYLOAD}#JobHuntChat"
    meta["sponsors"][key]["sponsor"] = f"{IMG_PAYLOAD}BrightPath"
    meta["config"]["sponsors"][0]["name"] = f"{IMG_PAYLOAD}BrightPath"
    meta["sponsors"][key]["reasons"].append('<iframe src="javascript:window.__pwned=1"></iframe>')
    meta["sponsors"][key]["objectives"][0]["label"] = '"><svg onload="window.__pwned=1">'
    meta["notes"] = ["</style><script>window.__pwned=1</script>", "=HYPERLINK(\"http://evil.example\",\"x\")"]
    (target / "snapshot.json").write_text(json.dumps(meta))
    top = pl.read_parquet(target / "sponsor_messages.parquet")
    payloads = [SCRIPT_PAYLOAD + " =1+1", "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(1+1)", "\t=1", "\r=1",
                IMG_PAYLOAD]
    texts = payloads + top["text"].to_list()[len(payloads):]
    urls = ["javascript:window.__pwned=1"] + top["url"].to_list()[1:]
    top = top.with_columns(text=pl.Series(texts[: top.height]), url=pl.Series(urls[: top.height]))
    top.write_parquet(target / "sponsor_messages.parquet")
    messages = pl.read_parquet(target / "messages.parquet")
    bad_urls = ["javascript:window.__pwned=1", 'https://ok.example/"><script>window.__pwned=1</script>']
    messages = messages.with_columns(
        urls=pl.when(pl.col("message_id") == top["message_id"][0]).then(pl.lit(bad_urls)).otherwise(pl.col("urls")))
    messages.write_parquet(target / "messages.parquet")
    return Snapshot(target)


# ---------------------------------------------------------------------------------------------------------------
# the model: figures equal the snapshot's, traceability


@pytest.mark.parametrize("fact, path", [
    ("cost", "cost"), ("mentions", "mentions"), ("share_of_voice", "share_of_voice"),
    ("engaged_participants", "engaged_participants"), ("sponsor_posts", "sponsor_posts"),
    ("potential_impressions", "chat_potential_impressions"), ("impressions_mid", "chat_impressions.mid"),
    ("attributable_messages", "attributable_messages"), ("sponsor_impressions_mid", "impressions.mid"),
    ("cpm_mid", "cpm.mid"), ("value_mid", "value.mid"), ("roi_mid", "roi.mid"), ("chat_roi_mid", "chat_roi.mid"),
    ("break_even_cpm", "cpm.mid"), ("cost_per_mention", "cost_per_mention"),
    ("cost_per_engaged_participant", "cost_per_engaged_participant"),
])
def test_sponsor_figures_equal_the_snapshot(sponsor_model, stored_value, fact, path):
    expected = stored_value
    for part in path.split("."):
        expected = getattr(expected, part)
    facts = {f.key: f for _, f in sponsor_model.facts()}
    assert facts[fact].value == (None if expected is None else float(expected))
    summary = sponsor_model.tables["summary"].frame
    assert summary.filter(pl.col("key") == fact)["value"][0] == facts[fact].value


def test_measured_views_are_one_figure_not_a_range(sponsor_model, stored_value, rendered):
    """The sample's impressions are measured views: no low / high figures, no break-even exposure rate."""
    assert stored_value.impressions_measured
    keys = {f.key for _, f in sponsor_model.facts()}
    assert not {k for k in keys if k.endswith(("_low", "_high"))}
    assert "break_even_exposure_rate" not in keys
    html = rendered["html"].read_text()
    assert "break-even exposure 0%" not in html.lower() and 'data-key="break_even_exposure_rate"' not in html
    assert sponsor_model.tables["roi"].frame.height == 1
    roi_chart, sensitivity = sponsor_model.figures["roi"], sponsor_model.figures["sensitivity"]
    assert len(roi_chart.data[0].x) == 1  # one bar, not three identical ones
    assert sensitivity.data[0].type == "bar"  # ROI against the benchmark CPM only
    assert len(set(sensitivity.data[0].y)) == len(sensitivity.data[0].y) == 5


def test_objectives_are_shown_in_their_units_as_in_the_reasons(sponsor_model):
    """Shares and ROI as percentages, never raw fractions, and the same text as the verdict's reasons."""
    frame = sponsor_model.tables["objectives"].frame.filter(pl.col("stakeholder") == "sponsor")
    by_metric = {r["metric"]: r for r in frame.iter_rows(named=True)}
    share, roi = by_metric["share_of_voice"], by_metric["roi_mid"]
    assert (share["target_shown"], share["actual_shown"], share["gap_shown"]) == ("5%", "4.8%", "-0.2%")
    assert roi["actual_shown"] == fmt_roi(roi["actual"]) and roi["gap_shown"].startswith("-")
    reasons = " ".join(sponsor_model.reasons)
    assert "share of voice ≥ 5% (actual 4.8%, missed by 0.2%" in reasons
    assert "0.0481" not in reasons and "0.00194" not in reasons


def test_the_verdict_and_reasons_are_the_snapshots(sponsor_model, stored_value):
    assert sponsor_model.verdict == stored_value.verdict
    assert list(sponsor_model.reasons) == stored_value.reasons
    assert sponsor_model.value == stored_value
    assert sponsor_model.full_range


def test_recomputing_over_every_sponsored_session_gives_no_drift(snap, stored_value):
    """The sub-range path (sponsor_value over the snapshot's rows) reproduces the stored value exactly."""
    cfg = ChatConfig.model_validate(snap.meta["config"])
    sponsor = cfg.sponsors[0]
    exposure = snap.table("sponsor_exposure").filter(pl.col("sponsor") == sponsor_key(sponsor))
    again = sponsor_value(exposure, snap.table("reach"), sponsor, cfg.exposure_rates, exposure.height)
    assert same(again.model_dump(mode="json"), stored_value.model_dump(mode="json"))
    nodes = snap.table("nodes").filter(pl.col("session_id") != "all")
    moderator = moderator_value(snap.table("kpis"), cfg, snap.meta["moderators"], nodes)
    assert same(moderator.model_dump(mode="json"), snap.meta["moderator_value"])


def test_the_trace_recounts_every_count_from_the_messages(sponsor_model):
    trace = sponsor_model.tables["trace"].frame.filter(pl.col("recount_from_messages").is_not_null())
    assert trace.height >= 10
    for figure, value, recount in trace.select("figure", "value", "recount_from_messages").iter_rows():
        assert recount == pytest.approx(value, rel=1e-12), figure
    evidence = sponsor_model.tables["evidence"].frame
    assert evidence.height == sponsor_model.value.attributable_messages  # every attributable message, listed
    assert evidence["mention"].sum() == sponsor_model.value.mentions
    assert evidence.filter(pl.col("by_sponsor") & pl.col("original")).height == sponsor_model.value.sponsor_posts


@pytest.mark.parametrize("column", ["messages", "originals", "mentions", "sponsor_posts", "engagement_in_data",
                                    "engaged_participants", "potential_impressions", "impressions_mid",
                                    "sponsor_impressions_mid", "cost"])
def test_per_session_rows_add_up_to_the_totals(sponsor_model, column):
    table = sponsor_model.tables["sessions"]
    assert table.frame[column].sum() == pytest.approx(table.totals[column], rel=1e-9)


def test_audience_mix_adds_up_to_the_engaged_participants(sponsor_model):
    mix = sponsor_model.tables["audience_mix"].frame
    assert mix["participant_sessions"].sum() == sponsor_model.value.engaged_participants
    assert mix["share"].sum() == pytest.approx(1.0)


def test_every_formula_cites_an_existing_doc_section():
    def slug(heading: str) -> str:
        return re.sub(r"[^a-z0-9 _-]", "", heading.strip().lower()).replace(" ", "-")

    for formula in FORMULAS:
        doc, _, anchor = formula.doc.partition("#")
        text = (ROOT / doc).read_text()
        headings = {slug(h) for h in re.findall(r"^#+ (.+)$", text, flags=re.M)}
        assert anchor in headings, f"{formula.key}: {formula.doc} has no such heading"
        assert formula.formula and formula.source


def test_a_session_range_recomputes_from_the_selected_rows(snap, stored_value):
    model = build_report(snap, sessions=["1..3"])
    assert model.sessions == tuple(resolve_sessions(snap, ["1..3"]))
    assert len(model.sessions) == 3 and not model.full_range
    assert model.value.cost == pytest.approx(stored_value.costs.per_session * 3)
    exposure = snap.table("sponsor_exposure").filter(pl.col("session_id").is_in(list(model.sessions)))
    assert model.value.mentions == exposure["mentions"].sum()
    assert set(model.tables["top_messages"].frame["session_id"].to_list()) <= set(model.sessions)
    rest = build_report(snap, sessions=["4..12"])
    assert model.value.mentions + rest.value.mentions == stored_value.mentions
    assert model.value.cost + rest.value.cost == pytest.approx(stored_value.cost)


def test_a_total_cost_is_prorated_over_a_session_range(snap, tmp_path):
    target = tmp_path / "analysis" / "chat=jobhuntchat"
    shutil.copytree(snap.folder, target)
    meta = json.loads((target / "snapshot.json").read_text())
    meta["config"]["sponsors"][0]["costs_per"] = "total"
    (target / "snapshot.json").write_text(json.dumps(meta))
    model = build_report(Snapshot(target), sessions=["1..3"])
    total = ChatConfig.model_validate(meta["config"]).sponsors[0].costs.total
    assert model.value.cost == pytest.approx(total * 3 / 12)
    assert any("3/12" in a for a in model.assumptions)


@pytest.mark.parametrize("spec, expected", [
    (None, 12), (["1"], 1), ("2026-01-12", 1), (["1..3", "5"], 4), ("10..", 3), ([2, 4], 2),
])
def test_resolve_sessions(snap, spec, expected):
    assert len(resolve_sessions(snap, spec)) == expected


@pytest.mark.parametrize("kwargs, message", [
    ({"sponsor": "nobody"}, "no sponsor 'nobody'"),
    ({"sessions": ["99"]}, "no session '99'"),
    ({"audience": "board"}, "unknown report audience"),
])
def test_user_errors_are_one_readable_line(snap, kwargs, message):
    with pytest.raises(ModeratorKitError, match=message) as err:
        build_report(snap, **kwargs)
    assert "\n" not in str(err.value)


def test_a_chat_without_sponsors_says_what_to_do(snap, tmp_path):
    target = tmp_path / "analysis" / "chat=jobhuntchat"
    shutil.copytree(snap.folder, target)
    meta = json.loads((target / "snapshot.json").read_text())
    meta["sponsors"], meta["config"]["sponsors"] = {}, []
    (target / "snapshot.json").write_text(json.dumps(meta))
    with pytest.raises(ModeratorKitError, match="no sponsors in its config"):
        build_report(Snapshot(target))
    assert build_report(Snapshot(target), audience="moderator").verdict in ("worthwhile", "not worthwhile", "unclear")


@pytest.mark.parametrize("how", ["key", "at_handle", "name", "hashtag"])
def test_the_sponsor_is_found_by_handle_name_or_hashtag(snap, sponsor, how):
    wanted = {"key": sponsor.handles[0], "at_handle": "@" + sponsor.handles[0].upper(), "name": sponsor.name,
              "hashtag": "#" + sponsor.hashtags[0]}[how]
    assert build_report(snap, sponsor=wanted).sponsor_key == sponsor_key(sponsor)


# ---------------------------------------------------------------------------------------------------------------
# formats read back


def test_html_has_every_section_the_verdict_and_no_external_resource(rendered, sponsor_model, stored_value):
    tree = HTMLParser(rendered["html"].read_text(encoding="utf-8"))
    sections = {node.attributes["id"] for node in tree.css("section.section")}
    assert sections == SPONSOR_SECTIONS
    verdict = tree.css_first("#verdict")
    assert verdict.attributes["data-verdict"] == stored_value.verdict
    assert sponsor_model.verdict_label in verdict.text()
    reasons = [li.text(strip=True) for li in tree.css("#verdict-reasons li")]
    assert reasons == [r.strip() for r in stored_value.reasons]
    roi = tree.css_first('table.facts tr[data-key="roi_mid"] td.value').text()
    assert roi == fmt_pct(stored_value.roi.mid, signed=True)
    # self-contained: plotly.js inline once, one JSON block per chart, nothing fetched
    scripts = tree.css("script")
    code = [s for s in scripts if s.attributes.get("type") != "application/json"]
    assert len(code) == 2 and all(s.attributes.get("nonce") for s in code)
    assert len([s for s in scripts if s.attributes.get("type") == "application/json"]) == len(sponsor_model.figures)
    for node in tree.css("[src]"):
        assert node.attributes["src"].startswith("data:")
    assert not tree.css("link[rel=stylesheet]")
    for link in tree.css("a[href]"):
        assert link.attributes["href"].startswith(("https://", "http://", "#"))
    csp = tree.css_first('meta[http-equiv="Content-Security-Policy"]').attributes["content"]
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp


def test_html_tables_show_the_snapshot_figures(rendered, stored_value):
    tree = HTMLParser(rendered["html"].read_text(encoding="utf-8"))
    total = tree.css_first("#table-sessions tfoot tr").text(separator="|", strip=True).split("|")
    assert total[0] == "Total" and f"{stored_value.mentions:,}" in total
    top = tree.css("#table-top_messages tbody tr")
    assert len(top) == 10
    links = [a for a in tree.css("#table-top_messages a") if "open" in a.text()]
    assert len(links) == 10 and all(a.attributes["href"].startswith("https://x.com/") for a in links)


def test_pdf_text_holds_the_sections_and_the_verdict(rendered, sponsor_model, stored_value):
    text = pdf_text(rendered["pdf"])
    for section in sponsor_model.sections:
        assert section.title in text, section.title
    assert f"Verdict: {stored_value.verdict}" in " ".join(text.split())
    assert "$8,430" in text and stored_value.sponsor in text
    pages = re.findall(r"Page \d+ of (\d+)", text)
    assert pages and int(pages[0]) > 3
    assert rendered["pdf"].read_bytes()[:5] == b"%PDF-"


def test_xlsx_has_a_summary_first_then_one_sheet_per_table(rendered, sponsor_model, stored_value):
    book = openpyxl.load_workbook(rendered["xlsx"])
    assert book.sheetnames[0] == "summary"
    assert set(book.sheetnames) == set(sponsor_model.tables)
    summary = book["summary"]
    rows = list(summary.iter_rows(values_only=True))
    assert ("verdict", sponsor_model.verdict_label) in {r[:2] for r in rows}
    header = next(i for i, r in enumerate(rows) if r[:3] == ("section", "key", "figure"))
    by_key = {r[1]: r[3] for r in rows[header + 1:] if r[1]}
    assert by_key["roi_mid"] == pytest.approx(stored_value.roi.mid, rel=1e-12)
    assert by_key["cost"] == stored_value.cost
    assert by_key["mentions"] == stored_value.mentions
    trace = list(book["trace"].iter_rows(values_only=True))
    assert trace[0][:3] == ("figure", "value", "display")
    evidence = list(book["evidence"].iter_rows(values_only=True))
    assert len(evidence) - 1 == sponsor_model.tables["evidence"].frame.height
    for ws in book.worksheets:
        assert all(cell.data_type != "f" for row in ws.iter_rows() for cell in row)


@pytest.mark.parametrize("kind", ["zip", "folder"])
def test_csv_export_holds_every_table(rendered, sponsor_model, stored_value, kind):
    if kind == "zip":
        with zipfile.ZipFile(rendered["zip"]) as archive:
            files = {name: archive.read(name) for name in archive.namelist()}
    else:
        files = {p.name: p.read_bytes() for p in rendered["folder"].iterdir()}
    assert set(files) == {f"{k}.csv" for k in sponsor_model.tables} | {"README.txt"}
    summary = pl.read_csv(io.BytesIO(files["summary.csv"]))
    assert summary.columns[0] == "section"
    assert summary.filter(pl.col("key") == "roi_mid")["value"][0] == pytest.approx(stored_value.roi.mid, rel=1e-12)
    sessions = pl.read_csv(io.BytesIO(files["sessions.csv"]))
    assert sessions["mentions"].sum() == stored_value.mentions


def test_the_moderator_report(snap, tmp_path):
    model = build_report(snap, audience="moderator")
    stored = snap.meta["moderator_value"]
    assert model.verdict == stored["verdict"] and model.value.model_dump(mode="json") == stored
    facts = {f.key: f.value for _, f in model.facts()}
    assert facts["hours_invested"] == stored["hours_invested"]
    assert facts["participants_per_hour"] == stored["outcomes"]["participants_per_hour"]
    trace = model.tables["trace"].frame.filter(pl.col("figure") == "Participant-sessions")
    assert trace["recount_from_messages"][0] == trace["value"][0]
    path = render_model(model, "html", tmp_path)
    tree = HTMLParser(path.read_text(encoding="utf-8"))
    assert {n.attributes["id"] for n in tree.css("section.section")} == MODERATOR_SECTIONS
    assert tree.css_first("#verdict").attributes["data-verdict"] == stored["verdict"]
    part = build_report(snap, audience="moderator", sessions="1..4")
    assert part.value.sessions_count == 4 and part.value.hours_invested == 4 * stored["hours_per_session"]


def test_render_report_writes_the_default_name_into_a_folder(snap, sponsor, tmp_path):
    path = render_report(snap, "xlsx", tmp_path, sessions="2")
    assert path.parent == tmp_path and path.name == f"jobhuntchat-{sponsor_key(sponsor)}-sponsor-report.xlsx"
    with pytest.raises(ModeratorKitError, match="unknown report format"):
        render_report(snap, "docx", tmp_path)


# ---------------------------------------------------------------------------------------------------------------
# security


@pytest.mark.parametrize("value", ["=1+1", "+1+1", "-1+A1", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)", "\t=1", "\r=1",
                                   "-1e3", "+$5 ", "-5%%"])
def test_neutralize_prefixes_formula_triggers(value):
    out = neutralize(pl.DataFrame({"s": [value, "fine"], "n": [-1.5, 2.0]}))
    assert out["s"].to_list() == ["'" + value, "fine"]
    assert out["n"].to_list() == [-1.5, 2.0]


@pytest.mark.parametrize("value", ["-77.3%", "+97%", "-$1,250", "+$12.50", "-0.2%", "-1"])
def test_formatted_signed_figures_stay_as_shown(value):
    """A report's own signed figure reads the same in the spreadsheet as on the dashboard (no quote)."""
    assert neutralize(pl.DataFrame({"s": [value]}))["s"].to_list() == [value]


@pytest.mark.parametrize("url, ok", [
    ("https://x.com/a/status/1", True), ("http://example.com/", True), ("javascript:alert(1)", False),
    ("JAVASCRIPT:alert(1)", False), ("data:text/html,<script>", False), ("//evil.example", False),
    ("https://a.example/\nx", False), ("ftp://a.example", False), ("", False),
])
def test_only_http_links_are_kept(url, ok):
    assert (safe_url(url) is not None) is ok


@pytest.fixture(scope="module")
def payload(snap, tmp_path_factory) -> Snapshot:
    return payload_snapshot(snap, tmp_path_factory.mktemp("payload"))


def test_script_payloads_stay_text_in_the_html(payload, tmp_path):
    path = render_report(payload, "html", tmp_path / "p.html")
    tree = HTMLParser(path.read_text(encoding="utf-8"))
    for node in tree.css("*"):
        assert not any(name.lower().startswith("on") for name in node.attributes), node.tag
    assert not tree.css("iframe, svg[onload], img")
    assert all(s.attributes.get("nonce") or s.attributes.get("type") == "application/json"
               for s in tree.css("script"))
    body = tree.body.text()
    assert SCRIPT_PAYLOAD in body and IMG_PAYLOAD in body
    hrefs = [a.attributes["href"] for a in tree.css("a[href]")]
    assert not [h for h in hrefs if "javascript" in h.lower()]


def test_formula_payloads_are_neutralized_in_xlsx_and_csv(payload, tmp_path):
    model = build_report(payload)
    xlsx = render_model(model, "xlsx", tmp_path / "p.xlsx")
    seen = 0
    for sheet in xlsx_cells(xlsx).values():
        for row in sheet:
            for cell in row:
                assert cell.data_type != "f"
                if (isinstance(cell.value, str) and cell.value.startswith(TRIGGERS)
                        and not re.fullmatch(FORMATTED_FIGURE, cell.value)):
                    pytest.fail(f"unneutralized cell {cell.coordinate}: {cell.value!r}")
                seen += isinstance(cell.value, str) and cell.value.startswith("'")
    assert seen >= 7
    archive = render_model(model, "csv", tmp_path / "p.zip")
    with zipfile.ZipFile(archive) as zipped:
        for name in zipped.namelist():
            if name.endswith(".csv"):
                frame = pl.read_csv(io.BytesIO(zipped.read(name)), infer_schema_length=None)
                for col in [c for c, t in frame.schema.items() if t == pl.String]:
                    bad = frame.filter(pl.col(col).str.contains(r"^[=+\-@\t\r]")
                                       & ~pl.col(col).str.contains(FORMATTED_FIGURE))
                    assert bad.height == 0, (name, col, bad[col].to_list())


# ---------------------------------------------------------------------------------------------------------------
# anonymization


def test_the_salt_is_created_once_in_the_workspace(tmp_path):
    salt = load_salt(tmp_path)
    assert len(salt) == 32 and load_salt(tmp_path) == salt
    assert salt_path(tmp_path).stat().st_mode & 0o777 == 0o600


def test_pseudonyms_are_stable_and_keep_the_sponsor():
    one, two = Pseudonymizer(b"k" * 32, keep=["acme"]), Pseudonymizer(b"k" * 32, keep=["@ACME"])
    assert one.handle("Ann") == two.handle("@ann") != Pseudonymizer(b"j" * 32).handle("ann")
    assert one.handle("acme") == "acme"
    assert one.known(["ann"]).text("@Ann, ann and @acme") == f"@{one.handle('ann')}, {one.handle('ann')} and @acme"


@pytest.mark.parametrize("include_text", [False, True])
def test_anonymized_outputs_hold_no_participant_handle(snap, sponsor, report_workspace, tmp_path, include_text):
    model = build_report(snap, anonymize=True, include_text=include_text)
    assert salt_path(report_workspace).exists()
    handles = participant_handles(snap, keep=set(sponsor.handles))
    assert len(handles) > 50
    out = {fmt: render_model(model, fmt, tmp_path / f"r.{ext}") for fmt, ext in
           (("html", "html"), ("pdf", "pdf"), ("xlsx", "xlsx"), ("csv", "zip"))}
    html = html_without_plotly(out["html"])
    assert leaked(html, handles) == set()
    assert sponsor.handles[0] in html.lower()
    assert leaked(pdf_text(out["pdf"]), handles) == set()
    cells = " ".join(str(c.value) for sheet in xlsx_cells(out["xlsx"]).values() for row in sheet for c in row)
    assert leaked(cells, handles) == set()
    with zipfile.ZipFile(out["csv"]) as archive:
        csv_text = " ".join(archive.read(n).decode("utf-8-sig") for n in archive.namelist())
    assert leaked(csv_text, handles) == set()
    top = model.tables["top_messages"].frame
    assert top["author_handle"].str.starts_with("person-").all()
    evidence = model.tables["evidence"].frame
    if include_text:
        assert top["text"].drop_nulls().len() == top.height
        assert evidence["text"].str.contains("@person-").any()
        assert evidence["url"].str.starts_with("https://x.com/i/status/").all()
    else:
        assert "text" not in top.columns or top["text"].drop_nulls().len() == 0
        assert "Message" not in [c.label for c in model.tables["top_messages"].columns]
        assert evidence["url"].null_count() == evidence.height and "url" not in top.columns
    again = build_report(snap, anonymize=True, include_text=include_text)
    assert again.tables["top_messages"].frame["author_handle"].to_list() == top["author_handle"].to_list()


def test_the_anonymized_moderator_report_hides_the_moderators_too(snap, tmp_path):
    model = build_report(snap, audience="moderator", anonymize=True, salt=b"s" * 32)
    handles = participant_handles(snap, keep=set())
    html = html_without_plotly(render_model(model, "html", tmp_path / "m.html"))
    assert leaked(html, handles) == set()
    assert model.tables["centrality"].frame["handle"].str.starts_with("person-").all()
