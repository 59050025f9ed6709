"""Graph metrics of the bundled sample's cumulative graph equal networkx's own (slower, exact) implementations."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import polars as pl
import pytest

from moderator_kit.config import read_config
from moderator_kit.graph import build_graph, graph_metrics, node_metrics
from moderator_kit.io.twitter import read_twarc2
from moderator_kit.sessions import split_sessions

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "jobhuntchat"


@pytest.fixture(scope="module")
def sample_graph() -> nx.DiGraph:
    config = read_config(SAMPLE / "chat.yaml")
    _, tagged = split_sessions(read_twarc2(SAMPLE / "jobhuntchat.jsonl").messages, config)
    return build_graph(tagged)


def test_sample_node_metrics_equal_networkx(sample_graph):
    graph = sample_graph
    assert graph.number_of_nodes() > 50
    # Exact betweenness below the sampling threshold, so both sides compute the same quantity.
    nodes = node_metrics(graph, betweenness_sample_threshold=10_000).sort("handle")
    handles = nodes["handle"].to_list()
    from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

    pagerank = _pagerank_python(graph, weight="weight", tol=1e-12, max_iter=1000)
    assert np.allclose(nodes["pagerank"].to_numpy(), [pagerank[h] for h in handles], rtol=1e-5, atol=1e-9)
    betweenness = nx.betweenness_centrality(graph, normalized=True, weight=None)
    assert np.allclose(nodes["betweenness"].to_numpy(), [betweenness[h] for h in handles], atol=1e-9)
    undirected = nx.Graph()
    undirected.add_nodes_from(graph)
    undirected.add_edges_from(graph.edges())
    core = nx.core_number(undirected)
    assert nodes["kcore"].to_list() == [core[h] for h in handles]
    strength = dict(graph.in_degree(weight="weight"))
    assert nodes["in_strength"].to_list() == pytest.approx([strength[h] for h in handles])


def test_sample_graph_metrics_equal_networkx(sample_graph):
    graph = sample_graph
    nodes = node_metrics(graph)
    metrics = graph_metrics(graph, nodes)
    assert metrics["density"] == pytest.approx(nx.density(graph))
    assert metrics["reciprocity"] == pytest.approx(nx.reciprocity(graph))
    assert metrics["components"] == nx.number_weakly_connected_components(graph)
    communities = [set(group["handle"]) for group in nodes.partition_by("community")]
    weighted = nx.Graph()
    weighted.add_nodes_from(graph)
    for u, v, w in graph.edges(data="weight"):
        weighted.add_edge(u, v, weight=weighted.get_edge_data(u, v, {"weight": 0})["weight"] + w)
    assert metrics["modularity"] == pytest.approx(nx.community.modularity(weighted, communities, weight="weight"))
    # Louvain in networkx with the same seed finds a partition of comparable quality.
    reference = nx.community.louvain_communities(weighted, weight="weight", seed=42)
    assert abs(metrics["modularity"] - nx.community.modularity(weighted, reference, weight="weight")) < 0.05
