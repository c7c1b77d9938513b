"""Checks of what callers hand the API layer, before any request: the customer ID, the base URL, whole-number
options and the query of one page. Each failure is InvalidInputError with one line naming what to fix."""

from __future__ import annotations

import ipaddress
from typing import Final

import httpx

from carecycle_dash.api.contract import (
    DEFAULT_BASE_URL,
    MAX_LIMIT,
    SORT_FIELDS,
    SORT_ORDERS,
    is_valid_customer_id,
)
from carecycle_dash.api.errors import InvalidInputError
from carecycle_dash.text.safety import shorten

EXAMPLE_CUSTOMER_ID: Final = "497f6eca-6276-4993-bfeb-53cbbbba6f08"


def preview_input(value: object, limit: int = 40) -> str:
    """A short, escaped rendering of untrusted input for an error message."""
    text = value if isinstance(value, str) else str(type(value).__name__)
    return repr(shorten(text, limit))


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
            f"The customer ID {preview_input(customer_id)} is not valid: expected a UUID such as {EXAMPLE_CUSTOMER_ID}."
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
        raise InvalidInputError(f"The API base URL {preview_input(url)} is not a valid URL.") from None
    scheme = parsed.scheme.lower()
    if scheme not in ("https", "http") or not parsed.host:
        raise InvalidInputError(f"The API base URL {preview_input(url)} must start with https:// and name a host.")
    if parsed.userinfo:
        raise InvalidInputError("The API base URL must not contain a user name or password.")
    if parsed.query or parsed.fragment:
        raise InvalidInputError("The API base URL must not contain a query or fragment.")
    if scheme == "http" and not is_loopback_host(parsed.host):
        raise InvalidInputError(
            f"Refusing plain http to {preview_input(parsed.host)}: use https "
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
    shown = "" if value is None else f", not {preview_input(str(value))}"
    raise InvalidInputError(f"{what} must be a whole number {allowed}{shown}.")


def validate_query(page: int, limit: int, sort_by: str, order: str) -> None:
    whole_number(page, "The page number", 1)
    whole_number(limit, "The page size", 1, MAX_LIMIT)
    if sort_by not in SORT_FIELDS:
        raise InvalidInputError(f"Cannot sort by {preview_input(sort_by)}: choose one of {', '.join(SORT_FIELDS)}.")
    if order not in SORT_ORDERS:
        raise InvalidInputError(
            f"The sort order {preview_input(order)} is not valid: choose one of {', '.join(SORT_ORDERS)}."
        )
