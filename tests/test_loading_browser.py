"""Cost that follows what changed, in a real Chromium against the simulator, which counts requests: a sort
change asks the API for nothing, a Reload after new calls reads only the newest pages and shows the new total.

It runs on the session's `keyed_app` and `simulator` (a worker runs one test at a time, so the requests counted
between two points are this test's), with a customer of its own to add calls to.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from carecycle_dash.simulator import RunningSimulator
from tests.support.browser import assert_no_exception, open_app, wait_for_app
from tests.support.servers import RunningApp
from tests.support.simulator import GROWING

pytestmark = [pytest.mark.browser, pytest.mark.server]


def choose(page: Page, label: str, option: str) -> None:
    page.locator("[data-testid='stSelectbox']").filter(has_text=label).click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_app(page)


def scope_caption(page: Page) -> str:
    return page.locator("[data-testid='stCaptionContainer']").filter(has_text=f"Customer {GROWING}").inner_text()


def test_a_sort_change_asks_nothing_and_a_reload_after_new_calls_reads_only_the_newest_pages(
    page: Page, keyed_app: RunningApp, simulator: RunningSimulator
) -> None:
    open_app(page, f"{keyed_app.url}/calls?customer_id={GROWING}")
    expect(page.locator("[data-testid='stDataFrame']")).to_be_visible()
    total = simulator.items_total(GROWING)
    assert f"{total:,} calls" in scope_caption(page)
    before = simulator.stats.page_requests
    choose(page, "Sort by", "Duration")
    choose(page, "Order", "Ascending")
    expect(page.locator("[data-testid='stDataFrame']")).to_be_visible()
    assert_no_exception(page)
    assert simulator.stats.page_requests == before, "a sort change makes no request to the API"
    query = parse_qs(urlsplit(page.url).query)
    assert query["sort_by"] == ["duration"] and query["order"] == ["asc"]

    simulator.add_newer_calls(GROWING, 50)
    page.get_by_role("button", name="Reload from the API").click()
    wait_for_app(page)
    expect(page.get_by_text(re.compile("Reloaded: read only the newest calls"))).to_be_visible()
    assert f"{total + 50:,} calls" in scope_caption(page)
    assert simulator.stats.page_requests - before <= 3  # 50 new and a day's calls: 2 pages, and 1 to spare
