"""Shapes that cross layers: a call and a page as the API sends them, and what the loader returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
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
    """Every call of one customer, each exactly once, in the order the API sorted them."""

    calls: list[dict[str, Any]]
    items_total: int
    pages: int
    requests: int = 0
    bytes_received: int = 0
    repairs: Repairs = field(default_factory=Repairs)
