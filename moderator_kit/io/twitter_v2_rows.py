"""One X/Twitter API v2 tweet as a row tuple (see :data:`moderator_kit.io.tweet_columns.ROW_COLUMNS`).

The tweet's author, and the authors of the tweets it replies to, retweets or quotes, are looked up in the page's
``includes`` (or, for ``twarc2 flatten`` output, in the objects inlined in the tweet); a tweet that cannot be
imported raises, and the caller quarantines it with :func:`_reason`.
"""

from __future__ import annotations

from typing import Any

from moderator_kit.io.tweet_columns import SEP, _join, _where, clean_text

__all__ = [
    "complete_repost",
]


class _Malformed(ValueError):
    """A tweet that cannot be imported; the message is the quarantine reason."""


def _as_id(value: Any, field: str) -> str:
    if type(value) is int and value >= 0:
        return str(value)
    if type(value) is str and value:
        return value
    raise _Malformed(f"field {field!r} is not an id: {str(value)[:40]!r}")


def _v2_row(t: dict, users: dict, tweets: dict, position: int, index: int | None, depth: int = 0) -> tuple:
    """One API v2 tweet as a row tuple (see :data:`ROW_COLUMNS`); raises for a tweet that cannot be imported.

    This runs once per tweet of a possibly million-tweet file, so it is written for speed: bound ``get`` methods,
    no helper calls on the common path, and lists carried as joined strings.
    """
    get = t.get
    tid = t["id"]
    created = t["created_at"]
    author_id = get("author_id")
    if author_id is None:
        author = get("author")
        if type(author) is dict:
            author_id = author.get("id")
        if author_id is None:
            raise KeyError("author_id")
    if type(tid) is not str:
        tid = _as_id(tid, "id")
    if type(author_id) is not str:
        author_id = _as_id(author_id, "author_id")
    if created is None:
        raise KeyError("created_at")
    message_id = tid
    stale = False
    history = get("edit_history_tweet_ids")
    if history is not None and type(history) is list and len(history) > 1 and history[-1] != tid \
            and type(history[-1]) is str and history[-1]:
        latest = history[-1]
        newer = tweets.get(latest) if depth == 0 else None
        if type(newer) is dict and newer.get("id") == latest:
            return _v2_row(newer, users, tweets, position, index, 1)
        message_id = latest
        stale = True

    user_of = users.get
    user = user_of(author_id)
    if user is not None:
        handle = user.get("username")
        name = user.get("name")
        metrics = user.get("public_metrics")
        followers = metrics.get("followers_count") if metrics else None
    else:
        handle = name = followers = None

    reply_id = reply_aid = reply_handle = repost_id = repost_aid = repost_handle = None
    quote_id = quote_aid = quote_handle = original = None
    refs = get("referenced_tweets")
    if refs:
        for ref in refs:
            rid = ref.get("id")
            target = tweets.get(rid)
            if target is not None:
                aid = target.get("author_id")
                if aid is None:
                    author = target.get("author")
                    aid = author.get("id") if type(author) is dict else None
                history = target.get("edit_history_tweet_ids")
                if history and type(history) is list and len(history) > 1 and type(history[-1]) is str:
                    rid = history[-1]
            else:
                aid = None
            kind = ref.get("type")
            if kind == "retweeted":
                repost_id, repost_aid, original = rid, aid, target
            elif kind == "replied_to":
                reply_id, reply_aid = rid, aid
            elif kind == "quoted":
                quote_id, quote_aid = rid, aid
    in_reply_to = get("in_reply_to_user_id")
    if in_reply_to is not None:
        reply_aid = in_reply_to
    if repost_id is not None:
        kind = "repost"
        if repost_aid is not None:
            user = user_of(repost_aid)
            if user is not None:
                repost_handle = user.get("username")
    elif reply_id is not None or reply_aid is not None:
        kind = "reply"
    elif quote_id is not None:
        kind = "quote"
    else:
        kind = "post"
    if reply_aid is not None:
        user = user_of(reply_aid)
        if user is not None:
            reply_handle = user.get("username")
    if quote_aid is not None:
        user = user_of(quote_aid)
        if user is not None:
            quote_handle = user.get("username")

    text = get("text")
    entities = get("entities")
    note = get("note_tweet")
    if note is not None:
        text = note.get("text", text)
        entities = note.get("entities", entities)
    if entities is not None:
        found = entities.get("mentions")
        if not found:
            mentions = ""
        elif len(found) == 1:
            mentions = found[0]["username"]
        else:
            mentions = _join([x["username"] for x in found])
        found = entities.get("hashtags")
        if not found:
            hashtags = ""
        elif len(found) == 1:
            hashtags = found[0]["tag"]
        else:
            hashtags = _join([x["tag"] for x in found])
        found = entities.get("urls")
        urls = _join([x.get("expanded_url") or x["url"] for x in found if "media_key" not in x
                      and not x.get("display_url", "").startswith("pic.")]) if found else ""
    else:
        mentions = hashtags = urls = None
    if original is not None and type(original) is dict:
        # A retweet's own text is cut at 140 characters ("RT @x: …"); its original, when the page has it, is whole.
        note = original.get("note_tweet")
        full = note.get("text") if type(note) is dict else None
        entities = (note.get("entities") if type(note) is dict else None) or original.get("entities")
        text, mentions, hashtags, urls = complete_repost(text, mentions, hashtags, urls, full or original.get("text"),
                                                         *_v2_entities(entities))
    metrics = get("public_metrics")
    if metrics is not None:
        pm = metrics.get
        likes, reposts = pm("like_count"), pm("retweet_count")
        replies, views = pm("reply_count"), pm("impression_count")
    else:
        likes = reposts = replies = views = None
    conversation = get("conversation_id")
    return (
        message_id, None if conversation == tid else conversation, author_id, handle, name, followers, created,
        text, kind, reply_id, reply_aid, reply_handle, repost_id, repost_aid, repost_handle,
        quote_id, quote_aid, quote_handle, mentions, hashtags, urls, likes, reposts, replies, views,
        get("source"), get("lang"), position, index, stale,
    )  # fmt: skip


def complete_repost(
    text: Any, mentions: str | None, hashtags: str | None, urls: str | None,
    original_text: Any, original_mentions: str | None, original_hashtags: str | None, original_urls: str | None,
) -> tuple[Any, str | None, str | None, str | None]:
    """A repost's text and entities completed from its original: ``RT @handle: `` + the original's full text; the
    retweeted handle followed by the original's mentions; the original's hashtags and URLs. Entities are
    :data:`SEP`-joined strings (``None`` = unknown: then they are taken from the completed text), as in a row tuple.

    >>> complete_repost("RT @ann: Q1 what helps you mo…", "ann", "", "", "Q1 what helps you most? #chat @bo",
    ...                 "bo", "chat", "")
    ('RT @ann: Q1 what helps you most? #chat @bo', 'ann\\x1fbo', 'chat', '')
    """
    if type(original_text) is not str or not original_text:
        return text, mentions, hashtags, urls
    handle = None
    if type(text) is str and text.startswith("RT @"):
        head, sep, _ = text.partition(": ")
        handle = head[4:] if sep and " " not in head[4:] else None
    if handle is None:
        return original_text, original_mentions, original_hashtags, original_urls
    if original_mentions is None:
        mentions = None
    elif not original_mentions:
        mentions = handle
    elif handle.lower() in original_mentions.lower().split(SEP):  # the original mentions its own author
        mentions = original_mentions
    else:
        mentions = handle + SEP + original_mentions
    return f"RT @{handle}: {original_text}", mentions, original_hashtags, original_urls


def _v2_entities(entities: Any) -> tuple[str | None, str | None, str | None]:
    """API v2 entities as joined mentions, hashtags and URLs (photos and videos left out); ``None`` when absent."""
    if type(entities) is not dict:
        return None, None, None
    get = entities.get
    try:  # written like the main path of _v2_row: well-formed entities cost no checks
        found = get("mentions")
        mentions = _join([x["username"] for x in found]) if found else ""
        found = get("hashtags")
        hashtags = _join([x["tag"] for x in found]) if found else ""
        found = get("urls")
        urls = _join([x.get("expanded_url") or x["url"] for x in found if "media_key" not in x
                      and not x.get("display_url", "").startswith("pic.")]) if found else ""
    except (KeyError, TypeError, AttributeError):
        return None, None, None  # malformed: taken from the text instead
    return mentions, hashtags, urls


def _reason(index: int | None, err: Exception) -> str:
    where = _where(index)
    if isinstance(err, KeyError):
        return f"{where}missing required field {err.args[0]!r}" if err.args else f"{where}missing a required field"
    if isinstance(err, _Malformed):
        return where + str(err)
    return clean_text(f"{where}malformed tweet ({type(err).__name__}: {str(err)[:120]})")


def _index_users(users: Any) -> dict:
    """``{user id: user object}`` from ``includes.users`` (malformed entries are skipped)."""
    if not users:
        return {}
    try:
        return {u["id"]: u for u in users}
    except (TypeError, KeyError):
        if not isinstance(users, list):
            return {}
        return {u.get("id"): u for u in users if type(u) is dict and type(u.get("id")) is str}


def _index_tweets(tweets: Any) -> dict:
    return _index_users(tweets)


def _error_summary(errors: Any) -> str:
    if not isinstance(errors, list) or not errors:
        return ""
    first = errors[0]
    if isinstance(first, dict):
        text = first.get("detail") or first.get("title") or first.get("message") or str(first)
    else:
        text = str(first)
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f": API error {str(text)[:160]!r}{more}"


def _is_v2_tweet(obj: Any) -> bool:
    return (
        isinstance(obj, dict) and "id" in obj and "text" in obj
        and not ({"id_str", "user", "account", "content", "uri", "ts"} & obj.keys())
    )  # fmt: skip
