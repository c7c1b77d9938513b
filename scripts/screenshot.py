"""Refresh docs/screenshot.png from the real app on the demo simulator, in headless Chromium."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.browser import CHROMIUM_ARGS, CHROMIUM_PATH, open_app  # noqa: E402
from tests.support.servers import start_app  # noqa: E402

LAST_WEEK = ("2026-11-21", "2026-11-27")


def main() -> int:
    target = ROOT / "docs" / "screenshot.png"
    with tempfile.TemporaryDirectory() as logs:
        app = start_app(Path(logs))
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM_PATH), headless=True, args=CHROMIUM_ARGS
                )
                page = browser.new_page(viewport={"width": 1440, "height": 1100})
                # The demo's last week (its data ends on 27 Nov 2026): Needs attention finds the demo's story
                # and every headline figure shows its change against the week before.
                open_app(page, f"{app.url}/?start={LAST_WEEK[0]}&end={LAST_WEEK[1]}")
                page.wait_for_selector(
                    "[data-testid='stTabs'] [data-testid='stVegaLiteChart'] svg.marks", timeout=60_000
                )
                page.wait_for_timeout(1500)
                page.screenshot(path=str(target), full_page=False)
                browser.close()
        finally:
            app.stop()
    print(f"wrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
