"""The headline figures of a selection of sessions, read from a snapshot: one function for the Overview page's cards
and the ``summary`` command's headline, so both show the same numbers.

Nothing is re-analysed: the figures are sums, means and distinct counts over the snapshot's per-session rows
(``engagement``, ``signals``, ``session_flow``, ``reach``). Over several sessions a person is counted once.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import polars as pl

from moderator_kit.formats import fmt_int, fmt_pct, fmt_score
from moderator_kit.people.retention import new_and_returning
from moderator_kit.snapshot_store import Snapshot

__all__ = ["SelectionSummary", "summarize_selection", "headline_rows"]


@dataclass(frozen=True)
class SelectionSummary:
    """Headline figures of a selection of sessions (docs/metrics/engagement.md).

    ``active`` counts people with an original message in the chat window, each once; ``pure_reposters`` the people
    who only reposted in every selected session (never counted as active). ``new + returning == active``.
    ``reply_share`` = replies ÷ original messages; ``herding_score`` is the mean of the sessions' scores;
    ``impressions_*`` are summed over the sessions (equal when the platform measured views).
    """

    sessions: int
    messages: int
    originals: int
    active: int
    pure_reposters: int
    new: int
    returning: int
    replies: int
    reply_share: float | None
    herding_score: float | None
    impressions_low: float | None
    impressions_mid: float | None
    impressions_high: float | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _sum(frame: pl.DataFrame, column: str) -> float | None:
    if frame.height == 0 or column not in frame.columns:
        return None
    return float(frame[column].fill_null(0).sum())


def _mean(frame: pl.DataFrame, column: str) -> float | None:
    if frame.height == 0 or column not in frame.columns:
        return None
    value = frame[column].drop_nulls()
    return float(value.mean()) if value.len() else None


def summarize_selection(snapshot: Snapshot, session_ids: list[str]) -> SelectionSummary:
    """The headline figures of ``session_ids``.

    One session reads its ``engagement`` row; several count distinct handles in ``signals`` (active in any selected
    session; pure reposters = people who only reposted in every selected session).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from moderator_kit.snapshot_store import write_snapshot
    >>> folder = Path(tempfile.mkdtemp()) / "chat=demo"
    >>> engagement = pl.DataFrame({"session_id": ["a", "b"], "messages": [10, 6], "originals": [8, 4],
    ...                            "replies": [2, 2], "active_participants": [3, 2], "pure_reposters": [1, 1]})
    >>> signals = pl.DataFrame({"session_id": ["a", "a", "a", "a", "b", "b", "b"],
    ...                         "handle": ["ann", "bob", "cy", "rt", "ann", "dee", "rt"],
    ...                         "active": [True, True, True, False, True, True, False],
    ...                         "reposts": [0, 0, 0, 2, 0, 0, 2],
    ...                         "first_session": ["a", "a", "a", "a", "a", "b", "a"]})
    >>> write_snapshot(folder, {"engagement": engagement, "signals": signals}, {})
    >>> s = summarize_selection(Snapshot(folder), ["a", "b"])
    >>> s.active, s.pure_reposters, s.new, s.returning, s.reply_share
    (4, 1, 3, 1, 0.3333333333333333)
    >>> summarize_selection(Snapshot(folder), ["b"]).active
    2
    """
    ids = list(session_ids)
    engagement = snapshot.table_or_empty("engagement", ids)
    signals = snapshot.table_or_empty("signals", ids)
    flow = snapshot.table_or_empty("session_flow", ids)
    reach = snapshot.table_or_empty("reach", ids)
    messages = int(_sum(engagement, "messages") or 0)
    originals = int(_sum(engagement, "originals") or 0)
    replies = int(_sum(engagement, "replies") or 0)
    if len(ids) == 1 and engagement.height:
        row = engagement.row(0, named=True)
        active, pure = int(row["active_participants"] or 0), int(row["pure_reposters"] or 0)
    elif signals.height and "active" in signals.columns:
        people = signals.group_by("handle").agg(active=pl.col("active").any(), reposts=pl.col("reposts").sum())
        active = int(people["active"].sum())
        pure = people.filter(~pl.col("active") & (pl.col("reposts") > 0)).height
    else:
        active = pure = 0
    split = (new_and_returning(signals, ids) if signals.height and "first_session" in signals.columns
             else {"new": 0, "returning": 0})
    return SelectionSummary(
        sessions=len(ids), messages=messages, originals=originals, active=active, pure_reposters=pure,
        new=split["new"], returning=split["returning"], replies=replies,
        reply_share=replies / originals if originals else None,
        herding_score=_mean(flow, "herding_score"),
        impressions_low=_sum(reach, "impressions_low"), impressions_mid=_sum(reach, "impressions_mid"),
        impressions_high=_sum(reach, "impressions_high"),
    )


def headline_rows(summary: SelectionSummary) -> list[tuple[str, str]]:
    """(label, formatted value) of the headline figures, as the Overview cards and ``summary`` print them.

    >>> rows = headline_rows(SelectionSummary(1, 10, 8, 3, 1, 2, 1, 2, 0.25, 71.44, 100.0, 400.0, 900.0))
    >>> rows[1], rows[3], rows[4]
    (('Active participants', '3'), ('New · returning', '2 · 1'), ('Herding score', '71 / 100'))
    """
    herding = summary.herding_score
    return [
        ("Messages", fmt_int(summary.messages)),
        ("Active participants", fmt_int(summary.active)),
        ("Only reposted (not counted)", fmt_int(summary.pure_reposters)),
        ("New · returning", f"{fmt_int(summary.new)} · {fmt_int(summary.returning)}"),
        ("Herding score", fmt_score(herding) + (" / 100" if herding is not None else "")),
        ("Reply share", fmt_pct(summary.reply_share)),
        ("Estimated impressions", fmt_int(summary.impressions_mid)),
    ]
