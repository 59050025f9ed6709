"""History-level signals built from per-session results, not from every message at once.

A session's results are its signal rows (``_scope_signals`` over ``["session_id"]``: counts per person) and its
*pairs*: who replied to, advised, mentioned or thanked whom, which texts, domains and apps a person used, and who
was active. Over the history, a count is the sum of the session counts; a distinct count (people replied to,
repliers, thankers, distinct texts …) is taken over the union of the sessions' pairs; a share is recomputed from the
summed counts. :func:`history_from_sessions` gives exactly what scanning every message of the chat at once gives
(``tests/test_people_history.py`` checks it against that scan on the samples and the real archives), so the
analysis of a big chat can keep one session's messages at a time and only these small results (docs/scale.md).

Texts are kept as 64-bit hashes of their normalised form (``norm_text``), so the pairs stay small whatever the
texts' length; two different texts of one person would have to share a hash to change ``duplicate_share``.

Examples
--------
>>> import polars as pl
>>> from datetime import datetime, timezone
>>> from moderator_kit.schema import conform
>>> from moderator_kit.people.signals import annotate_messages
>>> t = datetime(2026, 1, 5, 20, 5, tzinfo=timezone.utc)
>>> msgs = conform(pl.DataFrame({
...     "message_id": ["1", "2", "3"], "author_handle": ["ann", "bob", "ann"], "created_at": [t, t, t],
...     "kind": ["post", "reply", "post"], "reply_to_message_id": [None, "1", None],
...     "reply_to_author_handle": [None, "ann", None], "text": ["hello all", "hi ann, welcome", "hello all"]})
... ).with_columns(session_id=pl.Series(["s1", "s1", "s2"]), phase=pl.lit("chat"))
>>> signals, pairs = session_parts(annotate_messages(msgs))
>>> history = history_from_sessions(signals, pairs)
>>> history.select("handle", "messages", "distinct_repliers", "duplicate_share", "sessions_attended").rows()
[('ann', 2, 1, 0.5, 2), ('bob', 1, 0, None, 1)]
"""

from __future__ import annotations

import polars as pl

from moderator_kit.people.patterns import SHARED_HOSTS
from moderator_kit.people.signals import PART_COUNTS, _mention_edges, _scope_signals, bot_signal, signal_shares

__all__ = ["session_parts", "session_pairs", "history_from_sessions", "participant_signals_from", "PAIR_KINDS"]

#: The kinds of per-session pairs (``source`` → ``target``, ``n`` times in the session).
PAIR_KINDS = ("reply", "advice", "mention", "thanks", "text", "domain", "app", "bot_app", "active")

_PAIR_SCHEMA = {"session_id": pl.String, "kind": pl.String, "source": pl.String, "target": pl.String,
                "n": pl.Int64}

#: Counts that add up over sessions.
_SUMMED = (
    "messages", "originals", "reposts", "follow_up_originals", "answers", "advice_messages", "advice_replies",
    "advice_likes", "advice_reposts", "asker_advice", "asker_reception", "questions_answered", "replies_given",
    "non_reply_originals", "link_messages", "promo_links",
    "questions_asked", "help_requests", "job_posts", "job_link_posts", "off_agenda_messages", "thank_yous",
    "first_time_mentions", "texts", "known_apps", "bot_messages",
)


def session_pairs(ann: pl.DataFrame) -> pl.DataFrame:
    """The per-session pairs of annotated messages: ``[session_id, kind, source, target, n]``.

    The definitions are those of the signals (:mod:`moderator_kit.people.signals`): ``reply`` (a reply to another
    person), ``advice`` (advice to a person), ``mention`` (a mention in an original, not of the person replied to),
    ``thanks`` (a thank-you replying to or mentioning the person), ``text`` (an original's normalised text, hashed),
    ``domain`` (link messages per domain that can be one's own), ``app`` / ``bot_app`` (source apps), ``active``
    (an original in an active phase; ``target`` null).
    """
    lf = ann.lazy()
    keep = ["session_id", "handle"]
    orig = pl.col("original")

    def counted(frame: pl.LazyFrame, kind: str) -> pl.LazyFrame:
        return (frame.group_by("session_id", "source", "target").agg(n=pl.len().cast(pl.Int64))
                .select("session_id", kind=pl.lit(kind), source="source", target="target", n="n"))

    parts = [
        counted(lf.filter(pl.col("reply_target").is_not_null())
                .select("session_id", source="handle", target="reply_target"), "reply"),
        counted(lf.filter(pl.col("advice_target").is_not_null())
                .select("session_id", source="handle", target="advice_target"), "advice"),
        counted(_mention_edges(ann, keep).select("session_id", source="handle", target="target"), "mention"),
        counted(lf.filter(pl.col("thanks"))
                .select("session_id", source="handle",
                        target=pl.concat_list(pl.col("reply_target"), pl.col("mentions").fill_null([]))
                        .list.drop_nulls().list.unique())
                .explode("target")
                .filter(pl.col("target").is_not_null() & (pl.col("target") != pl.col("source"))), "thanks"),
        counted(lf.filter(orig & (pl.col("norm_text") != ""))
                .select("session_id", source="handle", target=pl.col("norm_text").hash(0).cast(pl.String)), "text"),
        counted(lf.filter(pl.col("has_link")).select("session_id", source="handle", target="domains")
                .explode("target").filter(~pl.col("target").is_in(list(SHARED_HOSTS))), "domain"),
        counted(lf.filter(pl.col("source_app").is_not_null())
                .select("session_id", source="handle", target="source_app"), "app"),
        counted(lf.filter(pl.col("source_app").is_not_null() & pl.col("bot_app").fill_null(False))
                .select("session_id", source="handle", target="source_app"), "bot_app"),
        counted(lf.filter(pl.col("active")).select("session_id", source="handle", target=pl.lit(None, pl.String)),
                "active"),
    ]
    return pl.concat([p.cast(_PAIR_SCHEMA) for p in parts]).collect()


def session_parts(ann: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A session batch's results for the history: its signal rows per ``(session_id, handle)`` (with the
    :data:`~moderator_kit.people.signals.PART_COUNTS`) and its pairs (:func:`session_pairs`)."""
    return _scope_signals(ann, ["session_id"], parts=True), session_pairs(ann)


def _distinct(pairs: pl.DataFrame, kind: str, by: str, name: str) -> pl.DataFrame:
    """Distinct partners per person over the history (``by``: ``source`` or ``target``)."""
    other = "target" if by == "source" else "source"
    return (pairs.filter(pl.col("kind") == kind).group_by(by)
            .agg(pl.col(other).drop_nulls().n_unique().cast(pl.Int64).alias(name)).rename({by: "handle"}))


def history_from_sessions(signals: pl.DataFrame, pairs: pl.DataFrame, *,
                          sessions_in_data: int | None = None) -> pl.DataFrame:
    """The history-level signals per handle, from the sessions' signal rows and pairs (:func:`session_parts`).

    Equal to the signals of the whole history at once (see the module docstring), plus attendance:
    ``sessions_attended``, ``first_session``, ``last_session`` (null for someone never active) and
    ``sessions_in_data`` (the sessions with messages, or ``sessions_in_data`` when given).
    """
    summed = signals.group_by("handle").agg(pl.col(*_SUMMED).sum())
    replies = pairs.filter(pl.col("kind") == "reply").select("source", "target").unique()
    back = replies.select(source="target", target="source", back=pl.lit(True))
    reciprocated = (replies.join(back, on=["source", "target"], how="left").group_by("source")
                    .agg(reciprocated=pl.col("back").fill_null(False).sum()).rename({"source": "handle"}))
    domains = pairs.filter(pl.col("kind") == "domain").group_by("source", "target").agg(pl.col("n").sum())
    top = (domains.sort(["source", "n", "target"], descending=[False, True, False])
           .group_by("source", maintain_order=True).first()
           .select(handle="source", top_domain="target", domain_messages="n"))
    apps = (pairs.filter(pl.col("kind").is_in(["app", "bot_app"])).group_by("source")
            .agg(source_apps=pl.col("target").filter(pl.col("kind") == "app").unique().sort(),
                 bot_apps=pl.col("target").filter(pl.col("kind") == "bot_app").unique().sort())
            .rename({"source": "handle"}))
    attendance = (pairs.filter(pl.col("kind") == "active").group_by("source")
                  .agg(sessions=pl.col("session_id").unique().sort()).rename({"source": "handle"})
                  .select("handle", sessions_attended=pl.col("sessions").list.len().cast(pl.Int64),
                          first_session=pl.col("sessions").list.first(), last_session=pl.col("sessions").list.last()))
    distinct = [
        _distinct(pairs, "reply", "source", "distinct_replied"),
        _distinct(pairs, "advice", "source", "distinct_advised"),
        _distinct(pairs, "reply", "target", "distinct_repliers"),
        _distinct(pairs, "mention", "target", "distinct_mentioners"),
        _distinct(pairs, "thanks", "target", "thanks_received"),
        _distinct(pairs, "text", "source", "distinct_texts"),
    ]
    # received in any session, also one where the person did not post: from the pairs, not the session rows
    received = (pairs.filter(pl.col("kind").is_in(["reply", "mention"])).group_by("target")
                .agg(replies_received=pl.col("n").filter(pl.col("kind") == "reply").sum(),
                     mentions_received=pl.col("n").filter(pl.col("kind") == "mention").sum())
                .rename({"target": "handle"}))
    out = summed
    for frame in [*distinct, received, reciprocated, top, apps, attendance]:
        out = out.join(frame, on="handle", how="left")
    zero = ["replies_received", "mentions_received", "distinct_replied", "distinct_advised", "distinct_repliers",
            "distinct_mentioners", "thanks_received", "distinct_texts", "reciprocated"]
    out = out.with_columns(pl.col(zero).fill_null(0),
                           pl.col("source_apps", "bot_apps").fill_null(pl.lit([], pl.List(pl.String))))
    out = out.with_columns(**signal_shares(),
                           top_domain_messages=pl.col("domain_messages").fill_null(0).cast(pl.Int64),
                           ).with_columns(bot_signal=bot_signal())
    total = sessions_in_data if sessions_in_data is not None else signals["session_id"].n_unique()
    counts = [c for c in signals.columns if c in out.columns and signals.schema[c] == pl.Int64]
    columns = [c for c in signals.columns if c not in ("session_id", *PART_COUNTS)]
    return (
        out.with_columns(pl.col(counts).cast(pl.Int64), pl.col("sessions_attended").fill_null(0),
                         sessions_in_data=pl.lit(total, dtype=pl.Int64))
        .select(*columns, "sessions_attended", "first_session", "last_session", "sessions_in_data")
        .sort("handle")
    )


def participant_signals_from(signals: pl.DataFrame, pairs: pl.DataFrame, session_ids: list[str]) -> pl.DataFrame:
    """The per-session signals of :func:`moderator_kit.people.participant_signals`, from the sessions' results.

    Adds to the session rows ``active``, ``first_session`` (the handle's first active session), ``is_first_session``,
    ``sessions_before`` (sessions of ``session_ids`` before this one) and ``attended_so_far`` (active sessions up to
    and including this one), all read from the ``active`` pairs.
    """
    sig = signals.drop(*[c for c in PART_COUNTS if c in signals.columns])
    order = pl.DataFrame({"session_id": sorted(set(session_ids))}, schema={"session_id": pl.String}).with_columns(
        sessions_before=pl.int_range(pl.len(), dtype=pl.Int64))
    active = (pairs.filter(pl.col("kind") == "active")
              .select("session_id", handle="source", active=pl.lit(True)).unique())
    first = active.group_by("handle").agg(first_session=pl.col("session_id").min())
    sig = (
        sig.join(active, on=["session_id", "handle"], how="left")
        .join(first, on="handle", how="left")
        .join(order, on="session_id", how="left")
        .with_columns(active=pl.col("active").fill_null(False))
        .with_columns(
            is_first_session=pl.col("active") & (pl.col("first_session") == pl.col("session_id")).fill_null(False),
        )
    )
    # attended_so_far: active sessions whose id sorts at or before this one (ids are dates, so this is time order).
    # Every active (session, handle) has a row here, so it is a running count of the active rows per handle.
    return sig.sort("handle", "session_id").with_columns(
        attended_so_far=pl.when(pl.col("handle").is_not_null())
        .then(pl.col("active").cast(pl.Int64).cum_sum().over("handle")).otherwise(0)
    ).sort("session_id", "handle")

