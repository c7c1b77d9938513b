"""What the call store saves after a restart, for the 100,000-call demo customer, with the simulator in its
own process at 40 ms a request.

It loads the customer through the dashboard's own loader (ui/loading.py) with a temporary store, waits for the
background write, forgets everything in memory (as a restart does), and opens the customer again. Figures:
requests and time of the first load and of the reopening (target: the re-check window's pages only, at most
3 s of server time to a frame), the store's write time, read+decrypt time and frame time, and its size on
disk per 100,000 calls.

    .venv/bin/python benchmarks/store.py [--latency-ms 40] [--store-url postgresql://...]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

import streamlit as st  # noqa: E402

from benchmarks.simulator_process import simulator_process  # noqa: E402
from carecycle_dash.api.config import Settings  # noqa: E402
from carecycle_dash.data.frame import build_frame  # noqa: E402
from carecycle_dash.simulator import DEMO_API_KEY, DEMO_CUSTOMER_SIZES, DEMO_CUSTOMERS  # noqa: E402
from carecycle_dash.store import Snapshot, entry_for  # noqa: E402
from carecycle_dash.ui import loading  # noqa: E402

CUSTOMER = DEMO_CUSTOMERS["large"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency-ms", type=float, default=40.0)
    parser.add_argument("--store-url", help="a PostgreSQL URL to measure instead of a temporary SQLite file")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="carecycle-store-bench-") as folder:
        path = Path(folder) / "store.db"
        os.environ["CARECYCLE_STORE_URL"] = options.store_url or f"sqlite://{path}"
        with simulator_process(options.latency_ms, {}, [CUSTOMER]) as base_url:
            run(base_url, path if options.store_url is None else None, options.latency_ms)


def run(base_url: str, path: Path | None, latency_ms: float) -> None:
    settings = Settings(DEMO_API_KEY, base_url, "environment")
    calls = DEMO_CUSTOMER_SIZES["large"]
    st.cache_resource.clear()

    started = time.perf_counter()
    first = loading.load_calls(settings, CUSTOMER)
    first_s = time.perf_counter() - started
    kept = loading.kept_calls().store
    assert kept is not None and len(first.all_calls) == calls
    started = time.perf_counter()
    kept.flush(600)
    background_s = time.perf_counter() - started

    entry = entry_for(base_url, CUSTOMER, DEMO_API_KEY)
    snapshot = Snapshot(first.result, first.loaded_at)
    started = time.perf_counter()
    assert kept.write(entry, DEMO_API_KEY, snapshot)
    write_s = time.perf_counter() - started
    started = time.perf_counter()
    read = kept.read(entry, DEMO_API_KEY)
    read_s = time.perf_counter() - started
    assert read is not None and len(read.result.calls) == calls
    started = time.perf_counter()
    build_frame(read.result.calls)
    frame_s = time.perf_counter() - started
    size = kept.entries()[0].size
    del read, first, snapshot

    st.cache_resource.clear()  # a restart: nothing in memory, the same store
    started = time.perf_counter()
    again = loading.load_calls(settings, CUSTOMER)
    reopen_s = time.perf_counter() - started
    assert again.source == "store" and len(again.all_calls) == calls
    reopen_requests = again.result.requests
    loading.kept_calls().store.flush(600)  # type: ignore[union-attr]
    st.cache_resource.clear()

    print(f"100,000-call demo customer, simulator in its own process at {latency_ms:g} ms a request")
    print(f"  first load (API, every page):     {first_s:6.2f} s, {calls // 100 + 0:,} pages")
    print(f"  reopening after a restart:        {reopen_s:6.2f} s, {reopen_requests} request(s) (target <= 3 s)")
    print(
        f"  store write (seal + put):         {write_s:6.2f} s (background write after the load: {background_s:.2f} s)"
    )
    print(f"  store read + decrypt + decode:    {read_s:6.2f} s")
    print(f"  frame from the read calls:        {frame_s:6.2f} s")
    print(f"  entry size:                       {size / 1e6:6.1f} MB per {calls:,} calls")
    if path is not None:
        on_disk = sum(p.stat().st_size for p in path.parent.iterdir())
        print(f"  store file(s) on disk:            {on_disk / 1e6:6.1f} MB")


if __name__ == "__main__":
    main()
