"""Retention on the hand-written four-session chat of test_people_roles (figures computed by hand).

Active participants (an original message in the in-chat or follow-up phase, after the spam rules):

* s1: mod, ada, bob, cy, dee, sam, promo, rita, acme, feedy (10; rt only reposts, bot1 and hijack are excluded)
* s2: mod, ada, newa, newb, sam (5)
* s3: mod, ada, newa, sam (4)
* s4: mod, sam, newc, dan, eve, fay (6)
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl
import pytest

from moderator_kit.people.retention import (
    active_participants,
    cohort_matrix,
    first_timer_return,
    regular_survival,
    retention_by_session,
)
from moderator_kit.people.spam import apply_spam_rules
from tests.test_people_roles import RULES, S1, S2, S3, S4, START, chat_messages, chat_sessions


@pytest.fixture(scope="module")
def kept() -> pl.DataFrame:
    return apply_spam_rules(chat_messages(), RULES)[0]


def test_active_participants(kept):
    active = active_participants(kept)
    assert active.group_by("session_id").len().sort("session_id")["len"].to_list() == [10, 5, 4, 6]
    assert "rt" not in set(active["handle"])  # a pure reposter is not a participant


def test_retention_by_session(kept):
    out = retention_by_session(kept, chat_sessions())
    assert out.select("session_id", "number", "active", "new", "returning", "lapsed").rows() == [
        (S1, 1, 10, 10, 0, 0),
        (S2, 2, 5, 2, 3, 7),  # lapsed: bob, cy, dee, promo, rita, acme, feedy
        (S3, 3, 4, 0, 4, 1),  # lapsed: newb
        (S4, 4, 6, 4, 2, 2),  # lapsed: ada, newa
    ]
    assert out["returning_share"].to_list() == pytest.approx([0.0, 0.6, 1.0, 1 / 3])


def test_pre_chat_messages_do_not_make_a_participant_and_empty_sessions_keep_a_row(kept):
    pre = kept.head(1).with_columns(message_id=pl.lit("p1"), author_handle=pl.lit("lurker"), phase=pl.lit("pre"),
                                    session_id=pl.lit(S2), created_at=pl.lit(START[S2] - timedelta(minutes=10)))
    sessions = pl.concat([chat_sessions(), pl.DataFrame({"session_id": ["2026-02-02"], "number": [5]})])
    out = retention_by_session(pl.concat([kept, pre]), sessions)
    assert out.filter(pl.col("session_id") == S2)["active"].item() == 5
    last = out.row(4, named=True)
    assert (last["active"], last["new"], last["lapsed"], last["returning_share"]) == (0, 0, 6, None)


def test_cohort_matrix(kept):
    out = cohort_matrix(kept, chat_sessions())
    assert out.rows() == [
        (S1, S1, 0, 10, 10, 1.0),
        (S1, S2, 1, 3, 10, 0.3),  # mod, ada, sam
        (S1, S3, 2, 3, 10, 0.3),
        (S1, S4, 3, 2, 10, 0.2),  # mod, sam
        (S2, S2, 0, 2, 2, 1.0),  # newa, newb
        (S2, S3, 1, 1, 2, 0.5),  # newa
        (S2, S4, 2, 0, 2, 0.0),
        (S4, S4, 0, 4, 4, 1.0),  # newc, dan, eve, fay; s3 brought nobody new, so it has no cohort
    ]


def test_first_timer_return_splits_by_reply(kept):
    # Newcomers of s2 (s1 is the archive's first, s4 its last): newa got a reply from ada and came back in s3;
    # newb got none and never came back.
    out = first_timer_return(kept, chat_sessions())
    assert out.rows() == [(True, 1, 1, 1.0), (False, 1, 0, 0.0)]


def test_first_timer_return_can_include_the_first_session(kept):
    out = first_timer_return(kept, chat_sessions(), include_first_session=True)
    # with a reply: bob, cy, dee (never back), sam, ada (back) of s1, and newa of s2 (back): 3 of 6;
    # without: mod (back), promo, rita, acme, feedy of s1 and newb of s2 (never back): 1 of 6
    assert out.rows() == [(True, 6, 3, 0.5), (False, 6, 1, pytest.approx(1 / 6))]


def test_first_timer_return_without_newcomers_gives_null_rates(kept):
    two = chat_sessions().head(1)
    out = first_timer_return(kept.filter(pl.col("session_id") == S1), two)
    assert out.rows() == [(True, 0, 0, None), (False, 0, 0, None)]


def test_regular_survival(kept):
    # regulars (≥ 3 sessions): mod (s1-s4), sam (s1-s4), ada (s1-s3)
    out = regular_survival(kept, chat_sessions(), min_sessions=3)
    assert out.rows() == [(0, 3, 3, 1.0), (1, 3, 3, 1.0), (2, 3, 3, 1.0), (3, 3, 2, pytest.approx(2 / 3))]
    assert regular_survival(kept, chat_sessions(), min_sessions=5).height == 0


def test_survival_counts_only_observable_spans(kept):
    # with min_sessions=2 newa (s2-s3) joins: at k=3 she is not at risk (s2 + 3 is past the archive's end)
    out = regular_survival(kept, chat_sessions(), min_sessions=2)
    assert out.select("sessions_since_first", "at_risk", "surviving").rows() == [
        (0, 4, 4), (1, 4, 4), (2, 4, 3), (3, 3, 2)]


def test_accepts_lazy_frames(kept):
    assert retention_by_session(kept.lazy(), chat_sessions().lazy()).height == 4


def _survival_by_grid(active: pl.DataFrame, last: int, min_sessions: int) -> list[tuple]:
    """The definition spelled out: every regular crossed with every k it can be observed at."""
    per = active.group_by("handle").agg(first=pl.col("number").min(), last=pl.col("number").max(), n=pl.len())
    regulars = per.filter(pl.col("n") >= min_sessions)
    rows = {}
    for first, end in regulars.select("first", "last").iter_rows():
        for k in range(0, last - first + 1):
            at_risk, surviving = rows.get(k, (0, 0))
            rows[k] = (at_risk + 1, surviving + (end >= first + k))
    return [(k, a, s, s / a) for k, (a, s) in sorted(rows.items())]


@pytest.mark.parametrize("seed", range(8))
def test_regular_survival_equals_its_definition(seed):
    import random

    rng = random.Random(seed)
    sessions = pl.DataFrame({"session_id": [f"s{i:02d}" for i in range(1, 21)], "number": list(range(1, 21))})
    rows = [{"session_id": f"s{n:02d}", "phase": "chat", "author_handle": f"p{p}", "kind": "post"}
            for p in range(40) for n in range(1, 21) if rng.random() < rng.choice([0.1, 0.4, 0.8])]
    msgs = pl.DataFrame(rows)
    active = msgs.select("author_handle", number=pl.col("session_id").str.slice(1).cast(pl.Int64)).unique().rename(
        {"author_handle": "handle"})
    for min_sessions in (1, 3, 6):
        got = regular_survival(msgs, sessions, min_sessions=min_sessions).rows()
        assert got == _survival_by_grid(active, 20, min_sessions)
