import threading
from collections.abc import Callable

import pytest

from carecycle_dash.data.cache import BoundedTtlCache, Flight, FlightCancelled
from tests.support.clock import FakeClock


def make_cache(clock: FakeClock, max_bytes: int = 100) -> BoundedTtlCache[str]:
    return BoundedTtlCache(ttl_s=60, max_bytes=max_bytes, size_of=len, clock=clock)


def fetch(cache: BoundedTtlCache[str], key: str, load: Callable[[], str]) -> str:
    """The fresh value, else one load shared with whoever asks at the same time: as the loader uses the cache."""
    return cache.get(key) or cache.wait(cache.flight(key, lambda flight: load()))


def test_value_is_served_until_its_time_to_live_runs_out(fake_clock: FakeClock) -> None:
    cache = make_cache(fake_clock)
    cache.put("k", "value")
    fake_clock.now = 59
    assert cache.get("k") == "value"
    fake_clock.now = 61
    assert cache.get("k") is None


def test_least_recently_used_entries_are_evicted_past_the_byte_bound(fake_clock: FakeClock) -> None:
    cache = make_cache(fake_clock, max_bytes=10)
    cache.put("a", "aaaa")
    cache.put("b", "bbbb")
    assert cache.get("a") == "aaaa"  # a is now the most recently used
    cache.put("c", "cccc")
    assert cache.get("b") is None
    assert cache.get("a") == "aaaa"
    assert cache.get("c") == "cccc"
    assert cache.total_bytes() <= 10


def test_a_value_larger_than_the_bound_is_not_kept(fake_clock: FakeClock) -> None:
    cache = make_cache(fake_clock, max_bytes=3)
    assert fetch(cache, "big", lambda: "too large") == "too large"
    assert cache.get("big") is None


def test_concurrent_callers_of_one_key_share_a_single_load(fake_clock: FakeClock) -> None:
    cache = make_cache(fake_clock)
    calls = []
    started = threading.Event()

    def load() -> str:
        calls.append(1)
        started.wait(1)
        return "v"

    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(fetch(cache, "k", load))) for _ in range(4)]
    for thread in threads:
        thread.start()
    started.set()
    for thread in threads:
        thread.join()
    assert results == ["v"] * 4
    assert len(calls) == 1


def test_keys_that_differ_only_in_key_fingerprint_are_kept_apart(fake_clock: FakeClock) -> None:
    cache = make_cache(fake_clock)
    cache.put(("host", "customer", "fp-a"), "data of a")
    assert cache.get(("host", "customer", "fp-b")) is None


def test_a_finished_load_is_not_joined_again(fake_clock: FakeClock) -> None:
    cache = make_cache(fake_clock, max_bytes=3)
    first = cache.flight("k", lambda flight: "too large")  # never stored: the next ask loads again
    assert cache.wait(first) == "too large"
    second = cache.flight("k", lambda flight: "again")
    assert second is not first
    assert cache.wait(second) == "again"


def test_a_failed_load_drops_its_lock_too(fake_clock: FakeClock) -> None:
    cache = make_cache(fake_clock)

    def fail() -> str:
        raise RuntimeError("load failed")

    with pytest.raises(RuntimeError):
        fetch(cache, "k", fail)
    assert fetch(cache, "k", lambda: "v") == "v"


def test_a_running_load_keeps_its_lock_for_the_callers_waiting_on_it(fake_clock: FakeClock) -> None:
    cache = make_cache(fake_clock)
    release = threading.Event()
    entered = threading.Event()

    def slow() -> str:
        entered.set()
        release.wait(5)
        return "v"

    running = cache.flight("k", lambda flight: slow())
    entered.wait(5)
    joined = cache.flight("k", lambda flight: "a second load")
    release.set()
    assert joined is running
    assert cache.wait(running) == "v" and cache.wait(joined) == "v"
    assert cache.flight("k", lambda flight: "after") is not running


class Moved(Exception):
    """What a session's wait ends with when the person moves on (Streamlit raises its own)."""


def leave_at_first_progress(done: int, total: int) -> None:
    raise Moved


def slow_load(release: threading.Event, reports: list[int] | None = None) -> Callable[[Flight[str]], str]:
    def load(flight: Flight[str]) -> str:
        for page in range(1, 1000):
            flight.report(page, 1000)
            if reports is not None:
                reports.append(page)
            if release.wait(0.01):
                return "loaded"
        return "too slow"

    return load


def test_waiters_see_the_progress_of_the_one_load() -> None:
    cache = make_cache(FakeClock())
    release = threading.Event()
    seen: list[tuple[int, int]] = []

    def on_progress(done: int, total: int) -> None:
        seen.append((done, total))
        if len(seen) == 3:
            release.set()

    assert cache.wait(cache.flight("k", slow_load(release)), on_progress) == "loaded"
    assert seen[-1][1] == 1000 and seen[-1][0] >= 1
    assert cache.get("k") == "loaded"


def test_one_waiter_moving_on_leaves_the_load_running_for_the_others() -> None:
    cache = make_cache(FakeClock())
    release = threading.Event()
    first = cache.flight("k", slow_load(release))
    second = cache.flight("k", slow_load(release))
    assert first is second
    with pytest.raises(Moved):
        cache.wait(first, leave_at_first_progress)
    assert not first.cancel.is_set()
    release.set()
    assert cache.wait(second) == "loaded"


def test_a_load_nobody_waits_for_is_stopped_and_not_stored() -> None:
    cache = make_cache(FakeClock())
    reports: list[int] = []
    flight = cache.flight("k", slow_load(threading.Event(), reports))
    with pytest.raises(Moved):
        cache.wait(flight, leave_at_first_progress)
    assert flight.finished.wait(5)
    assert flight.cancel.is_set() and isinstance(flight.error, FlightCancelled)
    assert len(reports) < 999 and cache.get("k") is None
    # Asking again starts a fresh load rather than joining the stopped one.
    assert cache.flight("k", lambda flight: "again") is not flight


def test_a_slow_load_of_one_key_never_holds_up_another() -> None:
    cache = make_cache(FakeClock())
    release = threading.Event()
    slow = cache.flight("slow", slow_load(release))
    cache.put("cached", "here")
    assert fetch(cache, "other", lambda: "quick") == "quick"
    assert fetch(cache, "cached", lambda: "never") == "here"
    assert not slow.finished.is_set()
    release.set()
    assert cache.wait(slow) == "loaded"


def test_a_failed_load_raises_in_every_waiter_and_stores_nothing() -> None:
    cache = make_cache(FakeClock())

    def fail(flight: Flight[str]) -> str:
        raise ValueError("broken")

    with pytest.raises(ValueError, match="broken"):
        cache.wait(cache.flight("k", fail))
    assert cache.get("k") is None


def test_a_stale_value_is_kept_as_a_base_to_refresh_from_but_never_served_as_fresh() -> None:
    clock = FakeClock()
    cache = BoundedTtlCache(ttl_s=60, max_bytes=100, size_of=len, clock=clock, stale_s=600)
    cache.put("k", "value")
    clock.now = 61
    assert cache.get("k") is None
    assert cache.lookup("k") == ("value", False)
    clock.now = 661
    assert cache.lookup("k") == (None, False)
