"""A newest-first load brought up to date by reading only its newest pages again (`reload_calls`)."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Final, overload

from carecycle_dash.api.client import CallsClient
from carecycle_dash.api.contract import DEFAULT_SORT_FIELD, DEFAULT_SORT_ORDER, MAX_LIMIT
from carecycle_dash.api.full_load import load_all_calls
from carecycle_dash.api.models import LoadResult, ProgressCallback
from carecycle_dash.api.paging import (
    DEFAULT_CONCURRENCY,
    Call,
    Key,
    Loader,
    call_key,
    check_options,
    check_since,
    created_at,
    is_since,
    load_guard,
    load_result,
    pages_for,
    running_loader,
)
from carecycle_dash.api.since_load import catch_up_front, pages_moved, pages_until
from carecycle_dash.api.validation import validate_customer_id

DEFAULT_RECHECK: Final = timedelta(hours=24)
"""How far back from the newest call already held a reload reads again: calls that young may still change
(recordings, dispositions and evaluations arrive late)."""


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
    check_options(concurrency, page_size)
    since = check_since(since, DEFAULT_SORT_FIELD, DEFAULT_SORT_ORDER)
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
    guard = load_guard(client, cancel, deadline_s)
    with running_loader(client, customer_id, *newest_first, page_size, concurrency, on_progress, guard) as loader:
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
    loader: Loader, previous: LoadResult, boundary: datetime, since: datetime | None, concurrency: int
) -> tuple[LoadResult | None, str]:
    """The merged result, or None and why the sums did not add up.

    `previous` is newest first, so only its head, down to the oldest call just read, is looked at: the cost
    follows the pages read, not the customer. Anything that breaks that order shows in the sums.
    """
    first = loader.start(every_page=False)
    previous_total = previous.api_items_total if previous.api_items_total is not None else previous.items_total
    growth = max(first["itemsTotal"] - previous_total, 0)
    hint = pages_for(growth + _count_from(previous.calls, boundary) + 1, loader.page_size) - 1
    pages = pages_until(loader, first, boundary, concurrency, hint if hint > 0 else None)
    front = catch_up_front(loader, first["itemsTotal"]) if pages_moved(pages) else []
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
    calls = joined([call for call in fetched if is_since(call, since)] + kept_head, tail)
    if since is not None and since != previous.since:  # a span that moved on: its oldest calls fall out
        cut = len(calls)
        while cut > 0 and not is_since(calls[cut - 1], since):
            cut -= 1
        calls = calls[:cut]
    return load_result(loader, calls, how="reload", since=since), ""  # type: ignore[arg-type]


def joined(head: list[Call], tail: Sequence[Call]) -> list[Call] | JoinedCalls:
    """`head` then `tail`: one list when the held calls were a list, else a view that copies no held call
    (the dashboard holds its calls in the frame, data/sent.py, and rebuilds only those asked for)."""
    return head + tail if isinstance(tail, list) else JoinedCalls(head, tail)


class JoinedCalls(Sequence[Call]):
    """The calls of a reload: those read again (a list), then the held calls kept (any sequence, unread)."""

    def __init__(self, head: list[Call], tail: Sequence[Call]) -> None:
        self.head = head
        self.tail = tail

    def __len__(self) -> int:
        return len(self.head) + len(self.tail)

    @overload
    def __getitem__(self, index: int) -> Call: ...
    @overload
    def __getitem__(self, index: slice) -> JoinedCalls: ...
    def __getitem__(self, index: int | slice) -> Call | JoinedCalls:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                raise ValueError("only plain slices of joined calls")
            split = len(self.head)
            head = self.head[min(start, split) : min(stop, split)]
            return JoinedCalls(head, self.tail[max(start - split, 0) : max(stop - split, 0)])
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self.head[index] if index < len(self.head) else self.tail[index - len(self.head)]

    def __iter__(self) -> Iterator[Call]:
        yield from self.head
        yield from self.tail


def _count_from(calls: Sequence[Call], boundary: datetime) -> int:
    """How many of these newest-first calls are at or after `boundary` (undated ones at the front included)."""
    count = 0
    for when in map(created_at, calls):
        if when is not None and when < boundary:
            break
        count += 1
    return count
