"""`python -m carecycle_dash export`: every call of one customer to a CSV file, for scheduled jobs.

The key comes from CARECYCLE_API_KEY only (never a flag: flags show in process lists and shell history).
Any failure prints one line on stderr and exits non-zero (codes in cli/common.py); nothing is written
unless the whole load worked.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Mapping
from typing import Any, TextIO

from carecycle_dash.api.config import ENV_API_KEY, ENV_BASE_URL
from carecycle_dash.api.contract import (
    DEFAULT_BASE_URL,
    DEFAULT_SORT_FIELD,
    DEFAULT_SORT_ORDER,
    SORT_FIELDS,
    SORT_ORDERS,
)
from carecycle_dash.api.errors import InvalidInputError
from carecycle_dash.api.logs import AUDIT_LOGGER
from carecycle_dash.api.paging import describe_repairs
from carecycle_dash.api.retry import RetryPolicy
from carecycle_dash.cli import common
from carecycle_dash.output.export import calls_to_csv_bytes

audit = logging.getLogger(AUDIT_LOGGER)


def register(subparsers: Any) -> None:
    """Add the `export` subcommand; its `run` returns the exit code."""
    parser = subparsers.add_parser(
        "export",
        help="write every call of one customer to a CSV file",
        description="Write every call of one customer to a CSV file. The API key is read from "
        f"{ENV_API_KEY}; the base URL from --base-url, else {ENV_BASE_URL}, else {DEFAULT_BASE_URL}.",
        epilog=common.EXIT_CODES_HELP.format(done="exported"),
    )
    common.add_connection_options(parser)
    parser.add_argument("--sort-by", default=DEFAULT_SORT_FIELD, metavar="|".join(SORT_FIELDS))
    parser.add_argument("--order", default=DEFAULT_SORT_ORDER, metavar="|".join(SORT_ORDERS))
    parser.set_defaults(run=run)


def _export(
    args: argparse.Namespace,
    environ: Mapping[str, str],
    err: TextIO,
    progress: common.ProgressBar | None,
    retry: RetryPolicy | None,
) -> int:
    if args.sort_by not in SORT_FIELDS:
        raise InvalidInputError(f"--sort-by must be one of {', '.join(SORT_FIELDS)}.")
    if args.order not in SORT_ORDERS:
        raise InvalidInputError(f"--order must be one of {', '.join(SORT_ORDERS)}.")
    output = common.output_path(args.output, "CSV file")
    conn = common.connection(args, environ)
    result = common.load(conn, sort_by=args.sort_by, order=args.order, progress=progress, retry=retry)
    common.write_output(output, calls_to_csv_bytes(result.calls))
    err.write(
        f"Exported {len(result.calls):,} calls to {output} ({result.pages:,} pages, {result.requests:,} requests; "
        f"{describe_repairs(result.repairs)}).\n"
    )
    err.flush()
    audit.info("export: user=%s customer=%s rows=%d", common.who(), conn.customer_id, len(result.calls))
    return common.EXIT_OK


def run(
    args: argparse.Namespace,
    *,
    environ: Mapping[str, str] | None = None,
    stderr: TextIO | None = None,
    retry: RetryPolicy | None = None,
) -> int:
    """Load every call and write the CSV; returns the exit code. All messages go to stderr.

    `environ`, `stderr` and `retry` default to the process's own; tests pass theirs.
    """
    environ = os.environ if environ is None else environ
    err = sys.stderr if stderr is None else stderr
    return common.run_guarded(lambda progress: _export(args, environ, err, progress, retry), err)
