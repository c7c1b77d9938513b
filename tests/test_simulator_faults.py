"""Each fault knob of the simulator does what it says, and only to API page requests."""

from __future__ import annotations

import json

import httpx
import pytest

from carecycle_dash.api.contract import PARAM_LIMIT, PARAM_PAGE, PARAM_SORT_BY
from carecycle_dash.simulator import (
    DEMO_API_KEY,
    DEMO_CUSTOMER_SIZES,
    DEMO_CUSTOMERS,
    LIMITED_API_KEY,
    SimulatorConfig,
    start_simulator,
)
from tests.support.shapes import error_problems, page_problems
from tests.support.simulator import get_calls

pytestmark = pytest.mark.server  # every test here talks to a simulator on a socket

SMALL = DEMO_CUSTOMERS["small"]


def _only(kind: str, **knobs: object) -> SimulatorConfig:
    return SimulatorConfig(fault_rate=1, fault_kinds=(kind,), **knobs)  # type: ignore[arg-type]


def test_an_injected_500_has_the_error_shape() -> None:
    with start_simulator(_only("500")) as sim:
        response = get_calls(sim, SMALL)
        assert response.status_code == 500
        assert error_problems(response.json(), 500) == []
        assert sim.stats.faults == {"500": 1}


def test_an_injected_429_says_when_to_retry_in_body_and_header() -> None:
    with start_simulator(_only("429", retry_after_s=2)) as sim:
        response = get_calls(sim, SMALL)
    assert response.status_code == 429
    body = response.json()
    assert error_problems(body, 429) == []
    assert body["retryAfter"] == 2
    assert response.headers["retry-after"] == "2"


def test_a_fractional_retry_after_is_kept_in_seconds() -> None:
    with start_simulator(_only("429", retry_after_s=0.25)) as sim:
        response = get_calls(sim, SMALL)
    assert response.json()["retryAfter"] == 0.25
    assert response.headers["retry-after"] == "0.25"


def test_a_truncated_answer_is_a_200_whose_body_stops_mid_json() -> None:
    with start_simulator() as clean:
        whole = get_calls(clean, SMALL).content.replace(clean.base_url.encode(), b"BASE")
    with start_simulator(_only("truncated")) as sim:
        response = get_calls(sim, SMALL)
        cut = response.content.replace(sim.base_url.encode(), b"BASE")
    assert response.status_code == 200
    assert 0 < len(cut) < len(whole)
    assert whole.startswith(cut[:-10])
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)


def test_a_dropped_connection_sends_no_response() -> None:
    with start_simulator(_only("drop")) as sim:
        with pytest.raises(httpx.RemoteProtocolError):
            get_calls(sim, SMALL)
        assert sim.stats.faults == {"drop": 1}
        assert sim.stats.by_status == {}


def test_a_slow_answer_outlasts_the_clients_timeout() -> None:
    with start_simulator(_only("slow", slow_s=5)) as sim:
        with pytest.raises(httpx.ReadTimeout):
            get_calls(sim, SMALL, timeout=0.2)
        assert sim.stats.faults == {"slow": 1}


def test_a_slow_answer_still_arrives_for_a_patient_client() -> None:
    with start_simulator(_only("slow", slow_s=0.05)) as sim:
        response = get_calls(sim, SMALL)
    assert response.status_code == 200
    assert page_problems(response.json()) == []


def test_latency_delays_every_api_request() -> None:
    with start_simulator(SimulatorConfig(latency_ms=2000)) as sim:
        with pytest.raises(httpx.ReadTimeout):
            get_calls(sim, SMALL, timeout=0.2)
        with pytest.raises(httpx.ReadTimeout):
            get_calls(sim, SMALL, key=None, timeout=0.2)


def test_fault_rate_fails_a_share_of_requests_with_the_chosen_kinds() -> None:
    config = SimulatorConfig(fault_rate=0.5, fault_kinds=("500", "429"), retry_after_s=0)
    with start_simulator(config) as sim, httpx.Client() as client:
        statuses = [get_calls(sim, SMALL, client=client).status_code for _ in range(80)]
        stats = sim.stats
    assert set(statuses) == {200, 500, 429}
    assert 20 <= statuses.count(200) <= 60
    assert stats.faults == {"500": statuses.count(500), "429": statuses.count(429)}


def test_the_same_seed_fails_the_same_requests() -> None:
    config = SimulatorConfig(fault_rate=0.3, fault_kinds=("500",))

    def statuses() -> list[int]:
        with start_simulator(config) as sim, httpx.Client() as client:
            return [get_calls(sim, SMALL, client=client).status_code for _ in range(30)]

    assert statuses() == statuses()


def test_faults_leave_recordings_alone() -> None:
    with start_simulator(_only("500")) as sim:
        with start_simulator() as clean:
            url = next(c["recordingUrl"] for c in get_calls(clean, SMALL).json()["items"] if c["recordingUrl"])
        response = httpx.get(url.replace(clean.base_url, sim.base_url))
        assert response.status_code == 200
        assert sim.stats.faults == {}


def test_the_rate_limit_is_per_key_and_says_when_to_retry() -> None:
    with start_simulator(SimulatorConfig(rate_limit_per_s=0.5)) as sim:
        first = get_calls(sim, SMALL)
        second = get_calls(sim, SMALL)
        other_key = get_calls(sim, SMALL, key=LIMITED_API_KEY)
        assert sim.stats.rate_limited == 1
    assert first.status_code == 200
    assert second.status_code == 429
    body = second.json()
    assert error_problems(body, 429) == []
    assert 0 < body["retryAfter"] <= 2
    assert float(second.headers["retry-after"]) == body["retryAfter"]
    assert other_key.status_code == 200


def test_drift_adds_newer_calls_after_the_given_number_of_requests() -> None:
    total = DEMO_CUSTOMER_SIZES["small"]
    with start_simulator(SimulatorConfig(drift_calls=5, drift_after_requests=2)) as sim:
        pages = [get_calls(sim, SMALL, params={PARAM_LIMIT: 10, PARAM_PAGE: 1}).json() for _ in range(4)]
        assert sim.stats.drifted_calls == 5
        assert sim.items_total(SMALL) == total + 5
    assert [page["itemsTotal"] for page in pages] == [total, total, total + 5, total + 5]
    before = {call["id"] for call in pages[0]["items"]}
    newest = pages[2]["items"][:5]
    assert not before & {call["id"] for call in newest}
    assert all(call["createdAt"] > pages[0]["items"][0]["createdAt"] for call in newest)
    assert pages[2]["items"][5:] == pages[0]["items"][:5], "older calls were pushed down a page"
    assert all(page_problems(page) == [] for page in pages)


def test_drift_counts_each_customer_separately() -> None:
    with start_simulator(SimulatorConfig(drift_calls=3)) as sim:
        get_calls(sim, SMALL)
        get_calls(sim, DEMO_CUSTOMERS["empty"])
        assert sim.stats.drifted_calls == 0
        get_calls(sim, DEMO_CUSTOMERS["empty"])
        assert sim.items_total(DEMO_CUSTOMERS["empty"]) == 3
        assert sim.items_total(SMALL) == DEMO_CUSTOMER_SIZES["small"]


def test_set_faults_changes_behaviour_while_serving_and_rearms_drift() -> None:
    with start_simulator() as sim:
        assert get_calls(sim, SMALL).status_code == 200
        sim.set_faults(fault_rate=1, fault_kinds=("500",))
        assert get_calls(sim, SMALL).status_code == 500
        sim.set_faults(fault_rate=0, drift_calls=2, drift_after_requests=0)
        assert get_calls(sim, SMALL).json()["itemsTotal"] == DEMO_CUSTOMER_SIZES["small"] + 2
        sim.set_faults(drift_calls=1)
        assert get_calls(sim, SMALL).json()["itemsTotal"] == DEMO_CUSTOMER_SIZES["small"] + 3
        assert sim.config.drift_calls == 1


def test_set_faults_refuses_knobs_that_are_not_runtime_faults() -> None:
    with start_simulator() as sim:
        with pytest.raises(ValueError, match="seed"):
            sim.set_faults(seed=1)
        with pytest.raises(ValueError):
            sim.set_faults(fault_rate=2)


@pytest.mark.parametrize(
    "knobs",
    [
        {"fault_rate": -0.1},
        {"fault_rate": 1.5},
        {"fault_kinds": ("teapot",)},
        {"fault_kinds": ()},
        {"latency_ms": -1},
        {"rate_limit_per_s": 0},
        {"drift_calls": -1},
    ],
)
def test_an_impossible_config_is_refused(knobs: dict) -> None:
    with pytest.raises(ValueError):
        SimulatorConfig(**knobs)


def test_stop_releases_stalled_requests_at_once() -> None:
    sim = start_simulator(_only("slow", slow_s=60))
    with pytest.raises(httpx.ReadTimeout):
        get_calls(sim, SMALL, timeout=0.1)
    sim.stop()
    with pytest.raises(httpx.ConnectError):
        get_calls(sim, SMALL, timeout=1)


def test_a_fault_is_drawn_before_auth_so_any_page_request_can_fail() -> None:
    with start_simulator(_only("500")) as sim:
        assert get_calls(sim, SMALL, key=None).status_code == 500
        assert get_calls(sim, SMALL, params={PARAM_SORT_BY: "bad"}, key=DEMO_API_KEY).status_code == 500
