"""Node and graph metrics of an interaction graph, computed in igraph with networkx's conventions.

See ``docs/metrics/graph.md`` for each formula and its source.

Examples
--------
>>> import networkx as nx
>>> star = nx.DiGraph([(leaf, "hub", {"weight": 1}) for leaf in "abcd"])
>>> nodes = node_metrics(star, moderators=["hub"])
>>> nodes.filter(is_moderator=True).select("handle", "in_strength", "in_degree", "kcore").rows()
[('hub', 4.0, 4, 1)]
>>> m = graph_metrics(star, nodes, moderators=["hub"])
>>> m["nodes"], m["edges"], m["density"], m["moderator_centralization"]
(5, 4, 0.2, 1.0)
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx
import numpy as np
import polars as pl

from moderator_kit.graph import engine
from moderator_kit.graph.build import EDGE_TYPES

__all__ = ["NODE_METRICS_SCHEMA", "node_metrics", "graph_metrics", "normalize_handles"]

NODE_METRICS_SCHEMA = pl.Schema(
    {
        "handle": pl.String,
        "in_strength": pl.Float64,
        "out_strength": pl.Float64,
        "in_degree": pl.Int64,
        "out_degree": pl.Int64,
        "pagerank": pl.Float64,
        "betweenness": pl.Float64,
        "community": pl.Int64,
        "kcore": pl.Int64,
        "is_moderator": pl.Boolean,
    }
)


def normalize_handles(handles: Iterable[str] | None) -> set[str]:
    """Lower-case handles without a leading ``@``.

    >>> sorted(normalize_handles(["@Ann", " bob "]))
    ['ann', 'bob']
    """
    return {h.strip().lstrip("@").lower() for h in (handles or ()) if h and h.strip().lstrip("@")}


def node_metrics(graph: nx.DiGraph, *, moderators: Iterable[str] = (), seed: int = 42,
                 betweenness_sample_threshold: int = 2000, betweenness_samples: int = 200) -> pl.DataFrame:
    """One row per node: strengths, degrees, PageRank, betweenness, Louvain community, k-core, moderator flag.

    Parameters
    ----------
    graph
        A graph from :func:`moderator_kit.graph.build_graph` (edge attribute ``weight``).
    moderators
        Handles of the chat's moderators (``is_moderator``).
    seed
        Seed of the betweenness source sample and of Louvain's node order.
    betweenness_sample_threshold, betweenness_samples
        Betweenness is exact up to this many nodes; above it, it is estimated from this many sampled sources.

    Returns
    -------
    polars.DataFrame
        Columns of :data:`NODE_METRICS_SCHEMA`, in the graph's node order. ``in_degree`` / ``out_degree`` count
        distinct neighbours, ``in_strength`` / ``out_strength`` sum the edge weights.

    Examples
    --------
    >>> import networkx as nx
    >>> path = nx.DiGraph([("a", "b"), ("b", "c")])
    >>> node_metrics(path).select("handle", "betweenness", "out_degree").rows()
    [('a', 0.0, 1), ('b', 0.5, 1), ('c', 0.0, 0)]
    """
    view = engine.to_igraph(graph)
    if view.n == 0:
        return pl.DataFrame(schema=NODE_METRICS_SCHEMA)
    g = view.graph
    between, _ = engine.betweenness(view, seed=seed, sample_threshold=betweenness_sample_threshold,
                                    samples=betweenness_samples)
    mods = normalize_handles(moderators)
    frame = pl.DataFrame(
        {
            "handle": [str(name) for name in view.names],
            "in_strength": g.strength(mode="in", weights="weight", loops=False),
            "out_strength": g.strength(mode="out", weights="weight", loops=False),
            "in_degree": g.indegree(),
            "out_degree": g.outdegree(),
            "pagerank": engine.pagerank(view),
            "betweenness": between,
            "community": engine.louvain(view, seed=seed),
            "kcore": engine.coreness(view),
        },
        strict=False,
    )
    return frame.with_columns(is_moderator=pl.col("handle").is_in(list(mods))).cast(NODE_METRICS_SCHEMA)


def graph_metrics(graph: nx.DiGraph, nodes: pl.DataFrame | None = None, *,
                  moderators: Iterable[str] = ()) -> dict:
    """Graph-level figures as a JSON-serialisable dict.

    Keys: ``nodes``, ``edges``, ``total_weight``, ``weight_by_type`` (reply / mention / repost / quote counts),
    ``density`` (``m / (n (n - 1))``), ``reciprocity`` (share of edges whose reverse exists), ``modularity`` (of the
    ``community`` column of ``nodes`` on the undirected weighted graph), ``components`` (weakly connected, isolates
    included), ``largest_component_share`` (nodes in the largest weak component / nodes), ``communities`` (Louvain
    communities with at least 2 nodes), ``largest_community_share`` (of all nodes), ``isolates`` (nodes without any
    edge) and ``moderator_centralization`` (share of the total edge weight on edges with a moderator at either end;
    ``None`` when no moderator is given).

    ``nodes`` is the output of :func:`node_metrics`; it is computed when omitted.

    >>> import networkx as nx
    >>> g = nx.DiGraph([("a", "b", {"weight": 3}), ("b", "a", {"weight": 1})])
    >>> g.add_node("c")
    >>> m = graph_metrics(g, moderators=["a"])
    >>> m["reciprocity"], m["components"], m["isolates"], m["moderator_centralization"]
    (1.0, 2, 1, 1.0)
    """
    mods = normalize_handles(moderators)
    if nodes is None:
        nodes = node_metrics(graph, moderators=mods)
    view = engine.to_igraph(graph, attrs=("weight", *EDGE_TYPES))
    n, m = view.n, view.graph.ecount()
    weights = np.asarray(view.graph.es["weight"] if m else [], dtype=float)
    total = float(weights.sum()) if m else 0.0
    centralization = None
    if mods:
        if m and total > 0:
            is_mod = np.array([str(name) in mods for name in view.names], dtype=bool)
            ends = np.asarray(view.graph.get_edgelist(), dtype=np.int64)
            touches = is_mod[ends[:, 0]] | is_mod[ends[:, 1]]
            centralization = float(weights[touches].sum() / total)
        else:
            centralization = 0.0
    membership = _membership(view, nodes)
    sizes = engine.weak_component_sizes(view)
    community_sizes = np.bincount(membership) if n else np.array([], dtype=int)
    isolates = int(sum(1 for d in view.graph.degree() if d == 0)) if n else 0
    return {
        "nodes": n,
        "edges": m,
        "total_weight": total,
        "weight_by_type": {t: int(sum(view.graph.es[t])) if m else 0 for t in EDGE_TYPES},
        "density": (m / (n * (n - 1))) if n > 1 else 0.0,
        "reciprocity": float(engine.reciprocity(view)),
        "modularity": float(engine.modularity(view, membership)) if n else 0.0,
        "components": len(sizes),
        "largest_component_share": (sizes[0] / n) if n else 0.0,
        "communities": int((community_sizes >= 2).sum()),
        "largest_community_share": float(community_sizes.max() / n) if n else 0.0,
        "isolates": isolates,
        "moderator_centralization": centralization,
    }


def _membership(view: engine.IGraphView, nodes: pl.DataFrame) -> list[int]:
    """Community labels aligned with ``view.names`` (nodes missing from ``nodes`` become singletons)."""
    if view.n == 0:
        return []
    labels = dict(zip(nodes["handle"].to_list(), nodes["community"].to_list()))
    next_label = max((c for c in labels.values() if c is not None), default=-1) + 1
    membership = []
    for name in view.names:
        label = labels.get(str(name))
        if label is None:
            label = next_label
            next_label += 1
        membership.append(int(label))
    return membership
