"""Load a customer's calls once per (host, customer, key) and share them across reruns and sessions.

The store lives for the server process; its key holds a fingerprint of the API key, never the key, so a
session only ever sees data that its own key fetched. Calls are held newest first, once, however many sorts
people look at (`LoadedCalls.rank` sorts locally). A Reload, or a visit after the data went stale, reads only
the newest pages again (`reload_calls`); a load that stops at a date (`since`) serves every narrower `since`.
Loads run as flights (`BoundedTtlCache.flight`): everyone asking for the same customer waits for one download,
and one that nobody waits for any more stops. Requests in flight are bounded per key across sessions.

Loaded calls also outlive the process in the call store (carecycle_dash/store): every load is written there
off the page's path, and a process that does not hold a customer reads it from the store and reloads only the
newest pages, as Reload does. The API must accept the key for the customer first (that reload's first
request); a key it refuses (401/403) sees nothing from the store, and its entry goes.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Literal, TypeVar

import numpy as np
import pandas as pd
import streamlit as st

from carecycle_dash.api.arrived import ArrivedCalls
from carecycle_dash.api.client import CallsClient
from carecycle_dash.api.config import Settings, Timeouts, key_fingerprint
from carecycle_dash.api.contract import SortField, SortOrder
from carecycle_dash.api.errors import AuthenticationError, CareCycleError, PermissionDeniedError
from carecycle_dash.api.full_load import load_all_calls
from carecycle_dash.api.models import LoadResult
from carecycle_dash.api.reload import DEFAULT_RECHECK, reload_calls
from carecycle_dash.data.cache import BoundedTtlCache, Flight
from carecycle_dash.data.callers import CallerDirectory
from carecycle_dash.data.filters import (
    LINK_COLUMNS,
    SEARCH_COLUMNS,
    CallFilters,
    FilterOptions,
    apply_filters,
    filter_options,
)
from carecycle_dash.data.frame import CallsFrame
from carecycle_dash.data.kept import frame_bytes, merged_frame, read_kept, snapshot_of
from carecycle_dash.data.masking import MaskedCalls, mask_frame
from carecycle_dash.data.memory import release_soon
from carecycle_dash.data.ordering import id_codes, ranks, sort_positions
from carecycle_dash.data.partial import GrowingCalls
from carecycle_dash.data.sent import FrameCalls
from carecycle_dash.data.shared import SharedResults
from carecycle_dash.data.table import build_table
from carecycle_dash.simulator import DEMO_API_KEY, RunningSimulator, start_simulator
from carecycle_dash.store import CallStore, EntryId, StoreError, entry_for, open_store, resolve_store
from carecycle_dash.text.logs import one_line
from carecycle_dash.ui.navigation import caller_link_secret
from carecycle_dash.ui.settings import read_secrets

log = logging.getLogger("carecycle_dash.ui")

CACHE_TTL_S = float(os.environ.get("CARECYCLE_CACHE_TTL_S", "900"))
CACHE_MAX_BYTES = int(float(os.environ.get("CARECYCLE_CACHE_MAX_MB", "2048")) * 1024 * 1024)
CACHE_STALE_S = 4 * 3600.0
"""How long data past its time to live is kept as the base of an incremental reload (then dropped)."""
ENV_RECHECK_HOURS = "CARECYCLE_RECHECK_HOURS"

Reload = Literal["none", "incremental", "full"]
Source = Literal["api", "store"]
STORE_PROGRESS_EVERY_S = 2.0
"""How often a crawl tells the store how far it is (for a replica that waits for it)."""
T = TypeVar("T")
_Previous = tuple[LoadResult, CallsFrame] | None
"""Calls to bring up to date, with their frame: those held in memory or kept in the store."""
REMEMBERED_MAX = 64
"""How many derived results (figures, summaries) one customer's calls keep: the views people look at now."""


def recheck_window(environ: Mapping[str, str] = os.environ) -> timedelta:
    """The re-check window from CARECYCLE_RECHECK_HOURS (hours, 0 or more; default 24)."""
    text = environ.get(ENV_RECHECK_HOURS, "").strip()
    if not text:
        return DEFAULT_RECHECK
    try:
        hours = float(text)
    except ValueError:
        hours = -1.0
    if not 0 <= hours <= 24 * 366:
        log.warning("%s is not a number of hours from 0 to 8784; using 24", ENV_RECHECK_HOURS)
        return DEFAULT_RECHECK
    return timedelta(hours=hours)


@dataclass
class LoadedCalls:
    """One customer's calls as loaded: the typed frame, the calls as sent rebuilt from it on demand
    (`result.calls`, a FrameCalls: no dict is held), and the table shown to people."""

    result: LoadResult
    frame: CallsFrame
    loaded_at: datetime
    base_url: str
    source: Source = "api"
    """"store": these calls were read from the call store, then brought up to date with the API at `loaded_at`."""
    _tables: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)
    _rows_by_id: dict[str, int] | None = field(default=None, repr=False)
    _options: dict[str, FilterOptions] = field(default_factory=dict, repr=False)
    _ranks: dict[tuple[str, str], np.ndarray] = field(default_factory=dict, repr=False)
    _ids: np.ndarray | None = field(default=None, repr=False)
    _since_counts: dict[datetime | None, int] = field(default_factory=dict, repr=False)
    _callers: CallerDirectory | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _masked: LoadedCalls | None = field(default=None, repr=False)
    _remembered: SharedResults = field(default_factory=lambda: SharedResults(REMEMBERED_MAX), repr=False)
    _filtered: weakref.WeakValueDictionary[CallFilters, pd.DataFrame] = field(
        default_factory=weakref.WeakValueDictionary, repr=False
    )
    _latest_filtered: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def since(self) -> datetime | None:
        """The earliest time these calls reach back to (None: every call)."""
        return self.result.since

    def covers(self, since: datetime | None) -> bool:
        """Whether these calls hold every call since `since` (None: every call there is)."""
        return _covers(self.result.since, since)

    def rank(self, sort_by: SortField, order: SortOrder) -> np.ndarray:
        """Each row's place in the chosen sort, computed once per sort: a sort change costs no download."""
        with self._lock:
            if (sort_by, order) not in self._ranks:
                if self._ids is None:
                    self._ids = id_codes(self.frame.df)
                self._ranks[(sort_by, order)] = ranks(sort_positions(self.frame.df, sort_by, order, self._ids))
            return self._ranks[(sort_by, order)]

    def count_since(self, since: datetime | None) -> int:
        """How many of these calls were created at or after `since` (all of them for None)."""
        with self._lock:
            if since not in self._since_counts:
                times = self.frame.df["createdAt"]
                self._since_counts[since] = len(times) if since is None else int(times.ge(since).sum())
            return self._since_counts[since]

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

    def callers(self) -> CallerDirectory:
        """Maps the caller tokens in addresses back to these calls' numbers, built once."""
        with self._lock:
            if self._callers is None:
                self._callers = CallerDirectory(self.frame.df["caller"], caller_link_secret())
            return self._callers

    def remember(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()` (a figure, a summary: a pure function of these calls and `key`) once per key for every
        session holding these calls, so ten people on one customer pay for one Overview. What computing it
        freed goes back to the system soon after."""

        def computed() -> T:
            value = compute()
            release_soon()
            return value

        return self._remembered.remember(key, computed)

    def filtered(self, filters: CallFilters) -> pd.DataFrame:
        """The calls that pass `filters`, without their long texts and links: one copy for every session on the
        same filters, so a session opening on a loaded customer costs neither the copy's time nor its memory
        (about 30 MB at 100,000 calls). A copy lives while a session's run holds it, and the latest one
        asked for beyond that (`size_bytes` counts it), so other filter states cost no memory once used."""
        with self._lock:
            found = self._filtered.get(filters)
            if found is not None:
                self._latest_filtered = found
                return found
        computed = apply_filters(self.frame.df, filters, keep_text=False)
        release_soon()
        with self._lock:
            found = self._filtered.setdefault(filters, computed)
            self._latest_filtered = found
            return found

    def masked(self) -> LoadedCalls:
        """These calls as a masked viewer gets them (data/masking.py): computed once, kept beside them."""
        with self._lock:
            if self._masked is None:
                frame = mask_frame(self.frame)
                result = replace(self.result, calls=MaskedCalls(self.result.calls, frame.df))
                self._masked = LoadedCalls(result, frame, self.loaded_at, self.base_url, self.source)
            return self._masked

    def size_bytes(self) -> int:
        """What the cache counts: the frame (with what gives the calls back as sent) and one filtered copy
        (the frame without its long texts and links)."""
        usage = self.frame.df.memory_usage(deep=True, index=False)
        left_out = usage[[c for c in (*SEARCH_COLUMNS, *LINK_COLUMNS) if c in usage.index]].sum()
        return frame_bytes(self.frame) + int(usage.sum() - left_out)


@st.cache_resource(show_spinner=False, on_release=lambda simulator: simulator.stop())
def demo_simulator() -> RunningSimulator:
    """The built-in simulator on a loopback port, started once per server process."""
    return start_simulator()


@st.cache_resource(show_spinner=False)
def calls_store() -> BoundedTtlCache[LoadedCalls]:
    return BoundedTtlCache(
        ttl_s=CACHE_TTL_S, max_bytes=CACHE_MAX_BYTES, size_of=LoadedCalls.size_bytes, stale_s=CACHE_STALE_S
    )


@dataclass
class KeptCalls:
    """The call store this process writes to (None: memory only), and why it is not used when it cannot be."""

    store: CallStore | None
    problem: str | None = None

    def notice(self) -> str | None:
        """One line for the sidebar while calls are not being kept; None when they are (or memory only is set)."""
        return self.problem or (self.store.problem if self.store is not None else None)

    def close(self) -> None:
        if self.store is not None:
            self.store.close()


@st.cache_resource(show_spinner=False, on_release=KeptCalls.close)
def kept_calls() -> KeptCalls:
    """The call store named by CARECYCLE_STORE_URL or the secrets file, opened once per server process. One
    that cannot be opened leaves the dashboard working from memory, with one log line and a sidebar line."""
    try:
        return KeptCalls(open_store(resolve_store(read_secrets(), os.environ)))
    except (StoreError, CareCycleError) as error:
        message = error.message if isinstance(error, CareCycleError) else str(error)
        log.warning("The call store is not used: %s", one_line(message))
        return KeptCalls(None, f"Calls are not being kept: {message}")


def store_caption(loaded: LoadedCalls) -> str | None:
    """Where the calls came from and whether they are kept, for the sidebar; None when there is nothing to say."""
    lines = []
    if loaded.source == "store":
        lines.append(f"From the store, checked with the API at {loaded.loaded_at:%H:%M} UTC.")
    if (notice := kept_calls().notice()) is not None:
        lines.append(notice)
    return " ".join(lines) or None


def connection(settings: Settings) -> tuple[str, str | None]:
    """(base URL, key) to call: the simulator and its demo key in demo mode."""
    if settings.is_demo:
        return demo_simulator().base_url, DEMO_API_KEY
    return settings.base_url or "", settings.api_key


def held_calls(settings: Settings, customer_id: str, since: datetime | None = None) -> LoadedCalls | None:
    """The customer's calls when the store holds them fresh and reaching back to `since`; else None."""
    base_url, api_key = connection(settings)
    held = calls_store().get(_store_key(base_url, api_key, customer_id))
    return held if held is not None and held.covers(since) else None


def latest_loaded_at(settings: Settings, customer_id: str) -> datetime | None:
    """When the calls held for this customer (fresh or not) were loaded; None when none are held."""
    base_url, api_key = connection(settings)
    held, _ = calls_store().lookup(_store_key(base_url, api_key, customer_id))
    return held.loaded_at if held is not None else None


def load_calls(
    settings: Settings,
    customer_id: str,
    *,
    since: datetime | None = None,
    reload: Reload = "none",
    on_progress: Callable[[int, int], None] | None = None,
    on_preview: Callable[[GrowingCalls], None] | None = None,
) -> LoadedCalls:
    """The customer's calls since `since`, from the store when fresh; raises CareCycleError subclasses.

    `reload="incremental"` reads only the newest pages again (and so does a visit after the data went
    stale); `"full"` loads every call of the held span again. Joins a load in flight for the same customer
    and key; `on_progress(done, total)` is called while waiting, and an exception from it (the session moved
    on) withdraws this wait, stopping the load when nobody else waits. While a first load runs, `on_preview`
    is called with it too: the calls so far, to show before it ends.
    """
    base_url, api_key = connection(settings)
    key = _store_key(base_url, api_key, customer_id)
    store = calls_store()
    kept = kept_calls().store if api_key is not None else None
    entry = entry_for(base_url, customer_id, api_key, demo=settings.is_demo)
    for _ in range(3):
        held, fresh = store.lookup(key)
        base = held if held is not None and held.covers(since) else None
        if base is not None and fresh and reload == "none":
            return base
        job = _Job(
            base_url, api_key, customer_id, since, reload, base, settings.timeouts, recheck_window(), kept, entry
        )
        flight = store.flight(key, job.run)
        loaded = store.wait(flight, _previewing(flight, on_progress, on_preview))
        if loaded.covers(since):
            return loaded
        reload = "none"  # someone else's narrower load was in flight: now load what this view needs
    return loaded


def _previewing(
    flight: Flight[LoadedCalls],
    on_progress: Callable[[int, int], None] | None,
    on_preview: Callable[[GrowingCalls], None] | None,
) -> Callable[[int, int], None] | None:
    """The wait's callback: progress, then the calls so far while the flight has them."""
    if on_preview is None:
        return on_progress

    def report(done: int, total: int) -> None:
        if on_progress is not None:
            on_progress(done, total)
        preview = flight.preview  # read once: the load drops it when it ends
        if preview is not None:
            on_preview(preview)

    return report


@dataclass(frozen=True)
class _Job:
    """What a new flight runs, on its own thread (so no Streamlit calls): a reload of `base`, or of the calls
    kept in the store, or a load; the result is then kept in the store in the background."""

    base_url: str
    api_key: str | None = field(repr=False)
    customer_id: str
    since: datetime | None
    reload: Reload
    base: LoadedCalls | None
    timeouts: Timeouts
    recheck: timedelta
    kept: CallStore | None = None
    entry: EntryId | None = None

    def run(self, flight: Flight[LoadedCalls]) -> LoadedCalls:
        if self.kept is None or self.entry is None or self.api_key is None:
            loaded = self._load(flight, self._held(), self._source())
            release_soon()  # what the load freed (its pages, a previous frame) goes back to the system
            return loaded
        kept, entry, api_key = self.kept, self.entry, self.api_key
        # One crawl per entry: whoever waits shows the crawler's progress, then reads what it kept.
        with ExitStack() as held:
            if self.base is None:
                held.enter_context(
                    kept.crawl_lock(
                        entry, self.timeouts.load_s, lambda: flight.report(*(kept.progress(entry) or (0, 0)))
                    )
                )
            previous, source = self._previous(kept, entry, api_key)
            try:
                loaded = self._load(flight, previous, source, self._progress_to_store(flight, kept, entry))
            except (AuthenticationError, PermissionDeniedError):
                kept.forget(entry)  # the API refuses this key now: what it loaded before goes too
                raise
            # The lock is released once the calls are kept, so a replica waiting for it reads them; what
            # the load and the write freed goes back to the system then.
            unlock = held.pop_all().close
            kept.write_later(
                entry,
                api_key,
                lambda: snapshot_of(loaded.result, loaded.frame, loaded.loaded_at),
                after=lambda: (unlock(), release_soon()),
            )
        return loaded

    def _source(self) -> Source:
        return self.base.source if self.base is not None and self.reload != "full" else "api"

    def _held(self) -> _Previous:
        return (self.base.result, self.base.frame) if self.base is not None else None

    def _previous(self, kept: CallStore, entry: EntryId, api_key: str) -> tuple[_Previous, Source]:
        """The calls to bring up to date: those held in memory, else those kept in the store."""
        if self.base is not None:
            return self._held(), self._source()
        stored = read_kept(kept, entry, api_key) if self.reload != "full" else None
        if stored is None or not _covers(stored[0].since, self.since):
            return None, "api"
        return (stored[0], stored[1]), "store"

    def _progress_to_store(
        self, flight: Flight[LoadedCalls], kept: CallStore, entry: EntryId
    ) -> Callable[[int, int], None]:
        """The flight's progress callback, also telling the store now and then (for replicas that wait)."""
        last = [0.0]

        def report(done: int, total: int) -> None:
            flight.report(done, total)
            now = time.monotonic()
            if now - last[0] >= STORE_PROGRESS_EVERY_S:
                last[0] = now
                kept.report_progress(entry, done, total)

        return report

    def _load(
        self,
        flight: Flight[LoadedCalls],
        held: _Previous,
        source: Source,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> LoadedCalls:
        # Requests stay within the API layer's per-key slots (api/limits.py), shared by every session.
        limits = {"cancel": flight.cancel, "deadline_s": self.timeouts.load_s}
        on_progress = on_progress or flight.report
        previous, base = held if held is not None else (None, None)
        growing: GrowingCalls | None = None
        with (
            CallsClient(self.api_key, self.base_url, request_timeout_s=self.timeouts.request_s) as client,
            _preview_dropped(flight),
        ):
            if previous is not None and self.reload != "full":
                result = reload_calls(
                    client,
                    self.customer_id,
                    previous,
                    since=previous.since,
                    recheck=self.recheck,
                    on_progress=on_progress,
                    **limits,
                )
            else:
                scope = previous.since if previous is not None else self.since
                if previous is None:  # a first load: waiters see its calls as they come
                    growing = flight.preview = GrowingCalls(ArrivedCalls(expected=scope is None))
                result = load_all_calls(
                    client,
                    self.customer_id,
                    since=scope,
                    on_progress=on_progress,
                    on_page=growing.arrived.add if growing is not None else None,
                    **limits,
                )
        frame = (growing.whole(result.calls) if growing is not None else None) or merged_frame(result, base)
        # The dicts the API sent go now: the frame gives them back (FrameCalls), which saves ~300 MB a
        # 100,000-call customer.
        return LoadedCalls(replace(result, calls=FrameCalls(frame)), frame, datetime.now(UTC), self.base_url, source)


@contextmanager
def _preview_dropped(flight: Flight[LoadedCalls]) -> Iterator[None]:
    """The flight's preview (the API's pages as they came, and their frame) goes when the load ends, however
    it ends: waiters that outlive the load hold no copy of the calls."""
    try:
        yield
    finally:
        flight.preview = None


def _covers(held_since: datetime | None, since: datetime | None) -> bool:
    """Whether calls held since `held_since` (None: all) hold every call since `since`."""
    return held_since is None or (since is not None and since >= held_since)


def _store_key(base_url: str, api_key: str | None, customer_id: str) -> tuple[str, ...]:
    """Everything that decides which calls the API returns (the sort is applied locally); the key only as a
    fingerprint."""
    return (base_url, customer_id, key_fingerprint(api_key))


def failure_message(exc: Exception) -> str:
    """One line for the page. Our errors carry their own; anything else is logged by type only."""
    if isinstance(exc, CareCycleError):
        return exc.message
    log.error("Unexpected %s while loading calls", type(exc).__name__)
    return "Something unexpected went wrong while loading calls. Please try again; if it persists, tell your admin."
