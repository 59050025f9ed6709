"""The report's tables as a spreadsheet (XLSX: a summary sheet first, then one sheet per table) and as CSV files
(a zip, or a folder when the output path has no ``.zip`` suffix).

Both writers pass every table through :func:`neutralize` first: a text cell that starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return is prefixed with a single quote, so a spreadsheet shows it as text instead of
running it as a formula (OWASP, *CSV Injection*: https://owasp.org/www-community/attacks/CSV_Injection). Only text
cells are touched; numbers stay numbers. A cell that is nothing but a formatted signed figure ('-77.3%', '+97%',
'-$50', the report's own displays) is left as it is: it cannot hold a formula, and a quote would make the
spreadsheet show '-77.3% where the dashboard and the HTML report show -77.3%. The XLSX writer also turns off
xlsxwriter's conversion of strings to formulas, URLs and numbers.

Examples
--------
>>> import polars as pl
>>> neutralize(pl.DataFrame({"t": ["=1+1", "+x", "-2+3", "@a", "\\tx", "ok", None], "n": [-1, 2, 3, 4, 5, 6, 7]})).rows()
[("'=1+1", -1), ("'+x", 2), ("'-2+3", 3), ("'@a", 4), ("'\\tx", 5), ('ok', 6), (None, 7)]
>>> neutralize(pl.DataFrame({"t": ["-77.3%", "+97%", "-$1,250", "-1e3", "-$5 =A1"]}))["t"].to_list()
['-77.3%', '+97%', '-$1,250', "'-1e3", "'-$5 =A1"]
"""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from pathlib import Path

import polars as pl

from moderator_kit.report.elements import ReportModel, ReportTable

__all__ = ["neutralize", "write_xlsx", "write_csv", "sheet_name", "FORMULA_TRIGGERS", "FORMATTED_FIGURE"]

#: Characters that make a spreadsheet treat a cell as a formula (OWASP CSV-injection guidance).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_TRIGGER_PATTERN = r"^[=+\-@\t\r]"
#: A signed figure as moderator_kit.formats writes it: sign, optional currency symbol, digits with thousands
#: separators, optional decimals and percent sign. Nothing else fits, so no formula does.
FORMATTED_FIGURE = r"^[+\-][$€£]?[0-9]{1,3}(?:,[0-9]{3})*(?:\.[0-9]+)?%?$"


def _neutral(expr: pl.Expr) -> pl.Expr:
    risky = expr.str.contains(_TRIGGER_PATTERN) & ~expr.str.contains(FORMATTED_FIGURE)
    return pl.when(risky).then(pl.lit("'") + expr).otherwise(expr)


def neutralize(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix with ``'`` every text cell that starts with a formula trigger (=, +, -, @, tab, CR); lists of text are
    joined with '; ' first (spreadsheets and CSV hold no lists). Other columns are unchanged.

    >>> import polars as pl
    >>> neutralize(pl.DataFrame({"l": [["=a", "b"]]}))["l"].to_list()
    ["'=a; b"]
    """
    exprs = []
    for name, dtype in frame.schema.items():
        if dtype == pl.String:
            exprs.append(_neutral(pl.col(name)).alias(name))
        elif isinstance(dtype, pl.List):
            exprs.append(_neutral(pl.col(name).cast(pl.List(pl.String)).list.join("; ")).alias(name))
        elif dtype in (pl.Categorical, pl.Enum) or isinstance(dtype, (pl.Categorical, pl.Enum)):
            exprs.append(_neutral(pl.col(name).cast(pl.String)).alias(name))
        elif isinstance(dtype, pl.Struct):
            exprs.append(_neutral(pl.col(name).struct.json_encode()).alias(name))
    return frame.with_columns(exprs) if exprs else frame


def sheet_name(key: str, used: set[str]) -> str:
    """An Excel sheet name (at most 31 characters, no ``[]:*?/\\``), unique among ``used``.

    >>> used = set()
    >>> sheet_name("a" * 40, used), sheet_name("a" * 40, used)
    ('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaa_2')
    """
    clean = "".join("_" if ch in '[]:*?/\\' else ch for ch in key)[:31] or "sheet"
    name, n = clean, 2
    while name.lower() in {u.lower() for u in used}:
        suffix = f"_{n}"
        name = clean[: 31 - len(suffix)] + suffix
        n += 1
    used.add(name)
    return name


def _column_formats(table: ReportTable) -> dict[str, str]:
    formats = {"int": "#,##0", "money": "#,##0.00", "pct": "0.0%", "signed_pct": "+0.0%;-0.0%;0.0%",
               "num": "#,##0.####"}
    return {c.key: formats[c.kind] for c in table.columns
            if c.kind in formats and c.key in table.frame.columns and table.frame.schema[c.key].is_numeric()}


def _about(model: ReportModel) -> pl.DataFrame:
    """The report's identity (first rows of the summary sheet)."""
    rows = [
        ("report", model.document_title),
        ("chat", model.chat),
        ("subject", model.subject),
        ("sessions", ", ".join(model.sessions)),
        ("period", model.period),
        ("verdict", model.verdict_label),
        ("summary", model.summary),
        ("generated_at", model.generated_at),
        ("snapshot_generated_at", model.snapshot_generated_at),
        ("moderator_kit_version", model.version),
        ("anonymized", "yes" if model.anonymized else "no"),
        ("message_text_included", "yes" if model.include_text else "no"),
    ]
    return pl.DataFrame(rows, schema={"field": pl.String, "value": pl.String}, orient="row")


def _atomic_target(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    return Path(tmp)


def write_xlsx(model: ReportModel, path: Path | str) -> Path:
    """Write the report's tables to an XLSX workbook: 'summary' first, then one sheet per table.

    The summary sheet holds the report's identity (chat, sessions, verdict, summary), then every figure with its raw
    value, how it is shown, and its assumption. Money, share and count columns get number formats; the values are
    the model's, unrounded.
    """
    import xlsxwriter

    path = Path(path)
    tmp = _atomic_target(path)
    used: set[str] = set()
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
               "constant_memory": False}
    try:
        with xlsxwriter.Workbook(str(tmp), options) as workbook:
            workbook.set_properties({"title": model.document_title, "subject": model.subject,
                                     "comments": "moderator-kit report; figures traced in the 'trace' sheet"})
            summary = model.tables["summary"]
            name = sheet_name("summary", used)
            about = neutralize(_about(model))
            about.write_excel(workbook, name, position="A1", autofit=True, table_style="Table Style Light 1",
                              column_widths={"field": 160, "value": 700})
            neutralize(summary.frame).write_excel(
                workbook, name, position=(about.height + 3, 0), table_style="Table Style Medium 2",
                column_widths={"section": 150, "key": 170, "figure": 260, "value": 110, "display": 150,
                               "note": 600}, float_precision=6, column_formats=_column_formats(summary))
            for key, table in model.tables.items():
                if key == "summary":
                    continue
                frame = neutralize(table.frame)
                widths = {c: 320 if frame.schema[c] == pl.String and c in ("text", "note", "formula", "source",
                                                                           "assumption", "reason", "how",
                                                                           "which_messages", "basis_note")
                          else None for c in frame.columns}
                frame.write_excel(
                    workbook, sheet_name(key, used), autofit=True, table_style="Table Style Medium 2",
                    column_formats=_column_formats(table), float_precision=6, freeze_panes=(1, 0),
                    column_widths={c: w for c, w in widths.items() if w is not None} or None,
                )
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _readme(model: ReportModel) -> str:
    lines = [model.document_title, "", *(f"{k}: {v}" for k, v in _about(model).rows()), "", "Tables:"]
    lines += [f"- {key}.csv: {t.title}. {t.description}".rstrip() for key, t in model.tables.items()]
    lines += ["", "Text cells that start with =, +, -, @, a tab or a carriage return are prefixed with ' so that "
              "spreadsheets do not run them as formulas (OWASP CSV injection).", ""]
    return "\n".join(lines)


def _csv_bytes(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    neutralize(frame).write_csv(buffer, include_bom=True, quote_style="non_numeric")
    return buffer.getvalue()


def write_csv(model: ReportModel, path: Path | str) -> Path:
    """Write one CSV file per table (UTF-8 with a BOM, so spreadsheets read the accents) plus a README.txt.

    A path ending in ``.zip`` gets a zip archive; any other path is a folder (created, files replaced).
    """
    path = Path(path)
    files = {f"{key}.csv": _csv_bytes(table.frame) for key, table in model.tables.items()}
    files["README.txt"] = _readme(model).encode("utf-8")
    if path.suffix.lower() == ".zip":
        tmp = _atomic_target(path)
        try:
            with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for name, data in files.items():
                    archive.writestr(name, data)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        return path
    path.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        target = path / name
        tmp = _atomic_target(target)
        try:
            tmp.write_bytes(data)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
    return path
