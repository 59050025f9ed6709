"""The session simulator: one chat session (pre-chat, chat, follow-up) as platform-neutral messages with ground truth.

A :class:`SessionPlan` says who attends with which persona, the agenda and when each question is really posted; the
simulator turns it into :class:`Msg` objects (author, time, text, reply / repost / quote links) and labels each with
its true question, category and answer style. Platform writers (:mod:`moderator_kit.synth.twitter`,
:mod:`moderator_kit.synth.slack`) turn messages into archive records.

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

import math
import random
from dataclasses import dataclass, field

from moderator_kit.synth import text as T
from moderator_kit.synth.phrases import PhraseDealer
from moderator_kit.synth.people import STATUS_LINES, Person, snowflake

__all__ = ["Msg", "Attendee", "SessionPlan", "ChatContext", "QuestionPost", "simulate_session", "CATEGORIES"]

CATEGORIES = ("question", "answer", "moderator", "social", "promotional", "off_agenda")

_SEC = 1000
_MIN = 60 * _SEC
_HOUR = 60 * _MIN


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
    duration_ms: int = 60 * _MIN
    pre_ms: int = 30 * _MIN
    follow_ms: int = 72 * _HOUR
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


_ANSWER_P = {"advocate": 0.75, "regular": 0.5, "seeker": 0.45, "newcomer": 0.5, "recruiter": 0.3,
             "self_promoter": 0.1, "sponsor": 0.12, "moderator": 0.3}
_INTRO_P = {"advocate": 0.8, "regular": 0.8, "seeker": 0.85, "newcomer": 0.92, "recruiter": 0.7, "self_promoter": 0.5}
_LATENCY = {"advocate": 0.85, "regular": 1.0, "seeker": 1.1, "newcomer": 1.3, "recruiter": 1.1, "moderator": 0.9,
            "sponsor": 1.2, "self_promoter": 1.0}


#: Wording fixes for a chat that runs at noon on Thursdays instead of Monday evenings.
_NOON = (("tonight's", "today's"), ("tonight", "today"), ("last night", "yesterday"), ("Good evening", "Good morning"),
         ("Long Monday", "Long week"), ("Happy Monday", "Happy Thursday"))


def _fmt_tag(form: str, n: int, body: str) -> str:
    if form == "An:":
        return f"A{n}: {body}"
    if form == "An":
        return f"A{n} {body}"
    if form == "an)":
        return f"a{n}) {body}"
    if form == "A.n":
        return f"A.{n} {body}"
    if form == "#An":
        return f"#A{n} {body}"
    if form == "An/Qn":
        return f"A{n}/Q{n} {body}"
    if form == "an -":
        return f"a{n} - {body}"
    if form == "An -":
        return f"A{n} - {body}"
    return f"{body} A{n}"  # "An (end)"


class _Session:
    def __init__(self, ctx: ChatContext, plan: SessionPlan, rng: random.Random):
        self.ctx = ctx
        self.plan = plan
        self.rng = rng
        self.tw = ctx.platform == "twitter"
        self.start = plan.start_ms
        self.end = plan.start_ms + plan.duration_ms
        self.msgs: list[Msg] = []
        self.att = {a.person.uid: a for a in plan.attendees}
        self.persona = {a.person.uid: a.persona for a in plan.attendees}
        self.persona[ctx.mod1.uid] = "moderator"
        self.persona[ctx.mod2.uid] = "moderator"
        if ctx.sponsor is not None:
            self.persona[ctx.sponsor.uid] = "sponsor"
        self.q_first: dict[int, Msg] = {}
        self.q_posts: list[Msg] = []
        self.answers: list[Msg] = []
        self.intro_of: dict[str, Msg] = {}
        self.replied: set[str] = set()  # uids that got a reply
        self.helps: list[tuple[Person, Person, Msg]] = []  # (helper, helped, advice message)
        self.promo_msgs: list[Msg] = []
        self.theme_of = {n: theme for n, _, _, theme in plan.agenda}
        self.text_of = {n: text for n, _, text, _ in plan.agenda}
        self.difficulty = {n: rng.choice((0.7, 0.9, 1.0, 1.0, 1.2, 1.5, 1.9)) for n, *_ in plan.agenda}
        self._seq = 0
        self.decks: dict[str, list[str]] = {}
        # the words come from each question's phrase bank, dealt by a stream of their own: ``rng`` places every
        # message (the ground truth) and keeps exactly the draws it always made
        self.words = PhraseDealer(f"{ctx.seed}:words:{plan.index}", self.text_of)
        self.joined: dict[str, int] = {}  # late joiners: uid -> time of their "joining late" intro

    # -- helpers -------------------------------------------------------------------------------------------------
    def ln(self, median: float, sigma: float) -> float:
        return self.rng.lognormvariate(math.log(median), sigma)

    def who(self, *personas: str) -> list[Attendee]:
        return [a for a in self.plan.attendees if a.persona in personas]

    def can_reply_to(self, person: Person) -> bool:
        a = self.att.get(person.uid)
        return a is None or a.got_reply

    def phase_of(self, t: int) -> str:
        if t < self.start - self.plan.pre_ms:
            return ""
        if t < self.start:
            return "pre"
        if t < self.end:
            return "chat"
        if t <= self.end + self.plan.follow_ms:
            return "follow_up"
        return ""

    def _safe_time(self, t: float) -> int:
        """Keep messages at least 3 s away from window boundaries (inclusive/exclusive choices must not matter)."""
        t = int(t)
        for edge in (self.start - self.plan.pre_ms, self.start, self.end, self.end + self.plan.follow_ms):
            if abs(t - edge) < 3 * _SEC:
                t = edge + 3 * _SEC + self.rng.randint(0, 2000)
        return t

    def hashtag(self, text: str, p: float = 0.95) -> str:
        if self.tw and self.ctx.hashtag and self.rng.random() < p and self.ctx.hashtag.lower() not in text.lower():
            return f"{text} {self.ctx.hashtag}"
        return text

    def emit(self, t: float, author: Person, text: str, category: str, *, kind: str = "post", parent: Msg = None,
             quoted: Msg = None, reposted: Msg = None, mentions=(), urls=(), q: int | None = None, style: str = "",
             ambiguous: bool = False, persona: str | None = None, theme: str = "", asks: bool = False) -> Msg:
        if parent is not None:
            t = max(t, parent.t + 8 * _SEC + self.rng.randint(0, 4000))
        if reposted is not None:
            t = max(t, reposted.t + 5 * _SEC + self.rng.randint(0, 4000))
        if quoted is not None:
            t = max(t, quoted.t + 20 * _SEC)
        t = self._safe_time(t)
        if not self.tw:  # office hours run at noon on Thursdays
            for before, after in _NOON:
                text = text.replace(before, after)
        self._seq += 1
        msg = Msg(t=t, author=author, text=text, kind=kind, category=category, question=q, style=style,
                  session_id=self.plan.session_id, phase=self.phase_of(t),
                  persona=persona or self.persona.get(author.uid, author.persona), parent=parent, quoted=quoted,
                  reposted=reposted, mentions=list(mentions), urls=list(urls), ambiguous=ambiguous, theme=theme,
                  asks=asks, seq=self._seq, source=author.pick_source(self.rng))
        if parent is not None:
            parent.replies += 1
            self.replied.add(parent.author.uid)
        if reposted is not None:
            reposted.reposts += 1
        if quoted is not None:
            quoted.quotes += 1
        self.msgs.append(msg)
        return msg

    def reply_prefix(self, parent: Msg, author: Person) -> tuple[str, list[Person]]:
        """'@handle ' prefixes of a reply (Twitter always; Slack sometimes, as a mention)."""
        people: list[Person] = []
        if parent.author is author:
            return "", people
        if not self.tw:  # Slack: a thread reply mentions the person only now and then
            if self.rng.random() < (0.6 if parent.parent is not None else 0.25):
                people.append(parent.author)
            return "".join(f"@{p.handle} " for p in people), people
        people.append(parent.author)
        root = parent.root
        if root.author is not author and root.author not in people and self.rng.random() < 0.25:
            people.append(root.author)
        return "".join(f"@{p.handle} " for p in people), people

    def fits(self, text: str, urls) -> bool:
        length = len(text) - sum(len(u) for u in urls) + 23 * len(urls)
        return length <= 280 or not self.tw

    def link(self, base: str, path: str = "") -> str:
        return f"https://{base}{path}"

    # -- text builders -------------------------------------------------------------------------------------------
    def advice(self, theme: str, question: int | None = None) -> str:
        """Advice on a question, dealt from a shuffled deck of its phrase bank so that a session repeats itself as
        little as possible (by theme where there is no question)."""
        rng = self.rng
        # the theme deck is still dealt from ``rng``: its draws are part of the stream that places every message
        if rng.random() < 0.25 and theme in T.RELATED:
            theme = rng.choice(T.RELATED[theme])
        deck = self.decks.get(theme)
        if not deck:
            deck = list(T.ADVICE[theme])
            rng.shuffle(deck)
            self.decks[theme] = deck
        return self.words.deal(question, "answers", fallback=deck.pop())

    def answer_body(self, att: Attendee, theme: str, *, first_answer: bool, question: int | None = None
                    ) -> tuple[str, bool]:
        rng = self.rng
        persona = att.persona
        if persona in ("seeker", "newcomer") and rng.random() < (0.55 if persona == "seeker" else 0.3):
            struggle = self.words.deal(question, "struggles", fallback=rng.choice(T.STRUGGLES[theme]))
            return f"{struggle} {rng.choice(T.ASK_SUFFIXES)}", True
        core = self.advice(theme, question)
        if persona == "recruiter":
            return rng.choice(T.RECRUITER_PREFIXES) + core, False
        body = rng.choice(T.OPENERS) + core + rng.choice(T.CLOSERS)
        if persona == "newcomer" and first_answer and rng.random() < 0.4:
            body += " (first time here, be gentle 😅)"
        return body, False

    def sponsor_mention(self, text: str) -> tuple[str, list[Person]]:
        ctx = self.ctx
        if ctx.sponsor is None or self.rng.random() > (0.07 if self.tw else 0.05):
            return text, []
        if self.tw and self.rng.random() < 0.3:
            return f"{text} {ctx.sponsor_tag}", []
        line = self.rng.choice((" (the free resume scanner from @{h} helped me here!)",
                                " Shout-out to @{h} for the tip.", " @{h} has a great guide on this too."))
        return text + line.format(h=ctx.sponsor.handle), [ctx.sponsor]

    # -- phases --------------------------------------------------------------------------------------------------
    def pre_chat(self) -> None:
        ctx, rng, plan = self.ctx, self.rng, self.plan
        s = self.start
        label = ctx.chat_label
        ann = self.emit(s - rng.uniform(25, 28.5) * _MIN, ctx.mod1,
                        f"⏰ {label} starts in 30 minutes! Tonight's topic: {plan.topic.title}. "
                        f"Grab a drink and join us at {ctx.time_label} 🙌"
                        if self.tw else
                        f"⏰ Office hours start in 30 minutes! Today's topic: {plan.topic.title}. "
                        f"See you here at {ctx.time_label} 🙌", "moderator")
        self.announcement = ann
        if rng.random() < 0.6:
            self.emit(s - rng.uniform(7, 22) * _MIN, ctx.mod2,
                      self.hashtag(f"Looking forward to co-hosting tonight on {plan.topic.short}! "
                                   "Bring your questions 💬", 1.0), "moderator")
        if ctx.sponsor is not None and rng.random() < (0.55 if self.tw else 0.3):
            link = self.link(ctx.sponsor_site, f"/toolkit?utm_source={'twitter' if self.tw else 'slack'}")
            text = (f"Proud to sponsor tonight's {label}! 💙 Check out our free job-search toolkit 👉 {link} "
                    f"{ctx.sponsor_tag}" if self.tw else
                    f"Proud to sponsor today's office hours! 💙 Check out our free remote-job toolkit 👉 {link}")
            self.promo_msgs.append(self.emit(s - rng.uniform(3, 20) * _MIN, ctx.sponsor, text, "promotional",
                                             urls=[link]))
        for att in plan.attendees:
            p = att.person
            if att.persona in ("advocate", "regular", "seeker", "recruiter") and rng.random() < 0.16:
                text = rng.choice(("Hi all! Ready for {c} tonight ☕", "Hey friends, see you at {c} in a bit 👋",
                                   "Hello! Getting my tea ready for {c} tonight ☕",
                                   "Hi everyone, excited for tonight's chat on {s}!"))
                text = text.format(c=label, s=plan.topic.short)
                self.emit(s - rng.uniform(1, 24) * _MIN, p, text, "social")
            if att.persona in ("seeker", "regular", "newcomer") and rng.random() < 0.07:
                self.emit(s - rng.uniform(1, 25) * _MIN, p, self.hashtag(rng.choice(T.OFF_AGENDA_LINES), 0.9),
                          "off_agenda")
            if att.persona == "retweeter" and self.tw and rng.random() < 0.35:
                self.repost(att.person, ann)
            if att.persona == "spam" and rng.random() < 0.6:
                self.spam(att.person, s - rng.uniform(2, 25) * _MIN)
            if att.persona == "recruiter" and rng.random() < 0.2:
                self.job_post(att.person, s - rng.uniform(2, 25) * _MIN)

    def opening(self) -> None:
        ctx, rng, plan = self.ctx, self.rng, self.plan
        s = self.start
        if self.tw:
            text = (f"Welcome to {ctx.chat_label}! 🎉 I'm {ctx.mod1.first}, your host. Tonight: {plan.topic.title}. "
                    f"Questions come as Q1, Q2…, answer with A1, A2… Say hi and introduce yourself!")
        else:
            text = (f"Welcome to office hours! 🎉 Today: {plan.topic.title}. I'll post the questions as Q1, Q2… "
                    f"Answer in the thread of each question. Say hi and introduce yourself!")
        self.emit(s + rng.uniform(5, 35) * _SEC, ctx.mod1, text, "moderator")
        if ctx.sponsor is not None:
            link = self.link(ctx.sponsor_site, "/toolkit")
            if self.tw:
                text = (f"Tonight's {ctx.chat_label} is sponsored by @{ctx.sponsor.handle} 💙 Check out their free "
                        f"job-search toolkit 👉 {link} {ctx.sponsor_tag}")
            else:
                text = f"Today's office hours are sponsored by @{ctx.sponsor.handle} 💙 Their remote-job toolkit: {link}"
            self.emit(s + rng.uniform(45, 100) * _SEC, ctx.mod1, text, "moderator", mentions=[ctx.sponsor],
                      urls=[link])
        self.emit(s + rng.uniform(30, 120) * _SEC, ctx.mod2,
                  self.hashtag(f"Hi everyone! 👋 {ctx.mod2.first} here, co-hosting tonight. So glad you're here!", 1.0),
                  "moderator")
        if rng.random() < 0.7:
            text = ("Reminder: add {c} to every tweet so everyone can follow along 🙌" if self.tw else
                    "Reminder: please answer in each question's thread so we can all follow along 🙌")
            self.emit(s + rng.uniform(150, 240) * _SEC, ctx.mod1, text.format(c=ctx.chat_label), "moderator")

    def intros(self) -> None:
        ctx, rng, plan = self.ctx, self.rng, self.plan
        q1 = self.q_posts[0].t if self.q_posts else self.start + 5 * _MIN
        for att in plan.attendees:
            p, persona = att.person, att.persona
            chance = _INTRO_P.get(persona, 0.0)
            if persona == "newcomer" and att.got_reply:
                chance = 1.0
            if rng.random() >= chance:
                continue
            t = self.start + min(max(self.ln(110, 0.5) * _SEC, 20 * _SEC), (q1 - self.start) - 15 * _SEC)
            late = rng.random() < 0.08 and persona != "newcomer"
            if late:
                t = self.start + rng.uniform(10, 40) * _MIN
            status = "" if persona in ("self_promoter", "recruiter") else self.status(att)
            where = f"{p.first} from {p.city}"
            urls: list[str] = []
            category = "social"
            if late:
                text = rng.choice(("Hi all, joining late! {w} 👋", "Hey everyone! Joining late tonight, {w} 👋"))
                text = text.format(w=where)
            elif persona == "newcomer":
                text = rng.choice(("Hi all! First time joining {c}. I'm {w}. {st}",
                                   "Hello! {w} here, first time at {c} 👋 {st}",
                                   "First time joining {c}! I'm {w}. {st}"))
                text = text.format(c=ctx.chat_label if self.tw else "office hours", w=where, st=status)
            elif persona == "self_promoter":
                link = self.link(p.promo[0], "/free-guide")
                text = f"Hi! {p.first} here, I help job seekers land interviews. Grab my free guide 👉 {link}"
                urls = [link]
                category = "promotional"
            elif persona == "recruiter":
                text = f"Hey all! {p.first}, recruiter at {p.company[0]}. Happy to answer questions tonight 👋"
            else:
                text = rng.choice(("Hi everyone! {w}. {st}", "Good evening! {w} 👋 {st}", "Hello hello 👋 {w}. {st}",
                                   "Hey all! {w}. {st}"))
                text = text.format(w=where, st=status)
            msg = self.emit(t, p, self.hashtag(text.strip(), 0.97), category, urls=urls)
            self.intro_of[p.uid] = msg
            if late:
                self.joined[p.uid] = msg.t
            if category == "promotional":
                self.promo_msgs.append(msg)
        # welcome replies: every newcomer who gets a reply is welcomed; some regulars are greeted
        greeters = [self.ctx.mod2] + [a.person for a in self.who("advocate")]
        for uid, intro in list(self.intro_of.items()):
            att = self.att[uid]
            if att.persona == "newcomer" and att.got_reply:
                helper = rng.choice(greeters[:3]) if len(greeters) > 1 else greeters[0]
                text = rng.choice(("Welcome to {c}! 🎉 So glad you joined us.", "Welcome! You're in the right place 🙌",
                                   "Welcome, {f}! Great to have you here."))
                text = text.format(c=ctx.chat_label if self.tw else "office hours", f=att.person.first)
                prefix, people = self.reply_prefix(intro, helper)
                self.emit(intro.t + rng.uniform(20, 150) * _SEC, helper, self.hashtag(prefix + text, 0.6), "social",
                          kind="reply", parent=intro, mentions=people)
            elif att.persona in ("regular", "advocate", "seeker") and rng.random() < 0.15:
                helper = rng.choice(greeters)
                if helper is att.person:
                    continue
                prefix, people = self.reply_prefix(intro, helper)
                text = rng.choice(("Hey {f}! Good to see you again 👋", "Hi friend! 👋", "Welcome back, {f}!"))
                self.emit(intro.t + rng.uniform(20, 200) * _SEC, helper, prefix + text.format(f=att.person.first),
                          "social", kind="reply", parent=intro, mentions=people)
            elif att.persona in ("regular", "seeker", "advocate") and rng.random() < 0.08:
                others = [a.person for a in self.who("regular", "seeker") if a.person is not att.person]
                if not others:
                    continue
                chatter = rng.choice(others)
                prefix, people = self.reply_prefix(intro, chatter)
                line = rng.choice(T.OFF_AGENDA_REPLIES).format(city=att.person.city, role=att.person.role)
                self.emit(intro.t + rng.uniform(30, 240) * _SEC, chatter, prefix + line, "off_agenda", kind="reply",
                          parent=intro, mentions=people)

    def status(self, att: Attendee) -> str:
        lines = STATUS_LINES.get(att.persona, STATUS_LINES["regular"])
        return self.rng.choice(lines).format(role=att.person.role)

    def questions(self) -> None:
        ctx, rng, plan = self.ctx, self.rng, self.plan
        for post in plan.posts:
            n = post.number
            qtext = self.text_of[n]
            t = self.start + post.offset_s * _SEC
            if self.tw:
                if post.variant == "late":
                    text = f"Q{n}: {qtext} (sorry for the delay, friends!) {ctx.hashtag}"
                elif post.variant == "repeat":
                    text = f"Q{n} again for everyone who just joined 👇 Q{n}: {qtext} {ctx.hashtag}"
                else:
                    text = f"Q{n}: {qtext} {ctx.hashtag}"
            else:
                text = f"*Q{n}:* {qtext}" if post.variant != "repeat" else f"*Q{n}* again for the latecomers: {qtext}"
            msg = self.emit(t, ctx.mod1, text, "question", q=n, theme=self.theme_of[n])
            self.q_posts.append(msg)
            if n not in self.q_first:
                self.q_first[n] = msg
                if self.tw and rng.random() < 0.45:
                    self.repost(ctx.mod2, msg, delay=rng.uniform(10, 70) * _SEC)
        self.q_posts.sort(key=lambda m: m.t)
        firsts = sorted(self.q_first.values(), key=lambda m: m.t)
        for nxt in firsts[1:]:
            if rng.random() < 0.25:
                text = (f"Q{nxt.question} coming up in 2 minutes ⏳ Keep those answers coming!" if rng.random() < 0.6
                        else "Loving these answers! Next question in 2 min ⏳")
                self.emit(nxt.t - rng.uniform(100, 140) * _SEC, ctx.mod1, self.hashtag(text, 1.0), "moderator")
        if plan.skip_note is not None:
            after = [m for m in firsts if m.question > plan.skip_note]
            if after:
                nxt = after[0]
                text = (f"We're short on time, so we'll skip Q{plan.skip_note} tonight. Straight on to "
                        f"Q{nxt.question} 👇")
                self.emit(nxt.t - rng.uniform(15, 40) * _SEC, ctx.mod1, self.hashtag(text, 1.0), "moderator")

    def next_question_time(self, n: int) -> int:
        first = self.q_first[n]
        later = [m.t for m in self.q_first.values() if m.t > first.t]
        return min(later) if later else self.end

    def answer_all(self) -> None:
        rng, plan = self.rng, self.plan
        answerers = [a for a in plan.attendees if a.persona in _ANSWER_P]
        mod2 = Attendee(self.ctx.mod2, "moderator")
        answerers.append(mod2)
        if self.ctx.sponsor is not None:
            answerers.append(Attendee(self.ctx.sponsor, "sponsor"))
        questions = sorted(self.q_first.values(), key=lambda m: m.t)
        for att in answerers:
            answered = 0
            for qmsg in questions:
                p = _ANSWER_P[att.persona]
                if rng.random() >= p:
                    continue
                if self.answer(att, qmsg, first_answer=answered == 0) is not None:
                    answered += 1
        # special payloads (attacker-controlled text that dashboards and reports must show escaped)
        for flag, payload in (("xss_script", "the ATS preview showed <script>alert(1)</script> instead of my name 🙃"),
                              ("xss_markdown", "my portfolio is here: [click](javascript:alert(1)) feedback welcome!")):
            if plan.flags.get(flag) and questions:
                regs = self.who("regular") or self.who("seeker")
                qmsg = questions[min(1, len(questions) - 1)]
                author = regs[0].person
                n = qmsg.question
                t = qmsg.t + rng.uniform(40, 120) * _SEC
                self.answers.append(self.emit(t, author, self.hashtag(f"A{n}: {payload}", 1.0), "answer", q=n,
                                              style="An:", theme=self.theme_of[n]))

    def answer(self, att: Attendee, qmsg: Msg, *, first_answer: bool, t: float | None = None) -> Msg | None:
        rng = self.rng
        n = qmsg.question
        theme = self.theme_of[n]
        p = att.person
        if t is None:
            t = qmsg.t + max(15 * _SEC, self.ln(95 * self.difficulty[n] * _LATENCY.get(att.persona, 1.0), 0.7) * _SEC)
        t = int(min(t, qmsg.t + 25 * _MIN))
        joined = self.joined.get(p.uid)
        if joined is not None and t < joined + 20 * _SEC:
            if self.next_question_time(n) < joined:
                return None  # joined after this question was over
            t = joined + int(self.rng.uniform(30, 120) * _SEC)
        nxt = self.next_question_time(n)
        in_window = t < nxt - 5 * _SEC
        after_end = t >= self.end - 5 * _SEC
        r = rng.random()
        if self.tw:
            if after_end:
                style = "tag" if r < 0.85 else "thread"
            elif in_window:
                style = "tag" if r < 0.6 else "tag_reply" if r < 0.67 else "thread" if r < 0.79 else \
                    "quote" if r < 0.83 else "untagged"
            else:
                style = "tag" if r < 0.8 else "tag_reply" if r < 0.88 else "thread" if r < 0.985 else "ambiguous"
        else:
            if after_end:
                style = "thread"
            elif in_window:
                style = "thread" if r < 0.62 else "tag_reply" if r < 0.72 else "tag" if r < 0.88 else "untagged"
            else:
                style = "thread" if r < 0.75 else "tag_reply" if r < 0.85 else "tag" if r < 0.99 else "ambiguous"
        if att.persona in ("moderator", "sponsor", "self_promoter") and style not in ("tag", "tag_reply"):
            style = "tag" if self.tw or r < 0.5 else "tag_reply"  # hosts and brands always tag their answers
        body, asks = self.answer_body(att, theme, first_answer=first_answer, question=n)
        mentions: list[Person] = []
        urls: list[str] = []
        if att.persona == "self_promoter":
            link = self.link(p.promo[0], "/course")
            body = f"{body} I cover this in my course 👉 {link}"
            urls.append(link)
        elif att.persona == "sponsor":
            body = f"{body} Our coaches say this all the time. {self.ctx.sponsor_tag or ''}".strip()
        elif not asks:
            body, extra = self.sponsor_mention(body)
            mentions += extra
        tag_n, ambiguous = n, False
        if style in ("tag", "tag_reply") and rng.random() < 0.006:
            tag_n = n + 1 if n + 1 in self.theme_of else n - 1
            ambiguous = tag_n != n
        form = p.tag_form if rng.random() < 0.85 else rng.choice(("An:", "An", "an)", "A.n", "#An", "An/Qn",
                                                                    "an -", "An -"))
        if style == "tag_reply" and form == "An (end)":
            form = "An:"
        kind, parent, quoted, truth_style = "post", None, None, form
        if style == "tag":
            text = _fmt_tag(form, tag_n, body)
        elif style == "tag_reply":
            prefix, people = self.reply_prefix(qmsg, p)
            mentions = people + mentions
            text = prefix + _fmt_tag(form, tag_n, body)
            kind, parent = "reply", qmsg
        elif style == "thread":
            prefix, people = self.reply_prefix(qmsg, p)
            mentions = people + mentions
            text = prefix + body
            kind, parent, truth_style = "reply", qmsg, "thread"
        elif style == "quote":
            text = body
            kind, quoted, truth_style = "quote", qmsg, "quote"
        else:  # untagged (in time) or ambiguous (untagged, after the next question)
            text = body
            truth_style = "untagged"
            ambiguous = ambiguous or style == "ambiguous"
        text = self.hashtag(text, 0.93)
        if not self.fits(text, urls):
            text = text.replace(" (first time here, be gentle 😅)", "")
        msg = self.emit(t, p, text, "answer", kind=kind, parent=parent, quoted=quoted, mentions=mentions, urls=urls,
                        q=n, style=truth_style, ambiguous=ambiguous, persona=att.persona, theme=theme, asks=asks)
        self.answers.append(msg)
        return msg

    def advice_reply(self, helper: Person, target: Msg, *, delay: float | None = None, agree: bool = False) -> Msg:
        rng = self.rng
        prefix, people = self.reply_prefix(target, helper)
        if agree:
            body = rng.choice(T.AGREEMENTS)
        else:
            body = rng.choice(T.ADVICE_CONNECTORS) + self.advice(target.theme or "mindset", target.question)
        style = "thread"
        if not agree and self.tw and rng.random() < 0.08 and target.question:
            body = _fmt_tag("An:", target.question, body)
            style = "An:"
        t = target.t + (delay if delay is not None else self.ln(85, 0.6) * _SEC)
        joined = self.joined.get(helper.uid)
        if joined is not None and t < joined:
            t = joined + self.rng.uniform(20, 90) * _SEC
        msg = self.emit(t, helper, self.hashtag(prefix + body, 0.55), "answer", kind="reply", parent=target,
                        mentions=people, q=target.question, style=style, theme=target.theme,
                        ambiguous=target.ambiguous and style == "thread")
        if not agree:
            self.helps.append((helper, target.author, msg))
        return msg

    def thank(self, person: Person, target: Msg, delay: float) -> Msg:
        prefix, people = self.reply_prefix(target, person)
        opener = self.rng.choice(("Thank you! ", "Thanks so much! ", "Thanks! ", "Thank you, this helps! ", "Ty! "))
        text = prefix + opener + self.rng.choice(T.THANKS_LINES)
        return self.emit(target.t + delay, person, self.hashtag(text, 0.4), "social", kind="reply", parent=target,
                         mentions=people)

    def threads(self) -> None:
        rng, plan, ctx = self.rng, self.plan, self.ctx
        chat_answers = [m for m in self.answers if m.phase == "chat" and m.category == "answer"]
        helpers_adv = [a.person for a in self.who("advocate")]
        helpers_all = helpers_adv + [a.person for a in self.who("regular", "recruiter")] + [ctx.mod2]
        # 1. seekers' asks get advice, and the asker often says thanks
        for ans in [m for m in chat_answers if m.asks]:
            if not self.can_reply_to(ans.author):
                continue
            pool = [h for h in helpers_adv + helpers_adv + helpers_all if h is not ans.author]
            if not pool:
                continue
            chosen: list[Person] = []
            for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
                h = rng.choice(pool)
                if h not in chosen:
                    chosen.append(h)
            for h in chosen:
                reply = self.advice_reply(h, ans)
                if rng.random() < 0.55:
                    self.thank(ans.author, reply, rng.uniform(30, 240) * _SEC)
                if rng.random() < 0.1:
                    others = [x for x in helpers_all if x is not h and x is not ans.author]
                    if others:
                        self.advice_reply(rng.choice(others), reply, agree=True)
        # 2. advocates reply with advice to many distinct people
        for adv in helpers_adv:
            targets = [m for m in chat_answers if m.author is not adv and self.can_reply_to(m.author)
                       and self.persona.get(m.author.uid) not in ("self_promoter", "sponsor")
                       and m.author is not ctx.mod1]
            seen: set[str] = set()
            for m in rng.sample(targets, min(len(targets), rng.randint(2, 5))):
                if m.author.uid in seen:
                    continue
                seen.add(m.author.uid)
                reply = self.advice_reply(adv, m)
                if rng.random() < 0.4:
                    self.thank(m.author, reply, rng.uniform(30, 300) * _SEC)
        # 3. the co-host and regulars react to answers (agreement or a short addition)
        targets = [m for m in chat_answers if self.can_reply_to(m.author) and m.author is not ctx.mod2]
        for m in rng.sample(targets, min(len(targets), rng.randint(2, 5))):
            self.advice_reply(ctx.mod2, m, agree=rng.random() < 0.5)
        for att in self.who("regular"):
            pool = [m for m in chat_answers if m.author is not att.person and self.can_reply_to(m.author)]
            if pool and rng.random() < 0.5:
                self.advice_reply(att.person, rng.choice(pool), agree=True)
            if pool and rng.random() < 0.25:
                self.advice_reply(att.person, rng.choice(pool))
        # 4. newcomers who are to get a reply but said nothing social get one on their first answer
        for att in self.who("newcomer"):
            if att.got_reply and att.person.uid not in self.replied:
                mine = [m for m in chat_answers if m.author is att.person]
                if mine and helpers_adv:
                    self.advice_reply(rng.choice(helpers_adv), mine[0])
        # 5. now and then a self-promoter hijacks a seeker's thread
        if self.tw:
            promoters = self.who("self_promoter")
            asks = [m for m in chat_answers if m.asks and self.can_reply_to(m.author)]
            if promoters and asks and rng.random() < 0.3:
                sp = rng.choice(promoters).person
                target = rng.choice(asks)
                link = self.link(sp.promo[0], "/book")
                prefix, people = self.reply_prefix(target, sp)
                msg = self.emit(target.t + rng.uniform(60, 300) * _SEC, sp,
                                f"{prefix}DM me, my coaching covers exactly this 👉 {link}", "promotional",
                                kind="reply", parent=target, mentions=people, urls=[link])
                self.promo_msgs.append(msg)

    def repost(self, person: Person, original: Msg, *, delay: float | None = None) -> Msg | None:
        if not self.tw or original.author is person or original.kind == "repost":
            return None
        delay = delay if delay is not None else self.ln(150, 1.0) * _SEC
        q = original.question
        style = "repost" if q else ""
        return self.emit(original.t + delay, person, "", original.category, kind="repost", reposted=original,
                         q=q, style=style, ambiguous=original.ambiguous)

    def spam(self, person: Person, t: float) -> Msg:
        rng = self.rng
        line = rng.choice(T.SPAM_LINES)
        code = "".join(rng.choice("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(7))
        link = rng.choice((f"https://bit.ly/{code}", f"https://crypto-signals-vip.biz/join?ref={code}",
                           f"https://earn-daily-now.xyz/{code}"))
        mentions: list[Person] = []
        if "{mentions}" in line:
            pool = [a.person for a in self.plan.attendees if a.got_reply and a.persona not in ("spam", "retweeter")]
            mentions = rng.sample(pool, min(3, len(pool)))
            line = line.replace("{mentions}", " ".join(f"@{m.handle}" for m in mentions))
        text = line.format(link=link)
        if self.tw:
            text += f" {self.ctx.hashtag} {rng.choice(('#WorkFromHome', '#crypto', '#Bitcoin', '#money'))}"
        msg = self.emit(t, person, text, "promotional", mentions=mentions, urls=[link])
        self.promo_msgs.append(msg)
        return msg

    def job_post(self, person: Person, t: float) -> Msg:
        rng = self.rng
        name, host, locations = person.company
        title = rng.choice(T.JOB_TITLES)
        link = f"https://{host}/jobs/{rng.randint(10000, 99999)}"
        text = rng.choice(("We're hiring! {title} ({loc}) 👉 {link}",
                           "Our team is growing: {title}, {loc}. Apply now 👉 {link}",
                           "Know a great {title}? We're hiring in {loc}! {link}",
                           "Open role: {title} at {name} ({loc}). Apply here 👉 {link}"))
        text = text.format(title=title, loc=rng.choice(locations), link=link, name=name)
        if self.tw:
            text += f" {self.ctx.hashtag} #hiring"
        msg = self.emit(t, person, text, "promotional", urls=[link])
        self.promo_msgs.append(msg)
        return msg

    def promotions(self) -> None:
        ctx, rng, plan = self.ctx, self.rng, self.plan
        s, e = self.start, self.end
        if ctx.sponsor is not None:
            for _ in range(rng.choice((1, 1, 2)) if self.tw else 1):
                link = self.link(ctx.sponsor_site, rng.choice(("/resume-scanner", "/interview-simulator", "/guide")))
                text = rng.choice((
                    "Struggling to get past the ATS? Check out our free resume scanner 👉 {link}",
                    "Nervous about interviews? Our free interview simulator is open to everyone. Check it out 👉 {link}",
                    "Download our free guide: 25 answers to the toughest interview questions 👉 {link}",
                    "We're hiring career coaches! Join the team 👉 {link}"))
                text = text.format(link=link)
                if self.tw:
                    text += f" {ctx.hashtag} {ctx.sponsor_tag}"
                self.promo_msgs.append(self.emit(s + rng.uniform(8, 50) * _MIN, ctx.sponsor, text, "promotional",
                                                 urls=[link]))
        for att in plan.attendees:
            p = att.person
            if att.persona == "self_promoter":
                domain, pitches = p.promo
                link = self.link(domain, rng.choice(("/course", "/masterclass", "/offer")))
                for _ in range(rng.randint(2, 4)):
                    text = rng.choice(pitches).format(link=link)
                    if self.tw:
                        text += f" {ctx.hashtag}" + rng.choice(("", " #resume", " #careers", " #jobsearch"))
                    self.promo_msgs.append(self.emit(s + rng.uniform(6, 58) * _MIN, p, text, "promotional",
                                                     urls=[link]))
            elif att.persona == "recruiter":
                for _ in range(rng.randint(1, 2)):
                    self.job_post(p, s + rng.uniform(6, 58) * _MIN)
            elif att.persona == "spam":
                for _ in range(rng.randint(3, 5) if self.tw else rng.randint(1, 2)):
                    self.spam(p, s + rng.uniform(2, 59) * _MIN)
        # chat-time chatter unrelated to the agenda (the timing alone would call it an answer)
        chatty = self.who("regular", "seeker")
        if chatty and self.q_posts and rng.random() < 0.5:
            t = s + rng.uniform(12, 55) * _MIN
            self.emit(t, rng.choice(chatty).person, self.hashtag(rng.choice(T.AMBIGUOUS_CHATTER), 0.9), "off_agenda",
                      ambiguous=True)

    def reposts(self) -> None:
        if not self.tw:
            return
        rng, ctx = self.rng, self.ctx
        good = [m for m in self.answers if m.kind != "repost" and self.can_reply_to(m.author)
                and self.persona.get(m.author.uid) in ("advocate", "moderator", "regular", "recruiter")]
        for att in self.who("retweeter"):
            for q in self.q_first.values():
                if rng.random() < 0.55:
                    self.repost(att.person, q)
            for m in rng.sample(good, min(len(good), rng.randint(1, 4))):
                self.repost(att.person, m)
            for m in self.promo_msgs:
                if m.author is ctx.sponsor and rng.random() < 0.3:
                    self.repost(att.person, m)
        for att in self.who("advocate", "regular", "seeker"):
            if good and rng.random() < (0.5 if att.persona == "advocate" else 0.2):
                m = rng.choice(good)
                if m.author is not att.person:
                    self.repost(att.person, m)
        if ctx.sponsor is not None:
            for m in self.answers:
                if ctx.sponsor in m.mentions and rng.random() < 0.7:
                    self.repost(ctx.sponsor, m)

    def closing(self) -> None:
        ctx, rng, plan = self.ctx, self.rng, self.plan
        e = self.end
        if self.tw:
            sponsor = f" and thanks @{ctx.sponsor.handle} for sponsoring" if ctx.sponsor is not None else ""
            text = (f"That's a wrap on tonight's {ctx.chat_label}! 🙌 Thank you all{sponsor}. Recap tomorrow. "
                    f"Same time next Monday!")
        else:
            text = "That's a wrap for today's office hours! 🙌 Thank you all. Recap tomorrow, see you next Thursday!"
        close = self.emit(e - rng.uniform(40, 110) * _SEC, ctx.mod1, text, "moderator",
                          mentions=[ctx.sponsor] if (self.tw and ctx.sponsor is not None) else [])
        if rng.random() < 0.7:
            self.emit(e - rng.uniform(5, 35) * _SEC, ctx.mod2,
                      self.hashtag("What a chat! Thanks for all the generous answers tonight 💙", 1.0), "moderator")
        for att in plan.attendees:
            if att.persona not in ("advocate", "regular", "seeker", "newcomer", "recruiter"):
                continue
            if rng.random() < 0.28:
                if rng.random() < 0.6:
                    prefix, people = self.reply_prefix(close, att.person)
                    text = rng.choice(("Thanks for hosting! Great chat tonight 🙌", "Thank you! Learned a lot tonight.",
                                       "Thanks {f}! See you next week 👋")).format(f=ctx.mod1.first)
                    self.emit(close.t + rng.uniform(10, 400) * _SEC, att.person, self.hashtag(prefix + text, 0.7),
                              "social", kind="reply", parent=close, mentions=people)
                else:
                    text = rng.choice(("Thanks everyone, see you next week! 👋", "Great chat tonight, thank you all 🙏",
                                       "Thank you all for the tips tonight 💙"))
                    if ctx.sponsor is not None and self.tw and rng.random() < 0.3:
                        text = f"Thanks @{ctx.sponsor.handle} for sponsoring! 💙 Great chat tonight."
                        self.emit(close.t + rng.uniform(10, 400) * _SEC, att.person, self.hashtag(text, 1.0),
                                  "social", mentions=[ctx.sponsor])
                    else:
                        self.emit(close.t + rng.uniform(10, 400) * _SEC, att.person, self.hashtag(text, 0.95),
                                  "social")

    def pay_it_forward(self) -> None:
        who = self.plan.flags.get("pif_announce")
        if not who:
            return
        att = next((a for a in self.plan.attendees if a.person.uid == who), None)
        if att is None:
            return
        text = ("Hi all! Some news: I start my new job next week!! 🎉 A few weeks ago I was the one asking all the "
                "questions here. Now it's my turn to pay it forward 💙")
        self.emit(self.start + self.rng.uniform(2, 4) * _MIN, att.person, self.hashtag(text, 1.0), "social")

    def follow_up(self) -> None:
        ctx, rng, plan = self.ctx, self.rng, self.plan
        e = self.end
        counts: dict[str, int] = {}
        for helper, _, _ in self.helps:
            if self.persona.get(helper.uid) != "moderator":
                counts[helper.uid] = counts.get(helper.uid, 0) + 1
        by_uid = {a.person.uid: a.person for a in plan.attendees}
        top = [by_uid[u] for u, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:3] if u in by_uid]
        link = f"{self.ctx.recap_base}/{plan.session_id}"
        names = ", ".join(f"@{p.handle}" for p in top[:-1]) + (f" and @{top[-1].handle}" if top else "")
        if self.tw:
            text = (f"📝 Recap of last night's {ctx.chat_label} on {plan.topic.short}: {link} "
                    f"Big thanks to {names} for the great advice 🙏" if top else
                    f"📝 Recap of last night's {ctx.chat_label} on {plan.topic.short}: {link}")
        else:
            text = f"📝 Recap of yesterday's office hours on {plan.topic.short}: {link}" + (
                f" Thanks {names} for the great advice 🙏" if top else "")
        delay = rng.uniform(13, 20) if self.tw else rng.uniform(19, 26)  # the next morning, local time
        recap = self.emit(e + delay * _HOUR, ctx.mod1, text, "moderator", mentions=top, urls=[link])
        for att in self.who("retweeter"):
            if rng.random() < 0.5:
                self.repost(att.person, recap, delay=rng.uniform(5, 300) * _MIN)
        # pairs who met in the chat talk again
        pairs = [(h, d, m) for h, d, m in self.helps if self.persona.get(d.uid) not in (None, "moderator")]
        rng.shuffle(pairs)
        seen: set[tuple[str, str]] = set()
        for helper, helped, advice in pairs:
            key = (helper.uid, helped.uid)
            if key in seen or len(seen) >= 8 or rng.random() > 0.35:
                continue
            seen.add(key)
            t = e + rng.uniform(1, 60) * _HOUR
            outcome = rng.choice(("I rewrote my summary this morning!", "I already got a reply from a recruiter 🎉",
                                  "it worked, I sent 3 messages today.", "I booked my first info interview!"))
            outcome = self.words.deal(advice.question, "outcomes", fallback=outcome)  # fits the advice's question
            if rng.random() < 0.5:
                prefix, people = self.reply_prefix(advice, helped)
                outcome = outcome[0].upper() + outcome[1:]
                msg = self.emit(t, helped, f"{prefix}Thanks again for the tip last night! {outcome}", "social",
                                kind="reply", parent=advice, mentions=people)
            else:
                text = (f"@{helper.handle} Following up from {ctx.chat_label if self.tw else 'office hours'}: "
                        f"tried your advice on {plan.topic.short} and {outcome}")
                msg = self.emit(t, helped, text, "off_agenda", mentions=[helper])
            if rng.random() < 0.5:
                prefix, people = self.reply_prefix(msg, helper)
                self.emit(msg.t + rng.uniform(10, 300) * _MIN, helper,
                          prefix + rng.choice(("Thanks for the update, congrats! 🙌",
                                               "Thank you for sharing, so happy for you!",
                                               "Hi! That's awesome, keep me posted 🙌")),
                          "social", kind="reply", parent=msg, mentions=people)
        # late answers to the last questions (tagged), and one more piece of advice in a question's thread
        questions = sorted(self.q_first.values(), key=lambda m: m.t)
        for att in self.who("regular", "seeker", "advocate"):
            if questions and rng.random() < 0.1:
                q = rng.choice(questions[-3:])
                n = q.question
                body = self.advice(self.theme_of[n], n)
                text = self.hashtag(f"A{n} (late, sorry!): {body}", 1.0)
                self.answers.append(self.emit(e + rng.uniform(1, 30) * _HOUR, att.person, text, "answer", q=n,
                                              style="An", theme=self.theme_of[n]))
        chat_asks = [m for m in self.answers if m.asks and self.can_reply_to(m.author)]
        advocates = [a.person for a in self.who("advocate")]
        if chat_asks and advocates and rng.random() < 0.6:
            target = rng.choice(chat_asks)
            helper = rng.choice(advocates)
            if helper is not target.author:
                self.advice_reply(helper, target, delay=rng.uniform(10, 40) * _HOUR)
        if ctx.sponsor is not None and rng.random() < 0.6:
            link = self.link(ctx.sponsor_site, f"/tips/{plan.session_id}")
            text = (f"Missed last night's {ctx.chat_label}? Download our free tip sheet on {plan.topic.short} 👉 {link} "
                    f"{ctx.sponsor_tag}" if self.tw else
                    f"Missed office hours? Download our free tip sheet on {plan.topic.short} 👉 {link}")
            self.promo_msgs.append(self.emit(e + rng.uniform(15, 40) * _HOUR, ctx.sponsor, text, "promotional",
                                             urls=[link]))
        for att in self.who("recruiter"):
            if rng.random() < 0.3:
                self.job_post(att.person, e + rng.uniform(2, 70) * _HOUR)
        for att in self.who("spam"):
            if rng.random() < 0.5:
                self.spam(att.person, e + rng.uniform(2, 70) * _HOUR)
        # stray posts outside every session window (mid-week job ads, spam)
        if plan.outside_ms is not None:
            for att in self.who("recruiter", "self_promoter", "spam"):
                if rng.random() < 0.25:
                    t = plan.outside_ms + rng.uniform(0, 20) * _HOUR
                    if att.persona == "recruiter":
                        self.job_post(att.person, t)
                    elif att.persona == "spam":
                        self.spam(att.person, t)
                    else:
                        domain, pitches = att.person.promo
                        link = self.link(domain, "/course")
                        text = rng.choice(pitches).format(link=link)
                        if self.tw:
                            text += f" {ctx.hashtag}"
                        self.promo_msgs.append(self.emit(t, att.person, text, "promotional", urls=[link]))

    # -- finishing touches ---------------------------------------------------------------------------------------
    def finish(self) -> list[Msg]:
        rng, plan = self.rng, self.plan
        msgs = sorted(self.msgs, key=lambda m: (m.t, m.seq))
        used: set[int] = set()
        for m in msgs:
            mid = snowflake(m.t, rng)
            while mid in used:
                mid += 1
            used.add(mid)
            m.id = mid
        if plan.flags.get("delete_one"):
            candidates = [m for m in msgs if m.kind == "post" and m.category == "answer" and m.style != "untagged"
                          and m.replies >= 1 and m.reposts == 0 and m.quotes == 0 and m.phase == "chat"]
            if candidates:
                gone = candidates[len(candidates) // 2]
                gone.deleted = True
                for m in msgs:
                    node = m.parent
                    while node is not None:
                        if node is gone:
                            m.ambiguous = m.ambiguous or m.category == "answer"
                            break
                        node = node.parent
        if plan.flags.get("edit_one"):
            candidates = [m for m in msgs if m.kind in ("post", "reply") and m.category == "answer" and not m.deleted]
            for m in rng.sample(candidates, min(2, len(candidates))):
                m.edited_from = snowflake(m.t - rng.randint(20, 90) * _SEC, rng)
        for m in msgs:
            self.engagement(m)
        return [m for m in msgs if not m.deleted]

    def engagement(self, m: Msg) -> None:
        rng = self.rng
        if m.kind == "repost":
            return
        persona = m.persona
        if m.category == "question":
            base = 14
        elif m.category == "moderator":
            base = 8
        elif m.category == "answer":
            base = {"advocate": 6, "moderator": 7, "sponsor": 4}.get(persona, 2.2)
        elif m.category == "promotional":
            base = {"sponsor": 9, "recruiter": 2.5}.get(persona, 0.4)
        else:
            base = 1.2
        scale = 1 + math.log10(max(m.author.followers, 10)) / 4
        m.likes = int(rng.lognormvariate(math.log(base * scale + 0.3), 0.7)) + m.replies // 2
        if persona == "spam":
            m.likes = 0


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
