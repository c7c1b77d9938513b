"""What the call store saves after a restart, for the 100,000-call demo customer, with the simulator in its
own process at 40 ms a request.

It loads the customer through the dashboard's own loader (ui/loading.py) with a temporary store, waits for the
background write, forgets everything in memory (as a restart does), and opens the customer again. Figures:
requests and time of the first load and of the reopening (target: the re-check window's pages only, at most
3 s of server time to a frame), the store's write time, read+decrypt time and frame time, and its size on
disk per 100,000 calls.

With `--server`, then the memory target, as deployed: `sh scripts/serve` (the container's command, with its
allocator settings) with that store, the server's resident memory idle, with the customer loaded and one
viewer (a Chromium session) on the Overview once the store write is over, and again after a restart of the
server (the customer reopened from the store), with each session's first chart and the server's part of it
(the end of its first script run; benchmarks/hosting.py measures these the same way).

    .venv/bin/python benchmarks/store.py [--latency-ms 40] [--store-url postgresql://...] [--server]
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
from carecycle_dash.data.kept import opened, snapshot_of  # noqa: E402
from carecycle_dash.simulator import DEMO_API_KEY, DEMO_CUSTOMERS  # noqa: E402
from carecycle_dash.store import entry_for  # noqa: E402
from carecycle_dash.ui import loading  # noqa: E402

CUSTOMER = DEMO_CUSTOMERS["large"]
STEADY_MIN_S = 8.0
"""The store write after a load (about 2-4 s on a shared machine) ends, and its memory goes back, within this."""
STEADY_MAX_S = 60.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency-ms", type=float, default=40.0)
    parser.add_argument("--store-url", help="a PostgreSQL URL to measure instead of a temporary SQLite file")
    parser.add_argument("--server", action="store_true", help="also measure a streamlit server's memory")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="carecycle-store-bench-") as folder:
        path = Path(folder) / "store.db"
        os.environ["CARECYCLE_STORE_URL"] = options.store_url or f"sqlite://{path}"
        with simulator_process(options.latency_ms, {}, [CUSTOMER]) as base_url:
            run(base_url, path if options.store_url is None else None, options.latency_ms)
            if options.server:
                server_memory(base_url, Path(folder), options.store_url or f"sqlite://{Path(folder) / 'server.db'}")


def server_memory(base_url: str, folder: Path, store_url: str) -> None:
    """Resident memory of a server idle, with the customer loaded and one viewer on the Overview, and after a
    restart (the customer from the store)."""
    from playwright.sync_api import sync_playwright

    from benchmarks.hosting import CHROMIUM, CHROMIUM_ARGS, first_chart_s, new_browser, page_sent_s, rss_mb
    from benchmarks.hosting import settled_rss_mb as settled
    from tests.support.servers import REPO_ROOT, RunningApp, free_port, serve

    def start(log_dir: Path) -> RunningApp:
        """The server as the container starts it: `sh scripts/serve` (so with its allocator settings), on a
        loopback port, with this venv's python and that store."""
        port = free_port()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("CARECYCLE_")},
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "CARECYCLE_API_KEY": DEMO_API_KEY,
            "CARECYCLE_BASE_URL": base_url,
            "CARECYCLE_STORE_URL": store_url,
            "STREAMLIT_SERVER_PORT": str(port),
            "STREAMLIT_SERVER_ADDRESS": "127.0.0.1",
            "STREAMLIT_SERVER_ALLOWED_HOSTS": "127.0.0.1",
            "STREAMLIT_SERVER_HEADLESS": "true",
            "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
        }
        log_dir.mkdir(parents=True, exist_ok=True)
        return serve(["sh", "scripts/serve"], port, cwd=REPO_ROOT, env=env, log_path=log_dir / f"serve-{port}.log")

    def steady(app: RunningApp) -> float:
        """Resident memory once the load's background store write is over and memory went back to the system:
        read every second until it stays within 2 MB for 3 s (at least STEADY_MIN_S, at most STEADY_MAX_S)."""
        started, readings = time.monotonic(), [rss_mb(app.process.pid)]
        while time.monotonic() - started < STEADY_MAX_S:
            time.sleep(1)
            readings.append(rss_mb(app.process.pid))
            last = readings[-4:]
            if time.monotonic() - started >= STEADY_MIN_S and len(last) == 4 and max(last) - min(last) < 2:
                break
        return readings[-1]

    print("server (sh scripts/serve, as the container starts it; one Chromium viewer on the Overview):")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for label in ("first start (API)", "after a restart (store)"):
            app = start(folder / "logs")
            try:
                idle = settled(app)
                context = new_browser(browser)
                page = context.new_page()
                page.goto(f"{app.url}/?customer_id={CUSTOMER}", wait_until="commit")
                chart, sent = first_chart_s(page), page_sent_s(page)
                loaded = steady(app)
                print(
                    f"  {label}: idle {idle:.0f} MB, loaded + viewer {loaded:.0f} MB "
                    f"(+{loaded - idle:.0f} MB, target <= 300); first chart {chart:.1f} s, page sent {sent:.1f} s"
                )
                context.close()
            finally:
                app.stop()
        browser.close()


def run(base_url: str, path: Path | None, latency_ms: float) -> None:
    settings = Settings(DEMO_API_KEY, base_url, "environment")
    st.cache_resource.clear()

    started = time.perf_counter()
    first = loading.load_calls(settings, CUSTOMER)
    first_s = time.perf_counter() - started
    kept = loading.kept_calls().store
    assert kept is not None
    calls = len(first.all_calls)  # about DEMO_CUSTOMER_SIZES["large"]: the simulator adds and deletes some
    started = time.perf_counter()
    kept.flush(600)
    background_s = time.perf_counter() - started

    entry = entry_for(base_url, CUSTOMER, DEMO_API_KEY)
    started = time.perf_counter()
    snapshot = snapshot_of(first.result, first.frame, first.loaded_at)
    table_s = time.perf_counter() - started
    started = time.perf_counter()
    assert kept.write(entry, DEMO_API_KEY, snapshot)
    write_s = time.perf_counter() - started
    started = time.perf_counter()
    read = kept.read(entry, DEMO_API_KEY)
    read_s = time.perf_counter() - started
    assert read is not None and read.calls == calls
    started = time.perf_counter()
    opened(read)
    frame_s = time.perf_counter() - started
    started = time.perf_counter()
    build_frame(list(first.result.calls))
    build_s = time.perf_counter() - started
    size = kept.entries()[0].size
    del read, first, snapshot

    st.cache_resource.clear()  # a restart: nothing in memory, the same store
    started = time.perf_counter()
    again = loading.load_calls(settings, CUSTOMER)
    reopen_s = time.perf_counter() - started
    assert again.source == "store" and len(again.all_calls) >= calls, (again.source, len(again.all_calls))
    reopen_requests = again.result.requests
    loading.kept_calls().store.flush(600)  # type: ignore[union-attr]
    st.cache_resource.clear()

    print(f"100,000-call demo customer, simulator in its own process at {latency_ms:g} ms a request")
    print(f"  first load (API, every page):     {first_s:6.2f} s, {calls // 100 + 0:,} pages")
    print(f"  reopening after a restart:        {reopen_s:6.2f} s, {reopen_requests} request(s) (target <= 3 s)")
    print(f"  frame to Arrow table:             {table_s:6.2f} s")
    print(
        f"  store write (seal + put):         {write_s:6.2f} s (background write after the load: {background_s:.2f} s)"
    )
    print(f"  store read + decrypt + decode:    {read_s:6.2f} s")
    print(f"  frame from the stored table:      {frame_s:6.2f} s (building it from the calls: {build_s:.2f} s)")
    print(f"  entry size:                       {size / 1e6:6.1f} MB per {calls:,} calls")
    if path is not None:
        on_disk = sum(p.stat().st_size for p in path.parent.iterdir())
        print(f"  store file(s) on disk:            {on_disk / 1e6:6.1f} MB")


if __name__ == "__main__":
    main()
