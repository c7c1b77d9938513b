"""A first load in a served app, against a slow simulator: it says it waits for the API's first page, then shows
the figures of the pages so far marked "Partial", with no Needs attention, then the complete page; and the
previous customer's page is gone the moment another customer starts loading."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Locator, Page, expect

from carecycle_dash.simulator import DEMO_API_KEY, SimulatorConfig, start_simulator
from carecycle_dash.simulator.clock import fixed_clock
from tests.support.browser import assert_no_exception, open_app
from tests.support.servers import RunningApp, start_app
from tests.support.simulator import PINNED_NOW

pytestmark = [pytest.mark.browser, pytest.mark.server]

FIRST = "b4000000-0000-4000-8000-000000000001"
SLOW = "b4000000-0000-4000-8000-000000000002"
OTHER_SLOW = "b4000000-0000-4000-8000-000000000003"
SLOW_CALLS = 3_000
LATENCY_MS = 1_500
"""Every request takes 1.5 s: the first page shows the wait, and 30 pages eight at a time take about 6 s."""
WAITING = "Waiting for the API's first page…"


@pytest.fixture(scope="module")
def slow_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    config = SimulatorConfig(
        now=fixed_clock(PINNED_NOW),
        latency_ms=LATENCY_MS,
        extra_customers={FIRST: 300, SLOW: SLOW_CALLS, OTHER_SLOW: SLOW_CALLS},
    )
    with start_simulator(config) as simulator:
        env = {"CARECYCLE_API_KEY": DEMO_API_KEY, "CARECYCLE_BASE_URL": simulator.base_url}
        with start_app(tmp_path_factory.mktemp("partial"), env=env) as app:
            yield app


def attention(page: Page) -> Locator:
    return page.get_by_role("heading", name="Needs attention")


def test_a_first_load_waits_then_shows_partial_figures_then_the_complete_page(page: Page, slow_app: RunningApp) -> None:
    page.goto(f"{slow_app.url}/?customer_id={SLOW}", wait_until="domcontentloaded")
    expect(page.get_by_text(WAITING)).to_be_visible(timeout=30_000)
    expect(page.get_by_text(re.compile("page 0 of 0"))).to_have_count(0)
    partial = page.get_by_text(re.compile(r"^Partial: [\d,]+ of 3,000 calls loaded$"))
    expect(partial).to_be_visible(timeout=30_000)
    expect(page.locator("[data-testid='stMetric']").filter(has_text="Total calls")).to_be_visible()
    expect(attention(page)).to_have_count(0)
    expect(page.get_by_text(re.compile("compared with|previous period|Choose a date range"))).to_have_count(0)
    expect(attention(page)).to_be_visible(timeout=60_000)
    expect(page.get_by_text(re.compile("^Partial: "))).to_have_count(0)
    assert_no_exception(page)


def test_the_previous_customers_page_is_gone_when_another_customer_starts_loading(
    page: Page, slow_app: RunningApp
) -> None:
    open_app(page, f"{slow_app.url}/?customer_id={FIRST}", timeout_ms=60_000)
    expect(attention(page)).to_be_visible()
    first_scope = page.get_by_text(re.compile(f"^Customer {FIRST}"))
    expect(first_scope).to_be_visible()
    customer = page.get_by_label("Customer ID")
    customer.fill(OTHER_SLOW)
    customer.press("Enter")
    expect(page.get_by_text(WAITING)).to_be_visible(timeout=30_000)
    expect(first_scope).to_be_hidden()
    expect(attention(page)).to_be_hidden()
    expect(page.locator("[data-testid='stMetric'] >> visible=true")).to_have_count(0)
    expect(page.get_by_text(re.compile(r"^Partial: [\d,]+ of 3,000 calls loaded$"))).to_be_visible(timeout=30_000)
    expect(first_scope).to_be_hidden()
    expect(page.get_by_text(re.compile(f"^Customer {OTHER_SLOW}"))).to_be_visible(timeout=60_000)
    assert_no_exception(page)
