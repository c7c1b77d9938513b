"""Every screen in a real Chromium, checked by axe-core for WCAG 2.2 AA: no serious or critical violation.

axe-core is vendored (tests/support/axe.min.js, its MPL-2.0 header kept) so the check needs no network at test
time; update it with `npm pack axe-core@VERSION` and copy package/axe.min.js over it. Streamlit's own headline
sparklines, which the app cannot label, are excluded by their selector. Add a screen by adding its path. The
app keeps a store in a temporary folder, so the Review page and a call's Review section are drawn whole."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import pytest
from playwright.sync_api import Page, expect

from carecycle_dash.simulator import DEMO_CUSTOMERS
from tests.support.browser import assert_no_exception, open_app, select_first_row, wait_for_app
from tests.support.servers import RunningApp, start_app

pytestmark = pytest.mark.browser
AXE_SCRIPT: Final = Path(__file__).parent / "support" / "axe.min.js"
STANDARD: Final = DEMO_CUSTOMERS["standard"]
SCREENS: Final = {"Overview": "/", "Calls": "/calls", "Callers": "/callers", "Review": "/review"}
"""Screen title and path; each is checked with the demo's standard customer."""
WCAG_AA: Final = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
STREAMLIT_SPARKLINES: Final = "[data-testid='stMetric'] [data-testid='stMetricChart']"
BLOCKING: Final = ("serious", "critical")


@pytest.fixture(scope="module")
def stored_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """The demo app with a store in a temporary folder (never the default path)."""
    folder = tmp_path_factory.mktemp("accessible-app")
    with start_app(folder, env={"CARECYCLE_STORE_URL": f"sqlite://{folder / 'store' / 'store.db'}"}) as app:
        yield app


def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical WCAG 2.2 AA violations on the page as it stands, one line per element."""
    page.add_script_tag(path=str(AXE_SCRIPT))
    found: list[dict[str, Any]] = page.evaluate(
        "async ([exclude, tags]) => (await axe.run({exclude: [[exclude]]}, {runOnly: tags})).violations",
        [STREAMLIT_SPARKLINES, WCAG_AA],
    )
    return [
        f"{violation['id']} ({violation['impact']}): {node['target']} {node['failureSummary']}"
        for violation in found
        if violation["impact"] in BLOCKING
        for node in violation["nodes"]
    ]


@pytest.mark.parametrize(("title", "path"), SCREENS.items())
def test_screen_has_no_serious_wcag_violation(page: Page, stored_app: RunningApp, title: str, path: str) -> None:
    open_app(page, f"{stored_app.url}{path}?customer_id={STANDARD}")
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
    assert_no_exception(page)
    assert serious_violations(page) == []


def test_a_calls_page_has_no_serious_wcag_violation(page: Page, stored_app: RunningApp) -> None:
    open_app(page, f"{stored_app.url}/calls?customer_id={STANDARD}&sort_by=duration&order=desc")
    wait_for_app(page)
    select_first_row(page)
    expect(page.get_by_role("heading", name="Call detail", exact=True)).to_be_visible(timeout=30_000)
    wait_for_app(page)
    assert_no_exception(page)
    assert serious_violations(page) == []


FOCUSED: Final = """() => {
  const e = document.activeElement;
  const box = e.closest('[data-testid]');
  return `${box ? box.dataset.testid : ''}|${e.getAttribute('aria-label') || e.innerText || ''}`;
}"""
"""The focused element as "its nearest test id|its accessible name or text"."""


def test_the_calls_pages_controls_are_reachable_by_keyboard_and_tab_leaves_every_one(
    page: Page, demo_app: RunningApp
) -> None:
    open_app(page, f"{demo_app.url}/calls?customer_id={STANDARD}")
    expect(page.get_by_role("heading", name="Calls", exact=True)).to_be_visible()
    reached = []
    for _ in range(80):
        page.keyboard.press("Tab")
        reached.append(page.evaluate(FOCUSED))
    controls = [
        "stButtonGroup|Asked for a human",
        "stMultiSelectTagsContainer|Columns",
        "stBaseButton-secondary|download\n\nDownload ",  # "... N calls as CSV"; N follows the demo data
        "data-grid-canvas|",
    ]
    positions = [next(i for i, focused in enumerate(reached) if focused.startswith(c)) for c in controls]
    assert positions == sorted(positions), reached  # in reading order
    assert reached.count("stSkipToContent|Skip to main content") == 2, reached  # round the page: no trap
