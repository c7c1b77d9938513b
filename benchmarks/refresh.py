"""What each action costs at 100,000 calls and 40 ms a request: a full load, a sort change, a Reload after 50
new calls, and a load of the last 30 days; plus peak and resident memory of the loaded calls.

The simulator runs in its own process (its CPU and memory are not the dashboard's); this process does what the
dashboard does for each action: the loader, the typed frame (only the fresh rows after a reload), and the
local sort. Targets (issue 12): sort change 0 requests and under 0.5 s; reload at most 3 requests beyond the
re-check window's pages and under 1 s; since-load no more than 2 pages beyond the calls since.

    .venv/bin/python benchmarks/refresh.py [--calls 100000] [--latency-ms 40] [--new-calls 50] [--days 30]
"""

from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
import textwrap
import time
import tracemalloc
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from carecycle_dash.api.client import CallsClient  # noqa: E402
from carecycle_dash.api.full_load import load_all_calls  # noqa: E402
from carecycle_dash.api.paging import created_at, pages_for  # noqa: E402
from carecycle_dash.api.reload import DEFAULT_RECHECK, reload_calls  # noqa: E402
from carecycle_dash.data.filters import CallFilters, apply_filters  # noqa: E402
from carecycle_dash.data.frame import build_frame  # noqa: E402
from carecycle_dash.data.ordering import in_rank_order  # noqa: E402
from carecycle_dash.simulator import DEMO_API_KEY  # noqa: E402
from carecycle_dash.ui.loading import LoadedCalls, frame_for  # noqa: E402

PAGE_SIZE = 100
CUSTOMER_PREFIX = "c0000000-0000-4000-8000-"

# A simulator process that answers one command a line on stdin: "add N" (N newer calls), "pages" (page requests).
SERVER_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from carecycle_dash.simulator import SimulatorConfig, start_simulator
    customer, count, latency = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    sim = start_simulator(SimulatorConfig(latency_ms=latency, extra_customers={customer: count}))
    sim.warm(customer)
    print(sim.base_url, flush=True)
    for line in sys.stdin:
        command, _, argument = line.strip().partition(" ")
        if command == "add":
            print(sim.add_newer_calls(customer, int(argument)), flush=True)
        elif command == "pages":
            print(sim.stats.page_requests, flush=True)
    sim.stop()
    """
)


class Simulator:
    """The simulator process and its two commands."""

    def __init__(self, customer: str, count: int, latency_ms: float) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVER_SCRIPT, customer, str(count), str(latency_ms)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=REPO_ROOT,
        )
        self.base_url = self._answer()

    def _answer(self) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if not line:
            raise RuntimeError("the simulator process did not answer")
        return line

    def ask(self, command: str) -> int:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return int(self._answer())

    def stop(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


@dataclass
class Action:
    name: str
    requests: int
    seconds: float
    note: str = ""


def resident_mb() -> tuple[float, float]:
    """(resident now, peak resident) of this process in MB, from /proc."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def run(calls: int, latency_ms: float, new_calls: int, days: int) -> None:
    customer = f"{CUSTOMER_PREFIX}{calls:012d}"
    print(f"starting the simulator ({calls:,} calls, {latency_ms:g} ms a request)...", flush=True)
    sim = Simulator(customer, calls, latency_ms)
    actions: list[Action] = []
    try:
        with CallsClient(DEMO_API_KEY, sim.base_url, max_connections=16) as client:
            client.fetch_page(customer, page=1, limit=PAGE_SIZE)  # connect once before timing
            rss_before, _ = resident_mb()

            # 1. A full load: every page, then the typed frame. Traced for peak memory.
            gc.collect()
            tracemalloc.start()
            pages_before = sim.ask("pages")
            started = time.perf_counter()
            result = load_all_calls(client, customer, page_size=PAGE_SIZE)
            loaded = LoadedCalls(result, build_frame(result.calls), datetime.now(UTC), sim.base_url)
            loaded.rank("createdAt", "desc")  # the first view's order, as a page draws it
            full_s = time.perf_counter() - started
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            actions.append(Action("full load", sim.ask("pages") - pages_before, full_s, f"{len(result.calls):,} calls"))
            gc.collect()
            rss_loaded, rss_peak = resident_mb()

            # 2. A sort change: the local sort of every call and the filtered rows put in that order (the rest of a
            #    page's rerun is the same for every sort).
            pages_before = sim.ask("pages")
            filtered = apply_filters(loaded.all_calls, CallFilters(), keep_text=False)
            started = time.perf_counter()
            rows = in_rank_order(filtered.index, loaded.rank("duration", "asc"))
            sort_s = time.perf_counter() - started
            actions.append(Action("sort change", sim.ask("pages") - pages_before, sort_s, f"{len(rows):,} rows sorted"))
            for sort_by in ("createdAt", "disposition", "duration"):
                for order in ("asc", "desc"):
                    loaded.rank(sort_by, order)  # type: ignore[arg-type]
            rank_bytes = sum(rank.nbytes for rank in loaded._ranks.values())

            # 3. Reload after new calls: only the newest pages, merged; only the fresh rows parsed.
            times = [when for when in map(created_at, result.calls) if when is not None]
            newest = max(times)
            in_window = sum(1 for when in times if when >= newest - DEFAULT_RECHECK)
            window_pages = pages_for(in_window + new_calls, PAGE_SIZE)
            sim.ask(f"add {new_calls}")
            pages_before = sim.ask("pages")
            started = time.perf_counter()
            reloaded = reload_calls(client, customer, loaded.result, page_size=PAGE_SIZE)
            after = LoadedCalls(reloaded, frame_for(reloaded, loaded), datetime.now(UTC), sim.base_url)
            reload_s = time.perf_counter() - started
            assert reloaded.fallback is None and len(after.all_calls) == len(result.calls) + new_calls
            reload_requests = sim.ask("pages") - pages_before
            actions.append(
                Action(
                    f"reload, {new_calls} new",
                    reload_requests,
                    reload_s,
                    f"window: {in_window:,} calls + {new_calls} new = {window_pages} pages; "
                    f"{reload_requests - window_pages} beyond; now {len(after.all_calls):,}",
                )
            )
            del after, reloaded

            # 4. A since-load of the last `days` days (back from the newest call's day).
            since = datetime(newest.year, newest.month, newest.day, tzinfo=UTC) - timedelta(days=days)
            pages_before = sim.ask("pages")
            started = time.perf_counter()
            recent = load_all_calls(client, customer, page_size=PAGE_SIZE, since=since)
            since_frame = build_frame(recent.calls)
            since_s = time.perf_counter() - started
            since_requests = sim.ask("pages") - pages_before
            since_pages = pages_for(len(recent.calls), PAGE_SIZE)
            actions.append(
                Action(
                    f"{days}-day since-load",
                    since_requests,
                    since_s,
                    f"{len(recent.calls):,} calls since {since:%Y-%m-%d} = {since_pages} pages; "
                    f"{since_requests - since_pages} beyond",
                )
            )
            del since_frame
    finally:
        sim.stop()

    print(
        f"\n{calls:,} calls, {latency_ms:g} ms a request, concurrency 8; machine: {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f} (other work skews wall times)"
    )
    header = f"{'action':<22} {'requests':>9} {'seconds':>8}  detail"
    print(header)
    print("-" * 100)
    for action in actions:
        print(f"{action.name:<22} {action.requests:>9,} {action.seconds:>8.2f}  {action.note}")
    frame_mb = loaded.frame.df.memory_usage(deep=True).sum() / 1e6
    json_mb = result.bytes_received / 1e6
    print(f"\nmemory: peak traced during the full load {peak / 1e6:.0f} MB (JSON received {json_mb:.0f} MB)")
    print(f"resident: {rss_before:.0f} MB before, {rss_loaded:.0f} MB loaded, peak resident {rss_peak:.0f} MB")
    print(f"one copy per key: frame {frame_mb:.0f} MB; the six sorts add {rank_bytes / 1e6:.1f} MB of row ranks")

    sort, reload = actions[1], actions[2]
    verdicts = {
        "sort change: 0 requests, < 0.5 s": sort.requests == 0 and sort.seconds < 0.5,
        "reload: <= 3 requests beyond the window's pages, < 1 s": reload.requests - window_pages <= 3
        and reload.seconds < 1,
        "since-load: <= 2 pages beyond the calls since": since_requests - since_pages <= 2,
    }
    print("\ntargets:")
    for target, met in verdicts.items():
        print(f"  {target}: {'met' if met else 'MISSED'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--latency-ms", type=float, default=40.0)
    parser.add_argument("--new-calls", type=int, default=50)
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args(argv)
    run(args.calls, args.latency_ms, args.new_calls, args.days)
    return 0


if __name__ == "__main__":
    sys.exit(main())
