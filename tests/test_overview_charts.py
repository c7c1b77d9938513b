"""The Overview's charts under AppTest: heatmap and funnel drawn, the hour-of-week filter from a link and its
clear control, the report download."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.apptest import assert_no_exception, run_app
from tests.test_pages import total_calls

pytestmark = [pytest.mark.server, pytest.mark.usefixtures("clean_app")]


def param(at: AppTest, name: str) -> str:
    """AppTest holds the link's parameters as lists and the ones the page wrote as strings."""
    value = at.query_params[name]
    return value if isinstance(value, str) else value[0]


def chart_titles(at: AppTest) -> list[str]:
    return [json.loads(chart.proto.spec)["layout"]["title"]["text"] for chart in at.get("plotly_chart")]


def test_the_overview_draws_the_heatmap_and_the_funnel() -> None:
    at = run_app()
    assert_no_exception(at)
    titles = chart_titles(at)
    assert any(t.startswith("When calls work: calls by hour of the week") for t in titles)
    assert "How far calls got" in titles
    assert len(titles) == 6


def test_the_heatmap_can_show_connected_or_success_rate() -> None:
    at = run_app()
    control = at.get("button_group")[0]
    assert control.proto.label == "Hour of the week shows"
    at.session_state["heatmap_measure"] = "success_rate"
    at.run()
    assert_no_exception(at)
    assert any(t.startswith("When calls work: success rate by hour") for t in chart_titles(at))


def test_a_link_with_weekday_and_hour_narrows_the_view_until_cleared() -> None:
    everything = total_calls(run_app())
    at = run_app(weekday="tue", hour="14")
    assert_no_exception(at)
    narrowed = total_calls(at)
    assert 0 < narrowed < everything
    assert any("Tuesday 14:00–14:59" in m.value for m in at.sidebar.markdown)
    assert param(at, "weekday") == "tue" and param(at, "hour") == "14"
    at.sidebar.button(key="clear_cell").click().run()
    assert total_calls(at) == everything
    assert "weekday" not in at.query_params and "hour" not in at.query_params


def test_a_link_with_an_impossible_hour_warns_and_shows_every_hour() -> None:
    at = run_app(weekday="tue", hour="25")
    assert_no_exception(at)
    assert any("not a day (mon…sun) and an hour (0…23)" in w.value.replace("\\", "") for w in at.warning)
    assert total_calls(at) == total_calls(run_app())


def test_the_report_is_offered_as_a_download() -> None:
    at = run_app()
    buttons = at.get("download_button")
    assert any("as a report" in b.proto.label for b in buttons)
