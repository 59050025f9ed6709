"""The sponsor's ROI report: its figures (the snapshot's SponsorValue, or the value recomputed for some of the
sessions), the traceability tables that count the messages behind them, and its sections and charts.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from moderator_kit.config import Costs, Sponsor
from moderator_kit.errors import ModeratorKitError
from moderator_kit.figures.sponsor import (
    audience_mix_chart,
    cost_breakdown_chart,
    roi_range_chart,
    sensitivity_chart,
    sponsor_trend_chart,
)
from moderator_kit.figures.trends import reach_trend
from moderator_kit.formats import CURRENCY, fmt_int, fmt_num, fmt_pct, fmt_roi
from moderator_kit.report.blocks import (
    assemble_model,
    fact,
    lines_table,
    money,
    objective_table,
    objectives_fact,
    objectives_line,
    table_of,
)
from moderator_kit.report.context import ReportContext, plural, scan_table, snapshot_table, sponsor_choice
from moderator_kit.report.elements import Fact, ReportModel, ReportTable, Section
from moderator_kit.report.formulas import methodology_table
from moderator_kit.report.urls import safe_url_expr
from moderator_kit.value import SponsorValue, message_url, reach_total, sponsor_value, top_sponsor_messages
from moderator_kit.value.headline import VERDICT_LABELS, range_text, sponsor_headline
from moderator_kit.value.reach import basis_formulas
from moderator_kit.value.roi import UPPER_BOUND_LABEL
from moderator_kit.value.sponsor import sponsor_flags

__all__ = ["TOP_MESSAGES", "build_sponsor_model"]

#: The most engaged messages about the sponsor shown in the report.
TOP_MESSAGES = 10


def _sponsor_value(ctx: ReportContext, key: str, sponsor: Sponsor, exposure: pl.DataFrame, selected: list[str],
                   sponsored: list[str]) -> tuple[SponsorValue, list[str]]:
    """The snapshot's SponsorValue for the full range; for a sub-range, sponsor_value over the selected rows."""
    if selected == sponsored:
        return SponsorValue.model_validate(ctx.snapshot.meta["sponsors"][key]), []
    notes = [f"This report covers {len(selected)} of the {len(sponsored)} sponsored sessions; its figures are "
             "recomputed from the snapshot's per-session rows for those sessions."]
    chosen = sponsor
    if sponsor.costs_per == "total" and sponsored:
        share = len(selected) / len(sponsored)
        c = sponsor.costs
        chosen = sponsor.model_copy(update={"costs": Costs(fee=c.fee * share, staff_hours=c.staff_hours * share,
                                                           hourly_rate=c.hourly_rate, other=c.other * share)})
        notes.append(f"The sponsorship's costs are for all {len(sponsored)} sponsored sessions, so this report "
                     f"counts {len(selected)}/{len(sponsored)} of them ({money(chosen.costs.total)} of "
                     f"{money(c.total)}).")
    reach = snapshot_table(ctx.snapshot, "reach").filter(pl.col("session_id").is_in(selected))
    value = sponsor_value(exposure.filter(pl.col("session_id").is_in(selected)), reach, chosen,
                          ctx.config.exposure_rates, len(selected))
    return value, notes


def _evidence(ctx: ReportContext, sponsor: Sponsor, selected: list[str]) -> pl.DataFrame:
    """Every message by or about the sponsor in the selected sessions, with the flags it was counted under."""
    lazy = scan_table(ctx.snapshot, "messages").filter(pl.col("session_id").is_in(selected))
    names = lazy.collect_schema().names()
    wanted = ["platform", "message_id", "session_id", "phase", "created_at", "author_handle", "kind", "text",
              "mentions", "hashtags", "reply_to_author_handle", "repost_of_author_handle", "quote_of_author_handle",
              "author_followers", "view_count", "urls"]
    frame = (
        lazy.select([c for c in wanted if c in names])
        .with_columns(sponsor_flags(sponsor, ctx.snapshot.meta.get("moderators") or ctx.config.moderators))
        .filter(pl.col("sp_related"))
        .with_columns(url=message_url(), original=pl.col("kind") != "repost")
        .sort("created_at", "message_id")
        .collect()
    )
    return frame


def _recounts(evidence: pl.DataFrame, all_counts: dict[str, int]) -> dict[str, int]:
    per_session = evidence.group_by("session_id").agg(
        mentioning=pl.col("author_handle").filter(pl.col("sp_mention")).n_unique(),
        engaged=pl.col("author_handle").filter(pl.col("sp_engages")).n_unique(),
    )
    totals = evidence.select(
        mentions=pl.col("sp_mention").sum(),
        related=pl.col("sp_related").sum(),
        related_originals=(pl.col("sp_related") & pl.col("original")).sum(),
        sponsor_posts=(pl.col("sp_by") & pl.col("original")).sum(),
        replies=pl.col("sp_reply").sum(),
        reposts=pl.col("sp_repost").sum(),
        quotes=pl.col("sp_quote").sum(),
        engaging=pl.col("sp_engages").sum(),
    ).row(0, named=True)
    return {**{k: int(v) for k, v in totals.items()}, **all_counts,
            "mentioning_people": int(per_session["mentioning"].sum()),
            "engaged_participants": int(per_session["engaged"].sum())}


def _message_counts(ctx: ReportContext, selected: list[str]) -> dict[str, int]:
    row = (
        scan_table(ctx.snapshot, "messages").filter(pl.col("session_id").is_in(selected))
        .select(messages=pl.len(), originals=(pl.col("kind") != "repost").sum(),
                with_views=(pl.col("view_count") > 0).sum(), with_followers=pl.col("author_followers").is_not_null()
                .sum())
        .collect().row(0, named=True)
    )
    return {k: int(v or 0) for k, v in row.items()}


def _top_messages(ctx: ReportContext, key: str, sponsor: Sponsor, selected: list[str], full: bool) -> pl.DataFrame:
    if full:
        top = snapshot_table(ctx.snapshot, "sponsor_messages")
        top = top.filter(pl.col("sponsor") == key) if "sponsor" in top.columns else top
    else:
        messages = scan_table(ctx.snapshot, "messages").filter(pl.col("session_id").is_in(selected))
        top = top_sponsor_messages(messages, sponsor, n=TOP_MESSAGES)
    top = top.head(TOP_MESSAGES)
    urls = (
        scan_table(ctx.snapshot, "messages")
        .filter(pl.col("message_id").is_in(top["message_id"].to_list()))
        .select("message_id", "platform", pl.col("urls").list.head(3).alias("links"))
        .collect()
    )
    top = top.join(urls, on="message_id", how="left").with_columns(
        links=pl.col("links").list.eval(pl.element().filter(safe_url_expr(pl.element()).is_not_null()))
        .list.join(" "),
        url=safe_url_expr(pl.col("url")),
    ).with_columns(links=pl.when(pl.col("links").str.len_chars() > 0).then(pl.col("links")))
    if ctx.pseudo is not None:
        # x.com/i/status/<id> opens the same post without naming its author in the document
        top = top.with_columns(
            url=pl.when(pl.col("platform") == "twitter").then(pl.format("https://x.com/i/status/{}", "message_id"))
            .otherwise(pl.lit(None, dtype=pl.String)),
            text=ctx.pseudo.texts(top, "text"),
            links=ctx.pseudo.texts(top, "links"),
            author_handle=ctx.pseudo.column(top, "author_handle"),
            message_id=ctx.pseudo.message_ids(top),
        )
    if not ctx.include_text:
        top = top.with_columns(text=pl.lit(None, dtype=pl.String), links=pl.lit(None, dtype=pl.String),
                               url=pl.lit(None, dtype=pl.String) if ctx.pseudo is not None else pl.col("url"))
    return top.with_columns(rank=pl.int_range(1, pl.len() + 1).cast(pl.Int64))



def _mid_and_range(low: float | None, mid: float | None, high: float | None, fmt) -> str:
    """'39,648 (9,912 to 99,120)', or one value when the three are equal."""
    if low == mid == high or low is None or high is None:
        return fmt(mid)
    return f"{fmt(mid)} ({fmt(low)} to {fmt(high)})"


def _unavailable_note(sv: SponsorValue, default: str) -> str:
    """The reason the attributable impressions are missing, else ``default``."""
    return sv.unavailable.get("impressions", default)


def _scenario_facts(sv: SponsorValue, key: str, label: str, values: Any, fmt, note: str) -> tuple[Fact, ...]:  # noqa: ANN001
    """One fact when the impressions are measured (the scenarios cannot differ), else low / mid / high."""
    if sv.impressions_measured:
        return (fact(f"{key}_mid", f"{label} (measured views)", values.mid, fmt=fmt, note=note),)
    rates = sv.exposure_rates
    return tuple(fact(f"{key}_{lvl}", f"{label}, {lvl} exposure ({fmt_pct(getattr(rates, lvl))})",
                      getattr(values, lvl), fmt=fmt, note=note if lvl == "low" else "")
                 for lvl in ("low", "mid", "high"))


def _sponsor_summary(sv: SponsorValue, title: str, period: str, subset_note: str) -> str:
    parts = [f"{sv.sponsor} sponsored {title} over {period}{subset_note}, at a cost of {money(sv.cost)}."]
    imp, rates = sv.impressions, sv.exposure_rates
    if sv.verdict == "no evidence of exposure":
        parts.append(sv.unavailable.get("impressions", ""))
    elif imp.mid is not None:
        if sv.impressions_measured:
            how = "measured from the platform's view counts"
        else:
            how = (f"at {fmt_pct(rates.mid)} of {fmt_int(sv.sponsor_potential_impressions)} potential impressions, "
                   f"between {fmt_pct(rates.low)} and {fmt_pct(rates.high)}")
        parts.append(f"The {plural(sv.attributable_messages or 0, 'message')} by or about the sponsor were seen "
                     f"{'' if sv.impressions_measured else 'an estimated '}"
                     f"{_mid_and_range(imp.low, imp.mid, imp.high, fmt_int)} times ({how}), worth "
                     f"{_mid_and_range(sv.value.low, sv.value.mid, sv.value.high, money)} at a benchmark CPM of "
                     f"{money(sv.benchmark_cpm)}.")
        if sv.roi.mid is not None:
            roi = _mid_and_range(sv.roi.low, sv.roi.mid, sv.roi.high, fmt_roi)
            parts.append(f"That is a return on investment of {roi}"
                         + (f"; it breaks even once {fmt_pct(sv.break_even_exposure_rate)} of potential impressions "
                            "are really seen." if sv.break_even_exposure_rate not in (None, 0) else "."))
    else:
        parts.append("Reach is unavailable for these sessions, so the value of the exposure cannot be estimated.")
    if sv.chat_impressions.mid is not None:
        parts.append(f"The whole chat's messages were seen {fmt_int(sv.chat_impressions.mid)} times: an "
                     f"{UPPER_BOUND_LABEL}, not evidence that it was.")
    if sv.mentions is not None:
        people = f" by {fmt_int(sv.mentioning_people)} people (counted per session)" if sv.mentioning_people else ""
        parts.append(f"Participants mentioned the sponsor {plural(sv.mentions, 'time')}{people}; "
                     f"{fmt_int(sv.engaged_participants)} participant-sessions engaged with it, and messages by or "
                     f"about it made up {fmt_pct(sv.share_of_voice)} of the conversation.")
    if sv.objectives:
        met = sum(1 for o in sv.objectives if o.met)
        parts.append(f"{met} of {len(sv.objectives)} objectives were met.")
    parts.append(f"Verdict: {VERDICT_LABELS[sv.verdict].lower()}.")
    return " ".join(p for p in parts if p)


def build_sponsor_model(ctx: ReportContext, wanted: str | None) -> ReportModel:
    """The report model of the sponsor named by ``wanted``, over the sponsored sessions of the context."""
    snap, meta = ctx.snapshot, ctx.snapshot.meta
    key, sponsor = sponsor_choice(snap, ctx.config, wanted)
    exposure_all = snapshot_table(snap, "sponsor_exposure")
    if "sponsor" in exposure_all.columns:
        exposure_all = exposure_all.filter(pl.col("sponsor") == key)
    order = {sid: i for i, sid in enumerate(ctx.session_table.sort("number")["session_id"].to_list())}
    sponsored = sorted(exposure_all["session_id"].to_list(), key=lambda s: order.get(s, len(order)))
    selected = [s for s in ctx.sessions if s in set(sponsored)]
    if not selected:
        raise ModeratorKitError(f"none of the selected sessions is sponsored by {sponsor.name}; its sponsored "
                                f"sessions: {', '.join(sponsored) or 'none with messages'}")
    full = selected == sponsored
    sv, range_notes = _sponsor_value(ctx, key, sponsor, exposure_all, selected, sponsored)
    exposure = exposure_all.filter(pl.col("session_id").is_in(selected)).sort("session_id")
    reach = snapshot_table(snap, "reach").filter(pl.col("session_id").is_in(selected)).sort("session_id")
    title = meta.get("title") or snap.chat
    period = ctx.period(selected)
    subset_note = "" if full else f" (this report: {len(selected)} of the {len(sponsored)} sponsored sessions)"

    counts = _message_counts(ctx, selected)
    evidence = _evidence(ctx, sponsor, selected)
    recount = _recounts(evidence, counts)
    totals = reach_total(
        scan_table(snap, "messages").select("session_id", "platform", "author_handle", "author_followers", "kind",
                                            "view_count").filter(pl.col("session_id").is_in(selected)),
        ctx.config, selected)

    # --- facts per section
    rates = sv.exposure_rates
    reach_note = ctx.text(sv.reach_note) or ""
    how = basis_formulas(sv.reach_basis)
    upper = f"Whole chat: an {UPPER_BOUND_LABEL}."
    whole_chat = sv.chat_impressions
    chat_measured = sv.reach_basis == "views" and whole_chat.low == whole_chat.high
    if chat_measured:
        chat_impression_facts = (
            fact("impressions_mid", "Impressions, whole chat (measured views)", whole_chat.mid,
                 note=f"{reach_note} {upper}"),)
    else:
        chat_impression_facts = tuple(
            fact(f"impressions_{lvl}", f"Estimated impressions, whole chat, {lvl} ({fmt_pct(getattr(rates, lvl))})",
                 getattr(whole_chat, lvl), note=f"{reach_note} {upper}" if lvl == "low" else "Same basis as above.")
            for lvl in ("low", "mid", "high"))
    attributable_impressions = (
        (fact("sponsor_impressions_mid", "Impressions of messages by or about the sponsor (measured views)",
              sv.impressions.mid, note=_unavailable_note(sv, "The basis of the value, CPM and ROI.")),)
        if sv.impressions_measured else tuple(
            fact(f"sponsor_impressions_{lvl}", f"Estimated impressions of messages by or about the sponsor, {lvl} "
                 f"({fmt_pct(getattr(rates, lvl))})", getattr(sv.impressions, lvl),
                 note=_unavailable_note(sv, "The basis of the value, CPM and ROI.") if lvl == "low" else "")
            for lvl in ("low", "mid", "high")))
    reach_facts = (
        fact("attributable_messages", "Messages by or about the sponsor", sv.attributable_messages,
             note="Its posts; mentions of its handles and hashtags; replies, reposts and quotes of its accounts; "
                   "links to its domains; the moderators' posts naming it."),
        fact("sponsor_potential_impressions", "Potential impressions of messages by or about the sponsor",
             sv.sponsor_potential_impressions, note=f"Computed as {how['potential_impressions']}."),
        *attributable_impressions,
        fact("potential_impressions", "Potential impressions, whole chat", sv.chat_potential_impressions,
             note=f"Computed as {how['potential_impressions']}, over every message of the sponsored sessions."),
        fact("unique_reach", "Unique reach, whole chat", totals.unique_reach,
             note=f"Computed as {how['unique_reach']}."),
        *chat_impression_facts,
    )
    sums = exposure.select(
        pl.col("replies_to_sponsor", "reposts_of_sponsor", "quotes_of_sponsor", "engaged_newcomers",
               "views_on_posts").sum()
    ).row(0, named=True) if exposure.height else {}
    unavailable = sv.unavailable
    exposure_facts = (
        fact("mentions", "Mentions", sv.mentions, note=unavailable.get("mentions", "")),
        fact("mentioning_people", "People who mentioned it (per session, summed)", sv.mentioning_people),
        fact("share_of_voice", "Share of voice", sv.share_of_voice, fmt=fmt_pct,
             note="Original messages by or about the sponsor ÷ all original messages."),
        fact("sponsor_posts", "The sponsor's own posts", sv.sponsor_posts),
        fact("replies_to_sponsor", "Replies to the sponsor", sums.get("replies_to_sponsor")),
        fact("reposts_of_sponsor", "Reposts of the sponsor", sums.get("reposts_of_sponsor")),
        fact("quotes_of_sponsor", "Quotes of the sponsor", sums.get("quotes_of_sponsor")),
        fact("engagement_in_data", "Engagement on its posts found in the data", sv.engagement_in_data,
             note="Replies + reposts + quotes of the sponsor's accounts."),
        fact("likes_on_posts", "Likes on its posts (platform counters)", sv.likes_on_posts),
        fact("views_on_posts", "Views of its posts (platform counters)", sums.get("views_on_posts")),
        fact("engaged_participants", "Engaged participants (participant-sessions)", sv.engaged_participants,
             note=unavailable.get("cost_per_engaged_participant", "")),
        fact("engaged_newcomers", "…of whom newcomers", sums.get("engaged_newcomers")),
    )
    c = sv.costs
    per = "per session" if c.per == "session" else "for the whole sponsorship"
    cost_facts = (
        fact("cost_fee", "Fee", c.fee, fmt=money, note=f"Configured {per}."),
        fact("cost_staff", f"Staff time ({fmt_num(c.staff_hours)} h × {money(c.hourly_rate)})", c.staff_cost,
             fmt=money),
        fact("cost_other", "Other costs", c.other, fmt=money),
        fact("cost", "Total cost", sv.cost, fmt=money,
             note=f"{plural(c.sessions, 'session')}" + (f", {money(c.per_session)} per session"
                                                        if c.per_session is not None else "")),
    )
    cpm_note = unavailable.get("cpm", "") or _unavailable_note(sv, "Cost per 1,000 attributable impressions.")
    efficiency_facts = (
        *_scenario_facts(sv, "cpm", "CPM", sv.cpm, money, cpm_note),
        fact("cost_per_engaged_participant", "Cost per engaged participant", sv.cost_per_engaged_participant,
             fmt=money, note=unavailable.get("cost_per_engaged_participant", "")),
        fact("cost_per_mention", "Cost per mention", sv.cost_per_mention, fmt=money,
             note=unavailable.get("cost_per_mention", unavailable.get("mentions", ""))),
    )
    roi_note = unavailable.get("roi", unavailable.get("impressions", ""))
    if sv.impressions_measured:
        break_even_fact = fact("break_even_cpm", "Break-even benchmark CPM", sv.cpm.mid, fmt=money,
                               note=unavailable.get("break_even_exposure_rate", ""))
    else:
        break_even_fact = fact(
            "break_even_exposure_rate", "Break-even exposure rate", sv.break_even_exposure_rate, fmt=fmt_pct,
            note=unavailable.get("break_even_exposure_rate",
                                 "The share of potential impressions that must really be seen for value = cost."))
    roi_facts = (
        *_scenario_facts(sv, "value", "Value", sv.value, money,
                         f"At a benchmark CPM of {money(sv.benchmark_cpm)}, on the attributable impressions."),
        *_scenario_facts(sv, "roi", "ROI", sv.roi, fmt_roi, roi_note),
        break_even_fact,
        fact("chat_roi_mid", "ROI, whole chat (mid)", sv.chat_roi.mid, fmt=fmt_roi, note=sv.upper_bound_note),
    )
    # the headline figures are the dashboard's: one function formats them for every output
    shown = {f.key: f for f in sponsor_headline(sv)}
    headline = (
        *(Fact(key=f.key, label=f.label, value=None if f.value is None else float(f.value), display=f.display,
               note=f.detail)
          for f in (shown[k] for k in ("roi", "cost", "value", "impressions", "cpm", "mentions", "engaged"))),
        objectives_fact(sv.objectives),
    )

    # --- tables
    tables: dict[str, ReportTable] = {}
    tables["objectives"] = objective_table(sv.objectives, ctx.text)
    mix_sessions = snapshot_table(snap, "audience_mix")
    if "sponsor" in mix_sessions.columns:
        mix_sessions = mix_sessions.filter(pl.col("sponsor") == key)
    mix_sessions = mix_sessions.filter(pl.col("session_id").is_in(selected)) if mix_sessions.height else pl.DataFrame(
        schema={"session_id": pl.String, "role": pl.String, "participants": pl.Int64, "share": pl.Float64})
    mix = (
        mix_sessions.group_by("role").agg(pl.col("participants").sum())
        .with_columns(share=pl.col("participants") / pl.col("participants").sum())
        .sort(["participants", "role"], descending=[True, False])
        .rename({"participants": "participant_sessions"})
        .with_columns(role_name=pl.col("role").fill_null("unknown").str.replace_all("_", "-").str.slice(0, 1)
                      .str.to_uppercase() + pl.col("role").fill_null("unknown").str.replace_all("_", "-")
                      .str.slice(1))
    )
    tables["audience_mix"] = table_of("audience_mix", "Audience mix of the people who engaged", mix, [
        ("role", "Role key", "code", "data"), ("role_name", "Role", "text"),
        ("participant_sessions", "People (per session, summed)", "int"),
        ("share", "Share", "pct")], totals={"participant_sessions": sv.engaged_participants},
        description="Everyone who mentioned, replied to, reposted or quoted the sponsor, under their primary role "
                    "in the session; a person who engaged in two sessions counts twice.")
    tables["audience_mix_sessions"] = table_of(
        "audience_mix_sessions", "Audience mix per session", mix_sessions.sort("session_id", "role"),
        [("session_id", "Session", "code"), ("role", "Role", "text"), ("participants", "People", "int"),
         ("share", "Share", "pct")], in_document=False)
    top = _top_messages(ctx, key, sponsor, selected, full)
    top_columns = [("rank", "#", "int"), ("session_id", "Session", "code"), ("author_handle", "Author", "code"),
                   ("engagement", "Engagement", "int")]
    if ctx.include_text:
        top_columns += [("text", "Message", "text"), ("links", "Links in the message", "links")]
    if ctx.include_text or ctx.pseudo is None:
        top_columns.append(("url", "Link", "url"))
    top_columns.append(("message_id", "Message id", "code", "data"))
    top_description = ("Original messages by others about the sponsor, ranked by engagement (replies, reposts and "
                       "quotes found in the data, or the platform's counters when larger).")
    if not ctx.include_text:
        top_description += " Message text and links are left out of this anonymized report."
    tables["top_messages"] = table_of("top_messages", "Best messages about the sponsor", top, top_columns,
                                      description=top_description)
    cost_frame = pl.DataFrame({
        "component": ["Fee", "Staff time", "Other", "Total"],
        "amount": [c.fee, c.staff_cost, c.other, c.total],
        "detail": [f"{money(sponsor.costs.fee)} {per} × {c.multiplier}",
                   f"{fmt_num(c.staff_hours)} h × {money(c.hourly_rate)}",
                   f"{money(sponsor.costs.other)} {per} × {c.multiplier}",
                   f"{plural(c.sessions, 'session')}"],
    })
    tables["costs"] = table_of("costs", "Cost breakdown", cost_frame, [
        ("component", "Component", "text"), ("amount", "Amount", "money"), ("detail", "How", "text")])
    levels = ("mid",) if sv.impressions_measured else ("low", "mid", "high")
    roi_frame = pl.DataFrame({
        "scenario": ["measured views"] if sv.impressions_measured else list(levels),
        "exposure_rate": [None if sv.impressions_measured else getattr(rates, lvl) for lvl in levels],
        "impressions": [getattr(sv.impressions, lvl) for lvl in levels],
        "value": [getattr(sv.value, lvl) for lvl in levels],
        "cost": [sv.cost] * len(levels),
        "cpm": [getattr(sv.cpm, lvl) for lvl in levels],
        "roi": [getattr(sv.roi, lvl) for lvl in levels],
    }, schema={"scenario": pl.String, "exposure_rate": pl.Float64, "impressions": pl.Float64, "value": pl.Float64,
               "cost": pl.Float64, "cpm": pl.Float64, "roi": pl.Float64})
    roi_columns = [("scenario", "Scenario", "text"), ("exposure_rate", "Exposure rate", "pct"),
                   ("impressions", "Impressions by or about the sponsor", "int"), ("value", "Value", "money"),
                   ("cost", "Cost", "money"), ("cpm", "CPM", "money"), ("roi", "ROI", "signed_pct")]
    if sv.impressions_measured:
        roi_columns.pop(1)  # no exposure rate is assumed for measured views
    tables["roi"] = table_of(
        "roi", "Value, CPM and ROI" if sv.impressions_measured else "Value, CPM and ROI by exposure scenario",
        roi_frame, roi_columns, description="On the attributable impressions (messages by or about the sponsor).")
    sens = pl.DataFrame([p.model_dump() for p in sv.sensitivity], schema={
        "exposure_rate": pl.Float64, "benchmark_cpm": pl.Float64, "impressions": pl.Float64, "value": pl.Float64,
        "roi": pl.Float64})
    tables["sensitivity"] = table_of("sensitivity", "Sensitivity grid", sens, [
        ("exposure_rate", "Exposure rate", "pct"), ("benchmark_cpm", "Benchmark CPM", "money"),
        ("impressions", "Impressions", "int"), ("value", "Value", "money"), ("roi", "ROI", "signed_pct")],
        in_document=False)
    trend = pl.DataFrame([t.model_dump() for t in sv.trend], schema={
        "session_id": pl.String, "number": pl.Int64, "sponsor_mentions": pl.Int64, "share_of_voice": pl.Float64,
        "engaged_participants": pl.Int64, "sponsor_posts": pl.Int64, "estimated_impressions_mid": pl.Float64,
        "sponsor_impressions_mid": pl.Float64, "cost": pl.Float64, "value_mid": pl.Float64, "roi_mid": pl.Float64})
    tables["trend"] = table_of("trend", "Trend over the sponsored sessions", trend, [
        ("session_id", "Session", "code"), ("sponsor_mentions", "Mentions", "int"),
        ("share_of_voice", "Share of voice", "pct"), ("engaged_participants", "Engaged", "int"),
        ("sponsor_posts", "Own posts", "int"), ("estimated_impressions_mid", "Impressions (mid)", "int"),
        ("cost", "Cost", "money"), ("value_mid", "Value (mid)", "money"), ("roi_mid", "ROI (mid)", "signed_pct")],
        in_document=False)
    tables["reach"] = table_of("reach", "Reach per session", reach, description=(
        f"Basis: {sv.reach_basis}. Potential impressions = {how['potential_impressions']}; unique reach = "
        f"{how['unique_reach']}; each row's assumption says which basis that session stands on."), columns=[
        ("session_id", "Session", "code"), ("reach_basis", "Basis", "text"), ("messages", "Messages", "int"),
        ("originals", "Originals", "int"), ("authors", "Authors", "int"),
        ("potential_impressions", "Potential impressions", "int"), ("unique_reach", "Unique reach", "int"),
        ("views", "Views", "int"), ("measured_impressions", "Measured impressions", "int"),
        ("exposure_base", "Exposure base", "int"), ("impressions_low", "Impressions low", "int"),
        ("impressions_mid", "Impressions mid", "int"), ("impressions_high", "Impressions high", "int"),
        ("views_coverage", "View-count coverage", "pct"), ("followers_coverage", "Follower-count coverage", "pct"),
        ("basis_note", "Assumption", "text")], in_document=False)
    tables["exposure"] = table_of("exposure", "Sponsor exposure per session", exposure, [
        (col, col.replace("_", " ").capitalize(), "pct" if col == "share_of_voice" else
         ("code" if col == "session_id" else ("text" if col == "reach_basis" else "int")))
        for col in exposure.columns if col != "sponsor"], in_document=False)

    session_rows = (
        exposure.select("session_id", "messages", "originals", "mentions", "related_originals", "sponsor_posts",
                        "engagement_in_data", "engaged_participants")
        .join(reach.select("session_id", "potential_impressions", "measured_impressions", "exposure_base",
                           "impressions_mid"), on="session_id", how="left")
        .join(trend.select("session_id", "sponsor_impressions_mid", "cost", "value_mid", "roi_mid"), on="session_id",
              how="left")
        .join(ctx.session_table.select("session_id", "number"), on="session_id", how="left")
        .sort("number")
        .drop("number")
    )
    tables["sessions"] = table_of("sessions", "Per-session figures (they add up to the totals)", session_rows, [
        ("session_id", "Session", "code"), ("messages", "Messages", "int"), ("originals", "Originals", "int"),
        ("mentions", "Mentions", "int"), ("related_originals", "By/about sponsor (originals)", "int"),
        ("sponsor_posts", "Own posts", "int"), ("engagement_in_data", "Replies/reposts/quotes", "int"),
        ("engaged_participants", "Engaged", "int"), ("potential_impressions", "Potential impressions", "int"),
        ("impressions_mid", "Whole-chat impressions (mid; upper bound)", "int"),
        ("sponsor_impressions_mid", "Impressions by/about sponsor (mid)", "int"), ("cost", "Cost", "money"),
        ("value_mid", "Value (mid)", "money"), ("roi_mid", "ROI (mid)", "signed_pct")],
        totals={"messages": sv.messages, "originals": sv.originals, "mentions": sv.mentions,
                "related_originals": recount["related_originals"], "sponsor_posts": sv.sponsor_posts,
                "engagement_in_data": sv.engagement_in_data, "engaged_participants": sv.engaged_participants,
                "potential_impressions": sv.chat_potential_impressions, "impressions_mid": sv.chat_impressions.mid,
                "sponsor_impressions_mid": sv.impressions.mid,
                "cost": sv.cost, "value_mid": sv.value.mid, "roi_mid": sv.roi.mid},
        description="Every sponsored session in the report; the Total row is the report's figure (ROI over the "
                    "whole range, not a sum).")

    handles = " or ".join([f"@{h}" for h in sv.handles] + [f"#{t}" for t in sv.hashtags]) or "(no handles)"
    trace_rows: list[dict[str, Any]] = []

    def trace(figure: str, value: float | None, display: str, how: str, messages: int | None, which: str,
              source: str, recount_value: float | None = None) -> None:
        trace_rows.append({"figure": figure, "value": None if value is None else float(value), "display": display,
                           "how": how, "messages": messages, "which_messages": which, "snapshot_source": source,
                           "recount_from_messages": None if recount_value is None else float(recount_value)})

    n_sel = plural(len(selected), "session")
    trace("Messages in the sponsored sessions", sv.messages, fmt_int(sv.messages), "count", counts["messages"],
          f"every message in the windows (pre-chat, chat, follow-up) of {n_sel}, spam excluded",
          "sponsor_exposure.messages", counts["messages"])
    trace("Original messages", sv.originals, fmt_int(sv.originals), "count (reposts excluded)", counts["originals"],
          "messages that are not reposts", "sponsor_exposure.originals", counts["originals"])
    trace("Mentions", sv.mentions, fmt_int(sv.mentions), "count", recount["mentions"],
          f"messages by others naming {handles}", "sponsor_exposure.mentions", recount["mentions"])
    trace("People who mentioned the sponsor", sv.mentioning_people, fmt_int(sv.mentioning_people),
          "distinct authors of the mentions, per session, summed", recount["mentions"],
          "the mentions above", "sponsor_exposure.mentioning_people", recount["mentioning_people"])
    trace("Original messages by or about the sponsor", recount["related_originals"],
          fmt_int(recount["related_originals"]), "count", recount["related_originals"],
          "originals by the sponsor, mentioning it, or replying to / quoting it", "sponsor_exposure.related_originals",
          int(exposure["related_originals"].sum()) if exposure.height else None)
    trace("Share of voice", sv.share_of_voice, fmt_pct(sv.share_of_voice),
          f"{fmt_int(recount['related_originals'])} ÷ {fmt_int(sv.originals)}", counts["originals"],
          "original messages", "SponsorValue.share_of_voice",
          recount["related_originals"] / counts["originals"] if counts["originals"] else None)
    trace("The sponsor's own posts", sv.sponsor_posts, fmt_int(sv.sponsor_posts), "count", recount["sponsor_posts"],
          "original messages by the sponsor's accounts", "sponsor_exposure.sponsor_posts", recount["sponsor_posts"])
    trace("Replies, reposts and quotes of the sponsor", sv.engagement_in_data, fmt_int(sv.engagement_in_data),
          f"{recount['replies']} + {recount['reposts']} + {recount['quotes']}",
          recount["replies"] + recount["reposts"] + recount["quotes"],
          "messages by others replying to, reposting or quoting a sponsor account",
          "sponsor_exposure.engagement_in_data", recount["replies"] + recount["reposts"] + recount["quotes"])
    trace("Engaged participants", sv.engaged_participants, fmt_int(sv.engaged_participants),
          "distinct authors of engaging messages, per session, summed", recount["engaging"],
          "messages by others that mention, reply to, repost or quote the sponsor",
          "sponsor_exposure.engaged_participants", recount["engaged_participants"])
    basis_messages = counts["messages"] if sv.reach_basis == "members" else counts["with_followers"]
    trace("Potential impressions (whole chat)", sv.chat_potential_impressions,
          fmt_int(sv.chat_potential_impressions), how["potential_impressions"], basis_messages,
          "every message (audience_members × messages)" if sv.reach_basis == "members"
          else "messages whose author's follower count is known", "reach.potential_impressions",
          reach["potential_impressions"].sum() if reach.height else None)
    trace("Impressions by or about the sponsor" + ("" if sv.impressions_measured else " (mid)"), sv.impressions.mid,
          fmt_int(sv.impressions.mid), "measured views" if sv.impressions_measured
          else f"measured views + {fmt_pct(rates.mid)} × exposure base", recount["related"],
          "the messages by or about the sponsor", "sponsor_exposure.related_impressions_mid",
          exposure["related_impressions_mid"].sum() if exposure.height
          and exposure["related_impressions_mid"].null_count() == 0 else None)
    trace("Cost", sv.cost, money(sv.cost), f"({money(sponsor.costs.fee)} + {fmt_num(sponsor.costs.staff_hours)} × "
          f"{money(sponsor.costs.hourly_rate)} + {money(sponsor.costs.other)}) × {c.multiplier}", None,
          "(not from messages: the chat config)", "SponsorValue.costs")
    trace("Value (mid)", sv.value.mid, money(sv.value.mid),
          f"{fmt_int(sv.impressions.mid)} ÷ 1,000 × {money(sv.benchmark_cpm)}", recount["related"],
          "the messages by or about the sponsor", "SponsorValue.value.mid")
    trace("CPM (mid)", sv.cpm.mid, money(sv.cpm.mid), f"{money(sv.cost)} ÷ {fmt_int(sv.impressions.mid)} × 1,000",
          recount["related"], "the messages by or about the sponsor", "SponsorValue.cpm.mid")
    trace("ROI (mid)", sv.roi.mid, fmt_roi(sv.roi.mid),
          f"({money(sv.value.mid)} − {money(sv.cost)}) ÷ {money(sv.cost)}", recount["related"],
          "the messages by or about the sponsor", "SponsorValue.roi.mid")
    trace("Cost per mention", sv.cost_per_mention, money(sv.cost_per_mention),
          f"{money(sv.cost)} ÷ {fmt_int(sv.mentions)}", recount["mentions"], "the mentions",
          "SponsorValue.cost_per_mention")
    trace("Cost per engaged participant", sv.cost_per_engaged_participant, money(sv.cost_per_engaged_participant),
          f"{money(sv.cost)} ÷ {fmt_int(sv.engaged_participants)}", recount["engaging"], "the engaging messages",
          "SponsorValue.cost_per_engaged_participant")
    trace_frame = pl.DataFrame(trace_rows, schema={
        "figure": pl.String, "value": pl.Float64, "display": pl.String, "how": pl.String, "messages": pl.Int64,
        "which_messages": pl.String, "snapshot_source": pl.String, "recount_from_messages": pl.Float64})
    tables["trace"] = table_of("trace", "From messages to figures", trace_frame, [
        ("figure", "Figure", "text"), ("value", "Value (raw)", "num", "data"), ("display", "Value", "shown"),
        ("how", "How", "text"),
        ("messages", "Messages", "int"), ("which_messages", "Which messages", "text"),
        ("snapshot_source", "Snapshot source", "code"), ("recount_from_messages", "Recount from messages", "num")],
        description="Each main figure, how it is computed, and the number of messages behind it. 'Recount from "
                    "messages' counts the snapshot's message table again; the 'evidence' table of the XLSX/CSV "
                    "export lists every message counted.")

    ev = evidence
    if ctx.pseudo is not None:
        # with text, links that do not name the author (x.com/i/status/<id>); without text, no links at all
        link = pl.lit(None, dtype=pl.String)
        if ctx.include_text:
            link = (pl.when(pl.col("platform") == "twitter")
                    .then(pl.format("https://x.com/i/status/{}", "message_id"))
                    .otherwise(pl.lit(None, dtype=pl.String)))
        ev = ev.with_columns(author_handle=ctx.pseudo.column(ev, "author_handle"), url=link,
                             message_id=ctx.pseudo.message_ids(ev))
        if ctx.include_text:
            ev = ev.with_columns(text=ctx.pseudo.texts(ev, "text"))
    evidence_columns = [
        ("message_id", "Message id", "code"), ("session_id", "Session", "code"), ("phase", "Phase", "text"),
        ("created_at", "Time (UTC)", "text"), ("author_handle", "Author", "code"), ("kind", "Kind", "text"),
        ("original", "Original", "text"), ("sp_by", "By the sponsor", "text"), ("sp_mention", "Mention", "text"),
        ("sp_reply", "Reply to sponsor", "text"), ("sp_repost", "Repost of sponsor", "text"),
        ("sp_quote", "Quote of sponsor", "text"), ("sp_engages", "Engages", "text"),
        ("sp_link", "Links to its domains", "text"), ("sp_announce", "A moderator names it", "text"),
        ("author_followers", "Author followers", "int"), ("view_count", "Views", "int"), ("url", "Link", "url")]
    if ctx.include_text:
        evidence_columns.append(("text", "Text", "text"))
    renamed = {"sp_by": "by_sponsor", "sp_mention": "mention", "sp_reply": "reply_to_sponsor",
               "sp_repost": "repost_of_sponsor", "sp_quote": "quote_of_sponsor", "sp_engages": "engages",
               "sp_link": "links_to_sponsor", "sp_announce": "moderator_names_sponsor"}
    ev = ev.rename(renamed)
    evidence_columns = [(renamed.get(k, k), label, kind) for k, label, kind in evidence_columns]
    tables["evidence"] = table_of("evidence", "Messages by or about the sponsor", ev, evidence_columns,
                                  description="Every message counted for the sponsor, with the rule it matched.",
                                  in_document=False)

    # --- figures (the shared builders; handles never reach them, so anonymized charts hold none)
    figures = {
        "roi": roi_range_chart(sv, currency=CURRENCY),
        "sensitivity": sensitivity_chart(sv, currency=CURRENCY),
        "audience_mix": audience_mix_chart(mix_sessions),
        "trend": sponsor_trend_chart(sv),
        "costs": cost_breakdown_chart(sv, currency=CURRENCY),
        "reach": reach_trend(reach, title="Estimated impressions per sponsored session"),
    }

    reasons = ctx.texts(sv.reasons)
    assumptions = ctx.texts([*sv.assumptions, *range_notes])
    notes = ctx.texts(snap.meta.get("notes", []))
    unavailable_lines = [f"{k.replace('_', ' ')}: {ctx.text(v)}" for k, v in sv.unavailable.items()]
    formulas, formula_table = methodology_table("sponsor")
    tables["methodology"] = formula_table
    tables["assumptions"] = lines_table("assumptions", "Assumptions", assumptions, "assumption")
    tables["verdict"] = lines_table("verdict", "Verdict and reasons", [f"Verdict: {VERDICT_LABELS[sv.verdict]}",
                                                                       *reasons], "reason")
    if unavailable_lines:
        tables["unavailable"] = lines_table("unavailable", "Figures left out, and why", unavailable_lines,
                                            "reason")

    summary = ctx.text(_sponsor_summary(sv, title, period, subset_note)) or ""
    roi_range = range_text(sv.roi, fmt_roi, sv.impressions_measured)
    roi_words = (f"ROI {fmt_roi(sv.roi.mid)}" + (f" ({roi_range})" if roi_range else "")
                 if sv.roi.mid is not None else "ROI not available")
    verdict_line = ctx.text(f"{roi_words}; {objectives_line(sv.objectives)}.") or ""
    objective_line = ("No sponsor objectives are configured." if not sv.objectives else
                      f"{sum(1 for o in sv.objectives if o.met)} of {len(sv.objectives)} objectives met, on the mean "
                      "over the sponsored sessions.")
    sections = (
        Section("summary", "Executive summary", paragraphs=(summary,), bullets=reasons),
        Section("objectives", "KPIs against the sponsor's objectives", paragraphs=(objective_line,),
                tables=("objectives",)),
        Section("reach", "Reach", paragraphs=(reach_note, f"Exposure rates: {fmt_pct(rates.low)} low, "
                                              f"{fmt_pct(rates.mid)} mid, {fmt_pct(rates.high)} high: the share of "
                                              "potential impressions really seen."),
                facts=reach_facts, figures=("reach",)),
        Section("exposure", "Sponsor exposure", paragraphs=(
            "How often the sponsor was named, how much of the conversation was by or about it, and the engagement "
            "on its own posts.",), facts=exposure_facts),
        Section("audience", "Audience mix", paragraphs=(
            "The roles of the people who engaged with the sponsor (mentioned, replied to, reposted or quoted it).",),
                figures=("audience_mix",), tables=("audience_mix",)),
        Section("messages", "Best messages about the sponsor", tables=("top_messages",)),
        Section("costs", "Cost breakdown", facts=cost_facts, figures=("costs",), tables=("costs",)),
        Section("efficiency", "CPM, cost per engaged participant and cost per mention", facts=efficiency_facts),
        Section("roi", "ROI and break-even", paragraphs=(ctx.text(sv.value_basis_note) or "",), facts=roi_facts,
                figures=("roi",), tables=("roi",)),
        Section("sensitivity", "Sensitivity", paragraphs=((
            "ROI against the benchmark CPM (what 1,000 advertising impressions would otherwise cost). The "
            "impressions are measured views, so no exposure rate is assumed and only the CPM varies."
            if sv.impressions_measured else
            "ROI against the exposure rate (share of potential impressions really seen) and the benchmark CPM "
            "(what 1,000 advertising impressions would otherwise cost)."),), figures=("sensitivity",)),
        Section("trend", "Trend over the sponsored sessions", paragraphs=(
            "Mentions, engaged people, the sponsor's own posts and the share of voice in each sponsored session. "
            "The per-session figures in the table add up to the totals of this report.",), figures=("trend",),
                tables=("sessions",)),
        Section("trace", "From messages to figures", tables=("trace",), appendix=True),
        Section("methodology", "Methodology", paragraphs=(
            "Every formula of this report, its source, and the assumptions it rests on. Figures that cannot be "
            "computed from the data are left out with the reason, never shown as zero.",),
                tables=("methodology",), bullets=(*assumptions, *unavailable_lines, *notes), appendix=True),
    )
    return assemble_model(snap, meta, ctx, audience="sponsor", title=title, subject=sv.sponsor, sponsor_key=key,
                          selected=selected, all_sessions=sponsored, period=period, value=sv, verdict_line=verdict_line,
                          reasons=reasons, summary=summary, headline=headline, sections=sections, tables=tables,
                          figures=figures, formulas=formulas, assumptions=assumptions, notes=notes)
