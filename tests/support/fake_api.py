"""An in-memory calls endpoint for httpx.MockTransport: pages, drift and scripted faults, no network."""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.factories import make_call

CUSTOMER_ID = "497f6eca-6276-4993-bfeb-53cbbbba6f08"
API_KEY = "cc_test_key_0123456789"
BASE_URL = "https://api.carecycle.test"


Fault = Callable[[httpx.Request], httpx.Response | None]


@dataclass
class FakeCallsApi:
    """Serves `calls` (already in the order the API sorts them) page by page.

    `faults` are consumed one per request while any are left (None = answer normally). `drift(api, n)` runs
    before the n-th request (1-based) is answered, so tests can add or remove calls mid-load.
    """

    calls: list[dict[str, Any]]
    api_key: str = API_KEY
    customer_id: str = CUSTOMER_ID
    faults: list[Fault | None] = field(default_factory=list)
    drift: Callable[[FakeCallsApi, int], None] | None = None
    requests: list[httpx.Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.requests.append(request)
            number = len(self.requests)
            fault = self.faults.pop(0) if self.faults else None
            if self.drift is not None:
                self.drift(self, number)
            if fault is not None and (response := fault(request)) is not None:
                return response
            if request.headers.get("x-api-key") != self.api_key:
                return httpx.Response(401, json={"message": "Unauthorized", "code": "UNAUTHORIZED"})
            if request.url.path != f"/v2/customers/{self.customer_id}/calls":
                return httpx.Response(404, json={"message": "Customer not found", "code": "NOT_FOUND"})
            page = int(request.url.params.get("page", "1"))
            limit = int(request.url.params.get("limit", "50"))
            start = (page - 1) * limit
            total = len(self.calls)
            items = [dict(call) for call in self.calls[start : start + limit]]
            body = {
                "itemsTotal": total,
                "currentPage": page,
                "nextPage": page + 1 if start + limit < total else None,
                "prevPage": page - 1 if page > 1 else None,
                "items": items,
            }
            return httpx.Response(200, content=json.dumps(body).encode())

    def page_requests(self) -> list[int]:
        return [int(r.url.params.get("page", "1")) for r in self.requests]


def status(code: int, body: Any = None, headers: dict[str, str] | None = None) -> Fault:
    """A fault answering `code` with a JSON `body` (or raw bytes when `body` is bytes)."""

    def fault(request: httpx.Request) -> httpx.Response:
        if isinstance(body, bytes):
            return httpx.Response(code, content=body, headers=headers)
        return httpx.Response(code, json=body if body is not None else {"message": "x", "code": "X"}, headers=headers)

    return fault


def raises(error: type[httpx.TransportError]) -> Fault:
    def fault(request: httpx.Request) -> httpx.Response:
        raise error("injected", request=request)

    return fault


def truncated() -> Fault:
    """A 200 whose body stops mid-JSON."""

    def fault(request: httpx.Request) -> httpx.Response:
        body = json.dumps({"itemsTotal": 1, "items": [make_call(0)]}).encode()
        return httpx.Response(200, content=body[: len(body) // 2])

    return fault


def random_faults(count: int, rate: float, seed: int) -> list[Fault | None]:
    """`count` requests' worth of faults of every kind, each request failing with probability `rate`."""
    rng = random.Random(seed)
    kinds: list[Fault] = [
        status(500),
        status(502, b"<html>bad gateway</html>"),
        status(503),
        status(429, {"message": "slow down", "code": "RATE_LIMITED", "retryAfter": 1}),
        status(429, b"", {"Retry-After": "2"}),
        truncated(),
        raises(httpx.ReadTimeout),
        raises(httpx.ConnectError),
        raises(httpx.RemoteProtocolError),
    ]
    return [rng.choice(kinds) if rng.random() < rate else None for _ in range(count)]


class InFlight:
    """A handler that passes each request on to `inner` after `delay_s`, counting how many are in flight at
    once; `peak` is the most seen."""

    def __init__(self, inner: Callable[[httpx.Request], httpx.Response], delay_s: float) -> None:
        self.inner = inner
        self.delay_s = delay_s
        self.peak = 0
        self._now = 0
        self._lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self._now += 1
            self.peak = max(self.peak, self._now)
        time.sleep(self.delay_s)
        with self._lock:
            self._now -= 1
        return self.inner(request)
