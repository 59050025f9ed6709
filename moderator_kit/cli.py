"""The ``moderator-kit`` command line: thin commands over the Python API.

User errors (bad paths, bad configs, unknown chats) print one line and exit with status 2; they never show a
stack trace. Every command that prints a table also takes ``--json``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
import polars as pl

from moderator_kit.cli_output import (  # noqa: F401  (shorten, print_json: used by tests and the other CLI module)
    JSON_OPTION,
    WORKSPACE_OPTION,
    _console,
    _errors,
    _fmt,
    print_json,
    print_table,
    progress,
    shorten,
    user_errors,
)
from moderator_kit.cli_live import collect_group, live_command
from moderator_kit.errors import ModeratorKitError
from moderator_kit.partition import BATCH_MESSAGES
from moderator_kit.selection import headline_rows, summarize_selection

__all__ = ["main", "cli"]

@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="moderator-kit")
def cli() -> None:
    """Analytics, dashboards and ROI reports for recurring online chats."""


@cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--chat", required=True, help="Chat name (the hashtag or channel), e.g. jobhuntchat.")
@WORKSPACE_OPTION
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Chat config (YAML) to keep with the chat.")
@click.option("--format", "format_name", help="Force a format instead of detecting it.")
@click.option("--map", "mapping", help="Column mapping for a generic CSV, e.g. 'author_handle=user,created_at=time,text=body'.")
@click.option("--timestamp-format", help="Generic CSV: strftime format of the date column, e.g. '%d/%m/%Y %H:%M'.")
@click.option("--timezone", "csv_timezone", help="Generic CSV: time zone of dates without an offset (default UTC).")
@click.option("--separator", help="Generic CSV: field separator (default ',').")
@click.option("--lock-timeout", type=click.FloatRange(min=0), envvar="MODERATOR_KIT_LOCK_TIMEOUT",
              help="Seconds to wait while another import writes the same chat (default 300).")
@click.option("--owner", help="Legacy Twitter archive (tweets.csv): the owner's handle, when data/js/user_details.js "
              "does not name it.")
@click.option("--na-values", help="Generic CSV: comma-separated cells that mean 'missing' (default NA, NaN, NULL, "
              "N/A and the rest of pandas' list; '' = only empty cells).")
@JSON_OPTION
@user_errors
def import_command(paths: tuple[Path, ...], chat: str, workspace: Path, config_path: Path | None,
                   format_name: str | None, mapping: str | None, timestamp_format: str | None,
                   csv_timezone: str | None, separator: str | None, owner: str | None, na_values: str | None,
                   lock_timeout: float | None,
                   as_json: bool) -> None:
    """Import archives (files, folders or .zip) into the workspace. Re-importing adds nothing."""
    from moderator_kit.api import import_archives

    with progress() as bar:
        task = bar.add_task("reading", total=None)

        def on_source(source: Path, fmt: str) -> None:
            bar.update(task, description=f"reading {source.name} ({fmt})", advance=1)

        reports = import_archives(paths, chat=chat, workspace=workspace, config=config_path,
                                  format_name=format_name, mapping=mapping, on_source=on_source, owner=owner,
                                  lock_timeout=lock_timeout,
                                  csv_options={"timestamp_format": timestamp_format, "timezone": csv_timezone,
                                               "separator": separator,
                                               "na_values": None if na_values is None else
                                               [token.strip() for token in na_values.split(",") if token.strip()]})
    if as_json:
        print_json([r.to_dict() for r in reports])
        return
    rows = [{"source": Path(r.source.split(",")[0]).name + (" …" if "," in r.source else ""),
             "format": r.source_format, "seen": r.records_seen, "imported": r.imported, "duplicates": r.duplicates,
             "quarantined": r.quarantined, "reasons": "; ".join(f"{k} ×{v}" for k, v in r.reasons.items())}
            for r in reports]
    print_table(pl.DataFrame(rows), title=f"import into {workspace} (chat {chat})")
    total = sum(r.imported for r in reports)
    _console.print(f"{total:,} new messages; records seen = imported + duplicates + quarantined for every source")


@cli.command("sessions")
@click.option("--chat", required=True)
@WORKSPACE_OPTION
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Chat config; default: the one kept in the workspace at import.")
@click.option("--suggest", is_flag=True,
              help="Infer the chat's weekly slot from the data and print it as a config 'schedule:' to paste.")
@click.option("--timezone", "zone", help="Time zone to find the weekly slot in (default: the config's, else UTC).")
@JSON_OPTION
@user_errors
def sessions_command(chat: str, workspace: Path, config_path: Path | None, suggest: bool, zone: str | None,
                     as_json: bool) -> None:
    """List the chat's sessions with their windows and message counts, or (--suggest) the weekly slot in the data.

    Without a schedule in the config, sessions follow the weekly slot inferred from the data (docs/config.md).
    """
    from moderator_kit.api import chat_config, open_workspace, session_table
    from moderator_kit.sessions import no_sessions_hint, resolve_schedule

    ws = open_workspace(workspace)
    chat = ws.require_chat(chat)
    cfg = chat_config(ws, chat, config_path)
    if zone is not None:
        from moderator_kit.config import parse_config

        data = cfg.model_dump(mode="json")
        cfg = parse_config({**data, "schedule": {**data["schedule"], "timezone": zone}})
    if suggest:
        _print_suggestion(ws, chat, cfg, as_json)
        return
    choice = resolve_schedule(ws.messages(chat), cfg)
    table = session_table(ws, chat, config=cfg)
    if as_json:
        print_json(table)
        return
    if choice.origin in ("inferred", "detected"):
        _console.print(f"note: {_fmt(choice.describe(chat))}", soft_wrap=True)
    if table.height == 0:
        _console.print(f"no sessions found in {chat}: {_fmt(no_sessions_hint(chat))}", soft_wrap=True)
        return
    # the terminal shows the windows that vary; --json has every column (pre_start = start - pre_minutes)
    print_table(table.select("session_id", "number", "local_start", "start", "end", "follow_up_end",
                             pre="pre_messages", chat="chat_messages", follow_up="follow_up_messages", origin="origin"),
                title=f"sessions of {chat} (messages per window: pre-chat, chat, follow-up)")


def _print_suggestion(ws, chat: str, cfg, as_json: bool) -> None:
    """``sessions --suggest``: the inferred weekly slot as YAML to paste into the chat config."""
    import yaml

    from moderator_kit.weekly_slot import infer_weekly_slot

    slot = infer_weekly_slot(ws.messages(chat), hashtags=sorted(cfg.own_hashtags), timezone=cfg.schedule.timezone)
    if slot is None:
        raise ModeratorKitError(
            f"no weekly slot in {chat}: no weekday and hour holds its messages week after week (see docs/config.md); "
            "give the chat's schedule (weekday, time and timezone, or dates) in a chat config and pass it with "
            "--config")
    schedule = slot.schedule(cfg.schedule).model_dump(mode="json", exclude={"dates"})
    if as_json:
        print_json({"slot": slot.to_dict(), "schedule": schedule})
        return
    lines = [f"# inferred from the data: {slot.describe()}"]
    configured = cfg.schedule
    if configured.is_recurring:
        lines.append(f"# the config's schedule: {configured.weekday} {configured.time} {configured.timezone}")
    if slot.timezone == "UTC":
        lines.append("# a chat that follows daylight saving time: run again with --timezone set to its local zone")
    lines.append("# paste into the chat config, then: moderator-kit analyze --chat "
                 f"{chat} --config chat.yaml")
    click.echo("\n".join(lines))
    click.echo(yaml.safe_dump({"schedule": schedule}, sort_keys=False, allow_unicode=True), nl=False)


SESSION_LATEST = click.option(
    "--session", "session_id",
    help="Session id (the local start date); default: the latest session with messages in its chat window.")
SESSION_ALL = click.option(
    "--session", "session_id", help="Session id (the local start date); default: all sessions (the whole chat).")


def _snapshot(workspace: Path, chat: str):
    from moderator_kit.snapshot import load_snapshot

    return load_snapshot(workspace, chat)


def _pick_session(snap, session_id: str | None) -> str:
    """The session asked for, or the latest with messages in its chat window (said on the console)."""
    from moderator_kit.sessions import no_sessions_hint

    ids = snap.session_ids()
    if not ids:
        raise ModeratorKitError(f"chat {snap.chat!r} has no sessions; {no_sessions_hint(snap.chat)}")
    if session_id is None:
        busy = snap.table("engagement").filter(pl.col("messages") > 0)["session_id"].to_list()
        with_messages = [sid for sid in ids if sid in set(busy)]
        chosen = with_messages[-1] if with_messages else ids[-1]
        _errors.print(f"session {chosen} (the latest with messages in its chat window; pick another with --session)",
                      markup=False, highlight=False, soft_wrap=True)
        return chosen
    if session_id not in ids:
        raise ModeratorKitError(f"no session {session_id!r} in chat {snap.chat!r}; sessions: {', '.join(ids[-5:])} …"
                                " (see 'moderator-kit sessions')")
    return session_id


def _check_sessions(snap) -> None:
    """A clear error for a whole-chat view of a chat without sessions."""
    from moderator_kit.sessions import no_sessions_hint

    if not snap.session_ids():
        raise ModeratorKitError(f"chat {snap.chat!r} has no sessions; {no_sessions_hint(snap.chat)}")


def _rows(snap, table: str, session_id: str | None) -> pl.DataFrame:
    return snap.for_sessions(table, [session_id] if session_id else None)


@cli.command("analyze")
@click.option("--chat", help="The chat to analyze.")
@click.option("--chats", "chats_spec", help="Several chats: 'all' or a comma-separated list (docs/scale.md).")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="local: one chat after another in this process; dask: the chats as tasks on dask.distributed.")
@click.option("--scheduler", help="Address of a running Dask scheduler (with --engine dask; default: a local cluster).")
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes of the local Dask cluster (default 2).")
@click.option("--batch-messages", type=click.IntRange(min=1), default=BATCH_MESSAGES, show_default=True,
              help="Read a chat in batches of sessions of about this many messages (bounds memory; docs/scale.md).")
@WORKSPACE_OPTION
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Chat config; default: the one kept in the workspace at import.")
@JSON_OPTION
@user_errors
def analyze_command(chat: str | None, chats_spec: str | None, engine: str, scheduler: str | None,
                    workers: int | None, batch_messages: int, workspace: Path, config_path: Path | None,
                    as_json: bool) -> None:
    """Analyze every session and write the snapshot the dashboard and reports read (of one chat, or of many)."""
    from moderator_kit.scale import analyze_chats, resolve_chats

    if (chat is None) == (chats_spec is None):
        raise ModeratorKitError("name the chat with --chat NAME, or several with --chats all (or --chats a,b)")
    chats = resolve_chats(workspace, chats_spec if chat is None else [chat])
    if config_path is not None and len(chats) > 1:
        raise ModeratorKitError("--config applies to one chat; with --chats each chat uses the config kept with it")
    with progress() as bar:
        task = bar.add_task(f"analyzing {len(chats)} chat(s) ({engine})", total=len(chats))
        outcomes = analyze_chats(workspace, chats, engine=engine, scheduler=scheduler, workers=workers,
                                 config=config_path, batch_messages=batch_messages,
                                 progress=lambda _done: bar.update(task, advance=1))
    failed = [o for o in outcomes if o.status == "failed"]
    if len(outcomes) == 1 and failed:
        raise ModeratorKitError(failed[0].error or "the analysis failed")
    summaries = [{"chat": o.chat, "status": o.status, "sessions": o.sessions, "messages": o.messages,
                  "seconds": round(o.seconds, 2), "snapshot": o.snapshot, "notes": list(o.notes), "error": o.error}
                 for o in outcomes]
    if as_json and chat is not None:  # one chat: the summary 'analyze --chat' has always printed
        from moderator_kit.snapshot_store import Snapshot

        meta = Snapshot(outcomes[0].snapshot).meta
        print_json({"chat": meta["chat"], "sessions": outcomes[0].sessions, "messages": meta["messages"],
                    "excluded_messages": meta["excluded_messages"], "moderators": meta["moderators"],
                    "snapshot": outcomes[0].snapshot, "notes": meta["notes"]})
    elif as_json:
        print_json(summaries)
    else:
        for o in outcomes:
            if o.status == "failed":
                _errors.print(f"error: {o.chat}: {_fmt(o.error)}", soft_wrap=True)
                continue
            _console.print(f"analyzed {o.sessions} sessions, {o.messages:,} messages → {o.snapshot}")
            for note in o.notes:
                _console.print(f"note: {_fmt(note)}", soft_wrap=True)
    if failed:
        raise ModeratorKitError(f"{len(failed)} of {len(outcomes)} chats failed: {', '.join(o.chat for o in failed)}")


@cli.command("flow")
@click.option("--chat", required=True)
@SESSION_LATEST
@WORKSPACE_OPTION
@JSON_OPTION
@user_errors
def flow_command(chat: str, session_id: str | None, workspace: Path, as_json: bool) -> None:
    """The agenda flow of a session: questions, answers, latency, spill-over, and the herding score."""
    snap = _snapshot(workspace, chat)
    session_id = _pick_session(snap, session_id)
    questions = _rows(snap, "questions", session_id)
    flow = _rows(snap, "session_flow", session_id)
    suggestions = _rows(snap, "suggestions", session_id)
    if as_json:
        print_json({"session_id": session_id, "questions": questions, "session": flow, "suggestions": suggestions})
        return
    cols = [c for c in ("question", "planned_at", "posted_at", "text", "answers", "answerers", "median_latency_s",
                        "spillover_share", "lateness_minutes") if c in questions.columns]
    if questions.height == 0:
        _console.print(f"session {session_id}: no agenda questions were found (configure an agenda or tag Q1, Q2 …)")
    else:
        print_table(questions.select(cols).with_columns(shorten(pl.col("text"), 60)),
                    title=f"agenda flow of {chat} {session_id}")
    for row in flow.iter_rows(named=True):
        score = row.get("herding_score")
        _console.print(f"herding score: {'unavailable' if score is None else f'{score:.0f} / 100'}"
                       f"  ({_fmt(row.get('herding_score_parts'))})")
    for text in suggestions["suggestion"].to_list() if suggestions.height else []:
        _console.print(f"• {_fmt(text)}")


@cli.command("summary")
@click.option("--chat", required=True)
@SESSION_ALL
@WORKSPACE_OPTION
@JSON_OPTION
@user_errors
def summary_command(chat: str, session_id: str | None, workspace: Path, as_json: bool) -> None:
    """Engagement and graph figures of every session (or of one, with --session)."""
    snap = _snapshot(workspace, chat)
    _check_sessions(snap)
    session_id = _pick_session(snap, session_id) if session_id else None
    engagement = _rows(snap, "engagement", session_id)
    graph = _rows(snap, "graph_metrics", session_id)
    headline = summarize_selection(snap, [session_id] if session_id else snap.session_ids())
    if as_json:
        print_json({"headline": headline.to_dict(), "engagement": engagement, "graph": graph,
                    "notes": snap.meta["notes"]})
        return
    print_table(pl.DataFrame(headline_rows(headline), schema=["figure", "value"], orient="row"),
                title=f"{chat}: {'session ' + session_id if session_id else 'all sessions (each person once)'}")
    print_table(engagement, title=f"engagement of {chat} {session_id or '(all sessions)'}")
    print_table(graph.drop("shape_rule", strict=False), title="interaction graph")
    for row in graph.select("session_id", "shape", "shape_rule").iter_rows():
        _console.print(f"{row[0]}: {_fmt(row[1])} — {_fmt(row[2])}")


@cli.command("people")
@click.option("--chat", required=True)
@SESSION_ALL
@WORKSPACE_OPTION
@JSON_OPTION
@user_errors
def people_command(chat: str, session_id: str | None, workspace: Path, as_json: bool) -> None:
    """Roles with the reasons behind them, over the whole history (or in one session, with --session)."""
    from moderator_kit.snapshot import ALL_SESSIONS

    snap = _snapshot(workspace, chat)
    _check_sessions(snap)
    roles = snap.table("roles")
    if session_id:
        session_id = _pick_session(snap, session_id)
        roles = roles.filter(pl.col("session_id") == session_id)
    else:
        roles = roles.filter(pl.col("session_id").is_null() | (pl.col("session_id") == ALL_SESSIONS))
    if as_json:
        print_json(roles)
        return
    shown = [c for c in ("handle", "primary_role", "strength", "labels", "reasons") if c in roles.columns]
    print_table(roles.select(shown).sort("primary_role", "handle"),
                title=f"people of {chat} {session_id or '(all sessions)'}", max_rows=200)


@cli.command("todo")
@click.option("--chat", required=True)
@SESSION_LATEST
@WORKSPACE_OPTION
@JSON_OPTION
@user_errors
def todo_command(chat: str, session_id: str | None, workspace: Path, as_json: bool) -> None:
    """The moderator's to-do list for a session, each item linked to its message."""
    snap = _snapshot(workspace, chat)
    session_id = _pick_session(snap, session_id)
    todo = _rows(snap, "todo", session_id)
    if as_json:
        print_json(todo)
        return
    print_table(todo.with_columns(shorten(pl.col("text"), 70)), title=f"to-do after {chat} {session_id}",
                max_rows=100)


@cli.command("retention")
@click.option("--chat", required=True)
@WORKSPACE_OPTION
@JSON_OPTION
@user_errors
def retention_command(chat: str, workspace: Path, as_json: bool) -> None:
    """New, returning and lapsed participants per session, and first-timer return by 'got a reply'."""
    snap = _snapshot(workspace, chat)
    retention, first = snap.table("retention"), snap.table("first_timers")
    if as_json:
        print_json({"retention": retention, "first_timers": first, "cohorts": snap.table("cohorts"),
                    "survival": snap.table("survival")})
        return
    print_table(retention, title=f"retention of {chat}")
    print_table(first, title="first-timer return (Budak & Agrawal 2013)")


@cli.command("value")
@click.option("--chat", required=True)
@click.option("--sponsor", "sponsor_handle", help="Sponsor handle; default: the config's first sponsor.")
@WORKSPACE_OPTION
@JSON_OPTION
@user_errors
def value_command(chat: str, sponsor_handle: str | None, workspace: Path, as_json: bool) -> None:
    """Reach, costs, ROI ranges and the verdict for a sponsor, and the moderator's value."""
    snap = _snapshot(workspace, chat)
    sponsors = snap.meta.get("sponsors", {})
    if not sponsors:
        raise ModeratorKitError(f"chat {chat!r} has no sponsors in its config; add one under 'sponsors:' in the chat "
                                f"config and run 'moderator-kit analyze --chat {chat} --config chat.yaml'")
    key = (sponsor_handle or next(iter(sponsors))).lstrip("@").lower()
    if key not in sponsors:
        raise ModeratorKitError(f"no sponsor {key!r}; sponsors: {', '.join(sponsors)}")
    value = sponsors[key]
    if as_json:
        print_json({"sponsor": value, "moderator": snap.meta.get("moderator_value")})
        return
    from moderator_kit.formats import fmt_metric
    from moderator_kit.value.headline import HEADLINE_KEYS, sponsor_headline

    headline = sponsor_headline(value)
    verdict = next(f for f in headline if f.key == "verdict")
    _console.print(f"[bold]{_fmt(value.get('name', key))}[/bold]: verdict [bold]{_fmt(verdict.display)}[/bold]")
    for reason in value.get("reasons", []):
        _console.print(f"  • {_fmt(reason)}")
    # the Sponsor page's cards: same labels, values and rounding (value.headline.sponsor_headline)
    print_table(pl.DataFrame([(f.label, f.display, f.detail) for f in headline if f.key != "verdict"],
                             schema=["figure", "value", "detail"], orient="row"), title="sponsor value")
    more = {k: v for k, v in value.items() if isinstance(v, (int, float)) and not isinstance(v, bool)
            and k not in (*HEADLINE_KEYS, "mentions", "engaged_participants", "impressions_measured")}
    print_table(pl.DataFrame([(k, fmt_metric(k, v) if isinstance(v, float) else _fmt(v)) for k, v in more.items()],
                             schema=["figure", "value"], orient="row"), title="more figures (--json has them all)")
    for line in value.get("assumptions", []):
        _console.print(f"assumption: {_fmt(line)}")


@cli.command("export-graph")
@click.option("--chat", required=True)
@SESSION_ALL
@click.option("--format", "fmt", type=click.Choice(["graphml", "gexf"]), default="graphml", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@WORKSPACE_OPTION
@user_errors
def export_graph_command(chat: str, session_id: str | None, fmt: str, output: Path, workspace: Path) -> None:
    """Export the interaction graph of the whole chat, every phase (or of one session's chat phase, with --session),
    with the node metrics of the analysis (the same file as the Network page's download)."""
    from moderator_kit.graph_file import write_scope_graph
    from moderator_kit.snapshot import ALL_SESSIONS

    snap = _snapshot(workspace, chat)
    _check_sessions(snap)
    scope = _pick_session(snap, session_id) if session_id else ALL_SESSIONS
    _, graph = write_scope_graph(snap, scope, fmt, output)
    _console.print(f"wrote {graph.number_of_nodes():,} nodes and {graph.number_of_edges():,} edges to {output}")


@cli.command("report")
@click.option("--chat", required=True)
@click.option("--sessions", help="Session ids, numbers or ranges: '2026-01-12,2026-01-19', '1..4', '10..'. Default: all.")
@click.option("--sponsor", "sponsor_handle", help="Sponsor handle, name or #hashtag; default: the first sponsor.")
@click.option("--moderator", is_flag=True, help="The moderator variant: hours invested against community outcomes.")
@click.option("--format", "fmt", type=click.Choice(["html", "pdf", "xlsx", "csv"]), default="html", show_default=True)
@click.option("--anonymize", is_flag=True, help="Stable pseudonyms for participants; message text left out.")
@click.option("--include-text", is_flag=True, help="Keep message text (with handles replaced when anonymizing).")
@click.option("-o", "--output", type=click.Path(), help="Output file, or folder ending in '/' (CSV: .zip or folder).")
@WORKSPACE_OPTION
@user_errors
def report_command(chat: str, sessions: str | None, sponsor_handle: str | None, moderator: bool, fmt: str,
                   anonymize: bool, include_text: bool, output: str | None, workspace: Path) -> None:
    """Export the sponsor's ROI report (or the moderator's) as HTML, PDF, XLSX or CSV."""
    from moderator_kit.report import render_report

    snap = _snapshot(workspace, chat)
    if output is not None and output.endswith(("/", "\\")):
        Path(output).mkdir(parents=True, exist_ok=True)  # "-o reports/" names a folder
    with progress() as bar:
        bar.add_task(f"rendering {fmt}", total=None)
        path = render_report(snap, fmt, output, sponsor=sponsor_handle, sessions=sessions,
                             audience="moderator" if moderator else "sponsor", anonymize=anonymize,
                             include_text=True if include_text else None)
    _console.print(f"wrote {path}")


@cli.command("demo")
@WORKSPACE_OPTION
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8050, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Only import and analyze; do not start the dashboard.")
@user_errors
def demo_command(workspace: Path, host: str, port: int, no_serve: bool) -> None:
    """Import and analyze the bundled sample chats, then open the dashboard on them."""
    from moderator_kit.demo import prepare_demo

    with progress() as bar:
        task = bar.add_task("demo", total=None)
        chats = prepare_demo(workspace, progress=lambda step: bar.update(task, description=step))
    _console.print(f"sample chats ready in {workspace}: {', '.join(chats)}")
    if no_serve:
        return
    _serve(workspace, host, port, allow_remote=False, basic_auth=None)


def _serve(workspace: Path, host: str, port: int, *, allow_remote: bool, basic_auth: str | None,
           allowed_hosts: tuple[str, ...] = ()) -> None:
    """Hand over to the Dash app (``python -m dashboards``); the library itself never imports ``dashboards``."""
    import importlib.util

    if importlib.util.find_spec("dashboards") is None:
        raise ModeratorKitError("the dashboard package is not installed; run from a source checkout ('make demo')")
    argv = [sys.executable, "-m", "dashboards", "--workspace", str(workspace), "--host", host, "--port", str(port)]
    if allow_remote:
        argv.append("--allow-remote")
    for name in allowed_hosts:
        argv += ["--allowed-host", name]
    env = dict(os.environ)
    if basic_auth:
        env["MODERATOR_KIT_BASIC_AUTH"] = basic_auth  # not on the command line, where ps would show it
    sys.stdout.flush()
    os.execve(sys.executable, argv, env)


@cli.command("dashboard")
@WORKSPACE_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="Bind address (loopback unless --allow-remote).")
@click.option("--port", default=8050, show_default=True, type=int)
@click.option("--allow-remote", is_flag=True, help="Allow binding a non-loopback address (prints a warning).")
@click.option("--allowed-host", "allowed_hosts", multiple=True, metavar="NAME",
              help="A host name browsers may use besides 127.0.0.1 / localhost, e.g. a proxy's (repeatable; also "
                   "MODERATOR_KIT_ALLOWED_HOSTS, comma-separated).")
@click.option("--basic-auth", envvar="MODERATOR_KIT_BASIC_AUTH", help="user:password for HTTP basic auth.")
@user_errors
def dashboard_command(workspace: Path, host: str, port: int, allow_remote: bool, allowed_hosts: tuple[str, ...],
                      basic_auth: str | None) -> None:
    """Serve the moderator's dashboard on the workspace's analysis snapshots.

    A new or empty workspace folder is created, and the dashboard opens on its Import page.
    """
    _serve(workspace, host, port, allow_remote=allow_remote, basic_auth=basic_auth, allowed_hosts=allowed_hosts)


@cli.command("recap")
@click.option("--chat", required=True)
@SESSION_LATEST
@click.option("--format", "fmt", type=click.Choice(["md", "html", "thread"]), default="md", show_default=True,
              help="md or html for a blog; thread: numbered posts of at most 500 characters.")
@click.option("--anonymize", is_flag=True, help="Stable pseudonyms for participants; message text and links left out.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file (default: print).")
@WORKSPACE_OPTION
@user_errors
def recap_command(chat: str, session_id: str | None, fmt: str, anonymize: bool, output: Path | None,
                  workspace: Path) -> None:
    """The night's recap to post: best answers per question, newcomers welcomed, thank-yous, paying it forward."""
    from moderator_kit.recap import anonymize_recap, build_recap, render_recap
    from moderator_kit.report.anonymize import Pseudonymizer, load_salt

    snap = _snapshot(workspace, chat)
    _check_sessions(snap)
    session_id = _pick_session(snap, session_id)
    recap = build_recap(snap, session_id)
    if anonymize:
        recap = anonymize_recap(recap, Pseudonymizer(load_salt(workspace)))
    text = render_recap(recap, fmt)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        _console.print(f"wrote {output}")
@cli.command("compare")
@click.option("--chats", required=True, help="Chats to compare, comma-separated: 'jobhuntchat,careerpivotchat'.")
@click.option("--sessions", "sessions_spec", default="last:12", show_default=True,
              help="Sessions of each chat: 'last:N' (the latest N) or 'all'.")
@click.option("--sponsor-profile", "profile_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="YAML: the fee each chat asks, a benchmark CPM, the audience wanted (docs/compare.md).")
@click.option("--workspace", "-w", "workspaces", type=click.Path(file_okay=False, path_type=Path), multiple=True,
              envvar="MODERATOR_KIT_WORKSPACE", help="Workspace folder; repeat to compare chats of several.")
@click.option("--report", "report_format", type=click.Choice(["html", "pdf", "xlsx"]),
              help="Also write the comparison report in this format.")
@click.option("-o", "--output", type=click.Path(), help="Report file or folder (default: compare-<chats>.<format>).")
@JSON_OPTION
@user_errors
def compare_command(chats: str, sessions_spec: str, profile_path: Path | None, workspaces: tuple[Path, ...],
                    report_format: str | None, output: str | None, as_json: bool) -> None:
    """Compare chats side by side: engagement with its spread, a ranking with reasons, reference rows."""
    from moderator_kit.compare import compare_chats, metric_text, read_profile
    from moderator_kit.compare.load import load_snapshots

    names = [c.strip().lstrip("#") for c in chats.split(",") if c.strip()]
    snapshots = load_snapshots(workspaces or (Path("workspace"),), names)
    profile = read_profile(profile_path) if profile_path is not None else None
    comparison, per_session = compare_chats(snapshots, profile, sessions_spec)
    if report_format is not None:
        from moderator_kit.report import render_comparison

        written = render_comparison(comparison, per_session, report_format, output)
        (_errors if as_json else _console).print(f"wrote {written}")
    if as_json:
        print_json(comparison.model_dump(mode="json"))
        return
    metric = comparison.ranking_metric
    print_table(pl.DataFrame({
        "rank": [c.rank for c in comparison.chats],
        "chat": [c.chat for c in comparison.chats],
        "platform": [c.platform for c in comparison.chats],
        "sessions": [c.sessions for c in comparison.chats],
        comparison.ranking_label: [f"{metric_text(metric, c.figures[metric].median)} "
                                   f"({metric_text(metric, c.figures[metric].q1)}–"
                                   f"{metric_text(metric, c.figures[metric].q3)})" for c in comparison.chats],
        "verdict": [c.verdict or "" for c in comparison.chats],
    }), title=f"ranking by {comparison.ranking_label.lower()} (median, IQR)")
    for c in comparison.chats:
        _console.print(f"[bold]{_fmt(c.chat)}[/bold]: " + "; ".join(_fmt(r) for r in c.reasons))
    for line in comparison.indistinct + comparison.notes:
        _console.print(_fmt(line))
    for ref in comparison.references:
        figures = ", ".join(f"{f.label} {f.mean:,.0f}" + (f" ± {f.sd:,.0f} (SD)" if f.sd is not None else "")
                            for f in ref.figures)
        _console.print(f"reference (not ranked): {_fmt(ref.chat)}: {figures}; {_fmt(ref.citation)}")


# the collectors and the live console live in their own module (cli_live.py)
cli.add_command(collect_group)
cli.add_command(live_command)


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    # igraph's OpenMP threads slow small PageRank calls a lot on busy machines (benchmarks/bench_graph.py).
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    try:
        cli.main(args=argv, prog_name="moderator-kit", standalone_mode=False)
    except click.exceptions.Abort:
        _errors.print("aborted")
        return 1
    except click.ClickException as err:
        _errors.print(f"error: {err.format_message()}", markup=False, highlight=False, soft_wrap=True)
        return err.exit_code
    except ModeratorKitError as err:
        _errors.print(f"error: {err}", markup=False, highlight=False, soft_wrap=True)
        return 2
    except KeyboardInterrupt:
        _errors.print("interrupted; the workspace is unchanged")
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())

