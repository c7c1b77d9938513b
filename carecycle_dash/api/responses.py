"""What an answer of the calls endpoint means: an error status becomes the package's exception with a line a
person can act on, a 200 body becomes a `CallsPage`. Everything in an answer is untrusted."""

from __future__ import annotations

import email.utils
import json
import math
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, NoReturn

import httpx

from carecycle_dash.api.contract import (
    RETRY_AFTER_UNIT_SECONDS,
    STATUS_BAD_REQUEST,
    STATUS_FORBIDDEN,
    STATUS_NOT_FOUND,
    STATUS_RATE_LIMITED,
    STATUS_UNAUTHORIZED,
    STATUS_VALIDATION,
)
from carecycle_dash.api.errors import (
    ApiError,
    AuthenticationError,
    BadRequestError,
    FieldError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
    UnreadableResponseError,
    ValidationError,
)
from carecycle_dash.api.models import CallsPage
from carecycle_dash.text.safety import mend_lone_surrogates, shorten

_SERVER_TEXT_LIMIT: Final = 200
_FIELD_ERRORS_SHOWN: Final = 10


@dataclass(frozen=True)
class Answer:
    """A whole response: status, headers and the body as read within the request's deadline."""

    status_code: int
    headers: httpx.Headers
    content: bytes

    @property
    def is_success(self) -> bool:
        return 200 <= self.status_code < 300


def _server_text(value: object) -> str:
    """Untrusted text from an error body, made safe for one line: printable, collapsed, bounded."""
    if not isinstance(value, str):
        return ""
    printable = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in value)
    text = " ".join(printable.split())
    return shorten(text, _SERVER_TEXT_LIMIT)


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


def _json_or_none(response: Answer) -> Any:
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


def raise_for_error_status(response: Answer, customer_id: str) -> NoReturn:
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


def parse_page(response: Answer) -> CallsPage:
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
