"""The app opens in a real Chromium with no configuration at all."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import open_app
from tests.support.servers import RunningApp

pytestmark = pytest.mark.browser


def test_demo_app_opens_with_title_and_no_exception(page: Page, demo_app: RunningApp) -> None:
    open_app(page, demo_app.url)
    expect(page).to_have_title("CareCycle Calls")
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
