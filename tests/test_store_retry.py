"""A store that failed is left alone for CARECYCLE_STORE_RETRY_S seconds (default 30), answering empty at once,
then tried again: it recovers by itself, and the sidebar's line goes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from carecycle_dash.store import CallStore, StoreConfigError, entry_for, resolve_store
from carecycle_dash.store.sqlite import SqliteBackend
from tests.support.clock import FakeClock
from tests.support.store import API_KEY, CUSTOMER, HOST, calls_of, sample_snapshot

ENTRY = entry_for(HOST, CUSTOMER, API_KEY)
DOWN = "Calls are not being kept: the call store failed (ConnectionError)."


class FlakyBackend:
    """A SQLite backend that raises on every verb while `down` (a database that went away), counting calls."""

    def __init__(self, path: Path) -> None:
        self.inner = SqliteBackend(str(path), FakeClock())
        self.down = False
        self.tried = 0

    def __getattr__(self, name: str) -> Any:
        verb = getattr(self.inner, name)
        if not callable(verb) or name == "close":
            return verb

        def guarded(*args: Any, **kwargs: Any) -> Any:
            self.tried += 1
            if self.down:
                raise ConnectionError("the database is down")
            return verb(*args, **kwargs)

        return guarded


@pytest.mark.parametrize(("value", "seconds"), [(None, 30.0), ("2", 2.0), ("0.5", None), ("1", 1.0), ("3600", 3600.0)])
def test_the_pause_comes_from_the_environment(value: str | None, seconds: float | None) -> None:
    environ = {"CARECYCLE_STORE_URL": "none"} | ({} if value is None else {"CARECYCLE_STORE_RETRY_S": value})
    if seconds is None:
        with pytest.raises(StoreConfigError) as bad:
            resolve_store(None, environ)
        expected = f"CARECYCLE_STORE_RETRY_S must be a number of seconds from 1 to 3600, not {value!r}."
        assert bad.value.message == expected
    else:
        assert resolve_store(None, environ).retry_after_s == seconds


def test_a_failed_store_rests_then_recovers_by_itself(tmp_path: Path) -> None:
    clock = FakeClock()
    backend = FlakyBackend(tmp_path / "store.db")
    store = CallStore(backend, retry_after_s=5.0, clock=clock)  # type: ignore[arg-type]
    backend.down = True
    assert not store.write(ENTRY, API_KEY, sample_snapshot(3))
    assert store.problem == DOWN
    backend.down = False
    tried = backend.tried
    clock.now = 4.9
    assert store.read(ENTRY, API_KEY) is None  # still resting: answered at once, the database not asked
    assert (backend.tried, store.problem) == (tried, DOWN)
    clock.now = 5.0
    assert store.write(ENTRY, API_KEY, sample_snapshot(3))
    assert store.problem is None
    stored = store.read(ENTRY, API_KEY)
    assert stored is not None and len(calls_of(stored)) == 3
