"""Reach, sponsor exposure, costs, ROI, verdicts, the moderator's value, and objectives.

Pure functions over the session-level frames; typed results are frozen pydantic models that serialise to JSON
(``model_dump(mode="json")``). Formulas, sources and assumptions: ``docs/metrics/value.md``.
"""

from moderator_kit.value.headline import VERDICT_LABELS, HeadlineFigure, sponsor_headline, verdict_label
from moderator_kit.value.moderator import ModeratorCentrality, ModeratorOutcomes, ModeratorValue, moderator_value
from moderator_kit.value.objectives import (
    KPI_METRICS,
    ObjectiveResult,
    evaluate_objectives,
    objective_results,
    objective_sentence,
)
from moderator_kit.value.reach import ReachSummary, impression_contributions, reach_by_session, reach_total
from moderator_kit.value.roi import (
    CostBreakdown,
    Range,
    SensitivityPoint,
    SessionValue,
    SponsorValue,
    cost_breakdown,
    sponsor_kpis,
    sponsor_value,
)
from moderator_kit.value.sponsor import audience_mix, message_url, sponsor_exposure, top_sponsor_messages

__all__ = [
    "KPI_METRICS",
    "CostBreakdown",
    "HeadlineFigure",
    "VERDICT_LABELS",
    "ModeratorCentrality",
    "ModeratorOutcomes",
    "ModeratorValue",
    "ObjectiveResult",
    "Range",
    "ReachSummary",
    "SensitivityPoint",
    "SessionValue",
    "SponsorValue",
    "audience_mix",
    "cost_breakdown",
    "evaluate_objectives",
    "impression_contributions",
    "message_url",
    "moderator_value",
    "objective_results",
    "objective_sentence",
    "reach_by_session",
    "reach_total",
    "sponsor_exposure",
    "sponsor_headline",
    "sponsor_kpis",
    "sponsor_value",
    "top_sponsor_messages",
    "verdict_label",
]
