"""The second generator: a weekly hashtag chat ('#CareerCafe', Tuesdays 19:00 UTC) with its own personas.

Written apart from :mod:`moderator_kit.synth` (no shared code, phrases or volumes): see the package docstring for the
assumptions that differ. Everything comes from one :class:`random.Random`, so a seed gives the same chat.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import polars as pl

from moderator_kit.config import ChatConfig
from moderator_kit.schema import conform

__all__ = ["AltChat", "generate_alt_chat", "ALT_PERSONAS"]

#: Personas of this generator, with how many people of each the roster holds.
ALT_PERSONAS = {"moderator": 2, "advocate": 7, "seeker": 9, "self_promoter": 3, "recruiter": 3, "retweeter": 6,
                "participant": 8, "spam": 2}

_TAG = "CareerCafe"
_FIRST = datetime(2026, 2, 3, 19, 0, tzinfo=timezone.utc)  # a Tuesday

_QUESTIONS = [
    "What is one habit that keeps your job search on track?",
    "How do you prepare for a panel interview?",
    "Where do you find roles that never get posted?",
    "How do you answer the salary expectations question?",
    "What do you do after a rejection email?",
    "How do you explain a gap on your CV?",
    "What makes a cover letter worth reading?",
    "How do you keep in touch with your network without being pushy?",
]
_TOPICS = ["informational interviews", "a weekly spreadsheet", "the STAR method", "alumni groups", "salary bands",
           "a short portfolio", "mock interviews with a friend", "follow-up notes", "volunteering", "meetups",
           "a two-line summary of each role", "time blocks every morning"]
_ADVICE = [
    "I block {t} into my calendar and treat it like a real meeting, it keeps me honest",
    "Try {t}: write down three wins each week and you will see the progress",
    "What worked for me was {t}, plus one message to an old colleague every Friday",
    "Keep it short: {t} and a clear ask at the end, people answer those",
    "Honestly {t} changed everything for me, start small and repeat it every week",
    "I lean on {t} and prepare two stories per skill so nothing catches me off guard",
    "Research the company first, then use {t} to shape what you say about impact",
    "Be specific: name the team, mention {t}, and say what you would do in the first month",
]
_DIRECT = [
    "@{p} you could start with {t}, it worked for me when I was in the same spot last year",
    "@{p} I was there too, {t} helped me a lot, and give yourself a fixed daily limit",
    "@{p} one thing that helps is {t}, then ask the recruiter about the process up front",
    "@{p} look at {t} first, and keep a log of every conversation so you can follow up",
]
_HELP = [
    "Any tips for {t}? I keep getting stuck at the first step",
    "I'm struggling with {t}, would love some advice from people who made it work",
    "Does anyone know how to approach {t} when you have no contacts in the field?",
    "How do I get better at {t}? Three interviews and no offer so far",
    "Could someone help me think through {t}? Feeling a bit lost this week",
]
_SEEKER_ANSWER = [
    "A{n}: I try {t} but not sure I do it right",
    "A{n}: still figuring this out, maybe {t} helps a little",
    "A{n}: for me it is {t} on good days, nothing on bad days",
]
_THANKS = [
    "@{p} thank you, that really helps!",
    "@{p} thanks so much, trying this tomorrow",
    "@{p} this is great advice, thank you",
]
_FOLLOW_THANKS = [
    "@{p} thanks for the tips last night, already sent two notes this morning",
    "Thank you @{p} for last night's advice on {t}!",
    "@{p} still thinking about your answer from the chat, thank you",
]
_PROMO = [
    "New post on my blog about {t}: {u}",
    "If {t} is your thing, my course covers it step by step {u}",
    "Just released a free guide on {t} {u}",
    "I coach people through {t} every week, book a slot {u}",
    "My newsletter this week is all about {t} {u}",
    "Wrote down everything I know about {t} here {u}",
]
_JOBS = [
    "We're hiring a {r} at {c}, remote friendly. Apply here: {u}",
    "Now hiring: {r} on our platform team at {c} {u} #hiring",
    "{c} has an open role for a {r}, apply now {u}",
    "Join our team at {c}! Looking for a {r} {u}",
]
_ROLES = ["data analyst", "product designer", "support lead", "backend engineer", "recruiting coordinator"]
_INTRO = [
    "Hi everyone, {n} here, {j} from {city}",
    "Hello #CareerCafe! {n}, {j}, glad to be here",
    "Evening all, {n} checking in, {j}",
]
_NEW = [
    "First time joining #CareerCafe, I'm {n}, {j}",
    "Hi all, new here! {n}, {j} from {city}",
]
_JOBS_NOW = ["between jobs", "career changer", "bootcamp grad", "teacher moving into tech", "project manager"]
_CITIES = ["Leeds", "Austin", "Pune", "Lagos", "Lyon", "Denver", "Manila"]
_AGREE = ["+1 so true", "This! Exactly", "Same here", "Love this"]
_SPAM = ["Earn 500 a day from home, no experience needed {u}", "Free followers fast, click {u}"]


@dataclass
class AltChat:
    """A generated chat: schema messages, the config to analyse it with, and the truth per (session, person)."""

    messages: pl.DataFrame
    config: ChatConfig
    truth: pl.DataFrame


@dataclass
class _Msg:
    id: str
    handle: str
    t: datetime
    text: str
    kind: str = "post"
    parent: _Msg | None = None
    repost_of: _Msg | None = None
    likes: int = 0
    urls: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)


class _Session:
    def __init__(self, rng: random.Random, start: datetime, number: int, counter: list[int]):
        self.rng, self.start, self.number, self.counter = rng, start, number, counter
        self.out: list[_Msg] = []

    def at(self, minutes: float) -> datetime:
        return self.start + timedelta(minutes=minutes, seconds=self.rng.randint(0, 59))

    def emit(self, handle: str, minutes: float, text: str, *, kind: str = "post", parent: _Msg | None = None,
             repost_of: _Msg | None = None, likes: int = 0, urls: list[str] | None = None) -> _Msg:
        self.counter[0] += 1
        mentions = [w[1:].rstrip(".,!:?").lower() for w in text.split() if w.startswith("@")]
        msg = _Msg(str(10_000_000 + self.counter[0]), handle, self.at(minutes), text, kind, parent, repost_of, likes,
                   urls or [], mentions)
        self.out.append(msg)
        return msg


def _url(site: str, rng: random.Random) -> str:
    return f"https://{site}/{rng.choice(['post', 'p', 'go', 'a'])}/{rng.randint(100, 999)}"


def _simulate(s: _Session, attending: dict[str, list[str]], newcomers: list[str], moderators: list[str]) -> None:
    rng = s.rng
    pick = rng.choice
    mod = moderators[s.number % len(moderators)]
    s.emit(mod, 0, f"Welcome to #{_TAG}! Five questions tonight, answer with A1, A2 ... and the hashtag", likes=3)
    asked = rng.sample(_QUESTIONS, 5)
    qposts = [s.emit(mod, 5 + 10 * i, f"Q{i + 1}: {q} #{_TAG}", likes=rng.randint(2, 6))
              for i, q in enumerate(asked)]
    answers: list[_Msg] = []
    helps: list[_Msg] = []

    for handle in newcomers:
        s.emit(handle, rng.uniform(1, 6), pick(_NEW).format(n=handle, j=pick(_JOBS_NOW), city=pick(_CITIES)))
    for handle in attending.get("seeker", []):
        if rng.random() < 0.6:
            s.emit(handle, rng.uniform(1, 5), pick(_INTRO).format(n=handle, j=pick(_JOBS_NOW), city=pick(_CITIES)))
        for _ in range(rng.randint(1, 3)):
            helps.append(s.emit(handle, rng.uniform(6, 45), pick(_HELP).format(t=pick(_TOPICS)) + f" #{_TAG}",
                                likes=rng.randint(0, 2)))
        for n in rng.sample(range(5), rng.randint(1, 2)):  # seekers answer too
            answers.append(s.emit(handle, 7 + 10 * n + rng.uniform(0, 6),
                                  pick(_SEEKER_ANSWER).format(n=n + 1, t=pick(_TOPICS)) + f" #{_TAG}",
                                  likes=rng.randint(0, 2)))
    for handle in attending.get("advocate", []):
        for n in sorted(rng.sample(range(5), rng.randint(3, 5))):
            text = pick(_ADVICE).format(t=pick(_TOPICS))
            if rng.random() < 0.75:
                msg = s.emit(handle, 6 + 10 * n + rng.uniform(0, 7), f"A{n + 1}: {text} #{_TAG}",
                             likes=rng.randint(2, 14))
            else:  # an untagged reply straight under the question
                msg = s.emit(handle, 6 + 10 * n + rng.uniform(0, 7), f"@{qposts[n].handle} {text}", kind="reply",
                             parent=qposts[n], likes=rng.randint(2, 14))
            answers.append(msg)
        targets = [h for h in helps if h.handle != handle]
        for target in rng.sample(targets, min(len(targets), rng.randint(1, 2))):
            advice = s.emit(handle, (target.t - s.start).total_seconds() / 60 + rng.uniform(1, 5),
                            pick(_DIRECT).format(p=target.handle, t=pick(_TOPICS)), kind="reply", parent=target,
                            likes=rng.randint(1, 6))
            if rng.random() < 0.7:  # the seeker thanks the helper
                s.emit(target.handle, (advice.t - s.start).total_seconds() / 60 + rng.uniform(1, 4),
                       pick(_THANKS).format(p=handle), kind="reply", parent=advice)
    for handle in attending.get("participant", []):
        if rng.random() < 0.7:
            s.emit(handle, rng.uniform(1, 6), pick(_INTRO).format(n=handle, j=pick(_JOBS_NOW), city=pick(_CITIES)))
        for n in rng.sample(range(5), rng.randint(1, 2)):
            answers.append(s.emit(handle, 7 + 10 * n + rng.uniform(0, 6),
                                  f"A{n + 1}: {pick(_TOPICS)} mostly #{_TAG}", likes=rng.randint(0, 3)))
        if answers:
            parent = pick(answers)
            if parent.handle != handle:
                s.emit(handle, (parent.t - s.start).total_seconds() / 60 + 2, f"@{parent.handle} {pick(_AGREE)}",
                       kind="reply", parent=parent)
    for handle in newcomers:
        for n in rng.sample(range(5), rng.randint(1, 3)):
            answers.append(s.emit(handle, 8 + 10 * n + rng.uniform(0, 5),
                                  f"A{n + 1}: I think {pick(_TOPICS)} #{_TAG}", likes=rng.randint(0, 3)))
    for handle in attending.get("self_promoter", []):
        site = f"{handle.replace('_', '')}.com"
        for _ in range(rng.randint(3, 6)):
            s.emit(handle, rng.uniform(3, 58), pick(_PROMO).format(t=pick(_TOPICS), u=_url(site, rng)) + f" #{_TAG}",
                   urls=[], likes=rng.randint(0, 1))
    for handle in attending.get("recruiter", []):
        company = handle.split("_")[0].title()
        for _ in range(rng.randint(2, 4)):  # job posts only: no answers, no replies
            s.emit(handle, rng.uniform(2, 58), pick(_JOBS).format(r=pick(_ROLES), c=company,
                                                                  u=_url(f"jobs.{company.lower()}.io", rng)))
    for handle in attending.get("spam", []):
        text = pick(_SPAM).format(u=f"https://cl1ck-{handle}.biz/x")
        for _ in range(rng.randint(3, 5)):
            s.emit(handle, rng.uniform(1, 59), f"{text} #{_TAG}")
    liked = [m for m in answers if m.likes >= 2] or answers or qposts
    for handle in attending.get("retweeter", []):
        for original in rng.sample(liked + qposts, min(len(liked) + len(qposts), rng.randint(3, 7))):
            s.emit(handle, min(59.0, (original.t - s.start).total_seconds() / 60 + rng.uniform(0.5, 4)), "",
                   kind="repost", repost_of=original)
        if rng.random() < 0.8:  # next day, in the follow-up window: one thank-you
            helper = pick([m.handle for m in liked if m.handle != handle] or [mod])
            s.emit(handle, 60 * 20 + rng.uniform(0, 120), pick(_FOLLOW_THANKS).format(p=helper, t=pick(_TOPICS)))
    s.emit(mod, 58, f"That's a wrap on #{_TAG} tonight, thank you all for the answers!", likes=4)


def _frame(messages: list[_Msg]) -> pl.DataFrame:
    rows = []
    for m in messages:
        urls = m.urls or [w for w in m.text.split() if w.startswith("https://")]
        repost = m.repost_of
        rows.append({
            "platform": "twitter", "chat": "careercafe", "channel": _TAG.lower(), "message_id": m.id,
            "author_id": f"u-{m.handle}", "author_handle": m.handle, "author_name": m.handle.replace("_", " ").title(),
            "author_followers": 100 + len(m.handle) * 37, "created_at": m.t,
            "text": f"RT @{repost.handle}: {repost.text}" if repost else m.text, "kind": m.kind,
            "reply_to_message_id": m.parent.id if m.parent else None,
            "reply_to_author_handle": m.parent.handle if m.parent else None,
            "reply_to_author_id": f"u-{m.parent.handle}" if m.parent else None,
            "repost_of_message_id": repost.id if repost else None,
            "repost_of_author_handle": repost.handle if repost else None,
            "repost_of_author_id": f"u-{repost.handle}" if repost else None,
            "mentions": m.mentions + ([repost.handle] if repost else []),
            "hashtags": [w.lstrip("#").lower().rstrip(".,!") for w in m.text.split() if w.startswith("#")],
            "urls": urls, "like_count": m.likes, "repost_count": 0, "reply_count": 0, "source_app": "Twitter Web App",
            "lang": "en", "source_format": "synth_alt",
        })
    frame = pl.DataFrame(rows, infer_schema_length=None)
    reposts = frame.filter(pl.col("kind") == "repost").group_by("repost_of_message_id").agg(n=pl.len())
    frame = frame.join(reposts.rename({"repost_of_message_id": "message_id"}), on="message_id", how="left",
                       maintain_order="left").with_columns(repost_count=pl.col("n").fill_null(0)).drop("n")
    return conform(frame.sort("created_at", "message_id"))


def generate_alt_chat(seed: int = 1, sessions: int = 4) -> AltChat:
    """A '#CareerCafe' chat of ``sessions`` weekly sessions; the same seed gives the same chat."""
    rng = random.Random(seed)
    roster = {persona: [f"{persona[:4]}_{rng.choice(_CITIES).lower()}{i}{seed}" for i in range(n)]
              for persona, n in ALT_PERSONAS.items()}
    moderators = roster.pop("moderator")
    counter = [0]
    messages: list[_Msg] = []
    truth = []
    for number in range(sessions):
        start = _FIRST + timedelta(weeks=number)
        session_id = start.date().isoformat()
        attending = {p: [h for h in people if rng.random() < (0.5 if p == "spam" else 0.75)]
                     for p, people in roster.items()}
        newcomers = [f"new_{number}_{i}_{seed}" for i in range(rng.randint(2, 4))]
        state = _Session(rng, start, number, counter)
        _simulate(state, attending, newcomers, moderators)
        messages.extend(state.out)
        people = {m.handle for m in state.out}
        personas = {h: p for p, hs in roster.items() for h in hs} | {h: "newcomer" for h in newcomers} | {
            h: "moderator" for h in moderators}
        truth.extend({"session_id": session_id, "handle": h, "persona": personas[h]} for h in sorted(people))
    config = ChatConfig(
        chat="careercafe", title="#CareerCafe (second generator)", platform="twitter", hashtags=[_TAG],
        schedule={"weekday": "tuesday", "time": "19:00", "timezone": "UTC", "duration_minutes": 60,
                  "pre_minutes": 15, "follow_up_hours": 48},
        moderators=moderators,
    )
    return AltChat(_frame(messages), config, pl.DataFrame(truth).sort("session_id", "handle"))
