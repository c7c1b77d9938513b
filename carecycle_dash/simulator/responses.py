"""What the simulator sends back: answers as (status, body, headers), the JSON error body, the page body, and
byte ranges of recordings. Pure functions; the HTTP handler only writes them out."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict[str, str]


def error(status: int, code: str, message: str, **extra: Any) -> Answer:
    """The API's error body `{"message", "code", ...}`; a `retryAfter` is also sent as `Retry-After`."""
    headers = {}
    if "retryAfter" in extra:
        headers["Retry-After"] = str(retry_seconds(float(extra["retryAfter"])))
    return Answer(status, json_bytes({"message": message, "code": code, **extra}), headers)


def json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def retry_seconds(value: float) -> float | int:
    """Seconds as the body's `retryAfter` carries them: whole numbers stay whole, others round up to ms."""
    rounded = math.ceil(value * 1000) / 1000
    return int(rounded) if rounded == int(rounded) else rounded


def page_body(total: int, page: int, limit: int, items: list[bytes]) -> bytes:
    """A page of already serialized calls, with the paging fields the contract gives."""
    pages = math.ceil(total / limit)
    next_page = page + 1 if page < pages else None
    prev_page = min(page - 1, pages) if page > 1 and pages > 0 else None
    head = json_bytes({"itemsTotal": total, "currentPage": page, "nextPage": next_page, "prevPage": prev_page})
    return head[:-1] + b',"items":[' + b",".join(items) + b"]}"


def ranged(answer: Answer, range_header: str) -> Answer:
    """A recording's answer cut to a single byte range (206, or 416 when unsatisfiable): Safari will not play
    audio from a server that does not honour ranges. No or an unreadable range: the whole answer."""
    body = answer.body
    answer.headers["Accept-Ranges"] = "bytes"
    answer.headers["Access-Control-Allow-Origin"] = "*"
    match = _RANGE.match(range_header.strip())
    if not (match and (match.group(1) or match.group(2))):
        return answer
    first_text, last_text = match.groups()
    if first_text:
        first = int(first_text)
        last = min(int(last_text), len(body) - 1) if last_text else len(body) - 1
    else:
        first, last = max(0, len(body) - int(last_text)), len(body) - 1
    if first > last or first >= len(body):
        return Answer(416, b"", {"Content-Range": f"bytes */{len(body)}"})
    answer.headers["Content-Range"] = f"bytes {first}-{last}/{len(body)}"
    return Answer(206, body[first : last + 1], answer.headers)
