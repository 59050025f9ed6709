"""How stable the role labels are: who keeps a label when one threshold moves one step either way.

For every behaviour label and every threshold of its rule (the thresholds named after the label, see
:func:`~moderator_kit.people.roles.role_thresholds`), the session-level labels are decided again with that threshold
one step lower and one step higher (:func:`~moderator_kit.people.roles.threshold_step`: 1 for counts, 0.1 for shares
and ratios), all other thresholds unchanged. All variants are evaluated in one pass over the signals.

Columns of :func:`role_sensitivity`: ``label``, ``threshold``, ``value`` (the threshold as configured), ``people``
(the (session, person) rows carrying the label), ``lower`` / ``higher`` (the moved values), ``kept_lower`` /
``kept_higher`` (rows of ``people`` still carrying it), ``gained_lower`` / ``gained_higher`` (rows carrying it only
with the moved value). ``docs/metrics/people.md`` shows the table of the bundled sample
(``scripts/role_sensitivity.py`` writes it); the snapshot keeps the chat's own (``role_sensitivity``).

Examples
--------
>>> import polars as pl
>>> from moderator_kit.people.signals import participant_signals
>>> from moderator_kit.schema import conform
>>> from datetime import datetime, timezone
>>> t = datetime(2026, 1, 6, 1, 5, tzinfo=timezone.utc)
>>> msgs = conform(pl.DataFrame({"message_id": ["1", "2", "3"], "author_handle": ["rt", "rt", "ann"],
...     "kind": ["repost", "repost", "post"], "text": ["", "", "Any tips for interviews?"],
...     "repost_of_author_handle": ["ann", "ann", None], "created_at": [t, t, t]}))
>>> msgs = msgs.with_columns(session_id=pl.lit("s1"), phase=pl.lit("chat"))
>>> table = role_sensitivity(participant_signals(msgs))
>>> table.filter(pl.col("threshold") == "retweeter_min_reposts").select(
...     "label", "value", "people", "kept_lower", "kept_higher").rows()
[('retweeter', 2.0, 1, 1, 0)]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import polars as pl

from moderator_kit.config import ChatConfig, RoleThresholds
from moderator_kit.people.roles import _conditions, _prepare, role_thresholds, threshold_step

__all__ = ["role_sensitivity", "SENSITIVITY_LABELS", "SENSITIVITY_SCHEMA", "sensitivity_markdown"]

#: Labels whose rules have thresholds (moderator and sponsor are lists; newcomer has none).
SENSITIVITY_LABELS = ("advocate", "self_promoter", "seeker", "recruiter", "regular", "retweeter", "spam")

SENSITIVITY_SCHEMA = pl.Schema({
    "label": pl.String, "threshold": pl.String, "value": pl.Float64, "people": pl.Int64, "lower": pl.Float64,
    "kept_lower": pl.Int64, "gained_lower": pl.Int64, "higher": pl.Float64, "kept_higher": pl.Int64,
    "gained_higher": pl.Int64,
})


def _moved(name: str, value: float, sign: int) -> float:
    step = threshold_step(name, value)
    return max(0.0, round(value + sign * step, 6))


def role_sensitivity(signals: pl.DataFrame, config: ChatConfig | RoleThresholds | None = None, *,
                     moderators: Iterable[str] = (), sponsor_handles: Iterable[str] | Mapping[str, str] = (),
                     excluded: pl.DataFrame | pl.LazyFrame | None = None,
                     thresholds: Mapping[str, float] | None = None) -> pl.DataFrame:
    """The sensitivity table of the session-level labels (see the module docstring); arguments as
    :func:`~moderator_kit.people.roles.assign_roles`."""
    th = role_thresholds(config, thresholds)
    mods = {m.strip().lstrip("@").lower() for m in moderators}
    sponsors = ({h.strip().lstrip("@").lower(): "" for h in sponsor_handles} if not isinstance(sponsor_handles, Mapping)
                else {h.strip().lstrip("@").lower(): str(n) for h, n in sponsor_handles.items()})
    if signals is None or signals.height == 0:
        return pl.DataFrame(schema=SENSITIVITY_SCHEMA)
    excluded_frame = excluded.collect() if isinstance(excluded, pl.LazyFrame) else excluded
    frame = _prepare(signals, history=False, excluded=excluded_frame)
    pairs = [(label, name) for label in SENSITIVITY_LABELS for name in sorted(th) if name.startswith(label + "_")]
    base = _conditions(th, False, False, mods, sponsors)
    columns = {f"base|{label}": base[label] for label in SENSITIVITY_LABELS}
    for label, name in pairs:
        for side, sign in (("lower", -1), ("higher", 1)):
            moved = _conditions({**th, name: _moved(name, th[name], sign)}, False, False, mods, sponsors)[label]
            columns[f"{side}|{label}|{name}"] = moved
    flags = frame.select(**columns)
    counts = flags.select(
        *[pl.col(f"base|{label}").sum().alias(f"n|{label}") for label in SENSITIVITY_LABELS],
        *[(pl.col(f"{side}|{label}|{name}") & pl.col(f"base|{label}")).sum().alias(f"kept|{side}|{label}|{name}")
          for label, name in pairs for side in ("lower", "higher")],
        *[(pl.col(f"{side}|{label}|{name}") & ~pl.col(f"base|{label}")).sum().alias(f"gained|{side}|{label}|{name}")
          for label, name in pairs for side in ("lower", "higher")],
    ).row(0, named=True)
    rows = [{
        "label": label, "threshold": name, "value": float(th[name]), "people": counts[f"n|{label}"],
        "lower": _moved(name, th[name], -1), "kept_lower": counts[f"kept|lower|{label}|{name}"],
        "gained_lower": counts[f"gained|lower|{label}|{name}"],
        "higher": _moved(name, th[name], 1), "kept_higher": counts[f"kept|higher|{label}|{name}"],
        "gained_higher": counts[f"gained|higher|{label}|{name}"],
    } for label, name in pairs]
    return pl.DataFrame(rows, schema=SENSITIVITY_SCHEMA)


def _num(value: float) -> str:
    return f"{value:g}"


def sensitivity_markdown(table: pl.DataFrame) -> str:
    """The table as Markdown: per label and threshold, people kept (and gained) one step lower and higher."""
    lines = ["| label | threshold | value | people | one step lower: kept (+gained) | one step higher: kept (+gained) |",
             "|---|---|---|---|---|---|"]
    for r in table.iter_rows(named=True):  # one line per (label, threshold): a few dozen
        lower = f"{_num(r['lower'])}: {r['kept_lower']} (+{r['gained_lower']})"
        higher = f"{_num(r['higher'])}: {r['kept_higher']} (+{r['gained_higher']})"
        lines.append(f"| {r['label']} | `{r['threshold']}` | {_num(r['value'])} | {r['people']} | {lower} | {higher} |")
    return "\n".join(lines) + "\n"
