"""Answer assignment for a growing session: :func:`moderator_kit.flow.assign_questions` on the new messages only.

``assign_questions`` decides a message from the message itself, the questions, the moderators and a few other
messages: what it replies to, quotes or reposts (walked up the chain), and the same author's other link posts (the
repeated-link promotion rule). :class:`IncrementalAssigner` keeps those links in dictionaries and, for each batch,
runs ``assign_questions`` on the *dirty* messages plus that context only, so the result for a dirty message is the
one the whole-session run gives. A message is dirty when it is new, when it is a link post of an author who just
posted another link, when a question changed around its time or its answer tag, or when a message it hangs from
changed (replies, quotes and reposts under a changed message are re-run, until nothing changes). The cost of a
refresh follows the new messages and what they touch, not the session's size.

Examples
--------
>>> from datetime import datetime, timezone
>>> import polars as pl
>>> from moderator_kit.schema import conform
>>> t = lambda m: datetime(2026, 1, 5, 20, m, tzinfo=timezone.utc)
>>> def msgs(rows):
...     return conform(pl.DataFrame({"message_id": [r[0] for r in rows], "author_handle": [r[1] for r in rows],
...         "created_at": [t(r[2]) for r in rows], "text": [r[3] for r in rows], "kind": [r[4] for r in rows],
...         "reply_to_message_id": [r[5] for r in rows], "platform": ["twitter"] * len(rows)})
...         ).with_columns(session_id=pl.lit("s"), phase=pl.lit("chat"))
>>> qs = pl.DataFrame({"session_id": ["s"], "question": [1], "message_id": ["q1"], "posted_at": [t(1)],
...                    "planned_at": [t(1)]}).cast({"posted_at": pl.Datetime("us", "UTC"),
...                                                "planned_at": pl.Datetime("us", "UTC")})
>>> live = IncrementalAssigner()
>>> new = live.add(msgs([("q1", "mod", 1, "Q1: why?", "post", None), ("a", "amy", 2, "A1 because", "post", None)]))
>>> changed = live.resolve(set(new), qs, ["mod"])
>>> new = live.add(msgs([("r", "bob", 3, "so true", "reply", "a")]))
>>> changed = live.resolve(set(new), qs, ["mod"])
>>> {k: live.state[k][:3] for k in ("q1", "a", "r")}
{'q1': (1, 'question', 'tag'), 'a': (1, 'answer', 'tag'), 'r': (1, 'answer', 'thread')}
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import polars as pl

from moderator_kit.flow import assign_questions
from moderator_kit.flow.assign import MAX_THREAD_DEPTH
from moderator_kit.flow.patterns import ANSWER_CANDIDATE_PATTERN, answer_tag, has_url

__all__ = ["IncrementalAssigner", "State"]

#: (question, category, method, confidence) of a message, as :func:`assign_questions` gives it.
State = tuple

_REFS = ("reply_to_message_id", "quote_of_message_id", "repost_of_message_id")
#: The columns ``assign_questions`` reads (the rest are not copied into its input).
_READ = ("session_id", "phase", "author_handle", "kind", "created_at", "text", "message_id", "urls",
         "repost_of_author_handle", *_REFS)


class IncrementalAssigner:
    """The session's kept messages and their assignment, updated batch by batch.

    ``frame`` holds the messages in arrival order (``index`` maps an id to its row), ``state`` each message's
    :data:`State`. :meth:`add` stores a batch; :meth:`resolve` assigns the dirty messages and returns what changed.
    """

    def __init__(self) -> None:
        self.frame: pl.DataFrame | None = None
        self.index: dict[str, int] = {}
        self.state: dict[str, State] = {}
        self.created: dict[str, object] = {}
        self.refs: dict[str, tuple[str | None, ...]] = {}
        self.children: dict[str, list[str]] = defaultdict(list)
        self.author_links: dict[str, list[str]] = defaultdict(list)
        self.author_of: dict[str, str] = {}
        self.tags: dict[int, list[str]] = defaultdict(list)
        self.link_ids: set[str] = set()
        self._chunks = 0

    def __len__(self) -> int:
        return len(self.index)

    def add(self, batch: pl.DataFrame) -> list[str]:
        """Store a batch of kept session messages (already de-duplicated); returns their ids, in order."""
        if batch.height == 0:
            return []
        extra = batch.select(
            _link=has_url(pl.col("text"), pl.col("urls")).fill_null(False) | (pl.col("urls").list.len() > 0)
            .fill_null(False),
            _tag=pl.when(pl.col("text").str.contains(ANSWER_CANDIDATE_PATTERN).fill_null(False))
            .then(answer_tag(pl.col("text"))),
        )
        start = len(self.index)
        ids = batch["message_id"].to_list()
        columns = [batch[c].to_list() for c in ("author_handle", "created_at", *_REFS)]
        for offset, (message_id, author, created, *refs) in enumerate(zip(ids, *columns)):
            self.index[message_id] = start + offset
            self.created[message_id] = created
            self.author_of[message_id] = author
            self.refs[message_id] = tuple(refs)
            for ref in refs:
                if ref is not None:
                    self.children[ref].append(message_id)
        for message_id, link, tag in zip(ids, extra["_link"].to_list(), extra["_tag"].to_list()):
            if link:
                self.author_links[self.author_of[message_id]].append(message_id)
                self.link_ids.add(message_id)
            if tag is not None:
                self.tags[int(tag)].append(message_id)
        # appending chunks costs the batch only; a rechunk now and then keeps gathers fast
        self.frame = batch if self.frame is None else pl.concat([self.frame, batch], how="vertical_relaxed",
                                                                 rechunk=False)
        self._chunks += 1
        if self._chunks >= 64:
            self.frame = self.frame.rechunk()
            self._chunks = 1
        return ids

    def link_peers(self, ids: Sequence[str]) -> set[str]:
        """The link posts of the authors of ``ids``' link posts (the repeated-link rule may change them)."""
        out: set[str] = set()
        for author in {self.author_of[i] for i in ids if i in self.link_ids}:
            out.update(self.author_links[author])
        return out

    def _context(self, dirty: set[str]) -> list[str]:
        """``dirty`` plus what ``assign_questions`` reads for them: ancestors (reply, quote, repost chains) and the
        link posts of every author involved."""
        seen = set(dirty)
        frontier = list(dirty)
        for _ in range(MAX_THREAD_DEPTH + 1):
            nxt = []
            for message_id in frontier:
                for ref in self.refs.get(message_id, ()):
                    if ref is not None and ref in self.index and ref not in seen:
                        seen.add(ref)
                        nxt.append(ref)
            if not nxt:
                break
            frontier = nxt
        for author in {self.author_of[i] for i in seen}:
            seen.update(self.author_links.get(author, ()))
        return sorted(seen, key=self.index.__getitem__)

    def rows(self, ids: Sequence[str], columns: Sequence[str] | None = None) -> pl.DataFrame:
        """The stored messages ``ids`` (in the order given), all columns or ``columns``."""
        assert self.frame is not None
        frame = self.frame.select(columns) if columns is not None else self.frame
        return frame[[self.index[i] for i in ids]]

    def _with_descendants(self, ids: set[str]) -> set[str]:
        """``ids`` and every message under them (replies, quotes, reposts, transitively)."""
        out = set(ids)
        frontier = list(ids)
        while frontier:
            nxt = [c for i in frontier for c in self.children.get(i, ()) if c not in out and c in self.index]
            out.update(nxt)
            frontier = nxt
        return out

    def resolve(self, dirty: set[str], questions: pl.DataFrame, moderators: Sequence[str]
                ) -> dict[str, tuple[State | None, State]]:
        """Assign the dirty messages, then those under any message whose state changed, until nothing changes.

        Returns ``{message_id: (old state or None, new state)}`` for every message whose state changed.
        """
        changes: dict[str, tuple[State | None, State]] = {}
        dirty = self._with_descendants({i for i in dirty if i in self.index})
        for _ in range(MAX_THREAD_DEPTH + 1):
            if not dirty:
                break
            context = self._context(dirty)
            result = assign_questions(self.rows(context, _READ), questions, moderators)
            nxt: set[str] = set()
            for message_id, question, category, method, confidence in result.select(
                    "message_id", "question", "category", "method", "confidence").iter_rows():
                if message_id not in dirty:
                    continue
                new = (question, category, method, confidence)
                old = self.state.get(message_id)
                if old != new:
                    self.state[message_id] = new
                    first = changes.get(message_id, (old, new))[0]
                    changes[message_id] = (first, new)
                    nxt.update(c for c in self.children.get(message_id, ()) if c not in dirty)
            # the descendants were run in the same call (one call costs less than several small ones); another
            # round only for what that run could not see
            dirty = self._with_descendants(nxt) if nxt else nxt
        return {k: v for k, v in changes.items() if v[0] != v[1]}

    def since(self, moment: object) -> set[str]:
        """Ids of the messages created at or after ``moment`` (a question changed there)."""
        if not self.index:
            return set()
        assert self.frame is not None
        return set(self.frame.filter(pl.col("created_at") >= moment)["message_id"].to_list())
