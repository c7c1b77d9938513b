"""A team on two replicas for real: two `streamlit run` replicas sharing one call store in a throwaway PostgreSQL
cluster, reading a counting simulator on loopback, driven by Chromium. A customer loaded by one opens on the
other with the re-check window's requests only; two opening a new customer at once crawl it once; the database
stopped and started under an open session costs one sidebar line, then recovers; a dump holds nothing
sensitive."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from carecycle_dash.api.contract import MAX_LIMIT, PARAM_LIMIT
from carecycle_dash.api.paging import pages_for
from carecycle_dash.simulator import DEMO_API_KEY, RunningSimulator, SimulatorConfig, start_simulator
from carecycle_dash.simulator.clock import fixed_clock
from carecycle_dash.store.settings import ENV_RETRY_S
from tests.support.browser import assert_no_exception, new_page, open_app, wait_for_app
from tests.support.postgres import PostgresCluster, postgres_cluster_fixture
from tests.support.replicas import Replicas, kept_calls, start_replicas, wait_until_kept
from tests.support.simulator import PINNED_NOW, get_calls

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = [pytest.mark.server, pytest.mark.browser]

CALLS = 2487
FULL_LOAD = pages_for(CALLS, MAX_LIMIT)
REOPEN = 1
"""Requests a replica makes to open a customer another replica kept: the newest page (the re-check window and
the key's check), as after a restart."""
RETRY_S = 2
"""How long the replicas' store rests after a failure before trying again (30 s by default)."""
CRAWL_LATENCY_MS = 1500
"""The simulator's delay per request while two replicas open a new customer: a crawl takes seconds, so both
sessions are loading at once."""
CUSTOMERS = {
    name: f"a2400000-0000-4000-8000-{number:012d}"
    for number, name in enumerate(("shared", "raced", "kept", "during", "after", "dumped"), 1)
}
STORE_LINE = re.compile(r"Calls are not being kept: the call store failed \([^)\n]+\)\.")
FROM_STORE = re.compile(r"From the store, checked with the API at \d\d:\d\d UTC\.")


@pytest.fixture(scope="module")
def cluster() -> Iterator[PostgresCluster]:
    """A cluster of this module's own: one test stops and starts it."""
    yield from postgres_cluster_fixture()


@pytest.fixture(scope="module")
def api() -> Iterator[RunningSimulator]:
    config = SimulatorConfig(now=fixed_clock(PINNED_NOW), extra_customers=dict.fromkeys(CUSTOMERS.values(), CALLS))
    with start_simulator(config) as running:
        for customer in CUSTOMERS.values():
            running.warm(customer)
        yield running


@pytest.fixture(scope="module")
def replicas(
    cluster: PostgresCluster, api: RunningSimulator, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Replicas]:
    started = start_replicas(
        tmp_path_factory.mktemp("replicas"), cluster.new_database(), api, **{ENV_RETRY_S: str(RETRY_S)}
    )
    yield started
    started.stop()


def sidebar_text(page: Page) -> str:
    return page.locator("[data-testid='stSidebar']").inner_text()


def loaded_line(page: Page) -> str:
    """The sidebar's 'Loaded N calls' line: which customer's calls the page shows, and how many."""
    found = re.search(r"Loaded [\d,]+ calls", sidebar_text(page))
    assert found is not None, sidebar_text(page)
    return found[0]


def open_customer(browser: Browser, replicas: Replicas, replica: int, customer: str) -> Page:
    page = new_page(browser, viewport={"width": 1400, "height": 1000})
    page.context.set_default_timeout(90_000)
    open_app(page, replicas.url(replica, customer), timeout_ms=90_000)
    assert_no_exception(page)
    return page


def switch_customer(page: Page, customer: str) -> None:
    """Type another customer into the sidebar: a rerun of the same session."""
    box = page.locator("[data-testid='stSidebar']").get_by_label("Customer ID")
    box.fill(customer)
    box.press("Enter")
    page.wait_for_timeout(500)
    wait_for_app(page, 90_000)
    assert_no_exception(page)


def test_a_customer_loaded_through_replica_1_opens_through_replica_2_with_only_the_newest_page(
    browser: Browser, replicas: Replicas
) -> None:
    customer = CUSTOMERS["shared"]
    before = replicas.page_requests()
    first = open_customer(browser, replicas, 1, customer)
    assert loaded_line(first) == f"Loaded {CALLS:,} calls"
    assert replicas.page_requests() - before == FULL_LOAD
    wait_until_kept(replicas.store_url, customer, CALLS)
    first.context.close()

    before = replicas.page_requests()
    second = open_customer(browser, replicas, 2, customer)
    assert loaded_line(second) == f"Loaded {CALLS:,} calls"
    assert replicas.page_requests() - before == REOPEN
    assert FROM_STORE.search(sidebar_text(second)) is not None
    second.context.close()


def test_two_replicas_opening_a_new_customer_at_once_crawl_it_once(browser: Browser, replicas: Replicas) -> None:
    customer = CUSTOMERS["raced"]
    before = replicas.page_requests()
    replicas.simulator.set_faults(latency_ms=CRAWL_LATENCY_MS)
    try:
        pages = [new_page(browser, viewport={"width": 1400, "height": 1000}) for _ in (1, 2)]
        for number, page in enumerate(pages, 1):
            page.goto(replicas.url(number, customer), wait_until="commit")
        for page in pages:  # both sessions are loading before either crawl is kept
            page.locator("[data-testid='stProgress']").wait_for(timeout=60_000)
        assert kept_calls(replicas.store_url, customer) == 0
        for page in pages:
            page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=120_000)
            wait_for_app(page, 120_000)
            assert_no_exception(page)
    finally:
        replicas.simulator.set_faults(latency_ms=0)
    assert [loaded_line(page) for page in pages] == [f"Loaded {CALLS:,} calls"] * 2
    assert replicas.page_requests() - before == FULL_LOAD + REOPEN
    from_store = [FROM_STORE.search(sidebar_text(page)) is not None for page in pages]
    assert sorted(from_store) == [False, True]  # one crawled, the other waited and read what it kept
    for page in pages:
        page.context.close()


def test_the_database_stopped_under_an_open_session_is_one_sidebar_line_then_recovers_by_itself(
    browser: Browser, replicas: Replicas, cluster: PostgresCluster
) -> None:
    page = open_customer(browser, replicas, 1, CUSTOMERS["kept"])
    wait_until_kept(replicas.store_url, CUSTOMERS["kept"], CALLS)
    assert STORE_LINE.search(sidebar_text(page)) is None
    cluster.stop()
    try:
        switch_customer(page, CUSTOMERS["during"])  # loads from the API while the store is down
        assert loaded_line(page) == f"Loaded {CALLS:,} calls"
        assert len(STORE_LINE.findall(sidebar_text(page))) == 1
    finally:
        cluster.start()
    page.wait_for_timeout(RETRY_S * 1000 + 500)
    switch_customer(page, CUSTOMERS["after"])
    wait_until_kept(replicas.store_url, CUSTOMERS["after"], CALLS)
    switch_customer(page, CUSTOMERS["kept"])  # a rerun once the store has worked again
    assert loaded_line(page) == f"Loaded {CALLS:,} calls"
    assert STORE_LINE.search(sidebar_text(page)) is None
    assert kept_calls(replicas.store_url, CUSTOMERS["during"]) == 0  # what loaded while it was down was not kept
    page.context.close()


def test_a_dump_of_the_database_after_a_session_holds_no_transcript_number_recording_url_or_key(
    browser: Browser, replicas: Replicas, cluster: PostgresCluster, api: RunningSimulator
) -> None:
    customer = CUSTOMERS["dumped"]
    open_customer(browser, replicas, 2, customer).context.close()
    wait_until_kept(replicas.store_url, customer, CALLS)
    dump = cluster.dump(replicas.store_url)
    calls = get_calls(api, customer, params={PARAM_LIMIT: MAX_LIMIT}).json()["items"]
    transcripts = [call["transcript"][10:60] for call in calls if call["transcript"]]
    numbers = [call["callerId"] for call in calls if call["callerId"]]
    recordings = [call["recordingUrl"] for call in calls if call["recordingUrl"]]
    assert min(len(transcripts), len(numbers), len(recordings)) > 50  # the first page has plenty of each
    assert "call_entries" in dump and customer in dump  # the entry is there, under its customer
    sensitive = [*transcripts, *numbers, *recordings, DEMO_API_KEY]
    assert [value for value in sensitive if value in dump] == []
