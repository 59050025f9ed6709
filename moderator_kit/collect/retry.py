"""Bounded retries with exponential back-off; the sleep is injectable so tests stay fast."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

__all__ = ["Backoff"]


@dataclass
class Backoff:
    """How often and how long to wait before retrying a failed request.

    >>> waits = []
    >>> b = Backoff(attempts=3, base=1.0, sleep=waits.append)
    >>> b.wait(0), b.wait(1), b.wait(2), waits
    (True, True, False, [1.0, 2.0])
    """

    attempts: int = 5
    base: float = 1.0
    cap: float = 60.0
    sleep: Callable[[float], None] = field(default=time.sleep)

    def wait(self, failures: int, at_least: float = 0.0) -> bool:
        """Sleep before retry number ``failures + 1``; False (no sleep) when the attempts are used up."""
        if failures + 1 >= self.attempts:
            return False
        self.sleep(min(self.cap, max(at_least, self.base * 2**failures)))
        return True

    def pause(self, seconds: float) -> None:
        """Sleep for a server-requested pause (rate-limit reset), capped."""
        if seconds > 0:
            self.sleep(min(self.cap * 5, seconds))
