"""The batched graph path of the analysis equals measuring each session's graph alone (bundled sample, random chats)."""

from __future__ import annotations

import importlib
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

import networkx as nx
import polars as pl
import pytest

from moderator_kit.graph import (
    EDGE_TYPES,
    build_graph,
    classify_shape,
    classify_shapes,
    edges_frame,
    graph_metrics,
    grouped_frames,
    interactions,
    measure_groups,
    merge_groups,
    node_metrics,
    strongest_edges,
)
from moderator_kit.graph.metrics import NODE_METRICS_SCHEMA
from moderator_kit.schema import conform

SAMPLE_DATA = Path(__file__).resolve().parents[1] / "sample_data"
SAMPLES = [
    ("jobhuntchat", "moderator_kit.io.twitter", "read_twarc2", "jobhuntchat.jsonl"),
    ("remote-careers", "moderator_kit.io.slack", "read_slack_export", "export"),
]
T0 = datetime(2024, 1, 1, 21, 0, tzinfo=timezone.utc)


def _need(module: str, name: str):
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as err:
        pytest.skip(f"{module}.{name} is not available ({err})")


@pytest.fixture(scope="module", params=SAMPLES, ids=[s[0] for s in SAMPLES])
def sample(request) -> tuple[pl.DataFrame, list[str]]:
    """The sample's session messages and its moderators."""
    folder, module, reader, archive = request.param
    base = SAMPLE_DATA / folder
    if not (base / archive).exists() or not (base / "chat.yaml").exists():
        pytest.skip(f"bundled sample {folder} not generated")
    read_config = _need("moderator_kit.config", "read_config")
    split_sessions = _need("moderator_kit.sessions", "split_sessions")
    config = read_config(base / "chat.yaml")
    messages = _need(module, reader)(base / archive).messages.with_columns(chat=pl.lit(config.chat))
    _sessions, session_messages = split_sessions(messages, config)
    assert session_messages["session_id"].n_unique() >= 3
    return session_messages, list(config.moderators)


def _one_by_one(messages: pl.DataFrame, moderators: list[str], **options) -> tuple[pl.DataFrame, dict, dict]:
    """The straightforward path: build_graph + node_metrics + graph_metrics + classify_shape for one group."""
    graph = build_graph(messages)
    nodes = node_metrics(graph, moderators=moderators, **options)
    metrics = graph_metrics(graph, nodes, moderators=moderators)
    return nodes, metrics, classify_shape(graph, nodes, metrics, moderators=moderators)


def test_session_graphs_of_the_sample_equal_one_by_one(sample):
    messages, moderators = sample
    chat = messages.filter(pl.col("phase") == "chat")
    order = chat["session_id"].unique(maintain_order=True).to_list()
    nodes, edges = grouped_frames(chat, by="session_id")
    batch = measure_groups(nodes, edges, groups=order, moderators=moderators)
    assert list(batch.metrics) == order and batch.nodes["session_id"].unique(maintain_order=True).to_list() == order
    top = strongest_edges(edges, 25, groups=order)
    for session_id in order:
        part = chat.filter(pl.col("session_id") == session_id)
        ref_nodes, ref_metrics, ref_shape = _one_by_one(part, moderators)
        got = batch.nodes.filter(pl.col("session_id") == session_id).drop("session_id")
        assert got.equals(ref_nodes)  # the same floats, not only close ones
        assert batch.metrics[session_id] == ref_metrics
        assert batch.shapes[session_id] == ref_shape
        ref_edges = edges_frame(build_graph(part)).sort("weight", descending=True, maintain_order=True).head(25)
        assert top.filter(pl.col("session_id") == session_id).drop("session_id").equals(ref_edges)
    assert any(m["moderator_centralization"] for m in batch.metrics.values())  # the moderators were found


def test_cumulative_graph_of_the_sample_equals_build_graph(sample):
    messages, moderators = sample
    whole = messages.with_columns(session_id=pl.lit("all"))
    nodes, edges = grouped_frames(whole, by="session_id",
                                  interaction_rows=interactions(whole, keys=["session_id"]))
    batch = measure_groups(nodes, edges, groups=["all"], moderators=moderators, betweenness_sample_threshold=100,
                           betweenness_samples=30)  # big enough to sample betweenness, as for a large archive
    ref_nodes, ref_metrics, ref_shape = _one_by_one(messages, moderators, betweenness_sample_threshold=100,
                                                    betweenness_samples=30)
    assert batch.nodes.drop("session_id").equals(ref_nodes)
    assert batch.metrics["all"] == ref_metrics and batch.shapes["all"] == ref_shape


def random_chat(seed: int, sessions: int = 6) -> pl.DataFrame:
    """Sessions of very different sizes (one with no interaction at all), heavy-tailed authors, every edge type."""
    rng = random.Random(seed)
    rows = []
    for s in range(sessions):
        people = [f"u{i}" for i in range(rng.choice([1, 3, 12, 40, 90]))]
        for i in range(rng.choice([1, 5, 60, 300])):
            author, target = rng.choice(people), rng.choice(people)
            kind = "post" if len(people) == 1 else rng.choice(["post", "reply", "repost", "quote"])
            row = {"session_id": f"s{s}", "phase": "chat", "author_handle": author, "kind": kind,
                   "mentions": rng.sample(people, min(len(people), rng.choice([0, 0, 1, 2]))) if kind != "post"
                   or rng.random() < 0.5 else []}
            if kind != "post":
                row[{"reply": "reply_to_author_handle", "quote": "quote_of_author_handle",
                     "repost": "repost_of_author_handle"}[kind]] = target
            if len(people) == 1:
                row["mentions"] = []
            rows.append(row)
    frame = pl.DataFrame(rows, infer_schema_length=None)
    n = frame.height
    frame = frame.with_columns(platform=pl.lit("twitter"), message_id=pl.int_range(n).cast(pl.String),
                               created_at=pl.lit(T0) + pl.duration(seconds=pl.int_range(n)),
                               source_file=pl.lit("t"), source_record=pl.int_range(n))
    extra = frame.select("session_id", "phase")
    return pl.concat([conform(frame.with_columns(pl.col("created_at").dt.cast_time_unit("us"))), extra],
                     how="horizontal")


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("threshold", [2000, 20])  # exact betweenness, and sampled in the bigger sessions
def test_random_sessions_equal_one_by_one(seed, threshold):
    chat = random_chat(seed)
    order = sorted(chat["session_id"].unique().to_list()) + ["never-seen"]
    nodes, edges = grouped_frames(chat, by="session_id")
    batch = measure_groups(nodes, edges, groups=order, moderators=["u0"], betweenness_sample_threshold=threshold,
                           betweenness_samples=10)
    for session_id in order:
        part = chat.filter(pl.col("session_id") == session_id)
        ref_nodes, ref_metrics, ref_shape = _one_by_one(part, ["u0"], betweenness_sample_threshold=threshold,
                                                        betweenness_samples=10)
        assert batch.nodes.filter(pl.col("session_id") == session_id).drop("session_id").equals(ref_nodes)
        assert batch.metrics[session_id] == ref_metrics
        assert batch.shapes[session_id] == ref_shape
    assert batch.metrics["never-seen"]["nodes"] == 0 and batch.shapes["never-seen"]["shape"] is None


def test_grouped_frames_are_the_graph_of_each_group():
    chat = random_chat(4)
    nodes, edges = grouped_frames(chat, by="session_id")
    for session_id in chat["session_id"].unique().to_list():
        graph = build_graph(chat.filter(pl.col("session_id") == session_id))
        assert nodes.filter(pl.col("session_id") == session_id)["handle"].to_list() == list(graph.nodes)
        assert edges.filter(pl.col("session_id") == session_id).drop("session_id").equals(edges_frame(graph))
    assert edges.columns == ["session_id", "source", "target", "weight", *EDGE_TYPES]


@pytest.mark.parametrize("seed", [4, 5])
def test_the_sum_of_the_session_graphs_is_the_graph_of_all_sessions(seed, sample):
    """The cumulative graph built from per-session results (merge_groups) equals the graph of every message."""
    for chat in (random_chat(seed), sample[0]):
        nodes, edges = grouped_frames(chat, by="session_id")
        merged_nodes, merged_edges = merge_groups(nodes, edges, by="session_id", group="all")
        whole = chat.with_columns(session_id=pl.lit("all"))
        ref_nodes, ref_edges = grouped_frames(whole, by="session_id")
        assert merged_nodes.equals(ref_nodes) and merged_edges.equals(ref_edges)


def test_classify_shapes_keeps_groups_apart():
    star = nx.DiGraph([(f"fan{i}", "brand", {"weight": 1, "repost": 1}) for i in range(8)])
    crowd = nx.complete_graph(6, create_using=nx.DiGraph)
    nx.set_edge_attributes(crowd, 1, "weight")
    frames = []
    metrics = {}
    for name, graph in (("star", star), ("crowd", crowd)):
        nodes = node_metrics(graph)
        metrics[name] = graph_metrics(graph, nodes)
        frames.append((edges_frame(graph).with_columns(g=pl.lit(name)), nodes.with_columns(g=pl.lit(name))))
    shapes = classify_shapes(pl.concat([e for e, _ in frames]), pl.concat([n for _, n in frames]), metrics, by="g")
    assert shapes["star"] == classify_shape(star) and shapes["star"]["shape"] == "broadcast network"
    assert shapes["crowd"] == classify_shape(crowd) and shapes["crowd"]["shape"] == "tight crowd"


def test_no_groups_at_all():
    nodes = pl.DataFrame(schema={"session_id": pl.String, "handle": pl.String})
    edges = pl.DataFrame(schema={"session_id": pl.String, "source": pl.String, "target": pl.String,
                                 "weight": pl.Int64, **{t: pl.Int64 for t in EDGE_TYPES}})
    batch = measure_groups(nodes, edges, groups=[])
    assert batch.nodes.height == 0 and batch.nodes.drop("session_id").schema == NODE_METRICS_SCHEMA
    assert batch.metrics == {} and batch.shapes == {}
