"""How long masking personal data takes for one loaded dataset, at 2,500 and 100,000 demo calls.

Masking runs once per loaded dataset (cached beside it), so this is what the first masked viewer of a
customer waits for on top of loading. Target: 100,000 calls in under 3 s. Also timed: reading every masked
raw call once (what a full CSV download of a masked viewer does), and one call (the call detail).

    .venv/bin/python benchmarks/masking.py [--sizes 2500 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from carecycle_dash.data.frame import build_frame
from carecycle_dash.data.masking import MASKED_TEXT_FIELDS, MaskedCalls, mask_frame
from carecycle_dash.output.export import calls_to_csv_bytes
from carecycle_dash.simulator import DEMO_CUSTOMERS, generate_calls

SEED = 20261128


def best_of(repeat: int, step: Callable[[], Any]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process), best of `repeat`: on a shared machine the CPU time says
    what the work costs, the wall time what a person would have waited with the others running."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        step()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def fmt(times: tuple[float, float], scale: float = 1.0) -> str:
    return f"{times[0] * scale:.2f} ({times[1] * scale:.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2_500, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print("wall seconds (CPU seconds of this process)")
    print(
        f"{'calls':>8} {'text MB':>8} {'mask_frame s':>14} {'take all s':>14} {'masked CSV s':>14} {'one call ms':>12}"
    )
    for size in args.sizes:
        calls = generate_calls(DEMO_CUSTOMERS["large"], size, SEED)
        frame = build_frame(calls)
        text_mb = sum(frame.df[name].str.len().fillna(0).sum() for name in MASKED_TEXT_FIELDS) / 1e6
        masking = best_of(args.repeat, lambda frame=frame: mask_frame(frame))
        masked = mask_frame(frame)
        raw = MaskedCalls(calls, masked.df)
        rows = range(len(raw))
        every = best_of(args.repeat, lambda raw=raw, rows=rows: raw.take(rows))
        csv = best_of(1, lambda raw=raw, rows=rows: calls_to_csv_bytes(raw.take(rows)))
        one = best_of(args.repeat, lambda raw=raw, size=size: raw[size // 2])
        print(f"{size:>8,} {text_mb:>8.1f} {fmt(masking):>14} {fmt(every):>14} {fmt(csv):>14} {fmt(one, 1000):>12}")


if __name__ == "__main__":
    main()
