"""The pages under Streamlit's AppTest: each screen, each failure as one line, links that round-trip."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial

import pytest
from streamlit.testing.v1 import AppTest

from carecycle_dash.api import client
from carecycle_dash.api.retry import RetryPolicy
from carecycle_dash.simulator import (
    DEFAULT_DEMO_CUSTOMER_ID,
    DEMO_API_KEY,
    DEMO_CUSTOMERS,
    LIMITED_API_KEY,
    RunningSimulator,
    SimulatorConfig,
    start_simulator,
)
from tests.support.apptest import assert_no_exception, run_app
from tests.support.servers import free_port

# Every test starts without configuration or loaded calls; the demo simulator (in this process) stays up.
pytestmark = [pytest.mark.server, pytest.mark.usefixtures("clean_app")]
UNKNOWN_CUSTOMER = "0b8f3c2e-1a4d-4c5e-9f6a-7b8c9d0e1f2a"
NO_MATCH = "No calls match these filters. Widen the date range or clear some filters in the sidebar."


def plain(text: str) -> str:
    """A notice as the person reads it: the page escapes markdown with backslashes."""
    return text.replace("\\", "")


def texts(elements) -> list[str]:
    return [plain(element.value) for element in elements]


def test_newcomer_sees_demo_customer_figures_at_once() -> None:
    at = run_app()
    assert_no_exception(at)
    assert at.title[0].value == "Overview"
    assert at.sidebar.pills(key="f_preset").value == "Last 7 days"  # the period Needs attention watches
    assert {metric.label: metric.value for metric in at.metric}["Total calls"] == "127"
    assert texts(at.sidebar.info) == [
        "**Demo mode.** Demo data from the built-in simulator: fictional calls, no real patients."
    ]
    assert at.query_params == {"customer_id": DEFAULT_DEMO_CUSTOMER_ID, "sort_by": "createdAt", "order": "desc"}
    at.sidebar.pills(key="f_preset").set_value("All").run()
    metrics = {metric.label: metric.value for metric in at.metric}
    total = int(metrics["Total calls"].replace(",", ""))
    assert 1_000 < total < 3_000
    assert "," in metrics["Total calls"]


def test_shared_link_sets_customer_sort_and_order() -> None:
    at = run_app(customer_id=DEMO_CUSTOMERS["small"], sort_by="duration", order="asc", range="all")
    assert_no_exception(at)
    assert at.session_state["customer_id"] == DEMO_CUSTOMERS["small"]
    assert at.session_state["sort_by"] == "duration"
    assert at.session_state["order"] == "asc"
    at.switch_page("pages/calls.py").run()
    assert_no_exception(at)
    table = at.dataframe[0].value
    durations = table["Duration"].dropna()
    assert len(durations) > 10
    seconds = [int(m) * 60 + int(s) for m, s in (d.split(":")[-2:] for d in durations)]
    assert seconds == sorted(seconds)


def test_changing_inputs_updates_the_address() -> None:
    at = run_app()
    at.selectbox(key="sort_by").set_value("disposition").run()
    at.selectbox(key="order").set_value("asc").run()
    assert_no_exception(at)
    assert at.query_params == {"customer_id": DEFAULT_DEMO_CUSTOMER_ID, "sort_by": "disposition", "order": "asc"}


def test_link_with_unknown_sort_field_falls_back_with_a_warning() -> None:
    at = run_app(sort_by="price")
    assert_no_exception(at)
    assert at.session_state["sort_by"] == "createdAt"
    assert texts(at.warning) == [
        "The link's sort field is not one of createdAt, disposition, duration; sorting by time instead."
    ]


def test_malformed_customer_id_is_one_clear_line() -> None:
    at = run_app(customer_id="not-a-uuid")
    assert_no_exception(at)
    assert texts(at.error) == [
        "The customer ID 'not-a-uuid' is not valid: expected a UUID such as 497f6eca-6276-4993-bfeb-53cbbbba6f08."
    ]
    assert not at.metric


def test_unknown_customer_says_so(simulator: RunningSimulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARECYCLE_API_KEY", DEMO_API_KEY)
    monkeypatch.setenv("CARECYCLE_BASE_URL", simulator.base_url)
    at = run_app(customer_id=UNKNOWN_CUSTOMER)
    assert_no_exception(at)
    assert texts(at.error) == [f"Customer {UNKNOWN_CUSTOMER} was not found (404). Check the customer ID."]


def test_bad_key_says_so_without_showing_the_key(simulator: RunningSimulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARECYCLE_API_KEY", "cc_wrong_key_123")
    monkeypatch.setenv("CARECYCLE_BASE_URL", simulator.base_url)
    at = run_app(customer_id=DEMO_CUSTOMERS["small"])
    assert_no_exception(at)
    assert texts(at.error) == ["The API key was rejected (401). Check CARECYCLE_API_KEY or the key you entered."]


def test_key_without_access_to_the_customer_says_so(
    simulator: RunningSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARECYCLE_API_KEY", LIMITED_API_KEY)
    monkeypatch.setenv("CARECYCLE_BASE_URL", simulator.base_url)
    at = run_app(customer_id=DEMO_CUSTOMERS["standard"])
    assert_no_exception(at)
    assert texts(at.error) == [
        f"This API key may not see customer {DEMO_CUSTOMERS['standard']} (403). Use a key with access to it."
    ]


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app's requests retried as often as ever but without the random backoff between tries (seconds of
    idle waiting per test): these tests are about the line shown once the tries run out; the waits
    themselves are tested in test_retry.py and test_client.py."""
    monkeypatch.setattr(client, "RetryPolicy", partial(RetryPolicy, jitter=lambda cap: 0.0))


@pytest.mark.usefixtures("no_backoff")
def test_rate_limit_says_how_long_to_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    config = SimulatorConfig(fault_rate=1.0, fault_kinds=("429",), retry_after_s=0.01)
    with start_simulator(config) as limited:
        monkeypatch.setenv("CARECYCLE_API_KEY", DEMO_API_KEY)
        monkeypatch.setenv("CARECYCLE_BASE_URL", limited.base_url)
        at = run_app(customer_id=DEMO_CUSTOMERS["small"])
    assert_no_exception(at)
    assert texts(at.error) == ["The API is limiting how fast we may ask (429). Try again in 1 s."]


@pytest.mark.usefixtures("no_backoff")
def test_api_down_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARECYCLE_API_KEY", DEMO_API_KEY)
    down = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("CARECYCLE_BASE_URL", down)
    at = run_app(customer_id=DEMO_CUSTOMERS["small"])
    assert_no_exception(at)
    assert texts(at.error) == [f"Could not reach the API at {down} (ConnectError). Check the address and network."]


def test_customer_without_calls_gets_a_friendly_empty_state() -> None:
    at = run_app(customer_id=DEMO_CUSTOMERS["empty"])
    assert_no_exception(at)
    assert not at.error
    assert texts(at.main.info) == [
        "This customer has no calls yet. When their assistants make or take calls, they will appear here."
    ]


def test_text_search_narrows_figures_and_table() -> None:
    at = run_app(customer_id=DEMO_CUSTOMERS["small"])
    total = int(next(m.value for m in at.metric if m.label == "Total calls").replace(",", ""))
    at.sidebar.text_input(key="f_text").set_value("zzzz-no-such-words").run()
    assert_no_exception(at)
    assert texts(at.main.info) == [NO_MATCH]
    at.sidebar.text_input(key="f_text").set_value("").run()
    assert int(next(m.value for m in at.metric if m.label == "Total calls").replace(",", "")) == total


def test_test_calls_are_hidden_until_the_toggle_is_on() -> None:
    at = run_app()
    without = int(next(m.value for m in at.metric if m.label == "Total calls").replace(",", ""))
    at.sidebar.toggle(key="f_tests").set_value(True).run()
    assert_no_exception(at)
    with_tests = int(next(m.value for m in at.metric if m.label == "Total calls").replace(",", ""))
    assert with_tests > without
    assert any(m.label == "Test calls" for m in at.metric)


def test_calls_page_shows_table_and_csv_download() -> None:
    at = run_app(customer_id=DEMO_CUSTOMERS["small"])
    at.switch_page("pages/calls.py").run()
    assert_no_exception(at)
    assert at.title[0].value == "Calls"
    table = at.dataframe[0].value
    assert {"Time", "Disposition", "Duration", "Recording"} <= set(table.columns)
    assert len(at.get("download_button")) == 1


def test_call_page_from_link_shows_transcript_as_text() -> None:
    at = run_app(customer_id=DEMO_CUSTOMERS["small"], sort_by="duration", order="desc", range="all")
    at.switch_page("pages/calls.py").run()
    first_id = at.dataframe[0].value["id"].iloc[0]
    at.query_params["call_id"] = first_id
    at.switch_page("pages/call.py").run()
    assert_no_exception(at)
    assert at.title[0].value == "Call detail"
    assert len(at.chat_message) >= 2
    assert any(text.value for text in at.text)


def test_call_page_without_a_call_explains_what_to_do() -> None:
    at = run_app()
    at.switch_page("pages/call.py").run()
    assert_no_exception(at)
    assert texts(at.main.info) == ["Choose a call on the Calls page to read its transcript and listen to it."]


def test_unknown_call_id_says_so() -> None:
    at = run_app(call_id="no-such-call")
    at.switch_page("pages/call.py").run()
    assert_no_exception(at)
    assert texts(at.warning) == [
        "This customer has no call with that ID. It may have been deleted, or the link is incomplete."
    ]


def test_hostile_call_content_is_never_rendered_as_markdown() -> None:
    at = run_app(customer_id=DEMO_CUSTOMERS["edge"], range="all")
    assert_no_exception(at)
    at.sidebar.toggle(key="f_tests").set_value(True).run()
    at.switch_page("pages/calls.py").run()
    ids = list(at.dataframe[0].value["id"].dropna())
    withheld = 0
    for call_id in ids:
        at.query_params["call_id"] = call_id
        at.switch_page("pages/call.py").run()
        assert_no_exception(at)
        for element in at.markdown:
            assert "<script" not in element.value.lower()
            assert "javascript:" not in element.value.lower()
        withheld += sum("withheld" in text for text in texts(at.warning))
    assert len(ids) > 10
    assert withheld > 0


def test_filters_and_customer_survive_a_page_switch_and_narrow_the_table() -> None:
    at = run_app(customer_id=DEMO_CUSTOMERS["standard"])
    at.sidebar.toggle(key="f_tests").set_value(True).run()
    at.switch_page("pages/calls.py").run()
    assert_no_exception(at)
    assert at.session_state["customer_id"] == DEMO_CUSTOMERS["standard"]
    assert at.sidebar.toggle(key="f_tests").value is True
    everything = len(at.dataframe[0].value)
    at.sidebar.multiselect(key="f_directions").set_value(["inbound"]).run()
    assert_no_exception(at)
    inbound = at.dataframe[0].value
    assert 0 < len(inbound) < everything
    assert set(inbound["Direction"]) == {"inbound"}


def test_plain_http_to_a_remote_host_is_refused_before_any_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARECYCLE_API_KEY", DEMO_API_KEY)
    monkeypatch.setenv("CARECYCLE_BASE_URL", "http://api.example.com")
    at = run_app(customer_id=DEMO_CUSTOMERS["small"])
    assert_no_exception(at)
    assert texts(at.error) == [
        "Refusing plain http to 'api.example.com': use https (plain http is allowed only to this machine, "
        "e.g. http://127.0.0.1:8000)."
    ]


# --- Cost that follows what changed (issue 12) ---------------------------------------------------------------
@pytest.fixture
def own_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningSimulator]:
    """A stand-in API of this test's own (its request counts and new calls are this test's alone)."""
    with start_simulator() as api:
        monkeypatch.setenv("CARECYCLE_API_KEY", DEMO_API_KEY)
        monkeypatch.setenv("CARECYCLE_BASE_URL", api.base_url)
        yield api


def total_calls(at: AppTest) -> int:
    return int({metric.label: metric.value for metric in at.metric}["Total calls"].replace(",", ""))


def test_a_sort_change_costs_no_request_and_sorts_the_table(own_api: RunningSimulator) -> None:
    at = run_app(customer_id=DEMO_CUSTOMERS["standard"])
    at.switch_page("pages/calls.py").run()
    assert_no_exception(at)
    before = own_api.stats.page_requests
    at.selectbox(key="sort_by").set_value("duration").run()
    at.selectbox(key="order").set_value("asc").run()
    assert_no_exception(at)
    assert own_api.stats.page_requests == before
    durations = at.dataframe[0].value["Duration"].dropna()
    seconds = [int(m) * 60 + int(s) for m, s in (d.split(":")[-2:] for d in durations)]
    assert len(seconds) > 100 and seconds == sorted(seconds)


def test_reload_reads_only_the_newest_pages_and_shows_the_new_total(own_api: RunningSimulator) -> None:
    customer = DEMO_CUSTOMERS["standard"]
    at = run_app(customer_id=customer)
    first_total = total_calls(at)
    assert own_api.add_newer_calls(customer, 50) == 2537
    before = own_api.stats.page_requests
    at.sidebar.button[[b.label for b in at.sidebar.button].index("Reload from the API")].click().run()
    assert_no_exception(at)
    total = total_calls(at)
    assert first_total < total <= first_total + 50  # test calls among the new ones stay hidden
    requests = own_api.stats.page_requests - before
    assert requests == 1  # the 50 new calls fit on the newest page
    assert texts(at.main.caption)[:2] == [
        "Reloaded: read only the newest calls (1 request); 2,537 calls loaded.",
        f"Customer {customer} · {total:,} of 2,537 calls · times in UTC",
    ]


def test_a_since_link_loads_calls_from_that_day_and_the_page_says_so(own_api: RunningSimulator) -> None:
    customer = DEMO_CUSTOMERS["standard"]
    at = run_app(customer_id=customer, since="2026-11-01")
    assert_no_exception(at)
    assert at.session_state["since_choice"] == "date"
    shown = total_calls(at)
    assert 0 < shown < 2487
    loaded = re.fullmatch(
        r"Loaded ([\d,]+) calls since 2026-11-01 \(\d+ pages\) at \d\d:\d\d UTC\. Reload for newer calls\.",
        texts(at.sidebar.caption)[0],
    )
    assert loaded is not None
    assert (
        texts(at.main.caption)[0]
        == f"Customer {customer} · {shown:,} of {loaded[1]} calls since 2026-11-01 · times in UTC"
    )
    first, _ = at.sidebar.date_input(key="f_dates").value
    assert str(first) >= "2026-11-01"
    assert own_api.stats.page_requests < 25  # of 25 pages in all
    assert at.query_params["since"] == "2026-11-01"


def test_a_link_with_a_bad_since_loads_every_call_with_a_warning() -> None:
    at = run_app(since="last tuesday")
    assert_no_exception(at)
    assert texts(at.warning) == [
        "The link's since is not a date such as 2026-11-01 (or 7d, 30d, 90d); loading every call instead."
    ]
    assert at.session_state["since_choice"] == ""


def test_a_refresh_link_turns_on_auto_refresh_and_stays_in_the_address() -> None:
    at = run_app(refresh="5")
    assert_no_exception(at)
    assert at.session_state["auto_refresh"] == 5
    assert texts(at.sidebar.caption)[1] == "Auto-refresh every 5 minutes: reads only the newest calls."
    assert at.query_params["refresh"] == "5"
