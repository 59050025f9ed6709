"""Mastodon REST API v1 statuses: timelines, account statuses, status context, single statuses and JSONL.

What a file may hold (detected from its content):

* a list of statuses (``/api/v1/timelines/...``, ``/api/v1/accounts/:id/statuses``);
* a context response ``{"ancestors": [...], "descendants": [...]}`` (``/api/v1/statuses/:id/context``);
* a single status object (``/api/v1/statuses/:id``);
* JSON lines, one status (or one page of statuses) per line.

Mapping choices (see ``docs/formats/mastodon.md``):

* ``message_id`` is the status ``uri`` (the ActivityPub id, the same on every server), or its ``url`` if the ``uri``
  is missing.
* ``author_handle`` is the full ``user@instance`` address, lower-cased. A local account's ``acct`` has no instance, so
  the instance of the file is added (given as ``instance=``, else the host of the local accounts' profile URLs).
* HTML ``content`` becomes text: paragraphs are separated by a blank line, ``<br>`` is a line break, tags are dropped
  and entities unescaped; mentions and hashtags keep their ``@`` / ``#`` text. A content warning (``spoiler_text``)
  is put before the text, followed by a blank line.
* A boost (``reblog``) is a ``repost`` row by the booster (carrying the boosted text and entities, as a retweet does),
  and the boosted status is imported as a message of its own too, so that what was boosted is in the archive.
* ``in_reply_to_id`` is a server-local id. It becomes the parent's ``uri`` when the parent is in the same file or
  was written by a local account (``https://<instance>/users/<name>/statuses/<id>``); otherwise it becomes the
  locator ``https://<instance>/api/v1/statuses/<id>``.

Examples
--------
>>> status = {"id": "1", "uri": "https://a.example/users/ann/statuses/1", "created_at": "2024-01-01T21:00:00Z",
...           "content": "<p>Q1: what &amp; why? <a href='https://a.example/tags/chat' class='mention hashtag'"
...                      " rel='tag'>#<span>chat</span></a></p>",
...           "account": {"id": "9", "acct": "Ann", "url": "https://a.example/@Ann", "followers_count": 10},
...           "tags": [{"name": "chat"}], "mentions": []}
>>> row = parse_mastodon([status], "toots.json").messages.row(0, named=True)
>>> row["author_handle"], row["text"], row["hashtags"], row["kind"]
('ann@a.example', 'Q1: what & why? #chat', ['chat'], 'post')
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson
from selectolax.lexbor import LexborHTMLParser

from moderator_kit.errors import ArchiveError
from moderator_kit.io.base import (
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
    "html_to_text",
    "mastodon_records",
    "parse_mastodon",
    "parse_mastodon_records",
    "read_mastodon",
    "sniff_mastodon",
]

PLATFORM = "mastodon"
SOURCE_FORMAT = "mastodon-api"

Record = tuple[int, Any, "str | None"]


class _BadRecord(ValueError):
    """A status that cannot become a message; the message is the quarantine reason."""


# --------------------------------------------------------------------------------------------------- small helpers


def _text(value: Any) -> str | None:
    """A string value (ints are accepted as ids), with lone surrogates replaced so that Arrow can store it."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, str):
        return None
    return storable(value)


def _quarantine(log: QuarantineLog, position: int, reason: str, raw: Any) -> None:
    log.add(position, reason or "unreadable record", raw)  # QuarantineLog makes the strings storable


def _host(url: Any) -> str | None:
    text = _text(url)
    if not text:
        return None
    try:
        host = urlsplit(text).hostname
    except ValueError:
        return None
    return host.lower() if host else None


# ------------------------------------------------------------------------------------------------------ HTML to text

_BLOCK_TAGS = {"p", "div", "blockquote", "pre", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr"}
_SKIP_TAGS = {"script", "style", "template", "head", "title"}


def _render_html(html: str) -> tuple[str, list[str]]:
    """Text and link targets of a status's HTML (mention and hashtag links are not links)."""
    if not html:
        return "", []
    if "<" not in html and "&" not in html:
        return html.strip(), []
    tree = LexborHTMLParser(html)
    root = tree.body or tree.root
    if root is None:
        return "", []
    parts: list[str] = []
    links: list[str] = []
    stack: list[tuple[Any, bool]] = [(child, False) for child in reversed(list(root.iter(include_text=True)))]
    while stack:
        node, closing = stack.pop()
        tag = node.tag or ""
        if closing:
            parts.append("\n\n" if tag == "p" else "\n")
            continue
        if tag == "-text":
            parts.append(node.text(deep=False) or "")
            continue
        if tag.startswith(("-", "_", "!")) or tag in _SKIP_TAGS:
            continue
        if tag == "br":
            parts.append("\n")
            continue
        attributes = node.attributes or {}
        classes = (attributes.get("class") or "").split()
        if "quote-inline" in classes:  # Mastodon's "RE: <link>" fallback for quote posts
            continue
        if tag == "a":
            rel = (attributes.get("rel") or "").split()
            href = attributes.get("href") or ""
            if "mention" not in classes and "hashtag" not in classes and "tag" not in rel:
                if href.startswith(("http://", "https://")):
                    links.append(href)
        if tag in _BLOCK_TAGS:
            parts.append("\n\n" if tag == "p" else "\n")
            stack.append((node, True))
        stack.extend((child, False) for child in reversed(list(node.iter(include_text=True))))
    text = "".join(parts).replace("\r\n", "\n").replace("\xa0", " ")
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n[ \t]+", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return text, unique_present(links)


def html_to_text(html: str) -> str:
    """Turn a status's HTML ``content`` into plain text.

    Paragraphs are separated by a blank line and ``<br>`` becomes a line break; tags are dropped and entities
    unescaped. Mention and hashtag links keep their visible ``@name`` / ``#tag`` text, and a shortened link keeps its
    full address (Mastodon hides parts of it with CSS only).

    >>> html_to_text('<p>A1: yes &amp; no<br />see <a href="https://x.io/a"><span class="invisible">https://'
    ...              '</span><span>x.io/a</span></a></p><p>cc <span class="h-card"><a class="u-url mention" '
    ...              'href="https://m.example/@bo">@<span>bo</span></a></span></p>')
    'A1: yes & no\\nsee https://x.io/a\\n\\ncc @bo'
    """
    return _render_html(html or "")[0]


# --------------------------------------------------------------------------------------------- records of a document


def _is_context(document: Any) -> bool:
    return isinstance(document, dict) and ("ancestors" in document or "descendants" in document) and not (
        "id" in document and "account" in document
    )


def mastodon_records(document: Any) -> list[Record]:
    """The statuses of one decoded API response, as ``(position, status, error)`` triples.

    A list gives its items (position = index); a context gives ``ancestors`` then ``descendants`` (position = index
    in that order); any other object is taken as one status (position 0).

    >>> mastodon_records({"ancestors": [{"id": "1"}], "descendants": [{"id": "2"}]})
    [(0, {'id': '1'}, None), (1, {'id': '2'}, None)]
    """
    if isinstance(document, list):
        return [(index, item, None) for index, item in enumerate(document)]
    if _is_context(document):
        items = as_list(document.get("ancestors")) + as_list(document.get("descendants"))
        return [(index, item, None) for index, item in enumerate(items)]
    return [(0, document, None)]


# ------------------------------------------------------------------------------------------------ file-level context


class _Context:
    """What one file tells about accounts and statuses, used to resolve reply targets and handles."""

    def __init__(self, statuses: list[dict], instance: str | None):
        self.id_to_uri: dict[str, str] = {}
        self.id_to_parent: dict[str, tuple[str | None, str | None]] = {}
        self.accounts: dict[str, dict[str, str | None]] = {}
        local_hosts: Counter[str] = Counter()
        tag_hosts: Counter[str] = Counter()
        pending: list[tuple[dict, bool]] = []  # (account-like dict, is a mention)
        for status in statuses:
            for inner in (status, as_dict(status.get("reblog")), *self.quoted(status)):
                if not inner:
                    continue
                sid = _text(inner.get("id"))
                uri = _text(inner.get("uri")) or _text(inner.get("url"))
                if sid and uri:
                    self.id_to_uri.setdefault(sid, uri)
                if sid:
                    self.id_to_parent.setdefault(
                        sid, (_text(inner.get("in_reply_to_id")), _text(inner.get("in_reply_to_account_id")))
                    )
                pending.append((as_dict(inner.get("account")), False))
                pending.extend((as_dict(m), True) for m in as_list(inner.get("mentions")))
                tag_hosts.update(h for t in as_list(inner.get("tags")) if (h := _host(as_dict(t).get("url"))))
        for account, _ in pending:
            acct = _text(account.get("acct"))
            if acct and "@" not in acct.lstrip("@") and (host := _host(account.get("url"))):
                local_hosts[host] += 1
        if instance:
            self.instance = (_host(instance) if "://" in instance else instance.lower().strip().strip("/")) or None
        elif local_hosts:
            self.instance = local_hosts.most_common(1)[0][0]
        elif tag_hosts:
            self.instance = tag_hosts.most_common(1)[0][0]
        else:
            self.instance = None
        for wanted in (False, True):  # authors first (they carry a uri), then accounts known only from mentions
            for account, is_mention in pending:
                aid = _text(account.get("id"))
                if is_mention != wanted or not aid or aid in self.accounts:
                    continue
                handle = self.handle(account)
                if handle:
                    self.accounts[aid] = {"handle": handle, "base_uri": self._base_uri(account)}

    @staticmethod
    def quoted(status: dict) -> list[dict]:
        """The quoted status object of a quote post (Mastodon 4.4+ ``quote.quoted_status``, or a bare status)."""
        quote = as_dict(status.get("quote"))
        if not quote:
            return []
        inner = as_dict(quote.get("quoted_status"))
        if inner:
            return [inner]
        if "account" in quote and ("uri" in quote or "url" in quote):
            return [quote]
        return []

    def handle(self, account: dict) -> str | None:
        """``user@instance``, lower-cased (local accounts get the instance of the file)."""
        acct = _text(account.get("acct")) or _text(account.get("username"))
        if not acct:
            return None
        acct = acct.strip().lstrip("@")
        if not acct:
            return None
        if "@" not in acct:
            host = self.instance or _host(account.get("url")) or _host(account.get("uri"))
            if host:
                acct = f"{acct}@{host}"
        return acct.lower()

    def _base_uri(self, account: dict) -> str | None:
        """``https://<instance>/users/<name>``: the prefix of a local account's status URIs (else ``None``)."""
        acct = _text(account.get("acct")) or ""
        if "@" in acct.lstrip("@"):
            return None
        uri = _text(account.get("uri"))
        if uri and "/users/" in uri:
            return uri.rstrip("/")
        username = _text(account.get("username")) or acct.lstrip("@")
        host = self.instance or _host(account.get("url"))
        if username and host:
            return f"https://{host}/users/{username}"
        return None

    def status_uri(self, status_id: str | None, account_id: str | None) -> str | None:
        """The ``uri`` of a status known only by its server-local id (see the module notes)."""
        if not status_id:
            return None
        if status_id in self.id_to_uri:
            return self.id_to_uri[status_id]
        base = self.accounts.get(account_id or "", {}).get("base_uri")
        if base:
            return f"{base}/statuses/{status_id}"
        return f"https://{self.instance or 'unknown.instance'}/api/v1/statuses/{status_id}"

    def conversation(self, status: dict, message_id: str) -> str:
        """The uri of the first status of the reply chain, as far as this file shows it."""
        parent = _text(status.get("in_reply_to_id"))
        if not parent:
            return message_id
        account = _text(status.get("in_reply_to_account_id"))
        seen: set[str] = set()
        while parent in self.id_to_parent and parent not in seen:
            seen.add(parent)
            grand, grand_account = self.id_to_parent[parent]
            if not grand:
                return self.status_uri(parent, account) or message_id
            parent, account = grand, grand_account
        return self.status_uri(parent, account) or message_id

    def account_handle(self, account_id: str | None) -> str | None:
        return self.accounts.get(account_id or "", {}).get("handle")


# ---------------------------------------------------------------------------------------------------------- a status


def _status_values(status: dict, context: _Context) -> dict[str, Any]:
    """Canonical values of one (non-boost) status. Raises :class:`_BadRecord` when it cannot be a message."""
    message_id = _text(status.get("uri")) or _text(status.get("url"))
    if not message_id:
        raise _BadRecord("status has no uri or url")
    created_at = utc_or_none(status.get("created_at"))
    if created_at is None:
        raise _BadRecord(f"unparseable or missing created_at: {str(status.get('created_at'))[:60]!r}")
    account = as_dict(status.get("account"))
    handle = context.handle(account)
    if not handle:
        raise _BadRecord("status has no account acct")
    text, links = _render_html(_text(status.get("content")) or "")
    spoiler = (_text(status.get("spoiler_text")) or "").strip()
    if spoiler:
        text = f"{spoiler}\n\n{text}" if text else spoiler
    card_url = _text(as_dict(status.get("card")).get("url"))
    mentions = status.get("mentions")
    tags = status.get("tags")
    reply_id = _text(status.get("in_reply_to_id"))
    reply_account = _text(status.get("in_reply_to_account_id"))
    values: dict[str, Any] = {
        "platform": PLATFORM,
        "message_id": message_id,
        "conversation_id": context.conversation(status, message_id),
        "author_id": _text(account.get("id")),
        "author_handle": handle,
        "author_name": _text(account.get("display_name")) or None,
        "author_followers": int64_or_none(account.get("followers_count"), digit_strings=True),
        "created_at": created_at,
        "text": text,
        "kind": "reply" if reply_id else "post",
        "mentions": None
        if not isinstance(mentions, list)
        else unique_present(context.handle(as_dict(m)) or "" for m in mentions),
        "hashtags": None
        if not isinstance(tags, list)
        else unique_present((_text(as_dict(t).get("name")) or "").lstrip("#").lower() for t in tags),
        "urls": unique_present([*links, *([card_url] if card_url and card_url.startswith("http") else [])]),
        "like_count": int64_or_none(status.get("favourites_count"), digit_strings=True),
        "repost_count": int64_or_none(status.get("reblogs_count"), digit_strings=True),
        "reply_count": int64_or_none(status.get("replies_count"), digit_strings=True),
        "source_app": _text(as_dict(status.get("application")).get("name")),
        "lang": _text(status.get("language")),
    }
    if reply_id:
        values["reply_to_message_id"] = context.status_uri(reply_id, reply_account)
        values["reply_to_author_id"] = reply_account
        values["reply_to_author_handle"] = context.account_handle(reply_account)
        if values["reply_to_author_handle"] is None and reply_account == values["author_id"]:
            values["reply_to_author_handle"] = handle
    quote = as_dict(status.get("quote"))
    quoted = context.quoted(status)
    quoted_id = _text(quote.get("quoted_status_id"))
    if quoted or quoted_id:
        values["kind"] = "quote"
        if quoted:
            inner = quoted[0]
            inner_account = as_dict(inner.get("account"))
            values["quote_of_message_id"] = _text(inner.get("uri")) or _text(inner.get("url"))
            values["quote_of_author_id"] = _text(inner_account.get("id"))
            values["quote_of_author_handle"] = context.handle(inner_account)
        else:
            values["quote_of_message_id"] = context.status_uri(quoted_id, None)
    return values


def _status_rows(status: dict, context: _Context) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The row of a status, and for a boost also the row of the boosted status."""
    reblog = status.get("reblog")
    if not isinstance(reblog, dict):
        return _status_values(status, context), None
    try:
        inner = _status_values(reblog, context)
    except _BadRecord as err:
        raise _BadRecord(f"boosted status: {err}") from None
    message_id = _text(status.get("uri")) or _text(status.get("url"))
    if not message_id:
        raise _BadRecord("boost has no uri or url")
    created_at = utc_or_none(status.get("created_at"))
    if created_at is None:
        raise _BadRecord(f"boost has unparseable or missing created_at: {str(status.get('created_at'))[:60]!r}")
    account = as_dict(status.get("account"))
    handle = context.handle(account)
    if not handle:
        raise _BadRecord("boost has no account acct")
    row = {
        "platform": PLATFORM,
        "message_id": message_id,
        "author_id": _text(account.get("id")),
        "author_handle": handle,
        "author_name": _text(account.get("display_name")) or None,
        "author_followers": int64_or_none(account.get("followers_count"), digit_strings=True),
        "created_at": created_at,
        "text": inner["text"],
        "kind": "repost",
        "repost_of_message_id": inner["message_id"],
        "repost_of_author_id": inner["author_id"],
        "repost_of_author_handle": inner["author_handle"],
        "mentions": inner["mentions"],
        "hashtags": inner["hashtags"],
        "urls": inner["urls"],
        "like_count": int64_or_none(status.get("favourites_count"), digit_strings=True),
        "repost_count": int64_or_none(status.get("reblogs_count"), digit_strings=True),
        "reply_count": int64_or_none(status.get("replies_count"), digit_strings=True),
        "source_app": _text(as_dict(status.get("application")).get("name")),
        "lang": inner["lang"],
    }
    return row, inner


def _looks_like_status(value: dict) -> str | None:
    """``None`` if ``value`` may be a status, else the quarantine reason."""
    if "error" in value and "id" not in value:
        return f"API error response: {str(value.get('error'))[:200]}"
    if not any(key in value for key in ("uri", "url", "account", "content")):
        return "not a Mastodon status (no uri, account or content)"
    return None


# ------------------------------------------------------------------------------------------------------- the parsers


def parse_mastodon_records(
    records: Iterable[Record], source_file: str = "<memory>", *, instance: str | None = None
) -> ParseResult:
    """Parse ``(position, status, error)`` triples into messages; bad ones are quarantined.

    A record whose ``error`` is set (for example a line that is not JSON) is quarantined with that reason.
    ``records_seen`` counts message rows before de-duplication plus quarantined records; a boost gives two rows.

    >>> result = parse_mastodon_records([(1, None, "invalid JSON"), (2, {"id": "5"}, None)], "x.jsonl")
    >>> result.quarantine["reason"].to_list()
    ['invalid JSON', 'not a Mastodon status (no uri, account or content)']
    """
    records = list(records)
    rows = MessageRows(str(source_file), SOURCE_FORMAT)
    quarantine = QuarantineLog(str(source_file), SOURCE_FORMAT)
    context = _Context([value for _, value, error in records if error is None and isinstance(value, dict)], instance)
    boosted: list[tuple[int, dict[str, Any]]] = []
    for position, value, error in records:
        if error is not None:
            _quarantine(quarantine, position, error, value)
            continue
        if not isinstance(value, dict):
            reason = f"expected a status object, found {type(value).__name__}"
            _quarantine(quarantine, position, reason, value)
            continue
        reason = _looks_like_status(value)
        if reason:
            _quarantine(quarantine, position, reason, value)
            continue
        try:
            row, inner = _status_rows(value, context)
        except _BadRecord as err:
            _quarantine(quarantine, position, str(err), value)
            continue
        rows.append(position, **row)
        if inner is not None:
            boosted.append((position, inner))
    for position, inner in boosted:  # after the top-level statuses, so that their copies win de-duplication
        rows.append(position, **inner)
    return finalize(rows, quarantine)


def parse_mastodon(document: Any, source_file: str = "<memory>", *, instance: str | None = None) -> ParseResult:
    """Parse one decoded Mastodon API response (a list of statuses, a context or a single status).

    Parameters
    ----------
    document
        The decoded JSON.
    source_file
        Recorded as provenance on every row.
    instance
        The server the file was fetched from (``"mastodon.social"``), used to complete local handles. By default it
        is taken from the local accounts' profile URLs.

    Raises
    ------
    ArchiveError
        If ``document`` is neither a list nor an object.

    Examples
    --------
    >>> boost = {"id": "2", "uri": "https://b.example/users/bo/statuses/2/activity", "content": "",
    ...          "created_at": "2024-01-01T21:05:00Z", "account": {"id": "7", "acct": "bo@b.example"},
    ...          "reblog": {"id": "1", "uri": "https://a.example/users/ann/statuses/1", "content": "<p>Q1</p>",
    ...                     "created_at": "2024-01-01T21:00:00Z", "account": {"id": "9", "acct": "ann@a.example"}}}
    >>> parse_mastodon([boost]).messages.select("kind", "author_handle", "repost_of_author_handle").rows()
    [('repost', 'bo@b.example', 'ann@a.example'), ('post', 'ann@a.example', None)]
    """
    if not isinstance(document, (list, dict)):
        raise ArchiveError(
            f"expected a Mastodon status, a list of statuses or a context object, found {type(document).__name__}",
            path=str(source_file),
            position=0,
        )
    return parse_mastodon_records(mastodon_records(document), source_file, instance=instance)


# --------------------------------------------------------------------------------------------------------- reading

_CONTEXT_KEY = re.compile(r'"(ancestors|descendants)"\s*:\s*\[')


def _expand_line(number: int, value: Any) -> Iterator[Record]:
    if isinstance(value, list) or _is_context(value):
        for _, item, error in mastodon_records(value):
            yield number, item, error
    else:
        yield number, value, None


def _records_from_text(text: str, path: str) -> list[Record]:
    stripped = text.strip()
    if not stripped:
        raise ArchiveError("the file is empty: expected Mastodon statuses as JSON", path=path)
    try:
        return mastodon_records(orjson.loads(stripped))
    except orjson.JSONDecodeError as err:
        whole_error = str(err)
    first_line, newline, _ = stripped.partition("\n")  # not splitlines(): one list item per blank line
    if newline:
        try:
            first = orjson.loads(first_line)
        except orjson.JSONDecodeError:
            first = None
        if isinstance(first, (dict, list)):  # JSON lines
            records: list[Record] = []
            for number, value, error in iter_json_lines(text):
                if error is not None:
                    records.append((number, None, error))
                else:
                    records.extend(_expand_line(number, value))
            return records
    if stripped.startswith("["):
        return list(iter_json_array_items(stripped))
    if stripped.startswith("{") and _CONTEXT_KEY.search(stripped):
        records = []
        offset = 0
        for match in _CONTEXT_KEY.finditer(stripped):
            complete = True
            for _, item, error in iter_json_array_items(stripped, start=match.end() - 1):
                records.append((offset, item, error))
                offset += 1
                complete = complete and error is None
            if not complete:
                break
        return records
    if stripped.startswith("{"):
        return [(0, None, f"invalid or truncated JSON: {whole_error}")]
    raise ArchiveError(f"not JSON ({whole_error}): expected Mastodon API statuses", path=path)


def read_mastodon(path: Path | str, *, instance: str | None = None) -> ParseResult:
    """Read a Mastodon API response file (JSON or JSON lines); a truncated file gives up its complete statuses.

    Raises
    ------
    ArchiveError
        If the file cannot be read, is empty or is not JSON.
    """
    text = read_archive_text(path, ": check the path")
    records = _records_from_text(text, str(path))
    return parse_mastodon_records(records, str(path), instance=instance)


def sniff_mastodon(path: Path, head: str) -> bool:
    """Whether the start of a file looks like Mastodon statuses (not Discord, Twitter or Bluesky JSON).

    >>> sniff_mastodon(Path("x.json"), '[{"id": "1", "uri": "https://a/users/b/statuses/1", "reblogs_count": 0, '
    ...                '"account": {"acct": "b"}}]')
    True
    >>> sniff_mastodon(Path("x.json"), '{"guild": {}, "channel": {}, "messages": []}')
    False
    """
    stripped = head.lstrip()
    if not stripped.startswith(("[", "{")):
        return False
    for foreign in ('"guild"', '"id_str"', '"__twarc"', '"includes"', '"author_id"'):
        if foreign in head:
            return False
    if re.match(r'\{\s*"(ancestors|descendants)"\s*:\s*\[', stripped):
        return True
    return '"acct"' in head and any(
        key in head for key in ('"reblogs_count"', '"in_reply_to_account_id"', '"favourites_count"')
    )


FORMATS = [
    FormatSpec(
        name="mastodon",
        description="Mastodon REST API v1 statuses (timeline, account statuses, context, single status, JSONL)",
        sniff=sniff_mastodon,
        read=read_mastodon,
    )
]
