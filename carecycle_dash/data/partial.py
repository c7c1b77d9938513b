"""Figures before a load ends: one frame over the calls arrived so far (newest first), grown as pages come and
shared by everyone waiting for that load, and the line that says the figures are partial.

Each call is parsed once, so a preview redrawn every second costs the calls that arrived in that second; and
when the load ends with exactly the calls that arrived, the grown frame is the load's frame.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from carecycle_dash.api.arrived import ArrivedCalls
from carecycle_dash.data.formatting import format_count
from carecycle_dash.data.frame import CallsFrame, build_frame
from carecycle_dash.data.sent import Sent


@dataclass(frozen=True)
class PartialCalls:
    """The calls of a load in progress: the newest `count` of about `total` (None: a load that stops at a date)."""

    frame: CallsFrame
    total: int | None

    @property
    def count(self) -> int:
        return len(self.frame.df)

    def caption(self) -> str:
        """ "Partial: 23,400 of 100,000 calls loaded" (or "… calls loaded so far" when the total is unknown)."""
        if self.total is None:
            return f"Partial: {format_count(self.count)} calls loaded so far"
        return f"Partial: {format_count(self.count)} of {format_count(max(self.total, self.count))} calls loaded"


class GrowingCalls:
    """A load's arrived calls as one typed frame, grown by the calls that came since it was last asked for."""

    def __init__(self, arrived: ArrivedCalls) -> None:
        self.arrived = arrived
        self._frame: CallsFrame | None = None
        self._calls: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def now(self) -> PartialCalls | None:
        """The calls so far; None before the first page."""
        with self._lock:
            frame = self._grown()
        return None if frame is None else PartialCalls(frame, self.arrived.total)

    def whole(self, calls: Sequence[dict[str, Any]]) -> CallsFrame | None:
        """The frame of `calls` when they are exactly the calls that arrived, in order (the very objects): the
        grown frame then serves as the load's own; else None (a repair changed them)."""
        with self._lock:
            frame = self._grown()
            same = len(calls) == len(self._calls) and all(a is b for a, b in zip(calls, self._calls, strict=True))
        if not calls or not same:
            return None
        return frame

    def _grown(self) -> CallsFrame | None:
        new = self.arrived.since(len(self._calls))
        if new:
            self._calls.extend(new)
            keys = self._frame.sent.keys if self._frame is not None and self._frame.sent is not None else None
            added = build_frame(new, keys)
            self._frame = added if self._frame is None else _joined(self._frame, added)
        return self._frame


def _joined(older: CallsFrame, newer: CallsFrame) -> CallsFrame:
    cleaned = {name: older.cleaned.get(name, 0) + newer.cleaned.get(name, 0) for name in older.cleaned | newer.cleaned}
    sent = Sent.concat([older.sent, newer.sent]) if older.sent is not None and newer.sent is not None else None
    return CallsFrame(pd.concat([older.df, newer.df], ignore_index=True), cleaned, sent)
