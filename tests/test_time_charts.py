"""Calls per day stacked by disposition, and calls per week mentioning a search text."""

from __future__ import annotations

import numpy as np
import pandas as pd

from carecycle_dash.data.signals import mentions_per_week
from carecycle_dash.output.time_charts import calls_over_time_chart, mentions_chart
from tests.test_charts import sample_frame


def test_calls_over_time_stacks_one_trace_per_disposition_by_day() -> None:
    figure = calls_over_time_chart(sample_frame(), "America/New_York")
    assert figure.layout.barmode == "stack"
    assert [t.name for t in figure.data] == ["Qualified", "Transferred", "Voicemail"]
    assert sum(sum(t.y) for t in figure.data) == 28
    assert len(figure.data[0].x) == 7
    assert "America/New_York" in figure.layout.title.text


def test_calls_per_day_labels_every_day_of_a_short_range_and_leaves_a_long_one_to_plotly() -> None:
    week = calls_over_time_chart(sample_frame(), "UTC").layout.xaxis
    assert week.tickmode == "array"
    assert list(week.ticktext) == [
        "Sat 01 Mar",
        "Sun 02 Mar",
        "Mon 03 Mar",
        "Tue 04 Mar",
        "Wed 05 Mar",
        "Thu 06 Mar",
        "Fri 07 Mar",
    ]
    assert len(week.tickvals) == 7
    df = sample_frame()
    df.loc[0, "createdAt"] = df["createdAt"].min() - pd.Timedelta(days=30)
    month = calls_over_time_chart(df, "UTC").layout.xaxis
    assert month.tickmode is None and month.tickvals is None


def test_a_clicked_day_carries_its_local_date() -> None:
    figure = calls_over_time_chart(sample_frame(), "UTC")
    assert [row[2] for row in figure.data[0].customdata] == [f"2025-03-{d:02d}" for d in range(1, 8)]


def test_mentions_chart_escapes_the_search_text() -> None:
    times = pd.Series(pd.to_datetime(["2026-11-02T10:00:00Z", "2026-11-10T10:00:00Z"], utc=True))
    figure = mentions_chart(mentions_per_week(times, np.array([True, False]), "UTC"), "<b>x</b>")
    assert "<b>" not in figure.layout.title.text and "&lt;b&gt;" in figure.layout.title.text
    assert list(figure.data[0].y) == [1, 0]
