"""Incremental state for the live console: new messages in, figures out (started: the file tail)."""

from moderator_kit.live.tail import FileTail

__all__ = ["FileTail"]
