"""Loaded calls as the call store keeps them: the typed frame itself (with what gives each call back as sent),
so reopening a customer is a decrypt and an Arrow read, not a JSON parse and a frame build.

`snapshot_of` makes the store's `Snapshot` of a load; `read_kept` opens one as a LoadResult whose calls are
the frame's (`FrameCalls`) and the frame; `merged_frame` is the frame of a reload, parsing only the calls it
read again. A stored frame from another version of the frame (its columns, or `FRAME_VERSION`) is dropped and
loaded again.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from functools import cache
from typing import Final

import numpy as np
import pyarrow as pa

from carecycle_dash.api.contract import MAX_LIMIT
from carecycle_dash.api.models import LoadResult
from carecycle_dash.api.paging import pages_for
from carecycle_dash.api.reload import JoinedCalls
from carecycle_dash.data.frame import CallsFrame, build_frame, prepend_calls
from carecycle_dash.data.sent import CREATED_TEXT, EXTRAS, FrameCalls, Sent
from carecycle_dash.store import CallStore, EntryId, Snapshot

log = logging.getLogger("carecycle_dash.store")
FRAME_VERSION: Final = 1
"""Bump when build_frame derives a column differently: stored frames of other versions are loaded again."""
_SENT_PREFIX: Final = "sent."
_METADATA: Final = b"carecycle"


def snapshot_of(result: LoadResult, frame: CallsFrame, loaded_at: datetime) -> Snapshot:
    """What the store keeps of a load: the frame as a table, and what a reload needs to resume."""
    return Snapshot(
        table=frame_table(frame),
        items_total=result.items_total,
        api_items_total=result.api_items_total,
        since=result.since,
        how=result.how,
        loaded_at=loaded_at,
    )


def opened(snapshot: Snapshot, page_size: int = MAX_LIMIT) -> tuple[LoadResult, CallsFrame]:
    """The load a snapshot keeps, its calls read from its frame; ValueError when the frame is not this version's."""
    frame = table_frame(snapshot.table)
    count = len(frame.df)
    result = LoadResult(
        calls=FrameCalls(frame),  # type: ignore[arg-type]  # a Sequence of the dicts as sent
        items_total=snapshot.items_total,
        pages=pages_for(count, page_size),
        since=snapshot.since,
        api_items_total=snapshot.api_items_total,
        how=snapshot.how,
    )
    return result, frame


def read_kept(store: CallStore, entry: EntryId, api_key: str) -> tuple[LoadResult, CallsFrame, datetime] | None:
    """The load kept for this entry (None when there is none); one kept by another frame version goes."""
    snapshot = store.read(entry, api_key)
    if snapshot is None:
        return None
    try:
        result, frame = opened(snapshot)
    except ValueError as error:
        log.warning("Call store %s: dropped an entry kept by another version (%s)", store.where, error)
        store.forget(entry)
        return None
    return result, frame, snapshot.loaded_at


def frame_table(frame: CallsFrame) -> pa.Table:
    """The frame, its `sent` columns and counters as one Arrow table."""
    if frame.sent is None:
        raise ValueError("only a frame that keeps the calls as sent is stored")
    table = pa.Table.from_pandas(frame.df, preserve_index=False)
    for name in frame.sent.table.column_names:
        table = table.append_column(_SENT_PREFIX + name, frame.sent.table[name])
    about = {"version": FRAME_VERSION, "cleaned": frame.cleaned, "keys": list(frame.sent.keys)}
    return table.replace_schema_metadata({**(table.schema.metadata or {}), _METADATA: json.dumps(about).encode()})


def table_frame(table: pa.Table) -> CallsFrame:
    """The frame back from `frame_table`'s table; ValueError when it is not one of this version."""
    about = json.loads((table.schema.metadata or {}).get(_METADATA, b"{}"))
    if about.get("version") != FRAME_VERSION:
        raise ValueError(f"frame version {about.get('version')}")
    sent_names = [_SENT_PREFIX + CREATED_TEXT, _SENT_PREFIX + EXTRAS]
    if table.schema.remove_metadata() != _expected_schema():
        raise ValueError("other columns")
    sent = Sent(
        pa.table({name[len(_SENT_PREFIX) :]: table[name].combine_chunks() for name in sent_names}),
        tuple(about["keys"]),
    )
    df = table.drop_columns(sent_names).combine_chunks().to_pandas()
    cleaned = {str(name): int(count) for name, count in about["cleaned"].items()}
    return CallsFrame(df=df, cleaned=cleaned, sent=sent)


@cache
def _expected_schema() -> pa.Schema:
    return frame_table(build_frame([])).schema.remove_metadata()


def merged_frame(result: LoadResult, base: CallsFrame | None) -> CallsFrame:
    """The frame of `result`; after a reload of `base`'s calls only the calls read again are parsed.

    A reload's calls are the calls read again (and a few of `base`'s newest, a tie at the window's edge),
    then a run of `base`'s rows (`JoinedCalls` over `FrameCalls`); anything else is parsed from scratch.
    """
    calls = result.calls
    if (
        base is None
        or result.how != "reload"
        or not isinstance(calls, JoinedCalls)
        or not isinstance(calls.tail, FrameCalls)
        or calls.tail.frame is not base
        or calls.tail.rows.step != 1
    ):
        return build_frame(calls)
    rows = calls.tail.rows
    if not len(rows):
        return build_frame(calls.head)
    held = FrameCalls(base)
    dropped = held.take([*range(rows.start), *range(rows.stop, len(held))])
    return prepend_calls(calls.head, base, np.arange(rows.start, rows.stop, dtype=np.int64), dropped)


def frame_bytes(frame: CallsFrame) -> int:
    """The frame's memory, its `sent` columns included."""
    usage = int(frame.df.memory_usage(deep=True, index=False).sum())
    return usage + (frame.sent.table.nbytes if frame.sent is not None else 0)
