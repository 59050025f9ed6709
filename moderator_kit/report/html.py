"""The HTML report: one self-contained file (styles, plotly.js and the charts' data inline; no request leaves the
page), rendered from the report model with Jinja2 (autoescape on).

Safety: every value from the data (message text, handles, names, URLs, config labels) reaches the page through
Jinja's autoescaping or, for the charts, as JSON inside ``<script type="application/json">`` with ``<``, ``>`` and
``&`` escaped; links are written only for absolute http(s) URLs (:func:`moderator_kit.report.urls.safe_url`) and
carry ``rel="noopener noreferrer nofollow"``. A Content-Security-Policy allows only this page's own scripts (a
per-render nonce), inline styles and ``data:`` images, so even a value that slipped through could neither run a
script nor load anything from the network.

The PDF renderer (:mod:`moderator_kit.report.pdf`) uses the same template with static chart images.
"""

from __future__ import annotations

import base64
import os
import secrets
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import plotly.graph_objects as go
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from moderator_kit.figures.theme import fmt_int, fmt_money, fmt_num, fmt_pct
from moderator_kit.formats import CURRENCY
from moderator_kit.report.elements import ReportModel
from moderator_kit.report.urls import safe_url

__all__ = ["render_html", "write_html", "figure_json", "format_value", "TEMPLATES"]

#: The folder of the Jinja templates.
TEMPLATES = Path(__file__).resolve().parent / "templates"

_CHART_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}


def format_value(value: Any, kind: str = "text") -> str:
    """A table cell as text: counts with separators, money, shares as %, ROI signed; ``n/a`` for missing values.

    >>> format_value(1234.0, "int"), format_value(0.0283, "pct"), format_value(-0.25, "signed_pct")
    ('1,234', '2.8%', '-25%')
    >>> format_value(187.333, "money"), format_value(None, "num"), format_value(True), format_value(0.5, "num")
    ('$187', 'n/a', 'yes', '0.5')
    """
    if value is None or (isinstance(value, float) and value != value):
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if kind == "int" and isinstance(value, (int, float)):
        return fmt_int(value)
    if kind == "money" and isinstance(value, (int, float)):
        return fmt_money(value, CURRENCY)
    if kind == "pct" and isinstance(value, (int, float)):
        return fmt_pct(value)
    if kind == "signed_pct" and isinstance(value, (int, float)):
        return fmt_pct(value, signed=True)
    if kind == "num" and isinstance(value, (int, float)):
        return fmt_num(value, 4 if abs(value) < 1 else 2)
    return str(value)


def figure_json(fig: go.Figure) -> str:
    r"""The figure as JSON that is safe inside a ``<script type="application/json">`` element.

    ``<``, ``>`` and ``&`` only occur inside JSON strings, where ``\u003c`` etc. mean the same characters, so no
    value can close the element or open a comment.

    >>> import plotly.graph_objects as go
    >>> text = figure_json(go.Figure(layout=dict(title=dict(text="</script><script>alert(1)</script>"))))
    >>> "</script>" in text, "<" in text, "alert(1)" in text
    (False, False, True)
    """
    text = fig.to_json(validate=False, pretty=False, engine="json")
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


@lru_cache(maxsize=1)
def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["fmt"] = format_value
    env.filters["safe_url"] = safe_url
    env.filters["urls"] = lambda value: [u for u in (safe_url(x) for x in str(value or "").split()) if u]
    env.filters["host"] = lambda url: urlsplit(str(url)).netloc or str(url)
    return env


def _verdict_class(verdict: str) -> str:
    return {"worthwhile": "good", "not worthwhile": "bad"}.get(verdict, "unclear")


def chart_entries(figures: dict[str, go.Figure], mode: str, images: dict[str, tuple[str, bytes]] | None = None
                  ) -> dict[str, dict[str, Any]]:
    """What the template needs of each chart: id, title, and the safe JSON ('html') or the static image ('pdf')."""
    charts: dict[str, dict[str, Any]] = {}
    for key, fig in figures.items():
        chart: dict[str, Any] = {"id": f"chart-{key}", "title": str(fig.layout.title.text or key)}
        if mode == "html":
            chart["json"] = figure_json(fig)
        elif images and key in images:
            mime, data = images[key]
            chart["src"] = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
        charts[key] = chart
    return charts


def render_html(model: ReportModel, *, mode: str = "html", images: dict[str, tuple[str, bytes]] | None = None
                ) -> str:
    """The report as an HTML document.

    Parameters
    ----------
    model
        The report model (:func:`moderator_kit.report.build_report`).
    mode
        ``'html'``: interactive charts (plotly.js inline, once). ``'pdf'``: no scripts; each chart is the static
        image given in ``images``.
    images
        For ``mode='pdf'``: chart key → (MIME type, bytes), e.g. ``('image/svg+xml', b'<svg…')``.
    """
    if mode not in ("html", "pdf"):
        raise ValueError(f"unknown mode {mode!r}; use 'html' or 'pdf'")
    env = _environment()
    template = env.get_template("report.html.j2")
    nonce = secrets.token_urlsafe(18)
    charts = chart_entries(model.figures, mode, images)
    return template.render(
        model=model,
        mode=mode,
        nonce=nonce,
        charts=charts,
        chart_config=_CHART_CONFIG,
        plotly_js=_plotly_js() if mode == "html" and model.figures else "",
        verdict_class=_verdict_class(model.verdict),
        css=env.get_template("report.css.j2").render(mode=mode, model=model),
    )


def write_html(model: ReportModel, path: Path | str) -> Path:
    """Write the self-contained HTML report (written aside, then moved into place)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = render_html(model)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path
