"""Generic CSV importer with a column mapping: mapping spec, ids, kinds, lists, times, bad rows, reading."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from moderator_kit.errors import ArchiveError
from moderator_kit.io import generic_csv
from moderator_kit.io.generic_csv import (
    ColumnMappingError,
    parse_column_mapping,
    parse_generic_csv,
    read_generic_csv,
)

BASIC = {"author_handle": "user", "created_at": "time", "text": "body"}


def table(**columns) -> pl.DataFrame:
    return pl.DataFrame(columns, schema={name: pl.String for name in columns})


# ---------------------------------------------------------------------------------------------------- the mapping


def test_parse_column_mapping():
    spec = "message_id=id, author_handle = user ,created_at=time,text=Tweet Text,kind=type=x"
    assert parse_column_mapping(spec) == {
        "message_id": "id", "author_handle": "user", "created_at": "time", "text": "Tweet Text", "kind": "type=x",
    }


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("author=user,created_at=time,text=body", "unknown canonical column 'author'"),
        ("author_handle=user,created_at=time", "must name text"),
        ("author_handle=user,created_at=time,text", "'text' in the column mapping is not canonical=header"),
        ("author_handle=user,created_at=time,text=", "gives no CSV header for 'text'"),
        ("author_handle=a,author_handle=b,created_at=t,text=x", "mapped twice"),
        ("source_file=f,author_handle=a,created_at=t,text=x", "unknown canonical column 'source_file'"),
        ("", "empty column mapping"),
    ],
)
def test_bad_mapping_specs_name_the_problem(spec, message):
    with pytest.raises(ColumnMappingError, match=message) as err:
        parse_column_mapping(spec)
    assert isinstance(err.value, ArchiveError) and isinstance(err.value, ValueError)


def test_mapping_to_a_missing_header_lists_the_headers():
    with pytest.raises(ColumnMappingError, match=r"no column 'body'.*'user', 'time', 'text'"):
        parse_generic_csv(table(user=["a"], time=["2024-01-01"], text=["x"]), BASIC, source_file="f.csv")


def test_generic_csv_has_no_sniffer():
    assert generic_csv.FORMATS == []


# ------------------------------------------------------------------------------------------------------- the rows


def test_mapped_columns_become_canonical_columns():
    frame = table(id=["t1"], user=["@Ann"], name=["Ann A"], time=["2024-01-01T21:00:00Z"], body=[" Q1 go "],
                  likes=["1,234"], followers=["10.0"], app=["web"])
    mapping = {**BASIC, "message_id": "id", "author_name": "name", "like_count": "likes",
               "author_followers": "followers", "source_app": "app"}
    row = parse_generic_csv(frame, mapping, source_file="f.csv", platform="twitter").messages.row(0, named=True)
    assert (row["message_id"], row["author_handle"], row["author_name"]) == ("t1", "ann", "Ann A")
    assert row["created_at"].isoformat() == "2024-01-01T21:00:00+00:00"
    assert (row["text"], row["like_count"], row["author_followers"], row["source_app"]) == ("Q1 go", 1234, 10, "web")
    assert (row["platform"], row["source_format"], row["source_file"], row["source_record"]) == (
        "twitter", "generic-csv", "f.csv", 2)
    assert row["conversation_id"] == "t1" and row["chat"] is None


def test_missing_ids_are_a_stable_hash_of_author_time_and_text():
    frame = table(user=["ann", "ANN", "bo"], time=["2024-01-01 21:00:00", "2024-01-01T21:00:00Z", "2024-01-01 21:00"],
                  body=["hi", "hi", "hi"])
    ids = parse_generic_csv(frame, BASIC).messages["message_id"]
    again = parse_generic_csv(frame, BASIC).messages["message_id"]
    assert ids.to_list() == again.to_list()
    assert ids.str.contains(r"^sha1:[0-9a-f]{20}$").all()
    # the first two rows are the same message (same handle, same UTC time, same text): one is a duplicate
    assert ids.len() == 2
    assert parse_generic_csv(frame, BASIC).duplicates == 1


def test_empty_message_id_cells_get_a_hash_id():
    frame = table(id=["7", ""], user=["ann", "bo"], time=["2024-01-01", "2024-01-01"], body=["a", "b"])
    ids = parse_generic_csv(frame, {**BASIC, "message_id": "id"}).messages["message_id"].to_list()
    assert ids[0] == "7" and ids[1].startswith("sha1:")


@pytest.mark.parametrize(
    ("extra", "values", "kinds"),
    [
        ({}, {}, ["post", "post"]),
        ({"reply_to_message_id": "parent"}, {"parent": ["", "1"]}, ["post", "reply"]),
        ({"repost_of_message_id": "rt"}, {"rt": ["9", None]}, ["repost", "post"]),
        ({"quote_of_message_id": "q"}, {"q": ["", "3"]}, ["post", "quote"]),
        ({"kind": "type"}, {"type": ["Retweet", "comment"]}, ["repost", "reply"]),
        ({"kind": "type", "reply_to_message_id": "p"}, {"type": ["", "Quote Tweet"], "p": ["5", ""]},
         ["reply", "quote"]),
    ],
)
def test_kinds(extra, values, kinds):
    frame = table(user=["ann", "bo"], time=["2024-01-01 21:00", "2024-01-01 21:01"], body=["a", "b"], **values)
    assert parse_generic_csv(frame, {**BASIC, **extra}).messages["kind"].to_list() == kinds


def test_lists_from_mapped_columns_and_from_text():
    frame = table(user=["ann", "bo"], time=["2024-01-01", "2024-01-02"],
                  body=["A1 thanks @Cy #Chat https://x.io/a", "no entities"],
                  ments=["@Dee, @ed;fi", ""], tags=["#One two", None])
    mapping = {**BASIC, "mentions": "ments", "hashtags": "tags"}
    out = parse_generic_csv(frame, mapping).messages
    assert out["mentions"].to_list() == [["dee", "ed", "fi"], []]
    assert out["hashtags"].to_list() == [["one", "two"], []]
    assert out["urls"].to_list() == [["https://x.io/a"], []]  # unmapped: taken from the text


@pytest.mark.parametrize(
    ("value", "fmt", "zone", "expected"),
    [
        ("2024-03-04T21:00:00.123+01:00", None, "UTC", "2024-03-04T20:00:00.123000+00:00"),
        ("2024-03-04 21:00:00", None, "UTC", "2024-03-04T21:00:00+00:00"),
        ("2024-03-04 21:00:00", None, "America/New_York", "2024-03-05T02:00:00+00:00"),
        ("2024-03-04", None, "UTC", "2024-03-04T00:00:00+00:00"),
        ("Mon Mar 04 21:00:00 +0000 2024", None, "UTC", "2024-03-04T21:00:00+00:00"),
        ("Mon, 04 Mar 2024 21:00:00 +0200", None, "UTC", "2024-03-04T19:00:00+00:00"),
        ("1709586000", None, "UTC", "2024-03-04T21:00:00+00:00"),
        ("1709586000000", None, "UTC", "2024-03-04T21:00:00+00:00"),
        ("04/03/2024 21:00", "%d/%m/%Y %H:%M", "UTC", "2024-03-04T21:00:00+00:00"),
        ("03/04/2024 9:00 PM", "%m/%d/%Y %I:%M %p", "Europe/London", "2024-03-04T21:00:00+00:00"),
    ],
)
def test_timestamps(value, fmt, zone, expected):
    frame = table(user=["ann"], time=[value], body=["x"])
    out = parse_generic_csv(frame, BASIC, timestamp_format=fmt, timezone=zone)
    assert out.quarantined == 0
    assert out.messages["created_at"][0].isoformat() == expected


def test_unknown_time_zone_is_an_archive_error():
    with pytest.raises(ArchiveError, match="unknown time zone 'Mars/Base'"):
        parse_generic_csv(table(user=["a"], time=["2024-01-01"], body=["x"]), BASIC, timezone="Mars/Base")


@pytest.mark.parametrize(
    ("user", "time", "kind", "reason"),
    [
        ("", "2024-01-01", "post", "missing author_handle"),
        ("@", "2024-01-01", "post", "missing author_handle"),
        ("ann", "", "post", "missing created_at"),
        ("ann", "next tuesday", "post", "unparseable created_at 'next tuesday'"),
        ("ann", "04/03/2024", "post", "unparseable created_at '04/03/2024'"),  # ambiguous without a format
        ("ann", "2024-01-01", "shout", "unknown kind 'shout'"),
    ],
)
def test_bad_rows_are_quarantined_with_their_line(user, time, kind, reason):
    frame = table(user=["ok", user, "ok2"], time=["2024-01-01", time, "2024-01-02"], body=["a", "b", "c"],
                  type=["post", kind, "reply"])
    result = parse_generic_csv(frame, {**BASIC, "kind": "type"}, source_file="f.csv")
    assert result.imported == 2
    assert result.quarantine.select("source_file", "source_record").row(0) == ("f.csv", 3)
    assert result.quarantine["reason"][0].startswith(reason)
    assert '"user":' in result.quarantine["raw"][0]
    assert result.records_seen == result.imported + result.duplicates + result.quarantined == 3


def test_lazy_frames_are_accepted():
    frame = table(user=["ann"], time=["2024-01-01"], body=["x"])
    assert parse_generic_csv(frame.lazy(), BASIC).imported == 1


def test_mapping_may_be_given_as_a_spec_string():
    frame = table(user=["ann"], time=["2024-01-01"], body=["x"])
    assert parse_generic_csv(frame, "author_handle=user,created_at=time,text=body").imported == 1


# --------------------------------------------------------------------------------------------------------- reading


def test_read_generic_csv_uses_starting_line_numbers(tmp_path: Path):
    path = tmp_path / "chat.csv"
    path.write_text(
        "\ufeffid,user,time,body\n"
        '1,ann,2024-01-01 21:00,"Q1: a question\nover two lines"\n'
        "\n"
        "2,,2024-01-01 21:01,no author\n"
        "3,bo,2024-01-01 21:02,A1 fine\n"
        "4,cy,2024-01-01 21:03,extra,fields\n"
        "5,dee,2024-01-01 21:04\n",
        encoding="utf-8",
    )
    result = read_generic_csv(path, {**BASIC, "message_id": "id"})
    assert result.messages.select("message_id", "source_record").rows() == [("1", 2), ("3", 6), ("5", 8)]
    assert result.messages["text"].to_list() == ["Q1: a question\nover two lines", "A1 fine", ""]
    assert result.quarantine.select("source_record", "reason").rows() == [
        (5, "missing author_handle"), (7, "row has 5 fields, the header has 4")]
    assert result.records_seen == result.imported + result.duplicates + result.quarantined == 5


def test_read_with_another_separator_and_duplicate_headers(tmp_path: Path):
    path = tmp_path / "chat.csv"
    path.write_text("user;time;body;body\nann;2024-01-01;first;second\n")
    result = read_generic_csv(path, "author_handle=user,created_at=time,text=body_1", separator=";")
    assert result.messages["text"].to_list() == ["second"]


def test_reading_twice_gives_the_same_frame(tmp_path: Path):
    path = tmp_path / "c.csv"
    path.write_text("user,time,body\nann,2024-01-01,hi\nbo,2024-01-02,yo\n")
    assert read_generic_csv(path, BASIC).messages.equals(read_generic_csv(path, BASIC).messages)


@pytest.mark.parametrize("content", ["", "  \n\n"])
def test_read_empty_files_raise_archive_error(tmp_path: Path, content):
    path = tmp_path / "empty.csv"
    path.write_text(content)
    with pytest.raises(ArchiveError, match="empty") as err:
        read_generic_csv(path, BASIC)
    assert str(path) in str(err.value)


def test_read_missing_file_raises_archive_error(tmp_path: Path):
    with pytest.raises(ArchiveError, match="cannot read"):
        read_generic_csv(tmp_path / "nope.csv", BASIC)


def test_read_header_only_gives_no_messages(tmp_path: Path):
    path = tmp_path / "h.csv"
    path.write_text("user,time,body\n")
    result = read_generic_csv(path, BASIC)
    assert (result.imported, result.quarantined, result.records_seen) == (0, 0, 0)


def test_local_times_in_the_spring_forward_gap_are_quarantined():
    frame = table(user=["ann", "bo"], time=["2024-03-10 02:30:00", "2024-03-10 03:30:00"], body=["a", "b"])
    result = parse_generic_csv(frame, BASIC, timezone="America/New_York")
    assert result.messages["created_at"][0].isoformat() == "2024-03-10T07:30:00+00:00"
    assert result.quarantine.select("source_record", "reason").rows() == [
        (2, "unparseable created_at '2024-03-10 02:30:00'")]


# ------------------------------------------------------------------------------------- missing-value tokens (NA)

R_EXPORT = (
    'id,user,time,body,parent,likes\n'
    '1,ann,2024-01-01 21:00,Q1 go,NA,NA\n'
    '2,bo,2024-01-01 21:01,A1 yes,1,3\n'
    '3,cy,2024-01-01 21:02,N/A,NULL,NaN\n'
    '4,dee,2024-01-01 21:03,A1 too,N/A,\n'
)
R_MAPPING = {**BASIC, "message_id": "id", "reply_to_message_id": "parent", "like_count": "likes"}


def test_r_and_pandas_missing_tokens_are_missing(tmp_path: Path):
    path = tmp_path / "r.csv"
    path.write_text(R_EXPORT)
    result = read_generic_csv(path, R_MAPPING)
    rows = result.messages.select("message_id", "kind", "reply_to_message_id", "like_count", "text").rows()
    assert rows == [("1", "post", None, None, "Q1 go"), ("2", "reply", "1", 3, "A1 yes"),
                    ("3", "post", None, None, "N/A"), ("4", "post", None, None, "A1 too")]  # text keeps "N/A"
    assert result.records_seen == result.imported == 4


def test_na_values_are_configurable(tmp_path: Path):
    path = tmp_path / "r.csv"
    path.write_text(R_EXPORT.replace("NULL", "-"))
    only_dash = read_generic_csv(path, R_MAPPING, na_values=["-"]).messages
    assert only_dash["reply_to_message_id"].to_list() == ["NA", "1", None, "N/A"]
    none = read_generic_csv(path, R_MAPPING, na_values=[]).messages
    assert none["reply_to_message_id"].to_list() == ["NA", "1", "-", "N/A"]


def test_na_values_on_the_command_line_and_in_the_config(tmp_path: Path, capsys):
    import json

    from moderator_kit.cli import main

    path = tmp_path / "r.csv"
    path.write_text(R_EXPORT.replace("NULL", "-"))
    spec = "message_id=id,author_handle=user,created_at=time,text=body,reply_to_message_id=parent"

    def replies(*extra: str, ws: str) -> int:
        capsys.readouterr()
        assert main(["import", str(path), "--chat", "r", *extra, "-w", str(tmp_path / ws), "--json"]) == 0
        assert json.loads(capsys.readouterr().out)[0]["imported"] == 4
        from moderator_kit.workspace import Workspace

        return Workspace(tmp_path / ws).messages("r").filter(pl.col("kind") == "reply").collect().height

    assert replies("--map", spec, ws="default") == 2  # NA and N/A are missing; "-" is an id
    assert replies("--map", spec, "--na-values", "NA, N/A, -", ws="cli") == 1
    assert replies("--map", spec, "--na-values", "", ws="none") == 4
    config = tmp_path / "chat.yaml"
    config.write_text("chat: r\ncsv_import:\n  mapping: {message_id: id, author_handle: user, created_at: time, "
                      "text: body, reply_to_message_id: parent}\n  na_values: ['-']\n")
    assert replies("--format", "csv", "--config", str(config), ws="config") == 3
