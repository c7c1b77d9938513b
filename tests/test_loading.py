"""The store of loaded calls: one download per customer and key, shared by everyone asking at once; reloads
that read only the newest pages; the re-check window from the environment."""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Iterator
from datetime import timedelta

import pandas as pd
import pytest
import streamlit as st

from carecycle_dash.api.config import Settings
from carecycle_dash.api.contract import DEFAULT_SORT_FIELD, DEFAULT_SORT_ORDER
from carecycle_dash.api.paging import pages_for
from carecycle_dash.data.filters import SEARCH_COLUMNS, CallFilters, apply_filters
from carecycle_dash.data.frame import build_frame
from carecycle_dash.data.partial import GrowingCalls
from carecycle_dash.simulator import (
    DEMO_API_KEY,
    DEMO_CUSTOMER_SIZES,
    DEMO_CUSTOMERS,
    RunningSimulator,
    start_simulator,
)
from carecycle_dash.ui import loading
from carecycle_dash.ui.loading import REMEMBERED_MAX, load_calls, recheck_window
from carecycle_dash.ui.privacy import Privacy
from carecycle_dash.ui.sidebar import ViewInputs
from carecycle_dash.ui.view import View

pytestmark = pytest.mark.server
STANDARD = DEMO_CUSTOMERS["standard"]


@pytest.fixture
def api() -> Iterator[RunningSimulator]:
    st.cache_resource.clear()
    with start_simulator() as running:
        yield running
    st.cache_resource.clear()


def settings_for(api: RunningSimulator, key: str = DEMO_API_KEY) -> Settings:
    return Settings(key, api.base_url, "environment")


def test_people_asking_for_one_customer_at_once_share_one_download(api: RunningSimulator) -> None:
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(load_calls(settings_for(api), STANDARD))) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(result) for result in results}) == 1
    assert api.stats.page_requests == pages_for(2487, 100)


def test_a_result_derived_from_held_calls_is_computed_once_for_everyone_and_the_oldest_go(
    api: RunningSimulator,
) -> None:
    loaded = load_calls(settings_for(api), STANDARD)
    computed: list[str] = []

    def compute(key: str) -> str:
        computed.append(key)
        return key.upper()

    assert loaded.remember("figure", lambda: compute("figure")) == "FIGURE"
    assert load_calls(settings_for(api), STANDARD).remember("figure", lambda: compute("figure")) == "FIGURE"
    assert computed == ["figure"]
    for index in range(REMEMBERED_MAX):
        loaded.remember(index, lambda index=index: compute(str(index)))
    loaded.remember("figure", lambda: compute("figure"))
    assert computed.count("figure") == 2  # pushed out by newer results, then computed again


def test_sessions_on_the_same_filters_share_one_filtered_copy_while_it_is_in_use(
    api: RunningSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    filtering: list[CallFilters] = []

    def counted(df: pd.DataFrame, filters: CallFilters, *, keep_text: bool = True) -> pd.DataFrame:
        filtering.append(filters)
        return apply_filters(df, filters, keep_text=keep_text)

    monkeypatch.setattr(loading, "apply_filters", counted)
    loaded = load_calls(settings_for(api), STANDARD)
    default, with_tests, searched = CallFilters(), CallFilters(include_tests=True), CallFilters(text="hello")
    shared = loaded.filtered(default)
    assert load_calls(settings_for(api), STANDARD).filtered(default) is shared
    pd.testing.assert_frame_equal(shared, apply_filters(loaded.all_calls, default, keep_text=False))
    assert not set(SEARCH_COLUMNS) & set(shared.columns)
    assert len(loaded.filtered(with_tests)) == len(loaded.all_calls) > len(shared)
    assert loaded.filtered(default) is shared  # held by a session (here: this test) and the latest again
    assert filtering == [default, with_tests]
    loaded.filtered(searched)  # the latest now
    del shared
    gc.collect()
    loaded.filtered(with_tests)  # held by nobody once default was the latest: filtered again
    loaded.filtered(default)  # held by nobody once searched was the latest: filtered again
    assert filtering == [default, with_tests, searched, with_tests, default]


def test_a_download_holds_the_calls_weakly_so_a_customer_the_store_drops_is_freed(api: RunningSimulator) -> None:
    loaded = load_calls(settings_for(api), STANDARD)
    inputs = ViewInputs(STANDARD, DEFAULT_SORT_FIELD, DEFAULT_SORT_ORDER, refresh=False)
    shown = loaded.filtered(CallFilters())
    view = View(settings_for(api), inputs, "UTC", loaded, CallFilters(), shown, shown.index, Privacy())
    held = view.held_for_download()  # what a page's download callable keeps until its session ends
    assert held() is loaded
    del view, loaded, shown
    st.cache_resource.clear()  # the store drops the customer, as its memory bound or time would
    gc.collect()
    with pytest.raises(LookupError, match="no longer held"):
        held()


def test_a_reload_parses_only_fresh_rows_and_equals_a_fresh_frame(api: RunningSimulator) -> None:
    first = load_calls(settings_for(api), STANDARD)
    api.add_newer_calls(STANDARD, 50)
    before = api.stats.page_requests
    reloaded = load_calls(settings_for(api), STANDARD, reload="incremental")
    assert reloaded is not first and len(reloaded.all_calls) == 2537
    assert api.stats.page_requests - before <= 3
    pd.testing.assert_frame_equal(reloaded.frame.df, build_frame(reloaded.result.calls).df)


def test_a_full_reload_reads_every_page(api: RunningSimulator) -> None:
    load_calls(settings_for(api), STANDARD)
    before = api.stats.page_requests
    load_calls(settings_for(api), STANDARD, reload="full")
    assert api.stats.page_requests - before == pages_for(2487, 100)


@pytest.mark.parametrize(
    ("value", "hours"), [(None, 24), ("6", 6), ("0", 0), ("1.5", 1.5), ("soon", 24), ("-3", 24), ("nan", 24)]
)
def test_the_re_check_window_comes_from_the_environment(value: str | None, hours: float) -> None:
    environ = {} if value is None else {"CARECYCLE_RECHECK_HOURS": value}
    assert recheck_window(environ) == timedelta(hours=hours)


def test_a_first_load_drops_its_preview_when_it_ends_so_the_pages_it_held_are_freed(api: RunningSimulator) -> None:
    previews: list[weakref.ref[GrowingCalls]] = []

    def on_preview(growing: GrowingCalls) -> None:
        if not previews:
            previews.append(weakref.ref(growing))

    loaded = load_calls(settings_for(api), STANDARD, on_preview=on_preview)
    gc.collect()
    assert len(previews) == 1
    assert previews[0]() is None  # the API's pages and the preview's own list of them are gone
    assert len(loaded.all_calls) == DEMO_CUSTOMER_SIZES["standard"]
