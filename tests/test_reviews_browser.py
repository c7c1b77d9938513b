"""Reviews in a real Chromium, two people in two browser contexts on one app and one store: Ana flags a call,
Ben finds it on /review and marks it handled, and Ana's page then says it was handled."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from carecycle_dash.simulator import DEMO_CUSTOMERS, generate_calls
from tests.support.browser import assert_no_exception, new_page, open_app, select_first_row, wait_for_app
from tests.support.servers import RunningApp, start_app

pytestmark = pytest.mark.browser
STANDARD = DEMO_CUSTOMERS["standard"]
SEED = 20261128
NOTE = "Caller wanted a nurse; please call back"


@pytest.fixture(scope="module")
def review_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """The demo app with a review store in a temporary folder (never the default path)."""
    folder = tmp_path_factory.mktemp("review-app")
    with start_app(folder, env={"CARECYCLE_STORE_URL": f"sqlite://{folder / 'store' / 'store.db'}"}) as app:
        yield app


@pytest.fixture
def second_page(browser: Browser) -> Iterator[Page]:
    page = new_page(browser, viewport={"width": 1400, "height": 1000})
    page.context.set_default_timeout(30_000)
    yield page
    page.context.close()


def sign_as(page: Page, name: str) -> None:
    field = page.get_by_role("textbox", name="Your name for reviews")
    field.fill(name)
    field.press("Enter")
    wait_for_app(page)


def choose(page: Page, label: str, option: str) -> None:
    page.locator("[data-testid='stSelectbox']").filter(has_text=label).click()
    page.get_by_role("option", name=option, exact=True).click()


def test_one_flags_the_other_marks_it_handled_and_the_first_sees_it(
    page: Page, second_page: Page, review_app: RunningApp
) -> None:
    call_id = generate_calls(STANDARD, 2487, SEED)[0]["id"]
    call_url = f"{review_app.url}/call?customer_id={STANDARD}&call_id={call_id}"
    open_app(page, call_url)
    assert_no_exception(page)
    sign_as(page, "Ana")
    choose(page, "Reason", "Should have transferred")
    page.get_by_role("textbox", name="Note").fill(NOTE)
    assign = page.locator("[data-testid='stSelectbox']").filter(has_text="Assign to")
    assign.click()
    page.keyboard.type("Ben")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Save review").click()
    wait_for_app(page)
    expect(page.get_by_text("Flagged by Ana on ")).to_be_visible()
    expect(page.get_by_text("Assigned to Ben", exact=True)).to_be_visible()

    ben = second_page
    open_app(ben, f"{review_app.url}/review?customer_id={STANDARD}")
    assert_no_exception(ben)
    sign_as(ben, "Ben")
    expect(ben.get_by_text("1 open · 0 handled in the last 7 days")).to_be_visible()
    select_first_row(ben)
    expect(ben.get_by_role("heading", name="Call detail")).to_be_visible()
    wait_for_app(ben)
    expect(ben.get_by_role("textbox", name="Note")).to_have_value(NOTE)
    ben.get_by_role("button", name="Mark handled").click()
    wait_for_app(ben)
    expect(ben.get_by_text("Handled by Ben on ")).to_be_visible()

    page.reload(wait_until="domcontentloaded")
    wait_for_app(page)
    assert_no_exception(page)
    expect(page.get_by_text("Handled by Ben on ")).to_be_visible()
    expect(page.get_by_role("button", name="Reopen")).to_be_visible()
    stored = b"".join(path.read_bytes() for path in (review_app.log_path.parent / "store").iterdir())
    assert b"nurse" not in stored and b"Ben" in stored, "names readable, the note sealed"
