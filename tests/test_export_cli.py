"""`python -m carecycle_dash export` against the simulator on loopback: CSV out, one line and an exit code on
every failure, nothing written unless the whole load worked."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from carecycle_dash import cli
from carecycle_dash.api.contract import CALL_FIELDS
from carecycle_dash.api.retry import RetryPolicy
from carecycle_dash.cli import common
from carecycle_dash.cli import export as export_cli
from carecycle_dash.output.export import PHONE_NUMBER
from carecycle_dash.simulator import (
    DEMO_API_KEY,
    DEMO_CUSTOMERS,
    LIMITED_API_KEY,
    RunningSimulator,
    SimulatorConfig,
    start_simulator,
)
from tests.support.clock import FakeClock
from tests.support.hostile import Behaviour, HostileApi, serve_hostile_api
from tests.support.pii_api import CUSTOMER as PII_CUSTOMER
from tests.support.pii_api import KEY as PII_KEY
from tests.support.pii_api import PERSONAL_VALUES, leaked, pii_api
from tests.support.servers import REPO_ROOT, free_port

pytestmark = pytest.mark.server  # every test here talks to a simulator on a socket

SMALL = DEMO_CUSTOMERS["small"]
STANDARD = DEMO_CUSTOMERS["standard"]
UNKNOWN = "5b7c9d1e-2f3a-4b5c-8d6e-7f8091a2b3c4"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, simulator: RunningSimulator) -> None:
    monkeypatch.setenv("CARECYCLE_API_KEY", DEMO_API_KEY)
    monkeypatch.setenv("CARECYCLE_BASE_URL", simulator.base_url)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def one_error_line(text: str) -> str:
    lines = text.splitlines()
    assert len(lines) == 1, text
    assert lines[0].startswith("error: ")
    assert "Traceback" not in text
    return lines[0]


def fast_retry() -> RetryPolicy:
    clock = FakeClock()
    return RetryPolicy(attempts=2, jitter=lambda cap: 0.0, sleep=clock.sleep, clock=clock.clock)


@pytest.mark.usefixtures("env")
def test_export_writes_every_call_once_with_the_api_field_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], simulator: RunningSimulator
) -> None:
    output = tmp_path / "calls.csv"
    assert cli.main(["export", "--customer-id", SMALL, "--output", str(output)]) == 0
    rows = read_csv(output)
    assert list(rows[0]) == list(CALL_FIELDS)
    assert len(rows) == simulator.items_total(SMALL)
    assert len({row["id"] for row in rows}) == len(rows)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"Exported {len(rows)} calls to ")
    assert "\r" not in captured.err  # no progress bar when stderr is not a terminal
    assert os.listdir(tmp_path) == ["calls.csv"]


@pytest.mark.usefixtures("env")
def test_sort_options_reach_the_api(tmp_path: Path) -> None:
    output = tmp_path / "calls.csv"
    argv = ["export", "--customer-id", SMALL, "--output", str(output), "--sort-by", "duration", "--order", "asc"]
    assert cli.main([*argv, "--concurrency", "2"]) == 0
    durations = [int(row["durationMs"]) for row in read_csv(output) if row["durationMs"]]
    assert durations == sorted(durations)


@pytest.mark.usefixtures("env")
def test_hostile_text_is_guarded_in_the_csv(tmp_path: Path) -> None:
    output = tmp_path / "edge.csv"
    assert cli.main(["export", "--customer-id", DEMO_CUSTOMERS["edge"], "--output", str(output)]) == 0
    for row in read_csv(output):
        for name, cell in row.items():
            if name != "durationMs" and not PHONE_NUMBER.fullmatch(cell):
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (name, cell)


def test_base_url_flag_wins_over_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, simulator: RunningSimulator
) -> None:
    monkeypatch.setenv("CARECYCLE_API_KEY", DEMO_API_KEY)
    monkeypatch.setenv("CARECYCLE_BASE_URL", "https://example.invalid")
    output = tmp_path / "calls.csv"
    assert cli.main(["export", "--customer-id", SMALL, "--output", str(output), "--base-url", simulator.base_url]) == 0


def test_a_missing_key_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CARECYCLE_API_KEY", raising=False)
    output = tmp_path / "calls.csv"
    assert cli.main(["export", "--customer-id", SMALL, "--output", str(output)]) == 2
    assert "CARECYCLE_API_KEY is not set" in one_error_line(capsys.readouterr().err)
    assert not output.exists()


@pytest.mark.usefixtures("env")
@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--customer-id", "not-a-uuid"], "customer ID"),
        (["--customer-id", "497f6eca-6276-4993-bfeb-53cbbbba6f0"], "customer ID"),
        (["--customer-id", SMALL, "--base-url", "http://api.carecycle.ai"], "plain http"),
        (["--customer-id", SMALL, "--sort-by", "name"], "--sort-by"),
        (["--customer-id", SMALL, "--order", "sideways"], "--order"),
        (["--customer-id", SMALL, "--concurrency", "0"], "--concurrency"),
        (["--customer-id", SMALL, "--concurrency", "many"], "--concurrency"),
        ([], "--customer-id is required"),
        (["--customer-id", UNKNOWN], "was not found"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    argv: list[str], words: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "calls.csv"
    assert cli.main(["export", "--output", str(output), *argv]) == 2
    assert words in one_error_line(capsys.readouterr().err)
    assert os.listdir(tmp_path) == []


@pytest.mark.usefixtures("env")
def test_an_output_in_a_missing_folder_is_refused_before_loading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], simulator: RunningSimulator
) -> None:
    before = simulator.stats.page_requests
    assert cli.main(["export", "--customer-id", SMALL, "--output", str(tmp_path / "no" / "calls.csv")]) == 2
    assert "does not exist" in one_error_line(capsys.readouterr().err)
    assert simulator.stats.page_requests == before


@pytest.mark.parametrize(
    ("key", "customer", "words"), [("cc_wrong", SMALL, "rejected"), (LIMITED_API_KEY, STANDARD, "may not see")]
)
def test_a_wrong_key_or_no_access_is_exit_3_without_the_key(
    key: str,
    customer: str,
    words: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    simulator: RunningSimulator,
) -> None:
    monkeypatch.setenv("CARECYCLE_API_KEY", key)
    output = tmp_path / "calls.csv"
    assert (
        cli.main(["export", "--customer-id", customer, "--output", str(output), "--base-url", simulator.base_url]) == 3
    )
    line = one_error_line(capsys.readouterr().err)
    assert words in line and key not in line
    assert not output.exists()


def test_an_unreachable_api_is_exit_4(tmp_path: Path) -> None:
    output = tmp_path / "calls.csv"
    args = cli.build_parser().parse_args(
        ["export", "--customer-id", SMALL, "--output", str(output), "--base-url", f"http://127.0.0.1:{free_port()}"]
    )
    err = io.StringIO()
    assert export_cli.run(args, environ={"CARECYCLE_API_KEY": DEMO_API_KEY}, stderr=err, retry=fast_retry()) == 4
    assert "Could not reach the API" in one_error_line(err.getvalue())
    assert not output.exists()


def test_a_failing_server_is_exit_4_and_leaves_the_old_file_alone(tmp_path: Path) -> None:
    output = tmp_path / "calls.csv"
    output.write_text("yesterday's export")
    with start_simulator(SimulatorConfig(fault_rate=1.0, fault_kinds=("500",))) as failing:
        args = cli.build_parser().parse_args(
            ["export", "--customer-id", SMALL, "--output", str(output), "--base-url", failing.base_url]
        )
        err = io.StringIO()
        assert export_cli.run(args, environ={"CARECYCLE_API_KEY": DEMO_API_KEY}, stderr=err, retry=fast_retry()) == 4
    assert "(500)" in one_error_line(err.getvalue())
    assert output.read_text() == "yesterday's export"
    assert os.listdir(tmp_path) == ["calls.csv"]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_progress_bar_is_drawn_only_on_a_terminal(tmp_path: Path, simulator: RunningSimulator) -> None:
    args = cli.build_parser().parse_args(
        ["export", "--customer-id", STANDARD, "--output", str(tmp_path / "c.csv"), "--base-url", simulator.base_url]
    )
    terminal = Terminal()
    assert export_cli.run(args, environ={"CARECYCLE_API_KEY": DEMO_API_KEY}, stderr=terminal) == 0
    pages = (simulator.items_total(STANDARD) + 99) // 100
    assert f"\rLoading pages [{'#' * 30}] {pages}/{pages}\n" in terminal.getvalue()
    assert terminal.getvalue().rstrip("\n").splitlines()[-1].startswith("Exported ")


def test_the_command_runs_as_a_module_in_a_subprocess(tmp_path: Path, simulator: RunningSimulator) -> None:
    output = tmp_path / "calls.csv"
    env = {**os.environ, "CARECYCLE_API_KEY": DEMO_API_KEY, "CARECYCLE_BASE_URL": simulator.base_url}
    ok = subprocess.run(
        [sys.executable, "-m", "carecycle_dash", "export", "--customer-id", SMALL, "--output", str(output)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout == ""
    assert len(read_csv(output)) == simulator.items_total(SMALL)
    bad = subprocess.run(
        [sys.executable, "-m", "carecycle_dash", "export", "--customer-id", "x", "--output", str(output)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2
    one_error_line(bad.stderr)


def test_a_newest_first_export_while_25_calls_arrive_holds_every_call_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "calls.csv"
    with start_simulator(SimulatorConfig(drift_calls=25, drift_after_requests=4, latency_ms=5)) as drifting:
        monkeypatch.setenv("CARECYCLE_API_KEY", DEMO_API_KEY)
        argv = ["export", "--customer-id", STANDARD, "--output", str(output), "--base-url", drifting.base_url]
        assert cli.main([*argv, "--order", "desc"]) == 0
        expected = drifting.items_total(STANDARD)
    rows = read_csv(output)
    assert expected == 2487 + 25
    assert len(rows) == expected == len({row["id"] for row in rows})
    created = [row["createdAt"] for row in rows]
    assert created == sorted(created, reverse=True)
    assert "repaired" in capsys.readouterr().err


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs a folder no file can be created in (/proc)")
@pytest.mark.usefixtures("env")
def test_an_output_that_cannot_be_written_is_exit_5(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["export", "--customer-id", SMALL, "--output", "/proc/carecycle-calls.csv"]) == 5
    assert "Could not write" in one_error_line(capsys.readouterr().err)


@pytest.mark.usefixtures("env")
def test_each_export_leaves_one_audit_line_without_call_content(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, simulator: RunningSimulator
) -> None:
    output = tmp_path / "calls.csv"
    with caplog.at_level("INFO", logger="carecycle_dash.audit"):
        assert cli.main(["export", "--customer-id", SMALL, "--output", str(output)]) == 0
    lines = [record.getMessage() for record in caplog.records if record.name == "carecycle_dash.audit"]
    assert len(lines) == 1
    assert lines[0].startswith("export: user=")
    assert f"customer={SMALL} rows={simulator.items_total(SMALL)}" in lines[0]
    assert DEMO_API_KEY not in lines[0]


@pytest.mark.usefixtures("env")
def test_since_exports_only_calls_from_that_day_and_stops_paging_there(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], simulator: RunningSimulator
) -> None:
    output = tmp_path / "since.csv"
    before = simulator.stats.page_requests
    assert cli.main(["export", "--customer-id", STANDARD, "--output", str(output), "--since", "2026-11-20"]) == 0
    rows = read_csv(output)
    assert rows and all(row["createdAt"] >= "2026-11-20" for row in rows)
    assert simulator.stats.page_requests - before <= len(rows) // 100 + 3  # far fewer than the 25 pages in all
    assert "calls since 2026-11-20 to" in capsys.readouterr().err


@pytest.mark.usefixtures("env")
def test_since_with_another_order_sorts_the_calls_since_locally(tmp_path: Path) -> None:
    output = tmp_path / "since.csv"
    argv = ["export", "--customer-id", STANDARD, "--output", str(output), "--since", "2026-11-01"]
    assert cli.main([*argv, "--sort-by", "duration", "--order", "asc"]) == 0
    durations = [int(row["durationMs"]) for row in read_csv(output) if row["durationMs"]]
    assert len(durations) > 100 and durations == sorted(durations)


@pytest.mark.usefixtures("env")
def test_a_since_that_is_not_a_day_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["export", "--customer-id", SMALL, "--output", str(tmp_path / "x.csv"), "--since", "yesterday"]
    assert cli.main(argv) == 2
    assert "--since must be a day" in one_error_line(capsys.readouterr().err)


@pytest.mark.server
@pytest.mark.parametrize("behaviour", ["drip", "silent"])
def test_a_dripping_or_silent_api_is_exit_4_with_one_line_naming_the_page_and_no_file(
    tmp_path: Path, behaviour: Behaviour
) -> None:
    output = tmp_path / "calls.csv"
    with serve_hostile_api(HostileApi(default=behaviour, drip_interval_s=0.05)) as api:
        args = cli.build_parser().parse_args(
            [
                "export",
                *("--customer-id", SMALL, "--output", str(output), "--base-url", api.base_url),
                *("--request-timeout", "0.4", "--load-timeout", "1.5"),
            ]
        )
        err = io.StringIO()
        code = export_cli.run(args, environ={"CARECYCLE_API_KEY": DEMO_API_KEY}, stderr=err, retry=RetryPolicy())
    assert code == 4
    line = one_error_line(err.getvalue())
    # The load's deadline or the last request's, whichever the retries reach first; both name the page.
    assert re.search(r"(limit while waiting for|did not send|sent nothing for) page 1", line), line
    assert DEMO_API_KEY not in line
    assert os.listdir(tmp_path) == []


def test_time_limits_default_to_a_minute_per_request_and_under_two_minutes_per_export(tmp_path: Path) -> None:
    args = cli.build_parser().parse_args(["export", "--customer-id", SMALL, "--output", str(tmp_path / "c.csv")])
    options = common.connection(args, {"CARECYCLE_API_KEY": DEMO_API_KEY})
    assert options.request_timeout_s == 60.0
    assert options.load_timeout_s < 120.0


def test_time_limit_flags_win_over_the_environment(tmp_path: Path) -> None:
    args = cli.build_parser().parse_args(
        ["export", "--customer-id", SMALL, "--output", str(tmp_path / "c.csv"), "--load-timeout", "30"]
    )
    environ = {
        "CARECYCLE_API_KEY": DEMO_API_KEY,
        "CARECYCLE_LOAD_TIMEOUT_S": "600",
        "CARECYCLE_REQUEST_TIMEOUT_S": "15",
    }
    options = common.connection(args, environ)
    assert (options.request_timeout_s, options.load_timeout_s) == (15.0, 30.0)


@pytest.mark.parametrize(
    ("flag", "environ", "named"),
    [
        (["--request-timeout", "soon"], {}, "--request-timeout"),
        (["--load-timeout", "0"], {}, "--load-timeout"),
        ([], {"CARECYCLE_LOAD_TIMEOUT_S": "-1"}, "CARECYCLE_LOAD_TIMEOUT_S"),
    ],
)
def test_a_bad_time_limit_is_exit_2_naming_it(
    tmp_path: Path, flag: list[str], environ: dict[str, str], named: str
) -> None:
    args = cli.build_parser().parse_args(["export", "--customer-id", SMALL, "--output", str(tmp_path / "c.csv"), *flag])
    err = io.StringIO()
    assert export_cli.run(args, environ={"CARECYCLE_API_KEY": DEMO_API_KEY, **environ}, stderr=err) == 2
    assert named in one_error_line(err.getvalue())
    assert os.listdir(tmp_path) == []


def test_mask_writes_a_file_without_personal_data_and_says_so_in_the_audit_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with pii_api() as base_url:
        monkeypatch.setenv("CARECYCLE_API_KEY", PII_KEY)
        plain, masked = tmp_path / "plain.csv", tmp_path / "masked.csv"
        argv = ["export", "--customer-id", PII_CUSTOMER, "--base-url", base_url]
        assert cli.main([*argv, "--output", str(plain)]) == 0
        with caplog.at_level("INFO", logger="carecycle_dash.audit"):
            assert cli.main([*argv, "--output", str(masked), "--mask"]) == 0
    assert len(leaked(plain.read_bytes())) == len(PERSONAL_VALUES), "unmasked stays the default"
    assert leaked(masked.read_bytes()) == []
    rows = read_csv(masked)
    assert [row["id"] for row in rows] == [row["id"] for row in read_csv(plain)]
    assert rows[0]["callerId"] == "•••-•••-5309" and rows[0]["recordingUrl"] == ""
    assert "[ssn]" in rows[0]["summary"] and "[card]" in rows[0]["transcript"]
    assert caplog.records[-1].getMessage().endswith("masked=yes")
