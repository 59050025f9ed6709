"""The session simulator: one chat session (pre-chat, chat, follow-up) as platform-neutral messages with ground truth.

A :class:`SessionPlan` says who attends with which persona, the agenda and when each question is really posted; the
simulator turns it into :class:`Msg` objects (author, time, text, reply / repost / quote links) and labels each with
its true question, category and answer style. Platform writers (:mod:`moderator_kit.synth.twitter`,
:mod:`moderator_kit.synth.slack`) turn messages into archive records.

The plan and message types are in :mod:`~moderator_kit.synth.plan`; the simulator is put together here from the
session's state and primitives (:mod:`~moderator_kit.synth.session_base`), the chat phase
(:mod:`~moderator_kit.synth.session_chat`) and everything around it (:mod:`~moderator_kit.synth.session_around`).

Ground-truth conventions (see ``docs/sample_data.md``):

* ``question`` posts are the moderator's Qn posts and reposts of them;
* ``answer`` messages belong to a question: tagged, replies in a question's thread (advice, agreement), quotes of a
  question, reposts of an answer, and untagged in-chat posts made while their question is the current one;
* ``social`` (greetings, intros, welcome and thank-you messages, wherever they are) never has a question;
* ``promotional`` covers self-promotion, job ads, sponsor ads and spam; ``moderator`` the moderators' other posts;
* ``ambiguous`` marks the few messages whose truth the data cannot reveal (an untagged answer to the previous
  question after the next one was posted, a wrong tag, chat-time chatter, replies under a deleted tweet).

Examples
--------
>>> from moderator_kit.synth.twitter import plan_twitter_chat
>>> ctx, plans = plan_twitter_chat(seed=3, sessions=1)
>>> msgs = simulate_session(ctx, plans[0])
>>> 120 < len(msgs) < 400
True
>>> {m.phase for m in msgs} >= {"pre", "chat", "follow_up"}  # '' marks the few posts outside every window
True
"""


from __future__ import annotations

import random

from moderator_kit.synth.plan import CATEGORIES, Attendee, ChatContext, Msg, QuestionPost, SessionPlan
from moderator_kit.synth.session_around import AroundChat
from moderator_kit.synth.session_base import SessionBase
from moderator_kit.synth.session_chat import ChatPhase

__all__ = ["Msg", "Attendee", "SessionPlan", "ChatContext", "QuestionPost", "simulate_session", "CATEGORIES"]


class _Session(ChatPhase, AroundChat, SessionBase):
    """One session's simulator: the state and primitives, the chat phase, and everything around it."""


def simulate_session(ctx: ChatContext, plan: SessionPlan, rng: random.Random | None = None) -> list[Msg]:
    """Simulate one session and return its messages in time order (deleted tweets left out).

    The random stream is derived from ``ctx.seed`` and the session index unless ``rng`` is given, so sessions
    can be simulated in any order and still give the same messages.
    """
    rng = rng or random.Random(f"{ctx.seed}:session:{plan.index}")
    sim = _Session(ctx, plan, rng)
    sim.pre_chat()
    sim.opening()
    sim.questions()
    sim.intros()
    sim.pay_it_forward()
    sim.answer_all()
    sim.threads()
    sim.promotions()
    sim.reposts()
    sim.closing()
    sim.follow_up()
    return sim.finish()
