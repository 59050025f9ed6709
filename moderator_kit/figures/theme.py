"""The look shared by every figure: the ``moderator_kit`` plotly template, colours, number formats and escaping.

Every builder in :mod:`moderator_kit.figures` starts from :func:`new_figure` (or :func:`empty_figure` when its input
has no rows), so all charts share fonts, colours, margins and hover style. The template is embedded in each figure
(``layout.template`` holds the template itself, not only its name), so a figure looks the same whether or not
:func:`register_template` ran in the process that draws it: figures never depend on plotly's global defaults.

Text that comes from messages or names (handles, question text, hashtags, URLs) goes through :func:`esc` (or
:func:`esc_expr` for a whole column) before it reaches a figure: plotly renders a few HTML tags (``<b>``, ``<a>``,
``<br>``…) in titles, tick labels, legends and hover labels, so raw text could inject markup.

Examples
--------
>>> fmt_int(12345), fmt_pct(0.125), fmt_money(1234.5)
('12,345', '12.5%', '$1,235')
>>> esc("<script>alert('x')</script>")
'&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;'
>>> fig = empty_figure("Agenda flow", "No questions detected in this session.")
>>> fig.layout.annotations[0].text
'No questions detected in this session.'
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from functools import lru_cache

import plotly.graph_objects as go
import plotly.io as pio
import polars as pl

from moderator_kit.formats import fmt_int, fmt_money, fmt_num, fmt_pct, fmt_score, score_value

__all__ = [
    "TEMPLATE_NAME",
    "FONT_FAMILY",
    "TEXT_COLOR",
    "MUTED_COLOR",
    "GRID_COLOR",
    "POSITIVE_COLOR",
    "NEGATIVE_COLOR",
    "QUESTION_COLORS",
    "NO_QUESTION_COLOR",
    "ROLE_COLORS",
    "ROLE_ORDER",
    "EDGE_COLORS",
    "KIND_COLORS",
    "COMMUNITY_COLORS",
    "DEFAULT_HEIGHT",
    "template",
    "register_template",
    "question_color",
    "role_color",
    "role_label",
    "fmt_int",
    "fmt_num",
    "fmt_pct",
    "fmt_money",
    "fmt_score",
    "score_value",
    "esc",
    "esc_expr",
    "shorten",
    "wrap_text",
    "top_margin",
    "set_subtitle",
    "legend_above",
    "SUBTITLE_CHARS",
    "session_axis",
    "new_figure",
    "empty_figure",
    "eager",
    "pick_session",
]

#: The name under which :func:`register_template` registers the template in ``plotly.io.templates``.
TEMPLATE_NAME = "moderator_kit"

#: System fonts only: the HTML report must work offline, so no web font is fetched.
FONT_FAMILY = "Inter, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'DejaVu Sans', sans-serif"
TEXT_COLOR = "#1f2933"
MUTED_COLOR = "#6b7785"
GRID_COLOR = "#e4e7eb"
POSITIVE_COLOR = "#2a9d68"
NEGATIVE_COLOR = "#d1495b"

#: One colour per question, Q1 first (Okabe-Ito colour-blind-safe colours first, then Tableau's); cycles after 14.
QUESTION_COLORS = (
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#b8a200",
    "#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#9c755f", "#edc948",
)
#: The "not on a question" layer of the agenda-flow chart.
NO_QUESTION_COLOR = "#c3c9d1"

#: One colour per role label (``moderator_kit.people.roles.PRECEDENCE``) plus 'participant' (no label) and 'unknown'.
ROLE_COLORS: dict[str, str] = {
    "moderator": "#1d3f72",
    "sponsor": "#b8860b",
    "advocate": "#2a9d68",
    "seeker": "#56b4e9",
    "self_promoter": "#e67e22",
    "recruiter": "#8e44ad",
    "newcomer": "#c9a227",
    "regular": "#138d90",
    "retweeter": "#9aa5b1",
    "spam": "#c0392b",
    "participant": "#7b8794",
    "unknown": "#cbd2d9",
}
#: Roles in the order charts list them (the precedence of the role labels, then the fallbacks).
ROLE_ORDER = ("moderator", "sponsor", "advocate", "seeker", "self_promoter", "recruiter", "newcomer", "regular",
              "retweeter", "spam", "participant", "unknown")
_OTHER_ROLE_COLOR = "#a0a8b3"

#: Edge types of the interaction graph (``moderator_kit.graph.EDGE_TYPES``).
EDGE_COLORS: dict[str, str] = {"reply": "#4c78a8", "mention": "#f58518", "repost": "#9aa5b1", "quote": "#b279a2"}
#: Message kinds of the activity timeline.
KIND_COLORS: dict[str, str] = {"posts": "#0072b2", "replies": "#56b4e9", "reposts": "#c3c9d1"}
#: Community colours of the network (the largest communities; the rest share :data:`NO_QUESTION_COLOR`).
COMMUNITY_COLORS = QUESTION_COLORS[:10]

#: Default figure height in pixels (the width follows the container: the charts are drawn for 1280 px pages).
DEFAULT_HEIGHT = 440


@lru_cache(maxsize=1)
def _template() -> go.layout.Template:
    axis = dict(gridcolor=GRID_COLOR, linecolor="#9aa5b1", zerolinecolor="#9aa5b1", ticks="outside",
                tickcolor="#9aa5b1", title=dict(standoff=8, font=dict(size=13, color=MUTED_COLOR)),
                automargin=True)
    return go.layout.Template(
        layout=dict(
            font=dict(family=FONT_FAMILY, size=13, color=TEXT_COLOR),
            # the title block sits at the top of the figure (container coordinates); the top margin is sized to
            # its lines by new_figure / set_subtitle, so titles never meet the plot, the legend or each other
            title=dict(x=0, xref="container", xanchor="left", y=1, yref="container", yanchor="top",
                       pad=dict(l=16, t=14), font=dict(size=17, color=TEXT_COLOR),
                       subtitle=dict(font=dict(size=12, color=MUTED_COLOR))),
            paper_bgcolor="#ffffff",
            plot_bgcolor="#ffffff",
            colorway=list(QUESTION_COLORS),
            xaxis=axis,
            yaxis=axis,
            # beside the plot, top-aligned: plotly widens the right margin to fit it, and a legend there can
            # never cover a title or a subtitle (above the plot it grew upwards over them)
            legend=dict(orientation="v", yanchor="top", y=1, x=1.02, xanchor="left", font=dict(size=12),
                        bgcolor="rgba(255,255,255,0)", traceorder="normal"),
            hoverlabel=dict(bgcolor="#ffffff", bordercolor="#9aa5b1", font=dict(family=FONT_FAMILY, size=12,
                                                                                 color=TEXT_COLOR)),
            hovermode="closest",
            margin=dict(l=64, r=24, t=top_margin(None), b=56),
            separators=".,",
            colorscale=dict(sequential=[[0.0, "#f0f4f8"], [0.5, "#56b4e9"], [1.0, "#0b3c6e"]],
                            diverging=[[0.0, NEGATIVE_COLOR], [0.5, "#f7f7f7"], [1.0, POSITIVE_COLOR]]),
        ),
        data=dict(
            bar=[go.Bar(marker=dict(line=dict(width=0)))],
            heatmap=[go.Heatmap(colorbar=dict(outlinewidth=0, thickness=14))],
        ),
    )


def template() -> go.layout.Template:
    """The ``moderator_kit`` plotly template (a fresh copy; changing it changes no other figure).

    >>> template().layout.font.size
    13
    """
    return go.layout.Template(_template())


def register_template(*, make_default: bool = False) -> str:
    """Register the template as ``plotly.io.templates['moderator_kit']`` (idempotent); return its name.

    The figure builders do not need this (they embed the template); it is for notebooks and pages that draw their
    own figures. ``make_default=True`` also makes it plotly's default template, which is global state: leave that to
    applications, never to library code.

    >>> import plotly.io as pio
    >>> register_template()
    'moderator_kit'
    >>> pio.templates['moderator_kit'].layout.font.family == FONT_FAMILY
    True
    """
    pio.templates[TEMPLATE_NAME] = template()
    if make_default:
        pio.templates.default = TEMPLATE_NAME
    return TEMPLATE_NAME


def question_color(question: int | None) -> str:
    """The colour of question ``question`` (1-based, cycling); grey for None (not on a question).

    >>> question_color(1), question_color(15) == question_color(1), question_color(None)
    ('#0072b2', True, '#c3c9d1')
    """
    if question is None:
        return NO_QUESTION_COLOR
    return QUESTION_COLORS[(int(question) - 1) % len(QUESTION_COLORS)]


def role_color(role: str | None) -> str:
    """The colour of a role label (a neutral grey for labels the palette does not know).

    >>> role_color("advocate"), role_color(None) == role_color("unknown")
    ('#2a9d68', True)
    """
    if role is None:
        return ROLE_COLORS["unknown"]
    return ROLE_COLORS.get(role, _OTHER_ROLE_COLOR)


def role_label(role: str | None) -> str:
    """A role as people read it ('self_promoter' → 'Self-promoter'), escaped.

    >>> role_label("self_promoter"), role_label(None)
    ('Self-promoter', 'Unknown')
    """
    if role is None:
        return "Unknown"
    text = str(role).replace("_", "-")
    return esc(text[:1].upper() + text[1:])


def esc(value: object) -> str:
    """``html.escape`` for text shown in a figure; None gives ''.

    ``&quot;`` becomes the numeric ``&#34;``: plotly decodes numeric entities but, of the named ones, only a few
    (``&amp;``, ``&lt;``, ``&gt;``…), so a quote would otherwise show as '&quot;'.

    >>> esc('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&#34;alert(1)&#34;&gt;'
    >>> esc(None), esc("Tom & Jerry")
    ('', 'Tom &amp; Jerry')
    """
    if value is None:
        return ""
    return html.escape(str(value)).replace("&quot;", "&#34;")


def esc_expr(expr: pl.Expr | str) -> pl.Expr:
    """:func:`esc` as a polars expression (same output, for a whole column at once; null stays null).

    >>> import polars as pl
    >>> pl.DataFrame({"h": ["<b>x</b>", "a&b", None]}).select(esc_expr("h"))["h"].to_list()
    ['&lt;b&gt;x&lt;/b&gt;', 'a&amp;b', None]
    """
    col = pl.col(expr) if isinstance(expr, str) else expr
    return (
        col.cast(pl.String)
        .str.replace_all("&", "&amp;", literal=True)
        .str.replace_all("<", "&lt;", literal=True)
        .str.replace_all(">", "&gt;", literal=True)
        .str.replace_all('"', "&#34;", literal=True)
        .str.replace_all("'", "&#x27;", literal=True)
    )


def shorten(text: str | None, limit: int = 80) -> str:
    """Raw text cut to ``limit`` characters with an ellipsis (escape the result, not the input).

    >>> shorten("Q1: What is the one habit that helped your job search most?", 30)
    'Q1: What is the one habit tha…'
    """
    if text is None:
        return ""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


#: Characters per subtitle line: a half-width dashboard chart (about 540 px at 1280 px) holds 64 of them at 12 px.
SUBTITLE_CHARS = 64
_TITLE_PX, _SUBTITLE_LINE_PX, _TOP_PAD_PX = 44, 17, 16


def wrap_text(text: str | None, width: int = SUBTITLE_CHARS) -> str:
    """Text broken into lines of at most ``width`` characters with ``<br>`` (plotly does not wrap text itself).

    Breaks fall on spaces only, so escaped entities and words stay whole; existing ``<br>`` are kept.

    >>> wrap_text("one two three four", 9)
    'one two<br>three<br>four'
    >>> wrap_text(None), wrap_text("a<br>b c", 3)
    ('', 'a<br>b c')
    """
    if not text:
        return ""
    out = []
    for paragraph in str(text).split("<br>"):
        line = ""
        for word in paragraph.split(" "):
            if line and len(_visible(line)) + 1 + len(_visible(word)) > width:
                out.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        out.append(line)
    return "<br>".join(out)


def _visible(text: str) -> str:
    """Text as shown: an entity (``&amp;``) is one character."""
    return html.unescape(text)


def top_margin(subtitle: str | None) -> int:
    """The top margin (px) that holds the title and the (wrapped) subtitle lines above the plot.

    >>> top_margin(None), top_margin("one line"), top_margin("two<br>lines")
    (60, 77, 94)
    """
    lines = str(subtitle).count("<br>") + 1 if subtitle else 0
    return _TITLE_PX + _SUBTITLE_LINE_PX * lines + _TOP_PAD_PX


def set_subtitle(fig: go.Figure, subtitle: str | None, *, width: int = SUBTITLE_CHARS) -> go.Figure:
    """Set (or clear) a figure's subtitle, wrapped to ``width`` characters, and size the top margin to it."""
    text = wrap_text(subtitle, width) if subtitle else None
    fig.update_layout(title_subtitle_text=text, margin_t=top_margin(text))
    return fig


def legend_above(fig: go.Figure, rows: int = 1) -> go.Figure:
    """Put the legend in a row (or ``rows``) between the subtitle and the plot, and grow the top margin to hold it.

    For charts whose legend names are long: beside the plot they would squeeze a half-width chart to a sliver.
    """
    subtitle = fig.layout.title.subtitle.text if fig.layout.title.subtitle else None
    fig.update_layout(legend=dict(orientation="h", x=0, xanchor="left", y=1.02, yanchor="bottom"),
                      margin_t=top_margin(subtitle) + 22 * rows)
    return fig


def _title(title: str, subtitle: str | None) -> dict:
    out: dict = {"text": title}
    if subtitle:
        out["subtitle"] = {"text": wrap_text(subtitle)}
    return out


def new_figure(title: str, *, x_title: str | None = None, y_title: str | None = None, subtitle: str | None = None,
               height: int = DEFAULT_HEIGHT) -> go.Figure:
    """An empty figure with the template, a title (and subtitle) and axis titles.

    ``title`` and ``subtitle`` are shown as given: escape any part that comes from data first.

    >>> fig = new_figure("Timeline", x_title="Minutes since start", y_title="Messages per minute")
    >>> fig.layout.title.text, fig.layout.xaxis.title.text, fig.layout.template.layout.font.size
    ('Timeline', 'Minutes since start', 13)
    """
    heading = _title(title, subtitle)
    fig = go.Figure(layout=dict(template=_template(), height=height, title=heading,
                                margin=dict(t=top_margin(heading.get("subtitle", {}).get("text")))))
    if x_title is not None:
        fig.update_xaxes(title_text=x_title)
    if y_title is not None:
        fig.update_yaxes(title_text=y_title)
    return fig


def empty_figure(title: str, message: str, *, subtitle: str | None = None, height: int = DEFAULT_HEIGHT
                 ) -> go.Figure:
    """The empty state: a title, hidden axes and one centred annotation that says what to do.

    >>> fig = empty_figure("Network", "No interactions yet.")
    >>> len(fig.data), fig.layout.xaxis.visible, fig.layout.meta
    (0, False, {'empty': True})
    """
    fig = new_figure(title, subtitle=subtitle, height=height)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(meta={"empty": True})
    fig.add_annotation(text=message, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                       font=dict(size=15, color=MUTED_COLOR), align="center")
    return fig


_DATE_ID = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: Width (px) a session axis is drawn for: a half-width dashboard chart or a report column, legend aside.
_AXIS_PX = 360


def _short_session(label: str, with_year: bool) -> str:
    match = _DATE_ID.match(label)
    if not match:
        return label
    year, month, day = match.groups()
    return f"{_MONTHS[int(month) - 1]} {int(day)}" + (f" {year}" if with_year else "")


def session_axis(fig: go.Figure, labels: Sequence[str]) -> go.Figure:
    """A category x axis of sessions in the given order, its dates written short ('Mar 30', with the year when the
    sessions span several) and labelled every ``n``-th session so the labels never touch (the hover names each).

    Session ids are dates; long ISO dates under a dozen sessions overlapped, turned or not.

    >>> fig = session_axis(new_figure("t"), [f"2026-01-{d:02d}" for d in range(1, 13)])
    >>> fig.layout.xaxis.ticktext[:2], fig.layout.xaxis.dtick
    (('Jan 1', 'Jan 3'), 2)
    """
    years = {m.group(1) for m in map(_DATE_ID.match, labels) if m}
    text = [_short_session(str(label), len(years) > 1) for label in labels]
    widest = max((len(t) for t in text), default=1) * 7 + 14  # px per label at 12-13 px, with a gap
    step = max(1, math.ceil(len(text) * widest / _AXIS_PX))
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=list(labels), tickmode="array",
                     tickvals=list(labels)[::step], ticktext=text[::step], tickangle=0, dtick=step)
    return fig


def eager(frame: pl.DataFrame | pl.LazyFrame | None) -> pl.DataFrame | None:
    """A DataFrame from a DataFrame, a LazyFrame (collected) or None (kept).

    >>> import polars as pl
    >>> eager(pl.LazyFrame({"a": [1]})).height, eager(None)
    (1, None)
    """
    if frame is None:
        return None
    return frame.collect() if isinstance(frame, pl.LazyFrame) else frame


def pick_session(frames: Sequence[pl.DataFrame | None], session_id: str | None) -> str | None:
    """The one session a single-session chart draws.

    ``session_id`` when given; otherwise the only session in the frames' ``session_id`` columns, or the last one
    (ids sort in time order) when there are several; None when no frame has a session id.

    >>> import polars as pl
    >>> pick_session([pl.DataFrame({"session_id": ["2026-01-05", "2026-01-12"]}), None], None)
    '2026-01-12'
    >>> pick_session([pl.DataFrame({"x": [1]})], "2026-01-05")
    '2026-01-05'
    """
    if session_id is not None:
        return session_id
    seen: set[str] = set()
    for frame in frames:
        if frame is not None and "session_id" in frame.columns:
            seen.update(v for v in frame["session_id"].unique().to_list() if v is not None)
    return max(seen) if seen else None
