"""The embedded engine: one SQLite file in WAL mode, readable by its owner only (file 0600, folder 0700).

Every write is one transaction, so a process killed mid-write leaves the previous entry whole. The crawl lock
is this process's own: processes sharing one file may each crawl (PostgreSQL serves teams of replicas).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Final

from carecycle_dash.store.backend import LOCK_POLL_S, Cursor, EntryId, SqlBackend, StoreError

BUSY_TIMEOUT_S: Final = 10.0
FILE_MODE: Final = 0o600
FOLDER_MODE: Final = 0o700


class SqliteBackend(SqlBackend):
    def __init__(self, path: str | Path, clock: Callable[[], float] = time.time) -> None:
        super().__init__(clock)
        self.path = Path(path)
        self.where = str(self.path)
        self._private_file()
        try:
            self._connection = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
            self._connection.execute("PRAGMA journal_mode=WAL")
            self._connection.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.Error as error:
            raise StoreError(f"The call store {self.where} cannot be opened ({error}).") from None
        self._lock = threading.RLock()
        self._crawl_locks: dict[EntryId, threading.Lock] = {}

    def _private_file(self) -> None:
        """Create the folder (0700) and the file (0600) before SQLite does, so neither is ever readable by others."""
        folder = self.path.parent
        try:
            if not folder.exists():
                folder.mkdir(mode=FOLDER_MODE, parents=True)
                folder.chmod(FOLDER_MODE)
            descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, FILE_MODE)
            os.close(descriptor)
            for name in (self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm")):
                if name.exists() and stat.S_IMODE(name.stat().st_mode) != FILE_MODE:
                    name.chmod(FILE_MODE)
        except OSError as error:
            raise StoreError(
                f"The call store {self.where} cannot be created ({error.strerror or type(error).__name__})."
            ) from None

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[Cursor]:
        with self._lock:
            cursor = self._connection.cursor()
            cursor.execute("BEGIN IMMEDIATE")
            try:
                yield cursor
            except BaseException:
                cursor.execute("ROLLBACK")
                raise
            else:
                cursor.execute("COMMIT")
            finally:
                cursor.close()

    @contextlib.contextmanager
    def lock(self, entry: EntryId, wait_s: float, on_wait: Callable[[], None] | None = None) -> Iterator[bool]:
        with self._lock:
            crawl = self._crawl_locks.setdefault(entry, threading.Lock())
        deadline = self._clock() + wait_s
        waited = False
        while not crawl.acquire(timeout=LOCK_POLL_S if waited else 0):
            if self._clock() >= deadline:
                raise StoreError("Another load of these calls did not finish in time.")
            waited = True
            if on_wait is not None:
                on_wait()
        try:
            yield waited
        finally:
            crawl.release()

    def close(self) -> None:
        with self._lock:
            self._connection.close()
