"""The contract's response shapes, checked by hand: what every body the API (or the simulator) sends must be.

Each checker returns a list of problems, empty when the body fits, so a failing test says what is wrong.
"""

from __future__ import annotations

from typing import Any

from carecycle_dash.api.contract import BOOLEAN_FIELDS, CALL_FIELDS, INTEGER_FIELDS, VALIDATION_ERROR_CODE

PAGE_KEYS = ("itemsTotal", "currentPage", "nextPage", "prevPage", "items")
FIELD_ERROR_KEYS = ("path", "message", "expected", "received", "code")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def call_problems(call: Any, *, strict: bool = True) -> list[str]:
    """A call: `strict` demands every documented field; otherwise fields may be missing and extra ones appear."""
    if not isinstance(call, dict):
        return [f"call is {type(call).__name__}, not an object"]
    problems = []
    if not isinstance(call.get("id"), str):
        problems.append("id missing or not a string")
    for name in CALL_FIELDS:
        if name not in call:
            if strict:
                problems.append(f"{name} missing")
            continue
        value = call[name]
        if value is None:
            continue
        if name in BOOLEAN_FIELDS:
            ok = isinstance(value, bool)
        elif name in INTEGER_FIELDS:
            ok = _is_int(value)
        else:
            ok = isinstance(value, str)
        if not ok:
            problems.append(f"{name} has type {type(value).__name__}")
    if strict:
        problems += [f"unexpected field {name}" for name in call if name not in CALL_FIELDS]
    return problems


def page_problems(body: Any, *, strict_calls: bool = True) -> list[str]:
    """A 200 body: exactly the five page fields, integers where the contract says so, then each call."""
    if not isinstance(body, dict):
        return ["page is not an object"]
    problems = []
    if tuple(body) != PAGE_KEYS:
        problems.append(f"page keys {list(body)} != {list(PAGE_KEYS)}")
    for name in ("itemsTotal", "currentPage"):
        if not _is_int(body.get(name)):
            problems.append(f"{name} is not an integer")
    for name in ("nextPage", "prevPage"):
        if body.get(name) is not None and not _is_int(body.get(name)):
            problems.append(f"{name} is neither an integer nor null")
    items = body.get("items")
    if not isinstance(items, list):
        return [*problems, "items is not a list"]
    for index, call in enumerate(items):
        problems += [f"items[{index}]: {p}" for p in call_problems(call, strict=strict_calls)]
    return problems


def error_problems(body: Any, status: int) -> list[str]:
    """An error body: {message, code}; 422 adds errors[] of field errors; 429 adds a numeric retryAfter."""
    if not isinstance(body, dict):
        return ["error body is not an object"]
    expected = ["message", "code"]
    if status == 422:
        expected.append("errors")
    if status == 429:
        expected.append("retryAfter")
    problems = []
    if sorted(body) != sorted(expected):
        problems.append(f"error keys {sorted(body)} != {sorted(expected)}")
    if not isinstance(body.get("message"), str) or not body.get("message"):
        problems.append("message is not a non-empty string")
    if not isinstance(body.get("code"), str) or not body.get("code"):
        problems.append("code is not a non-empty string")
    if status == 422:
        if body.get("code") != VALIDATION_ERROR_CODE:
            problems.append("422 code is not VALIDATION_ERROR")
        errors = body.get("errors")
        if not isinstance(errors, list) or not errors:
            return [*problems, "errors is not a non-empty list"]
        for index, entry in enumerate(errors):
            if not isinstance(entry, dict) or sorted(entry) != sorted(FIELD_ERROR_KEYS):
                problems.append(f"errors[{index}] keys wrong")
                continue
            if not (
                isinstance(entry["path"], list) and entry["path"] and all(isinstance(p, str) for p in entry["path"])
            ):
                problems.append(f"errors[{index}].path is not a list of strings")
            problems += [
                f"errors[{index}].{k} is not a string" for k in FIELD_ERROR_KEYS[1:] if not isinstance(entry[k], str)
            ]
    if status == 429:
        retry = body.get("retryAfter")
        if not (isinstance(retry, int | float) and not isinstance(retry, bool) and retry >= 0):
            problems.append("retryAfter is not a number >= 0")
    return problems
