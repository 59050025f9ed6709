"""Run the whole analysis of a chat once and write it as a snapshot (Parquet tables + JSON).

The pipeline (each step a pure function of the modules named)::

    messages ─ sessions.split_with ─ people.apply_spam_rules ─ flow (questions, assignment, herding, minutes)
             ─ engagement ─ graph (per session and cumulative: nodes, edges, metrics, shape, layout)
             ─ people (signals, roles, perspective, retention, follow-up, to-do, pay-it-forward)
             ─ value (reach, sponsors, moderator) ─ objectives

The dashboard and the reports read the snapshot (:class:`moderator_kit.snapshot_store.Snapshot`) and never
recompute. Every table is described in ``docs/snapshot.md``.

The chat is read in batches of sessions (:mod:`moderator_kit.partition`): the per-session steps run on one batch at
a time, and the chat-level tables (the cumulative graph, the history signals and roles, retention, ties) are built
from the sessions' results (:mod:`moderator_kit.analysis_steps`), so memory is bounded by the largest batch. The
snapshot does not depend on the batch size (docs/scale.md).

At scale (1M messages, ~2,000 sessions) the session graphs are measured together in one pass
(:func:`moderator_kit.graph.measure_groups`, equal to measuring each alone), the interactions are extracted once for
the graphs and the replay, and network layouts are computed for the cumulative graph and the latest
:data:`LAYOUT_SESSIONS` sessions only: :func:`session_layout` / :func:`nodes_with_layout` compute any other session's
layout on first view and cache it inside the snapshot folder. ``benchmarks/bench_analyze.py`` measures it.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import polars as pl

from moderator_kit import __version__
from moderator_kit.analysis_steps import ALL_SESSIONS, EDGES_PER_SESSION, ChatResults, concat, first_pass, \
    graph_tables, second_pass
from moderator_kit.config import ChatConfig, Objective, Sponsor, chat_config
from moderator_kit.engagement.entities import ranked_with_totals
from moderator_kit.flow import infer_moderators
from moderator_kit.partition import BATCH_MESSAGES, ChatPlan, plan_batches, read_batch
from moderator_kit.people import (
    apply_spam_rules,
    assign_roles,
    cohort_matrix,
    excluded_counts,
    first_timer_return,
    pay_it_forward,
    regular_survival,
    retention_by_session,
)
from moderator_kit.people.followup import continuing_ties_from_edges
from moderator_kit.people.history import history_from_sessions, participant_signals_from
from moderator_kit.people.sensitivity import role_sensitivity
from moderator_kit.people.signals import availability_from_counts
from moderator_kit.sessions import assign_sessions, no_sessions_hint
from moderator_kit.snapshot_store import Snapshot, scratch_folder, write_snapshot
from moderator_kit.value import evaluate_objectives, moderator_value, sponsor_kpis, sponsor_value
from moderator_kit.workspace import Workspace

__all__ = ["analyze_chat", "load_snapshot", "session_layout", "nodes_with_layout", "replay_steps", "network_at",
           "NetworkView", "objectives_for", "ALL_SESSIONS", "EDGES_PER_SESSION", "LAYOUT_SESSIONS", "sponsor_key"]

#: Sessions (the latest) whose network layout is computed at analysis time; the others on first view
#: (:func:`session_layout`, about 10 ms for a 100-person session). Laying out all 2,000 sessions of a big archive
#: would add 20 s to its analysis, and even 50 sessions would double the analysis of a small one.
LAYOUT_SESSIONS = 12
#: Folder inside the snapshot where :func:`session_layout` caches the layouts it computes.
LAYOUT_FOLDER = "layouts"

Progress = Callable[[str], None]


def sponsor_key(sponsor: Sponsor) -> str:
    """A stable key for a sponsor: its first handle, else its name lower-cased."""
    return sponsor.handles[0] if sponsor.handles else sponsor.name.strip().lower()


def _layout_file(snapshot: Snapshot, session_id: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", session_id)[:80]
    digest = hashlib.sha1(session_id.encode()).hexdigest()[:10]
    return snapshot.folder / LAYOUT_FOLDER / f"{safe}-{digest}.parquet"


def session_layout(snapshot: Snapshot, session_id: str) -> pl.DataFrame:
    """Node positions ``[handle, x, y]`` of one session's network (or of ``"all"``), computed once and cached.

    Analysis lays out the cumulative graph and the latest :data:`LAYOUT_SESSIONS` sessions (their ``x`` / ``y``
    are in the ``nodes`` table). For any other session the layout is computed here on first use, from the same
    inputs (the session's nodes and its stored strongest edges, :func:`layout_positions` with its seed), so it
    equals what analysis would have stored; it is cached in ``<snapshot>/layouts/`` and read from there afterwards.
    A new analysis replaces the snapshot folder, cache included. About 10 ms for a 100-person session.

    >>> import tempfile, polars as pl
    >>> from pathlib import Path
    >>> from moderator_kit.snapshot_store import write_snapshot
    >>> folder = Path(tempfile.mkdtemp()) / "chat=demo"
    >>> nodes = pl.DataFrame({"handle": ["ann", "bob"], "x": [None, None], "y": [None, None],
    ...                       "session_id": ["s1", "s1"]}, schema_overrides={"x": pl.Float64, "y": pl.Float64})
    >>> edges = pl.DataFrame({"source": ["ann"], "target": ["bob"], "weight": [1], "session_id": ["s1"]})
    >>> write_snapshot(folder, {"nodes": nodes, "edges": edges}, {"chat": "demo"})
    >>> snap = Snapshot(folder)
    >>> first = session_layout(snap, "s1")
    >>> first["handle"].to_list(), first.equals(session_layout(Snapshot(folder), "s1"))
    (['ann', 'bob'], True)
    """
    from moderator_kit.figures.network import layout_positions

    nodes = snapshot.table("nodes").filter(pl.col("session_id") == session_id)
    if nodes.height and "x" in nodes.columns and nodes["x"].null_count() == 0:
        return nodes.select("handle", "x", "y").sort("handle")
    cached = _layout_file(snapshot, session_id)
    if cached.exists():
        try:
            return pl.read_parquet(cached)
        except (OSError, pl.exceptions.PolarsError):
            pass  # a damaged cache file is recomputed below
    edges = snapshot.table("edges").filter(pl.col("session_id") == session_id)
    positions = layout_positions(nodes.select("handle"), edges)
    staging = cached.with_name(f".{cached.name}.{uuid.uuid4().hex}.tmp")  # concurrent callers never share it
    try:
        cached.parent.mkdir(exist_ok=True)
        positions.write_parquet(staging)
        staging.replace(cached)
    except OSError:  # a read-only snapshot still gets its layout, just not cached
        with contextlib.suppress(OSError):
            staging.unlink(missing_ok=True)
    return positions


def nodes_with_layout(snapshot: Snapshot, session_id: str) -> pl.DataFrame:
    """The ``nodes`` rows of one session (or ``"all"``) with ``x`` / ``y`` filled in by :func:`session_layout`."""
    nodes = snapshot.table("nodes").filter(pl.col("session_id") == session_id)
    if nodes.height == 0 or ("x" in nodes.columns and nodes["x"].null_count() == 0):
        return nodes
    positions = session_layout(snapshot, session_id)
    columns = nodes.columns
    return nodes.drop("x", "y", strict=False).join(positions, on="handle", how="left").select(columns)


def _stored(snapshot: Snapshot, name: str, scope: str) -> pl.DataFrame:
    return snapshot.table_or_empty(name, [scope])


def replay_steps(snapshot: Snapshot, scope: str) -> pl.DataFrame:
    """The interactions of a session's chat phase (or, for ``"all"``, of every phase of every session: the
    cumulative graph's) in time order: the steps of the network replay. Their count is the number of
    *interactions* every network label of that graph refers to."""
    frame = snapshot.table("interactions") if "interactions" in snapshot.tables() else pl.DataFrame()
    if frame.height == 0:
        return frame
    if scope != ALL_SESSIONS:
        frame = frame.filter(pl.col("session_id") == scope)
        if "phase" in frame.columns:
            frame = frame.filter(pl.col("phase") == "chat")
    return frame.sort("created_at", "message_id", "source", "target", "type")


def _edges_of(steps: pl.DataFrame) -> pl.DataFrame:
    """Edges (source, target, weight and one count per type) of a run of interactions."""
    types = ("reply", "mention", "repost", "quote")
    if steps.height == 0:
        return pl.DataFrame(schema={"source": pl.String, "target": pl.String, "weight": pl.Int64,
                                    **{t: pl.Int64 for t in types}})
    return (steps.group_by("source", "target")
            .agg(weight=pl.len().cast(pl.Int64), **{t: (pl.col("type") == t).sum().cast(pl.Int64) for t in types}))


@dataclass(frozen=True)
class NetworkView:
    """What the network page draws for a graph at a replay step.

    ``nodes`` carry ``community_size``: the size of the person's community in the *whole* graph, so a community
    keeps its colour, and the people alone in theirs stay "no community", at every replay step. ``edges`` are the
    ties (pairs who interacted) with their interaction counts; ``shown`` of ``total`` interactions are included.
    """

    nodes: pl.DataFrame
    edges: pl.DataFrame
    shown: int
    total: int
    steps: pl.DataFrame

    @property
    def complete(self) -> bool:
        return self.shown >= self.total


def network_at(snapshot: Snapshot, scope: str, step: int | None = None) -> NetworkView:
    """The graph of a session (or ``"all"``) after its first ``step`` interactions (None or past the end: all).

    The full graph uses the stored strongest edges; a replay prefix aggregates the first ``step`` rows of
    :func:`replay_steps` (a few thousand rows at most per session, a few ms).
    """
    nodes = _stored(snapshot, "nodes", scope)
    if nodes.height:
        nodes = nodes_with_layout(snapshot, scope)
        if "community" in nodes.columns:
            nodes = nodes.with_columns(community_size=pl.len().over("community").cast(pl.Int64))
    steps = replay_steps(snapshot, scope)
    total = steps.height
    if step is None or step >= total:
        return NetworkView(nodes, _stored(snapshot, "edges", scope), total, total, steps)
    step = max(0, int(step))
    prefix = steps.head(step)
    people = pl.concat([prefix["source"], prefix["target"]]).unique() if step else pl.Series([], dtype=pl.String)
    shown_nodes = nodes.filter(pl.col("handle").is_in(people.implode())) if nodes.height else nodes
    return NetworkView(shown_nodes, _edges_of(prefix), step, total, steps)


def objectives_for(snapshot: Snapshot, session_ids: list[str]) -> pl.DataFrame:
    """Objectives met or missed over a selection of sessions.

    Every session: the snapshot's ``objectives`` table, as analysis wrote it. Fewer: the same targets evaluated on
    the selection's rows of the ``kpis`` table (:func:`moderator_kit.value.evaluate_objectives`, a mean over a few
    rows; nothing is re-analysed). Empty when the chat config sets no objectives.
    """
    table = snapshot.table("objectives") if "objectives" in snapshot.tables() else pl.DataFrame()
    if table.height == 0 or sorted(session_ids) == sorted(snapshot.session_ids()):
        return table
    objectives: dict[str, list[Objective]] = {}
    for row in table.iter_rows(named=True):
        objectives.setdefault(row["stakeholder"], []).append(
            Objective(metric=row["metric"], target=row["target"], direction=row["direction"], label=row["label"]))
    kpis = snapshot.table("kpis").filter(pl.col("session_id").is_in(list(session_ids)))
    return evaluate_objectives(objectives, kpis)


def _kpis(sessions: pl.DataFrame, engagement: pl.DataFrame, retention: pl.DataFrame, flow: pl.DataFrame,
          reach: pl.DataFrame, sponsor_rows: pl.DataFrame | None) -> pl.DataFrame:
    """One row per session with every KPI an objective can name (docs/metrics/value.md)."""
    kpis = (
        sessions.select("session_id", "number")
        .join(engagement.select("session_id", "messages", "active_participants", "pure_reposters", "reply_share",
                                "messages_per_active"), on="session_id", how="left")
        .join(retention.select("session_id", new_participants="new", returning_participants="returning",
                               returning_share="returning_share"), on="session_id", how="left")
        .join(flow.select("session_id", "herding_score", "on_agenda_share", "pace_adherence", "spillover_share"),
              on="session_id", how="left")
        .join(reach.select("session_id", "potential_impressions", "unique_reach",
                           estimated_impressions_low="impressions_low", estimated_impressions_mid="impressions_mid",
                           estimated_impressions_high="impressions_high"), on="session_id", how="left")
    )
    if sponsor_rows is not None and sponsor_rows.height:
        extra = [c for c in sponsor_rows.columns if c not in kpis.columns or c == "session_id"]
        kpis = kpis.join(sponsor_rows.select(extra), on="session_id", how="left")
    return kpis.sort("number")


def analyze_chat(workspace: Workspace | Path | str, chat: str, *, config: Path | str | ChatConfig | None = None,
                 progress: Progress | None = None, run_id: str | None = None,
                 batch_messages: int = BATCH_MESSAGES) -> Snapshot:
    """Analyze every session of a chat and write the snapshot into the workspace. Returns it, loaded.

    The chat is read in batches of sessions of about ``batch_messages`` messages (:mod:`moderator_kit.partition`):
    the per-session steps run on one batch at a time and the chat-level tables are built from the sessions' results
    (:mod:`moderator_kit.analysis_steps`), so memory is bounded by the largest batch, not the chat. The snapshot is
    the same whatever the batch size.

    ``run_id`` names the run that wrote the snapshot (``meta["run_id"]``): the engine of :mod:`moderator_kit.scale`
    checks it so that a retried task does not write a snapshot its first attempt already wrote.
    """
    say = progress or (lambda _message: None)
    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    chat = ws.require_chat(chat)
    cfg = config if isinstance(config, ChatConfig) else chat_config(ws, chat, config)

    say("sessions")
    plan = plan_batches(ws, chat, cfg, budget=batch_messages)
    sessions, choice = plan.sessions, plan.choice
    notes: list[str] = []
    if choice.origin in ("inferred", "detected"):
        notes.append(choice.describe(chat))
    if sessions.height == 0:
        notes.append(f"No sessions found: no messages fall inside the chat windows; {no_sessions_hint(chat)}.")

    # a chat without sessions still goes through the steps once, with no messages, for tables with their columns
    batches = plan.batches or [[]]

    def batch_messages_of(batch: list[str]) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
        tagged = (read_batch(ws, chat, sessions, batch) if batch
                  else assign_sessions(ws.messages(chat).head(0).collect(), sessions))
        kept, excluded = apply_spam_rules(tagged, cfg.spam)
        return kept, excluded, sessions.filter(pl.col("session_id").is_in(batch))

    moderators = list(cfg.moderators)
    moderators_inferred = False
    if not moderators:  # a session qualifies its Qn poster on its own: the union over batches is the chat's
        found: set[str] = set()
        for batch in batches:
            found.update(infer_moderators(batch_messages_of(batch)[0]))
        moderators = sorted(found)
        moderators_inferred = bool(moderators)
        if moderators:
            notes.append(f"Moderators inferred from who posts the Qn questions: {', '.join(moderators)}.")
    sponsor_keys = [sponsor_key(s) for s in cfg.sponsors]

    scratch = scratch_folder(ws.analysis_dir(chat))
    try:
        results = ChatResults(scratch, in_memory=len(batches) == 1)
        kept_columns: list[str] = []
        for number, batch in enumerate(batches, 1):
            say(f"sessions batch {number}/{len(batches)}: agenda flow, engagement, graph, people")
            kept, excluded, batch_sessions = batch_messages_of(batch)
            kept_columns = kept.columns
            first_pass(results, kept, excluded, batch_sessions, cfg, moderators, sponsor_keys)
            del kept, excluded
        tables = _chat_tables(results, plan, cfg, moderators, sponsor_keys, kept_columns, notes, say)
        say("writing snapshot")
        tables["messages"] = results.message_table()
        meta = {
            "chat": chat,
            "title": cfg.title or chat,
            "platforms": plan.platforms,
            "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "moderator_kit_version": __version__,
            "config": cfg.model_dump(mode="json"),
            "config_sha1": hashlib.sha1(cfg.model_dump_json().encode()).hexdigest(),
            "schedule_origin": choice.origin,  # sessions.ORIGINS: 'schedule', 'dates', 'inferred' or 'detected'
            "schedule": choice.schedule.model_dump(mode="json"),
            "weekly_slot": choice.slot.to_dict() if choice.slot else None,
            "moderators": moderators,
            "moderators_inferred": moderators_inferred,
            "messages": plan.messages,
            "session_messages": plan.session_messages,
            "excluded_messages": tables["excluded"].height,
            "shapes": tables.pop("_shapes"),
            "sponsors": tables.pop("_sponsor_values"),
            "moderator_value": tables.pop("_moderator_value"),
            "notes": notes,
            "run_id": run_id,
        }
        write_snapshot(ws.analysis_dir(chat), tables, meta)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return Snapshot(ws.analysis_dir(chat))


def _chat_tables(results: ChatResults, plan: ChatPlan, cfg: ChatConfig, moderators: list[str],
                 sponsor_keys: list[str], kept_columns: list[str], notes: list[str], say: Progress
                 ) -> dict[str, Any]:
    """Every snapshot table but the messages, from the sessions' results (and a second pass for the role-based
    ones). Also ``_shapes``, ``_sponsor_values`` and ``_moderator_value`` for the metadata."""
    sessions = plan.sessions
    excluded = concat(results.excluded)
    per_question = concat(results.questions)
    if per_question.height == 0:
        notes.append("No agenda questions: none configured and no moderator posts like 'Q1 …' were found, so "
                     "herding figures are unavailable. Only messages that tag an answer themselves (A1, A2 …), "
                     "and replies or quotes of them, count as answers; nothing is inferred from time.")
    engagement = concat(results.engagement)
    flow = concat(results.flow)

    say("graph")
    nodes, edges, graph_table, shapes, replay = graph_tables(results, sessions, moderators, say,
                                                             layout_sessions=LAYOUT_SESSIONS)
    per_session_nodes = nodes.filter(pl.col("session_id") != ALL_SESSIONS)

    say("people")
    session_signals, session_pairs = concat(results.signals), concat(results.pairs)
    seen = session_signals["session_id"].unique().to_list() if session_signals.width else []
    signals = participant_signals_from(session_signals, session_pairs, seen)
    history = history_from_sessions(session_signals, session_pairs, sessions_in_data=len(seen))
    sponsor_handles = {h: s.name for s in cfg.sponsors for h in s.handles}
    roles = assign_roles(signals, history, cfg, moderators=moderators, sponsor_handles=sponsor_handles,
                         excluded=excluded)
    sensitivity = role_sensitivity(signals, cfg, moderators=moderators, sponsor_handles=sponsor_handles,
                                   excluded=excluded)
    presence = concat(results.presence)
    retention = retention_by_session(presence, sessions)

    say("to-do lists and sponsors")
    todo_parts, sponsored = [], {key: ([], []) for key in sponsor_keys}
    for batch in range(results.batches):
        todo, per_sponsor = second_pass(results, batch, signals, roles, cfg, moderators, sponsor_keys, kept_columns)
        todo_parts.append(todo)
        for key, (exposure, mix) in per_sponsor.items():
            sponsored[key][0].append(exposure)
            sponsored[key][1].append(mix)

    say("reach and value")
    reach = concat(results.reach)
    for note in reach.filter(pl.col("reach_basis") == "unavailable")["basis_note"].unique().to_list()[:1]:
        notes.append(note)
    sponsor_tables: dict[str, list[pl.DataFrame]] = {"exposure": [], "mix": [], "top": []}
    sponsor_values: dict[str, Any] = {}
    sponsor_kpi_rows = None
    for sponsor, key in zip(cfg.sponsors, sponsor_keys):
        exposure = concat(sponsored[key][0])
        number = exposure.height
        value = sponsor_value(exposure, reach, sponsor, cfg.exposure_rates, number)
        sponsor_values[key] = value.model_dump(mode="json")
        sponsor_tables["exposure"].append(exposure.with_columns(sponsor=pl.lit(key)))
        sponsor_tables["mix"].append(concat(sponsored[key][1]).with_columns(sponsor=pl.lit(key)))
        top = (concat(results.sponsor_top.get(key, []))
               .sort(["engagement", "created_at", "message_id"], descending=[True, False, False], nulls_last=True)
               .head(10))
        sponsor_tables["top"].append(top.with_columns(sponsor=pl.lit(key)))
        if sponsor_kpi_rows is None:  # objectives name the first sponsor's KPIs without a prefix
            sponsor_kpi_rows = sponsor_kpis(exposure, reach, sponsor, cfg.exposure_rates, number)
    kpis = _kpis(sessions, engagement, retention, flow, reach, sponsor_kpi_rows)
    objectives = evaluate_objectives(cfg.objectives, kpis) if cfg.objectives else pl.DataFrame()
    moderator = moderator_value(kpis, cfg, moderators, per_session_nodes)

    tables: dict[str, Any] = {
        "sessions": sessions,
        "excluded": excluded,
        "excluded_counts": excluded_counts(excluded),
        "questions": per_question,
        "session_flow": flow,
        "suggestions": concat(results.suggestions),
        "flow_minutes": concat(results.flow_minutes),
        "engagement": engagement,
        "minutes": concat(results.minutes),
        "entities": ranked_with_totals(concat(results.entity_counts)),
        "nodes": nodes,
        "edges": edges,
        "graph_metrics": graph_table,
        "interactions": replay,
        "signals": signals,
        "history": history,
        "roles": roles,
        "role_sensitivity": sensitivity,
        "perspective": concat(results.perspective),
        "retention": retention,
        "cohorts": cohort_matrix(presence, sessions),
        "first_timers": first_timer_return(presence, sessions),
        "survival": regular_survival(presence, sessions, min_sessions=cfg.roles.regular_min_sessions),
        "follow_up": concat(results.follow_up),
        "ties": continuing_ties_from_edges(concat(results.ties)),
        "thanks": concat(results.thanks),
        "recaps": concat(results.recaps),
        "todo": concat(todo_parts),
        "forward": pay_it_forward(roles, sessions),
        "signal_availability": availability_from_counts(concat(results.availability)),
        "reach": reach,
        "kpis": kpis,
        "objectives": objectives,
    }
    for name, parts in (("sponsor_exposure", sponsor_tables["exposure"]), ("audience_mix", sponsor_tables["mix"]),
                        ("sponsor_messages", sponsor_tables["top"])):
        tables[name] = pl.concat(parts, how="diagonal_relaxed") if parts else pl.DataFrame()
    tables["_shapes"], tables["_sponsor_values"] = shapes, sponsor_values
    tables["_moderator_value"] = moderator.model_dump(mode="json")
    return tables


def load_snapshot(workspace: Workspace | Path | str, chat: str) -> Snapshot:
    """The chat's last analysis snapshot."""
    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    return Snapshot(ws.analysis_dir(ws.require_chat(chat)))
