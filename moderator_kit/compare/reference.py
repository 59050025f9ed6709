"""Published reference figures (``reference.yaml``): shown beside a comparison as reference rows, never ranked.

Examples
--------
>>> rows = reference_rows()
>>> rows[0].chat, rows[0].figures[1].mean, rows[0].figures[1].sd
('#JHMChat', 73.0, 24.0)
>>> "doi:10.12788/jhm.2987" in rows[0].citation
True
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

__all__ = ["ReferenceFigure", "ReferenceChat", "reference_rows", "REFERENCE_FILE"]

REFERENCE_FILE = Path(__file__).with_name("reference.yaml")


class ReferenceFigure(BaseModel):
    model_config = ConfigDict(frozen=True)

    metric: str
    label: str
    mean: float
    sd: float | None = None


class ReferenceChat(BaseModel):
    """One published chat: what it is, how many sessions the figures cover, the figures and the citation."""

    model_config = ConfigDict(frozen=True)

    chat: str
    kind: str
    sessions: int | None = None
    period: str | None = None
    figures: list[ReferenceFigure]
    citation: str
    url: str | None = None

    def figure(self, metric: str) -> ReferenceFigure | None:
        return next((f for f in self.figures if f.metric == metric), None)


@cache
def reference_rows() -> tuple[ReferenceChat, ...]:
    """The reference chats of the bundled data file."""
    data = yaml.safe_load(REFERENCE_FILE.read_text(encoding="utf-8")) or []
    return tuple(ReferenceChat.model_validate(row) for row in data)
