"""Incremental state for the live console: new messages in, figures out (``docs/live.md``).

::

    session = live_session(config, now)                      # the session on now, as analyze splits it
    state = LiveState(config, session, history=history_handles(workspace.messages(chat), config, session_start))
    state.ingest(parse_lines("twarc2", new_lines).messages)  # each refresh: the new lines only
    view = state.view()                                      # clock, wave, newcomers, floor, spam, counts

:class:`LiveFeed` does this in a background thread for growing files (:class:`FileTail`) or a collector, and keeps
the latest :class:`LiveView` for the dashboard's Live page.
"""

from moderator_kit.live.assign import IncrementalAssigner
from moderator_kit.live.clock import agenda_hint, decay_point, half_life_so_far, wave_decayed
from moderator_kit.live.feed import LiveFeed, LiveSpec, start_feed
from moderator_kit.live.source import LIVE_FORMATS, parse_lines, sniff_live_format
from moderator_kit.live.state import ChatHistory, LiveState, chat_history, history_handles
from moderator_kit.live.tail import FileTail
from moderator_kit.live.view import LiveView, herding_score
from moderator_kit.live.window import live_session, phase_of

__all__ = [
    "FileTail",
    "IncrementalAssigner",
    "LIVE_FORMATS",
    "LiveFeed",
    "LiveSpec",
    "LiveState",
    "LiveView",
    "agenda_hint",
    "decay_point",
    "half_life_so_far",
    "herding_score",
    "history_handles",
    "ChatHistory",
    "chat_history",
    "live_session",
    "parse_lines",
    "phase_of",
    "sniff_live_format",
    "start_feed",
    "wave_decayed",
]
