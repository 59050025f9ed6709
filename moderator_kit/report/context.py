"""What a report is built on: the snapshot's tables, the sessions chosen (:func:`resolve_sessions`), the sponsor
chosen, and the anonymization (:class:`ReportContext`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import polars as pl

from moderator_kit.config import ChatConfig, Sponsor
from moderator_kit.errors import ModeratorKitError
from moderator_kit.report.anonymize import Pseudonymizer, load_salt, normalize_handle
from moderator_kit.sessions import no_sessions_hint
from moderator_kit.snapshot_store import Snapshot

__all__ = ["ReportContext", "as_snapshot", "plural", "report_context", "resolve_sessions", "scan_table",
           "snapshot_table", "sponsor_choice"]


def _date(local_start: str | None) -> str:
    """'2026-01-12 20:00 EST' → '12 Jan 2026'."""
    if not local_start:
        return "?"
    try:
        return datetime.strptime(local_start[:10], "%Y-%m-%d").strftime("%-d %b %Y")
    except ValueError:
        return local_start[:10]


def plural(n: int, word: str) -> str:
    """'1 session', '2 sessions': a count with its noun."""
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def as_snapshot(snapshot: Snapshot | Path | str) -> Snapshot:
    """The snapshot itself, or the snapshot in a folder."""
    return snapshot if isinstance(snapshot, Snapshot) else Snapshot(snapshot)


def snapshot_table(snapshot: Snapshot, name: str) -> pl.DataFrame:
    """A table of the snapshot, or an empty frame when the snapshot has none of that name."""
    if name not in snapshot.tables():
        return pl.DataFrame()
    return snapshot.table(name)


def scan_table(snapshot: Snapshot, name: str) -> pl.LazyFrame:
    """A table as a LazyFrame (projection and filters pushed into the Parquet read; the messages table is big)."""
    path = snapshot.folder / f"{name}.parquet"
    if path.exists():
        return pl.scan_parquet(path)
    return snapshot.table(name).lazy()


def _workspace_root(snapshot: Snapshot) -> Path:
    folder = snapshot.folder.resolve()
    if folder.parent.name == "analysis" and (folder.parent.parent / "workspace.json").exists():
        return folder.parent.parent
    raise ModeratorKitError(f"{snapshot.folder}: cannot find the workspace of this snapshot to keep the "
                            "anonymization salt in; pass salt=... explicitly")


def resolve_sessions(snapshot: Snapshot | Path | str, sessions: Sequence[str | int] | str | None) -> list[str]:
    """Session ids (in session order) from ids, session numbers and ranges ``A..B`` (of ids or numbers).

    None or empty means every session. Unknown sessions raise :class:`ModeratorKitError` listing the known ones.

    >>> import tempfile, polars as pl
    >>> from pathlib import Path
    >>> from moderator_kit.snapshot_store import write_snapshot
    >>> folder = Path(tempfile.mkdtemp()) / "chat=demo"
    >>> write_snapshot(folder, {"sessions": pl.DataFrame({"session_id": ["2026-01-05", "2026-01-12", "2026-01-19"],
    ...     "number": [1, 2, 3]})}, {"chat": "demo"})
    >>> resolve_sessions(folder, ["2..3"]), resolve_sessions(folder, "2026-01-05,3")
    (['2026-01-12', '2026-01-19'], ['2026-01-05', '2026-01-19'])
    >>> len(resolve_sessions(folder, None))
    3
    """
    snap = as_snapshot(snapshot)
    table = snapshot_table(snap, "sessions")
    if table.height == 0:
        raise ModeratorKitError(f"{snap.folder}: the snapshot has no sessions; {no_sessions_hint(snap.chat)}")
    ordered = table.sort("number")
    ids: list[str] = ordered["session_id"].to_list()
    numbers = {str(n): sid for n, sid in zip(ordered["number"].to_list(), ids)}
    if sessions is None:
        return ids
    items = [sessions] if isinstance(sessions, (str, int)) else list(sessions)
    tokens = [t.strip() for item in items for t in str(item).split(",") if t.strip()]
    if not tokens:
        return ids

    def position(token: str) -> int:
        sid = token if token in ids else numbers.get(token)
        if sid is None:
            known = ", ".join(ids[:6]) + (" …" if len(ids) > 6 else "")
            raise ModeratorKitError(f"no session {token!r} in chat {snap.chat!r}; use a session id or number "
                                    f"(1-{len(ids)}), e.g. {known}")
        return ids.index(sid)

    chosen: set[int] = set()
    for token in tokens:
        if ".." in token:
            first, last = (part.strip() for part in token.split("..", 1))
            a = position(first) if first else 0
            b = position(last) if last else len(ids) - 1
            chosen.update(range(min(a, b), max(a, b) + 1))
        else:
            chosen.add(position(token))
    return [ids[i] for i in sorted(chosen)]


@dataclass
class ReportContext:
    """What a report is built on: the snapshot, the chat config, the sessions chosen and the anonymization."""

    snapshot: Snapshot
    config: ChatConfig
    sessions: list[str]
    session_table: pl.DataFrame
    pseudo: Pseudonymizer | None
    include_text: bool

    def handle(self, handle: str | None) -> str | None:
        return self.pseudo.handle(handle) if self.pseudo is not None and handle is not None else handle

    def text(self, text: str | None) -> str | None:
        return self.pseudo.text(text) if self.pseudo is not None and text is not None else text

    def texts(self, items: Iterable[str]) -> tuple[str, ...]:
        return tuple(self.text(t) or "" for t in items)

    def period(self, sessions: Sequence[str]) -> str:
        rows = self.session_table.filter(pl.col("session_id").is_in(list(sessions))).sort("number")
        if rows.height == 0:
            return "no sessions"
        starts = rows["local_start"].to_list() if "local_start" in rows.columns else rows["session_id"].to_list()
        span = _date(starts[0]) if rows.height == 1 else f"{_date(starts[0])} – {_date(starts[-1])}"
        return f"{span} ({plural(rows.height, 'session')})"


def report_context(snap: Snapshot, sessions: Sequence[str | int] | str | None, anonymize: bool,
                   include_text: bool | None, salt: bytes | str | None, keep: Iterable[str]) -> ReportContext:
    """The context of a report: its config, its sessions, and the pseudonyms when ``anonymize``."""
    config = ChatConfig.model_validate(snap.meta.get("config") or {"chat": snap.chat})
    selected = resolve_sessions(snap, sessions)
    pseudo = None
    if anonymize:
        key = salt if salt is not None else load_salt(_workspace_root(snap))
        pseudo = Pseudonymizer(key, keep=keep)
        known = (
            scan_table(snap, "messages")
            .select(pl.concat_list(pl.col("author_handle"), pl.col("reply_to_author_handle"),
                                   pl.col("repost_of_author_handle"), pl.col("quote_of_author_handle"),
                                   pl.col("mentions")).alias("h"))
            .explode("h").drop_nulls().unique().collect()["h"].to_list()
        )
        pseudo.known([*known, *snap.meta.get("moderators", []), *config.moderators])
    return ReportContext(snapshot=snap, config=config, sessions=selected,
                         session_table=snapshot_table(snap, "sessions"),
                         pseudo=pseudo, include_text=(not anonymize) if include_text is None else bool(include_text))


def sponsor_choice(snap: Snapshot, config: ChatConfig, wanted: str | None) -> tuple[str, Sponsor]:
    """The key and config of the sponsor named by ``wanted`` (a handle, hashtag, name or key; None: the first)."""
    from moderator_kit.snapshot import sponsor_key

    stored = snap.meta.get("sponsors") or {}
    if not stored or not config.sponsors:
        raise ModeratorKitError(f"chat {snap.chat!r} has no sponsors in its config; add one under 'sponsors:' in the "
                                f"chat config and run 'moderator-kit analyze --chat {snap.chat} --config chat.yaml', "
                                "or make a --moderator report")
    by_key = {sponsor_key(s): s for s in config.sponsors}
    if wanted is None:
        key = next(iter(stored))
    else:
        needle = normalize_handle(wanted).lstrip("#")
        key = next((k for k, s in by_key.items()
                    if needle == k or needle in s.handles or needle == s.name.strip().lower()
                    or needle in s.hashtags), None)
        if key is None:
            raise ModeratorKitError(f"no sponsor {wanted!r} in chat {snap.chat!r}; sponsors: {', '.join(stored)}")
    if key not in stored or key not in by_key:
        raise ModeratorKitError(f"sponsor {key!r} is in the config but not in the snapshot; run 'moderator-kit "
                                "analyze' again")
    return key, by_key[key]
