"""Benchmark the interaction graph and the engagement metrics.

Two measurements:

1. **Cumulative graph** (``--nodes``, default 50,000): a seeded, heavy-tailed random chat (Pareto activity and
   popularity, communities, replies / mentions / reposts / quotes) is built into a networkx graph; then
   ``node_metrics`` + ``graph_metrics`` (the project's path: networkx graph, igraph engine) are timed against the
   same computations written directly in igraph on a ready igraph graph. Target: at most 3x igraph. networkx's own
   PageRank (pure-Python path, as scipy is not installed) is timed for reference.
2. **One session** (``--session-messages``, default 5,000): every engagement and graph metric of one session.
   Target: under 0.5 s.

Run::

    /tmp/venv/bin/python benchmarks/bench_graph.py [--nodes 50000] [--session-messages 5000] [--seed 1]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import time

# igraph's PageRank (PRPACK) runs OpenMP threads; on a busy machine their spin-waits make a 15 ms call take 0.5 s at
# random. One thread gives stable figures for both sides of the comparison. Override with the environment variable.
os.environ.setdefault("OMP_NUM_THREADS", "1")
from datetime import datetime, timedelta, timezone
from pathlib import Path

import igraph as ig
import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from moderator_kit.engagement import engagement_by_session, minute_series, top_entities  # noqa: E402
from moderator_kit.graph import build_graph, classify_shape, graph_metrics, node_metrics  # noqa: E402
from moderator_kit.graph.engine import sample_sources  # noqa: E402

START = datetime(2024, 1, 1, 21, 0, tzinfo=timezone.utc)
KINDS = np.array(["post", "reply", "repost", "quote"])
WORDS = ("feedback assessment students learning teachers classroom curriculum reading maths science coaching "
         "wellbeing inclusion technology research homework pedagogy motivation leadership practice").split()


def _pick(rng: np.random.Generator, weights: np.ndarray, size: int) -> np.ndarray:
    cum = np.cumsum(weights)
    return np.searchsorted(cum, rng.random(size) * cum[-1], side="right")


def random_chat(nodes: int, messages_per_node: float, seed: int, groups: int | None = None) -> pl.DataFrame:
    """Messages of a heavy-tailed chat with community structure; every one of ``nodes`` handles posts once."""
    rng = np.random.default_rng(seed)
    groups = groups or max(1, nodes // 500)
    activity = rng.pareto(1.3, nodes) + 1.0
    popularity = rng.pareto(1.1, nodes) + 1.0
    group = rng.integers(0, groups, nodes)
    extra = int(nodes * (messages_per_node - 1))
    authors = np.concatenate([np.arange(nodes), _pick(rng, activity, extra)])
    m = authors.size
    kinds = np.concatenate([np.zeros(nodes, dtype=int), rng.choice(4, extra, p=[0.25, 0.4, 0.25, 0.1])])
    # targets: 75% inside the author's group (by popularity), else anyone (by popularity)
    order = np.argsort(group, kind="stable")
    cum = np.cumsum(popularity[order])
    bounds = np.searchsorted(group[order], np.arange(groups + 1))
    lo = np.where(bounds[:-1] > 0, cum[np.maximum(bounds[:-1] - 1, 0)], 0.0)
    hi = cum[bounds[1:] - 1]
    g = group[authors]
    inside = order[np.minimum(np.searchsorted(cum, lo[g] + rng.random(m) * (hi[g] - lo[g]), side="right"),
                              nodes - 1)]
    anywhere = _pick(rng, popularity, m)
    targets = np.where(rng.random(m) < 0.75, inside, anywhere)
    mention_targets = np.where(rng.random(m) < 0.75, order[np.minimum(np.searchsorted(
        cum, lo[g] + rng.random(m) * (hi[g] - lo[g]), side="right"), nodes - 1)], _pick(rng, popularity, m))
    has_mention = rng.random(m) < 0.35
    handle = np.char.add("user", np.arange(nodes).astype(str))
    kind = KINDS[kinds]
    frame = pl.DataFrame({
        "session_id": "s1",
        "phase": "chat",
        "platform": "twitter",
        "message_id": np.arange(m).astype(str),
        "author_handle": handle[authors],
        "author_name": handle[authors],
        "author_followers": (popularity[authors] * 100).astype(np.int64),
        "kind": kind,
        "_target": handle[targets],
        "_mention": handle[mention_targets],
        "_has_mention": has_mention,
    })
    t = pl.col("_target")
    return frame.with_columns(
        reply_to_author_handle=pl.when(pl.col("kind") == "reply").then(t),
        repost_of_author_handle=pl.when(pl.col("kind") == "repost").then(t),
        quote_of_author_handle=pl.when(pl.col("kind") == "quote").then(t),
        mentions=pl.concat_list(pl.when(pl.col("kind") == "reply").then(t),
                                pl.when(pl.col("_has_mention")).then(pl.col("_mention"))).list.drop_nulls(),
    ).drop("_target", "_mention", "_has_mention")


def session_messages(n: int, seed: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One realistic 60-minute session of ``n`` messages (about n / 6 participants) and its sessions row."""
    rng = random.Random(seed)
    people = [f"p{i}" for i in range(max(10, n // 6))]
    weights = [1 / (i + 1) ** 0.8 for i in range(len(people))]
    rows = []
    for i in range(n):
        author = "mod" if i % 400 == 0 else rng.choices(people, weights)[0]
        kind = "post" if author == "mod" else rng.choices(["post", "reply", "repost", "quote"], [3, 4, 3, 1])[0]
        parent = rows[rng.randrange(len(rows))] if rows and kind != "post" else None
        words = rng.sample(WORDS, 6)
        url = [f"https://www.site{rng.randrange(30)}.org/a/{rng.randrange(100)}"] if rng.random() < 0.15 else []
        mentions = [rng.choices(people, weights)[0]] if rng.random() < 0.3 else []
        rows.append({
            "message_id": str(i), "author_handle": author, "kind": kind if parent or kind == "post" else "post",
            "created_at": START + timedelta(seconds=3600 * i / n - 300),
            "text": f"A{1 + i * 6 // n}: " + " ".join(words) + " #edchat #ukedchat " + " ".join(url),
            "hashtags": ["edchat", "ukedchat"], "urls": url,
            "reply_to_message_id": parent["message_id"] if parent and kind == "reply" else None,
            "reply_to_author_handle": parent["author_handle"] if parent and kind == "reply" else None,
            "repost_of_author_handle": parent["author_handle"] if parent and kind == "repost" else None,
            "quote_of_author_handle": parent["author_handle"] if parent and kind == "quote" else None,
            "mentions": ([parent["author_handle"]] if parent and kind == "reply" else []) + mentions,
        })
    frame = pl.DataFrame(rows, infer_schema_length=None).with_columns(
        pl.col("created_at").dt.cast_time_unit("us"), platform=pl.lit("twitter"), session_id=pl.lit("s1"),
        phase=pl.when(pl.col("created_at") < START).then(pl.lit("pre")).otherwise(pl.lit("chat")))
    sessions = pl.DataFrame({"session_id": ["s1"], "start": [START], "end": [START + timedelta(hours=1)]})
    return frame, sessions.with_columns(pl.col("start", "end").dt.cast_time_unit("us"))


def igraph_direct(frame: pl.DataFrame, seed: int, samples: int, threshold: int) -> tuple[float, ig.Graph]:
    """The same metrics written directly in igraph, on an igraph graph built beforehand (not timed)."""
    from moderator_kit.graph import edges_frame, nodes_frame

    names = nodes_frame(frame)["handle"]
    edges = edges_frame(frame)
    index = pl.DataFrame({"handle": names, "i": np.arange(names.len())})
    ends = (edges.join(index.rename({"handle": "source", "i": "s"}), on="source")
            .join(index.rename({"handle": "target", "i": "t"}), on="target"))
    g = ig.Graph(n=names.len(), edges=ends.select("s", "t").to_numpy().tolist(), directed=True,
                 edge_attrs={"weight": ends["weight"].to_list()})
    t0 = time.perf_counter()
    g.strength(mode="in", weights="weight"), g.strength(mode="out", weights="weight")
    g.indegree(), g.outdegree()
    g.pagerank(weights="weight", directed=True)
    if g.vcount() > threshold:
        sources = sample_sources(list(range(g.vcount())), samples, seed)
        g.betweenness(directed=True, sources=sources)
    else:
        g.betweenness(directed=True)
    u = g.as_undirected(mode="collapse", combine_edges={"weight": "sum"})
    random.seed(seed)
    membership = u.community_multilevel(weights="weight").membership
    u.coreness()
    u.modularity(membership, weights="weight")
    g.connected_components(mode="weak").sizes()
    g.reciprocity()
    g.density()
    return time.perf_counter() - t0, g


def _timed(fn, repeat: int) -> tuple[list[float], object]:
    """Run ``fn`` ``repeat`` times after a full garbage collection; the times and the last result."""
    times, result = [], None
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return times, result


def bench_cumulative(nodes: int, seed: int, repeat: int = 3) -> dict:
    frame = random_chat(nodes, messages_per_node=4.0, seed=seed)
    t_build, graph = _timed(lambda: build_graph(frame), repeat)

    def ours():
        table = node_metrics(graph, seed=42)
        return table, graph_metrics(graph, table)

    t_ours, (table, metrics) = _timed(ours, repeat)
    t_shape, shape = _timed(lambda: classify_shape(graph, table, metrics), 1)
    t_igraph = []
    for _ in range(repeat):
        gc.collect()
        elapsed, g = igraph_direct(frame, seed=42, samples=200, threshold=2000)
        t_igraph.append(elapsed)
    from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

    t_nx_pagerank, _ = _timed(lambda: _pagerank_python(graph, weight="weight"), 1)
    t_ig_pagerank, _ = _timed(lambda: g.pagerank(weights="weight"), repeat)
    return {
        "messages": frame.height, "nodes": graph.number_of_nodes(), "edges": graph.number_of_edges(),
        "build_s": min(t_build), "ours_s": min(t_ours), "ours_first_s": t_ours[0], "igraph_s": min(t_igraph),
        "ratio": min(t_ours) / min(t_igraph), "shape_s": t_shape[0], "shape": shape["shape"],
        "modularity": metrics["modularity"], "nx_pagerank_s": t_nx_pagerank[0], "igraph_pagerank_s": min(t_ig_pagerank),
    }


def bench_session(n: int, seed: int, repeat: int = 3) -> dict:
    frame, sessions = session_messages(n, seed)
    steps = {
        "engagement_by_session": lambda: engagement_by_session(frame, moderators=["mod"]),
        "minute_series": lambda: minute_series(frame, sessions),
        "top_entities": lambda: top_entities(frame, exclude_hashtags=["ukedchat"]),
    }
    timings: dict[str, list[float]] = {}
    for _ in range(repeat):
        for name, step in steps.items():
            t0 = time.perf_counter()
            step()
            timings.setdefault(name, []).append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        graph = build_graph(frame.filter(pl.col("phase") == "chat"))
        timings.setdefault("build_graph", []).append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        table = node_metrics(graph, moderators=["mod"])
        timings.setdefault("node_metrics", []).append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        metrics = graph_metrics(graph, table, moderators=["mod"])
        timings.setdefault("graph_metrics", []).append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        classify_shape(graph, table, metrics, moderators=["mod"])
        timings.setdefault("classify_shape", []).append(time.perf_counter() - t0)
    first = {name: values[0] for name, values in timings.items()}
    best = {name: min(values) for name, values in timings.items()}
    return {"messages": frame.height, "nodes": graph.number_of_nodes(), "edges": graph.number_of_edges(),
            "first": first, "best": best}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=50_000)
    parser.add_argument("--session-messages", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    print(f"OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}, {os.cpu_count()} CPUs; times are the best of 3 runs")
    c = bench_cumulative(args.nodes, args.seed)
    print(f"cumulative graph: {c['nodes']:,} nodes, {c['edges']:,} edges from {c['messages']:,} messages")
    print(f"  build_graph (polars + networkx)             {c['build_s']:7.3f} s")
    print(f"  node_metrics + graph_metrics (nx -> igraph) {c['ours_s']:7.3f} s   (first run {c['ours_first_s']:.3f} s)")
    print(f"  same metrics directly in igraph             {c['igraph_s']:7.3f} s")
    print(f"  ratio ours / igraph                         {c['ratio']:7.2f} x   (target <= 3x)")
    print(f"  classify_shape                              {c['shape_s']:7.3f} s   -> {c['shape']}, "
          f"modularity {c['modularity']:.3f}")
    print(f"  PageRank: networkx (pure Python) {c['nx_pagerank_s']:.3f} s, igraph {c['igraph_pagerank_s']:.3f} s, "
          f"ratio {c['nx_pagerank_s'] / c['igraph_pagerank_s']:.0f}x")

    s = bench_session(args.session_messages, args.seed)
    print(f"one session: {s['messages']:,} messages, graph {s['nodes']:,} nodes / {s['edges']:,} edges")
    for name in s["best"]:
        print(f"  {name:<24} first {s['first'][name]:6.3f} s   best {s['best'][name]:6.3f} s")
    print(f"  total                    first {sum(s['first'].values()):6.3f} s   best "
          f"{sum(s['best'].values()):6.3f} s   (target < 0.5 s)")


if __name__ == "__main__":
    main()
