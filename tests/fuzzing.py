"""A small mutation fuzzer for the importers, shared by ``tests/test_fuzz.py`` and ``scripts/fuzz.py``.

Each format has a few small valid seed files. :func:`mutate` damages a seed with a seeded random (byte flips,
truncation, deep nesting, wrong JSON types, invalid UTF-8, NUL bytes, huge and blank lines, splices with other
formats), :func:`run_input` writes it to a temporary file and reads it through the public read path (the format's
reader, forced, and :func:`~moderator_kit.io.detect.read_archive` with detection). The only allowed outcomes are a
:class:`~moderator_kit.errors.ModeratorKitError` or results whose counts add up; anything else is "unhandled".

The ``zip`` group builds zips of the seeds and damages them (flipped and truncated bytes, an unknown compression
method, the encryption flag, ``..`` and absolute member names, members that expand far past their size).
"""

from __future__ import annotations

import io
import json
import random
import struct
import tempfile
import time
import traceback
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from moderator_kit.errors import ModeratorKitError
from moderator_kit.io.base import ParseResult
from moderator_kit.io.detect import all_formats, read_archive
from tests.test_io_fediverse_props import BLUESKY_POST, MASTODON_STATUS
from tests.test_io_twitter_props import V1_STATUS, V2_TWEET, V2_USER

__all__ = ["SEEDS", "SLACK_EXPORT", "FORMAT_GROUPS", "mutate", "mutate_zip", "zip_bytes", "patch_zip_headers",
           "run_input", "fuzz", "Tally"]

# ------------------------------------------------------------------------------------------------------ seed inputs


def _jsonl(*values: Any) -> bytes:
    return b"".join(json.dumps(v).encode() + b"\n" for v in values)


# The records the property tests start from (the project's own fixtures), so that both test the same shapes.
_V2_TWEET, _V2_USER, _V1_STATUS = V2_TWEET, V2_USER, V1_STATUS
_SLACK_DAY = [
    {"type": "message", "user": "U1", "text": "Q1 <@U2> hi", "ts": "1589471143.000200", "reply_count": 1,
     "thread_ts": "1589471143.000200", "reactions": [{"name": "+1", "count": 2, "users": ["U2"]}],
     "user_profile": {"name": "ann", "real_name": "Ann"}},
    {"type": "message", "user": "U2", "text": "A1 <https://x.io|x>", "ts": "1589471200.000100",
     "thread_ts": "1589471143.000200", "parent_user_id": "U1"},
    {"type": "message", "subtype": "channel_join", "user": "U3", "text": "joined", "ts": "1589471300.000000"},
]  # fmt: skip
_DCE = {
    "guild": {"id": "1", "name": "G"}, "channel": {"id": "10", "type": "GuildTextChat", "name": "jobchat"},
    "dateRange": {"after": None, "before": None}, "exportedAt": "2024-01-02T00:00:00+00:00",
    "messages": [
        {"id": "100", "type": "Default", "timestamp": "2024-01-01T21:00:00+00:00", "content": "Q1 hi @bob",
         "author": {"id": "1", "name": "Ann", "discriminator": "0000", "nickname": "Annie", "isBot": False},
         "reactions": [{"emoji": {"name": "x"}, "count": 2}], "mentions": [{"id": "2", "name": "bob"}]},
        {"id": "101", "type": "Reply", "timestamp": "2024-01-01T21:01:00+00:00", "content": "A1",
         "author": {"id": "2", "name": "bob", "discriminator": "0000", "isBot": False},
         "reference": {"messageId": "100", "channelId": "10"}},
    ],
    "messageCount": 2,
}  # fmt: skip
_MASTODON, _BLUESKY_POST = MASTODON_STATUS, BLUESKY_POST
_BLUESKY_REPLY = {**_BLUESKY_POST, "uri": "at://did:plc:bo/app.bsky.feed.post/2",
                  "author": {"did": "did:plc:bo", "handle": "bo.bsky.social"}}

#: ``format -> [(file name, content)]``; the file name matters to some sniffers and readers.
SEEDS: dict[str, list[tuple[str, bytes]]] = {
    "twarc2": [
        ("chat.jsonl", _jsonl({"data": [_V2_TWEET, {**_V2_TWEET, "id": "1002", "referenced_tweets": []}],
                               "includes": {"users": [_V2_USER], "tweets": [{**_V2_TWEET, "id": "1000"}]},
                               "__twarc": {"url": "x"}},
                              {"errors": [{"title": "Not Found Error"}], "__twarc": {"url": "y"}})),
    ],
    "twarc2-flat": [
        ("flat.jsonl", _jsonl({**_V2_TWEET, "author": _V2_USER, "__twarc": {}},
                              {**_V2_TWEET, "id": "1003", "author": _V2_USER, "__twarc": {}})),
    ],
    "v1": [
        ("v1.jsonl", _jsonl(_V1_STATUS, {**_V1_STATUS, "id_str": "2002", "retweeted_status": None})),
        ("v1.json", json.dumps([_V1_STATUS, {**_V1_STATUS, "id_str": "2003"}], indent=1).encode()),
    ],
    "tags-csv": [
        ("tags.csv", b"id_str,from_user,text,created_at,time,geo_coordinates,user_lang,in_reply_to_user_id_str,"
                     b"in_reply_to_screen_name,from_user_id_str,in_reply_to_status_id_str,source,profile_image_url,"
                     b"user_followers_count,user_friends_count,user_location,status_url,entities_str\n"
                     b'2001,bob,"RT @ann: Q1 #chat",Tue Apr 03 18:09:17 +0000 2018,03/04/2018 18:09:17,,en,,,7,,'
                     b'web,,4,5,here,https://twitter.com/bob/status/2001,"{""hashtags"":[{""text"":""chat""}]}"\n'
                     b'2002,ann,"A1 hi",Tue Apr 03 18:10:17 +0000 2018,03/04/2018 18:10:17,,en,7,bob,8,2001,web,,'
                     b"1,2,there,https://twitter.com/ann/status/2002,\n"),
    ],
    "x-archive": [
        ("tweets.js", b"window.YTD.tweets.part0 = " + json.dumps(
            [{"tweet": {"id_str": "1", "id": "1", "created_at": "Tue Apr 03 19:11:32 +0000 2018",
                        "full_text": "Q1 hi @ann #chat", "favorite_count": "2", "retweet_count": "1",
                        "entities": {"user_mentions": [{"screen_name": "ann", "id_str": "8"}],
                                     "hashtags": [{"text": "chat"}], "urls": []}}},
             {"tweet": {"id_str": "2", "id": "2", "created_at": "Tue Apr 03 19:12:32 +0000 2018",
                        "full_text": "@ann A1", "in_reply_to_status_id_str": "9", "in_reply_to_screen_name": "ann"}}],
            indent=2).encode()),
    ],
    "legacy-csv": [
        ("tweets.csv", b'"tweet_id","in_reply_to_status_id","in_reply_to_user_id","timestamp","source","text",'
                       b'"retweeted_status_id","retweeted_status_user_id","retweeted_status_timestamp",'
                       b'"expanded_urls"\n'
                       b'"5","","","2013-02-01 20:00:00 +0000","web","Q1 #chat @ann","","","",""\n'
                       b'"6","5","8","2013-02-01 20:01:00 +0000","web","RT @ann: A1","4","8",'
                       b'"2013-02-01 19:00:00 +0000","http://x.io"\n'),
    ],
    "legacy-js": [
        ("2013_02.js", b"Grailbird.data.tweets_2013_02 = \n" + json.dumps(
            [{"id_str": "5", "created_at": "2013-02-01 20:00:00 +0000", "text": "Q1 #chat @ann",
              "user": {"screen_name": "bob", "id_str": "7"},
              "entities": {"user_mentions": [{"screen_name": "ann"}], "hashtags": [{"text": "chat"}], "urls": []}},
             {"id_str": "6", "created_at": "2013-02-01 20:01:00 +0000", "text": "A1",
              "retweeted_status": {"id_str": "4", "user": {"screen_name": "ann"}, "text": "x",
                                   "created_at": "2013-02-01 19:00:00 +0000"}}], indent=1).encode()),
    ],
    "slack-day": [
        ("general/2020-05-14.json", json.dumps(_SLACK_DAY, indent=4).encode()),
    ],
    "dce-json": [
        ("jobchat.json", json.dumps(_DCE, indent=2).encode()),
    ],
    "dce-csv": [
        ("jobchat.csv", b'AuthorID,Author,Date,Content,Attachments,Reactions\n'
                        b'"1","Ann#0000","2024-01-01T21:00:00.000+00:00","Q1 hi","","x (2)"\n'
                        b'"2","bob","2024-01-01T21:01:00.000+00:00","A1\nsecond line","https://a/b.png",""\n'),
        ("old.csv", b"AuthorID;Author;Date;Content;Attachments;Reactions;\n"
                    b'"1";"Ann#0000";"01-Jan-24 09:00 PM";"Q1 hi";"";"";\n'),
    ],
    "mastodon": [
        ("statuses.json", json.dumps([_MASTODON, {**_MASTODON, "id": "2", "in_reply_to_id": "1",
                                                  "in_reply_to_account_id": "a1", "reblog": _MASTODON}]).encode()),
        ("context.json", json.dumps({"ancestors": [_MASTODON], "descendants": [{**_MASTODON, "id": "3"}]}).encode()),
        ("statuses.jsonl", _jsonl(_MASTODON, {**_MASTODON, "id": "4"})),
    ],
    "bluesky": [
        ("feed.json", json.dumps({"feed": [{"post": _BLUESKY_POST},
                                           {"post": _BLUESKY_REPLY, "reply": {"parent": _BLUESKY_POST,
                                                                              "root": _BLUESKY_POST}}],
                                  "cursor": "x"}).encode()),
        ("thread.json", json.dumps({"thread": {"$type": "app.bsky.feed.defs#threadViewPost", "post": _BLUESKY_POST,
                                               "replies": [{"$type": "app.bsky.feed.defs#threadViewPost",
                                                            "post": _BLUESKY_REPLY, "replies": []}]}}).encode()),
        ("posts.jsonl", _jsonl({"posts": [_BLUESKY_POST]}, {"post": _BLUESKY_REPLY})),
    ],
}

SLACK_EXPORT = {
    "users.json": json.dumps([{"id": "U1", "name": "ann", "real_name": "Ann"},
                              {"id": "U2", "name": "bob", "profile": {"display_name": "Bob"}}]).encode(),
    "channels.json": json.dumps([{"id": "C1", "name": "general"}]).encode(),
    "general/2020-05-14.json": SEEDS["slack-day"][0][1],
    "general/2020-05-15.json": json.dumps(_SLACK_DAY[:1]).encode(),
}


def _project_seeds() -> None:
    """Add the start of the bundled sample archives (the project's own fixtures) as extra seeds."""
    sample = Path(__file__).resolve().parents[1] / "sample_data"
    jsonl = sample / "jobhuntchat" / "jobhuntchat.jsonl"
    if jsonl.is_file():
        with jsonl.open("rb") as handle:
            SEEDS["twarc2"].append(("jobhuntchat.jsonl", handle.readline()))
    day = sample / "remote-careers" / "export" / "general" / "2026-03-09.json"
    if day.is_file():
        SEEDS["slack-day"].append(("general/2026-03-09.json", day.read_bytes()[:12000]))


_project_seeds()

#: What the fuzzer runs: every seeded format, the generic CSV (with a mapping) and zips.
FORMAT_GROUPS = [*SEEDS, "generic-csv", "zip"]

# -------------------------------------------------------------------------------------------------------- mutation

_BAD_UTF8 = [b"\xff", b"\xfe\xff", b"\xc3", b"\xed\xa0\x80", b"\xe2\x82", b"\x80\x80", b"\xf4\x90\x80\x80"]
_ODD_VALUES: list[Any] = [None, True, 0, -1, 2**70, 1.5e308, "", "x", " ", "\ud83d", [], {}, [None], {"": None},
                          "9999999999999", "-0", "NaN", "2024-13-45T99:99:99Z", "@", "#", "<@U1>", "\x00"]


def _insert(data: bytes, rng: random.Random, piece: bytes) -> bytes:
    at = rng.randrange(len(data) + 1)
    return data[:at] + piece + data[at:]


def _flip(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return bytes([rng.randrange(256)])
    buf = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        buf[rng.randrange(len(buf))] = rng.randrange(256)
    return bytes(buf)


def _truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def _deep_nesting(data: bytes, rng: random.Random) -> bytes:
    depth = rng.choice([300, 1000, 1100, 3000, 30000])  # orjson follows 1024 levels, json ~1000
    opener, closer = rng.choice([(b"[", b"]"), (b'{"a":', b"}"), (b'{"a":[', b"]}")])
    if rng.random() < 0.5:  # unbalanced: an opening run somewhere
        return _insert(data, rng, opener * depth)
    # balanced and valid: add a deeply nested member to an object of the file
    starts = [i for i in range(len(data)) if data[i:i + 1] == b"{"]
    nested = b'"deep": ' + opener * depth + b"1" + closer * depth + b", "
    if not starts:
        return opener * depth + data + closer * depth
    at = rng.choice(starts) + 1
    return data[:at] + nested + data[at:]


def _walk(value: Any) -> Iterator[tuple[Any, Any]]:
    """``(container, key)`` of every value inside ``value`` (iteratively: the seeds are shallow anyway)."""
    stack = [value]
    while stack:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, child in items:
            yield node, key
            stack.append(child)


def _wrong_types(data: bytes, rng: random.Random) -> bytes:
    """Replace a few values of the JSON (or of each JSON line) by values of another type."""
    text = data.decode("utf-8", errors="replace")
    prefix = ""
    if "= " in text[:80] and not text.lstrip().startswith(("{", "[")):
        prefix, text = text[: text.index("= ") + 2], text[text.index("= ") + 2:]
    try:
        documents, lines = [json.loads(text)], False
    except (ValueError, RecursionError):
        try:
            documents, lines = [json.loads(line) for line in text.splitlines() if line.strip()], True
        except (ValueError, RecursionError):
            return _flip(data, rng)
    for document in documents:
        slots = list(_walk(document))
        for container, key in rng.sample(slots, min(len(slots), rng.randint(1, 4))):
            container[key] = rng.choice(_ODD_VALUES)
    if rng.random() < 0.1 and documents:
        documents[0] = rng.choice(_ODD_VALUES)
    try:
        body = "\n".join(json.dumps(d) for d in documents) if lines else json.dumps(documents[0])
    except RecursionError:
        return _flip(data, rng)
    return prefix.encode() + body.encode("utf-8", errors="surrogatepass")


def _bad_utf8(data: bytes, rng: random.Random) -> bytes:
    for _ in range(rng.randint(1, 4)):
        data = _insert(data, rng, rng.choice(_BAD_UTF8))
    return data


def _nul(data: bytes, rng: random.Random) -> bytes:
    return _insert(data, rng, b"\x00" * rng.choice([1, 2, 100]))


def _huge_line(data: bytes, rng: random.Random) -> bytes:
    size = rng.choice([70_000, 140_000])  # past the 64 KiB head the sniffers see
    piece = rng.choice([b"x" * size, b'"' + b"a" * size + b'"', b"[" + b"1," * (size // 2) + b"1]"])
    return _insert(data, rng, piece)


def _blank_lines(data: bytes, rng: random.Random) -> bytes:
    return _insert(data, rng, rng.choice([b"\n", b"\r\n", b" \t\n"]) * rng.choice([1, 10, 5000]))


def _duplicate(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return data
    a = rng.randrange(len(data))
    b = min(len(data), a + rng.randint(1, 400))
    return _insert(data, rng, data[a:b] * rng.randint(1, 3))


def _splice(data: bytes, rng: random.Random) -> bytes:
    other = rng.choice([content for seeds in SEEDS.values() for _, content in seeds])
    cut = rng.randrange(len(data) + 1)
    return data[:cut] + other[rng.randrange(len(other) + 1):]


def _degenerate(data: bytes, rng: random.Random) -> bytes:
    return rng.choice([b"", b"\n", b"   \n\n", b"\xef\xbb\xbf", b"{}", b"[]", b"null", b"0", b'""', b"[{}]",
                       b"\x00\x00", data[:1], b"PK\x03\x04", b"window.YTD.tweets.part0 = ",
                       b"Grailbird.data.tweets_2013_02 = [", b"\xef\xbb\xbf" + data])


MUTATORS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "flip": _flip, "truncate": _truncate, "deep-nesting": _deep_nesting, "wrong-types": _wrong_types,
    "bad-utf8": _bad_utf8, "nul": _nul, "huge-line": _huge_line, "blank-lines": _blank_lines,
    "duplicate": _duplicate, "splice": _splice, "degenerate": _degenerate,
}  # fmt: skip


def mutate(data: bytes, rng: random.Random) -> tuple[bytes, list[str]]:
    """``data`` damaged by one to three mutators; returns the bytes and the mutators' names."""
    names = rng.sample(list(MUTATORS), rng.choice([1, 1, 1, 2, 3]))
    for name in names:
        data = MUTATORS[name](data, rng)
    return data, names


# ------------------------------------------------------------------------------------------------------------ zips


def zip_bytes(members: list[tuple[str, bytes]], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip of ``(name, content)`` members, names written as given (even ``../x``)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = compression
            archive.writestr(info, data)
    return buffer.getvalue()


def patch_zip_headers(data: bytes, offset: int, fmt: str, value: int, rng: random.Random | None = None) -> bytes:
    """Set a field at ``offset`` of the local headers (``offset + 2`` in the central directory) of every member, or
    of a random 70 % of them with ``rng``: 6 is the flags (bit 0: encrypted), 8 the compression method, 22 the
    uncompressed size."""
    buf = bytearray(data)
    for signature, delta in ((b"PK\x03\x04", offset), (b"PK\x01\x02", offset + 2)):
        at = buf.find(signature)
        while at >= 0:
            if (rng is None or rng.random() < 0.7) and at + delta + struct.calcsize(fmt) <= len(buf):
                struct.pack_into(fmt, buf, at + delta, value)
            at = buf.find(signature, at + 4)
    return bytes(buf)


def mutate_zip(rng: random.Random) -> tuple[bytes, list[str]]:
    """A zip of seed files (a Slack export, or one file of another format), then damaged."""
    if rng.random() < 0.5:
        members = [(name, data) for name, data in SLACK_EXPORT.items()]
    else:
        fmt = rng.choice(list(SEEDS))
        name, data = rng.choice(SEEDS[fmt])
        members = [(name, data)]
    if rng.random() < 0.3:  # damage a member's content as well
        index = rng.randrange(len(members))
        members[index] = (members[index][0], mutate(members[index][1], rng)[0])
    kind = rng.choice(["flip", "truncate", "method", "encrypted", "traversal", "bomb", "size-lie", "stored",
                       "empty", "unknown-content"])
    if kind == "traversal":
        members.append((rng.choice(["../evil.json", "/abs/evil.json", "a/../../evil.json", "..\\evil.json"]),
                        b"[]"))
    elif kind == "bomb":
        members.append(("general/2020-05-16.json", b"\n" * rng.choice([5, 9]) * 1024 * 1024))
    elif kind == "empty":
        members = []
    elif kind == "unknown-content":
        members = [("notes.txt", b"hello\n" * rng.randint(0, 50))]
    data = zip_bytes(members, zipfile.ZIP_STORED if kind == "stored" else zipfile.ZIP_DEFLATED)
    if kind == "flip":
        data = _flip(data, rng)
    elif kind == "truncate":
        data = _truncate(data, rng)
    elif kind == "method":
        data = patch_zip_headers(data, 8, "<H", rng.choice([1, 6, 9, 12, 14, 93, 99, 1000]), rng)
    elif kind == "encrypted":
        data = patch_zip_headers(data, 6, "<H", 0x0001, rng)
    elif kind == "size-lie":
        # declared uncompressed sizes that are too small (or absurd): the reader must not trust them
        data = patch_zip_headers(data, 22, "<I", rng.choice([0, 1, 10, 0xFFFFFFFF]), rng)
    return data, [f"zip-{kind}"]


# ------------------------------------------------------------------------------------------------------ running


@dataclass
class Tally:
    """Counts of one format's fuzz run."""

    inputs: int = 0
    parsed: int = 0
    typed_errors: int = 0
    unhandled: int = 0
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _balanced(result: ParseResult) -> bool:
    return result.records_seen == result.imported + result.duplicates + result.quarantined


_SPECS = {spec.name: spec for spec in all_formats()}


def _readers(group: str) -> list[Callable[[Path], Any]]:
    if group == "generic-csv":
        from moderator_kit.io.generic_csv import read_generic_csv

        mapping = {"message_id": "id", "author_handle": "user", "created_at": "time", "text": "body"}
        return [lambda path: [read_generic_csv(path, mapping)]]
    if group == "zip":
        return [lambda path: read_archive(path)]
    spec = _SPECS[group]
    return [lambda path: [spec.read(path)], lambda path: read_archive(path)]


_GENERIC_CSV = b"id,user,time,body\n1,ann,2024-01-01T21:00:00Z,Q1 hi\n2,bob,2024-01-01 21:01:00,\"A1, yes\"\n"


def run_input(group: str, name: str, data: bytes, folder: Path, which: int | None = None) -> tuple[str, str | None]:
    """Read one input through the readers of ``group`` (all, or the one numbered ``which`` modulo their count):
    ``("parsed" | "typed" | "unhandled", failure)``."""
    target = folder / ("archive.zip" if group == "zip" else name)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    outcome = "parsed"
    readers = _readers(group)
    if which is not None:
        readers = [readers[which % len(readers)]]
    try:
        for reader in readers:
            try:
                results = reader(target)
            except ModeratorKitError:
                outcome = "typed"
                continue
            for result in results:
                if not _balanced(result):
                    return "unhandled", (f"counts do not add up: seen {result.records_seen} != imported "
                                         f"{result.imported} + duplicates {result.duplicates} + quarantined "
                                         f"{result.quarantined}")
    except Exception as err:  # noqa: BLE001 - the point: report whatever escaped
        frames = traceback.extract_tb(err.__traceback__)
        where = next((f"{Path(f.filename).name}:{f.lineno}" for f in reversed(frames)
                      if "moderator_kit" in f.filename), "?")
        return "unhandled", f"{type(err).__name__} at {where}: {str(err)[:160]}"
    finally:
        target.unlink(missing_ok=True)
    return outcome, None


def fuzz(group: str, iterations: int, seed: int = 0, *, every_reader: bool = True,
         save_failures: Path | None = None) -> Tally:
    """Run ``iterations`` mutated inputs of one format group and count the outcomes.

    With ``every_reader`` each input goes through the format's reader (forced) and through detection; without it,
    inputs take turns (half the time: what the test suite runs).
    """
    rng = random.Random(f"{group}:{seed}")
    tally = Tally()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="moderator-kit-fuzz-") as tmp:
        folder = Path(tmp)
        for number in range(iterations):
            if group == "zip":
                data, how = mutate_zip(rng)
                name = "archive.zip"
            elif group == "generic-csv":
                name = "messages.csv"
                data, how = mutate(_GENERIC_CSV, rng)
            else:
                name, seed_data = rng.choice(SEEDS[group])
                data, how = mutate(seed_data, rng)
            outcome, failure = run_input(group, name, data, folder, None if every_reader else number)
            tally.inputs += 1
            if outcome == "parsed":
                tally.parsed += 1
            elif outcome == "typed":
                tally.typed_errors += 1
            else:
                tally.unhandled += 1
                tally.failures.append(f"{group} #{number} ({'+'.join(how)}): {failure}")
                if save_failures is not None:
                    save_failures.mkdir(parents=True, exist_ok=True)
                    (save_failures / f"{group}-{number}-{Path(name).name}").write_bytes(data)
    tally.seconds = time.perf_counter() - started
    return tally
