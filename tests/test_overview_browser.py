"""The Overview in a real Chromium: a link with dates and filters shows the same view, a Needs attention
line opens the Calls page narrowed to the calls behind it, and so does a conversation signal, whose calls a
call opened from that table steps through."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from playwright.sync_api import Page, expect

from carecycle_dash.simulator import DEMO_CUSTOMERS
from tests.support.browser import assert_no_exception, follow_sidebar_link, open_app, select_first_row, wait_for_app
from tests.support.servers import RunningApp

pytestmark = pytest.mark.browser
STANDARD = DEMO_CUSTOMERS["standard"]


def metric(page: Page, label: str) -> tuple[str, str]:
    """(value, delta) of the figure with this label."""
    box = page.locator("[data-testid='stMetric']").filter(has_text=label).first
    delta = box.locator("[data-testid='stMetricDelta']")
    return box.locator("[data-testid='stMetricValue']").inner_text(), (delta.inner_text() if delta.count() else "")


def test_link_with_dates_and_filters_shows_the_same_view(page: Page, demo_app: RunningApp) -> None:
    query = {
        "customer_id": STANDARD,
        "start": "2026-11-21",
        "end": "2026-11-27",
        "direction": "outbound",
        "disposition": ["Pipeline Error", "Voicemail"],
    }
    open_app(page, f"{demo_app.url}/?{urlencode(query, doseq=True)}")
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    assert_no_exception(page)
    expect(page.locator("[data-testid='stAlertContentWarning']")).to_have_count(0)
    sidebar = page.locator("[data-testid='stSidebar']")
    expect(sidebar.get_by_text("Pipeline Error", exact=True)).to_be_visible()
    expect(sidebar.get_by_text("Voicemail", exact=True)).to_be_visible()
    value, delta = metric(page, "Total calls")
    assert int(value) > 17 and delta  # every outbound Pipeline Error and Voicemail of the week, with its change
    expect(page.get_by_text("with the 7 days before (14–20 Nov 2026)")).to_be_visible()
    address = parse_qs(urlsplit(page.url).query)
    assert {name: address[name] for name in ("start", "end", "direction")} == {
        "start": ["2026-11-21"],
        "end": ["2026-11-27"],
        "direction": ["outbound"],
    }
    assert sorted(address["disposition"]) == ["Pipeline Error", "Voicemail"]


def test_quick_range_goes_into_the_address_and_the_sidebar_links_and_needs_attention_opens_its_calls(
    page: Page, demo_app: RunningApp
) -> None:
    # A link without dates opens on the last 7 days with calls, compared with the 7 before, and keeps no dates.
    open_app(page, f"{demo_app.url}/?customer_id={STANDARD}")
    expect(page.get_by_role("heading", name="Needs attention")).to_be_visible()
    expect(page.get_by_text("with the 7 days before (14–20 Nov 2026)")).to_be_visible(timeout=60_000)
    assert not {"start", "range"} & parse_qs(urlsplit(page.url).query).keys()
    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.get_by_text("All", exact=True).click()
    wait_for_app(page)
    assert parse_qs(urlsplit(page.url).query)["range"] == ["all"]
    sidebar.get_by_role("link", name="Calls").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Calls", exact=True)).to_be_visible()
    assert parse_qs(urlsplit(page.url).query)["range"] == ["all"]
    sidebar.get_by_text("Last 7 days", exact=True).click()  # chosen now: the address holds its days
    wait_for_app(page)
    expect(page.get_by_text(f"{metric_total()} of 2,487 calls")).to_be_visible()
    address = parse_qs(urlsplit(page.url).query)
    assert address["start"] == ["2026-11-21"] and address["end"] == ["2026-11-27"] and "range" not in address

    # Back on the Overview of that week, a Needs attention line opens the Calls page narrowed to its calls.
    follow_sidebar_link(page, "Overview")
    page.get_by_role("link", name="Pipeline Error: 13% of calls (17)").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Calls", exact=True)).to_be_visible()
    expect(page.get_by_text("17 of 2,487 calls")).to_be_visible()
    address = parse_qs(urlsplit(page.url).query)
    assert address["disposition"] == ["Pipeline Error"]
    assert address["start"] == ["2026-11-21"] and address["end"] == ["2026-11-27"]


def metric_total() -> str:
    """Calls of 21–27 Nov 2026 without test calls, as the Overview's AppTest finds them."""
    return "127"


def test_a_conversation_signal_opens_its_calls_and_the_address_keeps_the_choice(
    page: Page, demo_app: RunningApp
) -> None:
    open_app(page, f"{demo_app.url}/?customer_id={STANDARD}&start=2026-11-21&end=2026-11-27")
    expect(page.get_by_role("heading", name="Conversations")).to_be_visible(timeout=60_000)
    figure = page.locator("[data-testid='stColumn']").filter(
        has=page.locator("[data-testid='stMetric']", has_text="Asked for a human")
    )
    figure.get_by_role("link", name="See these calls").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Calls", exact=True)).to_be_visible()
    assert_no_exception(page)
    signals = page.locator("[aria-label='Conversation signals']")
    expect(signals.locator("button[data-selected='true']")).to_have_text(["Asked for a human"])
    address = parse_qs(urlsplit(page.url).query)
    assert address["signal"] == ["asked_for_human"] and address["start"] == ["2026-11-21"]

    early = signals.locator("button", has_text="Early hang-up")
    early.click()
    wait_for_app(page)
    expect(signals.locator("button[data-selected='true']")).to_have_count(2)
    expect(page).to_have_url(re.compile("signal=early_hang_up"))
    assert sorted(parse_qs(urlsplit(page.url).query)["signal"]) == ["asked_for_human", "early_hang_up"]
    early.click()
    wait_for_app(page)
    expect(page).not_to_have_url(re.compile("signal=early_hang_up"))

    # A call opened from the narrowed table steps through that table.
    select_first_row(page)
    wait_for_app(page)
    expect(page.get_by_text(re.compile(r"Call 1 of [\d,]+ in the table's order \(asked for a human\)"))).to_be_visible()
    assert parse_qs(urlsplit(page.url).query)["signal"] == ["asked_for_human"]
