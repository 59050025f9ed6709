"""Split a chat's messages into its recurring sessions, each with a pre-chat, in-chat and follow-up window.

The schedule is local time (weekday, HH:MM and an IANA zone), so a chat at 20:00 New York is 01:00 UTC in winter and
00:00 UTC in summer. Where no schedule is given, the chat's weekly slot is inferred from the data
(:func:`moderator_kit.weekly_slot.infer_weekly_slot`); where there is none, sessions are detected as bursts of
activity. :func:`resolve_schedule` says which, and every session row carries it in ``origin``.

A message whose archive gives only its date (``time_imprecise``) is left out of every session: its ``created_at``
(00:00 UTC that day) is not when it was sent, so it neither falls into a window nor makes a burst.

Windows of a session starting at ``start``::

    pre_start = start - pre_minutes        (pre-chat)
    end       = start + duration_minutes   (in-chat: [start, end))
    follow_up_end = end + follow_up_hours  (follow-up: [end, follow_up_end)), cut at the next session's pre_start

Examples
--------
>>> from datetime import datetime, timezone
>>> import polars as pl
>>> from moderator_kit.config import Schedule
>>> times = [datetime(2026, 3, 2, 1, 10, tzinfo=timezone.utc), datetime(2026, 3, 9, 0, 5, tzinfo=timezone.utc)]
>>> msgs = pl.DataFrame({"created_at": times}).with_columns(pl.col("created_at").dt.cast_time_unit("us"))
>>> s = build_sessions(msgs, Schedule(weekday="sunday", time="20:00", timezone="America/New_York"), chat="demo")
>>> [(sid, start.strftime('%H:%M')) for sid, start in s.select('session_id', 'start').rows()]  # DST from 2026-03-08
[('2026-03-01', '01:00'), ('2026-03-08', '00:00')]
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import polars as pl

from moderator_kit.config import WEEKDAYS, ChatConfig, Schedule
from moderator_kit.weekly_slot import WeeklySlot, infer_weekly_slot

__all__ = [
    "SESSION_SCHEMA",
    "PHASES",
    "ORIGINS",
    "ScheduleChoice",
    "resolve_schedule",
    "no_sessions_hint",
    "build_sessions",
    "detect_sessions",
    "assign_sessions",
    "split_sessions",
    "split_with",
]

PHASES = ("pre", "chat", "follow_up")
#: Where a session's times come from: the config's weekly schedule, its explicit dates, the weekly slot inferred
#: from the data (no schedule configured), or bursts of activity (no schedule and no recurring slot).
ORIGINS = ("schedule", "dates", "inferred", "detected")

_UTC = pl.Datetime("us", "UTC")
SESSION_SCHEMA = pl.Schema(
    {
        "session_id": pl.String,
        "chat": pl.String,
        "number": pl.Int64,
        "start": _UTC,
        "end": _UTC,
        "pre_start": _UTC,
        "follow_up_end": _UTC,
        "local_start": pl.String,
        "origin": pl.String,  # one of ORIGINS
    }
)


@dataclass(frozen=True)
class ScheduleChoice:
    """The schedule sessions are built from, and where it comes from (one of :data:`ORIGINS`)."""

    schedule: Schedule
    origin: str
    slot: WeeklySlot | None = None  #: the inferred slot, when ``origin == 'inferred'``

    def describe(self, chat: str) -> str:
        """One line for the user on where the sessions come from and what to do about it."""
        if self.origin == "inferred" and self.slot is not None:
            return (f"No schedule in the chat config: sessions follow the weekly slot inferred from the data, "
                    f"{self.slot.describe()}. To keep it, paste the output of 'moderator-kit sessions --chat {chat} "
                    "--suggest' into the chat config and pass it with --config.")
        if self.origin == "detected":
            return ("No schedule in the chat config and no weekly slot in the data: sessions are bursts of activity. "
                    "Give the chat's schedule (weekday, time, timezone, or dates) in the chat config and pass it "
                    "with --config.")
        return f"Sessions follow the {'dates' if self.origin == 'dates' else 'weekly schedule'} of the chat config."


def no_sessions_hint(chat: str) -> str:
    """What to do when a chat has no sessions (the same advice in the CLI, the snapshot notes and the reports).

    >>> no_sessions_hint("ukedchat")[:40]
    "see the chat's weekly slot with 'moderat"
    """
    return (f"see the chat's weekly slot with 'moderator-kit sessions --chat {chat} --suggest', put a schedule "
            f"(weekday, time, timezone, or dates) in the chat config and run 'moderator-kit analyze --chat {chat} "
            "--config chat.yaml'")


def resolve_schedule(messages: pl.DataFrame | pl.LazyFrame, config: ChatConfig) -> ScheduleChoice:
    """The config's schedule when it has one (weekday and time, or dates); else the weekly slot inferred from the
    chat's messages, in ``schedule.timezone`` (UTC unless configured); else burst detection.

    >>> from datetime import datetime, timedelta, timezone
    >>> import polars as pl
    >>> times = [datetime(2026, 1, 6, 1, 5, tzinfo=timezone.utc) + timedelta(weeks=w, minutes=m)
    ...          for w in range(4) for m in range(30)]
    >>> msgs = pl.DataFrame({"created_at": times, "hashtags": [["jobchat"]] * len(times)})
    >>> choice = resolve_schedule(msgs, ChatConfig(chat="jobchat", schedule=Schedule(timezone="America/New_York")))
    >>> choice.origin, choice.schedule.weekday, choice.schedule.time, choice.schedule.timezone
    ('inferred', 'monday', '20:00', 'America/New_York')
    """
    schedule = config.schedule
    if schedule.dates:
        return ScheduleChoice(schedule, "dates")
    if schedule.is_recurring:
        return ScheduleChoice(schedule, "schedule")
    slot = infer_weekly_slot(messages, hashtags=sorted(config.own_hashtags), timezone=schedule.timezone)
    if slot is None:
        return ScheduleChoice(schedule, "detected")
    return ScheduleChoice(slot.schedule(schedule), "inferred", slot)


def _timed(messages: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    """The messages whose time is known to the second: those marked ``time_imprecise`` (a date only) are left out.

    >>> from datetime import datetime, timezone
    >>> at = datetime(2008, 2, 9, tzinfo=timezone.utc)
    >>> frame = pl.DataFrame({"created_at": [at, at], "time_imprecise": [True, None]})
    >>> _timed(frame).collect().height
    1
    """
    lazy = messages.lazy() if isinstance(messages, pl.DataFrame) else messages
    if "time_imprecise" not in lazy.collect_schema().names():
        return lazy
    return lazy.filter(~pl.col("time_imprecise").fill_null(False))


def _bounds(messages: pl.DataFrame | pl.LazyFrame) -> tuple[datetime, datetime] | None:
    lazy = _timed(messages)
    row = lazy.select(pl.col("created_at").min().alias("lo"), pl.col("created_at").max().alias("hi")).collect().row(0)
    if row[0] is None:
        return None
    return row[0], row[1]


def _local_starts(schedule: Schedule, lo: datetime, hi: datetime) -> list[datetime]:
    """Local start datetimes (aware, in the schedule's zone) whose windows can touch [lo, hi]."""
    zone = schedule.zone
    if schedule.dates:
        return [d.replace(tzinfo=zone) if d.tzinfo is None else d.astimezone(zone) for d in sorted(schedule.dates)]
    if not schedule.is_recurring:
        return []
    start_time = schedule.start_time
    weekday = WEEKDAYS.index(schedule.weekday)
    first = (lo - timedelta(hours=schedule.follow_up_hours) - timedelta(minutes=schedule.duration_minutes))
    first_local = first.astimezone(zone).date() - timedelta(days=1)
    first_local += timedelta(days=(weekday - first_local.weekday()) % 7)
    last_local = (hi + timedelta(minutes=schedule.pre_minutes)).astimezone(zone).date() + timedelta(days=1)
    starts = []
    day = first_local
    while day <= last_local:  # one iteration per week of the archive, not per message
        starts.append(datetime.combine(day, start_time, tzinfo=zone))
        day += timedelta(days=7)
    return starts


def _session_frame(starts_local: list[datetime], schedule: Schedule, chat: str, origin: str,
                   durations: list[float] | None = None) -> pl.DataFrame:
    if not starts_local:
        return SESSION_SCHEMA.to_frame(eager=True)
    durations = durations or [schedule.duration_minutes] * len(starts_local)
    frame = pl.DataFrame(
        {
            "local_date": [s.strftime("%Y-%m-%d") for s in starts_local],
            "local_start": [s.strftime("%Y-%m-%d %H:%M ") + (s.tzname() or "") for s in starts_local],
            "start": [s.astimezone(timezone.utc) for s in starts_local],
            "duration": [timedelta(minutes=d) for d in durations],
        }
    ).with_columns(pl.col("start").dt.cast_time_unit("us").dt.convert_time_zone("UTC"))
    frame = frame.sort("start").with_columns(
        end=pl.col("start") + pl.col("duration"),
        pre_start=pl.col("start") - timedelta(minutes=schedule.pre_minutes),
    )
    frame = frame.with_columns(
        follow_up_end=pl.min_horizontal(
            pl.col("end") + timedelta(hours=schedule.follow_up_hours),
            pl.col("pre_start").shift(-1).fill_null(pl.col("end") + timedelta(hours=schedule.follow_up_hours)),
        ),
        dup=pl.int_range(pl.len()).over("local_date"),
    )
    return frame.select(
        session_id=pl.when(pl.col("dup") == 0)
        .then(pl.col("local_date"))
        .otherwise(pl.col("local_date") + "-" + (pl.col("dup") + 1).cast(pl.String)),
        chat=pl.lit(chat, dtype=pl.String),
        number=pl.int_range(1, pl.len() + 1, dtype=pl.Int64),
        start="start",
        end="end",
        pre_start="pre_start",
        follow_up_end="follow_up_end",
        local_start="local_start",
        origin=pl.lit(origin, dtype=pl.String),
    )


def _keep_active(sessions: pl.DataFrame, messages: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Keep sessions with at least one message inside the in-chat window, and renumber them."""
    if sessions.height == 0:
        return sessions
    times = _timed(messages).select("created_at").sort("created_at").collect()
    hits = times.join_asof(sessions.select("start", "end", "session_id").sort("start"), left_on="created_at",
                           right_on="start", strategy="backward")
    active = hits.filter(pl.col("created_at") < pl.col("end"))["session_id"].unique()
    kept = sessions.filter(pl.col("session_id").is_in(active.implode()))
    return kept.with_columns(number=pl.int_range(1, pl.len() + 1, dtype=pl.Int64))


def build_sessions(messages: pl.DataFrame | pl.LazyFrame, schedule: Schedule, chat: str, *,
                   origin: str | None = None, active: pl.DataFrame | pl.LazyFrame | None = None) -> pl.DataFrame:
    """Sessions from a schedule (recurring weekday/time, or explicit dates), keeping those with in-chat messages.

    Returns a frame with :data:`SESSION_SCHEMA`; ``origin`` defaults to 'dates' or 'schedule'. ``active``: the
    messages whose presence in the chat window keeps a session (default: all of ``messages``). With neither a
    recurring schedule nor dates, see :func:`resolve_schedule` and :func:`detect_sessions`.
    """
    bounds = _bounds(messages)
    if bounds is None:
        return SESSION_SCHEMA.to_frame(eager=True)
    origin = origin or ("dates" if schedule.dates else "schedule")
    sessions = _session_frame(_local_starts(schedule, *bounds), schedule, chat, origin)
    return _keep_active(sessions, messages if active is None else active)


def detect_sessions(messages: pl.DataFrame | pl.LazyFrame, schedule: Schedule, chat: str, *,
                    min_messages: int = 10, factor: float = 3.0) -> pl.DataFrame:
    """Detect sessions as bursts of activity when no schedule is configured.

    An hour is a burst hour when it holds at least ``max(min_messages, factor × median)`` messages, the median
    taken over hours with any message. Consecutive burst hours form one session, which starts at the first
    message's quarter hour and lasts until the end of its last burst hour. The pre-chat and follow-up windows come
    from ``schedule`` (its defaults when the config has none).

    >>> from datetime import datetime, timedelta, timezone
    >>> import polars as pl
    >>> base = datetime(2026, 1, 5, 21, 0, tzinfo=timezone.utc)
    >>> burst = [base + timedelta(minutes=m) for m in range(40)] + [base + timedelta(days=7, minutes=m) for m in range(30)]
    >>> quiet = [base + timedelta(days=2, hours=h) for h in range(5)]
    >>> msgs = pl.DataFrame({"created_at": burst + quiet}).with_columns(pl.col("created_at").dt.cast_time_unit("us"))
    >>> detect_sessions(msgs, Schedule(), chat="x")["session_id"].to_list()
    ['2026-01-05', '2026-01-12']
    """
    hourly = (
        _timed(messages).select(hour=pl.col("created_at").dt.truncate("1h"), created_at="created_at")
        .group_by("hour")
        .agg(count=pl.len(), first=pl.col("created_at").min())
        .sort("hour")
        .collect()
    )
    if hourly.height == 0:
        return SESSION_SCHEMA.to_frame(eager=True)
    threshold = max(min_messages, factor * float(hourly["count"].median()))
    bursts = (
        hourly.filter(pl.col("count") >= threshold)
        .with_columns(block=(pl.col("hour").diff() != timedelta(hours=1)).fill_null(True).cum_sum())
        .group_by("block")
        .agg(first=pl.col("first").min(), last_hour=pl.col("hour").max())
        .sort("first")
        .with_columns(start=pl.col("first").dt.truncate("15m"))
        .with_columns(minutes=((pl.col("last_hour") + timedelta(hours=1) - pl.col("start")).dt.total_minutes()))
    )
    zone = schedule.zone
    starts = [s.astimezone(zone) for s in bursts["start"].to_list()]
    sessions = _session_frame(starts, schedule, chat, "detected", [float(m) for m in bursts["minutes"].to_list()])
    return sessions


def assign_sessions(messages: pl.DataFrame | pl.LazyFrame, sessions: pl.DataFrame) -> pl.DataFrame:
    """Add ``session_id`` and ``phase`` ('pre', 'chat', 'follow_up'); drop messages outside every window.

    Messages with only a date (``time_imprecise``) are outside every window. The result is in time order, messages
    with the same time in their order in ``messages``.

    Only the row numbers and times are sorted and matched to the windows; the messages themselves are gathered
    once, in their final order. Sorting and joining every column (the texts) would hold three copies of the chat
    at once: 1.6 GB more for a million messages (docs/scale.md).

    >>> from datetime import datetime, timezone
    >>> at = lambda h, m: datetime(2026, 1, 6, h, m, tzinfo=timezone.utc)
    >>> windows = pl.DataFrame({"session_id": ["s1"], "pre_start": [at(0, 30)], "start": [at(1, 0)],
    ...                         "end": [at(2, 0)], "follow_up_end": [at(3, 0)]})
    >>> frame = pl.DataFrame({"message_id": ["late", "early", "during", "out"],
    ...                       "created_at": [at(2, 30), at(0, 45), at(1, 15), at(4, 0)]})
    >>> assign_sessions(frame, windows).select("message_id", "phase").rows()
    [('early', 'pre'), ('during', 'chat'), ('late', 'follow_up')]
    """
    lazy = messages.lazy() if isinstance(messages, pl.DataFrame) else messages
    keys = (_timed(lazy.with_row_index("_row")).select("_row", "created_at")
            .sort("created_at", maintain_order=True).collect())
    frame = messages if isinstance(messages, pl.DataFrame) else messages.collect()
    if sessions.height == 0:
        return frame.head(0).with_columns(session_id=pl.lit(None, pl.String), phase=pl.lit(None, pl.String))
    windows = sessions.select("session_id", "pre_start", "start", "end", "follow_up_end").sort("pre_start")
    phase = (
        pl.when(pl.col("created_at") < pl.col("start")).then(pl.lit("pre"))
        .when(pl.col("created_at") < pl.col("end")).then(pl.lit("chat"))
        .otherwise(pl.lit("follow_up"))
    )
    tags = (keys.join_asof(windows, left_on="created_at", right_on="pre_start", strategy="backward")
            .filter(pl.col("created_at") < pl.col("follow_up_end"))
            .select("_row", "session_id", phase.alias("phase")))
    return frame.select(pl.all().gather(tags["_row"])).with_columns(tags["session_id"], tags["phase"])


def split_sessions(messages: pl.DataFrame | pl.LazyFrame, config: ChatConfig) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Sessions of a chat and its messages tagged with ``session_id`` and ``phase``.

    Uses the schedule :func:`resolve_schedule` chooses: the config's, else the inferred weekly slot, else bursts.
    """
    return split_with(messages, config, resolve_schedule(messages, config))


def split_with(messages: pl.DataFrame | pl.LazyFrame, config: ChatConfig, choice: ScheduleChoice
               ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """:func:`split_sessions` with the schedule already chosen (so a caller can also report the choice)."""
    if choice.origin == "detected":
        sessions = detect_sessions(messages, choice.schedule, config.chat)
    elif choice.slot is not None and choice.slot.hashtag:
        # a personal archive: a week is a session when the chat's own messages are in its window, not any message
        own = messages.filter(pl.col("hashtags").list.contains(choice.slot.hashtag))
        sessions = build_sessions(messages, choice.schedule, config.chat, origin=choice.origin, active=own)
    else:
        sessions = build_sessions(messages, choice.schedule, config.chat, origin=choice.origin)
    return sessions, assign_sessions(messages, sessions)
