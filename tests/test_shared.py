"""Results shared by everyone holding the same data: computed once per key, the least recently used dropped
first, and one object for everyone even when two sessions compute the same key at the same moment."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from carecycle_dash.data.shared import SharedResults


def test_a_result_is_computed_once_and_the_least_recently_used_go_first() -> None:
    shared = SharedResults(limit=2)
    computed: list[str] = []

    def compute(key: str) -> list[str]:
        computed.append(key)
        return [key]

    first = shared.remember("a", lambda: compute("a"))
    assert shared.remember("a", lambda: compute("a")) is first
    shared.remember("b", lambda: compute("b"))
    shared.remember("a", lambda: compute("a"))  # now the most recent: "b" goes next
    shared.remember("c", lambda: compute("c"))  # past the limit: "b" goes
    shared.remember("a", lambda: compute("a"))
    shared.remember("b", lambda: compute("b"))
    assert computed == ["a", "b", "c", "b"]


def test_two_computing_one_key_at_once_both_get_the_first_kept_result() -> None:
    shared = SharedResults(limit=4)
    both_computing = threading.Barrier(2, timeout=10)

    def compute() -> object:
        both_computing.wait()  # neither waits for the other's result: each computes its own
        return object()

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: shared.remember("view", compute), range(2)))
    assert results[0] is results[1] is shared.remember("view", object)
