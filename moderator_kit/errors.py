"""User-facing errors. The CLI prints these as one line, never as a stack trace."""

from __future__ import annotations

__all__ = ["ModeratorKitError", "ArchiveError", "ConfigError", "WorkspaceError"]


class ModeratorKitError(Exception):
    """An error the user can fix. ``str(err)`` is one readable line that says what to do."""


class ArchiveError(ModeratorKitError):
    """An archive cannot be read at all (not a record-level problem: those go to quarantine).

    >>> str(ArchiveError("unknown format", path="x.json", position=3))
    'x.json:3: unknown format'
    """

    def __init__(self, reason: str, *, path: str | None = None, position: int | None = None):
        self.reason = reason
        self.path = path
        self.position = position
        where = path or ""
        if position is not None:
            where = f"{where}:{position}"
        super().__init__(f"{where}: {reason}" if where else reason)


class ConfigError(ModeratorKitError):
    """A chat config is invalid; the message names the field."""


class WorkspaceError(ModeratorKitError):
    """The workspace is missing, locked or holds no data for what was asked."""
