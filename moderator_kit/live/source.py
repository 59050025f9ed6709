"""Parse the new lines of a growing archive exactly as ``import`` would, with the importers' own ``parse_*``.

A live file is one of the JSON-lines archives ``import`` reads: ``twarc2 stream`` / ``twarc2 search`` pages (or
``twarc2 flatten`` tweets), a Mastodon collector's statuses or a Bluesky collector's PostViews. The format is sniffed
once from the file's first lines (:func:`moderator_kit.io.detect.detect_format`, the sniffers ``import`` uses), then
each batch of new lines goes through that format's ``parse_*`` function.

Examples
--------
>>> line = (b'{"data": [{"id": "7", "text": "Q1: hello #chat", "created_at": "2026-01-05T20:01:00.000Z", '
...         b'"author_id": "1"}], "includes": {"users": [{"id": "1", "username": "Mod"}]}}')
>>> result = parse_lines("twarc2", [line], "stream.jsonl")
>>> result.messages.select("message_id", "author_handle", "text").row(0)
('7', 'mod', 'Q1: hello #chat')
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from moderator_kit.errors import ModeratorKitError
from moderator_kit.io.base import ParseResult, iter_json_lines
from moderator_kit.io.bluesky import bluesky_records, parse_bluesky_records
from moderator_kit.io.detect import detect_format
from moderator_kit.io.mastodon import mastodon_records, parse_mastodon_records
from moderator_kit.io.twitter_v2 import parse_twarc2, parse_twarc2_flat

__all__ = ["LIVE_FORMATS", "parse_lines", "sniff_live_format"]

#: Formats a live file can have (the names ``import --format`` uses).
LIVE_FORMATS = ("twarc2", "twarc2-flat", "mastodon", "bluesky")


def _mastodon(lines: list[bytes], source_file: str, instance: str | None) -> ParseResult:
    records = []
    for number, value, error in iter_json_lines(lines):
        if error is None and (isinstance(value, list) or (isinstance(value, dict) and "id" not in value)):
            records.extend((number, item, err) for _, item, err in mastodon_records(value))  # a page, a context
        else:
            records.append((number, value, error))
    return parse_mastodon_records(records, source_file, instance=instance)


def _bluesky(lines: list[bytes], source_file: str) -> ParseResult:
    records = []
    for number, value, error in iter_json_lines(lines):
        if error is None and isinstance(value, dict) and not ("uri" in value or "post" in value):
            records.extend((number, item, err) for _, item, err in bluesky_records(value))  # a whole page
        else:
            records.append((number, value, error))
    return parse_bluesky_records(records, source_file)


def parse_lines(format_name: str, lines: Iterable[bytes | str], source_file: str = "<live>", *,
                instance: str | None = None) -> ParseResult:
    """Parse complete archive lines of ``format_name`` (one of :data:`LIVE_FORMATS`) into canonical messages.

    Bad lines are quarantined by the importer, as ``import`` would; ``instance`` completes local Mastodon handles.
    """
    lines = [line if isinstance(line, bytes) else line.encode() for line in lines]
    if format_name == "twarc2":
        return parse_twarc2(lines, source_file)
    if format_name == "twarc2-flat":
        return parse_twarc2_flat(lines, source_file)
    if format_name == "mastodon":
        return _mastodon(lines, source_file, instance)
    if format_name == "bluesky":
        return _bluesky(lines, source_file)
    raise ModeratorKitError(f"live: format {format_name!r} cannot be followed; use one of {', '.join(LIVE_FORMATS)}")


def sniff_live_format(path: Path | str) -> str | None:
    """The live format of a file from its first lines (None while the file is empty or missing).

    Raises
    ------
    ModeratorKitError
        When the file holds something else (a CSV, a Slack export ...): one line naming the formats accepted.
    """
    path = Path(path)
    try:
        if path.stat().st_size == 0:
            return None
    except FileNotFoundError:
        return None
    spec = detect_format(path)
    if spec is None or spec.name not in LIVE_FORMATS:
        found = f"a {spec.name} file" if spec else "no format it knows"
        raise ModeratorKitError(f"{path}: live follows JSON-lines archives ({', '.join(LIVE_FORMATS)}), found "
                                f"{found}; point --follow at a twarc2 stream/search file or a collector's file")
    return spec.name
