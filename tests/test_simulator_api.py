"""The simulator over real HTTP: every status of the contract, paging and sorting, shapes, determinism."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from carecycle_dash.api.contract import (
    API_KEY_HEADER,
    MAX_LIMIT,
    PARAM_LIMIT,
    PARAM_ORDER,
    PARAM_PAGE,
    PARAM_SORT_BY,
    SORT_FIELDS,
    SORT_ORDERS,
    URL_FIELDS,
)
from carecycle_dash.simulator import (
    DEFAULT_DEMO_CUSTOMER_ID,
    DEMO_API_KEY,
    DEMO_CUSTOMER_SIZES,
    DEMO_CUSTOMERS,
    LIMITED_API_KEY,
    RunningSimulator,
    SimulatorConfig,
    start_simulator,
)
from tests.support.shapes import error_problems, page_problems
from tests.support.simulator import all_pages, calls_url, get_calls

pytestmark = pytest.mark.server  # every test here talks to a simulator on a socket

UNKNOWN_CUSTOMER = "00000000-0000-0000-0000-000000000000"
EXTRA_CUSTOMER = "5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
EXTRA_KEY = "cc_extra_test_key"
SORT_KEY = {"createdAt": "createdAt", "disposition": "disposition", "duration": "durationMs"}


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningSimulator]:
    config = SimulatorConfig(extra_customers={EXTRA_CUSTOMER: 7}, extra_keys={EXTRA_KEY: frozenset({EXTRA_CUSTOMER})})
    with start_simulator(config) as simulator:
        yield simulator


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as http:
        yield http


def _error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert error_problems(body, status) == []
    return body


def test_default_page_is_the_newest_fifty_calls_of_the_standard_customer(sim: RunningSimulator) -> None:
    response = get_calls(sim, DEFAULT_DEMO_CUSTOMER_ID)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert page_problems(body) == []
    assert body["itemsTotal"] == DEMO_CUSTOMER_SIZES["standard"]
    assert (body["currentPage"], body["prevPage"], body["nextPage"]) == (1, None, 2)
    created = [call["createdAt"] for call in body["items"]]
    assert len(created) == 50
    assert created == sorted(created, reverse=True)


def test_recording_urls_are_absolute_on_the_simulator(sim: RunningSimulator) -> None:
    items = get_calls(sim, DEFAULT_DEMO_CUSTOMER_ID, params={PARAM_LIMIT: MAX_LIMIT}).json()["items"]
    urls = [call[name] for call in items for name in URL_FIELDS if call[name]]
    assert urls
    assert all(url.startswith(sim.base_url + "/recordings/") for url in urls)


@pytest.mark.parametrize("sort_by", SORT_FIELDS)
@pytest.mark.parametrize("order", SORT_ORDERS)
@pytest.mark.parametrize(("name", "limit"), [("small", 7), ("standard", 100)])
def test_paging_returns_every_call_exactly_once_in_order(
    sim: RunningSimulator, client: httpx.Client, name: str, limit: int, sort_by: str, order: str
) -> None:
    pages = all_pages(sim, DEMO_CUSTOMERS[name], limit=limit, sort_by=sort_by, order=order, client=client)
    total = DEMO_CUSTOMER_SIZES[name]
    assert len(pages) == -(-total // limit)
    calls = [call for page in pages for call in page["items"]]
    assert len(calls) == total
    assert len({call["id"] for call in calls}) == total
    for number, page in enumerate(pages, start=1):
        assert page_problems(page) == []
        assert page["itemsTotal"] == total
        assert page["currentPage"] == number
        assert page["prevPage"] == (number - 1 if number > 1 else None)
        assert page["nextPage"] == (number + 1 if number < len(pages) else None)
    field = SORT_KEY[sort_by]
    keys = [(call[field] is None, call[field] if call[field] is not None else 0, call["id"]) for call in calls]
    assert keys == sorted(keys, reverse=order == "desc"), "sorted by the field, nulls last in asc, ties by id"


def test_descending_is_exactly_ascending_reversed(sim: RunningSimulator, client: httpx.Client) -> None:
    customer = DEMO_CUSTOMERS["small"]
    up = all_pages(sim, customer, limit=MAX_LIMIT, sort_by="disposition", order="asc", client=client)
    down = all_pages(sim, customer, limit=MAX_LIMIT, sort_by="disposition", order="desc", client=client)
    assert [c["id"] for c in up[0]["items"]] == [c["id"] for c in reversed(down[0]["items"])]


def test_a_page_past_the_end_is_empty_but_ok(sim: RunningSimulator) -> None:
    body = get_calls(sim, DEMO_CUSTOMERS["small"], params={PARAM_PAGE: 99, PARAM_LIMIT: 10}).json()
    assert page_problems(body) == []
    assert body["items"] == []
    assert (body["itemsTotal"], body["currentPage"], body["nextPage"], body["prevPage"]) == (43, 99, None, 5)


def test_the_empty_customer_has_one_empty_page(sim: RunningSimulator) -> None:
    body = get_calls(sim, DEMO_CUSTOMERS["empty"]).json()
    assert body == {"itemsTotal": 0, "currentPage": 1, "nextPage": None, "prevPage": None, "items": []}


def test_the_edge_customer_pages_with_loose_shapes(sim: RunningSimulator, client: httpx.Client) -> None:
    for sort_by in SORT_FIELDS:
        pages = all_pages(sim, DEMO_CUSTOMERS["edge"], limit=25, sort_by=sort_by, order="desc", client=client)
        assert all(page_problems(page, strict_calls=False) == [] for page in pages)
        ids = [call["id"] for page in pages for call in page["items"]]
        assert len(ids) == len(set(ids)) == DEMO_CUSTOMER_SIZES["edge"]


def test_a_missing_key_is_401(sim: RunningSimulator) -> None:
    _error(get_calls(sim, DEFAULT_DEMO_CUSTOMER_ID, key=None), 401)


@pytest.mark.parametrize("key", ["cc_not_a_real_key", "", "sk_live_other_vendor", DEMO_API_KEY.upper()])
def test_an_unknown_key_is_401(sim: RunningSimulator, key: str) -> None:
    body = _error(get_calls(sim, DEFAULT_DEMO_CUSTOMER_ID, key=key), 401)
    assert key not in body["message"] or not key


def test_a_customer_outside_the_keys_reach_is_403(sim: RunningSimulator) -> None:
    _error(get_calls(sim, DEFAULT_DEMO_CUSTOMER_ID, key=LIMITED_API_KEY), 403)
    assert get_calls(sim, DEMO_CUSTOMERS["small"], key=LIMITED_API_KEY).status_code == 200


def test_an_unknown_customer_is_404(sim: RunningSimulator) -> None:
    _error(get_calls(sim, UNKNOWN_CUSTOMER), 404)
    _error(get_calls(sim, "ffffffff-ffff-ffff-ffff-ffffffffffff", key=LIMITED_API_KEY), 404)


@pytest.mark.parametrize(
    ("params", "paths"),
    [
        ({PARAM_PAGE: 0}, [PARAM_PAGE]),
        ({PARAM_PAGE: -3}, [PARAM_PAGE]),
        ({PARAM_PAGE: "1.5"}, [PARAM_PAGE]),
        ({PARAM_LIMIT: 0}, [PARAM_LIMIT]),
        ({PARAM_LIMIT: MAX_LIMIT + 1}, [PARAM_LIMIT]),
        ({PARAM_SORT_BY: "name"}, [PARAM_SORT_BY]),
        ({PARAM_SORT_BY: "CREATEDAT"}, [PARAM_SORT_BY]),
        ({PARAM_ORDER: "descending"}, [PARAM_ORDER]),
        (
            {PARAM_PAGE: 0, PARAM_LIMIT: 1000, PARAM_SORT_BY: "x", PARAM_ORDER: "y"},
            [PARAM_PAGE, PARAM_LIMIT, PARAM_SORT_BY, PARAM_ORDER],
        ),
    ],
)
def test_each_bad_field_is_one_422_entry(sim: RunningSimulator, params: dict, paths: list[str]) -> None:
    body = _error(get_calls(sim, DEFAULT_DEMO_CUSTOMER_ID, params=params), 422)
    assert [entry["path"] for entry in body["errors"]] == [[path] for path in paths]
    assert [entry["received"] for entry in body["errors"]] == [str(params[path]) for path in paths]


def test_a_malformed_customer_id_is_422_together_with_bad_query_fields(sim: RunningSimulator) -> None:
    body = _error(get_calls(sim, "not-a-uuid", params={PARAM_LIMIT: 0}), 422)
    assert [entry["path"] for entry in body["errors"]] == [["id"], [PARAM_LIMIT]]
    assert body["errors"][0]["received"] == "not-a-uuid"


def test_a_uuid_of_version_9_is_422(sim: RunningSimulator) -> None:
    _error(get_calls(sim, "5a1b2c3d-4e5f-9a6b-8c7d-9e0f1a2b3c4d"), 422)


@pytest.mark.parametrize(
    "query",
    [
        f"{PARAM_PAGE}=1&{PARAM_PAGE}=2",
        f"{PARAM_ORDER}=asc&{PARAM_ORDER}=desc",
        f"{PARAM_PAGE}=abc",
        f"{PARAM_LIMIT}=",
        f"{PARAM_LIMIT}=ten",
        f"{PARAM_PAGE}=%FF",
    ],
)
def test_a_malformed_request_is_400(sim: RunningSimulator, query: str) -> None:
    response = httpx.get(f"{calls_url(sim, DEFAULT_DEMO_CUSTOMER_ID)}?{query}", headers={API_KEY_HEADER: DEMO_API_KEY})
    _error(response, 400)


def test_unknown_query_parameters_are_ignored(sim: RunningSimulator) -> None:
    assert get_calls(sim, DEMO_CUSTOMERS["small"], params={"utm_source": "x"}).status_code == 200


def test_auth_is_checked_before_validation_and_validation_before_lookup(sim: RunningSimulator) -> None:
    _error(get_calls(sim, "not-a-uuid", key=None, params={PARAM_PAGE: 0}), 401)
    _error(get_calls(sim, UNKNOWN_CUSTOMER, params={PARAM_PAGE: "x"}), 400)
    _error(get_calls(sim, UNKNOWN_CUSTOMER, params={PARAM_PAGE: 0}), 422)
    _error(get_calls(sim, UNKNOWN_CUSTOMER, key=LIMITED_API_KEY), 404)


def test_other_routes_and_methods_are_refused(sim: RunningSimulator) -> None:
    _error(httpx.get(f"{sim.base_url}/v2/customers", headers={API_KEY_HEADER: DEMO_API_KEY}), 404)
    _error(httpx.get(f"{sim.base_url}/v2/customers/{DEFAULT_DEMO_CUSTOMER_ID}/calls/extra"), 404)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT", "PROPFIND", "FOO"])
@pytest.mark.parametrize("path", ["calls", "recording", "unknown"])
def test_every_method_but_get_and_head_is_a_json_405_with_allow(sim: RunningSimulator, method: str, path: str) -> None:
    small = DEMO_CUSTOMERS["small"]
    url = {
        "calls": calls_url(sim, small),
        "recording": f"{sim.base_url}/recordings/{small}/x/mono.wav",
        "unknown": f"{sim.base_url}/nowhere",
    }[path]
    response = httpx.request(method, url, headers={API_KEY_HEADER: DEMO_API_KEY}, content=b'{"a": 1}', timeout=10)
    body = _error(response, 405)
    assert body["code"] == "METHOD_NOT_ALLOWED"
    assert response.headers["allow"] == "GET, HEAD"


def test_extra_customers_and_keys_are_served(sim: RunningSimulator) -> None:
    body = get_calls(sim, EXTRA_CUSTOMER, key=EXTRA_KEY).json()
    assert body["itemsTotal"] == 7
    assert page_problems(body) == []
    assert get_calls(sim, EXTRA_CUSTOMER).status_code == 200, "the demo key reads every customer"
    _error(get_calls(sim, DEFAULT_DEMO_CUSTOMER_ID, key=EXTRA_KEY), 403)
    assert sim.customers[EXTRA_CUSTOMER] == 7


def test_same_seed_serves_the_same_bytes_and_another_seed_does_not(sim: RunningSimulator) -> None:
    params = {PARAM_LIMIT: 20, PARAM_SORT_BY: "duration"}
    mine = get_calls(sim, DEMO_CUSTOMERS["small"], params=params).content.replace(sim.base_url.encode(), b"BASE")
    with start_simulator() as twin, start_simulator(SimulatorConfig(seed=7)) as other:
        theirs = get_calls(twin, DEMO_CUSTOMERS["small"], params=params).content.replace(
            twin.base_url.encode(), b"BASE"
        )
        different = get_calls(other, DEMO_CUSTOMERS["small"], params=params).content
    assert mine == theirs
    assert different.replace(other.base_url.encode(), b"BASE") != mine


def test_concurrent_requests_are_served_in_parallel() -> None:
    with start_simulator(SimulatorConfig(latency_ms=300)) as simulator:
        with concurrent.futures.ThreadPoolExecutor(max_workers=10) as pool:
            statuses = list(pool.map(lambda _: get_calls(simulator, DEMO_CUSTOMERS["small"]).status_code, range(10)))
        assert statuses == [200] * 10
        assert simulator.stats.max_in_flight >= 8


def test_stats_count_statuses(sim: RunningSimulator) -> None:
    before = sim.stats
    get_calls(sim, DEMO_CUSTOMERS["small"])
    get_calls(sim, DEMO_CUSTOMERS["small"], key=None)
    after = sim.stats
    assert after.by_status.get(200, 0) == before.by_status.get(200, 0) + 1
    assert after.by_status.get(401, 0) == before.by_status.get(401, 0) + 1
    assert after.page_requests == before.page_requests + 2
    assert after.faults == {}


def test_head_answers_without_a_body(sim: RunningSimulator) -> None:
    response = httpx.head(calls_url(sim, DEMO_CUSTOMERS["small"]), headers={API_KEY_HEADER: DEMO_API_KEY})
    assert response.status_code == 200
    assert response.content == b""
    assert int(response.headers["content-length"]) > 0
