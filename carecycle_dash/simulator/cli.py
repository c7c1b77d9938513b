"""`python -m carecycle_dash simulate`: serve the simulator on a port until Ctrl-C, printing how to use it."""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Sequence
from typing import Any, TextIO

from carecycle_dash.api.contract import API_KEY_HEADER, CALLS_PATH
from carecycle_dash.simulator.clock import DEMO_NOW_ENV, fixed_clock, parse_moment
from carecycle_dash.simulator.config import FAULT_KINDS, SimulatorConfig
from carecycle_dash.simulator.customers import (
    DEFAULT_DEMO_CUSTOMER_ID,
    DEMO_API_KEY,
    DEMO_CUSTOMER_LIST,
    LIMITED_API_KEY,
)
from carecycle_dash.simulator.server import RunningSimulator, start_simulator


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add `simulate` to the package's command line; `run` serves until interrupted."""
    parser = subparsers.add_parser(
        "simulate",
        help="serve the CareCycle API simulator on loopback",
        description="Serve a simulator of GET /v2/customers/{id}/calls with demo data, until Ctrl-C.",
    )
    add_arguments(parser)
    parser.set_defaults(run=run)
    return parser


def add_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = SimulatorConfig()
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8787, help="port to listen on; 0 picks a free one (default: 8787)")
    parser.add_argument("--seed", type=int, default=defaults.seed, help="seed of the demo data and of fault draws")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="delay added to every API request")
    parser.add_argument("--fault-rate", type=float, default=0.0, help="share of API requests that fail (0..1)")
    parser.add_argument(
        "--fault-kinds",
        type=_kinds,
        default=FAULT_KINDS,
        help=f"comma-separated kinds of failure to draw from (default: {','.join(FAULT_KINDS)})",
    )
    parser.add_argument(
        "--retry-after", type=float, default=defaults.retry_after_s, help="seconds an injected 429 asks for"
    )
    parser.add_argument("--slow-s", type=float, default=defaults.slow_s, help="how long a 'slow' fault stalls")
    parser.add_argument("--rate-limit", type=float, default=None, help="requests per second allowed per key")
    parser.add_argument("--drift-calls", type=int, default=0, help="new calls that appear while a client pages")
    parser.add_argument(
        "--drift-after", type=int, default=1, help="page requests of a customer before drift (default: 1)"
    )
    parser.add_argument(
        "--now",
        default=None,
        help=f"serve the calls as of this time, e.g. 2026-11-27T23:59:59-05:00 (default: ${DEMO_NOW_ENV} or the clock)",
    )


def _kinds(text: str) -> tuple[str, ...]:
    kinds = tuple(kind.strip() for kind in text.split(",") if kind.strip())
    unknown = [kind for kind in kinds if kind not in FAULT_KINDS]
    if unknown or not kinds:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(FAULT_KINDS)}")
    return kinds


def config_from(args: argparse.Namespace) -> SimulatorConfig:
    pinned = {"now": fixed_clock(parse_moment(args.now, "--now"))} if args.now else {}
    return SimulatorConfig(
        **pinned,
        seed=args.seed,
        latency_ms=args.latency_ms,
        fault_rate=args.fault_rate,
        fault_kinds=args.fault_kinds,
        retry_after_s=args.retry_after,
        slow_s=args.slow_s,
        rate_limit_per_s=args.rate_limit,
        drift_calls=args.drift_calls,
        drift_after_requests=args.drift_after,
    )


def describe(simulator: RunningSimulator, out: TextIO) -> None:
    """What a person needs to point the dashboard (or curl) at the simulator."""
    example = simulator.base_url + CALLS_PATH.format(customer_id=DEFAULT_DEMO_CUSTOMER_ID)
    lines = [
        f"CareCycle simulator serving at {simulator.base_url}",
        "",
        f"Demo API key (every demo customer): {DEMO_API_KEY}",
        f"Limited API key (only 'small'):     {LIMITED_API_KEY}",
        "",
        "Customers:",
        *(f"  {c.name:<9} {c.customer_id}  {c.calls:>7,} calls" for c in DEMO_CUSTOMER_LIST),
        "",
        f"Try: curl -H '{API_KEY_HEADER}: {DEMO_API_KEY}' '{example}?limit=2'",
        f"Dashboard: CARECYCLE_BASE_URL={simulator.base_url} CARECYCLE_API_KEY={DEMO_API_KEY} streamlit run app.py",
        "Press Ctrl-C to stop.",
    ]
    out.write("\n".join(lines) + "\n")
    out.flush()


def run(args: argparse.Namespace, *, stop: threading.Event | None = None, out: TextIO | None = None) -> int:
    """Serve until Ctrl-C (or until `stop` is set, for tests). Returns the exit code."""
    out = out or sys.stdout
    try:
        config = config_from(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        simulator = start_simulator(config, host=args.host, port=args.port)
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    stop = stop or threading.Event()
    with simulator:
        describe(simulator, out)
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            out.write("Stopping.\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `simulate` command on its own, without the rest of the package's command line."""
    parser = argparse.ArgumentParser(prog="python -m carecycle_dash.simulator.cli")
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
