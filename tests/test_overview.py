"""The Overview under AppTest: Needs attention finds the demo story, figures compare with the previous
period, the data-completeness line, and links that carry every filter (and a conversation signal's)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from urllib.parse import parse_qs

import pytest
from streamlit.proto.Metric_pb2 import Metric
from streamlit.testing.v1 import AppTest

from carecycle_dash.data.signals import SIGNAL_BY_PARAM, SIGNALS
from carecycle_dash.output import heatmap, time_charts, vega
from carecycle_dash.simulator import DEFAULT_DEMO_CUSTOMER_ID, DEMO_CUSTOMERS
from carecycle_dash.ui import overview
from tests.support.apptest import assert_no_exception, run_app
from tests.test_pages import plain, texts

pytestmark = [pytest.mark.server, pytest.mark.usefixtures("clean_app")]
STANDARD = DEFAULT_DEMO_CUSTOMER_ID
SIGNAL_LINK = "See these calls"
LABELS = {signal.label for signal in SIGNALS}


def attention_links(at: AppTest) -> list[tuple[str, dict[str, list[str]]]]:
    """(label as read, address parameters) of each Needs attention line but "No calls since", which depends
    on the clock (see test_calls_that_stopped_are_said_first_whatever_the_period)."""
    screens = {"Overview", "Calls", "Call detail", "Callers", "Review", SIGNAL_LINK}
    links = [link.proto for link in at.get("page_link")]
    lines = [(plain(p.label), parse_qs(p.query_string)) for p in links if plain(p.label) not in screens]
    return [(label, params) for label, params in lines if not label.startswith("No calls since")]


def deltas(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.proto.delta for metric in at.metric}


def address(at: AppTest) -> dict[str, list[str]]:
    return {name: value if isinstance(value, list) else [value] for name, value in at.query_params.items()}


def test_needs_attention_comes_first_and_finds_the_demo_story() -> None:
    at = run_app()
    assert_no_exception(at)
    assert at.subheader[0].value == "Needs attention"
    links = attention_links(at)
    # A Do Not Call breach comes first, whatever the period; then what moved, worst first.
    assert links[0][0].startswith("Called after Do Not Call: 1 number received 1 call")
    label, params = links[1]
    assert label.startswith("Pipeline Error: 13% of calls (17), up from 0% (0)")
    assert params["disposition"] == ["Pipeline Error"]
    assert params["start"] == ["2026-11-21"] and params["end"] == ["2026-11-27"]
    assert params["customer_id"] == [STANDARD]
    assert any(label.startswith("Success rate:") for label, _ in links)
    assert any("two-proportion" in caption.value for caption in at.caption)


def counting(monkeypatch: pytest.MonkeyPatch, module: object, name: str, built: list[str]) -> None:
    """Replace `module.name` with a wrapper that notes each call in `built`."""
    original = getattr(module, name)
    monkeypatch.setattr(module, name, lambda *a, **kw: built.append(name) or original(*a, **kw))


def test_a_second_session_on_the_same_view_builds_no_chart_or_summary_again(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []
    counting(monkeypatch, time_charts, "calls_over_time_chart", built)
    counting(monkeypatch, heatmap, "hour_of_week_chart", built)
    for name in ("disposition_spec", "funnel_spec"):
        counting(monkeypatch, vega, name, built)
    counting(monkeypatch, overview, "attention_for", built)
    first = run_app()
    assert_no_exception(first)
    # The open tab's only, besides the Calls per day the first load's partial preview draws as pages arrive.
    assert sorted(name for name in built if name != "calls_over_time_chart") == [
        "attention_for",
        "disposition_spec",
        "funnel_spec",
    ]
    built[:] = [name for name in built if name != "calls_over_time_chart"]
    second = run_app()
    assert_no_exception(second)
    assert len(built) == 3
    assert [(m.value, m.delta) for m in second.metric] == [(m.value, m.delta) for m in first.metric]
    narrowed = run_app(disposition="Voicemail")  # another filter state: its own figures and summary
    assert_no_exception(narrowed)
    assert len(built) == 6
    timing = run_app(charts="timing")  # another tab: its charts, once
    assert_no_exception(timing)
    assert sorted(built[6:]) == ["calls_over_time_chart", "hour_of_week_chart"]


def test_data_completeness_line_says_what_figures_leave_out() -> None:
    at = run_app()
    line = next(c.value for c in at.caption if c.value.startswith("Data:"))
    assert "all 2,487 calls the API reports" in line and "test calls left out" in line


def test_all_means_no_deltas_and_a_hint_and_is_range_all_in_the_address() -> None:
    at = run_app()
    at.sidebar.pills(key="f_preset").set_value("All").run()
    assert_no_exception(at)
    assert set(deltas(at).values()) == {""}
    assert any("Choose a date range" in caption.value for caption in at.caption)
    assert address(at)["range"] == ["all"] and "start" not in address(at)
    again = run_app(range="all")
    assert_no_exception(again)
    assert again.sidebar.pills(key="f_preset").value == "All" and address(again)["range"] == ["all"]
    assert set(deltas(again).values()) == {""}


def test_a_link_without_dates_opens_on_the_last_7_days_with_every_figures_change() -> None:
    at = run_app()
    assert_no_exception(at)
    assert at.sidebar.pills(key="f_preset").value == "Last 7 days"
    assert at.sidebar.date_input(key="f_dates").value == (date(2026, 11, 21), date(2026, 11, 27))
    changes = deltas(at)
    assert changes["Total calls"] == "-57"
    assert changes["Success rate"].endswith(" pp") and changes["Success rate"].startswith("-")
    assert changes["Median talk time"].count(":") == 1
    colours = {m.label: m.proto.color for m in at.metric}
    errors = next(m for m in at.metric if m.label == "Errors").proto
    assert errors.delta.startswith("+") and errors.delta.endswith(" pp")
    assert colours["Errors"] == colours["Success rate"] == Metric.RED  # rising errors and falling success are bad
    assert colours["Total calls"] == Metric.GRAY  # volume is neither good nor bad by itself
    assert max(errors.chart_data) > 1  # daily shares in percent, like the figure
    assert any("14–20 Nov 2026" in caption.value for caption in at.caption)
    assert "start" not in address(at) and "range" not in address(at)  # the default: no dates in the address
    trend = next(m for m in at.metric if m.label == "Total calls").proto.chart_data
    assert len(trend) == 7


def test_a_period_before_the_first_call_shows_no_change() -> None:
    at = run_app(start="2026-06-01", end="2026-06-07")
    assert_no_exception(at)
    assert set(deltas(at).values()) == {""}
    assert any("No changes shown" in caption.value for caption in at.caption)
    assert any("Nothing to compare" in caption.value for caption in at.caption)


def test_a_one_day_period_compares_with_the_day_before() -> None:
    at = run_app(start="2026-11-24", end="2026-11-24")
    assert_no_exception(at)
    assert any("with the day before (23 Nov 2026)" in caption.value for caption in at.caption)
    assert deltas(at)["Total calls"]


def test_a_small_customer_raises_no_false_alarm() -> None:
    at = run_app(customer_id=DEMO_CUSTOMERS["small"])
    assert_no_exception(at)
    assert attention_links(at) == []
    assert any("Nothing" in text for text in texts(at.success) + [c.value for c in at.caption])


def test_link_with_every_filter_reproduces_the_view() -> None:
    query = {
        "customer_id": STANDARD,
        "start": "2026-11-01",
        "end": "2026-11-20",
        "disposition": ["Voicemail", "Appointment Scheduled"],
        "direction": "outbound",
        "q": "appointment",
        "tests": "1",
    }
    at = run_app(**query)
    assert_no_exception(at)
    assert not at.warning
    assert at.sidebar.multiselect(key="f_dispositions").value == ["Voicemail", "Appointment Scheduled"]
    assert at.sidebar.multiselect(key="f_directions").value == ["outbound"]
    assert at.sidebar.text_input(key="f_text").value == "appointment"
    assert at.sidebar.toggle(key="f_tests").value is True
    wanted = {name: value if isinstance(value, list) else [value] for name, value in query.items()}
    assert {name: address(at)[name] for name in wanted} == wanted
    shown = int(next(m.value for m in at.metric if m.label == "Total calls").replace(",", ""))
    again = run_app(**{name: value for name, value in at.query_params.items()})
    assert int(next(m.value for m in again.metric if m.label == "Total calls").replace(",", "")) == shown


def test_link_with_bad_values_falls_back_with_one_line_each() -> None:
    at = run_app(start="2026-13-01", disposition=["Voicemail", "No such <b>thing</b>"], tests="yes")
    assert_no_exception(at)
    warnings = texts(at.warning)
    assert any("start is not a date" in text for text in warnings)
    assert any('"No such <b>thing</b>" is not among these calls' in text for text in warnings)
    assert any("tests value" in text for text in warnings)
    assert at.sidebar.multiselect(key="f_dispositions").value == ["Voicemail"]
    assert address(at)["disposition"] == ["Voicemail"] and "start" not in address(at)
    assert "The link's start is not a date like 2026-11-21; showing the last 7 days with calls instead." in warnings
    week = run_app(range="week")
    assert texts(week.warning) == ["The link's range is not all; showing the last 7 days with calls."]
    assert week.sidebar.pills(key="f_preset").value == "Last 7 days" and "range" not in address(week)


def test_following_an_attention_link_filters_the_calls_page() -> None:
    at = run_app()
    _, params = next(link for link in attention_links(at) if link[0].startswith("Pipeline Error"))
    at.query_params.clear()
    at.query_params.update(params)
    at.switch_page("pages/calls.py").run()
    assert_no_exception(at)
    table = at.dataframe[0].value
    assert set(table["Disposition"]) == {"Pipeline Error"} and len(table) == 17
    assert at.sidebar.multiselect(key="f_dispositions").value == ["Pipeline Error"]
    sidebar_calls = next(p.proto for p in at.get("page_link") if plain(p.proto.label) == "Overview")
    assert parse_qs(sidebar_calls.query_string)["disposition"] == ["Pipeline Error"]


def test_each_conversation_signal_links_to_exactly_its_calls() -> None:
    at = run_app(start="2026-11-14", end="2026-11-27")
    counts = {metric.label: int(metric.value.replace(",", "")) for metric in at.metric if metric.label in LABELS}
    links = [p.proto for p in at.get("page_link") if plain(p.proto.label) == SIGNAL_LINK]
    assert len(links) == len([count for count in counts.values() if count]) > 0
    for link in links:
        params = parse_qs(link.query_string)
        [signal] = params["signal"]
        assert params["start"] == ["2026-11-14"] and params["customer_id"] == [STANDARD]
        at.query_params.clear()
        at.query_params.update(params)
        at.switch_page("pages/calls.py").run()
        assert_no_exception(at)
        label = SIGNAL_BY_PARAM[signal].label
        assert at.button_group(key="call_signals").value == [label]
        assert len(at.dataframe[0].value) == counts[label]
        at.switch_page("pages/overview.py").run()


def test_hostile_calls_survive_a_range_and_its_comparison() -> None:
    at = run_app(customer_id=DEMO_CUSTOMERS["edge"], tests="1")
    assert_no_exception(at)
    first, last = at.sidebar.date_input(key="f_dates").value
    middle = first + (last - first) / 2
    at.sidebar.date_input(key="f_dates").set_value((middle, last)).run()
    assert_no_exception(at)
    assert at.subheader[0].value == "Needs attention"
    for link in at.get("page_link"):
        assert "<script" not in link.proto.label.lower()
    line = next(c.value for c in at.caption if c.value.startswith("Data:"))
    assert "impossible value" in line


def test_a_link_without_filters_followed_inside_the_app_clears_them() -> None:
    at = run_app(disposition="Voicemail")
    assert at.sidebar.multiselect(key="f_dispositions").value == ["Voicemail"]
    at.query_params.clear()
    at.query_params.update({"customer_id": STANDARD})
    at.switch_page("pages/calls.py").run()
    assert_no_exception(at)
    assert at.sidebar.multiselect(key="f_dispositions").value == []
    assert "disposition" not in address(at)


def test_calls_that_stopped_are_said_first_whatever_the_period(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(overview, "clock", lambda: datetime(2030, 1, 1, 12, 0, tzinfo=UTC))
    for at in (run_app(), run_app(range="all"), run_app(start="2026-11-01", end="2026-11-07")):
        assert_no_exception(at)
        last = at.sidebar.date_input(key="f_dates").max  # the newest call's day (27 Nov 2026 in the demo)
        first = next(p.proto for p in at.get("page_link") if plain(p.proto.label).startswith(("No calls", "Called")))
        days = (date(2030, 1, 1) - last).days
        assert plain(first.label) == f"No calls since {last.day} {last:%b %Y} ({days} days)"
        params = parse_qs(first.query_string)
        assert (params["start"], params["end"]) == ([str(last)], [str(last)])  # the last calls before it
