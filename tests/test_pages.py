"""The pages under Streamlit's AppTest: each screen, each failure as one line, links that round-trip."""

from __future__ import annotations

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


def plain(text: str) -> str:
    """A notice as the person reads it: the page escapes markdown with backslashes."""
    return text.replace("\\", "")


def texts(elements) -> list[str]:
    return [plain(element.value) for element in elements]


def test_newcomer_sees_demo_customer_figures_at_once() -> None:
    at = run_app()
    assert_no_exception(at)
    assert at.title[0].value == "Overview"
    metrics = {metric.label: metric.value for metric in at.metric}
    total = int(metrics["Total calls"].replace(",", ""))
    assert 1_000 < total < 3_000
    assert "," in metrics["Total calls"]
    assert any("Demo mode" in info.value for info in at.sidebar.info)
    assert at.query_params["customer_id"] == [DEFAULT_DEMO_CUSTOMER_ID] or at.query_params["customer_id"] == (
        DEFAULT_DEMO_CUSTOMER_ID
    )


def test_shared_link_sets_customer_sort_and_order() -> None:
    at = run_app(customer_id=DEMO_CUSTOMERS["small"], sort_by="duration", order="asc")
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
    params = {name: at.query_params[name] for name in ("customer_id", "sort_by", "order")}
    flat = {name: value[0] if isinstance(value, list) else value for name, value in params.items()}
    assert flat == {"customer_id": DEFAULT_DEMO_CUSTOMER_ID, "sort_by": "disposition", "order": "asc"}


def test_link_with_unknown_sort_field_falls_back_with_a_warning() -> None:
    at = run_app(sort_by="price")
    assert_no_exception(at)
    assert at.session_state["sort_by"] == "createdAt"
    assert any("sort field" in text for text in texts(at.warning))


def test_malformed_customer_id_is_one_clear_line() -> None:
    at = run_app(customer_id="not-a-uuid")
    assert_no_exception(at)
    assert len(at.error) == 1 and "not valid" in plain(at.error[0].value)
    assert not at.metric


def test_unknown_customer_says_so(simulator: RunningSimulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARECYCLE_API_KEY", DEMO_API_KEY)
    monkeypatch.setenv("CARECYCLE_BASE_URL", simulator.base_url)
    at = run_app(customer_id=UNKNOWN_CUSTOMER)
    assert_no_exception(at)
    assert len(at.error) == 1
    assert "customer" in plain(at.error[0].value).lower()


def test_bad_key_says_so_without_showing_the_key(simulator: RunningSimulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARECYCLE_API_KEY", "cc_wrong_key_123")
    monkeypatch.setenv("CARECYCLE_BASE_URL", simulator.base_url)
    at = run_app(customer_id=DEMO_CUSTOMERS["small"])
    assert_no_exception(at)
    assert len(at.error) == 1
    message = plain(at.error[0].value)
    assert "key" in message.lower() and "cc_wrong_key_123" not in message


def test_key_without_access_to_the_customer_says_so(
    simulator: RunningSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARECYCLE_API_KEY", LIMITED_API_KEY)
    monkeypatch.setenv("CARECYCLE_BASE_URL", simulator.base_url)
    at = run_app(customer_id=DEMO_CUSTOMERS["standard"])
    assert_no_exception(at)
    assert len(at.error) == 1
    assert "access" in plain(at.error[0].value).lower() or "permission" in plain(at.error[0].value).lower()


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
    assert len(at.error) == 1
    message = plain(plain(at.error[0].value))
    assert "limiting" in message and "try again in" in message.lower()


@pytest.mark.usefixtures("no_backoff")
def test_api_down_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARECYCLE_API_KEY", DEMO_API_KEY)
    monkeypatch.setenv("CARECYCLE_BASE_URL", f"http://127.0.0.1:{free_port()}")
    at = run_app(customer_id=DEMO_CUSTOMERS["small"])
    assert_no_exception(at)
    assert len(at.error) == 1
    assert "reach" in plain(at.error[0].value).lower() or "connect" in plain(at.error[0].value).lower()


def test_customer_without_calls_gets_a_friendly_empty_state() -> None:
    at = run_app(customer_id=DEMO_CUSTOMERS["empty"])
    assert_no_exception(at)
    assert not at.error
    assert any("no calls yet" in text for text in texts(at.info))


def test_text_search_narrows_figures_and_table() -> None:
    at = run_app(customer_id=DEMO_CUSTOMERS["small"])
    total = int(next(m.value for m in at.metric if m.label == "Total calls").replace(",", ""))
    at.sidebar.text_input(key="f_text").set_value("zzzz-no-such-words").run()
    assert_no_exception(at)
    assert any("No calls match" in text for text in texts(at.info))
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
    at = run_app(customer_id=DEMO_CUSTOMERS["small"], sort_by="duration", order="desc")
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
    assert any("Choose a call" in text for text in texts(at.info))


def test_unknown_call_id_says_so() -> None:
    at = run_app(call_id="no-such-call")
    at.switch_page("pages/call.py").run()
    assert_no_exception(at)
    assert any("no call with that ID" in text for text in texts(at.warning))


def test_hostile_call_content_is_never_rendered_as_markdown() -> None:
    at = run_app(customer_id=DEMO_CUSTOMERS["edge"])
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
    assert len(at.error) == 1
    message = plain(at.error[0].value)
    assert "https" in message and DEMO_API_KEY not in message


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
    assert first_total < total_calls(at) <= first_total + 50  # test calls among the new ones stay hidden
    assert any("of 2,537 calls" in text for text in texts(at.caption))
    assert own_api.stats.page_requests - before <= 5
    assert any("Reloaded: read only the newest calls" in text for text in texts(at.caption))


def test_a_since_link_loads_calls_from_that_day_and_the_page_says_so(own_api: RunningSimulator) -> None:
    customer = DEMO_CUSTOMERS["standard"]
    at = run_app(customer_id=customer, since="2026-11-01")
    assert_no_exception(at)
    assert at.session_state["since_choice"] == "date"
    shown = total_calls(at)
    assert 0 < shown < 2487
    assert any("since 2026-11-01" in text for text in texts(at.caption))
    assert any("since 2026-11-01" in text for text in texts(at.sidebar.caption))
    first, _ = at.sidebar.date_input(key="f_dates").value
    assert str(first) >= "2026-11-01"
    assert own_api.stats.page_requests < 25  # of 25 pages in all
    flat = at.query_params["since"]
    assert (flat[0] if isinstance(flat, list) else flat) == "2026-11-01"


def test_a_link_with_a_bad_since_loads_every_call_with_a_warning() -> None:
    at = run_app(since="last tuesday")
    assert_no_exception(at)
    assert any("since" in text for text in texts(at.warning))
    assert at.session_state["since_choice"] == ""


def test_a_refresh_link_turns_on_auto_refresh_and_stays_in_the_address() -> None:
    at = run_app(refresh="5")
    assert_no_exception(at)
    assert at.session_state["auto_refresh"] == 5
    assert any("Auto-refresh every 5 minutes" in text for text in texts(at.sidebar.caption))
    flat = at.query_params["refresh"]
    assert (flat[0] if isinstance(flat, list) else flat) == "5"
