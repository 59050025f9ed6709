import json
from datetime import datetime, timezone

import polars as pl
import pytest

from moderator_kit.errors import WorkspaceError
from moderator_kit.io.base import MessageRows, QuarantineLog, finalize
from moderator_kit.workspace import Workspace


def _result(ids, bad=0, name="a.jsonl"):
    rows, log = MessageRows(name, "demo"), QuarantineLog(name, "demo")
    for i in ids:
        rows.append(i, platform="twitter", message_id=str(i), author_handle="Ann", kind="post", text=f"m{i}",
                    created_at=datetime(2026, 1 + i % 2, 5, 21, tzinfo=timezone.utc))
    for j in range(bad):
        log.add(100 + j, "invalid JSON: oops", "{oops")
    return finalize(rows, log)


def test_import_reports_and_is_idempotent(tmp_path):
    ws = Workspace(tmp_path, create=True)
    [first] = ws.import_results([_result([1, 2, 3, 3], bad=1)], chat="#Demo")
    assert (first.records_seen, first.imported, first.duplicates, first.quarantined) == (5, 3, 1, 1)
    assert first.reasons == {"invalid JSON": 1}
    [again] = ws.import_results([_result([1, 2, 3, 3], bad=1)], chat="demo")
    assert (again.imported, again.duplicates) == (0, 4)
    assert ws.messages("demo").collect().height == 3
    assert ws.quarantine("demo").height == 1  # the same bad record is kept once
    assert ws.messages("demo").collect()["author_handle"].unique().to_list() == ["ann"]
    assert len(ws.import_log()) == 2


def test_hive_layout_is_readable_by_duckdb_and_pandas(tmp_path):
    duckdb = pytest.importorskip("duckdb")
    ws = Workspace(tmp_path, create=True)
    ws.import_results([_result([1, 2, 3])], chat="demo")
    rows = duckdb.sql(
        f"select chat, month, count(*) from read_parquet('{tmp_path}/messages/**/*.parquet', hive_partitioning=1) "
        "group by all order by month").fetchall()
    assert rows == [("demo", "2026-01", 1), ("demo", "2026-02", 2)]
    pd = pytest.importorskip("pandas")
    assert len(pd.read_parquet(tmp_path / "messages")) == 3


def test_failed_import_leaves_workspace_as_it_was(tmp_path, monkeypatch):
    ws = Workspace(tmp_path, create=True)
    ws.import_results([_result([1, 2])], chat="demo")
    before = ws.messages("demo").collect()

    def explode(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pl.DataFrame, "write_parquet", explode)
    with pytest.raises(OSError):
        ws.import_results([_result([7, 8, 9])], chat="demo")
    monkeypatch.undo()
    assert ws.messages("demo").collect().equals(before)
    assert not list(tmp_path.glob(".staging-*")) and not (tmp_path / ".lock").exists()


def test_missing_workspace_and_chat_are_clear_errors(tmp_path):
    with pytest.raises(WorkspaceError, match="no workspace here"):
        Workspace(tmp_path / "nope")
    ws = Workspace(tmp_path, create=True)
    with pytest.raises(WorkspaceError, match="no chat 'x'"):
        ws.messages("x")
    with pytest.raises(WorkspaceError, match="not allowed"):
        ws.import_results([], chat="../../etc")


def test_import_that_quarantines_everything_creates_no_chat(tmp_path):
    ws = Workspace(tmp_path, create=True)
    with pytest.raises(WorkspaceError, match=r"all 3 records were quarantined \(invalid JSON ×3\)"):
        ws.import_results([_result([], bad=3)], chat="demo")
    assert ws.chats() == [] and ws.import_log() == []
    assert not list(tmp_path.glob("messages/*")) and not list(tmp_path.glob("quarantine/*"))
    with pytest.raises(WorkspaceError, match="no records found"):
        ws.import_results([_result([])], chat="demo")
    [report] = ws.import_results([_result([1, 2])], chat="demo")  # later imports work
    assert report.imported == 2 and ws.chats() == ["demo"]


def test_reasons_are_grouped_without_the_record_position(tmp_path):
    rows, log = MessageRows("t.jsonl", "twarc2"), QuarantineLog("t.jsonl", "twarc2")
    rows.append(1, platform="twitter", message_id="1", author_handle="ann", kind="post", text="hi",
                created_at=datetime(2026, 1, 5, 21, tzinfo=timezone.utc))
    for index in range(98):
        log.add(2, f"tweet {index}: missing required field 'created_at'", "{}")
    log.add(3, "invalid JSON: unexpected end of input at 17", "{")
    log.add(4, "row has 3 fields, the header has 5", "a,b,c")
    log.add(5, "row has 2 fields, the header has 5", "a,b")
    [report] = Workspace(tmp_path, create=True).import_results([finalize(rows, log)], chat="demo")
    assert report.reasons == {"missing required field 'created_at'": 98, "row has N fields, the header has N": 2,
                              "invalid JSON": 1}


def _twarc2_file(path, pages=10, per_page=10):
    """Pages of tweets; page 7 repeats page 2 (duplicates across chunks); one line is not JSON."""
    lines = []
    for page in range(pages):
        first = (2 if page == 7 else page) * per_page
        tweets = [{"id": str(i), "text": f"t{i} #chat", "author_id": str(i % 3),
                   "created_at": f"2024-0{1 + i % 3}-01T21:00:{i % 60:02d}.000Z"} for i in range(first, first + per_page)]
        lines.append(json.dumps({"data": tweets, "includes": {"users": [{"id": str(u), "username": f"u{u}"}
                                                                         for u in range(3)]}}))
    lines.insert(4, "{not json")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_large_file_is_imported_in_chunks_with_the_same_result(tmp_path, monkeypatch):
    from moderator_kit.api import import_archives
    from moderator_kit.io import twitter_v2

    archive = _twarc2_file(tmp_path / "chat.jsonl")
    whole = twitter_v2.read_twarc2(archive)
    chunks = []
    monkeypatch.setattr(twitter_v2, "CHUNK_TWEETS", 15)
    original = twitter_v2._parse_chunks

    def counted(*args, **kwargs):
        for chunk in original(*args, **kwargs):
            chunks.append(chunk.records_seen)
            yield chunk

    monkeypatch.setattr(twitter_v2, "_parse_chunks", counted)
    [report] = import_archives([archive], chat="demo", workspace=tmp_path / "ws")
    assert len(chunks) > 3  # it was read in chunks
    assert (report.records_seen, report.imported, report.duplicates, report.quarantined) == \
        (whole.records_seen, whole.imported, whole.duplicates, whole.quarantined) == (101, 90, 10, 1)
    stored = Workspace(tmp_path / "ws").messages("demo").collect().drop("chat").sort("message_id")
    assert stored.equals(whole.messages.drop("chat").sort("message_id"))


def test_keyset_agrees_with_exact_set_membership():
    import random

    from moderator_kit.store.keyset import KeySet

    rng = random.Random(7)
    stored = {("twitter", str(rng.getrandbits(60))) for _ in range(20_000)} | {("slack", "1"), ("twitter", "1")}
    keys = KeySet(["platform", "message_id"])
    frame = pl.DataFrame(sorted(stored), schema=["platform", "message_id"], orient="row")
    keys.add(frame.head(10_000))
    keys.add(frame.tail(frame.height - 10_000))
    probes = sorted(stored)[::3] + [("twitter", str(rng.getrandbits(60))) for _ in range(5_000)] + [("bsky", "1")]
    found = keys.contains(pl.DataFrame(probes, schema=["platform", "message_id"], orient="row"))
    assert found.tolist() == [p in stored for p in probes]
