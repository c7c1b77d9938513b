"""The hour-of-week heatmap: a cell per hour that maps back to its weekday and hour, and its empty state."""

from __future__ import annotations

from typing import Any

import pytest

from carecycle_dash.data.frame import build_frame
from carecycle_dash.data.patterns import MEASURES, hour_of_week
from carecycle_dash.output.heatmap import hour_of_week_chart
from tests.factories import make_call
from tests.test_charts import sample_frame


@pytest.mark.parametrize("measure", MEASURES)
def test_hour_of_week_chart_has_a_cell_per_hour_that_maps_back_to_weekday_and_hour(measure: Any) -> None:
    df = sample_frame()
    figure = hour_of_week_chart(hour_of_week(df, "UTC"), measure, "UTC", selected=(5, 15))
    heatmap, cells = figure.data
    assert heatmap.type == "heatmap" and len(heatmap.z) == 7 and len(heatmap.z[0]) == 24
    assert len(cells.customdata) == 168
    # 2025-03-01 was a Saturday: its 15:00 calls sit in weekday 5, hour 15.
    row = next(r for r in cells.customdata if int(r[0]) == 5 and int(r[1]) == 15)
    assert row[2] == "Saturday 15:00–15:59" and row[3] == "4"
    assert figure.layout.shapes[0].x0 == 14.5


def test_hour_of_week_chart_without_times_says_so() -> None:
    df = build_frame([make_call(createdAt=None)]).df
    figure = hour_of_week_chart(hour_of_week(df), "calls")
    assert figure.layout.annotations[0].text == "No calls with a time"


def test_hour_of_week_chart_escapes_the_time_zone_name() -> None:
    figure = hour_of_week_chart(hour_of_week(sample_frame()), "success_rate", "<b>UTC")
    assert "&lt;b&gt;UTC" in figure.layout.title.text
