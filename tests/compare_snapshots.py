"""Write small analysis snapshots for the comparison tests and benchmark (the tables compare reads, typed as
``analyze`` writes them)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from moderator_kit.snapshot_store import Snapshot, write_snapshot

__all__ = ["write_chat", "random_chat"]


def write_chat(root: Path, chat: str, sessions: list[dict], *, platform: str = "twitter", sponsor: bool = True,
               first_timers: tuple[int, int] = (0, 0), messages: list[dict] | None = None) -> Snapshot:
    """One session per dict: active, returning_share, herding, reply_share, answers (list per question),
    advocates, self_promoters, seekers, messages, spam, reach, related_impressions."""
    ids = [f"2026-01-{5 + 7 * i:02d}" if i < 4 else f"2026-{2 + (i - 4) // 4:02d}-{1 + 7 * ((i - 4) % 4):02d}"
           for i in range(len(sessions))]
    kpis = pl.DataFrame({
        "session_id": ids, "number": list(range(1, len(ids) + 1)),
        "messages": [s.get("messages", 100) for s in sessions],
        "active_participants": [s["active"] for s in sessions],
        "returning_share": [float(s.get("returning_share", 0.5)) for s in sessions],
        "herding_score": [float(s.get("herding", 80.0)) for s in sessions],
        "reply_share": [float(s.get("reply_share", 0.4)) for s in sessions],
    })
    questions = pl.DataFrame(
        [{"session_id": sid, "question": q + 1, "answers": a}
         for sid, s in zip(ids, sessions, strict=True) for q, a in enumerate(s.get("answers", [10]))],
        schema={"session_id": pl.String, "question": pl.Int64, "answers": pl.Int64})
    roles = []
    for sid, s in zip(ids, sessions, strict=True):
        labels = (["advocate"] * s.get("advocates", 0) + ["self_promoter"] * s.get("self_promoters", 0)
                  + ["seeker"] * s.get("seekers", 0))
        labels += ["regular"] * max(0, s["active"] - len(labels))
        roles += [{"session_id": sid, "handle": f"p{k}", "labels": [label]} for k, label in enumerate(labels)]
    roles_frame = pl.DataFrame(roles, schema={"session_id": pl.String, "handle": pl.String,
                                              "labels": pl.List(pl.String)})
    excluded = pl.DataFrame({"session_id": ids, "reason": ["source app X"] * len(ids),
                             "messages": [s.get("spam", 0) for s in sessions], "accounts": [1] * len(ids)})
    reach = pl.DataFrame({
        "session_id": ids, "reach_basis": ["followers"] * len(ids),
        "potential_impressions": [int(s.get("reach", 1000) * 20) for s in sessions],
        "impressions_mid": [float(s.get("reach", 1000)) for s in sessions],
        "measured_impressions": [0.0] * len(ids), "exposure_base": [float(s.get("reach", 1000)) * 20 for s in sessions],
        "basis_note": ["followers of the authors"] * len(ids),
    })
    tables = {"kpis": kpis, "questions": questions, "roles": roles_frame, "excluded_counts": excluded,
              "reach": reach,
              "first_timers": pl.DataFrame({"got_reply": [True], "newcomers": [first_timers[1]],
                                            "returned": [first_timers[0]]})}
    if messages is not None:  # session index, author, text, kind ('post' / 'repost'), phase
        tables["messages"] = pl.DataFrame(
            [{"session_id": ids[m["session"]], "author_handle": m["author"], "text": m["text"],
              "kind": m.get("kind", "post"), "phase": m.get("phase", "chat")} for m in messages],
            schema={"session_id": pl.String, "author_handle": pl.String, "text": pl.String, "kind": pl.String,
                    "phase": pl.String})
    if sponsor:
        tables["sponsor_exposure"] = pl.DataFrame({
            "session_id": ids, "sponsor": ["acme"] * len(ids), "mentions": [3] * len(ids),
            "related_messages": [3] * len(ids), "related_measured_impressions": [0.0] * len(ids),
            "related_exposure_base": [float(s.get("related_impressions", 1000)) / 0.05 for s in sessions],
        })
    folder = root / "analysis" / f"chat={chat}"
    write_snapshot(folder, tables, {"chat": chat, "title": f"#{chat}", "platforms": [platform],
                                    "config": {"chat": chat, "exposure_rates": {"low": 0.01, "mid": 0.05,
                                                                                "high": 0.2}}})
    return Snapshot(folder)


def random_chat(root: Path, chat: str, *, seed: int, sessions: int = 12, active: float = 30.0,
                platform: str = "twitter") -> Snapshot:
    """A chat whose per-session figures are drawn around ``active`` participants (same parameters, same law)."""
    rng = np.random.default_rng(seed)
    counts = np.maximum(3, rng.poisson(active, sessions))
    rows = [{"active": int(n), "returning_share": float(rng.beta(5, 5)), "herding": float(rng.normal(80, 4)),
             "reply_share": float(rng.beta(4, 6)), "answers": rng.poisson(n / 2, 6).tolist(),
             "advocates": int(rng.binomial(n, 0.15)), "self_promoters": int(rng.binomial(n, 0.05)),
             "seekers": int(rng.binomial(n, 0.3)), "messages": int(n * 7), "spam": int(rng.poisson(2)),
             "reach": float(n * 3000), "related_impressions": float(n * 300)} for n in counts]
    return write_chat(root, chat, rows, platform=platform)
