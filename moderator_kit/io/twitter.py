"""X/Twitter importers: one place to find them all.

The formats live in three modules; this one re-exports their readers and lists every format in :data:`FORMATS`
(the list :mod:`moderator_kit.io.detect` registers):

* :mod:`moderator_kit.io.twitter_v2` - API v2 as written by twarc2 (``twarc2``) and ``twarc2 flatten`` output
  (``twarc2-flat``);
* :mod:`moderator_kit.io.twitter_v1` - API v1.1 statuses from twarc 1 (``v1``) and TAGS Google-Sheet CSV
  (``tags-csv``);
* :mod:`moderator_kit.io.twitter_archive` - the personal X archive (``x-archive``) and the legacy archive
  (``legacy-archive`` folder, ``legacy-csv``, ``legacy-js`` month files).

What each format maps to, and the choices made, are in ``docs/formats/twitter.md``.

Examples
--------
>>> [spec.name for spec in FORMATS]
['twarc2', 'twarc2-flat', 'v1', 'tags-csv', 'x-archive', 'legacy-archive', 'legacy-csv', 'legacy-js']
"""

from __future__ import annotations

from moderator_kit.io import twitter_archive, twitter_v1, twitter_v2
from moderator_kit.io.base import FormatSpec
from moderator_kit.io.twitter_archive import (
    archive_owner,
    parse_grailbird_js,
    parse_legacy_csv,
    parse_x_archive,
    read_legacy_archive,
    read_legacy_csv,
    read_x_archive,
)
from moderator_kit.io.twitter_v1 import parse_tags_csv, parse_v1, read_tags_csv, read_v1
from moderator_kit.io.twitter_v2 import parse_twarc2, parse_twarc2_flat, read_twarc2, read_twarc2_flat

__all__ = [
    "parse_twarc2",
    "read_twarc2",
    "parse_twarc2_flat",
    "read_twarc2_flat",
    "parse_v1",
    "read_v1",
    "parse_tags_csv",
    "read_tags_csv",
    "parse_x_archive",
    "read_x_archive",
    "archive_owner",
    "parse_legacy_csv",
    "read_legacy_csv",
    "parse_grailbird_js",
    "read_legacy_archive",
    "FORMATS",
]

#: Every X/Twitter format, in detection order (each sniffer only claims its own format).
FORMATS: list[FormatSpec] = [*twitter_v2.FORMATS, *twitter_v1.FORMATS, *twitter_archive.FORMATS]
