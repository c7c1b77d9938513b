"""The one fake clock of the suite: time moves only when something sleeps on it or a test sets `now`."""

from __future__ import annotations

import threading


class FakeClock:
    """Pass `clock.clock` (or the clock itself) where a `clock()` is wanted and `clock.sleep` for a sleep;
    every sleep is recorded in `sleeps`."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def clock(self) -> float:
        with self._lock:
            return self.now

    __call__ = clock

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds
