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
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final, TextIO

import pandas as pd

from carecycle_dash.api.client import CallsClient, validate_base_url, validate_customer_id
from carecycle_dash.api.config import ENV_API_KEY, ENV_BASE_URL
from carecycle_dash.api.contract import DEFAULT_BASE_URL
from carecycle_dash.api.errors import CareCycleError, InvalidInputError
from carecycle_dash.api.paging import load_all_calls
from carecycle_dash.api.retry import RetryPolicy
from carecycle_dash.cli.export import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_OUTPUT,
    EXIT_UNEXPECTED,
    HEADLESS_RETRY,
    _exit_code,
    _fail,
    _who,
    audit,
)
from carecycle_dash.data.callers import do_not_call_breaches
from carecycle_dash.data.frame import build_frame
from carecycle_dash.output.export import calls_to_csv_bytes, write_bytes_atomically

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
    parser.add_argument("--customer-id", metavar="ID", help="the customer's UUID (required)")
    parser.add_argument("--base-url", metavar="URL", help="https URL of the API (http only to this machine)")
    parser.add_argument("--output", metavar="PATH", help="also write each breach to this CSV file")
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


def _options(args: argparse.Namespace, environ: Mapping[str, str]) -> tuple[str, str, Path | None, str]:
    if not args.customer_id:
        raise InvalidInputError("--customer-id is required (the customer's UUID).")
    customer_id = validate_customer_id(args.customer_id)
    base_url = validate_base_url(args.base_url or environ.get(ENV_BASE_URL, "").strip() or DEFAULT_BASE_URL)
    output = Path(args.output) if args.output else None
    if output is not None and (output.is_dir() or not output.parent.is_dir()):
        raise InvalidInputError(f"--output {str(output)!r} must be a file in a folder that exists.")
    api_key = environ.get(ENV_API_KEY, "").strip()
    if not api_key:
        raise InvalidInputError(f"{ENV_API_KEY} is not set: export your CareCycle API key (it begins with cc_).")
    return customer_id, base_url, output, api_key


class _OutputNotWritten(Exception):
    """The CSV could not be written; the message is safe to show."""


def _check(args: argparse.Namespace, environ: Mapping[str, str], out: TextIO, retry: RetryPolicy | None) -> int:
    customer_id, base_url, output, api_key = _options(args, environ)
    with CallsClient(api_key, base_url, retry=retry or HEADLESS_RETRY) as client:
        result = load_all_calls(client, customer_id)
    rows = breach_rows(result.calls, include_tests=args.include_tests)
    if output is not None:
        try:
            write_bytes_atomically(output, calls_to_csv_bytes(rows.to_dict("records"), BREACH_COLUMNS))
        except OSError as error:
            raise _OutputNotWritten(
                f"Could not write {str(output)!r}: {error.strerror or type(error).__name__}."
            ) from None
    numbers = rows["callerId"].nunique()
    out.write(
        f"Called after Do Not Call: {numbers:,} numbers, {len(rows):,} outbound calls "
        f"(of {len(result.calls):,} calls of customer {customer_id}).\n"
    )
    out.flush()
    audit.info("compliance: user=%s customer=%s numbers=%d calls=%d", _who(), customer_id, numbers, len(rows))
    return EXIT_BREACH if args.fail_on_breach and len(rows) else EXIT_OK


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
    try:
        return _check(args, environ, out, retry)
    except CareCycleError as error:
        code, message = _exit_code(error), error.message
    except _OutputNotWritten as error:
        code, message = EXIT_OUTPUT, str(error)
    except KeyboardInterrupt:
        code, message = EXIT_INTERRUPTED, "Interrupted; nothing was written."
    except Exception as error:
        code, message = EXIT_UNEXPECTED, f"Unexpected {type(error).__name__}; nothing was written. Please report it."
    return _fail(err, message, code)
