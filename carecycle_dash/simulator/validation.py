"""Reading a calls request: parse the query and validate every field, as the API does (400 for what cannot be
read, 422 VALIDATION_ERROR listing every bad field)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote

from carecycle_dash.api.contract import (
    DEFAULT_LIMIT,
    DEFAULT_PAGE,
    DEFAULT_SORT_FIELD,
    DEFAULT_SORT_ORDER,
    MAX_LIMIT,
    PARAM_LIMIT,
    PARAM_ORDER,
    PARAM_PAGE,
    PARAM_SORT_BY,
    SORT_FIELDS,
    SORT_ORDERS,
    STATUS_BAD_REQUEST,
    STATUS_VALIDATION,
    VALIDATION_ERROR_CODE,
    SortField,
    SortOrder,
    is_valid_customer_id,
)
from carecycle_dash.text.safety import shorten

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_MAX_ECHO = 100


class Problem(Exception):
    """A 4xx decided while reading the request."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body.get("message"))
        self.status = status
        self.body = body


@dataclass(frozen=True)
class CallsRequest:
    customer_id: str
    page: int
    limit: int
    sort_by: SortField
    order: SortOrder


def read_request(raw_customer_id: str, query: str) -> CallsRequest:
    """Parse and validate; raise a 400 for what cannot be read, else a 422 listing every bad field."""
    try:
        params = parse_qs(query, keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError) as exc:
        raise Problem(STATUS_BAD_REQUEST, {"message": "Malformed query string.", "code": "BAD_REQUEST"}) from exc
    names = (PARAM_PAGE, PARAM_LIMIT, PARAM_SORT_BY, PARAM_ORDER)
    repeated = [name for name in names if len(params.get(name, [])) > 1]
    if repeated:
        message = f"Query parameter given more than once: {', '.join(repeated)}."
        raise Problem(STATUS_BAD_REQUEST, {"message": message, "code": "BAD_REQUEST"})
    values = {name: params[name][0] for name in names if name in params}
    not_numbers = [name for name in (PARAM_PAGE, PARAM_LIMIT) if name in values and not _NUMBER.match(values[name])]
    if not_numbers:
        message = f"Query parameter is not a number: {', '.join(not_numbers)}."
        raise Problem(STATUS_BAD_REQUEST, {"message": message, "code": "BAD_REQUEST"})

    errors: list[dict[str, Any]] = []
    customer_id = unquote(raw_customer_id)
    if not is_valid_customer_id(customer_id):
        errors.append(_field_error("id", "Invalid uuid", "uuid", customer_id, "invalid_string"))
    page = _integer(values, PARAM_PAGE, DEFAULT_PAGE, 1, None, errors)
    limit = _integer(values, PARAM_LIMIT, DEFAULT_LIMIT, 1, MAX_LIMIT, errors)
    sort_by = values.get(PARAM_SORT_BY, DEFAULT_SORT_FIELD)
    if sort_by not in SORT_FIELDS:
        errors.append(_enum_error(PARAM_SORT_BY, SORT_FIELDS, sort_by))
    order = values.get(PARAM_ORDER, DEFAULT_SORT_ORDER)
    if order not in SORT_ORDERS:
        errors.append(_enum_error(PARAM_ORDER, SORT_ORDERS, order))
    if errors:
        count = f"{len(errors)} invalid field" + ("s" if len(errors) > 1 else "")
        body = {"message": f"Validation failed: {count}.", "code": VALIDATION_ERROR_CODE, "errors": errors}
        raise Problem(STATUS_VALIDATION, body)
    return CallsRequest(customer_id, page, limit, sort_by, order)  # type: ignore[arg-type]


def _field_error(path: str, message: str, expected: str, received: str, code: str) -> dict[str, Any]:
    return {
        "path": [path],
        "message": message,
        "expected": expected,
        "received": shorten(received, _MAX_ECHO),
        "code": code,
    }


def _enum_error(name: str, options: tuple[str, ...], received: str) -> dict[str, Any]:
    expected = " | ".join(f"'{option}'" for option in options)
    return _field_error(name, f"Invalid enum value. Expected {expected}", expected, received, "invalid_enum_value")


def _integer(
    values: dict[str, str], name: str, default: int, low: int, high: int | None, errors: list[dict[str, Any]]
) -> int:
    if name not in values:
        return default
    text = values[name]
    number = float(text)
    if not number.is_integer():
        errors.append(_field_error(name, "Expected integer, received float", "integer", text, "invalid_type"))
        return default
    if number < low:
        message = f"Number must be greater than or equal to {low}"
        errors.append(_field_error(name, message, f">= {low}", text, "too_small"))
        return default
    if high is not None and number > high:
        message = f"Number must be less than or equal to {high}"
        errors.append(_field_error(name, message, f"<= {high}", text, "too_big"))
        return default
    return int(number)
