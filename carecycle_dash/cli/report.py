"""`python -m carecycle_dash report`: one customer's weekly report as a self-contained HTML file.

Key, base URL, exit codes and the all-or-nothing write are the `export` command's (cli/common.py). The
period is --start/--end (whole days, both included, in --tz) or --last 7d (the last N whole days, ending
yesterday, so a mailed report's figures are final);
the report compares it with the period of the same length before it when the loaded calls cover that. A
period running past the newest call (calls that stopped, or the demo's) keeps its calendar days: Needs
attention first says "No calls since DATE (N days)", and the changes compare its days with calls against as
many days before them, as the Overview does (data/attention.py, data/periods.py).
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
import time
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final, TextIO

from carecycle_dash.api.config import ENV_API_KEY, ENV_BASE_URL
from carecycle_dash.api.contract import DEFAULT_BASE_URL, DEFAULT_SORT_FIELD, DEFAULT_SORT_ORDER
from carecycle_dash.api.errors import InvalidInputError
from carecycle_dash.api.retry import RetryPolicy
from carecycle_dash.cli import common
from carecycle_dash.data.completeness import completeness
from carecycle_dash.data.filters import CallFilters, filter_options
from carecycle_dash.data.formatting import plural
from carecycle_dash.data.frame import build_frame, time_zone
from carecycle_dash.output.report import build_report
from carecycle_dash.text.logs import AUDIT_LOGGER

audit = logging.getLogger(AUDIT_LOGGER)

_LAST: Final = re.compile(r"^\s*(\d{1,4})\s*([dw])\s*$", re.IGNORECASE)


def register(subparsers: Any) -> None:
    """Add the `report` subcommand; its `run` returns the exit code."""
    parser = subparsers.add_parser(
        "report",
        help="write one customer's report (figures, changes, Needs attention, charts) to an HTML file",
        description="Write a self-contained HTML report of one customer's calls: headline figures with their "
        "changes against the previous period, Needs attention, and charts. It opens offline in any browser. "
        f"The API key is read from {ENV_API_KEY}; the base URL from --base-url, else {ENV_BASE_URL}, "
        f"else {DEFAULT_BASE_URL}.",
        epilog=common.EXIT_CODES_HELP.format(done="written"),
    )
    common.add_connection_options(parser)
    parser.add_argument("--start", metavar="YYYY-MM-DD", help="first day of the period (default: the first call)")
    parser.add_argument("--end", metavar="YYYY-MM-DD", help="last day of the period, included (default: the last call)")
    parser.add_argument(
        "--last", metavar="Nd|Nw", help="the last N whole days (d) or weeks (w), ending yesterday, e.g. 7d"
    )
    parser.add_argument("--tz", default="UTC", metavar="ZONE", help="time zone of the days, e.g. Europe/Berlin")
    parser.set_defaults(run=run)


def period(args: argparse.Namespace, today: date) -> tuple[date | None, date | None]:
    """The report's first and last day from --start/--end or --last, checked."""
    if args.last and (args.start or args.end):
        raise InvalidInputError("Give either --last or --start/--end, not both.")
    if args.last:
        match = _LAST.match(args.last)
        if match is None or int(match[1]) == 0:
            raise InvalidInputError("--last must be a number of days or weeks, such as 7d or 4w.")
        days = int(match[1]) * (7 if match[2].lower() == "w" else 1)
        yesterday = today - timedelta(days=1)
        return yesterday - timedelta(days=days - 1), yesterday
    start = _day(args.start, "--start")
    end = _day(args.end, "--end")
    if start and end and start > end:
        raise InvalidInputError("--start is after --end.")
    return start, end


def _day(value: str | None, flag: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInputError(f"{flag} must be a date like 2026-11-16.") from None


def _report(
    args: argparse.Namespace,
    environ: Mapping[str, str],
    err: TextIO,
    progress: common.ProgressBar | None,
    retry: RetryPolicy | None,
    now: datetime,
) -> int:
    output = common.output_path(args.output, "HTML file")
    tz = args.tz.strip() if args.tz else "UTC"
    zone = time_zone(tz)
    start, end = period(args, now.astimezone(zone).date())
    conn = common.connection(args, environ)
    result = common.load(conn, sort_by=DEFAULT_SORT_FIELD, order=DEFAULT_SORT_ORDER, progress=progress, retry=retry)
    began = time.perf_counter()
    frame = build_frame(result.calls)
    filters = CallFilters(start=start, end=end, tz=tz)
    options = filter_options(frame.df, tz)
    data = build_report(
        frame.df,
        filters,
        customer_id=conn.customer_id,
        first_day=options.first_day,
        last_day=options.last_day,
        generated_at=now.astimezone(zone),
        completeness=completeness(frame.df, result.items_total, frame.cleaned_total, tests_included=False),
    )
    common.write_output(output, data)
    err.write(
        f"Wrote the report of {plural(len(result.calls), 'loaded call')} to {output} "
        f"({common.describe_size(len(data))}, "
        f"built in {time.perf_counter() - began:.1f} s).\n"
    )
    err.flush()
    audit.info(
        "report: user=%s customer=%s rows=%d start=%s end=%s bytes=%d",
        common.who(),
        conn.customer_id,
        len(result.calls),
        start or "-",
        end or "-",
        len(data),
    )
    return common.EXIT_OK


def run(
    args: argparse.Namespace,
    *,
    environ: Mapping[str, str] | None = None,
    stderr: TextIO | None = None,
    retry: RetryPolicy | None = None,
    now: datetime | None = None,
) -> int:
    """Load every call and write the report; returns the exit code. All messages go to stderr.

    `environ`, `stderr`, `retry` and `now` default to the process's own; tests pass theirs.
    """
    environ = os.environ if environ is None else environ
    err = sys.stderr if stderr is None else stderr
    moment = now or datetime.now(UTC)
    return common.run_guarded(lambda progress: _report(args, environ, err, progress, retry, moment), err)
