"""The Live page in Debian's headless Chromium while a real chat arrives (issue 12, "done means").

A writer thread appends one session of the bundled #JobHuntChat sample to a twarc2 file, minute by minute, shifted
to now and replayed faster than real time (a chat minute takes one second, a few minutes around the checks six).
The live feed follows the file on a clock that runs with the replay. The page must show each new question within
one refresh, list a newcomer nobody replied to yet and drop them once someone replies, show the "post the next
question" hint when the answer wave decays, and raise no console error. The XSS corpus of the dashboard's browser
test, arriving live, must not execute.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson
import pytest
import yaml

from dashboards.app import create_app
from moderator_kit.api import import_archives
from moderator_kit.config import read_config
from moderator_kit.live import LiveSpec, LiveState, history_handles, live_session, parse_lines, start_feed
from tests.browser import serve_wsgi
from tests.layout_checks import layout_defects
from tests.test_dashboard_browser import PAYLOADS, twarc2_line, user
from tests.test_live_page import tweet

pytestmark = pytest.mark.browser

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "jobhuntchat"
SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
SESSION_START = datetime(2026, 2, 3, 1, 0, tzinfo=timezone.utc)  # session 2026-02-02, 20:00 New York
AGENDA = "2026-02-02"
REPLAY_UNTIL = 28        # chat minutes replayed (Q4 is posted at 26:25)
# minutes replayed at SLOW_SECONDS: newcomers come and go, Q2's wave decays; 6, 21 and 27 hold Q1, Q3 and Q4 on
# screen for a few refreshes, so a loaded machine (a late interval tick) cannot miss a question
SLOW = {0, 1, 2, 3, 6, 17, 18, 19, 21, 27}
SLOW_SECONDS = 6.0
POLL_SECONDS = 0.5


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _sample():
    """The sample's tweets, users and referenced tweets (raw API v2 objects)."""
    users, refs, tweets = {}, {}, []
    for line in (SAMPLE / "jobhuntchat.jsonl").read_bytes().splitlines():
        if not line.strip():
            continue
        page = orjson.loads(line)
        for u in page.get("includes", {}).get("users", []):
            users[u["id"]] = u
        for t in page.get("includes", {}).get("tweets", []):
            refs[t["id"]] = t
        tweets += page["data"]
    return tweets, list(users.values()), refs


def _shifted(t: dict, delta: timedelta) -> dict:
    # a stream captures a tweet as it is posted: no like yet (a like would take a newcomer off the waiting list)
    metrics = {**t.get("public_metrics", {}), "like_count": 0}
    return {**t, "created_at": _iso(_time(t["created_at"]) + delta), "public_metrics": metrics}


class Replay:
    """Writes the session minute by minute and keeps the replay's clock (the live feed's ``now``)."""

    def __init__(self, path: Path, minutes: dict[int, list[dict]], users: list[dict], refs: list[dict],
                 start: datetime) -> None:
        self.path, self.minutes, self.users, self.refs, self.start = path, minutes, users, refs, start
        self.now = start - timedelta(minutes=1)
        self.appended: dict[str, float] = {}   # message id -> real time its line was appended
        self.done = threading.Event()
        self.stop = threading.Event()

    def clock(self) -> datetime:
        return self.now

    def _append(self, tweets: list[dict]) -> None:
        line = orjson.dumps({"data": tweets, "includes": {"users": self.users, "tweets": self.refs}})
        with self.path.open("ab") as handle:
            handle.write(line + b"\n")
        stamp = time.monotonic()
        for t in tweets:
            self.appended[t["id"]] = stamp

    def run(self) -> None:
        for minute in range(-1, REPLAY_UNTIL):
            step = SLOW_SECONDS if minute in SLOW else 1.0
            began = time.monotonic()
            base = self.start + timedelta(minutes=minute)
            while not self.stop.is_set():  # the clock runs through the minute, then its messages are appended
                fraction = min(1.0, (time.monotonic() - began) / step)
                self.now = base + timedelta(minutes=fraction)
                if fraction >= 1.0:
                    break
                time.sleep(0.05)
            if self.stop.is_set():
                return
            if self.minutes.get(minute):
                self._append(self.minutes[minute])
        self.done.set()


@pytest.fixture
def replay(tmp_path):
    tweets, users, refs = _sample()
    config = read_config(SAMPLE / "chat.yaml")
    original = live_session(config, SESSION_START).row(0, named=True)
    start = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    delta = start - SESSION_START
    # the workspace holds the chat's history: every session before this one
    earlier = [t for t in tweets if _time(t["created_at"]) < original["pre_start"]]
    history = tmp_path / "earlier.jsonl"
    history.write_text(twarc2_line(earlier, users) + "\n", encoding="utf-8")
    workspace = tmp_path / "ws"
    import_archives([history], workspace=workspace, chat="jobhuntchat", config=SAMPLE / "chat.yaml")
    # the live config: the sample's, with this session's agenda and its start shifted to now
    data = yaml.safe_load((SAMPLE / "chat.yaml").read_text(encoding="utf-8"))
    data["agenda"] = data.pop("session_agendas")[AGENDA]
    local = start.astimezone(config.schedule.zone).replace(tzinfo=None)
    data["schedule"] = {**data["schedule"], "dates": [local.isoformat()]}
    data["schedule"].pop("weekday"), data["schedule"].pop("time")
    live_config = tmp_path / "live.yaml"
    live_config.write_text(yaml.safe_dump(data), encoding="utf-8")
    inside = [t for t in tweets if original["pre_start"] <= _time(t["created_at"]) < original["end"]]
    minutes: dict[int, list[dict]] = {}
    for t in sorted(inside, key=lambda t: (t["created_at"], t["id"])):
        minute = int((_time(t["created_at"]) - SESSION_START).total_seconds() // 60)
        minutes.setdefault(max(minute, -1), []).append(_shifted(t, delta))  # the pre-chat arrives at once
    stream = tmp_path / "stream.jsonl"
    stream.touch()
    shifted_refs = [_shifted(t, delta) for t in refs.values()]
    return Replay(stream, minutes, users, shifted_refs, start), workspace, live_config, (earlier, users)


def _expected(replay: Replay, workspace: Path, live_config: Path) -> tuple[LiveState, dict, list]:
    """What the page must show, from the same live state run offline minute by minute."""
    config = read_config(live_config)
    session = live_session(config, replay.start)
    from moderator_kit.workspace import Workspace

    history = history_handles(Workspace(workspace).messages("jobhuntchat"), read_config(SAMPLE / "chat.yaml"),
                              session["pre_start"].item())
    state = LiveState(config, session, history=history)
    listed: dict[str, list[int]] = {}
    hints = []
    for minute in range(-1, REPLAY_UNTIL):
        if replay.minutes.get(minute):
            lines = [orjson.dumps({"data": replay.minutes[minute], "includes": {"users": replay.users,
                                                                              "tweets": replay.refs}})]
            state.ingest(parse_lines("twarc2", lines).messages)
        view = state.view(replay.start + timedelta(minutes=minute + 1))
        for item in view.newcomers:
            listed.setdefault(item["handle"], []).append(minute)
        if view.clock["hint"] and view.clock["hint"].startswith("Post"):
            hints.append((minute, view.clock["hint"]))
    return state, listed, hints


def test_live_page_follows_a_real_chat(browser_page, replay):
    replay, workspace, live_config, _ = replay
    state, listed, hints = _expected(replay, workspace, live_config)
    # a newcomer listed in a slow minute and gone by the next: someone replied (or liked) meanwhile
    dropped = sorted(h for h, minutes in listed.items() if minutes[-1] < REPLAY_UNTIL - 1
                     and set(minutes) <= SLOW)
    decay_hint = [(m, h) for m, h in hints if m in SLOW]
    assert dropped and decay_hint, (listed, hints)
    questions = {row["message_id"]: row["question"] for row in state.questions.to_dicts() if row["message_id"]}

    feed = start_feed(LiveSpec(chat="jobhuntchat", workspace=str(workspace), follow=(str(replay.path),),
                               config=str(live_config), at=replay.start.isoformat(), poll_seconds=POLL_SECONDS),
                      clock=replay.clock)
    app = create_app(workspace, live=feed)
    writer = threading.Thread(target=replay.run, daemon=True)
    page = browser_page
    seen_question: dict[int, float] = {}
    seen_newcomer: dict[str, list[float]] = {}
    seen_hints: set[str] = set()
    try:
        with serve_wsgi(app.server) as base:
            page.goto(f"{base}/live")
            page.wait_for_selector("#live-clock")
            writer.start()
            while not replay.done.is_set() or time.monotonic() - max(replay.appended.values(), default=0) < 4:
                current = page.locator("#live-current").first.inner_text(timeout=5000).strip()
                now = time.monotonic()
                if current.startswith("Q"):
                    seen_question.setdefault(int(current[1:]), now)
                for handle in page.locator("#live-newcomer-list li").evaluate_all(
                        "items => items.map(i => i.dataset.handle)"):
                    seen_newcomer.setdefault(handle, []).append(now)
                hint = page.locator("#live-clock .mk-note")
                if hint.count():
                    seen_hints.add(hint.first.inner_text().strip())
                time.sleep(0.2)
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "live.png"), full_page=True)
            assert layout_defects(page) == []
            page.goto("about:blank")  # stop the page's refresh before the server stops (no request cut off)
    finally:
        replay.stop.set()
        feed.stop()
        writer.join(timeout=10)

    refresh = 3.0 + POLL_SECONDS + 1.5  # one refresh of the page, one poll of the feed, and slack for the machine
    for message_id, number in questions.items():
        assert number in seen_question, f"Q{number} never shown"
        delay = seen_question[number] - replay.appended[message_id]
        assert delay <= refresh, f"Q{number} shown {delay:.1f} s after its post arrived"
    handle = dropped[0]
    assert handle in seen_newcomer, f"newcomer {handle} never listed ({sorted(seen_newcomer)})"
    assert max(seen_newcomer[handle]) < time.monotonic() - 3, f"newcomer {handle} still listed at the end"
    assert any(h in seen_hints for _, h in decay_hint), (decay_hint, seen_hints)
    assert feed.error is None


def test_xss_payloads_arriving_live_do_not_execute(browser_page, tmp_path):
    start = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    minute = lambda m: start + timedelta(minutes=m)  # noqa: E731
    users = [user("1", "xssmod", PAYLOADS["script"]), user("2", "evil_one", PAYLOADS["img"]),
             user("3", "markdown_fan", PAYLOADS["markdown"]), user("4", "svg_lover", PAYLOADS["svg"])]
    batches = [
        [tweet(1, minute(1), "1", f"Q1: What helps most? {PAYLOADS['img']} {PAYLOADS['markdown']} #xsschat")],
        [tweet(2, minute(2), "2", f"A1 {PAYLOADS['script']} see {PAYLOADS['link']} #xsschat",
               urls=(PAYLOADS["link"],)),
         tweet(3, minute(2), "3", f"Any advice? I need help {PAYLOADS['svg']} #xsschat")],
        [tweet(4, minute(3), "4", f"earn $100/day {PAYLOADS['img']} #xsschat"),
         tweet(5, minute(3), "3", f"<b onmouseover=alert('xss-b')>bold</b> {PAYLOADS['markdown']} #xsschat")],
    ]
    config = tmp_path / "xss.yaml"
    config.write_text(yaml.safe_dump({
        "chat": "xsschat", "title": "XSS " + PAYLOADS["script"], "moderators": ["xssmod"],
        "schedule": {"dates": [start.replace(tzinfo=None).isoformat()], "timezone": "UTC"},
        "agenda": [{"number": 1, "offset_minutes": 1, "text": "Q1 " + PAYLOADS["img"]}],
        "spam": {"patterns": [r"earn \$\d+/day"]}}), encoding="utf-8")
    stream = tmp_path / "xss.jsonl"
    stream.write_text(twarc2_line(batches[0], users) + "\n", encoding="utf-8")
    feed = start_feed(LiveSpec(chat="xsschat", workspace=str(tmp_path / "ws"), follow=(str(stream),),
                               config=str(config), poll_seconds=0.3), clock=lambda: minute(4))
    app = create_app(tmp_path / "ws", live=feed)
    page = browser_page
    try:
        with serve_wsgi(app.server) as base:
            page.goto(f"{base}/live")
            page.wait_for_selector("#live-clock")
            for batch in batches[1:]:
                with stream.open("a", encoding="utf-8") as handle:
                    handle.write(twarc2_line(batch, users) + "\n")
                time.sleep(1)
            page.wait_for_selector("#live-spam-list li", timeout=10_000)
            page.wait_for_selector("#live-floor-list li", timeout=10_000)
            panels = page.locator("#live-top, #live-lists")  # the wave chart's own SVG is plotly's
            assert panels.locator("script, img, iframe, b, svg").count() == 0
            text = " ".join(panels.all_inner_texts())
            assert PAYLOADS["script"] in text and PAYLOADS["svg"] in text and PAYLOADS["img"] in text
            assert not page.locator("a[href^='javascript']").count()
            page.wait_for_timeout(3500)  # one more refresh with everything on the page
            page.goto("about:blank")  # stop the page's refresh before the server stops (no request cut off)
    finally:
        feed.stop()
