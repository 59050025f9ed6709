"""Sponsor ROI and moderator value reports: HTML, PDF, XLSX and CSV from one report model.

>>> from moderator_kit.report import build_report, render_report   # doctest: +SKIP
>>> snap = load_snapshot("ws", "jobhuntchat")                        # doctest: +SKIP
>>> render_report(snap, "html", "sponsor.html", sponsor="brightpathcareers", sessions=["1..4"])  # doctest: +SKIP

See ``docs/reports.md`` for what each report contains, the verdict rules, anonymization and the formula-injection
handling.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from moderator_kit.errors import ModeratorKitError
from moderator_kit.report.compare import render_comparison
from moderator_kit.report.context import resolve_sessions
from moderator_kit.report.elements import Audience, ReportModel
from moderator_kit.report.formulas import FORMULAS
from moderator_kit.report.model import build_report
from moderator_kit.snapshot_store import Snapshot

__all__ = ["FORMATS", "FORMULAS", "ReportModel", "build_report", "render_comparison", "render_model",
           "render_report", "resolve_sessions"]

#: The output formats.
FORMATS = ("html", "pdf", "xlsx", "csv")


def render_model(model: ReportModel, fmt: str, output: Path | str | None = None) -> Path:
    """Write a built report model in one format and return the path written.

    ``output`` may be a file path, an existing folder (the default file name goes inside it) or None (the default
    file name in the current folder). For ``csv``, a path ending in ``.zip`` gets a zip; any other path a folder of
    CSV files.
    """
    fmt = fmt.lower().strip()
    if fmt not in FORMATS:
        raise ModeratorKitError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")
    path = Path(output) if output is not None else Path(model.file_name(fmt))
    if path.is_dir() and not (fmt == "csv" and path.suffix.lower() != ".zip"):
        path = path / model.file_name(fmt)
    if fmt == "html":
        from moderator_kit.report.html import write_html

        return write_html(model, path)
    if fmt == "pdf":
        from moderator_kit.report.pdf import write_pdf

        return write_pdf(model, path)
    if fmt == "xlsx":
        from moderator_kit.report.tables import write_xlsx

        return write_xlsx(model, path)
    from moderator_kit.report.tables import write_csv

    return write_csv(model, path)


def render_report(
    snapshot: Snapshot | Path | str,
    fmt: str,
    output: Path | str | None = None,
    *,
    sponsor: str | None = None,
    sessions: Sequence[str | int] | str | None = None,
    audience: Audience = "sponsor",
    anonymize: bool = False,
    include_text: bool | None = None,
    salt: bytes | str | None = None,
) -> Path:
    """Build the report (:func:`build_report`, same options) and write it as ``fmt`` ('html', 'pdf', 'xlsx' or
    'csv'); returns the path written."""
    if fmt.lower().strip() not in FORMATS:
        raise ModeratorKitError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")
    model = build_report(snapshot, sponsor=sponsor, sessions=sessions, audience=audience, anonymize=anonymize,
                         include_text=include_text, salt=salt)
    return render_model(model, fmt, output)
