"""One fixture per resource: a free port, the simulator, a fake clock, a clean app state for AppTest, the app
under `streamlit run` (in demo mode, and with a key), and Chromium pages.

Playwright is imported only inside the browser fixtures, so the unit tests run (and this file imports)
without it: `bash scripts/test -m "not browser and not server"` is the fast inner loop. Tests that use a
server or browser fixture get the `server` or `browser` marker here even when their module forgets it.

No test writes the default call store: `CARECYCLE_STORE_URL=none` (memory only) is set for this process before
anything imports the app, so every AppTest run and every subprocess started here (which inherit the environment)
keeps calls in memory. A test that needs a store sets its own URL (`monkeypatch.setenv`, or a served app's `env`),
pointing at a temporary file or a throwaway database.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

os.environ["CARECYCLE_STORE_URL"] = "none"  # before any import of the app below; see the docstring
# And should a subprocess drop that setting, the default store lands in a throwaway folder, never ~/.cache.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="carecycle-test-cache-")

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from carecycle_dash.simulator import DEMO_API_KEY, RunningSimulator, start_simulator
from carecycle_dash.simulator.clock import DEMO_NOW_ENV
from tests.support.clock import FakeClock
from tests.support.servers import RunningApp, free_port, in_ci, start_app
from tests.support.simulator import PINNED_NOW, SESSION_SIMULATOR

atexit.register(shutil.rmtree, os.environ["XDG_CACHE_HOME"], ignore_errors=True)

# Every simulator of the run, the app's demo under AppTest and `streamlit run` included, serves the demo data
# as of PINNED_NOW, so that dates and figures in tests do not move with the real clock.
os.environ[DEMO_NOW_ENV] = PINNED_NOW.isoformat()

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

SERVER_FIXTURES = frozenset({"simulator", "demo_app", "keyed_app", "clean_app"})
BROWSER_FIXTURES = frozenset({"browser", "page"})

# Without Playwright (outside CI) the browser modules cannot even be imported: leave them out of collection,
# as the browser tests themselves are skipped when Chromium is missing. In CI a missing Playwright fails.
if importlib.util.find_spec("playwright") is None and not in_ci():
    collect_ignore_glob = ["test_*browser*.py"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)
        if used & SERVER_FIXTURES:
            item.add_marker(pytest.mark.server)
    browser_first(items)


def browser_first(items: list[pytest.Item]) -> None:
    """Files with a browser test first, each file's tests kept together and in order.

    With `--dist loadfile` workers take files in this order (scripts/test turns off xdist's reordering by test
    count, which put the few-test, slow browser files last): the long browser files start at once and the many
    short unit files fill both workers' ends, so neither worker is left with a long file when the other is
    done.
    """
    browser_files = {item.path for item in items if item.get_closest_marker("browser")}
    items.sort(key=lambda item: item.path not in browser_files)


@pytest.fixture
def port() -> int:
    """A free loopback port."""
    return free_port()


@pytest.fixture
def fake_clock() -> FakeClock:
    """A clock that moves only when slept on (or set); see tests/support/clock.py."""
    return FakeClock()


@pytest.fixture(scope="session")
def simulator() -> Iterator[RunningSimulator]:
    """The CareCycle simulator on a free loopback port, without faults: the API's test double. Its demo customers
    are shared by every test of a worker and must not be changed; a test that adds calls uses `GROWING`."""
    with start_simulator(SESSION_SIMULATOR) as running:
        yield running


@pytest.fixture
def clean_app(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """For AppTest: no developer configuration, and no loaded calls carried from one test to the next (the
    demo simulator keeps running)."""
    from tests.support.apptest import forget_loaded_calls

    monkeypatch.delenv("CARECYCLE_API_KEY", raising=False)
    monkeypatch.delenv("CARECYCLE_BASE_URL", raising=False)
    forget_loaded_calls()
    yield
    forget_loaded_calls()


@pytest.fixture(scope="session")
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """The app as a newcomer runs it: no key, no configuration, the demo simulator."""
    with start_app(tmp_path_factory.mktemp("demo-app")) as app:
        yield app


@pytest.fixture(scope="session")
def keyed_app(tmp_path_factory: pytest.TempPathFactory, simulator: RunningSimulator) -> Iterator[RunningApp]:
    """The app configured like production: a key and a base URL (the simulator's) in the environment. Shared
    by the browser files that need one, so a worker starts it once; tests that read its log read only the
    lines written since they began (RunningApp.log_since)."""
    env = {"CARECYCLE_API_KEY": DEMO_API_KEY, "CARECYCLE_BASE_URL": simulator.base_url}
    with start_app(tmp_path_factory.mktemp("keyed-app"), env=env) as app:
        yield app


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    from tests.support.browser import launch_chromium

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, tmp_path: Path) -> Iterator[Page]:
    """A fresh browser context (own cookies, own session) per test, with downloads allowed."""
    from tests.support.browser import new_page

    page = new_page(browser, accept_downloads=True, viewport={"width": 1400, "height": 1000})
    page.context.set_default_timeout(30_000)
    yield page
    page.context.close()
