"""gzip-compressed archives (``x.jsonl.gz``, ``x.json.gz``, ``x.csv.gz``) import as their plain files do.

The content is sniffed after decompression, decompression streams within the limits of
:mod:`moderator_kit.io.safezip`, record positions are those of the plain file, a damaged gzip keeps its complete
records and adds one quarantine entry, and a bomb is refused with one readable line.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import polars as pl
import pytest

from moderator_kit.api import import_archives
from moderator_kit.cli import main
from moderator_kit.errors import ArchiveError
from moderator_kit.io.compressed import GzipLimitError
from moderator_kit.io.detect import detect_format, read_archive
from moderator_kit.io.generic_csv import read_generic_csv
from moderator_kit.workspace import Workspace
from tests.fuzzing import SEEDS

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "jobhuntchat" / "jobhuntchat.jsonl"
SEED_FILES = [(fmt, name, data) for fmt, files in SEEDS.items() for name, data in files]
CSV = b"id,user,time,body\n1,ann,2024-01-01T21:00:00Z,Q1 hi\n2,bob,2024-01-01 21:01:00,\"A1, yes\"\n3,only\n"


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def packed(path: Path, data: bytes | None = None) -> Path:
    """``path``'s content (or ``data``) gzip-compressed next to it as ``<name>.gz``."""
    return write(path.parent, path.name + ".gz", gzip.compress(path.read_bytes() if data is None else data))


def results(path: Path, **options) -> list:
    """Every result of reading ``path`` (lazy chunk iterators consumed)."""
    out = []
    for item in read_archive(path, **options):
        out.extend([item] if hasattr(item, "messages") else list(item))
    return out


def rows(parts: list) -> tuple[pl.DataFrame, pl.DataFrame, list[str]]:
    """Messages and quarantine of ``parts`` without the file name (which differs by ``.gz``), and the formats."""
    messages = pl.concat([p.messages for p in parts]).drop("source_file")
    quarantine = pl.concat([p.quarantine for p in parts]).drop("source_file")
    return messages, quarantine, sorted({p.source_format for p in parts})


@pytest.mark.parametrize(("fmt", "name", "data"), SEED_FILES, ids=[f"{f}-{n}" for f, n, _ in SEED_FILES])
def test_gzip_of_each_format_imports_the_same_rows_as_the_plain_file(tmp_path, fmt, name, data):
    plain = write(tmp_path, name, data)
    gz = packed(plain)
    for chunked in (False, True):
        expected, got = results(plain, chunked=chunked), results(gz, chunked=chunked)
        assert rows(got)[2] == rows(expected)[2]  # the same format detected
        assert rows(got)[0].equals(rows(expected)[0]) and rows(got)[0].height > 0
        assert rows(got)[1].equals(rows(expected)[1])
        assert {f for p in got for f in p.messages["source_file"].unique()} == {str(gz)}


def test_big_twarc2_file_is_read_in_chunks_with_the_same_rows_and_line_numbers(tmp_path):
    lines = SAMPLE.read_bytes().split(b"\n")
    lines[2] = b'{"data": [oops'  # a quarantined line: its number must be the plain file's
    lines.insert(5, b"")
    plain = write(tmp_path, "chat.jsonl", b"\n".join(lines))
    gz = packed(plain)
    [plain_chunks], [gz_chunks] = read_archive(plain, chunked=True), read_archive(gz, chunked=True)
    expected, got = list(plain_chunks), list(gz_chunks)
    assert len(got) == len(expected) > 0
    assert rows(got)[0].equals(rows(expected)[0])
    assert rows(got)[1]["source_record"].to_list() == rows(expected)[1]["source_record"].to_list() == [3]


def test_a_compressed_file_is_recognised_by_its_content_not_its_name(tmp_path):
    plain = write(tmp_path, "chat.jsonl", SEEDS["twarc2"][0][1])
    disguised = write(tmp_path / "x", "chat.jsonl", gzip.compress(plain.read_bytes()))
    assert rows(results(disguised))[0].equals(rows(results(plain))[0])


def test_generic_csv_reads_gzip(tmp_path):
    mapping = {"message_id": "id", "author_handle": "user", "created_at": "time", "text": "body"}
    plain = write(tmp_path, "chat.csv", CSV)
    expected, got = read_generic_csv(plain, mapping), read_generic_csv(packed(plain), mapping)
    assert got.messages.drop("source_file").equals(expected.messages.drop("source_file"))
    assert got.quarantine["source_record"].to_list() == expected.quarantine["source_record"].to_list() == [4]


def test_gzip_inside_a_folder(tmp_path):
    folder = tmp_path / "archive"
    write(folder, "chat.jsonl.gz", gzip.compress(SEEDS["twarc2"][0][1]))
    write(folder, "flat.jsonl", SEEDS["twarc2-flat"][0][1])
    parts = results(folder)
    assert sorted(p.source_format for p in parts) == ["twarc2", "twarc2-flat"]
    assert {f for p in parts for f in p.files} == {str(folder / "chat.jsonl.gz"), str(folder / "flat.jsonl")}
    assert all(p.imported for p in parts)


def test_gzip_day_file_of_a_slack_channel_is_recognised(tmp_path):
    name, data = SEEDS["slack-day"][0]
    gz = write(tmp_path, name + ".gz", gzip.compress(data))
    assert detect_format(gz).name == "slack-day"
    [result] = read_archive(gz)
    assert result.imported == 2 and result.files == [str(gz)]


@pytest.mark.parametrize("cut", [8, 200, 2000])
def test_truncated_gzip_keeps_its_complete_records_and_quarantines_the_damage(tmp_path, cut):
    plain = write(tmp_path, "chat.jsonl", SAMPLE.read_bytes())
    whole = gzip.compress(plain.read_bytes())
    gz = write(tmp_path, "cut.jsonl.gz", whole[:-cut])
    [expected] = read_archive(plain)
    parts = results(gz, chunked=True)
    messages, quarantine, _ = rows(parts)
    damage = quarantine.filter(pl.col("reason").str.contains("gzip file is truncated"))
    assert damage.height == 1 and damage["source_record"][0] >= 1
    assert 0 < messages.height <= expected.imported
    assert messages.equals(rows([expected])[0].head(messages.height))  # what was read is what the plain file has
    assert sum(p.records_seen for p in parts) == sum(p.imported + p.duplicates + p.quarantined for p in parts)
    [whole_read] = read_archive(gz)  # the reader that reads the file at once says the same
    assert whole_read.imported == messages.height and whole_read.quarantined == quarantine.height


def test_truncated_gzip_in_the_cli_imports_what_it_can_and_names_the_damage(tmp_path, capsys):
    gz = write(tmp_path, "chat.jsonl.gz", gzip.compress(SAMPLE.read_bytes())[:-2000])
    assert main(["import", str(gz), "--chat", "t", "--workspace", str(tmp_path / "w")]) == 0
    quarantine = Workspace(tmp_path / "w").quarantine("t")
    assert quarantine.filter(pl.col("reason").str.contains("truncated"))["source_file"].to_list() == [str(gz)]


@pytest.mark.parametrize("data", [b"\x1f\x8b\x08\x00garbage that is not deflate", b"\x1f\x8b\x08"])
def test_gzip_damaged_before_any_record_is_one_readable_line(tmp_path, capsys, data):
    gz = write(tmp_path, "chat.jsonl.gz", data)
    with pytest.raises(ArchiveError, match="gzip") as caught:
        read_archive(gz)
    assert caught.value.path == str(gz)
    assert main(["import", str(gz), "--chat", "t", "--workspace", str(tmp_path / "w")]) == 2
    err = capsys.readouterr().err
    assert "gzip" in err and "Traceback" not in err


def test_corrupt_gzip_part_way_keeps_the_records_before_the_damage(tmp_path):
    whole = bytearray(gzip.compress(SAMPLE.read_bytes(), compresslevel=1))
    middle = len(whole) // 2
    whole[middle:middle + 64] = bytes(64)  # zeroed deflate data: invalid or a CRC mismatch
    gz = write(tmp_path, "chat.jsonl.gz", bytes(whole))
    parts = results(gz, chunked=True)
    reasons = rows(parts)[1]["reason"].to_list()
    assert any("gzip file is corrupt" in r for r in reasons)
    assert 0 < rows(parts)[0].height < 3213


def bomb(tmp_path: Path, size: int) -> Path:
    first = SEEDS["twarc2"][0][1].split(b"\n", 1)[0]
    return write(tmp_path, "bomb.jsonl.gz", gzip.compress(first + b"\n" * size, compresslevel=9))


def test_gzip_bomb_is_refused(tmp_path, capsys):
    gz = bomb(tmp_path, 64 * 1024 * 1024)  # 64 MiB of newlines in about 64 KiB: about 1000:1
    assert gz.stat().st_size < 200_000
    with pytest.raises(GzipLimitError, match="200:1") as caught:
        read_archive(gz)
    assert caught.value.path == str(gz)
    assert main(["import", str(gz), "--chat", "t", "--workspace", str(tmp_path / "w")]) == 2
    err = capsys.readouterr().err
    assert "gzip bomb" in err and "Traceback" not in err


def test_gzip_bomb_whose_trailer_lies_is_refused_while_reading(tmp_path):
    gz = bomb(tmp_path, 64 * 1024 * 1024)
    data = bytearray(gz.read_bytes())
    data[-4:] = (10).to_bytes(4, "little")  # the size field says 10 bytes; decompressing says otherwise
    data[-8:-4] = zlib.crc32(b"").to_bytes(4, "little")
    gz.write_bytes(bytes(data))
    with pytest.raises(GzipLimitError, match="bomb"):
        results(gz, chunked=True)


def test_safezip_limits_passed_by_the_caller_apply_to_gzip(tmp_path):
    gz = bomb(tmp_path, 300_000)  # small: the defaults let it through
    [result] = results(gz)
    assert result.imported == 2
    with pytest.raises(GzipLimitError, match="limit of 100,000"):
        read_archive(gz, max_member_bytes=100_000)
    with pytest.raises(GzipLimitError, match="more than 20:1"):
        read_archive(gz, max_ratio=20, ratio_from_bytes=10_000)


def test_reimporting_the_gzip_after_the_plain_file_changes_nothing(tmp_path):
    plain = write(tmp_path, "chat.jsonl", SAMPLE.read_bytes())
    gz = packed(plain)
    workspace = tmp_path / "w"
    [first] = import_archives([plain], chat="t", workspace=workspace)
    before = Workspace(workspace).messages("t").collect()
    [again] = import_archives([gz], chat="t", workspace=workspace)
    assert first.imported == 3213 and again.imported == 0 and again.duplicates == 3213
    assert Workspace(workspace).messages("t").collect().equals(before)
