"""How long the weekly report takes to build, and how big it is, at 2,500 and 100,000 calls.

Times what the `report` command does after loading: build the frame, then the report of the last 7 days
compared with the 7 before (figures, Needs attention, charts, HTML with plotly.js inlined once). Calls come from the
simulator's generator, as in data_layer.py.

    .venv/bin/python benchmarks/report.py [--sizes 2500 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from data_layer import CUSTOMER_ID, make_calls

from carecycle_dash.data.completeness import completeness
from carecycle_dash.data.filters import CallFilters, filter_options
from carecycle_dash.data.frame import build_frame
from carecycle_dash.output.report import build_report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2_500, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"| {'calls':>9} | {'build_frame':>12} | {'build_report':>12} | {'total':>9} | {'report size':>11} |")
    print(f"|{'-' * 11}|{'-' * 14}|{'-' * 14}|{'-' * 11}|{'-' * 13}|")
    for n in args.sizes:
        calls, _ = make_calls(n, "simulator")
        frame_s, report_s, size = [], [], 0
        for _ in range(args.repeat):
            began = time.perf_counter()
            frame = build_frame(calls)
            built = time.perf_counter()
            options = filter_options(frame.df)
            end = options.last_day
            filters = CallFilters(start=end - timedelta(days=6), end=end) if end else CallFilters()
            data = build_report(
                frame.df,
                filters,
                customer_id=CUSTOMER_ID,
                first_day=options.first_day,
                last_day=options.last_day,
                generated_at=datetime.now(UTC),
                completeness=completeness(frame.df, n, frame.cleaned_total, tests_included=False),
            )
            frame_s.append(built - began)
            report_s.append(time.perf_counter() - built)
            size = len(data)
        f, r = min(frame_s), min(report_s)
        print(f"| {n:>9,} | {f * 1000:>9.0f} ms | {r * 1000:>9.0f} ms | {(f + r):>7.2f} s | {size / 1e6:>8.2f} MB |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
