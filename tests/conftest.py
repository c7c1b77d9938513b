"""Fixtures every test may need: free ports, the app under `streamlit run`, and Chromium pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from carecycle_dash.simulator import RunningSimulator, start_simulator
from tests.support.browser import launch_chromium
from tests.support.servers import RunningApp, free_port, start_app


@pytest.fixture
def port() -> int:
    """A free loopback port."""
    return free_port()


@pytest.fixture(scope="session")
def simulator() -> Iterator[RunningSimulator]:
    """The CareCycle simulator on a free loopback port, without faults: the API's test double."""
    with start_simulator() as running:
        yield running


@pytest.fixture(scope="session")
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """The app as a newcomer runs it: no key, no configuration, the demo simulator."""
    app = start_app(tmp_path_factory.mktemp("demo-app"))
    yield app
    app.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, tmp_path: Path) -> Iterator[Page]:
    """A fresh browser context (own cookies, own session) per test, with downloads allowed."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(30_000)
    page = context.new_page()
    yield page
    context.close()
