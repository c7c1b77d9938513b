"""Every `--output` target of `export`, `report` and `compliance` (cli/common.py, cli/output.py), run as a
person runs them (`python -m carecycle_dash` in a subprocess) against the simulator on loopback: standard
output, a symlink, a FIFO, a device, a read-only file; nothing clobbered, one line and exit 5 on failure."""

from __future__ import annotations

import csv
import io
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from carecycle_dash.api.contract import CALL_FIELDS
from carecycle_dash.cli.compliance import BREACH_COLUMNS
from carecycle_dash.simulator import DEMO_API_KEY, DEMO_CUSTOMERS, RunningSimulator
from tests.support.servers import REPO_ROOT

pytestmark = pytest.mark.server  # every test here talks to the simulator on a socket

SMALL = DEMO_CUSTOMERS["small"]
STANDARD = DEMO_CUSTOMERS["standard"]


def run(
    simulator: RunningSimulator, *argv: str, stdout: int | None = subprocess.PIPE, cwd: Path = REPO_ROOT
) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "CARECYCLE_API_KEY": DEMO_API_KEY, "CARECYCLE_BASE_URL": simulator.base_url}
    env["PYTHONPATH"] = str(REPO_ROOT)
    return subprocess.run(
        [sys.executable, "-m", "carecycle_dash", *argv],
        cwd=cwd,
        env=env,
        stdout=stdout,
        stderr=subprocess.PIPE,
        timeout=120,
        check=False,
    )


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def one_error_line(data: bytes) -> str:
    lines = data.decode("utf-8").splitlines()
    assert len(lines) == 1, data
    return lines[0]


def test_export_to_dash_writes_the_csv_to_standard_output_and_no_file(
    simulator: RunningSimulator, tmp_path: Path
) -> None:
    result = run(simulator, "export", "--customer-id", SMALL, "--output", "-", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = csv_rows(result.stdout)
    assert list(rows[0]) == list(CALL_FIELDS)
    assert len(rows) == simulator.items_total(SMALL)
    assert result.stderr.decode().startswith(f"Exported {len(rows)} calls to standard output (")
    assert os.listdir(tmp_path) == []


def test_compliance_to_dash_keeps_its_summary_out_of_the_csv(simulator: RunningSimulator, tmp_path: Path) -> None:
    result = run(simulator, "compliance", "--customer-id", STANDARD, "--output", "-", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = csv_rows(result.stdout)
    assert (list(rows[0]), len(rows)) == (list(BREACH_COLUMNS), 1)
    assert result.stderr.decode().startswith("Called after Do Not Call: 1 number, 1 outbound call (of 2,487 calls")
    assert os.listdir(tmp_path) == []


def test_report_to_dash_writes_the_html_to_standard_output(simulator: RunningSimulator, tmp_path: Path) -> None:
    result = run(simulator, "report", "--customer-id", SMALL, "--output", "-", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.lstrip().lower().startswith(b"<!doctype html>")
    assert result.stdout.rstrip().endswith(b"</html>")
    assert " to standard output (" in result.stderr.decode()
    assert os.listdir(tmp_path) == []


def test_standard_output_on_a_full_device_is_one_line_and_exit_5(simulator: RunningSimulator) -> None:
    with open("/dev/full", "wb") as full:
        result = run(simulator, "export", "--customer-id", SMALL, "--output", "-", stdout=full.fileno())
    assert result.returncode == 5
    assert one_error_line(result.stderr) == "error: Could not write to standard output: No space left on device."


@pytest.mark.parametrize("command", ["export", "report", "compliance"])
def test_dev_full_is_written_directly_one_line_and_exit_5_and_stays_a_device(
    simulator: RunningSimulator, command: str
) -> None:
    result = run(simulator, command, "--customer-id", SMALL, "--output", "/dev/full")
    assert result.returncode == 5
    assert one_error_line(result.stderr) == "error: Could not write '/dev/full': No space left on device."
    assert stat.S_ISCHR(os.lstat("/dev/full").st_mode)


def test_dev_null_is_written_and_stays_a_device(simulator: RunningSimulator) -> None:
    result = run(simulator, "export", "--customer-id", SMALL, "--output", "/dev/null")
    assert result.returncode == 0, result.stderr
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)


def test_a_fifo_receives_the_csv_and_stays_a_fifo(simulator: RunningSimulator, tmp_path: Path) -> None:
    fifo = tmp_path / "calls.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = run(simulator, "export", "--customer-id", SMALL, "--output", str(fifo))
    reader.join(timeout=30)
    assert result.returncode == 0, result.stderr
    assert len(csv_rows(received[0])) == simulator.items_total(SMALL)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert os.listdir(tmp_path) == ["calls.fifo"]


def test_a_symlink_stays_and_its_file_gets_the_csv(simulator: RunningSimulator, tmp_path: Path) -> None:
    (tmp_path / "exports").mkdir()
    real = tmp_path / "exports" / "2026-11-20.csv"
    real.write_text("yesterday's export")
    real.chmod(0o640)
    link = tmp_path / "latest.csv"
    link.symlink_to(real)
    result = run(simulator, "export", "--customer-id", SMALL, "--output", str(link))
    assert result.returncode == 0, result.stderr
    assert (link.is_symlink(), os.readlink(link)) == (True, str(real))
    assert len(csv_rows(real.read_bytes())) == simulator.items_total(SMALL)
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert (sorted(os.listdir(tmp_path)), os.listdir(tmp_path / "exports")) == (
        ["exports", "latest.csv"],
        ["2026-11-20.csv"],
    )


@pytest.mark.parametrize("command", ["export", "report", "compliance"])
def test_a_read_only_file_is_refused_with_exit_5_and_left_unchanged(
    simulator: RunningSimulator, tmp_path: Path, command: str
) -> None:
    target = tmp_path / "kept.out"
    target.write_text("yesterday's output")
    target.chmod(0o444)
    result = run(simulator, command, "--customer-id", SMALL, "--output", str(target))
    assert result.returncode == 5
    assert one_error_line(result.stderr) == f"error: Could not write '{target}': it is read-only (mode 0444)."
    assert (target.read_text(), stat.S_IMODE(target.stat().st_mode)) == ("yesterday's output", 0o444)
    assert os.listdir(tmp_path) == ["kept.out"]
