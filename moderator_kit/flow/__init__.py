"""The agenda flow ("herding cats"): questions, answer assignment, herding metrics and the per-minute flow.

Pipeline over the ``sessions`` frame and the session messages (canonical messages plus ``session_id`` and
``phase``)::

    moderators = config.moderators or infer_moderators(session_messages)
    questions = detect_questions(session_messages, sessions, config, moderators)
    assignments = assign_questions(session_messages, questions, moderators)
    per_question = question_metrics(session_messages, assignments, questions)
    per_session = session_flow_metrics(session_messages, assignments, questions, sessions, moderators=moderators)
    suggestions = pacing_suggestions(per_question)
    minutes = flow_minutes(session_messages, assignments, sessions)

Formulas and their sources: ``docs/metrics/flow.md``.
"""

from moderator_kit.flow.assign import ASSIGNMENT_SCHEMA, CATEGORIES, CONFIDENCE, METHODS, assign_questions
from moderator_kit.flow.herding import (
    HERDING_WEIGHTS,
    QUESTION_METRICS_SCHEMA,
    SESSION_FLOW_SCHEMA,
    pacing_suggestions,
    question_metrics,
    session_flow_metrics,
)
from moderator_kit.flow.minutes import FLOW_MINUTES_SCHEMA, flow_minutes
from moderator_kit.flow.questions import QUESTION_SCHEMA, detect_questions, infer_moderators

__all__ = [
    "ASSIGNMENT_SCHEMA",
    "CATEGORIES",
    "CONFIDENCE",
    "FLOW_MINUTES_SCHEMA",
    "HERDING_WEIGHTS",
    "METHODS",
    "QUESTION_METRICS_SCHEMA",
    "QUESTION_SCHEMA",
    "SESSION_FLOW_SCHEMA",
    "assign_questions",
    "detect_questions",
    "flow_minutes",
    "infer_moderators",
    "pacing_suggestions",
    "question_metrics",
    "session_flow_metrics",
]
