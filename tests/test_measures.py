"""What each call counts for: its duration and talk time in seconds, and its local day and week."""

from __future__ import annotations

import math

import pandas as pd

from carecycle_dash.data.frame import build_frame
from carecycle_dash.data.measures import durations_s, local_days, local_weeks, talk_s, talk_times_s
from tests.factories import make_call


def sample() -> pd.DataFrame:
    return build_frame(
        [
            make_call(disposition="Qualified", durationMs=61_500),
            make_call(disposition="Voicemail", durationMs=20_000),
            make_call(disposition="Transferred", durationMs=None),
        ]
    ).df


def test_durations_are_seconds_and_talk_is_only_of_connected_calls() -> None:
    df = sample()
    assert durations_s(df).tolist()[:2] == [61.5, 20.0] and math.isnan(durations_s(df)[2])
    talk = talk_s(df).tolist()
    assert talk[0] == 61.5 and math.isnan(talk[1]) and math.isnan(talk[2])
    assert talk_times_s(df).tolist() == [61.5]


def test_local_days_and_weeks_are_naive_local_midnights() -> None:
    times = pd.Series(pd.to_datetime(["2026-11-02T03:30:00Z", "2026-11-05T12:00:00Z"], utc=True)).dt.as_unit("us")
    assert local_days(times, "America/New_York").tolist() == [pd.Timestamp("2026-11-01"), pd.Timestamp("2026-11-05")]
    assert local_weeks(times, "America/New_York").tolist() == [
        pd.Timestamp("2026-10-26"),
        pd.Timestamp("2026-11-02"),
    ]
    assert str(local_weeks(times, "UTC").dtype) == "datetime64[us]"
