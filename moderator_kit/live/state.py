"""The live state of one chat session: new messages in (:meth:`LiveState.ingest`), figures out (:meth:`LiveState.view`).

Every figure is the one ``analyze`` computes for the session, kept as a running aggregate:

* messages go through the same steps as in :func:`moderator_kit.snapshot.analyze_chat`: the session window
  (:func:`moderator_kit.sessions.assign_sessions`), the spam rules (:func:`moderator_kit.people.apply_spam_rules`),
  question detection (:func:`moderator_kit.flow.detect_questions`, on the Qn-like posts only) and answer
  assignment (:class:`moderator_kit.live.assign.IncrementalAssigner`, ``assign_questions`` on the dirty messages);
* each message's contribution is added once, and moved when its assignment changes, so a refresh costs the new
  messages (and the few they change), never a pass over the session;
* :meth:`LiveState.view` reads the aggregates (sorted answer times per question, counters) and builds an immutable
  :class:`moderator_kit.live.view.LiveView`; ``tests/test_live_equal.py`` checks that it equals the snapshot
  ``analyze`` writes for the same messages.

Definitions: ``docs/live.md`` (each panel) and ``docs/metrics/`` (the figures).
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from statistics import median
from typing import Any

import polars as pl

from moderator_kit.config import ChatConfig
from moderator_kit.flow import detect_questions, infer_moderators, session_flow_metrics
from moderator_kit.flow.minutes import TAIL_MINUTES
from moderator_kit.flow.patterns import QUESTION_CANDIDATE_PATTERN
from moderator_kit.live.assign import IncrementalAssigner
from moderator_kit.live.clock import agenda_hint, decay_point, half_life_so_far
from moderator_kit.live.view import LiveView, herding_score
from moderator_kit.people import apply_spam_rules
from moderator_kit.people.retention import ACTIVE_PHASES, active_participants
from moderator_kit.people.signals import HELP_SEEKING, URL_PATTERN, floor_question_flags, own_help_requests
from moderator_kit.schema import conform
from moderator_kit.sessions import assign_sessions, split_sessions

__all__ = ["LiveState", "ChatHistory", "chat_history", "history_handles", "MAX_LISTED"]

#: Items listed per panel (newcomers, questions from the floor, spam); the counts cover all.
MAX_LISTED = 50
_UTC = pl.Datetime("us", "UTC")


@dataclass(frozen=True)
class ChatHistory:
    """What live needs of the chat's earlier sessions: who was active (everyone else is a first-timer) and who
    posted their Qn questions (the moderators ``analyze`` infers over every session)."""

    handles: frozenset[str] = frozenset()
    moderators: tuple[str, ...] = ()


def chat_history(messages: pl.DataFrame | pl.LazyFrame, config: ChatConfig, before: datetime) -> ChatHistory:
    """The :class:`ChatHistory` of the sessions before ``before`` (the live session's pre-chat start), split and
    spam-filtered as ``analyze`` does: the active participants
    (:func:`moderator_kit.people.retention.active_participants`) and the inferred moderators
    (:func:`moderator_kit.flow.infer_moderators`)."""
    lazy = messages.lazy() if isinstance(messages, pl.DataFrame) else messages
    earlier = lazy.filter(pl.col("created_at") < before).collect()
    if earlier.height == 0:
        return ChatHistory()
    _, tagged = split_sessions(earlier, config)
    kept, _ = apply_spam_rules(tagged, config.spam)
    return ChatHistory(frozenset(active_participants(kept)["handle"].to_list()), tuple(infer_moderators(kept)))


def history_handles(messages: pl.DataFrame | pl.LazyFrame, config: ChatConfig, before: datetime) -> set[str]:
    """Everyone active in a session of the chat's history before ``before``: :attr:`ChatHistory.handles`."""
    return set(chat_history(messages, config, before).handles)


class LiveState:
    """Running aggregates of one session (``session``: a one-row frame of :func:`moderator_kit.live.live_session`).

    Parameters
    ----------
    config
        The chat config (agenda, moderators, spam rules).
    session
        The session followed.
    history
        Handles active in the chat's earlier sessions (:func:`history_handles`); everyone else is a first-timer.
    history_moderators
        The moderators inferred from the earlier sessions (:func:`chat_history`), used when the config names none:
        with them the first question is recognised as it arrives, and the moderators are those ``analyze`` infers
        over every session (theirs and whoever posts this session's Qn sequence).
    """

    def __init__(self, config: ChatConfig, session: pl.DataFrame, *, history: set[str] | None = None,
                 history_moderators: tuple[str, ...] | list[str] = ()) -> None:
        self.config = config
        self.session_frame = session.head(1)
        self.session: dict[str, Any] = self.session_frame.row(0, named=True)
        self.session_id: str = self.session["session_id"]
        self.history = set(history or ())
        self.assigner = IncrementalAssigner()
        self.seen: set[tuple[str, str]] = set()
        self.outside = 0
        self.quarantined = 0
        self.excluded: list[dict] = []
        self._candidates: pl.DataFrame | None = None
        self.history_moderators = tuple(history_moderators)
        self.moderators: list[str] = list(config.moderators) or sorted(set(self.history_moderators))
        self.questions = detect_questions(self._empty(), self.session_frame, config, self.moderators or ["\0"])
        self._pace: float | None = None
        self._refresh_pace()
        self._rows: dict[str, dict] = {}
        # running aggregates
        self.chat_messages = 0                          # engagement.messages (chat phase, every kind)
        self.chat_authors: Counter[str] = Counter()     # authors of chat-phase originals (engagement active)
        self.active: dict[str, datetime] = {}           # retention-active handle -> first original (chat/follow-up)
        self.first_message: dict[str, str] = {}
        self.replies_received: Counter[str] = Counter()
        self.likes: Counter[str] = Counter()
        self.replies_to: Counter[str] = Counter()
        self.answers: dict[int, list[tuple]] = defaultdict(list)   # question -> sorted (created_at, id, author)
        self.answer_times: dict[int, list[datetime]] = defaultdict(list)  # ... their times, the same order
        self.answerers: dict[int, Counter[str]] = defaultdict(Counter)
        self.agenda_base = 0                            # in-chat original non-moderator messages
        self.on_agenda = 0                              # ... of them with a question
        self.wave: Counter[tuple[int, int | None]] = Counter()
        self.floor: set[str] = set()

    # ---------------------------------------------------------------------------------------------- ingestion
    def _empty(self) -> pl.DataFrame:
        return conform(pl.DataFrame()).with_columns(session_id=pl.lit(None, pl.String), phase=pl.lit(None, pl.String))

    def _refresh_pace(self) -> None:
        # pace adherence reads the questions only: session_flow_metrics on no messages gives it (one function)
        flow = session_flow_metrics(self._empty(), pl.DataFrame(schema={"message_id": pl.String, "question": pl.Int64,
                                                                       "category": pl.String, "method": pl.String}),
                                    self.questions, self.session_frame, moderators=self.moderators)
        self._pace = flow["pace_adherence"].item() if flow.height else None

    def ingest(self, messages: pl.DataFrame, quarantined: int = 0) -> int:
        """Add parsed canonical messages (any order, duplicates and other sessions' messages allowed).

        Returns how many messages of the session were new.
        """
        self.quarantined += quarantined
        if messages.height == 0:
            return 0
        keys = list(zip(messages["platform"].to_list(), messages["message_id"].to_list()))
        fresh, batch_keys = [], set()
        for key in keys:
            new = key not in self.seen and key not in batch_keys
            fresh.append(new)
            batch_keys.add(key)
        self.seen.update(batch_keys)
        frame = conform(messages.filter(pl.Series(fresh)))
        tagged = assign_sessions(frame, self.session_frame)
        self.outside += frame.height - tagged.height
        if tagged.height == 0:
            return 0
        kept, excluded = apply_spam_rules(tagged, self.config.spam)
        for row in excluded.select("message_id", "platform", "author_handle", "created_at", "text", "reason"
                                   ).iter_rows(named=True):
            self.excluded.append(row)
        new_ids = self.assigner.add(kept)
        self._count(kept)
        dirty = set(new_ids) | self.assigner.link_peers(new_ids)
        dirty |= self._update_questions(kept)
        changes = self.assigner.resolve(dirty, self.questions, self.moderators)
        for message_id, (old, new) in changes.items():
            self._move(message_id, old, new)
        self._flag_floor(set(new_ids) | set(changes))
        return tagged.height

    def _count(self, kept: pl.DataFrame) -> None:
        """The contributions that do not depend on the assignment, once per new message."""
        cols = ("message_id", "author_handle", "kind", "phase", "created_at", "reply_to_message_id",
                "reply_to_author_handle", "like_count", "platform", "text")
        for row in kept.select(cols).iter_rows(named=True):
            self._rows[row["message_id"]] = row
            author, original = row["author_handle"], row["kind"] != "repost"
            if row["phase"] == "chat":
                self.chat_messages += 1
                if original and author is not None:
                    self.chat_authors[author] += 1
                    if author not in self.moderators:
                        self.agenda_base += 1
            if original and author is not None and row["phase"] in ACTIVE_PHASES:
                if author not in self.active or row["created_at"] < self.active[author]:
                    self.active[author] = row["created_at"]
                    self.first_message[author] = row["message_id"]
            if original and row["reply_to_author_handle"] is not None and row["reply_to_author_handle"] != author:
                self.replies_received[row["reply_to_author_handle"]] += 1
                if row["reply_to_message_id"] is not None:
                    self.replies_to[row["reply_to_message_id"]] += 1
            if row["like_count"]:
                self.likes[author] += int(row["like_count"])

    def _update_questions(self, kept: pl.DataFrame) -> set[str]:
        """Detect the questions again when Qn-like posts arrived; the messages a change may move are dirty."""
        candidates = kept.filter(pl.col("text").str.contains(QUESTION_CANDIDATE_PATTERN).fill_null(False))
        if candidates.height == 0:
            return set()
        self._candidates = candidates if self._candidates is None else pl.concat(
            [self._candidates, candidates], how="vertical_relaxed")
        moderators = list(self.config.moderators) or sorted(
            set(infer_moderators(self._candidates)) | set(self.history_moderators))
        questions = detect_questions(self._candidates, self.session_frame, self.config, moderators or ["\0"])
        if moderators != self.moderators:
            self.moderators = moderators
            self.questions = questions
            self._refresh_pace()
            self._rebuild()
            return set(self.assigner.index)
        if questions.equals(self.questions):
            return set()
        old, self.questions = self.questions, questions
        self._refresh_pace()
        changed = old.join(questions, on=["session_id", "question"], how="full", coalesce=True, suffix="_new")
        differs = changed.filter(~pl.all_horizontal(
            pl.col(c).eq_missing(pl.col(f"{c}_new")) for c in ("posted_at", "planned_at", "message_id")))
        numbers = set(differs["question"].to_list())
        times = [t for c in ("posted_at", "planned_at", "posted_at_new", "planned_at_new")
                 for t in differs[c].to_list() if t is not None]
        if old["posted_at"].is_null().all() != questions["posted_at"].is_null().all():
            times += [t for t in questions["planned_at"].to_list() if t is not None]  # anchors switch to posts
        if old.height == 0 or questions.height == 0:  # tags of unknown agendas are taken (or no longer) at face value
            numbers |= set(self.assigner.tags)
        dirty = self.assigner.since(min(times)) if times else set()
        for number in numbers:
            dirty.update(self.assigner.tags.get(number, ()))
        return dirty

    def _rebuild(self) -> None:
        """Moderators changed (inferred): every aggregate that depends on them is counted again (rare)."""
        rows = list(self._rows.values())
        for attr in ("chat_messages", "agenda_base", "on_agenda"):
            setattr(self, attr, 0)
        for container in (self.chat_authors, self.wave, self.answers, self.answer_times, self.answerers):
            container.clear()
        self.floor.clear()
        self.active.clear()
        self.replies_received.clear()
        self.likes.clear()
        self.replies_to.clear()
        self._rows.clear()
        self._count(pl.DataFrame(rows, schema_overrides={"created_at": _UTC}) if rows else self._empty())
        self.assigner.state.clear()

    def _move(self, message_id: str, old: tuple | None, new: tuple) -> None:
        """Move a message's assignment-dependent contributions from its old state to its new one."""
        row = self._rows[message_id]
        original = row["kind"] != "repost"
        created = row["created_at"]
        old_q, old_cat = (old[0], old[1]) if old else (None, None)
        new_q, new_cat = new[0], new[1]
        if original:
            key = (created, message_id, row["author_handle"])
            if old_cat == "answer" and old_q is not None:
                answers = self.answers[old_q]
                at = bisect.bisect_left(answers, key)
                if at < len(answers) and answers[at] == key:
                    answers.pop(at)
                    self.answer_times[old_q].pop(at)
                    self.answerers[old_q][row["author_handle"]] -= 1
                    if self.answerers[old_q][row["author_handle"]] <= 0:
                        del self.answerers[old_q][row["author_handle"]]
            if new_cat == "answer" and new_q is not None:
                at = bisect.bisect_right(self.answers[new_q], key)
                self.answers[new_q].insert(at, key)
                self.answer_times[new_q].insert(at, created)
                self.answerers[new_q][row["author_handle"]] += 1
            if row["phase"] == "chat" and row["author_handle"] not in self.moderators:
                self.on_agenda += (new_q is not None) - (old is not None and old_q is not None)
        start, end = self.session["start"], self.session["end"] + timedelta(minutes=TAIL_MINUTES)
        if start <= created < end:
            minute = int((created - start).total_seconds() // 60)
            if old is not None:
                self.wave[(minute, old_q)] -= 1
            self.wave[(minute, new_q)] += 1

    def _flag_floor(self, ids: set[str]) -> None:
        """Questions from the floor: :func:`moderator_kit.people.todo_list`'s ``unanswered_question`` rule, flags
        from :func:`moderator_kit.people.signals.floor_question_flags` (the definitions ``annotate_messages`` uses) on
        these messages, their assignment and the messages they reply to."""
        ids = [i for i in ids if i in self.assigner.state and i in self._rows]
        if not ids:
            return
        rows = self.assigner.rows(ids)
        # a question ends with '?' or asks for help (both read on the text without its links): annotate only those
        bare = pl.col("text").fill_null("").str.replace_all(URL_PATTERN, " ")
        asking = rows.select(bare.str.contains(r"\?") | bare.str.contains(HELP_SEEKING)).to_series()
        for message_id in rows.filter(~asking)["message_id"].to_list():
            self.floor.discard(message_id)
        rows = rows.filter(asking)
        ids = rows["message_id"].to_list()
        if not ids:
            return
        assigned = pl.DataFrame([(i, *self.assigner.state[i][1:3]) for i in ids], orient="row",
                                schema={"message_id": pl.String, "category": pl.String, "method": pl.String})
        # the replied messages, for "a question under someone else's help request is not one's own" (as analyze)
        parent_ids = [p for p in rows["reply_to_message_id"].drop_nulls().unique().to_list()
                      if p in self.assigner.index]
        parents = own_help_requests(self.assigner.rows(
            parent_ids, ["message_id", "kind", "text", "author_handle", "reply_to_author_handle"]))
        flags = floor_question_flags(rows.drop("category", "method", strict=False)
                                     .join(assigned, on="message_id", how="left", maintain_order="left"), parents)
        for message_id, floor in flags.iter_rows():
            if floor and self._rows[message_id]["author_handle"] not in self.moderators:
                self.floor.add(message_id)
            else:
                self.floor.discard(message_id)

    # ------------------------------------------------------------------------------------------------ figures
    def question_rows(self) -> list[dict]:
        """Per question (posted or planned): the columns of :func:`moderator_kit.flow.question_metrics`."""
        qs = self.questions.sort("question").to_dicts()
        posted = sorted((q for q in qs if q["posted_at"] is not None), key=lambda q: (q["posted_at"], q["question"]))
        following = {a["question"]: b for a, b in zip(posted, posted[1:])}
        active = len(self.chat_authors)
        out = []
        for q in qs:
            times = self.answer_times.get(q["question"], [])
            n = len(times)
            row = {**{k: q[k] for k in ("question", "text", "planned_at", "posted_at", "lateness_minutes",
                                        "message_id")},
                   "answers": n, "answerers": len(self.answerers.get(q["question"], ())), "active_participants": active}
            row["answerer_share"] = row["answerers"] / active if active else None
            posted_at, nxt = q["posted_at"], following.get(q["question"])
            if posted_at is not None and n:
                # the answers are sorted by time, so the latencies at or after the post are too: the median is
                # read off the middle (no pass over the answers on a refresh)
                first = bisect.bisect_left(times, posted_at)
                k = n - first
                middle = [times[first + (k - 1) // 2], times[first + k // 2]] if k else []
                row["median_latency_s"] = median((t - posted_at).total_seconds() for t in middle) if k else None
                row["half_life_s"] = half_life_so_far(posted_at, times)
            else:
                row["median_latency_s"] = row["half_life_s"] = None
            row["next_question"] = nxt["question"] if nxt else None
            if nxt is not None and posted_at is not None:
                row["spillover_answers"] = n - bisect.bisect_left(times, nxt["posted_at"])
                row["spillover_share"] = row["spillover_answers"] / n if n else None
            else:
                row["spillover_answers"] = row["spillover_share"] = None
            row["_times"] = times
            out.append(row)
        return out

    def view(self, now: datetime | None = None) -> LiveView:
        """The figures at ``now`` (default: the clock), as an immutable :class:`LiveView`."""
        now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
        questions = self.question_rows()
        current = max((q for q in questions if q["posted_at"] is not None and q["posted_at"] <= now),
                      key=lambda q: (q["posted_at"], q["question"]), default=None)
        upcoming = sorted((q for q in questions if q["posted_at"] is None and q["planned_at"] is not None
                           and (current is None or q["question"] > current["question"])),
                          key=lambda q: (q["planned_at"], q["question"]))
        nxt = upcoming[0] if upcoming else None
        times = current["_times"] if current else []
        hint = agenda_hint(current["question"] if current else None, current["posted_at"] if current else None,
                           times, now, next_question=nxt["question"] if nxt else None,
                           next_planned=nxt["planned_at"] if nxt else None)
        clock = {
            "question": current["question"] if current else None,
            "text": current["text"] if current else None,
            "posted_at": current["posted_at"] if current else None,
            "since_s": (now - current["posted_at"]).total_seconds() if current else None,
            "answers": current["answers"] if current else 0,
            "half_life_s": current["half_life_s"] if current else None,
            "decays_at": decay_point(current["posted_at"], times) if current else None,
            "next_question": nxt["question"] if nxt else None,
            "next_planned_at": nxt["planned_at"] if nxt else None,
            "hint": hint,
        }
        spill = [q for q in questions if q["spillover_answers"] is not None]
        spill_base = sum(q["answers"] for q in spill)
        has_questions = bool(questions)
        on_agenda = self.on_agenda / self.agenda_base if has_questions and self.agenda_base else None
        spill_share = sum(q["spillover_answers"] for q in spill) / spill_base if spill_base else None
        score, parts = herding_score(on_agenda, self._pace, spill_share) if has_questions else (None, None)
        new = [h for h in self.active if h not in self.history]
        waiting = sorted(
            ({"handle": h, "message_id": self.first_message[h], "since": self.active[h],
              "wait_s": max(0.0, (now - self.active[h]).total_seconds()),
              "platform": self._rows[self.first_message[h]]["platform"],
              "text": self._rows[self.first_message[h]]["text"]}
             for h in new if h not in self.moderators and not self.replies_received[h] and not self.likes[h]),
            key=lambda item: (item["since"], item["handle"]))
        floor = sorted(
            ({"handle": self._rows[i]["author_handle"], "message_id": i, "since": self._rows[i]["created_at"],
              "wait_s": max(0.0, (now - self._rows[i]["created_at"]).total_seconds()),
              "platform": self._rows[i]["platform"], "text": self._rows[i]["text"]}
             for i in self.floor if not self.replies_to[i]),
            key=lambda item: (item["since"], item["message_id"]))
        wave = sorted(((m, q, n) for (m, q), n in self.wave.items() if n > 0),
                      key=lambda r: (r[0], -1 if r[1] is None else r[1]))
        counts = {
            "messages": self.chat_messages,
            "active_participants": len(self.chat_authors),
            "new": len(new),
            "returning": len(self.active) - len(new),
            "herding_score": score,
            "herding_score_parts": parts,
            "on_agenda_share": on_agenda,
            "pace_adherence": self._pace,
            "spillover_share": spill_share,
            "spam": len(self.excluded),
            "session_messages": len(self.assigner),
            "outside_session": self.outside,
            "quarantined": self.quarantined,
        }
        return LiveView(
            chat=self.config.chat, title=self.config.title or self.config.chat, session_id=self.session_id,
            start=self.session["start"], end=self.session["end"], now=now, clock=clock,
            questions=tuple({k: v for k, v in q.items() if k != "_times"} for q in questions),
            wave=tuple(wave), newcomers=tuple(waiting[:MAX_LISTED]), newcomers_total=len(waiting),
            floor=tuple(floor[:MAX_LISTED]), floor_total=len(floor),
            spam=tuple(sorted(self.excluded, key=lambda r: r["created_at"], reverse=True)[:MAX_LISTED]),
            counts=counts,
        )
