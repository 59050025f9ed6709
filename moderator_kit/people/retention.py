"""Who comes back: new, returning and lapsed participants, cohorts, first-timer return and survival of regulars.

A participant is *active* in a session when they posted at least one original message (a post, reply or quote;
reposts do not count, a repost is not a new voice) in the session's in-chat or follow-up phase
(:data:`ACTIVE_PHASES`). Pre-chat messages alone ("see you tonight!") do not make someone a participant.

The first session of an archive has no history before it, so everyone active in it counts as *new*; read the first
row of :func:`retention_by_session` with that in mind. :func:`first_timer_return` leaves that session out by default
for the same reason. See ``docs/metrics/people.md``.

Examples
--------
>>> import polars as pl
>>> msgs = pl.DataFrame({"session_id": ["s1", "s1", "s2", "s2"], "phase": ["chat"] * 4,
...                      "author_handle": ["ann", "bob", "ann", "cy"], "kind": ["post"] * 4})
>>> sessions = pl.DataFrame({"session_id": ["s1", "s2"], "number": [1, 2]})
>>> retention_by_session(msgs, sessions).select("session_id", "active", "new", "returning", "lapsed").rows()
[('s1', 2, 2, 0, 0), ('s2', 2, 1, 1, 1)]
"""

from __future__ import annotations

import polars as pl

__all__ = [
    "ACTIVE_PHASES",
    "active_participants",
    "retention_by_session",
    "new_and_returning",
    "cohort_matrix",
    "first_timer_return",
    "regular_survival",
]

#: Phases in which an original message makes someone an active participant of the session.
ACTIVE_PHASES = ("chat", "follow_up")


def _eager(frame: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    return frame.collect() if isinstance(frame, pl.LazyFrame) else frame


def _numbers(sessions: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    return _eager(sessions).select(pl.col("session_id").cast(pl.String), pl.col("number").cast(pl.Int64)).sort("number")


def active_participants(session_messages: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Distinct ``(session_id, handle)`` pairs of active participants.

    >>> import polars as pl
    >>> msgs = pl.DataFrame({"session_id": ["s1", "s1", "s1"], "phase": ["pre", "chat", "chat"],
    ...                      "author_handle": ["ann", "bob", "cy"], "kind": ["post", "reply", "repost"]})
    >>> active_participants(msgs)["handle"].to_list()
    ['bob']
    """
    return (
        session_messages.lazy()
        .filter(
            (pl.col("kind") != "repost")
            & pl.col("phase").is_in(list(ACTIVE_PHASES))
            & pl.col("author_handle").is_not_null()
            & pl.col("session_id").is_not_null()
        )
        .select("session_id", handle="author_handle")
        .unique()
        .sort("session_id", "handle")
        .collect()
    )


def _active_numbered(session_messages, sessions) -> tuple[pl.DataFrame, pl.DataFrame]:
    numbers = _numbers(sessions)
    active = active_participants(session_messages).join(numbers, on="session_id", how="inner")
    first = active.group_by("handle").agg(first_number=pl.col("number").min(), last_number=pl.col("number").max(),
                                          attended=pl.len())
    return numbers, active.join(first, on="handle", how="left")


def retention_by_session(session_messages: pl.DataFrame | pl.LazyFrame,
                         sessions: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """New, returning and lapsed participants per session.

    Returns ``[session_id, number, active, new, returning, lapsed, returning_share]``: ``new`` were never active
    before, ``returning`` were, ``lapsed`` were active in the previous session but not in this one, and
    ``returning_share = returning / active`` (null when nobody was active). Every session of ``sessions`` has a row.
    """
    numbers, active = _active_numbered(session_messages, sessions)
    per = active.group_by("number").agg(
        active=pl.len(), new=(pl.col("number") == pl.col("first_number")).sum()
    )
    previous = numbers.with_columns(prev_number=pl.col("number").shift(1))
    gone = (
        previous.join(active.select("handle", prev_number="number"), on="prev_number", how="inner")
        .join(active.select("handle", "number", here=pl.lit(True)), on=["handle", "number"], how="left")
        .filter(pl.col("here").is_null())
        .group_by("number")
        .agg(lapsed=pl.len())
    )
    out = (
        numbers.join(per, on="number", how="left")
        .join(gone, on="number", how="left")
        .with_columns(pl.col("active", "new", "lapsed").fill_null(0).cast(pl.Int64))
        .with_columns(returning=pl.col("active") - pl.col("new"))
    )
    return out.select(
        "session_id", "number", "active", "new", "returning", "lapsed",
        returning_share=pl.when(pl.col("active") > 0).then(pl.col("returning") / pl.col("active")),
    ).sort("number")


def new_and_returning(signals: pl.DataFrame | pl.LazyFrame, session_ids: list[str]) -> dict[str, int]:
    """The active participants of a selection of sessions, each counted once, split into new and returning.

    The population is the people active in at least one selected session (``signals.active``). Each is
    *returning* when they were active in an earlier session of the archive than their last active session of the
    selection, else *new*: for one session this is :func:`retention_by_session`'s split; over several sessions a
    person who came twice inside the selection counts once, as returning. ``new + returning == active`` always.
    Session ids sort in time order (they are dates), as ``signals.first_session`` assumes.

    >>> import polars as pl
    >>> sig = pl.DataFrame({"session_id": ["s1", "s1", "s2", "s2"], "handle": ["ann", "bob", "ann", "cy"],
    ...                     "active": [True, True, True, True], "first_session": ["s1", "s1", "s1", "s2"]})
    >>> new_and_returning(sig, ["s2"]), new_and_returning(sig, ["s1", "s2"])
    ({'active': 2, 'new': 1, 'returning': 1}, {'active': 3, 'new': 2, 'returning': 1})
    """
    people = (
        signals.lazy()
        .filter(pl.col("active") & pl.col("session_id").is_in(list(session_ids)))
        .group_by("handle")
        .agg(last=pl.col("session_id").max(), first=pl.col("first_session").min())
        .select(active=pl.len(), returning=(pl.col("first") < pl.col("last")).sum())
        .collect()
    )
    active, returning = (int(v or 0) for v in people.row(0))
    return {"active": active, "new": active - returning, "returning": returning}


def cohort_matrix(session_messages: pl.DataFrame | pl.LazyFrame,
                  sessions: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Cohort retention: of those first active in session ``cohort``, how many were active ``sessions_since`` later.

    Returns ``[cohort, session_id, sessions_since, retained, cohort_size, share]``, one row per cohort and per session
    from the cohort's own (``sessions_since = 0``, ``share = 1``) to the last, zeros included.

    >>> import polars as pl
    >>> msgs = pl.DataFrame({"session_id": ["s1", "s1", "s2", "s3"], "phase": ["chat"] * 4,
    ...                      "author_handle": ["ann", "bob", "cy", "ann"], "kind": ["post"] * 4})
    >>> sessions = pl.DataFrame({"session_id": ["s1", "s2", "s3"], "number": [1, 2, 3]})
    >>> cohort_matrix(msgs, sessions).filter(pl.col("cohort") == "s1").select("sessions_since", "retained").rows()
    [(0, 2), (1, 0), (2, 1)]
    """
    numbers, active = _active_numbered(session_messages, sessions)
    cohorts = (
        active.filter(pl.col("number") == pl.col("first_number"))
        .group_by("first_number")
        .agg(cohort_size=pl.len())
        .join(numbers.select(first_number="number", cohort="session_id"), on="first_number", how="inner")
    )
    grid = cohorts.join(numbers, how="cross").filter(pl.col("number") >= pl.col("first_number"))
    retained = active.group_by("first_number", "number").agg(retained=pl.len())
    out = grid.join(retained, on=["first_number", "number"], how="left").with_columns(
        pl.col("retained").fill_null(0).cast(pl.Int64)
    )
    return out.select(
        "cohort",
        "session_id",
        sessions_since=pl.col("number") - pl.col("first_number"),
        retained="retained",
        cohort_size=pl.col("cohort_size").cast(pl.Int64),
        share=pl.col("retained") / pl.col("cohort_size"),
    ).sort("cohort", "sessions_since")


def first_timer_return(session_messages: pl.DataFrame | pl.LazyFrame, sessions: pl.DataFrame | pl.LazyFrame, *,
                       include_first_session: bool = False) -> pl.DataFrame:
    """Return rate of first-timers, split by whether they received a reply in their first session.

    Budak & Agrawal (WWW 2013) found that newcomers who receive replies in their first chat are more likely to come
    back. A first-timer is a participant whose first active session is not the last session (so they could return);
    those of the archive's first session are left out unless ``include_first_session`` (they may be veterans whose
    earlier sessions are not in the archive). A *reply* is a reply by someone else, in any phase of that session.

    Returns two rows, ``got_reply`` True then False: ``[got_reply, newcomers, returned, rate]`` (rate null when there
    are no such newcomers).

    >>> import polars as pl
    >>> msgs = pl.DataFrame({
    ...     "session_id": ["s1", "s2", "s2", "s2", "s3"], "phase": ["chat"] * 5,
    ...     "author_handle": ["mod", "new1", "mod", "new2", "new1"], "kind": ["post", "post", "reply", "post", "post"],
    ...     "reply_to_author_handle": [None, None, "new1", None, None]})
    >>> sessions = pl.DataFrame({"session_id": ["s1", "s2", "s3"], "number": [1, 2, 3]})
    >>> first_timer_return(msgs, sessions).rows()
    [(True, 1, 1, 1.0), (False, 1, 0, 0.0)]
    """
    frame = _eager(session_messages)
    numbers, active = _active_numbered(session_messages, sessions)
    if numbers.height:
        lo, hi = numbers["number"].min(), numbers["number"].max()
    else:
        lo = hi = 0
    newcomers = active.filter(pl.col("number") == pl.col("first_number")).filter(pl.col("number") < hi)
    if not include_first_session:
        newcomers = newcomers.filter(pl.col("number") > lo)
    replied = (
        frame.lazy()
        .filter(
            (pl.col("kind") != "repost")
            & pl.col("reply_to_author_handle").is_not_null()
            & (pl.col("reply_to_author_handle") != pl.col("author_handle"))
        )
        .select("session_id", handle="reply_to_author_handle", got_reply=pl.lit(True))
        .unique()
        .collect()
    )
    flagged = newcomers.join(replied, on=["session_id", "handle"], how="left").with_columns(
        got_reply=pl.col("got_reply").fill_null(False),
        returned=pl.col("last_number") > pl.col("number"),
    )
    counts = flagged.group_by("got_reply").agg(newcomers=pl.len(), returned=pl.col("returned").sum())
    base = pl.DataFrame({"got_reply": [True, False]})
    out = base.join(counts, on="got_reply", how="left").with_columns(
        pl.col("newcomers", "returned").fill_null(0).cast(pl.Int64)
    )
    return out.with_columns(rate=pl.when(pl.col("newcomers") > 0).then(pl.col("returned") / pl.col("newcomers")))


def regular_survival(session_messages: pl.DataFrame | pl.LazyFrame, sessions: pl.DataFrame | pl.LazyFrame, *,
                     min_sessions: int = 3) -> pl.DataFrame:
    """Survival of regulars: the share still coming back ``k`` sessions after their first.

    Regulars are participants active in at least ``min_sessions`` sessions (``config.roles.regular_min_sessions``).
    For each ``k = sessions_since_first``, ``at_risk`` counts the regulars whose first session lies at least ``k``
    sessions before the archive's last (so the archive can show them at ``k``), ``surviving`` those among them whose
    last active session is ``k`` or more sessions after their first, and ``share = surviving / at_risk``.

    Returns ``[sessions_since_first, at_risk, surviving, share]`` for ``k`` from 0 to the longest observable span.

    >>> import polars as pl
    >>> msgs = pl.DataFrame({"session_id": ["s1", "s2", "s1", "s2", "s3", "s4"], "phase": ["chat"] * 6,
    ...                      "author_handle": ["ann", "ann", "bob", "bob", "bob", "bob"], "kind": ["post"] * 6})
    >>> sessions = pl.DataFrame({"session_id": ["s1", "s2", "s3", "s4"], "number": [1, 2, 3, 4]})
    >>> regular_survival(msgs, sessions, min_sessions=2)["share"].to_list()
    [1.0, 1.0, 0.5, 0.5]
    """
    numbers, active = _active_numbered(session_messages, sessions)
    schema = {"sessions_since_first": pl.Int64, "at_risk": pl.Int64, "surviving": pl.Int64, "share": pl.Float64}
    regulars = active.filter(pl.col("attended") >= min_sessions).select("handle", "first_number",
                                                                         "last_number").unique()
    if regulars.height == 0 or numbers.height == 0:
        return pl.DataFrame(schema=schema)
    hi = numbers["number"].max()
    span = int(hi - regulars["first_number"].min())
    # at_risk(k) = regulars observable k sessions after their first (hi - first >= k); surviving(k) = those whose
    # last session is k or more after their first (last - first >= k, which implies hi - first >= k). Both are
    # counts of a span at least k: a reverse running count over k, not a grid of regulars by k (9M rows for 5,000
    # regulars over 1,900 sessions).
    ks = pl.DataFrame({"sessions_since_first": pl.int_range(0, span + 1, eager=True, dtype=pl.Int64)})

    def at_least(spans: pl.Expr, name: str) -> pl.DataFrame:
        counts = regulars.select(sessions_since_first=spans.cast(pl.Int64)).group_by("sessions_since_first").len()
        return (ks.join(counts, on="sessions_since_first", how="left").sort("sessions_since_first")
                .select("sessions_since_first", pl.col("len").fill_null(0).reverse().cum_sum().reverse().alias(name)))

    out = (at_least(hi - pl.col("first_number"), "at_risk")
           .join(at_least(pl.col("last_number") - pl.col("first_number"), "surviving"), on="sessions_since_first")
           .filter(pl.col("at_risk") > 0))
    return out.select(
        pl.col("sessions_since_first"),
        pl.col("at_risk").cast(pl.Int64),
        pl.col("surviving").cast(pl.Int64),
        share=pl.col("surviving") / pl.col("at_risk"),
    ).sort("sessions_since_first")
