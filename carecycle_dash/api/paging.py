"""The one function that loads every page of a customer's calls, each call exactly once.

Page 1 tells how many calls there are; the other pages are then fetched concurrently and joined in page
order. Pages are numbered, not cursor-based, so calls that arrive or vanish meanwhile shift the pages under
us (CONTRACT.md, Consistency). The loader notices (`itemsTotal` changing, duplicate ids, a count that does
not match) and repairs in bounded steps, cheapest first:

1. re-fetch from page 1 until a page brings no new id (calls that arrived at the front, newest-first);
2. fetch from the last page to the new last page (calls pushed past the end, or arriving there, oldest-first);
3. if the count still does not match (calls landing anywhere, e.g. sorted by disposition, or pages fetched
   out of order), re-fetch every page, at most `MAX_FULL_ROUNDS` times.

If that cannot make it whole it raises InconsistentDataError instead of returning a short table.

A load may have a deadline and a cancel flag (`LoadGuard`): every request checks them, and the caller's
thread checks them while it waits for pages, so a stuck API or a load nobody waits for ends promptly.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from concurrent.futures import TimeoutError as FuturesTimeout
from dataclasses import dataclass
from typing import Any, Final

from carecycle_dash.api.client import CallsClient, RequestStats, format_seconds, validate_customer_id
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
        customer_id: str,
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

    def start(self) -> CallsPage:
        """Page 1, reported as the first of however many pages it says there are."""
        page = self._fetch(1)
        served = len(page["items"])
        if 0 < served < min(self.page_size, page["itemsTotal"]):
            self.page_size = served  # the server pages by fewer than we asked for; follow it
        pages = pages_for(page["itemsTotal"], self.page_size)
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
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or not 1 <= concurrency <= MAX_CONCURRENCY:
        raise InvalidInputError(f"Concurrency must be a whole number from 1 to {MAX_CONCURRENCY}.")
    if isinstance(page_size, bool) or not isinstance(page_size, int) or not 1 <= page_size <= MAX_LIMIT:
        raise InvalidInputError(f"The page size must be a whole number from 1 to {MAX_LIMIT}.")


def load_all_calls(
    client: CallsClient,
    customer_id: str,
    *,
    sort_by: SortField = DEFAULT_SORT_FIELD,
    order: SortOrder = DEFAULT_SORT_ORDER,
    concurrency: int = DEFAULT_CONCURRENCY,
    page_size: int = MAX_LIMIT,
    on_progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    deadline_s: float | None = None,
) -> LoadResult:
    """Every call of the customer, each exactly once, in the API's order; what was repaired is in `repairs`.

    At most `concurrency` requests are in flight (and at most the client's per-key slots). `on_progress(pages
    done, pages total)` is called in the caller's thread; the total grows if repairs need more pages. Setting
    `cancel` ends the load with LoadCancelledError; past `deadline_s` seconds it ends with LoadTimeoutError,
    whose line names the slow page. Either way the requests still running are stopped, not waited for.
    Raises the client's errors, or InconsistentDataError when the data kept moving faster than it could be
    repaired.
    """
    customer_id = validate_customer_id(customer_id)
    _check_options(concurrency, page_size)
    if deadline_s is not None and not (isinstance(deadline_s, int | float) and deadline_s > 0):
        raise InvalidInputError("The load deadline must be a number of seconds greater than 0.")
    started = client.retry.clock()
    guard = LoadGuard(started + deadline_s if deadline_s is not None else math.inf, cancel)
    pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="carecycle-page")
    loader = _Loader(client, customer_id, sort_by, order, page_size, pool, on_progress, guard)
    try:
        return _load(loader)
    except LoadTimeoutError:
        raise LoadTimeoutError(loader.timeout_message(deadline_s or 0.0)) from None
    finally:
        guard.stop()  # requests still running (after a failure) end now instead of being waited for
        pool.shutdown(wait=False, cancel_futures=True)


def _load(loader: _Loader) -> LoadResult:
    first = loader.start()
    total_at_start = first["itemsTotal"]
    last_page = pages_for(total_at_start, loader.page_size)
    first_pass = [first, *loader.fetch_many(range(2, last_page + 1), planned=True)]
    order, duplicates, _ = loader.remember(first_pass)
    stable = all(page["itemsTotal"] == total_at_start for page in first_pass)
    if stable and not duplicates and len(order) == total_at_start:
        return _result(loader, order, Repairs(total_at_start=total_at_start, total_at_end=total_at_start))

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
    return _result(loader, order, repair.report(duplicates, total_at_start))


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


def _result(loader: _Loader, order: Sequence[Key], repairs: Repairs) -> LoadResult:
    calls = [loader.known[key] for key in order]
    return LoadResult(
        calls=calls,
        items_total=len(calls),
        pages=pages_for(len(calls), loader.page_size),
        requests=loader.stats.requests,
        bytes_received=loader.stats.bytes_received,
        repairs=repairs,
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
