import math

import pandas as pd

from carecycle_dash.data.frame import build_frame
from carecycle_dash.data.patterns import FUNNEL_STAGES, MIN_CALLS_FOR_RATE, hour_of_week, outcome_funnel
from tests.factories import make_call

CONVERSATION = "AI: Hello\nUser: Hi\nAI: Tuesday?\nUser: Yes"


def frame_of(*calls: dict) -> pd.DataFrame:
    return build_frame(list(calls)).df


def cell(table: pd.DataFrame, weekday: int, hour: int) -> pd.Series:
    return table[(table["weekday"] == weekday) & (table["hour"] == hour)].iloc[0]


def test_hour_of_week_has_every_hour_of_the_week_even_without_calls() -> None:
    result = hour_of_week(frame_of())
    assert len(result.table) == 168
    assert result.table["calls"].sum() == 0
    assert result.table["connected_rate"].isna().all() and result.table["success_rate"].isna().all()
    assert result.without_time == 0
    assert result.table[["weekday", "hour"]].iloc[0].tolist() == [0, 0]
    assert result.table[["weekday", "hour"]].iloc[-1].tolist() == [6, 23]


def test_one_call_is_counted_in_its_local_hour_but_gives_no_rate() -> None:
    # Saturday 2025-03-01 23:30 UTC is Sunday 00:30 in Berlin.
    df = frame_of(make_call(createdAt="2025-03-01T23:30:00Z"))
    utc = hour_of_week(df, "UTC").table
    berlin = hour_of_week(df, "Europe/Berlin").table
    assert cell(utc, 5, 23)["calls"] == 1
    assert cell(berlin, 6, 0)["calls"] == 1
    assert math.isnan(cell(utc, 5, 23)["connected_rate"])


def test_calls_without_time_are_left_out_and_counted() -> None:
    result = hour_of_week(frame_of(make_call(createdAt=None), make_call(createdAt="bad"), make_call()))
    assert result.table["calls"].sum() == 1
    assert result.without_time == 2


def test_rates_appear_from_the_minimum_count_and_use_their_own_denominators() -> None:
    at = "2025-03-03T09:10:00Z"
    calls = [make_call(createdAt=at, disposition="Qualified", successEvaluation="true") for _ in range(3)]
    calls += [make_call(createdAt=at, disposition="Voicemail", durationMs=0, successEvaluation=None) for _ in range(2)]
    calls += [make_call(createdAt=at, disposition="Not Interested", successEvaluation="false") for _ in range(2)]
    row = cell(hour_of_week(frame_of(*calls)).table, 0, 9)
    assert row["calls"] == 7 and row["connected"] == 5
    assert row["connected_rate"] == 5 / 7
    assert row["evaluated"] == 5 and row["succeeded"] == 3
    assert row["success_rate"] == 3 / 5
    fewer = cell(hour_of_week(frame_of(*calls[: MIN_CALLS_FOR_RATE - 1])).table, 0, 9)
    assert math.isnan(fewer["connected_rate"])


def test_funnel_of_no_calls_is_all_zero_without_shares() -> None:
    funnel = outcome_funnel(frame_of())
    assert funnel["stage"].tolist() == list(FUNNEL_STAGES)
    assert funnel["calls"].tolist() == [0] * 5
    assert funnel["share_of_all"].isna().all()


def test_each_funnel_stage_keeps_only_calls_that_passed_the_ones_before() -> None:
    df = frame_of(
        make_call(disposition="Appointment Scheduled", transcript=CONVERSATION, successEvaluation="true"),
        make_call(disposition=" identity verified ", transcript=CONVERSATION, successEvaluation="9/10"),
        make_call(disposition="Not Interested", transcript=CONVERSATION, successEvaluation="true"),
        make_call(disposition="Qualified", transcript=CONVERSATION, successEvaluation="false"),
        make_call(disposition="Qualified", transcript="AI: Hello\nUser: Bye", successEvaluation="true"),
        make_call(disposition="Voicemail", durationMs=0, transcript=CONVERSATION, successEvaluation="true"),
    )
    funnel = outcome_funnel(df)
    assert funnel["calls"].tolist() == [6, 5, 4, 3, 2]
    assert funnel["share_of_all"].tolist() == [1.0, 5 / 6, 4 / 6, 3 / 6, 2 / 6]
    assert funnel["share_of_previous"].tolist() == [1.0, 5 / 6, 4 / 5, 3 / 4, 2 / 3]


def test_one_call_funnel() -> None:
    funnel = outcome_funnel(frame_of(make_call(transcript=CONVERSATION)))
    assert funnel["calls"].tolist() == [1, 1, 1, 1, 1]
