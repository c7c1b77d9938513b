"""`python -m carecycle_dash simulate`: prints the demo keys and customers, serves, stops on Ctrl-C."""

from __future__ import annotations

import argparse
import io
import signal
import subprocess
import sys
import threading
import time

import httpx
import pytest

from carecycle_dash.api.contract import API_KEY_HEADER, CALLS_PATH
from carecycle_dash.simulator import DEMO_API_KEY, DEMO_CUSTOMER_SIZES, DEMO_CUSTOMERS, LIMITED_API_KEY
from carecycle_dash.simulator import cli as simulator_cli
from tests.support.servers import REPO_ROOT, free_port


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    simulator_cli.register(commands)
    return parser.parse_args(["simulate", *argv])


def test_options_become_the_simulator_config() -> None:
    args = _parse("--port", "0", "--latency-ms", "40", "--fault-rate", "0.1", "--fault-kinds", "500,drop",
                  "--rate-limit", "5", "--drift-calls", "3", "--seed", "9")  # fmt: skip
    config = simulator_cli.config_from(args)
    assert (config.latency_ms, config.fault_rate, config.fault_kinds) == (40, 0.1, ("500", "drop"))
    assert (config.rate_limit_per_s, config.drift_calls, config.seed) == (5, 3, 9)
    assert args.run is simulator_cli.run


@pytest.mark.server
def test_run_prints_keys_and_customers_and_serves_until_stopped() -> None:
    args = _parse("--port", "0")
    stop = threading.Event()
    out = io.StringIO()
    codes: list[int] = []
    worker = threading.Thread(target=lambda: codes.append(simulator_cli.run(args, stop=stop, out=out)))
    worker.start()
    deadline = time.monotonic() + 10
    while "Ctrl-C" not in out.getvalue() and time.monotonic() < deadline:
        time.sleep(0.02)
    text = out.getvalue()
    stop.set()
    worker.join(timeout=10)
    assert codes == [0]
    assert DEMO_API_KEY in text and LIMITED_API_KEY in text
    for name, customer_id in DEMO_CUSTOMERS.items():
        assert customer_id in text and name in text
        assert f"{DEMO_CUSTOMER_SIZES[name]:,} calls" in text


def test_an_impossible_option_exits_with_an_error() -> None:
    assert simulator_cli.run(_parse("--port", "0", "--fault-rate", "3"), out=io.StringIO()) == 2


@pytest.mark.server
def test_the_module_command_serves_on_the_port_and_stops_on_ctrl_c() -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "carecycle_dash", "simulate", "--port", str(port)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            lines.append(line)
            if "Ctrl-C" in line:
                break
        assert f"http://127.0.0.1:{port}" in lines[0]
        url = f"http://127.0.0.1:{port}" + CALLS_PATH.format(customer_id=DEMO_CUSTOMERS["small"])
        response = httpx.get(url, headers={API_KEY_HEADER: DEMO_API_KEY}, timeout=10)
        assert response.status_code == 200
        assert response.json()["itemsTotal"] == DEMO_CUSTOMER_SIZES["small"]
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0  # a busy CI machine may take a while to stop it
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
