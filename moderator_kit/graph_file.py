"""The interaction graph of a session (or of the whole chat) as a GraphML or GEXF file, built from a snapshot.

One function for the ``export-graph`` command and the Network page's download buttons, so both write the same graph
with the same node metrics.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import polars as pl

from moderator_kit.graph import build_graph, write_gexf, write_graphml
from moderator_kit.snapshot import ALL_SESSIONS
from moderator_kit.snapshot_store import Snapshot

__all__ = ["GRAPH_FORMATS", "scope_graph", "write_scope_graph"]

#: The file formats a graph can be written in.
GRAPH_FORMATS = ("graphml", "gexf")


def scope_graph(snapshot: Snapshot, scope: str) -> tuple[nx.DiGraph, pl.DataFrame | None]:
    """The graph of ``scope`` and its node metrics from the snapshot (None when the snapshot has none).

    A session's graph is built from its chat-phase messages, as the analysis builds it; ``"all"`` (the cumulative
    graph) from every message of the chat.
    """
    messages = snapshot.table_or_empty("messages")
    if scope != ALL_SESSIONS and messages.height:
        messages = messages.filter((pl.col("session_id") == scope) & (pl.col("phase") == "chat"))
    nodes = snapshot.table_or_empty("nodes")
    if nodes.height:
        nodes = nodes.filter(pl.col("session_id") == scope).drop("session_id")
    return build_graph(messages), (nodes if nodes.height else None)


def write_scope_graph(snapshot: Snapshot, scope: str, fmt: str, path: Path | str) -> tuple[Path, nx.DiGraph]:
    """Write the graph of ``scope`` as ``fmt`` (``graphml`` or ``gexf``) to ``path``; returns the path and the graph."""
    if fmt not in GRAPH_FORMATS:
        raise ValueError(f"unknown graph format {fmt!r}; use one of {', '.join(GRAPH_FORMATS)}")
    graph, nodes = scope_graph(snapshot, scope)
    writer = write_graphml if fmt == "graphml" else write_gexf
    return writer(graph, Path(path), nodes=nodes), graph
