"""Anonymized reports on real Mastodon statuses: their ids are URIs that name the author.

The sample chats are X and Slack, whose message ids name nobody; a Mastodon status id
(``https://server/users/<name>/statuses/<n>``) names its author, so an anonymized report kept verbatim ids would
leak every participant. Uses the real archive in ../shared/real_data (skipped when absent).
"""

from __future__ import annotations

import re
import zipfile

import polars as pl
import pytest

from moderator_kit.api import import_archives
from moderator_kit.config import ChatConfig, Costs, Sponsor
from moderator_kit.report import render_report
from moderator_kit.snapshot import analyze_chat

SPONSOR = "mastodon@mastodon.social"


@pytest.fixture(scope="module")
def mastodon_snapshot(real_data_dir, tmp_path_factory):
    workspace = tmp_path_factory.mktemp("masto")
    import_archives([real_data_dir / "mastodon-api-rtoot"], chat="masto", workspace=workspace)
    config = ChatConfig(chat="masto", sponsors=[Sponsor(name="Mastodon", handles=[SPONSOR], costs=Costs(fee=100))])
    return analyze_chat(workspace, "masto", config=config)


def _text_of(path) -> str:
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as book:
            return " ".join(book.read(name).decode("utf-8", "replace") for name in book.namelist())
    if path.is_dir():
        return " ".join(p.read_text(encoding="utf-8-sig") for p in sorted(path.iterdir()))
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "html"])
def test_anonymized_sponsor_report_leaks_no_mastodon_author(mastodon_snapshot, tmp_path, fmt):
    messages = mastodon_snapshot.table("messages")
    authors = {h for h in messages["author_handle"].unique().to_list() if h and h != SPONSOR}
    assert len(authors) > 20 and messages["message_id"].str.contains("/users/").any()
    out = render_report(mastodon_snapshot, fmt, tmp_path / f"report.{fmt}", sponsor=SPONSOR, anonymize=True,
                        include_text=True, salt=b"test-salt")
    text = _text_of(out).lower()
    for handle in authors:
        name, _, server = handle.partition("@")
        assert handle.lower() not in text, handle
        assert f"/users/{name.lower()}/" not in text and f"/@{name.lower()}/" not in text, handle
    if fmt != "html":  # the data exports keep the evidence: one row per counted message, with a pseudonymous id
        assert re.search(r"message-[0-9a-f]{12}", text)


def test_not_anonymized_report_links_mastodon_statuses(mastodon_snapshot, tmp_path):
    out = render_report(mastodon_snapshot, "csv", tmp_path / "plain", sponsor=SPONSOR, include_text=True)
    evidence = pl.read_csv(out / "evidence.csv")
    mastodon = evidence.filter(pl.col("message_id").str.starts_with("https://"))
    assert mastodon.height and (mastodon["url"] == mastodon["message_id"]).all()
