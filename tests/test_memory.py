"""Returning freed memory to the system after a load: Arrow's pool, then glibc's heaps where there are any."""

from __future__ import annotations

import platform
from collections.abc import Callable

from carecycle_dash.data.memory import ReleaseSoon, glibc_malloc_trim, release_unused_memory


class CountingPool:
    """Stands in for an Arrow memory pool: counts the requests to give back what it holds unused."""

    def __init__(self) -> None:
        self.released = 0

    def release_unused(self) -> None:
        self.released += 1


def test_release_asks_the_arrow_pool_then_trims_the_c_heap() -> None:
    pool = CountingPool()
    trimmed: list[int] = []
    assert release_unused_memory(pool, trimmed.append) == ["arrow", "malloc"]  # type: ignore[arg-type]
    assert pool.released == 1
    assert trimmed == [0]  # no padding kept at the top of the heap


def test_on_glibc_the_c_library_trim_is_found_and_asked() -> None:
    assert platform.libc_ver()[0] == "glibc"  # the container's Debian, and this machine
    trim = glibc_malloc_trim()
    assert trim is not None and trim(0) in (0, 1)  # 1: memory was returned, 0: there was none to return
    assert release_unused_memory() == ["arrow", "malloc"]


class HeldTimer:
    """Stands in for a threading.Timer: records its delay, and runs only when the test says."""

    def __init__(self, delay_s: float, run: Callable[[], None]) -> None:
        self.delay_s, self.run = delay_s, run
        self.started = self.cancelled = False

    def start(self) -> None:
        self.started = True

    def cancel(self) -> None:
        self.cancelled = True


def test_a_burst_of_requests_releases_once_after_the_last() -> None:
    timers: list[HeldTimer] = []
    releases: list[str] = []

    def timer(delay_s: float, run: Callable[[], None]) -> HeldTimer:
        timers.append(HeldTimer(delay_s, run))
        return timers[-1]

    soon = ReleaseSoon(2.0, lambda: releases.append("released"), timer)
    soon()
    soon()
    soon()
    assert [(t.delay_s, t.started, t.cancelled) for t in timers] == [
        (2.0, True, True),
        (2.0, True, True),
        (2.0, True, False),
    ]
    assert releases == []
    timers[-1].run()
    assert releases == ["released"]
    soon()  # a later burst: a new timer, nothing left to cancel
    assert [t.cancelled for t in timers] == [True, True, False, False]
