"""How fast and how lean is `load_all_calls` against the simulator at 40 ms a request?

The simulator runs in its own process, so its CPU and memory are not the loader's. For 10,000 and 100,000
calls it measures the loader (concurrency 8), a page-after-page loop, the latency bound
(1 + ceil((pages - 1) / N)) x latency, and the loader's peak Python memory (tracemalloc) against the bytes
of JSON received. Targets: >= 5x the loop at 10,000 calls, within 1.3x of the bound, peak memory at
100,000 calls <= 3x the JSON bytes.

    .venv/bin/python benchmarks/fetch_all.py [--sizes 10000 100000] [--latency-ms 40] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import statistics
import sys
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

import httpx  # noqa: E402

from benchmarks.simulator_process import simulator_process  # noqa: E402
from carecycle_dash.api.client import CallsClient  # noqa: E402
from carecycle_dash.api.full_load import load_all_calls  # noqa: E402
from carecycle_dash.simulator import DEMO_API_KEY, DEMO_CUSTOMER_SIZES, DEMO_CUSTOMERS  # noqa: E402

PAGE_SIZE = 100
EXTRA_CUSTOMER_PREFIX = "b0000000-0000-4000-8000-"


@dataclass
class Row:
    calls: int
    pages: int
    loader_s: float
    loop_s: float
    bound_s: float
    bare_s: float
    peak_bytes: int
    json_bytes: int
    requests: int

    @property
    def speedup(self) -> float:
        return self.loop_s / self.loader_s

    @property
    def over_bound(self) -> float:
        return self.loader_s / self.bound_s

    @property
    def memory_ratio(self) -> float:
        return self.peak_bytes / self.json_bytes


def customer_for(size: int) -> tuple[str, dict[str, int]]:
    """A demo customer of exactly `size` calls if there is one, else an extra customer made for the run."""
    for name, count in DEMO_CUSTOMER_SIZES.items():
        if count == size:
            return DEMO_CUSTOMERS[name], {}
    customer_id = f"{EXTRA_CUSTOMER_PREFIX}{size:012d}"
    return customer_id, {customer_id: size}


def page_after_page(client: CallsClient, customer_id: str) -> int:
    """The naive loader: ask for page 1, 2, 3... until the last one, one at a time."""
    first = client.fetch_page(customer_id, page=1, limit=PAGE_SIZE)
    calls = list(first["items"])
    pages = max(1, math.ceil(first["itemsTotal"] / PAGE_SIZE))
    for page in range(2, pages + 1):
        calls.extend(client.fetch_page(customer_id, page=page, limit=PAGE_SIZE)["items"])
    return len(calls)


def bare_threads(base_url: str, customer_id: str, pages: int, concurrency: int) -> float:
    """The floor this server and machine allow: N threads of bare httpx GET + json.loads, no checks or retries."""
    headers = {"x-api-key": DEMO_API_KEY}
    limits = httpx.Limits(max_connections=max(16, concurrency))
    with httpx.Client(base_url=base_url, headers=headers, limits=limits) as http:
        url = f"/v2/customers/{customer_id}/calls"

        def get(page: int) -> int:
            return len(json.loads(http.get(url, params={"page": page, "limit": PAGE_SIZE}).content)["items"])

        get(1)
        with ThreadPoolExecutor(concurrency) as pool:
            started = time.perf_counter()
            get(1)
            sum(pool.map(get, range(2, pages + 1)))
            return time.perf_counter() - started


def measure(base_url: str, customer_id: str, size: int, latency_s: float, concurrency: int, runs: int) -> Row:
    """The loader's median wall time over `runs`, one page-after-page loop, one traced load for memory."""
    with CallsClient(DEMO_API_KEY, base_url, max_connections=max(16, concurrency)) as client:
        client.fetch_page(customer_id, page=1, limit=PAGE_SIZE)  # connect once before timing

        timings = []
        for _ in range(runs):
            gc.collect()
            started = time.perf_counter()
            result = load_all_calls(client, customer_id, concurrency=concurrency, page_size=PAGE_SIZE)
            timings.append(time.perf_counter() - started)
            assert len(result.calls) == size, (len(result.calls), size)
            pages, requests = result.pages, result.requests
            del result
        loader_s = statistics.median(timings)

        bare_s = statistics.median(bare_threads(base_url, customer_id, pages, concurrency) for _ in range(runs))

        gc.collect()
        started = time.perf_counter()
        assert page_after_page(client, customer_id) == size
        loop_s = time.perf_counter() - started

        gc.collect()
        tracemalloc.start()
        result = load_all_calls(client, customer_id, concurrency=concurrency, page_size=PAGE_SIZE)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        json_bytes = result.bytes_received
        del result

    bound_s = (1 + math.ceil((pages - 1) / concurrency)) * latency_s
    return Row(size, pages, loader_s, loop_s, bound_s, bare_s, peak, json_bytes, requests)


def print_table(rows: list[Row], concurrency: int) -> None:
    header = (
        f"{'calls':>8} {'pages':>6} {'loader s':>9} {'loop s':>8} {'speedup':>8} {'bound s':>8} {'x bound':>8} "
        f"{'bare s':>7} {'JSON MB':>8} {'peak MB':>8} {'x JSON':>7}"
    )
    print(f"\nload_all_calls, concurrency {concurrency}, simulator in its own process; loader s is a median")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} (other work skews wall times)")
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r.calls:>8,} {r.pages:>6,} {r.loader_s:>9.2f} {r.loop_s:>8.2f} {r.speedup:>7.1f}x {r.bound_s:>8.2f} "
            f"{r.over_bound:>7.2f}x {r.bare_s:>7.2f} {r.json_bytes / 1e6:>8.1f} {r.peak_bytes / 1e6:>8.1f} "
            f"{r.memory_ratio:>6.2f}x"
        )
    print("bare s: the same pages through N threads of bare httpx + json.loads (what this server allows)")
    print("\ntargets: speedup >= 5x at 10,000 calls; x bound <= 1.3; x JSON <= 3 at 100,000 calls")
    for r in rows:
        verdicts = []
        if r.calls == 10_000:
            verdicts.append(f"speedup {'met' if r.speedup >= 5 else 'MISSED'}")
        verdicts.append(f"bound {'met' if r.over_bound <= 1.3 else 'MISSED'}")
        if r.calls == 100_000:
            verdicts.append(f"memory {'met' if r.memory_ratio <= 3 else 'MISSED'}")
        print(f"  {r.calls:>8,}: " + ", ".join(verdicts))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--latency-ms", type=float, default=40.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3, help="loader runs per size; the median is reported")
    args = parser.parse_args(argv)

    customers = {size: customer_for(size) for size in args.sizes}
    extra = {k: v for _, more in customers.values() for k, v in more.items()}
    print(f"starting the simulator (generating {sum(args.sizes):,} calls)...", flush=True)
    with simulator_process(args.latency_ms, extra, [cid for cid, _ in customers.values()]) as base_url:
        rows = [
            measure(base_url, customer_id, size, args.latency_ms / 1000, args.concurrency, args.runs)
            for size, (customer_id, _) in customers.items()
        ]
    print_table(rows, args.concurrency)
    return 0


if __name__ == "__main__":
    sys.exit(main())
