"""Sponsor exposure: mentions, share of voice, engagement on the sponsor's posts, who engaged, and the best messages.

Definitions (see ``docs/metrics/value.md``):

- a **mention** is a message by someone other than the sponsor that names a sponsor handle (``@acme``) or uses a
  sponsor hashtag (reposts included: a repost carries the brand to the reposter's followers);
- a message **engages** the sponsor when it is a mention, or a reply to, repost of or quote of a sponsor account;
- a message is **sponsor-related** (its exposure is attributed to the sponsor) when it is by the sponsor, engages
  it, links to one of its ``domains``, or is a moderator's post that names it ("sponsored by …");
- **share of voice** = sponsor-related original messages ÷ all original (non-repost) messages of the session.

Only the sponsored sessions are kept (``Sponsor.sessions``; empty means every session). A sponsored session with
messages but no mention gets a row of real zeros; a sponsor with no handles and no hashtags gets nulls (not
measurable), never zeros.

Examples
--------
>>> import polars as pl
>>> from moderator_kit.config import Sponsor
>>> from moderator_kit.schema import conform
>>> msgs = conform(pl.DataFrame({"platform": ["twitter"] * 3, "message_id": ["1", "2", "3"],
...     "author_handle": ["acme", "ann", "bob"], "kind": ["post", "reply", "post"],
...     "reply_to_author_handle": [None, "acme", None], "mentions": [[], ["acme"], []]}))
>>> msgs = msgs.with_columns(session_id=pl.lit("s1"))
>>> row = sponsor_exposure(msgs, Sponsor(name="Acme", handles=["@Acme"]), None).row(0, named=True)
>>> row["mentions"], row["sponsor_posts"], row["replies_to_sponsor"], row["engaged_participants"]
(1, 1, 1, 1)
>>> round(row["share_of_voice"], 3)
0.667
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import polars as pl

from moderator_kit.config import ChatConfig, ExposureRates, Sponsor
from moderator_kit.engagement.entities import _HOST
from moderator_kit.links import message_url
from moderator_kit.value.reach import _lazy, impression_contributions, measured_views

__all__ = ["sponsor_exposure", "audience_mix", "top_sponsor_messages", "message_url", "sponsor_flags"]



def _any_in(column: str, values: list[str]) -> pl.Expr:
    if not values:
        return pl.lit(False)
    return pl.col(column).list.eval(pl.element().is_in(values)).list.any().fill_null(False)


def _links_to(domains: list[str]) -> pl.Expr:
    """True when one of the message's links points to one of the domains (or a subdomain of one)."""
    if not domains:
        return pl.lit(False)
    host = pl.element().str.strip_chars().str.extract(_HOST, 1).str.to_lowercase().str.strip_prefix("www.")
    hit = pl.any_horizontal([(host == d) | host.str.ends_with(f".{d}") for d in domains]).fill_null(False)
    return pl.col("urls").list.eval(hit).list.any().fill_null(False)


def _names(name: str) -> pl.Expr:
    """True when the text names the sponsor (its name as a whole phrase, any case)."""
    if not name.strip():
        return pl.lit(False)
    return pl.col("text").str.contains(rf"(?i)(?:^|\W){re.escape(name.strip())}(?:\W|$)").fill_null(False)


def sponsor_flags(sponsor: Sponsor, moderators: Sequence[str] = ()) -> list[pl.Expr]:
    """Boolean columns that classify each message against a sponsor.

    ``sp_by`` (by a sponsor account), ``sp_mention`` (mention or hashtag, by others), ``sp_reply`` / ``sp_repost`` /
    ``sp_quote`` (reply to / repost of / quote of a sponsor account, by others), ``sp_engages`` (any of the four),
    ``sp_link`` (a link to one of the sponsor's ``domains``, by others), ``sp_announce`` (a moderator's post that
    names the sponsor, such as "tonight's chat is sponsored by Acme") and ``sp_related`` (by the sponsor, engaging
    it, linking to it or announcing it: the messages its exposure is attributed to).

    >>> import polars as pl
    >>> frame = pl.DataFrame({"author_handle": ["x"], "mentions": [["acme"]], "hashtags": [[]],
    ...     "kind": ["post"], "reply_to_author_handle": [None], "repost_of_author_handle": [None],
    ...     "quote_of_author_handle": [None]}, schema_overrides={"hashtags": pl.List(pl.String),
    ...     "reply_to_author_handle": pl.String, "repost_of_author_handle": pl.String,
    ...     "quote_of_author_handle": pl.String})
    >>> frame.with_columns(sponsor_flags(Sponsor(name="A", handles=["acme"])))["sp_related"].to_list()
    [True]
    >>> posts = pl.DataFrame({"author_handle": ["mod", "ann", "bob"], "mentions": [[], [], []],
    ...     "hashtags": [[], [], []], "kind": ["post"] * 3, "reply_to_author_handle": [None] * 3,
    ...     "repost_of_author_handle": [None] * 3, "quote_of_author_handle": [None] * 3,
    ...     "text": ["Sponsored by Acme Jobs!", "acme jobs rock", "hi"],
    ...     "urls": [[], [], ["https://www.careers.acme.com/x"]]}, schema_overrides={
    ...     "mentions": pl.List(pl.String), "hashtags": pl.List(pl.String), "reply_to_author_handle": pl.String,
    ...     "repost_of_author_handle": pl.String, "quote_of_author_handle": pl.String})
    >>> flags = posts.with_columns(sponsor_flags(Sponsor(name="Acme Jobs", domains=["acme.com"]), ["mod"]))
    >>> flags.select("sp_announce", "sp_link", "sp_related").rows()
    [(True, False, True), (False, False, False), (False, True, True)]
    """
    handles = list(sponsor.handles)
    by = pl.col("author_handle").is_in(handles).fill_null(False) if handles else pl.lit(False)
    others = ~by

    def targets(column: str) -> pl.Expr:
        return (pl.col(column).is_in(handles).fill_null(False) & others) if handles else pl.lit(False)

    mention = others & (_any_in("mentions", handles) | _any_in("hashtags", list(sponsor.hashtags)))
    reply, repost, quote = (targets(c) for c in
                            ("reply_to_author_handle", "repost_of_author_handle", "quote_of_author_handle"))
    engages = mention | reply | repost | quote
    link = others & _links_to(list(sponsor.domains))
    mods = [m.lstrip("@").lower() for m in moderators]
    announce = (pl.col("author_handle").str.to_lowercase().is_in(mods).fill_null(False) & _names(sponsor.name)
                if mods else pl.lit(False))
    return [
        by.alias("sp_by"),
        mention.alias("sp_mention"),
        reply.alias("sp_reply"),
        repost.alias("sp_repost"),
        quote.alias("sp_quote"),
        engages.alias("sp_engages"),
        link.alias("sp_link"),
        announce.alias("sp_announce"),
        (by | engages | link | announce).alias("sp_related"),
    ]


def _sponsored(lazy: pl.LazyFrame, sponsor: Sponsor) -> pl.LazyFrame:
    if sponsor.sessions:
        return lazy.filter(pl.col("session_id").is_in(list(sponsor.sessions)))
    return lazy


def _roles_lazy(roles: pl.DataFrame | pl.LazyFrame | None) -> pl.LazyFrame | None:
    if roles is None:
        return None
    lazy = roles.lazy()
    names = lazy.collect_schema().names()
    if "handle" not in names and "author_handle" in names:
        lazy = lazy.rename({"author_handle": "handle"})
    cols = ["session_id", "handle", *[c for c in ("labels", "primary_role") if c in names]]
    return lazy.select(cols).unique(subset=["session_id", "handle"], keep="first")


def _counted(expr: pl.Expr, flag: pl.Expr) -> pl.Expr:
    """Sum of a platform counter over flagged rows; null when no flagged row carries the counter."""
    kept = expr.filter(flag)
    return pl.when(kept.is_not_null().sum() > 0).then(kept.sum()).cast(pl.Int64)


def sponsor_exposure(
    session_messages: pl.DataFrame | pl.LazyFrame,
    sponsor: Sponsor,
    roles: pl.DataFrame | pl.LazyFrame | None = None,
    *,
    config: ChatConfig | None = None,
) -> pl.DataFrame:
    """The sponsor's exposure per sponsored session.

    Parameters
    ----------
    session_messages
        Canonical messages plus ``session_id`` (spam already excluded).
    sponsor
        The sponsor from the chat config.
    roles
        Optional [session_id, handle, labels, primary_role] from the people module; gives ``engaged_newcomers``
        (null without it).
    config
        Gives the exposure rates and ``audience_members`` for the impressions of sponsor-related messages (the
        defaults, 1% / 5% / 20% and no member count, without it), and the ``moderators`` whose posts naming the
        sponsor count as sponsor-related.

    Returns
    -------
    polars.DataFrame
        One row per session_id: messages, originals, mentions, mentioning_people, related_messages,
        related_originals, share_of_voice, sponsor_posts, replies_to_sponsor, reposts_of_sponsor, quotes_of_sponsor,
        engagement_in_data (the sum of those three), likes_on_posts, reposts_on_posts, replies_on_posts,
        views_on_posts (the platform's counters on the sponsor's own posts, null where the platform gives none),
        engaged_participants (distinct people other than the sponsor who mentioned, replied to, reposted or quoted
        it), engaged_newcomers, reach_basis, related_potential_impressions, related_measured_impressions,
        related_exposure_base and related_impressions_low / _mid / _high (impressions of sponsor-related messages
        under the session's reach basis; null where reach is unavailable).

    Examples
    --------
    >>> import polars as pl
    >>> from moderator_kit.config import Sponsor
    >>> from moderator_kit.schema import conform
    >>> msgs = conform(pl.DataFrame({"platform": ["twitter"], "message_id": ["1"], "author_handle": ["ann"],
    ...     "kind": ["post"], "hashtags": [["acmejobs"]], "author_followers": [200]}))
    >>> out = sponsor_exposure(msgs.with_columns(session_id=pl.lit("s1")),
    ...                        Sponsor(name="Acme", hashtags=["#AcmeJobs"]))
    >>> out.select("mentions", "sponsor_posts", "related_potential_impressions", "related_impressions_mid").row(0)
    (1, None, 200, 10.0)
    """
    rates = config.exposure_rates if config is not None else ExposureRates()
    members = config.audience_members if config is not None else None
    lazy = _sponsored(_lazy(session_messages), sponsor)
    moderators = list(config.moderators) if config is not None else []
    lazy = impression_contributions(lazy, audience_members=members).with_columns(
        sponsor_flags(sponsor, moderators))
    roles_lazy = _roles_lazy(roles)
    if roles_lazy is not None and "labels" in roles_lazy.collect_schema().names():
        lazy = lazy.join(
            roles_lazy.select("session_id", pl.col("handle").alias("author_handle"), "labels"),
            on=["session_id", "author_handle"],
            how="left",
        ).with_columns(_newcomer=pl.col("labels").list.contains("newcomer").fill_null(False))
    else:
        lazy = lazy.with_columns(_newcomer=pl.lit(None, dtype=pl.Boolean))

    original = pl.col("kind") != "repost"
    own_post = pl.col("sp_by") & original
    related = pl.col("sp_related")
    available = pl.col("reach_basis").first() != "unavailable"
    out = lazy.group_by("session_id").agg(
        messages=pl.len().cast(pl.Int64),
        originals=original.sum().cast(pl.Int64),
        mentions=pl.col("sp_mention").sum().cast(pl.Int64),
        mentioning_people=pl.col("author_handle").filter(pl.col("sp_mention")).n_unique().cast(pl.Int64),
        related_messages=related.sum().cast(pl.Int64),
        related_originals=(related & original).sum().cast(pl.Int64),
        sponsor_posts=own_post.sum().cast(pl.Int64),
        replies_to_sponsor=pl.col("sp_reply").sum().cast(pl.Int64),
        reposts_of_sponsor=pl.col("sp_repost").sum().cast(pl.Int64),
        quotes_of_sponsor=pl.col("sp_quote").sum().cast(pl.Int64),
        likes_on_posts=_counted(pl.col("like_count"), own_post),
        reposts_on_posts=_counted(pl.col("repost_count"), own_post),
        replies_on_posts=_counted(pl.col("reply_count"), own_post),
        views_on_posts=_counted(measured_views(), own_post),
        engaged_participants=pl.col("author_handle").filter(pl.col("sp_engages")).n_unique().cast(pl.Int64),
        engaged_newcomers=pl.when(pl.col("_newcomer").is_not_null().any())
        .then(pl.col("author_handle").filter(pl.col("sp_engages") & pl.col("_newcomer")).n_unique())
        .cast(pl.Int64),
        reach_basis=pl.col("reach_basis").first(),
        related_potential_impressions=pl.when(available & pl.col("imp_potential").is_not_null().any())
        .then(pl.col("imp_potential").filter(related).sum())
        .when(available)
        .then(0.0)
        .round(0)
        .cast(pl.Int64),
        related_measured_impressions=pl.when(available).then(pl.col("imp_measured").filter(related).sum()),
        related_exposure_base=pl.when(available).then(pl.col("imp_base").filter(related).sum()),
    )
    out = out.with_columns(
        share_of_voice=pl.when(pl.col("originals") > 0).then(pl.col("related_originals") / pl.col("originals")),
        engagement_in_data=pl.col("replies_to_sponsor") + pl.col("reposts_of_sponsor") + pl.col("quotes_of_sponsor"),
        **{
            f"related_impressions_{level}": pl.col("related_measured_impressions")
            + getattr(rates, level) * pl.col("related_exposure_base")
            for level in ("low", "mid", "high")
        },
    )
    by_handle = ["sponsor_posts", "replies_to_sponsor", "reposts_of_sponsor", "quotes_of_sponsor",
                 "engagement_in_data", "likes_on_posts", "reposts_on_posts", "replies_on_posts", "views_on_posts"]
    by_identity = ["mentions", "mentioning_people", "related_messages", "related_originals", "share_of_voice",
                   "engaged_participants", "engaged_newcomers", "related_potential_impressions",
                   "related_measured_impressions", "related_exposure_base", "related_impressions_low",
                   "related_impressions_mid", "related_impressions_high"]
    by_attribution = ["related_messages", "related_originals", "share_of_voice", "related_potential_impressions",
                      "related_measured_impressions", "related_exposure_base", "related_impressions_low",
                      "related_impressions_mid", "related_impressions_high"]
    searchable = bool(sponsor.handles or sponsor.hashtags or sponsor.domains or moderators)
    unmeasurable = (by_handle if not sponsor.handles else []) + (
        [c for c in by_identity if c not in by_attribution] if not (sponsor.handles or sponsor.hashtags) else []) + (
        by_attribution if not searchable else [])
    if unmeasurable:
        out = out.with_columns([pl.lit(None).cast(out.collect_schema()[c]).alias(c) for c in unmeasurable])
    columns = ["session_id", "messages", "originals", "mentions", "mentioning_people", "related_messages",
               "related_originals", "share_of_voice", "sponsor_posts", "replies_to_sponsor", "reposts_of_sponsor",
               "quotes_of_sponsor", "engagement_in_data", "likes_on_posts", "reposts_on_posts", "replies_on_posts",
               "views_on_posts", "engaged_participants", "engaged_newcomers", "reach_basis",
               "related_potential_impressions", "related_measured_impressions", "related_exposure_base",
               "related_impressions_low", "related_impressions_mid", "related_impressions_high"]
    return out.select(columns).sort("session_id").collect()


def audience_mix(
    session_messages: pl.DataFrame | pl.LazyFrame,
    sponsor: Sponsor,
    roles: pl.DataFrame | pl.LazyFrame | None,
    *,
    by_session: bool = True,
) -> pl.DataFrame:
    """The roles of the people who engaged with the sponsor (mentioned, replied to, reposted or quoted it).

    Each person counts under their ``primary_role`` in that session; people the roles frame does not know count as
    ``'unknown'``. With ``by_session=False`` each person counts once, under their role in the last session in
    which they engaged, and ``session_id`` is null.

    Returns
    -------
    polars.DataFrame
        [session_id, role, participants, share], share = participants ÷ the people who engaged in that session
        (or overall).

    Examples
    --------
    >>> import polars as pl
    >>> from moderator_kit.config import Sponsor
    >>> from moderator_kit.schema import conform
    >>> msgs = conform(pl.DataFrame({"platform": ["twitter"] * 2, "message_id": ["1", "2"],
    ...     "author_handle": ["ann", "bob"], "kind": ["post", "post"], "mentions": [["acme"], ["acme"]]}))
    >>> roles = pl.DataFrame({"session_id": ["s1"], "handle": ["ann"], "primary_role": ["advocate"]})
    >>> audience_mix(msgs.with_columns(session_id=pl.lit("s1")), Sponsor(name="A", handles=["acme"]),
    ...              roles).rows()
    [('s1', 'advocate', 1, 0.5), ('s1', 'unknown', 1, 0.5)]
    """
    lazy = _sponsored(_lazy(session_messages), sponsor).with_columns(sponsor_flags(sponsor))
    engaged = lazy.filter(pl.col("sp_engages")).select("session_id", "author_handle").unique()
    roles_lazy = _roles_lazy(roles)
    if roles_lazy is not None and "primary_role" in roles_lazy.collect_schema().names():
        engaged = engaged.join(
            roles_lazy.select("session_id", pl.col("handle").alias("author_handle"), "primary_role"),
            on=["session_id", "author_handle"],
            how="left",
        )
    else:
        engaged = engaged.with_columns(primary_role=pl.lit(None, dtype=pl.String))
    engaged = engaged.with_columns(role=pl.col("primary_role").fill_null("unknown"))
    if not by_session:
        engaged = (
            engaged.sort("session_id")
            .group_by("author_handle")
            .agg(pl.col("role").last())
            .with_columns(session_id=pl.lit(None, dtype=pl.String))
        )
    counts = engaged.group_by("session_id", "role").agg(participants=pl.len().cast(pl.Int64))
    return (
        counts.with_columns(
            share=pl.col("participants") / pl.col("participants").sum().over("session_id"),
        )
        .sort(["session_id", "participants", "role"], descending=[False, True, False], nulls_last=True)
        .collect()
    )


def top_sponsor_messages(
    session_messages: pl.DataFrame | pl.LazyFrame,
    sponsor: Sponsor,
    n: int = 5,
    *,
    include_own: bool = False,
) -> pl.DataFrame:
    """The ``n`` most engaged original messages about the sponsor (by others; ``include_own`` adds its own posts).

    engagement = the larger of (a) the replies, reposts and quotes of the message found in the data and (b) the
    platform's like + repost + reply counters (which already include (a) when present). Ties go to the earlier
    message.

    Returns
    -------
    polars.DataFrame
        [message_id, session_id, author_handle, text, created_at, engagement, url].

    Examples
    --------
    >>> import polars as pl
    >>> from moderator_kit.config import Sponsor
    >>> from moderator_kit.schema import conform
    >>> msgs = conform(pl.DataFrame({"platform": ["twitter"] * 3, "message_id": ["1", "2", "3"],
    ...     "author_handle": ["ann", "bob", "cy"], "kind": ["post", "post", "reply"],
    ...     "mentions": [["acme"], ["acme"], []], "like_count": [None, 4, None],
    ...     "reply_to_message_id": [None, None, "1"]}))
    >>> top = top_sponsor_messages(msgs.with_columns(session_id=pl.lit("s1")), Sponsor(name="A", handles=["acme"]))
    >>> top.select("message_id", "engagement", "url").rows()
    [('2', 4, 'https://x.com/bob/status/2'), ('1', 1, 'https://x.com/ann/status/1')]
    """
    lazy = _sponsored(_lazy(session_messages), sponsor).with_columns(sponsor_flags(sponsor))
    targets = (
        lazy.select("message_id", "reply_to_message_id", "repost_of_message_id", "quote_of_message_id")
        .unpivot(index="message_id", value_name="target")
        .filter(pl.col("target").is_not_null())
        .group_by("target")
        .agg(in_data=pl.col("message_id").n_unique().cast(pl.Int64))
    )
    about = pl.col("sp_engages") | (pl.col("sp_by") if include_own else pl.lit(False))
    counters = ["like_count", "repost_count", "reply_count"]
    platform_engagement = pl.when(pl.any_horizontal([pl.col(c).is_not_null() for c in counters])).then(
        pl.sum_horizontal([pl.col(c).fill_null(0) for c in counters])
    )
    return (
        lazy.filter(about & (pl.col("kind") != "repost"))
        .join(targets, left_on="message_id", right_on="target", how="left")
        .with_columns(
            engagement=pl.max_horizontal(pl.col("in_data").fill_null(0), platform_engagement).cast(pl.Int64),
            url=message_url(),
        )
        .sort(["engagement", "created_at", "message_id"], descending=[True, False, False], nulls_last=True)
        .head(n)
        .select("message_id", "session_id", "author_handle", "text", "created_at", "engagement", "url")
        .collect()
    )
