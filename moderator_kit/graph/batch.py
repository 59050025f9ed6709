"""Many interaction graphs at once: the graph of every session of a chat, measured in one pass.

Measuring the ~2,000 session graphs of a big archive one by one (build a networkx graph, copy it to igraph, a dozen
small polars frames per graph) costs tens of milliseconds per session, mostly fixed overhead. Here the node and
edge tables of all groups are built in one polars pass (:func:`grouped_frames`); then :func:`measure_groups` computes
what needs no graph algorithm (strengths, degrees, weights by type, isolates, moderator centralization) for all
groups at once in numpy, and runs the graph algorithms of :mod:`moderator_kit.graph.engine` per group on an igraph
graph made straight from integer arrays: the same vertex order (handles sorted), the same edge order
(source, target) and the same weights as ``to_igraph(build_graph(group messages))``, hence the same numbers, seeds
included. Shapes are classified for all groups together (:func:`moderator_kit.graph.classify_shapes`).

Each group's results equal :func:`~moderator_kit.graph.node_metrics`, :func:`~moderator_kit.graph.graph_metrics` and
:func:`~moderator_kit.graph.classify_shape` on that group's graph alone (``tests/test_graph_batch.py`` checks it).

Examples
--------
>>> import polars as pl
>>> msgs = pl.DataFrame({"session_id": ["s1", "s1", "s2"], "author_handle": ["ann", "bob", "cy"],
...                      "kind": ["post", "reply", "post"], "reply_to_author_handle": [None, "ann", None],
...                      "mentions": [[], [], ["ann"]]})
>>> nodes, edges = grouped_frames(msgs, by="session_id")
>>> edges.select("session_id", "source", "target", "weight").rows()
[('s1', 'bob', 'ann', 1), ('s2', 'cy', 'ann', 1)]
>>> measured = measure_groups(nodes, edges, by="session_id")
>>> measured.nodes.select("session_id", "handle", "in_degree").rows()
[('s1', 'ann', 1), ('s1', 'bob', 0), ('s2', 'ann', 1), ('s2', 'cy', 0)]
>>> measured.metrics["s2"]["edges"], measured.shapes["s1"]["shape"]
(1, 'tight crowd')
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import igraph as ig
import networkx as nx
import numpy as np
import polars as pl

from moderator_kit.graph import engine
from moderator_kit.graph.build import (
    EDGE_SCHEMA,
    EDGE_TYPES,
    _edges_from_interactions,
    _handle,
    _lazy,
    _with_optional,
    interactions,
)
from moderator_kit.graph.metrics import NODE_METRICS_SCHEMA, graph_metrics, normalize_handles
from moderator_kit.graph.shape import ShapeThresholds, classify_shape, classify_shapes

__all__ = ["GroupedGraphs", "grouped_frames", "merge_groups", "measure_groups", "strongest_edges"]

_Frame = pl.DataFrame | pl.LazyFrame


def grouped_frames(messages: _Frame, *, by: str, interaction_rows: _Frame | None = None
                   ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The node handles ``[by, handle]`` and edges ``[by, *EDGE_SCHEMA]`` of the graph of every ``by`` group.

    Nodes are every author plus every handle addressed, sorted by (group, handle); edges are sorted by
    (group, source, target). Per group they are the nodes and edges of ``build_graph`` on that group's messages.
    ``interaction_rows`` (:func:`moderator_kit.graph.interactions` of the same messages with ``by`` among its keys)
    saves computing the interactions again.
    """
    lf = _with_optional(_lazy(messages))
    inter = _lazy(interaction_rows) if interaction_rows is not None else interactions(lf, keys=[by])
    authors = lf.select(by, handle=_handle(pl.col("author_handle"))).filter(pl.col("handle").is_not_null())
    targets = inter.select(by, handle=pl.col("target"))
    nodes = pl.concat([authors, targets]).unique().sort(by, "handle")
    return tuple(pl.collect_all([nodes, _edges_from_interactions(inter.select(by, "source", "target", "type"), [by])]))


def merge_groups(nodes: pl.DataFrame, edges: pl.DataFrame, *, by: str, group: str
                 ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The graph of several groups together, from the groups' own node and edge frames (:func:`grouped_frames`).

    Its nodes are the union of the groups' nodes; an edge's counts (and its weight) are the sums of that edge's
    counts over the groups, so it equals :func:`grouped_frames` of all the groups' messages at once. The result
    carries ``by`` = ``group``: the cumulative graph of a chat from its sessions' graphs.

    >>> import polars as pl
    >>> nodes = pl.DataFrame({"s": ["a", "a", "b", "b"], "handle": ["ann", "bob", "bob", "cy"]})
    >>> edges = pl.DataFrame({"s": ["a", "b"], "source": ["ann", "ann"], "target": ["bob", "bob"], "weight": [1, 2],
    ...                       "reply": [1, 1], "mention": [0, 1], "repost": [0, 0], "quote": [0, 0]})
    >>> n, e = merge_groups(nodes, edges, by="s", group="all")
    >>> n["handle"].to_list(), e.select("weight", "reply", "mention").row(0)
    (['ann', 'bob', 'cy'], (3, 2, 1))
    """
    label = pl.lit(group, dtype=nodes.schema[by]).alias(by)
    merged_nodes = nodes.select(label, "handle").unique().sort(by, "handle")
    merged_edges = (edges.group_by("source", "target").agg(pl.col(*EDGE_TYPES).sum().cast(pl.Int64))
                    .with_columns(weight=pl.sum_horizontal(EDGE_TYPES), **{by: label})
                    .select(by, *EDGE_SCHEMA.names()).sort(by, "source", "target"))
    return merged_nodes, merged_edges


@dataclass
class GroupedGraphs:
    """What :func:`measure_groups` returns.

    ``nodes``: ``[by, *NODE_METRICS_SCHEMA]`` (groups in the order given, handles sorted); ``metrics``: group ->
    :func:`~moderator_kit.graph.graph_metrics` dict; ``shapes``: group -> :func:`~moderator_kit.graph.classify_shape`
    dict.
    """

    nodes: pl.DataFrame
    metrics: dict
    shapes: dict


def _offsets(codes: np.ndarray, groups: int) -> np.ndarray:
    return np.searchsorted(codes, np.arange(groups + 1), side="left")


def measure_groups(nodes: pl.DataFrame, edges: pl.DataFrame, *, by: str = "session_id",
                   groups: Sequence | None = None, moderators: Iterable[str] = (), seed: int = 42,
                   betweenness_sample_threshold: int = 2000, betweenness_samples: int = 200,
                   thresholds: ShapeThresholds | None = None) -> GroupedGraphs:
    """Node metrics, graph metrics and shape of every group's graph (see the module docstring).

    Parameters
    ----------
    nodes, edges
        From :func:`grouped_frames` (``nodes`` needs ``by`` and ``handle``; ``edges`` ``by`` and ``EDGE_SCHEMA``).
    groups
        The groups to measure, in output order (default: those of ``nodes``, sorted). A group without nodes gets
        the figures of an empty graph.
    moderators, seed, betweenness_sample_threshold, betweenness_samples, thresholds
        As for :func:`~moderator_kit.graph.node_metrics` and :func:`~moderator_kit.graph.classify_shape`.
    """
    mods = normalize_handles(moderators)
    if groups is None:
        groups = nodes[by].unique().sort().to_list()
    groups = list(groups)
    order = pl.DataFrame({by: groups, "_g": np.arange(len(groups), dtype=np.int64)},
                         schema={by: nodes.schema[by], "_g": pl.Int64})
    table = (nodes.select(by, "handle").join(order, on=by, how="inner").unique().sort("_g", "handle")
             .with_row_index("_v"))
    vid = table.select(by, "handle", pl.col("_v").cast(pl.Int64))
    links = (
        edges.select(by, "source", "target", "weight", *EDGE_TYPES)
        .join(vid.rename({"handle": "source", "_v": "_s"}), on=[by, "source"])
        .join(vid.rename({"handle": "target", "_v": "_t"}), on=[by, "target"])
        .join(order, on=by)
        .sort("_g", "_s", "_t")
    )
    n_groups, n_nodes = len(groups), table.height
    node_group = table["_g"].to_numpy()
    handles = table["handle"].to_list()
    edge_group = links["_g"].to_numpy()
    src = links["_s"].to_numpy()
    dst = links["_t"].to_numpy()
    weight = links["weight"].cast(pl.Float64).to_numpy()
    weight_values = links["weight"].to_list()  # the Python numbers to_igraph would copy
    node_at = _offsets(node_group, n_groups)
    edge_at = _offsets(edge_group, n_groups)

    # --- what needs no graph algorithm, for every group at once (integer weights: every sum is exact)
    in_strength = np.bincount(dst, weights=weight, minlength=n_nodes)
    out_strength = np.bincount(src, weights=weight, minlength=n_nodes)
    in_degree = np.bincount(dst, minlength=n_nodes)
    out_degree = np.bincount(src, minlength=n_nodes)
    is_moderator = table["handle"].is_in(sorted(mods)).to_numpy()
    isolates = np.bincount(node_group[(in_degree + out_degree) == 0], minlength=n_groups)
    total = np.bincount(edge_group, weights=weight, minlength=n_groups)
    by_type = {t: np.bincount(edge_group, weights=links[t].cast(pl.Float64).to_numpy(), minlength=n_groups)
               for t in EDGE_TYPES}
    touches = is_moderator[src] | is_moderator[dst] if len(src) else np.zeros(0, bool)
    moderated = np.bincount(edge_group[touches], weights=weight[touches], minlength=n_groups)

    # --- the graph algorithms, group by group, on igraph graphs made from the integer arrays
    pagerank: list[float] = []
    between: list[float] = []
    community: list[int] = []
    kcore: list[int] = []
    metrics: dict = {}
    empty: list = []
    pairs = np.column_stack([src, dst]) if len(src) else np.zeros((0, 2), dtype=np.int64)
    for i, group in enumerate(groups):
        lo, hi = int(node_at[i]), int(node_at[i + 1])
        a, b = int(edge_at[i]), int(edge_at[i + 1])
        n, m = hi - lo, b - a
        if n == 0:
            empty.append(group)
            metrics[group] = graph_metrics(nx.DiGraph(), pl.DataFrame(schema=NODE_METRICS_SCHEMA), moderators=mods)
            continue
        graph = ig.Graph(n=n, edges=(pairs[a:b] - lo).tolist(), directed=True,
                         edge_attrs={"weight": weight_values[a:b]})
        view = engine.IGraphView(graph, handles[lo:hi])
        values, _ = engine.betweenness(view, seed=seed, sample_threshold=betweenness_sample_threshold,
                                       samples=betweenness_samples)
        between.extend(values)
        pagerank.extend(engine.pagerank(view))
        membership = engine.louvain(view, seed=seed)
        community.extend(membership)
        kcore.extend(engine.coreness(view))
        sizes = engine.weak_component_sizes(view)
        community_sizes = np.bincount(membership)
        group_total = float(total[i]) if m else 0.0
        centralization = None
        if mods:
            centralization = float(moderated[i] / group_total) if m and group_total > 0 else 0.0
        metrics[group] = {
            "nodes": n,
            "edges": m,
            "total_weight": group_total,
            "weight_by_type": {t: int(by_type[t][i]) for t in EDGE_TYPES},
            "density": (m / (n * (n - 1))) if n > 1 else 0.0,
            "reciprocity": float(engine.reciprocity(view)),
            "modularity": float(engine.modularity(view, membership)),
            "components": len(sizes),
            "largest_component_share": sizes[0] / n,
            "communities": int((community_sizes >= 2).sum()),
            "largest_community_share": float(community_sizes.max() / n),
            "isolates": int(isolates[i]),
            "moderator_centralization": centralization,
        }

    frame = pl.DataFrame(
        {
            by: table[by],
            "handle": table["handle"],
            "in_strength": in_strength,
            "out_strength": out_strength,
            "in_degree": in_degree,
            "out_degree": out_degree,
            "pagerank": np.asarray(pagerank, dtype=float),
            "betweenness": np.asarray(between, dtype=float),
            "community": np.asarray(community, dtype=np.int64),
            "kcore": np.asarray(kcore, dtype=np.int64),
            "is_moderator": is_moderator,
        },
    ).cast(NODE_METRICS_SCHEMA)
    skip = set(empty)
    measured = {g: metrics[g] for g in groups if g not in skip}
    shapes = classify_shapes(links.select(by, *EDGE_SCHEMA.names()), frame, measured, by=by, moderators=mods,
                             thresholds=thresholds)
    for group in empty:
        shapes[group] = classify_shape(nx.DiGraph(), pl.DataFrame(schema=NODE_METRICS_SCHEMA), metrics[group],
                                       moderators=mods, thresholds=thresholds)
    return GroupedGraphs(nodes=frame, metrics={g: metrics[g] for g in groups}, shapes={g: shapes[g] for g in groups})


def strongest_edges(edges: pl.DataFrame, n: int, *, by: str = "session_id", groups: Sequence | None = None
                    ) -> pl.DataFrame:
    """The ``n`` heaviest edges of each group; ties keep the (source, target) order of :func:`grouped_frames`.

    Groups come sorted, or in the order of ``groups`` (groups not listed are left out).

    >>> import polars as pl
    >>> e = pl.DataFrame({"g": ["a", "a", "a", "b"], "source": ["x", "y", "z", "x"], "target": ["y", "x", "x", "y"],
    ...                   "weight": [1, 3, 1, 2]})
    >>> strongest_edges(e, 2, by="g").select("g", "source", "weight").rows()
    [('a', 'y', 3), ('a', 'x', 1), ('b', 'x', 2)]
    """
    rank = pl.col(by)
    if groups is not None:
        order = pl.DataFrame({by: list(groups), "_g": range(len(groups))},
                             schema={by: edges.schema[by], "_g": pl.Int64})
        edges, rank = edges.join(order, on=by), pl.col("_g")
    return (
        edges.sort([rank, pl.col("weight"), pl.col("source"), pl.col("target")], descending=[False, True, False, False])
        .filter(pl.int_range(pl.len()).over(by) < n)
        .drop("_g", strict=False)
    )
