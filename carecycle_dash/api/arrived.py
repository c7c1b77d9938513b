"""The calls of a load in progress, newest first, for a page that shows figures before the load ends.

Pages arrive out of order (they are fetched concurrently); only the unbroken run from page 1 is handed out,
so what is shown is always "the newest N calls", never a patchwork. A page read again (a repair) keeps its
first copy: these calls are a preview, and the load's own result decides what the finished page shows.
"""

from __future__ import annotations

import threading
from typing import Any

from carecycle_dash.api.models import CallsPage

Call = dict[str, Any]


class ArrivedCalls:
    """Collects a load's pages as they arrive (`add` is the loader's `on_page`); any thread reads the run so far."""

    def __init__(self, *, expected: bool = True) -> None:
        self.expected = expected
        """Whether the API's `itemsTotal` is the number this load will hold (False for a load that stops at a
        date: then `total` is None)."""
        self._pages: dict[int, list[Call]] = {}
        self._run: list[Call] = []
        self._next_page = 1
        self._total = 0
        self._lock = threading.Lock()

    def add(self, number: int, page: CallsPage) -> None:
        """Book page `number` (as asked for; the body's own page number is not trusted); the run from page 1
        grows when the page it lacked has come."""
        with self._lock:
            self._total = page["itemsTotal"]
            if number < self._next_page:
                return
            self._pages.setdefault(number, page["items"])
            while self._next_page in self._pages:
                self._run.extend(self._pages.pop(self._next_page))
                self._next_page += 1

    @property
    def count(self) -> int:
        """How many calls the run from page 1 holds."""
        return len(self._run)

    @property
    def total(self) -> int | None:
        """How many calls the load will hold, as the API counted them last; None when unknown."""
        return self._total if self.expected else None

    def since(self, start: int) -> list[Call]:
        """The run's calls from position `start` on (newest first): what a reader that has `start` lacks."""
        with self._lock:
            return self._run[start:]
