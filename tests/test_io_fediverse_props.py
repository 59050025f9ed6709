"""Property tests: the Mastodon, Bluesky and generic-CSV parsers never fall over on corrupted or truncated input.

Every parser either returns a ParseResult whose counts add up (bad records quarantined) or raises ArchiveError with
a readable message -- never another exception.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moderator_kit.errors import ArchiveError
from moderator_kit.io.base import ParseResult
from moderator_kit.io.bluesky import parse_bluesky, parse_bluesky_records, read_bluesky
from moderator_kit.io.generic_csv import parse_column_mapping, parse_generic_csv, read_generic_csv
from moderator_kit.io.mastodon import html_to_text, parse_mastodon, parse_mastodon_records, read_mastodon
from moderator_kit.schema import MESSAGE_SCHEMA

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(["", "2024-01-01T21:00:00Z", "1e400", "at://did:plc:x/app.bsky.feed.post/1", "\ud800",
                       "<p>a &amp; <b>b</p>", "did:plc:x", "9" * 30])
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=15,
)


def check(result: ParseResult) -> None:
    assert isinstance(result, ParseResult)
    assert result.records_seen == result.imported + result.duplicates + result.quarantined
    assert result.messages.schema == MESSAGE_SCHEMA
    assert result.messages["message_id"].null_count() == 0
    assert result.messages["message_id"].is_unique().all()


def parse_or_archive_error(function, *args, **kwargs):
    try:
        result = function(*args, **kwargs)
    except ArchiveError as err:
        assert str(err).strip()
        return None
    check(result)
    return result


# ------------------------------------------------------------------------------------------------------- Mastodon

MASTODON_STATUS = {
    "id": "1", "created_at": "2024-01-01T21:00:00.000Z", "in_reply_to_id": "0", "in_reply_to_account_id": "a2",
    "uri": "https://a.example/users/ann/statuses/1", "url": "https://a.example/@ann/1",
    "content": "<p>Q1 <a href='https://a.example/tags/c' class='mention hashtag'>#c</a></p>", "spoiler_text": "",
    "reblog": None, "quote": None, "card": {"url": "https://c.example"}, "application": {"name": "web"},
    "account": {"id": "a1", "acct": "ann", "username": "ann", "url": "https://a.example/@ann", "followers_count": 3},
    "mentions": [{"id": "a2", "acct": "bo@b.example", "url": "https://b.example/@bo"}], "tags": [{"name": "c"}],
    "replies_count": 1, "reblogs_count": 2, "favourites_count": 3, "language": "en",
}


@st.composite
def mutated(draw, template: dict) -> dict:
    """The template with some fields (top level or one level down) replaced by arbitrary JSON."""
    value = json.loads(json.dumps(template))
    for key in draw(st.lists(st.sampled_from(sorted(value)), max_size=4, unique=True)):
        if isinstance(value[key], dict) and value[key] and draw(st.booleans()):
            inner = draw(st.sampled_from(sorted(value[key])))
            value[key][inner] = draw(json_values)
        elif draw(st.booleans()):
            value[key] = draw(json_values)
        else:
            del value[key]
    return value


mastodon_statuses = mutated(MASTODON_STATUS)


@SETTINGS
@given(document=json_values)
def test_parse_mastodon_takes_any_json(document):
    parse_or_archive_error(parse_mastodon, document, "any.json")


@SETTINGS
@given(statuses=st.lists(mastodon_statuses | st.builds(lambda s: {**MASTODON_STATUS, "reblog": s}, mastodon_statuses)
                         | st.builds(lambda s: {**MASTODON_STATUS, "quote": {"quoted_status": s}}, mastodon_statuses),
                         max_size=5),
       as_context=st.booleans())
def test_parse_mastodon_quarantines_corrupted_statuses(statuses, as_context):
    document = {"ancestors": statuses[:1], "descendants": statuses[1:]} if as_context else statuses
    result = parse_or_archive_error(parse_mastodon, document, "statuses.json")
    assert result is not None and result.records_seen >= len(statuses)


@SETTINGS
@given(records=st.lists(st.tuples(st.integers(0, 10**6), json_values, st.none() | st.text(max_size=10)), max_size=5))
def test_parse_mastodon_records_takes_any_triples(records):
    check(parse_mastodon_records(records, "x.jsonl"))


@SETTINGS
@given(html=st.text(max_size=200) | st.lists(st.sampled_from(["<p>", "</p>", "<br>", "<a href='https://x'>", "</a>",
                                                                "&amp;", "&#39;", "<span class='invisible'>", "x",
                                                                "<script>", "<!--", "<", ">", "\ud800"]), max_size=30)
       .map("".join))
def test_html_to_text_takes_any_markup(html):
    assert isinstance(html_to_text(html), str)


# -------------------------------------------------------------------------------------------------------- Bluesky

BLUESKY_POST = {
    "uri": "at://did:plc:ann/app.bsky.feed.post/1", "cid": "c",
    "author": {"did": "did:plc:ann", "handle": "ann.bsky.social", "displayName": "Ann"},
    "record": {"text": "hi @bo.bsky.social #c", "createdAt": "2024-01-01T21:00:00Z", "langs": ["en"],
               "facets": [{"index": {"byteStart": 3, "byteEnd": 18},
                           "features": [{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:bo"}]}],
               "reply": {"parent": {"uri": "at://did:plc:bo/app.bsky.feed.post/0"},
                         "root": {"uri": "at://did:plc:bo/app.bsky.feed.post/0"}},
               "embed": {"$type": "app.bsky.embed.record", "record": {"uri": "at://did:plc:cy/app.bsky.feed.post/9"}}},
    "embed": {"$type": "app.bsky.embed.record#view", "record": {"uri": "at://did:plc:cy/app.bsky.feed.post/9"}},
    "replyCount": 1, "repostCount": 2, "likeCount": 3, "indexedAt": "2024-01-01T21:00:01Z",
}
REASON = {"$type": "app.bsky.feed.defs#reasonRepost", "by": {"did": "did:plc:bo", "handle": "bo.x"},
          "indexedAt": "2024-01-01T21:05:00Z"}

bluesky_posts = mutated(BLUESKY_POST)
feed_items = st.fixed_dictionaries(
    {"post": bluesky_posts | json_values},
    optional={"reason": mutated(REASON) | json_values, "reply": st.fixed_dictionaries({"parent": bluesky_posts})},
)
thread_nodes = st.recursive(
    st.fixed_dictionaries({"post": bluesky_posts}) | json_values,
    lambda children: st.fixed_dictionaries(
        {"post": bluesky_posts}, optional={"parent": children, "replies": st.lists(children, max_size=3)}
    ),
    max_leaves=8,
)


@SETTINGS
@given(document=json_values)
def test_parse_bluesky_takes_any_json(document):
    parse_or_archive_error(parse_bluesky, document, "any.json")


@SETTINGS
@given(items=st.lists(feed_items, max_size=5), key=st.sampled_from(["feed", "posts"]))
def test_parse_bluesky_quarantines_corrupted_items(items, key):
    result = parse_or_archive_error(parse_bluesky, {key: items}, "feed.json")
    assert result is not None and result.records_seen >= len(items)


@SETTINGS
@given(thread=thread_nodes)
def test_parse_bluesky_walks_corrupted_threads(thread):
    parse_or_archive_error(parse_bluesky, {"thread": thread}, "thread.json")


@SETTINGS
@given(records=st.lists(st.tuples(st.integers(0, 10**6), json_values, st.none() | st.text(max_size=10)), max_size=5))
def test_parse_bluesky_records_takes_any_triples(records):
    check(parse_bluesky_records(records, "x.jsonl"))


# ------------------------------------------------------------------------------------------------- files on disk


def _documents():
    return st.one_of(
        st.lists(mastodon_statuses, min_size=1, max_size=3).map(lambda s: ("mastodon", s)),
        st.lists(mastodon_statuses, min_size=1, max_size=3).map(
            lambda s: ("mastodon", {"ancestors": s[:1], "descendants": s[1:]})),
        st.lists(feed_items, min_size=1, max_size=3).map(lambda s: ("bluesky", {"feed": s, "cursor": "c"})),
        thread_nodes.map(lambda t: ("bluesky", {"thread": t})),
    )


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fediverse_props")


@SETTINGS
@given(document=_documents(), cut=st.floats(0, 1), jsonl=st.booleans())
def test_read_truncated_files(scratch, document, cut, jsonl):
    family, value = document
    text = json.dumps(value, indent=1)
    if jsonl and isinstance(value, list):
        text = "\n".join(json.dumps(item) for item in value)
    path = scratch / f"{family}.json"
    path.write_text(text[: int(len(text) * cut)], encoding="utf-8", errors="surrogatepass")
    reader = read_mastodon if family == "mastodon" else read_bluesky
    parse_or_archive_error(reader, path)


@SETTINGS
@given(data=st.binary(max_size=300), reader=st.sampled_from([read_mastodon, read_bluesky]))
def test_read_random_bytes(scratch, data, reader):
    path = scratch / "random.json"
    path.write_bytes(data)
    parse_or_archive_error(reader, path)


# --------------------------------------------------------------------------------------------------- generic CSV

cells = st.none() | st.text(max_size=20) | st.sampled_from(
    ["", "2024-01-01", "2024-01-01T21:00:00Z", "1709586000", "@ann", "retweet", "1,234", "#a, #b", "9" * 25])


@SETTINGS
@given(
    rows=st.lists(st.tuples(cells, cells, cells, cells, cells), max_size=6),
    extra=st.sets(st.sampled_from(["kind", "mentions", "like_count", "reply_to_message_id", "message_id"]), max_size=3),
    fmt=st.none() | st.sampled_from(["%d/%m/%Y", "%Y", "%Q", "nonsense", "%H:%M %z"]),
)
def test_parse_generic_csv_takes_any_cells(rows, extra, fmt):
    frame = pl.DataFrame(rows, schema={c: pl.String for c in ("a", "b", "c", "d", "e")}, orient="row")
    mapping = {"author_handle": "a", "created_at": "b", "text": "c"}
    for name, header in zip(sorted(extra), ("d", "e", "a")):
        mapping[name] = header
    result = parse_or_archive_error(parse_generic_csv, frame, mapping, timestamp_format=fmt)
    assert result is not None and result.records_seen == len(rows)


@SETTINGS
@given(text=st.text(max_size=300) | st.binary(max_size=300).map(lambda b: b.decode("latin-1")))
def test_read_generic_csv_takes_any_text(scratch, text):
    path = scratch / "random.csv"
    path.write_text("user,time,body\n" + text, encoding="utf-8", errors="surrogatepass")
    parse_or_archive_error(read_generic_csv, path, "author_handle=user,created_at=time,text=body")


@SETTINGS
@given(spec=st.text(max_size=80))
def test_parse_column_mapping_takes_any_spec(spec):
    try:
        mapping = parse_column_mapping(spec)
    except ArchiveError as err:
        assert isinstance(err, ValueError) and str(err)
    else:
        assert {"author_handle", "created_at", "text"} <= set(mapping)
