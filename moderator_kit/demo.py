"""The demo: import the bundled sample chats into a workspace and analyze them.

The samples ship in ``sample_data/`` beside the package (a source checkout). Where that folder is absent (an
installed wheel), the same samples are generated with :mod:`moderator_kit.synth` (deterministic, same bytes).
Re-running the demo on an existing workspace changes nothing: imports are idempotent.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from moderator_kit.api import import_archives
from moderator_kit.snapshot import analyze_chat

__all__ = ["SAMPLE_DIR", "DEMO_CHATS", "prepare_demo"]

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "sample_data"
#: chat name -> archive path inside the sample folder
DEMO_CHATS = {"jobhuntchat": "jobhuntchat/jobhuntchat.jsonl", "remote-careers": "remote-careers/export",
              "careerpivotchat": "careerpivotchat/careerpivotchat.jsonl"}


def _import_and_analyze(samples: Path, workspace: Path, say: Callable[[str], None]) -> list[str]:
    chats = []
    for chat, archive in DEMO_CHATS.items():
        source = samples / archive
        if not source.exists():
            continue
        say(f"importing {chat}")
        import_archives([source], chat=chat, workspace=workspace, config=samples / chat / "chat.yaml")
        say(f"analyzing {chat}")
        analyze_chat(workspace, chat)
        chats.append(chat)
    return chats


def prepare_demo(workspace: Path | str, *, progress: Callable[[str], None] | None = None) -> list[str]:
    """Import and analyze the sample chats into ``workspace``; returns the chat names."""
    say = progress or (lambda _message: None)
    workspace = Path(workspace)
    if (SAMPLE_DIR / "jobhuntchat" / "chat.yaml").exists():
        return _import_and_analyze(SAMPLE_DIR, workspace, say)
    from moderator_kit.synth import write_sample

    with tempfile.TemporaryDirectory(prefix="moderator-kit-sample-") as tmp:
        say("generating the sample chats")
        write_sample(tmp)
        return _import_and_analyze(Path(tmp), workspace, say)
