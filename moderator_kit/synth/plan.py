"""What the session simulator works on and produces: the plan of a session, the chat it belongs to, and the
generated messages with their ground truth (see :mod:`moderator_kit.synth.engine`).

Times are UTC epoch milliseconds; :data:`SEC`, :data:`MIN` and :data:`HOUR` are those units.

Examples
--------
>>> HOUR // MIN, MIN // SEC
(60, 60)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from moderator_kit.synth import text as T
from moderator_kit.synth.people import Person

__all__ = ["Msg", "Attendee", "SessionPlan", "ChatContext", "QuestionPost", "CATEGORIES", "SEC", "MIN", "HOUR"]

CATEGORIES = ("question", "answer", "moderator", "social", "promotional", "off_agenda")

SEC = 1000
MIN = 60 * SEC
HOUR = 60 * MIN


@dataclass(eq=False)
class Msg:
    """One generated message and its ground truth."""

    t: int  # UTC, epoch milliseconds
    author: Person
    text: str  # unescaped; links as full URLs, mentions as '@handle'
    kind: str  # post, reply, repost, quote
    category: str
    question: int | None
    style: str
    session_id: str
    phase: str
    persona: str
    parent: Msg | None = None
    quoted: Msg | None = None
    reposted: Msg | None = None
    mentions: list = field(default_factory=list)
    urls: list = field(default_factory=list)
    ambiguous: bool = False
    asks: bool = False
    theme: str = ""
    id: int = 0
    replies: int = 0
    reposts: int = 0
    quotes: int = 0
    likes: int = 0
    deleted: bool = False
    edited_from: int = 0
    lang: str = "en"
    source: str = ""
    seq: int = 0

    @property
    def root(self) -> Msg:
        node = self
        while node.parent is not None:
            node = node.parent
        return node


@dataclass
class Attendee:
    person: Person
    persona: str  # persona in this session (truth)
    first_time: bool = False
    got_reply: bool = True  # newcomers: whether anyone replies to them in this session


@dataclass(frozen=True)
class QuestionPost:
    number: int
    offset_s: float
    variant: str = "normal"  # normal, late, repeat


@dataclass
class SessionPlan:
    index: int
    session_id: str
    start_ms: int
    topic: T.Topic
    agenda: list  # (number, planned offset minutes, text, theme)
    posts: list  # QuestionPost, in time order
    attendees: list  # Attendee
    duration_ms: int = 60 * MIN
    pre_ms: int = 30 * MIN
    follow_ms: int = 72 * HOUR
    flags: dict = field(default_factory=dict)
    skip_note: int | None = None  # question number announced as skipped
    outside_ms: int | None = None  # a moment outside every window for stray posts (None: none)


@dataclass
class ChatContext:
    platform: str  # 'twitter' or 'slack'
    chat_label: str  # '#JobHuntChat' or 'office hours'
    hashtag: str | None  # '#JobHuntChat' or None
    time_label: str  # '8pm ET'
    mod1: Person
    mod2: Person
    sponsor: Person | None
    sponsor_tag: str | None
    sponsor_site: str
    recap_base: str
    seed: str
    extra_tags: tuple = ("#jobsearch", "#careers", "#hiring", "#resume", "#careeradvice")
