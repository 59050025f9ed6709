"""Build the directed interaction graph of a chat from its messages.

Nodes are author handles. An edge ``a -> b`` says that ``a`` addressed ``b`` at least once, and counts how often by type:

* ``reply``: ``a`` replied to a message of ``b`` (``reply_to_author_handle``; any non-repost message);
* ``quote``: ``a`` quoted a message of ``b`` (``quote_of_author_handle``; any non-repost message);
* ``repost``: ``a`` reposted a message of ``b`` (``repost_of_author_handle``; kind ``repost``);
* ``mention``: ``a`` named ``@b`` in an original (non-repost) message. A message counts each handle once. The reply
  target and the quote target are not counted again as mentions: Twitter puts ``@target`` in front of every reply, so
  counting it would score each reply twice. A repost contributes no mentions: the text and its mentions belong to the
  reposted author.

Edge attribute ``weight`` is the sum of the four counts (each interaction weighs 1). Self-interactions (threads that
reply to oneself, self-mentions, self-reposts) are dropped: the graph has no self-loops. Every author in the messages
is a node even without edges (an isolate): isolates matter for the conversation shape. Handles that are only ever
addressed become nodes with ``messages = 0``.

Node attributes: ``name`` (the latest non-empty ``author_name``, else ``""``), ``messages`` (messages authored, every
kind) and ``followers`` (latest known ``author_followers``; the attribute is absent when unknown, e.g. Slack).

Examples
--------
>>> import polars as pl
>>> msgs = pl.DataFrame({
...     "author_handle": ["ann", "bob", "cy", "bob"],
...     "kind": ["post", "reply", "repost", "post"],
...     "reply_to_author_handle": [None, "ann", None, None],
...     "repost_of_author_handle": [None, None, "ann", None],
...     "mentions": [[], ["ann", "cy"], ["ann"], ["bob"]],
... })
>>> g = build_graph(msgs)
>>> sorted(g.edges(data="weight"))
[('bob', 'ann', 1), ('bob', 'cy', 1), ('cy', 'ann', 1)]
>>> g.edges["bob", "ann"]
{'weight': 1, 'reply': 1, 'mention': 0, 'repost': 0, 'quote': 0}
>>> g.nodes["bob"]["messages"]
2
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Sequence

import networkx as nx
import polars as pl

__all__ = [
    "EDGE_TYPES",
    "EDGE_SCHEMA",
    "interactions",
    "edges_frame",
    "nodes_frame",
    "build_graph",
    "build_session_graphs",
]

#: Edge types, in the order of the per-type count attributes.
EDGE_TYPES = ("reply", "mention", "repost", "quote")

EDGE_SCHEMA = pl.Schema(
    {
        "source": pl.String,
        "target": pl.String,
        "weight": pl.Int64,
        "reply": pl.Int64,
        "mention": pl.Int64,
        "repost": pl.Int64,
        "quote": pl.Int64,
    }
)

_Frame = pl.DataFrame | pl.LazyFrame


def _lazy(frame: _Frame) -> pl.LazyFrame:
    return frame.lazy() if isinstance(frame, pl.DataFrame) else frame


def _with_optional(lf: pl.LazyFrame) -> pl.LazyFrame:
    """Add the optional columns the graph reads as nulls when a (test or partial) frame lacks them."""
    names = lf.collect_schema().names()
    optional = {
        "reply_to_author_handle": pl.String,
        "repost_of_author_handle": pl.String,
        "quote_of_author_handle": pl.String,
        "mentions": pl.List(pl.String),
        "author_name": pl.String,
        "author_followers": pl.Int64,
        "created_at": pl.Datetime("us", "UTC"),
        "kind": pl.String,
    }
    missing = [pl.lit(None, dtype).alias(name) for name, dtype in optional.items() if name not in names]
    return lf.with_columns(missing) if missing else lf


def _handle(expr: pl.Expr) -> pl.Expr:
    """Normalise a handle expression: lower-case, no leading @, empty -> null."""
    out = expr.str.strip_chars().str.strip_chars_start("@").str.to_lowercase()
    return pl.when(out.str.len_chars() > 0).then(out)


def interactions(messages: _Frame, *, keys: Sequence[str] = ()) -> pl.LazyFrame:
    """One row per interaction: ``[*keys, source, target, type]``, following the rules of this module.

    ``keys`` are extra columns of ``messages`` carried along (e.g. ``session_id``, ``phase``).

    >>> import polars as pl
    >>> msgs = pl.DataFrame({"author_handle": ["bob"], "kind": ["reply"],
    ...                      "reply_to_author_handle": ["ann"], "mentions": [["ann", "cy", "cy", "bob"]]})
    >>> interactions(msgs).collect().rows()
    [('bob', 'ann', 'reply'), ('bob', 'cy', 'mention')]
    """
    keys = list(keys)
    lf = _with_optional(_lazy(messages))
    original = pl.col("kind").fill_null("post") != "repost"
    base = lf.select(
        *keys,
        _handle(pl.col("author_handle")).alias("source"),
        original.alias("_original"),
        _handle(pl.col("reply_to_author_handle")).alias("_reply"),
        _handle(pl.col("repost_of_author_handle")).alias("_repost"),
        _handle(pl.col("quote_of_author_handle")).alias("_quote"),
        pl.col("mentions"),
    ).with_row_index("_row")
    reply = base.filter(pl.col("_original")).select(*keys, "source", target=pl.col("_reply"), type=pl.lit("reply"))
    quote = base.filter(pl.col("_original")).select(*keys, "source", target=pl.col("_quote"), type=pl.lit("quote"))
    repost = base.filter(~pl.col("_original")).select(*keys, "source", target=pl.col("_repost"),
                                                     type=pl.lit("repost"))
    mention = (
        base.filter(pl.col("_original"))
        .select("_row", *keys, "source", "_reply", "_quote", target=pl.col("mentions"))
        .explode("target")
        .with_columns(target=_handle(pl.col("target")))
        .filter(
            (pl.col("target") != pl.col("_reply")).fill_null(True)
            & (pl.col("target") != pl.col("_quote")).fill_null(True)
        )
        .unique(subset=["_row", "target"], keep="first", maintain_order=True)
        .select(*keys, "source", "target", type=pl.lit("mention"))
    )
    return pl.concat([reply, mention, repost, quote], how="vertical").filter(
        pl.col("source").is_not_null() & pl.col("target").is_not_null() & (pl.col("source") != pl.col("target"))
    )


def _edges_from_messages(messages: _Frame, keys: Sequence[str] = ()) -> pl.LazyFrame:
    return _edges_from_interactions(interactions(messages, keys=keys), keys)


def _edges_from_interactions(inter: pl.LazyFrame, keys: Sequence[str] = ()) -> pl.LazyFrame:
    """The aggregated edges ``[*keys, *EDGE_SCHEMA]`` of interaction rows (:func:`interactions`), sorted."""
    keys = list(keys)
    counts = [(pl.col("type") == t).sum().cast(pl.Int64).alias(t) for t in EDGE_TYPES]
    return (
        inter
        .group_by(*keys, "source", "target")
        .agg(counts)
        .with_columns(weight=pl.sum_horizontal(EDGE_TYPES))
        .select(*keys, *EDGE_SCHEMA.names())
        .sort(*keys, "source", "target")
    )


def _edges_from_graph(graph: nx.Graph) -> pl.DataFrame:
    """Edges of any graph; ``weight`` stays Int64 when every weight is an integer, else Float64."""
    data = list(graph.edges(data=True))
    columns = {
        "source": [str(u) for u, _, _ in data],
        "target": [str(v) for _, v, _ in data],
        "weight": [d.get("weight", 1) for _, _, d in data],
        **{t: [d.get(t) or 0 for _, _, d in data] for t in EDGE_TYPES},
    }
    weights_are_ints = all(isinstance(w, int) for w in columns["weight"])
    schema = EDGE_SCHEMA if weights_are_ints else {**EDGE_SCHEMA, "weight": pl.Float64}
    return pl.DataFrame(columns, schema=schema, strict=False)


def edges_frame(source: nx.Graph | _Frame) -> pl.DataFrame:
    """The aggregated edge list ``[source, target, weight, reply, mention, repost, quote]``.

    ``source`` is either a graph (its edges are read back) or a messages frame (edges are aggregated in polars, the
    same ones :func:`build_graph` adds).

    >>> import polars as pl
    >>> msgs = pl.DataFrame({"author_handle": ["bob", "bob"], "kind": ["reply", "post"],
    ...                      "reply_to_author_handle": ["ann", None], "mentions": [[], ["ann"]]})
    >>> edges_frame(msgs).rows()
    [('bob', 'ann', 2, 1, 1, 0, 0)]
    >>> edges_frame(build_graph(msgs)).equals(edges_frame(msgs))
    True
    """
    if isinstance(source, nx.Graph):
        return _edges_from_graph(source)
    return _edges_from_messages(source).collect()


def _nodes_from_messages(messages: _Frame, keys: Sequence[str] = ()) -> pl.LazyFrame:
    keys = list(keys)
    lf = _with_optional(_lazy(messages))
    name = pl.col("author_name").str.strip_chars()
    authors = (
        lf.select(*keys, "created_at", handle=_handle(pl.col("author_handle")),
                  name=pl.when(name.str.len_chars() > 0).then(name), followers=pl.col("author_followers"))
        .filter(pl.col("handle").is_not_null())
        .sort("created_at", nulls_last=False)
        .group_by(*keys, "handle")
        .agg(
            name=pl.col("name").drop_nulls().last().fill_null(""),
            messages=pl.len().cast(pl.Int64),
            followers=pl.col("followers").drop_nulls().last(),
        )
    )
    targets = (
        interactions(messages, keys=keys)
        .select(*keys, handle=pl.col("target"))
        .unique()
        .join(authors.select(*keys, "handle"), on=[*keys, "handle"], how="anti")
        .with_columns(name=pl.lit(""), messages=pl.lit(0, pl.Int64), followers=pl.lit(None, pl.Int64))
    )
    return pl.concat([authors, targets.select(authors.collect_schema().names())]).sort(*keys, "handle")


def nodes_frame(messages: _Frame) -> pl.DataFrame:
    """Node table ``[handle, name, messages, followers]``: every author plus every handle addressed.

    >>> import polars as pl
    >>> msgs = pl.DataFrame({"author_handle": ["Bob"], "author_name": ["Bob B"], "mentions": [["ann"]]})
    >>> nodes_frame(msgs).rows()
    [('ann', '', 0, None), ('bob', 'Bob B', 1, None)]
    """
    return _nodes_from_messages(messages).collect()


def _graph_from_frames(nodes: pl.DataFrame, edges: pl.DataFrame) -> nx.DiGraph:
    handles = nodes["handle"].to_list()
    names = nodes["name"].to_list()
    counts = nodes["messages"].to_list()
    followers = nodes["followers"].to_list()
    attrs = [
        {"name": n, "messages": m} if f is None else {"name": n, "messages": m, "followers": f}
        for n, m, f in zip(names, counts, followers)
    ]
    edge_attrs = edges.select(pl.struct("weight", *EDGE_TYPES)).to_series().to_list()
    graph = nx.DiGraph()
    enabled = gc.isenabled()
    gc.disable()  # building many small dicts: the collector only costs time here (about 30%)
    try:
        graph.add_nodes_from(zip(handles, attrs))
        graph.add_edges_from(zip(edges["source"].to_list(), edges["target"].to_list(), edge_attrs))
    finally:
        if enabled:
            gc.enable()
    return graph


def build_graph(messages: _Frame) -> nx.DiGraph:
    """The directed, typed, weighted interaction graph of ``messages`` (see the module docstring for the rules).

    Nodes are added in handle order and edges in (source, target) order, so the graph is deterministic.
    """
    lf = _lazy(messages)
    nodes, edges = pl.collect_all([_nodes_from_messages(lf), _edges_from_messages(lf)])
    return _graph_from_frames(nodes, edges)


def build_session_graphs(session_messages: _Frame, *, phases: Iterable[str] | None = ("chat",)
                         ) -> dict[str, nx.DiGraph]:
    """One graph per ``session_id`` (sorted), from the messages of the given ``phases`` (``None``: all phases).

    A session without a message in those phases gets no graph. The cumulative graph of a chat is
    ``build_graph(...)`` over all its session messages.

    >>> import polars as pl
    >>> msgs = pl.DataFrame({"session_id": ["s1", "s1", "s2"], "phase": ["chat", "pre", "chat"],
    ...                      "author_handle": ["a", "b", "c"], "mentions": [["b"], ["a"], ["a"]]})
    >>> {sid: sorted(g.edges) for sid, g in build_session_graphs(msgs).items()}
    {'s1': [('a', 'b')], 's2': [('c', 'a')]}
    """
    lf = _lazy(session_messages)
    if phases is not None:
        lf = lf.filter(pl.col("phase").is_in(list(phases)))
    keys = ["session_id"]
    nodes, edges = pl.collect_all([_nodes_from_messages(lf, keys), _edges_from_messages(lf, keys)])
    node_parts = nodes.partition_by("session_id", as_dict=True, include_key=False)
    edge_parts = edges.partition_by("session_id", as_dict=True, include_key=False)
    empty = pl.DataFrame(schema=EDGE_SCHEMA)
    graphs = {}
    for (session_id,), part in sorted(node_parts.items(), key=lambda item: item[0]):
        graphs[session_id] = _graph_from_frames(part, edge_parts.get((session_id,), empty))
    return graphs
