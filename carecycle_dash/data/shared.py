"""Results computed once for everyone who holds the same data: what each session on one customer's calls
would otherwise compute again (figures, summaries, caller tables), in a small thread-safe store that lets the
least recently used go first.

Unlike `cache.BoundedTtlCache`, whose `get` only reads (a load runs apart, as a `Flight` with progress), this
store computes what it lacks on the asker's own thread: `remember(key, compute)`."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class SharedResults:
    """At most `limit` results, each a pure function of the data they sit beside and of their key."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._results: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()` once per key, the same object afterwards (never change it). Computed outside the lock,
        so holders never wait on each other; two asking at once may both compute, and both get the first kept."""
        with self._lock:
            if key in self._results:
                self._results.move_to_end(key)
                return self._results[key]
        value = compute()
        with self._lock:
            value = self._results.setdefault(key, value)
            self._results.move_to_end(key)
            while len(self._results) > self._limit:
                self._results.popitem(last=False)
        return value
