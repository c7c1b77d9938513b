"""`python -m carecycle_dash report` against the simulator: one HTML file, the export's exit codes, nothing
written unless everything worked, an audit line per report."""

from __future__ import annotations

import html
import io
import os
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from carecycle_dash import cli
from carecycle_dash.api.retry import RetryPolicy
from carecycle_dash.cli import report as report_cli
from carecycle_dash.simulator import DEMO_API_KEY, DEMO_CUSTOMERS, RunningSimulator, SimulatorConfig, start_simulator
from carecycle_dash.ui import overview
from tests.support.apptest import assert_no_exception, run_app
from tests.support.clock import FakeClock
from tests.support.servers import free_port
from tests.test_overview import attention_links
from tests.test_pages import plain

STANDARD = DEMO_CUSTOMERS["standard"]
SMALL = DEMO_CUSTOMERS["small"]


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, simulator: RunningSimulator) -> None:
    monkeypatch.setenv("CARECYCLE_API_KEY", DEMO_API_KEY)
    monkeypatch.setenv("CARECYCLE_BASE_URL", simulator.base_url)


def one_error_line(text: str) -> str:
    lines = text.splitlines()
    assert len(lines) == 1, text
    assert lines[0].startswith("error: ") and "Traceback" not in text
    return lines[0]


@pytest.mark.usefixtures("env")
def test_report_writes_one_html_file_and_prints_its_size(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "weekly.html"
    assert cli.main(["report", "--customer-id", STANDARD, "--last", "7d", "--output", str(output)]) == 0
    text = output.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "<h2>Needs attention</h2>" in text
    assert "Calls by disposition" in text and "Calls per day" in text and "hour of the week" in text
    err = capsys.readouterr().err
    assert err.startswith("Wrote the report of ") and " MB, built in " in err
    assert os.listdir(tmp_path) == ["weekly.html"]


def test_last_n_days_are_whole_days_ending_yesterday() -> None:
    args = cli.build_parser().parse_args(["report", "--last", "7d"])
    assert report_cli.period(args, date(2026, 11, 30)) == (date(2026, 11, 23), date(2026, 11, 29))
    weeks = cli.build_parser().parse_args(["report", "--last", "2W"])
    assert report_cli.period(weeks, date(2026, 11, 30)) == (date(2026, 11, 16), date(2026, 11, 29))


@pytest.mark.usefixtures("env")
def test_explicit_dates_compare_with_the_week_before(tmp_path: Path) -> None:
    output = tmp_path / "r.html"
    argv = ["report", "--customer-id", SMALL, "--start", "2020-01-08", "--end", "2020-01-14", "--output", str(output)]
    assert cli.main([*argv, "--tz", "Europe/Berlin"]) == 0
    text = output.read_text(encoding="utf-8")
    assert "8–14 Jan 2020 (Europe/Berlin)" in text
    assert "No changes shown: there are no loaded calls from the previous period (1–7 Jan 2020)." in text


@pytest.mark.usefixtures("env")
def test_each_report_leaves_one_audit_line(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("INFO", logger="carecycle_dash.audit"):
        assert cli.main(["report", "--customer-id", SMALL, "--output", str(tmp_path / "r.html")]) == 0
    lines = [r.getMessage() for r in caplog.records if r.name == "carecycle_dash.audit"]
    assert len(lines) == 1
    assert lines[0].startswith("report: user=") and f"customer={SMALL} " in lines[0]


@pytest.mark.usefixtures("env")
@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--customer-id", SMALL, "--last", "7d", "--start", "2025-01-01"], "either --last or --start/--end"),
        (["--customer-id", SMALL, "--last", "week"], "--last must be"),
        (["--customer-id", SMALL, "--last", "0d"], "--last must be"),
        (["--customer-id", SMALL, "--start", "01/02/2025"], "--start must be a date"),
        (["--customer-id", SMALL, "--start", "2025-02-02", "--end", "2025-02-01"], "--start is after --end"),
        (["--customer-id", SMALL, "--tz", "Mars/Olympus"], "Unknown time zone"),
        (["--customer-id", "not-a-uuid"], "customer ID"),
        ([], "--customer-id is required"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    argv: list[str], words: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["report", "--output", str(tmp_path / "r.html"), *argv]) == 2
    assert words in one_error_line(capsys.readouterr().err)
    assert os.listdir(tmp_path) == []


def test_a_missing_output_or_key_is_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CARECYCLE_API_KEY", raising=False)
    assert cli.main(["report", "--customer-id", SMALL]) == 2
    assert "--output is required" in one_error_line(capsys.readouterr().err)
    assert cli.main(["report", "--customer-id", SMALL, "--output", str(tmp_path / "r.html")]) == 2
    assert "CARECYCLE_API_KEY is not set" in one_error_line(capsys.readouterr().err)


def test_a_wrong_key_is_exit_3_without_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], simulator: RunningSimulator
) -> None:
    monkeypatch.setenv("CARECYCLE_API_KEY", "cc_wrong")
    output = tmp_path / "r.html"
    argv = ["report", "--customer-id", SMALL, "--output", str(output), "--base-url", simulator.base_url]
    assert cli.main(argv) == 3
    line = one_error_line(capsys.readouterr().err)
    assert "rejected" in line and "cc_wrong" not in line
    assert not output.exists()


def test_a_failing_server_is_exit_4_and_leaves_the_old_report_alone(tmp_path: Path) -> None:
    output = tmp_path / "r.html"
    output.write_text("last week's report")
    clock = FakeClock()
    retry = RetryPolicy(attempts=2, jitter=lambda cap: 0.0, sleep=clock.sleep, clock=clock.clock)
    with start_simulator(SimulatorConfig(fault_rate=1.0, fault_kinds=("500",))) as failing:
        args = cli.build_parser().parse_args(
            ["report", "--customer-id", SMALL, "--output", str(output), "--base-url", failing.base_url]
        )
        err = io.StringIO()
        assert report_cli.run(args, environ={"CARECYCLE_API_KEY": DEMO_API_KEY}, stderr=err, retry=retry) == 4
    assert "(500)" in one_error_line(err.getvalue())
    assert output.read_text() == "last week's report"
    assert os.listdir(tmp_path) == ["r.html"]


def test_an_unwritable_output_is_exit_5(simulator: RunningSimulator) -> None:
    # /proc exists but takes no new files, not even from root.
    args = cli.build_parser().parse_args(
        ["report", "--customer-id", SMALL, "--output", "/proc/report.html", "--base-url", simulator.base_url]
    )
    err = io.StringIO()
    assert report_cli.run(args, environ={"CARECYCLE_API_KEY": DEMO_API_KEY}, stderr=err) == 5
    assert "Could not write '/proc/report.html'" in one_error_line(err.getvalue())


def test_an_unreachable_api_is_exit_4(tmp_path: Path) -> None:
    clock = FakeClock()
    retry = RetryPolicy(attempts=2, jitter=lambda cap: 0.0, sleep=clock.sleep, clock=clock.clock)
    args = cli.build_parser().parse_args(
        [
            "report",
            "--customer-id",
            SMALL,
            "--output",
            str(tmp_path / "r.html"),
            "--base-url",
            f"http://127.0.0.1:{free_port()}",
        ]
    )
    err = io.StringIO()
    now = datetime(2025, 3, 15, tzinfo=UTC)
    assert report_cli.run(args, environ={"CARECYCLE_API_KEY": DEMO_API_KEY}, stderr=err, retry=retry, now=now) == 4
    assert "Could not reach the API" in one_error_line(err.getvalue())


@pytest.mark.usefixtures("env")
def test_hostile_call_content_is_escaped_in_the_file(tmp_path: Path) -> None:
    output = tmp_path / "edge.html"
    assert cli.main(["report", "--customer-id", DEMO_CUSTOMERS["edge"], "--output", str(output)]) == 0
    text = output.read_text(encoding="utf-8")
    assert "<b>Qualified</b>" not in text and "<img src=x" not in text
    assert "&lt;b&gt;Qualified&lt;" in text  # plotly writes the "/" after it as \\u002f


@pytest.mark.usefixtures("env")
def test_a_customer_without_calls_gets_a_report_that_says_so(tmp_path: Path) -> None:
    output = tmp_path / "empty.html"
    assert cli.main(["report", "--customer-id", DEMO_CUSTOMERS["empty"], "--last", "7d", "--output", str(output)]) == 0
    text = output.read_text(encoding="utf-8")
    assert "No calls match" in text and "Data: all 0 calls the API reports" in text
    assert "Nothing to compare" in text


@pytest.mark.usefixtures("clean_app")
def test_needs_attention_in_the_report_is_the_overviews(
    tmp_path: Path, simulator: RunningSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The standard demo customer's story week (21–27 Nov 2026): the report lists what the Overview lists, on
    the morning after it (both clocks pinned)."""
    monkeypatch.setattr(overview, "clock", lambda: datetime(2026, 11, 28, 9, tzinfo=UTC))
    at = run_app(start="2026-11-21", end="2026-11-27")
    assert_no_exception(at)
    listed = [label for label, _ in attention_links(at)]
    output = tmp_path / "story.html"
    args = cli.build_parser().parse_args(["report", "--customer-id", STANDARD, "--last", "7d", "--output", str(output)])
    environ = {"CARECYCLE_API_KEY": DEMO_API_KEY, "CARECYCLE_BASE_URL": simulator.base_url}
    assert report_cli.run(args, environ=environ, stderr=io.StringIO(), now=datetime(2026, 11, 28, 9, tzinfo=UTC)) == 0
    text = output.read_text(encoding="utf-8")
    lines = [html.unescape(line) for line in re.findall(r"<li>(.*?)</li>", text)]
    assert lines == listed
    assert lines[0].startswith("Called after Do Not Call: 1 number")  # first whatever the period
    assert lines[1].startswith("Pipeline Error: ")
    assert "Comparing 21–27 Nov 2026 against 14–20 Nov 2026." in text


@pytest.mark.usefixtures("clean_app")
def test_a_week_past_the_newest_call_says_the_calls_stopped_and_lists_what_the_overview_lists(
    tmp_path: Path, simulator: RunningSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`report --last 7d` on 3 Dec 2026, six days after the demo's newest call (27 Nov): 26 Nov – 2 Dec,
    compared over 26–27 Nov against 24–25 Nov; the Overview on the same days at the same time agrees."""
    now = datetime(2026, 12, 3, 9, tzinfo=UTC)
    monkeypatch.setattr(overview, "clock", lambda: now)
    at = run_app(start="2026-11-26", end="2026-12-02")
    assert_no_exception(at)
    shown = [plain(link.proto.label) for link in at.get("page_link")]
    output = tmp_path / "stopped.html"
    args = cli.build_parser().parse_args(["report", "--customer-id", STANDARD, "--last", "7d", "--output", str(output)])
    environ = {"CARECYCLE_API_KEY": DEMO_API_KEY, "CARECYCLE_BASE_URL": simulator.base_url}
    assert report_cli.run(args, environ=environ, stderr=io.StringIO(), now=now) == 0
    text = output.read_text(encoding="utf-8")
    lines = [html.unescape(line) for line in re.findall(r"<li>(.*?)</li>", text)]
    assert lines[0] == "No calls since 27 Nov 2026 (6 days)" == shown[shown.index(lines[0])]
    assert lines[1:] == [label for label, _ in attention_links(at)]
    assert not any(line.startswith("Volume") for line in lines)
    assert "<title>CareCycle calls report: 26 Nov – 2 Dec 2026 (UTC)</title>" in text
    assert (
        "Comparing 26–27 Nov 2026 against 24–25 Nov 2026, compared over the 2 days with calls. Calls stopped on its "
        "last day, so volume is not judged."
    ) in text
