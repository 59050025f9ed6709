"""What the Live page shows: an immutable :class:`LiveView` built by :meth:`moderator_kit.live.LiveState.view`.

The page's callback reads the latest view and renders it; nothing is computed on a request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import polars as pl

from moderator_kit.flow.herding import herding_score_expr

__all__ = ["LiveView", "herding_score"]


def herding_score(on_agenda: float | None, pace: float | None, spillover: float | None
                  ) -> tuple[float | None, str]:
    """The 0-100 herding score from its parts, as :func:`moderator_kit.flow.session_flow_metrics` computes it:
    ``100 × Σ wᵢ·partᵢ / Σ wᵢ`` over the available parts (weights :data:`~moderator_kit.flow.HERDING_WEIGHTS`),
    rounded to one decimal; also a short line naming the parts.

    >>> herding_score(1.0, 6 / 7, 0.5)
    (80.7, 'on-agenda 1.00, pace 0.86, 1 - spill-over 0.50')
    >>> herding_score(None, None, None)
    (None, 'no part available yet')
    """
    parts = {"on_agenda": on_agenda, "pace": pace, "flow": None if spillover is None else 1 - spillover}
    labels = {"on_agenda": "on-agenda", "pace": "pace", "flow": "1 - spill-over"}
    present = {k: v for k, v in parts.items() if v is not None}
    if not present:
        return None, "no part available yet"
    score = pl.select(herding_score_expr(*(pl.lit(v, dtype=pl.Float64) for v in parts.values()))).item()
    return score, ", ".join(f"{labels[k]} {v:.2f}" for k, v in present.items())


@dataclass(frozen=True)
class LiveView:
    """The live figures of a session at ``now`` (see ``docs/live.md`` for each panel).

    ``clock``: current question, its text, ``posted_at``, ``since_s``, ``answers``, ``half_life_s``, ``decays_at``,
    ``next_question``, ``next_planned_at`` and the ``hint``. ``questions``: one dict per question with the columns
    of :func:`moderator_kit.flow.question_metrics`. ``wave``: ``(minute since start, question or None, messages)``
    as in :func:`moderator_kit.flow.flow_minutes`. ``newcomers`` / ``floor`` / ``spam``: the listed items (at most
    :data:`moderator_kit.live.state.MAX_LISTED`; the ``*_total`` fields count all). ``counts``: the running count.
    """

    chat: str
    title: str
    session_id: str
    start: datetime
    end: datetime
    now: datetime
    clock: dict[str, Any]
    questions: tuple[dict[str, Any], ...]
    wave: tuple[tuple[int, int | None, int], ...]
    newcomers: tuple[dict[str, Any], ...]
    newcomers_total: int
    floor: tuple[dict[str, Any], ...]
    floor_total: int
    spam: tuple[dict[str, Any], ...]
    counts: dict[str, Any]
    notes: tuple[str, ...] = field(default=())
