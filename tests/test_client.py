"""CallsClient against httpx.MockTransport: every status and error body, retries with time faked."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import httpx
import pytest

from carecycle_dash.api.client import CallsClient, RequestStats
from carecycle_dash.api.errors import (
    ApiError,
    AuthenticationError,
    BadRequestError,
    InvalidInputError,
    LoadCancelledError,
    LoadTimeoutError,
    NetworkError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    RequestTimeoutError,
    ServerError,
    UnreadableResponseError,
    ValidationError,
)
from carecycle_dash.api.limits import LoadGuard
from carecycle_dash.api.responses import parse_retry_after
from carecycle_dash.api.retry import RetryPolicy
from carecycle_dash.api.validation import validate_base_url, validate_customer_id
from tests.factories import make_call
from tests.support.clock import FakeClock
from tests.support.fake_api import (
    API_KEY,
    BASE_URL,
    CUSTOMER_ID,
    FakeCallsApi,
    raises,
    status,
    truncated,
)
from tests.support.hostile import HostileApi, serve_hostile_api

Handler = Callable[[httpx.Request], httpx.Response]


def client_for(handler: Handler, clock: FakeClock | None = None, **retry: object) -> CallsClient:
    clock = clock or FakeClock()
    settings: dict[str, object] = {"attempts": 4, "jitter": lambda cap: cap, "sleep": clock.sleep, "clock": clock.clock}
    settings.update(retry)
    return CallsClient(
        API_KEY,
        BASE_URL,
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(**settings),  # type: ignore[arg-type]
    )


def api_with(*faults: object, calls: int = 3) -> FakeCallsApi:
    return FakeCallsApi([make_call(i) for i in range(calls)], faults=list(faults))  # type: ignore[arg-type]


def test_a_page_is_fetched_with_the_documented_query_and_key_header() -> None:
    api = api_with(calls=120)
    with client_for(api) as client:
        page = client.fetch_page(CUSTOMER_ID, page=2, limit=100, sort_by="duration", order="asc")
    assert page["itemsTotal"] == 120
    assert [c["id"] for c in page["items"]] == [make_call(i)["id"] for i in range(100, 120)]
    request = api.requests[0]
    assert request.url.path == f"/v2/customers/{CUSTOMER_ID}/calls"
    assert dict(request.url.params) == {"page": "2", "limit": "100", "sortBy": "duration", "order": "asc"}
    assert request.headers["x-api-key"] == API_KEY
    assert API_KEY not in str(request.url)


def test_lone_surrogates_in_a_page_become_replacement_characters() -> None:
    api = FakeCallsApi([make_call(0, summary="a \ud800 b", transcript="AI: \U0001f44b"), make_call(1)])
    with client_for(api) as client:
        items = client.fetch_page(CUSTOMER_ID)["items"]
    assert items[0]["summary"] == "a \ufffd b"
    assert items[0]["transcript"] == "AI: \U0001f44b"  # an escaped surrogate pair is a real character
    assert items[1] == make_call(1)


def test_the_key_never_shows_in_repr() -> None:
    with client_for(api_with()) as client:
        assert API_KEY not in repr(client)


@pytest.mark.parametrize(
    "bad_id",
    ["", "not-a-uuid", "497f6eca-6276-0993-bfeb-53cbbbba6f08", "497f6eca-6276-4993-cfeb-53cbbbba6f08", "../../admin"],
)
def test_a_malformed_customer_id_is_refused_before_any_request(bad_id: str) -> None:
    api = api_with()
    with client_for(api) as client, pytest.raises(InvalidInputError, match="customer ID"):
        client.fetch_page(bad_id)
    assert api.requests == []


def test_customer_id_validation_trims_and_a_validated_id_is_not_checked_again() -> None:
    validated = validate_customer_id(f" {CUSTOMER_ID}\n")
    assert validated == CUSTOMER_ID
    assert validate_customer_id(validated) is validated


def test_customer_id_with_an_embedded_newline_is_refused() -> None:
    with pytest.raises(InvalidInputError):
        validate_customer_id(f"{CUSTOMER_ID}\n{CUSTOMER_ID}")


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000", "http://127.8.9.1", "http://localhost:1", "http://[::1]:9000", "https://x.org/"]
)
def test_https_anywhere_and_http_to_loopback_are_allowed(url: str) -> None:
    assert validate_base_url(url) == url.rstrip("/")


@pytest.mark.parametrize(
    "url",
    ["http://api.carecycle.ai", "http://10.0.0.1", "ftp://x.org", "https://user:pw@x.org", "", "https://x.org/?a=1"],
)
def test_plain_http_elsewhere_and_odd_urls_are_refused(url: str) -> None:
    with pytest.raises(InvalidInputError):
        validate_base_url(url)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"page": 0}, "page number"),
        ({"limit": 101}, "page size"),
        ({"limit": 0}, "page size"),
        ({"sort_by": "name"}, "sort by"),
        ({"order": "up"}, "order"),
    ],
)
def test_bad_query_options_are_refused_before_any_request(options: dict[str, object], message: str) -> None:
    api = api_with()
    with client_for(api) as client, pytest.raises(InvalidInputError, match=message):
        client.fetch_page(CUSTOMER_ID, **options)  # type: ignore[arg-type]
    assert api.requests == []


@pytest.mark.parametrize(
    ("code", "error", "words"),
    [
        (400, BadRequestError, "could not read the request"),
        (401, AuthenticationError, "API key was rejected"),
        (403, PermissionDeniedError, "may not see customer"),
        (404, NotFoundError, "was not found"),
        (418, ApiError, "unexpected status"),
    ],
)
def test_each_error_status_maps_to_its_own_error_without_retrying(code: int, error: type[ApiError], words: str) -> None:
    api = api_with(status(code, {"message": "Nope", "code": "E"}))
    with client_for(api) as client, pytest.raises(error, match=words) as raised:
        client.fetch_page(CUSTOMER_ID)
    assert raised.value.status == code
    assert len(api.requests) == 1
    assert API_KEY not in str(raised.value)
    assert "\n" not in str(raised.value)


def test_a_wrong_key_is_reported_as_authentication() -> None:
    api = api_with()
    client = CallsClient("cc_wrong", BASE_URL, transport=httpx.MockTransport(api))
    with pytest.raises(AuthenticationError, match="CARECYCLE_API_KEY") as raised:
        client.fetch_page(CUSTOMER_ID)
    assert "cc_wrong" not in str(raised.value)


def test_validation_error_lists_every_field_error() -> None:
    body = {
        "message": "Invalid request",
        "code": "VALIDATION_ERROR",
        "errors": [
            {"path": ["query", "limit"], "message": "Too big", "expected": "<=100", "received": "500", "code": "big"},
            {"path": ["query", "page"], "message": "Too small", "expected": ">=1", "received": "0", "code": "small"},
        ],
    }
    with client_for(api_with(status(422, body))) as client, pytest.raises(ValidationError) as raised:
        client.fetch_page(CUSTOMER_ID)
    assert str(raised.value) == "The API rejected the request (422): query.limit: Too big; query.page: Too small."
    assert [e.path for e in raised.value.field_errors] == [("query", "limit"), ("query", "page")]
    assert raised.value.field_errors[0].received == "500"


def test_untrusted_server_text_is_flattened_and_bounded() -> None:
    body = {"message": "<script>alert(1)</script>\n\x1b[31m" + "x" * 500, "code": "E"}
    with client_for(api_with(status(400, body))) as client, pytest.raises(BadRequestError) as raised:
        client.fetch_page(CUSTOMER_ID)
    text = str(raised.value)
    assert "\n" not in text and "\x1b" not in text
    assert len(text) < 300


def test_error_status_with_a_body_that_is_not_json_is_still_mapped() -> None:
    with client_for(api_with(status(403, b"<html>Forbidden</html>"))) as client, pytest.raises(PermissionDeniedError):
        client.fetch_page(CUSTOMER_ID)


@pytest.mark.parametrize("code", [500, 502, 503, 504])
def test_server_errors_are_retried_with_backoff(code: int) -> None:
    clock = FakeClock()
    api = api_with(status(code), status(code, b"<html>oops</html>"))
    with client_for(api, clock, backoff_initial_s=1.0) as client:
        page = client.fetch_page(CUSTOMER_ID)
    assert page["itemsTotal"] == 3
    assert clock.sleeps == [1.0, 2.0]


def test_server_errors_raise_server_error_after_the_last_attempt() -> None:
    api = api_with(*[status(500)] * 10)
    with client_for(api, attempts=3) as client, pytest.raises(ServerError, match=r"\(500\)"):
        client.fetch_page(CUSTOMER_ID)
    assert len(api.requests) == 3


def test_body_retry_after_is_honoured() -> None:
    clock = FakeClock()
    api = api_with(status(429, {"message": "Too many", "code": "RATE_LIMITED", "retryAfter": 3}))
    with client_for(api, clock, jitter=lambda cap: 0.0) as client:
        client.fetch_page(CUSTOMER_ID)
    assert clock.sleeps == [3.0]


def test_retry_after_header_is_honoured() -> None:
    clock = FakeClock()
    api = api_with(status(429, b"", {"Retry-After": "5"}))
    with client_for(api, clock, jitter=lambda cap: 0.0) as client:
        client.fetch_page(CUSTOMER_ID)
    assert clock.sleeps == [5.0]


def test_the_longer_of_body_and_header_retry_after_wins() -> None:
    assert parse_retry_after(2, "9") == 9.0
    assert parse_retry_after(12, "9") == 12.0
    assert parse_retry_after(None, None) is None
    assert parse_retry_after("soon", "later") is None
    when = datetime(2026, 1, 1, 0, 0, 30, tzinfo=UTC)
    assert parse_retry_after(None, "Thu, 01 Jan 2026 00:01:00 GMT", now=when) == 30.0


def test_rate_limited_error_carries_retry_after_when_retries_run_out() -> None:
    body = {"message": "Too many", "code": "RATE_LIMITED", "retryAfter": 4}
    api = api_with(*[status(429, body)] * 5)
    with client_for(api, rate_limited_attempts=2) as client, pytest.raises(RateLimitedError, match="4 s") as raised:
        client.fetch_page(CUSTOMER_ID)
    assert raised.value.retry_after == 4.0


def test_a_rate_limit_holds_back_the_next_request_too() -> None:
    clock = FakeClock()
    api = api_with(status(429, {"message": "x", "code": "RATE_LIMITED", "retryAfter": 2}))
    with client_for(api, clock, jitter=lambda cap: 0.0) as client:
        client.fetch_page(CUSTOMER_ID)
        client.fetch_page(CUSTOMER_ID)
    assert sum(clock.sleeps) == pytest.approx(2.0)


@pytest.mark.parametrize(
    "fault",
    [
        truncated(),
        status(200, b"<html>maintenance</html>"),
        status(200, [1, 2, 3]),
        status(200, {"itemsTotal": "3", "items": []}),
        status(200, {"itemsTotal": 3, "items": "nope"}),
        status(200, {"itemsTotal": 3, "items": [1]}),
    ],
)
def test_unreadable_bodies_are_retried_then_reported(fault: Callable[[httpx.Request], httpx.Response]) -> None:
    api = api_with(fault, fault, fault)
    with client_for(api, attempts=3) as client, pytest.raises(UnreadableResponseError, match="could not be read"):
        client.fetch_page(CUSTOMER_ID)
    assert len(api.requests) == 3


def test_a_truncated_body_is_retried_until_a_whole_one_arrives() -> None:
    with client_for(api_with(truncated())) as client:
        assert len(client.fetch_page(CUSTOMER_ID)["items"]) == 3


@pytest.mark.parametrize("error", [httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError, httpx.ReadTimeout])
def test_dropped_connections_and_timeouts_are_retried(error: type[httpx.TransportError]) -> None:
    api = api_with(raises(error), raises(error))
    with client_for(api) as client:
        assert client.fetch_page(CUSTOMER_ID)["itemsTotal"] == 3
    assert len(api.requests) == 3


def test_a_timeout_after_the_last_attempt_is_a_network_error() -> None:
    api = api_with(*[raises(httpx.ConnectTimeout)] * 5)
    with (
        client_for(api, attempts=2) as client,
        pytest.raises(NetworkError, match="sent nothing for page 1 within 30 s"),
    ):
        client.fetch_page(CUSTOMER_ID)


def test_an_unreachable_host_is_a_network_error() -> None:
    api = api_with(*[raises(httpx.ConnectError)] * 5)
    with client_for(api, attempts=2) as client, pytest.raises(NetworkError, match="Could not reach the API"):
        client.fetch_page(CUSTOMER_ID)


def test_the_overall_deadline_stops_retrying() -> None:
    clock = FakeClock()
    api = api_with(*[status(503)] * 20)
    client = client_for(api, clock, attempts=20, deadline_s=10.0, backoff_initial_s=1.0)
    with client, pytest.raises(ServerError):
        client.fetch_page(CUSTOMER_ID)
    assert clock.now <= 10.0
    assert len(api.requests) == 4  # waits 1, 2, 4; the next (8) would pass the deadline


def test_stats_count_every_request_and_byte_including_retries() -> None:
    api = api_with(status(500, b"oops"))
    stats = RequestStats()
    with client_for(api) as client:
        page = client.fetch_page(CUSTOMER_ID, stats=stats)
    assert stats.requests == 2
    assert stats.bytes_received == len(b"oops") + len(json.dumps({**page, "items": page["items"]}).encode())


def test_redirects_are_not_followed() -> None:
    api = api_with(status(302, b"", {"Location": "https://evil.example/steal"}))
    with client_for(api) as client, pytest.raises(ApiError, match="302"):
        client.fetch_page(CUSTOMER_ID)
    assert len(api.requests) == 1


def test_an_api_key_with_a_line_break_is_refused() -> None:
    with pytest.raises(InvalidInputError) as raised:
        CallsClient("cc_abc\r\nx-evil: 1", BASE_URL)
    assert "cc_abc" not in str(raised.value)


# Whole-request deadline: a server that drips or stays silent.


class DripStream(httpx.SyncByteStream):
    """A body sent one byte at a time, `every_s` apart on the fake clock."""

    def __init__(self, body: bytes, clock: FakeClock, every_s: float) -> None:
        self.body = body
        self.clock = clock
        self.every_s = every_s

    def __iter__(self) -> Iterator[bytes]:
        for byte in self.body:
            self.clock.sleep(self.every_s)
            yield bytes([byte])


def dripping(clock: FakeClock, every_s: float) -> Handler:
    body = json.dumps({"itemsTotal": 0, "currentPage": 1, "nextPage": None, "prevPage": None, "items": []})
    return lambda request: httpx.Response(200, stream=DripStream(body.encode(), clock, every_s))


def test_a_dripping_body_ends_at_the_request_deadline_and_is_retried_as_a_timeout() -> None:
    clock = FakeClock()
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return dripping(clock, 5.0)(request)

    client = client_for(handler, clock, attempts=3, deadline_s=1_000.0)
    client.request_timeout_s = 60.0
    with client, pytest.raises(RequestTimeoutError, match=r"did not send page 1 within 60 s \(only 13 bytes"):
        client.fetch_page(CUSTOMER_ID)
    assert len(requests) == 3


def test_a_body_that_arrives_within_the_request_deadline_is_read_whole() -> None:
    clock = FakeClock()
    with client_for(dripping(clock, 0.5), clock) as client:
        assert client.fetch_page(CUSTOMER_ID)["itemsTotal"] == 0


def test_a_silent_server_is_caught_by_phase_timeouts_cut_to_the_request_deadline() -> None:
    seen: list[dict[str, float]] = []

    def silent(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        raise httpx.ReadTimeout("silent", request=request)

    client = CallsClient(
        API_KEY,
        BASE_URL,
        transport=httpx.MockTransport(silent),
        timeout=30.0,
        request_timeout_s=10.0,
        retry=RetryPolicy(attempts=1),
    )
    with client, pytest.raises(RequestTimeoutError, match="sent nothing for page 1 within 10 s"):
        client.fetch_page(CUSTOMER_ID)
    assert seen == [{"connect": 10.0, "read": 10.0, "write": 10.0, "pool": 10.0}]


def test_a_load_deadline_cuts_the_phase_timeouts_and_is_not_retried() -> None:
    clock = FakeClock()
    seen: list[dict[str, float]] = []

    def slow(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        clock.sleep(5.0)
        raise httpx.ReadTimeout("silent", request=request)

    guard = LoadGuard(deadline=4.0)
    with client_for(slow, clock, attempts=5) as client, pytest.raises(LoadTimeoutError):
        client.fetch_page(CUSTOMER_ID, guard=guard)
    assert [timeouts["read"] for timeouts in seen] == [4.0]


def test_retry_waits_never_pass_the_load_deadline() -> None:
    clock = FakeClock()
    api = api_with(*[status(503)] * 20)
    guard = LoadGuard(deadline=5.0)
    client = client_for(api, clock, attempts=20, deadline_s=1_000.0, backoff_initial_s=1.0)
    with client, pytest.raises(ServerError):
        client.fetch_page(CUSTOMER_ID, guard=guard)
    assert clock.now <= 5.0
    assert 1 < len(api.requests) < 20


def test_a_cancelled_load_sends_no_request() -> None:
    api = api_with()
    cancel = threading.Event()
    cancel.set()
    with client_for(api) as client, pytest.raises(LoadCancelledError):
        client.fetch_page(CUSTOMER_ID, guard=LoadGuard(cancel=cancel))
    assert api.requests == []


@pytest.mark.server
def test_a_real_dripping_server_ends_at_the_request_deadline() -> None:
    with serve_hostile_api(HostileApi(default="drip", drip_interval_s=0.05)) as api:
        client = CallsClient(API_KEY, api.base_url, timeout=5.0, request_timeout_s=0.5, retry=RetryPolicy(attempts=1))
        with client, pytest.raises(RequestTimeoutError, match=r"did not send page 1 within 0\.5 s"):
            client.fetch_page(CUSTOMER_ID)


@pytest.mark.server
def test_a_real_silent_server_is_caught_without_waiting_for_the_read_timeout() -> None:
    with serve_hostile_api(HostileApi(default="silent")) as api:
        client = CallsClient(API_KEY, api.base_url, timeout=30.0, request_timeout_s=0.3, retry=RetryPolicy(attempts=1))
        with client, pytest.raises(RequestTimeoutError, match=r"sent nothing for page 1 within 0\.3 s"):
            client.fetch_page(CUSTOMER_ID)


@pytest.mark.server
def test_stopping_a_load_cuts_a_request_still_waiting_for_its_answer_at_once() -> None:
    with serve_hostile_api(HostileApi(default="silent")) as api:
        guard = LoadGuard()
        threading.Timer(0.3, guard.stop).start()
        client = CallsClient(API_KEY, api.base_url, timeout=30.0, request_timeout_s=60.0, retry=RetryPolicy(attempts=3))
        started = time.monotonic()
        with client, pytest.raises(LoadCancelledError):
            client.fetch_page(CUSTOMER_ID, guard=guard)
        assert time.monotonic() - started < 10.0  # not the 30 s read timeout
        assert api.requests == 1


@pytest.mark.server
def test_stopping_a_load_cuts_a_body_read_at_once() -> None:
    with serve_hostile_api(HostileApi(default="drip", drip_interval_s=0.2)) as api:
        guard = LoadGuard()
        threading.Timer(0.3, guard.stop).start()
        client = CallsClient(API_KEY, api.base_url, request_timeout_s=60.0, retry=RetryPolicy(attempts=3))
        with client, pytest.raises(LoadCancelledError):
            client.fetch_page(CUSTOMER_ID, guard=guard)
        assert api.requests == 1
