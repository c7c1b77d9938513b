import threading

import pytest

from carecycle_dash.data.cache import BoundedTtlCache
from tests.support.clock import FakeClock


def make_cache(clock: FakeClock, max_bytes: int = 100) -> BoundedTtlCache[str]:
    return BoundedTtlCache(ttl_s=60, max_bytes=max_bytes, size_of=len, clock=clock)


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
    assert cache.get_or_load("big", lambda: "too large") == "too large"
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
    threads = [threading.Thread(target=lambda: results.append(cache.get_or_load("k", load))) for _ in range(4)]
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


def test_invalidate_forces_a_new_load(fake_clock: FakeClock) -> None:
    cache = make_cache(fake_clock)
    cache.put("k", "old")
    cache.invalidate("k")
    assert cache.get_or_load("k", lambda: "new") == "new"


def test_the_lock_of_a_key_is_dropped_once_no_load_of_it_runs(fake_clock: FakeClock) -> None:
    cache = make_cache(fake_clock, max_bytes=3)
    for n in range(100):
        cache.get_or_load(f"k{n}", lambda: "too large")  # never stored: every call loads
    assert cache.loading == 0


def test_a_failed_load_drops_its_lock_too(fake_clock: FakeClock) -> None:
    cache = make_cache(fake_clock)

    def fail() -> str:
        raise RuntimeError("load failed")

    with pytest.raises(RuntimeError):
        cache.get_or_load("k", fail)
    assert cache.loading == 0
    assert cache.get_or_load("k", lambda: "v") == "v"


def test_a_running_load_keeps_its_lock_for_the_callers_waiting_on_it(fake_clock: FakeClock) -> None:
    cache = make_cache(fake_clock)
    release = threading.Event()
    entered = threading.Event()

    def slow() -> str:
        entered.set()
        release.wait(5)
        return "v"

    thread = threading.Thread(target=lambda: cache.get_or_load("k", slow))
    thread.start()
    entered.wait(5)
    assert cache.loading == 1
    release.set()
    thread.join()
    assert cache.loading == 0
