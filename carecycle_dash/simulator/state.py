"""What the simulator's request threads share: its configuration, statistics, customers, keys, faults and rate
limits, and the answers of the calls and recordings endpoints (everything but the HTTP plumbing)."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

from carecycle_dash.api.contract import STATUS_FORBIDDEN, STATUS_NOT_FOUND, STATUS_RATE_LIMITED, STATUS_UNAUTHORIZED
from carecycle_dash.simulator import audio
from carecycle_dash.simulator.config import SimulatorConfig, check_runtime_knobs
from carecycle_dash.simulator.customers import DEMO_CUSTOMER_LIST, DataKind, demo_keys
from carecycle_dash.simulator.faults import FaultDraw, RateLimiter
from carecycle_dash.simulator.responses import Answer, error, json_bytes, page_body, retry_seconds
from carecycle_dash.simulator.store import CustomerCalls
from carecycle_dash.simulator.validation import Problem, read_request


@dataclass(frozen=True)
class SimulatorStats:
    """What the simulator has done so far; a snapshot, safe to keep."""

    requests: int
    page_requests: int
    recording_requests: int
    by_status: dict[int, int]
    faults: dict[str, int]
    rate_limited: int
    drifted_calls: int
    max_in_flight: int


class SimulatorState:
    """Everything the request threads share. Each piece has its own lock; none is held while sleeping."""

    def __init__(self, config: SimulatorConfig, base_url: str) -> None:
        self.base_url = base_url
        self.stop_event = threading.Event()
        self._config = config
        self._config_lock = threading.Lock()
        catalog: dict[str, tuple[int, DataKind]] = {c.customer_id: (c.calls, c.kind) for c in DEMO_CUSTOMER_LIST}
        for customer_id, count in config.extra_customers.items():
            catalog[customer_id] = (count, "realistic")
        self._catalog = catalog
        self._customers: dict[str, CustomerCalls] = {}
        self._customers_lock = threading.Lock()
        self._keys = demo_keys(frozenset(catalog)) | dict(config.extra_keys)
        self._faults = FaultDraw(config.seed)
        self._limiter = RateLimiter()
        self._stats_lock = threading.Lock()
        self._by_status: Counter[int] = Counter()
        self._fault_counts: Counter[str] = Counter()
        self._counts: Counter[str] = Counter()
        self._page_requests_by_customer: Counter[str] = Counter()
        self._drifted: set[str] = set()
        self._in_flight = 0

    # --- configuration and statistics --------------------------------------------------------------------

    @property
    def config(self) -> SimulatorConfig:
        with self._config_lock:
            return self._config

    def set_faults(self, **knobs: Any) -> SimulatorConfig:
        check_runtime_knobs(knobs)
        with self._config_lock:
            self._config = replace(self._config, **knobs)
            config = self._config
        if {"drift_calls", "drift_after_requests"} & set(knobs):
            with self._stats_lock:
                self._page_requests_by_customer.clear()
                self._drifted.clear()
        if "rate_limit_per_s" in knobs:
            self._limiter.reset()
        return config

    def stats(self) -> SimulatorStats:
        with self._stats_lock:
            return SimulatorStats(
                requests=self._counts["requests"],
                page_requests=self._counts["page_requests"],
                recording_requests=self._counts["recording_requests"],
                by_status=dict(self._by_status),
                faults=dict(self._fault_counts),
                rate_limited=self._counts["rate_limited"],
                drifted_calls=self._counts["drifted_calls"],
                max_in_flight=self._counts["max_in_flight"],
            )

    def count(self, name: str, by: int = 1) -> None:
        with self._stats_lock:
            self._counts[name] += by

    def count_status(self, status: int) -> None:
        with self._stats_lock:
            self._by_status[status] += 1

    def count_fault(self, kind: str) -> None:
        with self._stats_lock:
            self._fault_counts[kind] += 1

    def enter(self) -> None:
        with self._stats_lock:
            self._in_flight += 1
            self._counts["requests"] += 1
            self._counts["max_in_flight"] = max(self._counts["max_in_flight"], self._in_flight)

    def leave(self) -> None:
        with self._stats_lock:
            self._in_flight -= 1

    # --- data --------------------------------------------------------------------------------------------

    def customer(self, customer_id: str) -> CustomerCalls | None:
        entry = self._catalog.get(customer_id)
        if entry is None:
            return None
        with self._customers_lock:
            calls = self._customers.get(customer_id)
            if calls is None:
                count, kind = entry
                config = self._config
                calls = CustomerCalls(customer_id, count, kind, config.seed, self.base_url, config.now)
                self._customers[customer_id] = calls
            return calls

    def catalog(self) -> dict[str, int]:
        """Customer ID -> number of calls before drift, for every customer this simulator serves."""
        return {customer_id: count for customer_id, (count, _) in self._catalog.items()}

    # --- the calls endpoint ------------------------------------------------------------------------------

    def draw_fault(self) -> str | None:
        config = self.config
        kind = self._faults.draw(config.fault_rate, config.fault_kinds)
        if kind is not None:
            self.count_fault(kind)
        return kind

    def answer_calls(self, raw_customer_id: str, query: str, api_key: str | None) -> Answer:
        config = self.config
        allowed = self._keys.get(api_key) if api_key is not None else None
        if allowed is None:
            message = "Missing API key." if not api_key else "Invalid API key."
            return error(STATUS_UNAUTHORIZED, "UNAUTHORIZED", message + " Send a valid key in the x-api-key header.")
        wait = self._limiter.acquire(api_key or "", config.rate_limit_per_s)
        if wait > 0:
            self.count("rate_limited")
            return error(STATUS_RATE_LIMITED, "RATE_LIMITED", "Too many requests.", retryAfter=retry_seconds(wait))
        try:
            request = read_request(raw_customer_id, query)
        except Problem as problem:
            return Answer(problem.status, json_bytes(problem.body), {})
        customer_id = request.customer_id
        calls = self.customer(customer_id)
        if calls is None:
            return error(STATUS_NOT_FOUND, "NOT_FOUND", "Customer not found.")
        if customer_id not in allowed:
            return error(STATUS_FORBIDDEN, "FORBIDDEN", "This API key may not read this customer's calls.")
        self._maybe_drift(customer_id, calls, config)
        total, items = calls.page(request.sort_by, request.order, request.page, request.limit)
        return Answer(200, page_body(total, request.page, request.limit, items), {"Cache-Control": "no-store"})

    def _maybe_drift(self, customer_id: str, calls: CustomerCalls, config: SimulatorConfig) -> None:
        if config.drift_calls <= 0:
            return
        with self._stats_lock:
            self._page_requests_by_customer[customer_id] += 1
            due = (
                self._page_requests_by_customer[customer_id] > config.drift_after_requests
                and customer_id not in self._drifted
            )
            if due:
                self._drifted.add(customer_id)
        if due:
            calls.add_newer_calls(config.drift_calls)
            self.count("drifted_calls", config.drift_calls)

    def answer_recording(self, customer_id: str, call_id: str, kind: str) -> Answer | None:
        calls = self.customer(customer_id)
        recording = calls.recording(call_id) if calls is not None else None
        if recording is None or kind not in recording.kinds:
            return None
        make = audio.stereo_wav if kind == "stereo" else audio.mono_wav
        body = make(call_id, recording.duration_ms)
        return Answer(200, body, {"Content-Type": "audio/wav", "Cache-Control": "public, max-age=86400"})
