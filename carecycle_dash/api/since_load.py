"""Loads that page newest first and stop early: their cost follows the calls since a point in time, not the
customer. `load_since` is `load_all_calls(since=...)`; `reload` reads its newest pages the same way."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Final

from carecycle_dash.api.errors import InconsistentDataError
from carecycle_dash.api.models import CallsPage, LoadResult
from carecycle_dash.api.paging import Loader, created_at, is_since, load_result, pages_for

MAX_SINCE_ROUNDS: Final = 3


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


def pages_until(
    loader: Loader, first: CallsPage, boundary: datetime, concurrency: int, hint: int | None
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


def catch_up_front(loader: Loader, total_seen: int) -> list[CallsPage]:
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


def pages_moved(pages: Sequence[CallsPage]) -> bool:
    return len({page["itemsTotal"] for page in pages}) > 1


def load_since(loader: Loader, since: datetime, concurrency: int) -> LoadResult:
    """Newest-first pages until they are older than `since`; calls arriving meanwhile are caught at the front.

    Calls that vanish while paging can make a later page skip one: then the load starts over, a few times at most.
    """
    for _ in range(MAX_SINCE_ROUNDS):
        loader.shrank = False
        loader.known.clear()
        first = loader.start(every_page=False)
        pages = pages_until(loader, first, since, concurrency, None)
        front = catch_up_front(loader, first["itemsTotal"]) if pages_moved(pages) else []
        if loader.shrank:
            continue
        order = loader.remember([*front, *pages])[0]
        calls = [loader.known[key] for key in order if is_since(loader.known[key], since)]
        return load_result(loader, calls, how="since", since=since)
    raise InconsistentDataError("Calls kept vanishing while loading; try again in a moment.")
