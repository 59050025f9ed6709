from datetime import datetime, timedelta, timezone
from pathlib import Path

import polars as pl
import pytest

from moderator_kit.config import ChatConfig, Schedule, parse_config, read_config
from moderator_kit.sessions import (
    assign_sessions,
    build_sessions,
    detect_sessions,
    resolve_schedule,
    split_sessions,
)
from moderator_kit.weekly_slot import infer_weekly_slot
from tests.helpers import messages_frame

NY = Schedule(weekday="monday", time="20:00", timezone="America/New_York", duration_minutes=60,
              pre_minutes=30, follow_up_hours=72)


def _msgs(times):
    return messages_frame([{"created_at": t, "author_handle": "a"} for t in times])


def test_weekly_sessions_follow_local_time_across_dst():
    # 2026-03-02 is before US DST (EST, UTC-5); 2026-03-09 after (EDT, UTC-4).
    times = [datetime(2026, 3, 3, 1, 5, tzinfo=timezone.utc), datetime(2026, 3, 10, 0, 5, tzinfo=timezone.utc)]
    sessions = build_sessions(_msgs(times), NY, chat="c")
    assert sessions["session_id"].to_list() == ["2026-03-02", "2026-03-09"]
    assert [s.hour for s in sessions["start"].to_list()] == [1, 0]
    assert sessions["local_start"].to_list() == ["2026-03-02 20:00 EST", "2026-03-09 20:00 EDT"]
    assert sessions["number"].to_list() == [1, 2]


def test_windows_and_phases():
    start = datetime(2026, 1, 6, 1, 0, tzinfo=timezone.utc)
    times = [start - timedelta(minutes=20), start + timedelta(minutes=5), start + timedelta(minutes=59),
             start + timedelta(minutes=61), start + timedelta(hours=70), start + timedelta(hours=80),
             start - timedelta(minutes=40)]
    tagged = split_sessions(_msgs(times), ChatConfig(chat="c", schedule=NY))[1]
    assert tagged.height == 5  # 40 min before and 79 h after fall outside every window
    assert tagged.sort("created_at")["phase"].to_list() == ["pre", "chat", "chat", "follow_up", "follow_up"]
    assert set(tagged["session_id"]) == {"2026-01-05"}


def test_sessions_without_in_chat_messages_are_dropped():
    start = datetime(2026, 1, 6, 1, 0, tzinfo=timezone.utc)
    times = [start + timedelta(minutes=5), start + timedelta(days=14, hours=5)]  # second: not in a chat window
    sessions = build_sessions(_msgs(times), NY, chat="c")
    assert sessions["session_id"].to_list() == ["2026-01-05"]


def test_follow_up_is_cut_at_next_pre_chat():
    daily = Schedule(weekday=None, time=None, dates=[datetime(2026, 1, 5, 20), datetime(2026, 1, 6, 20)],
                     timezone="America/New_York", follow_up_hours=72)
    start = datetime(2026, 1, 6, 1, 0, tzinfo=timezone.utc)
    sessions = build_sessions(_msgs([start, start + timedelta(days=1)]), daily, chat="c")
    assert sessions["origin"].to_list() == ["dates", "dates"]
    assert sessions["follow_up_end"][0] == sessions["pre_start"][1]


def test_detects_bursts_without_schedule():
    base = datetime(2026, 1, 5, 21, 0, tzinfo=timezone.utc)
    times = [base + timedelta(days=7 * w, seconds=30 * i) for w in range(3) for i in range(60)]
    times += [base + timedelta(days=3, hours=h) for h in range(6)]
    sessions = detect_sessions(_msgs(times), Schedule(), chat="c")
    assert sessions.height == 3
    assert sessions["origin"].unique().to_list() == ["detected"]
    assert all(s.minute == 0 and s.hour == 21 for s in sessions["start"].to_list())


def test_empty_input_gives_empty_frames():
    empty = _msgs([datetime(2026, 1, 1, tzinfo=timezone.utc)]).head(0)
    sessions, tagged = split_sessions(empty, ChatConfig(chat="c", schedule=NY))
    assert sessions.height == 0 and tagged.height == 0


@pytest.mark.parametrize("bad, field", [({"weekday": "moonday"}, "schedule.weekday"),
                                         ({"timezone": "Mars/Base"}, "schedule.timezone"),
                                         ({"time": "25:99"}, "schedule.time")])
def test_config_errors_name_the_field(bad, field):
    from moderator_kit.errors import ConfigError

    with pytest.raises(ConfigError, match=field.replace(".", r"\.")):
        parse_config({"chat": "c", "schedule": bad})


# -- archives without a schedule: the weekly slot inferred from the data ----------------------------------------------

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "jobhuntchat"


@pytest.fixture(scope="module")
def sample_messages():
    from moderator_kit.io.detect import read_archive

    results = read_archive(SAMPLE / "jobhuntchat.jsonl")
    return pl.concat([r.messages for r in results])


def _without_weekly_slot(config: ChatConfig, **keep) -> ChatConfig:
    data = config.model_dump(mode="json")
    data["schedule"] = {k: v for k, v in data["schedule"].items() if k not in ("weekday", "time")} | keep
    return parse_config(data)


def test_sample_slot_inferred_equals_the_configured_schedule(sample_messages):
    configured = read_config(SAMPLE / "chat.yaml")
    unscheduled = _without_weekly_slot(configured)
    choice = resolve_schedule(sample_messages, unscheduled)
    assert choice.origin == "inferred"
    assert (choice.schedule.weekday, choice.schedule.time, choice.schedule.timezone) == (
        configured.schedule.weekday, configured.schedule.time, configured.schedule.timezone)
    assert choice.slot.weeks == choice.slot.active_weeks == 12 and choice.slot.hashtag == "jobhuntchat"
    inferred, tagged = split_sessions(sample_messages, unscheduled)
    expected, expected_tagged = split_sessions(sample_messages, configured)
    assert inferred.drop("origin").equals(expected.drop("origin"))
    assert inferred["origin"].unique().to_list() == ["inferred"]
    assert tagged.select("message_id", "session_id", "phase").equals(
        expected_tagged.select("message_id", "session_id", "phase"))


def test_sample_slot_in_utc_is_the_winter_hour(sample_messages):
    """Without a time zone the slot is in UTC: 20:00 New York is 01:00 UTC on Tuesday until DST starts (8 March)."""
    unscheduled = _without_weekly_slot(read_config(SAMPLE / "chat.yaml"), timezone="UTC")
    slot = resolve_schedule(sample_messages, unscheduled).slot
    assert (slot.weekday, slot.time, slot.timezone) == ("tuesday", "01:00", "UTC")
    assert slot.weeks == 8 and slot.active_weeks == 12  # the four weeks after 8 March peak at 00:00 UTC


def test_slot_uses_the_chats_hashtag_in_a_personal_archive_and_skips_date_only_records():
    chat = [datetime(2026, 1, 8, 20, 3, tzinfo=timezone.utc) + timedelta(weeks=w, minutes=4 * m)
            for w in range(5) for m in range(6)]
    # the owner's other tweets: more of them, busiest on Monday mornings, and date-only records at midnight
    other = [datetime(2026, 1, 5, 9, 10, tzinfo=timezone.utc) + timedelta(weeks=w, minutes=m)
             for w in range(5) for m in range(12)]
    midnight = [datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(weeks=w) for w in range(5) for _ in range(20)]
    rows = ([{"created_at": t, "author_handle": "me", "hashtags": ["ukedchat"]} for t in chat]
            + [{"created_at": t, "author_handle": "me", "hashtags": []} for t in other + midnight])
    msgs = messages_frame(rows)
    slot = infer_weekly_slot(msgs, hashtags=["ukedchat"])
    assert (slot.weekday, slot.hour, slot.hashtag, slot.messages, slot.share) == ("thursday", 20, "ukedchat", 30, 1.0)
    everything = infer_weekly_slot(msgs, hashtags=["otherchat"])  # no message carries it: every message counts
    assert (everything.weekday, everything.hour, everything.hashtag) == ("monday", 9, None)
    assert everything.messages == 90  # the 100 date-only records are left out
    sessions, _ = split_sessions(msgs, ChatConfig(chat="ukedchat"))
    assert sessions.height == 5 and set(sessions["origin"]) == {"inferred"}


def test_no_slot_in_a_timeline_without_a_recurring_hour():
    # one message an hour, every hour of three weeks: no weekday and hour stands out
    base = datetime(2026, 1, 5, tzinfo=timezone.utc)
    msgs = _msgs([base + timedelta(hours=h, minutes=7) for h in range(24 * 21)])
    assert infer_weekly_slot(msgs) is None
    assert resolve_schedule(msgs, ChatConfig(chat="c")).origin == "detected"
    # and a slot that recurs in too few weeks is not proposed
    two_weeks = _msgs([base + timedelta(weeks=w, hours=20, minutes=m) for w in range(2) for m in range(30)])
    assert infer_weekly_slot(two_weeks) is None
    assert infer_weekly_slot(two_weeks, min_weeks=2).weeks == 2


def test_configured_schedule_wins_over_the_data(sample_messages):
    configured = read_config(SAMPLE / "chat.yaml")
    other = configured.model_copy(update={"schedule": configured.schedule.model_copy(update={"weekday": "friday"})})
    choice = resolve_schedule(sample_messages, other)
    assert choice.origin == "schedule" and choice.schedule.weekday == "friday" and choice.slot is None


def _real_archive(real_data_dir: Path, folder: str) -> pl.DataFrame:
    from moderator_kit.io.detect import read_archive

    path = real_data_dir / folder
    if not path.is_dir():
        pytest.skip(f"{path} not found")
    return pl.concat([r.messages for r in read_archive(path)])


@pytest.mark.real_data
def test_personal_legacy_archive_slot_is_ukedchat_thursday_8pm(real_data_dir):
    """A real personal archive (@IaninSheffield): #UKEdChat runs Thursdays 20:00 UK time."""
    msgs = _real_archive(real_data_dir, "twitter-archive-legacy-iansheffield")
    london = infer_weekly_slot(msgs, hashtags=["ukedchat"], timezone="Europe/London")
    assert (london.weekday, london.time, london.hashtag) == ("thursday", "20:00", "ukedchat")
    assert london.weeks >= 10 and london.share > 0.5
    utc = infer_weekly_slot(msgs, hashtags=["ukedchat"])  # DST splits the UK hour over 19:00 and 20:00 UTC
    assert (utc.weekday, utc.time) == ("thursday", "20:00") and utc.weeks < london.weeks
    sessions, tagged = split_sessions(msgs, ChatConfig(chat="ukedchat", schedule=Schedule(timezone="Europe/London")))
    assert set(sessions["origin"]) == {"inferred"} and sessions.height >= london.weeks
    chat_phase = tagged.filter((pl.col("phase") == "chat") & pl.col("hashtags").list.contains("ukedchat"))
    assert set(chat_phase["session_id"]) == set(sessions["session_id"])  # every session holds #UKEdChat messages


@pytest.mark.real_data
def test_personal_timeline_without_a_chat_gets_no_slot(real_data_dir):
    msgs = _real_archive(real_data_dir, "twitter-archive-ytd-andreruffert")
    assert infer_weekly_slot(msgs, hashtags=["andreruffert"]) is None
def test_messages_with_only_a_date_are_never_placed_in_a_session():
    # A chat on Mondays at 00:00 UTC: a date-only tweet lands at exactly 00:00, but was not sent then.
    midnight = Schedule(weekday="monday", time="00:00", timezone="UTC", duration_minutes=60)
    start = datetime(2026, 1, 5, 0, 0, tzinfo=timezone.utc)
    frame = _msgs([start + timedelta(minutes=5), start, start, start + timedelta(days=7)]).with_columns(
        time_imprecise=pl.Series([False, True, False, True]))
    sessions, tagged = split_sessions(frame, ChatConfig(chat="c", schedule=midnight))
    assert sessions["session_id"].to_list() == ["2026-01-05"]  # 2026-01-12 holds only a date-only message
    assert tagged.height == 2 and not tagged["time_imprecise"].any()
    # Nor do date-only messages make a burst when sessions are detected.
    base = datetime(2026, 1, 5, 21, 0, tzinfo=timezone.utc)
    burst = [base + timedelta(days=7 * w, seconds=30 * i) for w in range(2) for i in range(60)]
    burst += [base + timedelta(days=3, hours=h) for h in range(6)]
    dated = [datetime(2026, 1, 8, tzinfo=timezone.utc)] * 60
    frame = _msgs(burst + dated).with_columns(time_imprecise=pl.Series([False] * 126 + [True] * 60))
    assert detect_sessions(frame, Schedule(), chat="c")["session_id"].to_list() == ["2026-01-05", "2026-01-12"]
