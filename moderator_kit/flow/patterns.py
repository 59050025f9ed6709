r"""The regular expressions behind the agenda flow, and polars expressions that apply them.

All patterns are written for polars' regex engine (Rust ``regex``: no look-around, Unicode ``\w``). Each pattern is
anchored: a question or answer tag must *lead* the message, after an optional repost prefix (``RT @mod:``), leading
@mentions, #hashtags, emoji and punctuation. A tag in the middle of a sentence is not a tag ("I love A1 steak
sauce"). See ``docs/metrics/flow.md`` ("Tag patterns") for every accepted form and the known limits.

Examples
--------
>>> import polars as pl
>>> texts = ["A1: network first", "#chat a1) yes", "A.1 maybe", "#A1 sure", "A1/Q1 ok", "a1 - fine", "A 1 Totally",
...          "@ann A1 agreed", "RT @kim: A1: same", "Q1/A1: sure", "Great point A3", "A1 Steak Sauce rocks",
...          "a 15 minute chat", "I love A1 sauce"]
>>> pl.DataFrame({"text": texts}).select(tag=answer_tag(pl.col("text")))["tag"].to_list()
[1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3, None, None, None]
>>> qs = ["Q1: What now?", "Q.2 Why?", "Question 3: How?", "RT @mod: Q4 Who?", "q 5) When?", "Q1 coming up in 2 min!"]
>>> pl.DataFrame({"text": qs}).select(q=question_number(pl.col("text")))["q"].to_list()
[1, 2, 3, 4, 5, None]
"""

from __future__ import annotations

import polars as pl

__all__ = [
    "LEAD",
    "QUESTION_PATTERN",
    "QUESTION_PREVIEW_PATTERN",
    "ANSWER_PATTERN",
    "ANSWER_SPACED_PATTERN",
    "ANSWER_WORD_PATTERN",
    "ANSWER_WORD_SPACED_PATTERN",
    "NOT_A_TAG_PATTERN",
    "ANSWER_CANDIDATE_PATTERN",
    "QUESTION_CANDIDATE_PATTERN",
    "ANSWER_TRAILING_PATTERN",
    "NOT_A_TAG_WORDS",
    "REPOST_PREFIX_PATTERN",
    "SOCIAL_PATTERN",
    "PROMO_PATTERN",
    "URL_PATTERN",
    "question_number",
    "answer_tag",
    "repost_prefix_handle",
    "strip_repost_prefix",
    "is_social",
    "has_promo_wording",
    "has_url",
]

#: What may come before a leading tag: whitespace, a repost prefix, @mentions (also Slack-style "@first.last" and
#: Mastodon "@user@server.social"), #hashtags, emoji and punctuation. Each mention or hashtag is taken whole
#: (``\b``), so "@Joga5 …" never yields an "a5" tag.
LEAD = r"(?:\s|RT\s*@\w+\b:?|@\w[\w.\-]*(?:@\w[\w\-]*(?:\.[\w\-]+)+)?\b[:,.;]?|#\w+\b[:,.;]?|[^\w\s])*"

#: A moderator's question post: "Q1", "Q1:", "Q.1", "Q 1", "#Q1", "Question 1", also after "RT @mod:".
QUESTION_PATTERN = r"(?i)^" + LEAD + r"(?:q|question)\s?\.?\s?(\d{1,2})(?:[^\w]|$)"

#: A trailer announcing a question instead of asking it ("Q1 coming up in 2 minutes"): not a question post.
QUESTION_PREVIEW_PATTERN = (
    r"(?i)^" + LEAD + r"(?:q|question)\s?\.?\s?\d{1,2}\W{0,3}\s*(?:is\s+|will\s+be\s+)?"
    r"(?:coming|up\s+next|next\b|in\s+\d+\s*(?:min|sec|m\b|s\b)|soon|starts|shortly)"
)

_Q_BEFORE_A = r"(?:[Qq]\.?\s?\d{1,2}\s*[/\-:,]?\s*)?"

#: Compact answer tags: "A1", "A1:", "a1)", "A.1", "#A1", "A1/Q1", "a1 -", "Q1/A1"; group 1 is the number.
ANSWER_PATTERN = r"^" + LEAD + _Q_BEFORE_A + r"#?[Aa]\.?(\d{1,2})\b"

#: "A 1" with a space: only a capital A, followed by a delimiter or a capitalised word ("A 1: yes", "A 1 I think"),
#: so that "a 15 minute chat" and "A 3 layer cake" are not tags.
ANSWER_SPACED_PATTERN = r"^" + LEAD + _Q_BEFORE_A + r"A\s(\d{1,2})(?:\s*[:)\-–—.,/]|\s+[A-Z@#\"'“‘]|\s*$)"

#: "Ans1", "Answer2" (compact word form) ...
ANSWER_WORD_PATTERN = r"(?i)^" + LEAD + r"ans(?:wer)?(\d{1,2})\b"
#: ... and "Ans 1:", "answer 1 -" (a spaced word form needs a delimiter).
ANSWER_WORD_SPACED_PATTERN = r"(?i)^" + LEAD + r"ans(?:wer)?\s?\.?\s?(\d{1,2})\s*[:)\-–—.]"

#: A tag at the very end ("networking matters A3", "… (A3) #chat"): capital A only, nothing but tags/links after it.
ANSWER_TRAILING_PATTERN = (
    r"(?:^|\s)[(\[]?#?A\.?(\d{1,2})[)\]]?[.!]?(?:\s+(?:[@#]\w+|https?://\S+))*\s*$"
)

#: Words that, right after "A1"/"A4"…, show that it is a product or paper size, not an answer tag.
NOT_A_TAG_WORDS = (
    "steak", "sauce", "paper", "size", "sized", "sheet", "sheets", "format", "envelope", "envelopes", "notebook",
    "poster", "posters", "printer", "road", "motorway", "visa", "car", "cars", "battery", "batteries",
)

#: A compact tag followed by one of :data:`NOT_A_TAG_WORDS`.
NOT_A_TAG_PATTERN = ANSWER_PATTERN + r"\W*(?i:" + "|".join(NOT_A_TAG_WORDS) + r")\b"

#: A cheap test that a text may hold an answer tag (only such texts need the full patterns).
ANSWER_CANDIDATE_PATTERN = r"[Aa]\s?\.?\s?\d|(?i:ans)"
#: A cheap test that a text may hold a question tag.
QUESTION_CANDIDATE_PATTERN = r"(?i)q(?:uestion)?\s?\.?\s?\d"

#: Old-style and API repost text prefix: "RT @handle:"; group 1 is the handle.
REPOST_PREFIX_PATTERN = r"^\s*RT\s*@(\w+):?\s*"

#: Greetings, thanks, intros and goodbyes at the start of a message (case-insensitive).
SOCIAL_PATTERN = (
    r"(?i)^" + LEAD + r"(?:hi|hello|hey|heya|hiya|howdy|greetings|evening|morning|afternoon|"
    r"good\s+(?:morning|afternoon|evening|night|day)|g'?day|thanks|thank\s+(?:you|u)|thx|ty|tysm|cheers|"
    r"welcome|bye|goodbye|good\s*night|see\s+(?:you|ya|y'?all)|joining\s+(?:from|in|you|tonight|late|again)|"
    r"just\s+joining|(?:hello|hi)\s+from|here\s+from|happy\s+to\s+be|glad\s+to\s+be|excited\s+to\s+be|"
    r"great\s+(?:chat|to\s+be|to\s+see)|lurking|my\s+name\s+is|love\s+this\s+chat|what\s+a\s+great\s+chat|"
    r"first\s+time\s+(?:here|joining|at|in|on))\b"
)

#: Self-promotional wording (case-insensitive), counted only together with a link (see :func:`has_promo_wording`).
PROMO_PATTERN = (
    r"(?i)(?:\b(?:check\s+(?:out|it\s+out)|my\s+(?:[\w'-]+\s+){0,3}(?:course|book|e-?book|program|programme|"
    r"webinar|podcast|newsletter|service|services|coaching|workshop|masterclass|guide|template|app|agency|"
    r"firm|bootcamp|academy|shop|store)s?|sign\s*up|register\s+(?:now|today|here)|enrol+(?:\s+now)?|"
    r"(?:we'?re|we\s+are|now|is|are)\s+hiring|hiring\s+(?:now|for)|job\s+opening|open\s+(?:role|position)s?|"
    r"apply\s+(?:now|today|here)|dm\s+(?:me|us)|link\s+in\s+(?:bio|profile)|discount|promo\s+code|use\s+code|"
    r"limited\s+(?:time|spots|seats)|(?:last|only)\s+\d+\s+spots|free\s+(?:trial|webinar|download|guide|"
    r"consult\w*|ebook|e-book|masterclass|template)|subscribe|buy\s+now|book\s+a\s+(?:call|session|demo)|"
    r"grab\s+(?:your|a)\s+(?:copy|spot|seat)|don'?t\s+miss|download\s+(?:my|our|the)|follow\s+(?:me|us)\s+for|"
    r"earn\s+\$|click\s+(?:here|the\s+link|👉))\b|\d+\s*%\s*off\b|\$\d+\s*/\s*(?:day|hour|week)|👉\s*https?://)"
)

#: A link in the text (for archives whose ``urls`` column is empty).
URL_PATTERN = r"(?i)https?://\S+"


def answer_tag(text: pl.Expr) -> pl.Expr:
    """The answer number of an explicit tag leading (or ending) the text, as Int64; null when there is none.

    Order: compact form ("A1", "#A1", "a1)", "A.1", "A1/Q1", "Q1/A1"), spaced form ("A 1"), word forms ("Ans1",
    "Ans 1:"), trailing form ("… A3"). A compact tag followed by a word of :data:`NOT_A_TAG_WORDS` ("A4 paper") is
    ignored. Numbers 0 and above 99 are ignored.

    >>> import polars as pl
    >>> pl.select(answer_tag(pl.lit("#ScotEdChat A4 And now"))).item()
    4
    """
    compact = pl.when(text.str.contains(NOT_A_TAG_PATTERN)).then(None).otherwise(text.str.extract(ANSWER_PATTERN, 1))
    number = pl.coalesce(
        compact,
        text.str.extract(ANSWER_SPACED_PATTERN, 1),
        text.str.extract(ANSWER_WORD_PATTERN, 1),
        text.str.extract(ANSWER_WORD_SPACED_PATTERN, 1),
        text.str.extract(ANSWER_TRAILING_PATTERN, 1),
    ).cast(pl.Int64, strict=False)
    return pl.when(number > 0).then(number).otherwise(None)


def question_number(text: pl.Expr) -> pl.Expr:
    """The question number of a leading "Qn" / "Question n" (Int64), null when absent or a mere preview.

    >>> import polars as pl
    >>> pl.select(question_number(pl.lit("🔔 Q3: What skill got you hired?"))).item()
    3
    """
    number = text.str.extract(QUESTION_PATTERN, 1).cast(pl.Int64, strict=False)
    preview = text.str.contains(QUESTION_PREVIEW_PATTERN).fill_null(False)
    return pl.when(preview | (number <= 0)).then(None).otherwise(number)


def repost_prefix_handle(text: pl.Expr) -> pl.Expr:
    """The lower-cased handle of a leading "RT @handle:" prefix, null when there is none.

    >>> import polars as pl
    >>> pl.select(repost_prefix_handle(pl.lit("RT @JobMod: Q1 hi"))).item()
    'jobmod'
    """
    return text.str.extract(REPOST_PREFIX_PATTERN, 1).str.to_lowercase()


def strip_repost_prefix(text: pl.Expr) -> pl.Expr:
    """The text without a leading "RT @handle:" prefix.

    >>> import polars as pl
    >>> pl.select(strip_repost_prefix(pl.lit("RT @JobMod: Q1 hi"))).item()
    'Q1 hi'
    """
    return text.str.replace(REPOST_PREFIX_PATTERN, "")


def is_social(text: pl.Expr) -> pl.Expr:
    """True when the text opens with a greeting, thanks, intro or goodbye.

    >>> import polars as pl
    >>> pl.DataFrame({"t": ["Hi all! Joining from Leeds", "Networking works", "@amy thanks!"]}).select(
    ...     is_social(pl.col("t")))["t"].to_list()
    [True, False, True]
    """
    return text.str.contains(SOCIAL_PATTERN).fill_null(False)


def has_url(text: pl.Expr, urls: pl.Expr | None = None) -> pl.Expr:
    """True when the message carries a link (``urls`` list non-empty, or a link in the text)."""
    in_text = text.str.contains(URL_PATTERN).fill_null(False)
    if urls is None:
        return in_text
    return (urls.list.len().fill_null(0) > 0) | in_text


def has_promo_wording(text: pl.Expr) -> pl.Expr:
    """True when the text uses self-promotional wording ("check out", "my course", "sign up", "hiring", "DM me").

    >>> import polars as pl
    >>> pl.select(has_promo_wording(pl.lit("Check out my course: https://x.io"))).item()
    True
    """
    return text.str.contains(PROMO_PATTERN).fill_null(False)
