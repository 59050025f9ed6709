"""Import reports: what happened to each source, and quarantine reasons grouped so that they can be counted.

Examples
--------
>>> import polars as pl
>>> reasons = pl.Series(["tweet 0: missing required field 'created_at'", "tweet 97: missing required field "
...                      "'created_at'", "invalid JSON: unexpected character at 3", "row has 5 fields, the header has 4"])
>>> count_reasons(reasons)
{"missing required field 'created_at'": 2, 'invalid JSON': 1, 'row has N fields, the header has N': 1}
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import polars as pl

__all__ = ["ImportReport", "reason_kind", "count_reasons"]


def reason_kind() -> pl.Expr:
    """A quarantine reason without what differs from record to record, so that equal problems group together.

    Importers word reasons as ``[<record kind> <position>: ]<problem>[: <details>]`` (for example
    ``tweet 3: missing required field 'created_at'`` or ``invalid JSON: …``): the position prefix and the details go,
    and numbers that remain (counts, ids) become ``N``.
    """
    return (
        pl.col("reason")
        .str.replace(r"^[A-Za-z]+ [0-9]+: ", "")
        .str.replace(r"(?s):.*", "")
        .str.replace_all(r"[0-9]+", "N")
        .str.strip_chars()
        .alias("reason")
    )


def count_reasons(reasons: pl.Series) -> dict[str, int]:
    """``{reason kind: records}``, most frequent first (ties in order of the reason text)."""
    counts = reasons.rename("reason").to_frame().select(reason_kind()).group_by("reason").len()
    return dict(counts.sort(["len", "reason"], descending=[True, False]).iter_rows())


@dataclass
class ImportReport:
    """What happened to one source in one import: ``records_seen = imported + duplicates + quarantined``."""

    source: str
    source_format: str
    records_seen: int
    imported: int
    duplicates: int
    quarantined: int
    reasons: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)

    def merge(self, other: ImportReport) -> ImportReport:
        """One report for two parts of the same source (for example two chunks of one file)."""
        reasons = dict(self.reasons)
        for reason, count in other.reasons.items():
            reasons[reason] = reasons.get(reason, 0) + count
        return ImportReport(
            source=self.source, source_format=self.source_format,
            records_seen=self.records_seen + other.records_seen, imported=self.imported + other.imported,
            duplicates=self.duplicates + other.duplicates, quarantined=self.quarantined + other.quarantined,
            reasons=dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        )
