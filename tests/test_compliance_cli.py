"""`python -m carecycle_dash compliance` against the simulator: the count of numbers called after Do Not
Call on stdout (never a number), each breach in a CSV when asked, exit 6 with --fail-on-breach."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from carecycle_dash import cli
from carecycle_dash.cli.compliance import BREACH_COLUMNS, breach_rows
from carecycle_dash.simulator import DEMO_API_KEY, DEMO_CUSTOMERS, RunningSimulator, SimulatorConfig, start_simulator
from tests.factories import make_call

STANDARD = DEMO_CUSTOMERS["standard"]
pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def simulator() -> Iterator[RunningSimulator]:
    with start_simulator(SimulatorConfig()) as running:
        yield running


def run(simulator: RunningSimulator, *argv: str, key: str = DEMO_API_KEY) -> tuple[int, str, str]:
    args = cli.build_parser().parse_args(["compliance", *argv])
    out, err = io.StringIO(), io.StringIO()
    environ = {"CARECYCLE_API_KEY": key, "CARECYCLE_BASE_URL": simulator.base_url}
    code = args.run(args, environ=environ, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_compliance_prints_the_count_of_numbers_called_after_do_not_call(simulator: RunningSimulator) -> None:
    code, out, err = run(simulator, "--customer-id", STANDARD)
    assert code == 0, err
    assert out == f"Called after Do Not Call: 1 number, 1 outbound call (of 2,487 calls of customer {STANDARD}).\n"
    assert "555" not in out


def test_fail_on_breach_exits_6_and_output_lists_each_breach(simulator: RunningSimulator, tmp_path: Path) -> None:
    target = tmp_path / "breaches.csv"
    code, _, err = run(simulator, "--customer-id", STANDARD, "--fail-on-breach", "--output", str(target))
    assert code == 6, err
    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1
    assert tuple(rows[0]) == BREACH_COLUMNS
    assert rows[0]["callerId"] == "+14155550142"  # a cell that is only a phone number is not prefixed with '
    assert rows[0]["requestedAt"] < rows[0]["createdAt"]


def test_bad_customer_id_is_one_line_and_exit_2(simulator: RunningSimulator) -> None:
    code, out, err = run(simulator, "--customer-id", "not-a-uuid")
    assert code == 2
    assert out == ""
    assert err.startswith("error: ") and len(err.splitlines()) == 1


def test_missing_key_is_exit_2(simulator: RunningSimulator) -> None:
    code, _, err = run(simulator, "--customer-id", STANDARD, key="")
    assert code == 2
    assert "CARECYCLE_API_KEY" in err


def test_breach_rows_leave_test_calls_out_unless_asked() -> None:
    calls = [
        make_call(callerId="+15550001111", disposition="Do Not Call", createdAt="2026-01-01T00:00:00Z"),
        make_call(callerId="(555) 000-1111", createdAt="2026-01-02T00:00:00Z", testFlag=True),
    ]
    assert breach_rows(calls).empty
    rows = breach_rows(calls, include_tests=True)
    assert rows["callerId"].tolist() == ["+15550001111"]
    assert rows["requestCallId"].tolist() == [calls[0]["id"]]
    assert rows["createdAt"].tolist() == ["2026-01-02T00:00:00.000Z"]
