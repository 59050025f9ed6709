"""The Python API for notebooks and for the CLI: load a workspace, get polars frames and networkx graphs.

Examples
--------
>>> import tempfile
>>> from moderator_kit.api import open_workspace
>>> open_workspace(tempfile.mkdtemp(), create=True).chats()
[]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import polars as pl

from moderator_kit.config import ChatConfig, chat_config, read_config
from moderator_kit.errors import ArchiveError
from moderator_kit.io.detect import read_archive
from moderator_kit.sessions import split_sessions
from moderator_kit.workspace import ImportReport, Workspace, validate_chat_name

__all__ = [
    "open_workspace",
    "import_archives",
    "chat_config",
    "session_messages",
    "session_table",
    "interaction_graph",
    "load_snapshot",
]


def open_workspace(root: Path | str, *, create: bool = False) -> Workspace:
    return Workspace(root, create=create)


def import_archives(
    paths: Iterable[Path | str],
    *,
    chat: str,
    workspace: Path | str,
    config: Path | str | None = None,
    format_name: str | None = None,
    mapping: str | dict | None = None,
    csv_options: dict | None = None,
    on_source: Callable[[Path, str], None] | None = None,
    owner: str | None = None,
    lock_timeout: float | None = None,
) -> list[ImportReport]:
    """Read archives and merge them into a chat of the workspace in one atomic commit.

    ``owner`` is the handle of a legacy Twitter archive's owner (its ``tweets.csv`` has no author column), used when
    the archive's ``data/js/user_details.js`` does not name one. ``lock_timeout``: seconds to wait while another
    import writes the same chat (default ``$MODERATOR_KIT_LOCK_TIMEOUT`` or 300).
    """
    chat = validate_chat_name(chat)
    cfg = read_config(config) if config is not None else None  # validated before the workspace is touched
    reader = None
    if mapping is not None or format_name in ("csv", "generic-csv"):
        from moderator_kit.io.generic_csv import parse_column_mapping, read_generic_csv

        options = {k: v for k, v in (csv_options or {}).items() if v is not None}
        if mapping is None and cfg is not None and cfg.csv_import is not None:
            mapping = cfg.csv_import.mapping  # the config's mapping; command-line options win
            options = {**cfg.csv_import.model_dump(exclude={"mapping"}, exclude_none=True), **options}
        if mapping is None:
            raise ArchiveError("a generic CSV needs a column mapping: --map 'author_handle=user,created_at=time,"
                               "text=body', or csv_import.mapping in the chat config")
        columns = parse_column_mapping(mapping) if isinstance(mapping, str) else dict(mapping)
        reader = lambda path: read_generic_csv(path, columns, **options)  # noqa: E731
    results = []
    for path in paths:
        path_reader = reader if owner is None else _owner_reader(Path(path), format_name, owner)
        results.extend(read_archive(Path(path), format_name=None if path_reader else format_name, reader=path_reader,
                                    on_source=on_source, chunked=True))
    ws = Workspace(workspace, create=True)
    reports = ws.import_results(results, chat, lock_timeout=lock_timeout)
    if config is not None:
        ws.save_config(chat, config)
    return reports


def _owner_reader(path: Path, format_name: str | None, owner: str) -> Callable[[Path], object]:
    from moderator_kit.io.detect import detect_format
    from moderator_kit.io.twitter_archive import owner_reader

    spec = None if format_name or not path.exists() else detect_format(path)
    reader = owner_reader(format_name or (spec.name if spec else ""), owner)
    if reader is None:
        raise ArchiveError("--owner names the owner of a legacy Twitter archive: give its folder or its tweets.csv "
                           "(other archives name their authors)", path=str(path))
    return reader


def session_messages(workspace: Path | str | Workspace, chat: str, config: Path | str | ChatConfig | None = None
                     ) -> tuple[pl.DataFrame, pl.DataFrame, ChatConfig]:
    """``(sessions, session_messages, config)`` of a chat."""
    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    chat = ws.require_chat(chat)
    cfg = config if isinstance(config, ChatConfig) else chat_config(ws, chat, config)
    sessions, tagged = split_sessions(ws.messages(chat), cfg)
    return sessions, tagged, cfg


def session_table(workspace: Path | str | Workspace, chat: str, config: Path | str | None = None) -> pl.DataFrame:
    """Sessions with their windows and message counts per phase."""
    sessions, tagged, _ = session_messages(workspace, chat, config)
    counts = tagged.pivot(on="phase", index="session_id", values="message_id", aggregate_function="len")
    for phase in ("pre", "chat", "follow_up"):
        if phase not in counts.columns:
            counts = counts.with_columns(pl.lit(0, pl.UInt32).alias(phase))
    counts = counts.select("session_id", pre_messages="pre", chat_messages="chat", follow_up_messages="follow_up")
    return (
        sessions.join(counts, on="session_id", how="left")
        .with_columns(pl.col("pre_messages", "chat_messages", "follow_up_messages").fill_null(0).cast(pl.Int64))
        .select("session_id", "number", "local_start", "start", "end", "pre_start", "follow_up_end",
                "pre_messages", "chat_messages", "follow_up_messages", "origin")
    )


def interaction_graph(workspace: Path | str | Workspace, chat: str, session_id: str | None = None,
                      config: Path | str | ChatConfig | None = None):
    """The typed, weighted interaction graph (``networkx.DiGraph``) of one session's chat phase, or of the whole
    chat when ``session_id`` is None."""
    from moderator_kit.graph import build_graph

    _, tagged, _ = session_messages(workspace, chat, config)
    if session_id is not None:
        tagged = tagged.filter((pl.col("session_id") == session_id) & (pl.col("phase") == "chat"))
    return build_graph(tagged)


def load_snapshot(workspace: Path | str | Workspace, chat: str):
    """The chat's analysis snapshot (typed results: ``.table(name)``, ``.meta``), see docs/snapshot.md."""
    from moderator_kit.snapshot import load_snapshot as _load

    return _load(workspace, chat)
