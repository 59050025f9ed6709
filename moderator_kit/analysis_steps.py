"""The steps of a chat's analysis, per batch of sessions and for the whole chat from the sessions' results.

:func:`moderator_kit.snapshot.analyze_chat` reads the chat batch by batch (:mod:`moderator_kit.partition`):

1. :func:`first_pass` runs every per-session step on one batch's messages (agenda flow, engagement, the session
   graphs, the people signals and pairs, follow-up, reach …) and keeps the batch's results in a
   :class:`ChatResults`; the batch's annotated messages and message table are written to a scratch folder;
2. the chat-level tables come from those results: the cumulative graph is the sum of the sessions' graphs
   (:func:`graph_tables`), the history and the roles come from the sessions' signals and pairs, retention from who
   was active where, continuing ties from the sessions' interactions;
3. :func:`second_pass` runs the steps that need the chat's roles (to-do lists, sponsor exposure and audience mix)
   on each batch again, from the scratch folder.

Every table equals what the same step gives on all the chat's messages at once (``tests/test_partition.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from moderator_kit.config import ChatConfig
from moderator_kit.engagement import engagement_by_session, minute_series
from moderator_kit.engagement.entities import session_entity_counts
from moderator_kit.flow import (
    assign_questions,
    detect_questions,
    flow_minutes,
    pacing_suggestions,
    question_metrics,
    session_flow_metrics,
)
from moderator_kit.graph import EDGE_TYPES, grouped_frames, interactions, measure_groups, merge_groups, strongest_edges
from moderator_kit.people import annotate_messages, follow_up_summary, moderator_recap, question_perspective, \
    thank_yous, todo_list
from moderator_kit.people.history import session_parts
from moderator_kit.people.signals import availability_counts, interaction_edges
from moderator_kit.value import audience_mix, reach_by_session, sponsor_exposure, top_sponsor_messages

__all__ = ["ChatResults", "concat", "first_pass", "second_pass", "graph_tables", "ALL_SESSIONS",
           "EDGES_PER_SESSION"]

Progress = Callable[[str], None]
#: ``session_id`` of rows that describe the whole chat (cumulative graph, history-level roles).
ALL_SESSIONS = "all"
#: The strongest edges kept per graph for drawing (the browser draws 10k edges in about 2 s).
EDGES_PER_SESSION = 10_000
#: Columns of a batch's messages the retention steps read (who was active where, who got replies).
_PRESENCE = ("session_id", "phase", "author_handle", "kind", "reply_to_author_handle")


@dataclass
class ChatResults:
    """The sessions' results, batch after batch (each list holds one frame per batch)."""

    scratch: Path
    excluded: list[pl.DataFrame] = field(default_factory=list)
    questions: list[pl.DataFrame] = field(default_factory=list)
    flow: list[pl.DataFrame] = field(default_factory=list)
    suggestions: list[pl.DataFrame] = field(default_factory=list)
    flow_minutes: list[pl.DataFrame] = field(default_factory=list)
    engagement: list[pl.DataFrame] = field(default_factory=list)
    minutes: list[pl.DataFrame] = field(default_factory=list)
    entity_counts: list[pl.DataFrame] = field(default_factory=list)
    graph_nodes: list[pl.DataFrame] = field(default_factory=list)       # per-session node metrics (chat phase)
    graph_edges: list[pl.DataFrame] = field(default_factory=list)       # per-session strongest edges
    graph_metrics: list[dict] = field(default_factory=list)
    graph_shapes: list[dict] = field(default_factory=list)
    graph_order: list[str] = field(default_factory=list)
    all_nodes: list[pl.DataFrame] = field(default_factory=list)         # per-session graphs of every phase
    all_edges: list[pl.DataFrame] = field(default_factory=list)
    replay: list[pl.DataFrame] = field(default_factory=list)
    signals: list[pl.DataFrame] = field(default_factory=list)
    pairs: list[pl.DataFrame] = field(default_factory=list)
    perspective: list[pl.DataFrame] = field(default_factory=list)
    presence: list[pl.DataFrame] = field(default_factory=list)
    ties: list[pl.DataFrame] = field(default_factory=list)
    follow_up: list[pl.DataFrame] = field(default_factory=list)
    thanks: list[pl.DataFrame] = field(default_factory=list)
    recaps: list[pl.DataFrame] = field(default_factory=list)
    availability: list[pl.DataFrame] = field(default_factory=list)
    reach: list[pl.DataFrame] = field(default_factory=list)
    sponsor_top: dict[str, list[pl.DataFrame]] = field(default_factory=dict)
    batches: int = 0
    #: A chat read in one batch keeps its annotated messages and message table in memory (no scratch files):
    #: the batch is the chat, so memory is bounded by the batch either way.
    in_memory: bool = False
    held: dict[str, pl.DataFrame] = field(default_factory=dict)

    def keep(self, kind: str, batch: int, frame: pl.DataFrame) -> None:
        """Keep a batch's frame for the second pass and the snapshot: in memory, or in the scratch folder."""
        if self.in_memory:
            self.held[f"{kind}-{batch}"] = frame
        else:
            frame.write_parquet(self.scratch / f"{kind}-{batch:05d}.parquet")

    def kept(self, kind: str, batch: int) -> pl.DataFrame:
        return self.held[f"{kind}-{batch}"] if self.in_memory else pl.read_parquet(
            self.scratch / f"{kind}-{batch:05d}.parquet")

    def message_table(self) -> pl.DataFrame | pl.LazyFrame:
        """The snapshot's message table: the batches' rows one after another (streamed from the scratch files)."""
        if self.in_memory:
            return concat([self.held[f"messages-{b}"] for b in range(self.batches)])
        return pl.concat([pl.scan_parquet(self.scratch / f"messages-{b:05d}.parquet") for b in range(self.batches)],
                         how="diagonal_relaxed")



def concat(frames: list[pl.DataFrame]) -> pl.DataFrame:
    """The batches' frames of one table, one after another (an empty frame when there are none)."""
    frames = [f for f in frames if f.width]
    if not frames:
        return pl.DataFrame()
    return pl.concat(frames, how="diagonal_relaxed") if len(frames) > 1 else frames[0]


def first_pass(results: ChatResults, kept: pl.DataFrame, excluded: pl.DataFrame, sessions: pl.DataFrame,
               config: ChatConfig, moderators: list[str], sponsor_keys: list[str]) -> None:
    """Every per-session step on one batch's kept messages (``sessions``: the batch's sessions)."""
    batch = results.batches
    results.batches += 1
    results.excluded.append(excluded)
    questions = detect_questions(kept, sessions, config, moderators)
    assignments = assign_questions(kept, questions, moderators)
    per_question = question_metrics(kept, assignments, questions)
    results.questions.append(per_question)
    results.flow.append(session_flow_metrics(kept, assignments, questions, sessions, moderators=moderators))
    results.suggestions.append(pacing_suggestions(per_question))
    results.flow_minutes.append(flow_minutes(kept, assignments, sessions))
    results.engagement.append(engagement_by_session(kept, moderators=moderators))
    results.minutes.append(minute_series(kept, sessions))
    results.entity_counts.append(session_entity_counts(kept, exclude_hashtags=sorted(config.own_hashtags)))

    per_session_nodes = _session_graphs(results, kept, moderators)

    annotated = annotate_messages(kept, assignments, config)  # the texts are scanned once for every people metric
    signals, pairs = session_parts(annotated)
    results.signals.append(signals)
    results.pairs.append(pairs)
    results.perspective.append(question_perspective(assignments, annotated, per_session_nodes))
    results.presence.append(kept.select(_PRESENCE).unique(maintain_order=True))
    results.ties.append(interaction_edges(annotated))
    results.follow_up.append(follow_up_summary(annotated))
    results.thanks.append(thank_yous(annotated))
    results.recaps.append(moderator_recap(annotated, moderators))
    results.availability.append(availability_counts(kept))
    results.reach.append(reach_by_session(kept, config))
    for sponsor, key in zip(config.sponsors, sponsor_keys):
        results.sponsor_top.setdefault(key, []).append(top_sponsor_messages(kept, sponsor, n=10))
    # what the second pass needs again, and the snapshot's message table, go to disk (unless the chat is one batch)
    results.keep("annotated", batch, annotated)
    results.keep("messages", batch, kept.join(assignments.drop("session_id"), on="message_id", how="left"))


def _session_graphs(results: ChatResults, kept: pl.DataFrame, moderators: list[str]) -> pl.DataFrame:
    """The batch's session graphs (chat phase), measured; their graphs of every phase for the cumulative graph;
    the interactions of every phase for the replay. Returns the session graphs' node metrics."""
    rows = interactions(kept, keys=("session_id", "created_at", "message_id", "phase")).collect()
    # the authors are all the graphs need of the messages (a filter of every column would copy the texts)
    chat_phase = kept.select("session_id", "author_handle", "phase").filter(pl.col("phase") == "chat")
    order = chat_phase["session_id"].unique(maintain_order=True).to_list()
    nodes, edges = grouped_frames(chat_phase, by="session_id",
                                  interaction_rows=rows.filter(pl.col("phase") == "chat").drop("phase"))
    measured = measure_groups(nodes, edges, groups=order, moderators=moderators)
    results.graph_order += order
    results.graph_nodes.append(measured.nodes)
    results.graph_edges.append(strongest_edges(edges, EDGES_PER_SESSION, groups=order))
    results.graph_metrics.append(measured.metrics)
    results.graph_shapes.append(measured.shapes)
    all_nodes, all_edges = grouped_frames(kept.select("session_id", "author_handle"), by="session_id",
                                          interaction_rows=rows)
    results.all_nodes.append(all_nodes)
    results.all_edges.append(all_edges)
    results.replay.append(rows)
    return measured.nodes


def graph_tables(results: ChatResults, sessions: pl.DataFrame, moderators: list[str], progress: Progress, *,
                 layout_sessions: int) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, dict[str, Any], pl.DataFrame]:
    """Nodes (with layout), strongest edges, graph metrics and shapes per session and for the whole chat, plus the
    interactions of every phase with their ``phase`` (the network replay).

    The cumulative graph (``session_id`` ``"all"``) is the sum of the sessions' graphs of every phase
    (:func:`moderator_kit.graph.merge_groups`). Layouts are computed for it and the latest ``layout_sessions``
    sessions; :func:`moderator_kit.snapshot.session_layout` computes the others on first view.
    """
    from moderator_kit.figures.network import layout_positions

    progress(f"graph {ALL_SESSIONS}")
    nodes, edges = merge_groups(concat(results.all_nodes), concat(results.all_edges), by="session_id",
                                group=ALL_SESSIONS)
    cumulative = measure_groups(nodes, edges, groups=[ALL_SESSIONS], moderators=moderators)
    all_edges = strongest_edges(edges, EDGES_PER_SESSION)
    session_nodes = concat(results.graph_nodes)
    session_edges = concat(results.graph_edges)

    progress("graph layouts")
    graphs = set(results.graph_order)
    latest = [sid for sid in sessions.sort("number")["session_id"].to_list() if sid in graphs]
    laid_out = latest[-layout_sessions:] if layout_sessions > 0 else []
    positions = [layout_positions(cumulative.nodes, all_edges).with_columns(session_id=pl.lit(ALL_SESSIONS))]
    if laid_out:
        chosen = pl.col("session_id").is_in(laid_out)
        node_parts = session_nodes.filter(chosen).partition_by("session_id", as_dict=True)
        edge_parts = session_edges.filter(chosen).partition_by("session_id", as_dict=True)
        for key, part in node_parts.items():
            positions.append(layout_positions(part, edge_parts.get(key)).with_columns(session_id=pl.lit(key[0])))
    placed = pl.concat(positions)
    node_table = pl.concat([session_nodes, cumulative.nodes]) if session_nodes.width else cumulative.nodes
    node_table = node_table.join(placed, on=["session_id", "handle"], how="left", maintain_order="left")
    node_table = node_table.select(pl.exclude("session_id"), "session_id").rechunk()
    edge_table = (pl.concat([session_edges, all_edges]) if session_edges.width else all_edges).select(
        pl.exclude("session_id"), "session_id")

    metric_rows, shapes = [], {}
    measured = [(m, s) for m, s in zip(results.graph_metrics, results.graph_shapes)]
    measured.append((cumulative.metrics, cumulative.shapes))
    for metrics_of, shapes_of in measured:
        for session_id, metrics in metrics_of.items():
            shape = shapes_of[session_id]
            scalar = {k: v for k, v in metrics.items() if isinstance(v, (int, float, str, type(None)))}
            metric_rows.append({"session_id": session_id, **scalar, "shape": shape.get("shape"),
                                "shape_rule": shape.get("rule")})
            shapes[session_id] = shape
    # interactions() lists replies, then mentions, reposts and quotes, each in message order: so does the chat's
    replay = concat(results.replay)
    if results.batches > 1:
        rank = pl.col("type").replace_strict({t: i for i, t in enumerate(EDGE_TYPES)}, return_dtype=pl.Int8)
        replay = replay.sort(rank, maintain_order=True)
    return node_table, edge_table, pl.DataFrame(metric_rows, infer_schema_length=None), shapes, replay


def second_pass(results: ChatResults, batch: int, signals: pl.DataFrame, roles: pl.DataFrame, config: ChatConfig,
                moderators: list[str], sponsor_keys: list[str], kept_columns: list[str]
                ) -> tuple[pl.DataFrame, dict[str, tuple]]:
    """The steps that need the chat's roles, on one batch: its to-do lists, and per sponsor its exposure rows and
    audience mix."""
    annotated = results.kept("annotated", batch)
    messages = results.kept("messages", batch)
    todo = todo_list(annotated, None, signals, roles, moderators=moderators)  # annotated already
    del annotated
    kept = messages.select(kept_columns)
    sponsored: dict[str, tuple] = {}
    with_moderators = config.model_copy(update={"moderators": moderators})
    for sponsor, key in zip(config.sponsors, sponsor_keys):
        # the moderators in effect (configured or inferred): their posts naming the sponsor are attributable
        exposure = sponsor_exposure(kept, sponsor, roles, config=with_moderators)
        sponsored[key] = (exposure, audience_mix(kept, sponsor, roles))
    return todo, sponsored
