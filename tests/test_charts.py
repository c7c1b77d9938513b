import re
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from carecycle_dash.api.contract import KNOWN_DISPOSITIONS
from carecycle_dash.data.frame import NONE_LABEL, build_frame
from carecycle_dash.data.metrics import disposition_breakdown
from carecycle_dash.data.patterns import FUNNEL_STAGES, MEASURES, hour_of_week
from carecycle_dash.data.signals import mentions_per_week
from carecycle_dash.output import charts
from carecycle_dash.output.charts import disposition_colors
from tests.factories import hostile_calls, make_call

HEX_COLOR = re.compile(r"^#[0-9a-f]{6}$")
HOSTILE_LINK = '<a href="javascript:alert(1)">x</a>'
ALL_CHARTS = [
    charts.disposition_chart,
    charts.duration_histogram,
    charts.duration_by_disposition_chart,
    charts.calls_over_time_chart,
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


@pytest.mark.parametrize("chart", ALL_CHARTS)
def test_each_chart_draws_calls(chart: Any) -> None:
    figure = chart(sample_frame())
    assert isinstance(figure, go.Figure)
    assert len(figure.data) >= 1
    assert not figure.layout.annotations
    assert figure.layout.title.text
    assert figure.layout.xaxis.title.text
    # Category axes speak for themselves (the title names them); value axes carry a title.
    assert figure.layout.yaxis.type == "category" or figure.layout.yaxis.title.text


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
    stacked = charts.calls_over_time_chart(df).data
    assert {t.name: t.marker.color for t in stacked} == expected
    boxes = [t for t in charts.duration_by_disposition_chart(df).data if t.type == "box"]
    assert {t.y[0]: t.marker.color for t in boxes} == expected


def test_calls_over_time_stacks_one_trace_per_disposition_by_day() -> None:
    figure = charts.calls_over_time_chart(sample_frame(), "America/New_York")
    assert figure.layout.barmode == "stack"
    assert [t.name for t in figure.data] == ["Qualified", "Transferred", "Voicemail"]
    assert sum(sum(t.y) for t in figure.data) == 28
    assert len(figure.data[0].x) == 7
    assert "America/New_York" in figure.layout.title.text


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


def test_long_labels_are_shortened_but_kept_apart() -> None:
    names = charts.display_names(["A" * 60 + "1", "A" * 60 + "2", "<b>"])
    assert len(set(names)) == 3
    assert names[0].endswith("…") and len(names[0]) == charts.AXIS_LABEL_MAX
    assert names[2] == "&lt;b&gt;"


def test_a_disposition_with_no_durations_gives_a_friendly_note() -> None:
    df = build_frame([make_call(durationMs=None)]).df
    assert charts.duration_by_disposition_chart(df).layout.annotations[0].text == "No calls with a duration"
    assert charts.duration_histogram(df).layout.annotations[0].text == "No connected calls with a duration"


def test_disposition_colors_are_stable_and_semantic() -> None:
    colors = disposition_colors([*KNOWN_DISPOSITIONS, NONE_LABEL, "Brand New Outcome"])
    assert all(HEX_COLOR.match(c) for c in colors.values())
    assert len({colors[d] for d in KNOWN_DISPOSITIONS}) == len(KNOWN_DISPOSITIONS)
    greens_and_blues = {"#1b7837", "#5aae61", "#a6dba0", "#2166ac", "#4393c3", "#92c5de"}
    assert colors["Qualified"] in greens_and_blues and colors["Appointment Scheduled"] in greens_and_blues
    assert colors["Voicemail"] in {"#969696", "#bdbdbd", "#737373", "#525252"}
    assert colors["Pipeline Error"] in {"#b2182b", "#67001f", "#ef3b2c", "#d6604d", "#f4a582"}
    assert disposition_colors(["Brand New Outcome"]) == {"Brand New Outcome": colors["Brand New Outcome"]}
    assert disposition_colors([" voicemail "])[" voicemail "] == colors["Voicemail"]


def test_unknown_disposition_colour_is_the_same_in_every_process() -> None:
    # Pinned: a hash that changed between sessions (like Python's hash()) would break this.
    assert disposition_colors(["Brand New Outcome"]) == {"Brand New Outcome": "#c51b7d"}


def test_calls_per_day_labels_every_day_of_a_short_range_and_leaves_a_long_one_to_plotly() -> None:
    week = charts.calls_over_time_chart(sample_frame(), "UTC").layout.xaxis
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
    month = charts.calls_over_time_chart(df, "UTC").layout.xaxis
    assert month.tickmode is None and month.tickvals is None


def test_a_clicked_day_carries_its_local_date() -> None:
    figure = charts.calls_over_time_chart(sample_frame(), "UTC")
    assert [row[2] for row in figure.data[0].customdata] == [f"2025-03-{d:02d}" for d in range(1, 8)]


@pytest.mark.parametrize("measure", MEASURES)
def test_hour_of_week_chart_has_a_cell_per_hour_that_maps_back_to_weekday_and_hour(measure: Any) -> None:
    df = sample_frame()
    figure = charts.hour_of_week_chart(hour_of_week(df, "UTC"), measure, "UTC", selected=(5, 15))
    heatmap, cells = figure.data
    assert heatmap.type == "heatmap" and len(heatmap.z) == 7 and len(heatmap.z[0]) == 24
    assert len(cells.customdata) == 168
    # 2025-03-01 was a Saturday: its 15:00 calls sit in weekday 5, hour 15.
    row = next(r for r in cells.customdata if int(r[0]) == 5 and int(r[1]) == 15)
    assert row[2] == "Saturday 15:00–15:59" and row[3] == "4"
    assert figure.layout.shapes[0].x0 == 14.5


def test_hour_of_week_chart_without_times_says_so() -> None:
    df = build_frame([make_call(createdAt=None)]).df
    figure = charts.hour_of_week_chart(hour_of_week(df), "calls")
    assert figure.layout.annotations[0].text == "No calls with a time"


def test_hour_of_week_chart_escapes_the_time_zone_name() -> None:
    figure = charts.hour_of_week_chart(hour_of_week(sample_frame()), "success_rate", "<b>UTC")
    assert "&lt;b&gt;UTC" in figure.layout.title.text


def test_outcome_funnel_chart_has_the_five_stages_with_counts_and_shares() -> None:
    trace = charts.outcome_funnel_chart(sample_frame()).data[0]
    assert trace.type == "funnel"
    assert list(trace.y) == list(FUNNEL_STAGES)
    assert trace.text[0] == "28 (100%)"


def test_mentions_chart_escapes_the_search_text() -> None:
    times = pd.Series(pd.to_datetime(["2026-11-02T10:00:00Z", "2026-11-10T10:00:00Z"], utc=True))
    figure = charts.mentions_chart(mentions_per_week(times, np.array([True, False]), "UTC"), "<b>x</b>")
    assert "<b>" not in figure.layout.title.text and "&lt;b&gt;" in figure.layout.title.text
    assert list(figure.data[0].y) == [1, 0]
