"""Talking to the simulator from tests with plain httpx (the dashboard's own client is tested elsewhere)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from carecycle_dash.api.contract import API_KEY_HEADER, CALLS_PATH, PARAM_LIMIT, PARAM_ORDER, PARAM_PAGE, PARAM_SORT_BY
from carecycle_dash.simulator import DEMO_API_KEY, DEMO_CUSTOMER_SIZES, RunningSimulator, SimulatorConfig
from carecycle_dash.simulator.calls import AGENCY_ZONE, WINDOW_END
from carecycle_dash.simulator.clock import fixed_clock

PINNED_NOW = datetime(WINDOW_END.year, WINDOW_END.month, WINDOW_END.day, 23, 59, 59, 999_000, tzinfo=AGENCY_ZONE)
"""The simulator's clock in every test: the end of 27 Nov 2026 in US Eastern, when every call of the default
window has happened (tests/conftest.py pins the demo's clock to it through CARECYCLE_DEMO_NOW)."""

GROWING = "9e4d7c2b-6a1f-4b3e-8d5c-2f7a0b9c1d36"
"""A customer of the session's simulator (and so of `keyed_app`) that only tests adding calls to it read: the
demo customers stay as generated for every other test of the session, whatever ran before."""
SESSION_SIMULATOR = SimulatorConfig(
    now=fixed_clock(PINNED_NOW), extra_customers={GROWING: DEMO_CUSTOMER_SIZES["standard"]}
)

_shared_client: httpx.Client | None = None


def shared_client() -> httpx.Client:
    """One client for the whole run: building an httpx.Client (its TLS context) costs more than a request."""
    global _shared_client
    if _shared_client is None:
        _shared_client = httpx.Client()
    return _shared_client


def calls_url(simulator: RunningSimulator, customer_id: str) -> str:
    return simulator.base_url + CALLS_PATH.format(customer_id=customer_id)


def get_calls(
    simulator: RunningSimulator,
    customer_id: str,
    *,
    key: str | None = DEMO_API_KEY,
    params: Any = None,
    timeout: float = 10.0,
    client: httpx.Client | None = None,
) -> httpx.Response:
    """One request to the calls endpoint; `key=None` sends no key header."""
    headers = {API_KEY_HEADER: key} if key is not None else {}
    client = client or shared_client()
    return client.get(calls_url(simulator, customer_id), params=params, headers=headers, timeout=timeout)


def all_pages(
    simulator: RunningSimulator, customer_id: str, *, limit: int, sort_by: str, order: str, client: httpx.Client
) -> list[dict[str, Any]]:
    """Every page in turn, following nextPage, as parsed bodies."""
    pages = []
    page: int | None = 1
    while page is not None:
        params = {PARAM_PAGE: page, PARAM_LIMIT: limit, PARAM_SORT_BY: sort_by, PARAM_ORDER: order}
        response = get_calls(simulator, customer_id, params=params, client=client)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body)
        page = body["nextPage"]
    return pages
