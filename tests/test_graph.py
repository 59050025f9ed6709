"""Interaction graph: build rules, metrics checked by hand and against networkx, shapes, export."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone

import networkx as nx
import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

from moderator_kit.graph import (
    EDGE_TYPES,
    SHAPES,
    ShapeThresholds,
    build_graph,
    build_session_graphs,
    classify_shape,
    edges_frame,
    graph_metrics,
    node_metrics,
    write_gexf,
    write_graphml,
)
from moderator_kit.graph import engine
from moderator_kit.schema import MESSAGE_SCHEMA, conform

T0 = datetime(2024, 1, 1, 21, 0, tzinfo=timezone.utc)


def messages(*rows: dict) -> pl.DataFrame:
    """Canonical messages (plus session_id / phase) from short dicts; ids and times are filled in."""
    full = []
    for i, row in enumerate(rows):
        row = {"platform": "twitter", "message_id": str(i), "kind": "post", "created_at": T0 + timedelta(minutes=i),
               "source_file": "t", "source_record": i, "session_id": "s1", "phase": "chat", **row}
        full.append(row)
    frame = pl.DataFrame(full, infer_schema_length=None)
    extra = frame.select("session_id", "phase")
    return pl.concat([conform(frame.with_columns(pl.col("created_at").dt.cast_time_unit("us"))), extra],
                     how="horizontal")


def random_messages(n_messages: int, n_authors: int, seed: int) -> pl.DataFrame:
    """A random chat: heavy-tailed activity and popularity, replies, mentions, reposts and quotes."""
    rng = random.Random(seed)
    authors = [f"u{i}" for i in range(n_authors)]
    weights = [1 / (i + 1) for i in range(n_authors)]
    rows = []
    for i in range(n_messages):
        author = rng.choices(authors, weights)[0]
        kind = rng.choices(["post", "reply", "repost", "quote"], [3, 4, 2, 1])[0]
        target = rng.choices(authors, weights)[0]
        row = {"author_handle": author, "kind": kind, "mentions": rng.sample(authors, rng.choice([0, 0, 1, 2]))}
        if kind in ("reply", "quote", "repost"):
            row[{"reply": "reply_to_author_handle", "quote": "quote_of_author_handle",
                 "repost": "repost_of_author_handle"}[kind]] = target
        if kind == "reply":
            row["mentions"] = [target, *row["mentions"]]
        row["session_id"] = f"s{i % 3}"
        rows.append(row)
    return messages(*rows)


# ---------------------------------------------------------------------------------------------------------- build


def test_edge_types_and_the_mention_rules():
    g = build_graph(messages(
        {"author_handle": "ann"},
        {"author_handle": "bob", "kind": "reply", "reply_to_author_handle": "ann", "mentions": ["ann", "cy", "cy"]},
        {"author_handle": "cy", "kind": "repost", "repost_of_author_handle": "bob", "mentions": ["bob", "ann"]},
        {"author_handle": "dee", "kind": "quote", "quote_of_author_handle": "ann", "mentions": ["ann", "bob"]},
    ))
    assert sorted(g.edges) == [("bob", "ann"), ("bob", "cy"), ("cy", "bob"), ("dee", "ann"), ("dee", "bob")]
    assert g.edges["bob", "ann"] == {"weight": 1, "reply": 1, "mention": 0, "repost": 0, "quote": 0}
    assert g.edges["bob", "cy"]["mention"] == 1  # a handle counts once per message
    assert g.edges["cy", "bob"] == {"weight": 1, "reply": 0, "mention": 0, "repost": 1, "quote": 0}
    assert not g.has_edge("cy", "ann")  # a repost carries no mentions
    assert g.edges["dee", "ann"]["quote"] == 1 and g.edges["dee", "ann"]["mention"] == 0


def test_weights_sum_over_messages_and_types():
    g = build_graph(messages(
        {"author_handle": "bob", "kind": "reply", "reply_to_author_handle": "ann"},
        {"author_handle": "bob", "mentions": ["ann"]},
        {"author_handle": "bob", "kind": "repost", "repost_of_author_handle": "ann"},
        {"author_handle": "bob", "kind": "reply", "reply_to_author_handle": "ann"},
    ))
    assert g.edges["bob", "ann"] == {"weight": 4, "reply": 2, "mention": 1, "repost": 1, "quote": 0}


def test_no_self_loops_and_isolates_are_nodes():
    g = build_graph(messages(
        {"author_handle": "ann", "kind": "reply", "reply_to_author_handle": "ann", "mentions": ["ann"]},
        {"author_handle": "ann", "kind": "repost", "repost_of_author_handle": "ann"},
        {"author_handle": "solo"},
    ))
    assert nx.number_of_selfloops(g) == 0
    assert sorted(g.nodes) == ["ann", "solo"] and g.number_of_edges() == 0


def test_node_attributes():
    g = build_graph(messages(
        {"author_handle": "ann", "author_name": "Ann Old", "author_followers": 10},
        {"author_handle": "ann", "author_name": "Ann New", "author_followers": 12, "mentions": ["@Zed"]},
        {"author_handle": "ann", "author_name": None},
    ))
    assert g.nodes["ann"] == {"name": "Ann New", "messages": 3, "followers": 12}
    assert g.nodes["zed"] == {"name": "", "messages": 0}  # only addressed; followers unknown -> absent


def test_edges_frame_round_trip_and_deterministic_order():
    msgs = random_messages(400, 40, seed=1)
    from_msgs = edges_frame(msgs)
    g = build_graph(msgs)
    assert edges_frame(g).equals(from_msgs)
    assert from_msgs["weight"].sum() == sum(from_msgs[t].sum() for t in EDGE_TYPES)
    assert list(g.nodes) == sorted(g.nodes)
    assert list(build_graph(msgs.sample(fraction=1.0, shuffle=True, seed=3)).edges(data=True)) == list(
        g.edges(data=True))


def test_session_graphs_split_and_add_up_to_the_cumulative_graph():
    msgs = random_messages(300, 30, seed=2).with_columns(
        phase=pl.when(pl.int_range(pl.len()) % 5 == 0).then(pl.lit("pre")).otherwise(pl.lit("chat")))
    per_session = build_session_graphs(msgs, phases=None)
    assert list(per_session) == ["s0", "s1", "s2"]
    total = edges_frame(build_graph(msgs))
    summed = (pl.concat([edges_frame(g) for g in per_session.values()])
              .group_by("source", "target").agg(pl.col("weight", *EDGE_TYPES).sum()).sort("source", "target"))
    assert summed.select(total.columns).equals(total)
    chat_only = build_session_graphs(msgs)
    assert sum(g.size(weight="weight") for g in chat_only.values()) < total["weight"].sum()


# ------------------------------------------------------------------------------------------------ metrics by hand


def two_cliques_with_bridge() -> nx.DiGraph:
    g = nx.DiGraph()
    for group in ("abcd", "wxyz"):
        g.add_edges_from((u, v, {"weight": 1}) for u in group for v in group if u != v)
    g.add_edge("d", "w", weight=1)
    return g


def test_star_by_hand():
    star = nx.DiGraph([(leaf, "hub", {"weight": 1}) for leaf in "abcd"])
    nodes = node_metrics(star).sort("handle")
    hub = nodes.filter(handle="hub").row(0, named=True)
    assert (hub["in_strength"], hub["in_degree"], hub["out_degree"], hub["kcore"]) == (4.0, 4, 0, 1)
    assert nodes["betweenness"].to_list() == [0.0] * 5  # no path goes through anyone
    # dangling hub: PageRank p_leaf = 0.15/5 + 0.85 p_hub/5, p_hub = 0.15/5 + 0.85 (4 p_leaf + p_hub/5)
    p_hub = hub["pagerank"]
    p_leaf = nodes.filter(handle="a")["pagerank"].item()
    assert p_leaf == pytest.approx(0.03 + 0.17 * p_hub)
    assert p_hub + 4 * p_leaf == pytest.approx(1.0)


def test_path_by_hand():
    path = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "d")])
    nodes = node_metrics(path)
    # b lies on a->c and a->d, c on a->d and b->d: 2 of (n-1)(n-2) = 6 ordered pairs
    assert nodes["betweenness"].to_list() == pytest.approx([0, 2 / 6, 2 / 6, 0])
    assert nodes["kcore"].to_list() == [1, 1, 1, 1]


def test_two_cliques_by_hand():
    g = two_cliques_with_bridge()
    nodes = node_metrics(g, moderators=["@D"])
    community = dict(nodes.select("handle", "community").rows())
    assert len({community[x] for x in "abcd"}) == 1 and len({community[x] for x in "wxyz"}) == 1
    assert community["a"] != community["w"]
    assert nodes.sort("betweenness", descending=True)["handle"].head(2).sort().to_list() == ["d", "w"]
    assert dict(nodes.select("handle", "kcore").rows()) == dict.fromkeys("abcdwxyz", 3)
    metrics = graph_metrics(g, nodes, moderators=["d"])
    # undirected weights: 12 clique edges of weight 2 and the bridge of weight 1, m = 25; each side has degree 25
    assert metrics["modularity"] == pytest.approx(2 * (12 / 25 - (25 / 50) ** 2))
    assert metrics["communities"] == 2 and metrics["components"] == 1 and metrics["isolates"] == 0
    assert metrics["reciprocity"] == pytest.approx(24 / 25)
    assert metrics["density"] == pytest.approx(25 / 56)
    # d has 3 out + 3 in clique edges and the bridge: 7 of 25
    assert metrics["moderator_centralization"] == pytest.approx(7 / 25)
    assert nodes.filter(is_moderator=True)["handle"].to_list() == ["d"]


def test_graph_metrics_json_and_edge_cases():
    g = two_cliques_with_bridge()
    g.add_node("lonely")
    metrics = graph_metrics(g)
    assert json.loads(json.dumps(metrics)) == metrics
    assert metrics["moderator_centralization"] is None  # no moderators given
    assert metrics["isolates"] == 1 and metrics["components"] == 2
    assert metrics["largest_component_share"] == pytest.approx(8 / 9)
    assert metrics["weight_by_type"] == dict.fromkeys(EDGE_TYPES, 0)  # hand-made edges carry no type counts
    empty = graph_metrics(nx.DiGraph(), moderators=["x"])
    assert (empty["nodes"], empty["edges"], empty["modularity"], empty["moderator_centralization"]) == (0, 0, 0.0, 0.0)
    assert node_metrics(nx.DiGraph()).height == 0


def test_weight_by_type_counts_the_edges():
    g = build_graph(messages(
        {"author_handle": "bob", "kind": "reply", "reply_to_author_handle": "ann", "mentions": ["ann", "cy"]},
        {"author_handle": "cy", "kind": "repost", "repost_of_author_handle": "bob"},
    ))
    assert graph_metrics(g)["weight_by_type"] == {"reply": 1, "mention": 1, "repost": 1, "quote": 0}


# ------------------------------------------------------------------------------------ against networkx (reference)


@pytest.fixture(scope="module")
def sample_graph() -> nx.DiGraph:
    g = build_graph(random_messages(2500, 250, seed=7))
    g.add_node("isolated_one")
    return g


def test_pagerank_equals_networkx(sample_graph):
    nodes = node_metrics(sample_graph)
    reference = _pagerank_python(sample_graph, alpha=0.85, weight="weight", tol=1e-12, max_iter=1000)
    assert np.allclose(nodes["pagerank"].to_list(), [reference[h] for h in nodes["handle"]], rtol=1e-6, atol=1e-12)


def test_exact_betweenness_equals_networkx(sample_graph):
    nodes = node_metrics(sample_graph)
    reference = nx.betweenness_centrality(sample_graph, normalized=True)
    assert np.allclose(nodes["betweenness"].to_list(), [reference[h] for h in nodes["handle"]], atol=1e-12)
    assert max(nodes["betweenness"]) > 0


@pytest.mark.parametrize("samples", [2, 30])
def test_sampled_betweenness_equals_networkx_with_the_same_seed(sample_graph, samples):
    nodes = node_metrics(sample_graph, betweenness_sample_threshold=100, betweenness_samples=samples, seed=5)
    reference = nx.betweenness_centrality(sample_graph, k=samples, normalized=True, seed=5)
    assert np.allclose(nodes["betweenness"].to_list(), [reference[h] for h in nodes["handle"]], atol=1e-12)
    exact = node_metrics(sample_graph)["betweenness"].to_numpy()
    assert not np.allclose(nodes["betweenness"].to_numpy(), exact)  # really sampled


def test_kcore_reciprocity_components_density_equal_networkx(sample_graph):
    nodes = node_metrics(sample_graph)
    cores = nx.core_number(sample_graph.to_undirected())
    assert nodes["kcore"].to_list() == [cores[h] for h in nodes["handle"]]
    metrics = graph_metrics(sample_graph, nodes)
    assert metrics["reciprocity"] == pytest.approx(nx.overall_reciprocity(sample_graph))
    assert metrics["components"] == nx.number_weakly_connected_components(sample_graph)
    assert metrics["density"] == pytest.approx(nx.density(sample_graph))
    assert metrics["isolates"] == nx.number_of_isolates(sample_graph) == 1


def undirected_summed(g: nx.DiGraph) -> nx.Graph:
    u = nx.Graph()
    u.add_nodes_from(g)
    for a, b, w in g.edges(data="weight"):
        u.add_edge(a, b, weight=w + (u.edges[a, b]["weight"] if u.has_edge(a, b) else 0))
    return u


def test_modularity_of_the_same_partition_equals_networkx(sample_graph):
    nodes = node_metrics(sample_graph)
    parts = nodes.group_by("community").agg("handle")["handle"].to_list()
    reference = nx.community.modularity(undirected_summed(sample_graph), [set(p) for p in parts], weight="weight")
    assert graph_metrics(sample_graph, nodes)["modularity"] == pytest.approx(reference, abs=1e-12)


def test_louvain_modularity_close_to_networkx_louvain(sample_graph):
    # the partitions may differ (random node order); the quality reached must not
    ours = graph_metrics(sample_graph)["modularity"]
    u = undirected_summed(sample_graph)
    theirs = nx.community.modularity(u, nx.community.louvain_communities(u, weight="weight", seed=42),
                                     weight="weight")
    assert ours > 0.05 and ours == pytest.approx(theirs, abs=0.03)


def test_louvain_is_seeded_and_restores_igraph_rng(sample_graph):
    import igraph

    first = node_metrics(sample_graph)["community"].to_list()
    random.seed(123)
    expected = random.random()
    random.seed(123)
    second = node_metrics(sample_graph)["community"].to_list()
    assert first == second
    assert random.random() == expected  # node_metrics did not consume the global generator
    igraph.Graph.Erdos_Renyi(5, 0.5)  # igraph still works with its default generator
    labels = node_metrics(sample_graph)["community"]
    assert labels.value_counts().sort("count", descending=True)["community"][0] == 0  # 0 = largest community


def test_undirected_input_matches_networkx():
    g = nx.karate_club_graph()
    for u, v in g.edges:
        g.edges[u, v]["weight"] = 1
    nodes = node_metrics(g)
    reference = nx.betweenness_centrality(g)
    assert np.allclose(nodes["betweenness"].to_list(), [reference[n] for n in g], atol=1e-12)
    assert engine.to_igraph(g).graph.ecount() == 2 * g.number_of_edges()


# ------------------------------------------------------------------------------------------------------ shapes


def _shape(g: nx.DiGraph, moderators=()) -> dict:
    nodes = node_metrics(g, moderators=moderators)
    return classify_shape(g, nodes, graph_metrics(g, nodes, moderators=moderators), moderators=moderators)


def _clique(g: nx.DiGraph, members: list[str]) -> None:
    g.add_edges_from((u, v, {"weight": 1, "reply": 1}) for u in members for v in members if u != v)


def shape_polarized() -> nx.DiGraph:
    g = nx.DiGraph()
    _clique(g, [f"l{i}" for i in range(7)])
    _clique(g, [f"r{i}" for i in range(7)])
    g.add_edge("l0", "r0", weight=1, mention=1)
    return g


def shape_tight() -> nx.DiGraph:
    g = nx.DiGraph()
    _clique(g, [f"p{i}" for i in range(9)])
    g.add_node("lurker")
    return g


def shape_brand() -> nx.DiGraph:
    g = nx.DiGraph()
    g.add_nodes_from(f"fan{i}" for i in range(12))
    for i in range(3):
        g.add_edge(f"pair{i}a", f"pair{i}b", weight=1, mention=1)
    return g


def shape_community() -> nx.DiGraph:
    g = nx.DiGraph()
    groups = [[f"g{k}m{i}" for i in range(5)] for k in range(4)]
    for group in groups:
        _clique(g, group)
    for k in range(4):
        g.add_edge(groups[k][0], groups[(k + 1) % 4][1], weight=1, mention=1)
    return g


def shape_broadcast() -> nx.DiGraph:
    g = nx.DiGraph()
    g.add_edges_from((f"fan{i}", "news", {"weight": 2, "repost": 1, "mention": 1}) for i in range(10))
    g.add_edge("fan0", "fan1", weight=1, reply=1)
    return g


def shape_support() -> nx.DiGraph:
    g = nx.DiGraph()
    g.add_edges_from(("helpdesk", f"user{i}", {"weight": 1, "reply": 1}) for i in range(10))
    g.add_edges_from((f"user{i}", "helpdesk", {"weight": 1, "mention": 1}) for i in range(3))
    return g


@pytest.mark.parametrize("make, shape", [
    (shape_polarized, "polarized crowd"),
    (shape_tight, "tight crowd"),
    (shape_brand, "brand clusters"),
    (shape_community, "community clusters"),
    (shape_broadcast, "broadcast network"),
    (shape_support, "support network"),
])
def test_each_shape(make, shape):
    result = _shape(make())
    assert result["shape"] == shape
    assert result["rule"].startswith(shape + ":")
    assert json.loads(json.dumps(result)) == result


def test_shape_evidence_and_thresholds():
    result = _shape(shape_broadcast(), moderators=["news"])
    ev = result["evidence"]
    assert (ev["broadcast_hub"], ev["broadcast_spokes"], ev["broadcast_hub_is_moderator"]) == ("news", 10, True)
    assert ev["broadcast_spoke_share"] == 1.0 and ev["broadcast_hub_weight_share"] == pytest.approx(20 / 21, abs=1e-4)
    assert "(>= 30%)" in result["rule"]
    g = shape_broadcast()
    nodes = node_metrics(g)
    strict = classify_shape(g, nodes, graph_metrics(g, nodes), thresholds=ShapeThresholds(hub_min_spokes=11))
    assert strict["shape"] != "broadcast network"
    polar = _shape(shape_polarized())["evidence"]
    assert polar["community_shares"] == [0.5, 0.5] and polar["between_share_top2"] == pytest.approx(1 / 85, abs=1e-4)


def test_shape_of_an_empty_graph():
    assert classify_shape(nx.DiGraph())["shape"] is None


# ------------------------------------------------------------------------------------------------------ export


@pytest.mark.parametrize("writer, reader", [(write_graphml, nx.read_graphml), (write_gexf, nx.read_gexf)])
def test_export_round_trip(tmp_path, writer, reader):
    g = build_graph(random_messages(200, 25, seed=4))
    g.add_node("odd\x01name", name="Eve <script>", tags=["a", "b"], note=None)
    nodes = node_metrics(g)
    path = writer(g, tmp_path / "graph.out", nodes=nodes)
    back = reader(path)
    assert set(back.nodes) == {n.replace("\x01", "") for n in g.nodes}
    assert set(back.edges) == set(g.edges)
    for u, v, w in g.edges(data="weight"):
        assert back.edges[u, v]["weight"] == w
        assert back.edges[u, v]["reply"] == g.edges[u, v]["reply"]
    odd = back.nodes["oddname"]
    assert odd["name"] == "Eve <script>" and odd["tags"] == "a; b" and "note" not in odd
    top = nodes.sort("pagerank", descending=True).row(0, named=True)
    assert back.nodes[top["handle"]]["pagerank"] == pytest.approx(top["pagerank"])
    assert back.nodes[top["handle"]]["community"] == top["community"]


# ------------------------------------------------------------------------------------------------ properties

_handles = st.sampled_from(["ann", "Bob", "@cy", "dee", "", "ann "])
_message = st.fixed_dictionaries({
    "author_handle": st.sampled_from(["ann", "bob", "cy", "dee"]),
    "kind": st.sampled_from(["post", "reply", "repost", "quote"]),
    "reply_to_author_handle": st.none() | _handles,
    "repost_of_author_handle": st.none() | _handles,
    "quote_of_author_handle": st.none() | _handles,
    "mentions": st.lists(_handles, max_size=4),
})


@settings(max_examples=60, deadline=None)
@given(st.lists(_message, min_size=1, max_size=12))
def test_build_invariants(rows):
    msgs = messages(*rows)
    g = build_graph(msgs)
    edges = edges_frame(msgs)
    assert nx.number_of_selfloops(g) == 0
    assert all(h == h.strip().lstrip("@").lower() and h for h in g.nodes)
    assert edges_frame(g).equals(edges)
    reposts = sum(1 for r in rows if r["kind"] == "repost" and (r["repost_of_author_handle"] or "").strip()
                  .lstrip("@").lower() not in ("", r["author_handle"]))
    assert edges["repost"].sum() == reposts
    nodes = node_metrics(g)
    assert nodes["pagerank"].sum() == pytest.approx(1.0)
    assert json.loads(json.dumps(graph_metrics(g, nodes))) is not None
    assert classify_shape(g, nodes)["shape"] in {None, *SHAPES}
