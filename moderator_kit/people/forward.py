"""Paying it forward: people who sought help in earlier sessions and later act as advocates.

From the session-level role labels (:func:`~moderator_kit.people.roles.assign_roles`): a *seeker session* is one
where the person carries the ``seeker`` label and not ``advocate``; an *advocate session* one with ``advocate``. A
person pays it forward when an advocate session comes after their first seeker session.

Examples
--------
>>> import polars as pl
>>> roles = pl.DataFrame({"session_id": ["s1", "s2", "s4", "s1"], "handle": ["ann", "ann", "ann", "bob"],
...                       "labels": [["seeker"], [], ["advocate"], ["advocate"]]})
>>> pay_it_forward(roles).select("handle", "first_seeker_session", "first_advocate_session",
...                              "sessions_between").rows()
[('ann', 's1', 's4', 2)]
>>> sessions = pl.DataFrame({"session_id": ["s1", "s2", "s3", "s4"], "number": [1, 2, 3, 4]})
>>> pay_it_forward(roles, sessions)["sessions_between"].to_list()  # s3 had no roles rows, but it counts
[3]
"""

from __future__ import annotations

import polars as pl

__all__ = ["pay_it_forward"]


def pay_it_forward(roles: pl.DataFrame | pl.LazyFrame,
                   sessions: pl.DataFrame | pl.LazyFrame | None = None) -> pl.DataFrame:
    """Seekers of earlier sessions who later act as advocates.

    Parameters
    ----------
    roles
        Role labels; rows with a null ``session_id`` (the history level) are ignored.
    sessions
        Optional sessions frame (``session_id``, ``number``) to order and count sessions; without it the sessions
        are those present in ``roles``, in ``session_id`` order (ids are dates, so that is time order).

    Returns
    -------
    polars.DataFrame
        ``[handle, seeker_sessions, advocate_sessions, first_seeker_session, first_advocate_session,
        sessions_between]``: ``seeker_sessions`` before the first advocate session that follows a seeker session,
        ``advocate_sessions`` from it on, and ``sessions_between`` how many sessions later it came, from the first
        seeker session to that first advocate session (3 means "three sessions later").
    """
    frame = roles.collect() if isinstance(roles, pl.LazyFrame) else roles
    frame = frame.filter(pl.col("session_id").is_not_null())
    if sessions is not None:
        order = (sessions.collect() if isinstance(sessions, pl.LazyFrame) else sessions).select(
            "session_id", pos=pl.col("number").cast(pl.Int64))
    else:
        order = frame.select(pl.col("session_id").unique().sort()).with_columns(
            pos=pl.int_range(1, pl.len() + 1, dtype=pl.Int64))
    flagged = frame.join(order, on="session_id", how="inner").select(
        "handle", "session_id", "pos",
        advocate=pl.col("labels").list.contains("advocate"),
        seeker=pl.col("labels").list.contains("seeker") & ~pl.col("labels").list.contains("advocate"),
    )
    first_seek = flagged.filter(pl.col("seeker")).group_by("handle").agg(seek_pos=pl.col("pos").min())
    turn = (
        flagged.join(first_seek, on="handle", how="inner")
        .filter(pl.col("advocate") & (pl.col("pos") > pl.col("seek_pos")))
        .group_by("handle")
        .agg(turn_pos=pl.col("pos").min())
        .join(first_seek, on="handle", how="inner")
    )
    rows = flagged.join(turn, on="handle", how="inner").sort("pos")
    out = rows.group_by("handle").agg(
        seeker_sessions=pl.col("session_id").filter(pl.col("seeker") & (pl.col("pos") < pl.col("turn_pos"))),
        advocate_sessions=pl.col("session_id").filter(pl.col("advocate") & (pl.col("pos") >= pl.col("turn_pos"))),
        first_seeker_session=pl.col("session_id").filter(pl.col("pos") == pl.col("seek_pos")).first(),
        first_advocate_session=pl.col("session_id").filter(pl.col("pos") == pl.col("turn_pos")).first(),
        sessions_between=(pl.col("turn_pos").first() - pl.col("seek_pos").first()).cast(pl.Int64),
    )
    return out.sort("handle")
