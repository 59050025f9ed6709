"""igraph behind the networkx graph: the heavy graph algorithms, with networkx's conventions.

The project hands networkx graphs around (easy to inspect, export and test). The algorithms that are slow in pure
Python run in igraph (C) on a copy made by :func:`to_igraph`: node ``i`` of the copy is ``view.names[i]``, the i-th node
of the networkx graph, and each edge keeps its ``weight``. Every function returns numbers on networkx's scale, so the
tests can compare them with networkx's own implementation:

============================  ==============================================================================
function                      equals (networkx)
============================  ==============================================================================
:func:`pagerank`              ``nx.pagerank(G, alpha=0.85, weight="weight")`` (up to its tolerance)
:func:`betweenness`           ``nx.betweenness_centrality(G, k=k, seed=seed)`` (exact below the threshold)
:func:`coreness`              ``nx.core_number(G.to_undirected())``
:func:`modularity`            ``nx.community.modularity(U, parts, weight="weight")``, U = :func:`undirected`
:func:`reciprocity`           ``nx.overall_reciprocity(G)``
:func:`louvain`               same algorithm as ``nx.community.louvain_communities(U, seed=seed)``; the partitions
                              may differ (random node order), their modularity agrees within a tolerance
============================  ==============================================================================

Examples
--------
>>> import networkx as nx
>>> view = to_igraph(nx.DiGraph([("a", "b", {"weight": 2}), ("b", "c", {"weight": 1})]))
>>> view.names, view.graph.get_edgelist(), view.graph.es["weight"]
(['a', 'b', 'c'], [(0, 1), (1, 2)], [2, 1])
>>> betweenness(view)[0]
[0.0, 0.5, 0.0]
"""

from __future__ import annotations

import gc
import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import repeat

import igraph as ig
import networkx as nx

__all__ = [
    "IGraphView",
    "to_igraph",
    "undirected",
    "pagerank",
    "betweenness",
    "sample_sources",
    "louvain",
    "coreness",
    "modularity",
    "reciprocity",
    "weak_component_sizes",
    "seeded_rng",
]

_RNG_LOCK = threading.RLock()


@contextmanager
def seeded_rng(seed: int) -> Iterator[None]:
    """igraph's random generator set to a private ``random.Random(seed)`` for the block, then put back.

    igraph's generator is global to the process, so the block holds a lock: two threads (a dashboard computing a
    layout while an analysis runs Louvain) never draw from each other's generator.

    >>> import igraph as ig
    >>> g = ig.Graph.Ring(6)
    >>> with seeded_rng(1):
    ...     first = g.layout_random().coords
    >>> with seeded_rng(1):
    ...     first == g.layout_random().coords
    True
    """
    with _RNG_LOCK:
        ig.set_random_number_generator(random.Random(seed))
        try:
            yield
        finally:
            ig.set_random_number_generator(random)


@dataclass
class IGraphView:
    """A directed igraph copy of a networkx graph; ``names[i]`` is the networkx node of igraph vertex ``i``."""

    graph: ig.Graph
    names: list
    _undirected: ig.Graph | None = field(default=None, repr=False)

    @property
    def n(self) -> int:
        return self.graph.vcount()


def to_igraph(graph: nx.Graph, *, attrs: tuple[str, ...] = ("weight",)) -> IGraphView:
    """Copy a networkx graph into igraph (directed; an undirected graph gets both directions of each edge).

    ``attrs`` are the edge attributes copied (a missing ``weight`` counts as 1, any other missing attribute as 0).
    Self-loops are kept as they are (:func:`moderator_kit.graph.build_graph` makes none).

    >>> import networkx as nx
    >>> view = to_igraph(nx.DiGraph([("a", "b", {"reply": 2})]), attrs=("weight", "reply", "quote"))
    >>> view.graph.es["weight"], view.graph.es["reply"], view.graph.es["quote"]
    ([1], [2], [0])
    """
    if not graph.is_directed():
        graph = nx.DiGraph(graph)
    names = list(graph)
    index = {name: i for i, name in enumerate(names)}
    position = index.__getitem__
    sources: list[int] = []
    targets: list[int] = []
    data: list[dict] = []
    enabled = gc.isenabled()
    gc.disable()  # many small allocations; a full collection would walk the whole networkx graph
    try:
        for u, neighbours in graph.adjacency():
            sources.extend(repeat(index[u], len(neighbours)))
            targets.extend(map(position, neighbours))
            data.extend(neighbours.values())
        columns = {name: [d.get(name, 1) for d in data] if name == "weight" else [d.get(name) or 0 for d in data]
                   for name in attrs}
        copy = ig.Graph(n=len(names), edges=list(zip(sources, targets)), directed=True, edge_attrs=columns)
    finally:
        if enabled:
            gc.enable()
    return IGraphView(copy, names)


def undirected(view: IGraphView) -> ig.Graph:
    """The undirected weighted graph used for communities, modularity and k-core (cached on the view).

    ``u -> v`` and ``v -> u`` collapse into one edge ``{u, v}`` whose weight is the sum of both directions.
    """
    if view._undirected is None:
        view._undirected = view.graph.as_undirected(mode="collapse", combine_edges={"weight": "sum"})
    return view._undirected


def pagerank(view: IGraphView, *, damping: float = 0.85) -> list[float]:
    """Weighted directed PageRank (PRPACK); dangling nodes jump uniformly, as in networkx. Sums to 1."""
    if view.n == 0:
        return []
    return view.graph.pagerank(directed=True, damping=damping, weights="weight", implementation="prpack")


def sample_sources(names: list, k: int, seed: int) -> list:
    """The ``k`` source nodes networkx samples for ``betweenness_centrality(G, k=k, seed=seed)``.

    >>> sample_sources(["a", "b", "c", "d"], 2, seed=42) == random.Random(42).sample(["a", "b", "c", "d"], 2)
    True
    """
    return random.Random(seed).sample(list(names), k)


def betweenness(view: IGraphView, *, seed: int = 42, sample_threshold: int = 2000,
                samples: int = 200) -> tuple[list[float], bool]:
    """Directed, unweighted (hop-count) betweenness, normalised as networkx does; returns ``(values, sampled)``.

    Exact (Brandes 2001) when the graph has at most ``sample_threshold`` nodes. Above it, the paths from ``samples``
    sources drawn with ``random.Random(seed)`` (the very sources networkx draws) are counted and rescaled
    (Brandes & Pich 2007): with ``N = n - 1`` possible targets, a sampled source's value is divided by
    ``(k - 1)(N - 1)`` and any other node's by ``k (N - 1)``. Exact values are divided by ``(n - 1)(n - 2)``.
    """
    n = view.n
    sampled = n > sample_threshold and 0 < samples < n
    if n <= 2:
        return [0.0] * n, False
    if not sampled:
        raw = view.graph.betweenness(directed=True)
        scale = 1.0 / ((n - 1) * (n - 2))
        return [b * scale for b in raw], False
    index = {name: i for i, name in enumerate(view.names)}
    sources = [index[name] for name in sample_sources(view.names, samples, seed)]
    raw = view.graph.betweenness(directed=True, sources=sources)
    k, big_n = samples, n - 1
    scale_source = 1.0 / ((k - 1) * (big_n - 1)) if k > 1 else float("nan")
    scale_other = 1.0 / (k * (big_n - 1))
    is_source = set(sources)
    return [b * (scale_source if i in is_source else scale_other) for i, b in enumerate(raw)], True


def louvain(view: IGraphView, *, seed: int = 42, resolution: float = 1.0) -> list[int]:
    """Louvain communities (Blondel et al. 2008) of the undirected weighted graph, with a fixed seed.

    Labels are renumbered deterministically: 0 is the largest community, ties broken by the first node. igraph draws
    its random node order from Python's ``random`` API: a private ``random.Random(seed)`` is installed for the call
    and igraph's default generator (the ``random`` module) is put back afterwards.
    """
    if view.n == 0:
        return []
    graph = undirected(view)
    with seeded_rng(seed):
        membership = graph.community_multilevel(weights="weight", resolution=resolution).membership
    return _relabel(membership)


def _relabel(membership: list[int]) -> list[int]:
    sizes: dict[int, int] = {}
    first: dict[int, int] = {}
    for i, c in enumerate(membership):
        sizes[c] = sizes.get(c, 0) + 1
        first.setdefault(c, i)
    order = sorted(sizes, key=lambda c: (-sizes[c], first[c]))
    new = {c: rank for rank, c in enumerate(order)}
    return [new[c] for c in membership]


def coreness(view: IGraphView) -> list[int]:
    """k-core number (Seidman 1983) of each node in the undirected simple graph: distinct neighbours count once."""
    if view.n == 0:
        return []
    return undirected(view).coreness(mode="all")


def modularity(view: IGraphView, membership: list[int], *, resolution: float = 1.0) -> float:
    """Newman modularity of a partition of the undirected weighted graph; 0.0 for a graph without edges."""
    graph = undirected(view)
    if graph.ecount() == 0 or sum(graph.es["weight"]) == 0:
        return 0.0
    return graph.modularity(membership, weights="weight", resolution=resolution, directed=False)


def reciprocity(view: IGraphView) -> float:
    """Share of directed edges whose reverse edge also exists (unweighted); 0.0 without edges."""
    if view.graph.ecount() == 0:
        return 0.0
    return view.graph.reciprocity(ignore_loops=True, mode="default")


def weak_component_sizes(view: IGraphView) -> list[int]:
    """Sizes of the weakly connected components, largest first."""
    if view.n == 0:
        return []
    return sorted(view.graph.connected_components(mode="weak").sizes(), reverse=True)
