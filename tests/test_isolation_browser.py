"""A shared instance: people with different keys never see each other's data or keys, and logs hold neither."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect

from carecycle_dash.api.contract import PARAM_LIMIT
from carecycle_dash.simulator import DEMO_API_KEY, DEMO_CUSTOMERS, RunningSimulator, SimulatorConfig, start_simulator
from tests.support.browser import follow_sidebar_link, new_page, open_app, wait_for_app
from tests.support.servers import RunningApp, start_app
from tests.support.simulator import get_calls

pytestmark = pytest.mark.browser

ALICE_KEY = "cc_alice_7f3a9c1e5b"
BOB_KEY = "cc_bob_2d8e6f4a0c"
SMALL = DEMO_CUSTOMERS["small"]
BOBS_CUSTOMER = "5b0b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
"""Bob's own customer: a few hundred calls, a figure unlike Alice's, without drawing the 2,487-call Overview."""
EDGE = DEMO_CUSTOMERS["edge"]


@dataclass
class SharedInstance:
    api: RunningSimulator
    app: RunningApp


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SharedInstance]:
    """One app with no key configured, pointed at a stand-in API that knows Alice's and Bob's keys."""
    config = SimulatorConfig(
        extra_customers={BOBS_CUSTOMER: 300},
        extra_keys={ALICE_KEY: frozenset({SMALL}), BOB_KEY: frozenset({BOBS_CUSTOMER})},
    )
    with (
        start_simulator(config) as api,
        start_app(tmp_path_factory.mktemp("shared"), env={"CARECYCLE_BASE_URL": api.base_url}) as app,
    ):
        yield SharedInstance(api, app)


def enter_key(page: Page, key: str) -> None:
    """Type `key` into the sidebar's form once the page is drawn, as a person would, and wait for the run that
    takes it: it offers to forget the key. On a busy machine that run can start after `wait_for_app`'s settle,
    so this waits for its result instead."""
    expect(page.locator("[data-testid='stVegaLiteChart'] svg.marks").first).to_be_visible(timeout=30_000)
    page.get_by_text("Use your own API key").click()
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Use this key").click()
    expect(page.get_by_role("button", name="Forget the key")).to_be_visible(timeout=30_000)
    wait_for_app(page)


def total_calls(page: Page) -> str:
    metric = page.locator("[data-testid='stMetric']").filter(has_text="Total calls")
    return metric.locator("[data-testid='stMetricValue']").inner_text()


def test_two_people_with_different_keys_never_share_data_or_keys(browser: Browser, shared: SharedInstance) -> None:
    alice = new_page(browser)
    bob = new_page(browser)
    try:
        open_app(alice, f"{shared.app.url}/?customer_id={SMALL}")
        enter_key(alice, ALICE_KEY)
        expect(alice.get_by_text(re.compile("Live data from .*key entered here"))).to_be_visible()
        assert re.fullmatch(r"\d+", total_calls(alice))
        assert ALICE_KEY not in alice.content()

        # Bob opens the very link Alice is looking at. Before entering a key he is in demo mode...
        open_app(bob, f"{shared.app.url}/?customer_id={SMALL}")
        expect(bob.get_by_text("Demo mode.")).to_be_visible()
        # ...and with his own key, which may not read this customer, he is refused: Alice's cached
        # calls for the same host, customer, sort and order are not served to him.
        enter_key(bob, BOB_KEY)
        expect(bob.get_by_text(re.compile("Live data from .*key entered here"))).to_be_visible()
        expect(bob.locator("[data-testid='stAlertContentError']")).to_have_count(1)
        expect(bob.locator("[data-testid='stMetric']")).to_have_count(0)
        assert ALICE_KEY not in bob.content() and BOB_KEY not in bob.content()

        # Bob's own customer works for him, with the key he typed; Alice still sees hers.
        customer = bob.get_by_label("Customer ID")
        customer.fill(BOBS_CUSTOMER)
        customer.press("Enter")
        wait_for_app(bob)
        assert re.fullmatch(r"\d{1,3}(,\d{3})*", total_calls(bob))
        assert total_calls(bob) != total_calls(alice)
        assert ALICE_KEY not in alice.url and BOB_KEY not in bob.url

        # The typed key lives in the server's memory for that browser session only: a new session
        # (a reload) starts without it.
        bob.reload()
        wait_for_app(bob)
        expect(bob.get_by_text("Demo mode.")).to_be_visible()
    finally:
        alice.context.close()
        bob.context.close()
    log = shared.app.log_text()
    assert ALICE_KEY not in log and BOB_KEY not in log


def test_logs_hold_no_key_and_no_call_content(page: Page, keyed_app: RunningApp, simulator: RunningSimulator) -> None:
    """A session with a configured key, hostile call content, every page and a CSV download."""
    items = get_calls(simulator, EDGE, params={PARAM_LIMIT: 100}).json()["items"]
    start = keyed_app.log_size()
    open_app(page, f"{keyed_app.url}/?customer_id={EDGE}")
    follow_sidebar_link(page, "Calls")
    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile("Download .* calls as CSV")).click()
    download.value.path()
    first = next(item["id"] for item in items if isinstance(item.get("id"), str))
    open_app(page, f"{keyed_app.url}/call?customer_id={EDGE}&call_id={first}")
    for _ in range(7):  # on through the calls in the same session: each page drawn from hostile data
        page.get_by_role("button", name="Next call →").click()
        wait_for_app(page)
    customer = page.get_by_label("Customer ID")  # a malformed id, typed
    customer.fill("not-a-valid-id")
    customer.press("Enter")
    wait_for_app(page)
    expect(page.locator("[data-testid='stAlertContentError']")).to_have_count(1)
    assert "csv download" in keyed_app.log_since(start)  # this session's audit line, so logging was on
    log = keyed_app.log_text()  # the whole log of the shared app: no test's session left a key or content
    assert DEMO_API_KEY not in log
    snippets = {
        line.strip()
        for item in items
        for field in ("transcript", "summary", "callerId")
        if isinstance(item.get(field), str)
        for line in item[field].splitlines()
        if len(line.strip()) >= 12
    }
    assert len(snippets) > 20
    leaked = [snippet for snippet in snippets if snippet in log]
    assert leaked == []
