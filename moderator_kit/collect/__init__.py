"""Platform collectors that append raw API responses to an archive file ``import`` reads.

Mastodon collections hold one raw status per line, Bluesky collections one raw PostView per line, so a collection is
an archive: re-importable, resumable, and never holding half a line.
"""

from moderator_kit.collect.archive import ArchiveAppender, CollectError
from moderator_kit.collect.bluesky import collect_bluesky
from moderator_kit.collect.mastodon import collect_mastodon
from moderator_kit.collect.retry import Backoff

__all__ = ["ArchiveAppender", "Backoff", "CollectError", "collect_bluesky", "collect_mastodon"]
