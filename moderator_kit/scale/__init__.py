"""Many chats at once: the per-chat analysis and imports run one after another (``local``) or as tasks on
``dask.distributed`` (``dask``). See ``docs/scale.md``.

Dask is an optional extra (``pip install 'moderator-kit[dask]'``); nothing here imports it until the Dask engine is
asked for.
"""

from moderator_kit.scale.engine import (
    ENGINES,
    ChatOutcome,
    analyze_chats,
    analyze_task,
    import_chats,
    import_task,
    resolve_chats,
)

__all__ = ["ENGINES", "ChatOutcome", "analyze_chats", "analyze_task", "import_chats", "import_task", "resolve_chats"]
