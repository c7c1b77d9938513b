"""The one place that speaks HTTP to the CareCycle calls endpoint.

It checks input before any request, sends the key only as a header, maps every outcome to one exception
of `carecycle_dash.api.errors` with a sentence a person can act on, and retries through `RetryPolicy`.
One client may be shared by many threads: the loader fetches pages concurrently over it.

httpx bounds each phase (connect, each read) but not a whole request, so a server sending one byte every
few seconds would never time out. Each request therefore has its own deadline, from connect to last byte:
the body is streamed and the deadline checked per chunk, and every phase timeout is cut to the time left,
so a silent server is caught too. A body may not pass the page size limit (`CARECYCLE_MAX_PAGE_MB`) as sent or
as decoded (`body.read_capped`). A request waits for one of its key's process-wide slots (`limits.key_slots`)
before it is sent.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Final, Self
from urllib.parse import urlencode

import httpx

from carecycle_dash.api.body import ACCEPT_ENCODING, read_capped
from carecycle_dash.api.config import DEFAULT_REQUEST_TIMEOUT_S, ENV_MAX_PAGE_MB, MEGABYTE, resolve_max_page_mb
from carecycle_dash.api.contract import (
    API_KEY_HEADER,
    CALLS_PATH,
    DEFAULT_BASE_URL,
    DEFAULT_SORT_FIELD,
    DEFAULT_SORT_ORDER,
    PARAM_LIMIT,
    PARAM_ORDER,
    PARAM_PAGE,
    PARAM_SORT_BY,
    SortField,
    SortOrder,
)
from carecycle_dash.api.errors import (
    InvalidInputError,
    NetworkError,
    RateLimitedError,
    RequestTimeoutError,
    ResponseTooLargeError,
)
from carecycle_dash.api.limits import LoadGuard, guarded_transport, guarding, key_slots
from carecycle_dash.api.messages import format_seconds
from carecycle_dash.api.models import CallsPage
from carecycle_dash.api.responses import Answer, parse_page, raise_for_error_status
from carecycle_dash.api.retry import RetryPolicy
from carecycle_dash.api.validation import validate_base_url, validate_customer_id, validate_query

USER_AGENT: Final = "carecycle-dash"
_SLOT_POLL_S: Final = 0.25


_PARSING = threading.Lock()
"""One page body parsed at a time in the whole process. Parsing holds the interpreter lock anyway, so pages
parsed side by side finish no sooner; queued here, a load's eight page threads are one competitor for the
interpreter instead of eight, and people's page runs on other sessions keep their share (docs/deploy.md)."""


class _Cooldown:
    """A shared 'not before' time: when one request is rate limited, the others hold back too."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._until = -math.inf

    def hold_until(self, when: float) -> None:
        with self._lock:
            self._until = max(self._until, when)

    def remaining(self, now: float) -> float:
        with self._lock:
            return max(0.0, self._until - now)


class RequestStats:
    """Requests sent and body bytes received, counted across threads (retries included)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests = 0
        self.bytes_received = 0

    def add(self, body_bytes: int) -> None:
        with self._lock:
            self.requests += 1
            self.bytes_received += body_bytes


class CallsClient:
    """Fetches pages of one customer's calls; safe to share between threads.

    `timeout` bounds each phase (connect, each read), `request_timeout_s` a whole request. `request_slots`
    bounds the requests in flight; by default the process-wide slots of this key at this host. `max_page_mb`
    bounds each response body; by default `CARECYCLE_MAX_PAGE_MB` of this process's environment.
    """

    def __init__(
        self,
        api_key: str | None,
        base_url: str = DEFAULT_BASE_URL,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
        request_timeout_s: float = DEFAULT_REQUEST_TIMEOUT_S,
        retry: RetryPolicy | None = None,
        max_connections: int = 16,
        request_slots: threading.Semaphore | None = None,
        max_page_mb: int | None = None,
    ) -> None:
        self.base_url = validate_base_url(base_url)
        self.retry = retry or RetryPolicy()
        self.request_timeout_s = request_timeout_s
        self._phase_timeout = timeout
        self.max_page_mb = max_page_mb if max_page_mb is not None else resolve_max_page_mb(os.environ)
        self._cooldown = _Cooldown()
        headers = {"accept": "application/json", "accept-encoding": ACCEPT_ENCODING, "user-agent": USER_AGENT}
        if api_key is not None:
            if (
                not isinstance(api_key, str)
                or not api_key.strip()
                or not api_key.strip().isprintable()
                or not api_key.isascii()
            ):
                raise InvalidInputError("The API key is empty or contains characters a key cannot have.")
            headers[API_KEY_HEADER] = api_key.strip()
        self._slots = request_slots or key_slots(self.base_url, api_key)
        limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
        self._http = httpx.Client(
            base_url=self.base_url,
            headers=headers,
            transport=transport or guarded_transport(limits),
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            trust_env=False,
        )

    def __repr__(self) -> str:
        return f"CallsClient(base_url={self.base_url!r})"

    def fetch_page(
        self,
        customer_id: str,
        *,
        page: int = 1,
        limit: int = 100,
        sort_by: SortField = DEFAULT_SORT_FIELD,
        order: SortOrder = DEFAULT_SORT_ORDER,
        stats: RequestStats | None = None,
        guard: LoadGuard | None = None,
    ) -> CallsPage:
        """One page of calls, validated and retried; errors are those of `carecycle_dash.api.errors`.

        A plain string `customer_id` is validated here; a `CustomerId` (from `validate_customer_id`, as
        `load_all_calls` passes) is not checked again.

        `stats`, when given, counts every request sent and the body bytes received (retries included).
        `guard`, when given, is the load this page belongs to: its deadline caps the retries and each
        request, and its cancel flag stops them (LoadTimeoutError, LoadCancelledError).
        """
        customer_id = validate_customer_id(customer_id)
        validate_query(page, limit, sort_by, order)
        # The whole URL built here (every part is validated above): httpx's merging of a base URL and
        # params costs more per request than anything else in the client.
        query = urlencode({PARAM_PAGE: page, PARAM_LIMIT: limit, PARAM_SORT_BY: sort_by, PARAM_ORDER: order})
        url = f"{self.base_url}{CALLS_PATH.format(customer_id=customer_id)}?{query}"
        guard = guard or LoadGuard()
        until = guard.deadline if math.isfinite(guard.deadline) else None
        return self.retry.call(lambda: self._attempt(url, customer_id, page, stats, guard), until=until)

    def _attempt(
        self, url: str, customer_id: str, page: int, stats: RequestStats | None, guard: LoadGuard
    ) -> CallsPage:
        clock = self.retry.clock
        wait = self._cooldown.remaining(clock())
        if wait > 0:
            self.retry.sleep(max(0.0, min(wait, guard.remaining(clock()))))
        guard.check(clock())
        with self._slot(guard):
            response = self._exchange(url, customer_id, page, guard)
        if stats is not None:
            stats.add(len(response.content))
        if not response.is_success:
            try:
                raise_for_error_status(response, customer_id)
            except RateLimitedError as limited:
                if limited.retry_after is not None:
                    self._cooldown.hold_until(self.retry.clock() + limited.retry_after)
                raise
        with _PARSING:
            return parse_page(response)

    @contextmanager
    def _slot(self, guard: LoadGuard) -> Iterator[None]:
        """One of the key's slots, waited for while the load may still run."""
        while not self._slots.acquire(timeout=_SLOT_POLL_S):
            guard.check(self.retry.clock())
        try:
            yield
        finally:
            self._slots.release()

    def _exchange(self, url: str, customer_id: str, page: int, guard: LoadGuard) -> Answer:
        """One GET, connect to last byte, ended at the request's deadline or the load's, whichever is first, or
        as soon as its body passes the page size limit."""
        clock = self.retry.clock
        started = clock()
        end = min(started + self.request_timeout_s, guard.deadline)
        phase = max(min(self._phase_timeout, end - started), 0.001)
        received = 0
        answered = False
        too_large = ResponseTooLargeError(
            f"Page {page:,} of customer {customer_id} is larger than the {self.max_page_mb:,} MB limit "
            f"({ENV_MAX_PAGE_MB}); not loaded."
        )

        def in_time(so_far: int) -> None:
            nonlocal received
            received = so_far
            now = clock()
            guard.check(now)
            if now > end:
                raise RequestTimeoutError(
                    f"The API did not send page {page} within {format_seconds(self.request_timeout_s)} "
                    f"(only {received:,} bytes arrived). Check the connection and try again."
                )

        try:
            with guarding(guard), self._http.stream("GET", url, timeout=httpx.Timeout(phase)) as response:
                answered = True
                body = read_capped(response, self.max_page_mb * MEGABYTE, too_large, in_time)
                return Answer(response.status_code, response.headers, body)
        except httpx.TimeoutException:
            guard.check(clock())
            if not answered:
                what = f"sent nothing for page {page} within {format_seconds(phase)}"
            else:
                what = f"stopped sending page {page} (nothing for {format_seconds(phase)} after {received:,} bytes)"
            raise RequestTimeoutError(f"The API {what}. Check the connection and try again.") from None
        except httpx.TransportError as exc:
            guard.check(clock())  # a stopped load shuts its sockets: report that, not a network failure
            if answered:
                raise NetworkError(
                    f"The API answered, but the connection was cut while reading page {page:,} (after {received:,} "
                    f"bytes, {type(exc).__name__}). Check the connection and try again."
                ) from None
            raise NetworkError(
                f"Could not reach the API at {self.base_url} ({type(exc).__name__}). Check the address and network."
            ) from None

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
