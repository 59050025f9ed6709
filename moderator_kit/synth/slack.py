"""The 'remote-careers' Slack community: weekly office hours in #office-hours, written as a Slack workspace export.

The export has ``users.json``, ``channels.json`` and one folder per channel with one JSON file per (UTC) day, like
Slack's own export: messages carry ``user_profile``, ``blocks`` (rich text), ``<@U…>`` mentions and ``<https://…>``
links; thread parents have ``reply_count`` / ``reply_users`` / ``replies`` and replies have ``thread_ts`` and
``parent_user_id``. Channel joins are ``channel_join`` system messages (not in the truth table).

Examples
--------
>>> chat = generate_slack_community(seed=4, sessions=1)
>>> chat.platform, chat.truth.height == len(chat.messages) - chat.messages_system
('slack', True)
>>> sorted(c["name"] for c in chat.channels)
['general', 'office-hours']
"""

from __future__ import annotations

import json
import random
import re
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from moderator_kit.synth import text as T
from moderator_kit.synth.chat import SyntheticChat, truth_frame
from moderator_kit.synth.engine import simulate_session
from moderator_kit.synth.plan import Attendee, ChatContext, Msg, QuestionPost, SessionPlan
from moderator_kit.synth.people import PeopleFactory, Person

__all__ = ["SLACK_START", "SlackCommunity", "plan_slack_community", "generate_slack_community", "slack_config",
           "write_slack_export"]

SLACK_START = date(2026, 3, 12)
_ZONE = ZoneInfo("Europe/Berlin")
_TEAM = "T04RC7K2M"
_CHANNELS = {"office-hours": "C04RCOFH01", "general": "C04RCGEN01"}
_TOKEN = re.compile(r"https?://\S+|@[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*")


class SlackCommunity(SyntheticChat):
    """A :class:`SyntheticChat` for Slack; ``messages_system`` counts the system (join) records."""

    @property
    def messages_system(self) -> int:
        return sum(1 for m in self.messages if m.get("subtype") == "channel_join")


def _start_ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, 12, 0, tzinfo=_ZONE).timestamp() * 1000)


def plan_slack_community(seed=2026, sessions: int = 4, start: date = SLACK_START):
    """The context, the session plans and everyone (``(ctx, plans, people)``) of the Slack community."""
    rng = random.Random(f"{seed}:slack-plan")
    factory = PeopleFactory(rng, "slack", year_range=(2021, 2025))
    created = datetime(2021, 4, 6, 10, 0, tzinfo=timezone.utc)
    mod1 = factory.make("moderator", first="Ana", last="Kowalski", handle="ana_kowalski", name="Ana Kowalski",
                        created=created)
    mod2 = factory.make("moderator", first="Tom", last="Okafor", handle="tom_okafor", name="Tom Okafor",
                        created=created)
    sponsor = factory.make("sponsor", first="NomadHire", last="Team", handle="nomadhire", name="NomadHire Jobs",
                           created=created)
    spam = factory.make("spam", first="Crypto", last="Jobs", handle="crypto_jobs_247", name="Crypto Jobs 24/7")
    ctx = ChatContext(platform="slack", chat_label="office hours", hashtag=None, time_label="12:00 Berlin time",
                      mod1=mod1, mod2=mod2, sponsor=sponsor, sponsor_tag=None, sponsor_site="nomadhire.io",
                      recap_base="https://remote-careers.community/recaps", seed=f"{seed}:slack")
    name, _, domain, pitches = T.SELF_PROMOTERS[2]
    promoter = factory.make("self_promoter", first="Lena", last="Brandt", handle="lena_profilepolish",
                            name="Lena Brandt", promo=(domain, pitches))
    pool = {
        "advocate": [factory.make("advocate") for _ in range(3)],
        "regular": [factory.make("regular") for _ in range(4)],
        "seeker": [factory.make("seeker") for _ in range(4)],
        "self_promoter": [promoter],
        "recruiter": [factory.make("recruiter", company=T.RECRUITER_COMPANIES[k]) for k in (1, 4)],
    }
    attend_p = {"advocate": 0.9, "regular": 0.75, "seeker": 0.65, "self_promoter": 0.6, "recruiter": 0.6}
    everyone: list[Person] = [mod1, mod2, sponsor, spam] + [p for people in pool.values() for p in people]
    returning: list[tuple[Person, float]] = []
    plans: list[SessionPlan] = []
    for i in range(sessions):
        day = start + timedelta(days=7 * i)
        topic = T.SLACK_TOPICS[i % len(T.SLACK_TOPICS)]
        offsets = T.offsets_for(len(topic.questions))
        agenda = [(k + 1, offsets[k], text, theme) for k, (text, theme) in enumerate(topic.questions)]
        posts = []
        for number, offset, _, _ in agenda:
            seconds = offset * 60 + rng.uniform(-20, 60)
            if i == 2 and number == 3:
                seconds += rng.uniform(200, 260)
                posts.append(QuestionPost(number, seconds, "late"))
            else:
                posts.append(QuestionPost(number, seconds))
        attendees = [Attendee(p, persona) for persona, people in pool.items() for p in people
                     if rng.random() < attend_p[persona]]
        if i >= 1:
            attendees.append(Attendee(spam, "spam"))
        for person, stay in returning:
            if rng.random() < stay:
                attendees.append(Attendee(person, "regular"))
        for _ in range(rng.randint(2, 4)):
            person = factory.make("newcomer")
            everyone.append(person)
            got_reply = rng.random() < 0.55
            attendees.append(Attendee(person, "newcomer", first_time=True, got_reply=got_reply))
            if rng.random() < (0.6 if got_reply else 0.15):
                returning.append((person, rng.uniform(0.5, 0.8)))
        flags = {"xss_script": True} if i == 1 else {}
        plans.append(SessionPlan(index=i, session_id=day.isoformat(), start_ms=_start_ms(day), topic=topic,
                                 agenda=agenda, posts=posts, attendees=attendees, flags=flags))
    return ctx, plans, everyone


def slack_config(ctx: ChatContext, plans: list[SessionPlan]) -> dict:
    """The chat.yaml content for the Slack community."""
    return {
        "chat": "remote-careers",
        "title": "Remote Careers: weekly office hours in #office-hours",
        "platform": "slack",
        "hashtags": [],
        "schedule": {"weekday": "thursday", "time": "12:00", "timezone": "Europe/Berlin", "duration_minutes": 60,
                     "pre_minutes": 30, "follow_up_hours": 72},
        "moderators": [ctx.mod1.handle, ctx.mod2.handle],
        "sponsors": [{
            "name": "NomadHire",
            "handles": [ctx.sponsor.handle],
            "hashtags": [],
            "costs": {"fee": 250.0, "staff_hours": 1.0, "hourly_rate": 60.0, "other": 0.0},
            "costs_per": "session",
            "benchmark_cpm": 25.0,
            "objectives": [
                {"metric": "sponsor_mentions", "target": 3, "direction": "at_least"},
                {"metric": "engaged_participants", "target": 5, "direction": "at_least"},
                {"metric": "roi_mid", "target": 0.0, "direction": "at_least"},
            ],
        }],
        "session_agendas": {
            plan.session_id: [{"number": n, "offset_minutes": off, "text": text} for n, off, text, _ in plan.agenda]
            for plan in plans
        },
        "objectives": {
            "moderator": [
                {"metric": "active_participants", "target": 18, "direction": "at_least"},
                {"metric": "new_participants", "target": 3, "direction": "at_least"},
                {"metric": "herding_score", "target": 65, "direction": "at_least"},
            ],
            "community": [{"metric": "returning_share", "target": 0.5, "direction": "at_least"}],
        },
        "moderator_effort": {"hours_per_session": 2.0, "hourly_rate": 50.0},
        "audience_members": 420,
        "exposure_rates": {"low": 0.05, "mid": 0.2, "high": 0.5},
        "spam": {"source_apps": [], "accounts": ["crypto_jobs_247"], "patterns": [r"(?i)earn \$\d+/day"]},
    }


# -- rendering -----------------------------------------------------------------------------------------------------
def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _SlackRenderer:
    def __init__(self, rng: random.Random, people: list[Person]):
        self.rng = rng
        self.by_handle = {p.handle.lower(): p for p in people}
        self.ts: dict[int, str] = {}
        self.used: set[str] = set()

    def stamp(self, m: Msg) -> str:
        got = self.ts.get(id(m))
        if got is None:
            sec, ms = divmod(m.t, 1000)
            while True:
                got = f"{sec}.{ms * 1000 + self.rng.randint(0, 999):06d}"
                if got not in self.used:
                    break
            self.used.add(got)
            self.ts[id(m)] = got
        return got

    def text_and_blocks(self, m: Msg) -> tuple[str, list]:
        mentioned = {p.handle.lower(): p for p in m.mentions}
        parts: list[str] = []
        elements: list[dict] = []
        pos = 0
        for token in _TOKEN.finditer(m.text):
            value = token.group(0)
            person = mentioned.get(value[1:].lower()) if value.startswith("@") else None
            if value.startswith("@") and person is None:
                continue
            if token.start() > pos:
                plain = m.text[pos:token.start()]
                parts.append(_escape(plain))
                elements.append({"type": "text", "text": plain})
            if person is not None:
                parts.append(f"<@{person.uid}>")
                elements.append({"type": "user", "user_id": person.uid})
            else:
                parts.append(f"<{value}>")
                elements.append({"type": "link", "url": value})
            pos = token.end()
        if pos < len(m.text):
            plain = m.text[pos:]
            parts.append(_escape(plain))
            elements.append({"type": "text", "text": plain})
        block_id = "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
                           for _ in range(self.rng.choice((3, 4, 5))))
        blocks = [{"type": "rich_text", "block_id": block_id,
                   "elements": [{"type": "rich_text_section", "elements": elements}]}]
        return "".join(parts), blocks


def _profile(p: Person) -> dict:
    if p.persona in ("moderator", "sponsor"):
        display = p.handle
    else:
        display = p.first if int(p.avatar[-1], 16) % 2 else ""
    first, _, last = p.name.partition(" ")
    return {
        "avatar_hash": p.avatar,
        "image_72": f"https://avatars.slack-edge.com/2024-02-11/{int(p.avatar, 16) % 10**12}_{p.avatar}_72.png",
        "first_name": first,
        "real_name": p.name,
        "display_name": display,
        "team": _TEAM,
        "name": p.handle,
        "is_restricted": p.persona == "spam",
        "is_ultra_restricted": False,
    }


def _user_entry(p: Person) -> dict:
    profile = _profile(p)
    first, _, last = p.name.partition(" ")
    return {
        "id": p.uid,
        "team_id": _TEAM,
        "name": p.handle,
        "deleted": False,
        "color": f"{int(p.avatar[:6], 16) % 0xFFFFFF:06x}",
        "real_name": p.name,
        "tz": "Europe/Berlin" if p.persona in ("moderator", "sponsor") else "Europe/London",
        "tz_label": "Central European Time" if p.persona in ("moderator", "sponsor") else "Greenwich Mean Time",
        "tz_offset": 3600 if p.persona in ("moderator", "sponsor") else 0,
        "profile": {
            "title": p.description[:60],
            "phone": "",
            "skype": "",
            "real_name": p.name,
            "real_name_normalized": p.name,
            "display_name": profile["display_name"],
            "display_name_normalized": profile["display_name"],
            "status_text": "",
            "status_emoji": "",
            "status_expiration": 0,
            "avatar_hash": p.avatar,
            "image_72": profile["image_72"],
            "image_192": profile["image_72"].replace("_72.png", "_192.png"),
            "first_name": first,
            "last_name": last,
            "team": _TEAM,
        },
        "is_admin": p.persona == "moderator",
        "is_owner": p.handle == "ana_kowalski",
        "is_primary_owner": p.handle == "ana_kowalski",
        "is_restricted": p.persona == "spam",
        "is_ultra_restricted": False,
        "is_bot": False,
        "is_app_user": False,
        "updated": 1735689600 + int(p.avatar[:5], 16) % 3_000_000,
    }


def generate_slack_community(seed=2026, sessions: int = 4, start: date = SLACK_START) -> SlackCommunity:
    """Generate the 'remote-careers' Slack community (Thursdays 12:00 Europe/Berlin, #office-hours).

    ``messages`` holds the Slack message records in time order (with ``channel_join`` records for newcomers, which
    are not in the truth table), ``message_channels`` the channel of each, ``truth`` one row per user message with
    ``message_id`` '<channel id>:<ts>' (the id the Slack importer gives it).

    Examples
    --------
    >>> chat = generate_slack_community(seed=1, sessions=2)
    >>> chat.config["schedule"]["timezone"], len(chat.truth["session_id"].drop_nulls().unique())
    ('Europe/Berlin', 2)
    """
    ctx, plans, people = plan_slack_community(seed, sessions, start)
    rng = random.Random(f"{seed}:slack-render")
    msgs: list[Msg] = []
    for plan in plans:
        msgs.extend(simulate_session(ctx, plan))
    # weekly reminders in #general, outside every session window (the Monday before each session)
    general: list[Msg] = []
    for plan in plans:
        t = plan.start_ms - 3 * 24 * 3600 * 1000 - 3 * 3600 * 1000 + rng.randint(0, 1800) * 1000
        general.append(Msg(t=t, author=ctx.mod1, text=f"New week! Office hours this Thursday at 12:00 Berlin time: "
                           f"{plan.topic.title}. Bring your questions 🙌", kind="post", category="moderator",
                           question=None, style="", session_id=plan.session_id, phase="", persona="moderator"))
    renderer = _SlackRenderer(rng, people)
    channel_of: dict[int, str] = {id(m): "office-hours" for m in msgs}
    channel_of.update({id(m): "general" for m in general})
    everything = sorted(msgs + general, key=lambda m: (m.t, m.seq))
    for m in everything:
        renderer.stamp(m)
    replies: dict[int, list[Msg]] = {}
    for m in everything:
        if m.parent is not None:
            replies.setdefault(id(m.root), []).append(m)
    records: list[tuple[int, str, dict]] = []
    for m in everything:
        text, blocks = renderer.text_and_blocks(m)
        record: dict = {
            "client_msg_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "type": "message",
            "text": text,
            "user": m.author.uid,
            "ts": renderer.stamp(m),
            "team": _TEAM,
            "user_team": _TEAM,
            "source_team": _TEAM,
            "user_profile": _profile(m.author),
            "blocks": blocks,
        }
        thread = replies.get(id(m))
        if m.parent is not None:
            record["thread_ts"] = renderer.stamp(m.root)
            record["parent_user_id"] = m.root.author.uid
        elif thread:
            users: list[str] = []
            for r in thread:
                if r.author.uid not in users:
                    users.append(r.author.uid)
            record.update({
                "thread_ts": renderer.stamp(m),
                "reply_count": len(thread),
                "reply_users_count": len(users),
                "latest_reply": renderer.stamp(thread[-1]),
                "reply_users": users,
                "replies": [{"user": r.author.uid, "ts": renderer.stamp(r)} for r in thread],
                "subscribed": False,
            })
        if m.category in ("answer", "question") and rng.random() < 0.35:
            pool = [p for p in people if p is not m.author and p.persona != "spam"]
            fans = rng.sample(pool, min(len(pool), rng.randint(1, 5)))
            name = rng.choice(("raised_hands", "+1", "100", "heart", "bulb", "clap"))
            record["reactions"] = [{"name": name, "users": [p.uid for p in fans], "count": len(fans)}]
        if rng.random() < 0.04:
            record["edited"] = {"user": m.author.uid, "ts": f"{m.t // 1000 + rng.randint(30, 600)}.000000"}
        records.append((m.t, channel_of[id(m)], record))
    # channel joins of newcomers: before their first session, outside every window
    first_seen: dict[str, int] = {}
    for plan in plans:
        for att in plan.attendees:
            if att.persona == "newcomer":
                first_seen.setdefault(att.person.uid, plan.start_ms)
    for uid, start_ms in first_seen.items():
        t = start_ms - rng.randint(2 * 3600, 20 * 3600) * 1000
        for channel in ("general", "office-hours"):
            ts = f"{t // 1000 + (channel == 'office-hours') * rng.randint(5, 90)}.{rng.randint(0, 999999):06d}"
            records.append((int(float(ts) * 1000), channel,
                            {"type": "message", "subtype": "channel_join", "ts": ts, "user": uid,
                             "text": f"<@{uid}> has joined the channel"}))
    records.sort(key=lambda r: (r[0], r[2]["ts"]))
    members = [p.uid for p in people]
    created = 1617703200
    channels = [
        {"id": _CHANNELS["general"], "name": "general", "created": created, "creator": ctx.mod1.uid,
         "is_archived": False, "is_general": True, "members": members, "pins": [],
         "topic": {"value": "Remote Careers: a community for people building remote careers", "creator": ctx.mod1.uid,
                   "last_set": created},
         "purpose": {"value": "Announcements and introductions", "creator": ctx.mod1.uid, "last_set": created}},
        {"id": _CHANNELS["office-hours"], "name": "office-hours", "created": created + 600, "creator": ctx.mod1.uid,
         "is_archived": False, "is_general": False, "members": members, "pins": [],
         "topic": {"value": "Office hours every Thursday 12:00 Berlin time. Questions as Q1, Q2…, answers in threads",
                   "creator": ctx.mod1.uid, "last_set": created + 600},
         "purpose": {"value": "Weekly career office hours", "creator": ctx.mod1.uid, "last_set": created + 600}},
    ]
    truth = truth_frame(everything, id_of=lambda m: f"{_CHANNELS[channel_of[id(m)]]}:{renderer.stamp(m)}")
    return SlackCommunity(platform="slack", config=slack_config(ctx, plans), users=[_user_entry(p) for p in people],
                          messages=[r for _, _, r in records], truth=truth, channels=channels,
                          message_channels=[c for _, c, _ in records], _msgs=everything)


def write_slack_export(chat: SyntheticChat, folder: Path | str) -> int:
    """Write a generated Slack community as a workspace export folder. Returns the number of records written.

    Files: ``users.json``, ``channels.json`` and ``<channel>/<YYYY-MM-DD>.json`` (UTC days), JSON with a 4-space
    indent and UTF-8 text, as in Slack's export.
    """
    if chat.platform != "slack":
        raise ValueError(f"write_slack_export needs a Slack community, not {chat.platform!r}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)

    def dump(path: Path, value) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value, indent=4, ensure_ascii=False) + "\n", encoding="utf-8")

    dump(folder / "users.json", chat.users)
    dump(folder / "channels.json", chat.channels)
    days: dict[tuple[str, str], list[dict]] = {}
    for channel, record in zip(chat.message_channels, chat.messages):
        day = datetime.fromtimestamp(float(record["ts"]), timezone.utc).date().isoformat()
        days.setdefault((channel, day), []).append(record)
    for (channel, day), records in sorted(days.items()):
        dump(folder / channel / f"{day}.json", records)
    return len(chat.messages)
