"""The comparison report: several chats side by side, as HTML, PDF or XLSX, from one model.

It reuses the report pipeline's pieces: the Jinja2 environment (autoescape on), the safe chart JSON, plotly.js
inline once, the static charts of the PDF (kaleido), weasyprint's fetch-nothing URL fetcher, and the spreadsheet
formula neutralisation. Every figure and sentence comes from :class:`moderator_kit.compare.Comparison`; chat names
and titles are escaped (they come from the data).
"""

from __future__ import annotations

import os
import secrets
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import plotly.graph_objects as go
import polars as pl

from moderator_kit.compare import METRICS, Comparison, metric_text
from moderator_kit.errors import ModeratorKitError

__all__ = ["ComparisonReport", "build_comparison_report", "render_comparison", "render_comparison_html",
           "COMPARISON_FORMATS", "comparison_tables"]

COMPARISON_FORMATS = ("html", "pdf", "xlsx")


@dataclass
class ComparisonReport:
    comparison: Comparison
    sessions: pl.DataFrame
    generated_at: str
    figures: dict[str, go.Figure] = field(default_factory=dict)
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)

    @property
    def title(self) -> str:
        profile = self.comparison.profile
        return f"Which chat is worth it? {len(self.comparison.chats)} chats" + (f" for {profile.name}" if profile
                                                                                else "")

    def file_name(self, fmt: str) -> str:
        return f"compare-{'-'.join(c.chat for c in self.comparison.chats)[:80]}.{fmt}"


def comparison_tables(comparison: Comparison, sessions: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """The report's tables: ranking (shown text), figures (raw spread), per-session values, reference rows."""
    ranking = pl.DataFrame({
        "rank": [c.rank for c in comparison.chats],
        "chat": [c.chat for c in comparison.chats],
        "platform": [c.platform for c in comparison.chats],
        "sessions": [c.sessions for c in comparison.chats],
        "median": [metric_text(comparison.ranking_metric, c.figures[comparison.ranking_metric].median)
                   for c in comparison.chats],
        "verdict": [c.verdict or "" for c in comparison.chats],
        "reasons": ["; ".join(c.reasons) for c in comparison.chats],
    }, schema_overrides={"rank": pl.Int64})
    rows = []
    for c in comparison.chats:
        for name, s in c.figures.items():
            rows.append({"chat": c.chat, "figure": METRICS[name][0], "key": name,
                         "shown": f"{metric_text(name, s.median)} (IQR {metric_text(name, s.q1)}–"
                                  f"{metric_text(name, s.q3)})",
                         "median": s.median, "q1": s.q1, "q3": s.q3, "mean": s.mean, "ci95_low": s.low,
                         "ci95_high": s.high, "sessions": s.n})
        rows.append({"chat": c.chat, "figure": "First-timer return (whole chat)", "key": "first_timer_return",
                     "shown": f"{c.first_timers_returned} of {c.first_timers}",
                     "median": (c.first_timers_returned / c.first_timers) if c.first_timers else None,
                     "q1": None, "q3": None, "mean": None, "ci95_low": None, "ci95_high": None,
                     "sessions": c.sessions})
        rows.append({"chat": c.chat, "figure": "Reach basis", "key": "reach_basis", "shown": c.reach_basis,
                     "median": None, "q1": None, "q3": None, "mean": None, "ci95_low": None, "ci95_high": None,
                     "sessions": c.sessions})
    references = pl.DataFrame([
        {"chat": r.chat, "kind": r.kind, "sessions": r.sessions, "figure": f.label, "mean": f.mean, "sd": f.sd,
         "citation": r.citation, "url": r.url} for r in comparison.references for f in r.figures
    ], schema={"chat": pl.String, "kind": pl.String, "sessions": pl.Int64, "figure": pl.String, "mean": pl.Float64,
               "sd": pl.Float64, "citation": pl.String, "url": pl.String})
    return {"ranking": ranking, "figures": pl.DataFrame(rows, infer_schema_length=None), "sessions": sessions,
            "references": references}


def build_comparison_report(comparison: Comparison, sessions: pl.DataFrame) -> ComparisonReport:
    from moderator_kit.figures.compare import compare_trends, ranking_chart

    return ComparisonReport(
        comparison=comparison, sessions=sessions,
        generated_at=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        figures={"ranking": ranking_chart(comparison), "trends": compare_trends(sessions)},
        tables=comparison_tables(comparison, sessions),
    )


def render_comparison_html(report: ComparisonReport, *, mode: str = "html",
                           images: dict[str, tuple[str, bytes]] | None = None) -> str:
    from moderator_kit.report.html import _CHART_CONFIG, _environment, _plotly_js, chart_entries

    env = _environment()
    charts = chart_entries(report.figures, mode, images)
    comparison = report.comparison
    return env.get_template("compare.html.j2").render(
        report=report, comparison=comparison, mode=mode, nonce=secrets.token_urlsafe(18), charts=charts,
        chart_config=_CHART_CONFIG, plotly_js=_plotly_js() if mode == "html" else "",
        metrics=METRICS, metric_text=metric_text, figures_table=report.tables["figures"],
        css=env.get_template("report.css.j2").render(mode=mode, model=None),
    )


def _pdf_bytes(report: ComparisonReport) -> bytes:
    from weasyprint import HTML

    from moderator_kit.report.pdf import _url_fetcher, chart_images

    images, _problem = chart_images(report.figures)
    return HTML(string=render_comparison_html(report, mode="pdf", images=images),
                url_fetcher=_url_fetcher()).write_pdf()


def _xlsx(report: ComparisonReport, path: Path) -> Path:
    import xlsxwriter

    from moderator_kit.report.tables import neutralize, sheet_name

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    used: set[str] = set()
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    try:
        with xlsxwriter.Workbook(str(tmp), options) as workbook:
            workbook.set_properties({"title": report.title, "comments": "moderator-kit comparison report"})
            notes = pl.DataFrame({"note": report.comparison.indistinct + report.comparison.notes
                                  or ["Every difference in the ranking is beyond the noise."]})
            for key, frame in {**report.tables, "noise": notes}.items():
                neutralize(frame).write_excel(workbook, sheet_name(key, used), autofit=True,
                                              table_style="Table Style Medium 2", float_precision=6,
                                              freeze_panes=(1, 0))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def render_comparison(comparison: Comparison, sessions: pl.DataFrame, fmt: str,
                      output: Path | str | None = None) -> Path:
    """Write the comparison report as ``fmt`` ('html', 'pdf' or 'xlsx'); returns the path written."""
    fmt = fmt.lower().strip()
    if fmt not in COMPARISON_FORMATS:
        raise ModeratorKitError(f"unknown comparison report format {fmt!r}; use one of "
                                f"{', '.join(COMPARISON_FORMATS)}")
    report = build_comparison_report(comparison, sessions)
    path = Path(output) if output is not None else Path(report.file_name(fmt))
    if path.is_dir():
        path = path / report.file_name(fmt)
    from moderator_kit.report.pdf import write_atomic

    if fmt == "html":
        return write_atomic(path, render_comparison_html(report).encode("utf-8"))
    if fmt == "pdf":
        return write_atomic(path, _pdf_bytes(report))
    return _xlsx(report, path)
