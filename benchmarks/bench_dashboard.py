"""Benchmark the dashboard on a 5,000-message session.

Three measurements, printed as tables:

1. **Server time per callback** (target: median under 200 ms): each page callback is POSTed to Dash's
   ``/_dash-update-component`` endpoint through Flask's test client (Dash's dispatch, the callback, the figure
   builders and the JSON encoding), ``--repeats`` times after one warm-up call.
2. **Time to first render of each page** in headless Chromium (Debian's ``/usr/bin/chromium`` via Playwright):
   from navigation to the page's main content drawn and the network idle.
3. **Latency under load** (target: p95 under 1 s): ``--clients`` threads (default 20) each send ``--requests``
   callback requests (a mix of pages) to a threaded server on 127.0.0.1, bounded by ``--max-seconds``; once with
   every request computed (the response cache off: the worst case) and once with the default app, whose response
   cache serves repeated requests for the same view (``dashboards/cache.py``).

The session is a synthetic '#JobHuntChat' (``moderator_kit.synth.generate_twitter_chat``) scaled to about
``--messages`` chat messages, written as twarc2 with its chat.yaml, imported and analysed once into a temporary
workspace (analysis time is printed too; it is not part of the dashboard's figures).

Run::

    /tmp/venv/bin/python benchmarks/bench_dashboard.py [--messages 5000] [--repeats 15] [--clients 20]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import polars as pl  # noqa: E402

from moderator_kit.api import import_archives  # noqa: E402
from moderator_kit.snapshot import analyze_chat, replay_steps  # noqa: E402
from moderator_kit.synth import generate_twitter_chat, write_config, write_twarc2  # noqa: E402
from tests.browser import CHROMIUM, DASHBOARD_PAGES, LAUNCH_ARGS  # noqa: E402  (one list for tests and benchmark)


#: Callbacks timed: (label, a piece of the callback's output key, values of its inputs by "id.property").
CALLBACKS = [
    ("picker (URL → selection)", "mk-selection.data", {}),
    ("overview", "ov-body.children", {}),
    ("agenda flow", "flow-body.children", {}),
    ("agenda flow: answers of Q3", "flow-answers.children", {"flow-question.data": 3}),
    ("network: scope", "net-shape.children", {}),
    ("network: full graph", "net-graph.figure", {}),
    ("network: replay half-way", "net-graph.figure", {"net-replay.value": "half"}),
    ("network: colour by role, replies only", "net-graph.figure", {"net-color.value": "role",
                                                                   "net-edge-types.value": ["reply"]}),
    ("participants table", "part-table.children", {}),
    ("participants: filtered + sorted", "part-table.children", {"part-filter.value": "advocate",
                                                                "part-sort.data": {"column": "replies_given",
                                                                                   "descending": True}}),
    ("participant history", "part-history.children", {}),
    ("follow-up", "fu-body.children", {}),
    ("trends", "tr-body.children", {}),
    ("sponsor", "sp-body.children", {}),
]


def build_workspace(root: Path, messages: int, seed: int) -> tuple[Path, str, str, int, float]:
    """A workspace holding one chat session of about ``messages`` in-chat messages; returns its facts."""
    scale = messages / 160
    for _ in range(6):  # the generator's size is random around scale × ~160 in-chat messages: aim within 5%
        chat = generate_twitter_chat(seed=seed, sessions=1, scale=scale)
        in_chat = int((chat.truth["phase"] == "chat").sum())
        if messages <= in_chat <= messages * 1.05:
            break
        scale *= messages * 1.02 / max(in_chat, 1)
    archive = root / "bench.jsonl"
    config = root / "chat.yaml"
    write_twarc2(chat, archive)
    write_config(chat, config)
    ws = root / "workspace"
    began = time.perf_counter()
    import_archives([archive], chat="jobhuntchat", workspace=ws, config=config)
    snapshot = analyze_chat(ws, "jobhuntchat")
    seconds = time.perf_counter() - began
    session = snapshot.session_ids()[0]
    in_session = snapshot.table("messages").filter((pl.col("session_id") == session)
                                                   & (pl.col("phase") == "chat")).height
    return ws, "jobhuntchat", session, in_session, seconds


def input_values(snapshot: Any, chat: str, session: str) -> dict[str, Any]:
    """A value for every callback input the benchmark drives."""
    total = replay_steps(snapshot, session).height
    sponsor = next(iter(snapshot.meta.get("sponsors") or {"": None}))
    top = snapshot.table("signals").filter(pl.col("session_id") == session).sort("answers", descending=True)
    selection = {"chat": chat, "mode": "session", "sessions": [session],
                 "query": f"?chat={chat}&session={session}"}
    return {
        "mk-selection.data": selection, "mk-url.search": f"?chat={chat}&session={session}", "mk-url.pathname": "/",
        "mk-pick-chat.value": chat, "mk-pick-mode.value": "session", "mk-pick-session.value": session,
        "mk-pick-from.value": session, "mk-pick-to.value": session, "mk-chats-version.data": 0,
        "mk-open-request.data": None,
        "flow-question.data": 1,
        "net-scope.value": session, "net-edge-types.value": ["reply", "mention", "repost", "quote"],
        "net-color.value": "community", "net-replay.value": total, "half": total // 2,
        "part-filter.value": "", "part-roles.value": None, "part-sort.data": {"column": "answers", "descending": True},
        "part-page.data": 0, "part-person.data": top["handle"][0] if top.height else None,
        "fu-kinds.value": ["unanswered_question", "newcomer_no_reply", "help_seeker", "helper_to_thank"],
        "sp-sponsor.value": sponsor,
    }


def payload(app: Any, output_part: str, values: dict[str, Any], overrides: dict[str, Any]) -> dict:
    """The JSON body Dash's renderer would POST for the callback whose output key contains ``output_part``."""
    key = next(k for k in app.callback_map if output_part in k)
    spec = app.callback_map[key]
    merged = {**values, **{k: (values[v] if isinstance(v, str) and v in values else v) for k, v in overrides.items()}}

    def item(dep: dict) -> dict:
        name = f"{dep['id']}.{dep['property']}"
        return {"id": dep["id"], "property": dep["property"], "value": merged.get(name)}

    inputs = [item(d) for d in spec["inputs"]]
    outputs = [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in key.strip(".").split("...")]
    return {"output": key, "outputs": outputs if len(outputs) > 1 else outputs[0], "inputs": inputs,
            "state": [item(d) for d in spec["state"]],
            "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"]}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def time_callbacks(app: Any, values: dict[str, Any], repeats: int) -> list[tuple[str, float, float, int]]:
    client = app.server.test_client()
    client.get("/")
    rows = []
    for label, output, overrides in CALLBACKS:
        body = json.dumps(payload(app, output, values, overrides))
        times = []
        size = 0
        for i in range(repeats + 1):
            began = time.perf_counter()
            response = client.post("/_dash-update-component", data=body, content_type="application/json")
            elapsed = time.perf_counter() - began
            if response.status_code != 200:
                raise SystemExit(f"{label}: HTTP {response.status_code}: {response.get_data(as_text=True)[:300]}")
            size = len(response.get_data())
            if i:  # the first call warms caches (snapshot tables are read once per app)
                times.append(elapsed * 1000)
        rows.append((label, statistics.median(times), percentile(times, 0.95), size))
    return rows


def first_render(base: str, chat: str, session: str) -> list[tuple[str, float]] | str:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return "playwright is not installed"
    if not Path("/usr/bin/chromium").exists():
        return "Chromium is not installed at /usr/bin/chromium"
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(f"{base}/import")  # warm the browser's cache of Dash's scripts, as a returning user has it
        page.wait_for_load_state("networkidle")
        for name, path, ready in DASHBOARD_PAGES:
            began = time.perf_counter()
            page.goto(f"{base}{path}?chat={chat}&session={session}")
            page.wait_for_selector(ready, state="visible", timeout=60_000)
            page.wait_for_load_state("networkidle")
            rows.append((name, time.perf_counter() - began))
        browser.close()
    return rows


def load_test(base: str, app: Any, values: dict[str, Any], clients: int, requests: int, max_seconds: float
              ) -> tuple[list[float], int, float]:
    bodies = [json.dumps(payload(app, output, values, overrides)).encode() for _, output, overrides in CALLBACKS]
    deadline = time.monotonic() + max_seconds
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()

    def client(index: int) -> None:
        nonlocal errors
        for i in range(requests):
            if time.monotonic() > deadline:
                return
            body = bodies[(index + i) % len(bodies)]
            request = urllib.request.Request(f"{base}/_dash-update-component", data=body,
                                             headers={"Content-Type": "application/json"})
            began = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    response.read()
                ok = True
            except Exception:  # noqa: BLE001 - count it, keep going
                ok = False
            elapsed = time.perf_counter() - began
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    errors += 1

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(client, range(clients)))
    return latencies, errors, time.perf_counter() - began


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000, help="in-chat messages of the session")
    parser.add_argument("--repeats", type=int, default=15, help="timed calls per callback")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients of the load test")
    parser.add_argument("--requests", type=int, default=10, help="requests per client")
    parser.add_argument("--max-seconds", type=float, default=90, help="time limit of the load test")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium measurements")
    args = parser.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    from werkzeug.serving import make_server

    from dashboards.app import create_app

    with tempfile.TemporaryDirectory() as tmp:
        ws, chat, session, in_session, analyze_s = build_workspace(Path(tmp), args.messages, args.seed)
        app = create_app(ws, response_cache=0)  # server time = real work: no cached responses
        state = app.server.config["MODERATOR_KIT"]
        snapshot = state.snapshot(chat)
        values = input_values(snapshot, chat, session)
        nodes = snapshot.table("nodes").filter(pl.col("session_id") == session).height
        edges = snapshot.table("edges").filter(pl.col("session_id") == session).height
        print(f"session {session}: {in_session:,} in-chat messages, {nodes:,} people, {edges:,} edges "
              f"(import + analysis {analyze_s:.1f} s, not part of the dashboard figures)\n")

        rows = time_callbacks(app, values, args.repeats)
        print(f"1. Server time per callback ({args.repeats} calls each, via /_dash-update-component)")
        print(f"   {'callback':<40} {'median ms':>10} {'p95 ms':>8} {'response':>10}")
        for label, median, p95, size in rows:
            print(f"   {label:<40} {median:>10.1f} {p95:>8.1f} {size / 1024:>8.0f} KB")
        medians = [r[1] for r in rows]
        worst = max(rows, key=lambda r: r[1])
        print(f"   median of medians {statistics.median(medians):.1f} ms; slowest {worst[0]} {worst[1]:.1f} ms "
              f"(target: under 200 ms) -> {'OK' if worst[1] < 200 else 'OVER TARGET'}\n")

        server = make_server("127.0.0.1", 0, app.server, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{server.server_port}"
        loads = []
        try:
            if args.no_browser:
                print("2. Time to first render: skipped (--no-browser)\n")
            else:
                renders = first_render(base, chat, session)
                print("2. Time to first render in headless Chromium (navigation → content drawn, network idle)")
                if isinstance(renders, str):
                    print(f"   skipped: {renders}\n")
                else:
                    for name, seconds in renders:
                        print(f"   {name:<16} {seconds * 1000:>7.0f} ms")
                    print()
            loads.append(("every request computed (response cache off)",
                          *load_test(base, app, values, args.clients, args.requests, args.max_seconds)))
        finally:
            server.shutdown()
        cached = create_app(ws)  # the default: page-callback responses cached per snapshot
        server = make_server("127.0.0.1", 0, cached.server, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            loads.append(("default app (response cache on)",
                          *load_test(f"http://127.0.0.1:{server.server_port}", cached, values, args.clients,
                                     args.requests, args.max_seconds)))
        finally:
            server.shutdown()
        print(f"3. {args.clients} concurrent clients on loopback, {args.requests} requests each "
              f"(the {len(CALLBACKS)} callbacks above in turn)")
        for label, latencies, errors, wall in loads:
            if not latencies:
                print(f"   {label}: no successful request ({errors} errors)")
                continue
            p50, p95 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.95) * 1000
            print(f"   {label}: {len(latencies):,} requests in {wall:.1f} s ({len(latencies) / wall:.0f}/s), "
                  f"{errors} errors")
            print(f"      p50 {p50:.0f} ms · p95 {p95:.0f} ms · max {max(latencies) * 1000:.0f} ms "
                  f"(target: p95 under 1000 ms) -> {'OK' if p95 < 1000 else 'OVER TARGET'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
