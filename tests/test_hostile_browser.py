"""Loads against a hostile API, in a served app: a stuck customer ends in one line and blocks nobody else."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.factories import make_call
from tests.support.browser import assert_no_exception, new_page, open_app
from tests.support.hostile import HostileApi, serve_hostile_api
from tests.support.servers import RunningApp, start_app

pytestmark = [pytest.mark.browser, pytest.mark.server]

STUCK = "6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5"
HEALTHY = "0a1b2c3d-4e5f-4a6b-9c7d-8e9fa0b1c2d3"


@pytest.fixture(scope="module")
def app_on_hostile_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """The app with short time limits, against an API that drips one customer's answer and serves another's.

    The load limit must outlast the healthy session's first page: with another browser test running beside
    it that page was done 3-4 s after the stuck load began, so 11 s leaves room to spare.
    """
    hostile = HostileApi(
        default="drip", per_customer={HEALTHY: "ok"}, calls=[make_call() for _ in range(30)], drip_interval_s=0.5
    )
    with serve_hostile_api(hostile) as api:
        app = start_app(
            tmp_path_factory.mktemp("hostile"),
            env={
                "CARECYCLE_API_KEY": "cc_hostile_network_test",
                "CARECYCLE_BASE_URL": api.base_url,
                "CARECYCLE_REQUEST_TIMEOUT_S": "3",
                "CARECYCLE_LOAD_TIMEOUT_S": "11",
            },
        )
        yield app
        app.stop()


def test_a_stuck_customer_ends_in_one_line_while_another_session_gets_its_data(
    browser: Browser, app_on_hostile_api: RunningApp, tmp_path: Path
) -> None:
    stuck = new_page(browser)
    healthy = new_page(browser)
    try:
        stuck.goto(f"{app_on_hostile_api.url}/?customer_id={STUCK}", wait_until="domcontentloaded")
        expect(stuck.get_by_text("Waiting for the API's first page")).to_be_visible(timeout=30_000)

        open_app(healthy, f"{app_on_hostile_api.url}/?customer_id={HEALTHY}")
        metric = healthy.locator("[data-testid='stMetric']").filter(has_text="Total calls")
        expect(metric.locator("[data-testid='stMetricValue']")).to_have_text("30")
        # still waiting: it did not hold the other back
        expect(stuck.get_by_text("Waiting for the API's first page")).to_be_visible()

        alert = stuck.locator("[data-testid='stAlert']").filter(has_text=re.compile("page 1"))
        expect(alert).to_be_visible(timeout=60_000)
        text = alert.inner_text().strip()
        assert "\n" not in text, text
        assert re.search(r"the load passed its \d+-second limit while waiting for page 1 ", text), text
        assert_no_exception(stuck)
        assert "cc_hostile_network_test" not in app_on_hostile_api.log_text()
    finally:
        stuck.context.close()
        healthy.context.close()
