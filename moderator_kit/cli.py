"""The ``moderator-kit`` command line: thin commands over the Python API.

User errors (bad paths, bad configs, unknown chats) print one line and exit with status 2; they never show a
stack trace. Every command that prints a table also takes ``--json``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click
import polars as pl
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from moderator_kit.errors import ModeratorKitError

__all__ = ["main", "cli"]

_console = Console(stderr=False, highlight=False)
_errors = Console(stderr=True, highlight=False)

WORKSPACE_OPTION = click.option(
    "--workspace", "-w", type=click.Path(file_okay=False, path_type=Path), default=Path("workspace"),
    show_default=True, envvar="MODERATOR_KIT_WORKSPACE", help="Workspace folder (Parquet store).",
)
JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")


def _jsonable(value: Any) -> Any:
    if isinstance(value, pl.DataFrame):
        return json.loads(value.write_json())
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    return value


def print_json(value: Any) -> None:
    click.echo(json.dumps(_jsonable(value), default=str, indent=2, ensure_ascii=False))


def print_table(frame: pl.DataFrame, title: str | None = None, max_rows: int = 60) -> None:
    """Render a polars frame as a rich table (numbers right-aligned and rounded)."""
    table = Table(title=title, show_lines=False, header_style="bold")
    for name, dtype in frame.schema.items():
        table.add_column(name, justify="right" if dtype.is_numeric() else "left", overflow="fold")
    for row in frame.head(max_rows).iter_rows():
        table.add_row(*[_fmt(v) for v in row])
    _console.print(table)
    if frame.height > max_rows:
        _console.print(f"… {frame.height - max_rows} more rows (use --json for all)")


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 1 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        return "; ".join(map(str, value))
    # Escape rich markup: message text is attacker-controlled.
    from rich.markup import escape

    return escape(str(value))


def progress() -> Progress:
    return Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(), console=_errors, transient=True,
    )


def user_errors(func: Callable) -> Callable:
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ModeratorKitError as err:
            failure = click.ClickException(str(err))
            failure.exit_code = 2
            raise failure from None

    return wrapper


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
@JSON_OPTION
@user_errors
def import_command(paths: tuple[Path, ...], chat: str, workspace: Path, config_path: Path | None,
                   format_name: str | None, mapping: str | None, as_json: bool) -> None:
    """Import archives (files, folders or .zip) into the workspace. Re-importing adds nothing."""
    from moderator_kit.api import import_archives

    with progress() as bar:
        task = bar.add_task("reading", total=None)

        def on_source(source: Path, fmt: str) -> None:
            bar.update(task, description=f"reading {source.name} ({fmt})", advance=1)

        reports = import_archives(paths, chat=chat, workspace=workspace, config=config_path,
                                  format_name=format_name, mapping=mapping, on_source=on_source)
    if as_json:
        print_json([r.to_dict() for r in reports])
        return
    frame = pl.DataFrame([r.to_dict() for r in reports]).with_columns(
        pl.col("reasons").map_elements(lambda d: "; ".join(f"{k} ×{v}" for k, v in d.items() if v),
                                       return_dtype=pl.String)
    ) if reports else pl.DataFrame()
    print_table(frame, title=f"import into {workspace} (chat {chat})")


@cli.command("sessions")
@click.option("--chat", required=True)
@WORKSPACE_OPTION
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@JSON_OPTION
@user_errors
def sessions_command(chat: str, workspace: Path, config_path: Path | None, as_json: bool) -> None:
    """List the chat's sessions with their windows and message counts."""
    from moderator_kit.api import session_table

    table = session_table(workspace, chat, config=config_path)
    if as_json:
        print_json(table)
    else:
        print_table(table, title=f"sessions of {chat}")


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    try:
        cli.main(args=argv, prog_name="moderator-kit", standalone_mode=False)
    except click.exceptions.Abort:
        _errors.print("aborted")
        return 1
    except click.ClickException as err:
        _errors.print(f"error: {err.format_message()}", markup=False, highlight=False)
        return err.exit_code
    except ModeratorKitError as err:
        _errors.print(f"error: {err}", markup=False, highlight=False)
        return 2
    except KeyboardInterrupt:
        _errors.print("interrupted; the workspace is unchanged")
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
