"""The live console's file tail: a collector writing while the tail reads gives every line exactly once."""

from __future__ import annotations

import threading

import orjson

from moderator_kit.collect.archive import ArchiveAppender
from moderator_kit.live import FileTail
from tests.collect_servers import mastodon_status


def test_tail_sees_each_line_once_while_a_collector_appends(tmp_path):
    path = tmp_path / "chat.jsonl"
    statuses = [mastodon_status(i) for i in range(600)]
    done = threading.Event()

    def write():
        with ArchiveAppender(path, key=lambda s: s["id"]) as out:
            for start in range(0, 600, 7):
                out.append_many(statuses[start:start + 7])
        done.set()

    tail = FileTail(path)
    seen: list[tuple[int, bytes]] = []
    writer = threading.Thread(target=write)
    writer.start()
    while not done.is_set():
        seen.extend(tail.read_lines())
    writer.join()
    seen.extend(tail.read_lines())
    assert [orjson.loads(line)["id"] for _, line in seen] == [s["id"] for s in statuses]
    assert [number for number, _ in seen] == list(range(1, 601))


def test_a_rewritten_file_is_read_again_from_the_start(tmp_path):
    path = tmp_path / "chat.jsonl"
    path.write_bytes(b'{"a": 1}\n{"a": 2}\n')
    tail = FileTail(path)
    assert len(tail.read_lines()) == 2 and not tail.reset
    path.write_bytes(b'{"b": 1}\n')
    assert tail.read_lines() == [(1, b'{"b": 1}')] and tail.reset
