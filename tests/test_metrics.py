import math
from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from carecycle_dash.data.frame import build_frame
from carecycle_dash.data.metrics import (
    OTHER_LABEL,
    OverviewFigures,
    calls_per_day,
    disposition_breakdown,
    duration_by_disposition,
    headline_parts,
    headline_table,
    overview_figures,
    talk_time_distribution,
)
from tests.factories import hostile_calls, make_call


def frame_of(*calls: dict) -> pd.DataFrame:
    return build_frame(list(calls)).df


def test_overview_figures_count_and_rate() -> None:
    df = frame_of(
        make_call(disposition="Qualified", durationMs=60_000, successEvaluation="true", direction="inbound"),
        make_call(disposition="Transferred", durationMs=180_000, successEvaluation="false", direction="outbound"),
        make_call(disposition="Voicemail", durationMs=30_000, successEvaluation="", direction="outbound"),
        make_call(disposition="Voicemail", durationMs=None, successEvaluation="9", direction="OUTBOUND", testFlag=True),
    )
    figures = overview_figures(df)
    assert figures == OverviewFigures(
        total_calls=4,
        connected_calls=2,
        connected_rate=0.5,
        median_talk_s=120.0,
        total_talk_s=240.0,
        evaluated_calls=3,
        success_rate=pytest.approx(2 / 3),
        inbound=1,
        outbound=3,
        test_calls=1,
        test_share=0.25,
        error_calls=0,
        error_share=0.0,
    )


def test_overview_of_no_calls_has_no_rates() -> None:
    figures = overview_figures(build_frame([]).df)
    assert figures.total_calls == 0 and figures.total_talk_s == 0.0
    assert figures.connected_rate is None and figures.success_rate is None and figures.test_share is None
    assert figures.error_calls == 0 and figures.error_share is None
    assert figures.median_talk_s is None


def test_overview_of_hostile_calls_is_finite() -> None:
    figures = overview_figures(build_frame(hostile_calls()).df)
    assert figures.total_calls == len(hostile_calls())
    assert math.isfinite(figures.total_talk_s)


def test_disposition_breakdown_sorted_with_shares_and_none() -> None:
    df = frame_of(
        make_call(disposition="Voicemail"),
        make_call(disposition="Voicemail"),
        make_call(disposition="Qualified"),
        make_call(disposition=None),
        make_call(disposition="Bad Contact"),
    )
    out = disposition_breakdown(df)
    assert list(out.columns) == ["disposition", "calls", "share"]
    assert out["disposition"].tolist() == ["Voicemail", "(none)", "Bad Contact", "Qualified"]
    assert out["calls"].tolist() == [2, 1, 1, 1]
    assert out["share"].tolist() == pytest.approx([0.4, 0.2, 0.2, 0.2])
    assert out["share"].sum() == pytest.approx(1.0)


def test_disposition_breakdown_of_no_calls_is_empty() -> None:
    out = disposition_breakdown(build_frame([]).df)
    assert out.empty and list(out.columns) == ["disposition", "calls", "share"]


def test_duration_by_disposition_gives_box_statistics_in_seconds() -> None:
    seconds = [10, 20, 30, 40, 1000]
    df = frame_of(
        *[make_call(disposition="Qualified", durationMs=s * 1000) for s in seconds],
        make_call(disposition="Voicemail", durationMs=5000),
        make_call(disposition="Voicemail", durationMs=None),
        make_call(disposition="Voicemail", durationMs=None),
        make_call(disposition="Voicemail", durationMs=None),
        make_call(disposition="Voicemail", durationMs=None),
        make_call(disposition="Voicemail", durationMs=None),
        make_call(disposition="Bad Contact", durationMs=None),
    )
    out = duration_by_disposition(df)
    assert out["disposition"].tolist() == ["Voicemail", "Qualified"]
    qualified = out.set_index("disposition").loc["Qualified"]
    assert qualified["calls"] == 5
    assert (qualified["min_s"], qualified["q1_s"], qualified["median_s"]) == (10, 20, 30)
    assert (qualified["q3_s"], qualified["max_s"], qualified["mean_s"]) == (40, 1000, 220)
    assert qualified["lower_s"] == 10 and qualified["upper_s"] == 40  # 1000 is beyond 40 + 1.5 * 20
    assert out.set_index("disposition").loc["Voicemail", "calls"] == 1


def test_duration_by_disposition_without_durations_is_empty() -> None:
    out = duration_by_disposition(frame_of(make_call(durationMs=None)))
    assert out.empty and "median_s" in out.columns


def test_talk_time_distribution_counts_every_connected_call_once() -> None:
    minutes = [0.2, 1.1, 1.2, 2.5, 3.9, 4.0]
    df = frame_of(
        *[make_call(disposition="Qualified", durationMs=int(m * 60_000)) for m in minutes],
        make_call(disposition="Voicemail", durationMs=120_000),
    )
    out = talk_time_distribution(df)
    assert out["calls"].sum() == len(minutes)
    width = out["bin_end_min"].iloc[0] - out["bin_start_min"].iloc[0]
    assert width == 0.25
    assert (out["bin_end_min"] - out["bin_start_min"]).eq(width).all()
    assert len(out) <= 30
    assert out["label"].iloc[0] == "0:00–0:15"
    assert not out["open_ended"].any()


def test_talk_time_distribution_folds_a_long_tail_into_an_open_last_bin() -> None:
    df = frame_of(
        *[make_call(disposition="Qualified", durationMs=(60 + i) * 1000) for i in range(200)],
        make_call(disposition="Qualified", durationMs=10 * 3600 * 1000),
    )
    out = talk_time_distribution(df)
    assert out["calls"].sum() == 201
    assert out["open_ended"].tolist()[-1] is True
    assert out["label"].iloc[-1].startswith("≥ ")
    assert out["bin_end_min"].iloc[-1] < 60


def test_talk_time_distribution_of_no_connected_calls_is_empty() -> None:
    assert talk_time_distribution(frame_of(make_call(disposition="Voicemail"))).empty


def test_calls_per_day_fills_gaps_with_zeros_in_the_viewers_time_zone() -> None:
    df = frame_of(
        make_call(disposition="Qualified", createdAt="2025-03-01T03:00:00Z"),  # 28 Feb in New York
        make_call(disposition="Qualified", createdAt="2025-03-01T15:00:00Z"),
        make_call(disposition="Voicemail", createdAt="2025-03-01T16:00:00Z"),
        make_call(disposition="Qualified", createdAt="2025-03-04T15:00:00Z"),
        make_call(disposition="Voicemail", createdAt=None),
    )
    out = calls_per_day(df, "America/New_York")
    assert list(out.columns) == ["day", "disposition", "calls"]
    days = sorted(set(out["day"]))
    assert [d.date().isoformat() for d in days] == [
        "2025-02-28",
        "2025-03-01",
        "2025-03-02",
        "2025-03-03",
        "2025-03-04",
    ]
    assert len(out) == len(days) * 2
    by = out.set_index(["day", "disposition"])["calls"]
    assert by[(pd.Timestamp("2025-02-28"), "Qualified")] == 1
    assert by[(pd.Timestamp("2025-03-01"), "Voicemail")] == 1
    assert by[(pd.Timestamp("2025-03-02"), "Qualified")] == 0
    assert out["calls"].sum() == 4
    assert out["disposition"].tolist()[:2] == ["Qualified", "Voicemail"]


def test_calls_per_day_folds_rare_dispositions_into_other() -> None:
    calls = [make_call(disposition=f"Kind {i:02d}") for i in range(20) for _ in range(i + 1)]
    out = calls_per_day(frame_of(*calls), max_dispositions=5)
    kinds = list(pd.unique(out["disposition"]))
    assert len(kinds) == 5 and kinds[-1] == OTHER_LABEL
    assert kinds[:4] == ["Kind 19", "Kind 18", "Kind 17", "Kind 16"]
    assert out["calls"].sum() == len(calls)


def test_calls_per_day_without_times_is_empty() -> None:
    assert calls_per_day(frame_of(make_call(createdAt=None))).empty


def test_metrics_do_not_mind_a_filtered_index() -> None:
    df = frame_of(*[make_call(createdAt=datetime(2025, 3, i + 1, 12).isoformat() + "Z") for i in range(6)])
    subset = df.iloc[[1, 3, 5]]
    assert overview_figures(subset).total_calls == 3
    assert calls_per_day(subset)["calls"].sum() == 3
    assert duration_by_disposition(subset)["calls"].sum() == 3


def test_headline_parts_say_what_each_call_counts_for() -> None:
    df = frame_of(
        make_call(disposition="Qualified", durationMs=60_000, successEvaluation="true", direction="Inbound "),
        make_call(disposition="Pipeline Error", durationMs=None, successEvaluation="", isTestNumber=True),
    )
    parts = headline_parts(df)
    assert parts.drop(columns="talk_s").to_dict("list") == {
        "total_calls": [True, True],
        "connected_calls": [True, False],
        "evaluated_calls": [True, False],
        "succeeded_calls": [True, False],
        "inbound": [True, False],
        "outbound": [False, True],
        "test_calls": [False, True],
        "error_calls": [False, True],
    }
    assert parts["talk_s"].tolist()[0] == 60.0 and math.isnan(parts["talk_s"].tolist()[1])


def test_headline_table_sums_each_group_and_zero_fills_the_rest() -> None:
    df = frame_of(
        make_call(disposition="Qualified", durationMs=60_000, successEvaluation="true"),
        make_call(disposition="Qualified", durationMs=120_000, successEvaluation="false"),
        make_call(disposition="Voicemail", durationMs=5_000, successEvaluation="true"),
        make_call(disposition="Qualified", durationMs=30_000),  # in no group of the index: left out
    )
    table = headline_table(headline_parts(df), np.array(["a", "a", "b", "z"]), pd.Index(["a", "b", "c"]))
    assert table["total_calls"].tolist() == [2, 1, 0]
    assert table["connected_calls"].tolist() == [2, 0, 0]
    assert table["success_rate"].tolist()[:2] == [0.5, 1.0] and math.isnan(table["success_rate"].iloc[2])
    assert table["connected_rate"].tolist()[:2] == [1.0, 0.0]
    assert table["median_talk_s"].tolist()[0] == 90.0 and table["median_talk_s"].isna().tolist() == [False, True, True]
    assert table["total_talk_s"].tolist() == [180.0, 0.0, 0.0]
