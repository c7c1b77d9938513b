"""One customer's calls as the simulator serves them: generated on first use, each call serialized once,
every (sort field, order) sorted once, and grown at the newest end when drift is asked for.

Sorting follows what a SQL `ORDER BY field ASC, id ASC` does: nulls (and missing fields) sort after every
value, and `desc` is the exact reverse of `asc` (so nulls come first). Ties always break by `id`, so each
order is total and paging it visits every call exactly once.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

from carecycle_dash.api.contract import SORT_FIELDS, SortField, SortOrder
from carecycle_dash.simulator.calls import generate_calls, generate_newer_calls
from carecycle_dash.simulator.customers import DataKind
from carecycle_dash.simulator.edge import generate_edge_calls
from carecycle_dash.simulator.stories import tell_story

_SORT_KEY_FIELDS: dict[str, str] = {"createdAt": "createdAt", "disposition": "disposition", "duration": "durationMs"}
assert set(_SORT_KEY_FIELDS) == set(SORT_FIELDS)

_RECORDING_FIELDS = (("recordingUrl", "mono"), ("stereoRecordingUrl", "stereo"), ("mainRecordingUrl", "main"))
_TYPE_RANK = {bool: 1, int: 1, float: 1, str: 2}


def _sortable(value: Any) -> tuple[int, Any]:
    """Values of mixed types still compare: numbers, then text, then anything else as text, then null."""
    if value is None:
        return (9, "")
    rank = _TYPE_RANK.get(type(value))
    return (rank, value) if rank is not None else (3, repr(value))


def serialize(call: dict[str, Any]) -> bytes:
    """One call as it appears in a page body: compact UTF-8 JSON, field order kept."""
    return json.dumps(call, ensure_ascii=False, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Recording:
    kinds: frozenset[str]
    """Of "mono", "stereo", "main"."""
    duration_ms: int


@dataclass(frozen=True)
class _Row:
    call_id: str
    keys: tuple[tuple[int, Any], ...]
    body: bytes


class CustomerCalls:
    """Thread-safe: one lock guards generation, drift and the sort cache of this customer only."""

    def __init__(self, customer_id: str, count: int, kind: DataKind, seed: int, base_url: str) -> None:
        self.customer_id = customer_id
        self._count = count
        self._kind = kind
        self._seed = seed
        self._base_url = base_url
        self._lock = threading.Lock()
        self._rows: list[_Row] | None = None
        self._orders: dict[tuple[str, str], list[bytes]] = {}
        self._recordings: dict[str, Recording] = {}
        self._newest = ""
        self._batches = 0

    def _generate(self) -> list[dict[str, Any]]:
        if self._kind == "edge":
            return generate_edge_calls(self.customer_id, self._seed, base_url=self._base_url)
        return tell_story(
            self.customer_id, generate_calls(self.customer_id, self._count, self._seed, base_url=self._base_url)
        )

    def _ensure_rows(self) -> list[_Row]:
        if self._rows is None:
            self._rows = []
            self._add(self._generate())
        return self._rows

    def _add(self, calls: list[dict[str, Any]]) -> None:
        assert self._rows is not None
        prefix = f"{self._base_url}/recordings/{self.customer_id}/"
        field_names = [_SORT_KEY_FIELDS[name] for name in SORT_FIELDS]
        for call in calls:
            call_id = str(call.get("id"))
            keys = tuple(_sortable(call.get(name)) for name in field_names)
            self._rows.append(_Row(call_id, keys, serialize(call)))
            self._note_recordings(call, prefix)
            created = call.get("createdAt")
            if isinstance(created, str) and created[:2] == "20" and created > self._newest:
                self._newest = created
        self._orders.clear()

    def _note_recordings(self, call: dict[str, Any], prefix: str) -> None:
        call_id = call.get("id")
        if not isinstance(call_id, str):
            return
        base = f"{prefix}{call_id}/"
        kinds = frozenset(kind for field, kind in _RECORDING_FIELDS if call.get(field) == f"{base}{kind}.wav")
        duration_ms = call.get("durationMs")
        if kinds and isinstance(duration_ms, int):
            self._recordings[call_id] = Recording(kinds, duration_ms)

    def _order(self, sort_by: SortField, order: SortOrder) -> list[bytes]:
        cached = self._orders.get((sort_by, order))
        if cached is None:
            rows = self._ensure_rows()
            position = SORT_FIELDS.index(sort_by)
            keys = [(*row.keys[position], row.call_id) for row in rows]
            indexes = sorted(range(len(rows)), key=keys.__getitem__, reverse=order == "desc")
            ordered = [rows[i] for i in indexes]
            cached = [row.body for row in ordered]
            self._orders[(sort_by, order)] = cached
        return cached

    def page(self, sort_by: SortField, order: SortOrder, page: int, limit: int) -> tuple[int, list[bytes]]:
        """(itemsTotal, the serialized calls of this page). Past the end: no calls."""
        with self._lock:
            ordered = self._order(sort_by, order)
            start = (page - 1) * limit
            return len(ordered), ordered[start : start + limit]

    def total(self) -> int:
        with self._lock:
            return len(self._ensure_rows())

    def add_newer_calls(self, n: int) -> int:
        """Drift: `n` calls newer than every existing one appear. Returns the new total."""
        with self._lock:
            rows = self._ensure_rows()
            if n > 0:
                self._batches += 1
                newer = generate_newer_calls(
                    self.customer_id,
                    n,
                    self._seed,
                    after=self._newest or "2026-11-27T23:00:00.000Z",
                    batch=self._batches,
                    base_url=self._base_url,
                )
                self._add(newer)
            return len(rows)

    def recording(self, call_id: str) -> Recording | None:
        """Which recordings this customer's call has, and how long; None for unknown calls and calls without."""
        with self._lock:
            self._ensure_rows()
            return self._recordings.get(call_id)

    def warm(self) -> None:
        """Generate now and sort the app's default order, so the first page comes back at once."""
        self._order_locked("createdAt", "desc")

    def _order_locked(self, sort_by: SortField, order: SortOrder) -> None:
        with self._lock:
            self._order(sort_by, order)
