from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd

from carecycle_dash.data.silence import Silence, silence

NOW = datetime(2026, 12, 3, 19, 0, tzinfo=UTC)


def times(*moments: datetime | None) -> pd.Series:
    return pd.Series(pd.to_datetime(list(moments), utc=True)).dt.as_unit("us")


def daily_until(last: datetime, days: int = 30) -> pd.Series:
    return times(*(last - timedelta(days=k) for k in range(days)))


def test_calls_that_stopped_days_ago_are_a_silence_with_their_last_day() -> None:
    found = silence(daily_until(datetime(2026, 11, 24, 15, 0, tzinfo=UTC)), NOW)
    assert found == Silence(datetime(2026, 11, 24).date(), 9)
    assert found.text == "No calls since 24 Nov 2026 (9 days)"


def test_a_customer_calling_every_day_is_not_quiet_within_a_day() -> None:
    assert silence(daily_until(NOW - timedelta(hours=23)), NOW) is None
    assert silence(daily_until(NOW - timedelta(hours=25)), NOW) == Silence(datetime(2026, 12, 2).date(), 1)
    assert silence(daily_until(NOW - timedelta(hours=25)), NOW).text == "No calls since 2 Dec 2026 (1 day)"


def test_a_quiet_spell_no_longer_than_the_usual_gaps_is_not_news() -> None:
    weekly = times(*(datetime(2026, 11, 27, 10, 0, tzinfo=UTC) - timedelta(days=7 * k) for k in range(5)))
    assert silence(weekly, datetime(2026, 12, 4, 10, 0, tzinfo=UTC)) is None  # exactly the usual week
    assert silence(weekly, datetime(2026, 12, 4, 10, 1, tzinfo=UTC)) == Silence(datetime(2026, 11, 27).date(), 7)


def test_only_the_gaps_of_the_four_weeks_before_the_newest_call_count() -> None:
    last = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    old_gap = times(datetime(2026, 9, 1, tzinfo=UTC), *daily_until(last, 20))  # a 2-month gap, long ago
    assert silence(old_gap, NOW) == Silence(datetime(2026, 11, 30).date(), 3)
    recent_gap = times(*daily_until(last, 3), datetime(2026, 11, 22, 12, 0, tzinfo=UTC))  # 6 days, lately
    assert silence(recent_gap, NOW) is None


def test_no_calls_one_call_and_calls_without_a_time() -> None:
    assert silence(times(), NOW) is None
    assert silence(times(None, None), NOW) is None
    one = times(datetime(2026, 12, 1, 18, 0, tzinfo=UTC), None)
    assert silence(one, NOW) == Silence(datetime(2026, 12, 1).date(), 2)
    assert silence(times(datetime(2026, 12, 3, 1, 0, tzinfo=UTC)), NOW) is None
    assert silence(times(NOW + timedelta(hours=1)), NOW) is None  # a clock behind the API's


def test_the_day_and_the_count_are_the_viewers() -> None:
    late = times(datetime(2026, 11, 25, 3, 0, tzinfo=UTC))  # 24 Nov, 22:00 in New York
    now = datetime(2026, 12, 3, 9, 0, tzinfo=ZoneInfo("America/New_York"))
    assert silence(late, now) == Silence(datetime(2026, 11, 24).date(), 9)
    assert silence(late, now.astimezone(UTC)) == Silence(datetime(2026, 11, 25).date(), 8)
