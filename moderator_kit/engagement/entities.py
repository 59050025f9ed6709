"""The most frequent URLs, domains, hashtags and words of each session (or of the whole chat).

``count`` is the number of messages that contain the entity (a message counts each entity once, so repeating a word
does not inflate it). By default only original messages of the in-chat phase count: a repost repeats someone else's
text. Excluded:

* hashtags: the chat's own tags (``exclude_hashtags``, e.g. ``ChatConfig.own_hashtags``) and agenda tags such as
  ``#q1`` / ``#a1`` / ``#a.1``;
* words: URLs, ``@handles`` and ``#hashtags`` are removed from the text first; then words shorter than 3 letters,
  English stop words, the chat's own tags and HTML entity leftovers (``amp``). Words are runs of letters (any
  script), lower-cased, with apostrophes kept inside (``don't``) and a trailing ``'s`` dropped;
* domains: the host of each URL, lower-cased, without ``www.``.

``rank`` is 1..n per session and entity type, by count (descending), ties by value (ascending).

Examples
--------
>>> import polars as pl
>>> msgs = pl.DataFrame({
...     "session_id": ["s", "s", "s"], "phase": ["chat"] * 3, "kind": ["post", "reply", "repost"],
...     "text": ["A1 Feedback loops! #edchat #UKEdChat", "feedback matters @ann https://www.bbc.co.uk/x",
...              "RT feedback"],
...     "hashtags": [["edchat", "ukedchat"], [], []], "urls": [[], ["https://www.bbc.co.uk/x"], []],
... })
>>> top = top_entities(msgs, exclude_hashtags=["ukedchat"], n=2)
>>> top.filter(entity="word").select("value", "count", "rank").rows()
[('feedback', 2, 1), ('loops', 1, 2)]
>>> top.filter(pl.col("entity").is_in(["hashtag", "domain"])).select("entity", "value").rows()
[('domain', 'bbc.co.uk'), ('hashtag', 'edchat')]
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from moderator_kit.engagement.summary import prepare

__all__ = ["ENTITY_SCHEMA", "ENTITY_TYPES", "STOP_WORDS", "top_entities", "top_entities_with_totals", "session_entity_counts",
           "ranked_with_totals"]

ENTITY_TYPES = ("url", "domain", "hashtag", "word")

ENTITY_SCHEMA = pl.Schema(
    {
        "session_id": pl.String,
        "entity": pl.String,
        "value": pl.String,
        "count": pl.Int64,
        "rank": pl.Int64,
    }
)

#: English stop words (function words, auxiliaries, chat filler). Words are compared after lower-casing.
STOP_WORDS = frozenset(
    """
    a about above after again against all almost also although always am among amp an and another any anyone
    anything are aren't around as at away back be because been before being below between both but by can can't
    cannot could couldn't did didn't do does doesn't doing don't done down during each either else even ever every
    few for from further get gets getting got had hadn't has hasn't have haven't having he he'd he'll he's her here
    here's hers herself him himself his how how's however i i'd i'll i'm i've if in into is isn't it it's its itself
    just let let's like lot lots made make many may maybe me might more most much must mustn't my myself need needs
    never new no nor not now of off often oh ok okay on once one only or other others otherwise ought our ours
    ourselves out over own per please quite rather really rt said same say says see seem seems shall shan't she
    she'd she'll she's should shouldn't since so some something still such sure than that that's the their theirs
    them themselves then there there's these they they'd they'll they're they've thing things think this those
    though through thru to too toward towards under until up upon us use used using very via want was wasn't way
    we we'd we'll we're we've well were weren't what what's whatever when when's where where's whether which while
    who who's whom whose why why's will with within without won't would wouldn't yeah yes yet you you'd you'll
    you're you've your yours yourself yourselves
    """.split()
)

_URL = r"(?i)\bhttps?://\S+|\bwww\.\S+"
_TAG_OR_HANDLE = r"[@#][\p{L}\p{N}_]+"
_WORD = r"\p{L}[\p{L}\p{M}']*\p{L}"
_HOST = r"^[A-Za-z][A-Za-z0-9+.\-]*://(?:[^/?#@\s]*@)?([^/?#:\s]+)"
_AGENDA_TAG = r"^[aq]\.?\d{1,2}$"


def _tags(values: Iterable[str]) -> list[str]:
    return sorted({v.strip().lstrip("#").lower() for v in values if v and v.strip().lstrip("#")})


def _entity_counts(session_messages: pl.DataFrame | pl.LazyFrame, *, exclude_hashtags: Iterable[str],
                   by_session: bool, phases: Iterable[str] | None, include_reposts: bool) -> pl.LazyFrame:
    """``[session_id, entity, value, count]``: messages containing each entity, per session (or in total)."""
    lf = prepare(session_messages)
    names = lf.collect_schema().names()
    extra = {"text": pl.String, "hashtags": pl.List(pl.String), "urls": pl.List(pl.String)}
    lf = lf.with_columns([pl.lit(None, dtype).alias(k) for k, dtype in extra.items() if k not in names])
    if phases is not None:
        lf = lf.filter(pl.col("phase").is_in(list(phases)))
    if not include_reposts:
        lf = lf.filter(pl.col("kind") != "repost")
    excluded = _tags(exclude_hashtags)
    group = pl.col("session_id") if by_session else pl.lit(None, pl.String)
    base = lf.select(session_id=group, text=pl.col("text"), hashtags=pl.col("hashtags"), urls=pl.col("urls"))

    def counts(entity: str, values: pl.Expr, keep: pl.Expr | None = None) -> pl.LazyFrame:
        # each message counts an entity once: the distinct values of each message, then one count per value
        valid = pl.element().is_not_null() & (pl.element().str.len_chars() > 0)
        if keep is not None:
            valid = valid & keep
        return (
            base.select("session_id", value=values.list.eval(pl.element().filter(valid)).list.unique())
            .explode("value")
            .drop_nulls("value")
            .group_by("session_id", "value")
            .agg(count=pl.len().cast(pl.Int64))
            .select("session_id", pl.lit(entity).alias("entity"), "value", "count")
        )

    urls = pl.col("urls").list.eval(pl.element().str.strip_chars())
    hosts = pl.col("urls").list.eval(
        pl.element().str.strip_chars().str.extract(_HOST, 1).str.to_lowercase().str.strip_prefix("www.")
    )
    tags = pl.col("hashtags").list.eval(pl.element().str.strip_chars().str.strip_chars_start("#").str.to_lowercase())
    words = (
        pl.col("text").fill_null("").str.to_lowercase().str.replace_all("’", "'", literal=True)
        .str.replace_all(_URL, " ").str.replace_all(_TAG_OR_HANDLE, " ").str.replace_all(r"&\w+;", " ")
        .str.extract_all(_WORD)
        .list.eval(pl.element().str.replace(r"'s$", ""))
    )
    return pl.concat([
        counts("url", urls),
        counts("domain", hosts),
        counts("hashtag", tags, ~pl.element().is_in(excluded) & ~pl.element().str.contains(_AGENDA_TAG)),
        counts("word", words, (pl.element().str.len_chars() >= 3) & ~pl.element().is_in(sorted(STOP_WORDS))
               & ~pl.element().is_in(excluded)),
    ])


def _ranked(counts: pl.DataFrame | pl.LazyFrame, n: int) -> pl.DataFrame:
    """The top ``n`` per session and entity type, ranked by count (descending), ties by value."""
    return (
        counts.lazy()
        .sort(["session_id", "entity", "count", "value"], descending=[False, False, True, False], nulls_last=False)
        .with_columns(rank=pl.int_range(1, pl.len() + 1, dtype=pl.Int64).over("session_id", "entity"))
        .filter(pl.col("rank") <= n)
        .select(ENTITY_SCHEMA.names())
        .collect()
        .cast(ENTITY_SCHEMA)
    )


def top_entities(session_messages: pl.DataFrame | pl.LazyFrame, *, exclude_hashtags: Iterable[str] = (),
                 n: int = 10, by_session: bool = True, phases: Iterable[str] | None = ("chat",),
                 include_reposts: bool = False) -> pl.DataFrame:
    """The top ``n`` of each entity type per session (``by_session=False``: for the whole chat, session_id null).

    Returns the columns of :data:`ENTITY_SCHEMA`, sorted by session, entity type and rank.
    """
    return _ranked(_entity_counts(session_messages, exclude_hashtags=exclude_hashtags, by_session=by_session,
                                  phases=phases, include_reposts=include_reposts), n)


def top_entities_with_totals(session_messages: pl.DataFrame | pl.LazyFrame, *, exclude_hashtags: Iterable[str] = (),
                             n: int = 10, phases: Iterable[str] | None = ("chat",),
                             include_reposts: bool = False) -> pl.DataFrame:
    """:func:`top_entities` per session followed by the whole chat's rows (``session_id`` null), in one pass.

    A message belongs to one session, so the chat's count of an entity is the sum of its session counts: the texts
    are scanned once for both. Equals ``pl.concat([top_entities(...), top_entities(..., by_session=False)])``.

    >>> import polars as pl
    >>> msgs = pl.DataFrame({"session_id": ["s1", "s2", "s2"], "phase": ["chat"] * 3, "kind": ["post"] * 3,
    ...                      "text": ["remote work", "remote jobs", "jobs jobs"]})
    >>> top = top_entities_with_totals(msgs, n=1)
    >>> top.select("session_id", "value", "count").rows()
    [('s1', 'remote', 1), ('s2', 'jobs', 2), (None, 'jobs', 2)]
    >>> top.equals(pl.concat([top_entities(msgs, n=1), top_entities(msgs, n=1, by_session=False)]))
    True
    """
    counts = _entity_counts(session_messages, exclude_hashtags=exclude_hashtags, by_session=True, phases=phases,
                            include_reposts=include_reposts).collect()
    return ranked_with_totals(counts, n)


def session_entity_counts(session_messages: pl.DataFrame | pl.LazyFrame, *, exclude_hashtags: Iterable[str] = (),
                          phases: Iterable[str] | None = ("chat",), include_reposts: bool = False) -> pl.DataFrame:
    """Every entity's count per session, ``[session_id, entity, value, count]``: a session's result, from which
    :func:`ranked_with_totals` ranks the sessions and the whole chat."""
    return _entity_counts(session_messages, exclude_hashtags=exclude_hashtags, by_session=True, phases=phases,
                          include_reposts=include_reposts).collect()


def ranked_with_totals(counts: pl.DataFrame, n: int = 10) -> pl.DataFrame:
    """The top ``n`` per session and, with ``session_id`` null, of the whole chat (the sum of the session counts)."""
    totals = counts.group_by("entity", "value").agg(pl.col("count").sum()).select(
        pl.lit(None, pl.String).alias("session_id"), "entity", "value", "count")
    return pl.concat([_ranked(counts, n), _ranked(totals, n)], how="vertical_relaxed")
