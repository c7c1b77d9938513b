"""The shared engine for a team's replicas: PostgreSQL through a connection pool, with statement timeouts,
TLS whenever the URL asks for it (`sslmode=require`, `verify-full`, ... are libpq's own), and a crawl lock
per entry (a session advisory lock), so two replicas opening the same customer crawl it once.

Connections are checked when taken from the pool, so a database that went away and came back is used again
without a restart; until then every verb raises, and the caller carries on without the store.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Callable, Iterator
from typing import Any, ClassVar, Final

import psycopg
from psycopg_pool import ConnectionPool

from carecycle_dash.store.backend import LOCK_POLL_S, Cursor, EntryId, SqlBackend, StoreError

STATEMENT_TIMEOUT_MS: Final = 30_000
CONNECT_TIMEOUT_S: Final = 5
POOL_TIMEOUT_S: Final = 5.0
POOL_MAX: Final = 8
_MIGRATION_LOCK: Final = 0x63617265  # "care": one migration at a time across replicas


def advisory_key(entry: EntryId) -> int:
    """A signed 64-bit lock id from the entry's identity."""
    digest = hashlib.sha256("\x00".join(("carecycle-dash crawl", *entry.row())).encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class PostgresBackend(SqlBackend):
    placeholder = "%s"
    types: ClassVar[dict[str, str]] = {"blob": "BYTEA", "real": "DOUBLE PRECISION"}

    def __init__(
        self,
        url: str,
        where: str,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        statement_timeout_ms: int = STATEMENT_TIMEOUT_MS,
    ) -> None:
        super().__init__(clock)
        self.where = where
        self._sleep = sleep
        options: dict[str, Any] = {
            "autocommit": True,
            "connect_timeout": CONNECT_TIMEOUT_S,
            "options": f"-c statement_timeout={int(statement_timeout_ms)}",
            "application_name": "carecycle-dash",
        }
        try:
            self._pool = ConnectionPool(
                url,
                min_size=1,
                max_size=POOL_MAX,
                kwargs=options,
                timeout=POOL_TIMEOUT_S,
                check=ConnectionPool.check_connection,
                open=True,
                name="carecycle-store",
            )
        except (psycopg.Error, ValueError) as error:
            raise StoreError(f"The call store {where} cannot be used ({type(error).__name__}).") from None

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[Cursor]:
        with self._pool.connection() as connection, connection.transaction(), connection.cursor() as cursor:
            yield cursor

    def _serialize_migrations(self, cursor: Cursor) -> None:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))

    @contextlib.contextmanager
    def lock(self, entry: EntryId, wait_s: float, on_wait: Callable[[], None] | None = None) -> Iterator[bool]:
        """A session advisory lock on a connection held for the crawl; released however it ends (a lost
        connection releases it too)."""
        key = advisory_key(entry)
        deadline = self._clock() + wait_s
        with self._pool.connection() as connection:
            waited = False
            while not connection.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()[0]:
                if self._clock() >= deadline:
                    raise StoreError("Another load of these calls did not finish in time.")
                waited = True
                if on_wait is not None:
                    on_wait()
                self._sleep(LOCK_POLL_S)
            try:
                yield waited
            finally:
                with contextlib.suppress(psycopg.Error):
                    connection.execute("SELECT pg_advisory_unlock(%s)", (key,))

    def close(self) -> None:
        self._pool.close()
