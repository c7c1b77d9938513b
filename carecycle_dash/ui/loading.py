"""Load a customer's calls once per (host, customer, sort, order, key) and share them across reruns.

The store lives for the server process; its key holds a fingerprint of the API key, never the key, so a
session only ever sees data that its own key fetched.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from carecycle_dash.api.client import CallsClient
from carecycle_dash.api.config import Settings, key_fingerprint
from carecycle_dash.api.contract import SortField, SortOrder
from carecycle_dash.api.errors import CareCycleError
from carecycle_dash.api.models import LoadResult
from carecycle_dash.api.paging import load_all_calls
from carecycle_dash.data.cache import BoundedTtlCache
from carecycle_dash.data.filters import FilterOptions, filter_options
from carecycle_dash.data.frame import CallsFrame, build_frame
from carecycle_dash.data.masking import MaskedCalls, mask_frame
from carecycle_dash.data.table import build_table
from carecycle_dash.simulator import DEMO_API_KEY, RunningSimulator, start_simulator

log = logging.getLogger("carecycle_dash.ui")

CACHE_TTL_S = float(os.environ.get("CARECYCLE_CACHE_TTL_S", "900"))
CACHE_MAX_BYTES = int(float(os.environ.get("CARECYCLE_CACHE_MAX_MB", "2048")) * 1024 * 1024)


@dataclass
class LoadedCalls:
    """One customer's calls as loaded: raw dicts, the typed frame, and the table shown to people."""

    result: LoadResult
    frame: CallsFrame
    loaded_at: datetime
    base_url: str
    _tables: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)
    _rows_by_id: dict[str, int] | None = field(default=None, repr=False)
    _options: dict[str, FilterOptions] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _masked: LoadedCalls | None = field(default=None, repr=False)

    @property
    def all_calls(self) -> pd.DataFrame:
        return self.frame.df

    def table(self, tz: str) -> pd.DataFrame:
        """The display table for every call in time zone `tz`, built once per zone."""
        with self._lock:
            if tz not in self._tables:
                self._tables[tz] = build_table(self.frame.df, tz)
            return self._tables[tz]

    def filter_options(self, tz: str) -> FilterOptions:
        """The choices the filters offer for these calls, computed once per time zone."""
        with self._lock:
            if tz not in self._options:
                self._options[tz] = filter_options(self.frame.df, tz)
            return self._options[tz]

    def row_of(self, call_id: str) -> int | None:
        """The row of the call with this id, via an index built on first use."""
        with self._lock:
            if self._rows_by_id is None:
                self._rows_by_id = {str(cid): row for row, cid in enumerate(self.frame.df["id"]) if pd.notna(cid)}
            return self._rows_by_id.get(call_id)

    def masked(self) -> LoadedCalls:
        """These calls as a masked viewer gets them (data/masking.py): computed once, kept beside them."""
        with self._lock:
            if self._masked is None:
                frame = mask_frame(self.frame)
                result = replace(self.result, calls=MaskedCalls(self.result.calls, frame.df))
                self._masked = LoadedCalls(result, frame, self.loaded_at, self.base_url)
            return self._masked

    def size_bytes(self) -> int:
        return int(self.frame.df.memory_usage(deep=True).sum()) + 2 * self.result.bytes_received


@st.cache_resource(show_spinner=False, on_release=lambda simulator: simulator.stop())
def demo_simulator() -> RunningSimulator:
    """The built-in simulator on a loopback port, started once per server process."""
    return start_simulator()


@st.cache_resource(show_spinner=False)
def calls_store() -> BoundedTtlCache[LoadedCalls]:
    return BoundedTtlCache(ttl_s=CACHE_TTL_S, max_bytes=CACHE_MAX_BYTES, size_of=LoadedCalls.size_bytes)


def connection(settings: Settings) -> tuple[str, str | None]:
    """(base URL, key) to call: the simulator and its demo key in demo mode."""
    if settings.is_demo:
        return demo_simulator().base_url, DEMO_API_KEY
    return settings.base_url or "", settings.api_key


def load_calls(
    settings: Settings,
    customer_id: str,
    sort_by: SortField,
    order: SortOrder,
    *,
    refresh: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> LoadedCalls:
    """Every call of the customer, from the store when fresh; raises CareCycleError subclasses."""
    base_url, api_key = connection(settings)
    key = _store_key(base_url, api_key, customer_id, sort_by, order)
    store = calls_store()
    if refresh:
        store.invalidate(key)

    def load() -> LoadedCalls:
        with CallsClient(api_key, base_url) as client:
            result = load_all_calls(client, customer_id, sort_by=sort_by, order=order, on_progress=on_progress)
        return LoadedCalls(result, build_frame(result.calls), datetime.now(UTC), base_url)

    return store.get_or_load(key, load)


def is_cached(settings: Settings, customer_id: str, sort_by: SortField, order: SortOrder) -> bool:
    base_url, api_key = connection(settings)
    return calls_store().get(_store_key(base_url, api_key, customer_id, sort_by, order)) is not None


def _store_key(base_url: str, api_key: str | None, customer_id: str, sort_by: str, order: str) -> tuple[str, ...]:
    """Everything that decides what the API returns; the key only as a fingerprint."""
    return (base_url, customer_id, sort_by, order, key_fingerprint(api_key))


def failure_message(exc: Exception) -> str:
    """One line for the page. Our errors carry their own; anything else is logged by type only."""
    if isinstance(exc, CareCycleError):
        return exc.message
    log.error("Unexpected %s while loading calls", type(exc).__name__)
    return "Something unexpected went wrong while loading calls. Please try again; if it persists, tell your admin."
