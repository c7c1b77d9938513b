"""Call stores for tests: a temporary SQLite file or a database in the throwaway PostgreSQL cluster, and a
small load of calls with known sensitive values to look for. Never the default store path."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from carecycle_dash.api.models import LoadResult
from carecycle_dash.data.frame import build_frame
from carecycle_dash.data.kept import opened, snapshot_of
from carecycle_dash.simulator import DEMO_CUSTOMERS, generate_calls
from carecycle_dash.store import CallStore, Snapshot, StoreSettings, open_store
from carecycle_dash.store.reviews import ReviewStore, open_reviews
from carecycle_dash.store.settings import ENV_STORE_URL
from tests.support.clock import FakeClock

CUSTOMER = DEMO_CUSTOMERS["standard"]
API_KEY = "cc_test_4f0e8d2a9b1c47e6a3d5c8b0e2f4a6d1"
HOST = "https://api.example.test"
LOADED_AT = datetime(2026, 11, 20, 14, 2, tzinfo=UTC)
NO_STORE_ENV = {ENV_STORE_URL: "none"}
"""What every test that does not open a store of its own runs with, so none writes to the default path."""


def sample_result(n: int = 40) -> LoadResult:
    """`n` calls newest first, as a load returns them."""
    calls = generate_calls(CUSTOMER, n, 7, base_url="http://recordings.example.test")[::-1]
    return LoadResult(calls=calls, items_total=n, pages=1, since=None, api_items_total=n, how="full")


def sample_snapshot(n: int = 40) -> Snapshot:
    return snapshot_for(sample_result(n), LOADED_AT)


def snapshot_for(result: LoadResult, loaded_at: datetime = LOADED_AT) -> Snapshot:
    """What the loader keeps of `result`: its frame, with the calls as sent."""
    return snapshot_of(result, build_frame(result.calls), loaded_at)


def calls_of(snapshot: Snapshot) -> list[dict[str, Any]]:
    """The calls a snapshot gives back, as the API sent them."""
    return list(opened(snapshot)[0].calls)


def store_settings(engine: str, request: pytest.FixtureRequest, tmp_path_name: str = "store") -> StoreSettings:
    """A fresh store of `engine`: a file under the test's tmp_path, or a new database in the cluster."""
    if engine == "sqlite":
        tmp = request.getfixturevalue("tmp_path")
        return StoreSettings("sqlite", str(tmp / tmp_path_name / "store.db"))
    return StoreSettings("postgresql", request.getfixturevalue("postgres_url"))


ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.server)]


@pytest.fixture(params=ENGINES)
def engine_settings(request: pytest.FixtureRequest) -> StoreSettings:
    """A fresh, empty store of each engine (PostgreSQL tests are `server` tests)."""
    return store_settings(request.param, request)


@pytest.fixture
def fake_clock() -> FakeClock:
    clock = FakeClock()
    clock.now = LOADED_AT.timestamp()
    return clock


@pytest.fixture
def call_store(engine_settings: StoreSettings, fake_clock: FakeClock) -> Iterator[CallStore]:
    store = open_store(engine_settings, clock=fake_clock)
    assert store is not None
    yield store
    store.close()


ReviewsOpener = Callable[[StoreSettings, str | None], ReviewStore]


@pytest.fixture
def reviews_of() -> Iterator[ReviewsOpener]:
    """Open the reviews of a store under a secret, as another process would; every store closed at the end."""
    opened: list[CallStore] = []

    def open_(settings: StoreSettings, secret: str | None) -> ReviewStore:
        settings = replace(settings, secret=secret)
        calls = open_store(settings)
        assert calls is not None
        opened.append(calls)
        return open_reviews(calls, settings)

    yield open_
    for calls in opened:
        calls.close()
