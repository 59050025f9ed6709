"""The agenda clock and its hint: when to post the next question, from the answer wave's half-life so far.

For the current question (the one posted last), with ``n`` answers so far and ``h`` its half-life so far (the time
from the post until the ``ceil(n/2)``-th answer arrived: :func:`moderator_kit.flow.question_metrics`'s
``half_life_s``, on the answers so far), the wave is taken to decay like an exponential with that half-life:
after ``k`` half-lives a fraction ``2**-k`` of its answers is still to come. The wave has **decayed** when

    n >= MIN_WAVE_ANSWERS  and  now - posted_at >= DECAY_HALF_LIVES × max(h, MIN_HALF_LIFE_S)
    and  now - last answer >= max(h, MIN_HALF_LIFE_S)

that is, three half-lives have passed (seven eighths of the answers are in) and no answer came in the last
half-life. The hint (one line, :func:`agenda_hint`):

* no question posted yet: "Post Q1 now" once Q1's planned time has passed, else "Q1 is planned at 20:05";
* the wave has decayed, or the next question's planned time has passed with fewer than ``MIN_WAVE_ANSWERS``
  answers: "Post Q4 now" (the last question: "Wrap up: answers to Q7 have died down");
* the planned time has passed but answers still come (a slow wave): "Give Q3 2 more minutes", the minutes being
  those until the decay point, rounded up, between 1 and :data:`MAX_EXTRA_MINUTES`;
* otherwise no hint.

Examples
--------
>>> from datetime import datetime, timedelta, timezone
>>> t0 = datetime(2026, 1, 5, 20, 5, tzinfo=timezone.utc)
>>> answers = [t0 + timedelta(seconds=s) for s in (30, 45, 60, 80, 100, 130)]   # half-life 60 s
>>> wave_decayed(t0, answers, t0 + timedelta(minutes=4))
True
>>> agenda_hint(3, t0, answers, t0 + timedelta(minutes=4), next_question=4, next_planned=t0 + timedelta(minutes=7))
'Post Q4 now'
>>> busy = [t0 + timedelta(seconds=s) for s in range(20, 400, 20)]              # still answering at 6:40
>>> agenda_hint(3, t0, busy, t0 + timedelta(minutes=8), next_question=4, next_planned=t0 + timedelta(minutes=6))
'Give Q3 2 more minutes'
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

__all__ = ["DECAY_HALF_LIVES", "MIN_WAVE_ANSWERS", "MIN_HALF_LIFE_S", "MAX_EXTRA_MINUTES", "half_life_so_far",
           "decay_point", "wave_decayed", "agenda_hint"]

#: Half-lives after the post at which a wave counts as decayed (2**-3: seven eighths of the answers are in).
DECAY_HALF_LIVES = 3.0
#: Fewer answers than this make no wave to judge.
MIN_WAVE_ANSWERS = 3
#: A half-life shorter than this (a burst of answers in the first seconds) is taken as this.
MIN_HALF_LIFE_S = 30.0
#: The most extra minutes the hint asks for.
MAX_EXTRA_MINUTES = 5


def half_life_so_far(posted_at: datetime, answers: Sequence[datetime]) -> float | None:
    """Seconds from the post until the ``ceil(n/2)``-th of the ``n`` answers so far (sorted), at least 0.

    The definition of ``half_life_s`` in :func:`moderator_kit.flow.question_metrics`.

    >>> from datetime import datetime, timedelta, timezone
    >>> t0 = datetime(2026, 1, 5, 20, tzinfo=timezone.utc)
    >>> half_life_so_far(t0, [t0 + timedelta(seconds=s) for s in (10, 40, 90)])
    40.0
    """
    if not answers:
        return None
    middle = answers[(len(answers) + 1) // 2 - 1]
    return max(0.0, (middle - posted_at).total_seconds())


def decay_point(posted_at: datetime, answers: Sequence[datetime]) -> datetime | None:
    """When the wave counts as decayed if no answer comes before then (None without enough answers)."""
    from datetime import timedelta

    half = half_life_so_far(posted_at, answers)
    if half is None or len(answers) < MIN_WAVE_ANSWERS:
        return None
    step = max(half, MIN_HALF_LIFE_S)
    return max(posted_at + timedelta(seconds=DECAY_HALF_LIVES * step), answers[-1] + timedelta(seconds=step))


def wave_decayed(posted_at: datetime, answers: Sequence[datetime], now: datetime) -> bool:
    """Whether the answer wave of a question posted at ``posted_at`` has decayed by ``now`` (module notes)."""
    point = decay_point(posted_at, [a for a in answers if a <= now])
    return point is not None and now >= point


def agenda_hint(question: int | None, posted_at: datetime | None, answers: Sequence[datetime], now: datetime, *,
                next_question: int | None, next_planned: datetime | None) -> str | None:
    """The one-line hint of the agenda clock (module notes), or None.

    ``answers`` are the current question's answer times so far, sorted; ``next_question`` / ``next_planned`` the
    next question of the agenda (None when the current one is the last).
    """
    if question is None or posted_at is None:
        if next_question is None:
            return None
        if next_planned is not None and now >= next_planned:
            return f"Post Q{next_question} now"
        return f"Q{next_question} is planned at {next_planned:%H:%M} UTC" if next_planned else None
    answers = [a for a in answers if a <= now]
    decayed = wave_decayed(posted_at, answers, now)
    if decayed:
        return f"Post Q{next_question} now" if next_question is not None else (
            f"Wrap up: answers to Q{question} have died down")
    if next_question is None or next_planned is None or now < next_planned:
        return None
    point = decay_point(posted_at, answers)
    if point is None:  # the planned time has passed and hardly anyone answers: move on
        return f"Post Q{next_question} now"
    minutes = min(MAX_EXTRA_MINUTES, max(1, math.ceil((point - now).total_seconds() / 60)))
    return f"Give Q{question} {minutes} more minute{'s' if minutes != 1 else ''}"
