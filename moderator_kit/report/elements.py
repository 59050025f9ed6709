"""The parts of a report model: the :class:`ReportModel` every renderer draws, and its sections, facts, tables
and formulas.

The model is built by :func:`moderator_kit.report.build_report`; the HTML, PDF, XLSX and CSV renderers draw it and
nothing else, so every format shows the same numbers.

Examples
--------
>>> fact = Fact("cost", "Total cost", 1250.0, "$1,250")
>>> Section("costs", "Cost breakdown", facts=(fact,)).facts[0].display
'$1,250'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

import plotly.graph_objects as go
import polars as pl

from moderator_kit.value import ModeratorValue, SponsorValue
from moderator_kit.value.headline import VERDICT_LABELS

__all__ = ["Audience", "Column", "Fact", "Formula", "ReportModel", "ReportTable", "Section"]

Audience = Literal["sponsor", "moderator"]


@dataclass(frozen=True)
class Column:
    """A column of a report table: the frame's column ``key``, its heading, and how to show it.

    ``kind``: 'text', 'int', 'num', 'money', 'pct' (a share shown as %), 'signed_pct' (ROI), 'url' (a link, shown
    only when it is http(s)), 'links' (several URLs separated by spaces), 'code' (an id or handle).
    """

    key: str
    label: str
    kind: str = "text"
    in_document: bool = True


@dataclass(frozen=True)
class ReportTable:
    """One table: a sheet of the XLSX, a file of the CSV export, and (when ``in_document``) a table of the HTML/PDF.

    ``totals`` maps column keys to the value of a "Total" row shown under the table in the document (the report's
    headline figure that the column adds up to).
    """

    key: str
    title: str
    frame: pl.DataFrame
    columns: tuple[Column, ...]
    description: str = ""
    in_document: bool = True
    totals: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Fact:
    """One figure of the report: machine key, label, raw value, formatted value, and its assumption or reason."""

    key: str
    label: str
    value: float | None
    display: str
    note: str = ""


@dataclass(frozen=True)
class Formula:
    """A formula of the methodology appendix, with its source and the doc section that documents it."""

    key: str
    figure: str
    formula: str
    source: str
    doc: str
    audiences: tuple[str, ...] = ("sponsor",)


@dataclass(frozen=True)
class Section:
    """A section of the document: paragraphs, facts, figures (keys of ``ReportModel.figures``), tables (keys of
    ``ReportModel.tables``) and bullet lists."""

    key: str
    title: str
    paragraphs: tuple[str, ...] = ()
    facts: tuple[Fact, ...] = ()
    figures: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()
    bullets: tuple[str, ...] = ()
    appendix: bool = False


@dataclass(frozen=True)
class ReportModel:
    """Everything a report shows; every renderer draws this and nothing else."""

    audience: Audience
    chat: str
    title: str
    subject: str
    sponsor_key: str | None
    sessions: tuple[str, ...]
    all_sessions: tuple[str, ...]
    period: str
    generated_at: str
    snapshot_generated_at: str
    version: str
    verdict: str
    verdict_line: str
    reasons: tuple[str, ...]
    summary: str
    headline: tuple[Fact, ...]
    sections: tuple[Section, ...]
    tables: dict[str, ReportTable]
    figures: dict[str, go.Figure]
    value: SponsorValue | ModeratorValue
    formulas: tuple[Formula, ...]
    assumptions: tuple[str, ...]
    notes: tuple[str, ...]
    anonymized: bool
    include_text: bool

    @property
    def verdict_label(self) -> str:
        return VERDICT_LABELS.get(self.verdict, self.verdict.capitalize())

    @property
    def full_range(self) -> bool:
        """True when the report covers every session the value is defined on (the snapshot's figures as they are)."""
        return tuple(self.sessions) == tuple(self.all_sessions)

    @property
    def document_title(self) -> str:
        kind = "Sponsor ROI report" if self.audience == "sponsor" else "Moderator value report"
        return f"{kind}: {self.subject} — {self.title}"

    def facts(self) -> list[tuple[str, Fact]]:
        """(section title, fact) for every fact of every section, in document order."""
        return [(s.title, f) for s in self.sections for f in s.facts]

    def document_tables(self, section: Section) -> list[ReportTable]:
        return [self.tables[k] for k in section.tables if k in self.tables and self.tables[k].in_document]

    def file_name(self, fmt: str) -> str:
        """A default file name, e.g. ``jobhuntchat-brightpathcareers-sponsor-report.html``."""
        subject = self.sponsor_key if self.audience == "sponsor" else "moderator"
        stem = re.sub(r"[^a-z0-9_-]+", "-", f"{self.chat}-{subject}".lower()).strip("-")
        suffix = {"html": ".html", "pdf": ".pdf", "xlsx": ".xlsx", "csv": ".zip"}[fmt]
        return f"{stem}-{self.audience}-report{suffix}"
