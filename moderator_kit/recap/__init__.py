"""The night's recap a moderator can post: best answers per question, newcomers, thank-yous, paying it forward.

Built from the analysis snapshot (:func:`build_recap`), rendered as Markdown, HTML or a numbered thread
(:func:`render_recap`), optionally anonymized like the reports (:func:`anonymize_recap`). ``moderator-kit recap``
and the Recap panel of the dashboard's Follow-up page use it. The choices are in ``docs/metrics/people.md``.
"""

from moderator_kit.recap.build import (
    ANSWERS_PER_QUESTION,
    LEFT_OUT_ROLES,
    Recap,
    RecapAnswer,
    RecapQuestion,
    build_recap,
)
from moderator_kit.recap.render import (
    FORMATS,
    THREAD_POST_LIMIT,
    anonymize_recap,
    recap_html,
    recap_markdown,
    recap_thread,
    render_recap,
)

__all__ = [
    "ANSWERS_PER_QUESTION", "LEFT_OUT_ROLES", "Recap", "RecapAnswer", "RecapQuestion", "build_recap", "FORMATS",
    "THREAD_POST_LIMIT", "anonymize_recap", "recap_html", "recap_markdown", "recap_thread", "render_recap",
]
