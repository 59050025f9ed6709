"""Find each chat's snapshot in one or several workspaces (file access kept apart from the pure comparison)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from moderator_kit.errors import ModeratorKitError
from moderator_kit.snapshot_store import SNAPSHOT_FILE, Snapshot

__all__ = ["load_snapshots", "snapshot_folder"]


def snapshot_folder(workspace: Path | str, chat: str) -> Path:
    return Path(workspace) / "analysis" / f"chat={chat}"


def load_snapshots(workspaces: Sequence[Path | str], chats: Sequence[str]) -> list[Snapshot]:
    """The snapshot of each chat, from the one workspace that holds it.

    A chat found in no workspace, or in more than one, is a user error naming what to do.
    """
    if not chats:
        raise ModeratorKitError("--chats names no chat; give them comma-separated, e.g. --chats a,b")
    found = []
    for chat in chats:
        homes = [ws for ws in workspaces if (snapshot_folder(ws, chat) / SNAPSHOT_FILE).is_file()]
        if not homes:
            where = ", ".join(str(w) for w in workspaces)
            raise ModeratorKitError(f"no analysed chat {chat!r} in {where}; run 'moderator-kit analyze --chat {chat}'"
                                    " or add its workspace with -w")
        if len(homes) > 1:
            raise ModeratorKitError(f"chat {chat!r} is in several workspaces ({', '.join(map(str, homes))}); "
                                    "pass only the one to compare with -w")
        found.append(Snapshot(snapshot_folder(homes[0], chat)))
    return found
