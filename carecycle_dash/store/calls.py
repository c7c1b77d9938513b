"""The call store as the loader sees it: read, write (now or in the background), forget, list and purge
entries of loaded calls, each sealed under a key derived from the API key that loaded it.

A store that fails never breaks a load: every verb logs one line (no key, no content), records the problem
for the sidebar (`problem`), and answers as if the store were empty; the next verb that works clears it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from typing import Final, TypeVar
from urllib.parse import urlsplit

from carecycle_dash.api.config import key_fingerprint
from carecycle_dash.store import codec, crypto
from carecycle_dash.store.backend import SCHEMA_VERSION, Backend, EntryId, EntryInfo, StoreError
from carecycle_dash.store.codec import Snapshot
from carecycle_dash.store.settings import DEFAULT_RETRY_AFTER_S, StoreSettings
from carecycle_dash.text.logs import one_line

log = logging.getLogger("carecycle_dash.store")
DEMO_HOST: Final = "demo"
"""The built-in demo's entries are kept under this host, not its simulator's port, which changes per start."""
T = TypeVar("T")


def entry_for(base_url: str, customer_id: str, api_key: str | None, *, demo: bool = False) -> EntryId:
    """An entry's identity: the API's scheme, host and port (or the demo's name), the customer, the key's
    fingerprint."""
    if demo:
        return EntryId(DEMO_HOST, customer_id, key_fingerprint(api_key))
    parts = urlsplit(base_url)
    host = f"{parts.scheme}://{parts.netloc}".lower() if parts.netloc else base_url
    return EntryId(host, customer_id, key_fingerprint(api_key))


class CallStore:
    """Sealed snapshots of loaded calls over one backend (SQLite or PostgreSQL)."""

    def __init__(
        self,
        backend: Backend,
        *,
        retention: timedelta = timedelta(days=30),
        retry_after_s: float = DEFAULT_RETRY_AFTER_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.backend = backend
        self.retention = retention
        self.retry_after_s = retry_after_s
        """After a failure the store is left alone this long (see DEFAULT_RETRY_AFTER_S)."""
        self._clock = clock
        self.problem: str | None = None
        """One line for the sidebar while the store fails (calls are not being kept); None when it works."""
        self._failed_at: float | None = None
        self._failure = ""
        self._pending: dict[EntryId, tuple[str, Callable[[], Snapshot], Callable[[], object] | None]] = {}
        self._pending_lock = threading.Condition()
        self._writer: threading.Thread | None = None
        self._writing = 0

    @property
    def where(self) -> str:
        return self.backend.where

    def _guarded(self, what: str, work: Callable[[], T], failed: T) -> T:
        """`work()`, or `failed` after one log line and a problem line for the sidebar; `failed` at once for a
        while after a failure."""
        if self._resting():
            return failed
        try:
            value = work()
        except Exception as error:
            self._failed(what, error)
            return failed
        self.problem = None
        self._failed_at = None
        return value

    @contextmanager
    def attempt(self, what: str) -> Iterator[None]:
        """The failure rule of the verbs above, for other work on this store's backend (reviews): StoreError at
        once while the store rests after a failure; a failure inside is recorded as theirs are, and raised as
        StoreError in one line; success clears it."""
        if self._resting():
            raise StoreError(self._failure)
        try:
            yield
        except Exception as error:
            self._failed(what, error)
            raise StoreError(self._failure) from None
        self.problem = None
        self._failed_at = None

    def _resting(self) -> bool:
        return self._failed_at is not None and self._clock() - self._failed_at < self.retry_after_s

    def _failed(self, what: str, error: Exception) -> None:
        # A StoreError's message is written to be shown; anything else (a driver's text may quote SQL or a
        # value) is named by its type only.
        message = one_line(error.args[0] if isinstance(error, StoreError) and error.args else type(error).__name__)
        self._failure = f"The store at {self.where} failed ({message}); it is tried again shortly."
        self.problem = f"Calls are not being kept: the call store failed ({message})."
        self._failed_at = self._clock()
        log.warning("Call store %s: %s failed: %s", self.where, what, message)

    def read(self, entry: EntryId, api_key: str) -> Snapshot | None:
        """The snapshot kept for this entry, opened with this key; None when absent, unreadable or failing.
        An entry that does not open or parse is deleted (one log line) so the customer loads afresh."""
        blob = self._guarded("reading", lambda: self.backend.get(entry), None)
        if blob is None:
            return None
        try:
            plaintext = crypto.open_sealed(api_key, crypto.identity_bytes(*entry.row()), SCHEMA_VERSION, blob)
            return codec.decode(plaintext)
        except (crypto.UnreadableBlob, codec.UnreadablePayload) as error:
            log.warning("Call store %s: dropped an entry that could not be read (%s)", self.where, type(error).__name__)
            self.forget(entry)
            return None

    def write(self, entry: EntryId, api_key: str, snapshot: Snapshot) -> bool:
        """Seal and keep `snapshot` now, replacing the entry whole; False when the store failed."""
        if entry.key_fingerprint != key_fingerprint(api_key):
            raise ValueError("the entry was not made for this key")

        def seal_and_put() -> bool:
            sealed = crypto.seal(api_key, crypto.identity_bytes(*entry.row()), SCHEMA_VERSION, codec.encode(snapshot))
            self.backend.put(entry, sealed, snapshot.calls)
            return True

        return self._guarded("writing", seal_and_put, False)

    def write_later(
        self,
        entry: EntryId,
        api_key: str,
        snapshot: Callable[[], Snapshot],
        after: Callable[[], object] | None = None,
    ) -> None:
        """Make `snapshot()` and keep it from a background thread, off the page's path; a newer snapshot of the
        same entry that arrives meanwhile replaces one not yet written. `after()` runs once it is written, or
        replaced, or failed (the crawl lock's release)."""
        with self._pending_lock:
            replaced = self._pending.get(entry)
            self._pending[entry] = (api_key, snapshot, after)
            if self._writer is None or not self._writer.is_alive():
                self._writer = threading.Thread(target=self._write_pending, name="carecycle-store", daemon=True)
                self._writer.start()
            self._pending_lock.notify_all()
        if replaced is not None and replaced[2] is not None:
            replaced[2]()

    def _write_pending(self) -> None:
        while True:
            with self._pending_lock:
                if not self._pending:
                    self._writer = None
                    self._pending_lock.notify_all()
                    return
                entry = next(iter(self._pending))
                api_key, snapshot, after = self._pending.pop(entry)
                self._writing += 1
            try:
                self._write_made(entry, api_key, snapshot)
            finally:
                if after is not None:
                    after()
                with self._pending_lock:
                    self._writing -= 1
                    self._pending_lock.notify_all()

    def _write_made(self, entry: EntryId, api_key: str, snapshot: Callable[[], Snapshot]) -> None:
        try:
            made = snapshot()
        except Exception as error:  # not the store's failure: logged by type, the calls are just not kept
            log.warning("Call store %s: could not prepare an entry (%s)", self.where, type(error).__name__)
            return
        self.write(entry, api_key, made)

    def flush(self, timeout_s: float = 60.0) -> bool:
        """Wait until every background write is done (tests, a command about to exit); False on timeout."""
        with self._pending_lock:
            return self._pending_lock.wait_for(lambda: not self._pending and not self._writing, timeout_s)

    def forget(self, entry: EntryId) -> bool:
        """Delete this key's entry for this customer (a key the API now refuses, or an unreadable entry)."""
        with self._pending_lock:
            dropped = self._pending.pop(entry, None)
        if dropped is not None and dropped[2] is not None:
            dropped[2]()
        return self._guarded("deleting", lambda: self.backend.delete(entry), False)

    def entries(self) -> list[EntryInfo]:
        return self.backend.entries()

    def purge(self, customer_id: str | None = None) -> int:
        return self.backend.purge(customer_id)

    def expire(self) -> int:
        """Delete entries unused for the retention period; how many went (0 when the store fails)."""
        return self._guarded("expiring", lambda: self.backend.expire(self.retention.total_seconds()), 0)

    @contextmanager
    def crawl_lock(self, entry: EntryId, wait_s: float, on_wait: Callable[[], None] | None = None) -> Iterator[bool]:
        """Hold the entry's crawl lock (see the backends); yields whether another crawl held it first. A store
        that fails, or a crawl that holds it past `wait_s`, yields False: crawl without the lock then."""
        stopped: list[BaseException] = []

        def waiting() -> None:
            try:
                if on_wait is not None:
                    on_wait()
            except BaseException as error:  # the waiter gave up (a cancelled load): not a store failure
                stopped.append(error)
                raise

        with ExitStack() as stack:
            if self._resting():
                yield False
                return
            try:
                waited = stack.enter_context(self.backend.lock(entry, wait_s, waiting))
            except Exception as error:
                if stopped:
                    raise
                self._failed("locking", error)
                waited = False
            yield waited

    def report_progress(self, entry: EntryId, done: int, total: int) -> None:
        self._guarded("recording progress", lambda: self.backend.report_progress(entry, done, total), None)

    def progress(self, entry: EntryId) -> tuple[int, int] | None:
        return self._guarded("reading progress", lambda: self.backend.progress(entry), None)

    def close(self) -> None:
        self.flush(10.0)
        self.backend.close()


def open_store(settings: StoreSettings, *, clock: Callable[[], float] = time.time) -> CallStore | None:
    """The store the settings name, schema created or upgraded and old entries expired; None for `none`.
    StoreError (one line) when it cannot be opened or its schema is newer than this app's."""
    if settings.engine == "none":
        return None
    backend: Backend
    if settings.engine == "sqlite":
        from carecycle_dash.store.sqlite import SqliteBackend

        backend = SqliteBackend(settings.location, clock)
    else:
        from carecycle_dash.store.postgres import PostgresBackend

        backend = PostgresBackend(settings.location, settings.describe(), clock=clock)
    store = CallStore(backend, retention=settings.retention, retry_after_s=settings.retry_after_s, clock=clock)
    try:
        backend.migrate()
    except StoreError:
        backend.close()
        raise
    except Exception as error:  # PostgreSQL not reachable yet: the store works once it is
        store._failed("opening", error)
        return store
    store.expire()
    return store
