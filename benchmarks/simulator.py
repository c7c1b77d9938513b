"""How fast is the simulator itself? Generation, the first page of a cold customer (the large one is drawn a day
at a time, newest first: its first page in the default order should come within 1 s), the server's cost per
page, and raw concurrent paging (plain httpx, no loader) against the latency bound.

The server runs in its own process for the HTTP figures, so the client's CPU is not the server's.

    .venv/bin/python benchmarks/simulator.py [--latency-ms 40] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import math
import os
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from carecycle_dash.api.contract import (  # noqa: E402
    API_KEY_HEADER,
    CALLS_PATH,
    PARAM_LIMIT,
    PARAM_PAGE,
    PARAM_SORT_BY,
)
from carecycle_dash.simulator import DEMO_API_KEY, DEMO_CUSTOMER_SIZES, DEMO_CUSTOMERS, generate_calls  # noqa: E402

SERVER_SCRIPT = textwrap.dedent(
    """
    import sys
    from carecycle_dash.simulator import SimulatorConfig, start_simulator
    sim = start_simulator(SimulatorConfig(latency_ms=float(sys.argv[1])))  # today's data, by the real clock
    print(sim.base_url, flush=True)
    sys.stdin.read()
    sim.stop()
    """
)


def timed(action: object) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of one call of `action`."""
    wall, cpu = time.perf_counter(), time.process_time()
    action()  # type: ignore[operator]
    return time.perf_counter() - wall, time.process_time() - cpu


def start_server(latency_ms: float) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-c", SERVER_SCRIPT, str(latency_ms)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        cwd=REPO_ROOT,
    )
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def page_url(base_url: str, name: str) -> str:
    return base_url + CALLS_PATH.format(customer_id=DEMO_CUSTOMERS[name])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=40.0)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args(argv)
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} (other work skews wall times)")

    for name in ("standard", "large"):
        size = DEMO_CUSTOMER_SIZES[name]
        wall, cpu = timed(lambda n=name, s=size: generate_calls(DEMO_CUSTOMERS[n], s, 20261128))
        print(f"generate_calls {name:<8} {size:>7,} calls: {wall:6.2f} s wall, {cpu:6.2f} s CPU")

    headers = {API_KEY_HEADER: DEMO_API_KEY}
    process, base_url = start_server(0)
    try:
        with httpx.Client(headers=headers, timeout=120) as client:
            client.get(page_url(base_url, "small"))
            for name in ("standard", "large"):
                wall, _ = timed(lambda n=name: client.get(page_url(base_url, n)).raise_for_status())
                print(f"first page of cold {name:<8} (newest first; generate, serialize, sort): {wall:6.2f} s")

            def every_page_newest_first() -> None:
                page: int | None = 1
                while page is not None:
                    params = {PARAM_PAGE: page, PARAM_LIMIT: 100}
                    page = client.get(page_url(base_url, "large"), params=params).raise_for_status().json()["nextPage"]

            wall, _ = timed(every_page_newest_first)
            print(f"then every page of large, 100 at a time, newest first (drawing the other days): {wall:6.2f} s")
            sorted_by_duration = {PARAM_SORT_BY: "duration"}
            wall, _ = timed(lambda: client.get(page_url(base_url, "large"), params=sorted_by_duration))
            print(f"first page of large sorted by duration (sorts every call once): {wall:6.2f} s")
            samples = []
            for page in range(1, 201):
                started = time.perf_counter()
                client.get(page_url(base_url, "large"), params={PARAM_PAGE: page, PARAM_LIMIT: 100})
                samples.append(time.perf_counter() - started)
            print(
                f"warm page of 100 calls, one at a time: median {statistics.median(samples) * 1000:.1f} ms, "
                f"p95 {sorted(samples)[189] * 1000:.1f} ms (client parse excluded, HTTP round trip included)"
            )
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=30)

    process, base_url = start_server(args.latency_ms)
    try:
        limits = httpx.Limits(max_connections=args.concurrency * 2)
        with httpx.Client(headers=headers, timeout=120, limits=limits) as client:
            client.get(page_url(base_url, "large"), params={PARAM_SORT_BY: "duration"})  # draw every day first
            pages = math.ceil(DEMO_CUSTOMER_SIZES["large"] / 100)

            def fetch(page: int) -> int:
                response = client.get(page_url(base_url, "large"), params={PARAM_PAGE: page, PARAM_LIMIT: 100})
                response.raise_for_status()
                return len(response.content)

            started = time.perf_counter()
            with concurrent.futures.ThreadPoolExecutor(args.concurrency) as pool:
                received = sum(pool.map(fetch, range(1, pages + 1)))
            wall = time.perf_counter() - started
        bound = math.ceil(pages / args.concurrency) * args.latency_ms / 1000
        print(
            f"raw paging of 100,000 calls, {pages} pages, {args.concurrency} concurrent, {args.latency_ms:.0f} ms "
            f"latency: {wall:.2f} s vs bound {bound:.2f} s = {wall / bound:.2f}x ({received / 1e6:.0f} MB, bodies not "
            "parsed)"
        )
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
