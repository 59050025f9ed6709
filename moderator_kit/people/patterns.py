"""Text patterns and host lists the people signals read: help-seeking, offering help, job posts, first-time,
greeting, agreement and thank-you language (English, Spanish, Portuguese, French, German), automation apps, and the
hosts that are the platform itself, GIF reactions or shared by millions.

Every pattern is a case-insensitive Rust regular expression with ASCII word boundaries (:func:`ascii_words`).
:mod:`moderator_kit.people.signals` re-exports every name, and ``docs/metrics/people.md`` lists what each matches.

>>> import polars as pl
>>> pl.Series(["Any tips for a first interview?", "How can we help?"]).str.contains(HELP_SEEKING).to_list()
[True, True]
>>> pl.Series(["How can we help?"]).str.contains(OFFERING_HELP).to_list()
[True]
"""

from __future__ import annotations

__all__ = ["ascii_words", "HELP_SEEKING", "HELP_SEEKING_OWN", "ASKING_ABOUT_LISTENERS", "OFFERING_HELP", "JOB_POSTING", "FIRST_TIME", "GREETING", "AGREEMENT",
           "THANKS", "AUTOMATION_APPS", "PLATFORM_DOMAINS", "REACTION_DOMAINS", "SHARED_HOSTS", "URL_PATTERN"]


def ascii_words(pattern: str) -> str:
    r"""Use ASCII word boundaries: a Unicode ``\b`` makes Rust's regex engine 20-50x slower on emoji-rich text.

    >>> print(ascii_words(r"\bhi\b"))
    (?-u:\b)hi(?-u:\b)
    """
    return pattern.replace(r"\b", r"(?-u:\b)")


#: Help-seeking language, English (case-insensitive regular expression). "How can we help?" offers help: "how can
#: I/we" counts when the next word is not "help" (the regex engine has no look-ahead, hence the spelled-out classes).
_HELP_SEEKING_EN = (
    r"\b(any (good )?(tips|advice|ideas|suggestions|recommendations|pointers|thoughts)"
    r"|(can|could|would) (anyone|someone|somebody|you|y'?all)( please)? "
    r"(help|recommend|suggest|share|point|explain|review|look)"
    r"|does anyone|anyone (know|have|got|recommend)|how (do|should|would) (i|we|one)\b|how can one\b"
    r"|how can (i|we) ([a-gi-z]|h[a-df-z]|he[a-km-z]|hel[a-oq-z])|how can (i|we)\s*\?"
    r"|how do (you|y'?all)( all| guys| folks)? (handle|deal|manage|approach|cope)|what worked for (you|y'?all)"
    r"|what (should|do|would|can) i\b|where (do|can|should) i\b|should i\b|is it (ok|okay|worth|better)"
    r"|(i )?need (some )?(help|advice|tips)|looking for (some )?(advice|help|tips|guidance)"
    r"|would love (some |any )?(tips|advice|ideas|help|input|feedback)|open to (any )?(ideas|advice|suggestions|tips)"
    r"|(please|pls|plz) help|help me\b|help\s*\?|(want|seeking) (some )?(advice|help|tips)"
    r"|i'?m (stuck|struggling|lost)"
    # what one may or should do oneself, inside a question: "can I grab this task?", "how should [I] apply?"
    r"|\b(can|could|may) i\b[^.!?\n]{0,120}\?|\bhow should\b[^.!?\n]{0,120}\?"
    r"|struggling (with|to)|stuck (on|with))"
)
#: The same in Spanish, Portuguese, French and German: asking the room ("¿alguien sabe…?", "alguém tem…",
#: "quelqu'un a…", "weiß jemand…"), saying one has a question ("vengo con una duda", "tenho uma dúvida"), asking for
#: advice ("algún consejo", "des conseils ?", "Tipps?") or how to do something oneself ("¿cómo puedo…?"). A plural
#: "you" verb counts inside a question only ("¿sabéis si…?", "vous avez … ?", "habt ihr … ?"). An ASCII ``\b`` is
#: only put next to an ASCII letter (it does not see "é" as a letter).
_HELP_SEEKING_OTHER = (
    # Spanish
    r"|\balgui[eé]n (me |nos |le |te |os |de (aqu[ií]|vosotros) )?(sabe|tiene|conoce|ha|usa|recomienda|puede|"
    r"podr[ií]a|se ha)"
    r"|\b(puede[ns]?|pod[eé]is|podr[ií]a[ns]?|podr[ií]ais) (ayudarme|echarme una mano|orientarme|aconsejarme|"
    r"recomendarme)|\bay[uú]d(adme|ame)\b|\bqu[eé] se usa\b[^.!\n]{0,120}\?"
    r"|\balg(u|ú)n[oa@]? (de vosotros )?(ha|sabe|tiene|conoce|usa)\b"
    r"|\b(tengo|vengo con|traigo|os traigo|os hago|me surge) (una |un par de |otra )?(duda|pregunta|consulta)"
    r"|\bduda para\b|\bduda:"
    r"|\b(me|nos) (pod[eé]is|puede[ns]?|podr[ií]as?|podr[ií]ais|podr[ií]an) (ayudar|echar una mano|recomendar|"
    r"orientar|aconsejar|explicar|decir)"
    r"|\b(alg[uú]n|alguna|algunos|algunas) (consejo|consejillo|tip|truco|recomendaci|idea|sugerencia|experiencia)"
    r"|\b(sab|conoc|recomend|pod)([eé]is|[aá]is)\b[^.!?\n]{0,120}\?"
    # first person: "¿puedo usar X con Y?", "¿debo pedir permiso?" (inside a question only)
    r"|\b(puedo|debo)\b[^.!?\n]{0,120}\?"
    r"|\b(c[oó]mo|d[oó]nde) (puedo|podr[ií]a|deber[ií]a|lo hago)"
    # "lo que puedo decir es…" is no question: "qué puedo…" counts inside a question only
    r"|\bqu[eé] (me )?(puedo|podr[ií]a|deber[ií]a|har[ií]ais|hac[eé]is|recomend[aá]is)[^.!\n]{0,120}\?"
    r"|\bnecesito (ayuda|un consejo|consejo|una recomendaci)|\bbusco (consejo|ayuda|recomendaci)"
    r"|\bestoy (atascad|perdid)|\bayuda ?\?"
    # Portuguese
    r"|\balgu[eé]m (aqui )?(sabe|tem|conhece|pode|poderia|j[aá]|usa|recomenda)"
    r"|\b(preciso|precisamos) de (ajuda|uma dica|dicas|conselho)|\b(tenho|estou com) uma d[uú]vida"
    r"|\b(alguma|algumas) dicas?|\bcomo (eu )?(fa[cç]o|posso|consigo)\b|\b(me ajud[ea]m?|podem me ajudar)"
    # French
    r"|\bquelqu'?un (ici )?(sait|a|aurait|conna[iî]t|peut|pourrait|utilise)\b"
    r"|\bj'?ai (une question|besoin d'?aide|besoin de conseils?)|\bbesoin d'?(aide|un conseil|conseils)"
    r"|\b(des|un|quelques) conseils? ?\?|\bcomment (je peux|puis-je|faire|faites-vous|vous faites)"
    r"|\bvous (connaissez|conseillez)\b[^.!?\n]{0,120}\?|\b(pourriez|savez)-vous\b"
    # German
    r"|\b(wei(ß|ss)|kennt|hat|nutzt|kann) (hier )?jemand\b|\bkann (mir )?(jemand|einer|wer) (helfen|sagen|erkl)"
    r"|\b(brauche|suche) (hilfe|rat|tipps)|\bich habe eine frage|\b(irgendwelche )?tipps ?\?"
    r"|\bwie kann ich\b|\bkennt ihr\b[^.!?\n]{0,120}\?"
)
#: A plural "you" question about the listeners' own situation ("¿tenéis…?", "¿usáis…?", "¿habéis probado…?",
#: "vous avez … ?", "habt ihr … ?"). Put to the room (a post, or one's own thread) it polls the room's experience for
#: oneself, a help request; in reply to someone else's post it asks them about theirs ("¿tenéis definido un PDB?"
#: under a complaint about a cluster), which :func:`~moderator_kit.people.signals.annotate_messages` does not count.
ASKING_ABOUT_LISTENERS = ascii_words(
    r"(?i)(\b(ten|us|hab|prob)([eé]is|[aá]is)\b[^.!?\n]{0,120}\?|\bqu[eé] (us[aá]is|utiliz[aá]is)\b[^.!\n]{0,120}\?"
    r"|\bvous (avez|auriez|utilisez)\b[^.!?\n]{0,120}\?|\b(habt|nutzt) ihr\b[^.!?\n]{0,120}\?)"
)
#: Help-seeking language that asks for oneself wherever it is written (without :data:`ASKING_ABOUT_LISTENERS`).
HELP_SEEKING_OWN = ascii_words("(?i)" + _HELP_SEEKING_EN[:-1] + _HELP_SEEKING_OTHER + ")")
#: Help-seeking language (case-insensitive regular expression): English and the other languages above, and
#: :data:`ASKING_ABOUT_LISTENERS`.
HELP_SEEKING = HELP_SEEKING_OWN[:-1] + "|" + ASKING_ABOUT_LISTENERS[len("(?i)("):]
#: Offering help, not asking for it ("How can we help?", "¿en qué te puedo ayudar?", "wie kann ich dir helfen?"):
#: a message matching it is no help request even when it also matches :data:`HELP_SEEKING` ("help?").
OFFERING_HELP = ascii_words(
    r"(?i)(\b(how|what) can (i|we) help\b|\b(can|could|may) (i|we) help\b|\b(happy|glad) to help\b"
    r"|\b(te|os|le|les) (puedo|podemos) (ayudar|echar una mano)|\b(puedo|podemos) ayudar(te|os)?\s*\?"
    r"|\bcomo (posso|podemos) (te |lhe )?ajudar|\bem que (posso|podemos) ajudar"
    r"|\bcomment (puis-je|pouvons-nous|je peux|on peut) (vous |t'?)aider|\bwie kann ich (dir|euch|ihnen) helfen)"
)
#: Job-posting language (case-insensitive regular expression).
JOB_POSTING = ascii_words(
    r"(?i)(\bwe'?re hiring|\bwe are hiring|\bnow hiring|#hiring|#nowhiring|\bis hiring|\bhiring (a|an|for|now)\b"
    r"|\bjob opening|#jobopening|\bopen (role|position|req)s?\b|\bapply (now|here|today|at|via|online)"
    r"|\bjoin our (team|company)|\bvacanc(y|ies)\b|\bnow recruiting|\b(dm|send) (me )?your (cv|resume|résumé)"
    r"|\bposition (available|open)|\bwe'?re looking for (a|an)\b)"
)
#: Someone saying it is their first time (case-insensitive regular expression).
FIRST_TIME = ascii_words(
    r"(?i)(\bfirst[- ]time (here|joining|at|in|participating|chatting|on)\b|\bmy first (time|#?\w*chat)\b"
    r"|\bnew (here|to (this|the) chat)\b|\bjust (found|discovered) (this|the) chat|\ba friend told me about this chat"
    # Spanish, Portuguese, French, German ("no es la primera vez que…" is not one's first time)
    r"|\b(es )?mi primera vez\b|\bprimera vez (aqu|por aqu|en este)|\bsoy nuev[oa] (aqu|por aqu|en)"
    r"|\b(me )?acabo de (unir|llegar)|\bminha primeira vez|\bsou nov[oa] aqui|\bma premi[eè]re fois"
    r"|\bje suis (nouveau|nouvelle)|\bzum ersten mal\b|\b(bin|ich bin) neu hier)"
)
#: A reply that opens with a greeting or welcome is social, not advice (case-insensitive regular expression).
GREETING = ascii_words(
    r"(?i)^\W*(hi|hey|hello|welcome|good (morning|evening|afternoon|to see)|congrat"
    r"|hola\b|buenas\b|buenos d|bienvenid|enhorabuena|felicidades|ol[aá]|oi\b|bem[- ]vind|parab[eé]ns"
    r"|bonjour|salut\b|bienvenue|f[eé]licitations|hallo\b|willkommen|gl[uü]ckwunsch|guten (morgen|tag|abend))"
)
#: A short reply that opens with agreement ("So true", "Exactly what I needed", "+1") is support, not advice.
AGREEMENT = ascii_words(
    r"(?i)^\W*(so true|exactly|this\b|\+1|100%|yes( yes)*\b|same( here)?\b|agreed|couldn'?t agree"
    r"|great (point|idea|tip)|love (this|that)|well said|totally|absolutely|spot on"
    r"|totalmente|exact[oa]\b|exactamente|cierto\b|de acuerdo|lo mismo\b|yo tambi|tal cual|efectivamente|claro\b"
    r"|concordo|exatamente|verdade|tout (a|à) fait|exactement|d'?accord|pareil|genau|stimmt|richtig|sehe ich)"
)
#: Thank-you language (case-insensitive regular expression).
THANKS = ascii_words(
    r"(?i)\b(thanks|thank you|thank u|thx|tysm|ty|appreciate (it|you|this|that|the)|grateful|kudos|shout-?out"
    r"|gracias|grachias|gr(a|à)cies|merci|obrigad[oa]|valeu|danke|agradecid[oa]|agradezco|te lo agradezco)\b"
)
#: Source apps that post automatically (case-insensitive regular expression).
AUTOMATION_APPS = ascii_words(
    r"(?i)(\bbots?\b|ifttt|dlvr\.?it|zapier|twitterfeed|\brss\b|auto-?post|auto-?tweet|socialoomph|integromat"
    r"|botize|cheap bots|tweetdelay|roundteam|paper\.li|spam)"
)
#: Domains of the platforms themselves (a quote's status link, an attached picture): not external links.
PLATFORM_DOMAINS = (
    "twitter.com", "mobile.twitter.com", "x.com", "t.co", "pic.twitter.com", "pbs.twimg.com", "video.twimg.com",
    "bsky.app", "bsky.social", "discord.com", "discordapp.com", "cdn.discordapp.com", "media.discordapp.net",
    "slack.com", "files.slack.com", "app.slack.com",
)
#: GIF and sticker hosts: a /giphy or Tenor reaction is a reply in pictures, not a link to anything.
REACTION_DOMAINS = ("giphy.com", "media.giphy.com", "i.giphy.com", "tenor.com", "media.tenor.com", "c.tenor.com")
#: Hosts shared by millions of people: links to them count as links, but such a host is nobody's own domain (two
#: YouTube links in a night are not "the same own domain again and again").
SHARED_HOSTS = (
    "youtube.com", "m.youtube.com", "youtu.be", "github.com", "gist.github.com", "medium.com", "linkedin.com",
    "lnkd.in", "docs.google.com", "drive.google.com", "google.com", "wikipedia.org", "en.wikipedia.org",
    "es.wikipedia.org", "stackoverflow.com", "reddit.com", "instagram.com", "facebook.com", "imgur.com",
    "i.imgur.com", "dropbox.com", "notion.so", "substack.com", "bit.ly", "forms.gle", "zoom.us", "meet.google.com",
)
#: A URL inside a text.
URL_PATTERN = r"https?://\S+"
