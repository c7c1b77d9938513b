"""How does one app process behave with many people on it? Real Chromium sessions against `streamlit run`.

The simulator runs in its own process (40 ms a request by default) so the app's memory is the app's alone;
the app reads it with the demo key, as a deployment reads the real API. Phases, each printed as it ends:

1. the same loaded customer (the 100,000-call demo customer): N = 1, 5, 10 sessions open at once; time to
   first chart per session, the server's resident memory before and after, memory per extra session
   (target: under 50 MB);
2. sessions on that loaded customer while another 100,000-call customer is loading (target: under 5 s):
   opened one after another during one load, then `--readers` at the same moment during another; each in a
   fresh browser (a first visit), or with `--returning` as tabs of a browser that opened the app before;
3. different customers: N = 1, 5, 10 sessions at once, each on its own 10,000-call customer;
4. a second app with a small `CARECYCLE_CACHE_MAX_MB`, opening customers one after another until they
   exceed it: resident memory after each, and whether the first one was evicted (it loads again).

Time to first chart is measured in the page: from the start of navigation to the first drawn chart of the
open tab (Vega's for the Overview's first tab, plotly's for the others), not a headline figure's trend line.
"Page sent" is when the server's first script run for the session ended, every element sent: the server's
part; the rest is the browser (on this machine, the same cores) drawing it.
Resident memory is psutil's RSS when installed, else VmRSS from /proc. On a shared machine wall times
mostly measure the other load, so the server's CPU seconds per phase are printed too (from /proc): they
say what a session costs whatever else runs, and so how many sessions a core serves. The browsers' CPU seconds
beside them say how much of these cores went to drawing pages, which people's own machines do in a deployment;
phase 2 adds the simulator's, the part of these cores the stand-in for the remote API took.

    .venv/bin/python benchmarks/hosting.py [--latency-ms 40] [--cache-mb 100] [--sessions 1 5 10] [--phases 1 2 3 4]
        [--readers 3] [--returning] [--split-cores]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from tempfile import TemporaryDirectory

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright  # noqa: E402

from benchmarks.simulator_process import simulator_process  # noqa: E402
from carecycle_dash.simulator import DEMO_API_KEY, DEMO_CUSTOMERS  # noqa: E402
from tests.support.servers import RunningApp, start_app  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu"]
LARGE = DEMO_CUSTOMERS["large"]
OTHER_LARGE = ("b1000000-0000-4000-8000-000000000001", "b1000000-0000-4000-8000-000000000002")
"""100,000-call customers that phase 2 loads (one while readers come one after another, one while they come at once)."""
SMALL_PREFIX = "b2000000-0000-4000-8000-"
SMALL_SIZE = 10_000
CHART_TIMEOUT_MS = 300_000

# Records, in the page, when the app's frontend is up, when the server's first script run ended (the whole page
# sent), when the first chart of a tab is drawn, and whether a load's progress bar ever showed. It stays cheap, so
# it does not slow what it measures: element lookups only (reading the page's text would force a layout on every
# change), the script state as the only attribute watched, and no more watching once the chart is drawn.
PAGE_PROBE = """
const FIRST_CHART = "[data-testid='stTabs'] :is("
  + "[data-testid='stVegaLiteChart'] svg.marks, [data-testid='stPlotlyChart'] .main-svg)";
new MutationObserver((records, observer) => {
  const app = document.querySelector("[data-testid='stApp']");
  if (!app) {
    return;
  }
  if (window.__appStarted === undefined) {
    window.__appStarted = performance.now();
  }
  const state = app.getAttribute("data-test-script-state");
  if (state === "running") {
    window.__ran = true;
  } else if (window.__ran && window.__pageSent === undefined && state === "notRunning") {
    window.__pageSent = performance.now();
  }
  if (!window.__sawLoading && app.querySelector("[data-testid='stProgress']")) {
    window.__sawLoading = true;
  }
  if (window.__firstChart === undefined && app.querySelector(FIRST_CHART)) {
    window.__firstChart = performance.now();
  }
  if (window.__firstChart !== undefined && window.__pageSent !== undefined) {
    observer.disconnect();
  }
}).observe(document, {childList: true, subtree: true, attributes: true, attributeFilter: ["data-test-script-state"]});
"""


def small_customer(index: int) -> str:
    return f"{SMALL_PREFIX}{index:012d}"


def rss_mb(pid: int) -> float:
    """Resident memory of one process, in MB."""
    try:
        import psutil  # type: ignore[import-not-found]

        return psutil.Process(pid).memory_info().rss / 1e6
    except ImportError:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024 / 1e6
    raise RuntimeError(f"no resident memory for pid {pid}")


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) one process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def browsers_cpu_s() -> float:
    """CPU seconds every Chromium process has used so far, with its children that have ended (renderers of
    closed sessions, counted by the process that reaped them): what drawing the pages cost on these cores."""
    return processes_cpu_s(lambda command: b"chromium" in command.split(b"\0", 1)[0])


def simulator_cpu_s() -> float:
    """CPU seconds the simulator process has used so far: what the stand-in for the remote API took of these
    cores, which a deployment does not pay."""
    return processes_cpu_s(lambda command: b"start_simulator" in command)


def processes_cpu_s(chosen: Callable[[bytes], bool]) -> float:
    """CPU seconds (user + system, with ended children) of every process whose command line is `chosen`."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes()
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):  # not a process, or one that ended meanwhile
            continue
        if chosen(command):
            total += sum(int(field) for field in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    return total


def settled_rss_mb(app: RunningApp) -> float:
    """Resident memory once the sessions' runs are over (a short pause lets threads and buffers settle)."""
    time.sleep(3)
    return rss_mb(app.process.pid)


def open_sessions(
    browser: Browser, app: RunningApp, customers: list[str], within: BrowserContext | None = None
) -> list[tuple[BrowserContext, Page]]:
    """One new app session per customer, all navigating at once (none waits for another): each in a browser
    of its own, or as tabs `within` one (a returning colleague's, see `returning_browser`)."""
    sessions = []
    for customer in customers:
        context = within or new_browser(browser)
        page = context.new_page()
        page.goto(f"{app.url}/?customer_id={customer}", wait_until="commit")
        sessions.append((context, page))
    return sessions


def new_browser(browser: Browser) -> BrowserContext:
    """A browser as on someone's first visit ever: nothing cached."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(PAGE_PROBE)
    return context


def returning_browser(browser: Browser) -> BrowserContext:
    """A browser that has opened the app before: its scripts are cached (Streamlit serves its hashed bundles
    as immutable for a year), so a new session fetches none of them. A blank tab keeps it open."""
    context = new_browser(browser)
    context.new_page()
    return context


def first_chart_s(page: Page) -> float:
    """Seconds from the start of navigation to the first drawn chart."""
    page.wait_for_function("window.__firstChart !== undefined", timeout=CHART_TIMEOUT_MS, polling=100)
    return float(page.evaluate("window.__firstChart")) / 1000


def frontend_up_s(page: Page) -> float:
    """Seconds from the start of navigation to the app's frontend being up (its JavaScript loaded and running)."""
    first_chart_s(page)
    return float(page.evaluate("window.__appStarted")) / 1000


def page_sent_s(page: Page) -> float:
    """Seconds from the start of navigation to the end of the server's first script run: the server's part."""
    page.wait_for_function("window.__pageSent !== undefined", timeout=CHART_TIMEOUT_MS, polling=100)
    return float(page.evaluate("window.__pageSent")) / 1000


def saw_loading(page: Page) -> bool:
    return bool(page.evaluate("window.__sawLoading === true"))


def close(sessions: list[tuple[BrowserContext, Page]]) -> None:
    for context, page in sessions:
        page.close()
        if not context.pages:
            context.close()


def describe(times: list[float]) -> str:
    listed = ", ".join(f"{t:.1f}" for t in times)
    return f"[{listed}] s (median {statistics.median(times):.1f}, max {max(times):.1f})"


def same_customer(browser: Browser, app: RunningApp, counts: list[int]) -> None:
    print(f"\n1. Sessions on the loaded 100,000-call customer ({LARGE})")
    before = settled_rss_mb(app)
    print(f"   server memory before any session: {before:.0f} MB")
    sessions: list[tuple[BrowserContext, Page]] = []
    previous_rss = previous_n = None
    for n in counts:
        cpu_before, browsers_before = cpu_s(app.process.pid), browsers_cpu_s()
        new = open_sessions(browser, app, [LARGE] * (n - len(sessions)))
        times = [first_chart_s(page) for _, page in new]
        sessions += new
        rss = settled_rss_mb(app)
        cpu = (cpu_s(app.process.pid) - cpu_before) / len(new)
        drawing = (browsers_cpu_s() - browsers_before) / len(new)
        extra = ""
        if previous_rss is not None and previous_n is not None:
            extra = f"; per extra session {(rss - previous_rss) / (n - previous_n):.1f} MB"
        cold = " (the first loads the customer)" if previous_rss is None else " (customer already loaded)"
        print(f"   N={n}: time to first chart of the {len(new)} new session(s){cold}: {describe(times)}")
        print(f"   N={n}: server memory {rss:.0f} MB{extra}; server CPU {cpu:.1f} s per new session")
        print(f"   N={n}: browser CPU {drawing:.1f} s per new session (on the same cores)")
        previous_rss, previous_n = rss, n
    close(sessions)


def loaded_while_loading(browser: Browser, app: RunningApp, count: int, returning: bool) -> None:
    who = "tabs of a returning colleague's browser (scripts cached)" if returning else "first visits (nothing cached)"
    print(f"\n2. Sessions on the loaded customer while another 100,000-call customer loads; readers are {who}")
    within = returning_browser(browser) if returning else None
    warm = open_sessions(browser, app, [LARGE], within)  # loads it when phase 1 did not run; fills the cache
    first_chart_s(warm[0][1])
    close(warm)
    alone = open_sessions(browser, app, [LARGE], within)
    baseline, sent, up = first_chart_s(alone[0][1]), page_sent_s(alone[0][1]), frontend_up_s(alone[0][1])
    print(
        f"   one session, nothing else running: {baseline:.1f} s to first chart"
        f" (frontend up at {up:.1f} s, page sent at {sent:.1f} s)"
    )
    close(alone)

    cpu_before, browsers_before, simulator_before = cpu_s(app.process.pid), browsers_cpu_s(), simulator_cpu_s()
    loading = start_loading(browser, app, OTHER_LARGE[0])
    print("   opened one after another while it loads (each once the one before has drawn):")
    one_by_one: list[float] = []
    while len(one_by_one) < count and not has_drawn(loading[0][1]):
        reader = open_sessions(browser, app, [LARGE], within)
        seconds, sent, up = first_chart_s(reader[0][1]), page_sent_s(reader[0][1]), frontend_up_s(reader[0][1])
        close(reader)
        one_by_one.append(seconds)
        during = "the load goes on" if not has_drawn(loading[0][1]) else "the load had ended by then"
        print(f"   - {seconds:.1f} s to first chart (frontend up at {up:.1f} s, page sent at {sent:.1f} s); {during}")
    if one_by_one:
        print(f"   one after another: {describe(one_by_one)}")
    wait_and_close(loading, "the loading customer's first chart")
    cpu_used(app, "these readers and the load", cpu_before, browsers_before, simulator_before)

    loading = start_loading(browser, app, OTHER_LARGE[1])
    cpu_before, browsers_before, simulator_before = cpu_s(app.process.pid), browsers_cpu_s(), simulator_cpu_s()
    readers = open_sessions(browser, app, [LARGE] * count, within)
    times = [first_chart_s(page) for _, page in readers]
    still_loading = not has_drawn(loading[0][1])
    print(f"   {count} opened at the same moment: time to first chart {describe(times)}")
    print(f"   of which the server had sent the whole page by: {describe([page_sent_s(page) for _, page in readers])}")
    print(f"   the other customer was {'still' if still_loading else 'no longer'} loading when they had drawn")
    wait_and_close(loading, "the loading customer's first chart")
    cpu_used(app, "these readers and the load", cpu_before, browsers_before, simulator_before)
    close(readers)


def cpu_used(app: RunningApp, what: str, server: float, browsers: float, simulator: float) -> None:
    """What `what` cost each side since these readings: the server, the browsers, and the simulator standing
    in for the remote API (three sides of the same shared cores)."""
    print(
        f"   CPU for {what} together: server {cpu_s(app.process.pid) - server:.1f} s,"
        f" browsers {browsers_cpu_s() - browsers:.1f} s, simulator {simulator_cpu_s() - simulator:.1f} s"
    )


def start_loading(browser: Browser, app: RunningApp, customer: str) -> list[tuple[BrowserContext, Page]]:
    """A session loading `customer` (not loaded before), once it shows the load's progress."""
    loading = open_sessions(browser, app, [customer])
    page = loading[0][1]
    page.wait_for_function("window.__sawLoading === true", timeout=CHART_TIMEOUT_MS, polling=50)
    return loading


def has_drawn(page: Page) -> bool:
    return bool(page.evaluate("window.__firstChart !== undefined"))


def wait_and_close(sessions: list[tuple[BrowserContext, Page]], label: str) -> None:
    print(f"   {label}: {first_chart_s(sessions[0][1]):.1f} s")
    close(sessions)


def different_customers(browser: Browser, app: RunningApp, counts: list[int]) -> None:
    print(f"\n3. Sessions at once, each on its own {SMALL_SIZE:,}-call customer (none loaded before)")
    next_customer = 0
    for n in counts:
        before = settled_rss_mb(app)
        cpu_before, browsers_before = cpu_s(app.process.pid), browsers_cpu_s()
        customers = [small_customer(next_customer + i) for i in range(n)]
        next_customer += n
        sessions = open_sessions(browser, app, customers)
        times = [first_chart_s(page) for _, page in sessions]
        after = settled_rss_mb(app)
        cpu = (cpu_s(app.process.pid) - cpu_before) / n
        drawing = (browsers_cpu_s() - browsers_before) / n
        print(f"   N={n}: time to first chart {describe(times)}; server memory {before:.0f} -> {after:.0f} MB;")
        print(f"   server CPU {cpu:.1f} s per session (load and first page); browser CPU {drawing:.1f} s per session")
        close(sessions)


def cache_bound(browser: Browser, base_url: str, cache_mb: float, customers: int, cpus: set[int] | None) -> None:
    print(f"\n4. CARECYCLE_CACHE_MAX_MB={cache_mb:g}: {customers} customers of {SMALL_SIZE:,} calls, one after another")
    with TemporaryDirectory() as logs:
        with on_cpus(cpus):
            app = start_app(Path(logs), env=app_env(base_url) | {"CARECYCLE_CACHE_MAX_MB": f"{cache_mb:g}"})
        try:
            print(f"   server memory before: {settled_rss_mb(app):.0f} MB")
            for index in range(customers):
                sessions = open_sessions(browser, app, [small_customer(100 + index)])
                seconds = first_chart_s(sessions[0][1])
                close(sessions)
                rss = settled_rss_mb(app)
                print(f"   customer {index + 1}: first chart {seconds:.1f} s, server memory {rss:.0f} MB")
            sessions = open_sessions(browser, app, [small_customer(100)])
            seconds = first_chart_s(sessions[0][1])
            reloaded = saw_loading(sessions[0][1])
            close(sessions)
            verdict = "evicted: it loaded again" if reloaded else "still cached"
            print(f"   customer 1 again: first chart {seconds:.1f} s, {verdict}")
        finally:
            app.stop()


def app_env(base_url: str) -> dict[str, str]:
    """The app as deployed: a key for the API and scripts/serve's allocator settings (unless this shell sets its
    own)."""
    allocators = {"MALLOC_ARENA_MAX": "2", "PYTHONMALLOC": "malloc", "ARROW_DEFAULT_MEMORY_POOL": "system"}
    return {
        "CARECYCLE_API_KEY": DEMO_API_KEY,
        "CARECYCLE_BASE_URL": base_url,
        **{name: os.environ.get(name, default) for name, default in allocators.items()},
    }


@contextmanager
def on_cpus(cpus: set[int] | None) -> Iterator[None]:
    """Processes started inside inherit these CPUs (None: no change). With `--split-cores` the server and the
    simulator get the first core and the browsers the others, as when people's browsers run on their own
    machines: the browsers' drawing then no longer competes with the server for the same core."""
    if cpus is None:
        yield
        return
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, cpus)
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency-ms", type=float, default=40.0)
    parser.add_argument("--cache-mb", type=float, default=100.0)
    parser.add_argument("--cache-customers", type=int, default=6)
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 5, 10])
    parser.add_argument("--phases", type=int, nargs="+", default=[1, 2, 3, 4], help="which phases to run")
    parser.add_argument("--readers", type=int, default=3, help="sessions on the loaded customer in phase 2")
    parser.add_argument(
        "--returning",
        action="store_true",
        help="phase 2's readers are tabs of one browser that has opened the app before (its scripts cached)",
    )
    parser.add_argument(
        "--split-cores", action="store_true", help="server and simulator on the first core, browsers on the others"
    )
    args = parser.parse_args()
    cores = sorted(os.sched_getaffinity(0))
    server_cpus = browser_cpus = None
    if args.split_cores and len(cores) > 1:
        server_cpus, browser_cpus = {cores[0]}, set(cores[1:])
    smalls = {small_customer(i): SMALL_SIZE for i in range(sum(args.sessions))}
    smalls |= {small_customer(100 + i): SMALL_SIZE for i in range(args.cache_customers)}
    split = f"server and simulator on core {cores[0]}, browsers on the rest" if server_cpus else "all shared"
    print(f"cores: {len(cores)} ({split}); simulator latency {args.latency_ms:g} ms a request; generating customers...")
    customers = {**dict.fromkeys(OTHER_LARGE, 100_000), **smalls}
    with ExitStack() as stack:
        with on_cpus(server_cpus):
            base_url = stack.enter_context(simulator_process(args.latency_ms, customers, [LARGE, *customers]))
        stack.enter_context(on_cpus(browser_cpus))
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        with TemporaryDirectory() as logs:
            with on_cpus(server_cpus):
                app = start_app(Path(logs), env=app_env(base_url))
            try:
                if 1 in args.phases:
                    same_customer(browser, app, args.sessions)
                if 2 in args.phases:
                    loaded_while_loading(browser, app, args.readers, args.returning)
                if 3 in args.phases:
                    different_customers(browser, app, args.sessions)
            finally:
                app.stop()
        if 4 in args.phases:
            cache_bound(browser, base_url, args.cache_mb, args.cache_customers, server_cpus)
        browser.close()


if __name__ == "__main__":
    main()
