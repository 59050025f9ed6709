"""Per-session figures of one chat, read from its analysis snapshot (nothing is recomputed from messages except the
audience keywords).

One row per session: ``chat, session_id, number, platform, active_participants`` (pure reposters and spam are not
active), ``returning_share``, ``answers_per_question``, ``herding_score``, ``reply_share``, ``advocate_share``,
``self_promoter_share``, ``spam_share`` (excluded spam ÷ all session messages), ``reach_mid`` and ``reach_basis``,
``engaged_participants`` (active participants in the profile's audience, or all active ones without a profile),
and with a fee: ``fee``, ``cost_per_engaged``, ``expected_exposure`` (attributable impressions at the mid rate)
and ``cpm_attributable`` — both from :func:`moderator_kit.value.sponsor_kpis` on the chat's own sponsor exposure.
Formulas: ``docs/metrics/compare.md``.
"""

from __future__ import annotations

import polars as pl

from moderator_kit.compare.profile import SponsorProfile
from moderator_kit.config import Costs, ExposureRates, Sponsor, parse_config
from moderator_kit.errors import ModeratorKitError
from moderator_kit.snapshot_store import Snapshot
from moderator_kit.value import sponsor_kpis

__all__ = ["session_metrics", "select_sessions", "first_timer_return", "METRICS", "SESSION_SCHEMA"]

#: metric -> (label, higher is better) for every per-session figure of a comparison.
METRICS: dict[str, tuple[str, bool]] = {
    "active_participants": ("Active participants", True),
    "engaged_participants": ("Engaged participants", True),
    "returning_share": ("Returning share", True),
    "answers_per_question": ("Answers per question", True),
    "herding_score": ("Herding score", True),
    "reply_share": ("Reply share", True),
    "advocate_share": ("Advocate share", True),
    "self_promoter_share": ("Self-promoter share", False),
    "spam_share": ("Spam share", False),
    "reach_mid": ("Reach (estimated impressions, mid)", True),
    "cost_per_engaged": ("Cost per engaged participant", False),
    "expected_exposure": ("Expected exposure (attributable impressions, mid)", True),
    "cpm_attributable": ("CPM on attributable impressions", False),
}

SESSION_SCHEMA = pl.Schema({
    "chat": pl.String, "session_id": pl.String, "number": pl.Int64, "platform": pl.String,
    **{name: pl.Float64 for name in METRICS}, "reach_basis": pl.String, "fee": pl.Float64,
})


def select_sessions(sessions: pl.DataFrame, spec: str | None) -> pl.DataFrame:
    """Keep the sessions ``spec`` names: ``last:N`` (the latest N by number), ``all`` or None (every session).

    >>> s = pl.DataFrame({"session_id": ["a", "b", "c"], "number": [1, 2, 3]})
    >>> select_sessions(s, "last:2")["session_id"].to_list()
    ['b', 'c']
    """
    if spec is None or spec.strip().lower() == "all":
        return sessions
    kind, _, count = spec.strip().lower().partition(":")
    if kind != "last" or not count.isdigit() or int(count) < 1:
        raise ModeratorKitError(f"--sessions {spec!r}: use 'last:N' (the latest N sessions of each chat) or 'all'")
    return sessions.sort("number").tail(int(count))


def _per_session(snap: Snapshot, name: str) -> pl.DataFrame | None:
    return snap.table(name) if name in snap.tables() else None


def _role_counts(roles: pl.DataFrame | None, audience_roles: list[str]) -> pl.DataFrame:
    if roles is None or roles.is_empty():
        return pl.DataFrame(schema={"session_id": pl.String, "advocates": pl.UInt32, "self_promoters": pl.UInt32,
                                    "audience_by_role": pl.UInt32})
    return (
        roles.filter(pl.col("session_id").is_not_null() & (pl.col("session_id") != "all"))
        .group_by("session_id")
        .agg(advocates=pl.col("labels").list.contains("advocate").sum(),
             self_promoters=pl.col("labels").list.contains("self_promoter").sum(),
             audience_by_role=(pl.col("labels").list.set_intersection(pl.lit(audience_roles or [""]))
                               .list.len() > 0).sum())
    )


def _keyword_handles(snap: Snapshot, keywords: list[str]) -> pl.DataFrame:
    """Session × handle of the active participants who wrote one of the keywords (case-insensitive)."""
    messages = snap.table("messages").lazy() if "messages" in snap.tables() else None
    if messages is None or not keywords:
        return pl.DataFrame(schema={"session_id": pl.String, "author_handle": pl.String})
    return (
        messages.filter((pl.col("phase") == "chat") & (pl.col("kind") != "repost")
                        & pl.col("text").str.to_lowercase().str.contains_any([k.lower() for k in keywords]))
        .select("session_id", pl.col("author_handle").str.to_lowercase()).unique().collect()
    )


def _audience(snap: Snapshot, profile: SponsorProfile | None) -> pl.DataFrame | None:
    """Session → active participants in the audience (a role or a keyword), or None without an audience."""
    if profile is None or not profile.audience.any:
        return None
    roles = _per_session(snap, "roles")
    parts = []
    if roles is not None and profile.audience.roles:
        parts.append(roles.filter(pl.col("labels").list.set_intersection(pl.lit(profile.audience.roles)).list.len()
                                  > 0).select("session_id", author_handle=pl.col("handle").str.to_lowercase()))
    parts.append(_keyword_handles(snap, profile.audience.keywords))
    both = pl.concat(parts).filter(pl.col("session_id").is_not_null() & (pl.col("session_id") != "all")).unique()
    return both.group_by("session_id").agg(engaged=pl.len().cast(pl.Float64))


def _sponsor_figures(snap: Snapshot, fee: float, profile: SponsorProfile, ids: list[str]) -> pl.DataFrame | None:
    """Expected exposure and CPM on the attributable impressions of the chat's own sponsor (value.sponsor_kpis)."""
    exposure, reach = _per_session(snap, "sponsor_exposure"), _per_session(snap, "reach")
    if exposure is None or reach is None or exposure.is_empty():
        return None
    first = exposure["sponsor"][0] if "sponsor" in exposure.columns else None
    if first is not None:
        exposure = exposure.filter(pl.col("sponsor") == first)
    config = snap.meta.get("config")
    rates = parse_config(config).exposure_rates if isinstance(config, dict) else ExposureRates()
    sponsor = Sponsor(name=profile.name, costs=Costs(fee=fee), costs_per="session",
                      benchmark_cpm=profile.benchmark_cpm)
    kpis = sponsor_kpis(exposure.filter(pl.col("session_id").is_in(ids)), reach, sponsor, rates)
    return kpis.select("session_id", expected_exposure="sponsor_impressions_mid", cpm_attributable="cpm_mid")


def session_metrics(snap: Snapshot, profile: SponsorProfile | None = None, sessions: str | None = None
                    ) -> pl.DataFrame:
    """The per-session figures of one chat (see the module docstring), in session order."""
    if "kpis" not in snap.tables():
        raise ModeratorKitError(f"chat {snap.chat!r}: the snapshot has no KPIs; run 'moderator-kit analyze --chat "
                                f"{snap.chat}' again")
    kpis = select_sessions(snap.table("kpis"), sessions)
    ids = kpis["session_id"].to_list()
    frame = kpis.lazy().select("session_id", "number", "active_participants", "returning_share", "herding_score",
                               "reply_share", "messages")
    questions = _per_session(snap, "questions")
    if questions is not None:
        per_q = questions.group_by("session_id").agg(
            answers_per_question=pl.col("answers").sum() / pl.len())
        frame = frame.join(per_q.lazy(), on="session_id", how="left")
    else:
        frame = frame.with_columns(answers_per_question=pl.lit(None, pl.Float64))
    audience = profile.audience.roles if profile is not None else []
    frame = frame.join(_role_counts(_per_session(snap, "roles"), audience).lazy(), on="session_id", how="left")
    excluded = _per_session(snap, "excluded_counts")
    spam = (excluded.group_by("session_id").agg(spam=pl.col("messages").sum()) if excluded is not None
            else pl.DataFrame(schema={"session_id": pl.String, "spam": pl.Int64}))
    frame = frame.join(spam.lazy(), on="session_id", how="left")
    reach = _per_session(snap, "reach")
    if reach is not None:
        frame = frame.join(reach.lazy().select("session_id", reach_basis="reach_basis", reach_mid="impressions_mid"),
                           on="session_id", how="left")
    else:
        frame = frame.with_columns(reach_basis=pl.lit("unavailable"), reach_mid=pl.lit(None, pl.Float64))
    engaged = _audience(snap, profile)
    if engaged is not None:
        frame = frame.join(engaged.lazy(), on="session_id", how="left").with_columns(pl.col("engaged").fill_null(0.0))
    else:
        frame = frame.with_columns(engaged=pl.col("active_participants").cast(pl.Float64))
    fee = profile.fee_for(snap.chat) if profile is not None else None
    sponsor = _sponsor_figures(snap, fee, profile, ids) if fee is not None else None
    if sponsor is not None:
        frame = frame.join(sponsor.lazy(), on="session_id", how="left")
    else:
        frame = frame.with_columns(expected_exposure=pl.lit(None, pl.Float64), cpm_attributable=pl.lit(None, pl.Float64))
    active = pl.col("active_participants").cast(pl.Float64)
    per_active = lambda c: pl.when(active > 0).then(pl.col(c).fill_null(0).cast(pl.Float64) / active)  # noqa: E731
    fee_lit = pl.lit(fee, pl.Float64)
    platforms = snap.meta.get("platforms") or ["unknown"]
    out = frame.select(
        chat=pl.lit(snap.chat),
        session_id="session_id",
        number=pl.col("number").cast(pl.Int64),
        platform=pl.lit(",".join(platforms)),
        active_participants=active,
        engaged_participants=pl.col("engaged"),
        returning_share=pl.col("returning_share").cast(pl.Float64),
        answers_per_question=pl.col("answers_per_question").cast(pl.Float64),
        herding_score=pl.col("herding_score").cast(pl.Float64),
        reply_share=pl.col("reply_share").cast(pl.Float64),
        advocate_share=per_active("advocates"),
        self_promoter_share=per_active("self_promoters"),
        spam_share=pl.col("spam").fill_null(0).cast(pl.Float64)
        / (pl.col("messages").cast(pl.Float64) + pl.col("spam").fill_null(0).cast(pl.Float64)),
        reach_mid=pl.col("reach_mid").cast(pl.Float64),
        cost_per_engaged=pl.when(pl.col("engaged") > 0).then(fee_lit / pl.col("engaged")),
        expected_exposure=pl.col("expected_exposure").cast(pl.Float64),
        cpm_attributable=pl.col("cpm_attributable").cast(pl.Float64),
        reach_basis=pl.col("reach_basis").cast(pl.String),
        fee=fee_lit,
    ).sort("number").collect()
    return out.cast(dict(SESSION_SCHEMA))


def first_timer_return(snap: Snapshot) -> tuple[int, int]:
    """``(returned, newcomers)`` over the whole chat: first-timers who came back to a later session."""
    table = _per_session(snap, "first_timers")
    if table is None or table.is_empty():
        return (0, 0)
    return (int(table["returned"].sum()), int(table["newcomers"].sum()))
