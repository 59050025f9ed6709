"""Feed a :class:`~moderator_kit.live.LiveState` from growing files or a background collector, in a thread.

:class:`LiveFeed` polls its sources every ``poll_seconds``: each :class:`~moderator_kit.live.FileTail` returns the
complete lines added since the last poll, :func:`~moderator_kit.live.parse_lines` parses them as ``import`` would,
the state ingests them, and a fresh :class:`~moderator_kit.live.LiveView` replaces the last one. Readers (the
dashboard's callback) only take :attr:`LiveFeed.view`, an immutable object swapped in one assignment.

:class:`LiveSpec` is what ``moderator-kit live`` passes to the dashboard process (as JSON; tokens and passwords stay
in the environment: ``MASTODON_TOKEN``, ``BLUESKY_APP_PASSWORD``).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from moderator_kit.config import ChatConfig, chat_config, read_config
from moderator_kit.errors import ModeratorKitError
from moderator_kit.live.source import parse_lines, sniff_live_format
from moderator_kit.live.state import ChatHistory, LiveState, chat_history
from moderator_kit.live.tail import FileTail
from moderator_kit.live.view import LiveView
from moderator_kit.live.window import live_session

__all__ = ["LiveSpec", "LiveFeed", "start_feed", "COLLECTORS"]

COLLECTORS = ("mastodon", "bluesky")
Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class LiveSpec:
    """What to follow: ``follow`` files, or a ``collect`` platform writing to ``out`` with ``collect_options``
    (``instance``/``tag`` for Mastodon, ``query``/``server``/``handle`` for Bluesky, ``since``, ``interval``).

    >>> spec = LiveSpec(chat="jobchat", follow=("stream.jsonl",))
    >>> LiveSpec.from_json(spec.to_json()) == spec
    True
    """

    chat: str
    workspace: str | None = None
    follow: tuple[str, ...] = ()
    collect: str | None = None
    out: str | None = None
    collect_options: dict[str, Any] = field(default_factory=dict)
    config: str | None = None
    at: str | None = None
    poll_seconds: float = 1.0

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> LiveSpec:
        data = json.loads(text)
        data["follow"] = tuple(data.get("follow") or ())
        return cls(**data)

    def validate(self) -> None:
        """One readable line for each mistake a user can make on the command line."""
        if bool(self.follow) == bool(self.collect):
            raise ModeratorKitError("live needs a source: --follow FILE (a growing twarc2 / collector file) or "
                                    "--collect mastodon|bluesky with -o FILE")
        if self.collect and self.collect not in COLLECTORS:
            raise ModeratorKitError(f"--collect {self.collect}: use one of {', '.join(COLLECTORS)}")
        if self.collect and not self.out:
            raise ModeratorKitError(f"--collect {self.collect} needs -o FILE: the archive the collector appends to")
        if self.collect == "mastodon" and not (self.collect_options.get("instance") and self.collect_options.get("tag")):
            raise ModeratorKitError("--collect mastodon needs --instance URL and --tag TAG")
        if self.collect == "bluesky" and not self.collect_options.get("query"):
            raise ModeratorKitError('--collect bluesky needs --query "#tag"')
        for path in self.follow:
            if Path(path).is_dir():
                raise ModeratorKitError(f"{path} is a folder; --follow takes the growing archive file")
            sniff_live_format(path)  # a wrong kind of file is refused now, not in the background


class LiveFeed:
    """Poll ``paths`` (growing archives) into ``state`` from a daemon thread; :attr:`view` is the latest figures.

    Parameters
    ----------
    state
        The live state to feed.
    paths
        Growing JSON-lines archives (they may not exist yet: a collector creates them).
    poll_seconds
        Seconds between polls.
    clock
        The time the figures are computed at (tests replay a chat in their own time).
    """

    def __init__(self, state: LiveState, paths: list[Path | str], *, poll_seconds: float = 1.0,
                 clock: Clock | None = None, instance: str | None = None, description: str = "") -> None:
        self.state = state
        self.tails = [FileTail(p) for p in paths]
        self._formats: dict[int, str | None] = {}
        self.poll_seconds = poll_seconds
        self.clock = clock or _utc_now
        self.instance = instance
        self.description = description or "following " + ", ".join(str(p) for p in paths)
        self.error: str | None = None
        self.last_refresh_s: float = 0.0
        self.view: LiveView = state.view(self.clock())
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.helpers: list[tuple[threading.Thread, threading.Event]] = []

    def poll_once(self) -> int:
        """Read every source's new lines, ingest them, refresh :attr:`view`; returns the new session messages."""
        import time

        with self._lock:
            started = time.perf_counter()
            new = 0
            for number, tail in enumerate(self.tails):
                if self._formats.get(number) is None:
                    self._formats[number] = sniff_live_format(tail.path)
                    if self._formats[number] is None:
                        continue
                lines = tail.read_lines()
                if tail.reset:  # the file shrank (rewritten, rotated): start over from every file's beginning
                    self._restart(keep=tail)
                if not lines:
                    continue
                result = parse_lines(self._formats[number], [line for _, line in lines], str(tail.path),
                                     instance=self.instance)
                new += self.state.ingest(result.messages, result.quarantined)
            self.view = self.state.view(self.clock())
            self.last_refresh_s = time.perf_counter() - started
            return new

    def _restart(self, keep: FileTail) -> None:
        """Drop the state and read every source again from its start (``keep`` is being read from it already)."""
        old = self.state
        self.state = LiveState(old.config, old.session_frame, history=old.history,
                               history_moderators=old.history_moderators)
        for tail in self.tails:
            if tail is not keep:
                tail.offset = tail.line_number = 0

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once()
                self.error = None
            except ModeratorKitError as err:
                self.error = str(err)
            except Exception as err:  # keep following; the page shows the problem in one line
                self.error = f"live refresh failed: {type(err).__name__}: {err}"
            self._stop.wait(self.poll_seconds)

    def start(self) -> LiveFeed:
        """Start polling in a daemon thread (idempotent)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="moderator-kit-live", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop polling and any collector started with the feed."""
        self._stop.set()
        for _, event in self.helpers:
            event.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        for thread, _ in self.helpers:
            thread.join(timeout=10)


def _config(spec: LiveSpec, workspace: Any) -> ChatConfig:
    if spec.config:
        return read_config(spec.config)
    if workspace is not None:
        return chat_config(workspace, spec.chat)
    return ChatConfig(chat=spec.chat)


def _collector(spec: LiveSpec, session_start: datetime) -> tuple[threading.Thread, threading.Event]:
    """A background collector appending to ``spec.out`` until its event is set; a new file starts at
    ``session_start`` (the session's pre-chat) unless ``since`` is given."""
    from moderator_kit.collect import collect_bluesky, collect_mastodon

    options = dict(spec.collect_options)
    since = options.pop("since", None)
    since_at = datetime.fromisoformat(since) if since else session_start
    stop = threading.Event()
    if spec.collect == "mastodon":
        def run() -> None:
            collect_mastodon(options["instance"], options["tag"], spec.out, since=since_at,
                             token=os.environ.get("MASTODON_TOKEN"), follow=True,
                             interval=float(options.get("interval", 15)), stop=stop)
    else:
        def run() -> None:
            collect_bluesky(options["query"], spec.out, base_url=options.get("server") or "https://public.api.bsky.app",
                            since=since_at, handle=options.get("handle"),
                            app_password=os.environ.get("BLUESKY_APP_PASSWORD"), follow=True,
                            interval=float(options.get("interval", 15)), stop=stop)
    return threading.Thread(target=run, name=f"moderator-kit-collect-{spec.collect}", daemon=True), stop


def start_feed(spec: LiveSpec, *, clock: Clock | None = None, start: bool = True) -> LiveFeed:
    """Build the live state for ``spec`` (config, session, the workspace's history) and start following."""
    from moderator_kit.workspace import Workspace

    spec.validate()
    workspace = None
    if spec.workspace and (Path(spec.workspace) / "workspace.json").is_file():
        workspace = Workspace(spec.workspace)
    config = _config(spec, workspace)
    now = (clock or _utc_now)()
    at = datetime.fromisoformat(spec.at) if spec.at else now
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    session = live_session(config, at)
    history = ChatHistory()
    if workspace is not None and spec.chat in workspace.chats():
        # earlier sessions are split as the workspace's analysis splits them: with the chat's kept config
        kept = chat_config(workspace, spec.chat) if spec.config else config
        history = chat_history(workspace.messages(spec.chat), kept, session["pre_start"].item())
    state = LiveState(config, session, history=set(history.handles), history_moderators=history.moderators)
    paths = [Path(p) for p in spec.follow] or [Path(spec.out or "")]
    what = (f"collecting {spec.collect} into {spec.out}" if spec.collect else
            "following " + ", ".join(str(p) for p in paths))
    # no Mastodon instance is passed: handles are completed from the statuses themselves, as ``import`` does
    feed = LiveFeed(state, paths, poll_seconds=spec.poll_seconds, clock=clock, description=what)
    if spec.collect:
        feed.helpers.append(_collector(spec, session["pre_start"].item()))
    if start:
        for thread, _ in feed.helpers:
            thread.start()
        feed.start()
    return feed
