"""Write the role sensitivity table of the bundled sample into docs/metrics/people.md (between its markers).

    python scripts/role_sensitivity.py            # rewrite the table in the docs
    python scripts/role_sensitivity.py --check    # exit 1 when the docs' table is stale

The table comes from :func:`moderator_kit.people.sensitivity.role_sensitivity` on the sample chat
(sample_data/jobhuntchat), through the same steps as ``moderator-kit analyze``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from moderator_kit.config import read_config
from moderator_kit.io.twitter import read_twarc2
from moderator_kit.people.evaluate import roles_from_messages
from moderator_kit.people.sensitivity import role_sensitivity, sensitivity_markdown
from moderator_kit.people.spam import apply_spam_rules
from moderator_kit.sessions import split_sessions

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "jobhuntchat"
DOC = ROOT / "docs" / "metrics" / "people.md"
BEGIN, END = "<!-- sensitivity:begin -->", "<!-- sensitivity:end -->"


def sample_table() -> str:
    config = read_config(SAMPLE / "chat.yaml")
    messages = read_twarc2(SAMPLE / "jobhuntchat.jsonl").messages.with_columns(chat=pl.lit(config.chat))
    signals, _ = roles_from_messages(messages, config)
    _, excluded = apply_spam_rules(split_sessions(messages, config)[1], config.spam)
    sponsors = {h: s.name for s in config.sponsors for h in s.handles}
    table = role_sensitivity(signals, config, moderators=config.moderators, sponsor_handles=sponsors,
                             excluded=excluded)
    return sensitivity_markdown(table)


def main(argv: list[str]) -> int:
    text = DOC.read_text()
    if BEGIN not in text or END not in text:
        print(f"{DOC}: markers {BEGIN} … {END} not found", file=sys.stderr)
        return 2
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    updated = f"{head}{BEGIN}\n{sample_table()}{END}{tail}"
    if "--check" in argv:
        return 0 if updated == text else 1
    DOC.write_text(updated)
    print(f"wrote the sensitivity table into {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
