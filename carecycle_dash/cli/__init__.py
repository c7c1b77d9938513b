"""`python -m carecycle_dash COMMAND`: the simulator, the headless export, the report, the compliance check and
the call store's upkeep share one entry point."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def build_parser() -> argparse.ArgumentParser:
    from carecycle_dash.cli import compliance as compliance_cli
    from carecycle_dash.cli import export as export_cli
    from carecycle_dash.cli import report as report_cli
    from carecycle_dash.cli import store as store_cli
    from carecycle_dash.simulator import cli as simulator_cli

    parser = argparse.ArgumentParser(prog="python -m carecycle_dash", description="CareCycle calls dashboard tools")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    simulator_cli.register(commands)
    export_cli.register(commands)
    report_cli.register(commands)
    compliance_cli.register(commands)
    store_cli.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Each subcommand's `register` sets `run`, which returns the exit code."""
    args = build_parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
