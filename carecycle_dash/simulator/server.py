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

import re
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from carecycle_dash.api.contract import (
    API_KEY_HEADER,
    CALLS_PATH,
    STATUS_NOT_FOUND,
    STATUS_RATE_LIMITED,
    STATUS_SERVER_ERROR,
)
from carecycle_dash.simulator.config import SimulatorConfig
from carecycle_dash.simulator.responses import Answer, error, ranged, retry_seconds
from carecycle_dash.simulator.state import SimulatorState, SimulatorStats

_CALLS_PREFIX, _CALLS_SUFFIX = CALLS_PATH.split("{customer_id}")
_RECORDING_PATH = re.compile(r"^/recordings/([^/]+)/([^/]+)/(mono|stereo|main)\.wav$")
ALLOWED_METHODS = "GET, HEAD"


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
        answer = error(HTTPStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", "Only GET and HEAD are supported.")
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
                answer = error(STATUS_NOT_FOUND, "NOT_FOUND", "Recording not found.")
                self._serve_answer(answer, head)
            else:
                self._serve_answer(ranged(answer, self.headers.get("Range", "")), head)
            return
        middle = path[len(_CALLS_PREFIX) : len(path) - len(_CALLS_SUFFIX)]
        if not (path.startswith(_CALLS_PREFIX) and path.endswith(_CALLS_SUFFIX) and middle and "/" not in middle):
            self._serve_answer(error(STATUS_NOT_FOUND, "NOT_FOUND", "No such route."), head)
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
            self._serve_answer(error(STATUS_SERVER_ERROR, "INTERNAL_SERVER_ERROR", "Internal server error."), head)
            return
        if fault == "429":
            retry = retry_seconds(config.retry_after_s)
            self._serve_answer(error(STATUS_RATE_LIMITED, "RATE_LIMITED", "Too many requests.", retryAfter=retry), head)
            return
        if fault == "slow" and state.stop_event.wait(config.slow_s):
            return
        answer = state.answer_calls(middle, target.query, self.headers.get(API_KEY_HEADER))
        if fault == "truncated":
            answer.body = answer.body[: max(1, len(answer.body) // 2)]
        self._serve_answer(answer, head)

    def _serve_answer(self, answer: Answer, head: bool) -> None:
        self.server.state.count_status(answer.status)
        self.send_response(answer.status)
        headers = {"Content-Type": "application/json; charset=utf-8"} | answer.headers
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        if not head:
            self.wfile.write(answer.body)


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
