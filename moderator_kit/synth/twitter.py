"""The '#JobHuntChat' Twitter chat: planning the sessions and writing twarc2 (API v2) response pages.

Examples
--------
>>> chat = generate_twitter_chat(seed=5, sessions=2)
>>> chat.platform, chat.truth.height == len(chat.messages)
('twitter', True)
>>> page = next(iter_twarc2_pages(chat, page_size=50))
>>> sorted(page)
['__twarc', 'data', 'includes', 'meta']
>>> page["meta"]["result_count"], page["data"][0]["created_at"].endswith(".000Z")
(50, True)
"""

from __future__ import annotations

import json
import random
import re
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

import orjson

from moderator_kit.synth import text as T
from moderator_kit.synth.engine import simulate_session
from moderator_kit.synth.plan import Attendee, ChatContext, Msg, QuestionPost, SessionPlan
from moderator_kit.synth.people import PeopleFactory, Person
from moderator_kit.synth.chat import SyntheticChat, truth_frame

__all__ = [
    "SAMPLE_SEED",
    "TwitterChatSpec",
    "JOBHUNTCHAT",
    "CAREERPIVOTCHAT",
    "TWITTER_START",
    "StreamStats",
    "plan_twitter_chat",
    "iter_twitter_plans",
    "generate_twitter_chat",
    "twitter_config",
    "iter_twarc2_pages",
    "write_twarc2",
    "write_twarc2_stream",
]

SAMPLE_SEED = 2026
TWITTER_START = date(2026, 1, 12)
_ZONE = ZoneInfo("America/New_York")
_TWARC_VERSION = "2.14.0"
_FIELDS = (
    "expansions=author_id%2Cin_reply_to_user_id%2Creferenced_tweets.id%2Creferenced_tweets.id.author_id"
    "%2Centities.mentions.username%2Cedit_history_tweet_ids"
    "&tweet.fields=author_id%2Cconversation_id%2Ccreated_at%2Centities%2Cid%2Cin_reply_to_user_id%2Clang"
    "%2Cpublic_metrics%2Ctext%2Cpossibly_sensitive%2Creferenced_tweets%2Creply_settings%2Csource"
    "%2Cedit_history_tweet_ids"
    "&user.fields=created_at%2Cdescription%2Centities%2Cid%2Clocation%2Cname%2Cprofile_image_url%2Cprotected"
    "%2Cpublic_metrics%2Curl%2Cusername%2Cverified"
)
_B62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_MENTION = re.compile(r"(?<![\w@])@(\w{1,15})")
_HASHTAG = re.compile(r"(?<![\w&#])#(\w*[A-Za-z_]\w*)")


@dataclass(frozen=True)
class TwitterChatSpec:
    """What makes one generated Twitter chat: its name, hashtag, slot, hosts, and its size and quality.

    The defaults are '#JobHuntChat' (:data:`JOBHUNTCHAT`); changing a field changes nothing else, so the bundled
    '#JobHuntChat' stays byte-identical.
    """

    chat: str = "jobhuntchat"
    title: str = "#JobHuntChat: the weekly job-search chat"
    hashtag: str = "JobHuntChat"
    start: date = date(2026, 1, 12)
    hour: int = 20
    time_label: str = "8pm ET"
    #: (first, last, handle, display name, bio) of the two hosts
    hosts: tuple = (
        ("Jen", "Rivera", "JenMakesCareers", "Jen Rivera 💼 #JobHuntChat host",
         "Career coach. Host of #JobHuntChat, Mondays 8pm ET. Ask me about resumes & interviews."),
        ("Marcus", "Bell", "MarcusOnHiring", "Marcus Bell",
         "Talent partner. Co-host of #JobHuntChat. Hiring is a human process."),
    )
    recap_base: str = "https://jobhuntchat.blog/recap"
    #: people at the start, per persona
    pool: dict = field(default_factory=lambda: {"advocate": 5, "regular": 7, "seeker": 6, "self_promoter": 2,
                                                "recruiter": 3, "retweeter": 3})
    attend_p: dict = field(default_factory=lambda: {"advocate": 0.85, "regular": 0.68, "seeker": 0.6,
                                                    "self_promoter": 0.65, "recruiter": 0.55, "retweeter": 0.7})
    #: chance that a newcomer gets a reply (newcomers who got one come back more often)
    newcomer_reply_p: float = 0.55
    sponsor_fee: float = 600.0


#: The bundled '#JobHuntChat'.
JOBHUNTCHAT = TwitterChatSpec()
#: The bundled second job-search chat: smaller, fewer advocates, more self-promoters, fewer newcomers answered.
CAREERPIVOTCHAT = TwitterChatSpec(
    chat="careerpivotchat", title="#CareerPivotChat: changing careers, together", hashtag="CareerPivotChat",
    start=date(2026, 1, 14), hour=19, time_label="7pm ET",
    hosts=(("Dana", "Okafor", "DanaPivots", "Dana Okafor | #CareerPivotChat",
            "Career changer turned coach. Host of #CareerPivotChat, Wednesdays 7pm ET."),
           ("Lee", "Hart", "LeeHartHR", "Lee Hart",
            "HR generalist. Co-host of #CareerPivotChat.")),
    recap_base="https://careerpivotchat.example/recap",
    pool={"advocate": 1, "regular": 3, "seeker": 4, "self_promoter": 4, "recruiter": 2, "retweeter": 5},
    attend_p={"advocate": 0.7, "regular": 0.5, "seeker": 0.5, "self_promoter": 0.8, "recruiter": 0.5,
              "retweeter": 0.8},
    newcomer_reply_p=0.3, sponsor_fee=150.0,
)


# -- planning ------------------------------------------------------------------------------------------------------
def _local_start_ms(day: date, hour: int = 20, minute: int = 0, zone: ZoneInfo = _ZONE) -> int:
    return int(datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone).timestamp() * 1000)


def _agenda(topic: T.Topic) -> list[tuple[int, int, str, str]]:
    offsets = T.offsets_for(len(topic.questions))
    return [(i + 1, offsets[i], text, theme) for i, (text, theme) in enumerate(topic.questions)]


def _posts(agenda, rng: random.Random, mess: str | None) -> tuple[list[QuestionPost], int | None]:
    """When the moderator really posts each question; ``mess`` adds one realistic deviation."""
    posts: list[QuestionPost] = []
    skip = None
    shift = 0.0
    late_at = 4 if len(agenda) >= 5 else 2
    skip_at = 6 if len(agenda) >= 7 else len(agenda) - 1
    for number, offset, _, _ in agenda:
        seconds = offset * 60 + rng.uniform(-15, 40)
        variant = "normal"
        if mess == "late" and number == late_at:
            shift = rng.uniform(270, 330)
            variant = "late"
        elif mess == "late" and number == late_at + 1:
            shift = rng.uniform(100, 140)
        elif mess == "late" and number > late_at + 1:
            shift = 0.0
        if mess == "skip" and number == skip_at:
            skip = number
            continue
        posts.append(QuestionPost(number, seconds + shift, variant))
        if mess == "repeat" and number == 3:
            posts.append(QuestionPost(number, seconds + rng.uniform(140, 170), "repeat"))
    return posts, skip


#: One realistic deviation per session index of the bundled sample (0-based).
_SAMPLE_MESS = {2: "late", 6: "skip", 9: "repeat"}
_SAMPLE_FLAGS = {1: {"edit_one": True}, 3: {"xss_script": True}, 5: {"delete_one": True}, 7: {"xss_markdown": True},
                 8: {"edit_one": True}}
_PIF_SESSION = 4


def _context(seed, factory: PeopleFactory, spec: TwitterChatSpec = JOBHUNTCHAT) -> ChatContext:
    (first1, last1, handle1, name1, bio1), (first2, last2, handle2, name2, bio2) = spec.hosts
    mod1 = factory.make("moderator", first=first1, last=last1, handle=handle1, name=name1, followers=14210,
                        created=datetime(2011, 3, 2, 17, 4, 11, tzinfo=timezone.utc))
    mod1.source, mod1.alt_source = "TweetDeck", "Twitter Web App"
    mod1.description = bio1
    mod2 = factory.make("moderator", first=first2, last=last2, handle=handle2, name=name2,
                        followers=6875, created=datetime(2013, 9, 14, 2, 51, 40, tzinfo=timezone.utc))
    mod2.description = bio2
    sponsor = factory.make("sponsor", first="BrightPath", last="Careers", handle="BrightPathHQ",
                           name="BrightPath Careers", followers=24810, verified=True,
                           created=datetime(2016, 5, 9, 13, 0, 2, tzinfo=timezone.utc),
                           url="https://brightpath-careers.com")
    sponsor.description = "Free tools and coaching for job seekers. Proud sponsor of #JobHuntChat. #BrightPathHires"
    sponsor.source, sponsor.alt_source = "Hootsuite Inc.", "Twitter Web App"
    return ChatContext(platform="twitter", chat_label=f"#{spec.hashtag}", hashtag=f"#{spec.hashtag}",
                       time_label=spec.time_label, mod1=mod1, mod2=mod2, sponsor=sponsor,
                       sponsor_tag="#BrightPathHires", sponsor_site="brightpath-careers.com",
                       recap_base=spec.recap_base, seed=f"{seed}")


def iter_twitter_plans(seed=SAMPLE_SEED, sessions: int = 12, start: date = TWITTER_START, *, scale: float = 1.0,
                       sample_mess: bool = True, bounded: bool = False, spec: TwitterChatSpec = JOBHUNTCHAT):
    """Yield ``(ctx, plan)`` for each weekly session, in time order.

    The population carries over between sessions: core advocates, regulars, seekers, self-promoters, recruiters,
    retweeters and a spam account attend with persona-specific probabilities; 4-7 newcomers arrive every week
    (``scale`` times as many people for bigger sessions); newcomers who got a reply come back more often (60%
    against 15%); one seeker turns advocate four sessions in and announces a new job. With ``bounded`` the pool of
    returning newcomers is capped so that memory stays flat over thousands of sessions.
    """
    rng = random.Random(f"{seed}:plan")
    first_day = datetime(start.year, start.month, start.day, tzinfo=timezone.utc)
    factory = PeopleFactory(rng, "twitter", year_range=(2007, min(2025, start.year)), not_after=first_day)
    ctx = _context(seed, factory, spec)
    spam = factory.make("spam", first="Earn", last="Daily", handle="EarnDaily_Now", name="💰 Earn Daily 💰",
                        followers=87, created=datetime(2025, 12, 30, 4, 12, 9, tzinfo=timezone.utc))
    spam.following, spam.tweet_count, spam.listed = 4999, 18240, 0
    spam.description = "💸💸 DM for collabs 💸💸 #crypto #money #WorkFromHome"

    def count(n: float) -> int:
        return max(1, round(n * scale))

    pool: dict[str, list[Person]] = {
        "advocate": [factory.make("advocate") for _ in range(count(spec.pool["advocate"]))],
        "regular": [factory.make("regular") for _ in range(count(spec.pool["regular"]))],
        "seeker": [factory.make("seeker") for _ in range(count(spec.pool["seeker"]))],
        "self_promoter": [],
        "recruiter": [],
        "retweeter": [factory.make("retweeter") for _ in range(count(spec.pool["retweeter"]))],
    }
    xss = factory.make("regular", first="Sam", last="Ortiz", handle="samtests_ux", name="<img src=x onerror=alert(1)>")
    pool["regular"].append(xss)
    priya = factory.make("seeker", first="Priya", last="Nair", handle="priya_pivots", name="Priya Nair",
                         followers=312, created=datetime(2019, 6, 2, 9, 30, 0, tzinfo=timezone.utc))
    priya.description = "Teacher → instructional designer (in progress!). Open to work."
    pool["seeker"].append(priya)

    def self_promoter(k: int) -> Person:
        name, handle, domain, pitches = T.SELF_PROMOTERS[k % len(T.SELF_PROMOTERS)]
        if k >= len(T.SELF_PROMOTERS):
            handle = f"{handle[:11]}{k}"
        p = factory.make("self_promoter", handle=handle, name=name, url=f"https://{domain}", promo=(domain, pitches))
        p.description = f"I help job seekers get hired faster. Free guide 👇 {domain}"
        return p

    def recruiter(k: int) -> Person:
        company = T.RECRUITER_COMPANIES[k % len(T.RECRUITER_COMPANIES)]
        p = factory.make("recruiter", company=company, url=f"https://{company[1]}")
        return p

    pool["self_promoter"] = [self_promoter(k) for k in range(count(spec.pool["self_promoter"]))]
    pool["recruiter"] = [recruiter(k) for k in range(count(spec.pool["recruiter"]))]
    late_joiners = {3: ("retweeter", lambda: factory.make("retweeter")),
                    4: ("recruiter", lambda: recruiter(len(pool["recruiter"]))),
                    5: ("self_promoter", lambda: self_promoter(len(pool["self_promoter"])))}
    attend_p = spec.attend_p
    returning: deque | list = deque(maxlen=int(300 * scale)) if bounded else []
    new_seeker_sessions = {2, 6, 8}
    pif = _PIF_SESSION if sessions > _PIF_SESSION + 2 and sample_mess else None

    for i in range(sessions):
        day = start + timedelta(days=7 * i)
        start_ms = _local_start_ms(day, spec.hour)
        topic = T.TWITTER_TOPICS[i % len(T.TWITTER_TOPICS)]
        agenda = _agenda(topic)
        mess = _SAMPLE_MESS.get(i) if sample_mess else None
        posts, skip = _posts(agenda, rng, mess)
        flags = dict(_SAMPLE_FLAGS.get(i, {})) if sample_mess else {}
        if i in late_joiners:
            persona, make = late_joiners[i]
            pool[persona].append(make())
        if sample_mess and i in new_seeker_sessions:
            pool["seeker"].append(factory.make("seeker"))
        elif not sample_mess and i % 4 == 2:  # long runs: seekers come and go, the pool keeps its size
            seekers = pool["seeker"]
            seekers[rng.randrange(len(seekers))] = factory.make("seeker")
        attendees: list[Attendee] = []
        for persona, people in pool.items():
            for person in people:
                if person is priya:
                    attendees.append(Attendee(person, "advocate" if pif is not None and i >= pif else "seeker"))
                    continue
                if rng.random() < attend_p[persona]:
                    attendees.append(Attendee(person, persona))
        if i >= 1 and rng.random() < 0.85:
            attendees.append(Attendee(spam, "spam"))
        for entry in list(returning):
            person, stay = entry
            if rng.random() < 0.2:  # moved on (found a job, lost interest)
                returning.remove(entry)
            elif rng.random() < stay:
                attendees.append(Attendee(person, "regular"))
        newcomers = [factory.make("newcomer") for _ in range(count(rng.randint(4, 6)))]
        for person in newcomers:
            got_reply = rng.random() < spec.newcomer_reply_p
            attendees.append(Attendee(person, "newcomer", first_time=True, got_reply=got_reply))
            if rng.random() < (0.6 if got_reply else 0.15):
                returning.append((person, rng.uniform(0.4, 0.7)))
        if pif is not None and i == pif:
            flags["pif_announce"] = priya.uid
        plan = SessionPlan(index=i, session_id=day.isoformat(), start_ms=start_ms, topic=topic, agenda=agenda,
                           posts=posts, attendees=attendees, flags=flags, skip_note=skip,
                           outside_ms=start_ms + 4 * 24 * 3600 * 1000)
        yield ctx, plan


def plan_twitter_chat(seed=SAMPLE_SEED, sessions: int = 12, start: date = TWITTER_START, *,
                      scale: float = 1.0, spec: TwitterChatSpec = JOBHUNTCHAT
                      ) -> tuple[ChatContext, list[SessionPlan]]:
    """All session plans of a chat (see :func:`iter_twitter_plans`)."""
    plans = list(iter_twitter_plans(seed, sessions, start, scale=scale, spec=spec))
    return plans[0][0], [p for _, p in plans]


# -- configuration -------------------------------------------------------------------------------------------------
def twitter_config(ctx: ChatContext, plans: list[SessionPlan], spec: TwitterChatSpec = JOBHUNTCHAT) -> dict:
    """The chat.yaml content for a generated Twitter chat (validates with :func:`moderator_kit.config.parse_config`)."""
    return {
        "chat": spec.chat,
        "title": spec.title,
        "platform": "twitter",
        "hashtags": [spec.hashtag],
        "schedule": {"weekday": spec.start.strftime("%A").lower(), "time": f"{spec.hour:02d}:00", "timezone": "America/New_York", "duration_minutes": 60,
                     "pre_minutes": 30, "follow_up_hours": 72},
        "moderators": [ctx.mod1.handle, ctx.mod2.handle],
        "sponsors": [{
            "name": "BrightPath Careers",
            "handles": [ctx.sponsor.handle],
            "hashtags": [ctx.sponsor_tag.lstrip("#")],
            "costs": {"fee": spec.sponsor_fee, "staff_hours": 1.5, "hourly_rate": 55.0, "other": 20.0},
            "costs_per": "session",
            "benchmark_cpm": 15.0,
            "objectives": [
                {"metric": "sponsor_mentions", "target": 8, "direction": "at_least", "label": "Mentions per session"},
                {"metric": "share_of_voice", "target": 0.05, "direction": "at_least"},
                {"metric": "engaged_participants", "target": 15, "direction": "at_least"},
                {"metric": "estimated_impressions_mid", "target": 20000, "direction": "at_least"},
                {"metric": "roi_mid", "target": 0.0, "direction": "at_least", "label": "Break even (mid rate)"},
            ],
        }],
        "session_agendas": {
            plan.session_id: [{"number": n, "offset_minutes": off, "text": text} for n, off, text, _ in plan.agenda]
            for plan in plans
        },
        "objectives": {
            "moderator": [
                {"metric": "active_participants", "target": 40, "direction": "at_least"},
                {"metric": "new_participants", "target": 5, "direction": "at_least"},
                {"metric": "herding_score", "target": 70, "direction": "at_least"},
            ],
            "sponsor": [
                {"metric": "sponsor_mentions", "target": 8, "direction": "at_least"},
                {"metric": "roi_mid", "target": 0.0, "direction": "at_least"},
            ],
            "community": [
                {"metric": "returning_share", "target": 0.5, "direction": "at_least"},
                {"metric": "engaged_participants", "target": 15, "direction": "at_least"},
            ],
        },
        "moderator_effort": {"hours_per_session": 3.0, "hourly_rate": 45.0},
        "exposure_rates": {"low": 0.01, "mid": 0.05, "high": 0.2},
        "spam": {"source_apps": ["SpamBlaster 3000"], "accounts": [],
                 "patterns": [r"(?i)earn \$\d+/day", r"(?i)100% legit"]},
    }


def generate_twitter_chat(seed=SAMPLE_SEED, sessions: int = 12, start: date | None = None, *,
                          scale: float = 1.0, spec: TwitterChatSpec = JOBHUNTCHAT) -> SyntheticChat:
    """Generate the weekly '#JobHuntChat' Twitter chat with its ground truth.

    Parameters
    ----------
    seed
        Any int or str; the same seed gives the same chat, byte for byte once written.
    sessions
        Number of weekly sessions (Mondays 20:00 America/New_York), starting on ``start``.
    start
        The first session's local date (default: the spec's, a Monday for '#JobHuntChat').
    scale
        Multiplies the number of people (and so messages) per session; 1.0 gives about 150-300 messages.
    spec
        Which chat: name, hashtag, slot, hosts, size and quality (default: '#JobHuntChat').

    Returns
    -------
    SyntheticChat
        ``messages`` holds API v2 tweet objects (newest first, like the search API), ``users`` the user objects,
        ``truth`` one row per tweet and ``config`` the chat.yaml mapping.

    Examples
    --------
    >>> chat = generate_twitter_chat(seed=1, sessions=1)
    >>> set(chat.truth["phase"].unique()) >= {"pre", "chat", "follow_up"}
    True
    """
    ctx, plans = plan_twitter_chat(seed, sessions, start or spec.start, scale=scale, spec=spec)
    msgs: list[Msg] = []
    for plan in plans:
        msgs.extend(simulate_session(ctx, plan))
    msgs.sort(key=lambda m: m.id, reverse=True)
    renderer = _Renderer()
    users: dict[str, dict] = {}
    tweets = []
    for m in msgs:
        tweets.append(renderer.tweet(m))
        for person in _people_of(m):
            if person.uid not in users:
                users[person.uid] = renderer.user(person)
    return SyntheticChat(platform="twitter", config=twitter_config(ctx, plans, spec), users=list(users.values()),
                         messages=tweets, truth=truth_frame(msgs, id_of=lambda m: str(m.id)), _msgs=msgs,
                         _renderer=renderer)


# -- rendering -----------------------------------------------------------------------------------------------------
def _mix(value: int, salt: int) -> float:
    """A reproducible pseudo-random number in [0, 1) from an id (no global random state)."""
    x = (value * 6364136223846793005 + salt * 1442695040888963407 + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    x ^= x >> 31
    x = (x * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    x ^= x >> 29
    return x / 2**64


def _tco(mid: int, index: int) -> str:
    x = int(_mix(mid, 101 + index) * 62**10)
    code = "".join(_B62[(x // 62**k) % 62] for k in range(10))
    return f"https://t.co/{code}"


def _display(url: str) -> str:
    shown = url.split("://", 1)[-1].removeprefix("www.")
    return shown if len(shown) <= 26 else shown[:25] + "…"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _iso(t_ms: int) -> str:
    return datetime.fromtimestamp(t_ms // 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _people_of(m: Msg) -> list[Person]:
    people = [m.author, *m.mentions]
    if m.parent is not None:
        people.append(m.parent.author)
    for ref in (m.reposted, m.quoted):
        if ref is not None:
            people.append(ref.author)
            people.extend(ref.mentions)
    return people


class _Renderer:
    """Turns messages into API v2 tweet and user objects (cached per message / person)."""

    def __init__(self):
        self._raw: dict[int, tuple[str, list]] = {}
        self._tweets: dict[int, dict] = {}
        self._users: dict[str, dict] = {}

    def raw(self, m: Msg) -> tuple[str, list[tuple[str, str]]]:
        """Unescaped text with t.co links, and the (t.co, expanded) pairs."""
        cached = self._raw.get(m.id)
        if cached is not None:
            return cached
        text = m.text
        links: list[tuple[str, str]] = []
        for i, url in enumerate(m.urls):
            short = _tco(m.id, i)
            text = text.replace(url, short, 1)
            links.append((short, url))
        if m.kind == "quote" and m.quoted is not None:
            short = _tco(m.id, len(m.urls))
            links.append((short, f"https://twitter.com/{m.quoted.author.handle}/status/{m.quoted.id}"))
            text = f"{text} {short}"
        if m.kind == "repost" and m.reposted is not None:
            orig_text, orig_links = self.raw(m.reposted)
            text = f"RT @{m.reposted.author.handle}: {orig_text}"
            if len(text) > 140:
                text = text[:139].rstrip() + "…"
            links = [(s, u) for s, u in orig_links if s in text]
        self._raw[m.id] = (text, links)
        return text, links

    def entities(self, text: str, m: Msg, links) -> dict:
        known = {p.handle.lower(): p for p in _people_of(m)}
        entities: dict = {}
        mentions = [{"start": x.start(), "end": x.end(), "username": known[x.group(1).lower()].handle,
                     "id": known[x.group(1).lower()].uid}
                    for x in _MENTION.finditer(text) if x.group(1).lower() in known]
        if mentions:
            entities["mentions"] = mentions
        tags = [{"start": x.start(), "end": x.end(), "tag": x.group(1)} for x in _HASHTAG.finditer(text)]
        if tags:
            entities["hashtags"] = tags
        urls = []
        for short, expanded in links:
            at = text.find(short)
            if at >= 0:
                urls.append({"start": at, "end": at + len(short), "url": short, "expanded_url": expanded,
                             "display_url": _display(expanded)})
        if urls:
            urls.sort(key=lambda u: u["start"])
            entities["urls"] = urls
        return entities

    def tweet(self, m: Msg) -> dict:
        cached = self._tweets.get(m.id)
        if cached is not None:
            return cached
        raw, links = self.raw(m)
        text = _escape(raw)
        sid = str(m.id)
        history = [str(m.edited_from), sid] if m.edited_from else [sid]
        if m.kind == "repost":
            orig = m.reposted
            metrics = {"retweet_count": orig.reposts + int(_mix(orig.id, 7) * 3 * (orig.category == "question")),
                       "reply_count": 0, "like_count": 0, "quote_count": 0, "impression_count": 0}
        else:
            extra = int(_mix(m.id, 7) * 6) if m.persona in ("sponsor", "moderator") else 0
            rate = 0.02 + 0.1 * _mix(m.id, 11)
            impressions = int(m.author.followers * rate) + m.likes * 17 + m.replies * 31 + int(_mix(m.id, 13) * 40)
            metrics = {"retweet_count": m.reposts + extra, "reply_count": m.replies, "like_count": m.likes,
                       "quote_count": m.quotes, "impression_count": impressions}
        conversation = sid if m.kind != "reply" else str(m.root.id)
        tweet: dict = {
            "edit_history_tweet_ids": history,
            "conversation_id": conversation,
            "text": text,
            "created_at": _iso(m.t),
            "author_id": m.author.uid,
            "id": sid,
            "lang": m.lang,
            "source": m.source,
            "public_metrics": metrics,
            "possibly_sensitive": False,
            "reply_settings": "everyone",
        }
        entities = self.entities(text, m, links)
        if entities:
            tweet["entities"] = entities
        ref = m.parent or m.reposted or m.quoted
        if ref is not None:
            kind = "replied_to" if m.parent is not None else "retweeted" if m.reposted is not None else "quoted"
            tweet["referenced_tweets"] = [{"type": kind, "id": str(ref.id)}]
        if m.parent is not None:
            tweet["in_reply_to_user_id"] = m.parent.author.uid
        self._tweets[m.id] = tweet
        return tweet

    def user(self, p: Person) -> dict:
        cached = self._users.get(p.uid)
        if cached is not None:
            return cached
        image = int(_mix(int(p.avatar or "1", 16), 3) * 9e17) + 10**18
        user: dict = {
            "id": p.uid,
            "username": p.handle,
            "name": p.name,
            "created_at": p.created_at,
            "description": p.description,
            "location": p.location,
            "protected": False,
            "verified": p.verified,
            "profile_image_url": f"https://pbs.twimg.com/profile_images/{image}/{p.avatar[:8]}_normal.jpg",
            "url": "",
            "public_metrics": {"followers_count": p.followers, "following_count": p.following,
                               "tweet_count": p.tweet_count, "listed_count": p.listed},
        }
        if p.url:
            short = _tco(int(p.uid) if p.uid.isdigit() else 7, 999)
            user["url"] = short
            user["entities"] = {"url": {"urls": [{"start": 0, "end": len(short), "url": short, "expanded_url": p.url,
                                                  "display_url": _display(p.url)}]}}
        self._users[p.uid] = user
        return user

    def forget(self) -> None:
        """Drop caches (the stream writer calls this between sessions to keep memory flat)."""
        self._raw.clear()
        self._tweets.clear()
        self._users.clear()


# -- pages -----------------------------------------------------------------------------------------------------------
def _search_url(query: str, start: str | None = None, end: str | None = None) -> str:
    url = f"https://api.twitter.com/2/tweets/search/all?{_FIELDS}&query={quote(query, safe='')}&max_results=100"
    if start:
        url += f"&start_time={quote(start, safe='')}"
    if end:
        url += f"&end_time={quote(end, safe='')}"
    return url


def _next_token(salt: int) -> str:
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
    x = int(_mix(salt, 17) * 36**20)
    y = int(_mix(salt, 19) * 36**9)
    return "b26v89c19zqg8o3f" + "".join(alphabet[(x // 36**k) % 36] for k in range(20)) + \
        "".join(alphabet[(y // 36**k) % 36] for k in range(9))


def _build_pages(msgs: list[Msg], renderer: _Renderer, page_size: int, url: str, retrieved: datetime,
                 page_salt: int = 0) -> Iterator[dict]:
    for number, first in enumerate(range(0, len(msgs), page_size)):
        chunk = msgs[first:first + page_size]
        data = [renderer.tweet(m) for m in chunk]
        users: dict[str, dict] = {}
        included: dict[int, dict] = {}
        errors: list[dict] = []
        for m in chunk:
            for person in _people_of(m):
                if person.uid not in users:
                    users[person.uid] = renderer.user(person)
            for ref in (m.parent, m.reposted, m.quoted):
                if ref is None or ref.id in included:
                    continue
                if ref.deleted:
                    rid = str(ref.id)
                    if all(e["value"] != rid for e in errors):
                        detail = f"Could not find tweet with referenced_tweets.id: [{rid}]."
                        errors.append({"value": rid, "detail": detail,
                                       "title": "Not Found Error", "resource_type": "tweet",
                                       "parameter": "referenced_tweets.id", "resource_id": rid,
                                       "type": "https://api.twitter.com/2/problems/resource-not-found"})
                    continue
                included[ref.id] = renderer.tweet(ref)
                for person in _people_of(ref):
                    if person.uid not in users:
                        users[person.uid] = renderer.user(person)
        page: dict = {"data": data, "includes": {"users": list(users.values())}}
        if included:
            page["includes"]["tweets"] = list(included.values())
        if errors:
            page["errors"] = errors
        meta = {"newest_id": data[0]["id"], "oldest_id": data[-1]["id"], "result_count": len(data)}
        if first + page_size < len(msgs):
            meta["next_token"] = _next_token(page_salt * 100_003 + number)
        page["meta"] = meta
        page["__twarc"] = {"url": url, "version": _TWARC_VERSION,
                           "retrieved_at": (retrieved + timedelta(seconds=2 * number)).isoformat()}
        yield page


def iter_twarc2_pages(chat: SyntheticChat, *, page_size: int = 100) -> Iterator[dict]:
    """Yield the twarc2 response pages of a generated Twitter chat: newest tweets first, ``page_size`` per page.

    Each page has ``data``, ``includes`` (``users``; ``tweets`` for referenced tweets), ``errors`` when a
    referenced tweet was deleted, ``meta`` (``newest_id``, ``oldest_id``, ``result_count``, ``next_token`` except
    on the last page) and ``__twarc`` (``url``, ``version``, ``retrieved_at``).
    """
    msgs = chat._msgs
    last = max(m.t for m in msgs) if msgs else 0
    retrieved = datetime.fromtimestamp(last // 1000, timezone.utc) + timedelta(days=4, hours=3)
    first = min(m.t for m in msgs) if msgs else 0
    hosts = " OR ".join(f"@{handle}" for handle in chat.config["moderators"])
    url = _search_url(f"#{chat.config['hashtags'][0]} OR {hosts}",
                      _iso(first - 24 * 3600 * 1000).replace(".000Z", "Z"),
                      retrieved.strftime("%Y-%m-%dT%H:%M:%SZ"))
    yield from _build_pages(msgs, chat._renderer, page_size, url, retrieved)


def write_twarc2(chat: SyntheticChat, path: Path | str, page_size: int = 100) -> int:
    """Write a generated Twitter chat as twarc2 JSONL (one API response page per line). Returns the tweet count.

    The bytes depend only on the chat (``json.dumps`` with the key order of the API, ASCII-escaped like twarc2).
    """
    if chat.platform != "twitter":
        raise ValueError(f"write_twarc2 needs a Twitter chat, not {chat.platform!r}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for page in iter_twarc2_pages(chat, page_size=page_size):
            out.write(json.dumps(page))
            out.write("\n")
    return len(chat.messages)


# -- the streaming writer ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StreamStats:
    """What :func:`write_twarc2_stream` wrote."""

    messages: int
    sessions: int
    pages: int
    bytes: int
    seconds: float

    @property
    def messages_per_second(self) -> float:
        return self.messages / self.seconds if self.seconds else float("inf")


STREAM_START = date(2011, 1, 3)


def write_twarc2_stream(path: Path | str, n_messages: int, seed=0, sessions: int | None = None, *,
                        page_size: int = 100) -> StreamStats:
    """Write exactly ``n_messages`` tweets of a long-running weekly chat as twarc2 JSONL, in bounded memory.

    One session is simulated, written and dropped at a time: about 500 messages per session by default, so 1M
    messages is about 2,000 weekly sessions from 2011-01-03 on (same schedule as the sample chat: Mondays 20:00
    America/New_York). ``sessions`` sets the size of each session (``n_messages / sessions``); the count written
    may differ by one or two because session sizes vary. Sessions are written oldest first, each as its own
    newest-first search result, as when a chat is collected week by week and the files are concatenated. The last
    session is cut to its earliest messages so that the total is exact.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     stats = write_twarc2_stream(os.path.join(tmp, "big.jsonl"), 1234, seed=1)
    >>> stats.messages
    1234
    """
    if n_messages < 0:
        raise ValueError("n_messages must not be negative")
    began = time.perf_counter()
    per_session = 500.0 if not sessions else max(1.0, n_messages / sessions)
    scale = max(0.3, per_session / 230)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    written = pages = size = used = 0
    with path.open("wb") as out:
        plans = iter_twitter_plans(seed, 10**9, STREAM_START, scale=scale, sample_mess=False, bounded=True)
        while written < n_messages:
            ctx, plan = next(plans)
            msgs = simulate_session(ctx, plan)[: n_messages - written]  # time order: a cut keeps the earliest
            used += 1
            if not msgs:
                continue
            msgs.sort(key=lambda m: m.id, reverse=True)
            retrieved = datetime.fromtimestamp(plan.start_ms // 1000 + 5 * 86400, timezone.utc)
            url = _search_url("#JobHuntChat", _iso(plan.start_ms - 3600_000).replace(".000Z", "Z"),
                              retrieved.strftime("%Y-%m-%dT%H:%M:%SZ"))
            for page in _build_pages(msgs, _Renderer(), page_size, url, retrieved, page_salt=plan.index + 1):
                line = orjson.dumps(page) + b"\n"
                out.write(line)
                size += len(line)
                pages += 1
            written += len(msgs)
    return StreamStats(messages=written, sessions=used, pages=pages, bytes=size,
                       seconds=time.perf_counter() - began)
