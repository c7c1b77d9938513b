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
With `since` the load pages newest first and stops early instead (`since_load`).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Final

from carecycle_dash.api.client import CallsClient
from carecycle_dash.api.contract import DEFAULT_SORT_FIELD, DEFAULT_SORT_ORDER, MAX_LIMIT, SortField, SortOrder
from carecycle_dash.api.errors import InconsistentDataError
from carecycle_dash.api.models import CallsPage, LoadResult, PageCallback, ProgressCallback, Repairs
from carecycle_dash.api.paging import (
    DEFAULT_CONCURRENCY,
    Call,
    Key,
    Loader,
    check_options,
    check_since,
    load_guard,
    load_result,
    pages_for,
    running_loader,
)
from carecycle_dash.api.since_load import load_since
from carecycle_dash.api.validation import validate_customer_id

MAX_FULL_ROUNDS: Final = 3
MAX_TAIL_STEPS: Final = 5
MAX_TARGETED_STEPS: Final = 3


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
    on_page: PageCallback | None = None,
) -> LoadResult:
    """Every call of the customer, each exactly once, in the API's order; what was repaired is in `repairs`.

    At most `concurrency` requests are in flight (and at most the client's per-key slots). `on_progress(pages
    done, pages total)` is called in the caller's thread; the total grows if repairs need more pages;
    `on_page(number, page)` before it, with each page as it arrives (`arrived.ArrivedCalls` collects them). With
    `since` (newest first only) paging stops once the pages are older than it, and only calls created at or
    after it are kept. Setting `cancel` ends the load with LoadCancelledError; past `deadline_s` seconds it
    ends with LoadTimeoutError, whose line names the slow page. Either way the requests still running are
    stopped, not waited for. Raises the client's errors, or InconsistentDataError when the data kept moving
    faster than it could be repaired.
    """
    customer_id = validate_customer_id(customer_id)
    check_options(concurrency, page_size)
    since = check_since(since, sort_by, order)
    guard = load_guard(client, cancel, deadline_s)
    with running_loader(client, customer_id, sort_by, order, page_size, concurrency, on_progress, guard) as loader:
        loader.on_page = on_page
        return _load(loader) if since is None else load_since(loader, since, concurrency)


def _load(loader: Loader) -> LoadResult:
    first = loader.start()
    total_at_start = first["itemsTotal"]
    last_page = pages_for(total_at_start, loader.page_size)
    first_pass = [first, *loader.fetch_many(range(2, last_page + 1), planned=True)]
    order, duplicates, _ = loader.remember(first_pass)
    stable = all(page["itemsTotal"] == total_at_start for page in first_pass)
    if stable and not duplicates and len(order) == total_at_start:
        return load_result(
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
    return load_result(loader, _calls_in(loader, order), repairs=repair.report(duplicates, total_at_start))


class _Repair:
    """The bounded mending steps of one load, cheapest first, and what they cost."""

    def __init__(self, loader: Loader, first_pass: list[CallsPage], last_page: int) -> None:
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


def _calls_in(loader: Loader, order: Sequence[Key]) -> list[Call]:
    return [loader.known[key] for key in order]
