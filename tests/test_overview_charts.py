"""The Overview's charts under AppTest: the tabs, only the open one drawn and kept in the address, the heatmap's
measure, the hour-of-week filter from a link and its clear control, the report download."""

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
    """The titles of the charts drawn: the first tab's Vega-Lite charts, then plotly ones."""
    vega = [json.loads(chart.proto.spec)["title"]["text"] for chart in at.get("vega_lite_chart")]
    return vega + [json.loads(chart.proto.spec)["layout"]["title"]["text"] for chart in at.get("plotly_chart")]


def chart_tab(at: AppTest) -> str:
    return str(at.session_state["overview_charts"])


def test_the_overview_opens_on_how_calls_ended_and_draws_only_that_tabs_charts() -> None:
    at = run_app()
    assert_no_exception(at)
    assert [tab.label for tab in at.tabs] == ["How calls ended", "How long they took", "When they happened"]
    assert chart_tab(at) == "How calls ended"
    assert chart_titles(at) == ["Calls by disposition", "How far calls got"]
    assert not at.get("plotly_chart")  # the page opens without plotly in the browser
    assert "charts" not in at.query_params


@pytest.mark.parametrize(
    ("param", "label", "starts"),
    [
        ("durations", "How long they took", ["Talk time of connected calls", "Call duration by disposition"]),
        ("timing", "When they happened", ["Calls per day", "When calls work: calls by hour of the week"]),
    ],
)
def test_a_link_opens_its_chart_tab_and_the_address_keeps_it(param: str, label: str, starts: list[str]) -> None:
    at = run_app(charts=param)
    assert_no_exception(at)
    assert chart_tab(at) == label
    titles = chart_titles(at)
    assert len(titles) == len(starts)
    assert all(title.startswith(start) for title, start in zip(titles, starts, strict=True)), titles
    assert at.query_params["charts"] in (param, [param])


def test_a_link_with_an_unknown_chart_tab_says_so_in_one_line_and_opens_the_first() -> None:
    at = run_app(charts="<b>pie</b>")
    assert_no_exception(at)
    [warning] = [w.value for w in at.warning if "chart tab" in w.value]
    assert warning == "The link's chart tab is not one of outcomes, durations, timing; showing the first."
    assert chart_tab(at) == "How calls ended"
    assert len(chart_titles(at)) == 2
    assert "charts" not in at.query_params


def test_the_chart_tab_stays_when_the_overview_is_left_and_opened_again() -> None:
    at = run_app(charts="timing")
    at.query_params.pop("charts")  # the sidebar's link to the calls page carries no tab
    at.switch_page("pages/calls.py").run()
    assert "charts" not in at.query_params
    at.switch_page("pages/overview.py").run()
    assert_no_exception(at)
    assert chart_tab(at) == "When they happened"
    assert param(at, "charts") == "timing"
    at.run()  # the sidebar's links are drawn before the page: from the next run on they carry the tab
    overview = next(link.proto for link in at.get("page_link") if link.proto.label == "Overview")
    assert "charts=timing" in overview.query_string


def test_the_heatmap_can_show_connected_or_success_rate_and_keeps_it() -> None:
    at = run_app(charts="timing")
    control = at.button_group(key="heatmap_measure")
    assert control.proto.label == "Hour of the week shows"
    control.set_value("success_rate").run()
    assert_no_exception(at)
    assert any(t.startswith("When calls work: success rate by hour") for t in chart_titles(at))
    at.query_params.pop("charts")
    at.switch_page("pages/calls.py").run()
    at.switch_page("pages/overview.py").run()
    assert at.button_group(key="heatmap_measure").value == "success_rate"


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
