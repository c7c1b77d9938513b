"""Bounds every request shares: how many may be in flight per API key, and when one load must stop.

`key_slots` is process-wide: every session and every load of a server process that uses one key (at one
host) draws from the same slots, so ten people opening ten customers ask the API no harder than one person.
`LoadGuard` carries one load's deadline and cancel flag into each of its requests, and can cut the
requests still in flight at once, so a cancelled or timed-out load does not linger. httpx can only end a
request by its timeouts, so `guarded_transport` makes its sockets through a network backend that, while a
request of a guarded load reads or writes (waiting for the answer or streaming its body), registers the socket
with that load's guard: `LoadGuard.stop` shuts it down, which wakes the blocked read.
"""

from __future__ import annotations

import contextlib
import math
import socket
import ssl
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, Final

import httpcore
import httpx

from carecycle_dash.api.config import key_fingerprint
from carecycle_dash.api.errors import LoadCancelledError, LoadTimeoutError

MAX_REQUESTS_PER_KEY: Final = 8

_slots_lock = threading.Lock()
_slots: dict[tuple[str, str], threading.BoundedSemaphore] = {}


def key_slots(base_url: str, api_key: str | None) -> threading.Semaphore:
    """The process-wide slots for requests with this key at this host (the key only as a fingerprint)."""
    with _slots_lock:
        return _slots.setdefault((base_url, key_fingerprint(api_key)), threading.BoundedSemaphore(MAX_REQUESTS_PER_KEY))


class LoadGuard:
    """One load's deadline (on the retry policy's clock; infinite when none) and cancel flag.

    `check` raises LoadCancelledError once `cancel` is set or `stop` was called, and LoadTimeoutError
    (a generic line the loader replaces with one naming the slow page) once the deadline has passed.
    """

    def __init__(
        self, deadline: float = math.inf, cancel: threading.Event | None = None, *, limit_s: float | None = None
    ) -> None:
        self.deadline = deadline
        self.limit_s = limit_s
        """The load's time limit in seconds, for the line that says it ran out (None: no limit)."""
        self.cancel = cancel or threading.Event()
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()

    def remaining(self, now: float) -> float:
        return self.deadline - now

    def check(self, now: float) -> None:
        if self.cancel.is_set() or self._stopped.is_set():
            raise LoadCancelledError("Loading was cancelled.")
        if now >= self.deadline:
            raise LoadTimeoutError("Loading did not finish within its time limit.")

    def stop(self) -> None:
        """End every request of this load: later checks fail, and bodies being read are cut off now."""
        self._stopped.set()
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)

    @contextmanager
    def watching(self, sock: socket.socket) -> Iterator[None]:
        """While this load's request uses `sock`, `stop` may shut it down (at once, if it was stopped already)."""
        with self._lock:
            self._sockets.add(sock)
        if self._stopped.is_set():
            _shut(sock)
        try:
            yield
        finally:
            with self._lock:
                self._sockets.discard(sock)


_current = threading.local()


@contextmanager
def guarding(guard: LoadGuard) -> Iterator[None]:
    """The sockets this thread reads and writes meanwhile belong to `guard`'s load."""
    _current.guard = guard
    try:
        yield
    finally:
        _current.guard = None


def guarded_transport(limits: httpx.Limits) -> httpx.HTTPTransport:
    """httpx's own transport with its sockets made by `_GuardedBackend` (httpx takes no network backend, so it is
    set on the transport's connection pool)."""
    transport = httpx.HTTPTransport(limits=limits, trust_env=False)
    pool = transport._pool
    assert isinstance(pool, httpcore.ConnectionPool)  # no proxy: trust_env is off
    pool._network_backend = _GuardedBackend()
    return transport


class _GuardedBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        return _GuardedStream(self._backend.connect_tcp(host, port, timeout, local_address, socket_options))

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None
    ) -> httpcore.NetworkStream:
        return _GuardedStream(self._backend.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class _GuardedStream(httpcore.NetworkStream):
    """A connection whose every read and write is watched by the guard of the load using it at that moment."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    @contextmanager
    def _watched(self) -> Iterator[None]:
        guard: LoadGuard | None = getattr(_current, "guard", None)
        sock = self._stream.get_extra_info("socket")
        if guard is None or not isinstance(sock, socket.socket):
            yield
            return
        with guard.watching(sock):
            yield

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        with self._watched():
            return self._stream.read(max_bytes, timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        with self._watched():
            self._stream.write(buffer, timeout)

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        with self._watched():
            return _GuardedStream(self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed: nothing left to stop
        sock.shutdown(socket.SHUT_RDWR)
