"""Classify a conversation graph into one of the six Pew / Social Media Research Foundation network shapes.

Smith, Rainie, Shneiderman & Himelboim (2014), "Mapping Twitter Topic Networks: From Polarized Crowds to Community
Clusters", Pew Research Center, describe six archetypes. This module turns them into an ordered, deterministic rule
list over measurable features; the first rule that holds decides, and the result names the rule, its thresholds and
the numbers behind it:

1. **broadcast network** / **support network** (hub and spoke). Broadcast: one hub receives reposts, mentions or
   quotes from at least ``hub_spoke_share`` of the other connected participants, and at least
   ``hub_weight_share`` of all interaction weight touches it. Support: one hub *replies* to at least
   ``hub_spoke_share`` of the other connected participants, with the same weight condition. At least
   ``hub_min_spokes`` spokes are needed. When both hold, the larger spoke share wins (a tie goes to broadcast).
2. **brand clusters**: at least ``brand_isolate_share`` of the participants are isolates (they post about the topic
   but address nobody and nobody addresses them).
3. **polarized crowd**: the two largest communities each hold at least ``polar_group_share`` of the connected
   participants and together at least ``polar_pair_share``, at most ``polar_between_share`` of the weight among
   them crosses between the two, and modularity is at least ``polar_min_modularity``.
4. **tight crowd**: modularity below ``tight_max_modularity`` (few isolates is guaranteed by rule 2): one dense
   crowd.
5. **community clusters**: everything else, i.e. modularity at least ``tight_max_modularity`` with several groups
   rather than two dominant ones.

Communities are the ``community`` column of :func:`moderator_kit.graph.node_metrics` (Louvain); "connected
participants" are nodes with at least one edge.

Examples
--------
>>> import networkx as nx
>>> from moderator_kit.graph.metrics import node_metrics, graph_metrics
>>> g = nx.DiGraph([(f"fan{i}", "brand", {"weight": 1, "repost": 1}) for i in range(8)])
>>> nodes = node_metrics(g)
>>> result = classify_shape(g, nodes, graph_metrics(g, nodes))
>>> result["shape"], result["evidence"]["broadcast_hub"]
('broadcast network', 'brand')
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

import networkx as nx
import polars as pl

from moderator_kit.formats import fmt_pct
from moderator_kit.graph.build import edges_frame
from moderator_kit.graph.metrics import graph_metrics, node_metrics, normalize_handles

__all__ = ["SHAPES", "ShapeThresholds", "shape_features", "classify_shape", "classify_shapes"]

SHAPES = (
    "polarized crowd",
    "tight crowd",
    "brand clusters",
    "community clusters",
    "broadcast network",
    "support network",
)


@dataclass(frozen=True)
class ShapeThresholds:
    """The cut-offs of the rule list (shares are fractions in [0, 1])."""

    hub_spoke_share: float = 0.30
    hub_weight_share: float = 0.50
    hub_min_spokes: int = 3
    brand_isolate_share: float = 0.40
    polar_group_share: float = 0.25
    polar_pair_share: float = 0.70
    polar_between_share: float = 0.10
    polar_min_modularity: float = 0.30
    tight_max_modularity: float = 0.30


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)


def _features_by_group(edges: pl.DataFrame, nodes: pl.DataFrame, metrics: dict, by: str) -> dict:
    """The features of every graph in ``metrics`` (group -> graph metrics), read from frames keyed by ``by``.

    ``edges`` holds ``[by, *EDGE_SCHEMA]`` and ``nodes`` ``[by, handle, community, in_degree, out_degree]``; the
    aggregates are computed for all groups at once in polars, the shares in Python, group by group.
    """
    hub_rows: dict[str, dict] = {}
    for kind, hub, other, count in (
        ("broadcast", "target", "source", pl.col("repost") + pl.col("mention") + pl.col("quote")),
        ("support", "source", "target", pl.col("reply")),
    ):
        # the node with the most distinct neighbours over the edges where count > 0 (ties: smallest handle)
        hubs = (
            edges.filter(count > 0)
            .group_by(by, hub)
            .agg(spokes=pl.col(other).n_unique())
            .sort([by, "spokes", hub], descending=[False, True, False])
            .group_by(by, maintain_order=True)
            .first()
            .select(by, pl.col(hub).alias("hub"), "spokes")
        )
        touching = (
            edges.join(hubs.select(by, "hub"), on=by)
            .filter((pl.col("source") == pl.col("hub")) | (pl.col("target") == pl.col("hub")))
            .group_by(by)
            .agg(touching=pl.col("weight").sum())
        )
        hub_rows[kind] = {row[by]: row for row in hubs.join(touching, on=by, how="left").iter_rows(named=True)}
    totals = {g: (m, w) for g, m, w in edges.group_by(by).agg(pl.len(), pl.col("weight").sum()).iter_rows()}
    linked = nodes.filter((pl.col("in_degree") + pl.col("out_degree")) > 0)
    sizes = (
        linked.group_by(by, "community").len()
        .sort([by, "len", "community"], descending=[False, True, False])
        .group_by(by, maintain_order=True)
        .agg(lens=pl.col("len").head(5), count=pl.len(), top=pl.col("community").head(2))
    )
    communities = {row[by]: row for row in sizes.iter_rows(named=True)}
    label = nodes.select(by, "handle", "community")
    top2 = sizes.filter(pl.col("count") >= 2).select(by, c1=pl.col("top").list.get(0), c2=pl.col("top").list.get(1))
    in_top = lambda c: (pl.col(c) == pl.col("c1")) | (pl.col(c) == pl.col("c2"))  # noqa: E731
    among = (
        edges.join(top2, on=by)
        .join(label.rename({"handle": "source", "community": "c_source"}), on=[by, "source"])
        .join(label.rename({"handle": "target", "community": "c_target"}), on=[by, "target"])
        .filter(in_top("c_source") & in_top("c_target"))
        .group_by(by)
        .agg(among=pl.col("weight").sum(),
             crossing=pl.col("weight").filter(pl.col("c_source") != pl.col("c_target")).sum())
    )
    pairs = {g: (a, c) for g, a, c in among.iter_rows()}

    out = {}
    for group, m in metrics.items():
        n = int(m.get("nodes", 0))
        isolates = int(m.get("isolates", 0))
        connected = n - isolates
        edge_count, weight = totals.get(group, (0, 0))
        total = float(weight) if edge_count else 0.0
        others = max(connected - 1, 1)
        hubs = {kind: hub_rows[kind].get(group) for kind in hub_rows}

        def hub_of(kind: str) -> tuple[str | None, int, float]:
            row = hubs[kind]
            if row is None:
                return None, 0, 0.0
            share = 0.0 if total == 0 else float(row["touching"] or 0) / total
            return row["hub"], int(row["spokes"]), share

        b_hub, b_spokes, b_share = hub_of("broadcast")
        s_hub, s_spokes, s_share = hub_of("support")
        found = communities.get(group)
        shares = [c / connected for c in found["lens"]] if found and connected else []
        between = None
        if found and found["count"] >= 2 and total > 0:
            a, c = pairs.get(group, (0, 0))
            among_weight, crossing = float(a or 0), float(c or 0)
            between = crossing / among_weight if among_weight else None
        out[group] = {
            "nodes": n,
            "connected": connected,
            "isolate_share": _round(isolates / n if n else 0.0),
            "modularity": _round(m.get("modularity", 0.0)),
            "community_shares": [_round(s) for s in shares[:5]],
            "between_share_top2": _round(between),
            "broadcast_hub": b_hub,
            "broadcast_spokes": b_spokes,
            "broadcast_spoke_share": _round(b_spokes / others),
            "broadcast_hub_weight_share": _round(b_share),
            "support_hub": s_hub,
            "support_spokes": s_spokes,
            "support_spoke_share": _round(s_spokes / others),
            "support_hub_weight_share": _round(s_share),
        }
    return out


def shape_features(graph: nx.DiGraph, nodes: pl.DataFrame, metrics: dict) -> dict:
    """The numbers the rules read (JSON-serialisable)."""
    key = pl.lit(0).alias("_graph")
    metrics = {**metrics, "nodes": metrics.get("nodes", graph.number_of_nodes())}
    return _features_by_group(edges_frame(graph).with_columns(key), nodes.with_columns(key), {0: metrics},
                              "_graph")[0]


def _pct(value: float | None) -> str:
    return fmt_pct(value)  # the one percentage format of every output


def classify_shape(graph: nx.DiGraph, nodes: pl.DataFrame | None = None, metrics: dict | None = None, *,
                   moderators: Iterable[str] = (), thresholds: ShapeThresholds | None = None) -> dict:
    """The conversation shape: ``{"shape", "rule", "evidence"}``.

    ``shape`` is one of :data:`SHAPES` (``None`` for a graph without nodes), ``rule`` the plain-language rule that
    fired with its thresholds and the measured values, ``evidence`` the features (see :func:`shape_features`), the
    thresholds used, and whether the hub is a moderator. ``nodes`` and ``metrics`` (from :func:`node_metrics` and
    :func:`graph_metrics`) are computed when omitted.

    >>> import networkx as nx
    >>> g = nx.complete_graph(6, create_using=nx.DiGraph)
    >>> classify_shape(g)["shape"]
    'tight crowd'
    """
    t = thresholds or ShapeThresholds()
    mods = normalize_handles(moderators)
    if nodes is None:
        nodes = node_metrics(graph, moderators=mods)
    if metrics is None:
        metrics = graph_metrics(graph, nodes, moderators=mods)
    return _decide(shape_features(graph, nodes, metrics), t, mods)


def classify_shapes(edges: pl.DataFrame, nodes: pl.DataFrame, metrics: dict, *, by: str = "session_id",
                    moderators: Iterable[str] = (), thresholds: ShapeThresholds | None = None) -> dict:
    """The shape of many graphs at once: ``{group: classify_shape(...)}``, one polars pass over all groups.

    ``edges`` are ``[by, *EDGE_SCHEMA]`` rows and ``nodes`` node metrics with a ``by`` column, as
    :func:`moderator_kit.graph.measure_groups` returns them; ``metrics`` maps each group to its
    :func:`graph_metrics` dict. Each result equals ``classify_shape`` on that group's graph alone.

    >>> import networkx as nx, polars as pl
    >>> from moderator_kit.graph.build import edges_frame
    >>> g = nx.DiGraph([(f"fan{i}", "brand", {"weight": 1, "repost": 1}) for i in range(8)])
    >>> nodes = node_metrics(g)
    >>> shapes = classify_shapes(edges_frame(g).with_columns(s=pl.lit("a")), nodes.with_columns(s=pl.lit("a")),
    ...                          {"a": graph_metrics(g, nodes)}, by="s")
    >>> shapes["a"] == classify_shape(g, nodes)
    True
    """
    t = thresholds or ShapeThresholds()
    mods = normalize_handles(moderators)
    features = _features_by_group(edges, nodes, metrics, by)
    return {group: _decide(f, t, mods) for group, f in features.items()}


def _decide(f: dict, t: ShapeThresholds, mods: set[str]) -> dict:
    """The first rule that holds, with the evidence (see the module docstring)."""
    evidence = {**f, "thresholds": asdict(t)}
    evidence["broadcast_hub_is_moderator"] = f["broadcast_hub"] in mods if f["broadcast_hub"] else False
    evidence["support_hub_is_moderator"] = f["support_hub"] in mods if f["support_hub"] else False
    if f["nodes"] == 0:
        return {"shape": None, "rule": "empty graph: no participants, no shape", "evidence": evidence}

    def hub_holds(kind: str) -> bool:
        return (f[f"{kind}_spokes"] >= t.hub_min_spokes and f[f"{kind}_spoke_share"] >= t.hub_spoke_share
                and f[f"{kind}_hub_weight_share"] >= t.hub_weight_share)

    broadcast, support = hub_holds("broadcast"), hub_holds("support")
    if broadcast and support:
        support = f["support_spoke_share"] > f["broadcast_spoke_share"]
        broadcast = not support
    if broadcast:
        rule = (f"broadcast network: hub @{f['broadcast_hub']} is reposted, mentioned or quoted by "
                f"{f['broadcast_spokes']} participants, {_pct(f['broadcast_spoke_share'])} of the other connected "
                f"participants (>= {_pct(t.hub_spoke_share)}), and {_pct(f['broadcast_hub_weight_share'])} of all "
                f"interaction weight touches it (>= {_pct(t.hub_weight_share)})")
        return {"shape": "broadcast network", "rule": rule, "evidence": evidence}
    if support:
        rule = (f"support network: hub @{f['support_hub']} replies to {f['support_spokes']} participants, "
                f"{_pct(f['support_spoke_share'])} of the other connected participants "
                f"(>= {_pct(t.hub_spoke_share)}), and {_pct(f['support_hub_weight_share'])} of all interaction "
                f"weight touches it (>= {_pct(t.hub_weight_share)})")
        return {"shape": "support network", "rule": rule, "evidence": evidence}
    if f["isolate_share"] >= t.brand_isolate_share:
        rule = (f"brand clusters: {_pct(f['isolate_share'])} of the participants are isolates, addressing nobody "
                f"and addressed by nobody (>= {_pct(t.brand_isolate_share)})")
        return {"shape": "brand clusters", "rule": rule, "evidence": evidence}
    shares = f["community_shares"]
    between = f["between_share_top2"]
    if (len(shares) >= 2 and shares[1] >= t.polar_group_share and shares[0] + shares[1] >= t.polar_pair_share
            and between is not None and between <= t.polar_between_share
            and f["modularity"] >= t.polar_min_modularity):
        rule = (f"polarized crowd: the two largest communities hold {_pct(shares[0])} and {_pct(shares[1])} of the "
                f"connected participants (each >= {_pct(t.polar_group_share)}, together >= "
                f"{_pct(t.polar_pair_share)}), only {_pct(between)} of the weight among them crosses between them "
                f"(<= {_pct(t.polar_between_share)}), modularity {f['modularity']:.2f} "
                f"(>= {t.polar_min_modularity:.2f})")
        return {"shape": "polarized crowd", "rule": rule, "evidence": evidence}
    if f["modularity"] < t.tight_max_modularity:
        rule = (f"tight crowd: modularity {f['modularity']:.2f} (< {t.tight_max_modularity:.2f}) with few "
                f"isolates ({_pct(f['isolate_share'])} < {_pct(t.brand_isolate_share)}): one dense, "
                f"interconnected crowd")
        return {"shape": "tight crowd", "rule": rule, "evidence": evidence}
    rule = (f"community clusters: modularity {f['modularity']:.2f} (>= {t.tight_max_modularity:.2f}), "
            f"{_pct(f['isolate_share'])} isolates (< {_pct(t.brand_isolate_share)}), and not two dominant groups "
            f"(largest community shares {', '.join(_pct(s) for s in shares[:3]) or 'none'})")
    return {"shape": "community clusters", "rule": rule, "evidence": evidence}
