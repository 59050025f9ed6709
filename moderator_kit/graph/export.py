"""Write an interaction graph as GraphML or GEXF (for Gephi, Cytoscape, yEd, networkx).

Both formats only hold scalar attributes, so a sanitised copy is written:

* ``None`` values are left out (the attribute is absent for that node or edge);
* lists, tuples and sets become one string joined with ``"; "``; other non-scalar values become ``str(value)``;
* numpy scalars become Python numbers, booleans stay booleans;
* characters that XML 1.0 cannot hold (control characters other than tab and newline) are removed from strings and
  node ids. Handles are attacker-controlled text; the XML writers escape the rest.

Optionally the rows of :func:`moderator_kit.graph.node_metrics` are attached to the nodes, so that a viewer can size
nodes by PageRank and colour them by community.

Examples
--------
>>> import tempfile, pathlib, networkx as nx
>>> g = nx.DiGraph()
>>> g.add_edge("ann", "bob", weight=2, reply=2, tags=["x", "y"], note=None)
>>> path = pathlib.Path(tempfile.mkdtemp()) / "g.graphml"
>>> _ = write_graphml(g, path)
>>> back = nx.read_graphml(path)
>>> back.edges["ann", "bob"]
{'weight': 2, 'reply': 2, 'tags': 'x; y'}
"""

from __future__ import annotations

import re
from numbers import Integral, Real
from pathlib import Path

import networkx as nx
import polars as pl

__all__ = ["sanitize_graph", "write_graphml", "write_gexf"]

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str) -> str:
    return _XML_BAD.sub("", value)


def _scalar(value):
    """A GraphML/GEXF-safe value, or ``None`` to leave the attribute out."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, Real):
        value = float(value)
        return None if value != value else value  # NaN: leave out
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return _text("; ".join(str(v) for v in items if v is not None))
    return _text(str(value))


def _clean(attrs: dict) -> dict:
    out = {}
    for key, value in attrs.items():
        value = _scalar(value)
        if value is not None:
            out[_text(str(key))] = value
    return out


def sanitize_graph(graph: nx.Graph, nodes: pl.DataFrame | None = None) -> nx.Graph:
    """A copy of ``graph`` with only scalar attributes and XML-safe strings (see the module docstring).

    ``nodes`` (a frame with a ``handle`` column, e.g. from ``node_metrics``) adds its other columns as node
    attributes. Node ids become strings; if two ids only differed by removed characters, ``~2``, ``~3``... are
    appended to keep them apart.

    >>> import networkx as nx
    >>> g = sanitize_graph(nx.DiGraph([("a\\x00b", "c")]))
    >>> sorted(g.nodes)
    ['ab', 'c']
    """
    extra: dict = {}
    if nodes is not None and nodes.height:
        columns = [c for c in nodes.columns if c != "handle"]
        for row in nodes.iter_rows(named=True):
            extra[row["handle"]] = {c: row[c] for c in columns}
    ids: dict = {}
    taken: set[str] = set()
    for node in graph.nodes:
        base = _text(str(node))
        new, suffix = base, 1
        while new in taken:
            suffix += 1
            new = f"{base}~{suffix}"
        taken.add(new)
        ids[node] = new
    out = graph.__class__()
    out.graph.update(_clean(graph.graph))
    out.add_nodes_from((ids[n], _clean({**data, **extra.get(str(n), {})})) for n, data in graph.nodes(data=True))
    out.add_edges_from((ids[u], ids[v], _clean(data)) for u, v, data in graph.edges(data=True))
    return out


def write_graphml(graph: nx.Graph, path: str | Path, *, nodes: pl.DataFrame | None = None) -> Path:
    """Write ``graph`` (sanitised, optionally with node metrics) as GraphML; returns the path.

    networkx's ``read_graphml`` reads it back with the same nodes, edges and attribute values.
    """
    path = Path(path)
    nx.write_graphml(sanitize_graph(graph, nodes), path, encoding="utf-8")
    return path


def write_gexf(graph: nx.Graph, path: str | Path, *, nodes: pl.DataFrame | None = None) -> Path:
    """Write ``graph`` (sanitised, optionally with node metrics) as GEXF 1.2; returns the path.

    In GEXF the edge ``weight`` is the format's own edge weight, so networkx's ``read_gexf`` returns it as a float.
    """
    path = Path(path)
    nx.write_gexf(sanitize_graph(graph, nodes), path, encoding="utf-8", version="1.2draft")
    return path
