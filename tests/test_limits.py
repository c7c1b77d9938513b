"""Process-wide request slots per API key, and one load's deadline and cancel flag."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from carecycle_dash.api import client as client_module
from carecycle_dash.api.client import CallsClient
from carecycle_dash.api.errors import LoadCancelledError, LoadTimeoutError
from carecycle_dash.api.full_load import load_all_calls
from carecycle_dash.api.limits import MAX_REQUESTS_PER_KEY, LoadGuard, key_slots
from carecycle_dash.api.retry import RetryPolicy
from tests.support.fake_api import BASE_URL, CUSTOMER_ID, FakeCallsApi, InFlight, make_call

SHARED_KEY = "cc_limits_shared_key"


def test_one_key_at_one_host_shares_one_set_of_slots() -> None:
    assert key_slots(BASE_URL, SHARED_KEY) is key_slots(BASE_URL, SHARED_KEY)
    assert key_slots(BASE_URL, SHARED_KEY) is not key_slots(BASE_URL, "cc_limits_other_key")
    assert key_slots(BASE_URL, SHARED_KEY) is not key_slots("https://other.example", SHARED_KEY)


def calls_loaded_at_once(sessions: int, client: Callable[[], CallsClient]) -> list[int]:
    """Each of `sessions` simultaneous loads' call count; a load's error is raised here, not lost in its thread."""

    def load(_: int) -> int:
        with client() as each:
            return len(load_all_calls(each, CUSTOMER_ID, concurrency=8).calls)

    with ThreadPoolExecutor(max_workers=sessions) as pool:
        return list(pool.map(load, range(sessions)))


def test_ten_concurrent_loads_with_one_key_keep_at_most_eight_requests_in_flight() -> None:
    api = FakeCallsApi([make_call(i) for i in range(1_500)], api_key=SHARED_KEY)
    handler = InFlight(api, delay_s=0.002)
    transport = httpx.MockTransport(handler)
    loaded = calls_loaded_at_once(
        10, lambda: CallsClient(SHARED_KEY, BASE_URL, transport=transport, retry=RetryPolicy())
    )
    assert loaded == [1_500] * 10
    assert len(api.requests) == 10 * 15
    assert 1 < handler.peak <= MAX_REQUESTS_PER_KEY


def test_pages_are_parsed_one_at_a_time_while_their_requests_run_side_by_side(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Parsing holds the interpreter lock anyway: queueing it leaves other sessions' page runs their share."""
    parsing = InFlight(client_module.parse_page, delay_s=0.002)  # counts overlapping parses
    monkeypatch.setattr(client_module, "parse_page", parsing)
    handler = InFlight(FakeCallsApi([make_call(i) for i in range(1_000)], api_key=SHARED_KEY), delay_s=0.002)
    transport = httpx.MockTransport(handler)
    own_slots = threading.BoundedSemaphore(8)  # this test's own, so no other test's requests count
    loaded = calls_loaded_at_once(
        2, lambda: CallsClient(SHARED_KEY, BASE_URL, transport=transport, request_slots=own_slots)
    )
    assert loaded == [1_000, 1_000]
    assert handler.peak > 1
    assert parsing.peak == 1


def test_a_client_may_bring_its_own_slots() -> None:
    api = FakeCallsApi([make_call(i) for i in range(10)], api_key=SHARED_KEY)
    own = threading.BoundedSemaphore(1)
    with CallsClient(SHARED_KEY, BASE_URL, transport=httpx.MockTransport(api), request_slots=own) as client:
        assert client.fetch_page(CUSTOMER_ID)["itemsTotal"] == 10


def test_a_guard_reports_cancel_before_deadline() -> None:
    cancel = threading.Event()
    guard = LoadGuard(deadline=10.0, cancel=cancel)
    guard.check(9.0)
    with pytest.raises(LoadTimeoutError):
        guard.check(10.0)
    cancel.set()
    with pytest.raises(LoadCancelledError):
        guard.check(10.0)


def test_a_stopped_guard_fails_every_later_check() -> None:
    guard = LoadGuard()
    guard.check(1e9)
    guard.stop()
    with pytest.raises(LoadCancelledError):
        guard.check(0.0)


def test_stopping_a_guard_wakes_a_read_blocked_on_a_socket_it_watches() -> None:
    ours, theirs = socket.socketpair()
    guard = LoadGuard()
    with ours, theirs, guard.watching(ours):
        threading.Timer(0.2, guard.stop).start()
        assert ours.recv(1) == b""  # blocked until stop shut it down: the peer never sends


def test_a_socket_given_to_a_stopped_guard_is_shut_at_once() -> None:
    ours, theirs = socket.socketpair()
    guard = LoadGuard()
    guard.stop()
    with ours, theirs, guard.watching(ours):
        assert ours.recv(1) == b""
