"""load_all_calls: every call exactly once, in order, through drift and faults (MockTransport, fake time)."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from carecycle_dash.api.client import CallsClient
from carecycle_dash.api.errors import (
    AuthenticationError,
    InconsistentDataError,
    InvalidInputError,
    LoadCancelledError,
    LoadTimeoutError,
    NetworkError,
)
from carecycle_dash.api.full_load import load_all_calls, merge_orders
from carecycle_dash.api.limits import MAX_REQUESTS_PER_KEY
from carecycle_dash.api.messages import describe_repairs
from carecycle_dash.api.models import Repairs
from carecycle_dash.api.paging import pages_for
from carecycle_dash.api.reload import reload_calls
from carecycle_dash.api.retry import RetryPolicy
from tests.factories import make_call
from tests.support.clock import FakeClock
from tests.support.fake_api import (
    API_KEY,
    BASE_URL,
    CUSTOMER_ID,
    FakeCallsApi,
    InFlight,
    random_faults,
    status,
)
from tests.support.hostile import HostileApi, serve_hostile_api


def client_for(handler: Any, attempts: int = 6) -> CallsClient:
    clock = FakeClock()
    retry = RetryPolicy(attempts=attempts, jitter=lambda cap: cap, sleep=clock.sleep, clock=clock.clock)
    return CallsClient(API_KEY, BASE_URL, transport=httpx.MockTransport(handler), retry=retry)


def ids(calls: list[dict[str, Any]]) -> list[str]:
    return [c["id"] for c in calls]


def api_of(count: int, **options: Any) -> FakeCallsApi:
    return FakeCallsApi([make_call(i) for i in range(count)], **options)


def test_every_page_is_joined_in_page_order() -> None:
    api = api_of(250)
    progress: list[tuple[int, int]] = []
    result = load_all_calls(client_for(api), CUSTOMER_ID, on_progress=lambda d, t: progress.append((d, t)))
    assert ids(result.calls) == ids(api.calls)
    assert (result.items_total, result.pages, result.requests) == (250, 3, 3)
    assert result.bytes_received > 0
    assert not result.repairs.any
    assert sorted(api.page_requests()) == [1, 2, 3]
    assert progress == [(1, 3), (2, 3), (3, 3)]


def test_query_options_reach_every_request() -> None:
    api = api_of(120)
    load_all_calls(client_for(api), CUSTOMER_ID, sort_by="disposition", order="asc", page_size=50)
    assert {(r.url.params["sortBy"], r.url.params["order"], r.url.params["limit"]) for r in api.requests} == {
        ("disposition", "asc", "50")
    }


def test_an_empty_customer_gives_an_empty_result() -> None:
    result = load_all_calls(client_for(api_of(0)), CUSTOMER_ID)
    assert result.calls == [] and result.items_total == 0 and result.requests == 1


def test_a_count_that_is_a_multiple_of_the_page_size_fetches_no_extra_page() -> None:
    api = api_of(300)
    load_all_calls(client_for(api), CUSTOMER_ID)
    assert sorted(api.page_requests()) == [1, 2, 3]


def test_at_most_concurrency_requests_are_in_flight() -> None:
    handler = InFlight(api_of(2000), delay_s=0.003)
    result = load_all_calls(client_for(handler), CUSTOMER_ID, concurrency=3)
    assert len(result.calls) == 2000
    assert 1 < handler.peak <= 3


def test_a_server_that_pages_by_fewer_than_asked_is_followed() -> None:
    inner = api_of(130)

    def handler(request: httpx.Request) -> httpx.Response:
        params = dict(request.url.params)
        params["limit"] = "50"
        return inner(httpx.Request("GET", request.url.copy_with(params=params), headers=request.headers))

    result = load_all_calls(client_for(handler), CUSTOMER_ID)
    assert ids(result.calls) == ids(inner.calls)


def insert_at_front(count: int, before_request: int, start: int = 10_000) -> Any:
    def drift(api: FakeCallsApi, number: int) -> None:
        if number == before_request:
            api.calls[:0] = [make_call(start + i) for i in reversed(range(count))]

    return drift


@pytest.mark.parametrize("concurrency", [1, 4, 8])
def test_newest_first_calls_arriving_mid_load_are_all_kept_once_in_order(concurrency: int) -> None:
    api = api_of(1000, drift=insert_at_front(25, before_request=4))
    result = load_all_calls(client_for(api), CUSTOMER_ID, concurrency=concurrency)
    assert ids(result.calls) == ids(api.calls)
    assert result.items_total == 1025
    assert result.repairs.any
    assert (result.repairs.total_at_start, result.repairs.total_at_end) == (1000, 1025)


def test_newest_first_drift_repair_reports_duplicates_and_recovered_calls() -> None:
    api = api_of(1000, drift=insert_at_front(25, before_request=4))
    repairs = load_all_calls(client_for(api), CUSTOMER_ID, concurrency=1).repairs
    assert repairs.duplicates_dropped == 25
    assert repairs.calls_recovered == 50  # 25 new at the front, 25 pushed past the end
    assert repairs.full_refetch_rounds == 0
    assert "25 duplicates dropped" in describe_repairs(repairs)


def test_calls_arriving_one_by_one_throughout_a_newest_first_load_are_all_kept() -> None:
    def drift(api: FakeCallsApi, number: int) -> None:
        if number % 2 == 0 and number <= 50:
            api.calls.insert(0, make_call(20_000 + number))

    api = api_of(3000, drift=drift)
    result = load_all_calls(client_for(api), CUSTOMER_ID, concurrency=8)
    assert Counter(ids(result.calls)) == Counter(ids(api.calls))
    assert ids(result.calls) == ids(api.calls)


def test_oldest_first_calls_arriving_at_the_end_are_fetched_from_extra_pages() -> None:
    def drift(api: FakeCallsApi, number: int) -> None:
        if number == 3:
            api.calls.extend(make_call(10_000 + i) for i in range(130))

    api = api_of(450, drift=drift)
    result = load_all_calls(client_for(api), CUSTOMER_ID, order="asc", concurrency=1)
    assert ids(result.calls) == ids(api.calls)
    assert result.repairs.extra_pages_fetched == 1
    assert result.repairs.full_refetch_rounds == 0


def test_calls_landing_anywhere_are_repaired_with_a_full_round() -> None:
    rng = random.Random(7)

    def drift(api: FakeCallsApi, number: int) -> None:
        if number in (3, 6):
            for i in range(10):
                api.calls.insert(rng.randrange(len(api.calls)), make_call(30_000 + number * 100 + i))

    api = api_of(800, drift=drift)
    result = load_all_calls(client_for(api), CUSTOMER_ID, sort_by="disposition", concurrency=4)
    assert Counter(ids(result.calls)) == Counter(ids(api.calls))
    assert ids(result.calls) == ids(api.calls)
    assert result.repairs.full_refetch_rounds >= 1


def test_calls_that_vanish_mid_load_are_left_out() -> None:
    def drift(api: FakeCallsApi, number: int) -> None:
        if number == 3:
            del api.calls[10:40]

    api = api_of(500, drift=drift)
    result = load_all_calls(client_for(api), CUSTOMER_ID, concurrency=2)
    assert ids(result.calls) == ids(api.calls)
    assert result.repairs.calls_dropped_as_gone == 30


def test_data_that_never_settles_raises_instead_of_returning_a_short_table() -> None:
    def drift(api: FakeCallsApi, number: int) -> None:
        api.calls.insert(len(api.calls) // 2, make_call(50_000 + number))

    api = api_of(400, drift=drift)
    with pytest.raises(InconsistentDataError, match="kept changing"):
        load_all_calls(client_for(api), CUSTOMER_ID, sort_by="duration")


def test_a_count_the_pages_never_deliver_raises() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"itemsTotal": 150, "items": [make_call(0)]})

    with pytest.raises(InconsistentDataError):
        load_all_calls(client_for(handler), CUSTOMER_ID)


def test_every_call_exactly_once_under_faults_of_every_kind() -> None:
    api = api_of(2345, faults=random_faults(400, rate=0.15, seed=3))
    result = load_all_calls(client_for(api, attempts=8), CUSTOMER_ID, concurrency=8)
    assert ids(result.calls) == ids(api.calls)
    assert result.requests > 24


def test_every_call_exactly_once_under_faults_and_drift() -> None:
    api = api_of(1500, faults=random_faults(300, rate=0.15, seed=11), drift=insert_at_front(25, before_request=6))
    result = load_all_calls(client_for(api, attempts=8), CUSTOMER_ID, concurrency=8)
    assert ids(result.calls) == ids(api.calls)


def test_a_failure_on_a_later_page_is_raised_and_stops_the_load() -> None:
    api = api_of(5000, faults=[None, status(401)])
    with pytest.raises(AuthenticationError):
        load_all_calls(client_for(api), CUSTOMER_ID, concurrency=1)
    assert len(api.requests) == 2


@pytest.mark.parametrize("options", [{"concurrency": 0}, {"concurrency": 65}, {"page_size": 101}])
def test_bad_loader_options_are_refused(options: dict[str, int]) -> None:
    with pytest.raises(InvalidInputError):
        load_all_calls(client_for(api_of(1)), CUSTOMER_ID, **options)  # type: ignore[arg-type]


def test_a_malformed_customer_id_is_refused_before_any_request() -> None:
    api = api_of(1)
    with pytest.raises(InvalidInputError):
        load_all_calls(client_for(api), "nope")
    assert api.requests == []


def test_pages_for_rounds_up_and_never_returns_zero() -> None:
    assert [pages_for(n, 100) for n in (0, 1, 100, 101, 250)] == [1, 1, 1, 2, 3]


def test_merge_orders_places_missing_keys_after_their_earlier_neighbour() -> None:
    assert merge_orders(["b", "d"], ["a", "b", "c", "d", "e"]) == ["a", "b", "c", "d", "e"]
    assert merge_orders(["x", "b"], ["b", "c"]) == ["x", "b", "c"]


def test_describe_repairs_says_when_nothing_was_needed() -> None:
    assert describe_repairs(Repairs(total_at_start=5, total_at_end=5)) == "no repairs needed"


# --- against the simulator on loopback -----------------------------------------------------------------------


def simulator_client(base_url: str, timeout: float = 5.0) -> CallsClient:
    from carecycle_dash.simulator import DEMO_API_KEY

    retry = RetryPolicy(attempts=8, backoff_initial_s=0.01, backoff_max_s=0.1, deadline_s=30.0)
    return CallsClient(DEMO_API_KEY, base_url, timeout=timeout, retry=retry)


@pytest.mark.server
def test_exactly_once_against_the_simulator_under_faults_of_every_kind_and_a_rate_limit() -> None:
    from carecycle_dash.simulator import DEMO_CUSTOMERS, SimulatorConfig, start_simulator

    customer = DEMO_CUSTOMERS["standard"]
    with start_simulator(SimulatorConfig()) as clean, simulator_client(clean.base_url) as client:
        truth = ids(load_all_calls(client, customer).calls)
    config = SimulatorConfig(fault_rate=0.15, retry_after_s=0.05, slow_s=0.4, rate_limit_per_s=40)
    with start_simulator(config) as faulty, simulator_client(faulty.base_url, timeout=0.3) as client:
        for _ in range(6):  # until every kind of fault has been drawn at least once
            result = load_all_calls(client, customer, concurrency=8)
            assert ids(result.calls) == truth
            assert result.requests > result.pages
            stats = faulty.stats
            if len(stats.faults) == 5 and stats.rate_limited:
                break
    assert len(set(truth)) == len(truth) == 2487
    assert set(stats.faults) == {"500", "429", "truncated", "drop", "slow"}
    assert stats.rate_limited > 0


@pytest.mark.parametrize("order", ["desc", "asc"])
@pytest.mark.server
def test_calls_arriving_at_the_simulator_mid_load_are_all_kept_once(order: str) -> None:
    from carecycle_dash.simulator import DEMO_CUSTOMERS, SimulatorConfig, start_simulator

    customer = DEMO_CUSTOMERS["standard"]
    sim = start_simulator(SimulatorConfig(drift_calls=25, drift_after_requests=3))
    with sim, simulator_client(sim.base_url) as client:
        result = load_all_calls(client, customer, order=order)  # type: ignore[arg-type]
        after = load_all_calls(client, customer, order=order)  # type: ignore[arg-type]
    assert sim.items_total(customer) == 2487 + 25
    assert ids(result.calls) == ids(after.calls)
    assert result.repairs.total_at_end == 2487 + 25
    assert not after.repairs.any


# --- Loading since a date and reloading only the newest pages (issue 12) ------------------------------------
NEWEST = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def timed_call(index: int, when: datetime, **fields: Any) -> dict[str, Any]:
    return make_call(index, createdAt=iso(when), **fields)


def newest_first(count: int, step: timedelta = timedelta(minutes=30), start: int = 0) -> list[dict[str, Any]]:
    """`count` calls newest first, `step` apart, the first at NEWEST."""
    return [timed_call(start + i, NEWEST - i * step) for i in range(count)]


def loaded(api: FakeCallsApi) -> Any:
    return load_all_calls(client_for(api), CUSTOMER_ID)


def test_a_reload_reads_only_the_newest_pages_and_the_newer_copy_wins() -> None:
    api = FakeCallsApi(newest_first(1000))  # 30 minutes apart: 48 calls in the 24 h window
    previous = loaded(api)
    api.calls[:0] = [timed_call(5000 + i, NEWEST + timedelta(minutes=60 - i)) for i in range(60)]
    api.calls[10] = {**api.calls[10], "disposition": "Transferred later"}  # a young call that changed
    api.requests.clear()
    result = reload_calls(client_for(api), CUSTOMER_ID, previous)
    assert ids(result.calls) == ids(api.calls)
    assert result.calls[10]["disposition"] == "Transferred later"
    assert (result.how, result.fallback, result.items_total) == ("reload", None, 1060)
    assert sorted(api.page_requests()) == [1, 2]  # 60 new + 49 in the window (24 h back included) + 1 past it


def test_the_re_check_window_edge_is_read_again_and_older_calls_are_not() -> None:
    api = FakeCallsApi(newest_first(1000, step=timedelta(hours=1)))  # 24 h back is exactly call 24
    previous = loaded(api)
    edge, older = api.calls[24], api.calls[300]
    assert edge["createdAt"] == iso(NEWEST - timedelta(hours=24))
    api.calls[24] = {**edge, "summary": "evaluated late"}
    api.calls[300] = {**older, "summary": "changed long after"}
    result = reload_calls(client_for(api), CUSTOMER_ID, previous, recheck=timedelta(hours=24))
    assert result.calls[24]["summary"] == "evaluated late"
    assert result.calls[300]["summary"] == older["summary"]  # outside the window: the copy held stays
    assert result.fallback is None


def test_a_call_deleted_inside_the_window_is_dropped_without_a_full_load() -> None:
    api = FakeCallsApi(newest_first(500))
    previous = loaded(api)
    del api.calls[3]
    result = reload_calls(client_for(api), CUSTOMER_ID, previous)
    assert ids(result.calls) == ids(api.calls)
    assert result.fallback is None and result.how == "reload"


def test_an_items_total_that_does_not_add_up_falls_back_to_a_full_load() -> None:
    api = FakeCallsApi(newest_first(500))
    previous = loaded(api)
    del api.calls[400]  # far older than the window: only the count can tell
    api.requests.clear()
    result = reload_calls(client_for(api), CUSTOMER_ID, previous)
    assert ids(result.calls) == ids(api.calls)
    assert result.fallback == "the API reports 499 calls; the newest pages and those held add up to 500"
    assert result.how == "full" and result.requests == len(api.requests)


def test_calls_arriving_during_a_reload_are_caught_without_a_full_load() -> None:
    api = FakeCallsApi(newest_first(1000))
    previous = loaded(api)
    api.calls[:0] = [timed_call(7000 + i, NEWEST + timedelta(minutes=90 - i)) for i in range(60)]

    def arrive(api: FakeCallsApi, number: int) -> None:
        if number == 2:  # after page 1 was answered
            api.calls[:0] = [timed_call(8000 + i, NEWEST + timedelta(hours=3, minutes=-i)) for i in range(30)]

    api.requests.clear()
    api.drift = arrive
    result = reload_calls(client_for(api), CUSTOMER_ID, previous)
    assert ids(result.calls) == ids(api.calls)
    assert len(result.calls) == 1090 and result.fallback is None


def test_a_reload_of_an_empty_customer_is_a_plain_load() -> None:
    api = FakeCallsApi([])
    previous = loaded(api)
    api.calls[:] = newest_first(3)
    result = reload_calls(client_for(api), CUSTOMER_ID, previous)
    assert ids(result.calls) == ids(api.calls) and result.fallback is None


def test_since_keeps_a_call_exactly_at_the_boundary_and_none_before_it() -> None:
    calls = newest_first(1000, step=timedelta(minutes=10))
    api = FakeCallsApi(calls)
    since = NEWEST - timedelta(minutes=10 * 250)  # exactly call 250's time
    result = load_all_calls(client_for(api), CUSTOMER_ID, since=since)
    assert ids(result.calls) == ids(calls[:251])
    assert result.since == since and result.how == "since"
    assert result.not_held == 749
    assert max(api.page_requests()) <= 3 + 2  # 251 calls are 3 pages; at most 2 beyond them


def test_since_stops_paging_within_two_pages_of_the_date_in_a_large_customer() -> None:
    api = FakeCallsApi(newest_first(20_000, step=timedelta(minutes=5)))
    since = NEWEST - timedelta(days=7)  # 2,016 calls: 21 pages
    result = load_all_calls(client_for(api), CUSTOMER_ID, since=since, concurrency=8)
    assert len(result.calls) == 2017
    assert len(api.requests) <= 21 + 2


def test_since_is_refused_for_an_order_that_cannot_stop_early() -> None:
    with pytest.raises(InvalidInputError, match="newest first"):
        load_all_calls(client_for(api_of(10)), CUSTOMER_ID, sort_by="duration", since=NEWEST)


def test_a_reload_of_a_since_load_keeps_its_cut_and_checks_its_sums() -> None:
    api = FakeCallsApi(newest_first(1000))
    since = NEWEST - timedelta(days=5)
    previous = load_all_calls(client_for(api), CUSTOMER_ID, since=since)
    api.calls[:0] = [timed_call(9000 + i, NEWEST + timedelta(minutes=20 - i)) for i in range(20)]
    result = reload_calls(client_for(api), CUSTOMER_ID, previous, since=since)
    assert ids(result.calls) == ids([c for c in api.calls if c["createdAt"] >= iso(since)])
    assert result.fallback is None and result.since == since


# Deadline and cancel of a whole load.


def test_a_cancelled_load_raises_and_stops_its_requests() -> None:
    api = api_of(5_000)
    cancel = threading.Event()

    def handler(request: httpx.Request) -> httpx.Response:
        if len(api.requests) == 3:
            cancel.set()
        time.sleep(0.002)
        return api(request)

    with pytest.raises(LoadCancelledError):
        load_all_calls(client_for(handler), CUSTOMER_ID, concurrency=2, cancel=cancel)
    assert len(api.requests) < 50


def test_a_load_past_its_deadline_names_the_slow_page_in_one_line() -> None:
    clock = FakeClock()
    api = api_of(500)

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params["page"] == "3":
            clock.sleep(400.0)  # page 3 takes longer than the whole load may
            raise httpx.ReadTimeout("slow", request=request)
        return api(request)

    retry = RetryPolicy(attempts=1, jitter=lambda cap: cap, sleep=clock.sleep, clock=clock.clock)
    client = CallsClient(API_KEY, BASE_URL, transport=httpx.MockTransport(handler), retry=retry)
    with pytest.raises(LoadTimeoutError) as caught:
        load_all_calls(client, CUSTOMER_ID, concurrency=1, deadline_s=300.0)
    message = caught.value.message
    assert "\n" not in message
    assert message == (
        "Loading stopped: the load passed its 5-minute limit while waiting for page 3 (2 of 5 pages had arrived). "
        "The API is slow; try again later."
    )
    assert isinstance(caught.value, NetworkError)


def test_a_load_within_its_deadline_is_unaffected() -> None:
    result = load_all_calls(client_for(api_of(250)), CUSTOMER_ID, deadline_s=300.0, cancel=threading.Event())
    assert len(result.calls) == 250


def test_a_load_deadline_must_be_positive() -> None:
    with pytest.raises(InvalidInputError, match="deadline"):
        load_all_calls(client_for(api_of(1)), CUSTOMER_ID, deadline_s=0)


@pytest.mark.server
def test_a_dripping_server_ends_the_load_at_its_deadline() -> None:
    with serve_hostile_api(HostileApi(default="drip", drip_interval_s=0.1)) as api:
        client = CallsClient(API_KEY, api.base_url, request_timeout_s=30.0, retry=RetryPolicy(attempts=3))
        expected = r"the load passed its 1-second limit while waiting for page 1 \(0 of 1 pages"
        with client, pytest.raises(LoadTimeoutError, match=expected):
            load_all_calls(client, CUSTOMER_ID, deadline_s=1.0)


@pytest.mark.server
def test_cancelling_a_load_against_a_silent_server_ends_it() -> None:
    hostile = HostileApi(default="ok", calls=[make_call(i) for i in range(1_000)])
    with serve_hostile_api(hostile) as api:
        hostile.default = "silent"  # page 1 answered below, every later page never
        slots = threading.BoundedSemaphore(MAX_REQUESTS_PER_KEY)
        client = CallsClient(
            API_KEY, api.base_url, request_timeout_s=30.0, retry=RetryPolicy(attempts=3), request_slots=slots
        )
        cancel = threading.Event()
        hostile.per_customer[CUSTOMER_ID] = "ok"

        def on_progress(done: int, total: int) -> None:
            hostile.per_customer[CUSTOMER_ID] = "silent"
            threading.Timer(0.3, cancel.set).start()

        with client, pytest.raises(LoadCancelledError):
            load_all_calls(client, CUSTOMER_ID, page_size=100, on_progress=on_progress, cancel=cancel)
        # its requests waiting for an answer were cut too, not left holding the key's slots for the read timeout
        assert all(slots.acquire(timeout=5.0) for _ in range(MAX_REQUESTS_PER_KEY))
