"""Bounds every request shares: how many may be in flight per API key, and when one load must stop.

`key_slots` is process-wide: every session and every load of a server process that uses one key (at one
host) draws from the same slots, so ten people opening ten customers ask the API no harder than one person.
`LoadGuard` carries one load's deadline and cancel flag into each of its requests, and can cut the
requests still streaming a body at once, so a cancelled or timed-out load does not linger.
"""

from __future__ import annotations

import contextlib
import math
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

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
    def tracking(self, response: httpx.Response) -> Iterator[None]:
        """While a body is read, `stop` may shut its socket down: that wakes a read blocked on a silent server."""
        stream = response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if not isinstance(sock, socket.socket):
            yield
            return
        with self._lock:
            self._sockets.add(sock)
        if self._stopped.is_set():
            _shut(sock)
        try:
            yield
        finally:
            with self._lock:
                self._sockets.discard(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed: nothing left to stop
        sock.shutdown(socket.SHUT_RDWR)
