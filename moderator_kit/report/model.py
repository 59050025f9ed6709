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
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import plotly.graph_objects as go
import polars as pl

from moderator_kit import __version__
from moderator_kit.config import ChatConfig, Costs, Sponsor
from moderator_kit.errors import ModeratorKitError
from moderator_kit.figures.sponsor import (
    audience_mix_chart,
    cost_breakdown_chart,
    roi_range_chart,
    sensitivity_chart,
    sponsor_trend_chart,
)
from moderator_kit.figures.theme import esc
from moderator_kit.formats import CURRENCY, fmt_int, fmt_metric, fmt_money, fmt_num, fmt_pct, fmt_roi
from moderator_kit.figures.trends import herding_trend, participants_trend, reach_trend
from moderator_kit.report.anonymize import Pseudonymizer, load_salt, normalize_handle
from moderator_kit.sessions import no_sessions_hint
from moderator_kit.snapshot_store import Snapshot
from moderator_kit.value import (
    ModeratorValue,
    SponsorValue,
    message_url,
    moderator_value,
    reach_total,
    sponsor_value,
    top_sponsor_messages,
)
from moderator_kit.value.headline import VERDICT_LABELS, range_text, sponsor_headline
from moderator_kit.value.reach import basis_formulas
from moderator_kit.value.roi import UPPER_BOUND_LABEL
from moderator_kit.value.sponsor import sponsor_flags

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

Audience = Literal["sponsor", "moderator"]


#: The currency symbol of money figures (the chat config names no currency; the figure builders use the same).

#: The most engaged messages about the sponsor shown in the report.
TOP_MESSAGES = 10

_UTC_FORMAT = "%Y-%m-%d %H:%M:%S UTC"


# ----------------------------------------------------------------------------------------------------------------
# the model


@dataclass(frozen=True)
class Column:
    """A column of a report table: the frame's column ``key``, its heading, and how to show it.

    ``kind``: 'text', 'int', 'num', 'money', 'pct' (a share shown as %), 'signed_pct' (ROI), 'url' (a link, shown
    only when it is http(s)), 'links' (several URLs separated by spaces), 'code' (an id or handle).
    """

    key: str
    label: str
    kind: str = "text"
    in_document: bool = True


@dataclass(frozen=True)
class ReportTable:
    """One table: a sheet of the XLSX, a file of the CSV export, and (when ``in_document``) a table of the HTML/PDF.

    ``totals`` maps column keys to the value of a "Total" row shown under the table in the document (the report's
    headline figure that the column adds up to).
    """

    key: str
    title: str
    frame: pl.DataFrame
    columns: tuple[Column, ...]
    description: str = ""
    in_document: bool = True
    totals: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Fact:
    """One figure of the report: machine key, label, raw value, formatted value, and its assumption or reason."""

    key: str
    label: str
    value: float | None
    display: str
    note: str = ""


@dataclass(frozen=True)
class Formula:
    """A formula of the methodology appendix, with its source and the doc section that documents it."""

    key: str
    figure: str
    formula: str
    source: str
    doc: str
    audiences: tuple[str, ...] = ("sponsor",)


@dataclass(frozen=True)
class Section:
    """A section of the document: paragraphs, facts, figures (keys of ``ReportModel.figures``), tables (keys of
    ``ReportModel.tables``) and bullet lists."""

    key: str
    title: str
    paragraphs: tuple[str, ...] = ()
    facts: tuple[Fact, ...] = ()
    figures: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()
    bullets: tuple[str, ...] = ()
    appendix: bool = False


@dataclass(frozen=True)
class ReportModel:
    """Everything a report shows; every renderer draws this and nothing else."""

    audience: Audience
    chat: str
    title: str
    subject: str
    sponsor_key: str | None
    sessions: tuple[str, ...]
    all_sessions: tuple[str, ...]
    period: str
    generated_at: str
    snapshot_generated_at: str
    version: str
    verdict: str
    verdict_line: str
    reasons: tuple[str, ...]
    summary: str
    headline: tuple[Fact, ...]
    sections: tuple[Section, ...]
    tables: dict[str, ReportTable]
    figures: dict[str, go.Figure]
    value: SponsorValue | ModeratorValue
    formulas: tuple[Formula, ...]
    assumptions: tuple[str, ...]
    notes: tuple[str, ...]
    anonymized: bool
    include_text: bool

    @property
    def verdict_label(self) -> str:
        return VERDICT_LABELS.get(self.verdict, self.verdict.capitalize())

    @property
    def full_range(self) -> bool:
        """True when the report covers every session the value is defined on (the snapshot's figures as they are)."""
        return tuple(self.sessions) == tuple(self.all_sessions)

    @property
    def document_title(self) -> str:
        kind = "Sponsor ROI report" if self.audience == "sponsor" else "Moderator value report"
        return f"{kind}: {self.subject} — {self.title}"

    def facts(self) -> list[tuple[str, Fact]]:
        """(section title, fact) for every fact of every section, in document order."""
        return [(s.title, f) for s in self.sections for f in s.facts]

    def document_tables(self, section: Section) -> list[ReportTable]:
        return [self.tables[k] for k in section.tables if k in self.tables and self.tables[k].in_document]

    def file_name(self, fmt: str) -> str:
        """A default file name, e.g. ``jobhuntchat-brightpathcareers-sponsor-report.html``."""
        subject = self.sponsor_key if self.audience == "sponsor" else "moderator"
        stem = re.sub(r"[^a-z0-9_-]+", "-", f"{self.chat}-{subject}".lower()).strip("-")
        suffix = {"html": ".html", "pdf": ".pdf", "xlsx": ".xlsx", "csv": ".zip"}[fmt]
        return f"{stem}-{self.audience}-report{suffix}"


# ----------------------------------------------------------------------------------------------------------------
# methodology: every formula with its source (the docs are the long form; tests check each doc anchor exists)

_VALUE = "docs/metrics/value.md"
FORMULAS: tuple[Formula, ...] = (
    Formula("potential_impressions", "Potential impressions",
            "Σ over messages of the author's follower count (members × messages where followers are unknown and "
            "audience_members is set)",
            "Tweet Binder, 'Tweet Binder metrics' (potential impressions); Symplur, 'Summary' widget help "
            "(impressions)", f"{_VALUE}#reach", ("sponsor", "moderator")),
    Formula("unique_reach", "Unique reach",
            "Σ over distinct authors of their follower count (the largest count seen for each author)",
            "Tweet Binder, 'Tweet Binder metrics' (potential reach)", f"{_VALUE}#reach", ("sponsor",)),
    Formula("estimated_impressions", "Estimated real impressions (low / mid / high)",
            "measured impressions (platform view counts) + r × exposure base, at the low, mid and high exposure "
            "rate r; on the followers basis: potential impressions × r",
            "Union Metrics (TweetReach): real impressions are likely 1-20% of potential impressions",
            f"{_VALUE}#the-reach-basis", ("sponsor", "moderator")),
    Formula("mentions", "Mentions",
            "messages by someone other than the sponsor that name a sponsor handle or use a sponsor hashtag "
            "(reposts included)", "definition of this project", f"{_VALUE}#sponsor-exposure"),
    Formula("share_of_voice", "Share of voice",
            "original messages by or about the sponsor ÷ all original messages (reposts excluded from both)",
            "definition of this project (within-chat share of voice)", f"{_VALUE}#sponsor-exposure"),
    Formula("engaged_participants", "Engaged participants",
            "per session, the distinct people other than the sponsor who mentioned, replied to, reposted or quoted "
            "it; summed over sessions (participant-sessions)", "definition of this project",
            f"{_VALUE}#sponsor-exposure"),
    Formula("engagement_on_posts", "Engagement on the sponsor's posts",
            "replies + reposts + quotes of the sponsor's accounts found in the data; the platform's like counters "
            "on its own original posts", "definition of this project", f"{_VALUE}#sponsor-exposure"),
    Formula("audience_mix", "Audience mix",
            "the people who engaged, by their primary role in the session; share = people ÷ people who engaged",
            "role rules of moderator_kit.people (each label listed with its reasons)",
            "docs/metrics/people.md#roles"),
    Formula("top_messages", "Best messages about the sponsor",
            "original messages by others about the sponsor, ranked by max(replies, reposts and quotes found in the "
            "data; the platform's likes + reposts + replies)", "definition of this project",
            f"{_VALUE}#sponsor-exposure"),
    Formula("cost", "Cost",
            "(fee + staff hours × hourly rate + other) × sessions when costs are per session; once when they are "
            "for the whole sponsorship", "the sponsor's costs in the chat config", f"{_VALUE}#costs-cpm-value-and-roi"),
    Formula("attributable_impressions", "Attributable impressions",
            "impressions of the messages by or about the sponsor: its posts, mentions of its handles and hashtags, "
            "replies, reposts and quotes of its accounts, links to its domains, the moderators' posts naming it; "
            "the whole chat's impressions are only an upper bound (if every participant saw the sponsorship)",
            "IAB/MRC impression and viewable-impression guidelines (an impression needs an opportunity to see the ad)",
            f"{_VALUE}#costs-cpm-value-and-roi"),
    Formula("cpm", "CPM", "cost ÷ attributable impressions × 1,000, for each exposure-rate scenario",
            "cost per mille, https://en.wikipedia.org/wiki/Cost_per_mille", f"{_VALUE}#costs-cpm-value-and-roi"),
    Formula("value", "Value of the exposure", "attributable impressions ÷ 1,000 × the benchmark CPM",
            "what the same impressions would cost as advertising (the sponsor's benchmark_cpm)",
            f"{_VALUE}#costs-cpm-value-and-roi"),
    Formula("roi", "ROI (low / mid / high)", "(value − cost) ÷ cost, at each exposure rate",
            "return on investment, https://en.wikipedia.org/wiki/Return_on_investment",
            f"{_VALUE}#costs-cpm-value-and-roi"),
    Formula("break_even", "Break-even exposure rate",
            "the r where value = cost: (cost × 1,000 ÷ benchmark CPM − measured impressions) ÷ exposure base",
            "from the impressions formula above", f"{_VALUE}#costs-cpm-value-and-roi"),
    Formula("cost_per_engaged", "Cost per engaged participant", "cost ÷ engaged participants (participant-sessions)",
            "definition of this project", f"{_VALUE}#costs-cpm-value-and-roi"),
    Formula("cost_per_mention", "Cost per mention", "cost ÷ mentions", "definition of this project",
            f"{_VALUE}#costs-cpm-value-and-roi"),
    Formula("sensitivity", "Sensitivity",
            "ROI on a grid of exposure rates (1%, 2%, 5%, 10%, 20%, 30% plus the configured rates) × benchmark "
            "CPMs (0.25×, 0.5×, 1×, 2×, 4× the sponsor's)", "definition of this project",
            f"{_VALUE}#costs-cpm-value-and-roi"),
    Formula("sponsor_verdict", "Sponsor verdict",
            "no evidence of exposure when no message is by or about the sponsor (whatever the cost); not worthwhile "
            "when even the high-rate ROI is negative; worthwhile when the low-rate ROI ≥ 0 (or the cost is 0) and "
            "every objective is measurable and met; otherwise unclear",
            "definition of this project", f"{_VALUE}#costs-cpm-value-and-roi"),
    Formula("objectives", "Objectives (KPIs against targets)",
            "actual = mean over the selected sessions that have a value; met when actual ≥ target (at_least) or "
            "≤ target (at_most); gap = actual − target (or target − actual); trend = sign of the least-squares "
            "slope over the sessions (flat within 5%)", "definition of this project", f"{_VALUE}#objectives",
            ("sponsor", "moderator")),
    Formula("active_participants", "Active participants",
            "distinct authors of at least one original (non-repost) message in the session's chat phase; a pure "
            "reposter is never active",
            "Budak & Agrawal, 'On participation in group chats on Twitter', WWW 2013",
            "docs/metrics/engagement.md#participants", ("sponsor", "moderator")),
    Formula("retention", "New and returning participants",
            "new = first active session in the archive; returning = active − new; returning share = returning ÷ "
            "active (active: an original message in the chat or follow-up phase)",
            "Budak & Agrawal (WWW 2013); Ellis et al., 'Equality and Social Mobility in Twitter Discussion "
            "Groups', WSDM 2016", "docs/metrics/people.md#retention", ("moderator",)),
    Formula("herding_score", "Herding score (0-100)",
            "100 × (0.4 × on-agenda share + 0.3 × pace adherence + 0.3 × (1 − spill-over share)), reweighted "
            "over the parts available", "definition of this project", "docs/metrics/flow.md#the-herding-score-0-100",
            ("moderator",)),
    Formula("centrality", "Moderator centrality",
            "PageRank (damping 0.85) and betweenness of the moderator in each session's interaction graph; mean "
            "value and mean rank (1 = most central)",
            "Brin & Page (1998); Freeman (1977); Brandes (2001)", "docs/metrics/graph.md#node-metrics",
            ("moderator",)),
    Formula("hours_invested", "Hours invested",
            "sessions × moderator_effort.hours_per_session (preparation, the chat and the follow-up); cost = hours "
            "× moderator_effort.hourly_rate", "the chat config", f"{_VALUE}#the-moderators-value", ("moderator",)),
    Formula("outcomes_per_hour", "Outcomes per hour",
            "participant-sessions ÷ hours; new participants ÷ hours; cost per participant-session; cost per new "
            "participant", "definition of this project", f"{_VALUE}#the-moderators-value", ("moderator",)),
    Formula("moderator_verdict", "Moderator verdict",
            "worthwhile when there are objectives and every one is measurable and met; not worthwhile when more "
            "than half of the measurable objectives are missed and active participation is not trending up; "
            "otherwise unclear", "definition of this project", f"{_VALUE}#the-moderators-value", ("moderator",)),
)


# ----------------------------------------------------------------------------------------------------------------
# small helpers


def safe_url(url: object) -> str | None:
    """The URL when it is an absolute http(s) link without spaces or control characters, else None.

    >>> safe_url("https://x.com/ann/status/1"), safe_url("javascript:alert(1)"), safe_url("//evil.example/x")
    ('https://x.com/ann/status/1', None, None)
    >>> safe_url("https://ok.example/a b"), safe_url(None)
    (None, None)
    """
    if not isinstance(url, str) or not url or len(url) > 2048:
        return None
    if any(ord(ch) < 33 or ord(ch) == 127 for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


_SAFE_URL = r"(?i)^https?://[^\s/?#\x00-\x1f\x7f]+[^\s\x00-\x1f\x7f]*$"


def safe_url_expr(expr: pl.Expr) -> pl.Expr:
    """:func:`safe_url` as a polars expression (null where the value is not a safe http(s) link).

    >>> import polars as pl
    >>> pl.DataFrame({"u": ["https://a.example/x?y=1", "javascript:alert(1)", "http://b.example/a b", None]}).select(
    ...     safe_url_expr(pl.col("u")))["u"].to_list()
    ['https://a.example/x?y=1', None, None, None]
    """
    return pl.when(expr.str.contains(_SAFE_URL) & (expr.str.len_chars() <= 2048)).then(expr)


def _money(x: float | None) -> str:
    return fmt_money(x, CURRENCY)


def _count(x: float | None) -> str:
    return fmt_int(x)


def _fact(key: str, label: str, value: float | None, display: str | None = None, note: str = "",
          fmt=_count) -> Fact:
    return Fact(key=key, label=label, value=None if value is None else float(value),
                display=display if display is not None else fmt(value), note=note)


def _date(local_start: str | None) -> str:
    """'2026-01-12 20:00 EST' → '12 Jan 2026'."""
    if not local_start:
        return "?"
    try:
        return datetime.strptime(local_start[:10], "%Y-%m-%d").strftime("%-d %b %Y")
    except ValueError:
        return local_start[:10]


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _as_snapshot(snapshot: Snapshot | Path | str) -> Snapshot:
    return snapshot if isinstance(snapshot, Snapshot) else Snapshot(snapshot)


def _table(snapshot: Snapshot, name: str) -> pl.DataFrame:
    if name not in snapshot.tables():
        return pl.DataFrame()
    return snapshot.table(name)


def _scan(snapshot: Snapshot, name: str) -> pl.LazyFrame:
    """A table as a LazyFrame (projection and filters pushed into the Parquet read; the messages table is big)."""
    path = snapshot.folder / f"{name}.parquet"
    if path.exists():
        return pl.scan_parquet(path)
    return snapshot.table(name).lazy()


def _workspace_root(snapshot: Snapshot) -> Path:
    folder = snapshot.folder.resolve()
    if folder.parent.name == "analysis" and (folder.parent.parent / "workspace.json").exists():
        return folder.parent.parent
    raise ModeratorKitError(f"{snapshot.folder}: cannot find the workspace of this snapshot to keep the "
                            "anonymization salt in; pass salt=... explicitly")


def resolve_sessions(snapshot: Snapshot | Path | str, sessions: Sequence[str | int] | str | None) -> list[str]:
    """Session ids (in session order) from ids, session numbers and ranges ``A..B`` (of ids or numbers).

    None or empty means every session. Unknown sessions raise :class:`ModeratorKitError` listing the known ones.

    >>> import tempfile, polars as pl
    >>> from pathlib import Path
    >>> from moderator_kit.snapshot_store import write_snapshot
    >>> folder = Path(tempfile.mkdtemp()) / "chat=demo"
    >>> write_snapshot(folder, {"sessions": pl.DataFrame({"session_id": ["2026-01-05", "2026-01-12", "2026-01-19"],
    ...     "number": [1, 2, 3]})}, {"chat": "demo"})
    >>> resolve_sessions(folder, ["2..3"]), resolve_sessions(folder, "2026-01-05,3")
    (['2026-01-12', '2026-01-19'], ['2026-01-05', '2026-01-19'])
    >>> len(resolve_sessions(folder, None))
    3
    """
    snap = _as_snapshot(snapshot)
    table = _table(snap, "sessions")
    if table.height == 0:
        raise ModeratorKitError(f"{snap.folder}: the snapshot has no sessions; {no_sessions_hint(snap.chat)}")
    ordered = table.sort("number")
    ids: list[str] = ordered["session_id"].to_list()
    numbers = {str(n): sid for n, sid in zip(ordered["number"].to_list(), ids)}
    if sessions is None:
        return ids
    items = [sessions] if isinstance(sessions, (str, int)) else list(sessions)
    tokens = [t.strip() for item in items for t in str(item).split(",") if t.strip()]
    if not tokens:
        return ids

    def position(token: str) -> int:
        sid = token if token in ids else numbers.get(token)
        if sid is None:
            known = ", ".join(ids[:6]) + (" …" if len(ids) > 6 else "")
            raise ModeratorKitError(f"no session {token!r} in chat {snap.chat!r}; use a session id or number "
                                    f"(1-{len(ids)}), e.g. {known}")
        return ids.index(sid)

    chosen: set[int] = set()
    for token in tokens:
        if ".." in token:
            first, last = (part.strip() for part in token.split("..", 1))
            a = position(first) if first else 0
            b = position(last) if last else len(ids) - 1
            chosen.update(range(min(a, b), max(a, b) + 1))
        else:
            chosen.add(position(token))
    return [ids[i] for i in sorted(chosen)]


@dataclass
class _Context:
    snapshot: Snapshot
    config: ChatConfig
    sessions: list[str]
    session_table: pl.DataFrame
    pseudo: Pseudonymizer | None
    include_text: bool

    def handle(self, handle: str | None) -> str | None:
        return self.pseudo.handle(handle) if self.pseudo is not None and handle is not None else handle

    def text(self, text: str | None) -> str | None:
        return self.pseudo.text(text) if self.pseudo is not None and text is not None else text

    def texts(self, items: Iterable[str]) -> tuple[str, ...]:
        return tuple(self.text(t) or "" for t in items)

    def period(self, sessions: Sequence[str]) -> str:
        rows = self.session_table.filter(pl.col("session_id").is_in(list(sessions))).sort("number")
        if rows.height == 0:
            return "no sessions"
        starts = rows["local_start"].to_list() if "local_start" in rows.columns else rows["session_id"].to_list()
        span = _date(starts[0]) if rows.height == 1 else f"{_date(starts[0])} – {_date(starts[-1])}"
        return f"{span} ({_plural(rows.height, 'session')})"


def _context(snap: Snapshot, sessions: Sequence[str | int] | str | None, anonymize: bool, include_text: bool | None,
             salt: bytes | str | None, keep: Iterable[str]) -> _Context:
    config = ChatConfig.model_validate(snap.meta.get("config") or {"chat": snap.chat})
    selected = resolve_sessions(snap, sessions)
    pseudo = None
    if anonymize:
        key = salt if salt is not None else load_salt(_workspace_root(snap))
        pseudo = Pseudonymizer(key, keep=keep)
        known = (
            _scan(snap, "messages")
            .select(pl.concat_list(pl.col("author_handle"), pl.col("reply_to_author_handle"),
                                   pl.col("repost_of_author_handle"), pl.col("quote_of_author_handle"),
                                   pl.col("mentions")).alias("h"))
            .explode("h").drop_nulls().unique().collect()["h"].to_list()
        )
        pseudo.known([*known, *snap.meta.get("moderators", []), *config.moderators])
    return _Context(snapshot=snap, config=config, sessions=selected, session_table=_table(snap, "sessions"),
                    pseudo=pseudo, include_text=(not anonymize) if include_text is None else bool(include_text))


def _sponsor_choice(snap: Snapshot, config: ChatConfig, wanted: str | None) -> tuple[str, Sponsor]:
    from moderator_kit.snapshot import sponsor_key

    stored = snap.meta.get("sponsors") or {}
    if not stored or not config.sponsors:
        raise ModeratorKitError(f"chat {snap.chat!r} has no sponsors in its config; add one under 'sponsors:' in the "
                                f"chat config and run 'moderator-kit analyze --chat {snap.chat} --config chat.yaml', "
                                "or make a --moderator report")
    by_key = {sponsor_key(s): s for s in config.sponsors}
    if wanted is None:
        key = next(iter(stored))
    else:
        needle = normalize_handle(wanted).lstrip("#")
        key = next((k for k, s in by_key.items()
                    if needle == k or needle in s.handles or needle == s.name.strip().lower()
                    or needle in s.hashtags), None)
        if key is None:
            raise ModeratorKitError(f"no sponsor {wanted!r} in chat {snap.chat!r}; sponsors: {', '.join(stored)}")
    if key not in stored or key not in by_key:
        raise ModeratorKitError(f"sponsor {key!r} is in the config but not in the snapshot; run 'moderator-kit "
                                "analyze' again")
    return key, by_key[key]


def _cast_utc_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Datetime columns as 'YYYY-MM-DD HH:MM:SS UTC' text (spreadsheets have no time zones)."""
    exprs = [pl.col(c).dt.convert_time_zone("UTC").dt.strftime(_UTC_FORMAT) if getattr(t, "time_zone", None)
             else pl.col(c).dt.strftime(_UTC_FORMAT.removesuffix(" UTC"))
             for c, t in frame.schema.items() if isinstance(t, pl.Datetime)]
    return frame.with_columns(exprs) if exprs else frame


def _table_of(key: str, title: str, frame: pl.DataFrame, columns: Sequence[tuple[str, ...]], *,
              description: str = "", in_document: bool = True, totals: dict[str, Any] | None = None) -> ReportTable:
    """A ReportTable of the listed columns (key, label, kind[, 'data' = only in the XLSX/CSV])."""
    cols = tuple(Column(c[0], c[1], c[2], in_document=len(c) < 4 or c[3] != "data") for c in columns
                 if c[0] in frame.columns)
    frame = _cast_utc_text(frame.select([c.key for c in cols]))
    return ReportTable(key=key, title=title, frame=frame, columns=cols, description=description,
                       in_document=in_document, totals=dict(totals or {}))


def _objective_table(objectives: Sequence[Any], scrub=lambda text: text) -> ReportTable:  # noqa: ANN001
    # the shown columns are in each metric's unit, as on the dashboard and in the reasons (fmt_metric); the raw
    # numbers stay in the XLSX / CSV data columns
    def gap_shown(o: Any) -> str:
        if o.gap is None:
            return "n/a"
        shown = fmt_metric(o.metric, abs(o.gap))
        return ("-" if o.gap < 0 else "") + shown.lstrip("+-")

    rows = [
        {
            "stakeholder": o.stakeholder,
            "objective": scrub(o.label),
            "metric": o.metric,
            "target": o.target,
            "direction": "at least" if o.direction == "at_least" else "at most",
            "actual": o.actual,
            "status": "not measurable" if not o.available else ("met" if o.met else "missed"),
            "gap": o.gap,
            "target_shown": fmt_metric(o.metric, o.target),
            "actual_shown": fmt_metric(o.metric, o.actual),
            "gap_shown": gap_shown(o),
            "trend": o.trend,
            "note": o.note,
        }
        for o in objectives
    ]
    schema = {"stakeholder": pl.String, "objective": pl.String, "metric": pl.String, "target": pl.Float64,
              "direction": pl.String, "actual": pl.Float64, "status": pl.String, "gap": pl.Float64,
              "target_shown": pl.String, "actual_shown": pl.String, "gap_shown": pl.String,
              "trend": pl.String, "note": pl.String}
    frame = pl.DataFrame(rows, schema=schema)
    return _table_of("objectives", "KPIs against the objectives", frame, [
        ("stakeholder", "Stakeholder", "text"), ("objective", "Objective", "text"), ("metric", "Metric", "code"),
        ("direction", "Direction", "text"), ("target_shown", "Target", "shown"), ("actual_shown", "Actual", "shown"),
        ("status", "Status", "text"), ("gap_shown", "Gap", "shown"), ("trend", "Trend", "text"),
        ("note", "How", "text"), ("target", "Target (raw)", "num", "data"), ("actual", "Actual (raw)", "num", "data"),
        ("gap", "Gap (raw)", "num", "data"),
    ], description="Each objective of the chat config, evaluated on the mean over the selected sessions "
                   "(a negative gap is how much the target was missed by).")


def _lines_table(key: str, title: str, lines: Sequence[str], heading: str, description: str = "",
                 in_document: bool = False) -> ReportTable:
    frame = pl.DataFrame({"n": list(range(1, len(lines) + 1)), heading: list(lines)},
                         schema={"n": pl.Int64, heading: pl.String})
    return _table_of(key, title, frame, [("n", "#", "int"), (heading, heading.capitalize(), "text")],
                     description=description, in_document=in_document)


def _formula_table(audience: str) -> tuple[tuple[Formula, ...], ReportTable]:
    chosen = tuple(f for f in FORMULAS if audience in f.audiences)
    frame = pl.DataFrame([{"figure": f.figure, "formula": f.formula, "source": f.source, "documented_in": f.doc}
                          for f in chosen], schema={"figure": pl.String, "formula": pl.String, "source": pl.String,
                                                    "documented_in": pl.String})
    return chosen, _table_of("methodology", "Formulas and sources", frame, [
        ("figure", "Figure", "text"), ("formula", "Formula", "text"), ("source", "Source", "text"),
        ("documented_in", "Documented in", "code"),
    ], description="Every formula behind the figures of this report, with its source.")


def _summary_table(sections: Sequence[Section], verdict: str, reasons: Sequence[str],
                   headline: Sequence[Fact] = ()) -> ReportTable:
    rows = [{"section": "Verdict", "key": "verdict", "figure": "Verdict", "value": None,
             "display": VERDICT_LABELS.get(verdict, verdict), "note": " ".join(reasons)}]
    rows += [{"section": "Headline", "key": f.key, "figure": f.label, "value": f.value, "display": f.display,
              "note": f.note} for f in headline]
    rows += [{"section": s.title, "key": f.key, "figure": f.label, "value": f.value, "display": f.display,
              "note": f.note} for s in sections for f in s.facts]
    frame = pl.DataFrame(rows, schema={"section": pl.String, "key": pl.String, "figure": pl.String,
                                       "value": pl.Float64, "display": pl.String, "note": pl.String})
    return _table_of("summary", "Summary", frame, [
        ("section", "Section", "text"), ("key", "Key", "code"), ("figure", "Figure", "text"),
        ("value", "Value", "num"), ("display", "Shown as", "text"), ("note", "Assumption or reason", "text"),
    ], description="Every figure of the report: its raw value, how it is shown, and its assumption.",
        in_document=False)


# ----------------------------------------------------------------------------------------------------------------
# sponsor report


def _sponsor_value(ctx: _Context, key: str, sponsor: Sponsor, exposure: pl.DataFrame, selected: list[str],
                   sponsored: list[str]) -> tuple[SponsorValue, list[str]]:
    """The snapshot's SponsorValue for the full range; for a sub-range, sponsor_value over the selected rows."""
    if selected == sponsored:
        return SponsorValue.model_validate(ctx.snapshot.meta["sponsors"][key]), []
    notes = [f"This report covers {len(selected)} of the {len(sponsored)} sponsored sessions; its figures are "
             "recomputed from the snapshot's per-session rows for those sessions."]
    chosen = sponsor
    if sponsor.costs_per == "total" and sponsored:
        share = len(selected) / len(sponsored)
        c = sponsor.costs
        chosen = sponsor.model_copy(update={"costs": Costs(fee=c.fee * share, staff_hours=c.staff_hours * share,
                                                           hourly_rate=c.hourly_rate, other=c.other * share)})
        notes.append(f"The sponsorship's costs are for all {len(sponsored)} sponsored sessions, so this report "
                     f"counts {len(selected)}/{len(sponsored)} of them ({_money(chosen.costs.total)} of "
                     f"{_money(c.total)}).")
    reach = _table(ctx.snapshot, "reach").filter(pl.col("session_id").is_in(selected))
    value = sponsor_value(exposure.filter(pl.col("session_id").is_in(selected)), reach, chosen,
                          ctx.config.exposure_rates, len(selected))
    return value, notes


def _evidence(ctx: _Context, sponsor: Sponsor, selected: list[str]) -> pl.DataFrame:
    """Every message by or about the sponsor in the selected sessions, with the flags it was counted under."""
    lazy = _scan(ctx.snapshot, "messages").filter(pl.col("session_id").is_in(selected))
    names = lazy.collect_schema().names()
    wanted = ["platform", "message_id", "session_id", "phase", "created_at", "author_handle", "kind", "text",
              "mentions", "hashtags", "reply_to_author_handle", "repost_of_author_handle", "quote_of_author_handle",
              "author_followers", "view_count", "urls"]
    frame = (
        lazy.select([c for c in wanted if c in names])
        .with_columns(sponsor_flags(sponsor, ctx.snapshot.meta.get("moderators") or ctx.config.moderators))
        .filter(pl.col("sp_related"))
        .with_columns(url=message_url(), original=pl.col("kind") != "repost")
        .sort("created_at", "message_id")
        .collect()
    )
    return frame


def _recounts(evidence: pl.DataFrame, all_counts: dict[str, int]) -> dict[str, int]:
    per_session = evidence.group_by("session_id").agg(
        mentioning=pl.col("author_handle").filter(pl.col("sp_mention")).n_unique(),
        engaged=pl.col("author_handle").filter(pl.col("sp_engages")).n_unique(),
    )
    totals = evidence.select(
        mentions=pl.col("sp_mention").sum(),
        related=pl.col("sp_related").sum(),
        related_originals=(pl.col("sp_related") & pl.col("original")).sum(),
        sponsor_posts=(pl.col("sp_by") & pl.col("original")).sum(),
        replies=pl.col("sp_reply").sum(),
        reposts=pl.col("sp_repost").sum(),
        quotes=pl.col("sp_quote").sum(),
        engaging=pl.col("sp_engages").sum(),
    ).row(0, named=True)
    return {**{k: int(v) for k, v in totals.items()}, **all_counts,
            "mentioning_people": int(per_session["mentioning"].sum()),
            "engaged_participants": int(per_session["engaged"].sum())}


def _message_counts(ctx: _Context, selected: list[str]) -> dict[str, int]:
    row = (
        _scan(ctx.snapshot, "messages").filter(pl.col("session_id").is_in(selected))
        .select(messages=pl.len(), originals=(pl.col("kind") != "repost").sum(),
                with_views=(pl.col("view_count") > 0).sum(), with_followers=pl.col("author_followers").is_not_null()
                .sum())
        .collect().row(0, named=True)
    )
    return {k: int(v or 0) for k, v in row.items()}


def _top_messages(ctx: _Context, key: str, sponsor: Sponsor, selected: list[str], full: bool) -> pl.DataFrame:
    if full:
        top = _table(ctx.snapshot, "sponsor_messages")
        top = top.filter(pl.col("sponsor") == key) if "sponsor" in top.columns else top
    else:
        messages = _scan(ctx.snapshot, "messages").filter(pl.col("session_id").is_in(selected))
        top = top_sponsor_messages(messages, sponsor, n=TOP_MESSAGES)
    top = top.head(TOP_MESSAGES)
    urls = (
        _scan(ctx.snapshot, "messages")
        .filter(pl.col("message_id").is_in(top["message_id"].to_list()))
        .select("message_id", "platform", pl.col("urls").list.head(3).alias("links"))
        .collect()
    )
    top = top.join(urls, on="message_id", how="left").with_columns(
        links=pl.col("links").list.eval(pl.element().filter(safe_url_expr(pl.element()).is_not_null()))
        .list.join(" "),
        url=safe_url_expr(pl.col("url")),
    ).with_columns(links=pl.when(pl.col("links").str.len_chars() > 0).then(pl.col("links")))
    if ctx.pseudo is not None:
        # x.com/i/status/<id> opens the same post without naming its author in the document
        top = top.with_columns(
            url=pl.when(pl.col("platform") == "twitter").then(pl.format("https://x.com/i/status/{}", "message_id"))
            .otherwise(pl.lit(None, dtype=pl.String)),
            text=ctx.pseudo.texts(top, "text"),
            links=ctx.pseudo.texts(top, "links"),
            author_handle=ctx.pseudo.column(top, "author_handle"),
        )
    if not ctx.include_text:
        top = top.with_columns(text=pl.lit(None, dtype=pl.String), links=pl.lit(None, dtype=pl.String),
                               url=pl.lit(None, dtype=pl.String) if ctx.pseudo is not None else pl.col("url"))
    return top.with_columns(rank=pl.int_range(1, pl.len() + 1).cast(pl.Int64))


def _objectives_line(objectives: Sequence[Any]) -> str:
    if not objectives:
        return "no objectives configured"
    met = sum(1 for o in objectives if o.met)
    missed = [o.label for o in objectives if o.available and not o.met]
    unmeasured = [o.label for o in objectives if not o.available]
    text = f"{met} of {len(objectives)} objectives met"
    if missed:
        text += f" (missed: {', '.join(missed)})"
    if unmeasured:
        text += f" (not measurable: {', '.join(unmeasured)})"
    return text


def _objectives_fact(objectives: Sequence[Any]) -> Fact:
    met = sum(1 for o in objectives if o.met)
    return _fact("objectives_met", "Objectives met", met if objectives else None,
                 display=f"{met} of {len(objectives)}" if objectives else "none set")


def _mid_and_range(low: float | None, mid: float | None, high: float | None, fmt) -> str:
    """'39,648 (9,912 to 99,120)', or one value when the three are equal."""
    if low == mid == high or low is None or high is None:
        return fmt(mid)
    return f"{fmt(mid)} ({fmt(low)} to {fmt(high)})"


def _unavailable_note(sv: SponsorValue, default: str) -> str:
    """The reason the attributable impressions are missing, else ``default``."""
    return sv.unavailable.get("impressions", default)


def _scenario_facts(sv: SponsorValue, key: str, label: str, values: Any, fmt, note: str) -> tuple[Fact, ...]:  # noqa: ANN001
    """One fact when the impressions are measured (the scenarios cannot differ), else low / mid / high."""
    if sv.impressions_measured:
        return (_fact(f"{key}_mid", f"{label} (measured views)", values.mid, fmt=fmt, note=note),)
    rates = sv.exposure_rates
    return tuple(_fact(f"{key}_{lvl}", f"{label}, {lvl} exposure ({fmt_pct(getattr(rates, lvl))})",
                       getattr(values, lvl), fmt=fmt, note=note if lvl == "low" else "")
                 for lvl in ("low", "mid", "high"))


def _sponsor_summary(sv: SponsorValue, title: str, period: str, subset_note: str) -> str:
    parts = [f"{sv.sponsor} sponsored {title} over {period}{subset_note}, at a cost of {_money(sv.cost)}."]
    imp, rates = sv.impressions, sv.exposure_rates
    if sv.verdict == "no evidence of exposure":
        parts.append(sv.unavailable.get("impressions", ""))
    elif imp.mid is not None:
        if sv.impressions_measured:
            how = "measured from the platform's view counts"
        else:
            how = (f"at {fmt_pct(rates.mid)} of {fmt_int(sv.sponsor_potential_impressions)} potential impressions, "
                   f"between {fmt_pct(rates.low)} and {fmt_pct(rates.high)}")
        parts.append(f"The {_plural(sv.attributable_messages or 0, 'message')} by or about the sponsor were seen "
                     f"{'' if sv.impressions_measured else 'an estimated '}"
                     f"{_mid_and_range(imp.low, imp.mid, imp.high, fmt_int)} times ({how}), worth "
                     f"{_mid_and_range(sv.value.low, sv.value.mid, sv.value.high, _money)} at a benchmark CPM of "
                     f"{_money(sv.benchmark_cpm)}.")
        if sv.roi.mid is not None:
            roi = _mid_and_range(sv.roi.low, sv.roi.mid, sv.roi.high, fmt_roi)
            parts.append(f"That is a return on investment of {roi}"
                         + (f"; it breaks even once {fmt_pct(sv.break_even_exposure_rate)} of potential impressions "
                            "are really seen." if sv.break_even_exposure_rate not in (None, 0) else "."))
    else:
        parts.append("Reach is unavailable for these sessions, so the value of the exposure cannot be estimated.")
    if sv.chat_impressions.mid is not None:
        parts.append(f"The whole chat's messages were seen {fmt_int(sv.chat_impressions.mid)} times: an "
                     f"{UPPER_BOUND_LABEL}, not evidence that it was.")
    if sv.mentions is not None:
        people = f" by {fmt_int(sv.mentioning_people)} people (counted per session)" if sv.mentioning_people else ""
        parts.append(f"Participants mentioned the sponsor {_plural(sv.mentions, 'time')}{people}; "
                     f"{fmt_int(sv.engaged_participants)} participant-sessions engaged with it, and messages by or "
                     f"about it made up {fmt_pct(sv.share_of_voice)} of the conversation.")
    if sv.objectives:
        met = sum(1 for o in sv.objectives if o.met)
        parts.append(f"{met} of {len(sv.objectives)} objectives were met.")
    parts.append(f"Verdict: {VERDICT_LABELS[sv.verdict].lower()}.")
    return " ".join(p for p in parts if p)


def _sponsor_report(ctx: _Context, wanted: str | None) -> ReportModel:
    snap, meta = ctx.snapshot, ctx.snapshot.meta
    key, sponsor = _sponsor_choice(snap, ctx.config, wanted)
    exposure_all = _table(snap, "sponsor_exposure")
    if "sponsor" in exposure_all.columns:
        exposure_all = exposure_all.filter(pl.col("sponsor") == key)
    order = {sid: i for i, sid in enumerate(ctx.session_table.sort("number")["session_id"].to_list())}
    sponsored = sorted(exposure_all["session_id"].to_list(), key=lambda s: order.get(s, len(order)))
    selected = [s for s in ctx.sessions if s in set(sponsored)]
    if not selected:
        raise ModeratorKitError(f"none of the selected sessions is sponsored by {sponsor.name}; its sponsored "
                                f"sessions: {', '.join(sponsored) or 'none with messages'}")
    full = selected == sponsored
    sv, range_notes = _sponsor_value(ctx, key, sponsor, exposure_all, selected, sponsored)
    exposure = exposure_all.filter(pl.col("session_id").is_in(selected)).sort("session_id")
    reach = _table(snap, "reach").filter(pl.col("session_id").is_in(selected)).sort("session_id")
    title = meta.get("title") or snap.chat
    period = ctx.period(selected)
    subset_note = "" if full else f" (this report: {len(selected)} of the {len(sponsored)} sponsored sessions)"

    counts = _message_counts(ctx, selected)
    evidence = _evidence(ctx, sponsor, selected)
    recount = _recounts(evidence, counts)
    totals = reach_total(
        _scan(snap, "messages").select("session_id", "platform", "author_handle", "author_followers", "kind",
                                       "view_count").filter(pl.col("session_id").is_in(selected)),
        ctx.config, selected)

    # --- facts per section
    rates = sv.exposure_rates
    reach_note = ctx.text(sv.reach_note) or ""
    how = basis_formulas(sv.reach_basis)
    upper = f"Whole chat: an {UPPER_BOUND_LABEL}."
    whole_chat = sv.chat_impressions
    chat_measured = sv.reach_basis == "views" and whole_chat.low == whole_chat.high
    if chat_measured:
        chat_impression_facts = (
            _fact("impressions_mid", "Impressions, whole chat (measured views)", whole_chat.mid,
                  note=f"{reach_note} {upper}"),)
    else:
        chat_impression_facts = tuple(
            _fact(f"impressions_{lvl}", f"Estimated impressions, whole chat, {lvl} ({fmt_pct(getattr(rates, lvl))})",
                  getattr(whole_chat, lvl), note=f"{reach_note} {upper}" if lvl == "low" else "Same basis as above.")
            for lvl in ("low", "mid", "high"))
    attributable_impressions = (
        (_fact("sponsor_impressions_mid", "Impressions of messages by or about the sponsor (measured views)",
               sv.impressions.mid, note=_unavailable_note(sv, "The basis of the value, CPM and ROI.")),)
        if sv.impressions_measured else tuple(
            _fact(f"sponsor_impressions_{lvl}", f"Estimated impressions of messages by or about the sponsor, {lvl} "
                  f"({fmt_pct(getattr(rates, lvl))})", getattr(sv.impressions, lvl),
                  note=_unavailable_note(sv, "The basis of the value, CPM and ROI.") if lvl == "low" else "")
            for lvl in ("low", "mid", "high")))
    reach_facts = (
        _fact("attributable_messages", "Messages by or about the sponsor", sv.attributable_messages,
              note="Its posts; mentions of its handles and hashtags; replies, reposts and quotes of its accounts; "
                   "links to its domains; the moderators' posts naming it."),
        _fact("sponsor_potential_impressions", "Potential impressions of messages by or about the sponsor",
              sv.sponsor_potential_impressions, note=f"Computed as {how['potential_impressions']}."),
        *attributable_impressions,
        _fact("potential_impressions", "Potential impressions, whole chat", sv.chat_potential_impressions,
              note=f"Computed as {how['potential_impressions']}, over every message of the sponsored sessions."),
        _fact("unique_reach", "Unique reach, whole chat", totals.unique_reach,
              note=f"Computed as {how['unique_reach']}."),
        *chat_impression_facts,
    )
    sums = exposure.select(
        pl.col("replies_to_sponsor", "reposts_of_sponsor", "quotes_of_sponsor", "engaged_newcomers",
               "views_on_posts").sum()
    ).row(0, named=True) if exposure.height else {}
    unavailable = sv.unavailable
    exposure_facts = (
        _fact("mentions", "Mentions", sv.mentions, note=unavailable.get("mentions", "")),
        _fact("mentioning_people", "People who mentioned it (per session, summed)", sv.mentioning_people),
        _fact("share_of_voice", "Share of voice", sv.share_of_voice, fmt=fmt_pct,
              note="Original messages by or about the sponsor ÷ all original messages."),
        _fact("sponsor_posts", "The sponsor's own posts", sv.sponsor_posts),
        _fact("replies_to_sponsor", "Replies to the sponsor", sums.get("replies_to_sponsor")),
        _fact("reposts_of_sponsor", "Reposts of the sponsor", sums.get("reposts_of_sponsor")),
        _fact("quotes_of_sponsor", "Quotes of the sponsor", sums.get("quotes_of_sponsor")),
        _fact("engagement_in_data", "Engagement on its posts found in the data", sv.engagement_in_data,
              note="Replies + reposts + quotes of the sponsor's accounts."),
        _fact("likes_on_posts", "Likes on its posts (platform counters)", sv.likes_on_posts),
        _fact("views_on_posts", "Views of its posts (platform counters)", sums.get("views_on_posts")),
        _fact("engaged_participants", "Engaged participants (participant-sessions)", sv.engaged_participants,
              note=unavailable.get("cost_per_engaged_participant", "")),
        _fact("engaged_newcomers", "…of whom newcomers", sums.get("engaged_newcomers")),
    )
    c = sv.costs
    per = "per session" if c.per == "session" else "for the whole sponsorship"
    cost_facts = (
        _fact("cost_fee", "Fee", c.fee, fmt=_money, note=f"Configured {per}."),
        _fact("cost_staff", f"Staff time ({fmt_num(c.staff_hours)} h × {_money(c.hourly_rate)})", c.staff_cost,
              fmt=_money),
        _fact("cost_other", "Other costs", c.other, fmt=_money),
        _fact("cost", "Total cost", sv.cost, fmt=_money,
              note=f"{_plural(c.sessions, 'session')}" + (f", {_money(c.per_session)} per session"
                                                          if c.per_session is not None else "")),
    )
    cpm_note = unavailable.get("cpm", "") or _unavailable_note(sv, "Cost per 1,000 attributable impressions.")
    efficiency_facts = (
        *_scenario_facts(sv, "cpm", "CPM", sv.cpm, _money, cpm_note),
        _fact("cost_per_engaged_participant", "Cost per engaged participant", sv.cost_per_engaged_participant,
              fmt=_money, note=unavailable.get("cost_per_engaged_participant", "")),
        _fact("cost_per_mention", "Cost per mention", sv.cost_per_mention, fmt=_money,
              note=unavailable.get("cost_per_mention", unavailable.get("mentions", ""))),
    )
    roi_note = unavailable.get("roi", unavailable.get("impressions", ""))
    if sv.impressions_measured:
        break_even_fact = _fact("break_even_cpm", "Break-even benchmark CPM", sv.cpm.mid, fmt=_money,
                                note=unavailable.get("break_even_exposure_rate", ""))
    else:
        break_even_fact = _fact(
            "break_even_exposure_rate", "Break-even exposure rate", sv.break_even_exposure_rate, fmt=fmt_pct,
            note=unavailable.get("break_even_exposure_rate",
                                 "The share of potential impressions that must really be seen for value = cost."))
    roi_facts = (
        *_scenario_facts(sv, "value", "Value", sv.value, _money,
                         f"At a benchmark CPM of {_money(sv.benchmark_cpm)}, on the attributable impressions."),
        *_scenario_facts(sv, "roi", "ROI", sv.roi, fmt_roi, roi_note),
        break_even_fact,
        _fact("chat_roi_mid", "ROI, whole chat (mid)", sv.chat_roi.mid, fmt=fmt_roi, note=sv.upper_bound_note),
    )
    # the headline figures are the dashboard's: one function formats them for every output
    shown = {f.key: f for f in sponsor_headline(sv)}
    headline = (
        *(Fact(key=f.key, label=f.label, value=None if f.value is None else float(f.value), display=f.display,
               note=f.detail)
          for f in (shown[k] for k in ("roi", "cost", "value", "impressions", "cpm", "mentions", "engaged"))),
        _objectives_fact(sv.objectives),
    )

    # --- tables
    tables: dict[str, ReportTable] = {}
    tables["objectives"] = _objective_table(sv.objectives, ctx.text)
    mix_sessions = _table(snap, "audience_mix")
    if "sponsor" in mix_sessions.columns:
        mix_sessions = mix_sessions.filter(pl.col("sponsor") == key)
    mix_sessions = mix_sessions.filter(pl.col("session_id").is_in(selected)) if mix_sessions.height else pl.DataFrame(
        schema={"session_id": pl.String, "role": pl.String, "participants": pl.Int64, "share": pl.Float64})
    mix = (
        mix_sessions.group_by("role").agg(pl.col("participants").sum())
        .with_columns(share=pl.col("participants") / pl.col("participants").sum())
        .sort(["participants", "role"], descending=[True, False])
        .rename({"participants": "participant_sessions"})
        .with_columns(role_name=pl.col("role").fill_null("unknown").str.replace_all("_", "-").str.slice(0, 1)
                      .str.to_uppercase() + pl.col("role").fill_null("unknown").str.replace_all("_", "-")
                      .str.slice(1))
    )
    tables["audience_mix"] = _table_of("audience_mix", "Audience mix of the people who engaged", mix, [
        ("role", "Role key", "code", "data"), ("role_name", "Role", "text"),
        ("participant_sessions", "People (per session, summed)", "int"),
        ("share", "Share", "pct")], totals={"participant_sessions": sv.engaged_participants},
        description="Everyone who mentioned, replied to, reposted or quoted the sponsor, under their primary role "
                    "in the session; a person who engaged in two sessions counts twice.")
    tables["audience_mix_sessions"] = _table_of(
        "audience_mix_sessions", "Audience mix per session", mix_sessions.sort("session_id", "role"),
        [("session_id", "Session", "code"), ("role", "Role", "text"), ("participants", "People", "int"),
         ("share", "Share", "pct")], in_document=False)
    top = _top_messages(ctx, key, sponsor, selected, full)
    top_columns = [("rank", "#", "int"), ("session_id", "Session", "code"), ("author_handle", "Author", "code"),
                   ("engagement", "Engagement", "int")]
    if ctx.include_text:
        top_columns += [("text", "Message", "text"), ("links", "Links in the message", "links")]
    if ctx.include_text or ctx.pseudo is None:
        top_columns.append(("url", "Link", "url"))
    top_columns.append(("message_id", "Message id", "code", "data"))
    top_description = ("Original messages by others about the sponsor, ranked by engagement (replies, reposts and "
                       "quotes found in the data, or the platform's counters when larger).")
    if not ctx.include_text:
        top_description += " Message text and links are left out of this anonymized report."
    tables["top_messages"] = _table_of("top_messages", "Best messages about the sponsor", top, top_columns,
                                       description=top_description)
    cost_frame = pl.DataFrame({
        "component": ["Fee", "Staff time", "Other", "Total"],
        "amount": [c.fee, c.staff_cost, c.other, c.total],
        "detail": [f"{_money(sponsor.costs.fee)} {per} × {c.multiplier}",
                   f"{fmt_num(c.staff_hours)} h × {_money(c.hourly_rate)}",
                   f"{_money(sponsor.costs.other)} {per} × {c.multiplier}",
                   f"{_plural(c.sessions, 'session')}"],
    })
    tables["costs"] = _table_of("costs", "Cost breakdown", cost_frame, [
        ("component", "Component", "text"), ("amount", "Amount", "money"), ("detail", "How", "text")])
    levels = ("mid",) if sv.impressions_measured else ("low", "mid", "high")
    roi_frame = pl.DataFrame({
        "scenario": ["measured views"] if sv.impressions_measured else list(levels),
        "exposure_rate": [None if sv.impressions_measured else getattr(rates, lvl) for lvl in levels],
        "impressions": [getattr(sv.impressions, lvl) for lvl in levels],
        "value": [getattr(sv.value, lvl) for lvl in levels],
        "cost": [sv.cost] * len(levels),
        "cpm": [getattr(sv.cpm, lvl) for lvl in levels],
        "roi": [getattr(sv.roi, lvl) for lvl in levels],
    }, schema={"scenario": pl.String, "exposure_rate": pl.Float64, "impressions": pl.Float64, "value": pl.Float64,
               "cost": pl.Float64, "cpm": pl.Float64, "roi": pl.Float64})
    roi_columns = [("scenario", "Scenario", "text"), ("exposure_rate", "Exposure rate", "pct"),
                   ("impressions", "Impressions by or about the sponsor", "int"), ("value", "Value", "money"),
                   ("cost", "Cost", "money"), ("cpm", "CPM", "money"), ("roi", "ROI", "signed_pct")]
    if sv.impressions_measured:
        roi_columns.pop(1)  # no exposure rate is assumed for measured views
    tables["roi"] = _table_of(
        "roi", "Value, CPM and ROI" if sv.impressions_measured else "Value, CPM and ROI by exposure scenario",
        roi_frame, roi_columns, description="On the attributable impressions (messages by or about the sponsor).")
    sens = pl.DataFrame([p.model_dump() for p in sv.sensitivity], schema={
        "exposure_rate": pl.Float64, "benchmark_cpm": pl.Float64, "impressions": pl.Float64, "value": pl.Float64,
        "roi": pl.Float64})
    tables["sensitivity"] = _table_of("sensitivity", "Sensitivity grid", sens, [
        ("exposure_rate", "Exposure rate", "pct"), ("benchmark_cpm", "Benchmark CPM", "money"),
        ("impressions", "Impressions", "int"), ("value", "Value", "money"), ("roi", "ROI", "signed_pct")],
        in_document=False)
    trend = pl.DataFrame([t.model_dump() for t in sv.trend], schema={
        "session_id": pl.String, "number": pl.Int64, "sponsor_mentions": pl.Int64, "share_of_voice": pl.Float64,
        "engaged_participants": pl.Int64, "sponsor_posts": pl.Int64, "estimated_impressions_mid": pl.Float64,
        "sponsor_impressions_mid": pl.Float64, "cost": pl.Float64, "value_mid": pl.Float64, "roi_mid": pl.Float64})
    tables["trend"] = _table_of("trend", "Trend over the sponsored sessions", trend, [
        ("session_id", "Session", "code"), ("sponsor_mentions", "Mentions", "int"),
        ("share_of_voice", "Share of voice", "pct"), ("engaged_participants", "Engaged", "int"),
        ("sponsor_posts", "Own posts", "int"), ("estimated_impressions_mid", "Impressions (mid)", "int"),
        ("cost", "Cost", "money"), ("value_mid", "Value (mid)", "money"), ("roi_mid", "ROI (mid)", "signed_pct")],
        in_document=False)
    tables["reach"] = _table_of("reach", "Reach per session", reach, description=(
        f"Basis: {sv.reach_basis}. Potential impressions = {how['potential_impressions']}; unique reach = "
        f"{how['unique_reach']}; each row's assumption says which basis that session stands on."), columns=[
        ("session_id", "Session", "code"), ("reach_basis", "Basis", "text"), ("messages", "Messages", "int"),
        ("originals", "Originals", "int"), ("authors", "Authors", "int"),
        ("potential_impressions", "Potential impressions", "int"), ("unique_reach", "Unique reach", "int"),
        ("views", "Views", "int"), ("measured_impressions", "Measured impressions", "int"),
        ("exposure_base", "Exposure base", "int"), ("impressions_low", "Impressions low", "int"),
        ("impressions_mid", "Impressions mid", "int"), ("impressions_high", "Impressions high", "int"),
        ("views_coverage", "View-count coverage", "pct"), ("followers_coverage", "Follower-count coverage", "pct"),
        ("basis_note", "Assumption", "text")], in_document=False)
    tables["exposure"] = _table_of("exposure", "Sponsor exposure per session", exposure, [
        (col, col.replace("_", " ").capitalize(), "pct" if col == "share_of_voice" else
         ("code" if col == "session_id" else ("text" if col == "reach_basis" else "int")))
        for col in exposure.columns if col != "sponsor"], in_document=False)

    session_rows = (
        exposure.select("session_id", "messages", "originals", "mentions", "related_originals", "sponsor_posts",
                        "engagement_in_data", "engaged_participants")
        .join(reach.select("session_id", "potential_impressions", "measured_impressions", "exposure_base",
                           "impressions_mid"), on="session_id", how="left")
        .join(trend.select("session_id", "sponsor_impressions_mid", "cost", "value_mid", "roi_mid"), on="session_id",
              how="left")
        .join(ctx.session_table.select("session_id", "number"), on="session_id", how="left")
        .sort("number")
        .drop("number")
    )
    tables["sessions"] = _table_of("sessions", "Per-session figures (they add up to the totals)", session_rows, [
        ("session_id", "Session", "code"), ("messages", "Messages", "int"), ("originals", "Originals", "int"),
        ("mentions", "Mentions", "int"), ("related_originals", "By/about sponsor (originals)", "int"),
        ("sponsor_posts", "Own posts", "int"), ("engagement_in_data", "Replies/reposts/quotes", "int"),
        ("engaged_participants", "Engaged", "int"), ("potential_impressions", "Potential impressions", "int"),
        ("impressions_mid", "Whole-chat impressions (mid; upper bound)", "int"),
        ("sponsor_impressions_mid", "Impressions by/about sponsor (mid)", "int"), ("cost", "Cost", "money"),
        ("value_mid", "Value (mid)", "money"), ("roi_mid", "ROI (mid)", "signed_pct")],
        totals={"messages": sv.messages, "originals": sv.originals, "mentions": sv.mentions,
                "related_originals": recount["related_originals"], "sponsor_posts": sv.sponsor_posts,
                "engagement_in_data": sv.engagement_in_data, "engaged_participants": sv.engaged_participants,
                "potential_impressions": sv.chat_potential_impressions, "impressions_mid": sv.chat_impressions.mid,
                "sponsor_impressions_mid": sv.impressions.mid,
                "cost": sv.cost, "value_mid": sv.value.mid, "roi_mid": sv.roi.mid},
        description="Every sponsored session in the report; the Total row is the report's figure (ROI over the "
                    "whole range, not a sum).")

    handles = " or ".join([f"@{h}" for h in sv.handles] + [f"#{t}" for t in sv.hashtags]) or "(no handles)"
    trace_rows: list[dict[str, Any]] = []

    def trace(figure: str, value: float | None, display: str, how: str, messages: int | None, which: str,
              source: str, recount_value: float | None = None) -> None:
        trace_rows.append({"figure": figure, "value": None if value is None else float(value), "display": display,
                           "how": how, "messages": messages, "which_messages": which, "snapshot_source": source,
                           "recount_from_messages": None if recount_value is None else float(recount_value)})

    n_sel = _plural(len(selected), "session")
    trace("Messages in the sponsored sessions", sv.messages, fmt_int(sv.messages), "count", counts["messages"],
          f"every message in the windows (pre-chat, chat, follow-up) of {n_sel}, spam excluded",
          "sponsor_exposure.messages", counts["messages"])
    trace("Original messages", sv.originals, fmt_int(sv.originals), "count (reposts excluded)", counts["originals"],
          "messages that are not reposts", "sponsor_exposure.originals", counts["originals"])
    trace("Mentions", sv.mentions, fmt_int(sv.mentions), "count", recount["mentions"],
          f"messages by others naming {handles}", "sponsor_exposure.mentions", recount["mentions"])
    trace("People who mentioned the sponsor", sv.mentioning_people, fmt_int(sv.mentioning_people),
          "distinct authors of the mentions, per session, summed", recount["mentions"],
          "the mentions above", "sponsor_exposure.mentioning_people", recount["mentioning_people"])
    trace("Original messages by or about the sponsor", recount["related_originals"],
          fmt_int(recount["related_originals"]), "count", recount["related_originals"],
          "originals by the sponsor, mentioning it, or replying to / quoting it", "sponsor_exposure.related_originals",
          int(exposure["related_originals"].sum()) if exposure.height else None)
    trace("Share of voice", sv.share_of_voice, fmt_pct(sv.share_of_voice),
          f"{fmt_int(recount['related_originals'])} ÷ {fmt_int(sv.originals)}", counts["originals"],
          "original messages", "SponsorValue.share_of_voice",
          recount["related_originals"] / counts["originals"] if counts["originals"] else None)
    trace("The sponsor's own posts", sv.sponsor_posts, fmt_int(sv.sponsor_posts), "count", recount["sponsor_posts"],
          "original messages by the sponsor's accounts", "sponsor_exposure.sponsor_posts", recount["sponsor_posts"])
    trace("Replies, reposts and quotes of the sponsor", sv.engagement_in_data, fmt_int(sv.engagement_in_data),
          f"{recount['replies']} + {recount['reposts']} + {recount['quotes']}",
          recount["replies"] + recount["reposts"] + recount["quotes"],
          "messages by others replying to, reposting or quoting a sponsor account",
          "sponsor_exposure.engagement_in_data", recount["replies"] + recount["reposts"] + recount["quotes"])
    trace("Engaged participants", sv.engaged_participants, fmt_int(sv.engaged_participants),
          "distinct authors of engaging messages, per session, summed", recount["engaging"],
          "messages by others that mention, reply to, repost or quote the sponsor",
          "sponsor_exposure.engaged_participants", recount["engaged_participants"])
    basis_messages = counts["messages"] if sv.reach_basis == "members" else counts["with_followers"]
    trace("Potential impressions (whole chat)", sv.chat_potential_impressions,
          fmt_int(sv.chat_potential_impressions), how["potential_impressions"], basis_messages,
          "every message (audience_members × messages)" if sv.reach_basis == "members"
          else "messages whose author's follower count is known", "reach.potential_impressions",
          reach["potential_impressions"].sum() if reach.height else None)
    trace("Impressions by or about the sponsor" + ("" if sv.impressions_measured else " (mid)"), sv.impressions.mid,
          fmt_int(sv.impressions.mid), "measured views" if sv.impressions_measured
          else f"measured views + {fmt_pct(rates.mid)} × exposure base", recount["related"],
          "the messages by or about the sponsor", "sponsor_exposure.related_impressions_mid",
          exposure["related_impressions_mid"].sum() if exposure.height
          and exposure["related_impressions_mid"].null_count() == 0 else None)
    trace("Cost", sv.cost, _money(sv.cost), f"({_money(sponsor.costs.fee)} + {fmt_num(sponsor.costs.staff_hours)} × "
          f"{_money(sponsor.costs.hourly_rate)} + {_money(sponsor.costs.other)}) × {c.multiplier}", None,
          "(not from messages: the chat config)", "SponsorValue.costs")
    trace("Value (mid)", sv.value.mid, _money(sv.value.mid),
          f"{fmt_int(sv.impressions.mid)} ÷ 1,000 × {_money(sv.benchmark_cpm)}", recount["related"],
          "the messages by or about the sponsor", "SponsorValue.value.mid")
    trace("CPM (mid)", sv.cpm.mid, _money(sv.cpm.mid), f"{_money(sv.cost)} ÷ {fmt_int(sv.impressions.mid)} × 1,000",
          recount["related"], "the messages by or about the sponsor", "SponsorValue.cpm.mid")
    trace("ROI (mid)", sv.roi.mid, fmt_roi(sv.roi.mid),
          f"({_money(sv.value.mid)} − {_money(sv.cost)}) ÷ {_money(sv.cost)}", recount["related"],
          "the messages by or about the sponsor", "SponsorValue.roi.mid")
    trace("Cost per mention", sv.cost_per_mention, _money(sv.cost_per_mention),
          f"{_money(sv.cost)} ÷ {fmt_int(sv.mentions)}", recount["mentions"], "the mentions",
          "SponsorValue.cost_per_mention")
    trace("Cost per engaged participant", sv.cost_per_engaged_participant, _money(sv.cost_per_engaged_participant),
          f"{_money(sv.cost)} ÷ {fmt_int(sv.engaged_participants)}", recount["engaging"], "the engaging messages",
          "SponsorValue.cost_per_engaged_participant")
    trace_frame = pl.DataFrame(trace_rows, schema={
        "figure": pl.String, "value": pl.Float64, "display": pl.String, "how": pl.String, "messages": pl.Int64,
        "which_messages": pl.String, "snapshot_source": pl.String, "recount_from_messages": pl.Float64})
    tables["trace"] = _table_of("trace", "From messages to figures", trace_frame, [
        ("figure", "Figure", "text"), ("value", "Value (raw)", "num", "data"), ("display", "Value", "shown"),
        ("how", "How", "text"),
        ("messages", "Messages", "int"), ("which_messages", "Which messages", "text"),
        ("snapshot_source", "Snapshot source", "code"), ("recount_from_messages", "Recount from messages", "num")],
        description="Each main figure, how it is computed, and the number of messages behind it. 'Recount from "
                    "messages' counts the snapshot's message table again; the 'evidence' table of the XLSX/CSV "
                    "export lists every message counted.")

    ev = evidence
    if ctx.pseudo is not None:
        # with text, links that do not name the author (x.com/i/status/<id>); without text, no links at all
        link = pl.lit(None, dtype=pl.String)
        if ctx.include_text:
            link = (pl.when(pl.col("platform") == "twitter")
                    .then(pl.format("https://x.com/i/status/{}", "message_id"))
                    .otherwise(pl.lit(None, dtype=pl.String)))
        ev = ev.with_columns(author_handle=ctx.pseudo.column(ev, "author_handle"), url=link)
        if ctx.include_text:
            ev = ev.with_columns(text=ctx.pseudo.texts(ev, "text"))
    evidence_columns = [
        ("message_id", "Message id", "code"), ("session_id", "Session", "code"), ("phase", "Phase", "text"),
        ("created_at", "Time (UTC)", "text"), ("author_handle", "Author", "code"), ("kind", "Kind", "text"),
        ("original", "Original", "text"), ("sp_by", "By the sponsor", "text"), ("sp_mention", "Mention", "text"),
        ("sp_reply", "Reply to sponsor", "text"), ("sp_repost", "Repost of sponsor", "text"),
        ("sp_quote", "Quote of sponsor", "text"), ("sp_engages", "Engages", "text"),
        ("sp_link", "Links to its domains", "text"), ("sp_announce", "A moderator names it", "text"),
        ("author_followers", "Author followers", "int"), ("view_count", "Views", "int"), ("url", "Link", "url")]
    if ctx.include_text:
        evidence_columns.append(("text", "Text", "text"))
    renamed = {"sp_by": "by_sponsor", "sp_mention": "mention", "sp_reply": "reply_to_sponsor",
               "sp_repost": "repost_of_sponsor", "sp_quote": "quote_of_sponsor", "sp_engages": "engages",
               "sp_link": "links_to_sponsor", "sp_announce": "moderator_names_sponsor"}
    ev = ev.rename(renamed)
    evidence_columns = [(renamed.get(k, k), label, kind) for k, label, kind in evidence_columns]
    tables["evidence"] = _table_of("evidence", "Messages by or about the sponsor", ev, evidence_columns,
                                   description="Every message counted for the sponsor, with the rule it matched.",
                                   in_document=False)

    # --- figures (the shared builders; handles never reach them, so anonymized charts hold none)
    figures = {
        "roi": roi_range_chart(sv, currency=CURRENCY),
        "sensitivity": sensitivity_chart(sv, currency=CURRENCY),
        "audience_mix": audience_mix_chart(mix_sessions),
        "trend": sponsor_trend_chart(sv),
        "costs": cost_breakdown_chart(sv, currency=CURRENCY),
        "reach": reach_trend(reach, title="Estimated impressions per sponsored session"),
    }

    reasons = ctx.texts(sv.reasons)
    assumptions = ctx.texts([*sv.assumptions, *range_notes])
    notes = ctx.texts(snap.meta.get("notes", []))
    unavailable_lines = [f"{k.replace('_', ' ')}: {ctx.text(v)}" for k, v in sv.unavailable.items()]
    formulas, formula_table = _formula_table("sponsor")
    tables["methodology"] = formula_table
    tables["assumptions"] = _lines_table("assumptions", "Assumptions", assumptions, "assumption")
    tables["verdict"] = _lines_table("verdict", "Verdict and reasons", [f"Verdict: {VERDICT_LABELS[sv.verdict]}",
                                                                       *reasons], "reason")
    if unavailable_lines:
        tables["unavailable"] = _lines_table("unavailable", "Figures left out, and why", unavailable_lines,
                                             "reason")

    summary = ctx.text(_sponsor_summary(sv, title, period, subset_note)) or ""
    roi_range = range_text(sv.roi, fmt_roi, sv.impressions_measured)
    roi_words = (f"ROI {fmt_roi(sv.roi.mid)}" + (f" ({roi_range})" if roi_range else "")
                 if sv.roi.mid is not None else "ROI not available")
    verdict_line = ctx.text(f"{roi_words}; {_objectives_line(sv.objectives)}.") or ""
    objective_line = ("No sponsor objectives are configured." if not sv.objectives else
                      f"{sum(1 for o in sv.objectives if o.met)} of {len(sv.objectives)} objectives met, on the mean "
                      "over the sponsored sessions.")
    sections = (
        Section("summary", "Executive summary", paragraphs=(summary,), bullets=reasons),
        Section("objectives", "KPIs against the sponsor's objectives", paragraphs=(objective_line,),
                tables=("objectives",)),
        Section("reach", "Reach", paragraphs=(reach_note, f"Exposure rates: {fmt_pct(rates.low)} low, "
                                              f"{fmt_pct(rates.mid)} mid, {fmt_pct(rates.high)} high: the share of "
                                              "potential impressions really seen."),
                facts=reach_facts, figures=("reach",)),
        Section("exposure", "Sponsor exposure", paragraphs=(
            "How often the sponsor was named, how much of the conversation was by or about it, and the engagement "
            "on its own posts.",), facts=exposure_facts),
        Section("audience", "Audience mix", paragraphs=(
            "The roles of the people who engaged with the sponsor (mentioned, replied to, reposted or quoted it).",),
                figures=("audience_mix",), tables=("audience_mix",)),
        Section("messages", "Best messages about the sponsor", tables=("top_messages",)),
        Section("costs", "Cost breakdown", facts=cost_facts, figures=("costs",), tables=("costs",)),
        Section("efficiency", "CPM, cost per engaged participant and cost per mention", facts=efficiency_facts),
        Section("roi", "ROI and break-even", paragraphs=(ctx.text(sv.value_basis_note) or "",), facts=roi_facts,
                figures=("roi",), tables=("roi",)),
        Section("sensitivity", "Sensitivity", paragraphs=((
            "ROI against the benchmark CPM (what 1,000 advertising impressions would otherwise cost). The "
            "impressions are measured views, so no exposure rate is assumed and only the CPM varies."
            if sv.impressions_measured else
            "ROI against the exposure rate (share of potential impressions really seen) and the benchmark CPM "
            "(what 1,000 advertising impressions would otherwise cost)."),), figures=("sensitivity",)),
        Section("trend", "Trend over the sponsored sessions", paragraphs=(
            "Mentions, engaged people, the sponsor's own posts and the share of voice in each sponsored session. "
            "The per-session figures in the table add up to the totals of this report.",), figures=("trend",),
                tables=("sessions",)),
        Section("trace", "From messages to figures", tables=("trace",), appendix=True),
        Section("methodology", "Methodology", paragraphs=(
            "Every formula of this report, its source, and the assumptions it rests on. Figures that cannot be "
            "computed from the data are left out with the reason, never shown as zero.",),
                tables=("methodology",), bullets=(*assumptions, *unavailable_lines, *notes), appendix=True),
    )
    return _model(snap, meta, ctx, audience="sponsor", title=title, subject=sv.sponsor, sponsor_key=key,
                  selected=selected, all_sessions=sponsored, period=period, value=sv, verdict_line=verdict_line,
                  reasons=reasons, summary=summary, headline=headline, sections=sections, tables=tables,
                  figures=figures, formulas=formulas, assumptions=assumptions, notes=notes)


# ----------------------------------------------------------------------------------------------------------------
# moderator report


def _moderator_summary(ctx: _Context, mv: ModeratorValue, title: str, period: str) -> str:
    o = mv.outcomes
    who = ", ".join(f"@{ctx.handle(h)}" for h in mv.moderators) or "The moderators"
    cost = f" (worth {_money(mv.cost)})" if mv.cost is not None else ""
    parts = [f"{who} invested an estimated {fmt_num(mv.hours_invested)} hours{cost} in {title} over {period}."]
    if o.active_participants_mean is not None:
        growth = ""
        if o.active_participants_first is not None and mv.sessions_count > 1:
            growth = (f", from {fmt_num(o.active_participants_first)} in the first session to "
                      f"{fmt_num(o.active_participants_last)} in the last (trend {o.active_trend or 'n/a'})")
        parts.append(f"The sessions drew {fmt_num(o.active_participants_mean)} active participants on average"
                     f"{growth}.")
    if o.new_participants_total is not None:
        parts.append(f"{fmt_int(o.new_participants_total)} new participants joined"
                     + (f", and {fmt_pct(o.returning_share_mean, 0)} of active participants were returning ones on "
                        "average" if o.returning_share_mean is not None else "") + ".")
    if o.herding_score_mean is not None:
        parts.append(f"The conversation followed the agenda with a mean herding score of "
                     f"{fmt_num(o.herding_score_mean)} out of 100.")
    if o.participants_per_hour is not None:
        parts.append(f"That is {fmt_num(o.participants_per_hour)} participant-sessions per hour invested.")
    if mv.objectives:
        met = sum(1 for x in mv.objectives if x.met)
        parts.append(f"{met} of {len(mv.objectives)} objectives were met.")
    parts.append(f"Verdict: {VERDICT_LABELS[mv.verdict].lower()}.")
    return " ".join(parts)


def _moderator_report(ctx: _Context) -> ReportModel:
    snap, meta = ctx.snapshot, ctx.snapshot.meta
    selected = ctx.sessions
    all_ids = resolve_sessions(snap, None)
    kpis = _table(snap, "kpis").filter(pl.col("session_id").is_in(selected)).sort("number")
    moderators = list(meta.get("moderators") or ctx.config.moderators)
    if selected == all_ids and meta.get("moderator_value"):
        mv = ModeratorValue.model_validate(meta["moderator_value"])
        range_notes: list[str] = []
    else:
        nodes = _table(snap, "nodes")
        nodes = nodes.filter(pl.col("session_id").is_in(selected)) if nodes.height else None
        mv = moderator_value(kpis, ctx.config, moderators, nodes)
        range_notes = [f"This report covers {len(selected)} of the {len(all_ids)} sessions; its figures are "
                       "recomputed from the snapshot's per-session KPIs for those sessions."]
    title = meta.get("title") or snap.chat
    period = ctx.period(selected)
    o = mv.outcomes

    hour_facts = (
        _fact("sessions", "Sessions", mv.sessions_count),
        _fact("hours_per_session", "Hours per session", mv.hours_per_session, fmt=fmt_num,
              note="moderator_effort.hours_per_session: preparation, the chat and the follow-up."),
        _fact("hours_invested", "Hours invested", mv.hours_invested, fmt=fmt_num),
        _fact("hourly_rate", "Hourly rate", mv.hourly_rate, fmt=_money, note=mv.unavailable.get("cost", "")),
        _fact("cost", "Cost of the hours", mv.cost, fmt=_money, note=mv.unavailable.get("cost", "")),
    )
    outcome_facts = (
        _fact("active_participants_mean", "Active participants per session (mean)", o.active_participants_mean,
              fmt=fmt_num, note=mv.unavailable.get("active_participants", "")),
        _fact("active_participants_first", "…in the first session", o.active_participants_first, fmt=fmt_num),
        _fact("active_participants_last", "…in the last session", o.active_participants_last, fmt=fmt_num),
        _fact("active_growth", "Growth (last − first)", o.active_growth, fmt=fmt_num,
              note=f"Trend: {o.active_trend or 'n/a'}."),
        _fact("active_participants_total", "Participant-sessions", o.active_participants_total, fmt=fmt_int),
        _fact("new_participants_total", "New participants", o.new_participants_total, fmt=fmt_int,
              note=mv.unavailable.get("new_participants", "")),
        _fact("returning_share_mean", "Returning share (mean)", o.returning_share_mean, fmt=fmt_pct,
              note=f"Trend: {o.returning_share_trend or 'n/a'}."),
        _fact("herding_score_mean", "Herding score (mean, 0-100)", o.herding_score_mean, fmt=fmt_num),
        _fact("participants_per_hour", "Participant-sessions per hour", o.participants_per_hour, fmt=fmt_num,
              note=mv.unavailable.get("per_hour", "")),
        _fact("new_participants_per_hour", "New participants per hour", o.new_participants_per_hour, fmt=fmt_num),
        _fact("cost_per_participant_session", "Cost per participant-session", o.cost_per_participant_session,
              fmt=_money),
        _fact("cost_per_new_participant", "Cost per new participant", o.cost_per_new_participant, fmt=_money),
    )
    headline = (
        _fact("hours_invested", "Hours invested", mv.hours_invested, fmt=fmt_num),
        _fact("active_participants_mean", "Active participants / session", o.active_participants_mean, fmt=fmt_num),
        _fact("new_participants_total", "New participants", o.new_participants_total, fmt=fmt_int),
        _fact("returning_share_mean", "Returning share", o.returning_share_mean, fmt=fmt_pct),
        _fact("herding_score_mean", "Herding score", o.herding_score_mean, fmt=fmt_num),
        _fact("participants_per_hour", "Participant-sessions / hour", o.participants_per_hour, fmt=fmt_num),
        _fact("cost", "Cost of the hours", mv.cost, fmt=_money),
        _objectives_fact(mv.objectives),
    )

    tables: dict[str, ReportTable] = {"objectives": _objective_table(mv.objectives, ctx.text)}
    centrality = pl.DataFrame([c.model_dump() for c in mv.centrality], schema={
        "handle": pl.String, "sessions": pl.Int64, "participants_mean": pl.Float64, "pagerank_mean": pl.Float64,
        "pagerank_rank_mean": pl.Float64, "betweenness_mean": pl.Float64, "betweenness_rank_mean": pl.Float64})
    if ctx.pseudo is not None and centrality.height:
        centrality = centrality.with_columns(ctx.pseudo.column(centrality, "handle"))
    tables["centrality"] = _table_of("centrality", "The moderators' place in the conversation", centrality, [
        ("handle", "Moderator", "code"), ("sessions", "Sessions", "int"),
        ("participants_mean", "People in the graph (mean)", "num"), ("pagerank_mean", "PageRank (mean)", "num"),
        ("pagerank_rank_mean", "PageRank rank (mean)", "num"), ("betweenness_mean", "Betweenness (mean)", "num"),
        ("betweenness_rank_mean", "Betweenness rank (mean)", "num")],
        description="Rank 1 is the most central person of a session's interaction graph.")
    engagement = _table(snap, "engagement").filter(pl.col("session_id").is_in(selected))
    per_session = (
        kpis.select("session_id", "number", *[c for c in ("active_participants", "new_participants",
                                                          "returning_participants", "returning_share",
                                                          "herding_score", "on_agenda_share") if c in kpis.columns])
        .join(engagement.select("session_id", "messages", "originals"), on="session_id", how="left")
        .with_columns(hours=pl.lit(mv.hours_per_session))
        .sort("number")
    )
    recount = (
        _scan(snap, "messages")
        .filter(pl.col("session_id").is_in(selected) & (pl.col("phase") == "chat") & (pl.col("kind") != "repost"))
        .group_by("session_id").agg(active=pl.col("author_handle").n_unique(), originals=pl.len())
        .collect()
    )
    tables["sessions"] = _table_of("sessions", "Per-session outcomes (they add up to the totals)", per_session, [
        ("session_id", "Session", "code"), ("messages", "Messages (chat)", "int"),
        ("originals", "Originals (chat)", "int"), ("active_participants", "Active", "int"),
        ("new_participants", "New", "int"), ("returning_participants", "Returning", "int"),
        ("returning_share", "Returning share", "pct"), ("herding_score", "Herding score", "num"),
        ("on_agenda_share", "On agenda", "pct"), ("hours", "Hours", "num")],
        totals={"active_participants": o.active_participants_total, "new_participants": o.new_participants_total,
                "returning_share": o.returning_share_mean, "herding_score": o.herding_score_mean,
                "hours": mv.hours_invested,
                "messages": engagement["messages"].sum() if engagement.height else None,
                "originals": engagement["originals"].sum() if engagement.height else None},
        description="The Total row is the report's figure (a mean for the shares and the herding score).")
    trace_frame = pl.DataFrame([
        {"figure": "Hours invested", "value": mv.hours_invested, "display": fmt_num(mv.hours_invested),
         "how": f"{mv.sessions_count} sessions × {fmt_num(mv.hours_per_session)} h", "messages": None,
         "which_messages": "(not from messages: the chat config)", "snapshot_source": "ModeratorValue.hours_invested",
         "recount_from_messages": None},
        {"figure": "Participant-sessions", "value": o.active_participants_total,
         "display": fmt_int(o.active_participants_total),
         "how": "distinct authors of original chat-phase messages, per session, summed",
         "messages": int(recount["originals"].sum()) if recount.height else 0,
         "which_messages": "original (non-repost) messages of the chat phase",
         "snapshot_source": "kpis.active_participants",
         "recount_from_messages": float(recount["active"].sum()) if recount.height else 0.0},
        {"figure": "Active participants per session (mean)", "value": o.active_participants_mean,
         "display": fmt_num(o.active_participants_mean),
         "how": f"{fmt_int(o.active_participants_total)} ÷ {mv.sessions_count}",
         "messages": int(recount["originals"].sum()) if recount.height else 0,
         "which_messages": "original messages of the chat phase", "snapshot_source": "kpis.active_participants",
         "recount_from_messages": float(recount["active"].mean()) if recount.height else None},
        {"figure": "New participants", "value": o.new_participants_total, "display": fmt_int(o.new_participants_total),
         "how": "people whose first active session in the archive is one of these", "messages": None,
         "which_messages": "original messages of the chat and follow-up phases (all sessions, for the history)",
         "snapshot_source": "kpis.new_participants", "recount_from_messages": None},
        {"figure": "Participant-sessions per hour", "value": o.participants_per_hour,
         "display": fmt_num(o.participants_per_hour),
         "how": f"{fmt_int(o.active_participants_total)} ÷ {fmt_num(mv.hours_invested)} h", "messages": None,
         "which_messages": "as above", "snapshot_source": "ModeratorValue.outcomes.participants_per_hour",
         "recount_from_messages": None},
    ], schema={"figure": pl.String, "value": pl.Float64, "display": pl.String, "how": pl.String, "messages": pl.Int64,
               "which_messages": pl.String, "snapshot_source": pl.String, "recount_from_messages": pl.Float64})
    tables["trace"] = _table_of("trace", "From messages to figures", trace_frame, [
        ("figure", "Figure", "text"), ("value", "Value (raw)", "num", "data"), ("display", "Value", "shown"),
        ("how", "How", "text"),
        ("messages", "Messages", "int"), ("which_messages", "Which messages", "text"),
        ("snapshot_source", "Snapshot source", "code"), ("recount_from_messages", "Recount from messages", "num")],
        description="The main figures, how they are computed, and the messages behind them.")

    retention = _table(snap, "retention").filter(pl.col("session_id").is_in(selected))
    flow = _table(snap, "session_flow").filter(pl.col("session_id").is_in(selected))
    reach = _table(snap, "reach").filter(pl.col("session_id").is_in(selected))
    figures = {
        "participants": participants_trend(engagement, retention),
        "herding": herding_trend(flow),
        "reach": reach_trend(reach),
    }
    reasons = ctx.texts(mv.reasons)
    assumptions = ctx.texts([*mv.assumptions, *range_notes])
    notes = ctx.texts(meta.get("notes", []))
    unavailable_lines = [f"{k.replace('_', ' ')}: {ctx.text(v)}" for k, v in mv.unavailable.items()]
    formulas, formula_table = _formula_table("moderator")
    tables["methodology"] = formula_table
    tables["assumptions"] = _lines_table("assumptions", "Assumptions", assumptions, "assumption")
    tables["verdict"] = _lines_table("verdict", "Verdict and reasons",
                                     [f"Verdict: {VERDICT_LABELS[mv.verdict]}", *reasons], "reason")
    summary = ctx.text(_moderator_summary(ctx, mv, title, period)) or ""
    verdict_line = ctx.text(f"{fmt_num(o.participants_per_hour)} participant-sessions per hour invested; "
                            f"{_objectives_line(mv.objectives)}.") or ""
    objective_line = ("No moderator or community objectives are configured." if not mv.objectives else
                      f"{sum(1 for x in mv.objectives if x.met)} of {len(mv.objectives)} objectives met, on the "
                      "mean over the sessions.")
    sections = (
        Section("summary", "Executive summary", paragraphs=(summary,), bullets=reasons),
        Section("hours", "Hours invested", facts=hour_facts),
        Section("outcomes", "Community outcomes", facts=outcome_facts, figures=("participants", "herding")),
        Section("objectives", "KPIs against the objectives", paragraphs=(objective_line,), tables=("objectives",)),
        Section("centrality", "The moderators' centrality", tables=("centrality",),
                paragraphs=(ctx.text(mv.unavailable.get("centrality", "")) or
                            "Mean PageRank and betweenness of each moderator in the sessions' interaction graphs.",)),
        Section("reach", "Reach of the chat", figures=("reach",)),
        Section("trend", "Session by session", tables=("sessions",)),
        Section("trace", "From messages to figures", tables=("trace",), appendix=True),
        Section("methodology", "Methodology", paragraphs=(
            "Every formula of this report, its source, and the assumptions it rests on.",),
                tables=("methodology",), bullets=(*assumptions, *unavailable_lines, *notes), appendix=True),
    )
    subject = ", ".join(f"@{ctx.handle(h)}" for h in mv.moderators) or "the moderators"
    return _model(snap, meta, ctx, audience="moderator", title=title, subject=subject, sponsor_key=None,
                  selected=selected, all_sessions=all_ids, period=period, value=mv, verdict_line=verdict_line,
                  reasons=reasons, summary=summary, headline=headline, sections=sections, tables=tables,
                  figures=figures, formulas=formulas, assumptions=assumptions, notes=notes)


def _model(snap: Snapshot, meta: dict, ctx: Any, *, audience: Audience, value: Any, selected: Sequence[str],
           all_sessions: Sequence[str], reasons: Any, sections: Any, tables: dict, **fields: Any) -> ReportModel:
    """The report model of either audience: a summary table first, then the sections' tables."""
    return ReportModel(
        audience=audience, chat=snap.chat, sessions=tuple(selected), all_sessions=tuple(all_sessions),
        generated_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        snapshot_generated_at=str(meta.get("generated_at", "")), version=__version__, verdict=value.verdict,
        reasons=reasons, sections=sections, tables={"summary": _summary_table(sections, value.verdict, reasons,
                                                                     fields.get("headline", ())),
                                                    **tables},
        value=value, anonymized=ctx.pseudo is not None, include_text=ctx.include_text, **fields,
    )


# ----------------------------------------------------------------------------------------------------------------


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
    snap = _as_snapshot(snapshot)
    keep: list[str] = []
    if audience == "sponsor":
        config = ChatConfig.model_validate(snap.meta.get("config") or {"chat": snap.chat})
        _, chosen = _sponsor_choice(snap, config, sponsor)
        keep = list(chosen.handles)
    ctx = _context(snap, sessions, anonymize, include_text, salt, keep)
    if audience == "sponsor":
        return _sponsor_report(ctx, sponsor)
    return _moderator_report(ctx)
