"""The dashboard's loads through the call store: a restart costs only the re-check window, stored calls are
shown only once the API accepted the key, a refused key loses its entry, an unreadable entry is loaded again,
the demo's entries are named for the demo, and a store that fails never breaks a load."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st

from carecycle_dash.api.config import Settings
from carecycle_dash.api.errors import AuthenticationError, PermissionDeniedError
from carecycle_dash.api.paging import pages_for
from carecycle_dash.data.frame import build_frame
from carecycle_dash.simulator import DEMO_API_KEY, DEMO_CUSTOMERS, LIMITED_API_KEY, RunningSimulator, start_simulator
from carecycle_dash.store import CallStore, StoreSettings, entry_for, open_store
from carecycle_dash.ui import loading
from carecycle_dash.ui.loading import load_calls, store_caption
from tests.support.store import sample_result, snapshot_for

pytestmark = pytest.mark.server
STANDARD = DEMO_CUSTOMERS["standard"]
SMALL = DEMO_CUSTOMERS["small"]
REVOKED_KEY = "cc_revoked_7a1c9e3b5d2f4a6c8e0b1d3f5a7c9e2b"


@pytest.fixture
def store_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """This test's own store file, named in the environment as a deployment names it."""
    path = tmp_path / "store" / "store.db"
    monkeypatch.setenv("CARECYCLE_STORE_URL", f"sqlite://{path}")
    st.cache_resource.clear()
    yield path
    st.cache_resource.clear()


@pytest.fixture
def api(store_path: Path) -> Iterator[RunningSimulator]:
    with start_simulator() as running:
        yield running


def settings_for(api: RunningSimulator, key: str = DEMO_API_KEY) -> Settings:
    return Settings(key, api.base_url, "environment")


def restart() -> None:
    """What a new server process starts with: nothing in memory, the same store."""
    kept = loading.kept_calls().store
    assert kept is not None and kept.flush(60)
    st.cache_resource.clear()


def open_test_store(path: Path) -> CallStore:
    store = open_store(StoreSettings("sqlite", str(path)))
    assert store is not None
    return store


def test_a_restart_reads_the_store_and_asks_the_api_only_for_the_re_check_window(api: RunningSimulator) -> None:
    first = load_calls(settings_for(api), STANDARD)
    assert first.source == "api" and api.stats.page_requests == pages_for(2487, 100)
    restart()
    before = api.stats.page_requests
    again = load_calls(settings_for(api), STANDARD)
    assert api.stats.page_requests - before == 1  # the newest page: the re-check window and the key's check
    assert again.source == "store"
    assert list(again.result.calls) == list(first.result.calls)
    pd.testing.assert_frame_equal(again.frame.df, first.frame.df)
    assert store_caption(again) == f"From the store, checked with the API at {again.loaded_at:%H:%M} UTC."


def test_stored_calls_take_newer_calls_and_reload_as_before(api: RunningSimulator) -> None:
    load_calls(settings_for(api), STANDARD)
    restart()
    api.add_newer_calls(STANDARD, 150)
    before = api.stats.page_requests
    again = load_calls(settings_for(api), STANDARD)
    assert len(again.all_calls) == 2637 and api.stats.page_requests - before <= 4
    pd.testing.assert_frame_equal(again.frame.df, build_frame(list(again.result.calls)).df)
    reloaded = load_calls(settings_for(api), STANDARD, reload="incremental")
    assert reloaded.source == "store" and len(reloaded.all_calls) == 2637
    masked = again.masked()
    assert masked.source == "store" and len(masked.all_calls) == 2637


def test_a_key_the_api_now_refuses_sees_nothing_and_its_entry_goes(api: RunningSimulator, store_path: Path) -> None:
    store = open_test_store(store_path)
    revoked = entry_for(api.base_url, STANDARD, REVOKED_KEY)
    limited = entry_for(api.base_url, STANDARD, LIMITED_API_KEY)
    store.write(revoked, REVOKED_KEY, snapshot_for(sample_result()))
    store.write(limited, LIMITED_API_KEY, snapshot_for(sample_result()))
    with pytest.raises(AuthenticationError):
        load_calls(settings_for(api, REVOKED_KEY), STANDARD)
    with pytest.raises(PermissionDeniedError):
        load_calls(settings_for(api, LIMITED_API_KEY), STANDARD)
    assert store.entries() == []
    assert api.stats.page_requests == 2  # one refused request each
    store.close()


def test_an_entry_that_cannot_be_read_is_loaded_from_the_api_and_kept_again(
    api: RunningSimulator, store_path: Path
) -> None:
    store = open_test_store(store_path)
    entry = entry_for(api.base_url, STANDARD, DEMO_API_KEY)
    store.backend.put(entry, b"\x01" + bytes(100), 2487)
    loaded = load_calls(settings_for(api), STANDARD)
    assert loaded.source == "api" and api.stats.page_requests == pages_for(2487, 100)
    restart()
    kept = store.read(entry, DEMO_API_KEY)
    assert kept is not None and kept.calls == 2487
    store.close()


def test_a_since_load_is_kept_and_serves_the_same_span_after_a_restart(api: RunningSimulator) -> None:
    since = pd.Timestamp("2026-11-01", tz="UTC").to_pydatetime()
    first = load_calls(settings_for(api), STANDARD, since=since)
    restart()
    before = api.stats.page_requests
    again = load_calls(settings_for(api), STANDARD, since=since)
    assert again.source == "store" and again.since == since and api.stats.page_requests - before == 1
    assert list(again.result.calls) == list(first.result.calls)
    everything = load_calls(settings_for(api), STANDARD)  # wider than what was kept: loaded from the API
    assert everything.source == "api" and len(everything.all_calls) == 2487


def test_the_demo_keeps_its_calls_under_the_demo_name(store_path: Path) -> None:
    load_calls(Settings(None, None, "demo"), SMALL)
    restart()
    store = open_test_store(store_path)
    assert [(info.entry.host, info.entry.customer_id, info.calls) for info in store.entries()] == [("demo", SMALL, 43)]
    store.close()


def test_a_store_that_cannot_be_opened_leaves_loads_working_and_says_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CARECYCLE_STORE_URL", "postgresql://nobody:secret@127.0.0.1:1/none")
    st.cache_resource.clear()
    try:
        with start_simulator() as api:
            loaded = load_calls(settings_for(api), SMALL)
            assert loaded.source == "api" and len(loaded.all_calls) == 43
            caption = store_caption(loaded)
            assert caption is not None and caption.startswith("Calls are not being kept: the call store failed (")
            assert "secret" not in caption
    finally:
        st.cache_resource.clear()


def test_a_bad_store_url_is_one_line_in_the_sidebar(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARECYCLE_STORE_URL", "redis://x")
    st.cache_resource.clear()
    try:
        assert loading.kept_calls().notice() == (
            "Calls are not being kept: CARECYCLE_STORE_URL must be sqlite:///ABSOLUTE/PATH.db, "
            "postgresql://USER:PASSWORD@HOST:PORT/DB or none, not 'redis://x'."
        )
    finally:
        st.cache_resource.clear()
