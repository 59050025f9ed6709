"""Upgrade a workspace written by moderator-kit before manifests (format 1) in place.

Format 1 kept ``messages/chat=X/month=M/part-0.parquet`` and ``quarantine/chat=X/part-0.parquet`` with no manifest,
and the import log in ``imports.jsonl``. Each chat's files get a manifest (the files become its first generation,
linked into ``.data``); the log lines become the manifest's import reports. A chat with a manifest is already done,
so an interrupted upgrade simply runs again.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl

from moderator_kit.store.chat_store import ChatStore, Manifest, new_file_id
from moderator_kit.store.durable import link_or_copy

__all__ = ["migrate_v1"]


def migrate_v1(root: Path, chats: list[str]) -> None:
    """Give every format-1 chat a manifest; drop the old lock file and staging folders holding only new data."""
    chats = sorted(set(chats) | _restore_cut_swaps(root))
    stores = [ChatStore(root, chat) for chat in chats]
    log = root / "imports.jsonl"
    logged = [json.loads(line) for line in log.read_text().splitlines() if line.strip()] if log.exists() else []
    for store in stores:
        if store.state_file.exists():
            continue
        messages = [_adopt(store, path, path.parent.name.removeprefix("month="))
                    for path in sorted(store.messages_dir.glob("month=*/*.parquet"))]
        quarantine = [_adopt(store, path, None) for path in sorted(store.quarantine_dir.glob("*.parquet"))]
        if not messages:
            continue  # an empty chat folder (left by an import whose records were all quarantined)
        manifest = Manifest(chat=store.chat, generation=1, messages=messages, quarantine=quarantine,
                            imports=[e for e in logged if e.get("chat") == store.chat])
        store.commit(None, manifest)
    (root / ".lock").unlink(missing_ok=True)  # format 1's lock file; locks are now released by the OS
    for staging in root.glob(".staging-*"):
        # A staging folder holding old-* folders is the only copy of a chat cut off by an interrupted swap: keep it.
        if not any(p.name.startswith("old-") for p in staging.iterdir()):
            shutil.rmtree(staging, ignore_errors=True)


def _restore_cut_swaps(root: Path) -> set[str]:
    """Format 1 swapped a chat in with two renames; a kill between them left the chat's messages in
    ``.staging-*/old-messages`` and no ``messages/chat=X``. Put them back when the chat is known: the one chat that
    has a quarantine folder but no messages folder (the quarantine was swapped after the messages)."""
    restored = set()
    for old in sorted(root.glob(".staging-*/old-messages")):
        orphans = [p.name for p in root.glob("quarantine/chat=*") if not (root / "messages" / p.name).exists()]
        if len(orphans) == 1:
            (root / "messages").mkdir(exist_ok=True)
            old.rename(root / "messages" / orphans[0])
            restored.add(orphans[0].removeprefix("chat="))
    return restored


def _adopt(store: ChatStore, path: Path, month: str | None) -> dict:
    file_id = new_file_id()
    store.data_dir.mkdir(parents=True, exist_ok=True)
    link_or_copy(path, store.data_path(file_id))
    rows = pl.scan_parquet(path).select(pl.len()).collect().item()
    return {"id": file_id, "rows": rows} if month is None else {"id": file_id, "month": month, "rows": rows}
