"""`python -m carecycle_dash export`: every call of one customer to a CSV file, for scheduled jobs.

The key comes from CARECYCLE_API_KEY only (never a flag: flags show in process lists and shell history),
read like every setting through `carecycle_dash.api.config`. Any failure prints one line on stderr and exits
non-zero (codes in cli/common.py); nothing is written unless the whole load worked. Each request may take
`--request-timeout` (else CARECYCLE_REQUEST_TIMEOUT_S, else 60 s) and the whole load `--load-timeout` (else
CARECYCLE_LOAD_TIMEOUT_S, else 110 s, so a stuck API fails a job within 2 minutes).

`--mask` writes the file with personal data masked as a masked dashboard viewer sees it (data/masking.py);
unmasked stays the default, as whoever runs this holds the API key anyway.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Mapping
from datetime import datetime
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
from carecycle_dash.api.messages import describe_repairs
from carecycle_dash.api.retry import RetryPolicy
from carecycle_dash.cli import common
from carecycle_dash.data.dates import local_midnight, parse_day
from carecycle_dash.data.frame import build_frame
from carecycle_dash.data.masking import MaskedCalls, mask_frame
from carecycle_dash.data.ordering import sort_positions
from carecycle_dash.output.export import calls_to_csv_bytes
from carecycle_dash.text.logs import AUDIT_LOGGER

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
    parser.add_argument(
        "--since",
        metavar="YYYY-MM-DD",
        help="only calls created on or after this day (from 00:00 UTC); paging stops there, so the cost follows "
        "the calls since then. Other orders than createdAt desc are then sorted locally, ties by id",
    )
    parser.add_argument(
        "--mask",
        action="store_true",
        help="mask personal data (caller numbers to their last four digits; phone numbers, e-mail addresses, "
        "SSNs, dates of birth, Medicare and card numbers replaced by labels; recording links left out)",
    )
    parser.set_defaults(run=run)


def _since(text: str | None) -> datetime | None:
    """--since as the first instant of that day in UTC (the command has no time zone of its own)."""
    if not text:
        return None
    try:
        day = parse_day(text)
    except ValueError:
        raise InvalidInputError("--since must be a day such as 2026-11-01.") from None
    return local_midnight(day, "UTC").to_pydatetime()


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
    since = _since(getattr(args, "since", None))
    conn = common.connection(args, environ)
    result = common.load(conn, sort_by=args.sort_by, order=args.order, progress=progress, retry=retry, since=since)
    calls = result.calls
    if since is not None and (args.sort_by, args.order) != (DEFAULT_SORT_FIELD, DEFAULT_SORT_ORDER):
        calls = [calls[row] for row in sort_positions(build_frame(calls).df, args.sort_by, args.order)]
    if args.mask:
        calls = MaskedCalls(calls, mask_frame(build_frame(calls)).df).take(range(len(calls)))
    common.write_output(output, calls_to_csv_bytes(calls))
    span = f" since {since:%Y-%m-%d}" if since is not None else ""
    err.write(
        f"Exported {len(result.calls):,} calls{span} to {output} ({result.pages:,} pages, "
        f"{result.requests:,} requests; {describe_repairs(result.repairs)}).\n"
    )
    err.flush()
    masked = "yes" if args.mask else "no"
    audit.info(
        "export: user=%s customer=%s rows=%d masked=%s", common.who(), conn.customer_id, len(result.calls), masked
    )
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
