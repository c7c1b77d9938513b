"""What every way of loading shares: one load's state (`Loader`), its deadline and thread pool, and page sums.

A load fetches pages concurrently over one `CallsClient` and keeps the first copy of every call it sees. Three
ways of loading build on it: every page, with repairs (`full_load`); newest first until a point in time
(`since_load`); and a held load brought up to date (`reload`).

A load may have a deadline and a cancel flag (`LoadGuard`): every request checks them, and the caller's
thread checks them while it waits for pages, so a stuck API or a load nobody waits for ends promptly.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from concurrent.futures import TimeoutError as FuturesTimeout
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from carecycle_dash.api.client import CallsClient, RequestStats
from carecycle_dash.api.contract import DEFAULT_SORT_FIELD, DEFAULT_SORT_ORDER, MAX_LIMIT, SortField, SortOrder
from carecycle_dash.api.errors import InconsistentDataError, InvalidInputError, LoadTimeoutError
from carecycle_dash.api.limits import LoadGuard
from carecycle_dash.api.messages import limit_in_words
from carecycle_dash.api.models import CallsPage, LoadResult, PageCallback, ProgressCallback, Repairs
from carecycle_dash.api.validation import CustomerId, whole_number

DEFAULT_CONCURRENCY: Final = 8
MAX_CONCURRENCY: Final = 64
MAX_PAGES: Final = 100_000
# How often the caller's thread looks at the load's deadline and cancel flag while pages are in flight.
GUARD_POLL_S: Final = 0.2
# Fields with few distinct values: one shared string per value keeps 100,000 calls small in memory.
SHARED_VALUE_FIELDS: Final = (
    "campaignId",
    "disposition",
    "service",
    "direction",
    "assistantType",
    "successEvaluation",
    "sourceName",
)

Call = dict[str, Any]
Key = object


def call_key(call: Call) -> Key:
    """What makes a call the same call: its id; a call without a string id is only ever itself."""
    ident = call.get("id")
    return ident if isinstance(ident, str) else ("no-id", id(call))


def pages_for(total: int, page_size: int) -> int:
    """How many pages hold `total` calls (at least one: an empty customer still has page 1)."""
    return max(1, math.ceil(total / page_size))


@dataclass
class _Progress:
    done: int = 0
    total: int = 0


class Loader:
    """State of one load: every call seen (first copy kept), counters, and the thread pool."""

    def __init__(
        self,
        client: CallsClient,
        customer_id: CustomerId,
        sort_by: SortField,
        order: SortOrder,
        page_size: int,
        pool: ThreadPoolExecutor,
        on_progress: ProgressCallback | None,
        guard: LoadGuard,
    ) -> None:
        self.client = client
        self.customer_id = customer_id
        self.sort_by = sort_by
        self.order = order
        self.page_size = page_size
        self.pool = pool
        self.on_progress = on_progress
        self.stats = RequestStats()
        self.progress = _Progress()
        self.known: dict[Key, Call] = {}
        self.shared_values: dict[str, str] = {}
        self.lock = threading.Lock()
        self.latest_total = 0
        self.shrank = False
        self.guard = guard
        self.in_flight: dict[object, tuple[int, float]] = {}  # token -> (page, asked at), for the timeout line
        self.on_page: PageCallback | None = None
        """Given every page as it arrives, with the number it was asked for (a preview of the load)."""

    def _fetch(self, page: int) -> CallsPage:
        """One page, in a worker thread; the total is booked the moment the answer is in, in answer order."""
        token = object()
        with self.lock:
            self.in_flight[token] = (page, self.client.retry.clock())
        # On an error the entry stays: every error ends the load, and a timeout's line names the slow page.
        result = self.client.fetch_page(
            self.customer_id,
            page=page,
            limit=self.page_size,
            sort_by=self.sort_by,
            order=self.order,
            stats=self.stats,
            guard=self.guard,
        )
        with self.lock:
            del self.in_flight[token]
            if result["itemsTotal"] < self.latest_total:
                self.shrank = True
            self.latest_total = result["itemsTotal"]
        return result

    def _plan(self, pages: int) -> None:
        self.progress.total += pages

    def _arrived(self, number: int, page: CallsPage) -> None:
        """Book page `number` in the caller's thread: shared strings, the preview, progress."""
        share = self.shared_values.setdefault
        for call in page["items"]:
            for name in SHARED_VALUE_FIELDS:
                value = call.get(name)
                if type(value) is str:
                    call[name] = share(value, value)
        if self.on_page is not None:
            self.on_page(number, page)
        self.progress.done += 1
        if self.on_progress is not None:
            self.on_progress(self.progress.done, max(self.progress.total, self.progress.done))

    def fetch_one(self, number: int) -> CallsPage:
        self._plan(1)
        page = self._fetch(number)
        self._arrived(number, page)
        return page

    def start(self, *, every_page: bool = True) -> CallsPage:
        """Page 1, reported as the first of however many pages it says there are (or of one page, for a load
        that stops early and plans its pages as it goes)."""
        page = self._fetch(1)
        served = len(page["items"])
        if 0 < served < min(self.page_size, page["itemsTotal"]):
            self.page_size = served  # the server pages by fewer than we asked for; follow it
        pages = pages_for(page["itemsTotal"], self.page_size)
        if not every_page:
            self.progress.total = 1
            self._arrived(1, page)
            return page
        if pages > MAX_PAGES:
            raise InconsistentDataError(
                f"The API reports {self.latest_total:,} calls, more than this tool can load at once."
            )
        self.progress.total = pages
        self._arrived(1, page)
        return page

    def fetch_many(self, numbers: Sequence[int], *, planned: bool = False) -> list[CallsPage]:
        """Pages fetched concurrently (the pool bounds how many are in flight), returned in the given order."""
        if not planned:
            self._plan(len(numbers))
        futures: dict[Future[CallsPage], int] = {self.pool.submit(self._fetch, n): i for i, n in enumerate(numbers)}
        results: list[CallsPage | None] = [None] * len(numbers)
        pending = set(futures)
        try:
            # as_completed, not wait(FIRST_COMPLETED) in a loop: that rescans every pending future per page.
            # It is restarted every GUARD_POLL_S only to look at the deadline and the cancel flag.
            while pending:
                for future in _completed_within(pending, GUARD_POLL_S):
                    pending.discard(future)
                    page = future.result()
                    self._arrived(numbers[futures[future]], page)
                    results[futures[future]] = page
                self.guard.check(self.client.retry.clock())
        finally:
            for future in futures:
                future.cancel()
        return [page for page in results if page is not None]

    def remember(self, pages: Iterable[CallsPage]) -> tuple[list[Key], int, int]:
        """Keys of these pages in order (first occurrence), repeats among them, and how many were new to the load."""
        known = self.known
        seen: set[Key] = set()
        ordered: list[Key] = []
        repeats = new = 0
        for page in pages:
            for call in page["items"]:
                key = call_key(call)
                if key in seen:
                    repeats += 1
                    continue
                seen.add(key)
                ordered.append(key)
                if key not in known:
                    known[key] = call
                    new += 1
        return ordered, repeats, new

    def timeout_message(self, deadline_s: float) -> str:
        """One line saying the load ran out of time and what it was waiting for: the page asked for longest ago."""
        with self.lock:
            oldest = min(self.in_flight.values(), key=lambda entry: entry[1], default=None)
        arrived = f"{self.progress.done:,} of {max(self.progress.total, 1):,} pages had arrived"
        limit = limit_in_words(deadline_s)
        if oldest is None:
            return (
                f"Loading stopped: the load passed its {limit} limit ({arrived}). "
                "The API is slow or failing; try again later."
            )
        return (
            f"Loading stopped: the load passed its {limit} limit while waiting for page {oldest[0]:,} ({arrived}). "
            "The API is slow; try again later."
        )


def _completed_within(futures: Iterable[Future[CallsPage]], timeout: float) -> Iterator[Future[CallsPage]]:
    """The futures that complete within `timeout` seconds, as they complete."""
    try:
        yield from as_completed(futures, timeout=timeout)
    except FuturesTimeout:
        return


def check_options(concurrency: int, page_size: int) -> None:
    whole_number(concurrency, "Concurrency", 1, MAX_CONCURRENCY)
    whole_number(page_size, "The page size", 1, MAX_LIMIT)


def load_guard(client: CallsClient, cancel: threading.Event | None, deadline_s: float | None) -> LoadGuard:
    """The deadline and cancel flag of one load, on the retry policy's clock."""
    if deadline_s is not None and not (isinstance(deadline_s, int | float) and deadline_s > 0):
        raise InvalidInputError("The load deadline must be a number of seconds greater than 0.")
    started = client.retry.clock()
    return LoadGuard(started + deadline_s if deadline_s is not None else math.inf, cancel, limit_s=deadline_s)


@contextmanager
def running_loader(
    client: CallsClient,
    customer_id: str,
    sort_by: SortField,
    order: SortOrder,
    page_size: int,
    concurrency: int,
    on_progress: ProgressCallback | None,
    guard: LoadGuard,
) -> Iterator[Loader]:
    """A Loader whose requests and thread pool stop when the load ends, however it ends; a load out of time
    ends with one line naming the slow page."""
    pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="carecycle-page")
    loader = Loader(client, customer_id, sort_by, order, page_size, pool, on_progress, guard)
    try:
        yield loader
    except LoadTimeoutError:
        raise LoadTimeoutError(loader.timeout_message(guard.limit_s or 0.0)) from None
    finally:
        guard.stop()  # requests still running (after a failure) end now instead of being waited for
        pool.shutdown(wait=False, cancel_futures=True)


def check_since(since: datetime | None, sort_by: str, order: str) -> datetime | None:
    if since is None:
        return None
    if (sort_by, order) != (DEFAULT_SORT_FIELD, DEFAULT_SORT_ORDER):
        raise InvalidInputError("Loading calls since a date needs them newest first (createdAt, desc).")
    if not isinstance(since, datetime) or since.tzinfo is None:
        raise InvalidInputError("The 'since' time must be a datetime with a time zone.")
    return since.astimezone(UTC)


def created_at(call: Call) -> datetime | None:
    """A call's `createdAt` as an aware UTC datetime; None when missing or unreadable (CONTRACT: ISO 8601, UTC)."""
    value = call.get("createdAt")
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return (when if when.tzinfo is not None else when.replace(tzinfo=UTC)).astimezone(UTC)


def is_since(call: Call, since: datetime | None) -> bool:
    """Whether a since-load keeps this call: created at or after `since` (every call when there is none)."""
    if since is None:
        return True
    when = created_at(call)
    return when is not None and when >= since


def load_result(
    loader: Loader,
    calls: list[Call],
    *,
    how: str = "full",
    since: datetime | None = None,
    repairs: Repairs | None = None,
) -> LoadResult:
    """What one load hands back: the calls in order, what they cost, and what the API counts (a full load
    holds every call it counts; one that stops early, at `since` or at a reload's window, does not)."""
    return LoadResult(
        calls=calls,
        items_total=len(calls),
        pages=pages_for(len(calls), loader.page_size),
        requests=loader.stats.requests,
        bytes_received=loader.stats.bytes_received,
        repairs=repairs or Repairs(),
        since=since,
        api_items_total=len(calls) if how == "full" else loader.latest_total,
        how=how,
    )
