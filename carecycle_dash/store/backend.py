"""The store's few verbs, written once over SQLite and PostgreSQL: the SQL lives here and in the two engine
modules only, which supply a connection, a placeholder style and a lock (Django-backend style).

The schema is versioned: `MIGRATIONS[n]` takes a store from version n-1 to n and runs on start, in one
transaction; an app meeting a newer schema than it knows refuses it (SchemaTooNew) rather than guess.
Version 2 adds the reviews' tables, whose SQL is store/reviews.py's.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar, Final, Protocol

from carecycle_dash.store.reviews import REVIEW_TABLES

SCHEMA_VERSION: Final = 2
LOCK_POLL_S: Final = 0.2

MIGRATIONS: Final[dict[int, tuple[str, ...]]] = {
    1: (
        """CREATE TABLE call_entries (
            host TEXT NOT NULL,
            customer_id TEXT NOT NULL,
            key_fingerprint TEXT NOT NULL,
            blob {blob} NOT NULL,
            calls INTEGER NOT NULL,
            size BIGINT NOT NULL,
            stored_at {real} NOT NULL,
            used_at {real} NOT NULL,
            PRIMARY KEY (host, customer_id, key_fingerprint)
        )""",
        """CREATE TABLE load_progress (
            host TEXT NOT NULL,
            customer_id TEXT NOT NULL,
            key_fingerprint TEXT NOT NULL,
            done INTEGER NOT NULL,
            total INTEGER NOT NULL,
            updated_at {real} NOT NULL,
            PRIMARY KEY (host, customer_id, key_fingerprint)
        )""",
    ),
    2: REVIEW_TABLES,
}


class StoreError(Exception):
    """The store cannot be used; the message is one line, safe to show (no password, no key, no content)."""


class SchemaTooNew(StoreError):
    """The store was written by a newer version of the app."""


@dataclass(frozen=True)
class EntryId:
    """What an entry is kept under: the API host, the customer and the key's fingerprint (never the key)."""

    host: str
    customer_id: str
    key_fingerprint: str

    def row(self) -> tuple[str, str, str]:
        return (self.host, self.customer_id, self.key_fingerprint)


@dataclass(frozen=True)
class EntryInfo:
    """One entry as `store list` shows it: no content, no key."""

    entry: EntryId
    calls: int
    size: int
    stored_at: float
    used_at: float


@dataclass(frozen=True)
class StoredRow:
    """An entry's row as a whole, for copying it to another store (the blob stays sealed)."""

    info: EntryInfo
    blob: bytes


class Backend(Protocol):
    """The storage interface the rest of the app sees (through store/calls.py)."""

    where: str
    placeholder: str

    def transaction(self) -> AbstractContextManager[Any]: ...
    def schema_version(self) -> int: ...
    def migrate(self) -> None: ...
    def get(self, entry: EntryId) -> bytes | None: ...
    def put(self, entry: EntryId, blob: bytes, calls: int) -> None: ...
    def delete(self, entry: EntryId) -> bool: ...
    def entries(self) -> list[EntryInfo]: ...
    def purge(self, customer_id: str | None = None) -> int: ...
    def expire(self, unused_for_s: float) -> int: ...
    def lock(
        self, entry: EntryId, wait_s: float, on_wait: Callable[[], None] | None = None
    ) -> AbstractContextManager[bool]: ...
    def report_progress(self, entry: EntryId, done: int, total: int) -> None: ...
    def progress(self, entry: EntryId) -> tuple[int, int] | None: ...
    def rows(self) -> Iterator[StoredRow]: ...
    def put_row(self, row: StoredRow) -> None: ...
    def close(self) -> None: ...


class Cursor(Protocol):
    def execute(self, sql: str, params: Any = ...) -> Any: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...


class SqlBackend(ABC):
    """Every verb, once; an engine supplies `_transaction`, its types and placeholder, and `lock`."""

    where: str
    placeholder = "?"
    types: ClassVar[dict[str, str]] = {"blob": "BLOB", "real": "REAL"}

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._ready = False

    @abstractmethod
    def _transaction(self) -> AbstractContextManager[Cursor]:
        """A cursor inside one transaction: committed when the block ends, rolled back on an error."""

    @abstractmethod
    def lock(
        self, entry: EntryId, wait_s: float, on_wait: Callable[[], None] | None = None
    ) -> AbstractContextManager[bool]:
        """Hold the entry's crawl lock; yields whether someone else held it first (then re-read the store).
        `on_wait()` is called every LOCK_POLL_S while waiting; StoreError past `wait_s`."""

    def _serialize_migrations(self, cursor: Cursor) -> None:  # noqa: B027  (SQLite needs nothing here)
        """Keep two processes from migrating at once (PostgreSQL); SQLite's write lock already does."""

    @abstractmethod
    def close(self) -> None: ...

    def _sql(self, statement: str) -> str:
        return statement.replace("?", self.placeholder)

    def _run(self, cursor: Cursor, statement: str, params: tuple[Any, ...] = ()) -> Any:
        return cursor.execute(self._sql(statement), params)

    @contextmanager
    def _ready_transaction(self) -> Iterator[Cursor]:
        """A transaction on a store whose schema is this app's (created or upgraded on first use)."""
        if not self._ready:
            self.migrate()
        with self._transaction() as cursor:
            yield cursor

    def transaction(self) -> AbstractContextManager[Any]:
        """A cursor in one transaction on this app's schema, for the store's other tables (store/reviews.py),
        whose statements write `?` as `placeholder`."""
        return self._ready_transaction()

    def schema_version(self) -> int:
        with self._transaction() as cursor:
            return self._version(cursor)

    def _version(self, cursor: Cursor) -> int:
        self._run(cursor, "CREATE TABLE IF NOT EXISTS store_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
        row = self._run(cursor, "SELECT value FROM store_meta WHERE name = 'schema_version'").fetchone()
        return int(row[0]) if row is not None else 0

    def migrate(self) -> None:
        """Create or upgrade the tables to SCHEMA_VERSION; SchemaTooNew when the store is newer."""
        with self._transaction() as cursor:
            self._serialize_migrations(cursor)
            found = self._version(cursor)
            if found > SCHEMA_VERSION:
                raise SchemaTooNew(
                    f"The call store at {self.where} has schema version {found}, newer than this app's "
                    f"{SCHEMA_VERSION}: upgrade the app, or set CARECYCLE_STORE_URL to another store."
                )
            for version in range(found + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[version]:
                    self._run(cursor, statement.format(**self.types))
            if found != SCHEMA_VERSION:
                self._run(
                    cursor,
                    "INSERT INTO store_meta (name, value) VALUES ('schema_version', ?) "
                    "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                    (str(SCHEMA_VERSION),),
                )
        self._ready = True

    def get(self, entry: EntryId) -> bytes | None:
        """The entry's blob, marking it used now; None when there is none."""
        with self._ready_transaction() as cursor:
            row = self._run(
                cursor,
                "SELECT blob FROM call_entries WHERE host = ? AND customer_id = ? AND key_fingerprint = ?",
                entry.row(),
            ).fetchone()
            if row is None:
                return None
            self._run(
                cursor,
                "UPDATE call_entries SET used_at = ? WHERE host = ? AND customer_id = ? AND key_fingerprint = ?",
                (self._clock(), *entry.row()),
            )
            return bytes(row[0])

    def put(self, entry: EntryId, blob: bytes, calls: int) -> None:
        """Replace the entry whole, in one transaction: a reader sees the old blob or the new, never a mix."""
        now = self._clock()
        self.put_row(StoredRow(EntryInfo(entry, calls, len(blob), now, now), blob))

    def put_row(self, row: StoredRow) -> None:
        info = row.info
        with self._ready_transaction() as cursor:
            self._run(
                cursor,
                "INSERT INTO call_entries (host, customer_id, key_fingerprint, blob, calls, size, stored_at, used_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (host, customer_id, key_fingerprint) DO UPDATE SET "
                "blob = excluded.blob, calls = excluded.calls, size = excluded.size, "
                "stored_at = excluded.stored_at, used_at = excluded.used_at",
                (*info.entry.row(), row.blob, info.calls, info.size, info.stored_at, info.used_at),
            )
            self._run(
                cursor,
                "DELETE FROM load_progress WHERE host = ? AND customer_id = ? AND key_fingerprint = ?",
                info.entry.row(),
            )

    def delete(self, entry: EntryId) -> bool:
        with self._ready_transaction() as cursor:
            deleted = self._run(
                cursor,
                "DELETE FROM call_entries WHERE host = ? AND customer_id = ? AND key_fingerprint = ?",
                entry.row(),
            ).rowcount
            self._run(
                cursor,
                "DELETE FROM load_progress WHERE host = ? AND customer_id = ? AND key_fingerprint = ?",
                entry.row(),
            )
        return bool(deleted)

    def entries(self) -> list[EntryInfo]:
        with self._ready_transaction() as cursor:
            rows = self._run(
                cursor,
                "SELECT host, customer_id, key_fingerprint, calls, size, stored_at, used_at FROM call_entries "
                "ORDER BY used_at DESC",
            ).fetchall()
        return [EntryInfo(EntryId(*row[:3]), int(row[3]), int(row[4]), float(row[5]), float(row[6])) for row in rows]

    def purge(self, customer_id: str | None = None) -> int:
        """Delete every entry (of one customer, when given); how many went."""
        with self._ready_transaction() as cursor:
            if customer_id is None:
                deleted = self._run(cursor, "DELETE FROM call_entries").rowcount
                self._run(cursor, "DELETE FROM load_progress")
            else:
                deleted = self._run(cursor, "DELETE FROM call_entries WHERE customer_id = ?", (customer_id,)).rowcount
                self._run(cursor, "DELETE FROM load_progress WHERE customer_id = ?", (customer_id,))
        return int(deleted)

    def expire(self, unused_for_s: float) -> int:
        """Delete entries not used for `unused_for_s` seconds; how many went."""
        cutoff = self._clock() - unused_for_s
        with self._ready_transaction() as cursor:
            deleted = self._run(cursor, "DELETE FROM call_entries WHERE used_at < ?", (cutoff,)).rowcount
            self._run(cursor, "DELETE FROM load_progress WHERE updated_at < ?", (cutoff,))
        return int(deleted)

    def report_progress(self, entry: EntryId, done: int, total: int) -> None:
        """How far the crawl of this entry is, for others who wait for it (PostgreSQL replicas)."""
        with self._ready_transaction() as cursor:
            self._run(
                cursor,
                "INSERT INTO load_progress (host, customer_id, key_fingerprint, done, total, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (host, customer_id, key_fingerprint) DO UPDATE SET "
                "done = excluded.done, total = excluded.total, updated_at = excluded.updated_at",
                (*entry.row(), done, total, self._clock()),
            )

    def progress(self, entry: EntryId) -> tuple[int, int] | None:
        with self._ready_transaction() as cursor:
            row = self._run(
                cursor,
                "SELECT done, total FROM load_progress WHERE host = ? AND customer_id = ? AND key_fingerprint = ?",
                entry.row(),
            ).fetchone()
        return (int(row[0]), int(row[1])) if row is not None else None

    def rows(self) -> Iterator[StoredRow]:
        """Every entry whole, one at a time (a blob can be large), for `store copy`."""
        for info in self.entries():
            with self._ready_transaction() as cursor:
                found = self._run(
                    cursor,
                    "SELECT blob FROM call_entries WHERE host = ? AND customer_id = ? AND key_fingerprint = ?",
                    info.entry.row(),
                ).fetchone()
            if found is not None:
                yield StoredRow(info, bytes(found[0]))
