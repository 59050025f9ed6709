"""After the chat: interactions in the follow-up window, ties that continue, thank-yous, the moderator's recap, and
the moderator's to-do list.

"The dialog is not over when the chat ends." Definitions (``docs/metrics/people.md``):

- an *interaction* is a reply, quote, repost or mention from one person to another
  (:func:`~moderator_kit.people.signals.interaction_edges`); *talking* leaves reposts out;
- *session participants* are the people with an original message in the session's in-chat phase;
- a *continuing tie* is a pair whose first interaction (in the whole archive) happened in a session's in-chat phase
  and who talked again later: in that session's follow-up, or in any later session.

Examples
--------
>>> from datetime import datetime, timedelta, timezone
>>> import polars as pl
>>> from moderator_kit.schema import conform
>>> t = datetime(2026, 1, 6, 1, 5, tzinfo=timezone.utc)
>>> msgs = conform(pl.DataFrame({
...     "message_id": ["1", "2", "3"], "author_handle": ["ann", "bob", "bob"], "kind": ["post", "reply", "post"],
...     "reply_to_message_id": [None, "1", None], "reply_to_author_handle": [None, "ann", None],
...     "mentions": [[], [], ["ann"]], "text": ["A1 network", "agreed", "Thanks @ann for the tip!"],
...     "created_at": [t, t + timedelta(minutes=1), t + timedelta(hours=20)]}))
>>> msgs = msgs.with_columns(session_id=pl.lit("s1"), phase=pl.Series(["chat", "chat", "follow_up"]))
>>> continuing_ties(msgs).select("a", "b", "later_interactions").rows()
[('ann', 'bob', 1)]
>>> thank_yous(msgs).select("handle", "thanked").rows()
[('bob', ['ann'])]
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from moderator_kit.people.signals import THANKS, annotate_messages, ascii_words, interaction_edges

__all__ = [
    "follow_up_interactions",
    "follow_up_summary",
    "continuing_ties",
    "continuing_ties_from_edges",
    "thank_yous",
    "moderator_recap",
    "todo_list",
    "RECAP",
    "TODO_KINDS",
    "TODO_SCHEMA",
]

#: Recap language in a moderator's message (case-insensitive regular expression).
RECAP = ascii_words(
    r"(?i)\b(recap|summary|summari[sz]e[ds]?|transcripts?|wrap[- ]?up|highlights|storify|wakelet|key takeaways"
    r"|takeaways|in case you missed|missed (it|the chat|tonight))\b"
)
#: Kinds of to-do items, in the order they are listed.
TODO_KINDS = ("unanswered_question", "newcomer_no_reply", "helper_to_thank", "help_seeker")
TODO_SCHEMA = pl.Schema({"session_id": pl.String, "kind": pl.String, "handle": pl.String, "message_id": pl.String,
                         "text": pl.String, "detail": pl.String})


def _eager(frame: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    return frame.collect() if isinstance(frame, pl.LazyFrame) else frame


def _handles(values: Iterable[str]) -> list[str]:
    return sorted({v.strip().lstrip("@").lower() for v in values})


def _chat_participants(annotated: pl.DataFrame) -> pl.DataFrame:
    return (annotated.lazy().filter(pl.col("original") & (pl.col("phase") == "chat"))
            .select("session_id", "handle").unique().collect())


def follow_up_interactions(session_messages: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Interactions in each session's follow-up window between two of its participants.

    Returns one row per interaction: ``[session_id, message_id, created_at, source, target, type]``.
    """
    ann = annotate_messages(session_messages)
    people = _chat_participants(ann)
    edges = interaction_edges(ann.lazy().filter(pl.col("phase") == "follow_up"))  # each message's edges are its own
    return (
        edges.join(people.rename({"handle": "source"}), on=["session_id", "source"], how="semi")
        .join(people.rename({"handle": "target"}), on=["session_id", "target"], how="semi")
        .select("session_id", "message_id", "created_at", "source", "target", "type")
        .sort("session_id", "created_at", "message_id")
    )


def follow_up_summary(session_messages: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Per session: ``participants`` (in-chat), ``follow_up_messages`` (originals), ``interactions`` between
    participants in the follow-up, the distinct ``pairs`` among them and ``people`` taking part."""
    ann = annotate_messages(session_messages)
    sessions = ann.select(pl.col("session_id").unique())
    people = _chat_participants(ann).group_by("session_id").agg(participants=pl.len())
    msgs = ann.lazy().filter(pl.col("original") & (pl.col("phase") == "follow_up")).group_by("session_id").agg(
        follow_up_messages=pl.len()).collect()
    inter = follow_up_interactions(ann).with_columns(
        a=pl.min_horizontal("source", "target"), b=pl.max_horizontal("source", "target"))
    counts = inter.group_by("session_id").agg(
        interactions=pl.len(),
        pairs=pl.struct("a", "b").n_unique(),
        people=pl.concat_list("source", "target").explode().n_unique(),
    )
    out = sessions.join(people, on="session_id", how="left").join(msgs, on="session_id", how="left").join(
        counts, on="session_id", how="left")
    cols = ["participants", "follow_up_messages", "interactions", "pairs", "people"]
    return out.with_columns(pl.col(cols).fill_null(0).cast(pl.Int64)).select("session_id", *cols).sort("session_id")


def continuing_ties(session_messages: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Pairs who first interacted in a session's in-chat phase and talked again later.

    Returns ``[session_id, a, b, first_at, later_interactions, later_sessions, last_at]`` (``a < b``), where
    ``session_id`` is the session of the first interaction, ``later_interactions`` counts replies, quotes and mentions
    between them (either way) after it, outside that session's in-chat phase, and ``later_sessions`` lists the
    sessions those fell in.
    """
    return continuing_ties_from_edges(interaction_edges(annotate_messages(session_messages)))


def continuing_ties_from_edges(edges: pl.DataFrame) -> pl.DataFrame:
    """:func:`continuing_ties` from the sessions' interactions (:func:`~moderator_kit.people.signals.
    interaction_edges` of each session, concatenated): the analysis keeps them per session, not the messages."""
    edges = edges.filter(pl.col("type") != "repost").with_columns(
        a=pl.min_horizontal("source", "target"), b=pl.max_horizontal("source", "target"))
    first = (
        edges.sort("created_at", "message_id")
        .group_by("a", "b", maintain_order=True)
        .first()
        .filter(pl.col("phase") == "chat")
        .select("a", "b", first_session="session_id", first_at="created_at")
    )
    later = (
        edges.join(first, on=["a", "b"], how="inner")
        .filter((pl.col("created_at") > pl.col("first_at"))
                & ((pl.col("session_id") != pl.col("first_session")) | (pl.col("phase") != "chat")))
        .group_by("a", "b")
        .agg(later_interactions=pl.len().cast(pl.Int64), later_sessions=pl.col("session_id").unique().sort(),
             last_at=pl.col("created_at").max())
    )
    return (
        first.join(later, on=["a", "b"], how="inner")
        .select(session_id="first_session", a="a", b="b", first_at="first_at",
                later_interactions="later_interactions", later_sessions="later_sessions", last_at="last_at")
        .sort("session_id", "a", "b")
    )


def thank_yous(session_messages: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Thank-you messages and whom they thank (the person replied to and the people mentioned).

    Thank-you language is :data:`~moderator_kit.people.signals.THANKS`. Returns
    ``[session_id, phase, message_id, created_at, handle, thanked, text]``; ``thanked`` may be empty (a thank-you to
    the room).
    """
    ann = annotate_messages(session_messages)
    thanks = ann.lazy().filter(pl.col("thanks")).select(
        "session_id", "phase", "message_id", "created_at", "handle", "reply_target", "mentions", "text").collect()
    return thanks.select(
        "session_id", "phase", "message_id", "created_at", "handle",
        thanked=pl.concat_list("reply_target", pl.col("mentions").fill_null([]))
        .list.eval(pl.element().filter(pl.element().is_not_null())).list.unique(maintain_order=True)
        .list.set_difference(pl.concat_list("handle")),
        text="text",
    ).sort("session_id", "created_at", "message_id")


def moderator_recap(session_messages: pl.DataFrame | pl.LazyFrame, moderators: Iterable[str], *,
                    closing_minutes: float = 15) -> pl.DataFrame:
    """Per session: did a moderator post a recap or thanks after the chat?

    "After the chat" means the follow-up phase, or the last ``closing_minutes`` of the in-chat phase (measured back
    from its last message), where closing thanks usually come. Recap language is :data:`RECAP`, thanks
    :data:`~moderator_kit.people.signals.THANKS`.

    Returns ``[session_id, recap, thanks, recap_message_id, thanks_message_id, statement]``.

    >>> from datetime import datetime, timedelta, timezone
    >>> import polars as pl
    >>> t = datetime(2026, 1, 6, 1, 0, tzinfo=timezone.utc)
    >>> msgs = pl.DataFrame({"session_id": ["s1", "s1", "s2"], "phase": ["chat", "follow_up", "chat"],
    ...     "message_id": ["1", "2", "3"], "author_handle": ["mod", "mod", "mod"], "kind": ["post"] * 3,
    ...     "text": ["Q1 go", "Recap of tonight: https://ex.com/r", "Q1 again"],
    ...     "created_at": [t, t + timedelta(hours=2), t + timedelta(days=7)]})
    >>> for row in moderator_recap(msgs, ["mod"]).select("session_id", "recap", "statement").rows():
    ...     print(row)
    ('s1', True, 'a moderator posted a recap (message 2)')
    ('s2', False, 'no recap or thanks from a moderator after the chat')
    """
    frame = _eager(session_messages).select(  # the columns used below: filters and joins copy every column
        "session_id", "phase", "author_handle", "kind", "created_at", "text", "message_id")
    mods = _handles(moderators)
    sessions = frame.select(pl.col("session_id").unique())
    chat_end = frame.filter(pl.col("phase") == "chat").group_by("session_id").agg(chat_last=pl.col("created_at").max())
    closing = pl.duration(microseconds=int(closing_minutes * 60_000_000))
    late = (
        frame.join(chat_end, on="session_id", how="left")
        .filter(
            pl.col("author_handle").is_in(mods) & (pl.col("kind") != "repost")
            & ((pl.col("phase") == "follow_up")
               | ((pl.col("phase") == "chat") & (pl.col("created_at") >= pl.col("chat_last") - closing)))
        )
        .with_columns(is_recap=pl.col("text").fill_null("").str.contains(RECAP),
                      is_thanks=pl.col("text").fill_null("").str.contains(THANKS))
        .sort("created_at", "message_id")
        .group_by("session_id")
        .agg(recap=pl.col("is_recap").any(), thanks=pl.col("is_thanks").any(),
             recap_message_id=pl.col("message_id").filter(pl.col("is_recap")).first(),
             thanks_message_id=pl.col("message_id").filter(pl.col("is_thanks")).first())
    )
    out = sessions.join(late, on="session_id", how="left").with_columns(
        pl.col("recap", "thanks").fill_null(False))
    statement = (
        pl.when(pl.col("recap") & pl.col("thanks")).then(pl.format(
            "a moderator posted a recap (message {}) and thanks (message {})", "recap_message_id",
            "thanks_message_id"))
        .when(pl.col("recap")).then(pl.format("a moderator posted a recap (message {})", "recap_message_id"))
        .when(pl.col("thanks")).then(pl.format("a moderator posted thanks (message {}) but no recap",
                                               "thanks_message_id"))
        .otherwise(pl.lit("no recap or thanks from a moderator after the chat"))
    )
    if not mods:
        statement = pl.lit("no moderators in the chat config, so the recap cannot be checked")
    return out.with_columns(statement=statement).select(
        "session_id", "recap", "thanks", "recap_message_id", "thanks_message_id", "statement").sort("session_id")


def todo_list(session_messages: pl.DataFrame | pl.LazyFrame, assignments: pl.DataFrame | pl.LazyFrame | None,
              signals: pl.DataFrame, roles: pl.DataFrame, *, moderators: Iterable[str],
              top_helpers: int = 3) -> pl.DataFrame:
    """The moderator's to-do list per session, each item linked to its message.

    Kinds (:data:`TODO_KINDS`):

    - ``unanswered_question``: a participant's question to the room (a ``?`` or help-seeking language; not an agenda
      question or a tagged answer), or any help request, that nobody replied to;
    - ``newcomer_no_reply``: a newcomer (role label) who received no reply in the session; the item links their first
      message;
    - ``helper_to_thank``: the ``top_helpers`` advocates of the session with the most distinct people replied to; the
      item links their most replied-to message;
    - ``help_seeker``: a seeker (role label); the item links their first help request.

    Moderators and spam accounts get no items. ``signals`` and ``roles`` are the session-level outputs of
    :func:`~moderator_kit.people.signals.participant_signals` and :func:`~moderator_kit.people.roles.assign_roles`.

    Returns ``[session_id, kind, handle, message_id, text, detail]``.
    """
    ann = annotate_messages(session_messages, assignments)
    mods = _handles(moderators)
    session_roles = roles.filter(pl.col("session_id").is_not_null())
    spam = session_roles.filter(pl.col("labels").list.contains("spam")).select("session_id", "handle")
    ann = ann.select(  # the columns used below: filters and joins copy every column
        "session_id", "handle", "original", "question_like", "reply_target", "help_seeking", "replies_to_message",
        "message_id", "text", "created_at",
    ).filter(~pl.col("handle").is_in(mods) & pl.col("original")).join(
        spam, on=["session_id", "handle"], how="anti").sort("created_at", "message_id")

    def labelled(label: str) -> pl.DataFrame:
        return session_roles.filter(pl.col("labels").list.contains(label)).select("session_id", "handle")

    unanswered = ann.filter(
        pl.col("question_like") & (pl.col("reply_target").is_null() | pl.col("help_seeking"))
        & (pl.col("replies_to_message") == 0)
    ).select("session_id", kind=pl.lit("unanswered_question"), handle="handle", message_id="message_id",
             text="text", detail=pl.lit("nobody replied to this question"), at="created_at")

    firsts = ann.group_by("session_id", "handle", maintain_order=True).agg(
        message_id=pl.col("message_id").first(), text=pl.col("text").first(), at=pl.col("created_at").first(),
        n=pl.len())
    newcomers = (
        labelled("newcomer")
        .join(signals.select("session_id", "handle", "replies_received"), on=["session_id", "handle"], how="left")
        .filter(pl.col("replies_received").fill_null(0) == 0)
        .join(firsts, on=["session_id", "handle"], how="inner")
        .select("session_id", kind=pl.lit("newcomer_no_reply"), handle="handle", message_id="message_id",
                text="text", at="at",
                detail=pl.when(pl.col("n") == 1).then(pl.lit("first session; nobody replied to their message"))
                .otherwise(pl.format("first session; nobody replied to any of their {} messages", "n")))
    )

    best = (
        ann.sort(["replies_to_message", "created_at"], descending=[True, False])
        .group_by("session_id", "handle", maintain_order=True)
        .agg(message_id=pl.col("message_id").first(), text=pl.col("text").first(), at=pl.col("created_at").first())
    )
    helpers = (
        labelled("advocate")
        .join(signals.select("session_id", "handle", "distinct_replied", "questions_answered", "answers"),
              on=["session_id", "handle"], how="left")
        .sort(["session_id", "distinct_replied", "answers", "handle"], descending=[False, True, True, False])
        .group_by("session_id", maintain_order=True)
        .head(top_helpers)
        .join(best, on=["session_id", "handle"], how="inner")
        .select("session_id", kind=pl.lit("helper_to_thank"), handle="handle", message_id="message_id",
                text="text", at="at", detail=pl.format("replied to {} distinct people, answered {} questions",
                                                       "distinct_replied", "questions_answered"))
    )

    asks = (
        ann.filter(pl.col("help_seeking"))
        .group_by("session_id", "handle", maintain_order=True)
        .agg(message_id=pl.col("message_id").first(), text=pl.col("text").first(), at=pl.col("created_at").first(),
             replies=pl.col("replies_to_message").first())
    )
    seekers = labelled("seeker").join(asks, on=["session_id", "handle"], how="inner").select(
        "session_id", kind=pl.lit("help_seeker"), handle="handle", message_id="message_id", text="text", at="at",
        detail=pl.when(pl.col("replies") == 0).then(pl.lit("asked for help; no reply yet"))
        .when(pl.col("replies") == 1).then(pl.lit("asked for help; 1 reply"))
        .otherwise(pl.format("asked for help; {} replies", "replies")))

    items = pl.concat([
        frame.select(*TODO_SCHEMA, "at").cast({**TODO_SCHEMA, "at": pl.Datetime("us", "UTC")})
        for frame in (unanswered, newcomers, helpers, seekers)
    ])
    order = pl.col("kind").replace_strict({k: i for i, k in enumerate(TODO_KINDS)}, return_dtype=pl.Int64)
    return items.with_columns(_order=order).sort("session_id", "_order", "at", "message_id").drop("_order", "at")
