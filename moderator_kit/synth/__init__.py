"""Deterministic synthetic chats: the bundled ``sample_data/`` and big benchmark archives.

Two communities, each with a ground-truth table (one row per message: session, phase, persona, true question,
category, answer style) and a chat config:

* '#JobHuntChat', a weekly Twitter chat (Mondays 20:00 America/New_York, 12 sessions across the March DST change),
  written as twarc2 API v2 response pages;
* 'remote-careers', weekly Slack office hours (Thursdays 12:00 Europe/Berlin), written as a Slack workspace export.

Same seed, same bytes. ``python -m moderator_kit.synth --out sample_data`` regenerates the sample;
``write_twarc2_stream`` writes millions of tweets in bounded memory for benchmarks. See ``docs/sample_data.md``.

Examples
--------
>>> chat = generate_twitter_chat(seed=7, sessions=1)
>>> chat.truth.columns[:3]
['message_id', 'session_id', 'phase']
>>> sorted(chat.truth["persona"].unique())[:3]
['advocate', 'moderator', 'newcomer']
"""

from moderator_kit.synth.chat import TRUTH_COLUMNS, TRUTH_SCHEMA, SyntheticChat, write_config, write_truth
from moderator_kit.synth.people import PERSONAS, TAG_FORMS
from moderator_kit.synth.sample import main, write_sample
from moderator_kit.synth.slack import generate_slack_community, write_slack_export
from moderator_kit.synth.twitter import (
    SAMPLE_SEED,
    StreamStats,
    generate_twitter_chat,
    iter_twarc2_pages,
    write_twarc2,
    write_twarc2_stream,
)

__all__ = [
    "SAMPLE_SEED",
    "PERSONAS",
    "TAG_FORMS",
    "TRUTH_COLUMNS",
    "TRUTH_SCHEMA",
    "StreamStats",
    "SyntheticChat",
    "generate_twitter_chat",
    "generate_slack_community",
    "iter_twarc2_pages",
    "write_twarc2",
    "write_twarc2_stream",
    "write_slack_export",
    "write_config",
    "write_truth",
    "write_sample",
    "main",
]
