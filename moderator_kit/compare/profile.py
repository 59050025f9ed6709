"""The sponsor profile of a comparison: the fee each chat asks, a benchmark CPM and the audience wanted.

YAML (see ``docs/compare.md``)::

    name: BrightPath Careers
    benchmark_cpm: 15          # what 1,000 impressions are worth to the sponsor elsewhere
    fees:                      # what each chat asks, per session
      jobhuntchat: 600
      careerpivotchat: 150
    audience:
      roles: [seeker, newcomer]   # roles of docs/metrics/people.md
      keywords: [resume, interview]

Examples
--------
>>> p = parse_profile({"name": "Acme", "benchmark_cpm": 10, "fees": {"JobHuntChat": 100},
...                    "audience": {"roles": ["seeker"]}})
>>> p.fees, p.audience.roles, p.fee_for("jobhuntchat")
({'jobhuntchat': 100.0}, ['seeker'], 100.0)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from moderator_kit.errors import ConfigError

__all__ = ["Audience", "SponsorProfile", "parse_profile", "read_profile", "ROLE_NAMES"]

#: The roles an audience can name (docs/metrics/people.md).
ROLE_NAMES = ("moderator", "sponsor", "advocate", "regular", "seeker", "newcomer", "self_promoter", "recruiter",
              "retweeter", "participant")


class Audience(BaseModel):
    """Who the sponsor wants to reach: participants with one of ``roles`` or who wrote one of ``keywords``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    roles: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)

    @field_validator("roles")
    @classmethod
    def _known_roles(cls, roles: list[str]) -> list[str]:
        unknown = [r for r in roles if r not in ROLE_NAMES]
        if unknown:
            raise ValueError(f"unknown role {unknown[0]!r}; roles: {', '.join(ROLE_NAMES)}")
        return roles

    @property
    def any(self) -> bool:
        return bool(self.roles or self.keywords)


class SponsorProfile(BaseModel):
    """A prospective sponsor: name, fee per session for each chat (chat name → fee), benchmark CPM, audience."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = "sponsor"
    benchmark_cpm: float = Field(default=10.0, ge=0)
    fees: dict[str, float] = Field(default_factory=dict)
    audience: Audience = Field(default_factory=Audience)

    @field_validator("fees")
    @classmethod
    def _fees(cls, fees: dict[str, float]) -> dict[str, float]:
        for chat, fee in fees.items():
            if fee < 0:
                raise ValueError(f"the fee of {chat!r} is negative")
        return {chat.lstrip("#").lower(): float(fee) for chat, fee in fees.items()}

    def fee_for(self, chat: str) -> float | None:
        """The fee per session the chat asks, or None when the profile does not name it."""
        return self.fees.get(chat.lstrip("#").lower())


def parse_profile(data: Any, source: str = "sponsor profile") -> SponsorProfile:
    """Validate a loaded profile mapping; a bad field raises :class:`ConfigError` in one line."""
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: the file must hold a mapping, e.g. 'name: Acme' and 'fees: {{chat: 100}}'")
    try:
        return SponsorProfile.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "profile"
        raise ConfigError(f"{source}: {where}: {first['msg']}") from None


def read_profile(path: Path | str) -> SponsorProfile:
    """Read a YAML sponsor profile (see the module docstring)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise ConfigError(f"{path}: cannot read the sponsor profile ({err.strerror})") from None
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML ({str(err).splitlines()[0]})") from None
    return parse_profile(data, str(path))
