"""The Callers page in a real Chromium: a caller link shows that caller's calls (and leaves only a token in
the address), and the do-not-call section lists the demo's breach, whose call opens its detail."""

from __future__ import annotations

from urllib.parse import parse_qs, quote, urlsplit

import pytest
from playwright.sync_api import Page, expect

from carecycle_dash.data.callers import caller_table, do_not_call_breaches
from carecycle_dash.data.frame import build_frame
from carecycle_dash.simulator import DEMO_CUSTOMERS, generate_calls
from tests.support.browser import assert_no_exception, follow_sidebar_link, open_app, wait_for_app
from tests.support.servers import RunningApp

pytestmark = pytest.mark.browser
STANDARD = DEMO_CUSTOMERS["standard"]
SEED = 20261128


@pytest.fixture(scope="module")
def people() -> dict:
    df = build_frame(generate_calls(STANDARD, 2487, SEED)).df
    df = df[~df["isTest"].to_numpy(dtype=bool)]
    table = caller_table(df)
    breach = do_not_call_breaches(df).iloc[0]
    return {"busiest": table.index[0], "calls": int(table["calls"].iloc[0]), "breach_call": breach["id"]}


def test_a_caller_link_shows_that_callers_calls_and_the_do_not_call_section_lists_the_breach(
    page: Page, demo_app: RunningApp, people: dict
) -> None:
    number = people["busiest"]
    open_app(page, f"{demo_app.url}/callers?customer_id={STANDARD}&caller={quote(number)}")
    assert_no_exception(page)
    expect(page.get_by_text(f"{people['calls']} calls · first ")).to_be_visible()
    call_links = page.locator("a[href*='call_id=']")
    expect(call_links).to_have_count(people["calls"])
    assert parse_qs(urlsplit(page.url).query)["caller"][0].startswith("c_")
    assert "555" not in urlsplit(page.url).query
    call_links.first.click()
    wait_for_app(page)
    assert_no_exception(page)
    expect(page.get_by_role("heading", name="Call detail")).to_be_visible()
    expect(page.get_by_text(f"Call 1 of {people['calls']} with this number")).to_be_visible()

    # The sidebar's Callers link leaves the caller behind: the whole page, with its do-not-call section.
    follow_sidebar_link(page, "Callers")
    assert_no_exception(page)
    assert "caller" not in parse_qs(urlsplit(page.url).query)
    expect(page.get_by_role("heading", name="Called after Do Not Call")).to_be_visible()
    expect(page.get_by_text("1 number called after a Do Not Call request")).to_be_visible()
    breach_link = page.locator(f"a[href*='call_id={people['breach_call']}']")
    expect(breach_link).to_have_count(1)
    breach_link.click()
    wait_for_app(page)
    assert_no_exception(page)
    expect(page.get_by_role("heading", name="Call detail")).to_be_visible()
    assert parse_qs(urlsplit(page.url).query)["call_id"] == [people["breach_call"]]
