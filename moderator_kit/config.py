"""Chat config: schedule, moderators, sponsors, objectives and agenda, read from YAML and validated.

Errors name the field, for example ``schedule.timezone: unknown IANA time zone 'Mars/Base'``.
See ``docs/config.md`` for every field and ``sample_data/jobhuntchat/chat.yaml`` for a full example.

Examples
--------
>>> cfg = parse_config({"chat": "jobchat", "schedule": {"weekday": "monday", "time": "21:00",
...                     "timezone": "America/New_York", "duration_minutes": 60}})
>>> cfg.schedule.weekday, cfg.schedule.follow_up_hours
('monday', 72)
>>> try:
...     parse_config({"chat": "x", "schedule": {"weekday": "moonday"}})
... except ConfigError as err:
...     print(err)
chat config: schedule.weekday: unknown weekday 'moonday' (use monday..sunday)
"""

from __future__ import annotations

import re
from datetime import datetime, time
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from moderator_kit.errors import ConfigError

__all__ = [
    "chat_config",
    "ChatConfig",
    "CsvImport",
    "Schedule",
    "AgendaQuestion",
    "Sponsor",
    "Costs",
    "Objective",
    "ExposureRates",
    "RoleThresholds",
    "SpamRules",
    "ModeratorEffort",
    "parse_config",
    "read_config",
    "WEEKDAYS",
]

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _handle(value: str) -> str:
    return value.strip().lstrip("@").lower()


class Schedule(_Model):
    """When the chat recurs, in local time (so sessions follow DST)."""

    weekday: str | None = None
    time: str | None = Field(default=None, description="local start time HH:MM")
    timezone: str = "UTC"
    duration_minutes: float = 60
    pre_minutes: float = Field(default=30, description="pre-chat window before the start")
    follow_up_hours: float = Field(default=72, description="follow-up window after the end")
    dates: list[datetime] = Field(default_factory=list, description="explicit local start times, instead of weekday")

    @field_validator("weekday")
    @classmethod
    def _weekday(cls, value: str | None) -> str | None:
        if value is None:
            return None
        day = value.strip().lower()
        if day not in WEEKDAYS:
            raise ValueError(f"unknown weekday {value!r} (use monday..sunday)")
        return day

    @field_validator("time")
    @classmethod
    def _time(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            time.fromisoformat(str(value))
        except ValueError:
            raise ValueError(f"time {value!r} is not HH:MM") from None
        return str(value)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {value!r}") from None
        return value

    @field_validator("duration_minutes", "pre_minutes", "follow_up_hours")
    @classmethod
    def _positive(cls, value: float) -> float:
        if value < 0:
            raise ValueError("must not be negative")
        return value

    @property
    def start_time(self) -> time | None:
        return time.fromisoformat(self.time) if self.time else None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_recurring(self) -> bool:
        return self.weekday is not None and self.time is not None


class AgendaQuestion(_Model):
    """One planned question: its number, when it is planned (minutes after the start) and its text."""

    number: int = Field(ge=1)
    offset_minutes: float | None = Field(default=None, ge=0)
    text: str = ""


class Costs(_Model):
    """What a stakeholder pays: cost = fee + staff_hours × hourly_rate + other."""

    fee: float = Field(default=0, ge=0)
    staff_hours: float = Field(default=0, ge=0)
    hourly_rate: float = Field(default=0, ge=0)
    other: float = Field(default=0, ge=0)

    @property
    def total(self) -> float:
        """Total cost.

        >>> Costs(fee=500, staff_hours=4, hourly_rate=50, other=20).total
        720.0
        """
        return float(self.fee + self.staff_hours * self.hourly_rate + self.other)


class Objective(_Model):
    """A KPI target: ``metric`` compared with ``target`` in ``direction``."""

    metric: str
    target: float
    direction: Literal["at_least", "at_most"] = "at_least"
    label: str | None = None


class Sponsor(_Model):
    name: str
    handles: list[str] = Field(default_factory=list)
    hashtags: list[str] = Field(default_factory=list)
    domains: list[str] = Field(default_factory=list, description="the sponsor's web domains: links to them count")
    sessions: list[str] = Field(default_factory=list, description="session ids sponsored; empty means all")
    costs: Costs = Field(default_factory=Costs)
    costs_per: Literal["session", "total"] = "session"
    benchmark_cpm: float = Field(default=10.0, ge=0, description="value of 1,000 real impressions")
    objectives: list[Objective] = Field(default_factory=list)

    @field_validator("handles")
    @classmethod
    def _handles(cls, value: list[str]) -> list[str]:
        return [_handle(v) for v in value]

    @field_validator("hashtags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        return [v.strip().lstrip("#").lower() for v in value]

    @field_validator("domains")
    @classmethod
    def _domains(cls, value: list[str]) -> list[str]:
        # 'https://www.Acme.com/jobs' → 'acme.com': the host is what a link is matched on
        hosts = [re.sub(r"^[a-z][a-z0-9+.-]*://", "", v.strip().lower()).split("/")[0].removeprefix("www.")
                 for v in value]
        return [h for h in hosts if h]


class ModeratorEffort(_Model):
    hours_per_session: float = Field(default=2.0, ge=0)
    hourly_rate: float = Field(default=0, ge=0)


class ExposureRates(_Model):
    """Share of potential impressions that are really seen (TweetReach: 1-20%)."""

    low: float = Field(default=0.01, ge=0, le=1)
    mid: float = Field(default=0.05, ge=0, le=1)
    high: float = Field(default=0.20, ge=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> ExposureRates:
        if not self.low <= self.mid <= self.high:
            raise ValueError("exposure rates must satisfy low <= mid <= high")
        return self


class RoleThresholds(_Model):
    """Thresholds behind the role labels (see docs/metrics/people.md, "Roles")."""

    advocate_min_distinct_replied: int = 3
    advocate_min_answers: int = 2
    self_promoter_min_link_share: float = 0.5
    self_promoter_min_messages: int = 3
    self_promoter_max_distinct_replied: int = 1
    self_promoter_min_own_domain_share: float = 0.5
    self_promoter_min_promo_link_share: float = 0.5
    seeker_min_questions: int = 1
    seeker_min_help_requests: int = 1
    recruiter_min_job_posts: int = 1
    recruiter_min_conversation: int = 1
    retweeter_min_reposts: int = 2
    regular_min_sessions: int = 3
    spam_min_messages: int = 3
    spam_min_duplicate_share: float = 0.5
    spam_min_bot_share: float = 0.5
    history_min_session_share: float = 0.5


class SpamRules(_Model):
    """Messages matched by these rules are excluded from every metric (and counted)."""

    source_apps: list[str] = Field(default_factory=list)
    accounts: list[str] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list, description="regular expressions on the text")

    @field_validator("accounts")
    @classmethod
    def _accounts(cls, value: list[str]) -> list[str]:
        return [_handle(v) for v in value]


class CsvImport(_Model):
    """How to read a generic CSV of this chat (``moderator-kit import FILE --format csv``)."""

    mapping: dict[str, str] = Field(description="canonical column -> CSV header, e.g. author_handle: user")
    timestamp_format: str | None = None
    timezone: str | None = None
    separator: str | None = None
    na_values: list[str] | None = Field(
        default=None, description="cells meaning 'missing' (default NA, NaN, NULL, N/A, ... as pandas); [] = only empty"
    )


class ChatConfig(_Model):
    chat: str
    title: str | None = None
    platform: str | None = None
    hashtags: list[str] = Field(default_factory=list, description="the chat's own tags, excluded from top tags")
    schedule: Schedule = Field(default_factory=Schedule)
    moderators: list[str] = Field(default_factory=list)
    sponsors: list[Sponsor] = Field(default_factory=list)
    agenda: list[AgendaQuestion] = Field(default_factory=list, description="default agenda for every session")
    session_agendas: dict[str, list[AgendaQuestion]] = Field(default_factory=dict)
    objectives: dict[str, list[Objective]] = Field(default_factory=dict, description="by stakeholder")
    moderator_effort: ModeratorEffort = Field(default_factory=ModeratorEffort)
    audience_members: int | None = Field(default=None, ge=0, description="reach where followers are unknown")
    exposure_rates: ExposureRates = Field(default_factory=ExposureRates)
    roles: RoleThresholds = Field(default_factory=RoleThresholds)
    spam: SpamRules = Field(default_factory=SpamRules)
    csv_import: CsvImport | None = Field(default=None, description="column mapping for a generic CSV archive")

    @field_validator("moderators")
    @classmethod
    def _moderators(cls, value: list[str]) -> list[str]:
        return [_handle(v) for v in value]

    @field_validator("hashtags")
    @classmethod
    def _hashtags(cls, value: list[str]) -> list[str]:
        return [v.strip().lstrip("#").lower() for v in value]

    def agenda_for(self, session_id: str) -> list[AgendaQuestion]:
        """The agenda of one session: its own if given, else the default one (possibly empty)."""
        return self.session_agendas.get(session_id, self.agenda)

    @property
    def own_hashtags(self) -> set[str]:
        return set(self.hashtags) | {self.chat.lower().lstrip("#")}


def _field_path(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


def parse_config(data: Any) -> ChatConfig:
    """Validate an already-loaded config mapping. Raises :class:`ConfigError` naming the first bad field."""
    if not isinstance(data, dict):
        raise ConfigError("chat config: the file must hold a mapping (key: value), e.g. 'chat: jobchat'")
    try:
        return ChatConfig.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        message = first["msg"].removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            message = "unknown field (check the spelling against docs/config.md)"
        raise ConfigError(f"chat config: {_field_path(first['loc'])}: {message}") from None


#: Largest config file read (a chat config is a few kilobytes).
MAX_CONFIG_BYTES = 1024 * 1024


def read_config(path: Path | str) -> ChatConfig:
    """Read and validate a YAML chat config."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found; pass --config with the chat's YAML file") from None
    except OSError as err:
        raise ConfigError(f"{path}: cannot read the config file ({err.strerror or err})") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: {len(raw):,} bytes is too big for a chat config (at most {MAX_CONFIG_BYTES:,}); "
                          "is this the right file?")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise ConfigError(f"{path}:{line}: not UTF-8 text (byte {err.start}); save the config as UTF-8") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}{where}: not valid YAML ({getattr(err, 'problem', err)})") from None
    except RecursionError:
        raise ConfigError(f"{path}: not a chat config (YAML nested too deeply)") from None
    try:
        return parse_config(data)
    except ConfigError as err:
        raise ConfigError(f"{path}: {err}") from None


def chat_config(workspace: Any, chat: str, config: Path | str | None = None) -> ChatConfig:
    """The chat's config: the given file, else the copy kept in the workspace, else defaults (no schedule).

    ``workspace`` is a :class:`moderator_kit.workspace.Workspace` (its ``config_path``). It lives here, not in
    ``api``, so the analysis (``moderator_kit.snapshot``) reads configs without importing the public API module.
    """
    from moderator_kit.workspace import validate_chat_name  # the workspace module does not import config

    if config is not None:
        return read_config(config)
    kept = workspace.config_path(chat)
    if kept.exists():
        return read_config(kept)
    return parse_config({"chat": validate_chat_name(chat)})
