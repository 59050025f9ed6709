"""The interaction network: a figure drawn from precomputed positions, and the layout helper that computes them.

:func:`network_figure` never computes a layout: it reads ``x`` and ``y`` on the node frame, which
:func:`layout_positions` computes once at analysis time (the snapshot stores them). It reads the node metrics of
:func:`moderator_kit.graph.node_metrics` (``NODE_METRICS_SCHEMA`` plus ``x``, ``y``) and the edges of
:func:`moderator_kit.graph.edges_frame` (``EDGE_SCHEMA``: source, target, weight and one count per edge type).

What goes to the browser stays small: only the ``max_edges`` strongest edges, drawn as one line trace per edge type
(all segments of a type in one trace, separated by gaps), and at most ``max_groups`` + 1 node traces.

Examples
--------
>>> import polars as pl
>>> nodes = pl.DataFrame({"handle": ["mod", "ann", "bob"], "pagerank": [0.5, 0.3, 0.2],
...                       "community": [0, 0, 1], "x": [0.0, 1.0, -1.0], "y": [0.0, 1.0, 1.0]})
>>> edges = pl.DataFrame({"source": ["ann", "bob"], "target": ["mod", "mod"], "weight": [3, 1],
...                       "reply": [2, 0], "mention": [1, 1], "repost": [0, 0], "quote": [0, 0]})
>>> fig = network_figure(nodes, edges, max_edges=1)
>>> [t.name for t in fig.data]
['Replies (2)', 'Mentions (1)', 'Community 0 · 2 people', 'No community (isolates) · 1 person']
>>> fig.layout.meta["edges_shown"], fig.layout.meta["edges_total"], fig.layout.meta["interactions_total"]
(1, 2, 4)
"""

from __future__ import annotations

from collections.abc import Sequence

import igraph as ig
import numpy as np
import plotly.graph_objects as go
import polars as pl

from moderator_kit.figures.theme import (
    COMMUNITY_COLORS,
    EDGE_COLORS,
    NO_QUESTION_COLOR,
    ROLE_ORDER,
    eager,
    empty_figure,
    esc,
    esc_expr,
    new_figure,
    role_color,
    role_label,
    set_subtitle,
)
from moderator_kit.graph.engine import seeded_rng

__all__ = ["network_figure", "layout_positions", "EDGE_TYPES", "EDGE_LABELS", "GL_THRESHOLD"]

#: Edge types, in drawing order (the columns of ``EDGE_SCHEMA``).
EDGE_TYPES = ("reply", "mention", "repost", "quote")
EDGE_LABELS = {"reply": "Replies", "mention": "Mentions", "repost": "Reposts", "quote": "Quotes"}
#: Above this many points a trace is drawn with WebGL (``Scattergl``); below, as SVG (sharper, no GL context).
GL_THRESHOLD = 1500

_POSITIONS = pl.Schema({"handle": pl.String, "x": pl.Float64, "y": pl.Float64})
_ALONE, _OTHER = "alone", "other"
_ALONE_COLOR = "#9aa5b1"


def _people(n: int) -> str:
    return f"{n:,} {'person' if n == 1 else 'people'}"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _one_session(frame: pl.DataFrame | None, session_id: str | None) -> pl.DataFrame | None:
    """Rows of one session: ``session_id`` when given, else the last of several (a single one, or none, as is)."""
    if frame is None or "session_id" not in frame.columns:
        return frame
    if session_id is not None:
        return frame.filter(pl.col("session_id") == session_id)
    values = frame["session_id"].unique()
    if values.len() <= 1:
        return frame
    known = values.drop_nulls()
    return frame.filter(pl.col("session_id") == known.max()) if known.len() else frame


def _segments(frame: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """x and y of all segments in one array each: x0, x1, NaN, x0, x1, NaN, … (float32: half the bytes)."""
    gap = np.full(frame.height, np.nan, dtype=np.float32)
    xs = np.column_stack([frame["sx"].to_numpy(), frame["tx"].to_numpy(), gap]).astype(np.float32).ravel()
    ys = np.column_stack([frame["sy"].to_numpy(), frame["ty"].to_numpy(), gap]).astype(np.float32).ravel()
    return xs, ys


def _role_column(nodes: pl.DataFrame, roles: pl.DataFrame | None, session_id: str | None) -> pl.DataFrame:
    for name in ("primary_role", "role"):
        if name in nodes.columns:
            return nodes.with_columns(_role=pl.col(name).cast(pl.String))
    if roles is not None and roles.height and "primary_role" in roles.columns:
        table = roles
        if "session_id" in table.columns:
            if session_id is not None and (table["session_id"] == session_id).any():
                table = table.filter(pl.col("session_id") == session_id)
            elif table["session_id"].null_count() > 0:
                table = table.filter(pl.col("session_id").is_null())
            else:
                table = _one_session(table, None)
        key = "handle" if "handle" in table.columns else "author_handle"
        table = table.select(pl.col(key).alias("handle"), pl.col("primary_role").alias("_role")).unique(
            "handle", keep="first", maintain_order=True)
        return nodes.join(table, on="handle", how="left")
    if "is_moderator" in nodes.columns:
        return nodes.with_columns(_role=pl.when(pl.col("is_moderator")).then(pl.lit("moderator")))
    return nodes.with_columns(_role=pl.lit(None, dtype=pl.String))


def _num(nodes: pl.DataFrame, name: str, dtype: pl.DataType = pl.Float64) -> pl.Expr:
    return pl.col(name).cast(dtype) if name in nodes.columns else pl.lit(None, dtype=dtype).alias(name)


#: Where a handle may be written around its node, in the order tried.
_LABEL_SPOTS = ("top center", "bottom center", "middle right", "middle left", "top right", "top left",
                "bottom right", "bottom left")
#: Rough size of an 11 px label: width per character and height, in pixels.
_CHAR_PX, _LINE_PX = 6.6, 14.0
#: The plot width the labels are fitted to: a network chart is at least this wide on the dashboard and the reports.
_PLOT_WIDTH_PX = 620.0


def _place_labels(frame: pl.DataFrame, label_top: int, height: int) -> pl.DataFrame:
    """``_label`` and ``_label_at``: the handles of the ``label_top`` highest-PageRank nodes, each put on the first
    side of its node where it overlaps no label already placed (in PageRank order) and no other node; a handle that
    fits nowhere is left to the hover, so dense cores never print handles on top of each other or of other people.

    Positions are estimated in pixels from the data extent (the axes share one scale), the plot's smallest width and
    its height; only ``label_top`` nodes are tried.
    """
    spots = ["top center"] * frame.height
    labels = [""] * frame.height
    if frame.height == 0 or label_top <= 0:
        return frame.with_columns(_label=pl.Series(labels, dtype=pl.String), _label_at=pl.Series(spots))
    xs, ys = frame["x"].cast(pl.Float64), frame["y"].cast(pl.Float64)
    span_x = max(float(xs.max() - xs.min()), 1e-9)
    span_y = max(float(ys.max() - ys.min()), 1e-9)
    scale = min(_PLOT_WIDTH_PX / span_x, max(height - 200.0, 200.0) / span_y)  # px per data unit
    placed: list[tuple[float, float, float, float]] = []
    # every node's disc is an obstacle too (in pixels), so a handle is not written across another person's node
    node_x, node_y = xs.to_numpy() * scale, ys.to_numpy() * scale
    node_r = frame["_size"].to_numpy() / 2

    def covers_a_node(box: tuple[float, float, float, float], own: int) -> bool:
        x0, y0, x1, y1 = box
        dx = np.maximum(np.maximum(x0 - node_x, 0), node_x - x1)
        dy = np.maximum(np.maximum(y0 - node_y, 0), node_y - y1)
        hit = dx * dx + dy * dy < node_r * node_r
        hit[own] = False
        return bool(hit.any())

    candidates = frame.with_row_index("_i").filter(pl.col("_rank") <= label_top).sort("_rank")
    for i, x, y, size, handle in candidates.select("_i", "x", "y", "_size", "_handle").iter_rows():
        px, py, r = x * scale, y * scale, size / 2
        w, h = (len(handle) + 1) * _CHAR_PX, _LINE_PX
        boxes = {
            "top center": (px - w / 2, py + r, px + w / 2, py + r + h),
            "bottom center": (px - w / 2, py - r - h, px + w / 2, py - r),
            "middle right": (px + r + 2, py - h / 2, px + r + 2 + w, py + h / 2),
            "middle left": (px - r - 2 - w, py - h / 2, px - r - 2, py + h / 2),
            "top right": (px + r * 0.7, py + r * 0.7, px + r * 0.7 + w, py + r * 0.7 + h),
            "top left": (px - r * 0.7 - w, py + r * 0.7, px - r * 0.7, py + r * 0.7 + h),
            "bottom right": (px + r * 0.7, py - r * 0.7 - h, px + r * 0.7 + w, py - r * 0.7),
            "bottom left": (px - r * 0.7 - w, py - r * 0.7 - h, px - r * 0.7, py - r * 0.7),
        }
        for spot in _LABEL_SPOTS:
            x0, y0, x1, y1 = boxes[spot]
            if (all(x1 <= a0 or x0 >= a1 or y1 <= b0 or y0 >= b1 for a0, b0, a1, b1 in placed)
                    and not covers_a_node(boxes[spot], i)):
                placed.append(boxes[spot])
                labels[i], spots[i] = "@" + handle, spot
                break
    return frame.with_columns(_label=pl.Series(labels, dtype=pl.String), _label_at=pl.Series(spots))


def network_figure(nodes: pl.DataFrame | pl.LazyFrame, edges: pl.DataFrame | pl.LazyFrame | None, *,
                   color_by: str = "community", edge_types: Sequence[str] | None = None, max_edges: int = 10_000,
                   roles: pl.DataFrame | pl.LazyFrame | None = None, session_id: str | None = None,
                   title: str | None = None, label_top: int = 10, max_groups: int = 10, height: int = 640
                   ) -> go.Figure:
    """The interaction graph from precomputed positions: nodes sized by PageRank, coloured by community or role.

    Parameters
    ----------
    nodes
        Node metrics with positions: ``handle``, ``x``, ``y`` and any of ``pagerank``, ``community``, ``in_degree``,
        ``out_degree``, ``betweenness``, ``kcore``, ``is_moderator``, ``primary_role``.
    edges
        ``EDGE_SCHEMA`` rows (source, target, weight, reply, mention, repost, quote).
    color_by
        'community' (the ``max_groups`` largest get a colour and a legend entry; the rest share one grey trace) or
        'role' (``primary_role`` from the nodes, else from ``roles``).
    edge_types
        The edge types to draw (default all four). An edge's strength is the sum of its counts of these types.
    max_edges
        Draw only the strongest ``max_edges`` edges (ties: by source, then target).
    roles
        [handle, primary_role] (and optionally session_id) from :func:`moderator_kit.people.assign_roles`.
    session_id
        The session's rows when the frames hold several (default: the only, or the last, session).
    label_top
        Write the handles of the ``label_top`` nodes with the highest PageRank next to them, each where it overlaps
        no other handle (a handle that fits nowhere is left to the hover).

    Returns
    -------
    plotly.graph_objects.Figure
        Edge traces first (one per edge type present, named 'Replies (12)'…, no hover), then node traces (one per
        colour group). Node hover: handle, role, PageRank, degrees, betweenness, community and k-core, every text
        escaped. ``layout.meta`` holds ``edges_total`` (edges of the chosen types) and ``edges_shown``.
    """
    if color_by not in ("community", "role"):
        raise ValueError(f"color_by must be 'community' or 'role', not {color_by!r}")
    types = list(EDGE_TYPES if edge_types is None else edge_types)
    unknown = [t for t in types if t not in EDGE_TYPES]
    if unknown:
        raise ValueError(f"unknown edge types {unknown}; choose from {list(EDGE_TYPES)}")
    node_frame = _one_session(eager(nodes), session_id)
    edge_frame = _one_session(eager(edges), session_id)
    sid = session_id
    if sid is None and node_frame is not None and "session_id" in node_frame.columns and node_frame.height:
        sid = node_frame["session_id"][0]
    heading = title or ("Interaction network" + (f" — {esc(sid)}" if sid else ""))
    if node_frame is None or node_frame.height == 0:
        return empty_figure(heading, "No interactions in this session — the network shows who replied to, "
                                     "mentioned,<br>reposted or quoted whom.", height=height)
    if "x" not in node_frame.columns or "y" not in node_frame.columns or node_frame["x"].is_null().all():
        return empty_figure(heading, "No layout for this network yet — run 'moderator-kit analyze' to compute it "
                                     "<br>(layouts are computed once, at analysis time).", height=height)

    placed = node_frame.filter(pl.col("x").is_not_null() & pl.col("y").is_not_null())
    pos = placed.select("handle", pl.col("x").cast(pl.Float64), pl.col("y").cast(pl.Float64))

    # --- edges: the strongest max_edges of the chosen types, with both ends placed
    if edge_frame is None or edge_frame.height == 0:
        edge_frame = pl.DataFrame(schema={"source": pl.String, "target": pl.String, **{t: pl.Int64 for t in
                                                                                        EDGE_TYPES}})
    present = [t for t in types if t in edge_frame.columns]
    strength = pl.sum_horizontal([pl.col(t).fill_null(0) for t in present]) if present else pl.lit(0)
    chosen = (
        edge_frame.with_columns(_strength=strength)
        .filter(pl.col("_strength") > 0)
        .join(pos.rename({"handle": "source", "x": "sx", "y": "sy"}), on="source", how="inner")
        .join(pos.rename({"handle": "target", "x": "tx", "y": "ty"}), on="target", how="inner")
    )
    total = chosen.height
    top = chosen.sort(["_strength", "source", "target"], descending=[True, False, False]).head(max(max_edges, 0))

    n_nodes = placed.height
    fig = new_figure(heading, height=height)
    for kind in present:
        sub = top.filter(pl.col(kind) > 0)
        if sub.height == 0:
            continue
        xs, ys = _segments(sub)
        trace = go.Scattergl if sub.height * 3 > GL_THRESHOLD else go.Scatter
        # the legend counts interactions (messages), like the replay: the four types add up to its total
        fig.add_trace(trace(
            x=xs, y=ys, mode="lines", name=f"{EDGE_LABELS[kind]} ({int(sub[kind].sum()):,})", hoverinfo="skip",
            line=dict(color=EDGE_COLORS[kind], width=0.8 if top.height > 2000 else 1.2), opacity=0.5,
            legendgroup="edges", legendgrouptitle_text="Interactions",
        ))

    # --- nodes: one trace per colour group
    with_role = _role_column(placed, eager(roles), sid)
    pr = _num(with_role, "pagerank")
    frame = with_role.with_columns(
        _pr=pr.fill_null(0.0),
        _community=_num(with_role, "community", pl.Int64),
        _handle=esc_expr(pl.col("handle")),
        _role_text=esc_expr(pl.col("_role").fill_null("—").str.replace_all("_", "-", literal=True)),
        _moderator=_num(with_role, "is_moderator", pl.Boolean).fill_null(False),
    )
    max_pr = float(frame["_pr"].max() or 0.0)
    frame = frame.with_columns(
        _size=6 + 28 * ((pl.col("_pr") / max_pr).sqrt() if max_pr > 0 else pl.lit(0.0)),
        _rank=pl.col("_pr").rank("ordinal", descending=True),
    )
    frame = _place_labels(frame, label_top, height)
    if color_by == "community":
        # A community's colour is its id (0 = the largest of the whole graph), not its rank among the people drawn:
        # the colours stay put through the replay. People alone in their community (community_size 1 in the whole
        # graph: they addressed nobody and nobody them) are one group, as "Isolates" counts them on the page.
        whole = (pl.col("community_size") if "community_size" in frame.columns
                 else pl.len().over("_community")).cast(pl.Int64)
        frame = frame.with_columns(_size_all=whole).with_columns(
            _group=pl.when(pl.col("_community").is_null() | (pl.col("_size_all") < 2)).then(pl.lit(_ALONE))
            .when(pl.col("_community") < max_groups).then(pl.col("_community").cast(pl.String))
            .otherwise(pl.lit(_OTHER)))
        counts = dict(frame.group_by("_group").agg(pl.len()).iter_rows())
        ids = sorted(int(g) for g in counts if g not in (_ALONE, _OTHER))
        groups = [(str(c), f"Community {c} · {_people(counts[str(c)])}", COMMUNITY_COLORS[c % len(COMMUNITY_COLORS)])
                  for c in ids]
        if _OTHER in counts:
            groups.append((_OTHER, f"Smaller communities · {_people(counts[_OTHER])}", NO_QUESTION_COLOR))
        if _ALONE in counts:
            groups.append((_ALONE, f"No community (isolates) · {_people(counts[_ALONE])}", _ALONE_COLOR))
    else:
        frame = frame.with_columns(_group=pl.col("_role").fill_null("unknown"))
        seen = set(frame["_group"].unique().to_list())
        ordered = [r for r in ROLE_ORDER if r in seen] + sorted(seen - set(ROLE_ORDER))
        groups = [(r, role_label(r), role_color(r)) for r in ordered]

    hover = ("<b>@%{customdata[0]}</b><br>role: %{customdata[1]}<br>PageRank: %{customdata[2]:.4f}"
             "<br>replies, mentions… in: %{customdata[3]} · out: %{customdata[4]}"
             "<br>betweenness: %{customdata[5]:.3f}<br>community: %{customdata[6]} · k-core: %{customdata[7]}"
             "<extra></extra>")
    node_trace = go.Scattergl if n_nodes > GL_THRESHOLD else go.Scatter
    for key, name, color in groups:
        part = frame.filter(pl.col("_group") == key).sort("handle")
        if part.height == 0:
            continue
        custom = part.select(
            "_handle", "_role_text", "_pr", _num(part, "in_degree", pl.Int64), _num(part, "out_degree", pl.Int64),
            _num(part, "betweenness"), "_community", _num(part, "kcore", pl.Int64),
        ).to_numpy()
        fig.add_trace(node_trace(
            x=part["x"].to_numpy(), y=part["y"].to_numpy(), mode="markers+text", name=name,
            text=part["_label"].to_list(), textposition=part["_label_at"].to_list(), textfont=dict(size=11),
            marker=dict(size=part["_size"].to_numpy(), color=color, opacity=0.9,
                        line=dict(width=np.where(part["_moderator"].to_numpy(), 2.5, 0.6),
                                  color=np.where(part["_moderator"].to_numpy(), "#111111", "#ffffff"))),
            customdata=custom, hovertemplate=hover, legendgroup="nodes",
            legendgrouptitle_text="Community" if color_by == "community" else "Role",
        ))
    shown = top.height
    interactions_shown = int(top["_strength"].sum()) if top.height else 0
    interactions_total = int(chosen["_strength"].sum()) if chosen.height else 0
    edge_note = (f"{_plural(shown, 'tie')} from {_plural(interactions_total, 'interaction')}" if shown == total
                 else f"the strongest {shown:,} of {_plural(total, 'tie')} ({interactions_shown:,} of "
                      f"{_plural(interactions_total, 'interaction')})")
    set_subtitle(fig, f"{_people(n_nodes)} · {edge_note} · tie: a pair who interacted · size: PageRank · colour: "
                      f"{'community' if color_by == 'community' else 'role'} · black ring: moderator", width=110)
    fig.update_layout(
        xaxis=dict(visible=False, showgrid=False), yaxis=dict(visible=False, showgrid=False, scaleanchor="x"),
        legend=dict(orientation="v", x=1.01, xanchor="left", y=1, yanchor="top", groupclick="toggleitem"),
        margin=dict(l=16, r=16, b=16), dragmode="pan", hovermode="closest",
        meta={"edges_total": total, "edges_shown": shown, "interactions_total": interactions_total,
              "interactions_shown": interactions_shown, "nodes": n_nodes, "color_by": color_by,
              "edge_types": present},
    )
    return fig


def layout_positions(nodes: pl.DataFrame | pl.LazyFrame | None, edges: pl.DataFrame | pl.LazyFrame | None,
                     seed: int = 42, *, iterations: int = 500) -> pl.DataFrame:
    """Node positions by Fruchterman-Reingold (igraph, on integer ids), for the snapshot to store.

    Call it once at analysis time: the dashboard and the reports only read the stored ``x`` / ``y``.

    Handles come from ``nodes['handle']`` and the edges' endpoints, sorted (so the result does not depend on row
    order); edges count in both directions with their ``weight`` (1 when absent) as the attraction. igraph draws
    its random start from a private ``random.Random(seed)`` installed for the call (igraph's default generator, the
    ``random`` module, is put back afterwards), so the same input and seed give the same positions. Coordinates are
    scaled into [-1, 1].

    Returns
    -------
    polars.DataFrame
        [handle, x, y], one row per handle, sorted by handle.

    >>> import polars as pl
    >>> edges = pl.DataFrame({"source": ["a", "b"], "target": ["b", "c"], "weight": [1, 2]})
    >>> pos = layout_positions(None, edges)
    >>> pos["handle"].to_list(), pos.equals(layout_positions(None, edges.reverse()))
    (['a', 'b', 'c'], True)
    >>> bool(pos.select((pl.col("x").abs() <= 1) & (pl.col("y").abs() <= 1)).to_series().all())
    True
    """
    node_frame = eager(nodes)
    edge_frame = eager(edges)
    parts = []
    if node_frame is not None and "handle" in node_frame.columns:
        parts.append(node_frame.select(pl.col("handle").cast(pl.String)))
    if edge_frame is not None and edge_frame.height:
        parts.append(edge_frame.select(pl.col("source").cast(pl.String).alias("handle")))
        parts.append(edge_frame.select(pl.col("target").cast(pl.String).alias("handle")))
    if not parts:
        return pl.DataFrame(schema=_POSITIONS)
    ids = (pl.concat(parts).drop_nulls().unique().sort("handle")
           .with_columns(id=pl.int_range(pl.len(), dtype=pl.Int64)))
    n = ids.height
    if n == 0:
        return pl.DataFrame(schema=_POSITIONS)
    if edge_frame is not None and edge_frame.height:
        weight = pl.col("weight").cast(pl.Float64) if "weight" in edge_frame.columns else pl.lit(1.0)
        pairs = (
            edge_frame.select(pl.col("source").cast(pl.String), pl.col("target").cast(pl.String),
                              weight.fill_null(1.0).alias("w"))
            .join(ids.rename({"handle": "source", "id": "s"}), on="source", how="inner")
            .join(ids.rename({"handle": "target", "id": "t"}), on="target", how="inner")
            .filter(pl.col("s") != pl.col("t"))
            .select(a=pl.min_horizontal("s", "t"), b=pl.max_horizontal("s", "t"), w="w")
            .group_by("a", "b").agg(pl.col("w").sum())
            .sort("a", "b")
        )
    else:
        pairs = pl.DataFrame(schema={"a": pl.Int64, "b": pl.Int64, "w": pl.Float64})
    graph = ig.Graph(n=n, edges=pairs.select("a", "b").rows(), directed=False)
    weights = pairs["w"].to_list() if pairs.height else None
    with seeded_rng(seed):  # igraph's generator is process-global: set it, under a lock, for this call only
        coords = np.asarray(graph.layout_fruchterman_reingold(weights=weights, niter=iterations).coords,
                            dtype=float)
    if coords.size == 0:
        coords = np.zeros((n, 2))
    centre = (coords.max(axis=0) + coords.min(axis=0)) / 2
    coords = coords - centre
    scale = float(np.abs(coords).max())
    if scale > 0:
        coords = coords / scale
    return pl.DataFrame({"handle": ids["handle"], "x": coords[:, 0], "y": coords[:, 1]}, schema=_POSITIONS)
