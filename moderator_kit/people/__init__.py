"""People analytics: who is real (roles with reasons), who comes back (retention), what happens after the chat
(follow-up, the moderator's to-do list) and who pays it forward.

Pure functions over polars frames; see ``docs/metrics/people.md`` for every signal, label and threshold.

Typical order (the texts are scanned once, by ``annotate_messages``; every function takes its output in place of the
session messages)::

    kept, excluded = apply_spam_rules(session_messages, config.spam)
    annotated = annotate_messages(kept, assignments, config)
    signals = participant_signals(annotated)
    history = history_signals(annotated)
    roles = assign_roles(signals, history, config, moderators=config.moderators,
                         sponsor_handles={h: s.name for s in config.sponsors for h in s.handles}, excluded=excluded)
    todo = todo_list(annotated, assignments, signals, roles, moderators=config.moderators)
    ties = continuing_ties(annotated)
"""

from moderator_kit.people.followup import (
    continuing_ties,
    follow_up_interactions,
    follow_up_summary,
    moderator_recap,
    thank_yous,
    todo_list,
)
from moderator_kit.people.forward import pay_it_forward
from moderator_kit.people.perspective import question_perspective
from moderator_kit.people.retention import (
    active_participants,
    cohort_matrix,
    first_timer_return,
    regular_survival,
    new_and_returning,
    retention_by_session,
)
from moderator_kit.people.roles import assign_roles, role_thresholds
from moderator_kit.people.signals import (
    annotate_messages,
    history_signals,
    interaction_edges,
    participant_signals,
    signal_availability,
)
from moderator_kit.people.spam import apply_spam_rules, excluded_counts

__all__ = [
    "apply_spam_rules",
    "excluded_counts",
    "annotate_messages",
    "interaction_edges",
    "participant_signals",
    "history_signals",
    "signal_availability",
    "assign_roles",
    "role_thresholds",
    "question_perspective",
    "active_participants",
    "new_and_returning",
    "retention_by_session",
    "cohort_matrix",
    "first_timer_return",
    "regular_survival",
    "follow_up_interactions",
    "follow_up_summary",
    "continuing_ties",
    "thank_yous",
    "moderator_recap",
    "todo_list",
    "pay_it_forward",
]
