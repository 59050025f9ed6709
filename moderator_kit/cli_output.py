"""What every ``moderator-kit`` command shares: the console, the common options, tables, JSON and one-line errors.

Values printed in a table are escaped for rich markup: message text is attacker-controlled.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import Any

import click
import polars as pl
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from moderator_kit.errors import ModeratorKitError

__all__ = ["WORKSPACE_OPTION", "JSON_OPTION", "print_json", "print_table", "shorten", "progress", "user_errors"]

_console = Console(stderr=False, highlight=False, width=None if sys.stdout.isatty() else 160)
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
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    return value


def print_json(value: Any) -> None:
    click.echo(json.dumps(_jsonable(value), default=str, indent=2, ensure_ascii=False))


def print_table(frame: pl.DataFrame, title: str | None = None, max_rows: int = 60) -> None:
    """Render a polars frame as a rich table (numbers right-aligned and rounded).

    A wide frame with few rows is shown transposed (one line per column) so that it stays readable.
    """
    if frame.width > 8 and 0 < frame.height <= 4:
        key = frame.columns[0]
        frame = pl.DataFrame(
            {"figure": frame.columns[1:],
             **{str(row[key]): [_fmt(row[c]) for c in frame.columns[1:]] for row in frame.iter_rows(named=True)}}
        )
    table = Table(title=title, show_lines=False, header_style="bold")
    cells = [[_fmt(v) for v in row] for row in frame.head(max_rows).iter_rows()]
    for index, (name, dtype) in enumerate(frame.schema.items()):
        widest = max((len(row[index]) for row in cells), default=0)
        # timestamps, ids, numbers and labels are read whole: never wrapped mid-value ("+00:0 / 0")
        short = dtype.is_temporal() or dtype.is_numeric() or widest <= _SHORT_VALUE
        table.add_column(name, justify="right" if dtype.is_numeric() else "left", no_wrap=short,
                         overflow="ellipsis" if short else "fold", min_width=widest if short else None)
    for row in cells:
        table.add_row(*row)
    _console.print(table)
    if frame.height > max_rows:
        _console.print(f"… {frame.height - max_rows} more rows (use --json for all)")


#: Values up to this many characters (ids, dates, labels) are never wrapped in a table.
_SHORT_VALUE = 24


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        zone = value.tzname() or ""
        return value.strftime("%Y-%m-%d %H:%M" + (":%S" if value.second else "")) + (f" {zone}" if zone else "")
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 1 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        return "; ".join(map(str, value))
    # Escape rich markup: message text is attacker-controlled.
    from rich.markup import escape

    return escape(str(value))


def shorten(text: pl.Expr, width: int) -> pl.Expr:
    """Texts cut to at most ``width`` characters on a word boundary, with "…" where something was cut; line breaks
    become spaces. A single word longer than half the width is cut inside it.

    >>> frame = pl.DataFrame({"t": ["short", "a few words that go on", "Supercalifragilistic"]})
    >>> frame.select(shorten(pl.col("t"), 12))["t"].to_list()
    ['short', 'a few words…', 'Supercalifr…']
    """
    flat = text.str.replace_all(r"\s+", " ").str.strip_chars()
    # the character after the cut decides whether the last word is whole: keep width characters, drop the last
    # (partial or whole) word and the spaces before it
    words = flat.str.slice(0, width).str.replace(r"\s*\S*$", "")
    return (
        pl.when(flat.str.len_chars() <= width).then(flat)
        .when(words.str.len_chars() > width // 2).then(words + "…")
        .otherwise(flat.str.slice(0, width - 1) + "…")
    )


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
        except OSError as err:  # a path the user gave cannot be read or written
            where = f"{err.filename}: " if err.filename else ""
            failure = click.ClickException(f"{where}{err.strerror or err}; check the path and its permissions")
            failure.exit_code = 2
            raise failure from None

    return wrapper


