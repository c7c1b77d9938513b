"""The simulator in a process of its own, for benchmarks: its CPU and memory are then not the measured code's.

Its customers (demo ones, plus `extra` made for the run) are generated before it answers, so no timing
includes generating data.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]

_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from carecycle_dash.simulator import SimulatorConfig, start_simulator
    extra = json.loads(sys.argv[1])
    sim = start_simulator(SimulatorConfig(latency_ms=float(sys.argv[2]), extra_customers=extra))
    for customer_id in json.loads(sys.argv[3]):
        sim.warm(customer_id)
    print(sim.base_url, flush=True)
    sys.stdin.read()
    sim.stop()
    """
)


@contextmanager
def simulator_process(latency_ms: float, extra: dict[str, int], warm: Sequence[str]) -> Iterator[str]:
    """Start it with `extra` customers (id -> calls), generate `warm` customers' calls; yield its base URL."""
    process = subprocess.Popen(
        [sys.executable, "-c", _SCRIPT, json.dumps(extra), str(latency_ms), json.dumps(list(warm))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        cwd=REPO_ROOT,
    )
    assert process.stdout is not None and process.stdin is not None
    try:
        base_url = process.stdout.readline().strip()
        if not base_url:
            raise RuntimeError("the simulator process did not start")
        yield base_url
    finally:
        process.stdin.close()
        process.wait(timeout=30)
