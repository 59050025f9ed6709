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

from moderator_kit.graph.build import edges_frame
from moderator_kit.graph.metrics import graph_metrics, node_metrics, normalize_handles

__all__ = ["SHAPES", "ShapeThresholds", "shape_features", "classify_shape"]

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


def _hub(edges: pl.DataFrame, *, by: str, other: str, count: pl.Expr) -> tuple[str | None, int]:
    """The node with the most distinct neighbours over the edges where ``count`` > 0 (ties: smallest handle)."""
    spokes = (
        edges.filter(count > 0)
        .group_by(by)
        .agg(pl.col(other).n_unique().alias("spokes"))
        .sort(["spokes", by], descending=[True, False])
    )
    if spokes.height == 0:
        return None, 0
    handle, n = spokes.row(0)
    return handle, int(n)


def shape_features(graph: nx.DiGraph, nodes: pl.DataFrame, metrics: dict) -> dict:
    """The numbers the rules read (JSON-serialisable)."""
    n = int(metrics.get("nodes", graph.number_of_nodes()))
    isolates = int(metrics.get("isolates", 0))
    connected = n - isolates
    edges = edges_frame(graph)
    total = float(edges["weight"].sum()) if edges.height else 0.0

    inbound = pl.col("repost") + pl.col("mention") + pl.col("quote")
    b_hub, b_spokes = _hub(edges, by="target", other="source", count=inbound)
    s_hub, s_spokes = _hub(edges, by="source", other="target", count=pl.col("reply"))

    def weight_share(hub: str | None) -> float:
        if hub is None or total == 0:
            return 0.0
        touching = edges.filter((pl.col("source") == hub) | (pl.col("target") == hub))["weight"].sum()
        return float(touching) / total

    others = max(connected - 1, 1)
    linked = nodes.filter((pl.col("in_degree") + pl.col("out_degree")) > 0)
    sizes = linked.group_by("community").len().sort(["len", "community"], descending=[True, False])
    shares = [c / connected for c in sizes["len"].to_list()] if connected else []
    between = None
    if sizes.height >= 2 and total > 0:
        top = sizes["community"].head(2).to_list()
        label = nodes.select("handle", "community")
        pairs = (
            edges.join(label.rename({"handle": "source", "community": "c_source"}), on="source")
            .join(label.rename({"handle": "target", "community": "c_target"}), on="target")
            .filter(pl.col("c_source").is_in(top) & pl.col("c_target").is_in(top))
        )
        among = float(pairs["weight"].sum())
        crossing = float(pairs.filter(pl.col("c_source") != pl.col("c_target"))["weight"].sum())
        between = crossing / among if among else None
    return {
        "nodes": n,
        "connected": connected,
        "isolate_share": _round(isolates / n if n else 0.0),
        "modularity": _round(metrics.get("modularity", 0.0)),
        "community_shares": [_round(s) for s in shares[:5]],
        "between_share_top2": _round(between),
        "broadcast_hub": b_hub,
        "broadcast_spokes": b_spokes,
        "broadcast_spoke_share": _round(b_spokes / others),
        "broadcast_hub_weight_share": _round(weight_share(b_hub)),
        "support_hub": s_hub,
        "support_spokes": s_spokes,
        "support_spoke_share": _round(s_spokes / others),
        "support_hub_weight_share": _round(weight_share(s_hub)),
    }


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.0f}%"


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
    f = shape_features(graph, nodes, metrics)
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
