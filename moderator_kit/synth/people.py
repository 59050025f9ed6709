"""Synthetic participants: names, handles, heavy-tailed follower counts, sources and answer-tag habits.

Examples
--------
>>> import random
>>> factory = PeopleFactory(random.Random(1), platform="twitter")
>>> ann = factory.make("advocate")
>>> ann.persona, ann.followers > 0, len(ann.handle) <= 15
('advocate', True, True)
>>> factory.make("regular").handle.lower() != ann.handle.lower()
True
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from moderator_kit.synth import text as T

__all__ = ["Person", "PeopleFactory", "PERSONAS", "TAG_FORMS", "STATUS_LINES", "SNOWFLAKE_EPOCH_MS", "snowflake"]

#: Every persona the generator plays (the synth ground truth vocabulary).
PERSONAS = ("moderator", "sponsor", "advocate", "self_promoter", "seeker", "recruiter", "newcomer", "regular",
            "spam", "retweeter")

#: Answer-tag forms people use, as written in truth.csv ``answer_style`` ('n' stands for the number), with weights.
TAG_FORMS = (("An:", 40), ("An", 14), ("an)", 6), ("A.n", 6), ("#An", 8), ("An/Qn", 5), ("an -", 6), ("An -", 11),
             ("An (end)", 4))

#: Twitter's snowflake epoch (2010-11-04T01:42:54.657Z).
SNOWFLAKE_EPOCH_MS = 1288834974657

_SOURCES = {
    "moderator": (("TweetDeck", 6), ("Twitter Web App", 4)),
    "sponsor": (("Hootsuite Inc.", 8), ("Twitter Web App", 2)),
    "advocate": (("Twitter Web App", 4), ("TweetDeck", 3), ("Twitter for iPhone", 3)),
    "self_promoter": (("Buffer", 6), ("Twitter Web App", 3), ("Hootsuite Inc.", 1)),
    "recruiter": (("LinkedIn", 3), ("Twitter Web App", 4), ("Twitter for iPhone", 3)),
    "spam": (("SpamBlaster 3000", 1),),
    "default": (("Twitter for iPhone", 45), ("Twitter Web App", 28), ("Twitter for Android", 18),
                ("Twitter for iPad", 5), ("TweetDeck", 4)),
}

#: (median followers, sigma of the log) by persona: heavy-tailed, log-normal.
_FOLLOWERS = {
    "advocate": (2400, 0.9), "regular": (600, 1.0), "seeker": (260, 1.0), "newcomer": (170, 1.1),
    "recruiter": (3500, 0.7), "self_promoter": (9000, 0.6), "retweeter": (900, 1.2), "moderator": (9000, 0.3),
}

_DESCRIPTIONS = {
    "advocate": ("Career coach. I help mid-career folks find work they love. Opinions my own.",
                 "HR lead & hiring manager. Here to demystify the hiring process.",
                 "Recovering recruiter, now career coach. Resume nerd.",
                 "Mentor | {role} | Helping people break into tech"),
    "regular": ("{role} in {city}. Coffee, books and #JobHuntChat on Mondays.",
                "{role}. Lifelong learner.", "Mom of two. {role}. Always learning.",
                "Between roles, open to {role} opportunities."),
    "seeker": ("Looking for my next {role} role. Open to work.", "Career changer → {role}. {city}.",
               "Laid off, not laid back. Seeking {role} roles.", "{role} | Open to work | {city}"),
    "newcomer": ("{role} | {city}", "Just here to learn.", "Aspiring {role}.", "{city}. Job hunting."),
    "retweeter": ("Sharing the best career advice I find. RT ≠ endorsement.", "Job search tips, all day.",
                  "Retweeting good vibes & job leads"),
    "recruiter": ("Talent acquisition @ {company}. We're hiring!", "Recruiter at {company}. DMs open for job seekers.",
                  "People & culture, {company}."),
}

STATUS_LINES = {
    "advocate": ("Career coach, here to help where I can.", "HR lead, happy to answer questions tonight.",
                 "Hiring manager by day, career-chat nerd by night."),
    "regular": ("Back again this week!", "Here to learn as always.", "Still searching, still showing up 💪",
                "Happy Monday, everyone."),
    "seeker": ("Looking for my next {role} role.", "Job hunting after a layoff in November.",
               "Trying to switch into {role}."),
    "newcomer": ("Looking for {role} roles.", "Recently laid off and figuring things out.",
                 "A friend told me about this chat!"),
}


def snowflake(t_ms: int, rng: random.Random) -> int:
    """A Twitter-style id for a moment: time in the high bits, a random worker and sequence in the low bits.

    >>> import random
    >>> a = snowflake(1768269600000, random.Random(0))
    >>> ((a >> 22) + SNOWFLAKE_EPOCH_MS) == 1768269600000
    True
    """
    return ((t_ms - SNOWFLAKE_EPOCH_MS) << 22) | (rng.getrandbits(10) << 12) | rng.getrandbits(4)


def _weighted(rng: random.Random, pairs) -> str:
    total = sum(w for _, w in pairs)
    x = rng.random() * total
    for value, weight in pairs:
        x -= weight
        if x < 0:
            return value
    return pairs[-1][0]


@dataclass(eq=False)
class Person:
    """One participant. ``persona`` is the behaviour the generator gives them when they first appear."""

    uid: str
    handle: str
    name: str
    persona: str
    first: str
    followers: int
    following: int
    tweet_count: int
    listed: int
    created_at: str
    description: str
    location: str
    city: str
    role: str
    source: str
    alt_source: str
    tag_form: str
    verified: bool = False
    url: str | None = None
    promo: tuple | None = None  # self-promoters: (domain, pitches)
    company: tuple | None = None  # recruiters: (name, host, locations)
    avatar: str = ""
    extra: dict = field(default_factory=dict)

    def pick_source(self, rng: random.Random) -> str:
        return self.alt_source if rng.random() < 0.12 else self.source


class PeopleFactory:
    """Makes unique, reproducible participants for one platform ('twitter' or 'slack')."""

    def __init__(self, rng: random.Random, platform: str = "twitter", *, year_range: tuple[int, int] = (2009, 2025),
                 not_after: datetime | None = None):
        self.rng = rng
        self.platform = platform
        self.year_range = year_range
        self.not_after = not_after  # no account is created after this moment (long benchmark runs start early)
        self._handles: set[str] = set()
        self._uids: set[str] = set()
        self._serial = 0

    # -- ids -----------------------------------------------------------------------------------------------------
    def _uid(self, created: datetime) -> str:
        rng = self.rng
        while True:
            if self.platform == "slack":
                alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
                uid = "U0" + "".join(rng.choice(alphabet) for _ in range(9))
            elif created.year < 2014:
                uid = str(rng.randint(10_000_000, 2_999_999_999))
            else:
                uid = str(snowflake(int(created.timestamp() * 1000), rng))
            if uid not in self._uids:
                self._uids.add(uid)
                return uid

    def _handle(self, first: str, last: str, persona: str) -> str:
        rng = self.rng
        clean_first = re.sub(r"[^A-Za-z]", "", first) or "Jo"
        clean_last = re.sub(r"[^A-Za-z]", "", last) or "Lee"
        if self.platform == "slack":
            patterns = [f"{clean_first}_{clean_last}", f"{clean_first}.{clean_last}", f"{clean_first}{clean_last[0]}",
                        f"{clean_first[0]}{clean_last}"]
        else:
            patterns = [f"{clean_first}{clean_last}", f"{clean_first}_{clean_last}", f"{clean_first[0]}{clean_last}",
                        f"{clean_first}{clean_last}{rng.randint(1, 99)}", f"{clean_first}Writes",
                        f"the{clean_first}{clean_last[0]}", f"{clean_first}_{rng.choice(['HR', 'UX', 'PM', 'jobs'])}",
                        f"{clean_first.lower()}_{clean_last.lower()}"]
            if persona == "advocate":
                patterns += [f"Coach{clean_first}", f"{clean_first}OnCareers", f"{clean_first}{clean_last}HR"]
        for _ in range(50):
            handle = rng.choice(patterns)[:15]
            if self.platform == "slack":
                handle = handle.lower()
            if handle.lower() not in self._handles:
                break
            patterns.append(f"{clean_first}{clean_last[:3]}{rng.randint(100, 999)}")
        else:  # pragma: no cover - 50 collisions in a row would need thousands of people with the same name
            self._serial += 1
            handle = f"{clean_first[:8]}{self._serial}"
        self._handles.add(handle.lower())
        return handle

    def reserve(self, handle: str) -> None:
        self._handles.add(handle.lower())

    # -- people --------------------------------------------------------------------------------------------------
    def make(self, persona: str, *, first: str | None = None, last: str | None = None, handle: str | None = None,
             name: str | None = None, followers: int | None = None, created: datetime | None = None,
             **extra) -> Person:
        rng = self.rng
        first = first or rng.choice(T.FIRST_NAMES)
        last = last or rng.choice(T.LAST_NAMES)
        if handle is None:
            handle = self._handle(first, last, persona)
        else:
            if self.platform == "twitter" and not re.fullmatch(r"\w{1,15}", handle):
                raise ValueError(f"{handle!r} is not a Twitter handle (1-15 letters, digits or _)")
            self.reserve(handle)
        if created is None:
            low, high = self.year_range
            if persona in ("newcomer", "seeker"):
                low = min(max(low, 2015), high)
            year = rng.randint(low, high)
            created = datetime(year, rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59),
                               rng.randint(0, 59), tzinfo=timezone.utc)
        if self.not_after is not None and created > self.not_after:
            created = self.not_after - timedelta(days=rng.randint(30, 900), seconds=rng.randint(0, 86399))
        if followers is None:
            median, sigma = _FOLLOWERS.get(persona, (400, 1.0))
            followers = max(3, int(rng.lognormvariate(math.log(median), sigma)))
        following = max(12, min(5000, int(followers * rng.uniform(0.25, 1.6)) + rng.randint(10, 300)))
        tweet_count = max(20, int(rng.lognormvariate(math.log(2500), 1.1)))
        listed = max(0, int(followers / rng.uniform(60, 180)))
        city = rng.choice(T.CITIES)
        role = rng.choice(T.TARGET_ROLES)
        company = extra.pop("company", None)
        template = rng.choice(_DESCRIPTIONS.get(persona, ("",)))
        description = template.format(role=role, city=city, company=company[0] if company else "")
        sources = _SOURCES.get(persona, _SOURCES["default"])
        source = _weighted(rng, sources)
        alt_source = _weighted(rng, _SOURCES["default"])
        tag_form = _weighted(rng, TAG_FORMS)
        person = Person(
            uid=self._uid(created), handle=handle, name=name or f"{first} {last}", persona=persona, first=first,
            followers=followers, following=following, tweet_count=tweet_count, listed=listed,
            created_at=created.strftime("%Y-%m-%dT%H:%M:%S.000Z"), description=description,
            location=rng.choice((city, f"{city}", "", "Remote", f"{city} / Remote")), city=city, role=role,
            source=source, alt_source=alt_source, tag_form=tag_form, company=company,
            avatar="".join(rng.choice("0123456789abcdef") for _ in range(12)), **extra)
        return person

    def status(self, person: Person, persona: str) -> str:
        lines = STATUS_LINES.get(persona, STATUS_LINES["regular"])
        return self.rng.choice(lines).format(role=person.role)
