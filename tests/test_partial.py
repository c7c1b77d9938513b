"""A load's arrived calls as one frame, grown page by page: the same frame as parsing them at once."""

from __future__ import annotations

from typing import Any

import pandas as pd

from carecycle_dash.api.arrived import ArrivedCalls
from carecycle_dash.api.models import CallsPage
from carecycle_dash.data.frame import build_frame
from carecycle_dash.data.partial import GrowingCalls, PartialCalls
from carecycle_dash.data.sent import FrameCalls
from tests.factories import make_call


def page(calls: list[dict[str, Any]], total: int) -> CallsPage:
    return CallsPage(itemsTotal=total, currentPage=0, nextPage=None, prevPage=None, items=calls)


CALLS = [make_call(i) for i in range(5)] + [make_call(5, durationMs=-3)]


def test_before_the_first_page_there_is_nothing_to_show() -> None:
    assert GrowingCalls(ArrivedCalls()).now() is None


def test_the_frame_grows_with_each_page_and_equals_the_frame_of_all_the_calls() -> None:
    arrived = ArrivedCalls()
    growing = GrowingCalls(arrived)
    arrived.add(1, page(CALLS[:2], 6))
    first = growing.now()
    assert first is not None and (first.count, first.total) == (2, 6)
    arrived.add(2, page(CALLS[2:4], 6))
    arrived.add(3, page(CALLS[4:], 6))
    later = growing.now()
    assert later is not None and later.count == 6
    whole = build_frame(CALLS)
    pd.testing.assert_frame_equal(later.frame.df, whole.df)
    assert later.frame.cleaned == whole.cleaned and later.frame.cleaned_total == 1


def test_the_grown_frame_is_the_loads_frame_only_for_the_very_calls_that_arrived() -> None:
    arrived = ArrivedCalls()
    growing = GrowingCalls(arrived)
    arrived.add(1, page(CALLS[:3], 6))
    arrived.add(2, page(CALLS[3:], 6))
    frame = growing.whole(CALLS)
    assert frame is not None and len(frame.df) == 6
    assert growing.whole(CALLS[:5]) is None
    assert growing.whole([*CALLS[:5], dict(CALLS[5])]) is None
    assert GrowingCalls(ArrivedCalls()).whole([]) is None


def test_the_grown_frame_gives_every_call_back_exactly_as_sent() -> None:
    """The load keeps no dicts once its frame is built (FrameCalls), so a grown frame must carry `sent` too."""
    odd = {**make_call(6), "extra": {"nested": [1, 2]}}
    calls = [*CALLS, odd]
    arrived = ArrivedCalls()
    growing = GrowingCalls(arrived)
    arrived.add(1, page(calls[:3], 7))
    arrived.add(2, page(calls[3:], 7))
    frame = growing.whole(calls)
    assert frame is not None and frame.sent is not None
    assert list(FrameCalls(frame)) == calls


def test_the_caption_says_how_many_of_how_many() -> None:
    frame = build_frame([make_call(i) for i in range(3)])
    assert PartialCalls(frame, 100_000).caption() == "Partial: 3 of 100,000 calls loaded"
    assert PartialCalls(frame, 2).caption() == "Partial: 3 of 3 calls loaded"
    assert PartialCalls(frame, None).caption() == "Partial: 3 calls loaded so far"
