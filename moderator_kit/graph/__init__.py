"""The interaction graph of a chat: build it, measure it, name its shape, export it.

* :mod:`~moderator_kit.graph.build`: messages -> typed, weighted ``networkx.DiGraph`` (per session and cumulative);
* :mod:`~moderator_kit.graph.engine`: the heavy algorithms in igraph, on networkx's scale;
* :mod:`~moderator_kit.graph.metrics`: node metrics (frame) and graph metrics (JSON-ready dict);
* :mod:`~moderator_kit.graph.shape`: the six Pew/SMRF conversation shapes, with the rule that fired;
* :mod:`~moderator_kit.graph.batch`: the graphs of many sessions measured in one pass (same results as one by one);
* :mod:`~moderator_kit.graph.export`: GraphML and GEXF.

Formulas and sources: ``docs/metrics/graph.md``.
"""

from moderator_kit.graph.build import (
    EDGE_SCHEMA,
    EDGE_TYPES,
    build_graph,
    build_session_graphs,
    edges_frame,
    interactions,
    nodes_frame,
)
from moderator_kit.graph.export import sanitize_graph, write_gexf, write_graphml
from moderator_kit.graph.metrics import NODE_METRICS_SCHEMA, graph_metrics, node_metrics
from moderator_kit.graph.shape import SHAPES, ShapeThresholds, classify_shape, classify_shapes, shape_features
from moderator_kit.graph.batch import GroupedGraphs, grouped_frames, measure_groups, merge_groups, strongest_edges

__all__ = [
    "EDGE_SCHEMA",
    "EDGE_TYPES",
    "GroupedGraphs",
    "NODE_METRICS_SCHEMA",
    "SHAPES",
    "ShapeThresholds",
    "build_graph",
    "build_session_graphs",
    "classify_shape",
    "classify_shapes",
    "edges_frame",
    "graph_metrics",
    "grouped_frames",
    "merge_groups",
    "interactions",
    "measure_groups",
    "node_metrics",
    "nodes_frame",
    "sanitize_graph",
    "shape_features",
    "strongest_edges",
    "write_gexf",
    "write_graphml",
]
