# ruff: noqa: F811  (the fixtures imported from tests.support are parameters here)
"""Reviews in the call store, on both engines: versions that refuse a stale save, history, notes sealed at rest
(in the file and in a database dump), rekey, the schema migration that adds them, and the store's failure
rule (a failing store answers at once, then recovers by itself)."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from carecycle_dash.api.errors import InvalidInputError
from carecycle_dash.store import CallStore, StoreError, StoreSettings, open_store
from carecycle_dash.store.backend import MIGRATIONS
from carecycle_dash.store.reviews import (
    REVIEW_TABLES,
    NoteCipher,
    Review,
    ReviewChange,
    ReviewStore,
    StaleVersionError,
    UnreadableNotesError,
    instance_secret,
    open_reviews,
)
from carecycle_dash.store.sqlite import SqliteBackend
from tests.support.postgres import PostgresCluster, postgres_cluster, postgres_url  # noqa: F401
from tests.support.store import ReviewsOpener, engine_settings, reviews_of  # noqa: F401

SECRET = "a test secret of enough length"
OTHER_SECRET = "another secret, also long enough"
NOTE = "Patient Jane Roe asked to be called on 555-867-5309 about her MRI"
T0 = datetime(2025, 3, 4, 10, 0, tzinfo=UTC)
T1 = datetime(2025, 3, 4, 11, 30, tzinfo=UTC)
KEY = ("api.example.org", "cust-1", "call-1")
Opener = Callable[..., ReviewStore]


def review(version: int = 1, note: str = NOTE, state: str = "open", who: str = "ana@example.org") -> Review:
    return Review(
        host="api.example.org",
        customer="cust-1",
        call_id="call-1",
        reason="Wrong information",
        note=note,
        assignee="Ben",
        state=state,  # type: ignore[arg-type]
        flagged_by="ana@example.org",
        flagged_at=T0,
        handled_by=None,
        handled_at=None,
        last_change=ReviewChange(who, T0 if version == 1 else T1, f"change {version}", version),
    )


@pytest.fixture
def reviews_at(engine_settings: StoreSettings, reviews_of: ReviewsOpener) -> Opener:
    """Open the reviews of this test's store (a new process's view of it) under a secret."""
    return lambda secret=SECRET: reviews_of(engine_settings, secret)


def test_a_saved_review_reads_back_with_its_history(reviews_at: Opener) -> None:
    store = reviews_at()
    store.save(review(1), expected_version=0)
    store.save(review(2, note="Called back, all fine", state="handled", who="ben@example.org"), expected_version=1)
    got = store.get(*KEY)
    assert got == review(2, note="Called back, all fine", state="handled", who="ben@example.org")
    assert store.list("api.example.org", "cust-1") == [got]
    assert store.list("api.example.org", "cust-2") == []
    assert store.history(*KEY) == [
        ReviewChange("ana@example.org", T0, "change 1", 1),
        ReviewChange("ben@example.org", T1, "change 2", 2),
    ]


def test_a_stale_version_is_refused_and_nothing_is_written(reviews_at: Opener) -> None:
    store = reviews_at()
    store.save(review(1), expected_version=0)
    store.save(review(2, who="ben@example.org"), expected_version=1)
    with pytest.raises(StaleVersionError) as refused:
        store.save(review(2, note="mine", who="cy@example.org"), expected_version=1)
    assert refused.value.current == review(2, who="ben@example.org")
    with pytest.raises(StaleVersionError):
        store.save(review(1, note="a second first"), expected_version=0)
    assert [change.version for change in store.history(*KEY)] == [1, 2]
    assert store.get(*KEY) == review(2, who="ben@example.org")


def test_a_restart_keeps_reviews(reviews_at: Opener) -> None:
    reviews_at().save(review(1), expected_version=0)
    assert reviews_at().get(*KEY) == review(1)


def test_rekey_reseals_the_notes_under_the_new_secret(reviews_at: Opener) -> None:
    reviews_at(OTHER_SECRET).save(review(1), expected_version=0)
    rekeyed = reviews_at()
    assert rekeyed.get(*KEY).note is None
    assert rekeyed.rekey(OTHER_SECRET) == 1
    assert rekeyed.get(*KEY).note == NOTE
    assert rekeyed.rekey(OTHER_SECRET) == 0
    assert reviews_at(OTHER_SECRET).get(*KEY).note is None


def test_rekey_with_a_wrong_old_secret_changes_nothing(reviews_at: Opener) -> None:
    reviews_at(OTHER_SECRET).save(review(1), expected_version=0)
    with pytest.raises(UnreadableNotesError) as refused:
        reviews_at().rekey("not the secret it was sealed with")
    assert refused.value.message == (
        "Review notes that open under neither the old secret given nor the current one: 1; nothing was changed."
    )
    assert reviews_at(OTHER_SECRET).get(*KEY).note == NOTE


def test_the_reviews_are_version_2_of_the_store_schema(tmp_path: Path) -> None:
    """A store made before reviews joined its schema (version 1, maybe with the review tables the reviews
    once created themselves) is upgraded in place."""
    path = tmp_path / "store.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE store_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
        connection.execute("INSERT INTO store_meta VALUES ('schema_version', '1')")
        for statement in (*MIGRATIONS[1], *REVIEW_TABLES):
            connection.execute(statement.format(blob="BLOB", real="REAL"))
    settings = StoreSettings("sqlite", str(path), secret=SECRET)
    calls = open_store(settings)
    assert calls is not None
    assert calls.backend.schema_version() == 2
    reviews = open_reviews(calls, settings)
    reviews.save(review(1), expected_version=0)
    calls.close()
    with sqlite3.connect(path) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"store_meta", "call_entries", "load_progress", "reviews", "review_history"}


def test_the_file_holds_no_note_text_and_the_secret_beside_it_is_owner_only(tmp_path: Path) -> None:
    settings = StoreSettings("sqlite", str(tmp_path / "store" / "store.db"))
    calls = open_store(settings)
    assert calls is not None
    open_reviews(calls, settings).save(review(1), expected_version=0)
    folder = tmp_path / "store"
    raw = b"".join(path.read_bytes() for path in folder.iterdir() if path.suffix != ".secret")  # with the WAL
    calls.close()
    assert b"Jane Roe" not in raw and b"867-5309" not in raw and b"MRI" not in raw
    assert {path.name: stat.S_IMODE(path.stat().st_mode) for path in folder.iterdir()} == {
        "store.db": 0o600,
        "store.secret": 0o600,
    }
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700


@pytest.mark.server
def test_a_database_dump_holds_no_note_text(postgres_cluster: PostgresCluster, postgres_url: str) -> None:
    settings = StoreSettings("postgresql", postgres_url, secret=SECRET)
    calls = open_store(settings)
    assert calls is not None
    open_reviews(calls, settings).save(review(1), expected_version=0)
    calls.close()
    dump = postgres_cluster.dump(postgres_url)
    assert "CREATE TABLE public.reviews" in dump and "Wrong information" in dump
    assert [text for text in ("Jane Roe", "867-5309", "MRI", SECRET) if text in dump] == []


def test_a_postgresql_store_without_a_secret_is_one_line(tmp_path: Path) -> None:
    settings = StoreSettings("postgresql", "postgresql://nobody@127.0.0.1:1/none")
    backend = SqliteBackend(tmp_path / "store.db")  # the secret is checked before the store is used
    with pytest.raises(InvalidInputError) as refused:
        open_reviews(CallStore(backend), settings)
    backend.close()
    assert refused.value.message == (
        "Reviews are off: a PostgreSQL store needs CARECYCLE_STORE_SECRET ([carecycle.store] secret), the same on "
        "every replica."
    )


def test_a_note_moved_to_another_review_does_not_open(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    settings = StoreSettings("sqlite", str(path), secret=SECRET)
    calls = open_store(settings)
    assert calls is not None
    store = open_reviews(calls, settings)
    store.save(review(1), expected_version=0)
    store.save(Review(**{**review(1).__dict__, "call_id": "call-2"}), expected_version=0)
    with sqlite3.connect(path) as connection:
        blob = connection.execute("SELECT note FROM reviews WHERE call_id = 'call-1'").fetchone()[0]
        connection.execute("UPDATE reviews SET note = ? WHERE call_id = 'call-2'", (blob,))
    assert store.get("api.example.org", "cust-1", "call-2").note is None
    assert store.get(*KEY).note == NOTE
    calls.close()


class FailingBackend:
    """A SQLite backend whose transactions fail while `down` is set, counting the attempts."""

    def __init__(self, path: Path) -> None:
        self.inner = SqliteBackend(path)
        self.where = self.inner.where
        self.placeholder = self.inner.placeholder
        self.down = False
        self.attempts = 0

    def transaction(self) -> AbstractContextManager[Any]:
        self.attempts += 1
        if self.down:
            raise sqlite3.OperationalError("unable to open database file")
        return self.inner.transaction()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_a_failing_store_answers_at_once_while_it_rests_and_recovers_by_itself(tmp_path: Path) -> None:
    backend = FailingBackend(tmp_path / "store.db")
    resting = CallStore(backend)  # type: ignore[arg-type]  (a Backend in all it is asked for)
    reviews = ReviewStore(resting, SECRET)
    backend.down = True
    line = f"The store at {backend.where} failed (OperationalError); it is tried again shortly."
    for _ in range(3):
        with pytest.raises(StoreError) as failed:
            reviews.list("api.example.org", "cust-1")
        assert str(failed.value) == line
    assert backend.attempts == 1, "after the first failure the database is left alone"
    assert resting.problem == "Calls are not being kept: the call store failed (OperationalError)."

    retrying = CallStore(backend, retry_after_s=0)  # type: ignore[arg-type]
    reviews = ReviewStore(retrying, SECRET)
    with pytest.raises(StoreError):
        reviews.get(*KEY)
    backend.down = False
    reviews.save(review(1), expected_version=0)
    assert reviews.get(*KEY) == review(1)
    assert retrying.problem is None
    backend.inner.close()


def test_the_default_secret_is_created_once_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "folder" / "store.secret"
    first = instance_secret(None, path)
    assert len(first) == 64 and instance_secret("", path) == first
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert instance_secret("  configured secret value  ", path) == "configured secret value"


def test_a_short_secret_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError) as refused:
        instance_secret("short", tmp_path / "s")
    assert refused.value.message == (
        "CARECYCLE_STORE_SECRET ([carecycle.store] secret) must be at least 16 characters long."
    )


def test_each_seal_uses_a_fresh_nonce() -> None:
    cipher = NoteCipher(SECRET)
    first, second = (cipher.seal("same", "h", "c", "call", 1) for _ in range(2))
    assert first[:12] != second[:12]
    assert cipher.open(first, "h", "c", "call", 1) == "same"
    assert cipher.open(first, "h", "c", "call", 2) is None
