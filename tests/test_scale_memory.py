"""Tagging messages with their sessions (sorting only times and row numbers, gathering the messages once): the
same frame as before, in a defined order. The memory it saves depends on the columns (views of long strings cost
little to copy, lists and short strings a lot) and is measured on a generated million-message chat by
benchmarks/bench_scale.py --one-chat (docs/scale.md), not here."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import polars as pl

from moderator_kit.sessions import assign_sessions


def test_messages_at_the_same_time_keep_their_order():
    at = datetime(2026, 1, 6, 1, 5, tzinfo=timezone.utc)
    frame = pl.DataFrame({"message_id": [str(i) for i in range(2000)],
                          "created_at": [at + timedelta(seconds=i % 7) for i in range(2000)]})
    windows = pl.DataFrame({"session_id": ["s"], "pre_start": [at - timedelta(hours=1)], "start": [at],
                            "end": [at + timedelta(hours=1)], "follow_up_end": [at + timedelta(hours=2)]})
    tagged = assign_sessions(frame, windows)
    expected = frame.with_row_index("n").sort("created_at", "n")["message_id"]
    assert tagged["message_id"].to_list() == expected.to_list()
    assert assign_sessions(frame.lazy(), windows).equals(tagged)  # a LazyFrame gives the same
