"""Hostile files get a typed error naming the file (and position), or a quarantined record - never a traceback.

One test per problem the fuzzer found: deep JSON nesting, damaged and malicious zips (bombs, '..' names, encrypted
or unsupported members), files of blank lines, empty files, unrecognised zips and configs that are not UTF-8.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import orjson
import pytest

from moderator_kit.cli import main
from moderator_kit.config import read_config
from moderator_kit.errors import ArchiveError, ConfigError
from moderator_kit.io.detect import read_archive
from moderator_kit.io.generic_csv import read_generic_csv
from moderator_kit.io.safezip import RATIO_FROM_BYTES, ZipLimitError, ZipLimits, ZipMemberError, ZipReader
from moderator_kit.io.slack import read_slack_export
from tests.fuzzing import SEEDS, SLACK_EXPORT, patch_zip_headers, zip_bytes


def balanced(result) -> bool:
    return result.records_seen == result.imported + result.duplicates + result.quarantined


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# ------------------------------------------------------------------------------------------------ deep nesting

DEEP = 5000  # past both orjson's limit (1024) and Python's recursion limit (1000)


def deep_array(depth: int = DEEP) -> str:
    return "[" * depth + "]" * depth


def _seed(fmt: str, name: str | None = None) -> tuple[str, bytes]:
    return next((n, d) for n, d in SEEDS[fmt] if name is None or n == name)


def with_deep_item(fmt: str, name: str | None = None) -> tuple[str, bytes]:
    """The format's seed with a deeply nested item inserted as the first element of its array of records."""
    name, data = _seed(fmt, name)
    text = data.decode()
    if fmt == "dce-json":
        at = text.index("[", text.index('"messages"')) + 1
    elif fmt == "bluesky":
        at = text.index("[", text.index('"feed"')) + 1
    else:
        at = text.index("[") + 1
    return name, (text[:at] + deep_array() + ", " + text[at:]).encode()


@pytest.mark.parametrize(
    ("fmt", "name"),
    [("x-archive", None), ("legacy-js", None), ("v1", "v1.json"), ("mastodon", "statuses.json"),
     ("bluesky", "feed.json"), ("slack-day", "general/2020-05-14.json"), ("dce-json", None)],
)
def test_deeply_nested_array_item_is_quarantined_and_the_rest_imported(tmp_path, fmt, name):
    [intact] = read_archive(write(tmp_path / "intact", *_seed(fmt, name)))
    name, data = with_deep_item(fmt, name)
    [result] = read_archive(write(tmp_path, name, data))
    assert balanced(result) and intact.imported >= 1
    assert (result.imported, result.quarantined) == (intact.imported, intact.quarantined + 1)
    reasons = result.quarantine["reason"].to_list()
    assert any("nested too deeply" in reason for reason in reasons), reasons


@pytest.mark.parametrize("fmt", ["twarc2", "twarc2-flat", "v1"])
def test_deeply_nested_json_line_is_quarantined_with_its_line(tmp_path, fmt):
    name, data = _seed(fmt, None if fmt != "v1" else "v1.jsonl")
    path = write(tmp_path, name, ('{"x": ' + deep_array() + "}\n").encode() + data)
    [forced] = read_archive(path, format_name=fmt)
    assert balanced(forced) and forced.imported >= 2
    assert forced.quarantine.filter(forced.quarantine["source_record"] == 1).height == 1


def test_deep_first_line_does_not_break_the_sniffers(tmp_path):
    # twarc2-flat's sniffer decoded a first line that orjson refused with the standard library: RecursionError.
    path = write(tmp_path, "flat.jsonl", ('{"id": "1", "text": "x", "deep": ' + deep_array() + "}\n").encode())
    with pytest.raises(ArchiveError, match="cannot detect the format"):
        read_archive(path)


def test_record_nested_past_orjsons_writing_limit_is_quarantined_with_a_bounded_raw(tmp_path):
    # orjson reads 1,000 levels but writes only 255; repr() of the record then hit the recursion limit.
    depth = 1000
    tweet = '{"id": "1", "text": "x", "author_id": "2", "x": ' + deep_array(depth) + "}"
    path = write(tmp_path, "chat.jsonl", ('{"data": [' + tweet + "]}\n").encode())
    [result] = read_archive(path, format_name="twarc2")
    assert (result.records_seen, result.quarantined) == (1, 1)
    assert "created_at" in result.quarantine["reason"][0]
    assert len(result.quarantine["raw"][0]) <= 2000


# ------------------------------------------------------------------------------------------------- blank lines


@pytest.mark.parametrize(("fmt", "name"), [("twarc2", "chat.jsonl"), ("twarc2-flat", "flat.jsonl"),
                                           ("v1", "v1.jsonl")])
def test_blank_lines_are_skipped_in_bulk_not_parsed_one_by_one(tmp_path, monkeypatch, fmt, name):
    """Blank lines are not records: no count, no quarantine row, and no JSON decoding (an exception each before)."""
    _, data = _seed(fmt, name)
    [intact] = read_archive(write(tmp_path / "intact", name, data), format_name=fmt)
    first, rest = data.split(b"\n", 1)
    blank = 200_000
    path = write(tmp_path, name, first + b"\n" * (blank + 1) + b" \t\r\n" * 10 + rest)
    calls = []
    real_loads = orjson.loads

    def counting_loads(value):
        calls.append(len(value))
        return real_loads(value)

    monkeypatch.setattr(orjson, "loads", counting_loads)
    [result] = read_archive(path, format_name=fmt)
    assert balanced(result)
    assert (result.records_seen, result.imported, result.quarantined) == \
        (intact.records_seen, intact.imported, intact.quarantined)
    assert len(calls) == len(data.splitlines())  # one decode per record line, none per blank line
    # Line numbers still count the blank lines.
    lines = set(result.messages["source_record"]) | set(result.quarantine["source_record"])
    assert lines == {1, 2 + blank + 10}


def test_json_array_with_a_million_blank_lines_keeps_its_items(tmp_path):
    name, data = _seed("slack-day")
    text = data.decode()
    path = write(tmp_path, name, (text[:1] + "\n" * 1_000_000 + text[1:]).encode())
    [result] = read_archive(path, format_name="slack-day")
    assert balanced(result) and result.records_seen == 3 and result.imported == 2


# ----------------------------------------------------------------------------------------------- empty files


@pytest.mark.parametrize("content", [b"", b"\n\n  \r\n", b"\xef\xbb\xbf"])
def test_empty_file_says_so(tmp_path, content):
    path = write(tmp_path, "chat.jsonl", content)
    with pytest.raises(ArchiveError, match="file is empty") as caught:
        read_archive(path)
    assert caught.value.path == str(path)
    with pytest.raises(ArchiveError, match="file is empty"):
        read_archive(path, format_name="twarc2")


def test_empty_file_in_the_cli_exits_2(tmp_path, capsys):
    path = write(tmp_path, "chat.jsonl", b"")
    assert main(["import", str(path), "--chat", "t", "--workspace", str(tmp_path / "w")]) == 2
    assert "file is empty" in " ".join(capsys.readouterr().err.split())


# ------------------------------------------------------------------------------------------------ damaged zips


def single_file_zip(tmp_path: Path) -> Path:
    return write(tmp_path, "chat.zip", zip_bytes([_seed("twarc2")]))


@pytest.mark.parametrize(
    ("offset", "fmt", "value", "reason"),
    [(6, "<H", 0x0001, "encrypted"), (8, "<H", 99, "compression method"), (8, "<H", 1, "compression method")],
)
def test_encrypted_or_unsupported_member_is_a_typed_error(tmp_path, offset, fmt, value, reason):
    path = single_file_zip(tmp_path)
    path.write_bytes(patch_zip_headers(path.read_bytes(), offset, fmt, value))
    with pytest.raises(ArchiveError, match=reason) as caught:
        read_archive(path)
    assert caught.value.path == f"{path}!chat.jsonl"


def test_corrupt_deflate_data_is_a_typed_error(tmp_path):
    path = single_file_zip(tmp_path)
    data = bytearray(path.read_bytes())
    start = 30 + len("chat.jsonl")  # the member's compressed data follows its local header
    data[start + 5: start + 40] = b"\xff" * 35
    path.write_bytes(bytes(data))
    with pytest.raises(ArchiveError) as caught:
        read_archive(path)
    assert caught.value.path.startswith(str(path))


@pytest.mark.parametrize("keep", [0.3, 0.9])
def test_truncated_zip_is_a_typed_error(tmp_path, keep):
    path = single_file_zip(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(ArchiveError):
        read_archive(path)


def test_unreadable_member_of_a_slack_export_is_quarantined(tmp_path):
    archive = zip_bytes(list(SLACK_EXPORT.items()))
    # Mark only the last member (general/2020-05-15.json) as encrypted.
    local = archive.rfind(b"PK\x03\x04")
    central = archive.rfind(b"PK\x01\x02")
    patched = bytearray(archive)
    patched[local + 6] |= 1
    patched[central + 8] |= 1
    path = write(tmp_path, "export.zip", bytes(patched))
    result = read_slack_export(path)
    assert balanced(result) and result.imported == 2
    reasons = result.quarantine.filter(result.quarantine["source_file"].str.ends_with("2020-05-15.json"))["reason"]
    assert reasons.len() == 1 and "encrypted" in reasons[0]


# ------------------------------------------------------------------------------------------------- zip limits


def bomb_zip(tmp_path: Path, size: int) -> Path:
    return write(tmp_path, "bomb.zip", zip_bytes([("general/2020-05-16.json", b"\n" * size),
                                                  *SLACK_EXPORT.items()]))


def test_zip_bomb_is_refused_by_its_declared_ratio(tmp_path):
    path = bomb_zip(tmp_path, RATIO_FROM_BYTES + 1024)  # about 1000:1, past the default 200:1
    with pytest.raises(ZipLimitError, match="200:1") as caught:
        read_archive(path)
    assert caught.value.path == f"{path}!general/2020-05-16.json"


def test_small_members_are_not_ratio_checked(tmp_path):
    [intact] = read_archive(write(tmp_path / "intact", "export.zip", zip_bytes(list(SLACK_EXPORT.items()))))
    [result] = read_archive(bomb_zip(tmp_path, 1024 * 1024))  # 1 MiB of newlines: 1000:1, but small
    assert balanced(result) and result.imported == intact.imported
    assert "day file is empty" in result.quarantine["reason"].to_list()


def test_callers_can_pass_tighter_limits(tmp_path):
    path = bomb_zip(tmp_path, 100_000)
    with pytest.raises(ZipLimitError, match="more than 20:1"):
        read_archive(path, max_ratio=20, ratio_from_bytes=10_000)
    with pytest.raises(ZipLimitError, match="limit of 50,000"):
        read_archive(path, max_member_bytes=50_000)
    with pytest.raises(ZipLimitError, match="in all"):
        read_archive(path, max_total_bytes=100_500)
    with pytest.raises(ZipLimitError, match="entries"):
        read_archive(path, max_members=3)
    [result] = read_archive(path)  # the defaults let it through: limits apply to one call only
    assert balanced(result)


def test_limits_reach_the_zip_that_is_unpacked(tmp_path):
    first, rest = _seed("twarc2")[1].split(b"\n", 1)
    path = write(tmp_path, "chat.zip", zip_bytes([("chat.jsonl", first + b"\n" * 200_000 + rest)]))
    with pytest.raises(ZipLimitError, match="bytes"):
        read_archive(path, max_member_bytes=100_000)
    [result] = read_archive(path)
    assert result.imported == 2 and result.files == [f"{path}!chat.jsonl"]


def test_lying_size_in_the_headers_does_not_let_a_member_expand(tmp_path):
    path = bomb_zip(tmp_path, 2_000_000)
    path.write_bytes(patch_zip_headers(path.read_bytes(), 22, "<I", 10))  # "10 bytes uncompressed"
    with ZipReader(path, limits=ZipLimits(max_member_bytes=1000)) as archive:
        with pytest.raises(ZipMemberError):  # stops at the declared size: the CRC check fails
            archive.read("general/2020-05-16.json")


@pytest.mark.parametrize("name", ["../evil.json", "/tmp/evil.json", "general/../../evil.json", "..\\evil.json"])
def test_member_names_leaving_the_archive_are_refused(tmp_path, name):
    (tmp_path / "in").mkdir()
    path = write(tmp_path / "in", "chat.zip", zip_bytes([_seed("twarc2"), (name, b"[]")]))
    with pytest.raises(ArchiveError, match="outside the archive"):
        read_archive(path)
    slack = write(tmp_path / "in", "export.zip", zip_bytes([*SLACK_EXPORT.items(), (name, b"[]")]))
    with pytest.raises(ArchiveError, match="outside the archive"):
        read_archive(slack)
    assert not (tmp_path / "evil.json").exists()


# --------------------------------------------------------------------------------------------- unrecognised zip


def test_unrecognised_zip_exits_2_like_the_same_file(tmp_path, capsys):
    plain = write(tmp_path, "notes.txt", b"hello world\n")
    archive = write(tmp_path, "notes.zip", zip_bytes([("notes.txt", b"hello world\n")]))
    workspace = str(tmp_path / "w")
    assert main(["import", str(plain), "--chat", "t", "--workspace", workspace]) == 2
    assert "cannot detect the format" in capsys.readouterr().err
    assert main(["import", str(archive), "--chat", "t", "--workspace", workspace]) == 2
    assert "no file in the zip" in capsys.readouterr().err


def test_zip_with_one_known_file_still_reports_the_unknown_ones(tmp_path):
    path = write(tmp_path, "mixed.zip", zip_bytes([_seed("twarc2"), ("notes.txt", b"hello\n"),
                                                   ("empty.json", b"")]))
    results = read_archive(path)
    unknown = [r for r in results if r.source_format == "unknown"]
    assert sorted(r.quarantine["reason"][0].split(":")[0] for r in unknown) == ["file is empty",
                                                                                "unrecognised format"]


def test_empty_zip_is_a_typed_error(tmp_path):
    path = write(tmp_path, "empty.zip", zip_bytes([]))
    with pytest.raises(ArchiveError, match="holds no files") as caught:
        read_archive(path)
    assert caught.value.path == str(path)


# --------------------------------------------------------------------------------------------------- CSV, config


def test_csv_header_of_a_hundred_thousand_columns_is_refused_quickly(tmp_path):
    path = write(tmp_path, "m.csv", b"id,user" + b",1" * 100_000 + b"\n1,ann\n")
    with pytest.raises(ArchiveError, match="100,002 columns") as caught:
        read_generic_csv(path, {"author_handle": "user", "created_at": "time", "text": "body"})
    assert caught.value.position == 1


def test_config_that_is_not_utf8_is_a_config_error_naming_the_file(tmp_path):
    path = write(tmp_path, "chat.yaml", "chat: t\ntitle: Caf\u00e9\n".encode("latin-1"))
    with pytest.raises(ConfigError, match=r"chat\.yaml:2: not UTF-8"):
        read_config(path)


@pytest.mark.parametrize(("content", "reason"), [(b"chat: t\nx: " + b"[" * 5000 + b"]" * 5000 + b"\n", "nested"),
                                                 (b"chat: t\n" + b"#" * (1024 * 1024 + 1), "too big")])
def test_hostile_configs_are_config_errors(tmp_path, content, reason):
    with pytest.raises(ConfigError, match=reason):
        read_config(write(tmp_path, "chat.yaml", content))


def test_config_folder_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        read_config(tmp_path)


def test_config_error_in_the_cli_exits_2(tmp_path, capsys):
    config = write(tmp_path, "chat.yaml", b"chat: t\ntitle: Caf\xe9\n")
    data = write(tmp_path, "chat.jsonl", _seed("twarc2")[1])
    assert main(["import", str(data), "--chat", "t", "--config", str(config), "--workspace",
                 str(tmp_path / "w")]) == 2
    assert "not UTF-8" in " ".join(capsys.readouterr().err.split())


def test_seeds_are_valid_json_where_they_should_be():
    # Guards the fixtures above: a seed that no longer parses would make the deep-nesting tests vacuous.
    json.loads(_seed("slack-day")[1])
    json.loads(_seed("dce-json")[1])


@pytest.mark.parametrize("fmt", ["mastodon", "bluesky"])
def test_json_lines_split_at_newlines_only_and_skip_blank_lines_in_bulk(tmp_path, fmt):
    """A raw U+2028 inside a JSON string is valid JSON; str.splitlines() split the record there (two bad lines)."""
    name, data = _seed(fmt, "statuses.jsonl" if fmt == "mastodon" else "posts.jsonl")
    first, rest = data.split(b"\n", 1)
    record = json.loads(first)
    target = record if fmt == "mastodon" else record["posts"][0]["record"]
    key = "content" if fmt == "mastodon" else "text"
    target[key] = target[key] + "\u2028second line"
    path = write(tmp_path, name, json.dumps(record, ensure_ascii=False).encode() + b"\n" * 100_001 + rest)
    [intact] = read_archive(write(tmp_path / "intact", name, data))
    [result] = read_archive(path)
    assert balanced(result)
    assert (result.imported, result.quarantined) == (intact.imported, intact.quarantined)
    shifted = {n if n == 1 else n + 100_000 for n in intact.messages["source_record"]}
    assert set(result.messages["source_record"]) == shifted and 1 in shifted


def test_v1_statuses_given_as_text_split_at_newlines_only():
    from moderator_kit.io.twitter_v1 import parse_v1

    status = json.loads(_seed("v1", "v1.jsonl")[1].split(b"\n", 1)[0])
    status["full_text"] += "\u2028and more"
    result = parse_v1(json.dumps(status, ensure_ascii=False) + "\n\n\n" + json.dumps({**status, "id_str": "9"}))
    assert (result.records_seen, result.imported) == (2, 2)
    assert result.messages["source_record"].to_list() == [1, 4]


def test_errors_inside_an_unpacked_zip_name_the_member_not_the_temporary_folder(tmp_path):
    broken = b'{"guild": {"id": "1"}, "channel": {"id": "2"}, "exportedAt": "x", "x": [1, }'
    path = write(tmp_path, "dce.zip", zip_bytes([("chans/jobchat.json", broken)]))
    with pytest.raises(ArchiveError) as caught:
        read_archive(path)
    assert caught.value.path == f"{path}!chans/jobchat.json"
    assert str(caught.value).startswith(f"{path}!chans/jobchat.json:")


def test_limits_set_around_a_call_reach_read_archive(tmp_path):
    from moderator_kit.io.safezip import zip_limits

    path = bomb_zip(tmp_path, 100_000)
    with zip_limits(ZipLimits(max_member_bytes=50_000)), pytest.raises(ZipLimitError, match="limit of 50,000"):
        read_archive(path)
    assert balanced(read_archive(path)[0])
