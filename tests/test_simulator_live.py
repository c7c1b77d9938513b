"""The live demo: calls run up to the simulator's clock, the same day draws the same calls, more arrive as time
passes, the story sits in the last seven days, and a large customer's newest page needs no other day."""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from carecycle_dash.api.contract import PARAM_LIMIT, PARAM_ORDER, PARAM_PAGE, PARAM_SORT_BY
from carecycle_dash.simulator import DEMO_CUSTOMERS, SimulatorConfig, generate_calls, start_simulator
from carecycle_dash.simulator.calls import AGENCY_ZONE
from carecycle_dash.simulator.cli import add_arguments, config_from
from carecycle_dash.simulator.clock import DEMO_NOW_ENV, clock_from_environment, fixed_clock, real_clock
from carecycle_dash.simulator.store import LAZY_FROM
from tests.support.simulator import PINNED_NOW, all_pages, get_calls

STANDARD = DEMO_CUSTOMERS["standard"]
SEED = 20261128
LIVE_DAY_3PM = datetime(2027, 3, 10, 15, 0, tzinfo=AGENCY_ZONE)  # a Wednesday


class MovingClock:
    """A clock a test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def before_and_after(start: datetime, hours: int, limit: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The standard customer's first page at `start`, then `hours` later from the same simulator."""
    clock = MovingClock(start)
    with start_simulator(SimulatorConfig(now=clock)) as sim:
        before = get_calls(sim, STANDARD, params={PARAM_LIMIT: limit}).json()
        clock.now += timedelta(hours=hours)
        after = get_calls(sim, STANDARD, params={PARAM_LIMIT: limit}).json()
    return before, after


def every_call(config: SimulatorConfig, customer_id: str = STANDARD, **order: str) -> list[dict[str, Any]]:
    """Every call served now, in this order, with recording URLs relative (so two simulators compare)."""
    with start_simulator(config) as sim, httpx.Client() as client:
        pages = all_pages(
            sim,
            customer_id,
            limit=100,
            sort_by=order.get("sort_by", "createdAt"),
            order=order.get("order", "desc"),
            client=client,
        )
    calls = [call for body in pages for call in body["items"]]
    return json.loads(json.dumps(calls).replace(sim.base_url, ""))


def test_the_pinned_clock_serves_every_call_of_the_default_window() -> None:
    calls = every_call(SimulatorConfig(now=fixed_clock(PINNED_NOW)))
    assert len(calls) == 2487
    assert sorted(call["id"] for call in calls) == sorted(call["id"] for call in generate_calls(STANDARD, 2487, SEED))


def test_calls_later_than_the_clock_are_held_back_until_their_time() -> None:
    morning, evening = before_and_after(datetime(2026, 11, 27, 12, 0, tzinfo=AGENCY_ZONE), 5, 7)
    assert morning["itemsTotal"] == 2480
    assert [call["createdAt"] for call in morning["items"][:2]] == [
        "2026-11-27T16:43:59.267Z",
        "2026-11-27T15:34:06.386Z",
    ]
    assert evening["itemsTotal"] == 2485
    assert [call["createdAt"] for call in evening["items"][:5]] == [
        "2026-11-27T21:01:04.083Z",
        "2026-11-27T19:52:55.111Z",
        "2026-11-27T19:47:07.817Z",
        "2026-11-27T18:39:41.390Z",
        "2026-11-27T18:02:35.413Z",
    ]
    assert evening["items"][5:] == morning["items"][:2]


def test_a_restart_on_the_same_day_serves_the_same_calls_plus_those_that_arrived_since() -> None:
    earlier = every_call(SimulatorConfig(now=fixed_clock(LIVE_DAY_3PM)))
    later = every_call(SimulatorConfig(now=fixed_clock(LIVE_DAY_3PM + timedelta(hours=3))))
    assert len(earlier) == 2481
    assert len(later) == 2485
    assert later[4:] == earlier


def test_the_data_run_up_to_the_present_with_the_newest_call_within_the_last_hour() -> None:
    calls = every_call(SimulatorConfig(now=fixed_clock(LIVE_DAY_3PM)))
    newest = datetime.fromisoformat(calls[0]["createdAt"])
    assert calls[0]["createdAt"] == "2027-03-10T19:52:55.111Z"
    assert timedelta(0) <= LIVE_DAY_3PM - newest <= timedelta(hours=1)


def test_the_story_fills_the_last_seven_days() -> None:
    calls = every_call(SimulatorConfig(now=fixed_clock(LIVE_DAY_3PM)))

    def week(first: str, end: str) -> tuple[int, int, int, int]:
        """(calls, Pipeline Errors, passed and graded pass/fail evaluations) of real calls in [first, end)."""
        chosen = [call for call in calls if first <= call["createdAt"] < end and not call["testFlag"]]
        graded = [call["successEvaluation"] for call in chosen if call["successEvaluation"] in {"true", "false"}]
        errors = sum(call["disposition"] == "Pipeline Error" for call in chosen)
        return len(chosen), errors, graded.count("true"), len(graded)

    # Midnight of 4 March 2027 in US Eastern (EST) is 05:00 UTC: the story starts six days before today.
    assert week("2027-03-04T05:00:00", "2027-03-11") == (167, 23, 30, 62)
    assert week("2027-02-25T05:00:00", "2027-03-04T05:00:00") == (177, 0, 68, 82)


def test_a_new_day_draws_the_window_ending_on_it() -> None:
    before, after = before_and_after(datetime(2027, 3, 10, 23, 30, tzinfo=AGENCY_ZONE), 12, 1)
    # Every call of the window ending 10 March, then the morning of the window ending 11 March.
    assert (before["itemsTotal"], before["items"][0]["createdAt"]) == (2487, "2027-03-10T23:58:47.796Z")
    assert (after["itemsTotal"], after["items"][0]["createdAt"]) == (2466, "2027-03-11T16:22:52.322Z")


@pytest.fixture(scope="module")
def lazy_customer() -> str:
    return "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


def test_a_large_customer_drawn_newest_day_first_pages_exactly_as_when_drawn_whole(lazy_customer: str) -> None:
    config = SimulatorConfig(extra_customers={lazy_customer: LAZY_FROM}, now=fixed_clock(LIVE_DAY_3PM))
    with start_simulator(config) as sim:
        first = get_calls(sim, lazy_customer, params={PARAM_LIMIT: 100}).json()
        sim.warm(lazy_customer)
        drawn_whole = get_calls(sim, lazy_customer, params={PARAM_LIMIT: 100}).json()
    newest_first = every_call(config, lazy_customer)
    oldest_first = every_call(config, lazy_customer, order="asc")
    assert first == drawn_whole
    assert first["itemsTotal"] == len(newest_first) == 9_959
    assert newest_first == oldest_first[::-1]
    assert len({call["id"] for call in newest_first}) == 9_959
    assert newest_first[0]["createdAt"] == "2027-03-10T19:56:20.742Z"


def test_a_large_customer_sorted_otherwise_is_drawn_whole(lazy_customer: str) -> None:
    config = SimulatorConfig(extra_customers={lazy_customer: LAZY_FROM}, now=fixed_clock(LIVE_DAY_3PM))
    with start_simulator(config) as sim:
        by_duration = get_calls(sim, lazy_customer, params={PARAM_SORT_BY: "duration", PARAM_ORDER: "desc"}).json()
        last = get_calls(sim, lazy_customer, params={PARAM_PAGE: 100, PARAM_LIMIT: 100}).json()
    assert by_duration["itemsTotal"] == 9_959
    assert [call["durationMs"] for call in by_duration["items"][:3]] == [900_382, 669_122, 664_144]
    assert (last["currentPage"], len(last["items"]), last["nextPage"]) == (100, 59, None)


def test_the_demo_clock_is_pinned_by_the_environment_or_is_the_real_one() -> None:
    assert clock_from_environment({DEMO_NOW_ENV: "2026-11-27T23:59:59.999-05:00"})() == PINNED_NOW
    assert clock_from_environment({}) is real_clock
    with pytest.raises(ValueError) as raised:
        clock_from_environment({DEMO_NOW_ENV: "2026-11-27 23:59"})
    assert str(raised.value) == (
        "CARECYCLE_DEMO_NOW is not a time with its UTC offset, such as 2026-11-27T23:59:59-05:00"
    )


def test_simulate_now_pins_the_clock() -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    assert config_from(parser.parse_args(["--now", "2026-11-27T23:59:59.999-05:00"])).now() == PINNED_NOW
    with pytest.raises(ValueError) as raised:
        config_from(parser.parse_args(["--now", "yesterday"]))
    assert str(raised.value) == "--now is not a time with its UTC offset, such as 2026-11-27T23:59:59-05:00"
