"""Which session the live console follows: the config's schedule around a moment, built as ``analyze`` builds it.

The session is the one whose window (pre-chat start to follow-up end) holds ``at``, else the next one to start. Its
row comes from :func:`moderator_kit.sessions.build_sessions` (the function ``analyze`` splits sessions with), so its
``session_id``, times and phases are the ones the imported archive gets afterwards. A chat config without a schedule
(no weekday and time, no dates) gets a session starting at ``at`` rounded down to the quarter hour, with the config's
durations; ``docs/live.md`` says to configure the schedule so that ``analyze`` splits the same way.

Examples
--------
>>> from datetime import datetime, timezone
>>> from moderator_kit.config import ChatConfig, Schedule
>>> cfg = ChatConfig(chat="jobchat", schedule=Schedule(weekday="monday", time="20:00", timezone="America/New_York"))
>>> row = live_session(cfg, datetime(2026, 1, 13, 1, 20, tzinfo=timezone.utc)).row(0, named=True)
>>> row["session_id"], row["start"].isoformat(), row["end"].isoformat()
('2026-01-12', '2026-01-13T01:00:00+00:00', '2026-01-13T02:00:00+00:00')
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import polars as pl

from moderator_kit.config import ChatConfig
from moderator_kit.errors import ModeratorKitError
from moderator_kit.sessions import build_sessions

__all__ = ["live_session", "phase_of"]

_UTC = pl.Datetime("us", "UTC")


def _probe(at: datetime, days: float, step_minutes: float) -> pl.DataFrame:
    """Minute marks around ``at``: one of them falls inside every session window near it (a build input only)."""
    lo = at - timedelta(days=days)
    steps = int(2 * days * 24 * 60 / step_minutes) + 1
    return pl.DataFrame({"created_at": pl.datetime_range(lo, lo + timedelta(minutes=step_minutes * (steps - 1)),
                                                         timedelta(minutes=step_minutes), eager=True,
                                                         time_zone="UTC")}).cast({"created_at": _UTC})


def live_session(config: ChatConfig, at: datetime) -> pl.DataFrame:
    """The one-row sessions frame (:data:`moderator_kit.sessions.SESSION_SCHEMA`) of the session live at ``at``.

    Raises
    ------
    ModeratorKitError
        When the schedule has no session within a week of ``at`` (explicit dates all far away).
    """
    at = at.astimezone(timezone.utc)
    schedule = config.schedule
    if not (schedule.is_recurring or schedule.dates):
        start = at.replace(minute=at.minute - at.minute % 15, second=0, microsecond=0)
        schedule = schedule.model_copy(update={"dates": [start.astimezone(schedule.zone).replace(tzinfo=None)]})
    step = max(1.0, min(15.0, schedule.duration_minutes / 2))
    sessions = build_sessions(_probe(at, 8, step), schedule, config.chat)
    moment = pl.lit(at).cast(_UTC)
    current = sessions.filter((pl.col("pre_start") <= moment) & (moment < pl.col("follow_up_end")))
    if current.height == 0:
        current = sessions.filter(pl.col("start") > moment).sort("start").head(1)
    if current.height == 0:
        raise ModeratorKitError(f"chat config of {config.chat}: no session within a week of "
                                f"{at:%Y-%m-%d %H:%M} UTC; check schedule.dates or pass the session's date")
    return current.head(1)


def phase_of(session: dict, at: datetime) -> str | None:
    """'pre', 'chat' or 'follow_up' for a moment of ``session`` (a row as a dict), None outside its windows.

    The same rule as :func:`moderator_kit.sessions.assign_sessions`.

    >>> from datetime import datetime, timezone
    >>> t = lambda h, m: datetime(2026, 1, 5, h, m, tzinfo=timezone.utc)
    >>> s = {"pre_start": t(19, 30), "start": t(20, 0), "end": t(21, 0), "follow_up_end": t(23, 0)}
    >>> [phase_of(s, t(h, m)) for h, m in ((19, 0), (19, 45), (20, 0), (21, 0), (23, 0))]
    [None, 'pre', 'chat', 'follow_up', None]
    """
    if at < session["pre_start"] or at >= session["follow_up_end"]:
        return None
    if at < session["start"]:
        return "pre"
    return "chat" if at < session["end"] else "follow_up"
