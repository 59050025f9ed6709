"""Storage of the workspace: manifests as commit points, OS-released locks, recovery after a crash.

:class:`moderator_kit.workspace.Workspace` is the public interface; these modules hold its parts.
"""

__all__: list[str] = []
