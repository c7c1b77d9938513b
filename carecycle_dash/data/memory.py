"""Give the memory a load freed back to the system, so a server that loaded a customer holds the calls, not
what loading them took.

A load frees far more than it keeps: the API's pages, the store's decrypted entry, the frame's previous
version after a reload. The allocators keep what is freed for later: Arrow's memory pool (mimalloc, which
holds the frame's columns) and glibc's malloc (long texts, buffers) both keep it mapped, about 250 MB after a
100,000-call load (benchmarks/store.py), and computing a view's figures frees tens of MB more. Both are asked
to return it (`release_soon`) a moment after a load, its store write or a new derived result: once per burst,
10-15 ms on a thread of its own, and nothing held is touched. `malloc_trim` exists only in glibc, so it is
looked up once and skipped elsewhere (musl, macOS). scripts/serve routes Python's small objects and Arrow's
buffers through glibc's malloc, so that one trim reaches them all.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import platform
import threading
from collections.abc import Callable
from functools import cache
from typing import Final, Protocol

import pyarrow as pa

log = logging.getLogger("carecycle_dash.data")

Trim = Callable[[int], object]
RELEASE_DELAY_S: Final = 2.0
"""How long after the last request to release: a page's runs and a load's steps come in bursts."""


@cache
def glibc_malloc_trim() -> Trim | None:
    """glibc's `malloc_trim(pad)`, or None when the C library is not glibc."""
    if platform.libc_ver()[0] != "glibc":
        return None
    try:
        trim = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_unused_memory(pool: pa.MemoryPool | None = None, trim: Trim | None = None) -> list[str]:
    """Return freed memory to the system: Arrow's pool (`pool`, the default one when None), then glibc's
    heaps (`trim`, glibc's `malloc_trim` when None and there is one). The names of the allocators asked."""
    asked = []
    (pool or pa.default_memory_pool()).release_unused()
    asked.append("arrow")
    trim = trim or glibc_malloc_trim()
    if trim is not None:
        trim(0)
        asked.append("malloc")
    log.debug("Returned freed memory to the system (%s)", ", ".join(asked))
    return asked


class Timer(Protocol):
    def start(self) -> None: ...
    def cancel(self) -> None: ...


def _daemon_timer(delay_s: float, run: Callable[[], None]) -> Timer:
    timer = threading.Timer(delay_s, run)
    timer.daemon = True
    return timer


class ReleaseSoon:
    """Call it after freeing much (a load, a derived result): `release()` runs once, `delay_s` after the last
    call of a burst, on a timer's thread. `timer(delay_s, run)` makes the (unstarted) timer."""

    def __init__(
        self,
        delay_s: float = RELEASE_DELAY_S,
        release: Callable[[], object] = release_unused_memory,
        timer: Callable[[float, Callable[[], None]], Timer] = _daemon_timer,
    ) -> None:
        self._delay_s = delay_s
        self._release = release
        self._timer = timer
        self._pending: Timer | None = None
        self._lock = threading.Lock()

    def __call__(self) -> None:
        with self._lock:
            if self._pending is not None:
                self._pending.cancel()
            self._pending = self._timer(self._delay_s, self._run)
            self._pending.start()

    def _run(self) -> None:
        with self._lock:
            self._pending = None
        self._release()


release_soon = ReleaseSoon()
"""The process's one debounced release."""
