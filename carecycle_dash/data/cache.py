"""A small thread-safe cache with a time to live and a bound on memory, for loaded calls, and the loads in
flight that fill it.

The dashboard keeps one per server process. Entries are keyed by everything that decides what the API
returns, including a fingerprint of the key, so data is only served to a session whose key fetched it.
Streamlit's own `st.cache_data` is not used because it cannot show progress on a miss only, cannot bound
memory in bytes, and copies large frames on every hit.

A load runs on its own thread as a `Flight` that any number of sessions wait for: each sees its progress, a
session that moves on withdraws without stopping it for the others, and when the last one withdraws the
flight's `cancel` event is set so the load stops instead of running on for nobody. A slow load of one key
never holds up another key, nor anyone served from the cache.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

from carecycle_dash.data.partial import GrowingCalls

V = TypeVar("V")
POLL_S = 0.1
"""How often a waiter looks at a flight's progress (and so how soon it notices it has moved on)."""


class FlightCancelled(Exception):
    """Raised inside a load whose every waiter has gone: the load stops and its result is dropped."""


class Flight(Generic[V]):
    """One load in progress, shared by everyone who waits for it."""

    def __init__(self) -> None:
        self.cancel = threading.Event()
        """Set when nobody waits any more; a loader that takes a cancel event is given this one."""
        self.finished = threading.Event()
        self.progress: tuple[int, int] = (0, 0)
        self.value: V | None = None
        self.preview: GrowingCalls | None = None
        """The calls so far, newest first, set by a load that can show them before it ends (a first load)."""
        self.error: BaseException | None = None
        self._waiters = 0
        self._lock = threading.Lock()

    def report(self, done: int, total: int) -> None:
        """The load's progress callback: records progress, and stops the load once nobody waits."""
        self.progress = (done, total)
        if self.cancel.is_set():
            raise FlightCancelled

    def join(self) -> bool:
        """Wait for this flight too; False when it was already given up (start a new one instead)."""
        with self._lock:
            if self.cancel.is_set():
                return False
            self._waiters += 1
            return True

    def leave(self) -> None:
        """Stop waiting; the last waiter to leave before the end stops the load."""
        with self._lock:
            self._waiters -= 1
            if self._waiters <= 0 and not self.finished.is_set():
                self.cancel.set()


@dataclass
class _Entry(Generic[V]):
    value: V
    size: int
    stored_at: float


class BoundedTtlCache(Generic[V]):
    """Least-recently-used eviction past `max_bytes`, expiry after `ttl_s`; one load per key at a time."""

    def __init__(
        self,
        *,
        ttl_s: float,
        max_bytes: int,
        size_of: Callable[[V], int],
        clock: Callable[[], float] = time.monotonic,
        stale_s: float = 0.0,
    ) -> None:
        self.ttl_s = ttl_s
        self.stale_s = stale_s
        """How long past its time to live an entry is kept as a base to refresh from (`lookup`), not served."""
        self.max_bytes = max_bytes
        self._size_of = size_of
        self._clock = clock
        self._entries: OrderedDict[Hashable, _Entry[V]] = OrderedDict()
        self._lock = threading.Lock()
        self._flights: dict[Hashable, Flight[V]] = {}

    def get(self, key: Hashable) -> V | None:
        """The fresh value for `key`, or None: only reads (a load goes through `flight`; compare
        `shared.SharedResults.remember`, which computes what it lacks)."""
        value, fresh = self.lookup(key)
        return value if fresh else None

    def lookup(self, key: Hashable) -> tuple[V | None, bool]:
        """(the value for `key` or None, whether it is still fresh): a stale value is a base to refresh from."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None, False
            age = self._clock() - entry.stored_at
            if age > self.ttl_s + self.stale_s:
                del self._entries[key]
                return None, False
            self._entries.move_to_end(key)
            return entry.value, age <= self.ttl_s

    def flight(self, key: Hashable, load: Callable[[Flight[V]], V]) -> Flight[V]:
        """Join the load in flight for `key`, or start `load(flight)` on a new thread; its value is stored.

        The caller is counted as a waiter and must end with `wait` (which withdraws it however it ends).
        `load` should pass `flight.report` as its progress callback (and `flight.cancel` to a loader that
        takes one), so that it stops once nobody waits.
        """
        with self._lock:
            current = self._flights.get(key)
            if current is not None and current.join():
                return current
            current = Flight()
            current.join()
            self._flights[key] = current
        threading.Thread(target=self._fly, args=(key, current, load), name="carecycle-load", daemon=True).start()
        return current

    def _fly(self, key: Hashable, flight: Flight[V], load: Callable[[Flight[V]], V]) -> None:
        try:
            value = load(flight)
        except BaseException as exc:  # handed to every waiter
            flight.error = exc
        else:
            flight.value = value
            self.put(key, value)
        finally:
            with self._lock:
                if self._flights.get(key) is flight:
                    del self._flights[key]
            flight.finished.set()

    def wait(self, flight: Flight[V], on_progress: Callable[[int, int], None] | None = None) -> V:
        """The flight's value, or its error raised; `on_progress(done, total)` is called while waiting.

        Whatever ends the wait (an exception from `on_progress`, such as a session moving on) withdraws
        this waiter; the flight goes on while others wait.
        """
        try:
            while not flight.finished.wait(POLL_S):
                if on_progress is not None:
                    on_progress(*flight.progress)
            if flight.error is not None:
                raise flight.error
            assert flight.value is not None
            return flight.value
        finally:
            flight.leave()

    def put(self, key: Hashable, value: V) -> None:
        size = self._size_of(value)
        with self._lock:
            self._entries.pop(key, None)
            if size > self.max_bytes:
                return
            self._entries[key] = _Entry(value, size, self._clock())
            while self.total_bytes() > self.max_bytes:
                self._entries.popitem(last=False)

    def total_bytes(self) -> int:
        return sum(entry.size for entry in self._entries.values())
