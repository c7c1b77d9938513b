"""How soon does a large customer show figures? A real Chromium on the demo app (no key: the simulator runs
inside the app, as a newcomer runs it), memory only (CARECYCLE_STORE_URL=none) and a new app process per run,
so every run loads from the API.

The session first opens the standard demo customer (the app warmed up, a page on screen), then picks the
100,000-call demo customer in the sidebar, and prints, from that moment, seconds until:
- the previous customer's page is gone and "Waiting for the API's first page" shows (or the first figures do),
- the first partial figures ("Partial: X of Y calls loaded" and a headline figure),
- the complete page (its Needs attention heading), with how many partial redraws the browser saw.

    .venv/bin/python benchmarks/first_figures.py [--runs 3]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from carecycle_dash.simulator import DEMO_CUSTOMERS  # noqa: E402
from tests.support.browser import launch_chromium, new_page, open_app  # noqa: E402
from tests.support.servers import start_app  # noqa: E402

PARTIAL = re.compile(r"Partial: [\d,]+ of [\d,]+ calls loaded")
TIMEOUT_MS = 120_000


def one_run(page: Page, url: str) -> tuple[float, float, float, int]:
    """(seconds to the old page gone, to the first partial figures, to the complete page, partial captions seen)."""
    open_app(page, f"{url}/?customer_id={DEMO_CUSTOMERS['standard']}", timeout_ms=TIMEOUT_MS)
    page.get_by_role("heading", name="Needs attention").wait_for(timeout=TIMEOUT_MS)
    page.locator("[data-testid='stSelectbox']").filter(has_text="Demo customer").click()
    started = time.monotonic()
    page.get_by_role("option", name=re.compile("^large")).click()
    page.get_by_text(re.compile("Waiting for the API's first page|Partial: ")).first.wait_for(timeout=TIMEOUT_MS)
    page.get_by_role("heading", name="Needs attention").wait_for(state="hidden", timeout=TIMEOUT_MS)
    cleared = time.monotonic() - started
    page.get_by_text(PARTIAL).first.wait_for(timeout=TIMEOUT_MS)
    page.locator("[data-testid='stMetric']").first.wait_for(timeout=TIMEOUT_MS)
    first = time.monotonic() - started
    captions: set[str] = set()
    heading = page.get_by_role("heading", name="Needs attention")
    while not heading.count():
        captions.update(page.get_by_text(PARTIAL).all_inner_texts())
        page.wait_for_timeout(200)
        if time.monotonic() - started > TIMEOUT_MS / 1000:
            raise TimeoutError("the complete page did not come")
    return cleared, first, time.monotonic() - started, len(captions)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    results = []
    env = {"CARECYCLE_STORE_URL": "none"}
    with TemporaryDirectory() as logs, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        for run in range(args.runs):
            with start_app(Path(logs), env=env) as app:  # a new process: the customer is not held yet
                page = new_page(browser, viewport={"width": 1400, "height": 1000})
                cleared, first, complete, seen = one_run(page, app.url)
                page.context.close()
            results.append((cleared, first, complete))
            print(
                f"run {run + 1}: old page gone {cleared:.1f} s, first partial figures {first:.1f} s, "
                f"complete page {complete:.1f} s ({seen} partial captions seen)",
                flush=True,
            )
        browser.close()
    for name, index in (("old page gone", 0), ("first partial figures", 1), ("complete page", 2)):
        values = [result[index] for result in results]
        print(f"{name}: median {statistics.median(values):.1f} s (min {min(values):.1f}, max {max(values):.1f})")


if __name__ == "__main__":
    main()
