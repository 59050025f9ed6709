"""Compare chats side by side for sponsors and moderators: per-session figures with their spread, a ranking with
reasons, what is within the noise, and published reference rows (never ranked). See ``docs/compare.md``."""

from moderator_kit.compare.metrics import METRICS, first_timer_return, select_sessions, session_metrics
from moderator_kit.compare.profile import Audience, SponsorProfile, parse_profile, read_profile
from moderator_kit.compare.ranking import (
    MIN_SESSIONS,
    ChatSummary,
    Comparison,
    compare_chats,
    compare_frames,
    metric_text,
)
from moderator_kit.compare.reference import ReferenceChat, reference_rows
from moderator_kit.compare.stats import ALPHA, Spread, permutation_p, spread

__all__ = ["ALPHA", "METRICS", "MIN_SESSIONS", "Audience", "ChatSummary", "Comparison", "ReferenceChat",
           "SponsorProfile", "Spread", "compare_chats", "compare_frames", "first_timer_return", "metric_text",
           "parse_profile", "permutation_p", "read_profile", "reference_rows", "select_sessions", "session_metrics",
           "spread"]
