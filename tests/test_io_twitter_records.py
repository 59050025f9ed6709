"""Issue 10: every record of an X/Twitter archive is accounted for (seen = imported + duplicates + quarantined).

Each test here failed before its fix: tweets vanished (legacy csv beside js months, community and note tweets),
were read wrongly (owner, date-only times, retweet text) or a file was not recognised (v1.1 search responses).
"""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import polars as pl
import pytest

from moderator_kit.io.detect import detect_format, read_archive
from moderator_kit.io.twitter import read_v1

V1 = "twarc1-v1.1-jsonl-dlfteach"


def balanced(result) -> bool:
    return result.records_seen == result.imported + result.duplicates + result.quarantined


def v1_status(tweet_id: str, text: str = "hello #chat", handle: str = "ann", **extra) -> dict:
    return {"id_str": tweet_id, "created_at": "Tue Apr 03 18:09:17 +0000 2018", "full_text": text,
            "user": {"id_str": "7", "screen_name": handle}, **extra}


# --------------------------------------------------------------------------------------- v1.1 search responses


@pytest.mark.real_data
@pytest.mark.parametrize("layout", ["pretty", "compact", "pages"])
def test_v1_search_responses_are_detected_and_read(real_data_dir, tmp_path, layout):
    statuses = [orjson.loads(line) for line in (real_data_dir / V1 / "tweets.jsonl").read_bytes().splitlines()]
    assert len(statuses) == 4
    path = tmp_path / "search.json"
    if layout == "pretty":
        path.write_text(json.dumps({"statuses": statuses, "search_metadata": {"count": 100}}, indent=2))
    elif layout == "compact":
        path.write_text(json.dumps({"statuses": statuses, "search_metadata": {"count": 100}}))
    else:  # one search response page per line
        path.write_text("\n".join(json.dumps({"statuses": part, "search_metadata": {}})
                                  for part in (statuses[:3], statuses[3:])) + "\n")
    spec = detect_format(path)
    assert spec is not None and spec.name == "v1"
    result = read_archive(path)[0]
    assert (result.records_seen, result.imported, result.quarantined) == (4, 4, 0) and balanced(result)
    assert set(result.messages["message_id"]) == {s["id_str"] for s in statuses}


def test_v1_search_response_quarantines_bad_statuses_by_index(tmp_path):
    path = tmp_path / "search.json"
    path.write_text(json.dumps({"statuses": [v1_status("1"), {"id_str": "2"}, 5], "search_metadata": {}}, indent=1))
    result = read_v1(path)
    assert (result.records_seen, result.imported, result.quarantined) == (3, 1, 2)
    assert result.quarantine.select("source_record", "reason").rows() == [
        (1, "missing required field 'created_at'"), (2, "status 2: not a status (a JSON int)")]
