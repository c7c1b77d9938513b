"""The dashboard in a real Chromium: shared links, figures and charts, a call's transcript, the CSV."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from playwright.sync_api import Page, expect

from carecycle_dash.data.table import DEFAULT_COLUMNS
from carecycle_dash.simulator import DEMO_API_KEY, DEMO_CUSTOMERS, RunningSimulator
from tests.support.browser import (
    assert_no_exception,
    follow_sidebar_link,
    open_app,
    select_first_row,
    wait_for_app,
)
from tests.support.servers import RunningApp

pytestmark = pytest.mark.browser
SMALL = DEMO_CUSTOMERS["small"]


def metric_value(page: Page, label: str) -> str:
    metric = page.locator("[data-testid='stMetric']").filter(has_text=label)
    return metric.locator("[data-testid='stMetricValue']").inner_text()


def test_shared_link_shows_figures_and_charts_and_downloads_its_report(
    page: Page, demo_app: RunningApp, tmp_path: Path
) -> None:
    open_app(page, f"{demo_app.url}/?customer_id={SMALL}&sort_by=duration&order=asc")
    expect(page).to_have_title("CareCycle Calls")
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    assert_no_exception(page)
    assert re.fullmatch(r"\d{1,3}(,\d{3})*", metric_value(page, "Total calls"))
    first_tab = page.locator("[data-testid='stTabs'] [data-testid='stVegaLiteChart'] svg.marks")
    expect(first_tab.first).to_be_visible()
    expect(first_tab).to_have_count(2)  # the first tab's: how calls ended, how far they got
    expect(page.locator(".js-plotly-plot")).to_have_count(0)  # so the page needs no plotly
    query = parse_qs(urlsplit(page.url).query)
    assert query["customer_id"] == [SMALL] and query["sort_by"] == ["duration"] and query["order"] == ["asc"]
    assert "charts" not in query

    with page.expect_download() as info:  # built on click from the calls the page shows
        page.get_by_role("button", name="Download this view as a report (HTML)").click()
    download = info.value
    assert re.fullmatch(rf"carecycle-report-{SMALL}-\d{{4}}-\d{{2}}-\d{{2}}\.html", download.suggested_filename)
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    report = target.read_text(encoding="utf-8")
    assert report.startswith("<!DOCTYPE html>") and SMALL in report and "Needs attention" in report


def test_csv_download_holds_every_filtered_call_and_selecting_a_call_opens_its_transcript(
    page: Page, demo_app: RunningApp, tmp_path: Path
) -> None:
    # Longest call first, so the chosen call has a real conversation.
    open_app(page, f"{demo_app.url}/calls?customer_id={SMALL}&sort_by=duration&order=desc&range=all")
    expect(page.get_by_role("heading", name="Calls")).to_be_visible()
    button = page.get_by_role("button", name=re.compile(r"Download [\d,]+ calls as CSV"))
    expected_rows = int(re.search(r"Download ([\d,]+) calls", button.inner_text()).group(1).replace(",", ""))
    with page.expect_download() as info:
        button.click()
    download = info.value
    assert re.fullmatch(rf"carecycle-calls-{SMALL}-\d{{4}}-\d{{2}}-\d{{2}}\.csv", download.suggested_filename)
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert tuple(rows[0]) == DEFAULT_COLUMNS  # the table's columns and headers, in its order
    assert len(rows) - 1 == expected_rows > 0

    wait_for_app(page)
    select_first_row(page)
    expect(page.get_by_role("heading", name="Call detail")).to_be_visible(timeout=30_000)
    wait_for_app(page)
    assert_no_exception(page)
    query = parse_qs(urlsplit(page.url).query)
    assert query["customer_id"] == [SMALL] and query["sort_by"] == ["duration"] and len(query["call_id"][0]) == 36
    messages = page.locator("[data-testid='stChatMessage']")
    assert messages.count() >= 2
    assert len(messages.first.inner_text().strip()) > 0


def edge_call_ids(simulator: RunningSimulator) -> list[str]:
    """Ids of the hostile demo customer's calls (the same seed serves the same calls everywhere)."""
    response = httpx.get(
        f"{simulator.base_url}/v2/customers/{DEMO_CUSTOMERS['edge']}/calls",
        params={"limit": 100},
        headers={"x-api-key": DEMO_API_KEY},
    )
    return [item["id"] for item in response.json()["items"] if isinstance(item.get("id"), str)]


def test_hostile_content_runs_no_script_and_links_nothing_unsafe(
    page: Page, demo_app: RunningApp, simulator: RunningSimulator
) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    edge = DEMO_CUSTOMERS["edge"]
    unsafe_links = "a[href^='javascript:' i], a[href^='data:' i], audio[src^='javascript:' i], iframe"
    ids = edge_call_ids(simulator)
    assert len(ids) >= 10
    # The first call by address, then on with "Next call" (a rerun in the same session, much cheaper than
    # opening each address anew): every call page is drawn from the hostile data either way.
    open_app(page, f"{demo_app.url}/call?customer_id={edge}&call_id={ids[0]}&range=all")
    seen = []
    for _ in range(12):
        assert_no_exception(page)
        expect(page.get_by_role("heading", name="Call detail")).to_be_visible()
        assert page.locator(unsafe_links).count() == 0
        assert page.locator("[data-testid='stMarkdownContainer'] script").count() == 0
        seen.append(page.url)
        following = page.get_by_role("button", name="Next call →")
        if following.is_disabled():
            break
        following.click()
        wait_for_app(page)
    assert len(set(seen)) >= 10
    # The Overview of the same calls, through the sidebar.
    follow_sidebar_link(page, "Overview")
    assert_no_exception(page)
    assert page.locator(unsafe_links).count() == 0
    # A disposition that is markup: its bar's tooltip (Vega's, HTML) shows it as typed.
    page.locator("svg.marks [aria-roledescription='bar'][aria-label*='<b>Qualified</b>']").first.hover()
    tooltip = page.locator("#vg-tooltip-element")
    expect(tooltip).to_contain_text("<b>Qualified</b>")
    assert tooltip.locator("b").count() == 0
    assert dialogs == []


def test_key_is_nowhere_in_page_or_address(page: Page, keyed_app: RunningApp) -> None:
    open_app(page, f"{keyed_app.url}/?customer_id={SMALL}")
    assert_no_exception(page)
    expect(page.get_by_text(re.compile("Live data from 127.0.0.1"))).to_be_visible()
    assert re.fullmatch(r"\d{1,3}(,\d{3})*", metric_value(page, "Total calls"))
    assert DEMO_API_KEY not in page.content()
    assert DEMO_API_KEY not in page.url
    follow_sidebar_link(page, "Calls")
    assert DEMO_API_KEY not in page.content()
    assert DEMO_API_KEY not in page.url
    assert DEMO_API_KEY not in keyed_app.log_text()
