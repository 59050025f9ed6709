"""Precision and recall of the role labels against truth that no rule wrote.

Truth comes as ``[session_id, handle, persona]`` (a generator's personas, or hand labels): one row per person and
session. :func:`label_scores` counts, per label, how many people carry it in ``roles`` (``labels`` contains it) and
how many the truth gives it. Used by the tests of the second generator and of the hand-labelled real archives, and by
``scripts/role_sensitivity.py``.

>>> import polars as pl
>>> truth = pl.DataFrame({"session_id": ["s", "s"], "handle": ["a", "b"], "persona": ["advocate", "seeker"]})
>>> roles = pl.DataFrame({"session_id": ["s", "s"], "handle": ["a", "b"], "labels": [["advocate"], ["advocate"]]})
>>> label_scores(truth, roles, ["advocate", "seeker"]).rows()
[('advocate', 1, 2, 1, 0.5, 1.0), ('seeker', 1, 0, 0, None, 0.0)]
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

__all__ = ["BEHAVIOUR_LABELS", "label_scores", "format_scores", "roles_from_messages", "primary_behaviour"]

#: Labels decided from behaviour (the others are lists in the config, or attendance).
BEHAVIOUR_LABELS = ("advocate", "self_promoter", "seeker", "recruiter", "retweeter", "spam")

_SCHEMA = {"label": pl.String, "actual": pl.Int64, "predicted": pl.Int64, "hits": pl.Int64,
           "precision": pl.Float64, "recall": pl.Float64}


def label_scores(truth: pl.DataFrame, roles: pl.DataFrame, labels: Iterable[str] = BEHAVIOUR_LABELS
                 ) -> pl.DataFrame:
    """``[label, actual, predicted, hits, precision, recall]`` over the (session, person) rows of ``truth``.

    A person of ``truth`` without a row in ``roles`` carries no label. Precision is null when nothing was predicted.
    ``labels`` may name ``participant`` when ``roles`` carries it (see :func:`primary_behaviour`).
    """
    labels = list(labels)
    joined = truth.select("session_id", "handle", "persona").join(
        roles.select("session_id", "handle", "labels"), on=["session_id", "handle"], how="left"
    ).with_columns(pl.col("labels").fill_null([]))
    counts = joined.select(
        pl.concat_list([
            pl.struct(label=pl.lit(name), actual=(pl.col("persona") == name).sum(),
                      predicted=pl.col("labels").list.contains(name).sum(),
                      hits=((pl.col("persona") == name) & pl.col("labels").list.contains(name)).sum())
            for name in labels
        ]).alias("rows")
    ) if labels else None
    if counts is None:
        return pl.DataFrame(schema=_SCHEMA)
    frame = counts.explode("rows").unnest("rows").with_columns(pl.col("actual", "predicted", "hits").cast(pl.Int64))
    return frame.with_columns(
        precision=pl.when(pl.col("predicted") > 0).then(pl.col("hits") / pl.col("predicted")),
        recall=pl.when(pl.col("actual") > 0).then(pl.col("hits") / pl.col("actual")),
    ).select(list(_SCHEMA))


def primary_behaviour(roles: pl.DataFrame) -> pl.DataFrame:
    """``[session_id, handle, labels]`` with one label per row: the first behaviour label in precedence order
    (:data:`BEHAVIOUR_LABELS` as ordered by ``roles.PRECEDENCE``), else ``participant``.

    >>> import polars as pl
    >>> roles = pl.DataFrame({"session_id": ["s", "s"], "handle": ["a", "b"],
    ...                       "labels": [["advocate", "seeker", "regular"], ["regular"]]})
    >>> primary_behaviour(roles)["labels"].to_list()
    [['advocate'], ['participant']]
    """
    from moderator_kit.people.roles import PRECEDENCE

    order = [name for name in PRECEDENCE if name in BEHAVIOUR_LABELS]
    first = pl.coalesce([pl.when(pl.col("labels").list.contains(n)).then(pl.lit(n)) for n in order]
                        + [pl.lit("participant")])
    return roles.select("session_id", "handle", labels=pl.concat_list(first))


def format_scores(title: str, scores: pl.DataFrame) -> str:
    """The scores as a plain text table (printed by the tests, pasted into the docs)."""
    lines = [title, f"{'label':<15}{'true':>6}{'pred':>6}{'hit':>6}{'precision':>11}{'recall':>8}"]
    for r in scores.to_dicts():
        p = "-" if r["precision"] is None else f"{r['precision']:.2f}"
        rc = "-" if r["recall"] is None else f"{r['recall']:.2f}"
        lines.append(f"{r['label']:<15}{r['actual']:>6}{r['predicted']:>6}{r['hits']:>6}{p:>11}{rc:>8}")
    return "\n".join(lines)


def roles_from_messages(messages: pl.DataFrame, config, *, thresholds: dict[str, float] | None = None
                        ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(session signals, session roles) of schema messages, through the same steps as ``analyze``.

    Sessions from the config's schedule, the spam rules, agenda questions and their assignment, then signals and
    roles (session rows only). ``thresholds`` override role thresholds by name.
    """
    from moderator_kit.flow import assign_questions, detect_questions, infer_moderators
    from moderator_kit.people.signals import annotate_messages, participant_signals
    from moderator_kit.people.roles import assign_roles
    from moderator_kit.people.spam import apply_spam_rules
    from moderator_kit.sessions import split_sessions

    sessions, session_messages = split_sessions(messages, config)
    kept, excluded = apply_spam_rules(session_messages, config.spam)
    moderators = list(config.moderators) or infer_moderators(kept)
    assignments = assign_questions(kept, detect_questions(kept, sessions, config, moderators), moderators)
    annotated = annotate_messages(kept, assignments, config)
    signals = participant_signals(annotated, assignments, config)
    sponsors = {h: s.name for s in config.sponsors for h in s.handles}
    roles = assign_roles(signals, None, config, moderators=moderators, sponsor_handles=sponsors, excluded=excluded,
                         thresholds=thresholds)
    return signals, roles
