import math
from dataclasses import replace
from datetime import UTC, date, datetime

import pandas as pd
import pytest

from carecycle_dash.data.attention import AttentionItem, attention_for, needs_attention, two_proportion_z
from carecycle_dash.data.filters import CallFilters
from carecycle_dash.data.frame import build_frame
from carecycle_dash.data.periods import Period
from tests.factories import make_call


def calls(count: int, **overrides: object) -> list[dict]:
    return [make_call(**overrides) for _ in range(count)]


def frame_of(*groups: list[dict]) -> pd.DataFrame:
    return build_frame([call for group in groups for call in group]).df


def steady_week(n: int = 200) -> list[dict]:
    """Calls whose talk times vary (so the median has a spread), all qualified and recorded."""
    return [make_call(durationMs=60_000 + 1_000 * (i % 40)) for i in range(n)]


def test_two_proportion_z_matches_the_textbook_value() -> None:
    z = two_proportion_z(36, 170, 3, 150)
    pooled = 39 / 320
    expected = (36 / 170 - 3 / 150) / math.sqrt(pooled * (1 - pooled) * (1 / 170 + 1 / 150))
    assert z == pytest.approx(expected)
    assert two_proportion_z(0, 10, 0, 10) == 0.0
    assert two_proportion_z(1, 0, 1, 10) is None


def test_a_jumping_error_disposition_is_listed_with_both_values_and_a_link() -> None:
    previous = frame_of(steady_week(147), calls(3, disposition="Pipeline Error", durationMs=1_000))
    current = frame_of(steady_week(134), calls(36, disposition="Pipeline Error", durationMs=1_000))
    items = needs_attention(current, previous)
    error = next(item for item in items if item.figure == "Pipeline Error")
    assert error.text == "Pipeline Error: 21% of calls (36), up from 2.0% (3), +19 points"
    assert error.params == {"disposition": ["Pipeline Error"]}
    assert error.severity > 3
    assert items[0].severity >= items[-1].severity


def test_bad_news_comes_before_good_news() -> None:
    previous = frame_of(steady_week(100), calls(100, disposition="Voicemail", durationMs=20_000))
    current = frame_of(steady_week(160), calls(40, disposition="Voicemail", durationMs=20_000))
    items = needs_attention(current, previous)
    figures = [item.figure for item in items]
    assert "Connected" in figures and "Voicemail" in figures and "Qualified" in figures
    signs = [item.severity > 0 for item in items]
    assert signs == sorted(signs, reverse=True)
    assert next(i for i in items if i.figure == "Voicemail").severity < 0  # fewer voicemails is good news


def test_falling_success_rate_is_bad_news() -> None:
    previous = frame_of(calls(150, successEvaluation="true"), calls(50, successEvaluation="false"))
    current = frame_of(calls(90, successEvaluation="true"), calls(110, successEvaluation="false"))
    item = next(i for i in needs_attention(current, previous) if i.figure == "Success rate")
    assert item.severity > 0
    assert item.text.startswith("Success rate: 45% of evaluated calls (90), down from 75% (150)")


def test_tiny_counts_never_raise_an_alarm() -> None:
    previous = frame_of(calls(5), calls(1, disposition="Pipeline Error"))
    current = frame_of(calls(2), calls(4, disposition="Pipeline Error", durationMs=0))
    assert needs_attention(current, previous) == []


def test_a_rare_trait_needs_ten_calls_showing_it() -> None:
    previous = frame_of(steady_week(400))
    current = frame_of(steady_week(392), calls(8, disposition="Telephony Block", durationMs=0))
    assert not any(item.figure == "Telephony Block" for item in needs_attention(current, previous))


def test_nothing_moved_means_nothing_listed() -> None:
    assert needs_attention(frame_of(steady_week()), frame_of(steady_week())) == []


def test_empty_periods_list_nothing() -> None:
    empty = build_frame([]).df
    assert needs_attention(empty, frame_of(steady_week())) == []
    assert needs_attention(frame_of(steady_week()), empty) == []


def test_volume_drop_is_judged_as_poisson_counts() -> None:
    items = needs_attention(frame_of(steady_week(120)), frame_of(steady_week(200)))
    volume = next(item for item in items if item.figure == "Volume")
    assert volume.text == "Volume: 120 calls, down from 200 (-40%)"
    assert volume.severity == pytest.approx(80 / math.sqrt(320))
    small_wobble = needs_attention(frame_of(steady_week(190)), frame_of(steady_week(200)))
    assert not any(item.figure == "Volume" for item in small_wobble)


def test_shorter_talk_time_needs_a_robust_margin() -> None:
    previous = frame_of(steady_week(100))
    current = frame_of([make_call(durationMs=30_000 + 1_000 * (i % 40)) for i in range(100)])
    item = next(i for i in needs_attention(current, previous) if i.figure == "Median talk time")
    assert item.text == "Median talk time: 0:46, down from 1:16 (-0:30)" and item.severity > 0
    nudged = frame_of([make_call(durationMs=65_000 + 1_000 * (i % 40)) for i in range(100)])
    assert not any(i.figure == "Median talk time" for i in needs_attention(nudged, previous))


def test_short_connected_calls_link_to_the_shortest_first() -> None:
    previous = frame_of(steady_week(200))
    current = frame_of(steady_week(150), calls(50, disposition="Qualified", durationMs=4_000))
    item = next(i for i in needs_attention(current, previous) if i.figure.startswith("Short connected calls"))
    assert item.params == {"sort_by": "duration", "order": "asc"}
    assert "25% of connected calls (50), up from 0% (0)" in item.text


def test_missing_recordings_and_transcripts_are_bad_news() -> None:
    previous = frame_of(steady_week(200))
    current = frame_of(
        steady_week(150), calls(50, recordingUrl=None, stereoRecordingUrl=None, mainRecordingUrl=None, transcript="")
    )
    figures = {i.figure: i for i in needs_attention(current, previous)}
    assert figures["Connected calls without a recording"].severity > 0
    assert figures["Connected calls without a transcript"].severity > 0


def test_attention_item_is_a_plain_value() -> None:
    item = AttentionItem("Volume", "Volume: 1 call", 4.0)
    assert item.params == {}


def test_volume_is_not_judged_while_the_period_is_still_going() -> None:
    items = needs_attention(frame_of(steady_week(120)), frame_of(steady_week(200)), complete=False)
    assert not any(item.figure == "Volume" for item in items)


def dated(count: int, first_day: int, **overrides: object) -> list[dict]:
    """`count` calls spread over seven days of March 2025 from `first_day`."""
    return [make_call(createdAt=f"2025-03-{first_day + i % 7:02d}T10:00:00Z", **overrides) for i in range(count)]


def at(year: int, month: int, day: int) -> datetime:
    """Noon UTC of that day: the report's and the Overview's `now`."""
    return datetime(year, month, day, 12, 0, tzinfo=UTC)


def two_weeks() -> pd.DataFrame:
    return frame_of(
        dated(147, 1),
        dated(3, 1, disposition="Pipeline Error", durationMs=1_000),
        dated(134, 8),
        dated(36, 8, disposition="Pipeline Error", durationMs=1_000),
    )


def test_attention_for_a_chosen_week_compares_it_with_the_week_before() -> None:
    filters = CallFilters(start=date(2025, 3, 8), end=date(2025, 3, 14))
    found = attention_for(two_weeks(), filters, date(2025, 3, 1), date(2025, 3, 14), at(2025, 3, 20))
    error = next(item for item in found.items if item.figure == "Pipeline Error")
    assert error.text.startswith("Pipeline Error: 21% of calls (36), up from 2.0% (3)")
    assert found.empty_line() is None
    assert found.caption() == (
        "Comparing 8–14 Mar 2025 against 1–7 Mar 2025. Calls stopped on its last day, so volume is not judged."
    )  # on 20 Mar, six days after the newest call


def test_attention_without_a_range_watches_the_last_week_with_calls() -> None:
    found = attention_for(two_weeks(), CallFilters(), date(2025, 3, 1), date(2025, 3, 14), at(2025, 3, 14))
    assert found.comparison is not None and found.comparison.current == Period(date(2025, 3, 8), date(2025, 3, 14))
    assert found.scope.startswith("the last 7 days with calls (8–14 Mar 2025)")
    assert found.caption().endswith("Today is not over yet, so volume is not judged.")
    assert any(item.figure == "Pipeline Error" for item in found.items)


def test_attention_says_in_one_line_when_there_is_nothing_to_list() -> None:
    df = two_weeks()
    nothing = attention_for(build_frame([]).df, CallFilters(), None, None, None)
    assert nothing.empty_line() == "There are no calls with a time to compare."
    early = CallFilters(start=date(2025, 3, 1), end=date(2025, 3, 7))
    line = attention_for(df, early, date(2025, 3, 1), date(2025, 3, 14), None).empty_line()
    assert line == "Nothing to compare 1–7 Mar 2025 against 22–28 Feb 2025: there are no loaded calls from the " + (
        "previous period (22–28 Feb 2025)."
    )
    steady = frame_of(dated(140, 1), dated(140, 8))
    week = CallFilters(start=date(2025, 3, 8), end=date(2025, 3, 14))
    calm = attention_for(steady, week, date(2025, 3, 1), date(2025, 3, 14), None)
    assert (
        calm.items == []
        and calm.empty_line() == "Nothing moved by a meaningful margin: 8–14 Mar 2025 against 1–7 Mar 2025."
    )


def test_attention_for_applies_the_views_other_filters_to_both_periods() -> None:
    filters = CallFilters(start=date(2025, 3, 8), end=date(2025, 3, 14), dispositions=("Qualified",))
    found = attention_for(two_weeks(), filters, date(2025, 3, 1), date(2025, 3, 14), None)
    assert found.items == []


def test_a_range_running_past_the_newest_call_compares_its_days_with_calls_and_says_the_calls_stopped() -> None:
    week = CallFilters(start=date(2025, 3, 12), end=date(2025, 3, 18))  # calls stopped on 14 Mar
    found = attention_for(
        frame_of(dated(140, 1), dated(140, 8)), week, date(2025, 3, 1), date(2025, 3, 14), at(2025, 3, 19)
    )
    assert found.comparison is not None
    assert found.comparison.current == Period(date(2025, 3, 12), date(2025, 3, 14))
    assert found.comparison.previous == Period(date(2025, 3, 9), date(2025, 3, 11))
    assert found.silence is not None and found.silence.text == "No calls since 14 Mar 2025 (5 days)"
    assert not any(item.figure == "Volume" for item in found.items)
    assert found.caption() == (
        "Comparing 12–14 Mar 2025 against 9–11 Mar 2025, compared over the 3 days with calls. Calls stopped on its "
        "last day, so volume is not judged."
    )


def test_a_range_after_the_newest_call_has_nothing_to_compare_but_the_silence() -> None:
    week = CallFilters(start=date(2025, 3, 15), end=date(2025, 3, 21))
    found = attention_for(two_weeks(), week, date(2025, 3, 1), date(2025, 3, 14), at(2025, 3, 22))
    assert found.items == []
    assert found.silence is not None and found.silence.text == "No calls since 14 Mar 2025 (8 days)"
    assert found.empty_line() == (
        "Nothing to compare 15–21 Mar 2025 against 8–14 Mar 2025: there are no calls in 15–21 Mar 2025."
    )


def test_the_silence_is_said_whatever_the_period_and_leaves_test_calls_out_unless_shown() -> None:
    df = frame_of(dated(140, 1), dated(140, 8), [make_call(createdAt="2025-03-20T10:00:00Z", testFlag=True)])
    early = CallFilters(start=date(2025, 3, 1), end=date(2025, 3, 7))
    found = attention_for(df, early, date(2025, 3, 1), date(2025, 3, 20), at(2025, 3, 22))
    assert found.silence is not None and found.silence.text == "No calls since 14 Mar 2025 (8 days)"
    with_tests = attention_for(
        df, replace(early, include_tests=True), date(2025, 3, 1), date(2025, 3, 20), at(2025, 3, 22)
    )
    assert with_tests.silence is None  # 2 days after a test call, within the usual 6 days between calls
    later = attention_for(df, replace(early, include_tests=True), date(2025, 3, 1), date(2025, 3, 20), at(2025, 3, 27))
    assert later.silence is not None and later.silence.text == "No calls since 20 Mar 2025 (7 days)"
    assert (
        attention_for(df, early, date(2025, 3, 1), date(2025, 3, 20), datetime(2025, 3, 15, 9, 0, tzinfo=UTC)).silence
        is None
    )
    assert attention_for(df, early, date(2025, 3, 1), date(2025, 3, 20), None).silence is None
