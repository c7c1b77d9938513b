from datetime import date

import numpy as np
import pandas as pd
import pytest

from carecycle_dash.data.filters import CallFilters
from carecycle_dash.data.frame import build_frame
from carecycle_dash.data.metrics import overview_figures
from carecycle_dash.data.periods import (
    Period,
    attention_period,
    changes_since,
    chosen_period,
    compare,
    coverage,
    daily_figures,
    default_range,
    figure_changes,
    filters_for,
    headline_comparison,
    matching_preset,
    preset_range,
    previous_period,
    trend_figures,
)
from tests.factories import make_call


def frame_of(*calls: dict) -> pd.DataFrame:
    return build_frame(list(calls)).df


def test_previous_period_has_the_same_length_and_ends_the_day_before() -> None:
    week = Period(date(2026, 11, 21), date(2026, 11, 27))
    assert previous_period(week) == Period(date(2026, 11, 14), date(2026, 11, 20))
    assert week.days == 7


def test_previous_period_of_one_day_is_the_day_before() -> None:
    day = Period(date(2026, 3, 1), date(2026, 3, 1))
    assert previous_period(day) == Period(date(2026, 2, 28), date(2026, 2, 28))


def test_period_labels_are_short_and_unambiguous() -> None:
    assert Period(date(2026, 11, 21), date(2026, 11, 27)).label == "21–27 Nov 2026"
    assert Period(date(2026, 10, 28), date(2026, 11, 3)).label == "28 Oct – 3 Nov 2026"
    assert Period(date(2025, 12, 30), date(2026, 1, 2)).label == "30 Dec 2025 – 2 Jan 2026"
    assert Period(date(2026, 11, 27), date(2026, 11, 27)).label == "27 Nov 2026"


def test_coverage_needs_calls_from_the_first_day_of_the_previous_period() -> None:
    previous = Period(date(2026, 11, 14), date(2026, 11, 20))
    assert coverage(previous, date(2026, 6, 1)) == "full"
    assert coverage(previous, date(2026, 11, 14)) == "full"
    assert coverage(previous, date(2026, 11, 15)) == "partial"
    assert coverage(previous, date(2026, 11, 21)) == "none"
    assert coverage(previous, None) == "none"


def test_comparison_caption_names_the_previous_period_or_says_why_not() -> None:
    week = Period(date(2026, 11, 21), date(2026, 11, 27))
    full = compare(week, date(2026, 6, 1))
    assert full.comparable and "14–20 Nov 2026" in full.caption()
    partial = compare(week, date(2026, 11, 18))
    assert not partial.comparable and "begin inside" in partial.caption()
    before_first_call = compare(Period(date(2026, 6, 1), date(2026, 6, 7)), date(2026, 6, 1))
    assert not before_first_call.comparable and "no loaded calls" in before_first_call.caption()


def test_chosen_period_fills_open_ends_with_the_data_span() -> None:
    first, last = date(2026, 6, 1), date(2026, 11, 27)
    assert chosen_period(CallFilters(), first, last) == Period(first, last)
    assert chosen_period(CallFilters(start=date(2026, 11, 1)), first, last) == Period(date(2026, 11, 1), last)
    assert chosen_period(CallFilters(), None, None) is None


def test_attention_looks_at_the_last_week_when_no_range_is_chosen() -> None:
    first, last = date(2026, 6, 1), date(2026, 11, 27)
    assert attention_period(CallFilters(), first, last) == Period(date(2026, 11, 21), last)
    chosen = CallFilters(start=date(2026, 9, 1), end=date(2026, 9, 30))
    assert attention_period(chosen, first, last) == Period(date(2026, 9, 1), date(2026, 9, 30))
    assert attention_period(CallFilters(), None, None) is None


def test_filters_for_keeps_every_other_filter() -> None:
    filters = CallFilters(dispositions=("Voicemail",), text="refill", include_tests=True)
    moved = filters_for(filters, Period(date(2026, 1, 1), date(2026, 1, 7)))
    assert moved.start == date(2026, 1, 1) and moved.end == date(2026, 1, 7)
    assert moved.dispositions == ("Voicemail",) and moved.text == "refill" and moved.include_tests


@pytest.mark.parametrize(
    ("preset", "expected"),
    [
        ("Last 7 days", (date(2026, 11, 21), date(2026, 11, 27))),
        ("Last 30 days", (date(2026, 10, 29), date(2026, 11, 27))),
        ("This month", (date(2026, 11, 1), date(2026, 11, 27))),
        ("All", (date(2026, 6, 1), date(2026, 11, 27))),
    ],
)
def test_presets_end_on_the_last_day_with_data(preset: str, expected: tuple[date, date]) -> None:
    assert preset_range(preset, date(2026, 6, 1), date(2026, 11, 27)) == expected
    assert matching_preset(expected, date(2026, 6, 1), date(2026, 11, 27)) == preset


def test_presets_never_start_before_the_first_call() -> None:
    assert preset_range("Last 30 days", date(2026, 11, 20), date(2026, 11, 27)) == (
        date(2026, 11, 20),
        date(2026, 11, 27),
    )
    assert matching_preset((date(2026, 11, 22), date(2026, 11, 23)), date(2026, 6, 1), date(2026, 11, 27)) is None


def test_figure_changes_are_differences_points_and_m_ss() -> None:
    before = overview_figures(
        frame_of(
            make_call(disposition="Qualified", durationMs=60_000, successEvaluation="true"),
            make_call(disposition="Voicemail", durationMs=30_000, successEvaluation="false"),
        )
    )
    now = overview_figures(
        frame_of(
            make_call(disposition="Qualified", durationMs=90_000, successEvaluation="true"),
            make_call(disposition="Qualified", durationMs=90_000, successEvaluation="true"),
            make_call(disposition="Voicemail", durationMs=30_000, successEvaluation="true"),
        )
    )
    changes = figure_changes(now, before)
    assert changes["total_calls"].text == "+1" and changes["total_calls"].sign == 1
    assert changes["success_rate"].text == "+50.0 pp"
    assert changes["connected_rate"].text == "+16.7 pp"
    assert changes["median_talk_s"].text == "+0:30"
    assert changes["inbound"].text == "0" and changes["inbound"].sign == 0


def test_figure_changes_downwards_and_without_a_rate() -> None:
    before = overview_figures(frame_of(make_call(durationMs=120_000), make_call(durationMs=120_000)))
    now = overview_figures(frame_of(make_call(durationMs=60_000, successEvaluation=None)))
    changes = figure_changes(now, before)
    assert changes["total_calls"].text == "-1" and changes["total_calls"].sign == -1
    assert changes["median_talk_s"].text == "-1:00"
    assert changes["success_rate"] is None
    assert figure_changes(overview_figures(build_frame([]).df), before)["connected_rate"] is None


def test_daily_figures_cover_every_day_of_the_period_in_local_time() -> None:
    df = frame_of(
        make_call(createdAt="2026-11-21T03:00:00Z", direction="inbound", durationMs=60_000),  # 20 Nov in New York
        make_call(createdAt="2026-11-21T15:00:00Z", durationMs=30_000, successEvaluation="false"),
        make_call(createdAt="2026-11-23T15:00:00Z", disposition="Voicemail", durationMs=20_000),
        make_call(createdAt=None),
    )
    daily = daily_figures(df, Period(date(2026, 11, 20), date(2026, 11, 23)), "America/New_York")
    assert list(daily["total_calls"]) == [1, 1, 0, 1]
    assert list(daily["inbound"]) == [1, 0, 0, 0]
    assert list(daily["median_talk_s"].iloc[:2]) == [60.0, 30.0]
    assert np.isnan(daily["connected_rate"].iloc[2])
    assert daily["connected_rate"].iloc[3] == 0.0
    assert list(daily["success_rate"].iloc[:2]) == [1.0, 0.0]


def test_daily_figures_of_no_calls_are_zero() -> None:
    daily = daily_figures(build_frame([]).df, Period(date(2026, 1, 1), date(2026, 1, 1)), "UTC")
    assert list(daily["total_calls"]) == [0]
    assert np.isnan(daily["success_rate"].iloc[0])


def test_a_period_ending_today_is_ongoing_and_says_so() -> None:
    week = Period(date(2026, 11, 23), date(2026, 11, 29))
    running = compare(week, date(2026, 6, 1), today=date(2026, 11, 29))
    assert running.ongoing and "still growing" in running.caption()
    assert not compare(week, date(2026, 6, 1), today=date(2026, 12, 1)).ongoing


def test_weekly_buckets_end_on_the_last_day_and_drop_a_partial_first_week() -> None:
    df = frame_of(
        make_call(createdAt="2026-11-01T12:00:00Z"),  # in the partial first week: left out
        make_call(createdAt="2026-11-07T12:00:00Z"),
        make_call(createdAt="2026-11-13T12:00:00Z"),
        make_call(createdAt="2026-11-14T12:00:00Z"),
        make_call(createdAt="2026-11-20T12:00:00Z"),
        make_call(createdAt="2026-11-21T12:00:00Z"),  # after the period
    )
    weekly = daily_figures(df, Period(date(2026, 11, 1), date(2026, 11, 20)), "UTC", bucket_days=7)
    assert [d.date() for d in weekly.index] == [date(2026, 11, 13), date(2026, 11, 20)]
    assert list(weekly["total_calls"]) == [2, 2]


def test_trends_go_weekly_for_long_periods() -> None:
    df = frame_of(make_call(createdAt="2026-11-20T12:00:00Z"))
    assert len(trend_figures(df, Period(date(2026, 6, 1), date(2026, 11, 27)), "UTC")) == 25
    assert len(trend_figures(df, Period(date(2026, 11, 1), date(2026, 11, 27)), "UTC")) == 27


def test_headline_changes_need_a_chosen_range_covered_in_full() -> None:
    first, last = date(2025, 3, 1), date(2025, 3, 14)
    assert headline_comparison(CallFilters(), first, last, None) is None
    week = headline_comparison(CallFilters(start=date(2025, 3, 8), end=last), first, last, None)
    assert week is not None and week.comparable and week.previous == Period(date(2025, 3, 1), date(2025, 3, 7))
    open_start = headline_comparison(CallFilters(end=date(2025, 3, 7)), first, last, None)
    assert open_start is not None and open_start.current.start == first and not open_start.comparable


def test_changes_since_compare_the_same_filters_over_the_previous_period() -> None:
    df = frame_of(
        *[make_call(createdAt=f"2025-03-0{d}T10:00:00Z", disposition="Voicemail") for d in range(1, 8)],
        *[make_call(createdAt=f"2025-03-{d:02d}T10:00:00Z", disposition="Qualified") for d in range(8, 15)],
        make_call(createdAt="2025-03-09T10:00:00Z", disposition="Qualified"),
    )
    filters = CallFilters(start=date(2025, 3, 8), end=date(2025, 3, 14))
    comparison = headline_comparison(filters, date(2025, 3, 1), date(2025, 3, 14), None)
    now = overview_figures(df[df["createdAt"] >= pd.Timestamp("2025-03-08", tz="UTC")])
    changes = changes_since(df, filters, comparison, now)
    assert changes["total_calls"].text == "+1"
    assert changes["connected_rate"].text == "+100.0 pp"
    assert changes_since(df, CallFilters(), None, now) == {}
    too_long = CallFilters(start=date(2025, 3, 2), end=date(2025, 3, 14))
    early = headline_comparison(too_long, date(2025, 3, 1), None, None)
    assert changes_since(df, filters, early, now) == {}


def test_a_view_opens_on_the_last_seven_days_with_calls_the_period_needs_attention_watches() -> None:
    first, last = date(2026, 6, 1), date(2026, 11, 27)
    assert default_range(first, last) == (date(2026, 11, 21), last)
    assert Period(*default_range(first, last)) == attention_period(CallFilters(), first, last)
    assert default_range(date(2026, 11, 25), last) == (date(2026, 11, 25), last)


def test_a_period_past_the_newest_call_is_compared_over_its_days_with_calls() -> None:
    week = Period(date(2026, 11, 25), date(2026, 12, 1))
    past = compare(week, date(2026, 6, 1), date(2026, 12, 3), date(2026, 11, 27))
    assert (past.current, past.previous, past.calendar) == (
        Period(date(2026, 11, 25), date(2026, 11, 27)),
        Period(date(2026, 11, 22), date(2026, 11, 24)),
        week,
    )
    assert past.caption() == (
        "Changes compare 25–27 Nov 2026 with the 3 days before (22–24 Nov 2026), compared over the 3 days with calls."
    )
    one_day = compare(week, date(2026, 6, 1), None, date(2026, 11, 25))
    assert one_day.with_calls == ", compared over the 1 day with calls" and one_day.previous.days == 1
    after = compare(week, date(2026, 6, 1), date(2026, 12, 3), date(2026, 11, 20))
    assert (after.comparable, after.caption()) == (
        False,
        "No changes shown: there are no calls in 25 Nov – 1 Dec 2026.",
    )
    within = compare(week, date(2026, 6, 1), date(2026, 12, 3), date(2026, 12, 1))
    assert (within.calendar, within.with_calls) == (None, "")
