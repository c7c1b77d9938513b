"""One customer's calls as the simulator serves them: live, generated on first use, each call serialized once,
every (sort field, order) sorted once, and grown at the newest end when drift is asked for.

Live: the calls are drawn over the window that ends today (US Eastern, by the simulator's clock `now`), and
only those whose time has come are served, so the data run up to the present and the rest of today's calls
appear as time passes. The same seed on the same day draws the same calls, so a restart serves the same calls
plus those that arrived since. When the day changes, the next request draws the window ending on the new day.

Large customers (LAZY_FROM calls or more) are drawn a day at a time, newest day first, as the default order
(`createdAt desc`) pages ask for them: the first page needs only today's calls. Any other order, a recording
of a call not drawn yet, drift, or `warm()` draws the rest.

Sorting follows what a SQL `ORDER BY field ASC, id ASC` does: nulls (and missing fields) sort after every
value, and `desc` is the exact reverse of `asc` (so nulls come first). Ties always break by `id`, so each
order is total and paging it visits every call exactly once.
"""

from __future__ import annotations

import bisect
import json
import re
import threading
from dataclasses import dataclass
from datetime import UTC, date
from typing import Any

from carecycle_dash.api.contract import SORT_FIELDS, SortField, SortOrder
from carecycle_dash.simulator.calls import (
    AGENCY_ZONE,
    daily_counts,
    generate_calls,
    generate_day,
    generate_newer_calls,
    iso_utc,
)
from carecycle_dash.simulator.clock import Clock
from carecycle_dash.simulator.customers import DataKind
from carecycle_dash.simulator.edge import generate_edge_calls
from carecycle_dash.simulator.stories import story_start, tell_story

LAZY_FROM = 10_000
"""Customers with at least this many calls are drawn a day at a time, newest first."""

_SORT_KEY_FIELDS: dict[str, str] = {"createdAt": "createdAt", "disposition": "disposition", "duration": "durationMs"}
assert set(_SORT_KEY_FIELDS) == set(SORT_FIELDS)

_RECORDING_FIELDS = (("recordingUrl", "mono"), ("stereoRecordingUrl", "stereo"), ("mainRecordingUrl", "main"))
_TYPE_RANK = {bool: 1, int: 1, float: 1, str: 2}
_GENERATED_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
"""How the generator writes `createdAt`; a call is held back until then. Any other value is served at once."""


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
    due: str
    """`createdAt` when the call is held back until then, else "" (served at once)."""


class CustomerCalls:
    """Thread-safe: one lock guards generation, drift and the sort cache of this customer only."""

    def __init__(self, customer_id: str, count: int, kind: DataKind, seed: int, base_url: str, now: Clock) -> None:
        self.customer_id = customer_id
        self._count = count
        self._kind = kind
        self._seed = seed
        self._base_url = base_url
        self._now = now
        self._lock = threading.Lock()
        self._start_day(self._today())

    def _today(self) -> date:
        return self._now().astimezone(AGENCY_ZONE).date()

    def _start_day(self, end: date) -> None:
        """Forget every call: the window now ends on `end`."""
        self._end = end
        self._rows: list[_Row] = []
        self._due: list[str] = []  # the `due` of every held-back row, sorted
        self._sorted: dict[tuple[str, str], list[_Row]] = {}  # every drawn call, by (sort field, order)
        self._served: dict[tuple[str, str, int], list[bytes]] = {}  # and those served, by how many are held back
        self._recordings: dict[str, Recording] = {}
        self._newest = ""
        self._batches = 0
        self._drawn = False
        self._pending: list[tuple[date, int]] = []  # days still to draw, newest first (large customers)
        self._desc: list[bytes] = []  # drawn rows of a large customer, newest first, while days are pending

    # --- drawing -----------------------------------------------------------------------------------------

    def _ensure_drawn(self, *, whole: bool) -> None:
        """Draw the calls on first use (the newest day only for a large customer, unless `whole`)."""
        if self._today() != self._end:
            self._start_day(self._today())
        if not self._drawn:
            self._drawn = True
            if self._count >= LAZY_FROM and self._kind == "realistic":
                counts = daily_counts(self.customer_id, self._count, self._seed, end=self._end)
                self._pending = counts[::-1]
                self._draw_next_day()
            else:
                self._add(self._generate())
        while whole and self._pending:
            self._draw_next_day()

    def _generate(self) -> list[dict[str, Any]]:
        if self._kind == "edge":
            return generate_edge_calls(self.customer_id, self._seed, base_url=self._base_url, end=self._end)
        calls = generate_calls(self.customer_id, self._count, self._seed, base_url=self._base_url, end=self._end)
        return tell_story(self.customer_id, calls, story_start(self._end))

    def _draw_next_day(self) -> None:
        day, n = self._pending.pop(0)
        calls = generate_day(self.customer_id, n, self._seed, day=day, end=self._end, base_url=self._base_url)
        rows = self._add(calls)
        position = SORT_FIELDS.index("createdAt")
        self._desc.extend(row.body for row in sorted(rows, key=lambda r: (*r.keys[position], r.call_id), reverse=True))

    def _add(self, calls: list[dict[str, Any]], *, held_back: bool = True) -> list[_Row]:
        prefix = f"{self._base_url}/recordings/{self.customer_id}/"
        field_names = [_SORT_KEY_FIELDS[name] for name in SORT_FIELDS]
        rows = []
        for call in calls:
            created = call.get("createdAt")
            due = created if held_back and isinstance(created, str) and _GENERATED_TIME.match(created) else ""
            keys = tuple(_sortable(call.get(name)) for name in field_names)
            rows.append(_Row(str(call.get("id")), keys, serialize(call), due))
            self._note_recordings(call, prefix)
            if isinstance(created, str) and created[:2] == "20" and created > self._newest:
                self._newest = created
        self._rows.extend(rows)
        self._due = sorted(self._due + [row.due for row in rows if row.due])
        self._sorted.clear()
        self._served.clear()
        return rows

    def _note_recordings(self, call: dict[str, Any], prefix: str) -> None:
        call_id = call.get("id")
        if not isinstance(call_id, str):
            return
        base = f"{prefix}{call_id}/"
        kinds = frozenset(kind for field, kind in _RECORDING_FIELDS if call.get(field) == f"{base}{kind}.wav")
        duration_ms = call.get("durationMs")
        if kinds and isinstance(duration_ms, int):
            self._recordings[call_id] = Recording(kinds, duration_ms)

    # --- serving -----------------------------------------------------------------------------------------

    def _held_back(self) -> tuple[str, int]:
        """(now as the API writes times, how many drawn calls are still in the future)."""
        now = iso_utc(self._now().astimezone(UTC))
        return now, len(self._due) - bisect.bisect_right(self._due, now)

    def _order(self, sort_by: SortField, order: SortOrder) -> list[bytes]:
        """Every call served now, in this order: every drawn call sorted once, then those not due yet left out
        (again only when another call's time has come)."""
        now, held = self._held_back()
        served = self._served.get((sort_by, order, held))
        if served is None:
            rows = self._sorted.get((sort_by, order))
            if rows is None:
                position = SORT_FIELDS.index(sort_by)
                keys = [(*row.keys[position], row.call_id) for row in self._rows]
                indexes = sorted(range(len(self._rows)), key=keys.__getitem__, reverse=order == "desc")
                rows = self._sorted[(sort_by, order)] = [self._rows[i] for i in indexes]
            served = [row.body for row in rows if not row.due or row.due <= now]
            self._served = {key: value for key, value in self._served.items() if key[2] == held}
            self._served[(sort_by, order, held)] = served
        return served

    def page(self, sort_by: SortField, order: SortOrder, page: int, limit: int) -> tuple[int, list[bytes]]:
        """(itemsTotal, the serialized calls of this page). Past the end: no calls."""
        start = (page - 1) * limit
        with self._lock:
            newest_first = (sort_by, order) == ("createdAt", "desc")
            self._ensure_drawn(whole=not newest_first)
            if not self._pending:
                ordered = self._order(sort_by, order)
                return len(ordered), ordered[start : start + limit]
            _, held = self._held_back()  # only today's calls can be, and today is drawn first
            while self._pending and len(self._desc) < held + start + limit:
                self._draw_next_day()
            total = len(self._desc) + sum(n for _, n in self._pending) - held
            return total, self._desc[held + start : held + start + limit]

    def total(self) -> int:
        """How many calls are served now."""
        with self._lock:
            self._ensure_drawn(whole=False)
            _, held = self._held_back()
            return len(self._rows) + sum(n for _, n in self._pending) - held

    def add_newer_calls(self, n: int) -> int:
        """Drift: `n` calls newer than every existing one appear now. Returns the new total."""
        with self._lock:
            self._ensure_drawn(whole=True)
            if n > 0:
                self._batches += 1
                newer = generate_newer_calls(
                    self.customer_id,
                    n,
                    self._seed,
                    after=self._newest or f"{self._end.isoformat()}T23:00:00.000Z",
                    batch=self._batches,
                    base_url=self._base_url,
                    end=self._end,
                )
                self._add(newer, held_back=False)
            _, held = self._held_back()
            return len(self._rows) - held

    def recording(self, call_id: str) -> Recording | None:
        """Which recordings this customer's call has, and how long; None for unknown calls and calls without."""
        with self._lock:
            self._ensure_drawn(whole=False)
            if call_id not in self._recordings:
                self._ensure_drawn(whole=True)
            return self._recordings.get(call_id)

    def warm(self) -> None:
        """Draw every call now and sort the app's default order, so the first page comes back at once."""
        with self._lock:
            self._ensure_drawn(whole=True)
            self._order("createdAt", "desc")
