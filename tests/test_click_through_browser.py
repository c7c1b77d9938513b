"""Click-through in a real Chromium: a click on a disposition bar (Vega) or a heatmap cell (plotly) narrows the
view, and the address of a narrowed view reproduces it, chart tab included."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Locator, Page, expect

from carecycle_dash.simulator import DEMO_CUSTOMERS
from tests.support.browser import open_app, wait_for_app
from tests.support.servers import RunningApp

pytestmark = pytest.mark.browser
SMALL = DEMO_CUSTOMERS["small"]


def total_calls(page: Page) -> int:
    metric = page.locator("[data-testid='stMetric']").filter(has_text="Total calls")
    return int(metric.locator("[data-testid='stMetricValue']").inner_text().replace(",", ""))


def chart(page: Page, key: str, drawn: str = ".js-plotly-plot") -> Locator:
    """The chart whose Streamlit key starts with `key` (click-through keys carry a round number): plotly's,
    or Vega's drawing (`svg.marks`) for the disposition bars."""
    plot = page.locator(f"[class*='st-key-{key}_'] {drawn}").first
    expect(plot).to_be_visible(timeout=30_000)
    plot.scroll_into_view_if_needed()
    return plot


def click_at(page: Page, plot: Locator, x: float, y: float) -> None:
    """Hover first (plotly picks the point under the pointer on hover), then click."""
    page.mouse.move(x, y)
    page.wait_for_timeout(300)
    page.mouse.click(x, y)
    page.wait_for_timeout(500)
    wait_for_app(page)


def test_a_disposition_bar_then_a_heatmap_cell_narrow_the_view_and_the_address_reproduces_it(
    page: Page, demo_app: RunningApp
) -> None:
    open_app(page, f"{demo_app.url}/?customer_id={SMALL}&range=all")
    everything = total_calls(page)
    plot = chart(page, "dispositions", "svg.marks")
    first_bar = plot.locator("[aria-roledescription='bar']").first
    # Vega describes each bar with its fields: "Calls: 12; name: Voicemail; Disposition: Voicemail; ...".
    label = str(first_bar.get_attribute("aria-label"))
    described = re.search(r"Calls: ([\d,]+); name: .*; Disposition: (.*); Of all calls", label)
    assert described is not None
    count, name = described.groups()
    box = first_bar.bounding_box()
    assert box is not None
    click_at(page, plot, box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    chosen = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").filter(has_text="Dispositions")
    expect(chosen).to_contain_text(name)
    by_disposition = total_calls(page)
    assert by_disposition == int(count.replace(",", "")) < everything

    # On the narrowed view, the busiest hour of the week, in the tab of when calls happened.
    page.get_by_role("tab", name="When they happened").click()
    plot = chart(page, "hour_of_week")
    assert parse_qs(urlsplit(page.url).query)["charts"] == ["timing"]
    expect(page.locator("[class*='st-key-dispositions_']")).to_have_count(0)  # a closed tab is not sent
    cells = plot.evaluate("el => el.data[1].customdata")
    weekday, hour, _, calls = max(cells, key=lambda row: int(row[3].replace(",", "")))[:4]
    calls = int(calls.replace(",", ""))
    area = plot.locator(".nsewdrag").first.bounding_box()
    assert area is not None
    x = area["x"] + (hour + 0.5) / 24 * area["width"]
    y = area["y"] + (weekday + 0.5) / 7 * area["height"]
    click_at(page, plot, x, y)
    expect(page.locator("[data-testid='stSidebar']").get_by_text("Hour of the week:")).to_be_visible()
    assert total_calls(page) == calls < by_disposition
    query = parse_qs(urlsplit(page.url).query)
    assert query["weekday"] == [("mon", "tue", "wed", "thu", "fri", "sat", "sun")[weekday]]
    assert query["hour"] == [str(hour)]
    assert query["disposition"] == [name]
    assert query["charts"] == ["timing"]

    shared = page.context.new_page()
    open_app(shared, page.url)
    assert total_calls(shared) == calls
    expect(shared.locator("[class*='st-key-hour_of_week_'] .js-plotly-plot")).to_be_visible()  # the same tab
    shared.close()
