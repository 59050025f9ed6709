"""Analysis by partition: the sessions of a chat in batches, each read from the workspace on its own.

:func:`plan_batches` reads only what places messages in sessions (times, and hashes of the ids of messages and of
what they refer to: :func:`light_messages`), splits the chat into its sessions as ``analyze`` does, and groups consecutive sessions into
batches of at most ``budget`` messages. A batch boundary is put only where no message after it replies to, reposts
or quotes a message before it, so every per-session step sees the messages it refers to, and a batch's results are
exactly those of the whole chat for its sessions (``tests/test_partition.py``). Where a chat's threads run across
every boundary, batches grow past the budget rather than cut a thread.

:func:`read_batch` then reads one batch's messages (a filter on time, pushed down into the chat's Parquet files),
tags them with the chat's sessions and keeps those of the batch. The analysis (:func:`moderator_kit.snapshot.
analyze_chat`) runs its per-session steps batch by batch and builds the chat-level tables from the sessions'
results, so its memory is bounded by the largest batch plus those results (docs/scale.md).

Examples
--------
>>> from datetime import datetime, timedelta, timezone
>>> import polars as pl
>>> t0 = datetime(2026, 1, 6, 1, 10, tzinfo=timezone.utc)
>>> light = pl.DataFrame({"message_id": ["1", "2", "3", "4"], "created_at": [t0 + timedelta(weeks=w) for w in range(4)],
...                       "reply_to_message_id": [None, None, "2", None]})
>>> tagged = light.with_columns(session_id=pl.Series(["a", "b", "c", "d"]))
>>> cut_sessions(tagged, ["a", "b", "c", "d"], budget=1)  # 'c' replies into 'b': they stay together
[['a'], ['b', 'c'], ['d']]
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from moderator_kit.config import ChatConfig
from moderator_kit.sessions import ScheduleChoice, assign_sessions, resolve_schedule, split_with
from moderator_kit.workspace import Workspace

__all__ = ["BATCH_MESSAGES", "ChatPlan", "plan_batches", "light_messages", "cut_sessions", "read_batch"]

#: Messages per batch by default: a million messages of a chat take about 1.2 GB once read, so a batch of 250k
#: keeps a batch's own memory near 0.3 GB plus its analysis (docs/scale.md).
BATCH_MESSAGES = 250_000
_REFERENCES = ("reply_to_message_id", "repost_of_message_id", "quote_of_message_id")


@dataclass
class ChatPlan:
    """The chat's sessions, the schedule chosen, and its batches of session ids (in time order)."""

    sessions: pl.DataFrame
    choice: ScheduleChoice
    batches: list[list[str]]
    messages: int
    session_messages: int
    platforms: list[str] = field(default_factory=list)


def cut_sessions(tagged: pl.DataFrame, order: list[str], budget: int) -> list[list[str]]:
    """Consecutive sessions of ``order`` grouped into batches of at most ``budget`` messages of ``tagged`` (rows with
    ``session_id``, ``message_id`` and the reference columns), never cut where a message refers back across the cut.
    A single session larger than the budget is a batch of its own."""
    if not order:
        return []
    index = {sid: i for i, sid in enumerate(order)}
    sizes = dict(tagged.group_by("session_id").len().iter_rows())
    where = tagged.select("message_id", _at=pl.col("session_id").replace_strict(index, default=None,
                                                                                  return_dtype=pl.Int64))
    refs = [c for c in _REFERENCES if c in tagged.columns]
    # the furthest back each session's messages reach: no cut may fall between a message and what it refers to
    reach = list(range(len(order)))
    if refs:
        pointers = (tagged.select(pl.col("session_id").replace_strict(index, default=None, return_dtype=pl.Int64)
                                  .alias("_from"), target=pl.concat_list(refs))
                    .explode("target").drop_nulls()
                    .join(where.rename({"message_id": "target"}), on="target", how="inner")
                    .filter(pl.col("_at") < pl.col("_from"))
                    .group_by("_from").agg(pl.col("_at").min()))
        for to, back in pointers.iter_rows():
            reach[to] = min(reach[to], back)
    # a cut before session k is allowed when no session at or after k reaches before k
    earliest_after = [0] * (len(order) + 1)
    earliest_after[len(order)] = len(order)
    for k in range(len(order) - 1, -1, -1):
        earliest_after[k] = min(reach[k], earliest_after[k + 1])
    batches: list[list[str]] = [[]]
    size = 0
    for k, sid in enumerate(order):
        count = sizes.get(sid, 0)
        if batches[-1] and size + count > budget and earliest_after[k] >= k:
            batches.append([])
            size = 0
        batches[-1].append(sid)
        size += count
    return batches


def light_messages(workspace: Workspace, chat: str, config: ChatConfig) -> pl.DataFrame:
    """What planning reads of every message: its time, and 64-bit hashes of its id and of the ids it refers to
    (about 45 bytes a message); its hashtags too when the schedule must be inferred from the data."""
    schedule = config.schedule
    columns = [pl.col("created_at"), pl.col("time_imprecise")]
    if not (schedule.dates or schedule.is_recurring):  # the weekly slot of a personal archive reads hashtags
        columns.append(pl.col("hashtags"))
    hashed = [pl.when(pl.col(c).is_not_null()).then(pl.col(c).hash(7)).alias(c) for c in ("message_id", *_REFERENCES)]
    return workspace.messages(chat).select(*columns, *hashed).collect()


def plan_batches(workspace: Workspace, chat: str, config: ChatConfig, *, budget: int = BATCH_MESSAGES) -> ChatPlan:
    """Sessions and batches of a chat, from a light read of its messages (:func:`light_messages`)."""
    light = light_messages(workspace, chat, config)
    platforms = workspace.messages(chat).select(pl.col("platform").unique()).collect()["platform"].to_list()
    choice = resolve_schedule(light, config)
    sessions, tagged = split_with(light, config, choice)
    order = sessions.sort("start")["session_id"].to_list()
    present = set(tagged["session_id"].unique().to_list())
    order = [sid for sid in order if sid in present]
    return ChatPlan(sessions=sessions, choice=choice, batches=cut_sessions(tagged, order, max(int(budget), 1)),
                    messages=light.height, session_messages=tagged.height,
                    platforms=sorted(platforms))


def read_batch(workspace: Workspace, chat: str, sessions: pl.DataFrame, batch: list[str]) -> pl.DataFrame:
    """The messages of a batch's sessions, tagged with ``session_id`` and ``phase`` as the whole chat's are.

    Only the batch's time span is read; the messages are tagged with every session of the chat (so a message is
    in the session it would be in anyway) and those of the batch kept.
    """
    windows = sessions.filter(pl.col("session_id").is_in(batch))
    lo, hi = windows["pre_start"].min(), windows["follow_up_end"].max()
    frame = workspace.messages(chat).filter((pl.col("created_at") >= lo) & (pl.col("created_at") < hi)).collect()
    tagged = assign_sessions(frame, sessions)
    return tagged.filter(pl.col("session_id").is_in(batch))
