"""How long a cached rerun of each page takes, against a bare script showing the same rows.

A rerun is what a person waits for after changing a filter: the calls are already loaded and cached.
Both sides run under Streamlit's AppTest in this process, so each figure includes the script, the
DataFrame's Arrow serialisation and the element protos, but not the browser's rendering. Target: every
page at most 2x the bare script. "Calls, search" types a word into the sidebar's search (a different word each
rerun, so no result is reused) and waits for the Calls page: target at most 1 s of server time at 100,000 calls.
The Review page (/review, one review per ten calls: 10,000 on the 100,000-call customer, in a SQLite store in a
temporary folder): at most 300 ms.

    .venv/bin/python benchmarks/page_rerun.py [--sizes 2500 100000] [--repeats 5] [--pages "Calls, search" Review]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)
for name in ("CARECYCLE_API_KEY", "CARECYCLE_BASE_URL", "CARECYCLE_STORE_SECRET"):
    os.environ.pop(name, None)
STORE_PATH = Path(tempfile.mkdtemp(prefix="carecycle-bench-")) / "store.db"
os.environ["CARECYCLE_STORE_URL"] = f"sqlite://{STORE_PATH}"

from streamlit.testing.v1 import AppTest  # noqa: E402

from carecycle_dash.data.reviews import REASONS, marked_handled, saved  # noqa: E402
from carecycle_dash.simulator import DEMO_CUSTOMERS  # noqa: E402
from carecycle_dash.ui.loading import load_calls  # noqa: E402
from carecycle_dash.ui.review_store import review_store  # noqa: E402
from carecycle_dash.ui.settings import current_settings  # noqa: E402

CUSTOMER_BY_SIZE = {2_500: DEMO_CUSTOMERS["standard"], 100_000: DEMO_CUSTOMERS["large"]}
PAGES = {
    "Overview": "pages/overview.py",
    "Calls": "pages/calls.py",
    "Call detail": "pages/call.py",
    "Callers": "pages/callers.py",
    "Review": "pages/review.py",
}
SEARCH = "Calls, search"
SEARCH_WORDS = ("appointment", "insurance", "refill", "Tuesday", "callback", "pharmacy", "address", "doctor")
CALLS_PER_REVIEW = 10
TIMEOUT = 600

BARE_SCRIPT = """
import streamlit as st
from carecycle_dash.ui.loading import load_calls
from carecycle_dash.ui.settings import current_settings

loaded = load_calls(current_settings(), CUSTOMER)
table = loaded.table("UTC")
include_tests = st.toggle("Include test calls", key="f_tests")
rows = table if include_tests else table[~table["Test"]]
st.dataframe(rows)
"""


def timed_reruns(at: AppTest, repeats: int) -> list[float]:
    """Flip the test-call toggle and rerun, `repeats` times; seconds per rerun."""
    seconds = []
    for i in range(repeats):
        toggle = at.toggle(key="f_tests")
        toggle.set_value(i % 2 == 0)
        start = time.perf_counter()
        at.run(timeout=TIMEOUT)
        seconds.append(time.perf_counter() - start)
        assert not at.exception, [e.value for e in at.exception]
    return seconds


def timed_searches(at: AppTest, repeats: int) -> list[float]:
    """Search a different word each rerun; seconds per rerun. Prints each word, its time and what the page
    says it found, so a fast figure cannot hide an empty result."""
    seconds = []
    for i in range(repeats):
        word = SEARCH_WORDS[i % len(SEARCH_WORDS)]
        at.sidebar.text_input(key="f_text").set_value(word)
        start = time.perf_counter()
        at.run(timeout=TIMEOUT)
        seconds.append(time.perf_counter() - start)
        assert not at.exception, [e.value for e in at.exception]
        found = at.main.caption[0].value.split(" · ")[1] if at.main.caption else "?"
        print(f"{'':>8}  search {word!r:<14} {seconds[-1] * 1000:>7.0f} ms  {found}", flush=True)
    return seconds


def seed_reviews(customer: str) -> int:
    """One review per CALLS_PER_REVIEW calls, a third of them handled, written as the app writes them."""
    ids = load_calls(current_settings(), customer).all_calls["id"].dropna().astype(str)[::CALLS_PER_REVIEW]
    store = review_store()
    assert store is not None
    now = datetime.now(UTC) - timedelta(days=3)
    for i, call_id in enumerate(ids):
        note = f"Review {i}: the caller asked twice for a nurse; call back on 555-201-{i % 10_000:04d}."
        review = saved(
            None,
            host="demo",
            customer=customer,
            call_id=call_id,
            reason=REASONS[i % len(REASONS)],
            note=note,
            assignee=f"Person {i % 7}",
            who="bench@example.org",
            now=now,
        )
        assert review is not None
        store.save(review, 0)
        if i % 3 == 0:
            store.save(marked_handled(review, "bench@example.org", now), review.version)
    return len(ids)


def measure(size: int, repeats: int, pages: list[str]) -> list[tuple[str, float]]:
    customer = CUSTOMER_BY_SIZE[size]
    if "Review" in pages:
        print(f"{seed_reviews(customer):,} reviews on {size:,} calls", file=sys.stderr)
    bare = AppTest.from_string(BARE_SCRIPT.replace("CUSTOMER", repr(customer)), default_timeout=TIMEOUT)
    results = []
    if SEARCH in pages:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
        at.query_params["customer_id"] = customer
        at.run()
        at.switch_page(PAGES["Calls"]).run()
        searches = timed_searches(at, repeats)
        results += [(SEARCH, statistics.median(searches)), (SEARCH + " (slowest)", max(searches))]
    for label, page in PAGES.items():
        if label not in pages:
            continue
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
        at.query_params["customer_id"] = customer
        at.run()
        if page != "pages/overview.py":
            if page == "pages/call.py":
                at.switch_page("pages/calls.py").run()
                at.query_params["call_id"] = str(at.dataframe[0].value["id"].iloc[0])
            at.switch_page(page).run()
        results.append((label, statistics.median(timed_reruns(at, repeats))))
    bare.run()
    results.append(("bare st.dataframe", statistics.median(timed_reruns(bare, repeats))))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2_500, 100_000], choices=sorted(CUSTOMER_BY_SIZE))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--pages", nargs="+", default=[SEARCH, *PAGES], choices=[SEARCH, *PAGES])
    args = parser.parse_args()
    print(f"{'calls':>8}  {'page':<24} {'median rerun':>13}  {'x bare':>7}")
    for size in args.sizes:
        results = measure(size, args.repeats, args.pages)
        bare = dict(results)["bare st.dataframe"]
        for label, seconds in results:
            print(f"{size:>8,}  {label:<24} {seconds * 1000:>10.0f} ms  {seconds / bare:>6.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
