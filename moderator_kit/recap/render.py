"""The recap as Markdown or HTML (for a blog) or as a thread of numbered posts (at most 500 characters each).

Message text is attacker-controlled: HTML escapes every handle and text and only links to safe ``http(s)`` URLs;
Markdown escapes the characters that would make a link, an image or HTML out of a quote. :func:`anonymize_recap`
gives the same guarantees as the reports' ``--anonymize``: stable pseudonyms
(:class:`~moderator_kit.report.anonymize.Pseudonymizer`), message text and links left out.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace

from moderator_kit.recap.build import Recap, RecapAnswer
from moderator_kit.report.anonymize import Pseudonymizer
from moderator_kit.report.model import safe_url

__all__ = ["render_recap", "recap_markdown", "recap_html", "recap_thread", "anonymize_recap", "FORMATS",
           "THREAD_POST_LIMIT"]

FORMATS = ("md", "html", "thread")
#: The longest post of a thread (Mastodon's default; X allows 280 without a subscription, so split further there).
THREAD_POST_LIMIT = 500
_QUOTE_CHARS = 220


def anonymize_recap(recap: Recap, pseudo: Pseudonymizer, *, include_text: bool = False) -> Recap:
    """The recap with every handle replaced by its pseudonym; text and links left out unless ``include_text``."""
    pseudo.known(recap.handles)

    def answer(a: RecapAnswer) -> RecapAnswer:
        return replace(a, handle=pseudo.handle(a.handle) or "", url=None,
                       text=(pseudo.text(a.text) or "") if include_text else "")

    questions = [replace(q, text=pseudo.text(q.text) or "", answers=tuple(answer(a) for a in q.answers))
                 for q in recap.questions]
    return replace(
        recap, questions=questions, newcomers=[pseudo.handle(h) or "" for h in recap.newcomers],
        thanked=[(pseudo.handle(h) or "", n) for h, n in recap.thanked],
        forward=[{**row, "handle": pseudo.handle(row["handle"])} for row in recap.forward],
        anonymized=True, include_text=include_text, handles={pseudo.handle(h) or "" for h in recap.handles},
    )


def _short(text: str, limit: int = _QUOTE_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _who(a: RecapAnswer) -> str:
    role = a.role.replace("_", " ")
    if a.strength == "borderline":
        role += " (borderline)"
    community = f", community {a.community}" if a.community is not None else ""
    return f"{role}{community}, received {a.received}"


def _perspective(verdict: str) -> str:
    """'many' → 'many perspectives' (the verdicts of :func:`moderator_kit.people.question_perspective`)."""
    return verdict if ("perspective" in verdict or "answerers" in verdict) else f"{verdict} perspectives"


def _left_out_line(recap: Recap) -> str | None:
    parts = [f"{n} {'promotional posts' if kind == 'promotional' else 'spam messages'}"
             for kind, n in recap.left_out.items() if n]
    return " and ".join(parts) + " left out." if parts else None


def _forward_line(row: dict) -> str:
    return (f"@{row['handle']} asked for help in {row.get('first_seeker_session')} and advised others tonight"
            + (f", {row['sessions_between']} sessions later." if row.get("sessions_between") is not None else "."))


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~])")


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def recap_markdown(recap: Recap) -> str:
    """The recap as Markdown."""
    lines = [f"# {_md(recap.title)}: recap of {recap.session_id}", ""]
    for q in recap.questions:
        lines += [f"## Q{q.number}. {_md(q.text)}", ""]
        if q.perspective:
            lines.append(f"*{q.answer_count} answers; {_md(_perspective(q.perspective))}*")
            lines.append("")
        for a in q.answers:
            link = safe_url(a.url)
            who = f"[@{_md(a.handle)}]({link})" if link else f"@{_md(a.handle)}"
            quote = f": “{_md(_short(a.text))}”" if recap.include_text and a.text else ""
            lines.append(f"- {who} ({_md(_who(a))}){quote}")
        if not q.answers:
            lines.append("- No answers quoted.")
        lines.append("")
    if (left := _left_out_line(recap)):
        lines += [f"_{left}_", ""]
    if recap.newcomers:
        lines += ["## Welcome", "", "Welcome to " + ", ".join(f"@{_md(h)}" for h in recap.newcomers) + "!", ""]
    if recap.thanked:
        lines += ["## Thank you", "", ", ".join(f"@{_md(h)} ({n})" for h, n in recap.thanked), ""]
    if recap.forward:
        lines += ["## Paying it forward", ""] + [f"- {_md(_forward_line(r))}" for r in recap.forward] + [""]
    return "\n".join(lines).rstrip() + "\n"


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def recap_html(recap: Recap, *, fragment: bool = False) -> str:
    """The recap as HTML (a whole page, or with ``fragment`` the body only); every value escaped."""
    out = [f"<h1>{_e(recap.title)}: recap of {_e(recap.session_id)}</h1>"]
    for q in recap.questions:
        out.append(f'<section class="recap-question" data-question="{q.number}"><h2>Q{q.number}. {_e(q.text)}</h2>')
        if q.perspective:
            out.append(f"<p><em>{q.answer_count} answers; {_e(_perspective(q.perspective))}</em></p>")
        out.append("<ul>")
        for a in q.answers:
            link = safe_url(a.url)
            who = (f'<a href="{_e(link)}" rel="nofollow noopener">@{_e(a.handle)}</a>' if link
                   else f"<strong>@{_e(a.handle)}</strong>")
            quote = f": <q>{_e(_short(a.text))}</q>" if recap.include_text and a.text else ""
            out.append(f'<li data-message="{_e(a.message_id)}">{who} ({_e(_who(a))}){quote}</li>')
        if not q.answers:
            out.append("<li>No answers quoted.</li>")
        out.append("</ul></section>")
    if (left := _left_out_line(recap)):
        out.append(f'<p class="recap-left-out">{_e(left)}</p>')
    if recap.newcomers:
        out.append("<h2>Welcome</h2><p>Welcome to " + ", ".join(f"@{_e(h)}" for h in recap.newcomers) + "!</p>")
    if recap.thanked:
        out.append("<h2>Thank you</h2><p>" + ", ".join(f"@{_e(h)} ({n})" for h, n in recap.thanked) + "</p>")
    if recap.forward:
        out.append("<h2>Paying it forward</h2><ul>" + "".join(f"<li>{_e(_forward_line(r))}</li>"
                                                              for r in recap.forward) + "</ul>")
    body = "\n".join(out)
    if fragment:
        return body
    return ('<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{_e(recap.title)}: recap of {_e(recap.session_id)}</title></head>\n<body>\n{body}\n</body></html>\n")


def _split(text: str, limit: int) -> list[str]:
    """Text in pieces of at most ``limit`` characters, cut at spaces where possible."""
    pieces = []
    while len(text) > limit:
        cut = text.rfind(" ", 0, limit)
        cut = cut if cut > limit // 2 else limit
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return pieces + ([text] if text else [])


def _pack(blocks: list[list[str]], limit: int) -> list[str]:
    """Posts of at most ``limit`` characters: each block starts a post, its lines join while they fit."""
    posts: list[str] = []
    for block in blocks:
        current = ""
        for line in (piece for line in block for piece in _split(line, limit)):
            if current and len(current) + 1 + len(line) <= limit:
                current += "\n" + line
            else:
                if current:
                    posts.append(current)
                current = line
        if current:
            posts.append(current)
    return posts


def recap_thread(recap: Recap, limit: int = THREAD_POST_LIMIT) -> list[str]:
    """Numbered posts ("1/7 …"), each at most ``limit`` characters including its number.

    Each question starts a post; an answer is never cut unless it alone is longer than a post.
    """
    blocks = [[f"Recap of {recap.title}, {recap.session_id} 🧵"]]
    for q in recap.questions:
        lines = [f"Q{q.number}. {_short(q.text, 160)}"]
        for a in q.answers:
            quote = f": “{_short(a.text, 140)}”" if recap.include_text and a.text else ""
            link = f" {safe_url(a.url)}" if safe_url(a.url) else ""
            lines.append(f"• @{a.handle}{quote}{link}")
        blocks.append(lines)
    closing = [line for line in (
        _left_out_line(recap),
        "Welcome " + ", ".join(f"@{h}" for h in recap.newcomers) + "!" if recap.newcomers else None,
        "Thank you " + ", ".join(f"@{h}" for h, _ in recap.thanked) + "!" if recap.thanked else None,
        *(_forward_line(row) for row in recap.forward),
    ) if line]
    if closing:
        blocks.append(closing)
    # room for the widest "n/N " prefix; more digits in N than guessed means packing again with more room
    digits = len(str(len(blocks)))
    while True:
        posts = _pack(blocks, limit - (2 * digits + 2))
        if len(str(len(posts))) <= digits:
            break
        digits = len(str(len(posts)))
    return [f"{i}/{len(posts)} {post}" for i, post in enumerate(posts, 1)]


def render_recap(recap: Recap, fmt: str) -> str:
    """The recap in ``fmt`` (``md``, ``html`` or ``thread``: posts separated by a blank line)."""
    if fmt == "md":
        return recap_markdown(recap)
    if fmt == "html":
        return recap_html(recap)
    if fmt == "thread":
        return "\n\n".join(recap_thread(recap)) + "\n"
    raise ValueError(f"unknown recap format {fmt!r}; use one of {', '.join(FORMATS)}")
