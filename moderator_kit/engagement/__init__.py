"""Engagement of a chat's sessions: counts, participants, replies, attention spread, per-minute series, top entities.

* :func:`engagement_by_session`: one row of engagement figures per session (or for the whole chat);
* :func:`minute_series`: activity per session and minute, for the timeline charts;
* :func:`top_entities`: the most frequent URLs, domains, hashtags and words (:func:`top_entities_with_totals`: per
  session and for the whole chat in one pass);
* :func:`gini` / :func:`gini_expr`: the Gini coefficient of attention.

Formulas and sources: ``docs/metrics/engagement.md``.
"""

from moderator_kit.engagement.entities import (
    ENTITY_SCHEMA,
    ENTITY_TYPES,
    STOP_WORDS,
    top_entities,
    top_entities_with_totals,
)
from moderator_kit.engagement.gini import gini, gini_expr
from moderator_kit.engagement.series import MINUTE_SCHEMA, minute_series
from moderator_kit.engagement.summary import ENGAGEMENT_SCHEMA, engagement_by_session

__all__ = [
    "ENGAGEMENT_SCHEMA",
    "ENTITY_SCHEMA",
    "ENTITY_TYPES",
    "MINUTE_SCHEMA",
    "STOP_WORDS",
    "engagement_by_session",
    "gini",
    "gini_expr",
    "minute_series",
    "top_entities",
    "top_entities_with_totals",
]
