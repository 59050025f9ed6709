"""The ``collect`` and ``live`` commands: collectors that append a platform's posts to an archive file, and the
dashboard's Live page on a chat as it happens (docs/collect.md, docs/live.md).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from moderator_kit.cli_output import WORKSPACE_OPTION, _errors, user_errors

__all__ = ["collect_group", "live_command"]


# ------------------------------------------------------------------------------------------------------ collect
def _since_option(value: str | None):
    if value is None:
        return None
    from datetime import datetime, timezone
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; use ISO 8601, e.g. 2026-01-05T20:00:00Z") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _run_collector(collect: Callable, out: Path, **kwargs: Any) -> None:
    """Run a collector with a rich counter on stderr; SIGINT/SIGTERM stop it cleanly between pages."""
    import signal
    import threading

    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.completed} new"),
                      TimeElapsedColumn(), console=_errors, transient=True) as bar:
            task = bar.add_task(f"collecting into {out.name}", total=None)
            result = collect(out=out, stop=stop,
                             on_page=lambda new, total: bar.update(task, advance=new), **kwargs)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    _errors.print(f"{result.new} new, {result.total} in {out} ({result.pages} pages)"
                  + (" — stopped" if stop.is_set() else ""), markup=False, highlight=False)


def _collector_options(command: Callable) -> Callable:
    """The options every collector shares: --follow, --interval, -o FILE (and one-line user errors)."""
    command = user_errors(command)
    command = click.option("-o", "--output", "out", required=True,
                           type=click.Path(dir_okay=False, path_type=Path), help="The archive file to append to.")(command)
    command = click.option("--interval", type=float, default=30.0, show_default=True,
                           help="Seconds between polls with --follow.")(command)
    return click.option("--follow", is_flag=True, help="Keep polling until stopped (Ctrl-C / SIGTERM).")(command)


@click.group("collect")
def collect_group() -> None:
    """Collect posts through a platform's public API into an archive file that `import` reads."""


@collect_group.command("mastodon")
@click.option("--instance", required=True, help="The Mastodon server, e.g. https://mastodon.social")
@click.option("--tag", required=True, help="The hashtag, with or without #.")
@click.option("--since", help="Start here when the file holds nothing yet (ISO 8601, UTC if no offset).")
@click.option("--token", envvar="MASTODON_TOKEN", help="Access token, where the server requires one.")
@_collector_options
def collect_mastodon_command(instance: str, tag: str, since: str | None, token: str | None, follow: bool,
                             interval: float, out: Path) -> None:
    """Append a Mastodon hashtag timeline to FILE (one raw status per line), resuming where it stopped."""
    from moderator_kit.collect import collect_mastodon

    _run_collector(collect_mastodon, out, instance=instance, tag=tag, since=_since_option(since), token=token,
                   follow=follow, interval=interval)


@collect_group.command("bluesky")
@click.option("--query", required=True, help='The search, e.g. "#fedichat".')
@click.option("--server", default="https://public.api.bsky.app", show_default=True,
              help="The AppView (or your PDS, with a login) serving app.bsky.feed.searchPosts.")
@click.option("--since", help="Oldest post to collect (ISO 8601, UTC if no offset).")
@click.option("--handle", help="Log in as this handle where the server requires it.")
@click.option("--app-password", envvar="BLUESKY_APP_PASSWORD", help="An app password for --handle.")
@_collector_options
def collect_bluesky_command(query: str, server: str, since: str | None, handle: str | None,
                            app_password: str | None, follow: bool, interval: float, out: Path) -> None:
    """Append Bluesky search results to FILE (one raw PostView per line), resuming where it stopped."""
    from moderator_kit.collect import collect_bluesky

    _run_collector(collect_bluesky, out, query=query, base_url=server, since=_since_option(since), handle=handle,
                   app_password=app_password, follow=follow, interval=interval)


@click.command("live")
@click.option("--chat", required=True, help="The chat (its config and earlier sessions come from the workspace).")
@click.option("--follow", "follow", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="A growing archive: a twarc2 stream/search file or a collector's file (repeatable).")
@click.option("--collect", type=click.Choice(["mastodon", "bluesky"]), help="Run a collector in the background.")
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="With --collect: the archive file the collector appends to.")
@click.option("--instance", help="--collect mastodon: the server, e.g. https://mastodon.social")
@click.option("--tag", help="--collect mastodon: the hashtag.")
@click.option("--query", help='--collect bluesky: the search, e.g. "#fedichat".')
@click.option("--server", help="--collect bluesky: the AppView (default https://public.api.bsky.app).")
@click.option("--handle", help="--collect bluesky: log in as this handle (password in BLUESKY_APP_PASSWORD).")
@click.option("--config", type=click.Path(dir_okay=False, path_type=Path), help="The chat config (YAML).")
@click.option("--at", help="Follow the session on at this time (ISO 8601; default: now).")
@WORKSPACE_OPTION
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8050, show_default=True, type=int)
@user_errors
def live_command(chat: str, follow: tuple[Path, ...], collect: str | None, out: Path | None, instance: str | None,
                 tag: str | None, query: str | None, server: str | None, handle: str | None, config: Path | None,
                 at: str | None, workspace: Path, host: str, port: int) -> None:
    """Open the dashboard's Live page on a chat as it happens (docs/live.md)."""
    from moderator_kit.live.command import run_live
    from moderator_kit.live.feed import LiveSpec

    options = {k: v for k, v in {"instance": instance, "tag": tag, "query": query, "server": server,
                                 "handle": handle}.items() if v}
    spec = LiveSpec(chat=chat, workspace=str(workspace), follow=tuple(str(p) for p in follow), collect=collect,
                    out=str(out) if out else None, collect_options=options, config=str(config) if config else None,
                    at=_since_option(at).isoformat() if at else None)
    run_live(spec, workspace, host, port)


