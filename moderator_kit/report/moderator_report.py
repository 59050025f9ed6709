"""The moderators' value report: the hours invested against the community's outcomes (participants, newcomers,
returning share, herding), the moderators' centrality, and its sections and charts.
"""

from __future__ import annotations

import polars as pl

from moderator_kit.figures.trends import herding_trend, participants_trend, reach_trend
from moderator_kit.formats import fmt_int, fmt_num, fmt_pct
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
from moderator_kit.report.context import ReportContext, resolve_sessions, scan_table, snapshot_table
from moderator_kit.report.elements import ReportModel, ReportTable, Section
from moderator_kit.report.formulas import methodology_table
from moderator_kit.value import ModeratorValue, moderator_value
from moderator_kit.value.headline import VERDICT_LABELS

__all__ = ["build_moderator_model"]


def _moderator_summary(ctx: ReportContext, mv: ModeratorValue, title: str, period: str) -> str:
    o = mv.outcomes
    who = ", ".join(f"@{ctx.handle(h)}" for h in mv.moderators) or "The moderators"
    cost = f" (worth {money(mv.cost)})" if mv.cost is not None else ""
    parts = [f"{who} invested an estimated {fmt_num(mv.hours_invested)} hours{cost} in {title} over {period}."]
    if o.active_participants_mean is not None:
        growth = ""
        if o.active_participants_first is not None and mv.sessions_count > 1:
            growth = (f", from {fmt_num(o.active_participants_first)} in the first session to "
                      f"{fmt_num(o.active_participants_last)} in the last (trend {o.active_trend or 'n/a'})")
        parts.append(f"The sessions drew {fmt_num(o.active_participants_mean)} active participants on average"
                     f"{growth}.")
    if o.new_participants_total is not None:
        parts.append(f"{fmt_int(o.new_participants_total)} new participants joined"
                     + (f", and {fmt_pct(o.returning_share_mean, 0)} of active participants were returning ones on "
                        "average" if o.returning_share_mean is not None else "") + ".")
    if o.herding_score_mean is not None:
        parts.append(f"The conversation followed the agenda with a mean herding score of "
                     f"{fmt_num(o.herding_score_mean)} out of 100.")
    if o.participants_per_hour is not None:
        parts.append(f"That is {fmt_num(o.participants_per_hour)} participant-sessions per hour invested.")
    if mv.objectives:
        met = sum(1 for x in mv.objectives if x.met)
        parts.append(f"{met} of {len(mv.objectives)} objectives were met.")
    parts.append(f"Verdict: {VERDICT_LABELS[mv.verdict].lower()}.")
    return " ".join(parts)


def build_moderator_model(ctx: ReportContext) -> ReportModel:
    """The report model of the moderators over the sessions of the context."""
    snap, meta = ctx.snapshot, ctx.snapshot.meta
    selected = ctx.sessions
    all_ids = resolve_sessions(snap, None)
    kpis = snapshot_table(snap, "kpis").filter(pl.col("session_id").is_in(selected)).sort("number")
    moderators = list(meta.get("moderators") or ctx.config.moderators)
    if selected == all_ids and meta.get("moderator_value"):
        mv = ModeratorValue.model_validate(meta["moderator_value"])
        range_notes: list[str] = []
    else:
        nodes = snapshot_table(snap, "nodes")
        nodes = nodes.filter(pl.col("session_id").is_in(selected)) if nodes.height else None
        mv = moderator_value(kpis, ctx.config, moderators, nodes)
        range_notes = [f"This report covers {len(selected)} of the {len(all_ids)} sessions; its figures are "
                       "recomputed from the snapshot's per-session KPIs for those sessions."]
    title = meta.get("title") or snap.chat
    period = ctx.period(selected)
    o = mv.outcomes

    hour_facts = (
        fact("sessions", "Sessions", mv.sessions_count),
        fact("hours_per_session", "Hours per session", mv.hours_per_session, fmt=fmt_num,
             note="moderator_effort.hours_per_session: preparation, the chat and the follow-up."),
        fact("hours_invested", "Hours invested", mv.hours_invested, fmt=fmt_num),
        fact("hourly_rate", "Hourly rate", mv.hourly_rate, fmt=money, note=mv.unavailable.get("cost", "")),
        fact("cost", "Cost of the hours", mv.cost, fmt=money, note=mv.unavailable.get("cost", "")),
    )
    outcome_facts = (
        fact("active_participants_mean", "Active participants per session (mean)", o.active_participants_mean,
             fmt=fmt_num, note=mv.unavailable.get("active_participants", "")),
        fact("active_participants_first", "…in the first session", o.active_participants_first, fmt=fmt_num),
        fact("active_participants_last", "…in the last session", o.active_participants_last, fmt=fmt_num),
        fact("active_growth", "Growth (last − first)", o.active_growth, fmt=fmt_num,
             note=f"Trend: {o.active_trend or 'n/a'}."),
        fact("active_participants_total", "Participant-sessions", o.active_participants_total, fmt=fmt_int),
        fact("new_participants_total", "New participants", o.new_participants_total, fmt=fmt_int,
             note=mv.unavailable.get("new_participants", "")),
        fact("returning_share_mean", "Returning share (mean)", o.returning_share_mean, fmt=fmt_pct,
             note=f"Trend: {o.returning_share_trend or 'n/a'}."),
        fact("herding_score_mean", "Herding score (mean, 0-100)", o.herding_score_mean, fmt=fmt_num),
        fact("participants_per_hour", "Participant-sessions per hour", o.participants_per_hour, fmt=fmt_num,
             note=mv.unavailable.get("per_hour", "")),
        fact("new_participants_per_hour", "New participants per hour", o.new_participants_per_hour, fmt=fmt_num),
        fact("cost_per_participant_session", "Cost per participant-session", o.cost_per_participant_session,
             fmt=money),
        fact("cost_per_new_participant", "Cost per new participant", o.cost_per_new_participant, fmt=money),
    )
    headline = (
        fact("hours_invested", "Hours invested", mv.hours_invested, fmt=fmt_num),
        fact("active_participants_mean", "Active participants / session", o.active_participants_mean, fmt=fmt_num),
        fact("new_participants_total", "New participants", o.new_participants_total, fmt=fmt_int),
        fact("returning_share_mean", "Returning share", o.returning_share_mean, fmt=fmt_pct),
        fact("herding_score_mean", "Herding score", o.herding_score_mean, fmt=fmt_num),
        fact("participants_per_hour", "Participant-sessions / hour", o.participants_per_hour, fmt=fmt_num),
        fact("cost", "Cost of the hours", mv.cost, fmt=money),
        objectives_fact(mv.objectives),
    )

    tables: dict[str, ReportTable] = {"objectives": objective_table(mv.objectives, ctx.text)}
    centrality = pl.DataFrame([c.model_dump() for c in mv.centrality], schema={
        "handle": pl.String, "sessions": pl.Int64, "participants_mean": pl.Float64, "pagerank_mean": pl.Float64,
        "pagerank_rank_mean": pl.Float64, "betweenness_mean": pl.Float64, "betweenness_rank_mean": pl.Float64})
    if ctx.pseudo is not None and centrality.height:
        centrality = centrality.with_columns(ctx.pseudo.column(centrality, "handle"))
    tables["centrality"] = table_of("centrality", "The moderators' place in the conversation", centrality, [
        ("handle", "Moderator", "code"), ("sessions", "Sessions", "int"),
        ("participants_mean", "People in the graph (mean)", "num"), ("pagerank_mean", "PageRank (mean)", "num"),
        ("pagerank_rank_mean", "PageRank rank (mean)", "num"), ("betweenness_mean", "Betweenness (mean)", "num"),
        ("betweenness_rank_mean", "Betweenness rank (mean)", "num")],
        description="Rank 1 is the most central person of a session's interaction graph.")
    engagement = snapshot_table(snap, "engagement").filter(pl.col("session_id").is_in(selected))
    per_session = (
        kpis.select("session_id", "number", *[c for c in ("active_participants", "new_participants",
                                                          "returning_participants", "returning_share",
                                                          "herding_score", "on_agenda_share") if c in kpis.columns])
        .join(engagement.select("session_id", "messages", "originals"), on="session_id", how="left")
        .with_columns(hours=pl.lit(mv.hours_per_session))
        .sort("number")
    )
    recount = (
        scan_table(snap, "messages")
        .filter(pl.col("session_id").is_in(selected) & (pl.col("phase") == "chat") & (pl.col("kind") != "repost"))
        .group_by("session_id").agg(active=pl.col("author_handle").n_unique(), originals=pl.len())
        .collect()
    )
    tables["sessions"] = table_of("sessions", "Per-session outcomes (they add up to the totals)", per_session, [
        ("session_id", "Session", "code"), ("messages", "Messages (chat)", "int"),
        ("originals", "Originals (chat)", "int"), ("active_participants", "Active", "int"),
        ("new_participants", "New", "int"), ("returning_participants", "Returning", "int"),
        ("returning_share", "Returning share", "pct"), ("herding_score", "Herding score", "num"),
        ("on_agenda_share", "On agenda", "pct"), ("hours", "Hours", "num")],
        totals={"active_participants": o.active_participants_total, "new_participants": o.new_participants_total,
                "returning_share": o.returning_share_mean, "herding_score": o.herding_score_mean,
                "hours": mv.hours_invested,
                "messages": engagement["messages"].sum() if engagement.height else None,
                "originals": engagement["originals"].sum() if engagement.height else None},
        description="The Total row is the report's figure (a mean for the shares and the herding score).")
    trace_frame = pl.DataFrame([
        {"figure": "Hours invested", "value": mv.hours_invested, "display": fmt_num(mv.hours_invested),
         "how": f"{mv.sessions_count} sessions × {fmt_num(mv.hours_per_session)} h", "messages": None,
         "which_messages": "(not from messages: the chat config)", "snapshot_source": "ModeratorValue.hours_invested",
         "recount_from_messages": None},
        {"figure": "Participant-sessions", "value": o.active_participants_total,
         "display": fmt_int(o.active_participants_total),
         "how": "distinct authors of original chat-phase messages, per session, summed",
         "messages": int(recount["originals"].sum()) if recount.height else 0,
         "which_messages": "original (non-repost) messages of the chat phase",
         "snapshot_source": "kpis.active_participants",
         "recount_from_messages": float(recount["active"].sum()) if recount.height else 0.0},
        {"figure": "Active participants per session (mean)", "value": o.active_participants_mean,
         "display": fmt_num(o.active_participants_mean),
         "how": f"{fmt_int(o.active_participants_total)} ÷ {mv.sessions_count}",
         "messages": int(recount["originals"].sum()) if recount.height else 0,
         "which_messages": "original messages of the chat phase", "snapshot_source": "kpis.active_participants",
         "recount_from_messages": float(recount["active"].mean()) if recount.height else None},
        {"figure": "New participants", "value": o.new_participants_total, "display": fmt_int(o.new_participants_total),
         "how": "people whose first active session in the archive is one of these", "messages": None,
         "which_messages": "original messages of the chat and follow-up phases (all sessions, for the history)",
         "snapshot_source": "kpis.new_participants", "recount_from_messages": None},
        {"figure": "Participant-sessions per hour", "value": o.participants_per_hour,
         "display": fmt_num(o.participants_per_hour),
         "how": f"{fmt_int(o.active_participants_total)} ÷ {fmt_num(mv.hours_invested)} h", "messages": None,
         "which_messages": "as above", "snapshot_source": "ModeratorValue.outcomes.participants_per_hour",
         "recount_from_messages": None},
    ], schema={"figure": pl.String, "value": pl.Float64, "display": pl.String, "how": pl.String, "messages": pl.Int64,
               "which_messages": pl.String, "snapshot_source": pl.String, "recount_from_messages": pl.Float64})
    tables["trace"] = table_of("trace", "From messages to figures", trace_frame, [
        ("figure", "Figure", "text"), ("value", "Value (raw)", "num", "data"), ("display", "Value", "shown"),
        ("how", "How", "text"),
        ("messages", "Messages", "int"), ("which_messages", "Which messages", "text"),
        ("snapshot_source", "Snapshot source", "code"), ("recount_from_messages", "Recount from messages", "num")],
        description="The main figures, how they are computed, and the messages behind them.")

    retention = snapshot_table(snap, "retention").filter(pl.col("session_id").is_in(selected))
    flow = snapshot_table(snap, "session_flow").filter(pl.col("session_id").is_in(selected))
    reach = snapshot_table(snap, "reach").filter(pl.col("session_id").is_in(selected))
    figures = {
        "participants": participants_trend(engagement, retention),
        "herding": herding_trend(flow),
        "reach": reach_trend(reach),
    }
    reasons = ctx.texts(mv.reasons)
    assumptions = ctx.texts([*mv.assumptions, *range_notes])
    notes = ctx.texts(meta.get("notes", []))
    unavailable_lines = [f"{k.replace('_', ' ')}: {ctx.text(v)}" for k, v in mv.unavailable.items()]
    formulas, formula_table = methodology_table("moderator")
    tables["methodology"] = formula_table
    tables["assumptions"] = lines_table("assumptions", "Assumptions", assumptions, "assumption")
    tables["verdict"] = lines_table("verdict", "Verdict and reasons",
                                    [f"Verdict: {VERDICT_LABELS[mv.verdict]}", *reasons], "reason")
    summary = ctx.text(_moderator_summary(ctx, mv, title, period)) or ""
    verdict_line = ctx.text(f"{fmt_num(o.participants_per_hour)} participant-sessions per hour invested; "
                            f"{objectives_line(mv.objectives)}.") or ""
    objective_line = ("No moderator or community objectives are configured." if not mv.objectives else
                      f"{sum(1 for x in mv.objectives if x.met)} of {len(mv.objectives)} objectives met, on the "
                      "mean over the sessions.")
    sections = (
        Section("summary", "Executive summary", paragraphs=(summary,), bullets=reasons),
        Section("hours", "Hours invested", facts=hour_facts),
        Section("outcomes", "Community outcomes", facts=outcome_facts, figures=("participants", "herding")),
        Section("objectives", "KPIs against the objectives", paragraphs=(objective_line,), tables=("objectives",)),
        Section("centrality", "The moderators' centrality", tables=("centrality",),
                paragraphs=(ctx.text(mv.unavailable.get("centrality", "")) or
                            "Mean PageRank and betweenness of each moderator in the sessions' interaction graphs.",)),
        Section("reach", "Reach of the chat", figures=("reach",)),
        Section("trend", "Session by session", tables=("sessions",)),
        Section("trace", "From messages to figures", tables=("trace",), appendix=True),
        Section("methodology", "Methodology", paragraphs=(
            "Every formula of this report, its source, and the assumptions it rests on.",),
                tables=("methodology",), bullets=(*assumptions, *unavailable_lines, *notes), appendix=True),
    )
    subject = ", ".join(f"@{ctx.handle(h)}" for h in mv.moderators) or "the moderators"
    return assemble_model(snap, meta, ctx, audience="moderator", title=title, subject=subject, sponsor_key=None,
                          selected=selected, all_sessions=all_ids, period=period, value=mv, verdict_line=verdict_line,
                          reasons=reasons, summary=summary, headline=headline, sections=sections, tables=tables,
                          figures=figures, formulas=formulas, assumptions=assumptions, notes=notes)
