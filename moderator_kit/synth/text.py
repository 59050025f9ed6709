"""Text banks for the synthetic chats: agendas, advice by theme, social lines, promotions and spam.

Everything here is plain data. The texts are written to read like real job-search chats (advice phrasing,
struggles, intros, thank-yous), so that classifiers and dashboards meet realistic wording. Placeholders in braces
(``{first}``, ``{city}``, ``{link}``…) are filled by the generator.

Examples
--------
>>> len(TWITTER_TOPICS) >= 12 and all(6 <= len(t.questions) <= 8 for t in TWITTER_TOPICS)
True
>>> sorted(ADVICE)[:3]
['ats', 'brand', 'career_change']
>>> all(theme in ADVICE and theme in STRUGGLES for t in TWITTER_TOPICS + SLACK_TOPICS for _, theme in t.questions)
True
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Topic",
    "TWITTER_TOPICS",
    "SLACK_TOPICS",
    "ADVICE",
    "STRUGGLES",
    "ASK_SUFFIXES",
    "OPENERS",
    "CLOSERS",
    "RECRUITER_PREFIXES",
    "ADVICE_CONNECTORS",
    "RELATED",
    "AGREEMENTS",
    "THANKS_LINES",
    "FIRST_NAMES",
    "LAST_NAMES",
    "CITIES",
    "TARGET_ROLES",
    "OFF_AGENDA_LINES",
    "OFF_AGENDA_REPLIES",
    "AMBIGUOUS_CHATTER",
    "SPAM_LINES",
    "SELF_PROMOTERS",
    "RECRUITER_COMPANIES",
    "JOB_TITLES",
    "offsets_for",
]


@dataclass(frozen=True)
class Topic:
    """One session's topic: a title, a short name and its questions as (text, advice theme)."""

    title: str
    short: str
    questions: tuple[tuple[str, str], ...]


def offsets_for(count: int) -> tuple[int, ...]:
    """Planned minutes after the start for ``count`` questions in a 60-minute chat.

    >>> offsets_for(7)
    (5, 12, 19, 26, 33, 40, 47)
    >>> offsets_for(5)
    (5, 16, 27, 38, 49)
    """
    if count >= 8:
        return tuple(4 + 7 * i for i in range(count))
    if count >= 6:
        return tuple(5 + 7 * i for i in range(count))
    return tuple(5 + 11 * i for i in range(count))


TWITTER_TOPICS: tuple[Topic, ...] = (
    Topic("New year, new job search: setting goals that stick", "job-search goals", (
        ("What's your #1 job-search goal for 2026?", "goals"),
        ("How many hours a week do you realistically spend on your search?", "routine"),
        ("How do you decide which roles are worth applying to?", "targeting"),
        ("What tools or trackers keep your search organised?", "routine"),
        ("How do you keep your spirits up when the inbox is quiet?", "mindset"),
        ("Who do you lean on for support during a search?", "networking"),
        ("What's one small step you'll take this week?", "goals"),
    )),
    Topic("Resumes that get past the ATS", "resumes & the ATS", (
        ("What's the biggest resume myth you used to believe?", "resume"),
        ("How do you tailor your resume without rewriting it every time?", "resume"),
        ("How do you show impact when your work is hard to quantify?", "impact"),
        ("One page or two? Where do you land and why?", "resume"),
        ("What do you do about gaps on your resume?", "gaps"),
        ("How do you check your resume against the job description before you apply?", "ats"),
        ("Which formatting mistakes get a resume rejected by software?", "ats"),
        ("Share one bullet you're proud of (before & after if you have it!)", "impact"),
    )),
    Topic("Networking without feeling fake", "networking", (
        ("Be honest: how do you feel about the word 'networking'?", "networking"),
        ("Who is in your network that you haven't talked to in a while?", "networking"),
        ("How do you write a first message to someone you don't know?", "networking"),
        ("How do you follow up without being pushy?", "networking"),
        ("Where do you meet people in your field: online, meetups, alumni groups?", "networking"),
        ("How do you give back to the people who help you?", "mindset"),
        ("What's your networking goal for the next month?", "goals"),
    )),
    Topic("LinkedIn profiles that recruiters actually find", "LinkedIn profiles", (
        ("What does your LinkedIn headline say right now?", "linkedin"),
        ("What belongs in the About section, and what doesn't?", "linkedin"),
        ("Open to Work banner: yes or no?", "linkedin"),
        ("How do you pick the skills you list?", "linkedin"),
        ("Do you post on LinkedIn? What has worked for you?", "brand"),
        ("How do you ask for recommendations?", "linkedin"),
        ("What's one change you'll make to your profile this week?", "goals"),
    )),
    Topic("Interview prep: telling your story", "interview prep", (
        ("How do you answer 'Tell me about yourself'?", "story"),
        ("How do you prepare for behavioural questions?", "interview"),
        ("How do you research a company before an interview?", "interview"),
        ("What's your answer to 'What's your biggest weakness'?", "story"),
        ("What questions do you ask at the end of an interview?", "interview"),
        ("Video interviews: what's your setup and routine?", "interview"),
        ("How do you calm your nerves before an interview?", "mindset"),
        ("What goes in your thank-you note?", "interview"),
    )),
    Topic("Salary negotiation without the fear", "salary negotiation", (
        ("Have you ever negotiated a job offer? How did it go?", "salary"),
        ("How do you research a fair salary range?", "salary"),
        ("What do you say when they ask for your salary expectations?", "salary"),
        ("Besides base pay, what else do you negotiate?", "salary"),
        ("How do you respond to a lowball offer?", "salary"),
        ("What's your script for asking for more?", "salary"),
        ("When is it better not to negotiate?", "offers"),
    )),
    Topic("Changing careers: making the leap", "career change", (
        ("What career are you leaving, and where are you heading?", "career_change"),
        ("Which of your skills transfer best to the new field?", "career_change"),
        ("How do you explain a career change on your resume?", "resume"),
        ("Courses, certificates or bootcamps: what's worth the money?", "career_change"),
        ("How do you get experience before you get the job?", "career_change"),
        ("How do you talk about your change in interviews?", "story"),
        ("Who has helped you most in your transition?", "networking"),
        ("What would you tell someone thinking about a career change?", "mindset"),
    )),
    Topic("Remote and hybrid job search", "remote jobs", (
        ("Remote, hybrid or in-office: what are you looking for, and why?", "remote"),
        ("Where do you find legit remote job postings?", "remote"),
        ("How do you show you can work remotely on your resume?", "remote"),
        ("How do you stand out when a remote role has 1,000 applicants?", "targeting"),
        ("What questions do you ask to check a company's remote culture?", "remote"),
        ("How do you handle time zones in your search?", "remote"),
        ("What's your best tip for remote interviews?", "interview"),
    )),
    Topic("Handling rejection and ghosting", "rejection & ghosting", (
        ("What's the hardest rejection you've had in your search?", "mindset"),
        ("How long do you wait before following up?", "networking"),
        ("Do you ask for feedback after a rejection? Has it helped?", "interview"),
        ("How do you deal with being ghosted after an interview?", "mindset"),
        ("What keeps you going after a 'no'?", "mindset"),
        ("What would you tell someone who just got their tenth rejection?", "mindset"),
    )),
    Topic("Informational interviews that open doors", "informational interviews", (
        ("Have you done an informational interview? How did it go?", "info_interview"),
        ("How do you ask for one without sounding like you want a job?", "info_interview"),
        ("What are your favourite questions to ask?", "info_interview"),
        ("How do you find the right people to talk to?", "networking"),
        ("How do you follow up after an informational interview?", "info_interview"),
        ("What surprised you most in one of these conversations?", "info_interview"),
        ("What's your goal for informational interviews this month?", "goals"),
    )),
    Topic("Personal brand and portfolio", "personal brand", (
        ("What do you want to be known for?", "brand"),
        ("Do you have a portfolio? What's in it?", "brand"),
        ("How do you show your work if it's under NDA?", "brand"),
        ("What's your take on posting about your job search publicly?", "brand"),
        ("Which platform works best for your field?", "brand"),
        ("How do you keep your brand consistent across platforms?", "linkedin"),
        ("What's one thing you'll add to your portfolio this month?", "goals"),
    )),
    Topic("Offers, references and your first 90 days", "offers & first 90 days", (
        ("How do you evaluate a job offer beyond the salary?", "offers"),
        ("How do you pick and prepare your references?", "offers"),
        ("What red flags do you look for before you accept?", "offers"),
        ("How do you handle two offers at once?", "salary"),
        ("How do you resign gracefully?", "offers"),
        ("What's your plan for your first 90 days?", "offers"),
        ("How do you keep your network warm once you've landed?", "networking"),
    )),
)

SLACK_TOPICS: tuple[Topic, ...] = (
    Topic("Remote job search across time zones", "time zones", (
        ("Which time zones can you realistically work with?", "remote"),
        ("Where do you find remote roles that hire in your country?", "remote"),
        ("How do you show async skills on your CV?", "remote"),
        ("How do you schedule interviews across time zones?", "interview"),
        ("What's one thing you'll change in your search this week?", "goals"),
    )),
    Topic("Async interviews and take-home tasks", "take-home tasks", (
        ("Recorded video interviews: love them or hate them?", "interview"),
        ("How much unpaid take-home work is too much?", "interview"),
        ("How do you present a take-home task?", "brand"),
        ("What do you ask to understand the hiring process?", "interview"),
        ("How do you follow up after an async round?", "networking"),
    )),
    Topic("Location-based pay and negotiating remote salaries", "remote salaries", (
        ("Should pay depend on where you live?", "salary"),
        ("How do you research remote salary ranges?", "salary"),
        ("What do you answer when asked for your expectations?", "salary"),
        ("What else do you negotiate for remote roles?", "salary"),
    )),
    Topic("A remote-friendly portfolio", "portfolio", (
        ("What's in your portfolio right now?", "brand"),
        ("How do you show work that's under NDA?", "brand"),
        ("Case study or screenshots: what works better?", "brand"),
        ("Where do you host your portfolio?", "brand"),
        ("Who could review your portfolio this month?", "networking"),
    )),
    Topic("Your first remote role after a career change", "first remote role", (
        ("Which skills from your old career help you work remotely?", "career_change"),
        ("How do you get remote experience before the job?", "career_change"),
        ("How do you tell your career-change story in a remote interview?", "story"),
        ("How do you stay visible in your first months on a remote team?", "offers"),
        ("What would you tell someone starting this path?", "mindset"),
    )),
)

#: Advice sentences by theme (what advocates, regulars, recruiters and moderators say).
ADVICE: dict[str, tuple[str, ...]] = {
    "goals": (
        "Land a product ops role by June. Writing it down makes it feel real.",
        "Fewer, better applications. Last year I sent 200 and heard back from 6.",
        "Get back to work after my layoff without settling for the first thing that comes along.",
        "Move from contract gigs to something full-time with benefits.",
        "Have 3 real conversations a week with people in the field I want to be in.",
        "Finally make the jump from teaching into instructional design.",
        "Negotiate my next offer instead of saying yes on the spot.",
        "Find a team where I can grow, not just a paycheck. Learned that the hard way.",
        "Keep the search to 10 focused hours a week so it doesn't eat my whole life.",
        "Reach out to two former colleagues and update my portfolio. Small steps count.",
    ),
    "routine": (
        "I block 9-11am for applications and stop there. After that it's networking or a walk.",
        "A simple spreadsheet: company, role, date, contact, next step. Nothing fancy, but I never lose track.",
        "I batch everything: Monday research, Tue/Wed applications, Thursday follow-ups, Friday off.",
        "Trello board with Saved, Applied, Interviewing, Offer columns. Moving cards is weirdly motivating.",
        "About 15 hours a week. More than that and the quality of my applications drops.",
        "45 minutes on, then a real break. The search is a marathon, not a sprint.",
        "I keep a 'wins' doc: every reply, every coffee chat. Reading it on bad days helps.",
        "Job alerts for my target companies plus one saved search. The postings come to me now.",
        "Calendar reminders to follow up 7 days after every application.",
    ),
    "targeting": (
        "If I can't see myself doing 70% of the listed tasks, I skip it.",
        "I read the posting twice: once for the role, once for red flags like 'we're a family'.",
        "I apply where I know someone, or can find someone to talk to first. Referrals beat cold applications.",
        "I start from a list of 30 companies I actually like, then look for roles there.",
        "Salary range posted = more likely I apply. Transparency tells you something about the culture.",
        "I check recent news and reviews before I spend an hour on an application.",
        "If the posting has 15 'must-haves', treat half of them as nice-to-haves and apply anyway.",
        "Quality over quantity: 5 tailored applications beat 50 generic ones every week.",
    ),
    "mindset": (
        "I give myself one day to be annoyed after a rejection, then back to it.",
        "A quiet inbox is about the market, not your worth. Say it until you believe it.",
        "Volunteering 2 hours a week kept me feeling useful while I searched.",
        "Celebrate the process, not just outcomes. Sent 5 good applications? That's a win.",
        "An accountability buddy changed everything for me. We check in every Friday.",
        "I stopped refreshing my email every 10 minutes. Notifications off after 6pm.",
        "Exercise, genuinely. A morning walk does more for my search than another hour on job boards.",
        "Chats like this one! Knowing others are in the same boat helps so much.",
        "Ghosting says more about their process than about you. Follow up once, then move on.",
    ),
    "resume": (
        "Tailor the top third: headline, summary and first 3 bullets. Leave the rest mostly alone.",
        "Keep a master resume with everything, then cut it down for each role.",
        "Mirror the language of the posting. If they say 'stakeholder management', don't write 'working with people'.",
        "Lead every bullet with a verb and end it with a result.",
        "Two pages is fine after 10+ years. Recruiters care about relevance, not page count.",
        "One page if you're early career. Every line has to earn its spot.",
        "Cut the objective statement and use a 2-line summary of what you bring.",
        "Drop anything older than 15 years unless it's directly relevant.",
        "Save it as a PDF unless they ask for Word, and name it Firstname-Lastname-Role.pdf.",
    ),
    "impact": (
        "If you can't use numbers, use scale: how many people, how many projects, how often.",
        "Before/after works great: 'Cut onboarding from 3 weeks to 1'.",
        "Ask your old manager or teammates what changed because of your work. They remember what you forget.",
        "In support? Use CSAT, tickets resolved, response times, or the docs you wrote that cut tickets.",
        "Time saved and money saved are the two numbers every hiring manager understands.",
        "Estimated numbers are fine if you can explain how you got them in the interview.",
        "Think about what would have gone wrong if you weren't there. That's your impact.",
        "Awards, promotions and being asked to train others all show impact without a metric.",
    ),
    "gaps": (
        "One line is enough: 'Career break, caregiving, 2023-2024'. No need to over-explain.",
        "Own it in the interview: what you did, what you learned, and why you're ready now.",
        "Freelance work, volunteering or courses during the gap can go right on the resume.",
        "Gaps are so common now. Most recruiters I talk to don't blink at them.",
        "Use years instead of months in your dates if the gap is short.",
        "Practise your gap answer out loud until it sounds calm and matter-of-fact.",
    ),
    "ats": (
        "Paste the job description into a word cloud tool and check the top terms are in your resume.",
        "Skip tables, columns and text boxes. Simple formatting parses best.",
        "Use standard headings: Experience, Education, Skills. Creative headings confuse parsers.",
        "I run a free resume scanner against the posting before I hit submit.",
        "Put the exact job title from the posting in your summary, if it's honest.",
        "Spell out acronyms once: 'Search Engine Optimization (SEO)'.",
        "Don't hide keywords in white text. Recruiters see it and it looks bad.",
    ),
    "networking": (
        "Start with people you already know. Former coworkers are the warmest network you have.",
        "Ask for advice, not a job. People love to share what they know.",
        "Comment thoughtfully on someone's posts for a few weeks before you reach out.",
        "Keep the first message short: who you are, why them, one specific question.",
        "Follow up with something useful, like an article or a congrats, not just 'any updates?'.",
        "Alumni networks are underrated. A shared school gets a surprisingly high reply rate.",
        "Two new conversations a week. Small and steady beats a burst of 50 cold DMs.",
        "Local meetups feel awkward at first, but that's where my last two jobs came from.",
        "Always end with 'Is there anyone else you think I should talk to?'",
    ),
    "linkedin": (
        "Your headline is not your job title. Say who you help and how.",
        "Turn on Open to Work for recruiters only if you don't want the green banner.",
        "The About section should sound like you talking, not a resume in paragraphs.",
        "Add the skills that match the jobs you want; recruiters filter on them.",
        "A clear, friendly headshot and a simple banner make a big difference.",
        "Post once a week about what you're learning. It brings recruiters to you.",
        "Ask for 2-3 recommendations from people who saw your work up close.",
        "Put keywords in your headline and current role. That's what search picks up.",
    ),
    "interview": (
        "Write 6-8 STAR stories and map them to the job description before every interview.",
        "Look up your interviewers so you know their background before you walk in.",
        "Bring 3 questions for them. 'What does success look like in 90 days?' is my favourite.",
        "Do a mock interview with a friend and record it. Painful, but it works.",
        "Water, notes and the job description open for video interviews.",
        "It's OK to pause and say 'Let me think about that for a second'.",
        "Send a thank-you note within 24 hours that mentions something specific you discussed.",
        "Know the numbers behind your biggest wins. They come up every time.",
        "Practise out loud, not in your head. It feels silly, but it's the only thing that works.",
    ),
    "story": (
        "For 'tell me about yourself': present, past, future. 60-90 seconds, then stop.",
        "Pick a weakness that's real but not core to the job, and show what you're doing about it.",
        "Connect your story to their problem: why this role, why now.",
        "Lead with your strongest proof point, not your first job.",
        "Your career change story should sound like a choice, not an escape.",
        "End your story with a question back to them. It turns it into a conversation.",
        "Keep a one-line version of your story for networking and a longer one for interviews.",
    ),
    "salary": (
        "Research the range on salary sites and in posted ranges before the first call.",
        "Let them say a number first if you can: 'What's the budgeted range for this role?'",
        "Always negotiate. The worst I've ever heard back is 'this is our best offer'.",
        "Negotiate the whole package: PTO, remote days, learning budget, start date.",
        "Get the offer in writing before you resign from anywhere.",
        "Practise saying your number out loud. Then stop talking.",
        "Say you're excited about the role, then ask if there's flexibility. Enthusiasm plus an ask works.",
        "If base is fixed, ask for a sign-on bonus or an earlier salary review.",
    ),
    "career_change": (
        "Find the overlap: which of your current skills does the new field already pay for?",
        "Informational interviews first, courses second. Know the job before you pay for training.",
        "Take on a project in your current job that looks like the job you want.",
        "Rewrite your resume in the new field's language. Teachers 'design learning experiences'.",
        "A hybrid role can be a bridge: teacher to ed-tech customer success, for example.",
        "Expect a small step back in title, not necessarily in pay.",
        "Build one portfolio piece that solves a real problem in the new field.",
        "Join the new field's communities now, before you apply anywhere.",
    ),
    "remote": (
        "Put your time zone and remote experience right in your resume header.",
        "Show you can work async: written updates, docs, clear handoffs.",
        "Remote-first companies often publish their handbook. Read it before you apply.",
        "Filter for roles remote in your country. Many 'remote' roles are US-only or EU-only.",
        "Name the tools you've used: Slack, Notion, Jira, Loom. It signals you'll ramp up fast.",
        "Hybrid can be a sweet spot. Ask how many office days are really expected.",
        "Competition for remote roles is fierce, so referrals matter even more.",
    ),
    "info_interview": (
        "Keep the ask to 20 minutes and stick to it. Respect their time.",
        "Prepare 5 questions, but expect to get through only 3.",
        "Ask 'What do you wish you'd known before you started in this role?'",
        "Never ask for a job in an info interview. If it's a fit, they'll bring it up.",
        "Send a thank-you the same day, and an update a month later on what you did with their advice.",
        "Ask which skills actually matter day to day. Job posts are wish lists.",
        "Take notes. Patterns across 5-6 conversations tell you a lot about a field.",
    ),
    "brand": (
        "Pick 2-3 topics and show up consistently. People remember you for something.",
        "A simple one-page site with your projects beats a fancy portfolio you never finish.",
        "Case studies over screenshots: the problem, your process and the result.",
        "Share what you're learning in public. Progress posts get great engagement.",
        "Use the same photo and headline everywhere so people recognise you.",
        "Write the portfolio for a busy hiring manager: summary first, details after.",
        "Your brand is also how you treat people in chats like this one.",
    ),
    "offers": (
        "Ask references ahead of time and tell them what the role is about.",
        "Give references a short cheat sheet: the role, skills to highlight, a project you did together.",
        "Read the whole offer, including notice period and non-compete, before you sign.",
        "First 90 days: listen more than you talk, and ask for feedback at 30 days.",
        "Book 1:1s with your team in the first two weeks. Relationships first.",
        "Write down what success looks like with your manager in week one.",
        "It's OK to ask for a few days to consider an offer. A good employer will give you that.",
        "Keep your network warm after you land. The next search starts on day one of the job.",
    ),
}

#: What seekers say when they are stuck, by theme (usually followed by an ask).
STRUGGLES: dict[str, tuple[str, ...]] = {
    "goals": ("Honestly, my goal is just to get any interview at this point 😅",
              "Still figuring out what I even want next.",
              "I keep setting goals and then the week just disappears."),
    "routine": ("I have zero system right now, just 40 open browser tabs 🙈",
                "I spend 8 hours a day on job boards and feel exhausted.",
                "I lose track of where I applied and who I talked to."),
    "targeting": ("I apply to everything and hear nothing back.",
                  "Not sure if I'm aiming too high or too low.",
                  "Every posting asks for 5 years of experience for an entry-level role."),
    "mindset": ("It's been 7 months and it's getting hard to stay positive.",
                "The ghosting is really wearing me down.",
                "Some days I can't make myself open the job boards at all."),
    "resume": ("I rewrite my whole resume for every application and it takes hours.",
               "Not sure my resume is even being read.",
               "My resume is three pages and I can't decide what to cut."),
    "impact": ("I worked in support, and everything I did feels hard to measure.",
               "My old job was mostly 'keeping things running'. How do I show that?",
               "I never tracked numbers at my last job."),
    "gaps": ("I have a 2-year gap from caregiving and dread the question.",
             "I took a year off after burnout and don't know how to explain it.",
             "My gap is 18 months now and it keeps growing."),
    "ats": ("I think the ATS is eating my resume, I never hear back.",
            "My resume is a fancy two-column template. Is that a problem?",
            "No idea which keywords matter for the roles I want."),
    "networking": ("Networking feels so fake to me.",
                   "I'm an introvert and cold messages terrify me.",
                   "I reached out to 10 people and only 1 replied."),
    "linkedin": ("My LinkedIn hasn't been updated since 2019 🙈",
                 "I never know what to write in the About section.",
                 "Recruiters never find my profile."),
    "interview": ("I freeze on behavioural questions.",
                  "I ramble when I'm nervous.",
                  "I made it to 4 final rounds and got 4 rejections."),
    "story": ("'Tell me about yourself' is my nemesis.",
              "I never know which weakness to pick.",
              "My story sounds like a list of jobs, not a story."),
    "salary": ("I've never negotiated. I always just said yes.",
               "They asked for my expectations on the first call and I panicked.",
               "I have no idea what the market rate is for my role."),
    "career_change": ("Trying to move from teaching to UX and nobody takes me seriously.",
                      "Ten years in retail and I want to move into HR.",
                      "I finished a bootcamp but every junior role wants 2 years of experience."),
    "remote": ("Every remote role I apply to has 1,000+ applicants.",
               "Not sure how to show I can work remotely when I never have.",
               "Half the 'remote' jobs I find turn out to be hybrid."),
    "info_interview": ("I don't know how to ask for an info interview without sounding like I want a job.",
                       "What do you even ask in an informational interview?",
                       "I had one and it felt really awkward."),
    "brand": ("I don't have a portfolio and don't know where to start.",
              "Personal branding feels like bragging to me.",
              "All my best work is under NDA."),
    "offers": ("I have an offer but it's lower than I hoped.",
               "Worried my old manager won't give a good reference.",
               "I start a new job in two weeks and I'm nervous."),
}

ASK_SUFFIXES = ("Any advice?", "How do you all handle this?", "Would love tips!", "What worked for you?",
                "Any advice on this?", "How do I fix that?", "Help? 😅", "Open to any ideas!")

#: Openers that keep the next sentence's capital letter.
OPENERS = ("", "", "", "", "Honestly? ", "For me: ", "Big one: ", "Learned this the hard way: ", "Hot take: ",
           "Simple but it works: ", "Game changer for me: ", "Agree with everyone so far. ", "Two words: consistency. ")

CLOSERS = ("", "", "", "", " 🙌", " 💯", " 👏", " Works every time.", " Took me way too long to figure that out 😅",
           " Still working on it!", " 💪")

RECRUITER_PREFIXES = ("Recruiter POV: ", "From the recruiting side: ", "As a recruiter: ", "Hiring side here: ")

#: How an advice reply starts (they never start like a greeting or a thank-you).
ADVICE_CONNECTORS = ("Adding to this: ", "One thing that helped me: ", "Try this: ", "Yes, and: ",
                     "Something that worked for me: ", "From the hiring side: ", "My 2 cents: ", "Building on this: ",
                     "Been there. ", "Same here. ", "Oh, and: ", "What helped me most: ")

#: Themes whose advice also fits a question of another theme (used for variety).
RELATED = {
    "goals": ("routine", "mindset"), "routine": ("goals", "targeting"), "targeting": ("resume", "networking"),
    "mindset": ("goals", "routine"), "resume": ("ats", "impact"), "impact": ("resume", "interview"),
    "gaps": ("story", "resume"), "ats": ("resume", "targeting"), "networking": ("info_interview", "linkedin"),
    "linkedin": ("brand", "networking"), "interview": ("story", "impact"), "story": ("interview", "career_change"),
    "salary": ("offers",), "career_change": ("story", "networking"), "remote": ("targeting", "interview"),
    "info_interview": ("networking",), "brand": ("linkedin",), "offers": ("salary", "mindset"),
}

#: Agreement replies in an answer's thread (they carry no greeting or thanks).
AGREEMENTS = ("So true 💯", "+1 to this!", "This! 👆", "Couldn't agree more.", "Yes yes yes 👏",
              "100% this.", "Great point, saving this.", "Exactly what I needed to hear tonight.", "Same here!")

THANKS_LINES = ("That's really helpful 🙏", "Going to try that this week.", "Never thought of it that way.",
                "Saving this!", "Needed this tonight.", "Adding it to my list.", "You're the best!",
                "That makes so much sense.")

FIRST_NAMES = (
    "Aisha", "Alex", "Amara", "Andre", "Beatriz", "Ben", "Carla", "Chris", "Dana", "Daniel", "Deepa", "Diego",
    "Elena", "Emeka", "Erin", "Fatima", "Grace", "Hannah", "Hiro", "Imani", "Isaac", "Jasmine", "Javier", "Jordan",
    "Kara", "Kenji", "Kofi", "Laura", "Leah", "Luis", "Malik", "Maria", "Mei", "Mia", "Nadia", "Nate", "Noah",
    "Olivia", "Omar", "Paula", "Quinn", "Rachel", "Rahul", "Rosa", "Ryan", "Samira", "Sofia", "Tariq", "Tess",
    "Theo", "Uma", "Vanessa", "Victor", "Wendy", "Yara", "Yusuf", "Zoe", "Ngozi", "Brandon", "Keisha", "Marcus",
    "Hye-jin", "Priscilla", "Tomás", "Agnieszka", "Siobhan", "Ravi", "Lindsey", "Jamal", "Courtney", "Owen",
)

LAST_NAMES = (
    "Adams", "Ahmed", "Alvarez", "Baker", "Bennett", "Brooks", "Campbell", "Chen", "Cohen", "Collins", "Cruz",
    "Diaz", "Edwards", "Evans", "Fischer", "Flores", "Garcia", "Gomez", "Gupta", "Hall", "Hughes", "Ibrahim",
    "Jackson", "Johnson", "Kaur", "Kim", "Kowalski", "Lee", "Lopez", "Martin", "Mensah", "Miller", "Moore",
    "Murphy", "Nguyen", "Novak", "Okafor", "Ortiz", "Patel", "Perez", "Price", "Reyes", "Rivera", "Rossi",
    "Sanchez", "Santos", "Shah", "Silva", "Smith", "Sullivan", "Tanaka", "Taylor", "Thomas", "Turner", "Walker",
    "Ward", "Watson", "White", "Williams", "Wilson", "Wright", "Young", "Zhang", "O'Brien", "Nakamura",
)

CITIES = (
    "Columbus", "Atlanta", "Denver", "Austin", "Chicago", "Philadelphia", "Seattle", "Raleigh", "Phoenix", "Boston",
    "Minneapolis", "Pittsburgh", "Detroit", "Nashville", "Toronto", "Portland", "San Diego", "Baltimore", "Tampa",
    "Kansas City", "Sacramento", "Brooklyn", "Newark", "Cleveland", "Houston", "Dallas", "Manchester", "Dublin",
)

TARGET_ROLES = (
    "product manager", "UX designer", "data analyst", "marketing", "HR generalist", "software engineer",
    "project manager", "customer success", "instructional designer", "operations", "content design",
    "financial analyst", "technical writer", "recruiting coordinator", "nonprofit program manager",
)

OFF_AGENDA_LINES = (
    "Anyone else get ghosted after a final round this week?",
    "Snow day here, perfect excuse to update my resume ❄️",
    "What's everyone's favourite job-search podcast?",
    "How do I follow up after an interview without being annoying?",
    "Is it weird to apply to two roles at the same company?",
    "Long Monday. Ready for some job-search therapy tonight 😅",
    "Does anyone use a career coach? Worth the money?",
    "Just finished my 3rd interview round for the same role. Why are there so many rounds now?",
    "Reading 'What Color Is Your Parachute' again this week. Still holds up.",
    "Who else is job hunting with a toddler at home? 🙋",
)

OFF_AGENDA_REPLIES = (
    "Which bootcamp did you do? Thinking about one myself.",
    "No way, I used to live in {city} too! Small world.",
    "My cat is also attending tonight's chat 🐈",
    "Ha, I remember you from the resume chat a few weeks ago!",
    "Is that the same {role} role that was posted last week?",
    "Did you ever hear back from that company you mentioned?",
)

#: Chat-time chatter with no link to the agenda: the analysis cannot tell it from an answer by timing alone.
AMBIGUOUS_CHATTER = (
    "Is it just me or is this app super slow tonight?",
    "My replies keep showing up out of order, sorry if I'm answering the wrong Q 😅",
    "Brb, the dog needs a walk 🐕",
    "Whoever said the coffee tip earlier, I owe you one ☕",
)

SPAM_LINES = (
    "💸 Earn $500/day from home!! No experience needed. Click 👉 {link}",
    "🔥 100% LEGIT 🔥 Make $$$ with crypto signals, only 3 spots left 👉 {link}",
    "Tired of job hunting? 💰 Earn $300/day working 2 hours from your phone 👉 {link}",
    "{mentions} you need to see this 😱👉 {link}",
    "💸 Earn $750/day with this one simple trick, banks hate it 👉 {link}",
)

#: Self-promoters: display name, handle, domain and pitch templates ({link} is always on the same domain).
SELF_PROMOTERS = (
    ("Tanya | Resume Glow-Up", "ResumeGlowUpTan", "resumeglowup.com", (
        "Tired of sending resumes into the void? My 7-day Resume Glow-Up course gets you interviews 👉 {link}",
        "Check out my course! 500+ job seekers landed interviews with it 👉 {link}",
        "Your resume has 6 seconds to impress. My free guide shows you how 👉 {link}",
        "Last 10 spots in my Resume Glow-Up course this month! Check it out 👉 {link}",
        "Recruiters skip 75% of resumes. Don't be one of them. Check out my course 👉 {link}",
    )),
    ("Sam Carter 💼 6-Figure Careers", "SixFigureSam", "sixfigurecareer.net", (
        "Want a 6-figure job in 90 days? Join my free masterclass 👉 {link}",
        "Stop applying, start attracting. My coaching program shows you how 👉 {link}",
        "DM me 'CAREER' or grab your spot in my free masterclass 👉 {link}",
        "My clients doubled their interview rate in 30 days. Check out my program 👉 {link}",
    )),
    ("Profile Polish by Lena", "ProfilePolishLn", "profilepolish.io", (
        "Your LinkedIn is costing you interviews. I rewrite profiles in 48h 👉 {link}",
        "Check out my LinkedIn profile makeover service, 20% off this week 👉 {link}",
        "Free LinkedIn headline template for job seekers, download my guide 👉 {link}",
        "Recruiters search LinkedIn every day. Are they finding you? Book a call 👉 {link}",
    )),
    ("InterviewAce 🎯 Marco", "InterviewAce_M", "interviewace.app", (
        "Nervous about interviews? Practise with my AI interview coach app 👉 {link}",
        "Check out my new app: 300 real interview questions with model answers 👉 {link}",
        "Free trial of InterviewAce this week only. Sign up 👉 {link}",
    )),
)

#: Recruiters' companies: name, careers host, departments and locations.
RECRUITER_COMPANIES = (
    ("Northwind Health", "careers.northwindhealth.org", ("Columbus, OH", "Remote (US)", "Atlanta, GA")),
    ("Lumen Labs", "jobs.lumenlabs.io", ("Remote (US)", "Austin, TX", "Denver, CO")),
    ("Cascade Logistics", "cascadelogistics.com", ("Seattle, WA", "Portland, OR", "Hybrid, Seattle")),
    ("Harbor Bank", "careers.harborbank.com", ("Boston, MA", "Providence, RI", "Remote (US East)")),
    ("Fieldstone Schools", "fieldstoneschools.org", ("Raleigh, NC", "Remote (US)")),
)

JOB_TITLES = ("Product Designer", "Data Analyst", "Customer Success Manager", "HR Business Partner",
              "Project Coordinator", "Senior Software Engineer", "Marketing Specialist", "Operations Analyst",
              "Instructional Designer", "Recruiting Coordinator", "Technical Writer", "Account Executive")
