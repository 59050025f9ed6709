"""Help-seeking, thank-you, first-time, greeting and agreement language beyond English, and advocates in flat threads.

The real Slack the rules were scored on (docs/labelling.md) is mostly Spanish and has no agenda: people ask in a
channel and others answer in the message's thread. These tests pin down what the language patterns and the
flat-thread advocate rule (``asker_advice``, ``asker_reception``) count, through the public signals and roles.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import polars as pl
import pytest

from moderator_kit.people.roles import assign_roles
from moderator_kit.people.signals import ASKER_WINDOW_MINUTES, participant_signals
from tests.helpers import messages_frame

T0 = datetime(2020, 5, 18, 9, 0, tzinfo=timezone.utc)
S = "2020-05-18"


def _signals(rows: list[dict]) -> pl.DataFrame:
    msgs = messages_frame([{"platform": "slack", "created_at": T0, **row} for row in rows])
    return participant_signals(msgs.with_columns(session_id=pl.lit(S), phase=pl.lit("chat")))


def _row(frame: pl.DataFrame, handle: str) -> dict:
    return frame.filter(pl.col("handle") == handle).row(0, named=True)


@pytest.mark.parametrize(
    ("text", "asked", "help"),
    [
        ("alguien sabe cómo tributa la venta de shares en una empresa? es capital gain?", 1, 1),
        ("Hola, vengo con una duda que no sé si alguien se habrá encontrado", 1, 1),
        ("Algun@ ha vuelto a la oficina estos días? Habéis llevado permiso?", 1, 1),
        ("¿Me podéis recomendar un buen curso de Go?", 1, 1),
        ("¿Sabéis si abren las oficinas el lunes?", 1, 1),  # a plural "you" verb inside a question
        ("ya sabéis que el lunes no hay meetup.", 0, 0),  # the same verb in a statement
        ("¿Qué puedo hacer si el driver no carga?", 1, 1),
        ("Lo que puedo decir es que funciona bien", 0, 0),  # "que puedo" outside a question
        ("qué se usa por aquí como http server? gin?", 1, 1),
        ("Alguém sabe como configurar o nginx?", 1, 1),
        ("Quelqu'un a une idée pour ce bug ?", 1, 1),
        ("Weiß jemand, wie man das konfiguriert?", 1, 1),
        ("How can we help? What you working on?", 1, 0),  # offering help is no help request
        ("¿En qué te puedo ayudar?", 1, 0),
        ("How can I get my first PR reviewed?", 1, 1),
    ],
)
def test_help_seeking_in_other_languages(text, asked, help):
    p = _row(_signals([{"message_id": "m", "author_handle": "p", "text": text}]), "p")
    assert (p["questions_asked"], p["help_requests"]) == (asked, help)


@pytest.mark.parametrize(
    ("text", "thanks"),
    [("Muchas gracias!", 1), ("moltes gràcies", 1), ("Obrigado pela dica", 1), ("Merci beaucoup", 1),
     ("Danke dir!", 1), ("Grachias (tenía que hacerlo)", 1), ("desgraciadamente no", 0)],
)
def test_thank_yous_in_other_languages(text, thanks):
    assert _row(_signals([{"message_id": "m", "author_handle": "p", "text": text}]), "p")["thank_yous"] == thanks


@pytest.mark.parametrize(
    ("text", "first"),
    [("Es mi primera vez por aquí, hola a todos", 1), ("No es la primera vez que les pasa", 0),
     ("Sou nova aqui, olá!", 1), ("Je suis nouveau ici", 1), ("Ich bin neu hier", 1)],
)
def test_first_time_in_other_languages(text, first):
    p = _row(_signals([{"message_id": "m", "author_handle": "p", "text": text}]), "p")
    assert p["first_time_mentions"] == first


@pytest.mark.parametrize(
    ("text", "advice"),
    [
        ("Prueba con netlify forms y una función lambda para el correo", True),
        ("Hola! Bienvenido al canal, aquí estamos para lo que necesites", False),  # a greeting
        ("Totalmente de acuerdo con lo que dices", False),  # a short agreement
        ("Lo mismo, yo también lo vi ayer", False),
        ("Genau, das sehe ich auch so", False),
        ("¿Tenéis definido un Pod Disruption Budget en el cluster?", False),  # a question
    ],
)
def test_greetings_and_agreement_in_other_languages_are_not_advice(text, advice):
    rows = [{"message_id": "root", "author_handle": "asker", "text": "Se me cae el cluster cada noche"},
            {"message_id": "r", "author_handle": "h", "kind": "reply", "reply_to_message_id": "root",
             "reply_to_author_handle": "asker", "text": text}]
    assert _row(_signals(rows), "h")["distinct_advised"] == int(advice)


def test_a_question_under_someone_elses_help_request_is_not_a_request_of_ones_own():
    rows = [{"message_id": "root", "author_handle": "asker", "text": "¿Alguien sabe por qué se cae el cluster?"},
            {"message_id": "r", "author_handle": "h", "kind": "reply", "reply_to_message_id": "root",
             "reply_to_author_handle": "asker", "text": "¿Sabéis si tenéis un PDB definido?"}]
    h = _row(_signals(rows), "h")
    assert (h["questions_asked"], h["help_requests"]) == (1, 0)
    assert _row(_signals(rows), "asker")["help_requests"] == 1


ADVICE = ["Yo lo meto en firebase hosting y allí mismo una cloud function para el correo",
          "Otra opción es usar netlify forms, el plan gratuito te llega de sobra",
          "Y si no, un formulario de google con una hoja de cálculo detrás también funciona"]


def _thread(*, minutes=(5, 10, 20), likes=(0, 0, 0), asker_back: int | None = 30) -> list[dict]:
    """A help request in a channel and a helper's advice in its thread (Slack: every reply points at the root)."""
    rows = [{"message_id": "root", "author_handle": "asker",
             "text": "Hola, tengo una duda: ¿cómo puedo tener un formulario de contacto en un sitio estático?"}]
    for i, (minute, text, liked) in enumerate(zip(minutes, ADVICE, likes)):
        rows.append({"message_id": f"a{i}", "author_handle": "helper", "kind": "reply", "reply_to_message_id": "root",
                     "reply_to_author_handle": "asker", "created_at": T0 + timedelta(minutes=minute), "text": text,
                     "like_count": liked})
    if asker_back is not None:
        rows.append({"message_id": "back", "author_handle": "asker", "kind": "reply", "reply_to_message_id": "root",
                     "reply_to_author_handle": "asker", "created_at": T0 + timedelta(minutes=asker_back),
                     "text": "Genial, me miraré lo de netlify, gracias a todos"})
    # a bystander who chats in another channel, so the night has more than two people
    rows.append({"message_id": "x", "author_handle": "other", "text": "vaya nubes más feas hoy"})
    return rows


def _labels(rows: list[dict]) -> dict:
    sig = _signals(rows)
    roles = assign_roles(sig, None, None, moderators=[], sponsor_handles=[])
    return {r["handle"]: r for r in roles.to_dicts()} | {"_signals": sig}


def test_sustained_advice_to_someone_who_asked_and_came_back_is_an_advocate():
    out = _labels(_thread())
    helper = out["helper"]
    assert "advocate" in helper["labels"]
    assert (_row(out["_signals"], "helper")["asker_advice"], _row(out["_signals"], "helper")["asker_reception"]) == (3, 1)
    assert any(f"3 advice messages within {ASKER_WINDOW_MINUTES} minutes" in r for r in helper["reasons"])
    assert not any("answered 0 questions" in r for r in helper["reasons"])  # the reach rule's reason is not shown
    assert "seeker" in out["asker"]["labels"] and "advocate" not in out["asker"]["labels"]


@pytest.mark.parametrize(
    ("thread", "advocate"),
    [
        (dict(asker_back=None), False),  # nobody took the advice up
        (dict(asker_back=None, likes=(0, 1, 0)), True),  # a reaction on the advice is taking it up
        (dict(asker_back=3), False),  # the asker's reply came before the advice
        (dict(minutes=(5, 10, ASKER_WINDOW_MINUTES + 10), asker_back=ASKER_WINDOW_MINUTES + 20), False),  # late
        (dict(minutes=(5, 10)), False),  # two advice messages are not sustained advice
    ],
)
def test_what_makes_a_flat_thread_advocate(thread, advocate):
    assert ("advocate" in _labels(_thread(**thread))["helper"]["labels"]) == advocate


def test_an_asker_answering_the_advice_itself_takes_it_up():
    # Discord keeps reply chains: the asker answers the helper's message rather than writing under the request
    rows = _thread(asker_back=None)
    rows.append({"message_id": "back", "author_handle": "asker", "kind": "reply", "reply_to_message_id": "a1",
                 "reply_to_author_handle": "helper", "created_at": T0 + timedelta(minutes=40),
                 "text": "Vale, pruebo con netlify entonces"})
    out = _labels(rows)
    assert _row(out["_signals"], "helper")["asker_reception"] == 1
    assert "advocate" in out["helper"]["labels"]
