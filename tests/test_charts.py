import re
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from carecycle_dash.data.frame import build_frame
from carecycle_dash.data.metrics import disposition_breakdown
from carecycle_dash.data.patterns import FUNNEL_STAGES
from carecycle_dash.output import charts, time_charts
from carecycle_dash.output.colors import disposition_colors
from tests.factories import hostile_calls, make_call

HEX_COLOR = re.compile(r"^#[0-9a-f]{6}$")
HOSTILE_LINK = '<a href="javascript:alert(1)">x</a>'
ALL_CHARTS = [
    charts.disposition_chart,
    charts.duration_histogram,
    charts.duration_by_disposition_chart,
    time_charts.calls_over_time_chart,
    charts.outcome_funnel_chart,
]


def strings_in(value: Any) -> Iterator[str]:
    """Every string anywhere in a figure: labels, names, hover data, titles, annotations."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, (list, tuple, np.ndarray)):
        for item in value:
            yield from strings_in(item)


def sample_frame() -> pd.DataFrame:
    calls = []
    for day in range(1, 8):
        for disposition, seconds in (("Qualified", 240), ("Voicemail", 20), ("Transferred", 400), ("Qualified", 90)):
            calls.append(
                make_call(disposition=disposition, durationMs=seconds * 1000, createdAt=f"2025-03-{day:02d}T15:00:00Z")
            )
    return build_frame(calls).df


@pytest.mark.parametrize(
    ("chart", "title", "x_title", "y_type", "y_title"),
    [
        # Category axes speak for themselves (the title names them); value axes carry a title.
        (charts.disposition_chart, "Calls by disposition", "Calls", "category", None),
        (charts.duration_histogram, "Talk time of connected calls", "Talk time (minutes)", None, "Connected calls"),
        (charts.duration_by_disposition_chart, "Call duration by disposition", "Duration (minutes)", "category", None),
        (time_charts.calls_over_time_chart, "Calls per day (UTC)", "Day", None, "Calls"),
        (charts.outcome_funnel_chart, "How far calls got", "Calls", "category", None),
    ],
)
def test_each_chart_draws_calls(chart: Any, title: str, x_title: str, y_type: str | None, y_title: str | None) -> None:
    figure = chart(sample_frame())
    assert isinstance(figure, go.Figure)
    assert len(figure.data) >= 1
    assert not figure.layout.annotations
    assert figure.layout.title.text == title
    assert figure.layout.xaxis.title.text == x_title
    assert (figure.layout.yaxis.type, figure.layout.yaxis.title.text) == (y_type, y_title)


@pytest.mark.parametrize("chart", ALL_CHARTS)
def test_no_calls_give_an_empty_state_not_a_crash(chart: Any) -> None:
    figure = chart(build_frame([]).df)
    assert len(figure.data) == 0
    assert figure.layout.annotations[0].text == "No calls match"


@pytest.mark.parametrize("chart", ALL_CHARTS)
def test_hostile_calls_draw_with_every_api_string_escaped(chart: Any) -> None:
    df = build_frame([*hostile_calls(), make_call(disposition=HOSTILE_LINK, durationMs=300_000)]).df
    figure = chart(df)
    text = list(strings_in(figure.to_plotly_json()))
    assert not any("<a" in s or "<b>bold" in s or "<script" in s for s in text)
    if chart not in (charts.duration_histogram, charts.outcome_funnel_chart):
        assert any('&lt;a href="javascript:alert(1)"&gt;x&lt;/a&gt;' in s for s in text)


def test_hover_templates_hold_no_data_only_placeholders() -> None:
    df = build_frame([make_call(disposition="%{x} <b>"), make_call(disposition="Voicemail")]).df
    for chart in ALL_CHARTS:
        for trace in chart(df).data:
            template = trace.hovertemplate or ""
            assert "%{x} <b>" not in template and "&lt;b&gt;" not in template


def test_disposition_chart_is_sorted_and_labelled_with_count_and_share() -> None:
    df = sample_frame()
    bar = charts.disposition_chart(df).data[0]
    assert bar.orientation == "h"
    assert list(bar.y) == disposition_breakdown(df)["disposition"].tolist() == ["Qualified", "Transferred", "Voicemail"]
    assert list(bar.x) == [14, 7, 7]
    assert bar.text[0] == "14 (50.0%)"
    assert list(bar.customdata[0]) == ["Qualified", "14", "50.0%"]


def test_the_same_disposition_has_the_same_colour_in_every_chart() -> None:
    df = sample_frame()
    expected = disposition_colors(["Qualified", "Voicemail", "Transferred"])
    bar = charts.disposition_chart(df).data[0]
    assert dict(zip(bar.y, bar.marker.color, strict=True)) == expected
    stacked = time_charts.calls_over_time_chart(df).data
    assert {t.name: t.marker.color for t in stacked} == expected
    boxes = [t for t in charts.duration_by_disposition_chart(df).data if t.type == "box"]
    assert {t.y[0]: t.marker.color for t in boxes} == expected


def test_duration_histogram_is_in_minutes_with_formatted_hover() -> None:
    figure = charts.duration_histogram(sample_frame())
    bar = figure.data[0]
    assert sum(bar.y) == 21  # the seven voicemails are not connected
    assert "minutes" in figure.layout.xaxis.title.text
    assert all("–" in row[0] or "≥" in row[0] for row in bar.customdata)


def test_duration_by_disposition_has_one_box_per_disposition_and_a_readable_hover() -> None:
    figure = charts.duration_by_disposition_chart(sample_frame())
    boxes = [t for t in figure.data if t.type == "box"]
    assert [b.y[0] for b in boxes] == ["Qualified", "Transferred", "Voicemail"]
    assert boxes[0].median[0] == pytest.approx(165 / 60)
    hover = next(t for t in figure.data if t.type == "scatter")
    assert list(hover.customdata[0][:3]) == ["Qualified", "14", "2:45"]


def test_number_and_date_like_dispositions_stay_categories() -> None:
    df = build_frame([make_call(disposition="2025-01-01"), make_call(disposition="42")]).df
    assert charts.disposition_chart(df).layout.yaxis.type == "category"
    assert charts.duration_by_disposition_chart(df).layout.yaxis.type == "category"


def test_a_disposition_with_no_durations_gives_a_friendly_note() -> None:
    df = build_frame([make_call(durationMs=None)]).df
    assert charts.duration_by_disposition_chart(df).layout.annotations[0].text == "No calls with a duration"
    assert charts.duration_histogram(df).layout.annotations[0].text == "No connected calls with a duration"


def test_outcome_funnel_chart_has_the_five_stages_with_counts_and_shares() -> None:
    trace = charts.outcome_funnel_chart(sample_frame()).data[0]
    assert trace.type == "funnel"
    assert list(trace.y) == list(FUNNEL_STAGES)
    assert trace.text[0] == "28 (100%)"
