"""Bluesky (AT Protocol) XRPC responses: feeds, search, post lists and threads.

What a file may hold (detected from its content):

* ``{"feed": [{post, reply?, reason?}, ...]}`` from ``app.bsky.feed.getAuthorFeed``, ``getTimeline``, ``getFeed``
  and ``getListFeed``;
* ``{"posts": [PostView, ...]}`` from ``app.bsky.feed.searchPosts``, ``getPosts`` and ``getQuotes``;
* ``{"thread": ThreadViewPost}`` from ``app.bsky.feed.getPostThread``: the tree is walked (parents, the post, then
  the replies depth first) and every post is imported once;
* JSON lines, each line one of the above, a feed item or a PostView.

Mapping choices (see ``docs/formats/bluesky.md``):

* ``message_id`` is the post's ``at://`` URI; ``author_id`` its author's DID; ``author_handle`` the handle.
* A feed item whose ``reason`` is ``app.bsky.feed.defs#reasonRepost`` is a ``repost`` row by ``reason.by`` with the
  synthetic id ``repost:<by.did>:<post uri>`` and ``created_at = reason.indexedAt``; the reposted post is imported
  as a message of its own too.
* Mentions come from ``#mention`` facets (the DID is resolved to a handle when that account appears anywhere in the
  file, else the DID is kept), links from ``#link`` facets plus a link-card embed, hashtags from ``#tag`` facets plus
  ``#words`` in the text (older posts have no tag facets).
* ``author_followers`` is null: these responses do not carry follower counts.

Examples
--------
>>> post = {"uri": "at://did:plc:ann/app.bsky.feed.post/1",
...         "author": {"did": "did:plc:ann", "handle": "ann.bsky.social"},
...         "record": {"text": "Q1 for @bo.bsky.social", "createdAt": "2024-01-01T21:00:00Z",
...                    "facets": [{"features": [{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:bo"}]}]}}
>>> row = parse_bluesky({"posts": [post]}, "search.json").messages.row(0, named=True)
>>> row["author_handle"], row["kind"], row["mentions"]
('ann.bsky.social', 'post', ['did:plc:bo'])
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson
import polars as pl

from moderator_kit.errors import ArchiveError
from moderator_kit.io.base import (
    HASHTAG_PATTERN,
    FormatSpec,
    MessageRows,
    ParseResult,
    QuarantineLog,
    as_dict,
    as_list,
    finalize,
    int64_or_none,
    iter_json_array_items,
    iter_json_lines,
    read_archive_text,
    storable,
    unique_present,
    utc_or_none,
)

__all__ = [
    "FORMATS",
    "SOURCE_FORMAT",
    "bluesky_records",
    "parse_bluesky",
    "parse_bluesky_records",
    "read_bluesky",
    "sniff_bluesky",
]

PLATFORM = "bluesky"
SOURCE_FORMAT = "bluesky-xrpc"

Record = tuple[int, Any, "str | None"]

_REPOST_REASON = "app.bsky.feed.defs#reasonRepost"
_POST_COLLECTION = "/app.bsky.feed.post/"
_AT_DID = re.compile(r"^at://(did:[a-z0-9]+:[^/]+)/")


class _BadRecord(ValueError):
    """A post that cannot become a message; the message is the quarantine reason."""


# --------------------------------------------------------------------------------------------------- small helpers


def _text(value: Any) -> str | None:
    """A string value, with lone surrogates replaced so that Arrow can store it."""
    if not isinstance(value, str):
        return None
    return storable(value)


def _quarantine(log: QuarantineLog, position: int, reason: str, raw: Any) -> None:
    log.add(position, reason or "unreadable record", raw)  # QuarantineLog makes the strings storable


def _did_of(uri: str | None) -> str | None:
    """The DID (repository) of an ``at://`` URI."""
    match = _AT_DID.match(uri or "")
    return match.group(1) if match else None


_NO_PROFILES = frozenset({"viewer", "labels", "facets", "images", "external", "thumb", "avatar", "associated"})


def _handles(document: Any) -> dict[str, str]:
    """DID -> handle for every profile view (``{did, handle}``) anywhere in the document."""
    found: dict[str, str] = {}
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("$type") == "app.bsky.feed.post":  # a raw record: references by URI only, no profiles
                continue
            did, handle = node.get("did"), node.get("handle")
            if isinstance(did, str) and isinstance(handle, str) and handle != "handle.invalid":
                found.setdefault(_text(did), _text(handle).lower())
            stack.extend(
                value for key, value in node.items() if key not in _NO_PROFILES and isinstance(value, (dict, list))
            )
        elif isinstance(node, list):
            stack.extend(v for v in node if isinstance(v, (dict, list)))
    return found


# --------------------------------------------------------------------------------------------- records of a document


def _is_post_view(value: Any) -> bool:
    return isinstance(value, dict) and "uri" in value and "author" in value


def _thread_records(thread: Any) -> Iterator[tuple[Any, str | None]]:
    """Walk a ``threadViewPost`` tree: the parent chain from the top, the post, then replies depth first.

    Yields ``(feed item, error)``; each post becomes a feed item ``{"post": ..., "reply": {"parent": ...}}`` so that
    the parent's author is known. Posts that were deleted or blocked are yielded as errors.
    """
    chain: list[dict] = []
    node, seen_nodes = thread, set()
    while isinstance(node, dict) and id(node) not in seen_nodes:
        seen_nodes.add(id(node))
        chain.append(node)
        node = node.get("parent")
    chain.reverse()
    seen: set[str] = set()
    stack: list[tuple[Any, Any]] = []
    parent_post: Any = None
    for node in chain:
        stack.append((node, parent_post))
        parent_post = node.get("post") if _is_post_view(node.get("post")) else None
    stack.reverse()  # pop from the top of the chain first
    while stack:
        node, parent = stack.pop()
        if not isinstance(node, dict):
            yield None, f"thread node is not an object: {type(node).__name__}"
            continue
        post = node.get("post")
        if _is_post_view(post):
            uri = _text(post.get("uri")) or ""
            if uri in seen:
                continue
            seen.add(uri)
            item = {"post": post}
            if _is_post_view(parent):
                item["reply"] = {"parent": parent}
            yield item, None
            replies = [r for r in as_list(node.get("replies")) if isinstance(r, dict)]
            stack.extend((reply, post) for reply in reversed(replies))
        elif node.get("notFound") or str(node.get("$type", "")).endswith("#notFoundPost"):
            yield None, f"thread post not found (deleted): {str(node.get('uri'))[:200]}"
        elif node.get("blocked") or str(node.get("$type", "")).endswith("#blockedPost"):
            yield None, f"thread post blocked: {str(node.get('uri'))[:200]}"
        else:
            yield None, "unrecognised thread node (expected a threadViewPost)"


def bluesky_records(document: Any) -> list[Record]:
    """The feed items / posts of one decoded XRPC response, as ``(position, item, error)`` triples.

    ``feed`` and ``posts`` give their items (position = index); a ``thread`` gives its posts in walk order; a list
    gives its items; a lone PostView or feed item is position 0. An object that is none of these is one error record.

    >>> bluesky_records({"feed": [{"post": {}}], "cursor": "x"})
    [(0, {'post': {}}, None)]
    >>> bluesky_records({"error": "RateLimitExceeded", "message": "slow down"})[0][2]
    'API error response: RateLimitExceeded: slow down'
    """
    if isinstance(document, list):
        return [(index, item, None) for index, item in enumerate(document)]
    if not isinstance(document, dict):
        return [(0, None, f"expected a Bluesky response object, found {type(document).__name__}")]
    if isinstance(document.get("feed"), list):
        return [(index, item, None) for index, item in enumerate(document["feed"])]
    if isinstance(document.get("posts"), list):
        return [(index, item, None) for index, item in enumerate(document["posts"])]
    if "thread" in document:
        return [(index, item, error) for index, (item, error) in enumerate(_thread_records(document["thread"]))]
    if _is_post_view(document) or _is_post_view(document.get("post")):
        return [(0, document, None)]
    if "error" in document:
        return [(0, None, f"API error response: {document.get('error')}: {str(document.get('message'))[:200]}")]
    return [(0, None, "not a Bluesky response (expected feed, posts or thread)")]


# ------------------------------------------------------------------------------------------------------------ a post


class _Context:
    def __init__(self, handles: dict[str, str]):
        self.handles = handles

    def handle(self, did: str | None, profile: Any = None) -> str | None:
        """The handle of a profile view, else of the DID as seen elsewhere in the file, else the DID itself."""
        handle = _text(as_dict(profile).get("handle"))
        if handle and handle != "handle.invalid":
            return handle.lower()
        if not did:
            return None
        return self.handles.get(did, did)


_HANDLE = re.compile(r"@([a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)+)")


def _typed_handle(text: str, index: dict) -> str | None:
    """The ``@handle`` a mention facet covers in the text (its index is in UTF-8 bytes), lower-cased, or ``None``.

    >>> _typed_handle("hi é @Bo.bsky.social!", {"byteStart": 6, "byteEnd": 21})
    'bo.bsky.social'
    """
    start, end = int64_or_none(index.get("byteStart")), int64_or_none(index.get("byteEnd"))
    if start is None or end is None or not 0 <= start < end <= 4 * len(text):
        return None
    piece = text.encode("utf-8", "replace")[start:end].decode("utf-8", "replace").strip()
    match = _HANDLE.fullmatch(piece)
    return match.group(1).lower() if match else None


def _embedded_post(embed: dict) -> str | None:
    """The URI of the post a record embed quotes (``app.bsky.embed.record`` or ``recordWithMedia``)."""
    kind = _text(embed.get("$type")) or ""
    if kind.startswith("app.bsky.embed.recordWithMedia"):
        uri = _text(as_dict(as_dict(embed.get("record")).get("record")).get("uri"))
    elif kind.startswith("app.bsky.embed.record"):
        uri = _text(as_dict(embed.get("record")).get("uri"))
    else:
        return None
    return uri if uri and _POST_COLLECTION in uri else None


def _embedded_author(view: dict, uri: str) -> dict:
    """The author profile of the quoted post in a PostView's ``embed`` view, if shown."""
    record = as_dict(view.get("record"))
    if "record" in record and isinstance(record.get("record"), dict):  # recordWithMedia#view
        record = record["record"]
    return as_dict(record.get("author")) if record.get("uri") == uri else {}


def _external_links(embed: dict) -> list[str]:
    links = []
    for candidate in (embed, as_dict(embed.get("media"))):
        uri = _text(as_dict(candidate.get("external")).get("uri"))
        if uri and uri.startswith(("http://", "https://")):
            links.append(uri)
    return links


def _post_values(post: dict, reply_context: dict, context: _Context) -> dict[str, Any]:
    """Canonical values of one PostView. Raises :class:`_BadRecord` when it cannot be a message."""
    uri = _text(post.get("uri"))
    if not uri or not uri.startswith("at://"):
        raise _BadRecord("post has no at:// uri")
    author = as_dict(post.get("author"))
    did = _text(author.get("did")) or _did_of(uri)
    handle = context.handle(did, author)
    if not handle:
        raise _BadRecord("post has no author did or handle")
    record = as_dict(post.get("record")) or as_dict(post.get("value"))
    created_at = utc_or_none(record.get("createdAt"), strings_only=True) or utc_or_none(
        post.get("indexedAt"), strings_only=True
    )
    if created_at is None:
        raise _BadRecord(f"unparseable or missing createdAt: {str(record.get('createdAt'))[:60]!r}")
    text = _text(record.get("text")) or ""
    mentions, links, tags = [], [], []
    for facet in as_list(record.get("facets")):
        for feature in as_list(as_dict(facet).get("features")):
            feature = as_dict(feature)
            kind = _text(feature.get("$type")) or ""
            if kind.endswith("#mention"):
                mentioned = _text(feature.get("did"))
                typed = _typed_handle(text, as_dict(as_dict(facet).get("index")))
                if mentioned in context.handles or not typed:
                    mentions.append(context.handle(mentioned))
                else:
                    mentions.append(typed)
            elif kind.endswith("#link"):
                links.append(_text(feature.get("uri")))
            elif kind.endswith("#tag"):
                tags.append((_text(feature.get("tag")) or "").lstrip("#").lower())
    embed = as_dict(record.get("embed"))
    langs = [lang for lang in as_list(record.get("langs")) if isinstance(lang, str)]
    values: dict[str, Any] = {
        "platform": PLATFORM,
        "message_id": uri,
        "author_id": did,
        "author_handle": handle,
        "author_name": _text(author.get("displayName")) or None,
        "created_at": created_at,
        "text": text,
        "kind": "post",
        "mentions": unique_present(mentions),
        "hashtags": unique_present(tags),
        "urls": unique_present([*links, *_external_links(embed)]),
        "like_count": int64_or_none(post.get("likeCount")),
        "repost_count": int64_or_none(post.get("repostCount")),
        "reply_count": int64_or_none(post.get("replyCount")),
        "source_app": _text(record.get("via")),
        "lang": langs[0] if langs else None,
    }
    reply = as_dict(record.get("reply"))
    parent_uri = _text(as_dict(reply.get("parent")).get("uri"))
    if parent_uri:
        parent_view = as_dict(reply_context.get("parent"))
        parent_did = _did_of(parent_uri)
        profile = parent_view.get("author") if parent_view.get("uri") == parent_uri else None
        values.update(
            kind="reply",
            reply_to_message_id=parent_uri,
            reply_to_author_id=parent_did,
            reply_to_author_handle=context.handle(parent_did, profile),
            conversation_id=_text(as_dict(reply.get("root")).get("uri")) or parent_uri,
        )
    quoted = _embedded_post(embed)
    if quoted:
        quoted_did = _did_of(quoted)
        values.update(
            kind="quote",
            quote_of_message_id=quoted,
            quote_of_author_id=quoted_did,
            quote_of_author_handle=context.handle(quoted_did, _embedded_author(as_dict(post.get("embed")), quoted)),
        )
    return values


def _item_rows(item: dict, context: _Context) -> list[dict[str, Any]]:
    """Rows of one feed item (or PostView): the post, and before it the repost when the item is one."""
    post = item.get("post") if "post" in item else item
    if not isinstance(post, dict):
        raise _BadRecord("feed item has no post object")
    original = _post_values(post, as_dict(item.get("reply")), context)
    reason = as_dict(item.get("reason"))
    if _text(reason.get("$type")) != _REPOST_REASON:
        return [original]
    by = as_dict(reason.get("by"))
    by_did = _text(by.get("did"))
    created_at = utc_or_none(reason.get("indexedAt"), strings_only=True)
    if not by_did or created_at is None:
        raise _BadRecord("repost reason has no by.did or no parseable indexedAt")
    repost = {
        "platform": PLATFORM,
        "message_id": f"repost:{by_did}:{original['message_id']}",
        "author_id": by_did,
        "author_handle": context.handle(by_did, by),
        "author_name": _text(by.get("displayName")) or None,
        "created_at": created_at,
        "text": original["text"],
        "kind": "repost",
        "repost_of_message_id": original["message_id"],
        "repost_of_author_id": original["author_id"],
        "repost_of_author_handle": original["author_handle"],
        "mentions": original["mentions"],
        "hashtags": original["hashtags"],
        "urls": original["urls"],
        "lang": original["lang"],
    }
    return [repost, original]


# ------------------------------------------------------------------------------------------------------- the parsers


def _add_text_hashtags(messages: pl.DataFrame) -> pl.DataFrame:
    """Hashtags typed as ``#word`` count even without a tag facet (older clients did not write them)."""
    from_text = pl.col("text").fill_null("").str.extract_all(HASHTAG_PATTERN).list.eval(
        pl.element().str.replace(r"^[^#]*#", "").str.to_lowercase()
    )
    return messages.with_columns(
        pl.concat_list(pl.col("hashtags").fill_null([]), from_text).list.unique(maintain_order=True).alias("hashtags")
    )


def parse_bluesky_records(records: Iterable[Record], source_file: str = "<memory>") -> ParseResult:
    """Parse ``(position, feed item or PostView, error)`` triples into messages; bad ones are quarantined.

    ``records_seen`` counts message rows before de-duplication plus quarantined records; a repost item gives two rows.

    >>> result = parse_bluesky_records([(0, {"post": "x"}, None), (1, None, "invalid JSON")], "feed.jsonl")
    >>> result.quarantine["reason"].to_list()
    ['feed item has no post object', 'invalid JSON']
    """
    records = list(records)
    context = _Context(_handles([value for _, value, error in records if error is None]))
    rows = MessageRows(str(source_file), SOURCE_FORMAT)
    quarantine = QuarantineLog(str(source_file), SOURCE_FORMAT)
    for position, value, error in records:
        if error is not None:
            _quarantine(quarantine, position, error, value)
            continue
        if not isinstance(value, dict):
            reason = f"expected a feed item or post object, found {type(value).__name__}"
            _quarantine(quarantine, position, reason, value)
            continue
        try:
            item_rows = _item_rows(value, context)
        except _BadRecord as err:
            _quarantine(quarantine, position, str(err), value)
            continue
        for row in item_rows:
            rows.append(position, **row)
    result = finalize(rows, quarantine)
    result.messages = _add_text_hashtags(result.messages)
    return result


def parse_bluesky(document: Any, source_file: str = "<memory>") -> ParseResult:
    """Parse one decoded XRPC response (feed, posts or thread; see the module notes).

    Examples
    --------
    >>> by = {"did": "did:plc:bo", "handle": "bo.bsky.social"}
    >>> post = {"uri": "at://did:plc:ann/app.bsky.feed.post/1", "author": {"did": "did:plc:ann", "handle": "ann.x"},
    ...         "record": {"text": "Q1 #chat", "createdAt": "2024-01-01T21:00:00Z"}}
    >>> feed = {"feed": [{"post": post, "reason": {"$type": "app.bsky.feed.defs#reasonRepost", "by": by,
    ...                                             "indexedAt": "2024-01-01T21:02:00Z"}}]}
    >>> parse_bluesky(feed).messages.select("message_id", "kind", "author_handle", "hashtags").rows()[0]
    ('repost:did:plc:bo:at://did:plc:ann/app.bsky.feed.post/1', 'repost', 'bo.bsky.social', ['chat'])
    """
    return parse_bluesky_records(bluesky_records(document), source_file)


# --------------------------------------------------------------------------------------------------------- reading

_ARRAY_KEY = re.compile(r'"(feed|posts)"\s*:\s*\[')


def _records_from_text(text: str, path: str) -> list[Record]:
    stripped = text.strip()
    if not stripped:
        raise ArchiveError("the file is empty: expected a Bluesky XRPC response as JSON", path=path)
    try:
        return bluesky_records(orjson.loads(stripped))
    except orjson.JSONDecodeError as err:
        whole_error = str(err)
    first_line, newline, _ = stripped.partition("\n")  # not splitlines(): one list item per blank line
    if newline:
        try:
            first = orjson.loads(first_line)
        except orjson.JSONDecodeError:
            first = None
        if isinstance(first, dict):  # JSON lines: feed items, PostViews or whole response pages
            records: list[Record] = []
            for number, value, error in iter_json_lines(text):
                if error is not None:
                    records.append((number, None, error))
                elif isinstance(value, dict) and not (_is_post_view(value) or "post" in value):
                    records.extend((number, item, err) for _, item, err in bluesky_records(value))
                else:
                    records.append((number, value, None))
            return records
    if stripped.startswith("{"):
        match = _ARRAY_KEY.search(stripped)
        if match:  # a truncated feed / posts page: keep the complete items
            return list(iter_json_array_items(stripped, start=match.end() - 1))
        return [(0, None, f"invalid or truncated JSON: {whole_error}")]
    if stripped.startswith("["):
        return list(iter_json_array_items(stripped))
    raise ArchiveError(f"not JSON ({whole_error}): expected a Bluesky XRPC response", path=path)


def read_bluesky(path: Path | str) -> ParseResult:
    """Read a Bluesky XRPC response file (JSON or JSON lines); a truncated feed gives up its complete items.

    Raises
    ------
    ArchiveError
        If the file cannot be read, is empty or is not JSON.
    """
    text = read_archive_text(path, ": check the path")
    return parse_bluesky_records(_records_from_text(text, str(path)), str(path))


def sniff_bluesky(path: Path, head: str) -> bool:
    """Whether the start of a file looks like a Bluesky XRPC response (not Discord, Twitter or Mastodon JSON).

    >>> sniff_bluesky(Path("f.json"), '{"feed": [{"post": {"uri": "at://did:plc:x/app.bsky.feed.post/1"}}]}')
    True
    >>> sniff_bluesky(Path("f.json"), '{"guild": {}, "messages": [{"content": "at://did:x app.bsky.feed.post"}]}')
    False
    """
    stripped = head.lstrip()
    if not stripped.startswith(("{", "[")):
        return False
    for foreign in ('"guild"', '"acct"', '"id_str"', '"__twarc"', '"includes"'):
        if foreign in head:
            return False
    return '"at://did:' in head and "app.bsky." in head and bool(
        re.search(r'"(feed|posts|thread|post|uri)"\s*:', head)
    )


FORMATS = [
    FormatSpec(
        name="bluesky",
        description="Bluesky AT Protocol XRPC responses (feeds, searchPosts, getPosts, getQuotes, getPostThread)",
        sniff=sniff_bluesky,
        read=read_bluesky,
    )
]
