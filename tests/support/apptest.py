"""The dashboard under Streamlit's AppTest: one way to open the app at an address and run it."""

from __future__ import annotations

import streamlit as st
from streamlit.testing.v1 import AppTest

from carecycle_dash.ui.loading import calls_store
from tests.support.servers import REPO_ROOT

APP_TIMEOUT_S = 90


def new_app() -> AppTest:
    """app.py under AppTest, not run yet (for a test that sets secrets first)."""
    return AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=APP_TIMEOUT_S)


def run_app(page: str | None = None, /, **query: str) -> AppTest:
    """app.py run with `query` as the address's parameters, then switched to `page` (e.g. "pages/calls.py")."""
    at = new_app()
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    if page:
        at.switch_page(page).run()
    return at


def assert_no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def forget_loaded_calls() -> None:
    """Drop every loaded calls table and cached recording, but keep the demo simulator (a resource) running:
    restarting it per test would cost a server start and regenerating the demo data."""
    calls_store.clear()
    st.cache_data.clear()
