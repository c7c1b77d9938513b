"""What an entry holds, as bytes: the calls exactly as the API sent them and what a reload needs to resume.

JSON (orjson, or the standard library for values orjson cannot write exactly: integers past 64 bits and
NaN or infinities), compressed with zstd before it is encrypted, never after.
"""

from __future__ import annotations

import json
import math
import struct
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import orjson
import pyarrow as pa

from carecycle_dash.api.contract import MAX_LIMIT
from carecycle_dash.api.models import LoadResult
from carecycle_dash.api.paging import pages_for

FORMAT: Final = 1
MAX_PLAINTEXT_BYTES: Final = 4 * 1024**3
"""An entry that says it holds more than this is not read (it would not fit in memory anyway)."""
_HEADER = struct.Struct(">BQ")  # format, plaintext size


class UnreadablePayload(Exception):
    """The decrypted bytes are not an entry this code can read."""


@dataclass(frozen=True)
class Snapshot:
    """One customer's calls as last loaded, and when."""

    result: LoadResult
    loaded_at: datetime


def encode(snapshot: Snapshot) -> bytes:
    result = snapshot.result
    payload = {
        "items_total": result.items_total,
        "api_items_total": result.api_items_total,
        "since": result.since.isoformat() if result.since is not None else None,
        "how": result.how,
        "loaded_at": snapshot.loaded_at.isoformat(),
        "calls": result.calls,
    }
    text = _dumps(payload)
    compressed = pa.compress(text, codec="zstd", asbytes=True)
    return _HEADER.pack(FORMAT, len(text)) + compressed


def decode(data: bytes, page_size: int = MAX_LIMIT) -> Snapshot:
    """The snapshot; UnreadablePayload for anything that is not one."""
    try:
        form, size = _HEADER.unpack_from(data)
        if form != FORMAT or size > MAX_PLAINTEXT_BYTES:
            raise UnreadablePayload(f"format {form}, {size} bytes")
        text = pa.decompress(data[_HEADER.size :], size, codec="zstd", asbytes=True)
        payload = _loads(text)
        calls = payload["calls"]
        if not isinstance(calls, list) or not all(isinstance(call, dict) for call in calls):
            raise UnreadablePayload("calls are not a list of objects")
        since = payload["since"]
        result = LoadResult(
            calls=calls,
            items_total=int(payload["items_total"]),
            pages=pages_for(len(calls), page_size),
            bytes_received=size,
            since=datetime.fromisoformat(since) if since is not None else None,
            api_items_total=payload["api_items_total"],
            how=str(payload["how"]),
        )
        return Snapshot(result, datetime.fromisoformat(payload["loaded_at"]))
    except UnreadablePayload:
        raise
    except Exception as error:  # any shape a corrupt or foreign entry may have
        raise UnreadablePayload(type(error).__name__) from None


def _dumps(payload: dict[str, Any]) -> bytes:
    if any(_inexact_in_orjson(value) for call in payload["calls"] for value in call.values()):
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    try:
        return orjson.dumps(payload)
    except orjson.JSONEncodeError:  # an integer past 64 bits
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def _inexact_in_orjson(value: object) -> bool:
    """orjson writes NaN and infinities as null; nested values are checked by the standard library's way."""
    if type(value) is float:
        return not math.isfinite(value)
    return isinstance(value, list | dict)


def _loads(text: bytes) -> dict[str, Any]:
    try:
        payload = orjson.loads(text)
    except orjson.JSONDecodeError:  # NaN, infinities or huge integers, written by the standard library
        payload = json.loads(text)
    if not isinstance(payload, dict):
        raise UnreadablePayload("not an object")
    return payload
