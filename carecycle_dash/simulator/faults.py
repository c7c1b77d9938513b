"""Deciding when the simulator misbehaves: seeded fault draws and a per-key token bucket."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable


class FaultDraw:
    """Which page requests fail, and how: a seeded RNG, so a run with the same requests fails the same way."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(f"faults:{seed}")
        self._lock = threading.Lock()

    def draw(self, rate: float, kinds: tuple[str, ...]) -> str | None:
        if rate <= 0:
            return None
        with self._lock:
            if self._rng.random() >= rate:
                return None
            return kinds[int(self._rng.random() * len(kinds))]


class RateLimiter:
    """A token bucket per key: `rate` requests a second, bursts of up to max(1, rate)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}

    def acquire(self, key: str, rate: float | None) -> float:
        """0 when the request may go ahead, else the seconds until it could."""
        if rate is None:
            return 0.0
        capacity = max(1.0, rate)
        now = self._clock()
        with self._lock:
            tokens, then = self._buckets.get(key, (capacity, now))
            tokens = min(capacity, tokens + (now - then) * rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / rate

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()
