"""The body of ``moderator-kit live``: check the options, then hand over to the dashboard with the Live page.

The library never imports ``dashboards``: like ``moderator-kit dashboard``, the command re-executes
``python -m dashboards`` with ``--live SPEC`` (a :class:`~moderator_kit.live.LiveSpec` as JSON; tokens and passwords
stay in the environment). The dashboard process starts the :class:`~moderator_kit.live.LiveFeed`.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

from moderator_kit.errors import ModeratorKitError
from moderator_kit.live.feed import LiveSpec

__all__ = ["dashboard_argv", "run_live"]


def dashboard_argv(spec: LiveSpec, workspace: Path, host: str, port: int, *, allow_remote: bool = False) -> list[str]:
    """The command line of the dashboard process serving ``spec``.

    >>> dashboard_argv(LiveSpec(chat="c", follow=("s.jsonl",)), Path("ws"), "127.0.0.1", 8050)[1:5]
    ['-m', 'dashboards', '--workspace', 'ws']
    """
    argv = [sys.executable, "-m", "dashboards", "--workspace", str(workspace), "--host", host, "--port", str(port),
            "--live", spec.to_json()]
    if allow_remote:
        argv.append("--allow-remote")
    return argv


def run_live(spec: LiveSpec, workspace: Path, host: str, port: int, *, allow_remote: bool = False) -> None:
    """Validate ``spec`` (one-line errors) and replace this process with the dashboard following it."""
    spec.validate()
    if importlib.util.find_spec("dashboards") is None:
        raise ModeratorKitError("the dashboard package is not installed; run from a source checkout")
    argv = dashboard_argv(spec, workspace, host, port, allow_remote=allow_remote)
    sys.stdout.flush()
    os.execve(sys.executable, argv, dict(os.environ))
