"""What an entry holds, as bytes: the calls as a table (the dashboard's typed frame, which gives back every
call exactly as the API sent it: data/kept.py) and what a reload needs to resume.

A short JSON header, then the table as an Arrow IPC stream with zstd-compressed buffers (compressed before it
is encrypted, never after), so reopening a customer is a decrypt and an Arrow read. An entry of another
format (FORMAT 1 held the API's JSON) is unreadable here: it is dropped and the customer loaded again.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import pyarrow as pa

FORMAT: Final = 2
MAX_HEADER_BYTES: Final = 64 * 1024
_HEADER = struct.Struct(">BI")  # format, size of the JSON header
_IPC_OPTIONS: Final = pa.ipc.IpcWriteOptions(compression="zstd")


class UnreadablePayload(Exception):
    """The decrypted bytes are not an entry this code can read."""


@dataclass(frozen=True)
class Snapshot:
    """One customer's calls as last loaded (`table`, one row per call, newest first), and when."""

    table: pa.Table
    items_total: int
    api_items_total: int | None
    since: datetime | None
    how: str
    loaded_at: datetime

    @property
    def calls(self) -> int:
        return self.table.num_rows


def encode(snapshot: Snapshot) -> bytes:
    header = json.dumps(
        {
            "items_total": snapshot.items_total,
            "api_items_total": snapshot.api_items_total,
            "since": snapshot.since.isoformat() if snapshot.since is not None else None,
            "how": snapshot.how,
            "loaded_at": snapshot.loaded_at.isoformat(),
        }
    ).encode()
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, snapshot.table.schema, options=_IPC_OPTIONS) as writer:
        writer.write_table(snapshot.table)
    return _HEADER.pack(FORMAT, len(header)) + header + sink.getvalue().to_pybytes()


def decode(data: bytes) -> Snapshot:
    """The snapshot; UnreadablePayload for anything that is not one."""
    try:
        form, size = _HEADER.unpack_from(data)
        if form != FORMAT or size > MAX_HEADER_BYTES:
            raise UnreadablePayload(f"format {form}")
        start = _HEADER.size
        header: dict[str, Any] = json.loads(data[start : start + size])
        body = pa.py_buffer(memoryview(data)[start + size :])
        table = pa.ipc.open_stream(body).read_all()
        since = header["since"]
        return Snapshot(
            table=table,
            items_total=int(header["items_total"]),
            api_items_total=header["api_items_total"],
            since=datetime.fromisoformat(since) if since is not None else None,
            how=str(header["how"]),
            loaded_at=datetime.fromisoformat(header["loaded_at"]),
        )
    except UnreadablePayload:
        raise
    except Exception as error:  # any shape a corrupt or foreign entry may have
        raise UnreadablePayload(type(error).__name__) from None
