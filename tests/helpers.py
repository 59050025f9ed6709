"""Tiny builders for canonical message frames used by the tests."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import polars as pl

from moderator_kit.schema import conform

__all__ = ["messages_frame", "at"]

BASE = datetime(2026, 1, 6, 1, 0, tzinfo=timezone.utc)  # Monday 2026-01-05 20:00 in New York


def at(minutes: float, base: datetime = BASE) -> datetime:
    return base + timedelta(minutes=minutes)


def messages_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Canonical messages from short dicts; ids, kinds and provenance get defaults."""
    filled = []
    for index, row in enumerate(rows):
        row = dict(row)
        row.setdefault("platform", "twitter")
        row.setdefault("message_id", str(index + 1))
        row.setdefault("kind", "post")
        row.setdefault("text", "")
        row.setdefault("source_file", "inline")
        row.setdefault("source_record", index + 1)
        row.setdefault("source_format", "inline")
        filled.append(row)
    frame = pl.DataFrame(filled, infer_schema_length=None)
    return conform(frame.with_columns(pl.col("created_at").dt.cast_time_unit("us").dt.convert_time_zone("UTC")))
