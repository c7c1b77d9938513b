"""A small thread-safe cache with a time to live and a bound on memory, for loaded calls.

The dashboard keeps one per server process. Entries are keyed by everything that decides what the API
returns, including a fingerprint of the key, so data is only served to a session whose key fetched it.
Streamlit's own `st.cache_data` is not used because it cannot show progress on a miss only, cannot bound
memory in bytes, and copies large frames on every hit.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

V = TypeVar("V")


@dataclass
class _Entry(Generic[V]):
    value: V
    size: int
    stored_at: float


@dataclass
class _KeyLock:
    """Serialises the loads of one key; dropped when no caller holds or waits for it, so the table of
    these stays as small as the number of loads running (not every key ever asked for)."""

    lock: threading.Lock
    users: int = 0


class BoundedTtlCache(Generic[V]):
    """Least-recently-used eviction past `max_bytes`, expiry after `ttl_s`; one load per key at a time."""

    def __init__(
        self,
        *,
        ttl_s: float,
        max_bytes: int,
        size_of: Callable[[V], int],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_s = ttl_s
        self.max_bytes = max_bytes
        self._size_of = size_of
        self._clock = clock
        self._entries: OrderedDict[Hashable, _Entry[V]] = OrderedDict()
        self._lock = threading.Lock()
        self._key_locks: dict[Hashable, _KeyLock] = {}

    def get(self, key: Hashable) -> V | None:
        """The fresh value for `key`, or None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if self._clock() - entry.stored_at > self.ttl_s:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry.value

    def get_or_load(self, key: Hashable, load: Callable[[], V]) -> V:
        """The cached value, or `load()` stored; concurrent callers for one key wait for one load."""
        if (value := self.get(key)) is not None:
            return value
        with self._lock:
            key_lock = self._key_locks.setdefault(key, _KeyLock(threading.Lock()))
            key_lock.users += 1
        try:
            with key_lock.lock:
                if (value := self.get(key)) is not None:
                    return value
                value = load()
                self.put(key, value)
                return value
        finally:
            with self._lock:
                key_lock.users -= 1
                if key_lock.users == 0:
                    del self._key_locks[key]

    @property
    def loading(self) -> int:
        """Keys with a load running or waited for."""
        with self._lock:
            return len(self._key_locks)

    def put(self, key: Hashable, value: V) -> None:
        size = self._size_of(value)
        with self._lock:
            self._entries.pop(key, None)
            if size > self.max_bytes:
                return
            self._entries[key] = _Entry(value, size, self._clock())
            while self.total_bytes() > self.max_bytes:
                self._entries.popitem(last=False)

    def invalidate(self, key: Hashable) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def total_bytes(self) -> int:
        return sum(entry.size for entry in self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)
