"""The calls exactly as the API sent them, kept in the frame instead of as 100,000 Python dicts.

Most of a call is already in the typed frame unchanged: text fields that were strings, flags that were
booleans, durations that were whole milliseconds in range. What the typed columns cannot give back is kept
beside them (`Sent`): each call's `createdAt` text, and for the few calls that need it a JSON note of the
fields whose values the frame changed or left out (unknown fields, numbers sent as text, lone surrogates) and
of the field order when it is not the usual one. `FrameCalls` rebuilds the dicts from those, one call or many
at once, equal to what was sent: the CSV, the call detail and an incremental reload read them so.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, overload

import numpy as np
import pyarrow as pa

from carecycle_dash.api.contract import BOOLEAN_FIELDS, CALL_FIELDS, INTEGER_FIELDS, MAX_CALL_DURATION_MS

if TYPE_CHECKING:
    from carecycle_dash.data.frame import CallsFrame

CREATED_TEXT: Final = "createdAt"
EXTRAS: Final = "extras"
_KNOWN: Final = frozenset(CALL_FIELDS)


@dataclass(frozen=True)
class Sent:
    """What the frame needs besides its typed columns to give back each call as sent: a table of the
    `createdAt` texts and the per-call JSON notes (null for most calls), and the usual field order."""

    table: pa.Table
    keys: tuple[str, ...]

    def take(self, rows: np.ndarray) -> Sent:
        return Sent(self.table.take(pa.array(rows, type=pa.int64())), self.keys)

    @staticmethod
    def concat(parts: Sequence[Sent]) -> Sent:
        return Sent(pa.concat_tables([part.table for part in parts]), parts[0].keys)


def usual_keys(rows: Sequence[Mapping[str, Any]]) -> tuple[str, ...]:
    """The field order most calls were sent in (the API sends one order; a call that differs notes its own)."""
    if not rows:
        return ()
    return Counter(tuple(row) for row in rows).most_common(1)[0][0]


def inexact_rows(name: str, values: Sequence[Any], text_is_exact: bool) -> list[int]:
    """The rows whose value of field `name` the frame's typed column does not give back exactly.
    `text_is_exact`: the text column was built on the fast path (every value a string or None)."""
    if name in BOOLEAN_FIELDS:
        return [i for i, v in enumerate(values) if v is not None and v is not True and v is not False]
    if name in INTEGER_FIELDS:
        limit = MAX_CALL_DURATION_MS
        return [i for i, v in enumerate(values) if v is not None and not (type(v) is int and 0 <= v <= limit)]
    if text_is_exact:
        return []
    return [i for i, v in enumerate(values) if v is not None and not (type(v) is str and _utf8(v))]


def _utf8(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:  # a lone surrogate: the frame holds U+FFFD instead
        return False
    return True


def sent_fields(
    rows: Sequence[Mapping[str, Any]], created_text: pa.Array, inexact: Mapping[str, list[int]], keys: tuple[str, ...]
) -> Sent:
    """The `Sent` of these calls: `created_text` their `createdAt` as text, `inexact` the rows per field that
    the typed columns do not give back, `keys` the usual field order."""
    notes: dict[int, dict[str, Any]] = {}
    for name, found in inexact.items():
        for row in found:
            if name in rows[row]:
                notes.setdefault(row, {}).setdefault("fields", {})[name] = rows[row][name]
    unknown = [name for name in keys if name not in _KNOWN]
    for index, row in enumerate(rows):
        order = tuple(row)
        if order != keys:
            notes.setdefault(index, {})["keys"] = list(order)
            names = [name for name in order if name not in _KNOWN]
        else:
            names = unknown
        for name in names:
            notes.setdefault(index, {}).setdefault("fields", {})[name] = row[name]
    extras = [None] * len(rows)
    for index, note in notes.items():
        extras[index] = json.dumps(note, ensure_ascii=True, separators=(",", ":"))
    table = pa.table({CREATED_TEXT: created_text, EXTRAS: pa.array(extras, type=pa.large_string())})
    return Sent(table, keys)


class FrameCalls(Sequence[dict[str, Any]]):
    """The frame's calls as the API sent them, each dict built when asked for; a slice is a view of rows."""

    def __init__(self, frame: CallsFrame, rows: range | None = None) -> None:
        if frame.sent is None:
            raise ValueError("this frame does not keep the calls as sent")
        self.frame = frame
        self.rows = range(len(frame.df)) if rows is None else rows
        self._columns: dict[str, pa.Array] | None = None

    def __len__(self) -> int:
        return len(self.rows)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> FrameCalls: ...
    def __getitem__(self, index: int | slice) -> dict[str, Any] | FrameCalls:
        if isinstance(index, slice):
            return FrameCalls(self.frame, self.rows[index])
        return self.take([self.rows[index]], absolute=True)[0]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        # In small batches: a reload reads only the newest few calls.
        step = 64
        for start in range(0, len(self.rows), step):
            yield from self.take(self.rows[start : start + step], absolute=True)

    def take(self, rows: Sequence[int], *, absolute: bool = False) -> list[dict[str, Any]]:
        """The calls at `rows` (of this view; of the frame when `absolute`), each column read once for all."""
        wanted = list(rows) if absolute else [self.rows[row] for row in rows]
        indices = pa.array(wanted, type=pa.int64())
        sent = self.frame.sent
        assert sent is not None
        values = {name: column.take(indices).to_pylist() for name, column in self._typed().items()}
        values[CREATED_TEXT] = sent.table[CREATED_TEXT].take(indices).to_pylist()
        extras = sent.table[EXTRAS].take(indices).to_pylist()
        calls = []
        for i, note_text in enumerate(extras):
            if note_text is None:
                calls.append({name: values[name][i] for name in sent.keys})
                continue
            note = json.loads(note_text)
            fields = note.get("fields", {})
            calls.append(
                {name: fields[name] if name in fields else values[name][i] for name in note.get("keys", sent.keys)}
            )
        return calls

    def _typed(self) -> dict[str, pa.Array]:
        if self._columns is None:
            df = self.frame.df
            self._columns = {name: pa.array(df[name]) for name in CALL_FIELDS if name != CREATED_TEXT}
        return self._columns
