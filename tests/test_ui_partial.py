"""A first load shows its calls so far: the waiting session is handed them while pages arrive, the grown frame
becomes the load's own, and the preview redraws at most once a second; held calls and reloads show no preview."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest
import streamlit as st

from carecycle_dash.api.arrived import ArrivedCalls
from carecycle_dash.api.config import Settings
from carecycle_dash.api.models import CallsPage
from carecycle_dash.data.frame import build_frame
from carecycle_dash.data.partial import GrowingCalls
from carecycle_dash.simulator import (
    DEMO_API_KEY,
    DEMO_CUSTOMER_SIZES,
    DEMO_CUSTOMERS,
    RunningSimulator,
    SimulatorConfig,
    start_simulator,
)
from carecycle_dash.simulator.clock import fixed_clock
from carecycle_dash.ui.loading import load_calls
from carecycle_dash.ui.partial import PartialPreview
from tests.factories import make_call
from tests.support.simulator import PINNED_NOW

STANDARD = DEMO_CUSTOMERS["standard"]


@pytest.fixture
def slow_api() -> Iterator[RunningSimulator]:
    st.cache_resource.clear()
    with start_simulator(SimulatorConfig(now=fixed_clock(PINNED_NOW), latency_ms=100)) as running:
        yield running
    st.cache_resource.clear()


@pytest.mark.server
def test_a_first_load_hands_its_calls_so_far_to_the_waiting_session_and_keeps_the_grown_frame(
    slow_api: RunningSimulator,
) -> None:
    settings = Settings(DEMO_API_KEY, slow_api.base_url, "environment")
    seen: list[GrowingCalls] = []
    counts: list[int] = []

    def on_preview(growing: GrowingCalls) -> None:
        seen.append(growing)
        partial = growing.now()
        counts.append(0 if partial is None else partial.count)

    loaded = load_calls(settings, STANDARD, on_preview=on_preview)
    assert len({id(growing) for growing in seen}) == 1
    total = DEMO_CUSTOMER_SIZES["standard"]
    assert counts == sorted(counts) and any(0 < count < total for count in counts)
    assert all(count % 100 == 0 or count == total for count in counts)  # whole pages, newest first
    assert seen[0].arrived.total == total
    grown = seen[0].now()
    assert grown is not None and grown.frame is loaded.frame  # the grown frame is the load's: no second parse
    pd.testing.assert_frame_equal(loaded.frame.df, build_frame(loaded.result.calls).df)

    later: list[GrowingCalls] = []
    load_calls(settings, STANDARD, on_preview=later.append)
    load_calls(settings, STANDARD, reload="incremental", on_preview=later.append)
    assert later == []


def test_the_preview_redraws_at_most_once_a_second_and_only_when_more_calls_came() -> None:
    now = [0.0]
    arrived = ArrivedCalls()
    growing = GrowingCalls(arrived)
    preview = PartialPreview(st.empty(), "UTC", clock=lambda: now[0])

    def page(first: int) -> CallsPage:
        calls = [make_call(i) for i in range(first, first + 10)]
        return CallsPage(itemsTotal=30, currentPage=0, nextPage=None, prevPage=None, items=calls)

    preview(growing)  # nothing yet: the wait says it waits for the first page
    arrived.add(1, page(0))
    for at in (0.5, 1.0, 1.5, 2.0):
        now[0] = at
        preview(growing)
    arrived.add(2, page(10))
    now[0] = 2.5
    preview(growing)
    now[0] = 3.0
    preview(growing)
    assert (preview.redraws, preview.shown) == (2, 20)
