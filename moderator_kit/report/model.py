"""The report model: everything a sponsor or moderator report shows, built from the analysis snapshot.

:func:`build_report` reads the snapshot (:class:`moderator_kit.snapshot_store.Snapshot`) and returns a
:class:`ReportModel`: the verdict and its reasons, an executive summary, sections of facts (each figure with its
formatted value and its assumption), plotly figures from the shared builders (:mod:`moderator_kit.figures`), and
tables. The HTML, PDF, XLSX and CSV renderers draw this one model, so every format shows the same numbers.

Where the figures come from
---------------------------
- A report over every sponsored session shows the snapshot's ``SponsorValue`` (``meta['sponsors'][key]``) and
  ``ModeratorValue`` (``meta['moderator_value']``) as they are.
- A report over some of the sessions selects the snapshot's per-session rows (``sponsor_exposure``, ``reach``,
  ``kpis``, ``nodes``) for those sessions and passes them to the same functions the analysis used
  (:func:`moderator_kit.value.sponsor_value`, :func:`moderator_kit.value.moderator_value`): no metric is
  re-implemented here.
- The traceability tables count the messages behind the main figures in the snapshot's ``messages`` table (with the
  value module's own :func:`moderator_kit.value.sponsor.sponsor_flags`), so a reader can check each figure against
  message counts and the message-level ``evidence`` table.

Formulas and their sources: :data:`FORMULAS` (each cites its section of ``docs/metrics/*.md``).

Where the code lives
--------------------
This module builds the model of either audience and re-exports the names it always had. The parts of the model
are in :mod:`~moderator_kit.report.elements`, the formulas in :mod:`~moderator_kit.report.formulas`, the
snapshot access and session choice in :mod:`~moderator_kit.report.context`, the shared facts and tables in
:mod:`~moderator_kit.report.blocks`, link checks in :mod:`~moderator_kit.report.urls`, and the two reports in
:mod:`~moderator_kit.report.sponsor_report` and :mod:`~moderator_kit.report.moderator_report`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from moderator_kit.config import ChatConfig
from moderator_kit.errors import ModeratorKitError
from moderator_kit.report.context import as_snapshot, report_context, resolve_sessions, sponsor_choice
from moderator_kit.report.elements import Audience, Column, Fact, Formula, ReportModel, ReportTable, Section
from moderator_kit.report.formulas import FORMULAS
from moderator_kit.report.moderator_report import build_moderator_model
from moderator_kit.report.sponsor_report import build_sponsor_model
from moderator_kit.report.urls import safe_url, safe_url_expr
from moderator_kit.snapshot_store import Snapshot
from moderator_kit.value.headline import VERDICT_LABELS

__all__ = [
    "Audience",
    "Column",
    "Fact",
    "Formula",
    "FORMULAS",
    "ReportModel",
    "ReportTable",
    "Section",
    "build_report",
    "resolve_sessions",
    "safe_url",
    "safe_url_expr",
    "VERDICT_LABELS",
]


def build_report(
    snapshot: Snapshot | Path | str,
    *,
    sponsor: str | None = None,
    sessions: Sequence[str | int] | str | None = None,
    audience: Audience = "sponsor",
    anonymize: bool = False,
    include_text: bool | None = None,
    salt: bytes | str | None = None,
) -> ReportModel:
    """The report model of a sponsor (or of the moderators) over some or all sessions.

    Parameters
    ----------
    snapshot
        The chat's analysis snapshot (:func:`moderator_kit.snapshot.load_snapshot`), or its folder.
    sponsor
        A handle, hashtag or name of a sponsor of the chat config (default: the first sponsor). Ignored for the
        moderator report.
    sessions
        Session ids, numbers or ranges ``A..B`` (see :func:`resolve_sessions`); None means every session. The sponsor
        report keeps the sponsored ones among them.
    audience
        ``'sponsor'`` (ROI report) or ``'moderator'`` (hours invested against community outcomes).
    anonymize
        Replace participant handles by stable pseudonyms (the sponsor's own handles stay); see
        :mod:`moderator_kit.report.anonymize`.
    include_text
        Show message text and the links inside messages. Default: yes, unless ``anonymize``.
    salt
        The anonymization key; default: ``<workspace>/secrets/anonymize_salt`` (created on first use).

    Returns
    -------
    ReportModel

    Raises
    ------
    ModeratorKitError
        No sponsor in the config, an unknown sponsor or session, or no sponsored session selected.
    """
    if audience not in ("sponsor", "moderator"):
        raise ModeratorKitError(f"unknown report audience {audience!r}; use 'sponsor' or 'moderator'")
    snap = as_snapshot(snapshot)
    keep: list[str] = []
    if audience == "sponsor":
        config = ChatConfig.model_validate(snap.meta.get("config") or {"chat": snap.chat})
        _, chosen = sponsor_choice(snap, config, sponsor)
        keep = list(chosen.handles)
    ctx = report_context(snap, sessions, anonymize, include_text, salt, keep)
    if audience == "sponsor":
        return build_sponsor_model(ctx, sponsor)
    return build_moderator_model(ctx)
