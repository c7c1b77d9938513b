"""The calls of a load in progress: only the unbroken run from page 1, newest first, whatever order pages come in."""

from __future__ import annotations

from typing import Any

from carecycle_dash.api.arrived import ArrivedCalls
from carecycle_dash.api.full_load import load_all_calls
from carecycle_dash.api.models import CallsPage
from tests.factories import make_call
from tests.support.fake_api import CUSTOMER_ID, FakeCallsApi
from tests.test_paging import client_for, ids


def page_of(first: int, count: int, total: int, number: int) -> CallsPage:
    items: list[dict[str, Any]] = [{"id": f"c{i}"} for i in range(first, first + count)]
    return CallsPage(itemsTotal=total, currentPage=number, nextPage=None, prevPage=None, items=items)


def test_before_the_first_page_nothing_has_arrived() -> None:
    arrived = ArrivedCalls()
    assert (arrived.count, arrived.total, arrived.since(0)) == (0, 0, [])


def test_a_page_after_a_gap_waits_until_the_gap_is_filled() -> None:
    arrived = ArrivedCalls()
    arrived.add(1, page_of(0, 2, 6, 1))
    arrived.add(3, page_of(4, 2, 6, 3))
    assert [call["id"] for call in arrived.since(0)] == ["c0", "c1"]
    arrived.add(2, page_of(2, 2, 6, 2))
    assert [call["id"] for call in arrived.since(0)] == ["c0", "c1", "c2", "c3", "c4", "c5"]
    assert [call["id"] for call in arrived.since(4)] == ["c4", "c5"]
    assert (arrived.count, arrived.total) == (6, 6)


def test_a_page_read_again_keeps_its_first_copy_and_the_total_follows_the_api() -> None:
    arrived = ArrivedCalls()
    arrived.add(1, page_of(0, 2, 4, 1))
    arrived.add(1, page_of(10, 2, 5, 1))
    assert ([call["id"] for call in arrived.since(0)], arrived.total) == (["c0", "c1"], 5)


def test_the_number_asked_for_counts_not_the_number_the_body_claims() -> None:
    arrived = ArrivedCalls()
    arrived.add(1, page_of(0, 2, 4, 7))
    assert arrived.count == 2


def test_a_load_that_stops_at_a_date_has_no_total() -> None:
    arrived = ArrivedCalls(expected=False)
    arrived.add(1, page_of(0, 2, 100, 1))
    assert (arrived.count, arrived.total) == (2, None)


def test_a_full_load_hands_every_page_to_on_page_in_page_order_of_the_run() -> None:
    api = FakeCallsApi([make_call(i) for i in range(250)])
    arrived = ArrivedCalls()
    seen: list[tuple[int, int]] = []

    def on_page(number: int, page: CallsPage) -> None:
        seen.append((number, arrived.count))
        arrived.add(number, page)

    result = load_all_calls(client_for(api), CUSTOMER_ID, on_page=on_page, concurrency=1)
    assert seen == [(1, 0), (2, 100), (3, 200)]
    assert ids(arrived.since(0)) == ids(result.calls)
    assert (arrived.count, arrived.total) == (250, 250)
