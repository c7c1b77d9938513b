"""The simulator's HTTP server: `GET /v2/customers/{id}/calls` with the whole contract, and recordings.

A request to the calls endpoint is answered in this order, each step only when the ones before passed:
 1. injected latency, then an injected fault (a fault replaces the answer; "slow" only delays it);
 2. 401 when `x-api-key` is missing or unknown;
 3. 429 when the key's rate limit is spent;
 4. 400 when the request cannot be read: a parameter given twice, `page`/`limit` that are not numbers;
 5. 422 VALIDATION_ERROR listing every bad field: the customer ID, page < 1, limit outside 1..100,
    page/limit not integers, an unknown sortBy or order;
 6. 404 when no customer has that ID; 403 when the customer exists but the key may not read it;
 7. 200 with the page. A page past the end is a 200 with no items.
Recordings (`/recordings/{customer}/{call}/{mono|stereo|main}.wav`) need no key, like pre-signed URLs, but
exist only for real calls that have them.
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections import Counter
from dataclasses import dataclass, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from carecycle_dash.api.contract import (
    API_KEY_HEADER,
    CALLS_PATH,
    DEFAULT_LIMIT,
    DEFAULT_PAGE,
    DEFAULT_SORT_FIELD,
    DEFAULT_SORT_ORDER,
    MAX_LIMIT,
    PARAM_LIMIT,
    PARAM_ORDER,
    PARAM_PAGE,
    PARAM_SORT_BY,
    SORT_FIELDS,
    SORT_ORDERS,
    STATUS_BAD_REQUEST,
    STATUS_FORBIDDEN,
    STATUS_NOT_FOUND,
    STATUS_RATE_LIMITED,
    STATUS_SERVER_ERROR,
    STATUS_UNAUTHORIZED,
    STATUS_VALIDATION,
    VALIDATION_ERROR_CODE,
    SortField,
    SortOrder,
    is_valid_customer_id,
)
from carecycle_dash.simulator import audio
from carecycle_dash.simulator.config import SimulatorConfig, check_runtime_knobs
from carecycle_dash.simulator.customers import DEMO_CUSTOMER_LIST, DataKind, demo_keys
from carecycle_dash.simulator.faults import FaultDraw, RateLimiter
from carecycle_dash.simulator.store import CustomerCalls
from carecycle_dash.text.safety import shorten

_CALLS_PREFIX, _CALLS_SUFFIX = CALLS_PATH.split("{customer_id}")
_RECORDING_PATH = re.compile(r"^/recordings/([^/]+)/([^/]+)/(mono|stereo|main)\.wav$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_MAX_ECHO = 100
ALLOWED_METHODS = "GET, HEAD"


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


@dataclass
class _Answer:
    status: int
    body: bytes
    headers: dict[str, str]


class _Problem(Exception):
    """A 4xx decided while reading the request."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body.get("message"))
        self.status = status
        self.body = body


def _error(status: int, code: str, message: str, **extra: Any) -> _Answer:
    headers = {}
    if "retryAfter" in extra:
        headers["Retry-After"] = _seconds_text(extra["retryAfter"])
    return _Answer(status, _json({"message": message, "code": code, **extra}), headers)


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _seconds(value: float) -> float | int:
    """Seconds as the body's `retryAfter` carries them: whole numbers stay whole, others round up to ms."""
    rounded = math.ceil(value * 1000) / 1000
    return int(rounded) if rounded == int(rounded) else rounded


def _seconds_text(value: float | int) -> str:
    return str(_seconds(float(value)))


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
                calls = CustomerCalls(customer_id, count, kind, self._config.seed, self.base_url)
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

    def answer_calls(self, raw_customer_id: str, query: str, api_key: str | None) -> _Answer:
        config = self.config
        allowed = self._keys.get(api_key) if api_key is not None else None
        if allowed is None:
            message = "Missing API key." if not api_key else "Invalid API key."
            return _error(STATUS_UNAUTHORIZED, "UNAUTHORIZED", message + " Send a valid key in the x-api-key header.")
        wait = self._limiter.acquire(api_key or "", config.rate_limit_per_s)
        if wait > 0:
            self.count("rate_limited")
            return _error(STATUS_RATE_LIMITED, "RATE_LIMITED", "Too many requests.", retryAfter=_seconds(wait))
        try:
            customer_id, page, limit, sort_by, order = _read_request(raw_customer_id, query)
        except _Problem as problem:
            return _Answer(problem.status, _json(problem.body), {})
        calls = self.customer(customer_id)
        if calls is None:
            return _error(STATUS_NOT_FOUND, "NOT_FOUND", "Customer not found.")
        if customer_id not in allowed:
            return _error(STATUS_FORBIDDEN, "FORBIDDEN", "This API key may not read this customer's calls.")
        self._maybe_drift(customer_id, calls, config)
        total, items = calls.page(sort_by, order, page, limit)
        return _Answer(200, _page_body(total, page, limit, items), {"Cache-Control": "no-store"})

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

    def answer_recording(self, customer_id: str, call_id: str, kind: str) -> _Answer | None:
        calls = self.customer(customer_id)
        if calls is None or kind not in calls.recording_kinds(call_id):
            return None
        body = audio.stereo_wav(call_id) if kind == "stereo" else audio.mono_wav(call_id)
        return _Answer(200, body, {"Content-Type": "audio/wav", "Cache-Control": "public, max-age=86400"})


def _page_body(total: int, page: int, limit: int, items: list[bytes]) -> bytes:
    pages = math.ceil(total / limit)
    next_page = page + 1 if page < pages else None
    prev_page = min(page - 1, pages) if page > 1 and pages > 0 else None
    head = _json({"itemsTotal": total, "currentPage": page, "nextPage": next_page, "prevPage": prev_page})
    return head[:-1] + b',"items":[' + b",".join(items) + b"]}"


def _read_request(raw_customer_id: str, query: str) -> tuple[str, int, int, SortField, SortOrder]:
    """Parse and validate; raise a 400 for what cannot be read, else a 422 listing every bad field."""
    try:
        params = parse_qs(query, keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError) as exc:
        raise _Problem(STATUS_BAD_REQUEST, {"message": "Malformed query string.", "code": "BAD_REQUEST"}) from exc
    names = (PARAM_PAGE, PARAM_LIMIT, PARAM_SORT_BY, PARAM_ORDER)
    repeated = [name for name in names if len(params.get(name, [])) > 1]
    if repeated:
        message = f"Query parameter given more than once: {', '.join(repeated)}."
        raise _Problem(STATUS_BAD_REQUEST, {"message": message, "code": "BAD_REQUEST"})
    values = {name: params[name][0] for name in names if name in params}
    not_numbers = [name for name in (PARAM_PAGE, PARAM_LIMIT) if name in values and not _NUMBER.match(values[name])]
    if not_numbers:
        message = f"Query parameter is not a number: {', '.join(not_numbers)}."
        raise _Problem(STATUS_BAD_REQUEST, {"message": message, "code": "BAD_REQUEST"})

    errors: list[dict[str, Any]] = []
    customer_id = unquote(raw_customer_id)
    if not is_valid_customer_id(customer_id):
        errors.append(_field_error("id", "Invalid uuid", "uuid", customer_id, "invalid_string"))
    page = _integer(values, PARAM_PAGE, DEFAULT_PAGE, 1, None, errors)
    limit = _integer(values, PARAM_LIMIT, DEFAULT_LIMIT, 1, MAX_LIMIT, errors)
    sort_by = values.get(PARAM_SORT_BY, DEFAULT_SORT_FIELD)
    if sort_by not in SORT_FIELDS:
        errors.append(_enum_error(PARAM_SORT_BY, SORT_FIELDS, sort_by))
    order = values.get(PARAM_ORDER, DEFAULT_SORT_ORDER)
    if order not in SORT_ORDERS:
        errors.append(_enum_error(PARAM_ORDER, SORT_ORDERS, order))
    if errors:
        count = f"{len(errors)} invalid field" + ("s" if len(errors) > 1 else "")
        body = {"message": f"Validation failed: {count}.", "code": VALIDATION_ERROR_CODE, "errors": errors}
        raise _Problem(STATUS_VALIDATION, body)
    return customer_id, page, limit, sort_by, order  # type: ignore[return-value]


def _field_error(path: str, message: str, expected: str, received: str, code: str) -> dict[str, Any]:
    return {
        "path": [path],
        "message": message,
        "expected": expected,
        "received": shorten(received, _MAX_ECHO),
        "code": code,
    }


def _enum_error(name: str, options: tuple[str, ...], received: str) -> dict[str, Any]:
    expected = " | ".join(f"'{option}'" for option in options)
    return _field_error(name, f"Invalid enum value. Expected {expected}", expected, received, "invalid_enum_value")


def _integer(
    values: dict[str, str], name: str, default: int, low: int, high: int | None, errors: list[dict[str, Any]]
) -> int:
    if name not in values:
        return default
    text = values[name]
    number = float(text)
    if not number.is_integer():
        errors.append(_field_error(name, "Expected integer, received float", "integer", text, "invalid_type"))
        return default
    if number < low:
        message = f"Number must be greater than or equal to {low}"
        errors.append(_field_error(name, message, f">= {low}", text, "too_small"))
        return default
    if high is not None and number > high:
        message = f"Number must be less than or equal to {high}"
        errors.append(_field_error(name, message, f"<= {high}", text, "too_big"))
        return default
    return int(number)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else small answers wait ~40 ms for a delayed ACK on keep-alive sockets
    server_version = "CareCycleSimulator/1"
    sys_version = ""
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: request lines would carry customer IDs into logs for nothing."""

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def __getattr__(self, name: str) -> Any:
        """Every method but GET and HEAD (TRACE, OPTIONS, PUT, made-up ones...) is a JSON 405, never
        http.server's HTML 501 page: the handler looks methods up as `do_<METHOD>`."""
        if name.startswith("do_"):
            return self._not_allowed
        raise AttributeError(name)

    def _not_allowed(self) -> None:
        self.close_connection = True  # the request body, if any, is never read
        answer = _error(HTTPStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", "Only GET and HEAD are supported.")
        answer.headers["Allow"] = ALLOWED_METHODS
        self._serve_answer(answer, head=False)

    def _serve(self, *, head: bool) -> None:
        state = self.server.state
        state.enter()
        try:
            self._route(state, head)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            state.leave()

    def _route(self, state: SimulatorState, head: bool) -> None:
        target = urlsplit(self.path)
        path = target.path
        recording = _RECORDING_PATH.match(path)
        if recording:
            state.count("recording_requests")
            answer = state.answer_recording(*recording.groups())
            if answer is None:
                answer = _error(STATUS_NOT_FOUND, "NOT_FOUND", "Recording not found.")
                self._serve_answer(answer, head)
            else:
                self._serve_ranged(answer, head)
            return
        middle = path[len(_CALLS_PREFIX) : len(path) - len(_CALLS_SUFFIX)]
        if not (path.startswith(_CALLS_PREFIX) and path.endswith(_CALLS_SUFFIX) and middle and "/" not in middle):
            self._serve_answer(_error(STATUS_NOT_FOUND, "NOT_FOUND", "No such route."), head)
            return
        state.count("page_requests")
        config = state.config
        if config.latency_ms > 0 and state.stop_event.wait(config.latency_ms / 1000):
            return
        fault = state.draw_fault()
        if fault == "drop":
            self.close_connection = True
            return
        if fault == "500":
            self._serve_answer(_error(STATUS_SERVER_ERROR, "INTERNAL_SERVER_ERROR", "Internal server error."), head)
            return
        if fault == "429":
            retry = _seconds(config.retry_after_s)
            self._serve_answer(
                _error(STATUS_RATE_LIMITED, "RATE_LIMITED", "Too many requests.", retryAfter=retry), head
            )
            return
        if fault == "slow" and state.stop_event.wait(config.slow_s):
            return
        answer = state.answer_calls(middle, target.query, self.headers.get(API_KEY_HEADER))
        if fault == "truncated":
            answer.body = answer.body[: max(1, len(answer.body) // 2)]
        self._serve_answer(answer, head)

    def _serve_answer(self, answer: _Answer, head: bool) -> None:
        self.server.state.count_status(answer.status)
        self.send_response(answer.status)
        headers = {"Content-Type": "application/json; charset=utf-8"} | answer.headers
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        if not head:
            self.wfile.write(answer.body)

    def _serve_ranged(self, answer: _Answer, head: bool) -> None:
        """Recordings honour a single byte range: Safari will not play audio from a server that does not."""
        body = answer.body
        answer.headers["Accept-Ranges"] = "bytes"
        answer.headers["Access-Control-Allow-Origin"] = "*"
        match = _RANGE.match(self.headers.get("Range", "").strip())
        if match and (match.group(1) or match.group(2)):
            first_text, last_text = match.groups()
            if first_text:
                first = int(first_text)
                last = min(int(last_text), len(body) - 1) if last_text else len(body) - 1
            else:
                first, last = max(0, len(body) - int(last_text)), len(body) - 1
            if first > last or first >= len(body):
                answer = _Answer(416, b"", {"Content-Range": f"bytes */{len(body)}"})
            else:
                answer.headers["Content-Range"] = f"bytes {first}-{last}/{len(body)}"
                answer = _Answer(206, body[first : last + 1], answer.headers)
        self._serve_answer(answer, head)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    state: SimulatorState


class RunningSimulator:
    """A simulator serving on loopback in a background thread. Use as a context manager, or call stop()."""

    def __init__(self, server: _Server, thread: threading.Thread) -> None:
        self._server = server
        self._thread = thread
        self.base_url: str = server.state.base_url

    @property
    def config(self) -> SimulatorConfig:
        return self._server.state.config

    @property
    def stats(self) -> SimulatorStats:
        return self._server.state.stats()

    @property
    def customers(self) -> dict[str, int]:
        """Customer ID -> number of calls before drift, demo and extra customers alike."""
        return self._server.state.catalog()

    def set_faults(self, **knobs: Any) -> SimulatorConfig:
        """Change fault knobs while serving (see `config.RUNTIME_KNOBS`). Changing a drift knob re-arms drift."""
        return self._server.state.set_faults(**knobs)

    def items_total(self, customer_id: str) -> int:
        """How many calls the customer has right now (drift included); generates them if need be."""
        calls = self._server.state.customer(customer_id)
        if calls is None:
            raise KeyError("not a customer of this simulator")
        return calls.total()

    def add_newer_calls(self, customer_id: str, n: int) -> int:
        """`n` calls newer than every existing one appear now (as a live customer gets new calls); returns the
        new total. For tests and benchmarks of reloads; drift mid-load is `set_faults(drift_calls=...)`."""
        calls = self._server.state.customer(customer_id)
        if calls is None:
            raise KeyError("not a customer of this simulator")
        return calls.add_newer_calls(n)

    def warm(self, customer_id: str) -> None:
        """Generate a customer's calls now rather than on the first request."""
        calls = self._server.state.customer(customer_id)
        if calls is not None:
            calls.warm()

    def stop(self) -> None:
        """Stop serving; stalled (slow, latency) requests are released at once."""
        self._server.state.stop_event.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> RunningSimulator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"RunningSimulator(base_url={self.base_url!r})"


def start_simulator(config: SimulatorConfig | None = None, host: str = "127.0.0.1", port: int = 0) -> RunningSimulator:
    """Serve on `host:port` (0 picks a free port) in a daemon thread and return at once."""
    config = config or SimulatorConfig()
    server = _Server((host, port), _Handler)
    bound_host, bound_port = server.server_address[:2]
    shown_host = "127.0.0.1" if bound_host == "0.0.0.0" else bound_host  # noqa: S104
    server.state = SimulatorState(config, f"http://{shown_host}:{bound_port}")
    thread = threading.Thread(
        target=server.serve_forever, args=(0.05,), name=f"carecycle-simulator-{bound_port}", daemon=True
    )
    thread.start()
    return RunningSimulator(server, thread)
