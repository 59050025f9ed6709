"""Everything around the questions and answers of a simulated session: the pre-chat, reposts, promotions, job ads
and spam, the closing, pay-it-forward posts and the follow-up phase.

A mixin of :class:`moderator_kit.synth.session_base.SessionBase` (it posts with its primitives).
"""

from __future__ import annotations

from moderator_kit.synth import text as T
from moderator_kit.synth.people import Person
from moderator_kit.synth.plan import HOUR, MIN, SEC, Msg

__all__ = ["AroundChat"]


class AroundChat:
    """Pre-chat, promotions, reposts, closing and follow-up (mixed into the session simulator)."""

    # -- phases --------------------------------------------------------------------------------------------------
    def pre_chat(self) -> None:
        ctx, rng, plan = self.ctx, self.rng, self.plan
        s = self.start
        label = ctx.chat_label
        ann = self.emit(s - rng.uniform(25, 28.5) * MIN, ctx.mod1,
                        f"⏰ {label} starts in 30 minutes! Tonight's topic: {plan.topic.title}. "
                        f"Grab a drink and join us at {ctx.time_label} 🙌"
                        if self.tw else
                        f"⏰ Office hours start in 30 minutes! Today's topic: {plan.topic.title}. "
                        f"See you here at {ctx.time_label} 🙌", "moderator")
        self.announcement = ann
        if rng.random() < 0.6:
            self.emit(s - rng.uniform(7, 22) * MIN, ctx.mod2,
                      self.hashtag(f"Looking forward to co-hosting tonight on {plan.topic.short}! "
                                   "Bring your questions 💬", 1.0), "moderator")
        if ctx.sponsor is not None and rng.random() < (0.55 if self.tw else 0.3):
            link = self.link(ctx.sponsor_site, f"/toolkit?utm_source={'twitter' if self.tw else 'slack'}")
            text = (f"Proud to sponsor tonight's {label}! 💙 Check out our free job-search toolkit 👉 {link} "
                    f"{ctx.sponsor_tag}" if self.tw else
                    f"Proud to sponsor today's office hours! 💙 Check out our free remote-job toolkit 👉 {link}")
            self.promo_msgs.append(self.emit(s - rng.uniform(3, 20) * MIN, ctx.sponsor, text, "promotional",
                                             urls=[link]))
        for att in plan.attendees:
            p = att.person
            if att.persona in ("advocate", "regular", "seeker", "recruiter") and rng.random() < 0.16:
                text = rng.choice(("Hi all! Ready for {c} tonight ☕", "Hey friends, see you at {c} in a bit 👋",
                                   "Hello! Getting my tea ready for {c} tonight ☕",
                                   "Hi everyone, excited for tonight's chat on {s}!"))
                text = text.format(c=label, s=plan.topic.short)
                self.emit(s - rng.uniform(1, 24) * MIN, p, text, "social")
            if att.persona in ("seeker", "regular", "newcomer") and rng.random() < 0.07:
                self.emit(s - rng.uniform(1, 25) * MIN, p, self.hashtag(rng.choice(T.OFF_AGENDA_LINES), 0.9),
                          "off_agenda")
            if att.persona == "retweeter" and self.tw and rng.random() < 0.35:
                self.repost(att.person, ann)
            if att.persona == "spam" and rng.random() < 0.6:
                self.spam(att.person, s - rng.uniform(2, 25) * MIN)
            if att.persona == "recruiter" and rng.random() < 0.2:
                self.job_post(att.person, s - rng.uniform(2, 25) * MIN)

    def repost(self, person: Person, original: Msg, *, delay: float | None = None) -> Msg | None:
        if not self.tw or original.author is person or original.kind == "repost":
            return None
        delay = delay if delay is not None else self.ln(150, 1.0) * SEC
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
        s = self.start
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
                self.promo_msgs.append(self.emit(s + rng.uniform(8, 50) * MIN, ctx.sponsor, text, "promotional",
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
                    self.promo_msgs.append(self.emit(s + rng.uniform(6, 58) * MIN, p, text, "promotional",
                                                     urls=[link]))
            elif att.persona == "recruiter":
                for _ in range(rng.randint(1, 2)):
                    self.job_post(p, s + rng.uniform(6, 58) * MIN)
            elif att.persona == "spam":
                for _ in range(rng.randint(3, 5) if self.tw else rng.randint(1, 2)):
                    self.spam(p, s + rng.uniform(2, 59) * MIN)
        # chat-time chatter unrelated to the agenda (the timing alone would call it an answer)
        chatty = self.who("regular", "seeker")
        if chatty and self.q_posts and rng.random() < 0.5:
            t = s + rng.uniform(12, 55) * MIN
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
        close = self.emit(e - rng.uniform(40, 110) * SEC, ctx.mod1, text, "moderator",
                          mentions=[ctx.sponsor] if (self.tw and ctx.sponsor is not None) else [])
        if rng.random() < 0.7:
            self.emit(e - rng.uniform(5, 35) * SEC, ctx.mod2,
                      self.hashtag("What a chat! Thanks for all the generous answers tonight 💙", 1.0), "moderator")
        for att in plan.attendees:
            if att.persona not in ("advocate", "regular", "seeker", "newcomer", "recruiter"):
                continue
            if rng.random() < 0.28:
                if rng.random() < 0.6:
                    prefix, people = self.reply_prefix(close, att.person)
                    text = rng.choice(("Thanks for hosting! Great chat tonight 🙌", "Thank you! Learned a lot tonight.",
                                       "Thanks {f}! See you next week 👋")).format(f=ctx.mod1.first)
                    self.emit(close.t + rng.uniform(10, 400) * SEC, att.person, self.hashtag(prefix + text, 0.7),
                              "social", kind="reply", parent=close, mentions=people)
                else:
                    text = rng.choice(("Thanks everyone, see you next week! 👋", "Great chat tonight, thank you all 🙏",
                                       "Thank you all for the tips tonight 💙"))
                    if ctx.sponsor is not None and self.tw and rng.random() < 0.3:
                        text = f"Thanks @{ctx.sponsor.handle} for sponsoring! 💙 Great chat tonight."
                        self.emit(close.t + rng.uniform(10, 400) * SEC, att.person, self.hashtag(text, 1.0),
                                  "social", mentions=[ctx.sponsor])
                    else:
                        self.emit(close.t + rng.uniform(10, 400) * SEC, att.person, self.hashtag(text, 0.95),
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
        self.emit(self.start + self.rng.uniform(2, 4) * MIN, att.person, self.hashtag(text, 1.0), "social")

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
        recap = self.emit(e + delay * HOUR, ctx.mod1, text, "moderator", mentions=top, urls=[link])
        for att in self.who("retweeter"):
            if rng.random() < 0.5:
                self.repost(att.person, recap, delay=rng.uniform(5, 300) * MIN)
        # pairs who met in the chat talk again
        pairs = [(h, d, m) for h, d, m in self.helps if self.persona.get(d.uid) not in (None, "moderator")]
        rng.shuffle(pairs)
        seen: set[tuple[str, str]] = set()
        for helper, helped, advice in pairs:
            key = (helper.uid, helped.uid)
            if key in seen or len(seen) >= 8 or rng.random() > 0.35:
                continue
            seen.add(key)
            t = e + rng.uniform(1, 60) * HOUR
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
                self.emit(msg.t + rng.uniform(10, 300) * MIN, helper,
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
                self.answers.append(self.emit(e + rng.uniform(1, 30) * HOUR, att.person, text, "answer", q=n,
                                              style="An", theme=self.theme_of[n]))
        chat_asks = [m for m in self.answers if m.asks and self.can_reply_to(m.author)]
        advocates = [a.person for a in self.who("advocate")]
        if chat_asks and advocates and rng.random() < 0.6:
            target = rng.choice(chat_asks)
            helper = rng.choice(advocates)
            if helper is not target.author:
                self.advice_reply(helper, target, delay=rng.uniform(10, 40) * HOUR)
        if ctx.sponsor is not None and rng.random() < 0.6:
            link = self.link(ctx.sponsor_site, f"/tips/{plan.session_id}")
            text = (f"Missed last night's {ctx.chat_label}? Download our free tip sheet on {plan.topic.short} 👉 {link} "
                    f"{ctx.sponsor_tag}" if self.tw else
                    f"Missed office hours? Download our free tip sheet on {plan.topic.short} 👉 {link}")
            self.promo_msgs.append(self.emit(e + rng.uniform(15, 40) * HOUR, ctx.sponsor, text, "promotional",
                                             urls=[link]))
        for att in self.who("recruiter"):
            if rng.random() < 0.3:
                self.job_post(att.person, e + rng.uniform(2, 70) * HOUR)
        for att in self.who("spam"):
            if rng.random() < 0.5:
                self.spam(att.person, e + rng.uniform(2, 70) * HOUR)
        # stray posts outside every session window (mid-week job ads, spam)
        if plan.outside_ms is not None:
            for att in self.who("recruiter", "self_promoter", "spam"):
                if rng.random() < 0.25:
                    t = plan.outside_ms + rng.uniform(0, 20) * HOUR
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
