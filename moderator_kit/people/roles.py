"""Role labels with reasons: who moderates, sponsors, advises, promotes themselves, seeks help, recruits, is new,
is a regular, only reposts, or is spam.

Every label comes with the signals and thresholds that produced it, in words, for example
``'advocate: replied to 5 distinct people with advice (≥ 3)'``. Thresholds come from ``config.roles``
(:class:`~moderator_kit.config.RoleThresholds`); those it does not define yet fall back to :data:`EXTRA_THRESHOLDS`.
The rules, in short (``docs/metrics/people.md`` has them in full):

==============  ==========================================================================================
moderator       listed in ``config.moderators``
sponsor         one of the sponsors' handles
advocate        gave advice by reach (agenda questions answered and people advised, ``distinct_advised``: no
                thank-you, greeting, agreement, question or help request), well received; or gave
                ≥ ``advocate_min_asker_advice`` advice replies to people who asked for help, soon after the
                request (``asker_advice``), taken up by them (``asker_reception``)
self_promoter   ≥ ``self_promoter_min_messages`` originals, link share ≥ ``self_promoter_min_link_share``,
                replied to ≤ ``self_promoter_max_distinct_replied`` people, and the links point to their own
                domain (share ≥ ``self_promoter_min_own_domain_share``) or come without conversation
                (share ≥ ``self_promoter_min_promo_link_share``, ≥ ``self_promoter_min_promo_links`` of them)
seeker          asked ≥ ``seeker_min_questions`` questions, at least one with help-seeking language
recruiter       ≥ ``recruiter_min_job_posts`` job posts, one with a link, and in conversation:
                questions answered + people replied to + repliers ≥ ``recruiter_min_conversation``
newcomer        first active session in the archive, and not the archive's first session unless they say it is
                their first time ("first time joining", "new here")
regular         active in ≥ ``regular_min_sessions`` sessions (so far, for a session row)
retweeter       ≥ ``retweeter_min_reposts`` reposts and no original message
spam            messages excluded by the spam rules (listed account, or at least as many as were kept), or
                ≥ ``spam_min_bot_share`` of messages from a bot source app, or ≥ ``spam_min_messages``
                messages of which ≥ ``spam_min_duplicate_share`` repeat an earlier text, replying to nobody
==============  ==========================================================================================

Moderators are not given behaviour labels (they reply to everyone by role); sponsors are not self-promoters or
recruiters; recruiters are not also self-promoters; spam accounts get no other behaviour label. ``primary_role`` is
the first label in :data:`PRECEDENCE` (``participant`` when there is none).

Over the history (rows with a null ``session_id``), the behaviour labels of :data:`HISTORY_BY_SESSIONS` are habits:
carried in at least ``history_min_session_share`` of the sessions a person took part in ("advocate in 5 of 7
sessions (≥ 50%)"). Without session-level signals the session rules are applied to the whole-history signals instead.

Examples
--------
>>> import polars as pl
>>> from moderator_kit.people.signals import participant_signals
>>> from moderator_kit.schema import conform
>>> from datetime import datetime, timezone
>>> t = datetime(2026, 1, 6, 1, 5, tzinfo=timezone.utc)
>>> msgs = conform(pl.DataFrame({"message_id": ["1"], "author_handle": ["mod"], "kind": ["post"],
...                              "text": ["Q1 Welcome!"], "created_at": [t]}))
>>> msgs = msgs.with_columns(session_id=pl.lit("s1"), phase=pl.lit("chat"))
>>> roles = assign_roles(participant_signals(msgs), None, None, moderators=["mod"], sponsor_handles=[])
>>> roles.select("handle", "primary_role", "reasons").rows()
[('mod', 'moderator', ['moderator: listed as a moderator in the chat config'])]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import polars as pl

from moderator_kit.config import ChatConfig, RoleThresholds
from moderator_kit.people.signals import ASKER_WINDOW_MINUTES

__all__ = ["assign_roles", "role_thresholds", "stricter_thresholds", "threshold_step", "STRENGTHS", "LABELS",
           "PRECEDENCE", "EXTRA_THRESHOLDS", "ROLE_SCHEMA",
           "HISTORY_BY_SESSIONS"]

#: A label's strength: ``clear`` when it still holds with every threshold one step stricter, else ``borderline``.
STRENGTHS = ("clear", "borderline")

#: Every label, in precedence order: ``primary_role`` is the first one a participant carries.
PRECEDENCE = ("spam", "moderator", "sponsor", "recruiter", "self_promoter", "advocate", "newcomer", "seeker",
              "regular", "retweeter")
LABELS = PRECEDENCE

#: Thresholds not (yet) in :class:`~moderator_kit.config.RoleThresholds`; a config value of the same name wins.
EXTRA_THRESHOLDS: dict[str, float] = {
    "self_promoter_min_own_domain_share": 0.5,
    "self_promoter_min_promo_link_share": 0.5,
    "self_promoter_min_own_domain_messages": 2,
    "self_promoter_min_promo_links": 3,
    "seeker_min_help_requests": 1,
    "recruiter_min_job_posts": 1,
    "recruiter_min_conversation": 1,
    "retweeter_min_reposts": 2,
    "advocate_min_advice_reach": 4,
    "advocate_min_reception": 2,
    "advocate_min_reception_ratio": 0.9,
    "advocate_max_help_share": 0.25,
    "advocate_min_asker_advice": 3,
    "advocate_min_asker_reception": 1,
    "recruiter_min_job_share": 0.5,
    "spam_min_duplicate_share": 0.5,
    "spam_min_bot_share": 0.5,
    "history_min_session_share": 0.5,
}

#: Behaviour labels that, over the history, go to people who carried them in at least
#: ``history_min_session_share`` of the sessions they took part in (a habit, not one evening).
HISTORY_BY_SESSIONS = ("advocate", "self_promoter", "seeker", "recruiter", "retweeter", "spam")

ROLE_SCHEMA = pl.Schema({
    "session_id": pl.String, "handle": pl.String, "labels": pl.List(pl.String), "primary_role": pl.String,
    "reasons": pl.List(pl.String), "notes": pl.List(pl.String), "strengths": pl.List(pl.String),
    "strength": pl.String,
})

_EMPTY = pl.lit([], dtype=pl.List(pl.String))


def role_thresholds(config: ChatConfig | RoleThresholds | None = None,
                    overrides: Mapping[str, float] | None = None) -> dict[str, float]:
    """All thresholds: ``config.roles`` plus :data:`EXTRA_THRESHOLDS` for names it lacks, then ``overrides``.

    >>> role_thresholds()["advocate_min_distinct_replied"], role_thresholds()["recruiter_min_job_posts"]
    (3, 1)
    >>> role_thresholds(overrides={"history_min_session_share": 0.25})["history_min_session_share"]
    0.25
    """
    if isinstance(config, ChatConfig):
        config = config.roles
    roles = config or RoleThresholds()
    values = dict(EXTRA_THRESHOLDS)
    values.update(roles.model_dump())
    unknown = sorted(set(overrides or {}) - set(values))
    if unknown:
        raise ValueError(f"unknown role threshold(s): {', '.join(unknown)}")
    values.update(overrides or {})
    return values


def _pct(name: str | pl.Expr) -> pl.Expr:
    value = pl.col(name) if isinstance(name, str) else name
    return pl.format("{}%", (value * 100).round(0).cast(pl.Int64))


def _p(value: float) -> str:
    return f"{value * 100:.0f}%"


def _n(value: float) -> str:
    return f"{value:g}"


def _count(name: str, one: str, many: str | None = None) -> pl.Expr:
    """'1 question' / '3 questions' for the integer column ``name``."""
    many = many or one + "s"
    return pl.when(pl.col(name) == 1).then(pl.format(f"{{}} {one}", pl.col(name))).otherwise(
        pl.format(f"{{}} {many}", pl.col(name)))


def _rules(th: dict[str, float], history: bool) -> dict[str, tuple[pl.Expr, list[pl.Expr]]]:
    """(condition, reason expressions) per behaviour label; reasons that are null are dropped."""
    c = pl.col
    # "the same own domain again and again": one link to a docs page is not a domain of one's own
    promo_own = ((c("own_domain_share") >= th["self_promoter_min_own_domain_share"])
                 & (c("top_domain_messages") >= th["self_promoter_min_own_domain_messages"])).fill_null(False)
    # links nobody answered say nothing about whose the links are: without a domain of their own, it takes them again
    # and again (two shared videos or repos in a night is what anyone does)
    promo_loose = ((c("promo_link_share") >= th["self_promoter_min_promo_link_share"])
                   & (c("promo_links") >= th["self_promoter_min_promo_links"])).fill_null(False)
    conversation = c("questions_answered") + c("distinct_replied") + c("distinct_repliers")
    reception = c("advice_replies") + c("advice_likes") + c("advice_reposts") + c("thanks_received")
    # received per advice message, against the scope's average (the night's, or the history's): likes differ by
    # orders of magnitude between chats and platforms, how an answer fares against the others of its night does not
    per_message = pl.when(c("advice_messages") > 0).then(reception / c("advice_messages"))
    night = ["session_id"] if not history else None
    total_received = reception.sum().over(night) if night else reception.sum()
    total_advice = c("advice_messages").sum().over(night) if night else c("advice_messages").sum()
    received_ratio = per_message / pl.when(total_received > 0).then(total_received / total_advice)
    job_share = pl.when(c("originals") > 0).then(c("job_posts") / c("originals"))
    jobs_only = (job_share >= th["recruiter_min_job_share"]).fill_null(False)
    # behaviour is decided on the chat hour: a follow-up thank-you the next day is follow-up, not an original post
    chat_originals = c("originals") - c("follow_up_originals")
    dupes = (c("duplicate_share") >= th["spam_min_duplicate_share"]).fill_null(False)
    repeats = (c("messages") >= th["spam_min_messages"]) & dupes & (c("distinct_replied") == 0)
    bot = (c("bot_share") >= th["spam_min_bot_share"]).fill_null(False)
    sessions = "sessions_attended" if history else "attended_so_far"
    so_far = "" if history else " so far"
    # help by reach: agenda questions answered and people advised, well received against the night's average
    by_reach = (
        (((c("questions_answered") + c("distinct_advised")) >= th["advocate_min_advice_reach"])
         | ((c("distinct_advised") >= th["advocate_min_distinct_replied"])
            & (c("questions_answered") >= th["advocate_min_answers"])))
        & (reception >= th["advocate_min_reception"])
        & (received_ratio >= th["advocate_min_reception_ratio"]).fill_null(th["advocate_min_reception_ratio"] <= 0)
    )
    # help in a flat thread (Slack, Discord): sustained advice to someone who asked, taken up by them
    by_asker = ((c("asker_advice") >= th["advocate_min_asker_advice"])
                & (c("asker_reception") >= th["advocate_min_asker_reception"]))
    return {
        "advocate": (
            (by_reach | by_asker)
            & (c("help_requests") <= th["advocate_max_help_share"] * c("advice_messages")),
            [
                pl.when(by_reach).then(pl.format(f"gave advice in {{}}: answered {{}} and advised {{}} directly "
                          f"(≥ {_n(th['advocate_min_advice_reach'])} questions and people in all, or "
                          f"≥ {_n(th['advocate_min_answers'])} questions and "
                          f"≥ {_n(th['advocate_min_distinct_replied'])} people)",
                          _count("advice_messages", "message"), _count("questions_answered", "question"),
                          _count("distinct_advised", "person", "people"))),
                pl.when(by_reach).then(pl.format(
                          f"well received: {{}}, {{}}, {{}}, {{}} (≥ {_n(th['advocate_min_reception'])} in all), "
                          f"{{}}× the average advice message of the {'history' if history else 'night'} "
                          f"(≥ {_n(th['advocate_min_reception_ratio'])}×)",
                          _count("advice_replies", "reply", "replies"), _count("advice_likes", "like"),
                          _count("advice_reposts", "repost"), _count("thanks_received", "thank-you"),
                          received_ratio.round(1))),
                pl.when(by_asker).then(pl.format(
                    f"advised people who asked for help: {{}} within {ASKER_WINDOW_MINUTES} minutes of the request "
                    f"(≥ {_n(th['advocate_min_asker_advice'])}), taken up {{}} (the asker came back, reactions, "
                    f"replies; ≥ {_n(th['advocate_min_asker_reception'])})",
                    _count("asker_advice", "advice message"), _count("asker_reception", "time"))),
                pl.when(c("help_requests") > 0).then(pl.format(
                    f"asked for help {{}} (≤ {_p(th['advocate_max_help_share'])} of their advice messages)",
                    _count("help_requests", "time"))),
            ],
        ),
        "self_promoter": (
            (c("originals") >= th["self_promoter_min_messages"])
            & (c("link_share") >= th["self_promoter_min_link_share"]).fill_null(False)
            & (c("distinct_replied") <= th["self_promoter_max_distinct_replied"])
            & (promo_own | promo_loose),
            [
                pl.format(f"{{}} of {{}} (≥ {_n(th['self_promoter_min_messages'])}) carry a link: {{}} "
                          f"(≥ {_p(th['self_promoter_min_link_share'])})",
                          c("link_messages"), _count("originals", "message"), _pct("link_share")),
                pl.when(promo_own).then(pl.format(
                    f"{{}} of link messages point to the same own domain {{}} "
                    f"(≥ {_p(th['self_promoter_min_own_domain_share'])}), {{}} "
                    f"(≥ {_n(th['self_promoter_min_own_domain_messages'])})", _pct("own_domain_share"),
                    c("top_domain"), _count("top_domain_messages", "message"))),
                pl.when(promo_loose).then(pl.format(
                    f"{{}} of messages are links without conversation "
                    f"(≥ {_p(th['self_promoter_min_promo_link_share'])}), {{}} "
                    f"(≥ {_n(th['self_promoter_min_promo_links'])})", _pct("promo_link_share"),
                    _count("promo_links", "message"))),
                pl.format(f"replied to {{}} (≤ {_n(th['self_promoter_max_distinct_replied'])})",
                          _count("distinct_replied", "distinct person", "distinct people")),
            ],
        ),
        "seeker": (
            (c("questions_asked") >= th["seeker_min_questions"])
            & (c("help_requests") >= th["seeker_min_help_requests"]),
            [
                pl.format(f"asked {{}} (≥ {_n(th['seeker_min_questions'])})", _count("questions_asked", "question")),
                pl.format(f"{{}} with help-seeking language (≥ {_n(th['seeker_min_help_requests'])})",
                          c("help_requests")),
            ],
        ),
        "recruiter": (
            (c("job_posts") >= th["recruiter_min_job_posts"]) & (c("job_link_posts") >= 1)
            & ((conversation >= th["recruiter_min_conversation"]) | jobs_only),
            [
                pl.format(f"{{}} (≥ {_n(th['recruiter_min_job_posts'])}), {{}} with a link",
                          _count("job_posts", "job post"), c("job_link_posts")),
                pl.when(conversation >= th["recruiter_min_conversation"]).then(pl.format(
                    f"in conversation: answered {{}}, replied to {{}} and got replies from {{}} "
                    f"(≥ {_n(th['recruiter_min_conversation'])} in all)",
                    _count("questions_answered", "question"), _count("distinct_replied", "person", "people"),
                    _count("distinct_repliers", "person", "people"))),
                pl.when(jobs_only).then(pl.format(
                    f"{{}} of their messages are job posts (≥ {_p(th['recruiter_min_job_share'])})", _pct(job_share))),
            ],
        ),
        "newcomer": (
            (c("sessions_attended") == 1) & (c("first_session") == c("last_session"))
            & ((c("first_session") != c("archive_first")) | (c("first_time_mentions") > 0))
            if history
            else c("is_first_session") & ((c("sessions_before") > 0) | (c("first_time_mentions") > 0)),
            [
                pl.when(c("first_session") != c("archive_first")).then(
                    pl.format("active in a single session ({}), not the archive's first", c("first_session")))
                if history
                else pl.when(c("sessions_before") > 0).then(
                    pl.format("first active session in the archive ({} before it without them)",
                              _count("sessions_before", "session"))),
                pl.when(c("first_time_mentions") > 0).then(
                    pl.format("says it is their first time ({})", _count("first_time_mentions", "message"))),
            ],
        ),
        "regular": (
            c(sessions) >= th["regular_min_sessions"],
            [pl.format(f"active in {{}}{so_far} (≥ {_n(th['regular_min_sessions'])})", _count(sessions, "session"))],
        ),
        "retweeter": (
            (chat_originals == 0) & (c("reposts") >= th["retweeter_min_reposts"]),
            [pl.format(f"only reposts: {{}} (≥ {_n(th['retweeter_min_reposts'])}) and no original message in the "
                       "chat", _count("reposts", "repost")),
             pl.when(c("follow_up_originals") > 0).then(pl.format(
                 "{} in the follow-up window (counted as follow-up)", _count("follow_up_originals", "original")))],
        ),
        "spam": (
            bot | repeats | c("excluded_spam"),
            [
                pl.when(bot).then(
                    pl.format(f"posts via {{}} (an automation app or one named in the spam rules) in {{}} of "
                              f"messages (≥ {_p(th['spam_min_bot_share'])})", c("bot_apps").list.join(", "),
                              _pct("bot_share"))),
                pl.when(repeats).then(
                    pl.format(f"{{}} of {{}} (≥ {_n(th['spam_min_messages'])}) repeat an earlier text "
                              f"(≥ {_p(th['spam_min_duplicate_share'])}) and reply to nobody",
                              _pct("duplicate_share"), _count("messages", "message"))),
                pl.when(c("excluded_spam")).then(c("excluded_reason")),
            ],
        ),
    }


#: Labels a higher label suppresses.
_SUPPRESS = {
    "moderator": {"advocate", "self_promoter", "seeker", "recruiter", "newcomer", "retweeter", "spam"},
    "sponsor": {"self_promoter", "recruiter", "spam"},
    "recruiter": {"self_promoter"},
    "spam": {"advocate", "self_promoter", "seeker", "recruiter", "newcomer", "regular", "retweeter"},
}


def _excluded_summary(excluded: pl.DataFrame | pl.LazyFrame | None, scope: list[str]) -> pl.DataFrame:
    keys = [*scope, "handle"]
    schema = {**{k: pl.String for k in keys}, "excluded": pl.Int64, "excluded_reasons": pl.List(pl.String),
              "listed": pl.Boolean}
    if excluded is None:
        return pl.DataFrame(schema=schema)
    frame = excluded.collect() if isinstance(excluded, pl.LazyFrame) else excluded
    if frame.height == 0:
        return pl.DataFrame(schema=schema)
    return (
        frame.with_columns(handle=pl.col("author_handle"))
        .group_by(keys)
        .agg(excluded=pl.len().cast(pl.Int64), excluded_reasons=pl.col("reason").unique().sort(),
             listed=(pl.col("reason") == "account listed").any())
    )


def _session_counts(session_roles: pl.DataFrame) -> pl.DataFrame:
    """Per handle: sessions with a row, and in how many of them each behaviour label was carried."""
    return session_roles.group_by("handle").agg(
        sessions_seen=pl.len().cast(pl.Int64),
        **{f"n_{name}": pl.col("labels").list.contains(name).sum().cast(pl.Int64) for name in HISTORY_BY_SESSIONS},
    )


def _habit_rules(th: dict[str, float], rules: dict) -> dict:
    """History rules for behaviour labels: carried in enough of the person's sessions (spam also by its own rule)."""
    share = th["history_min_session_share"]
    out = dict(rules)
    for name in HISTORY_BY_SESSIONS:
        count = pl.col(f"n_{name}")
        habit = (count > 0) & (count >= share * pl.col("sessions_seen"))
        reason = pl.when(habit).then(pl.format(f"{name} in {{}} of {{}} (≥ {_p(share)})", count,
                                               _count("sessions_seen", "session")))
        if name == "spam":
            cond, parts = rules["spam"]
            out[name] = (cond | habit, [reason, *parts])
        else:
            out[name] = (habit, [reason])
    return out


def _conditions(th: dict[str, float], history: bool, habit: bool, moderators: set[str],
                sponsors: dict[str, str]) -> dict[str, pl.Expr]:
    """Whether each label holds, after the suppressions of :data:`_SUPPRESS`."""
    rules = _rules(th, history)
    if habit:
        rules = _habit_rules(th, rules)
    conditions = {
        "moderator": pl.col("handle").is_in(sorted(moderators)),
        "sponsor": pl.col("handle").is_in(sorted(sponsors)),
        **{name: cond.fill_null(False) for name, (cond, _) in rules.items()},
    }
    for top, hidden in _SUPPRESS.items():
        for name in hidden:
            conditions[name] = conditions[name] & ~conditions[top]
    return conditions


def threshold_step(name: str, value: float) -> float:
    """One step of a threshold: 0.1 for shares and ratios, 1 for counts.

    >>> threshold_step("advocate_min_reception_ratio", 0.9), threshold_step("regular_min_sessions", 3)
    (0.1, 1)
    """
    return 0.1 if ("share" in name or "ratio" in name) else 1


def stricter_thresholds(th: Mapping[str, float], steps: int = 1) -> dict[str, float]:
    """Every threshold ``steps`` steps stricter (minimums up, maximums down); negative ``steps`` loosens.

    >>> t = stricter_thresholds({"seeker_min_questions": 1, "self_promoter_max_distinct_replied": 1,
    ...                          "spam_min_bot_share": 0.5})
    >>> t["seeker_min_questions"], t["self_promoter_max_distinct_replied"], t["spam_min_bot_share"]
    (2, 0, 0.6)
    """
    out = {}
    for name, value in th.items():
        sign = -1 if "_max_" in name else 1
        moved = value + sign * steps * threshold_step(name, value)
        out[name] = round(moved, 6) if isinstance(moved, float) else moved
    return out


def _prepare(sig: pl.DataFrame, *, history: bool, excluded: pl.DataFrame | None,
             session_counts: pl.DataFrame | None = None) -> pl.DataFrame:
    """The signals with everything the rules read: spam exclusions, habit counts, nulls filled."""
    scope = [] if history else ["session_id"]
    keys = [*scope, "handle"]
    summary = _excluded_summary(excluded, scope)
    frame = sig.join(summary, on=keys, how="full", coalesce=True)
    if session_counts is not None:
        frame = frame.join(session_counts, on="handle", how="left").with_columns(
            pl.col("sessions_seen", *[f"n_{name}" for name in HISTORY_BY_SESSIONS]).fill_null(0))
    counts = [name for name, dtype in sig.schema.items() if dtype.is_integer()]
    frame = frame.with_columns(pl.col(counts).fill_null(0), pl.col("excluded").fill_null(0),
                               pl.col("listed").fill_null(False))
    if history:
        first = sig["first_session"].drop_nulls().min() if "first_session" in sig.columns else None
        frame = frame.with_columns(archive_first=pl.lit(first, dtype=pl.String))
    frame = frame.with_columns(
        excluded_spam=(pl.col("excluded") > 0) & (pl.col("listed") | (pl.col("excluded") >= pl.col("messages"))),
        excluded_reason=pl.format("{} excluded by the spam rules ({}), {} kept", _count("excluded", "message"),
                                  pl.col("excluded_reasons").list.join("; "), pl.col("messages")),
    )
    return frame


def _label(sig: pl.DataFrame, th: dict[str, float], *, history: bool, moderators: set[str],
           sponsors: dict[str, str], excluded: pl.DataFrame | None, links_known: bool,
           session_counts: pl.DataFrame | None = None) -> pl.DataFrame:
    frame = _prepare(sig, history=history, excluded=excluded, session_counts=session_counts)
    rules = _rules(th, history)
    if session_counts is not None:
        rules = _habit_rules(th, rules)
    habit = session_counts is not None
    sponsor_name = pl.col("handle").replace_strict(sponsors, default=None, return_dtype=pl.String)
    conditions = _conditions(th, history, habit, moderators, sponsors)
    # a label is clear when it still holds with every threshold one step stricter, borderline otherwise
    strict = _conditions(stricter_thresholds(th), history, habit, moderators, sponsors)
    reasons = {
        "moderator": [pl.lit("listed as a moderator in the chat config")],
        "sponsor": [pl.when(sponsor_name.is_not_null() & (sponsor_name != "")).then(
            pl.format("listed as a handle of sponsor {}", sponsor_name)
        ).otherwise(pl.lit("listed as a sponsor handle in the chat config"))],
        **{name: parts for name, (_, parts) in rules.items()},
    }
    frame = frame.with_columns(**{f"_is_{name}": conditions[name] for name in PRECEDENCE},
                               **{f"_clear_{name}": strict[name] for name in PRECEDENCE})
    label_list = pl.concat_list([pl.when(pl.col(f"_is_{n}")).then(pl.lit(n)) for n in PRECEDENCE]).list.drop_nulls()
    strength_list = pl.concat_list([
        pl.when(pl.col(f"_is_{n}")).then(pl.when(pl.col(f"_clear_{n}")).then(pl.lit("clear"))
                                         .otherwise(pl.lit("borderline")))
        for n in PRECEDENCE]).list.drop_nulls()
    reason_list = pl.concat_list([
        pl.when(pl.col(f"_is_{n}")).then(
            pl.concat_list([pl.format(f"{n}: {{}}", part) for part in reasons[n]]).list.drop_nulls()
        ).otherwise(_EMPTY)
        for n in PRECEDENCE
    ])
    notes = pl.concat_list([
        pl.when(pl.col("bot_signal").is_null() & pl.col("messages").gt(0)).then(
            pl.lit("bot signal unavailable: no source app in this archive")),
        pl.lit(None if links_known else "self-promotion and recruiter not decidable: no links in this archive",
               dtype=pl.String),
        pl.when((pl.col("sessions_in_data") <= 1) & (pl.col("first_time_mentions") == 0)).then(
            pl.lit("newcomer not decidable: only one session in the archive"))
        if history else pl.when((pl.col("sessions_before") == 0) & (pl.col("first_time_mentions") == 0)).then(
            pl.lit("newcomer not decidable: first session in the archive, earlier history unknown")),
    ]).list.drop_nulls()
    primary = pl.coalesce([pl.when(pl.col(f"_is_{n}")).then(pl.lit(n)) for n in PRECEDENCE] + [pl.lit("participant")])
    if history:
        frame = frame.with_columns(session_id=pl.lit(None, dtype=pl.String))
    return frame.select(
        "session_id", "handle", labels=label_list, primary_role=primary, reasons=reason_list, notes=notes,
        strengths=strength_list,
    ).with_columns(strength=pl.col("strengths").list.first())


def assign_roles(signals: pl.DataFrame | None, history: pl.DataFrame | None,
                 config: ChatConfig | RoleThresholds | None = None, *, moderators: Iterable[str] = (),
                 sponsor_handles: Iterable[str] | Mapping[str, str] = (),
                 excluded: pl.DataFrame | pl.LazyFrame | None = None,
                 thresholds: Mapping[str, float] | None = None) -> pl.DataFrame:
    """Role labels with reasons per ``(session_id, handle)``, plus one history row per handle (``session_id`` null).

    Parameters
    ----------
    signals, history
        :func:`~moderator_kit.people.signals.participant_signals` and
        :func:`~moderator_kit.people.signals.history_signals` (either may be None to skip that level).
    config
        The chat config (its ``roles`` thresholds are used) or a :class:`RoleThresholds`.
    moderators, sponsor_handles
        Handles (any case, with or without @); ``sponsor_handles`` may map handle to sponsor name.
    excluded
        The second frame of :func:`~moderator_kit.people.spam.apply_spam_rules`: authors whose messages the rules
        excluded are labelled spam (listed accounts always, others when at least as many were excluded as kept),
        and get a row even when nothing of theirs was kept.
    thresholds
        Overrides by name (see :func:`role_thresholds`), e.g. extra thresholds the config does not carry yet.

    Returns
    -------
    polars.DataFrame
        ``[session_id, handle, labels, primary_role, reasons, notes]``. ``labels`` follow :data:`PRECEDENCE`,
        ``reasons`` are prefixed by their label, ``notes`` say plainly which labels could not be decided and why.
    """
    th = role_thresholds(config, thresholds)
    mods = {m.strip().lstrip("@").lower() for m in moderators}
    if isinstance(sponsor_handles, Mapping):
        sponsors = {h.strip().lstrip("@").lower(): str(name) for h, name in sponsor_handles.items()}
    else:
        sponsors = {h.strip().lstrip("@").lower(): "" for h in sponsor_handles}
    parts = []
    known = [frame for frame in (signals, history) if frame is not None]
    links_known = any(int(frame["link_messages"].sum() or 0) > 0 for frame in known) if known else False
    counts = None
    if signals is not None:
        parts.append(_label(signals, th, history=False, moderators=mods, sponsors=sponsors, excluded=excluded,
                            links_known=links_known))
        counts = _session_counts(parts[0])
    if history is not None:
        parts.append(_label(history, th, history=True, moderators=mods, sponsors=sponsors, excluded=excluded,
                            links_known=links_known, session_counts=counts))
    if not parts:
        return pl.DataFrame(schema=ROLE_SCHEMA)
    return pl.concat(parts).sort("session_id", "handle", nulls_last=True)
