"""`python -m carecycle_dash export`: every call of one customer to a CSV file, for scheduled jobs.

`--mask` writes the file with personal data masked as a masked dashboard viewer sees it (data/masking.py);
unmasked stays the default, as whoever runs this holds the API key anyway.

The key comes from CARECYCLE_API_KEY only (never a flag: flags show in process lists and shell history).
Any failure prints one line on stderr and exits non-zero; nothing is written unless the whole load worked.

Exit codes:
  0  exported
  1  unexpected error
  2  usage or input: bad option, missing key, malformed customer ID, unsafe base URL, unknown customer,
     a request the API rejected (400/404/422)
  3  authentication or access: the key was rejected (401) or may not see this customer (403)
  4  network or server: unreachable, timed out, 5xx, rate limited, unreadable or inconsistent data
  5  the output file could not be written
  130 interrupted
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final, TextIO

from carecycle_dash.api.client import CallsClient, validate_base_url, validate_customer_id
from carecycle_dash.api.config import ENV_API_KEY, ENV_BASE_URL
from carecycle_dash.api.contract import (
    DEFAULT_BASE_URL,
    DEFAULT_SORT_FIELD,
    DEFAULT_SORT_ORDER,
    SORT_FIELDS,
    SORT_ORDERS,
)
from carecycle_dash.api.errors import (
    AuthenticationError,
    BadRequestError,
    CareCycleError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from carecycle_dash.api.logs import AUDIT_LOGGER, one_line
from carecycle_dash.api.paging import DEFAULT_CONCURRENCY, MAX_CONCURRENCY, describe_repairs, load_all_calls
from carecycle_dash.api.retry import RetryPolicy
from carecycle_dash.data.frame import build_frame
from carecycle_dash.data.masking import MaskedCalls, mask_frame
from carecycle_dash.output.export import calls_to_csv_bytes, write_bytes_atomically

audit = logging.getLogger(AUDIT_LOGGER)

EXIT_OK: Final = 0
EXIT_UNEXPECTED: Final = 1
EXIT_USAGE: Final = 2
EXIT_AUTH: Final = 3
EXIT_REMOTE: Final = 4
EXIT_OUTPUT: Final = 5
EXIT_INTERRUPTED: Final = 130

# A scheduled job has no one waiting on it: it may retry longer than the dashboard would.
HEADLESS_RETRY: Final = RetryPolicy(attempts=8, deadline_s=180.0)


def register(subparsers: Any) -> None:
    """Add the `export` subcommand; its `run` returns the exit code."""
    parser = subparsers.add_parser(
        "export",
        help="write every call of one customer to a CSV file",
        description="Write every call of one customer to a CSV file. The API key is read from "
        f"{ENV_API_KEY}; the base URL from --base-url, else {ENV_BASE_URL}, else {DEFAULT_BASE_URL}.",
        epilog="Exit codes: 0 exported; 1 unexpected; 2 usage or input; 3 key rejected or no access; "
        "4 network, server or data; 5 output not written; 130 interrupted.",
    )
    parser.add_argument("--customer-id", metavar="ID", help="the customer's UUID (required)")
    parser.add_argument("--output", metavar="PATH", help="the CSV file to write (required)")
    parser.add_argument("--sort-by", default=DEFAULT_SORT_FIELD, metavar="|".join(SORT_FIELDS))
    parser.add_argument("--order", default=DEFAULT_SORT_ORDER, metavar="|".join(SORT_ORDERS))
    parser.add_argument("--base-url", metavar="URL", help="https URL of the API (http only to this machine)")
    parser.add_argument(
        "--concurrency",
        default=str(DEFAULT_CONCURRENCY),
        metavar="N",
        help=f"pages fetched at once, 1..{MAX_CONCURRENCY} (default {DEFAULT_CONCURRENCY})",
    )
    parser.add_argument(
        "--mask",
        action="store_true",
        help="mask personal data (caller numbers to their last four digits; phone numbers, e-mail addresses, "
        "SSNs, dates of birth, Medicare and card numbers replaced by labels; recording links left out)",
    )
    parser.set_defaults(run=run)


class _ProgressBar:
    """A one-line bar redrawn in place on a terminal."""

    def __init__(self, stream: TextIO, width: int = 30) -> None:
        self.stream = stream
        self.width = width
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        filled = int(self.width * done / total) if total else self.width
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\rLoading pages [{bar}] {done}/{total}")
        self.stream.flush()
        self.drawn = True

    def finish(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False


def _fail(stream: TextIO, message: str, code: int) -> int:
    stream.write(f"error: {' '.join(message.split())}\n")
    stream.flush()
    return code


def _exit_code(error: CareCycleError) -> int:
    if isinstance(error, AuthenticationError | PermissionDeniedError):
        return EXIT_AUTH
    if isinstance(error, InvalidInputError | BadRequestError | ValidationError | NotFoundError):
        return EXIT_USAGE
    return EXIT_REMOTE


def _options(args: argparse.Namespace, environ: Mapping[str, str]) -> tuple[str, str, Path, str, int]:
    """The checked options: (customer ID, base URL, output path, API key, concurrency)."""
    if not args.customer_id:
        raise InvalidInputError("--customer-id is required (the customer's UUID).")
    if not args.output:
        raise InvalidInputError("--output is required (the CSV file to write).")
    if args.sort_by not in SORT_FIELDS:
        raise InvalidInputError(f"--sort-by must be one of {', '.join(SORT_FIELDS)}.")
    if args.order not in SORT_ORDERS:
        raise InvalidInputError(f"--order must be one of {', '.join(SORT_ORDERS)}.")
    try:
        concurrency = int(args.concurrency)
    except ValueError:
        concurrency = 0
    if not 1 <= concurrency <= MAX_CONCURRENCY:
        raise InvalidInputError(f"--concurrency must be a whole number from 1 to {MAX_CONCURRENCY}.")
    customer_id = validate_customer_id(args.customer_id)
    base_url = validate_base_url(args.base_url or environ.get(ENV_BASE_URL, "").strip() or DEFAULT_BASE_URL)
    output = Path(args.output)
    if output.is_dir():
        raise InvalidInputError(f"--output {str(output)!r} is a directory; name a file.")
    if not output.parent.is_dir():
        raise InvalidInputError(f"The folder of --output {str(output)!r} does not exist.")
    api_key = environ.get(ENV_API_KEY, "").strip()
    if not api_key:
        raise InvalidInputError(f"{ENV_API_KEY} is not set: export your CareCycle API key (it begins with cc_).")
    return customer_id, base_url, output, api_key, concurrency


class _OutputNotWritten(Exception):
    """The CSV could not be written; the message is safe to show."""


def _export(
    args: argparse.Namespace,
    environ: Mapping[str, str],
    err: TextIO,
    progress: _ProgressBar | None,
    retry: RetryPolicy | None,
) -> int:
    customer_id, base_url, output, api_key, concurrency = _options(args, environ)
    with CallsClient(api_key, base_url, retry=retry or HEADLESS_RETRY) as client:
        result = load_all_calls(
            client, customer_id, sort_by=args.sort_by, order=args.order, concurrency=concurrency, on_progress=progress
        )
    if progress:
        progress.finish()
    calls = result.calls
    if args.mask:
        calls = MaskedCalls(calls, mask_frame(build_frame(calls)).df).take(range(len(calls)))
    try:
        write_bytes_atomically(output, calls_to_csv_bytes(calls))
    except OSError as error:
        raise _OutputNotWritten(f"Could not write {str(output)!r}: {error.strerror or type(error).__name__}.") from None
    err.write(
        f"Exported {len(result.calls):,} calls to {output} ({result.pages:,} pages, {result.requests:,} requests; "
        f"{describe_repairs(result.repairs)}).\n"
    )
    err.flush()
    masked = "yes" if args.mask else "no"
    audit.info("export: user=%s customer=%s rows=%d masked=%s", _who(), customer_id, len(result.calls), masked)
    return EXIT_OK


def _who() -> str:
    """The account running the export, for the audit line."""
    try:
        return one_line(getpass.getuser())
    except (KeyError, OSError):
        return "unknown"


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
    progress = _ProgressBar(err) if err.isatty() else None
    try:
        return _export(args, environ, err, progress, retry)
    except CareCycleError as error:
        code, message = _exit_code(error), error.message
    except _OutputNotWritten as error:
        code, message = EXIT_OUTPUT, str(error)
    except KeyboardInterrupt:
        code, message = EXIT_INTERRUPTED, "Interrupted; nothing was written."
    except Exception as error:
        code, message = EXIT_UNEXPECTED, f"Unexpected {type(error).__name__}; nothing was written. Please report it."
    if progress:
        progress.finish()
    return _fail(err, message, code)
