"""Playwright on Debian's Chromium: launch it, and wait for a Streamlit script run to finish."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect

from tests.support.servers import in_ci

CHROMIUM_PATH = Path(os.environ.get("CARECYCLE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
APP_IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def new_page(browser: Browser, **options: Any) -> Page:
    """A page in a fresh context (own cookies, own Streamlit session) that asks for reduced motion: the app's
    and plotly's transitions are skipped, browser work no test looks at and the two workers share the CPU for."""
    return browser.new_context(reduced_motion="reduce", **options).new_page()


def launch_chromium(playwright: Playwright) -> Browser:
    """Debian's Chromium, headless. Missing: a failure in CI, a skip with the fix elsewhere."""
    if not CHROMIUM_PATH.exists():
        message = f"Chromium not found at {CHROMIUM_PATH}; install it with: apt-get install chromium"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return playwright.chromium.launch(executable_path=str(CHROMIUM_PATH), headless=True, args=CHROMIUM_ARGS)


def wait_for_app(page: Page, timeout_ms: float = 60_000) -> None:
    """Wait until Streamlit has rendered and its script has stopped running."""
    page.wait_for_selector("[data-testid='stApp']", timeout=timeout_ms)
    # A run may start just after the first idle state; wait for idle, settle, and check again.
    page.wait_for_selector(APP_IDLE, timeout=timeout_ms)
    page.wait_for_timeout(300)
    page.wait_for_selector(APP_IDLE, timeout=timeout_ms)


def open_app(page: Page, url: str, timeout_ms: float = 60_000) -> None:
    """Open `url` and wait for its first script run to end. A freshly loaded app says `initial` until its first
    run starts, so the first idle state is that run's end: no settle needed (unlike after a click, which
    leaves the state idle until the server's answer arrives)."""
    page.goto(url, wait_until="domcontentloaded", timeout=timeout_ms)
    page.wait_for_selector(APP_IDLE, timeout=timeout_ms)


def follow_sidebar_link(page: Page, title: str) -> None:
    """Go to the screen `title` through the sidebar's link, which carries the view along: a rerun in the same
    session, where opening the address anew would boot the whole frontend again (seconds of browser work)."""
    page.locator("[data-testid='stSidebar']").get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
    wait_for_app(page)


def assert_no_exception(page: Page) -> None:
    """The page shows no Streamlit exception box: what a viewer must never see."""
    expect(page.locator("[data-testid='stException']")).to_have_count(0)


def select_first_row(page: Page) -> None:
    """Click the selection marker of the first data row of the glide-data-grid canvas."""
    grid = page.locator("[data-testid='stDataFrame']").first
    expect(grid).to_be_visible()
    box = grid.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)
