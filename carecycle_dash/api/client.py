"""The one place that speaks HTTP to the CareCycle calls endpoint.

It checks input before any request, sends the key only as a header, maps every outcome to one exception
of `carecycle_dash.api.errors` with a sentence a person can act on, and retries through `RetryPolicy`.
One client may be shared by many threads: the loader fetches pages concurrently over it.

httpx bounds each phase (connect, each read) but not a whole request, so a server sending one byte every
few seconds would never time out. Each request therefore has its own deadline, from connect to last byte:
the body is streamed and the deadline checked per chunk, and every phase timeout is cut to the time left,
so a silent server is caught too. A request waits for one of its key's process-wide slots
(`limits.key_slots`) before it is sent.
"""

from __future__ import annotations

import email.utils
import ipaddress
import json
import math
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Final, NoReturn, Self
from urllib.parse import urlencode

import httpx

from carecycle_dash.api.config import DEFAULT_REQUEST_TIMEOUT_S
from carecycle_dash.api.contract import (
    API_KEY_HEADER,
    CALLS_PATH,
    DEFAULT_BASE_URL,
    DEFAULT_SORT_FIELD,
    DEFAULT_SORT_ORDER,
    MAX_LIMIT,
    PARAM_LIMIT,
    PARAM_ORDER,
    PARAM_PAGE,
    PARAM_SORT_BY,
    RETRY_AFTER_UNIT_SECONDS,
    SORT_FIELDS,
    SORT_ORDERS,
    STATUS_BAD_REQUEST,
    STATUS_FORBIDDEN,
    STATUS_NOT_FOUND,
    STATUS_RATE_LIMITED,
    STATUS_UNAUTHORIZED,
    STATUS_VALIDATION,
    SortField,
    SortOrder,
    is_valid_customer_id,
)
from carecycle_dash.api.errors import (
    ApiError,
    AuthenticationError,
    BadRequestError,
    FieldError,
    InvalidInputError,
    NetworkError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    RequestTimeoutError,
    ServerError,
    UnreadableResponseError,
    ValidationError,
)
from carecycle_dash.api.limits import LoadGuard, guarded_transport, guarding, key_slots
from carecycle_dash.api.models import CallsPage
from carecycle_dash.api.retry import RetryPolicy
from carecycle_dash.text.safety import mend_lone_surrogates, shorten

USER_AGENT: Final = "carecycle-dash"
EXAMPLE_CUSTOMER_ID: Final = "497f6eca-6276-4993-bfeb-53cbbbba6f08"
_SERVER_TEXT_LIMIT: Final = 200
_FIELD_ERRORS_SHOWN: Final = 10
_SLOT_POLL_S: Final = 0.25


def format_seconds(seconds: float) -> str:
    """A time limit as people write it: 0.5 s, 60 s, 110 s, 2.5 min, 5 min."""
    if seconds >= 120:
        return f"{seconds / 60:.1f}".removesuffix(".0") + " min"
    return f"{seconds:.3g} s"


@dataclass(frozen=True)
class _Answer:
    """A whole response: status, headers and the body as read within the request's deadline."""

    status_code: int
    headers: httpx.Headers
    content: bytes

    @property
    def is_success(self) -> bool:
        return 200 <= self.status_code < 300


def _preview(value: object, limit: int = 40) -> str:
    """A short, escaped rendering of untrusted input for an error message."""
    text = value if isinstance(value, str) else str(type(value).__name__)
    return repr(shorten(text, limit))


def _server_text(value: object) -> str:
    """Untrusted text from an error body, made safe for one line: printable, collapsed, bounded."""
    if not isinstance(value, str):
        return ""
    printable = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in value)
    text = " ".join(printable.split())
    return shorten(text, _SERVER_TEXT_LIMIT)


class CustomerId(str):
    """A customer ID that passed `validate_customer_id`: the only kind of ID the client puts into a URL.

    The edges (the UI's inputs, the CLI's flags, `load_all_calls`) validate once; every page request of a
    load then costs a type check instead of the pattern match.
    """

    __slots__ = ()


def validate_customer_id(customer_id: str) -> CustomerId:
    """The ID, trimmed, if it matches the API's path pattern; else InvalidInputError before any request."""
    if type(customer_id) is CustomerId:
        return customer_id
    if not isinstance(customer_id, str):
        raise InvalidInputError("The customer ID must be text, such as " + EXAMPLE_CUSTOMER_ID + ".")
    trimmed = customer_id.strip()
    if not is_valid_customer_id(trimmed):
        raise InvalidInputError(
            f"The customer ID {_preview(customer_id)} is not valid: expected a UUID such as {EXAMPLE_CUSTOMER_ID}."
        )
    return CustomerId(trimmed)


def is_loopback_host(host: str) -> bool:
    """True for hosts that never leave this machine: localhost, 127.0.0.0/8 and ::1."""
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def validate_base_url(url: str) -> str:
    """The base URL without a trailing slash, if it is https, or plain http to this machine only."""
    if not isinstance(url, str) or not url.strip():
        raise InvalidInputError(f"The API base URL is empty; use {DEFAULT_BASE_URL}.")
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, ValueError):
        raise InvalidInputError(f"The API base URL {_preview(url)} is not a valid URL.") from None
    scheme = parsed.scheme.lower()
    if scheme not in ("https", "http") or not parsed.host:
        raise InvalidInputError(f"The API base URL {_preview(url)} must start with https:// and name a host.")
    if parsed.userinfo:
        raise InvalidInputError("The API base URL must not contain a user name or password.")
    if parsed.query or parsed.fragment:
        raise InvalidInputError("The API base URL must not contain a query or fragment.")
    if scheme == "http" and not is_loopback_host(parsed.host):
        raise InvalidInputError(
            f"Refusing plain http to {_preview(parsed.host)}: use https "
            "(plain http is allowed only to this machine, e.g. http://127.0.0.1:8000)."
        )
    return str(parsed).rstrip("/")


def whole_number(value: object, what: str, low: int, high: int | None = None) -> int:
    """`value` when it is an int (not a bool) from `low` to `high`; else InvalidInputError naming `what`.

    The one check of every whole-number option: page, page size, concurrency, the CLI's flags.
    """
    if isinstance(value, int) and not isinstance(value, bool) and low <= value and (high is None or value <= high):
        return value
    allowed = f"of at least {low}" if high is None else f"from {low} to {high}"
    shown = "" if value is None else f", not {_preview(str(value))}"
    raise InvalidInputError(f"{what} must be a whole number {allowed}{shown}.")


def _validate_query(page: int, limit: int, sort_by: str, order: str) -> None:
    whole_number(page, "The page number", 1)
    whole_number(limit, "The page size", 1, MAX_LIMIT)
    if sort_by not in SORT_FIELDS:
        raise InvalidInputError(f"Cannot sort by {_preview(sort_by)}: choose one of {', '.join(SORT_FIELDS)}.")
    if order not in SORT_ORDERS:
        raise InvalidInputError(
            f"The sort order {_preview(order)} is not valid: choose one of {', '.join(SORT_ORDERS)}."
        )


def parse_retry_after(body_value: object, header_value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a 429: the larger of the body's `retryAfter` and the `Retry-After` header.

    The header may be seconds or an HTTP date. Unusable values are ignored; None when neither says.
    """
    candidates: list[float] = []
    if isinstance(body_value, int | float) and not isinstance(body_value, bool) and math.isfinite(body_value):
        candidates.append(max(0.0, float(body_value) * RETRY_AFTER_UNIT_SECONDS))
    if header_value:
        text = header_value.strip()
        try:
            seconds = float(text)
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(text)
            except (TypeError, ValueError, IndexError):
                when = None
            if when is not None:
                if when.tzinfo is None:
                    when = when.replace(tzinfo=UTC)
                seconds = (when - (now or datetime.now(UTC))).total_seconds()
            else:
                seconds = math.nan
        if math.isfinite(seconds):
            candidates.append(max(0.0, seconds))
    return max(candidates) if candidates else None


def _json_or_none(response: _Answer) -> Any:
    try:
        return json.loads(response.content)
    except (ValueError, RecursionError):
        return None


def _field_errors(body: dict[str, Any]) -> list[FieldError]:
    errors: list[FieldError] = []
    raw = body.get("errors")
    for entry in raw if isinstance(raw, list) else []:
        if not isinstance(entry, dict):
            continue
        path = entry.get("path")
        parts = tuple(_server_text(str(p)) for p in path) if isinstance(path, list) else ()
        errors.append(
            FieldError(
                path=parts,
                message=_server_text(entry.get("message")) or "is not valid",
                expected=_server_text(entry.get("expected")) or None,
                received=_server_text(entry.get("received")) or None,
                code=_server_text(entry.get("code")) or None,
            )
        )
    return errors


def _raise_for_error_status(response: _Answer, customer_id: str) -> NoReturn:
    """Map an error status to the package's exception; the body is untrusted and may not be JSON."""
    status = response.status_code
    body = _json_or_none(response)
    body = body if isinstance(body, dict) else {}
    code = _server_text(body.get("code")) or None
    said = _server_text(body.get("message"))
    detail = f": {said}" if said else "."
    if status == STATUS_UNAUTHORIZED:
        raise AuthenticationError(
            f"The API key was rejected ({status}). Check CARECYCLE_API_KEY or the key you entered.",
            status=status,
            code=code,
        )
    if status == STATUS_FORBIDDEN:
        raise PermissionDeniedError(
            f"This API key may not see customer {customer_id} ({status}). Use a key with access to it.",
            status=status,
            code=code,
        )
    if status == STATUS_NOT_FOUND:
        raise NotFoundError(
            f"Customer {customer_id} was not found ({status}). Check the customer ID.", status=status, code=code
        )
    if status == STATUS_VALIDATION or (status == STATUS_BAD_REQUEST and isinstance(body.get("errors"), list)):
        field_errors = _field_errors(body)
        listed = "; ".join(e.describe() for e in field_errors[:_FIELD_ERRORS_SHOWN])
        if len(field_errors) > _FIELD_ERRORS_SHOWN:
            listed += f"; and {len(field_errors) - _FIELD_ERRORS_SHOWN} more"
        raise ValidationError(
            f"The API rejected the request ({status}): {listed or said or 'no details given'}.",
            status=status,
            code=code,
            field_errors=field_errors,
        )
    if status == STATUS_BAD_REQUEST:
        raise BadRequestError(f"The API could not read the request ({status}){detail}", status=status, code=code)
    if status == STATUS_RATE_LIMITED:
        retry_after = parse_retry_after(body.get("retryAfter"), response.headers.get("retry-after"))
        wait = f" Try again in {math.ceil(retry_after)} s." if retry_after is not None else " Try again later."
        raise RateLimitedError(
            f"The API is limiting how fast we may ask ({status}).{wait}",
            status=status,
            code=code,
            retry_after=retry_after,
        )
    if status >= 500:
        raise ServerError(f"The API failed ({status}). Try again later.", status=status, code=code)
    raise ApiError(f"The API answered with an unexpected status ({status}){detail}", status=status, code=code)


_PARSING = threading.Lock()
"""One page body parsed at a time in the whole process. Parsing holds the interpreter lock anyway, so pages
parsed side by side finish no sooner; queued here, a load's eight page threads are one competitor for the
interpreter instead of eight, and people's page runs on other sessions keep their share (docs/deploy.md)."""


def _parse_page(response: _Answer) -> CallsPage:
    """The 200 body as a CallsPage, or UnreadableResponseError when it is not the documented shape."""
    unreadable = "The API sent a response that could not be read ({why}). Try again; if it persists, report it."
    try:
        body = mend_lone_surrogates(response.content, json.loads(response.content))
    except (ValueError, RecursionError):
        raise UnreadableResponseError(unreadable.format(why="not complete JSON")) from None
    if not isinstance(body, dict):
        raise UnreadableResponseError(unreadable.format(why="not a JSON object"))
    total = body.get("itemsTotal")
    items = body.get("items")
    if isinstance(total, bool) or not isinstance(total, int) or total < 0:
        raise UnreadableResponseError(unreadable.format(why="no valid itemsTotal"))
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise UnreadableResponseError(unreadable.format(why="items is not a list of calls"))
    return CallsPage(
        itemsTotal=total,
        currentPage=body.get("currentPage") if isinstance(body.get("currentPage"), int) else 0,
        nextPage=body.get("nextPage") if isinstance(body.get("nextPage"), int) else None,
        prevPage=body.get("prevPage") if isinstance(body.get("prevPage"), int) else None,
        items=items,
    )


class _Cooldown:
    """A shared 'not before' time: when one request is rate limited, the others hold back too."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._until = -math.inf

    def hold_until(self, when: float) -> None:
        with self._lock:
            self._until = max(self._until, when)

    def remaining(self, now: float) -> float:
        with self._lock:
            return max(0.0, self._until - now)


class RequestStats:
    """Requests sent and body bytes received, counted across threads (retries included)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests = 0
        self.bytes_received = 0

    def add(self, body_bytes: int) -> None:
        with self._lock:
            self.requests += 1
            self.bytes_received += body_bytes


class CallsClient:
    """Fetches pages of one customer's calls; safe to share between threads.

    `timeout` bounds each phase (connect, each read), `request_timeout_s` a whole request. `request_slots`
    bounds the requests in flight; by default the process-wide slots of this key at this host.
    """

    def __init__(
        self,
        api_key: str | None,
        base_url: str = DEFAULT_BASE_URL,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
        request_timeout_s: float = DEFAULT_REQUEST_TIMEOUT_S,
        retry: RetryPolicy | None = None,
        max_connections: int = 16,
        request_slots: threading.Semaphore | None = None,
    ) -> None:
        self.base_url = validate_base_url(base_url)
        self.retry = retry or RetryPolicy()
        self.request_timeout_s = request_timeout_s
        self._phase_timeout = timeout
        self._cooldown = _Cooldown()
        headers = {"accept": "application/json", "user-agent": USER_AGENT}
        if api_key is not None:
            if (
                not isinstance(api_key, str)
                or not api_key.strip()
                or not api_key.strip().isprintable()
                or not api_key.isascii()
            ):
                raise InvalidInputError("The API key is empty or contains characters a key cannot have.")
            headers[API_KEY_HEADER] = api_key.strip()
        self._slots = request_slots or key_slots(self.base_url, api_key)
        limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
        self._http = httpx.Client(
            base_url=self.base_url,
            headers=headers,
            transport=transport or guarded_transport(limits),
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            trust_env=False,
        )

    def __repr__(self) -> str:
        return f"CallsClient(base_url={self.base_url!r})"

    def fetch_page(
        self,
        customer_id: str,
        *,
        page: int = 1,
        limit: int = 100,
        sort_by: SortField = DEFAULT_SORT_FIELD,
        order: SortOrder = DEFAULT_SORT_ORDER,
        stats: RequestStats | None = None,
        guard: LoadGuard | None = None,
    ) -> CallsPage:
        """One page of calls, validated and retried; errors are those of `carecycle_dash.api.errors`.

        A plain string `customer_id` is validated here; a `CustomerId` (from `validate_customer_id`, as
        `load_all_calls` passes) is not checked again.

        `stats`, when given, counts every request sent and the body bytes received (retries included).
        `guard`, when given, is the load this page belongs to: its deadline caps the retries and each
        request, and its cancel flag stops them (LoadTimeoutError, LoadCancelledError).
        """
        customer_id = validate_customer_id(customer_id)
        _validate_query(page, limit, sort_by, order)
        # The whole URL built here (every part is validated above): httpx's merging of a base URL and
        # params costs more per request than anything else in the client.
        query = urlencode({PARAM_PAGE: page, PARAM_LIMIT: limit, PARAM_SORT_BY: sort_by, PARAM_ORDER: order})
        url = f"{self.base_url}{CALLS_PATH.format(customer_id=customer_id)}?{query}"
        guard = guard or LoadGuard()
        until = guard.deadline if math.isfinite(guard.deadline) else None
        return self.retry.call(lambda: self._attempt(url, customer_id, page, stats, guard), until=until)

    def _attempt(
        self, url: str, customer_id: str, page: int, stats: RequestStats | None, guard: LoadGuard
    ) -> CallsPage:
        clock = self.retry.clock
        wait = self._cooldown.remaining(clock())
        if wait > 0:
            self.retry.sleep(max(0.0, min(wait, guard.remaining(clock()))))
        guard.check(clock())
        with self._slot(guard):
            response = self._exchange(url, page, guard)
        if stats is not None:
            stats.add(len(response.content))
        if not response.is_success:
            try:
                _raise_for_error_status(response, customer_id)
            except RateLimitedError as limited:
                if limited.retry_after is not None:
                    self._cooldown.hold_until(self.retry.clock() + limited.retry_after)
                raise
        with _PARSING:
            return _parse_page(response)

    @contextmanager
    def _slot(self, guard: LoadGuard) -> Iterator[None]:
        """One of the key's slots, waited for while the load may still run."""
        while not self._slots.acquire(timeout=_SLOT_POLL_S):
            guard.check(self.retry.clock())
        try:
            yield
        finally:
            self._slots.release()

    def _exchange(self, url: str, page: int, guard: LoadGuard) -> _Answer:
        """One GET, connect to last byte, ended at the request's deadline or the load's, whichever is first."""
        clock = self.retry.clock
        started = clock()
        end = min(started + self.request_timeout_s, guard.deadline)
        phase = max(min(self._phase_timeout, end - started), 0.001)
        received = 0
        answered = False
        try:
            with guarding(guard), self._http.stream("GET", url, timeout=httpx.Timeout(phase)) as response:
                answered = True
                chunks: list[bytes] = []
                for chunk in response.iter_bytes():
                    chunks.append(chunk)
                    received += len(chunk)
                    now = clock()
                    guard.check(now)
                    if now > end:
                        raise RequestTimeoutError(
                            f"The API did not send page {page} within {format_seconds(self.request_timeout_s)} "
                            f"(only {received:,} bytes arrived). Check the connection and try again."
                        )
                return _Answer(response.status_code, response.headers, b"".join(chunks))
        except httpx.TimeoutException:
            guard.check(clock())
            if not answered:
                what = f"sent nothing for page {page} within {format_seconds(phase)}"
            else:
                what = f"stopped sending page {page} (nothing for {format_seconds(phase)} after {received:,} bytes)"
            raise RequestTimeoutError(f"The API {what}. Check the connection and try again.") from None
        except httpx.TransportError as exc:
            guard.check(clock())  # a stopped load shuts its sockets: report that, not a network failure
            raise NetworkError(
                f"Could not reach the API at {self.base_url} ({type(exc).__name__}). Check the address and network."
            ) from None

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
