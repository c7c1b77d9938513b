"""`python -m carecycle_dash compliance`: how many numbers were called after asking not to be, for a
scheduled check; the same `do_not_call_breaches` as the Callers page's "Called after Do Not Call".

Prints one line of counts on stdout (never a phone number); `--output` writes each breach to a CSV file
(the number, the request, the call after it). The key comes from CARECYCLE_API_KEY only.

Exit codes: those of `export` (0 checked, 1 unexpected, 2 usage or input, 3 key rejected or no access,
4 network, server or data, 5 output not written, 130 interrupted), and 6 when `--fail-on-breach` is given
and a breach was found.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Mapping
from typing import Any, Final, TextIO

import pandas as pd

from carecycle_dash.api.config import ENV_API_KEY, ENV_BASE_URL
from carecycle_dash.api.contract import DEFAULT_BASE_URL, DEFAULT_SORT_FIELD, DEFAULT_SORT_ORDER
from carecycle_dash.api.retry import RetryPolicy
from carecycle_dash.cli import common
from carecycle_dash.data.callers import do_not_call_breaches
from carecycle_dash.data.formatting import plural
from carecycle_dash.data.frame import build_frame
from carecycle_dash.output.export import calls_to_csv_bytes
from carecycle_dash.text.logs import AUDIT_LOGGER

audit = logging.getLogger(AUDIT_LOGGER)

EXIT_BREACH: Final = 6
BREACH_COLUMNS: Final = ("callerId", "requestedAt", "requestCallId", "callId", "createdAt", "disposition")


def register(subparsers: Any) -> None:
    """Add the `compliance` subcommand; its `run` returns the exit code."""
    parser = subparsers.add_parser(
        "compliance",
        help="count numbers called after a Do Not Call request",
        description="Count the numbers of one customer that received an outbound call after a call with "
        "disposition 'Do Not Call' or 'Do Not Contact' (test calls left out unless --include-tests). "
        f"The API key is read from {ENV_API_KEY}; the base URL from --base-url, else {ENV_BASE_URL}, "
        f"else {DEFAULT_BASE_URL}.",
        epilog="Exit codes: 0 checked; 1 unexpected; 2 usage or input; 3 key rejected or no access; "
        "4 network, server or data; 5 output not written; 6 breaches found (with --fail-on-breach); "
        "130 interrupted.",
    )
    common.add_connection_options(parser, output="also write each breach to this CSV file")
    parser.add_argument("--include-tests", action="store_true", help="count test calls too")
    parser.add_argument("--fail-on-breach", action="store_true", help="exit with 6 when any breach is found")
    parser.set_defaults(run=run)


def breach_rows(calls: list[Mapping[str, Any]], *, include_tests: bool = False) -> pd.DataFrame:
    """The breaches among these raw calls, as CSV rows: the number, when it asked, which call came after."""
    df = build_frame(calls).df
    if not include_tests:
        df = df[~df["isTest"].to_numpy(dtype=bool)]
    breaches = do_not_call_breaches(df)
    return pd.DataFrame(
        {
            "callerId": breaches["caller"].array,
            "requestedAt": [_iso(t) for t in breaches["requestedAt"]],
            "requestCallId": df["id"].reindex(breaches["requestRow"]).array,
            "callId": breaches["id"].array,
            "createdAt": [_iso(t) for t in breaches["createdAt"]],
            "disposition": breaches["disposition"].array,
        },
        columns=list(BREACH_COLUMNS),
    )


def _iso(moment: pd.Timestamp) -> str:
    """As the API writes times: UTC, milliseconds, `Z`."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _check(
    args: argparse.Namespace,
    environ: Mapping[str, str],
    out: TextIO,
    progress: common.ProgressBar | None,
    retry: RetryPolicy | None,
) -> int:
    output = common.output_path(args.output, "CSV file") if args.output else None
    conn = common.connection(args, environ)
    result = common.load(conn, sort_by=DEFAULT_SORT_FIELD, order=DEFAULT_SORT_ORDER, progress=progress, retry=retry)
    rows = breach_rows(result.calls, include_tests=args.include_tests)
    if output is not None:
        common.write_output(output, calls_to_csv_bytes(rows.to_dict("records"), BREACH_COLUMNS))
    numbers = rows["callerId"].nunique()
    out.write(
        f"Called after Do Not Call: {plural(numbers, 'number')}, {plural(len(rows), 'outbound call')} "
        f"(of {plural(len(result.calls), 'call')} of customer {conn.customer_id}).\n"
    )
    out.flush()
    audit.info(
        "compliance: user=%s customer=%s numbers=%d calls=%d", common.who(), conn.customer_id, numbers, len(rows)
    )
    return EXIT_BREACH if args.fail_on_breach and len(rows) else common.EXIT_OK


def run(
    args: argparse.Namespace,
    *,
    environ: Mapping[str, str] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    retry: RetryPolicy | None = None,
) -> int:
    """Load every call and count the breaches; returns the exit code. Errors go to stderr as one line."""
    environ = os.environ if environ is None else environ
    out = sys.stdout if stdout is None else stdout
    err = sys.stderr if stderr is None else stderr
    if args.output == common.STANDARD_OUTPUT_FLAG:
        out = err  # the CSV has standard output; the summary must not end up inside it
    return common.run_guarded(lambda progress: _check(args, environ, out, progress, retry), err)
