"""Behaviour signals per participant: per session and over the chat's whole history.

The signals are counts and shares that the role labels (:mod:`moderator_kit.people.roles`) are built from. Every one
is defined in ``docs/metrics/people.md``; in short, for a participant within a scope (one session, or the history):

- ``messages`` (all), ``originals`` (posts, replies and quotes), ``reposts``;
- ``answers``: originals the flow assignment put in category ``answer``, leaving out help requests and thank-yous
  ("A2: I'm stuck, any advice?" asks, it does not answer); ``questions_answered``: distinct (session, question)
  among them;
- ``advice_messages``: answers and advice replies (below) together; how others received them: ``advice_replies``
  (replies by others to them), ``advice_likes``, ``advice_reposts`` and ``thanks_received`` (distinct people whose
  thank-you replies to or mentions the person); ``follow_up_originals``: originals in the follow-up phase;
- ``replies_given`` to other people, ``distinct_replied`` (people replied to); ``distinct_advised``: people replied
  to with *advice*: a reply of at least :data:`ADVICE_MIN_WORDS` words that is not a thank-you, a greeting, a short
  agreement, a question or a help request, and not a reply to a social post (an intro). A reply straight under an
  agenda question or a moderator's post answers the question; it counts as advice to a person only when it opens
  by addressing someone else ("@ana try this": how people answer each other in a flat Slack thread);
  ``asker_advice``: advice replies to the author of the help request they answer (a message with help-seeking
  language by someone else) within :data:`ASKER_WINDOW_MINUTES` of it, and ``asker_reception``: how those askers
  took it (came back to the request's thread after the advice, plus reactions and replies to the advice);
  ``replies_received`` and
  ``distinct_repliers``; ``mentions_received`` / ``distinct_mentioners`` (mentions in others' originals, not counting
  the mention of the person a reply answers); ``reciprocity``: the share of people they replied to who replied back;
- ``broadcast_ratio``: originals that are not replies / originals;
- ``link_share``: originals with an external link / originals (links to the chat platform itself and GIF hosts,
  ``PLATFORM_DOMAINS`` and ``REACTION_DOMAINS``, are not external links); ``top_domain``, ``top_domain_messages``
  and ``own_domain_share``: the author's most linked domain that can be their own (not one of the
  ``SHARED_HOSTS`` such as youtube.com or github.com), their link messages pointing to it, and that share of their
  link messages; ``promo_link_share``: originals with an external link and no conversation (not a reply, and no
  reply received) / originals;
- ``questions_asked``: originals that ask something (help-seeking language, or a ``?`` that ends the message),
  leaving out agenda questions, moderator posts, promotion and tagged answers with no help-seeking language; ``help_requests``: originals with help-seeking language; ``job_posts``:
  originals with job-posting language; ``off_agenda_messages``; ``thank_yous``; ``first_time_mentions``: originals
  saying it is their first time ("first time joining", "new here");
- ``source_apps``, ``bot_apps`` (apps named by the spam rules or automation tools), ``bot_messages`` and
  ``bot_share`` (messages from them / messages with a known app) and ``bot_signal`` (``bot_share`` ≥
  :data:`BOT_MIN_SHARE`; null when none of the participant's messages carries a source app);
  ``duplicate_share``: originals repeating an earlier text of the same author.

Examples
--------
>>> from datetime import datetime, timezone
>>> import polars as pl
>>> from moderator_kit.schema import conform
>>> t = datetime(2026, 1, 6, 1, 5, tzinfo=timezone.utc)
>>> msgs = conform(pl.DataFrame({
...     "message_id": ["1", "2", "3"], "author_handle": ["ann", "bob", "ann"], "kind": ["post", "reply", "reply"],
...     "reply_to_message_id": [None, "1", "2"], "reply_to_author_handle": [None, "ann", "bob"],
...     "text": ["Any tips for interviews?", "Practice out loud", "thanks!"], "created_at": [t, t, t]}))
>>> msgs = msgs.with_columns(session_id=pl.lit("s1"), phase=pl.lit("chat"))
>>> sig = participant_signals(msgs)
>>> sig.select("handle", "questions_asked", "distinct_replied", "reciprocity").rows()
[('ann', 1, 1, 1.0), ('bob', 0, 1, 1.0)]
"""

from __future__ import annotations

import polars as pl

from moderator_kit.config import ChatConfig, SpamRules
from moderator_kit.people.patterns import (  # noqa: F401  (re-exported)
    AGREEMENT, ASKING_ABOUT_LISTENERS, AUTOMATION_APPS, FIRST_TIME, GREETING, HELP_SEEKING, HELP_SEEKING_OWN,
    JOB_POSTING, OFFERING_HELP, PLATFORM_DOMAINS, REACTION_DOMAINS, SHARED_HOSTS, THANKS, URL_PATTERN, ascii_words,
)
from moderator_kit.people.retention import ACTIVE_PHASES

__all__ = [
    "participant_signals",
    "history_signals",
    "annotate_messages",
    "floor_question_flags",
    "own_help_requests",
    "ANNOTATION_COLUMNS",
    "interaction_edges",
    "signal_availability",
    "availability_counts",
    "availability_from_counts",
    "HELP_SEEKING",
    "HELP_SEEKING_OWN",
    "ASKING_ABOUT_LISTENERS",
    "OFFERING_HELP",
    "JOB_POSTING",
    "THANKS",
    "FIRST_TIME",
    "GREETING",
    "AGREEMENT",
    "ADVICE_MIN_WORDS",
    "ASKER_WINDOW_MINUTES",
    "AUTOMATION_APPS",
    "PLATFORM_DOMAINS",
    "REACTION_DOMAINS",
    "SHARED_HOSTS",
    "URL_PATTERN",
    "BOT_MIN_SHARE",
    "ascii_words",
    "RECEPTION_COLUMNS",
]

#: Below this many words, a reply opening with agreement is agreement; longer ones carry advice ("Same here, and ...").
AGREEMENT_MAX_WORDS = 10
#: Advice to someone who asked for help counts as *asker advice* when it comes within this many minutes of the
#: request, while the asker waits for it: later replies in a long flat thread are mostly the discussion it became.
ASKER_WINDOW_MINUTES = 120
#: Advice replies have at least this many words (mentions, hashtags and links not counted): "+1, so true" is
#: support, not advice.
ADVICE_MIN_WORDS = 6
#: ``bot_signal`` is set when at least this share of a participant's messages (with a known app) came from a bot app.
BOT_MIN_SHARE = 0.5
#: The host of a URL (group 1).
_DOMAIN = r"^(?:[a-zA-Z][a-zA-Z0-9+.\-]*://)?(?:[^@/]*@)?([^/:?#\s]+)"


def _eager(frame: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    return frame.collect() if isinstance(frame, pl.LazyFrame) else frame


def _rules(config: ChatConfig | SpamRules | None) -> SpamRules:
    if isinstance(config, SpamRules):
        return config
    if config is None:
        return SpamRules()
    return config.spam


def _lookup(frame: pl.DataFrame, key: str, table: pl.DataFrame) -> pl.DataFrame:
    """The other columns of ``table`` (unique on ``key``) for each row of ``frame``, in ``frame``'s row order.

    The same as the columns a left join adds, without copying every column of ``frame`` (only its key is joined).
    """
    return frame.select(key).join(table, on=key, how="left", maintain_order="left").drop(key)


#: Columns :func:`annotate_messages` adds.
ANNOTATION_COLUMNS = (
    "handle", "category", "method", "question", "original", "reply_target", "domains", "help_seeking", "job_post",
    "thanks", "first_time", "bot_app", "norm_text", "active", "has_link", "is_answer", "question_like", "off_agenda",
    "parent_category", "advice_target", "replies_to_message", "promo_link", "asker_advice",
)


def _bare_text() -> pl.Expr:
    """The text without its links (a '?' or a help phrase inside a URL says nothing)."""
    return pl.col("text").fill_null("").str.replace_all(URL_PATTERN, " ")


def _own_help_request(reply_to_other: pl.Expr | None = None) -> pl.Expr:
    """An original message with help-seeking language that does not offer help ("How can we help?").

    A plural "you" question about the listeners (:data:`ASKING_ABOUT_LISTENERS`, "¿tenéis…?") counts unless it
    replies to someone else (``reply_to_other``, by default a reply to another person's message).
    """
    bare = _bare_text()
    other = _reply_target().is_not_null() if reply_to_other is None else reply_to_other
    asks = bare.str.contains(HELP_SEEKING_OWN) | (bare.str.contains(ASKING_ABOUT_LISTENERS) & ~other)
    return (pl.col("kind") != "repost") & asks & ~bare.str.contains(OFFERING_HELP)


def _reply_target() -> pl.Expr:
    """The other person an original reply answers (null for a reply to oneself)."""
    handle = pl.col("author_handle")
    return pl.when((pl.col("kind") != "repost") & pl.col("reply_to_author_handle").is_not_null()
                   & (pl.col("reply_to_author_handle") != handle)).then(pl.col("reply_to_author_handle"))


def _help_seeking(own: pl.Expr, parent_help: pl.Expr) -> pl.Expr:
    """A help request of one's own: not a question under someone else's help request ("have you tried X?")."""
    return own & ~(_reply_target().is_not_null() & parent_help.fill_null(False))


def _question_like(help_seeking: pl.Expr) -> pl.Expr:
    """An original that asks something, leaving out agenda questions, moderator posts, promotion and tagged answers
    with no help-seeking language."""
    agenda = pl.col("category").fill_null("").is_in(["question", "moderator", "promotional"])
    tagged = pl.col("method").fill_null("") == "tag"
    # a question mark that ends the message ("Why so many rounds?"), not a rhetorical opener ("Honestly? ...")
    asks = _bare_text().str.replace_all(r"(\s*[#@]\w+)+\s*$", "").str.contains(r"\?[^\p{L}\p{N}]*$")
    return (pl.col("kind") != "repost") & ~agenda & (help_seeking | (asks & ~tagged))


def floor_question_flags(messages: pl.DataFrame, parent_help: pl.DataFrame) -> pl.DataFrame:
    """``message_id`` and ``floor``: the message asks the room something (the to-do list's unanswered-question rule:
    ``question_like`` and not a reply to someone, unless it asks for help), with the definitions
    :func:`annotate_messages` uses, on these messages only.

    ``messages`` needs ``message_id``, ``kind``, ``text``, ``author_handle``, ``reply_to_author_handle``,
    ``reply_to_message_id``, ``category`` and ``method``; ``parent_help`` maps ``message_id`` to ``own_request``
    (:func:`own_help_requests` of the replied messages). For the Live page, which flags new messages without
    annotating the session.
    """
    parents = parent_help.select(reply_to_message_id="message_id", _parent_help="own_request")
    frame = messages.join(parents, on="reply_to_message_id", how="left", maintain_order="left")
    help_seeking = _help_seeking(_own_help_request(), pl.col("_parent_help"))
    return frame.select("message_id", floor=_question_like(help_seeking)
                        & (_reply_target().is_null() | help_seeking))


def own_help_requests(messages: pl.DataFrame) -> pl.DataFrame:
    """``message_id`` and ``own_request``: help-seeking language in an original that does not offer help.

    Without ``author_handle`` and ``reply_to_author_handle`` a message is taken as no reply to someone else.
    """
    known = {"author_handle", "reply_to_author_handle"} <= set(messages.columns)
    return messages.select("message_id", own_request=_own_help_request(None if known else pl.lit(False)))


def annotate_messages(session_messages: pl.DataFrame | pl.LazyFrame,
                      assignments: pl.DataFrame | pl.LazyFrame | None = None,
                      config: ChatConfig | SpamRules | None = None) -> pl.DataFrame:
    """Session messages with the per-message flags the signals count.

    Adds ``handle``, ``category``/``method``/``question`` (from ``assignments``, null without them), ``original``,
    ``reply_target`` (the other person a reply answers), ``parent_category`` (the category of the replied message),
    ``advice_target`` (``reply_target`` when the reply is advice), ``domains`` (external link domains), ``has_link``,
    ``is_answer``, ``question_like``, ``help_seeking``, ``job_post``, ``thanks``, ``first_time``,
    ``replies_to_message`` (replies by others to this message), ``promo_link``, ``off_agenda``, ``bot_app``,
    ``norm_text`` and ``active`` (an original in an active phase).

    A frame that is annotated already (it has every column of :data:`ANNOTATION_COLUMNS`) comes back unchanged, so
    the output can be passed to every function of :mod:`moderator_kit.people` in place of the session messages, and
    the texts are scanned once.

    Raises
    ------
    ValueError
        If the frame lacks ``session_id`` or ``phase`` (pass session messages, see ``sessions.split_sessions``).
    """
    frame = _eager(session_messages)
    if set(ANNOTATION_COLUMNS) <= set(frame.columns):
        return frame  # annotated already: annotate once, pass the result to every function of the package
    missing = [name for name in ("session_id", "phase") if name not in frame.columns]
    if missing:
        raise ValueError(f"session messages need the column(s) {', '.join(missing)}; "
                         "split the messages into sessions first (moderator_kit.sessions.split_sessions)")
    if assignments is not None:
        frame = frame.drop("category", "method", "question", strict=False)
        assigned = _eager(assignments).select(
            "message_id", "category", "method", pl.col("question").cast(pl.Int64)
        ).unique("message_id", keep="first")
        frame = frame.hstack(_lookup(frame, "message_id", assigned))
    else:
        frame = frame.with_columns(category=pl.lit(None, pl.String), method=pl.lit(None, pl.String),
                                   question=pl.lit(None, pl.Int64))
    rules = _rules(config)
    listed_apps = [app.strip().lower() for app in rules.source_apps]
    handle = pl.col("author_handle")
    original = pl.col("kind") != "repost"
    bare = _bare_text()
    frame = frame.with_columns(
        handle=handle,
        original=original,
        reply_target=_reply_target(),
        domains=pl.col("urls").fill_null([]).list.eval(
            pl.element().str.extract(_DOMAIN, 1).str.to_lowercase().str.strip_prefix("www.")
        ).list.eval(pl.element().filter(pl.element().is_not_null() & ~pl.element().is_in([*PLATFORM_DOMAINS, *REACTION_DOMAINS])))
        .list.unique(maintain_order=True),
        help_seeking=_own_help_request(),
        job_post=original & pl.col("text").fill_null("").str.contains(JOB_POSTING),
        thanks=original & bare.str.contains(THANKS),
        first_time=original & bare.str.contains(FIRST_TIME),
        bot_app=pl.col("source_app").str.strip_chars().str.to_lowercase().is_in(listed_apps)
        | pl.col("source_app").str.contains(AUTOMATION_APPS),
        norm_text=bare.str.replace_all(r"@\w+", " ").str.to_lowercase().str.replace_all(r"[^\w]+", " ")
        .str.strip_chars(),
        active=original & pl.col("phase").is_in(list(ACTIVE_PHASES)),
    )
    parents = frame.select(reply_to_message_id="message_id", parent_category="category",
                           _parent_help="help_seeking", _parent_at="created_at").unique(
        "reply_to_message_id", keep="first")
    frame = frame.hstack(_lookup(frame, "reply_to_message_id", parents))
    # A question under someone else's help request is about their problem ("¿tenéis definido un PDB?", "have you
    # tried X?"), not a request of one's own.
    frame = frame.with_columns(help_seeking=_help_seeking(pl.col("help_seeking"), pl.col("_parent_help")))
    frame = frame.with_columns(
        has_link=original & (pl.col("domains").list.len() > 0),
        is_answer=original & (pl.col("category") == "answer").fill_null(False) & ~pl.col("help_seeking")
        & ~pl.col("thanks"),
        question_like=_question_like(pl.col("help_seeking")),
        off_agenda=original & (pl.col("category") == "off_agenda").fill_null(False),
    )
    words = bare.str.replace_all(r"[@#]\w+", " ").str.count_matches(r"[^\W_]+")
    opening = bare.str.replace_all(r"^(\s*[@#]\w+)+", "")
    # In a flat thread (Slack, or a reply straight under the question post) a reply's parent is the thread's root;
    # whom it answers shows in the mentions it opens with ("@ana try this"), leaving out the root's author.
    leading = (
        pl.col("text").fill_null("").str.extract(r"^((?:\s*@[\w.\-]+)+)", 1).str.to_lowercase()
        .str.extract_all(r"@[\w.\-]+").list.eval(pl.element().str.strip_prefix("@").str.strip_chars_end(".-"))
    )
    addressed = leading.list.set_difference(
        pl.concat_list(pl.col("reply_to_author_handle").fill_null(""), "author_handle")
    ).list.sort().list.first()
    under_root = pl.col("parent_category").fill_null("").is_in(["question", "moderator"])
    # The text tests below only matter for replies that may be advice: run them on those rows alone.
    maybe_advice = (pl.col("reply_target").is_not_null() & ~pl.col("help_seeking") & ~pl.col("thanks")
                    & (pl.col("parent_category").fill_null("") != "social"))
    advice = (
        frame.select(maybe_advice.alias("_maybe"), "text", "reply_to_author_handle", "author_handle",
                     "reply_target", "parent_category")
        .with_row_index("_index")
        .filter(pl.col("_maybe"))
        .select(
            "_index",
            advice_target=pl.when(
                (words >= ADVICE_MIN_WORDS)
                & ~opening.str.contains(GREETING)
                & ~(opening.str.contains(AGREEMENT) & (words < AGREEMENT_MAX_WORDS))
                & ~bare.str.replace_all(r"(^|\s)['\"‘“].*?\?['\"’”]", " ").str.contains(r"\?")
            ).then(pl.when(under_root).then(addressed).otherwise(pl.col("reply_target"))),
        )
    )
    frame = frame.hstack(_lookup(frame.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("_index")), "_index",
                                 advice))
    replies = (
        frame.lazy()
        .filter(pl.col("reply_target").is_not_null() & pl.col("reply_to_message_id").is_not_null())
        .group_by("reply_to_message_id")
        .agg(replies_to_message=pl.len())
        .rename({"reply_to_message_id": "message_id"})
        .collect()
    )
    frame = frame.hstack(_lookup(frame, "message_id", replies)).with_columns(
        pl.col("replies_to_message").fill_null(0).cast(pl.Int64)
    )
    since_request = pl.col("created_at") - pl.col("_parent_at")
    return frame.with_columns(
        promo_link=pl.col("has_link") & pl.col("reply_target").is_null() & (pl.col("replies_to_message") == 0),
        asker_advice=(pl.col("advice_target").is_not_null() & pl.col("_parent_help").fill_null(False)
                      & (pl.col("advice_target") == pl.col("reply_to_author_handle"))
                      & (since_request >= pl.duration()) & (since_request <= pl.duration(minutes=ASKER_WINDOW_MINUTES)))
        .fill_null(False),
    ).drop("_parent_help", "_parent_at")


def interaction_edges(annotated: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Directed interactions between two different people, one row per (message, target, type).

    ``type`` is ``reply``, ``quote``, ``repost`` or ``mention``. Mentions come from originals only and leave out the
    person a reply answers (that is the reply). Input: :func:`annotate_messages` output.

    Returns ``[session_id, phase, message_id, created_at, source, target, type]``.
    """
    lf = annotated.lazy()  # lazy: only the columns used are read, not every column of the annotated messages
    keep = ["session_id", "phase", "message_id", "created_at", "handle"]
    reply = lf.filter(pl.col("reply_target").is_not_null()).select(
        *keep, target="reply_target", type=pl.lit("reply"))
    quote = lf.filter(
        (pl.col("kind") == "quote") & pl.col("quote_of_author_handle").is_not_null()
        & (pl.col("quote_of_author_handle") != pl.col("handle"))
    ).select(*keep, target="quote_of_author_handle", type=pl.lit("quote"))
    repost = lf.filter(
        (pl.col("kind") == "repost") & pl.col("repost_of_author_handle").is_not_null()
        & (pl.col("repost_of_author_handle") != pl.col("handle"))
    ).select(*keep, target="repost_of_author_handle", type=pl.lit("repost"))
    mention = _mention_edges(lf, keep)
    return (pl.concat([reply, quote, repost, mention]).rename({"handle": "source"}).sort("created_at", "message_id")
            .collect())


def _mention_edges(annotated: pl.DataFrame | pl.LazyFrame, keep: list[str]) -> pl.LazyFrame:
    """The mention rows of :func:`interaction_edges` (``handle`` not renamed yet), in message order."""
    return (
        annotated.lazy()
        .filter(pl.col("original"))
        .select(*keep, "reply_target", target=pl.col("mentions").fill_null([]).list.unique())
        .explode("target")
        .filter(pl.col("target").is_not_null() & (pl.col("target") != pl.col("handle"))
                & (pl.col("target") != pl.col("reply_target")).fill_null(True))
        .select(*keep, "target", type=pl.lit("mention"))
    )


#: How others received a person's advice (see :func:`_advice_reception`).
RECEPTION_COLUMNS = ("advice_replies", "advice_likes", "advice_reposts", "thanks_received")


def _advice_reception(ann: pl.DataFrame, scope: list[str]) -> pl.DataFrame:
    """Per person in ``scope``: how others received their advice (agenda answers and advice replies).

    ``advice_replies``: replies by others to their advice messages; ``advice_likes``: likes on them;
    ``advice_reposts``: reposts of them (the platform's count, or the reposts in the archive when that is more);
    ``thanks_received``: thank-yous by others that reply to them or mention them.
    """
    keys = [*scope, "handle"]
    lf = ann.lazy()
    advice = lf.filter(pl.col("is_answer") | pl.col("advice_target").is_not_null())
    in_data = (lf.filter(pl.col("kind") == "repost").group_by("repost_of_message_id").agg(_n=pl.len())
               .rename({"repost_of_message_id": "message_id"}))
    given = (
        advice.join(in_data, on="message_id", how="left")
        .group_by(keys)
        .agg(advice_replies=pl.col("replies_to_message").sum(),
             advice_likes=pl.col("like_count").fill_null(0).sum(),
             advice_reposts=pl.max_horizontal(pl.col("repost_count").fill_null(0), pl.col("_n").fill_null(0)).sum())
    )
    thanked = (
        lf.filter(pl.col("thanks"))
        .select(*scope, "handle", target=pl.concat_list(pl.col("reply_target"), pl.col("mentions").fill_null([]))
                .list.drop_nulls().list.unique())
        .explode("target")
        .filter(pl.col("target").is_not_null() & (pl.col("target") != pl.col("handle")))
        .unique([*scope, "handle", "target"])
        .group_by([*scope, "target"]).agg(thanks_received=pl.len())
        .rename({"target": "handle"})
    )
    return (given.join(thanked, on=keys, how="full", coalesce=True)
            .with_columns(pl.col(*RECEPTION_COLUMNS).fill_null(0).cast(pl.Int64)).collect())


def _asker_reception(ann: pl.DataFrame, scope: list[str]) -> pl.DataFrame:
    """Per person in ``scope``: how the people they gave asker advice to (see :func:`annotate_messages`) took it.

    ``asker_reception``: requests whose asker came back after the person's first advice to it (a reply in the
    request's thread or to the advice), plus the reactions (likes) and replies by others the advice got.
    """
    keys = [*scope, "handle"]
    lf = ann.lazy()
    advice = lf.filter(pl.col("asker_advice"))
    given = advice.group_by(keys).agg(
        _liked=pl.col("like_count").fill_null(0).sum(), _replied=pl.col("replies_to_message").sum())
    firsts = advice.group_by([*keys, "reply_to_message_id"]).agg(
        _first=pl.col("created_at").min(), _asker=pl.col("reply_to_author_handle").first())
    asker_posts = lf.filter(pl.col("reply_to_message_id").is_not_null()).select(
        _asker="handle", _parent="reply_to_message_id", _at="created_at")
    # the asker's replies in the request's thread (to the request itself) after the first advice
    in_thread = (
        firsts.join(asker_posts, left_on=["_asker", "reply_to_message_id"], right_on=["_asker", "_parent"])
        .filter(pl.col("_at") > pl.col("_first"))
        .select(*keys, "reply_to_message_id").unique()
    )
    came_back = in_thread.group_by(keys).agg(_back=pl.len())
    return (
        given.join(came_back, on=keys, how="left")
        .select(*keys, asker_reception=(pl.col("_liked") + pl.col("_replied") + pl.col("_back").fill_null(0))
                .cast(pl.Int64))
        .collect()
    )


def signal_shares() -> dict[str, pl.Expr]:
    """The share signals, from the counts of a scope (one session, or the history summed over sessions)."""
    share = lambda num, den: pl.when(pl.col(den) > 0).then(pl.col(num) / pl.col(den))  # noqa: E731
    return {
        "reciprocity": share("reciprocated", "distinct_replied"),
        "broadcast_ratio": share("non_reply_originals", "originals"),
        "link_share": share("link_messages", "originals"),
        "own_domain_share": share("domain_messages", "link_messages"),
        "promo_link_share": share("promo_links", "originals"),
        "duplicate_share": pl.when(pl.col("texts") >= 2).then(1 - pl.col("distinct_texts") / pl.col("texts")),
        "bot_share": share("bot_messages", "known_apps"),
    }


def bot_signal() -> pl.Expr:
    """``bot_share`` ≥ :data:`BOT_MIN_SHARE`; null when none of the messages carries a source app."""
    return pl.when(pl.col("known_apps") > 0).then(pl.col("bot_share") >= BOT_MIN_SHARE)


#: Counts the signals are computed from but do not show; ``_scope_signals(..., parts=True)`` keeps them, so the
#: history can add them up over sessions (:mod:`moderator_kit.people.history`).
PART_COUNTS = ("non_reply_originals", "texts", "known_apps")


def _scope_signals(ann: pl.DataFrame, scope: list[str], *, parts: bool = False) -> pl.DataFrame:
    """All signals for participants (authors) within ``scope`` (``['session_id']`` or ``[]``); with ``parts``, also
    the :data:`PART_COUNTS` (cast to Int64) at the end."""
    keys = [*scope, "handle"]
    orig = pl.col("original")
    own = ann.group_by(keys).agg(
        messages=pl.len(),
        originals=orig.sum(),
        reposts=(~orig).sum(),
        answers=pl.col("is_answer").sum(),
        advice_messages=(pl.col("is_answer") | pl.col("advice_target").is_not_null()).sum(),
        asker_advice=pl.col("asker_advice").sum(),
        follow_up_originals=(orig & (pl.col("phase") == "follow_up")).sum(),
        questions_answered=pl.struct("session_id", "question")
        .filter(pl.col("is_answer") & pl.col("question").is_not_null()).n_unique(),
        replies_given=pl.col("reply_target").is_not_null().sum(),
        distinct_replied=pl.col("reply_target").drop_nulls().n_unique(),
        distinct_advised=pl.col("advice_target").drop_nulls().n_unique(),
        non_reply_originals=(orig & pl.col("reply_to_author_handle").is_null()).sum(),
        link_messages=pl.col("has_link").sum(),
        promo_links=pl.col("promo_link").sum(),
        questions_asked=pl.col("question_like").sum(),
        help_requests=pl.col("help_seeking").sum(),
        job_posts=pl.col("job_post").sum(),
        job_link_posts=(pl.col("job_post") & pl.col("has_link")).sum(),
        off_agenda_messages=pl.col("off_agenda").sum(),
        thank_yous=pl.col("thanks").sum(),
        first_time_mentions=pl.col("first_time").sum(),
        distinct_texts=pl.col("norm_text").filter(orig & (pl.col("norm_text") != "")).n_unique(),
        texts=(orig & (pl.col("norm_text") != "")).sum(),
        source_apps=pl.col("source_app").drop_nulls().unique().sort(),
        bot_apps=pl.col("source_app").filter(pl.col("bot_app").fill_null(False)).unique().sort(),
        known_apps=pl.col("source_app").is_not_null().sum(),
        bot_messages=pl.col("bot_app").fill_null(False).sum(),
    )
    reception = _advice_reception(ann, scope)
    asked = _asker_reception(ann, scope)
    replies = ann.lazy().filter(pl.col("reply_target").is_not_null()).select(
        *scope, source="handle", target="reply_target").collect()
    received = replies.group_by([*scope, "target"]).agg(
        replies_received=pl.len(), distinct_repliers=pl.col("source").n_unique()
    ).rename({"target": "handle"})
    # the mention rows of interaction_edges(ann) (their order does not matter here: no sort, no other types)
    mentions = _mention_edges(ann, [*scope, "handle"]).rename({"handle": "source"}).group_by(
        [*scope, "target"]).agg(mentions_received=pl.len(), distinct_mentioners=pl.col("source").n_unique()
                                ).rename({"target": "handle"}).collect()
    pairs = replies.unique()
    back = pairs.select(*scope, source="target", target="source", back=pl.lit(True))
    recip = (
        pairs.join(back, on=[*scope, "source", "target"], how="left")
        .group_by([*scope, "source"])
        .agg(reciprocated=pl.col("back").fill_null(False).sum())
        .rename({"source": "handle"})
    )
    top = (
        ann.lazy().filter(pl.col("has_link"))
        .select(*keys, "message_id", domain="domains")
        .collect()
        .explode("domain")
        .filter(~pl.col("domain").is_in(list(SHARED_HOSTS)))  # nobody's own domain
        .group_by([*keys, "domain"])
        .agg(domain_messages=pl.len())
        .sort([*keys, "domain_messages", "domain"], descending=[False] * len(keys) + [True, False])
        .group_by(keys, maintain_order=True)
        .first()
        .rename({"domain": "top_domain"})
    )
    out = (
        own.join(received, on=keys, how="left")
        .join(mentions, on=keys, how="left")
        .join(recip, on=keys, how="left")
        .join(top, on=keys, how="left")
        .join(reception, on=keys, how="left")
        .join(asked, on=keys, how="left")
        .with_columns(pl.col(*RECEPTION_COLUMNS, "asker_reception").fill_null(0))
        .with_columns(pl.col("replies_received", "distinct_repliers", "mentions_received", "distinct_mentioners",
                             "reciprocated").fill_null(0))
    )
    out = out.with_columns(**signal_shares()).with_columns(bot_signal=bot_signal())
    counts = [
        "messages", "originals", "reposts", "answers", "advice_messages", "follow_up_originals", *RECEPTION_COLUMNS,
        "asker_advice", "asker_reception",
        "questions_answered", "replies_given", "distinct_replied",
        "distinct_advised", "replies_received", "distinct_repliers", "mentions_received", "distinct_mentioners",
        "link_messages", "promo_links", "questions_asked", "help_requests", "job_posts", "job_link_posts",
        "off_agenda_messages", "thank_yous", "first_time_mentions", "bot_messages",
    ]
    return out.with_columns(pl.col(counts).cast(pl.Int64)).select(
        *keys, "messages", "originals", "reposts", "follow_up_originals", "answers", "advice_messages",
        *RECEPTION_COLUMNS, "asker_advice", "asker_reception", "questions_answered", "replies_given",
        "distinct_replied", "distinct_advised", "replies_received", "distinct_repliers", "mentions_received",
        "distinct_mentioners", "reciprocity", "broadcast_ratio", "link_messages", "link_share", "top_domain",
        pl.col("domain_messages").fill_null(0).cast(pl.Int64).alias("top_domain_messages"), "own_domain_share", "promo_links", "promo_link_share", "questions_asked", "help_requests", "job_posts",
        "job_link_posts", "off_agenda_messages", "thank_yous", "first_time_mentions", "duplicate_share", "source_apps",
        "bot_apps",
        "bot_messages", "bot_share", "bot_signal",
        *([pl.col(PART_COUNTS).cast(pl.Int64)] if parts else []),
    )


def participant_signals(session_messages: pl.DataFrame | pl.LazyFrame,
                        assignments: pl.DataFrame | pl.LazyFrame | None = None,
                        config: ChatConfig | SpamRules | None = None) -> pl.DataFrame:
    """Signals per ``(session_id, handle)`` for everyone who posted in the session (any phase).

    Besides the signals of the module docstring: ``active`` (an original in the in-chat or follow-up phase),
    ``first_session`` (the handle's first active session in the archive), ``is_first_session``,
    ``attended_so_far`` (active sessions up to and including this one) and ``sessions_before`` (sessions of the archive
    before this one: 0 means nobody's history is known, so "newcomer" is not decidable there).

    Interactions are counted within the session (a reply and its target in the same session).
    ``config`` (a :class:`~moderator_kit.config.ChatConfig` or its ``spam`` rules) names source apps for ``bot_signal``.
    """
    from moderator_kit.people.history import participant_signals_from, session_parts  # it builds on this module

    ann = annotate_messages(session_messages, assignments, config)
    signals, pairs = session_parts(ann)
    return participant_signals_from(signals, pairs, ann["session_id"].unique().to_list())


def history_signals(session_messages: pl.DataFrame | pl.LazyFrame,
                    assignments: pl.DataFrame | pl.LazyFrame | None = None,
                    config: ChatConfig | SpamRules | None = None) -> pl.DataFrame:
    """The same signals per handle over the chat's whole history, plus attendance.

    Adds ``sessions_attended`` (sessions where the handle was active), ``first_session``, ``last_session`` (null for
    someone never active, e.g. a pure reposter) and ``sessions_in_data`` (sessions of the archive).
    Interactions are counted across the whole history. Built from the per-session results
    (:func:`moderator_kit.people.history.history_from_sessions`), as the analysis of a big chat builds it.
    """
    from moderator_kit.people.history import history_from_sessions, session_parts  # it builds on this module

    ann = annotate_messages(session_messages, assignments, config)
    signals, pairs = session_parts(ann)
    return history_from_sessions(signals, pairs, sessions_in_data=ann["session_id"].n_unique())


def signal_availability(session_messages: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Which signals this archive can support, with a plain statement for each one that it cannot.

    Returns ``[signal, available, statement]``. For example an archive without any source app (Slack, Discord)
    cannot give a bot signal, and one session alone cannot tell newcomers from regulars.

    >>> import polars as pl
    >>> msgs = pl.DataFrame({"session_id": ["s1"], "phase": ["chat"], "source_app": [None], "urls": [[]],
    ...                      "text": ["hi"], "author_followers": [None]},
    ...                     schema_overrides={"source_app": pl.String, "urls": pl.List(pl.String),
    ...                                       "author_followers": pl.Int64})
    >>> signal_availability(msgs).filter(~pl.col("available"))["signal"].to_list()
    ['bot_signal', 'links', 'newcomer', 'recruiter']
    """
    return availability_from_counts(availability_counts(session_messages))


def availability_counts(session_messages: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """What :func:`signal_availability` counts, per session (``[session_id, apps, links, url_in_text]``): a session's
    result, summed over the chat by :func:`availability_from_counts`."""
    frame = _eager(session_messages)
    zero = pl.lit(0, pl.Int64)
    return frame.group_by("session_id").agg(
        apps=pl.col("source_app").drop_nulls().len().cast(pl.Int64) if "source_app" in frame.columns else zero,
        links=(pl.col("urls").fill_null([]).list.len() > 0).sum().cast(pl.Int64) if "urls" in frame.columns else zero,
        url_in_text=pl.col("text").fill_null("").str.contains(URL_PATTERN).sum().cast(pl.Int64)
        if "text" in frame.columns else zero,
    )


def availability_from_counts(counts: pl.DataFrame) -> pl.DataFrame:
    """:func:`signal_availability` from the sessions' :func:`availability_counts`."""
    apps, links, url_in_text = (int(counts[c].sum()) if counts.height else 0 for c in ("apps", "links", "url_in_text"))
    sessions = counts["session_id"].n_unique() if counts.height else 0
    rows = [
        ("bot_signal", apps > 0,
         "no source app in this archive, so the bot signal is not available (spam rules by account and pattern still "
         "apply)"),
        ("links", links > 0 or url_in_text > 0,
         "no links in this archive, so link shares, own-domain share and self-promotion by links are not available"),
        ("newcomer", sessions > 1,
         "only one session in this archive, so newcomers cannot be told from regulars"),
        ("recruiter", links > 0 or url_in_text > 0,
         "no links in this archive, so recruiters (job posts with links) cannot be told apart"),
    ]
    return pl.DataFrame(
        {"signal": [r[0] for r in rows], "available": [bool(r[1]) for r in rows],
         "statement": [None if r[1] else r[2] for r in rows]},
        schema={"signal": pl.String, "available": pl.Boolean, "statement": pl.String},
    )
