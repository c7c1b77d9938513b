"""What the headless commands (`export`, `report`) share: the connection options and their checks, loading
every call, exit codes, one-line failures, the atomic write of the output file and the audit line's "who".

Loads go through the call store (CARECYCLE_STORE_URL, as the dashboard's) unless `--no-store`: a scheduled
job then reads the calls kept there and asks the API only for the newest pages (the re-check window).

Exit codes:
  0  done
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
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, TextIO

from carecycle_dash.api.client import CallsClient
from carecycle_dash.api.config import (
    DEFAULT_MAX_PAGE_MB,
    DEFAULT_REQUEST_TIMEOUT_S,
    ENV_API_KEY,
    ENV_LOAD_TIMEOUT,
    ENV_REQUEST_TIMEOUT,
    parse_seconds,
    resolve_max_page_mb,
    resolve_settings,
)
from carecycle_dash.api.contract import (
    DEFAULT_BASE_URL,
    DEFAULT_SORT_FIELD,
    DEFAULT_SORT_ORDER,
    MAX_LIMIT,
    SortField,
    SortOrder,
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
from carecycle_dash.api.full_load import load_all_calls
from carecycle_dash.api.models import LoadResult
from carecycle_dash.api.paging import DEFAULT_CONCURRENCY, MAX_CONCURRENCY, is_since, pages_for
from carecycle_dash.api.reload import DEFAULT_RECHECK, reload_calls
from carecycle_dash.api.retry import RetryPolicy
from carecycle_dash.api.validation import validate_base_url, validate_customer_id, whole_number
from carecycle_dash.cli.output import STANDARD_OUTPUT, STANDARD_OUTPUT_FLAG, StandardOutput, write_to_standard_output
from carecycle_dash.data.frame import build_frame
from carecycle_dash.data.kept import merged_frame, read_kept, snapshot_of
from carecycle_dash.data.ordering import sort_positions
from carecycle_dash.data.sent import FrameCalls
from carecycle_dash.output.export import write_bytes_atomically
from carecycle_dash.store import CallStore, StoreError, StoreSettings, entry_for, open_store, resolve_store
from carecycle_dash.text.logs import one_line

log = logging.getLogger("carecycle_dash.cli")

EXIT_OK: Final = 0
EXIT_UNEXPECTED: Final = 1
EXIT_USAGE: Final = 2
EXIT_AUTH: Final = 3
EXIT_REMOTE: Final = 4
EXIT_OUTPUT: Final = 5
EXIT_INTERRUPTED: Final = 130
EXIT_CODES_HELP: Final = (
    "Exit codes: 0 {done}; 1 unexpected; 2 usage or input; 3 key rejected or no access; "
    "4 network, server or data; 5 output not written; 130 interrupted."
)

# A scheduled job has no one waiting on it: it may retry more often than the dashboard would, within the
# load's own deadline.
HEADLESS_RETRY: Final = RetryPolicy(attempts=8, deadline_s=180.0)
# A job that fails should fail within 2 minutes: a stuck API must not hold the next run or its alerting back.
HEADLESS_LOAD_TIMEOUT_S: Final = 110.0


@dataclass(frozen=True)
class Connection:
    """The checked options every command needs to load calls."""

    customer_id: str
    base_url: str
    api_key: str = field(repr=False)
    concurrency: int
    request_timeout_s: float
    load_timeout_s: float
    max_page_mb: int = DEFAULT_MAX_PAGE_MB
    store: StoreSettings | None = None
    """The call store to read and keep the calls in; None with --no-store."""


class OutputNotWritten(Exception):
    """The output file could not be written; the message is safe to show."""


class ProgressBar:
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


def add_connection_options(
    parser: argparse.ArgumentParser, *, output: str = "the file to write (required; - for standard output)"
) -> None:
    """--customer-id, --output, --base-url, --concurrency and the time limits, the same for every command."""
    parser.add_argument("--customer-id", metavar="ID", help="the customer's UUID (required)")
    parser.add_argument("--output", metavar="PATH", help=output)
    parser.add_argument("--base-url", metavar="URL", help="https URL of the API (http only to this machine)")
    parser.add_argument(
        "--concurrency",
        default=str(DEFAULT_CONCURRENCY),
        metavar="N",
        help=f"pages fetched at once, 1..{MAX_CONCURRENCY} (default {DEFAULT_CONCURRENCY})",
    )
    parser.add_argument(
        "--request-timeout",
        metavar="SECONDS",
        help=f"longest one request may take, connect to last byte (default {ENV_REQUEST_TIMEOUT}, else "
        f"{DEFAULT_REQUEST_TIMEOUT_S:g})",
    )
    parser.add_argument(
        "--load-timeout",
        metavar="SECONDS",
        help=f"longest the whole load may take (default {ENV_LOAD_TIMEOUT}, else {HEADLESS_LOAD_TIMEOUT_S:g})",
    )
    parser.add_argument(
        "--no-store",
        action="store_true",
        help="load every call from the API and keep nothing: neither read nor write the call store "
        "(CARECYCLE_STORE_URL)",
    )


def connection(args: argparse.Namespace, environ: Mapping[str, str]) -> Connection:
    """The checked connection options, or InvalidInputError naming the one to fix."""
    if not args.customer_id:
        raise InvalidInputError("--customer-id is required (the customer's UUID).")
    try:
        concurrency: object = int(args.concurrency)
    except ValueError:
        concurrency = args.concurrency
    concurrency = whole_number(concurrency, "--concurrency", 1, MAX_CONCURRENCY)
    customer_id = validate_customer_id(args.customer_id)
    settings = resolve_settings(environ=environ)  # the environment only: a scheduled job has no secrets file
    base_url = validate_base_url(args.base_url or settings.base_url or DEFAULT_BASE_URL)
    if settings.api_key is None:
        raise InvalidInputError(f"{ENV_API_KEY} is not set: export your CareCycle API key (it begins with cc_).")
    return Connection(
        customer_id,
        base_url,
        settings.api_key,
        concurrency,
        _seconds(args.request_timeout, "--request-timeout", environ, ENV_REQUEST_TIMEOUT, DEFAULT_REQUEST_TIMEOUT_S),
        _seconds(args.load_timeout, "--load-timeout", environ, ENV_LOAD_TIMEOUT, HEADLESS_LOAD_TIMEOUT_S),
        resolve_max_page_mb(environ, strict=True),
        None if getattr(args, "no_store", False) else resolve_store(None, environ),
    )


def _seconds(flag_value: str | None, flag: str, environ: Mapping[str, str], env_name: str, default: float) -> float:
    """A time limit: the flag, else the environment, else `default`; InvalidInputError names the bad one."""
    if flag_value is not None:
        return parse_seconds(flag_value, flag)
    if env_value := environ.get(env_name, "").strip():
        return parse_seconds(env_value, env_name)
    return default


def output_path(value: str | None, what: str) -> Path | StandardOutput:
    """The --output target, checked before any call is loaded: `-` for standard output, else a file that is
    not a folder, in a folder that exists (write_output says what it does with each kind of target)."""
    if not value:
        raise InvalidInputError(f"--output is required (the {what} to write; - for standard output).")
    if value == STANDARD_OUTPUT_FLAG:
        return STANDARD_OUTPUT
    output = Path(value)
    if output.is_dir():
        raise InvalidInputError(f"--output {str(output)!r} is a directory; name a file.")
    if not output.parent.is_dir():
        raise InvalidInputError(f"The folder of --output {str(output)!r} does not exist.")
    return output


def load(
    conn: Connection,
    *,
    sort_by: SortField,
    order: SortOrder,
    progress: ProgressBar | None,
    retry: RetryPolicy | None,
    since: datetime | None = None,
) -> LoadResult:
    """Every call of the customer (created at or after `since`, when given), with the patient retry of a
    scheduled job unless told otherwise. Loading since a date, or through the call store, reads newest first,
    as only that order can stop early; other orders are then sorted locally (ties by id)."""
    with CallsClient(
        conn.api_key,
        conn.base_url,
        retry=retry or HEADLESS_RETRY,
        request_timeout_s=conn.request_timeout_s,
        max_page_mb=conn.max_page_mb,
        # The only load in this process: --concurrency alone bounds its requests.
        request_slots=threading.BoundedSemaphore(conn.concurrency),
    ) as client:
        store = _open(conn.store)
        if store is not None:
            try:
                result = _load_kept(client, conn, store, progress, since)
            finally:
                store.close()
        else:
            order_or_since: dict[str, Any] = {"sort_by": sort_by, "order": order} if since is None else {"since": since}
            result = load_all_calls(
                client,
                conn.customer_id,
                concurrency=conn.concurrency,
                on_progress=progress,
                deadline_s=conn.load_timeout_s,
                **order_or_since,
            )
    if progress:
        progress.finish()
    if store is not None and (sort_by, order) != (DEFAULT_SORT_FIELD, DEFAULT_SORT_ORDER):  # read newest first
        calls = [result.calls[row] for row in sort_positions(build_frame(result.calls).df, sort_by, order)]
        result = replace(result, calls=calls)
    return result


def _open(settings: StoreSettings | None) -> CallStore | None:
    """The call store, or None (--no-store, or one that cannot be opened: one warning, then the API alone)."""
    if settings is None:
        return None
    try:
        return open_store(settings)
    except StoreError as error:
        log.warning("The call store is not used: %s", one_line(error))
        return None


def _load_kept(
    client: CallsClient, conn: Connection, store: CallStore, progress: ProgressBar | None, since: datetime | None
) -> LoadResult:
    """The calls kept in the store brought up to date (the re-check window's pages), or loaded afresh; kept
    again afterwards. A key the API refuses loses its entry. Newest first, narrowed to `since`."""
    entry = entry_for(conn.base_url, conn.customer_id, conn.api_key)
    stored = read_kept(store, entry, conn.api_key)
    previous, base = (stored[0], stored[1]) if stored is not None else (None, None)
    if previous is not None and previous.since is not None and (since is None or since < previous.since):
        previous = base = None  # the kept calls do not reach back far enough
    options: dict[str, Any] = {
        "concurrency": conn.concurrency,
        "on_progress": progress,
        "deadline_s": conn.load_timeout_s,
    }
    try:
        if previous is not None:
            result = reload_calls(
                client, conn.customer_id, previous, since=previous.since, recheck=DEFAULT_RECHECK, **options
            )
        else:
            result = load_all_calls(client, conn.customer_id, since=since, **options)
    except (AuthenticationError, PermissionDeniedError):
        store.forget(entry)
        raise
    frame = merged_frame(result, base)
    if not store.write(entry, conn.api_key, snapshot_of(result, frame, datetime.now(UTC))):
        log.warning("The calls were not kept in the call store: %s", one_line(store.problem or ""))
    result = replace(result, calls=FrameCalls(frame).take(range(len(frame.df))))  # every call as sent
    if since is None or result.since == since:
        return result
    calls = [call for call in result.calls if is_since(call, since)]
    return replace(result, calls=calls, items_total=len(calls), pages=pages_for(len(calls), MAX_LIMIT), since=since)


def write_output(path: Path | StandardOutput, data: bytes) -> None:
    """All of `data` or nothing at `path` (standard output, a file replaced atomically, a symlink's file, a
    FIFO or device written directly; a read-only file refused): a failure becomes OutputNotWritten with a
    message to show."""
    try:
        if isinstance(path, StandardOutput):
            write_to_standard_output(data)
        else:
            write_bytes_atomically(path, data)
    except OSError as error:
        where = f"to {path}" if isinstance(path, StandardOutput) else repr(str(path))
        raise OutputNotWritten(f"Could not write {where}: {error.strerror or type(error).__name__}.") from None


def who() -> str:
    """The account running the command, for the audit line."""
    try:
        return one_line(getpass.getuser())
    except (KeyError, OSError):
        return "unknown"


def run_guarded(work: Callable[[ProgressBar | None], int], err: TextIO) -> int:
    """Run a command's work; every failure becomes one line on `err` and its exit code, never a traceback."""
    progress = ProgressBar(err) if err.isatty() else None
    try:
        return work(progress)
    except CareCycleError as error:
        code, message = _exit_code(error), error.message
    except OutputNotWritten as error:
        code, message = EXIT_OUTPUT, str(error)
    except KeyboardInterrupt:
        code, message = EXIT_INTERRUPTED, "Interrupted; nothing was written."
    except Exception as error:
        code, message = EXIT_UNEXPECTED, f"Unexpected {type(error).__name__}; nothing was written. Please report it."
    if progress:
        progress.finish()
    err.write(f"error: {' '.join(message.split())}\n")
    err.flush()
    return code


def _exit_code(error: CareCycleError) -> int:
    if isinstance(error, AuthenticationError | PermissionDeniedError):
        return EXIT_AUTH
    if isinstance(error, InvalidInputError | BadRequestError | ValidationError | NotFoundError):
        return EXIT_USAGE
    return EXIT_REMOTE


def describe_size(size: int) -> str:
    """A file size for a person: 1.2 MB, 340 KB, 12 bytes."""
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    if size >= 1_000:
        return f"{size / 1_000:.0f} KB"
    return f"{size} bytes"
