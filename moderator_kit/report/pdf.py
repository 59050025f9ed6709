"""The PDF report: the HTML report's template with static charts, paginated for print by weasyprint.

The charts are the same plotly figures as the HTML report, exported as SVG by kaleido 1.x (which drives the
system's Chromium). :func:`chart_images` starts kaleido's sync server once per process (about 2 s), after which each
chart takes about 0.1 s; when kaleido or Chromium is missing, the PDF is still written, with a note in place of each
chart (the numbers are in the tables next to it). weasyprint fetches nothing: every resource is inline, and its URL
fetcher refuses anything that is not a ``data:`` URL.
"""

from __future__ import annotations

import atexit
import gc
import logging
import os
import tempfile
import warnings
from functools import cache
from pathlib import Path

import plotly.graph_objects as go

from moderator_kit.report.html import render_html
from moderator_kit.report.elements import ReportModel

__all__ = ["chart_images", "render_pdf", "write_pdf", "write_atomic", "PRINT_WIDTH"]

#: Width in CSS pixels at which charts are drawn for the page (they are scaled to the text width, about 690 px).
PRINT_WIDTH = 900

_log = logging.getLogger(__name__)


@cache
def _start_kaleido() -> None:
    """Start kaleido's Chromium once per process: every later report reuses it (about 0.1 s a chart, not 2 s)."""
    import kaleido

    start = getattr(kaleido, "start_sync_server", None)
    if start is not None:
        # MathJax is fetched from a CDN unless disabled; the charts use no LaTeX
        start(mathjax=False, silence_warnings=True)


@cache
def _stop_kaleido_at_exit() -> None:
    """Close kaleido's Chromium before the interpreter removes its profile folder.

    Registered after the first image, so it runs before the temporary-folder finalizer that the browser's start
    registered (atexit runs last-registered first); otherwise that finalizer races the still-running browser and
    prints a traceback at exit.
    """
    import kaleido

    stop = getattr(kaleido, "stop_sync_server", None)
    if stop is not None:
        atexit.register(stop, silence_warnings=True)


def chart_images(figures: dict[str, go.Figure], *, fmt: str = "svg", width: int = PRINT_WIDTH
                 ) -> tuple[dict[str, tuple[str, bytes]], str | None]:
    """Static images of the figures: ({key: (MIME type, bytes)}, None), or ({...}, reason) when some failed.

    >>> images, problem = chart_images({})
    >>> images, problem
    ({}, None)
    """
    images: dict[str, tuple[str, bytes]] = {}
    if not figures:
        return images, None
    mime = {"svg": "image/svg+xml", "png": "image/png"}[fmt]
    try:
        import plotly.io as pio

        _start_kaleido()
    except Exception as err:  # noqa: BLE001 - any failure to start means "no static charts", never a crash
        return images, f"static charts unavailable ({type(err).__name__}: {err})"
    problem = None
    for key, fig in figures.items():
        printable = go.Figure(fig)
        height = int(fig.layout.height or 440)
        printable.update_layout(width=width, height=height, paper_bgcolor="#ffffff")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                data = pio.to_image(printable, format=fmt, width=width, height=height, scale=1 if fmt == "svg" else 2,
                                    validate=False)
        except Exception as err:  # noqa: BLE001
            problem = f"static chart {key!r} failed ({type(err).__name__}: {err})"
            _log.warning(problem)
            continue
        images[key] = (mime, data)
    if images:
        _stop_kaleido_at_exit()
    return images, problem


def _url_fetcher():  # noqa: ANN202
    """A weasyprint URL fetcher that loads only ``data:`` URLs (every resource of the report is inline)."""
    try:
        from weasyprint.urls import URLFetcher  # weasyprint >= 68
    except ImportError:  # pragma: no cover - older weasyprint: a plain function
        from weasyprint.urls import default_url_fetcher

        def fetch(url: str, timeout: int = 10, ssl_context=None):  # noqa: ANN001, ANN202
            if not url.startswith("data:"):
                raise ValueError(f"the PDF report loads nothing from outside the document (refused {url[:60]!r})")
            return default_url_fetcher(url, timeout=timeout, ssl_context=ssl_context)

        return fetch
    return URLFetcher(allowed_protocols=("data",))


def render_pdf(model: ReportModel, *, images: dict[str, tuple[str, bytes]] | None = None) -> bytes:
    """The report as PDF bytes (charts drawn with :func:`chart_images` unless ``images`` is given)."""
    from weasyprint import HTML

    if images is None:
        images, _problem = chart_images(model.figures)
    document = render_html(model, mode="pdf", images=images)
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    # weasyprint allocates many small objects; pausing the collector saves about 20% (as for graph building)
    collecting = gc.isenabled()
    gc.disable()
    try:
        return HTML(string=document, url_fetcher=_url_fetcher()).write_pdf()
    finally:
        if collecting:
            gc.enable()


def write_pdf(model: ReportModel, path: Path | str) -> Path:
    """Write the PDF report (written aside, then moved into place)."""
    return write_atomic(Path(path), render_pdf(model))


def write_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` aside in the same folder, then move it into place (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path
