"""The blocks both reports are made of: facts (a figure with its display and assumption), the model's tables
(objectives, lists of lines, the summary of every figure) and the assembly of the :class:`ReportModel`.

Examples
--------
>>> fact("mentions", "Mentions", 1234).display
'1,234'
>>> lines_table("notes", "Notes", ["a", "b"], "note").frame.rows()
[(1, 'a'), (2, 'b')]
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

import polars as pl

from moderator_kit import __version__
from moderator_kit.formats import CURRENCY, fmt_int, fmt_metric, fmt_money
from moderator_kit.report.elements import Audience, Column, Fact, ReportModel, ReportTable, Section
from moderator_kit.snapshot_store import Snapshot
from moderator_kit.value.headline import VERDICT_LABELS

__all__ = ["assemble_model", "fact", "lines_table", "money", "objective_table", "objectives_fact",
           "objectives_line", "table_of"]

_UTC_FORMAT = "%Y-%m-%d %H:%M:%S UTC"


def money(x: float | None) -> str:
    """A money figure in the reports' currency."""
    return fmt_money(x, CURRENCY)


def _count(x: float | None) -> str:
    return fmt_int(x)


def fact(key: str, label: str, value: float | None, display: str | None = None, note: str = "",
         fmt=_count) -> Fact:
    """A Fact whose display is ``fmt(value)`` unless given."""
    return Fact(key=key, label=label, value=None if value is None else float(value),
                display=display if display is not None else fmt(value), note=note)



def _cast_utc_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Datetime columns as 'YYYY-MM-DD HH:MM:SS UTC' text (spreadsheets have no time zones)."""
    exprs = [pl.col(c).dt.convert_time_zone("UTC").dt.strftime(_UTC_FORMAT) if getattr(t, "time_zone", None)
             else pl.col(c).dt.strftime(_UTC_FORMAT.removesuffix(" UTC"))
             for c, t in frame.schema.items() if isinstance(t, pl.Datetime)]
    return frame.with_columns(exprs) if exprs else frame


def table_of(key: str, title: str, frame: pl.DataFrame, columns: Sequence[tuple[str, ...]], *,
             description: str = "", in_document: bool = True, totals: dict[str, Any] | None = None) -> ReportTable:
    """A ReportTable of the listed columns (key, label, kind[, 'data' = only in the XLSX/CSV])."""
    cols = tuple(Column(c[0], c[1], c[2], in_document=len(c) < 4 or c[3] != "data") for c in columns
                 if c[0] in frame.columns)
    frame = _cast_utc_text(frame.select([c.key for c in cols]))
    return ReportTable(key=key, title=title, frame=frame, columns=cols, description=description,
                       in_document=in_document, totals=dict(totals or {}))


def objective_table(objectives: Sequence[Any], scrub=lambda text: text) -> ReportTable:  # noqa: ANN001
    """The objectives against their targets, shown in each metric's unit."""
    # the shown columns are in each metric's unit, as on the dashboard and in the reasons (fmt_metric); the raw
    # numbers stay in the XLSX / CSV data columns
    def gap_shown(o: Any) -> str:
        if o.gap is None:
            return "n/a"
        shown = fmt_metric(o.metric, abs(o.gap))
        return ("-" if o.gap < 0 else "") + shown.lstrip("+-")

    rows = [
        {
            "stakeholder": o.stakeholder,
            "objective": scrub(o.label),
            "metric": o.metric,
            "target": o.target,
            "direction": "at least" if o.direction == "at_least" else "at most",
            "actual": o.actual,
            "status": "not measurable" if not o.available else ("met" if o.met else "missed"),
            "gap": o.gap,
            "target_shown": fmt_metric(o.metric, o.target),
            "actual_shown": fmt_metric(o.metric, o.actual),
            "gap_shown": gap_shown(o),
            "trend": o.trend,
            "note": o.note,
        }
        for o in objectives
    ]
    schema = {"stakeholder": pl.String, "objective": pl.String, "metric": pl.String, "target": pl.Float64,
              "direction": pl.String, "actual": pl.Float64, "status": pl.String, "gap": pl.Float64,
              "target_shown": pl.String, "actual_shown": pl.String, "gap_shown": pl.String,
              "trend": pl.String, "note": pl.String}
    frame = pl.DataFrame(rows, schema=schema)
    return table_of("objectives", "KPIs against the objectives", frame, [
        ("stakeholder", "Stakeholder", "text"), ("objective", "Objective", "text"), ("metric", "Metric", "code"),
        ("direction", "Direction", "text"), ("target_shown", "Target", "shown"), ("actual_shown", "Actual", "shown"),
        ("status", "Status", "text"), ("gap_shown", "Gap", "shown"), ("trend", "Trend", "text"),
        ("note", "How", "text"), ("target", "Target (raw)", "num", "data"), ("actual", "Actual (raw)", "num", "data"),
        ("gap", "Gap (raw)", "num", "data"),
    ], description="Each objective of the chat config, evaluated on the mean over the selected sessions "
                   "(a negative gap is how much the target was missed by).")


def lines_table(key: str, title: str, lines: Sequence[str], heading: str, description: str = "",
                in_document: bool = False) -> ReportTable:
    """A numbered list of lines as a table (by default only in the XLSX / CSV)."""
    frame = pl.DataFrame({"n": list(range(1, len(lines) + 1)), heading: list(lines)},
                         schema={"n": pl.Int64, heading: pl.String})
    return table_of(key, title, frame, [("n", "#", "int"), (heading, heading.capitalize(), "text")],
                    description=description, in_document=in_document)


def _summary_table(sections: Sequence[Section], verdict: str, reasons: Sequence[str],
                   headline: Sequence[Fact] = ()) -> ReportTable:
    rows = [{"section": "Verdict", "key": "verdict", "figure": "Verdict", "value": None,
             "display": VERDICT_LABELS.get(verdict, verdict), "note": " ".join(reasons)}]
    rows += [{"section": "Headline", "key": f.key, "figure": f.label, "value": f.value, "display": f.display,
              "note": f.note} for f in headline]
    rows += [{"section": s.title, "key": f.key, "figure": f.label, "value": f.value, "display": f.display,
              "note": f.note} for s in sections for f in s.facts]
    frame = pl.DataFrame(rows, schema={"section": pl.String, "key": pl.String, "figure": pl.String,
                                       "value": pl.Float64, "display": pl.String, "note": pl.String})
    return table_of("summary", "Summary", frame, [
        ("section", "Section", "text"), ("key", "Key", "code"), ("figure", "Figure", "text"),
        ("value", "Value", "num"), ("display", "Shown as", "text"), ("note", "Assumption or reason", "text"),
    ], description="Every figure of the report: its raw value, how it is shown, and its assumption.",
        in_document=False)


def objectives_line(objectives: Sequence[Any]) -> str:
    """'2 of 3 objectives met (missed: …)': the objectives in one line."""
    if not objectives:
        return "no objectives configured"
    met = sum(1 for o in objectives if o.met)
    missed = [o.label for o in objectives if o.available and not o.met]
    unmeasured = [o.label for o in objectives if not o.available]
    text = f"{met} of {len(objectives)} objectives met"
    if missed:
        text += f" (missed: {', '.join(missed)})"
    if unmeasured:
        text += f" (not measurable: {', '.join(unmeasured)})"
    return text


def objectives_fact(objectives: Sequence[Any]) -> Fact:
    """The 'Objectives met' fact of the headline."""
    met = sum(1 for o in objectives if o.met)
    return fact("objectives_met", "Objectives met", met if objectives else None,
                display=f"{met} of {len(objectives)}" if objectives else "none set")


def assemble_model(snap: Snapshot, meta: dict, ctx: Any, *, audience: Audience, value: Any,
                   selected: Sequence[str], all_sessions: Sequence[str], reasons: Any, sections: Any, tables: dict,
                   **fields: Any) -> ReportModel:
    """The report model of either audience: a summary table first, then the sections' tables."""
    return ReportModel(
        audience=audience, chat=snap.chat, sessions=tuple(selected), all_sessions=tuple(all_sessions),
        generated_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        snapshot_generated_at=str(meta.get("generated_at", "")), version=__version__, verdict=value.verdict,
        reasons=reasons, sections=sections, tables={"summary": _summary_table(sections, value.verdict, reasons,
                                                                     fields.get("headline", ())),
                                                    **tables},
        value=value, anonymized=ctx.pseudo is not None, include_text=ctx.include_text, **fields,
    )
