"""A workspace of many analysed chats for the dashboard's scale test and benchmark: the bundled '#JobHuntChat'
analysed once, its snapshot cloned under other names (Parquet files hard-linked, ``snapshot.json`` rewritten)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

__all__ = ["many_chats_workspace", "chat_names"]

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "jobhuntchat"


def chat_names(count: int) -> list[str]:
    return [f"bench{i:03d}" for i in range(count)]


def many_chats_workspace(workspace: Path, count: int) -> Path:
    """``workspace`` holding ``count`` analysed chats ``bench000``… titled '#Bench000 chat'… (built once)."""
    from moderator_kit.api import import_archives
    from moderator_kit.snapshot import analyze_chat

    if (workspace / "analysis" / f"chat={chat_names(count)[-1]}").is_dir():
        return workspace
    shutil.rmtree(workspace, ignore_errors=True)
    import_archives([SAMPLE / "jobhuntchat.jsonl"], chat="jobhuntchat", workspace=workspace,
                    config=SAMPLE / "chat.yaml")
    source = analyze_chat(workspace, "jobhuntchat").folder
    meta = json.loads((source / "snapshot.json").read_text())
    for index, chat in enumerate(chat_names(count)):
        target = workspace / "analysis" / f"chat={chat}"
        target.mkdir()
        for table in source.glob("*.parquet"):
            os.link(table, target / table.name)
        clone = {**meta, "chat": chat, "title": f"#Bench{index:03d} chat"}
        (target / "snapshot.json").write_text(json.dumps(clone, indent=1))
    shutil.rmtree(source)
    return workspace
