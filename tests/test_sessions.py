from datetime import datetime, timedelta, timezone

import polars as pl
import pytest

from moderator_kit.config import ChatConfig, Schedule, parse_config
from moderator_kit.sessions import assign_sessions, build_sessions, detect_sessions, split_sessions
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
