"""Compare chats: per-chat summaries with their spread, a ranking with reasons, what is within the noise.

The ranking metric is the cost per engaged participant (lower first) when the sponsor profile gives a fee for every
chat, else the engaged participants per session (higher first). Two chats next to each other in the ranking
"cannot be told apart" when a permutation test on their per-session values gives p ≥ :data:`ALPHA`. A chat with
fewer than :data:`MIN_SESSIONS` sessions is listed, but marked "too few sessions to judge" and ranked after the
others. Formulas and thresholds: ``docs/metrics/compare.md``.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
from pydantic import BaseModel, ConfigDict

from moderator_kit.compare.metrics import METRICS, SESSION_SCHEMA, first_timer_return, session_metrics
from moderator_kit.compare.profile import SponsorProfile
from moderator_kit.compare.reference import ReferenceChat, reference_rows
from moderator_kit.compare.stats import ALPHA, Spread, permutation_p, spread
from moderator_kit.errors import ModeratorKitError
from moderator_kit.formats import fmt_money, fmt_pct
from moderator_kit.snapshot_store import Snapshot

__all__ = ["ChatSummary", "Comparison", "compare_chats", "compare_frames", "MIN_SESSIONS", "metric_text"]

#: Below this many sessions a chat is not judged (its spread says nothing yet).
MIN_SESSIONS = 4


class ChatSummary(BaseModel):
    """One chat of a comparison, with each per-session figure's spread and its place in the ranking."""

    model_config = ConfigDict(frozen=True)

    chat: str
    title: str
    platform: str
    sessions: int
    rank: int | None
    judged: bool
    figures: dict[str, Spread]
    reach_basis: str
    first_timers_returned: int
    first_timers: int
    fee: float | None
    verdict: str | None
    reasons: list[str]


class Comparison(BaseModel):
    """The result of :func:`compare_chats` (serialises with ``model_dump(mode="json")``)."""

    model_config = ConfigDict(frozen=True)

    ranking_metric: str
    ranking_label: str
    profile: SponsorProfile | None
    sessions_spec: str | None
    chats: list[ChatSummary]
    indistinct: list[str]
    notes: list[str]
    references: list[ReferenceChat]

    def table(self) -> pl.DataFrame:
        """One row per chat in rank order: median, quartiles and bootstrap interval of each figure."""
        rows = []
        for c in self.chats:
            row = {"rank": c.rank, "chat": c.chat, "platform": c.platform, "sessions": c.sessions,
                   "verdict": c.verdict, "reach_basis": c.reach_basis}
            for name, s in c.figures.items():
                row |= {f"{name}_median": s.median, f"{name}_q1": s.q1, f"{name}_q3": s.q3,
                        f"{name}_low": s.low, f"{name}_high": s.high}
            rows.append(row)
        return pl.DataFrame(rows, infer_schema_length=None)


def metric_text(metric: str, value: float | None) -> str:
    """A figure as shown everywhere in a comparison (one rounding per metric).

    >>> metric_text("returning_share", 0.456), metric_text("cost_per_engaged", 12.5), metric_text("reach_mid", 1234.4)
    ('45.6%', '$12.50', '1,234')
    """
    if value is None:
        return "n/a"
    if metric.endswith("_share"):
        return fmt_pct(value)
    if metric in ("cost_per_engaged", "cpm_attributable"):
        return fmt_money(value)
    if metric in ("reach_mid", "expected_exposure"):
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def _verdict(cpm: Spread, benchmark: float, fee: float | None) -> str | None:
    if fee is None:
        return None
    if cpm.median is None:
        return "no evidence of exposure"
    if (cpm.q3 or cpm.median) <= benchmark:
        return "worthwhile"
    if (cpm.q1 or cpm.median) > benchmark:
        return "not worthwhile"
    return "unclear"


def _verdict_reason(verdict: str | None, cpm: Spread, benchmark: float) -> str | None:
    if verdict is None:
        return None
    if verdict == "no evidence of exposure":
        return "no message by or about a sponsor in this chat, so no attributable impressions to price"
    return (f"{verdict}: CPM on attributable impressions {metric_text('cpm_attributable', cpm.median)} (IQR "
            f"{metric_text('cpm_attributable', cpm.q1)}–{metric_text('cpm_attributable', cpm.q3)}) against a "
            f"benchmark of {fmt_money(benchmark)}")


#: Figures whose best and worst chats are named in the reasons (with two or more judged chats).
STANDOUT_METRICS = ("returning_share", "answers_per_question", "reply_share", "advocate_share", "self_promoter_share",
                    "spam_share")


def _standouts(chat: str, judged: list[str], figures: dict[str, dict[str, Spread]]) -> list[str]:
    """'highest …' / 'lowest …' (a strength or a weakness) for each figure where ``chat`` has the top or bottom
    median of the judged chats."""
    if len(judged) < 2:
        return []
    out = []
    for name in STANDOUT_METRICS:
        medians = {c: figures[c][name].median for c in judged if figures[c][name].median is not None}
        if chat not in medians or len(set(medians.values())) < 2:
            continue
        label, higher = METRICS[name]
        top, bottom = max(medians.values()), min(medians.values())
        if medians[chat] in (top, bottom):
            word = "highest" if medians[chat] == top else "lowest"
            good = (medians[chat] == top) == higher
            out.append(f"{word} {label.lower()} of the chats compared ({metric_text(name, medians[chat])}, "
                       f"{'a strength' if good else 'a weakness'})")
    return out


def compare_frames(frames: Sequence[pl.DataFrame], *, titles: dict[str, str] | None = None,
                   first_timers: dict[str, tuple[int, int]] | None = None, profile: SponsorProfile | None = None,
                   sessions_spec: str | None = None) -> Comparison:
    """Rank chats from their per-session frames (:func:`session_metrics`); pure, no file access."""
    if len(frames) < 1:
        raise ModeratorKitError("compare needs at least one chat: --chats a,b")
    data = pl.concat([f.cast(dict(SESSION_SCHEMA)) for f in frames])
    chats = list(dict.fromkeys(data["chat"].to_list()))
    by_chat = {c: data.filter(pl.col("chat") == c) for c in chats}
    fees = {c: (profile.fee_for(c) if profile is not None else None) for c in chats}
    priced = profile is not None and all(f is not None for f in fees.values())
    metric = "cost_per_engaged" if priced else "engaged_participants"
    label, higher = METRICS[metric]
    names = [m for m in METRICS if priced or m not in ("cost_per_engaged", "expected_exposure", "cpm_attributable")]
    figures = {c: {m: spread(by_chat[c][m].to_list()) for m in names} for c in chats}
    judged = [c for c in chats if by_chat[c].height >= MIN_SESSIONS]

    def key(c: str) -> float:
        median = figures[c][metric].median
        if median is None:
            return float("inf")
        return -median if higher else median

    order = sorted(judged, key=key) + [c for c in chats if c not in judged]
    notes = [f"Chats with fewer than {MIN_SESSIONS} sessions are not judged: "
             + ", ".join(f"{c} ({by_chat[c].height})" for c in chats if c not in judged)] if len(judged) < len(chats) \
        else []
    indistinct: list[str] = []
    tied_with_previous: dict[str, str] = {}
    for a, b in zip(order, order[1:], strict=False):
        if a not in judged or b not in judged:
            continue
        p = permutation_p(by_chat[a][metric].to_list(), by_chat[b][metric].to_list())
        if p is not None and p >= ALPHA:
            tied_with_previous[b] = a
            indistinct.append(f"{a} and {b} cannot be told apart on {label.lower()} with {by_chat[a].height} and "
                              f"{by_chat[b].height} sessions (permutation test p = {p:.2f})")
    summaries = []
    for position, c in enumerate(order, start=1):
        f = figures[c]
        reasons = []
        if c not in judged:
            reasons.append(f"too few sessions to judge ({by_chat[c].height} < {MIN_SESSIONS})")
        else:
            mine = metric_text(metric, f[metric].median)
            rest = [o for o in order if o != c and o in judged]
            better = [o for o in rest if key(o) < key(c)]
            worse = [o for o in rest if key(o) > key(c)]
            reason = f"{label.lower()} {mine} (median per session, IQR {metric_text(metric, f[metric].q1)}–" \
                     f"{metric_text(metric, f[metric].q3)})"
            if better:
                reason += f", behind {better[-1]} ({metric_text(metric, figures[better[-1]][metric].median)})"
            if worse:
                reason += f", ahead of {worse[0]} ({metric_text(metric, figures[worse[0]][metric].median)})"
            reasons.append(reason)
            if c in tied_with_previous:
                reasons.append(f"within the noise of {tied_with_previous[c]}")
            if metric != "engaged_participants" or (profile is not None and profile.audience.any):
                reasons.append(f"{metric_text('active_participants', f['active_participants'].median)} active "
                               f"participants per session (median)")
            reasons.extend(_standouts(c, judged, figures))
        verdict = _verdict(f.get("cpm_attributable", spread([])), profile.benchmark_cpm, fees[c]) if priced else None
        extra = _verdict_reason(verdict, f.get("cpm_attributable", spread([])), profile.benchmark_cpm) \
            if priced else None
        if extra:
            reasons.append(extra)
        basis = by_chat[c]["reach_basis"].drop_nulls().mode().sort().to_list()
        returned, newcomers = (first_timers or {}).get(c, (0, 0))
        summaries.append(ChatSummary(
            chat=c, title=(titles or {}).get(c, c), platform=by_chat[c]["platform"][0] if by_chat[c].height else "",
            sessions=by_chat[c].height, rank=position if c in judged else None, judged=c in judged, figures=f,
            reach_basis=basis[0] if basis else "unavailable", first_timers_returned=returned,
            first_timers=newcomers, fee=fees[c], verdict=verdict, reasons=reasons))
    return Comparison(ranking_metric=metric, ranking_label=label, profile=profile, sessions_spec=sessions_spec,
                      chats=summaries, indistinct=indistinct, notes=notes, references=list(reference_rows()))


def compare_chats(snapshots: Sequence[Snapshot], profile: SponsorProfile | None = None,
                  sessions: str | None = "last:12") -> tuple[Comparison, pl.DataFrame]:
    """Compare the chats of ``snapshots``; returns the comparison and the per-session frame (for trends)."""
    seen = [s.chat for s in snapshots]
    if len(set(seen)) != len(seen):
        raise ModeratorKitError(f"a chat is named twice: {', '.join(seen)}")
    frames = [session_metrics(s, profile, sessions) for s in snapshots]
    comparison = compare_frames(frames, titles={s.chat: s.meta.get("title") or s.chat for s in snapshots},
                                first_timers={s.chat: first_timer_return(s) for s in snapshots}, profile=profile,
                                sessions_spec=sessions)
    return comparison, pl.concat(frames)
