"""Cost that follows what changed, in a real Chromium against a stand-in API that counts requests: a sort
change asks the API for nothing, a Reload after new calls reads only the newest pages and shows the new total."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from carecycle_dash.simulator import DEMO_API_KEY, DEMO_CUSTOMERS, RunningSimulator, start_simulator
from tests.support.browser import assert_no_exception, open_app, wait_for_app
from tests.support.servers import RunningApp, start_app

pytestmark = [pytest.mark.browser, pytest.mark.server]
STANDARD = DEMO_CUSTOMERS["standard"]


@dataclass
class CountedApp:
    api: RunningSimulator
    app: RunningApp


@pytest.fixture(scope="module")
def counted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CountedApp]:
    """The app with a key, against a stand-in API of this module's own (so its counts are ours alone)."""
    with start_simulator() as api:
        app = start_app(
            tmp_path_factory.mktemp("counted-app"),
            env={"CARECYCLE_API_KEY": DEMO_API_KEY, "CARECYCLE_BASE_URL": api.base_url},
        )
        yield CountedApp(api, app)
        app.stop()


def choose(page: Page, label: str, option: str) -> None:
    page.locator("[data-testid='stSelectbox']").filter(has_text=label).click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_app(page)


def scope_caption(page: Page) -> str:
    return page.locator("[data-testid='stCaptionContainer']").filter(has_text=f"Customer {STANDARD}").inner_text()


def test_a_sort_change_asks_nothing_and_a_reload_after_new_calls_reads_only_the_newest_pages(
    page: Page, counted: CountedApp
) -> None:
    open_app(page, f"{counted.app.url}/calls?customer_id={STANDARD}")
    expect(page.locator("[data-testid='stDataFrame']")).to_be_visible()
    total = counted.api.items_total(STANDARD)
    assert f"{total:,} calls" in scope_caption(page)
    before = counted.api.stats.page_requests
    choose(page, "Sort by", "Duration")
    choose(page, "Order", "Ascending")
    expect(page.locator("[data-testid='stDataFrame']")).to_be_visible()
    assert_no_exception(page)
    assert counted.api.stats.page_requests == before, "a sort change makes no request to the API"
    query = parse_qs(urlsplit(page.url).query)
    assert query["sort_by"] == ["duration"] and query["order"] == ["asc"]

    counted.api.add_newer_calls(STANDARD, 50)
    page.get_by_role("button", name="Reload from the API").click()
    wait_for_app(page)
    expect(page.get_by_text(re.compile("Reloaded: read only the newest calls"))).to_be_visible()
    assert f"{total + 50:,} calls" in scope_caption(page)
    assert counted.api.stats.page_requests - before <= 3  # 50 new and a day's calls: 2 pages, and 1 to spare
