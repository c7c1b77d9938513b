"""Two replicas on one PostgreSQL call store: how fast does replica 2 open the 100,000-call demo customer that
replica 1 loaded, and what does it ask the API for?

A throwaway PostgreSQL cluster (tests/support/postgres.py), the simulator in this process at 40 ms a request
(so its requests can be counted), and two `streamlit run` replicas with the same CARECYCLE_STORE_URL, key and
base URL (tests/support/replicas.py). Replica 1 loads the customer in Chromium and keeps it; then replica 2 is
started afresh `--repeats` times (nothing in its memory), warmed by one page without a customer (as a replica
serving others has imported everything), and opens the customer in a new browser each time. Figures:

- time to the first chart (from the start of navigation) and the server's part: from the app's frontend being
  up to the end of the first script run, the page sent (target: at most 3 s); the replica's CPU seconds;
- requests to the API (target: the re-check window's pages only, at most 10);
- the store's size: the sealed entry, the table on disk and the whole database;
- where replica 2's time goes: the same entry read here (fetch, decrypt, decode) and its frame built, in this
  process, wall and CPU seconds.

    .venv/bin/python benchmarks/replicas.py [--latency-ms 40] [--repeats 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from playwright.sync_api import Browser, sync_playwright  # noqa: E402

from benchmarks.hosting import CHROMIUM, CHROMIUM_ARGS, LARGE, cpu_s, first_chart_s, new_browser  # noqa: E402
from carecycle_dash.data.frame import build_frame  # noqa: E402
from carecycle_dash.simulator import DEMO_API_KEY, SimulatorConfig, start_simulator  # noqa: E402
from carecycle_dash.store import StoreSettings, entry_for, open_store  # noqa: E402
from tests.support.postgres import start_cluster  # noqa: E402
from tests.support.replicas import Replicas, start_replicas, wait_until_kept  # noqa: E402


def open_once(browser: Browser, replicas: Replicas, replica: int) -> tuple[float, float, float, int]:
    """Open the customer on `replica` in a new browser: (first chart s, server's part s, replica CPU s, requests)."""
    app = replicas.apps[replica - 1]
    requests, cpu = replicas.page_requests(), cpu_s(app.process.pid)
    context = new_browser(browser)
    page = context.new_page()
    page.goto(replicas.url(replica, LARGE), wait_until="commit")
    chart = first_chart_s(page)
    page.wait_for_function("window.__pageSent !== undefined", timeout=300_000, polling=100)
    server = float(page.evaluate("window.__pageSent - window.__appStarted")) / 1000
    context.close()
    return chart, server, cpu_s(app.process.pid) - cpu, replicas.page_requests() - requests


def warm(browser: Browser, replicas: Replicas, replica: int) -> None:
    """One page without a customer: the replica's first script run imports the app's modules."""
    context = new_browser(browser)
    page = context.new_page()
    page.goto(replicas.apps[replica - 1].url, wait_until="commit")
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=300_000)
    context.close()


def read_breakdown(replicas: Replicas) -> None:
    """The entry replica 2 reads, read and framed here: the store's part of its time."""
    store = open_store(StoreSettings("postgresql", replicas.store_url))
    assert store is not None
    entry = entry_for(replicas.simulator.base_url, LARGE, DEMO_API_KEY)
    wall, cpu = time.perf_counter(), time.process_time()
    snapshot = store.read(entry, DEMO_API_KEY)
    read_wall, read_cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert snapshot is not None
    wall, cpu = time.perf_counter(), time.process_time()
    build_frame(snapshot.result.calls)
    frame_wall, frame_cpu = time.perf_counter() - wall, time.process_time() - cpu
    store.close()
    print(f"   of which the store's read (fetch + decrypt + decode): {read_wall:.1f} s ({read_cpu:.1f} s CPU)")
    print(f"   and the frame from the read calls: {frame_wall:.1f} s ({frame_cpu:.1f} s CPU)")


def store_sizes(url: str) -> tuple[int, int, int]:
    """(sealed entries' bytes, call_entries on disk with its TOAST, the whole database) in bytes."""
    with psycopg.connect(url, autocommit=True) as connection:
        row = connection.execute(
            "SELECT (SELECT COALESCE(SUM(size), 0) FROM call_entries), pg_total_relation_size('call_entries'), "
            "pg_database_size(current_database())"
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2])


def describe(values: list[float]) -> str:
    return f"[{', '.join(f'{v:.1f}' for v in values)}] s (median {statistics.median(values):.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency-ms", type=float, default=40.0)
    parser.add_argument("--repeats", type=int, default=3, help="fresh starts of replica 2, each opening once")
    args = parser.parse_args()
    cluster = start_cluster()
    try:
        with (
            start_simulator(SimulatorConfig(latency_ms=args.latency_ms)) as simulator,
            TemporaryDirectory() as logs,
            sync_playwright() as playwright,
        ):
            simulator.warm(LARGE)
            replicas = start_replicas(Path(logs), cluster.new_database(), simulator)
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                run(browser, replicas, args.latency_ms, args.repeats)
            finally:
                browser.close()
                replicas.stop()
    finally:
        cluster.stop()
        shutil.rmtree(cluster.root, ignore_errors=True)


def run(browser: Browser, replicas: Replicas, latency_ms: float, repeats: int) -> None:
    calls = replicas.simulator.items_total(LARGE)
    print(f"simulator latency {latency_ms:g} ms a request; customer {LARGE} ({calls:,} calls)", flush=True)
    chart, server, cpu, requests = open_once(browser, replicas, 1)
    started = time.monotonic()
    wait_until_kept(replicas.store_url, LARGE, calls, timeout_s=600)
    kept_s = time.monotonic() - started
    print(f"replica 1 loads it: first chart {chart:.1f} s (server's part {server:.1f} s, CPU {cpu:.1f} s), ")
    print(f"   {requests} requests; kept in the store {kept_s:.1f} s after the first chart", flush=True)
    entry, table, database = store_sizes(replicas.store_url)
    print(f"store: sealed entry {entry / 1e6:.1f} MB; call_entries on disk {table / 1e6:.1f} MB; ")
    print(f"   database {database / 1e6:.1f} MB")
    charts, servers, cpus, counts = [], [], [], []
    for _ in range(repeats):
        replicas.restart(2)
        warm(browser, replicas, 2)
        chart, server, cpu, requests = open_once(browser, replicas, 2)
        charts.append(chart)
        servers.append(server)
        cpus.append(cpu)
        counts.append(requests)
    print(f"replica 2 (fresh process, {repeats}x) opens it from the store:")
    print(f"   first chart {describe(charts)}; server's part {describe(servers)} (target <= 3 s)")
    print(f"   replica CPU {describe(cpus)}; requests to the API {counts} (target <= 10)")
    read_breakdown(replicas)


if __name__ == "__main__":
    main()
