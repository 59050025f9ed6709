"""The chat phase of a simulated session: the moderators' opening, the introductions, the questions, the answers
to them and the threads under the answers (advice, agreement, thanks).

A mixin of :class:`moderator_kit.synth.session_base.SessionBase` (it posts with its primitives).
"""

from __future__ import annotations

from moderator_kit.synth import text as T
from moderator_kit.synth.people import STATUS_LINES, Person
from moderator_kit.synth.plan import MIN, SEC, Attendee, Msg

__all__ = ["ChatPhase"]

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


class ChatPhase:
    """Opening, intros, questions, answers and threads (mixed into the session simulator)."""

    def opening(self) -> None:
        ctx, rng, plan = self.ctx, self.rng, self.plan
        s = self.start
        if self.tw:
            text = (f"Welcome to {ctx.chat_label}! 🎉 I'm {ctx.mod1.first}, your host. Tonight: {plan.topic.title}. "
                    f"Questions come as Q1, Q2…, answer with A1, A2… Say hi and introduce yourself!")
        else:
            text = (f"Welcome to office hours! 🎉 Today: {plan.topic.title}. I'll post the questions as Q1, Q2… "
                    f"Answer in the thread of each question. Say hi and introduce yourself!")
        self.emit(s + rng.uniform(5, 35) * SEC, ctx.mod1, text, "moderator")
        if ctx.sponsor is not None:
            link = self.link(ctx.sponsor_site, "/toolkit")
            if self.tw:
                text = (f"Tonight's {ctx.chat_label} is sponsored by @{ctx.sponsor.handle} 💙 Check out their free "
                        f"job-search toolkit 👉 {link} {ctx.sponsor_tag}")
            else:
                text = f"Today's office hours are sponsored by @{ctx.sponsor.handle} 💙 Their remote-job toolkit: {link}"
            self.emit(s + rng.uniform(45, 100) * SEC, ctx.mod1, text, "moderator", mentions=[ctx.sponsor],
                      urls=[link])
        self.emit(s + rng.uniform(30, 120) * SEC, ctx.mod2,
                  self.hashtag(f"Hi everyone! 👋 {ctx.mod2.first} here, co-hosting tonight. So glad you're here!", 1.0),
                  "moderator")
        if rng.random() < 0.7:
            text = ("Reminder: add {c} to every tweet so everyone can follow along 🙌" if self.tw else
                    "Reminder: please answer in each question's thread so we can all follow along 🙌")
            self.emit(s + rng.uniform(150, 240) * SEC, ctx.mod1, text.format(c=ctx.chat_label), "moderator")

    def intros(self) -> None:
        ctx, rng, plan = self.ctx, self.rng, self.plan
        q1 = self.q_posts[0].t if self.q_posts else self.start + 5 * MIN
        for att in plan.attendees:
            p, persona = att.person, att.persona
            chance = _INTRO_P.get(persona, 0.0)
            if persona == "newcomer" and att.got_reply:
                chance = 1.0
            if rng.random() >= chance:
                continue
            t = self.start + min(max(self.ln(110, 0.5) * SEC, 20 * SEC), (q1 - self.start) - 15 * SEC)
            late = rng.random() < 0.08 and persona != "newcomer"
            if late:
                t = self.start + rng.uniform(10, 40) * MIN
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
                self.emit(intro.t + rng.uniform(20, 150) * SEC, helper, self.hashtag(prefix + text, 0.6), "social",
                          kind="reply", parent=intro, mentions=people)
            elif att.persona in ("regular", "advocate", "seeker") and rng.random() < 0.15:
                helper = rng.choice(greeters)
                if helper is att.person:
                    continue
                prefix, people = self.reply_prefix(intro, helper)
                text = rng.choice(("Hey {f}! Good to see you again 👋", "Hi friend! 👋", "Welcome back, {f}!"))
                self.emit(intro.t + rng.uniform(20, 200) * SEC, helper, prefix + text.format(f=att.person.first),
                          "social", kind="reply", parent=intro, mentions=people)
            elif att.persona in ("regular", "seeker", "advocate") and rng.random() < 0.08:
                others = [a.person for a in self.who("regular", "seeker") if a.person is not att.person]
                if not others:
                    continue
                chatter = rng.choice(others)
                prefix, people = self.reply_prefix(intro, chatter)
                line = rng.choice(T.OFF_AGENDA_REPLIES).format(city=att.person.city, role=att.person.role)
                self.emit(intro.t + rng.uniform(30, 240) * SEC, chatter, prefix + line, "off_agenda", kind="reply",
                          parent=intro, mentions=people)

    def status(self, att: Attendee) -> str:
        lines = STATUS_LINES.get(att.persona, STATUS_LINES["regular"])
        return self.rng.choice(lines).format(role=att.person.role)

    def questions(self) -> None:
        ctx, rng, plan = self.ctx, self.rng, self.plan
        for post in plan.posts:
            n = post.number
            qtext = self.text_of[n]
            t = self.start + post.offset_s * SEC
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
                    self.repost(ctx.mod2, msg, delay=rng.uniform(10, 70) * SEC)
        self.q_posts.sort(key=lambda m: m.t)
        firsts = sorted(self.q_first.values(), key=lambda m: m.t)
        for nxt in firsts[1:]:
            if rng.random() < 0.25:
                text = (f"Q{nxt.question} coming up in 2 minutes ⏳ Keep those answers coming!" if rng.random() < 0.6
                        else "Loving these answers! Next question in 2 min ⏳")
                self.emit(nxt.t - rng.uniform(100, 140) * SEC, ctx.mod1, self.hashtag(text, 1.0), "moderator")
        if plan.skip_note is not None:
            after = [m for m in firsts if m.question > plan.skip_note]
            if after:
                nxt = after[0]
                text = (f"We're short on time, so we'll skip Q{plan.skip_note} tonight. Straight on to "
                        f"Q{nxt.question} 👇")
                self.emit(nxt.t - rng.uniform(15, 40) * SEC, ctx.mod1, self.hashtag(text, 1.0), "moderator")

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
                t = qmsg.t + rng.uniform(40, 120) * SEC
                self.answers.append(self.emit(t, author, self.hashtag(f"A{n}: {payload}", 1.0), "answer", q=n,
                                              style="An:", theme=self.theme_of[n]))

    def answer(self, att: Attendee, qmsg: Msg, *, first_answer: bool, t: float | None = None) -> Msg | None:
        rng = self.rng
        n = qmsg.question
        theme = self.theme_of[n]
        p = att.person
        if t is None:
            t = qmsg.t + max(15 * SEC, self.ln(95 * self.difficulty[n] * _LATENCY.get(att.persona, 1.0), 0.7) * SEC)
        t = int(min(t, qmsg.t + 25 * MIN))
        joined = self.joined.get(p.uid)
        if joined is not None and t < joined + 20 * SEC:
            if self.next_question_time(n) < joined:
                return None  # joined after this question was over
            t = joined + int(self.rng.uniform(30, 120) * SEC)
        nxt = self.next_question_time(n)
        in_window = t < nxt - 5 * SEC
        after_end = t >= self.end - 5 * SEC
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
        t = target.t + (delay if delay is not None else self.ln(85, 0.6) * SEC)
        joined = self.joined.get(helper.uid)
        if joined is not None and t < joined:
            t = joined + self.rng.uniform(20, 90) * SEC
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
        rng, ctx = self.rng, self.ctx
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
                    self.thank(ans.author, reply, rng.uniform(30, 240) * SEC)
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
                    self.thank(m.author, reply, rng.uniform(30, 300) * SEC)
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
                msg = self.emit(target.t + rng.uniform(60, 300) * SEC, sp,
                                f"{prefix}DM me, my coaching covers exactly this 👉 {link}", "promotional",
                                kind="reply", parent=target, mentions=people, urls=[link])
                self.promo_msgs.append(msg)
