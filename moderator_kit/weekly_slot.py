"""Infer a chat's weekly slot (weekday and hour) from its messages, for archives that come without a schedule.

A recurring chat leaves a clear mark in its timestamps: week after week, its busiest hour is the same weekday and
hour. The rule (documented in ``docs/config.md``, "Archives without a schedule"):

1. Take the chat's own messages: those that carry one of its hashtags (the chat name and ``hashtags:`` of the config)
   when at least :data:`MIN_TAGGED` do, as in a personal archive, where most messages are about something else;
   otherwise every message (a hashtag or channel archive). Timestamps at exactly 00:00:00.000000 UTC are left out:
   older archives hold date-only records there, and a real message falls on that instant once in 86,400 seconds.
2. In the time zone (the config's ``schedule.timezone``, UTC unless configured), count the messages of every
   (local week, weekday, hour) and take each week's busiest hour (ties: the earlier weekday and hour).
3. The slot is the weekday and hour that is the busiest of the most weeks (ties: the one holding more messages).
   It is proposed only when it is the busiest hour of at least ``min_weeks`` weeks and holds at least
   ``min_share`` of the messages; a personal timeline without a chat has neither and gets no slot.

The slot starts on the hour. A chat that follows daylight saving time shows as two neighbouring hours in UTC; its
local zone in ``schedule.timezone`` makes them one.

Examples
--------
>>> from datetime import datetime, timedelta, timezone
>>> import polars as pl
>>> chat = [datetime(2026, 1, 8, 20, 5, tzinfo=timezone.utc) + timedelta(weeks=w, minutes=m)
...         for w in range(6) for m in range(0, 50, 5)]
>>> noise = [datetime(2026, 1, 5, 9, tzinfo=timezone.utc) + timedelta(days=d, hours=d % 7) for d in range(40)]
>>> msgs = pl.DataFrame({"created_at": chat + noise, "hashtags": [["ukedchat"]] * len(chat) + [[]] * len(noise)})
>>> slot = infer_weekly_slot(msgs, hashtags=["ukedchat"])
>>> slot.weekday, slot.time, slot.timezone, slot.weeks, slot.share, slot.hashtag
('thursday', '20:00', 'UTC', 6, 1.0, 'ukedchat')
>>> infer_weekly_slot(msgs.head(0)) is None
True
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

import polars as pl

from moderator_kit.config import WEEKDAYS, Schedule

__all__ = ["WeeklySlot", "infer_weekly_slot", "MIN_TAGGED", "MIN_WEEKS", "MIN_SHARE"]

#: Messages that must carry the chat's hashtag before only those are used (fewer: every message is used).
MIN_TAGGED = 10
#: Weeks whose busiest hour the slot must be.
MIN_WEEKS = 3
#: Share of the messages the slot must hold (a uniform spread gives each of the 168 weekly hours 0.6 %).
MIN_SHARE = 0.10


@dataclass(frozen=True)
class WeeklySlot:
    """A weekly slot found in the data, and the evidence for it."""

    weekday: str  #: monday .. sunday
    hour: int  #: local hour 0..23
    timezone: str  #: IANA zone the weekday and hour are in
    messages: int  #: messages the slot was inferred from
    slot_messages: int  #: of those, in the slot
    weeks: int  #: weeks in which the slot was the busiest hour
    active_weeks: int  #: weeks with any of the messages
    hashtag: str | None  #: the hashtag the messages were selected by; None: every message

    @property
    def time(self) -> str:
        """Start time as HH:MM."""
        return f"{self.hour:02d}:00"

    @property
    def share(self) -> float:
        """Share of the messages in the slot."""
        return round(self.slot_messages / self.messages, 4) if self.messages else 0.0

    def schedule(self, base: Schedule | None = None) -> Schedule:
        """``base`` (its windows and durations) with this slot's weekday, time and zone."""
        base = base or Schedule()
        return Schedule.model_validate({**base.model_dump(), "weekday": self.weekday, "time": self.time,
                                        "timezone": self.timezone, "dates": []})

    def describe(self) -> str:
        """One line of evidence, e.g. ``Thursday 20:00 UTC: 54% of 127 #ukedchat messages, busiest hour in 17 of
        60 weeks``."""
        which = f"#{self.hashtag} messages" if self.hashtag else "messages"
        return (f"{self.weekday.capitalize()} {self.time} {self.timezone}: {self.share:.0%} of {self.messages:,} "
                f"{which}, busiest hour in {self.weeks} of {self.active_weeks} weeks")

    def to_dict(self) -> dict:
        return {**asdict(self), "time": self.time, "share": self.share}


def _chat_messages(frame: pl.LazyFrame, hashtags: list[str]) -> tuple[pl.LazyFrame, str | None]:
    """The messages carrying one of the hashtags when there are enough of them, else all; and the tag used."""
    if not hashtags or "hashtags" not in frame.collect_schema().names():
        return frame, None
    tagged = frame.filter(pl.col("hashtags").list.eval(pl.element().is_in(hashtags)).list.any())
    per_tag = (tagged.select(tag=pl.col("hashtags").list.eval(pl.element().filter(pl.element().is_in(hashtags))))
               .explode("tag").group_by("tag").len().sort(["len", "tag"], descending=[True, False]).collect())
    if per_tag["len"].sum() < MIN_TAGGED:
        return frame, None
    return tagged, per_tag["tag"][0]


def infer_weekly_slot(messages: pl.DataFrame | pl.LazyFrame, *, hashtags: Iterable[str] = (),
                      timezone: str = "UTC", min_weeks: int = MIN_WEEKS,
                      min_share: float = MIN_SHARE) -> WeeklySlot | None:
    """The weekday and hour where the chat's messages peak week after week, or None (see the module's rule).

    ``messages`` needs ``created_at`` (UTC) and, to select a personal archive's chat messages, ``hashtags``
    (lower-case, no ``#``).
    """
    lazy = messages.lazy() if isinstance(messages, pl.DataFrame) else messages
    tags = sorted({t.strip().lstrip("#").lower() for t in hashtags if t and t.strip()})
    chat, hashtag = _chat_messages(lazy, tags)
    local = pl.col("created_at").dt.convert_time_zone(timezone)
    hours = (
        chat.filter(pl.col("created_at") != pl.col("created_at").dt.truncate("1d"))  # date-only records
        .select(week=local.dt.date().dt.truncate("1w"), weekday=local.dt.weekday(), hour=local.dt.hour())
        .group_by("week", "weekday", "hour")
        .agg(n=pl.len())
        .collect()
    )
    if hours.height == 0:
        return None
    peaks = hours.sort(["week", "n", "weekday", "hour"], descending=[False, True, False, False]).unique(
        "week", keep="first")
    slots = (
        peaks.group_by("weekday", "hour").agg(weeks=pl.len())
        .join(hours.group_by("weekday", "hour").agg(slot_messages=pl.col("n").sum()), on=["weekday", "hour"])
        .sort(["weeks", "slot_messages", "weekday", "hour"], descending=[True, True, False, False])
    )
    best = slots.row(0, named=True)
    total = int(hours["n"].sum())
    if best["weeks"] < min_weeks or best["slot_messages"] < min_share * total:
        return None
    return WeeklySlot(weekday=WEEKDAYS[best["weekday"] - 1], hour=int(best["hour"]), timezone=timezone,
                      messages=total, slot_messages=int(best["slot_messages"]), weeks=int(best["weeks"]),
                      active_weeks=peaks.height, hashtag=hashtag)

