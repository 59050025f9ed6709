"""Rules changed for the hand-labelled real rows of issue 16 (docs/labelling.md, third round), on messages written
here: each test fails without its change.

- self-promotion by links nobody answered asks for ``self_promoter_min_promo_links`` (3) such links: two shared videos
  or repos in a night are what anyone does;
- a first-person question about what one may or should do ("can I …?", "how should … ?", "¿puedo …?") asks for help;
- a plural "you" question ("¿tenéis …?") in reply to someone else's post asks them about their own situation: it is
  no help request of one's own.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import polars as pl
import pytest

from moderator_kit.people.roles import assign_roles
from moderator_kit.people.signals import participant_signals
from tests.helpers import messages_frame

T0 = datetime(2020, 5, 19, 9, 0, tzinfo=timezone.utc)
S = "2020-05-19"


def _roles(rows: list[dict]) -> tuple[pl.DataFrame, pl.DataFrame]:
    msgs = messages_frame([{"platform": "slack", "created_at": T0 + timedelta(minutes=i), **row}
                           for i, row in enumerate(rows)])
    signals = participant_signals(msgs.with_columns(session_id=pl.lit(S), phase=pl.lit("chat")))
    return signals, assign_roles(signals, None, None)


def _row(frame: pl.DataFrame, handle: str) -> dict:
    return frame.filter(pl.col("handle") == handle).row(0, named=True)


def _links(n_links: int, url: str) -> list[dict]:
    words = ["mirad esto", "otro vídeo", "y este también", "el último"]
    posts = [{"message_id": f"l{i}", "author_handle": "p", "text": f"{words[i]} {url}{i}", "urls": [f"{url}{i}"]}
             for i in range(n_links)]
    return [*posts, {"message_id": "t", "author_handle": "p", "text": "está interesante la cosa"}]


def test_two_shared_links_nobody_answered_do_not_make_a_self_promoter():
    """Two videos and a comment (a seen Slack row labelled participant) was labelled self_promoter before."""
    signals, roles = _roles(_links(2, "https://www.youtube.com/watch?v="))
    assert _row(signals, "p")["promo_links"] == 2 and _row(signals, "p")["promo_link_share"] >= 0.5
    assert "self_promoter" not in _row(roles, "p")["labels"]


def test_three_links_nobody_answered_still_make_a_self_promoter():
    _, roles = _roles(_links(3, "https://example.org/post/"))
    p = _row(roles, "p")
    assert "self_promoter" in p["labels"]
    assert any("links without conversation" in r and "3 messages (≥ 3)" in r for r in p["reasons"])


def test_the_own_domain_route_still_needs_two_links_only():
    """Two links to the same own domain are the own-domain route, untouched: "again and again" is that domain."""
    rows = [{"message_id": f"l{i}", "author_handle": "p", "text": f"my new post https://myblog.dev/{i}",
             "urls": [f"https://myblog.dev/{i}"]} for i in range(2)]
    _, roles = _roles([*rows, {"message_id": "t", "author_handle": "p", "text": "enjoy the reading everyone"}])
    assert "self_promoter" in _row(roles, "p")["labels"]


@pytest.mark.parametrize(
    ("text", "help"),
    [
        ('just to make sure I understand, can I grab "Flexible Content 5" on the board for a thread?', 1),
        ("Could I join the creators channel without a portfolio?", 1),
        ("How should go forward to apply for being a creator?", 1),
        ("¿Puedo usar el mismo token en staging y en producción?", 1),
        ("Can I help you with anything?", 0),  # offering help
        ("Can I just say this chat is great.", 0),  # no question
        ("puedo decir que funciona bien", 0),  # "puedo" outside a question
    ],
)
def test_first_person_questions_ask_for_help(text, help):
    signals, _ = _roles([{"message_id": "m", "author_handle": "p", "text": text}])
    assert _row(signals, "p")["help_requests"] == help


def test_a_plural_you_question_under_someone_elses_post_is_about_them():
    """"¿tenéis definido un PDB?" under a rant about a cluster asks its author about their setup (seen row labelled
    participant, labelled seeker before)."""
    rows = [
        {"message_id": "r", "author_handle": "ana", "text": "EKS ha matado todas las pods en producción otra vez"},
        {"message_id": "q", "author_handle": "p", "text": "tenéis definido un Pod Disruption Budget?",
         "kind": "reply", "reply_to_message_id": "r", "reply_to_author_handle": "ana"},
    ]
    signals, roles = _roles(rows)
    assert _row(signals, "p")["help_requests"] == 0
    assert "seeker" not in _row(roles, "p")["labels"]


def test_a_plural_you_question_to_the_room_still_asks_for_help():
    """The same verb form in a post of one's own, or in one's own thread, asks the room."""
    rows = [
        {"message_id": "r", "author_handle": "p", "text": "¿Sabéis si abren las oficinas el lunes?"},
        {"message_id": "x", "author_handle": "p", "text": "¿habéis pedido permiso a la empresa?",
         "kind": "reply", "reply_to_message_id": "r", "reply_to_author_handle": "p"},
    ]
    signals, roles = _roles(rows)
    assert _row(signals, "p")["help_requests"] == 2
    assert "seeker" in _row(roles, "p")["labels"]
