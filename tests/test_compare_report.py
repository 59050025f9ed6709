"""The comparison report rendered and read back: HTML (selectolax), PDF (pdftotext), XLSX (openpyxl)."""

from __future__ import annotations

import shutil
import subprocess

import openpyxl
import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from moderator_kit.cli import main
from moderator_kit.compare import compare_chats, metric_text, parse_profile
from moderator_kit.report import render_comparison
from tests.compare_snapshots import random_chat

XSS = "<script>alert(1)</script>"


@pytest.fixture
def comparison(tmp_path):
    big = random_chat(tmp_path, "bigchat", seed=4, active=60)
    small = random_chat(tmp_path, "=HYPERLINK(1)", seed=3, active=15, platform="slack")
    meta_file = small.folder / "snapshot.json"
    meta_file.write_text(meta_file.read_text().replace('"#=HYPERLINK(1)"', '"' + XSS.replace("/", "\\/") + '"'))
    from moderator_kit.snapshot_store import Snapshot

    profile = parse_profile({"name": "Acme", "benchmark_cpm": 15, "fees": {"bigchat": 500, "=HYPERLINK(1)": 100}})
    return compare_chats([Snapshot(small.folder), big], profile)


def test_html_report_reads_back(comparison, tmp_path):
    result, frame = comparison
    path = render_comparison(result, frame, "html", tmp_path / "c.html")
    text = path.read_text()
    assert XSS not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    tree = HTMLParser(text)
    rows = tree.css("#table-ranking tbody tr")
    assert [r.attributes["data-chat"] for r in rows] == [c.chat for c in result.chats]
    first = result.chats[0]
    cells = [td.text(strip=True) for td in rows[0].css("td")]
    assert cells[4] == metric_text(result.ranking_metric, first.figures[result.ranking_metric].median)
    assert first.reasons[0] in rows[0].text()
    reference = tree.css("#table-reference tr.reference")
    assert reference and "#JHMChat" in reference[0].text() and "73 ± 24" in tree.css_first("#table-reference").text()
    assert "#JHMChat" not in tree.css_first("#table-ranking").text()
    assert {n.attributes["data-chart"] for n in tree.css("figure.chart")} == {"ranking", "trends"}


def test_xlsx_report_reads_back(comparison, tmp_path):
    result, frame = comparison
    path = render_comparison(result, frame, "xlsx", tmp_path / "c.xlsx")
    book = openpyxl.load_workbook(path)
    assert {"ranking", "figures", "sessions", "references", "noise"} <= set(book.sheetnames)
    ranking = list(book["ranking"].values)
    assert ranking[0][:3] == ("rank", "chat", "platform")
    assert {row[1] for row in ranking[1:]} == {"bigchat", "'=HYPERLINK(1)"}  # formula neutralised
    refs = list(book["references"].values)
    assert refs[1][0] == "#JHMChat" and "Wray" in refs[1][6]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_pdf_report_reads_back(comparison, tmp_path):
    result, frame = comparison
    path = render_comparison(result, frame, "pdf", tmp_path / "c.pdf")
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Ranking, with reasons" in text and "#JHMChat" in text and "bigchat" in text
    assert metric_text(result.ranking_metric, result.chats[0].figures[result.ranking_metric].median) in text


def test_cli_writes_the_report(tmp_path, capsys):
    random_chat(tmp_path, "one", seed=1)
    random_chat(tmp_path, "two", seed=2)
    out = tmp_path / "r.html"
    assert main(["compare", "--chats", "one,two", "-w", str(tmp_path), "--report", "html", "-o", str(out)]) == 0
    assert out.is_file() and f"wrote {out}" in capsys.readouterr().out
