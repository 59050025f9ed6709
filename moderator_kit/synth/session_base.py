"""The state of one simulated session and the primitives every phase posts with: timing, ``emit`` (the one place
a message is made), reply prefixes, advice and answer texts, and the finishing touches (ids, deletions, edits,
likes).

The phases themselves are mixins (:mod:`moderator_kit.synth.session_chat`,
:mod:`moderator_kit.synth.session_around`); :func:`moderator_kit.synth.engine.simulate_session` runs them.
"""

from __future__ import annotations

import math
import random

from moderator_kit.synth import text as T
from moderator_kit.synth.people import Person, snowflake
from moderator_kit.synth.phrases import PhraseDealer
from moderator_kit.synth.plan import SEC, Attendee, ChatContext, Msg, SessionPlan

__all__ = ["SessionBase"]

#: Wording fixes for a chat that runs at noon on Thursdays instead of Monday evenings.
_NOON = (("tonight's", "today's"), ("tonight", "today"), ("last night", "yesterday"), ("Good evening", "Good morning"),
         ("Long Monday", "Long week"), ("Happy Monday", "Happy Thursday"))


class SessionBase:
    """A session being simulated: its plan, random stream and messages so far, and the primitives of the phases."""

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
            if abs(t - edge) < 3 * SEC:
                t = edge + 3 * SEC + self.rng.randint(0, 2000)
        return t

    def hashtag(self, text: str, p: float = 0.95) -> str:
        if self.tw and self.ctx.hashtag and self.rng.random() < p and self.ctx.hashtag.lower() not in text.lower():
            return f"{text} {self.ctx.hashtag}"
        return text

    def emit(self, t: float, author: Person, text: str, category: str, *, kind: str = "post", parent: Msg = None,
             quoted: Msg = None, reposted: Msg = None, mentions=(), urls=(), q: int | None = None, style: str = "",
             ambiguous: bool = False, persona: str | None = None, theme: str = "", asks: bool = False) -> Msg:
        if parent is not None:
            t = max(t, parent.t + 8 * SEC + self.rng.randint(0, 4000))
        if reposted is not None:
            t = max(t, reposted.t + 5 * SEC + self.rng.randint(0, 4000))
        if quoted is not None:
            t = max(t, quoted.t + 20 * SEC)
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
                m.edited_from = snowflake(m.t - rng.randint(20, 90) * SEC, rng)
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
