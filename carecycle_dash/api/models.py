"""Shapes that cross layers: a call and a page as the API sends them, and what the loader returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypedDict


class CallsPage(TypedDict):
    """The 200 body of one page."""

    itemsTotal: int
    currentPage: int
    nextPage: int | None
    prevPage: int | None
    items: list[dict[str, Any]]


ProgressCallback = Callable[[int, int], None]
"""Called with (pages done, pages total) as pages arrive."""

PageCallback = Callable[[int, CallsPage], None]
"""Called with (the page number asked for, the page) as each page arrives."""


@dataclass(frozen=True)
class Repairs:
    """What the loader had to mend because the data moved while it paged (see docs/api-contract.md, Consistency)."""

    duplicates_dropped: int = 0
    total_at_start: int = 0
    total_at_end: int = 0
    pages_refetched: int = 0
    extra_pages_fetched: int = 0
    full_refetch_rounds: int = 0
    calls_recovered: int = 0
    calls_dropped_as_gone: int = 0

    @property
    def any(self) -> bool:
        return bool(
            self.duplicates_dropped
            or self.total_at_start != self.total_at_end
            or self.pages_refetched
            or self.extra_pages_fetched
            or self.full_refetch_rounds
            or self.calls_recovered
            or self.calls_dropped_as_gone
        )


@dataclass(frozen=True)
class LoadResult:
    """Every call of one customer (since `since`, when set), each exactly once, in the order the API sorted
    them. `api_items_total` is the API's `itemsTotal` at the end: it also counts the calls not held (older
    than `since`, or without a readable time in a since-load), so a later reload can check its sums."""

    calls: list[dict[str, Any]]
    items_total: int
    pages: int
    requests: int = 0
    bytes_received: int = 0
    repairs: Repairs = field(default_factory=Repairs)
    since: datetime | None = None
    api_items_total: int | None = None
    how: str = "full"
    """"full", "since" (stopped paging past `since`) or "reload" (only the newest pages, merged)."""
    fallback: str | None = None
    """Why an incremental reload fell back to a full load, in one line; None when it did not."""

    @property
    def not_held(self) -> int:
        """Calls the API counts that this result does not hold (older than `since`, or undated)."""
        total = self.items_total if self.api_items_total is None else self.api_items_total
        return max(total - len(self.calls), 0)
