"""Call reviews kept in the call store: every line of SQL for reviews, and the encryption of their notes.

A review is bound to (API host, customer, call ID) and carries a version: `save` writes version N+1 only
while the stored one is still N (one conditional statement, so two people saving at once cannot both win),
and appends the change to `review_history` in the same transaction. Notes are sealed with AES-256-GCM under
a key derived (HKDF-SHA256) from the instance secret, with (host, customer, call ID, review version) as
associated data and a fresh 96-bit nonce per write: a note copied to another review or altered does not
open. Reason, assignee and the people's names stay readable (staff names, no call content): the Review page
lists and filters them without opening every note.

No pandas, no Streamlit: the UI, the CLI and the store's schema migration (`create_review_tables`) share it.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, Literal, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from carecycle_dash.api.errors import InvalidInputError

Dialect = Literal["sqlite", "postgresql"]
State = Literal["open", "handled"]
ENV_SECRET: Final = "CARECYCLE_STORE_SECRET"  # noqa: S105 (a setting's name)
SECRETS_SECRET: Final = "secret"  # noqa: S105 ([carecycle.store] secret: a setting's name)
MIN_SECRET_CHARS: Final = 16
NONCE_BYTES: Final = 12
_TAG_BYTES: Final = 16
_SALT: Final = b"carecycle-dash review notes"
_INFO: Final = b"carecycle-dash review notes v1"
_BUSY_TIMEOUT_MS: Final = 10_000


@dataclass(frozen=True)
class ReviewChange:
    """One entry of a review's history: who changed it, when, into which version, and what changed (in
    words that never hold the note's text)."""

    who: str
    at: datetime
    what: str
    version: int


@dataclass(frozen=True)
class Review:
    """One call's review as stored. `note` is None when it does not open under this secret (see `rekey`)."""

    host: str
    customer: str
    call_id: str
    reason: str
    note: str | None
    assignee: str
    state: State
    flagged_by: str | None
    flagged_at: datetime | None
    handled_by: str | None
    handled_at: datetime | None
    last_change: ReviewChange

    @property
    def version(self) -> int:
        return self.last_change.version


class StaleVersionError(Exception):
    """`save` was given a version that is no longer the stored one; `current` is what is stored now."""

    def __init__(self, current: Review | None) -> None:
        super().__init__("the review changed since it was read")
        self.current = current


class UnreadableNotesError(InvalidInputError):
    """Notes that do not open under the secret given: nothing was changed."""


class ReviewStore(Protocol):
    """Where reviews live; every method is one transaction."""

    def get(self, host: str, customer: str, call_id: str) -> Review | None: ...

    def list(self, host: str, customer: str) -> list[Review]: ...

    def save(self, review: Review, expected_version: int) -> None:
        """Write `review` (version expected_version + 1) and its last change, or raise StaleVersionError."""
        ...

    def history(self, host: str, customer: str, call_id: str) -> list[ReviewChange]: ...

    def rekey(self, old_secret: str) -> int:
        """Re-seal every note sealed under `old_secret` with this store's secret; how many."""
        ...


# --- the secret and the notes' cipher ---------------------------------------------------------------------


def instance_secret(configured: str | None, default_file: Path | None) -> str:
    """The configured secret (`[carecycle.store] secret` or CARECYCLE_STORE_SECRET), else the one kept in
    `default_file` (created owner-only with 32 random bytes on first use). A server store (no file) needs one
    configured: every replica must seal notes under the same key."""
    if configured is not None and configured.strip():
        secret = configured.strip()
        if len(secret) < MIN_SECRET_CHARS:
            raise InvalidInputError(
                f"{ENV_SECRET} ([carecycle.store] secret) must be at least {MIN_SECRET_CHARS} characters long."
            )
        return secret
    if default_file is None:
        raise InvalidInputError(
            f"A PostgreSQL store needs {ENV_SECRET} ([carecycle.store] secret), the same on every replica."
        )
    return _default_secret(default_file)


def _default_secret(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    _private_folder(path.parent)
    with contextlib.suppress(FileExistsError):  # another process won the race: read what it wrote
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32))
            handle.flush()
            os.fsync(handle.fileno())
    return path.read_text(encoding="ascii").strip()


class NoteCipher:
    """AES-256-GCM for notes under a key derived from the instance secret."""

    def __init__(self, secret: str) -> None:
        hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=_INFO)
        self._aead = AESGCM(hkdf.derive(secret.encode("utf-8")))

    def seal(self, note: str, host: str, customer: str, call_id: str, version: int) -> bytes:
        """Nonce, then ciphertext and tag."""
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, note.encode("utf-8"), _bound(host, customer, call_id, version))

    def open(self, blob: bytes, host: str, customer: str, call_id: str, version: int) -> str | None:
        """The note, or None when it was not sealed under this key for this review and version."""
        if len(blob) < NONCE_BYTES + _TAG_BYTES:
            return None
        try:
            plain = self._aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], _bound(host, customer, call_id, version))
        except InvalidTag:
            return None
        return plain.decode("utf-8")


def _bound(host: str, customer: str, call_id: str, version: int) -> bytes:
    """The associated data: which review and version a sealed note belongs to, unambiguously encoded."""
    return json.dumps([host, customer, call_id, version], separators=(",", ":")).encode("utf-8")


# --- SQL --------------------------------------------------------------------------------------------------

_TABLES: Final = (
    """CREATE TABLE IF NOT EXISTS reviews (
        host TEXT NOT NULL,
        customer TEXT NOT NULL,
        call_id TEXT NOT NULL,
        reason TEXT NOT NULL,
        note BYTES NOT NULL,
        assignee TEXT NOT NULL,
        state TEXT NOT NULL,
        flagged_by TEXT,
        flagged_at TEXT,
        handled_by TEXT,
        handled_at TEXT,
        version INTEGER NOT NULL,
        changed_by TEXT NOT NULL,
        changed_at TEXT NOT NULL,
        change TEXT NOT NULL,
        PRIMARY KEY (host, customer, call_id)
    )""",
    """CREATE TABLE IF NOT EXISTS review_history (
        host TEXT NOT NULL,
        customer TEXT NOT NULL,
        call_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        who TEXT NOT NULL,
        at TEXT NOT NULL,
        what TEXT NOT NULL,
        PRIMARY KEY (host, customer, call_id, version)
    )""",
)
_BYTES_TYPE: Final = {"sqlite": "BLOB", "postgresql": "BYTEA"}
_COLUMNS: Final = (
    "host, customer, call_id, reason, note, assignee, state, flagged_by, flagged_at, handled_by, handled_at, "
    "version, changed_by, changed_at, change"
)
_SELECT: Final = f"SELECT {_COLUMNS} FROM reviews WHERE host = ? AND customer = ?"  # noqa: S608 (constants)
_INSERT: Final = (
    f"INSERT INTO reviews ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "  # noqa: S608
    "ON CONFLICT (host, customer, call_id) DO NOTHING"
)
_UPDATE: Final = (
    "UPDATE reviews SET reason = ?, note = ?, assignee = ?, state = ?, flagged_by = ?, flagged_at = ?, "
    "handled_by = ?, handled_at = ?, version = ?, changed_by = ?, changed_at = ?, change = ? "
    "WHERE host = ? AND customer = ? AND call_id = ? AND version = ?"
)
_STAMP: Final = "SELECT count(*), coalesce(sum(version), 0) FROM reviews WHERE host = ? AND customer = ?"
_LISTS_HELD: Final = 16
_HISTORY_INSERT: Final = (
    "INSERT INTO review_history (host, customer, call_id, version, who, at, what) VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_HISTORY_SELECT: Final = (
    "SELECT who, at, what, version FROM review_history WHERE host = ? AND customer = ? AND call_id = ? ORDER BY version"
)


def create_review_tables(connection: Any, dialect: Dialect) -> None:
    """Create `reviews` and `review_history` when missing, inside the caller's transaction (the store's
    schema migration calls this; so do the stores below on first use)."""
    for statement in _TABLES:
        connection.execute(_sql(statement.replace("BYTES", _BYTES_TYPE[dialect]), dialect))


def _sql(statement: str, dialect: Dialect) -> str:
    """SQLite's `?` placeholders as psycopg's `%s` for PostgreSQL."""
    return statement.replace("?", "%s") if dialect == "postgresql" else statement


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


def _parse_time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


class SqlReviewStore:
    """The statements every dialect shares; a subclass says how to open a transaction."""

    dialect: Dialect

    def __init__(self, secret: str) -> None:
        self._cipher = NoteCipher(secret)
        self._listed: dict[tuple[str, str], tuple[tuple[Any, ...], list[Review]]] = {}

    def _transaction(self) -> contextlib.AbstractContextManager[Any]:
        """A connection inside one transaction: committed when the block ends, rolled back on an error."""
        raise NotImplementedError

    def _row(self, row: Sequence[Any]) -> Review:
        host, customer, call_id, reason, note, assignee, state = row[:7]
        flagged_by, flagged_at, handled_by, handled_at, version, changed_by, changed_at, change = row[7:]
        return Review(
            host=host,
            customer=customer,
            call_id=call_id,
            reason=reason,
            note=self._cipher.open(bytes(note), host, customer, call_id, version),
            assignee=assignee,
            state=state,
            flagged_by=flagged_by,
            flagged_at=_parse_time(flagged_at),
            handled_by=handled_by,
            handled_at=_parse_time(handled_at),
            last_change=ReviewChange(changed_by, datetime.fromisoformat(changed_at), change, version),
        )

    def get(self, host: str, customer: str, call_id: str) -> Review | None:
        with self._transaction() as connection:
            return self._get(connection, host, customer, call_id)

    def _get(self, connection: Any, host: str, customer: str, call_id: str) -> Review | None:
        row = connection.execute(_sql(_SELECT + " AND call_id = ?", self.dialect), (host, customer, call_id)).fetchone()
        return None if row is None else self._row(row)

    def list(self, host: str, customer: str) -> list[Review]:
        """Every review of this customer, the most recently changed first. Read and opened once per state of
        the customer's reviews: every write adds a row or raises a version, so (count, sum of versions)
        changes with each one, and a page rerun pays for that one small query only."""
        with self._transaction() as connection:
            stamp = tuple(connection.execute(_sql(_STAMP, self.dialect), (host, customer)).fetchone())
            held = self._listed.get((host, customer))
            if held is not None and held[0] == stamp:
                return list(held[1])
            rows = connection.execute(_sql(_SELECT + " ORDER BY changed_at DESC", self.dialect), (host, customer))
            reviews = [self._row(row) for row in rows.fetchall()]
        self._listed[(host, customer)] = (stamp, reviews)
        while len(self._listed) > _LISTS_HELD:
            self._listed.pop(next(iter(self._listed)), None)
        return list(reviews)

    def save(self, review: Review, expected_version: int) -> None:
        if review.version != expected_version + 1:
            raise ValueError("a saved review's version is the expected one plus one")
        change = review.last_change
        sealed = self._cipher.seal(review.note or "", review.host, review.customer, review.call_id, review.version)
        values = (
            review.reason,
            sealed,
            review.assignee,
            review.state,
            review.flagged_by,
            _time(review.flagged_at),
            review.handled_by,
            _time(review.handled_at),
            review.version,
            change.who,
            _time(change.at),
            change.what,
        )
        key = (review.host, review.customer, review.call_id)
        with self._transaction() as connection:
            if expected_version == 0:
                cursor = connection.execute(_sql(_INSERT, self.dialect), (*key, *values))
            else:
                cursor = connection.execute(_sql(_UPDATE, self.dialect), (*values, *key, expected_version))
            if cursor.rowcount != 1:
                current = self._get(connection, *key)
                raise StaleVersionError(current)
            connection.execute(
                _sql(_HISTORY_INSERT, self.dialect), (*key, review.version, change.who, _time(change.at), change.what)
            )

    def history(self, host: str, customer: str, call_id: str) -> list[ReviewChange]:
        """Every change of this review, oldest first."""
        with self._transaction() as connection:
            rows = connection.execute(_sql(_HISTORY_SELECT, self.dialect), (host, customer, call_id)).fetchall()
        return [ReviewChange(who, datetime.fromisoformat(at), what, version) for who, at, what, version in rows]

    def rekey(self, old_secret: str) -> int:
        """Re-seal every note from `old_secret` to this store's secret in one transaction; a note that opens
        under neither raises UnreadableNotesError and nothing changes. Notes already under this secret are
        left as they are, so running it twice is harmless."""
        old, new = NoteCipher(old_secret), self._cipher
        done = 0
        with self._transaction() as connection:
            rows = connection.execute("SELECT host, customer, call_id, version, note FROM reviews").fetchall()
            for host, customer, call_id, version, blob in rows:
                if new.open(bytes(blob), host, customer, call_id, version) is not None:
                    continue
                note = old.open(bytes(blob), host, customer, call_id, version)
                if note is None:
                    raise UnreadableNotesError(
                        "Some review notes open under neither the old nor the current secret; nothing was changed."
                    )
                connection.execute(
                    _sql(
                        "UPDATE reviews SET note = ? WHERE host = ? AND customer = ? AND call_id = ? AND version = ?",
                        self.dialect,
                    ),
                    (new.seal(note, host, customer, call_id, version), host, customer, call_id, version),
                )
                done += 1
        self._listed.clear()
        return done


class SqliteReviewStore(SqlReviewStore):
    """Reviews in a SQLite file (WAL mode), owner-only: the folder 0700, the file 0600. A connection per
    transaction, so any thread may call it."""

    dialect: Dialect = "sqlite"

    def __init__(self, path: Path, secret: str) -> None:
        super().__init__(secret)
        self.path = Path(path)
        _private_folder(self.path.parent)
        os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
        os.chmod(self.path, 0o600)
        connection = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_MS / 1000)
        try:
            connection.execute("PRAGMA journal_mode=WAL")  # readers never wait for a writer
            with connection:
                create_review_tables(connection, "sqlite")
        finally:
            connection.close()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        connection = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            # In WAL mode NORMAL never corrupts the file; a power cut may lose the last transactions.
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
        finally:
            connection.close()


class PostgresReviewStore(SqlReviewStore):
    """Reviews in PostgreSQL, for replicas sharing one database (psycopg 3; a connection per transaction)."""

    dialect: Dialect = "postgresql"

    def __init__(self, url: str, secret: str, *, connect_timeout_s: int = 10) -> None:
        super().__init__(secret)
        self._url = url
        self._timeout = connect_timeout_s
        with self._transaction() as connection:
            connection.execute("SELECT pg_advisory_xact_lock(hashtext('carecycle-dash review tables'))")
            create_review_tables(connection, "postgresql")

    def __repr__(self) -> str:  # the URL may hold a password
        return "PostgresReviewStore()"

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[Any]:
        import psycopg  # only a PostgreSQL store needs the driver

        with (
            psycopg.connect(
                self._url, connect_timeout=self._timeout, options=f"-c statement_timeout={self._timeout * 1000}"
            ) as connection,
            connection.transaction(),
        ):
            yield connection


def _private_folder(folder: Path) -> None:
    """Create `folder` owner-only (0700) when missing; an existing folder is left as its owner set it."""
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(folder, 0o700)
