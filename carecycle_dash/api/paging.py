"""The one function that loads every page of a customer's calls, each call exactly once.

Page 1 tells how many calls there are; the other pages are then fetched concurrently and joined in page
order. Pages are numbered, not cursor-based, so calls that arrive or vanish meanwhile shift the pages
under us (docs/api-contract.md, Consistency). The loader notices (`itemsTotal` changing, duplicate ids, a
count that does not match) and repairs in bounded steps, cheapest first:

1. re-fetch from page 1 until a page brings no new id (calls that arrived at the front, newest-first);
2. fetch from the last page to the new last page (calls pushed past the end, or arriving there, oldest-first);
3. if the count still does not match (calls landing anywhere, e.g. sorted by disposition, or pages fetched
   out of order), re-fetch every page, at most `MAX_FULL_ROUNDS` times.

If that cannot make it whole it raises InconsistentDataError instead of returning a short table.

Two cheaper loads page newest-first and stop early (`load_all_calls(since=...)`, `reload_calls`): they fetch
only until the pages are past a point in time, so their cost follows the calls since then, not the customer.

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
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from carecycle_dash.api.client import (
    CallsClient,
    CustomerId,
    RequestStats,
    format_seconds,
    validate_customer_id,
    whole_number,
)
from carecycle_dash.api.contract import DEFAULT_SORT_FIELD, DEFAULT_SORT_ORDER, MAX_LIMIT, SortField, SortOrder
from carecycle_dash.api.errors import InconsistentDataError, InvalidInputError, LoadTimeoutError
from carecycle_dash.api.limits import LoadGuard
from carecycle_dash.api.models import CallsPage, LoadResult, ProgressCallback, Repairs

DEFAULT_CONCURRENCY: Final = 8
MAX_CONCURRENCY: Final = 64
MAX_FULL_ROUNDS: Final = 3
MAX_TAIL_STEPS: Final = 5
MAX_TARGETED_STEPS: Final = 3
MAX_PAGES: Final = 100_000
DEFAULT_RECHECK: Final = timedelta(hours=24)
"""How far back from the newest call already held a reload reads again: calls that young may still change
(recordings, dispositions and evaluations arrive late)."""
MAX_SINCE_ROUNDS: Final = 3
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


def merge_orders(primary: Sequence[Key], secondary: Sequence[Key]) -> list[Key]:
    """`primary`'s order, with keys only `secondary` has placed after their nearest earlier neighbour there."""
    in_primary = set(primary)
    after: dict[Key | None, list[Key]] = {}
    anchor: Key | None = None
    for key in secondary:
        if key in in_primary:
            anchor = key
        else:
            after.setdefault(anchor, []).append(key)
    merged = list(after.get(None, ()))
    for key in primary:
        merged.append(key)
        merged.extend(after.get(key, ()))
    return merged


@dataclass
class _Progress:
    done: int = 0
    total: int = 0


class _Loader:
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

    def _arrived(self, page: CallsPage) -> None:
        """Book a page in the caller's thread: shared strings, progress."""
        share = self.shared_values.setdefault
        for call in page["items"]:
            for name in SHARED_VALUE_FIELDS:
                value = call.get(name)
                if type(value) is str:
                    call[name] = share(value, value)
        self.progress.done += 1
        if self.on_progress is not None:
            self.on_progress(self.progress.done, max(self.progress.total, self.progress.done))

    def fetch_one(self, number: int) -> CallsPage:
        self._plan(1)
        page = self._fetch(number)
        self._arrived(page)
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
            self._arrived(page)
            return page
        if pages > MAX_PAGES:
            raise InconsistentDataError(
                f"The API reports {self.latest_total:,} calls, more than this tool can load at once."
            )
        self.progress.total = pages
        self._arrived(page)
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
                    self._arrived(page)
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
        """One line naming what was slow when the load ran out of time: the page asked for longest ago."""
        now = self.client.retry.clock()
        with self.lock:
            oldest = min(self.in_flight.values(), key=lambda entry: entry[1], default=None)
        arrived = f"{self.progress.done:,} of {max(self.progress.total, 1):,} pages had arrived"
        if oldest is None:
            return (
                f"Loading did not finish within its {format_seconds(deadline_s)} limit ({arrived}). "
                "The API is slow or failing; try again later."
            )
        page, asked_at = oldest
        return (
            f"The API did not send page {page:,} within {format_seconds(max(now - asked_at, 0.0))}; loading "
            f"stopped at its {format_seconds(deadline_s)} limit ({arrived}). The API is slow; try again later."
        )


def _completed_within(futures: Iterable[Future[CallsPage]], timeout: float) -> Iterator[Future[CallsPage]]:
    """The futures that complete within `timeout` seconds, as they complete."""
    try:
        yield from as_completed(futures, timeout=timeout)
    except FuturesTimeout:
        return


def _check_options(concurrency: int, page_size: int) -> None:
    whole_number(concurrency, "Concurrency", 1, MAX_CONCURRENCY)
    whole_number(page_size, "The page size", 1, MAX_LIMIT)


def load_all_calls(
    client: CallsClient,
    customer_id: str,
    *,
    sort_by: SortField = DEFAULT_SORT_FIELD,
    order: SortOrder = DEFAULT_SORT_ORDER,
    concurrency: int = DEFAULT_CONCURRENCY,
    page_size: int = MAX_LIMIT,
    on_progress: ProgressCallback | None = None,
    since: datetime | None = None,
    cancel: threading.Event | None = None,
    deadline_s: float | None = None,
) -> LoadResult:
    """Every call of the customer, each exactly once, in the API's order; what was repaired is in `repairs`.

    At most `concurrency` requests are in flight (and at most the client's per-key slots). `on_progress(pages
    done, pages total)` is called in the caller's thread; the total grows if repairs need more pages. With
    `since` (newest first only) paging stops once the pages are older than it, and only calls created at or
    after it are kept. Setting `cancel` ends the load with LoadCancelledError; past `deadline_s` seconds it
    ends with LoadTimeoutError, whose line names the slow page. Either way the requests still running are
    stopped, not waited for. Raises the client's errors, or InconsistentDataError when the data kept moving
    faster than it could be repaired.
    """
    customer_id = validate_customer_id(customer_id)
    _check_options(concurrency, page_size)
    since = _check_since(since, sort_by, order)
    guard = _guard(client, cancel, deadline_s)
    with _running_loader(client, customer_id, sort_by, order, page_size, concurrency, on_progress, guard) as loader:
        return _load(loader) if since is None else _load_since(loader, since, concurrency)


def _guard(client: CallsClient, cancel: threading.Event | None, deadline_s: float | None) -> LoadGuard:
    """The deadline and cancel flag of one load, on the retry policy's clock."""
    if deadline_s is not None and not (isinstance(deadline_s, int | float) and deadline_s > 0):
        raise InvalidInputError("The load deadline must be a number of seconds greater than 0.")
    started = client.retry.clock()
    return LoadGuard(started + deadline_s if deadline_s is not None else math.inf, cancel, limit_s=deadline_s)


@contextmanager
def _running_loader(
    client: CallsClient,
    customer_id: str,
    sort_by: SortField,
    order: SortOrder,
    page_size: int,
    concurrency: int,
    on_progress: ProgressCallback | None,
    guard: LoadGuard,
) -> Iterator[_Loader]:
    """A _Loader whose requests and thread pool stop when the load ends, however it ends; a load out of time
    ends with one line naming the slow page."""
    pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="carecycle-page")
    loader = _Loader(client, customer_id, sort_by, order, page_size, pool, on_progress, guard)
    try:
        yield loader
    except LoadTimeoutError:
        raise LoadTimeoutError(loader.timeout_message(guard.limit_s or 0.0)) from None
    finally:
        guard.stop()  # requests still running (after a failure) end now instead of being waited for
        pool.shutdown(wait=False, cancel_futures=True)


def _check_since(since: datetime | None, sort_by: str, order: str) -> datetime | None:
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


def _past(page: CallsPage, boundary: datetime) -> bool:
    """A newest-first page that reaches before `boundary` (or is empty): no later page can be newer."""
    items = page["items"]
    if not items:
        return True
    return any(when is not None and when < boundary for when in map(created_at, items))


def _pages_needed(pages: Sequence[CallsPage], boundary: datetime) -> int | None:
    """How many more pages reach `boundary`, from the time the most recent pages span; None when unknown."""
    recent = pages[-8:]
    times = [when for page in recent for when in map(created_at, page["items"]) if when is not None]
    if len(times) < 2:
        return None
    newest, oldest = max(times), min(times)
    span = (newest - oldest).total_seconds()
    if span <= 0:
        return None
    per_page = span / len(recent)
    return max(1, math.ceil((oldest - boundary).total_seconds() / per_page))


def _pages_until(
    loader: _Loader, first: CallsPage, boundary: datetime, concurrency: int, hint: int | None
) -> list[CallsPage]:
    """Newest-first pages from page 1 until one reaches before `boundary`, a batch at a time.

    Each batch is as many pages as the recent pages' time span says are still needed (at most `concurrency`),
    so the load stops within a page or two of the boundary instead of a whole batch past it.
    """
    pages = [first]
    next_page = 2
    while not _past(pages[-1], boundary):
        last_page = pages_for(loader.latest_total, loader.page_size)
        if next_page > last_page:
            break
        wanted = hint if hint is not None else _pages_needed(pages, boundary)
        hint = None
        batch = min(wanted or concurrency, concurrency, last_page - next_page + 1)
        loader.progress.total = max(loader.progress.total, loader.progress.done + (wanted or batch))
        pages.extend(loader.fetch_many(range(next_page, next_page + batch), planned=True))
        next_page += batch
    return pages


def _catch_up_front(loader: _Loader, total_seen: int) -> list[CallsPage]:
    """Calls that arrived at the front while paging: page 1 on until a page brings no id not yet seen."""
    growth = max(loader.latest_total - total_seen, 0)
    limit = min(math.ceil(growth / loader.page_size) + 2, pages_for(loader.latest_total, loader.page_size))
    front: list[CallsPage] = []
    for number in range(1, limit + 1):
        page = loader.fetch_one(number)
        front.append(page)
        if loader.remember([page])[2] == 0:
            break
    return front


def _moved(pages: Sequence[CallsPage]) -> bool:
    return len({page["itemsTotal"] for page in pages}) > 1


def _load_since(loader: _Loader, since: datetime, concurrency: int) -> LoadResult:
    """Newest-first pages until they are older than `since`; calls arriving meanwhile are caught at the front.

    Calls that vanish while paging can make a later page skip one: then the load starts over, a few times at most.
    """
    for _ in range(MAX_SINCE_ROUNDS):
        loader.shrank = False
        loader.known.clear()
        first = loader.start(every_page=False)
        pages = _pages_until(loader, first, since, concurrency, None)
        front = _catch_up_front(loader, first["itemsTotal"]) if _moved(pages) else []
        if loader.shrank:
            continue
        order = loader.remember([*front, *pages])[0]
        calls = [loader.known[key] for key in order if is_since(loader.known[key], since)]
        return _result(loader, calls, how="since", since=since)
    raise InconsistentDataError("Calls kept vanishing while loading; try again in a moment.")


def reload_calls(
    client: CallsClient,
    customer_id: str,
    previous: LoadResult,
    *,
    since: datetime | None = None,
    recheck: timedelta = DEFAULT_RECHECK,
    concurrency: int = DEFAULT_CONCURRENCY,
    page_size: int = MAX_LIMIT,
    on_progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    deadline_s: float | None = None,
) -> LoadResult:
    """`previous` (a newest-first load) brought up to date by reading only the newest pages again.

    Pages are read from the newest end until they are older than the newest call `previous` held minus
    `recheck`; each call read replaces the copy held (the newer copy wins), calls held in that span that the
    API no longer sends are dropped. The sum is checked against the API's `itemsTotal`: when it does not add
    up (calls deleted further back, or a gap) every call is loaded again and `fallback` says why, in one line.
    `since` may only narrow `previous.since`; a wider one is a fresh load. `cancel` and `deadline_s` bound
    the whole reload, its fallback included, as for `load_all_calls`.
    """
    customer_id = validate_customer_id(customer_id)
    _check_options(concurrency, page_size)
    since = _check_since(since, DEFAULT_SORT_FIELD, DEFAULT_SORT_ORDER)
    options: dict[str, Any] = {
        "concurrency": concurrency,
        "page_size": page_size,
        "on_progress": on_progress,
        "cancel": cancel,
    }
    widened = previous.since is not None and (since is None or since < previous.since)
    newest = next((when for when in map(created_at, previous.calls) if when is not None), None)
    if widened or newest is None:
        return load_all_calls(client, customer_id, since=since, deadline_s=deadline_s, **options)
    boundary = newest - recheck if since is None else max(newest - recheck, since)
    newest_first = (DEFAULT_SORT_FIELD, DEFAULT_SORT_ORDER)
    guard = _guard(client, cancel, deadline_s)
    with _running_loader(client, customer_id, *newest_first, page_size, concurrency, on_progress, guard) as loader:
        merged, reason = _reload(loader, previous, boundary, since, concurrency)
    if merged is not None:
        return merged
    left = None if deadline_s is None else max(guard.remaining(client.retry.clock()), 1e-3)
    full = load_all_calls(client, customer_id, since=since, deadline_s=left, **options)
    return replace(
        full,
        requests=full.requests + loader.stats.requests,
        bytes_received=full.bytes_received + loader.stats.bytes_received,
        fallback=reason,
    )


def _reload(
    loader: _Loader, previous: LoadResult, boundary: datetime, since: datetime | None, concurrency: int
) -> tuple[LoadResult | None, str]:
    """The merged result, or None and why the sums did not add up.

    `previous` is newest first, so only its head, down to the oldest call just read, is looked at: the cost
    follows the pages read, not the customer. Anything that breaks that order shows in the sums.
    """
    first = loader.start(every_page=False)
    previous_total = previous.api_items_total if previous.api_items_total is not None else previous.items_total
    growth = max(first["itemsTotal"] - previous_total, 0)
    hint = pages_for(growth + _count_from(previous.calls, boundary) + 1, loader.page_size) - 1
    pages = _pages_until(loader, first, boundary, concurrency, hint if hint > 0 else None)
    front = _catch_up_front(loader, first["itemsTotal"]) if _moved(pages) else []
    order = loader.remember([*front, *pages])[0]
    fetched = [loader.known[key] for key in order]
    reached = min((when for when in map(created_at, fetched) if when is not None), default=boundary)

    seen = set(order)
    held_head: set[Key] = set()
    kept_head: list[Call] = []
    end = len(previous.calls)
    for index, call in enumerate(previous.calls):
        when = created_at(call)
        if when is not None and when < reached:
            end = index
            break
        key = call_key(call)
        held_head.add(key)
        # Not read again: newer than the oldest call read means gone; a tie with it may sit on the next page.
        if key not in seen and (when is None or when == reached):
            kept_head.append(call)
    tail = previous.calls[end:]
    # Calls read again that the previous load had left out (older than its `since`, or undated).
    reseen = sum(1 for call in fetched if call_key(call) not in held_head and not is_since(call, previous.since))
    accounted = len(seen) + len(kept_head) + len(tail) + previous.not_held - reseen
    if accounted != loader.latest_total:
        return (
            None,
            f"the API reports {loader.latest_total:,} calls; the newest pages and those held add up to {accounted:,}",
        )
    calls = [call for call in fetched if is_since(call, since)] + kept_head + tail
    if since is not None and since != previous.since:  # a span that moved on: its oldest calls fall out
        cut = len(calls)
        while cut > 0 and not is_since(calls[cut - 1], since):
            cut -= 1
        del calls[cut:]
    return _result(loader, calls, how="reload", since=since), ""


def _count_from(calls: Sequence[Call], boundary: datetime) -> int:
    """How many of these newest-first calls are at or after `boundary` (undated ones at the front included)."""
    count = 0
    for when in map(created_at, calls):
        if when is not None and when < boundary:
            break
        count += 1
    return count


def _load(loader: _Loader) -> LoadResult:
    first = loader.start()
    total_at_start = first["itemsTotal"]
    last_page = pages_for(total_at_start, loader.page_size)
    first_pass = [first, *loader.fetch_many(range(2, last_page + 1), planned=True)]
    order, duplicates, _ = loader.remember(first_pass)
    stable = all(page["itemsTotal"] == total_at_start for page in first_pass)
    if stable and not duplicates and len(order) == total_at_start:
        return _result(
            loader,
            _calls_in(loader, order),
            repairs=Repairs(total_at_start=total_at_start, total_at_end=total_at_start),
        )

    repair = _Repair(loader, first_pass, last_page)
    while repair.needed(order):
        if repair.targeted_steps < MAX_TARGETED_STEPS and not loader.shrank:
            order = repair.targeted_step()
        elif repair.rounds < MAX_FULL_ROUNDS:
            order = repair.full_round(order)
        else:
            raise InconsistentDataError(
                f"The calls kept changing while loading ({len(order):,} found, the API now reports "
                f"{loader.latest_total:,}), even after {repair.rounds} full re-reads. Try again in a moment."
            )
    return _result(loader, _calls_in(loader, order), repairs=repair.report(duplicates, total_at_start))


class _Repair:
    """The bounded mending steps of one load, cheapest first, and what they cost."""

    def __init__(self, loader: _Loader, first_pass: list[CallsPage], last_page: int) -> None:
        self.loader = loader
        self.first_pass = first_pass
        self.last_page = last_page  # the last page of the first pass
        self.next_tail_page = last_page
        self.fronts: list[list[CallsPage]] = []
        self.tails: list[CallsPage] = []
        self.found_in_first_pass = len(loader.known)
        self.refetched = self.extra = self.rounds = self.targeted_steps = self.gone = 0
        self.snapshot_taken = False

    def needed(self, order: Sequence[Key]) -> bool:
        """Calls that vanished make a matching count meaningless: then only a still snapshot will do."""
        if self.loader.shrank:
            return not self.snapshot_taken
        return len(order) != self.loader.latest_total

    def _count(self, numbers: Iterable[int]) -> None:
        for number in numbers:
            if number <= self.last_page:
                self.refetched += 1
            else:
                self.extra += 1

    def _front(self) -> None:
        """Re-read from page 1 while pages bring new ids: calls that arrived at the front (newest-first)."""
        loader = self.loader
        growth = max(loader.latest_total - len(loader.known), 0)
        limit = min(math.ceil(growth / loader.page_size) + 2, pages_for(loader.latest_total, loader.page_size))
        front: list[CallsPage] = []
        for number in range(1, limit + 1):
            page = loader.fetch_one(number)
            front.append(page)
            self._count([number])
            if loader.remember([page])[2] == 0:
                break
        self.fronts.insert(0, front)

    def _tail(self) -> None:
        """Read on to the last page there is now: calls pushed past the end, or arriving there (oldest-first)."""
        loader = self.loader
        for _ in range(MAX_TAIL_STEPS):
            wanted = pages_for(loader.latest_total, loader.page_size)
            if self.next_tail_page > wanted:
                return
            numbers = list(range(self.next_tail_page, wanted + 1))
            self.tails.extend(loader.fetch_many(numbers))
            self._count(numbers)
            self.next_tail_page = wanted + 1

    def _ordered_so_far(self) -> list[Key]:
        fronts = [page for front in self.fronts for page in front]
        return self.loader.remember([*fronts, *self.first_pass, *self.tails])[0]

    def targeted_step(self) -> list[Key]:
        """Front and tail again; a step that finds nothing new means the gaps are elsewhere: go to full rounds."""
        self.targeted_steps += 1
        known_before = len(self.loader.known)
        self._front()
        self.next_tail_page = min(self.next_tail_page, pages_for(self.loader.latest_total, self.loader.page_size))
        self._tail()
        if len(self.loader.known) == known_before:
            self.targeted_steps = MAX_TARGETED_STEPS
        return self._ordered_so_far()

    def full_round(self, order: Sequence[Key]) -> list[Key]:
        """Every page again (calls landing anywhere, or pages read out of order), then on to the new end."""
        loader = self.loader
        self.rounds += 1
        self.targeted_steps = MAX_TARGETED_STEPS  # from here on the order comes from the rounds
        round_total = loader.latest_total
        round_pages_count = pages_for(round_total, loader.page_size)
        pages = loader.fetch_many(range(1, round_pages_count + 1))
        self._count(range(1, round_pages_count + 1))
        round_order, _, _ = loader.remember(pages)
        if all(page["itemsTotal"] == round_total for page in pages) and len(round_order) == round_total:
            self.gone = len(set(order) - set(round_order))  # a still snapshot: calls it lacks have vanished
            self.snapshot_taken = True
            return round_order
        self.next_tail_page = round_pages_count
        self.tails = []
        self._tail()
        tail_order = loader.remember(self.tails)[0]
        return merge_orders(merge_orders(round_order, tail_order), order)

    def report(self, duplicates: int, total_at_start: int) -> Repairs:
        return Repairs(
            duplicates_dropped=duplicates,
            total_at_start=total_at_start,
            total_at_end=self.loader.latest_total,
            pages_refetched=self.refetched,
            extra_pages_fetched=self.extra,
            full_refetch_rounds=self.rounds,
            calls_recovered=max(len(self.loader.known) - self.found_in_first_pass - self.gone, 0),
            calls_dropped_as_gone=self.gone,
        )


def _result(
    loader: _Loader,
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


def describe_repairs(repairs: Repairs) -> str:
    """One line for people: what the loader mended, or that nothing needed mending."""
    if not repairs.any:
        return "no repairs needed"
    parts = []
    if repairs.total_at_start != repairs.total_at_end:
        parts.append(f"total changed {repairs.total_at_start:,} → {repairs.total_at_end:,} while loading")
    if repairs.duplicates_dropped:
        parts.append(f"{repairs.duplicates_dropped:,} duplicates dropped")
    if repairs.calls_recovered:
        parts.append(f"{repairs.calls_recovered:,} shifted or new calls recovered")
    if repairs.calls_dropped_as_gone:
        parts.append(f"{repairs.calls_dropped_as_gone:,} vanished calls left out")
    if repairs.pages_refetched or repairs.extra_pages_fetched:
        parts.append(f"{repairs.pages_refetched + repairs.extra_pages_fetched:,} pages re-read")
    if repairs.full_refetch_rounds:
        parts.append(f"{repairs.full_refetch_rounds} full re-read(s)")
    return "repaired: " + ", ".join(parts)


def _calls_in(loader: _Loader, order: Sequence[Key]) -> list[Call]:
    return [loader.known[key] for key in order]
