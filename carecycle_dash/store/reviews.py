"""Call reviews kept in the call store: every line of SQL for reviews, and the encryption of their notes.

A review is bound to (API host, customer, call ID) and carries a version: `save` writes version N+1 only
while the stored one is still N (one conditional statement, so two people saving at once cannot both win),
and appends the change to `review_history` in the same transaction. Notes are sealed with AES-256-GCM under
a key derived (HKDF-SHA256) from the instance secret, with (host, customer, call ID, review version) as
associated data and a fresh 96-bit nonce per write: a note copied to another review or altered does not
open. Reason, assignee and the people's names stay readable (staff names, no call content): the Review page
lists and filters them without opening every note.

Reviews share the call store's backend (one SQLite connection or PostgreSQL pool per process, one versioned
schema: `REVIEW_TABLES` is its version 2) and its failure rule: while the store rests after a failure, a
review verb raises StoreError at once instead of waiting for the database again.

No pandas, no Streamlit: the UI, the CLI and the store's schema migration share it.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from carecycle_dash.api.errors import InvalidInputError
from carecycle_dash.store.settings import ENV_SECRET, StoreSettings

if TYPE_CHECKING:  # backend.py imports this module for its schema, calls.py imports backend.py
    from carecycle_dash.store.backend import Backend
    from carecycle_dash.store.calls import CallStore

State = Literal["open", "handled"]
MIN_SECRET_CHARS: Final = 16
NONCE_BYTES: Final = 12
_TAG_BYTES: Final = 16
_SALT: Final = b"carecycle-dash review notes"
_INFO: Final = b"carecycle-dash review notes v1"


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
            f"Reviews are off: a PostgreSQL store needs {ENV_SECRET} ([carecycle.store] secret), the same on "
            "every replica."
        )
    return _default_secret(default_file)


def secret_file(settings: StoreSettings) -> Path | None:
    """Where a SQLite store keeps its own secret when none is configured: beside the file (store.secret)."""
    return Path(settings.location).with_suffix(".secret") if settings.engine == "sqlite" else None


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

REVIEW_TABLES: Final = (
    """CREATE TABLE IF NOT EXISTS reviews (
        host TEXT NOT NULL,
        customer TEXT NOT NULL,
        call_id TEXT NOT NULL,
        reason TEXT NOT NULL,
        note {blob} NOT NULL,
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
"""The store's schema version 2 (backend.py's MIGRATIONS). `IF NOT EXISTS`: stores that kept reviews before
they joined the versioned schema already have these tables."""
_COLUMNS: Final = (
    "host, customer, call_id, reason, note, assignee, state, flagged_by, flagged_at, handled_by, handled_at, "
    "version, changed_by, changed_at, change"
)
_HISTORY_COLUMNS: Final = "host, customer, call_id, version, who, at, what"
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
_RESEAL: Final = "UPDATE reviews SET note = ? WHERE host = ? AND customer = ? AND call_id = ? AND version = ?"
_STAMP: Final = "SELECT count(*), coalesce(sum(version), 0) FROM reviews WHERE host = ? AND customer = ?"
_LISTS_HELD: Final = 16
_HISTORY_INSERT: Final = f"INSERT INTO review_history ({_HISTORY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)"  # noqa: S608
_HISTORY_SELECT: Final = (
    "SELECT who, at, what, version FROM review_history WHERE host = ? AND customer = ? AND call_id = ? ORDER BY version"
)
_COPY_REVIEW: Final = (
    f"INSERT INTO reviews ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "  # noqa: S608
    "ON CONFLICT (host, customer, call_id) DO UPDATE SET reason = excluded.reason, note = excluded.note, "
    "assignee = excluded.assignee, state = excluded.state, flagged_by = excluded.flagged_by, "
    "flagged_at = excluded.flagged_at, handled_by = excluded.handled_by, handled_at = excluded.handled_at, "
    "version = excluded.version, changed_by = excluded.changed_by, changed_at = excluded.changed_at, "
    "change = excluded.change WHERE reviews.version <= excluded.version"
)
_COPY_HISTORY: Final = _HISTORY_INSERT + " ON CONFLICT (host, customer, call_id, version) DO NOTHING"


def _run(backend: Backend, cursor: Any, statement: str, params: tuple[Any, ...] = ()) -> Any:
    """Execute one of the statements above, its `?` written as the backend's placeholder."""
    return cursor.execute(statement.replace("?", backend.placeholder), params)


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


def _parse_time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


class ReviewStore:
    """The reviews kept in one call store; every method is one transaction on its backend."""

    def __init__(self, calls: CallStore, secret: str) -> None:
        self._calls = calls
        self._backend = calls.backend
        self._cipher = NoteCipher(secret)
        self._listed: dict[tuple[str, str], tuple[tuple[Any, ...], list[Review]]] = {}

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[Any]:
        """A cursor in one transaction, under the call store's failure rule (see CallStore.attempt)."""
        with self._calls.attempt("reviews"), self._backend.transaction() as cursor:
            yield cursor

    def _run(self, cursor: Any, statement: str, params: tuple[Any, ...] = ()) -> Any:
        return _run(self._backend, cursor, statement, params)

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
        with self._transaction() as cursor:
            return self._get(cursor, host, customer, call_id)

    def _get(self, cursor: Any, host: str, customer: str, call_id: str) -> Review | None:
        row = self._run(cursor, _SELECT + " AND call_id = ?", (host, customer, call_id)).fetchone()
        return None if row is None else self._row(row)

    def list(self, host: str, customer: str) -> list[Review]:
        """Every review of this customer, the most recently changed first. Read and opened once per state of
        the customer's reviews: every write adds a row or raises a version, so (count, sum of versions)
        changes with each one, and a page rerun pays for that one small query only."""
        with self._transaction() as cursor:
            stamp = tuple(self._run(cursor, _STAMP, (host, customer)).fetchone())
            held = self._listed.get((host, customer))
            if held is not None and held[0] == stamp:
                return list(held[1])
            rows = self._run(cursor, _SELECT + " ORDER BY changed_at DESC", (host, customer)).fetchall()
            reviews = [self._row(row) for row in rows]
        self._listed[(host, customer)] = (stamp, reviews)
        while len(self._listed) > _LISTS_HELD:
            self._listed.pop(next(iter(self._listed)), None)
        return list(reviews)

    def save(self, review: Review, expected_version: int) -> None:
        """Write `review` (version expected_version + 1) and its last change, or raise StaleVersionError."""
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
        with self._transaction() as cursor:
            if expected_version == 0:
                written = self._run(cursor, _INSERT, (*key, *values)).rowcount == 1
            else:
                written = self._run(cursor, _UPDATE, (*values, *key, expected_version)).rowcount == 1
            if written:
                self._run(cursor, _HISTORY_INSERT, (*key, review.version, change.who, _time(change.at), change.what))
            else:
                current = self._get(cursor, *key)
        if not written:  # raised outside the transaction: a refused save is no failure of the store
            raise StaleVersionError(current)

    def history(self, host: str, customer: str, call_id: str) -> list[ReviewChange]:
        """Every change of this review, oldest first."""
        with self._transaction() as cursor:
            rows = self._run(cursor, _HISTORY_SELECT, (host, customer, call_id)).fetchall()
        return [ReviewChange(who, datetime.fromisoformat(at), what, version) for who, at, what, version in rows]

    def rekey(self, old_secret: str) -> int:
        """Re-seal every note from `old_secret` to this store's secret in one transaction; how many. When a note
        opens under neither, UnreadableNotesError and nothing changes. Notes already under this secret are
        left as they are, so running it twice is harmless."""
        old, new = NoteCipher(old_secret), self._cipher
        resealed: list[tuple[bytes, str, str, str, int]] = []
        unreadable = 0
        with self._transaction() as cursor:
            rows = self._run(cursor, "SELECT host, customer, call_id, version, note FROM reviews").fetchall()
            for host, customer, call_id, version, blob in rows:
                if new.open(bytes(blob), host, customer, call_id, version) is not None:
                    continue
                note = old.open(bytes(blob), host, customer, call_id, version)
                if note is None:
                    unreadable += 1
                    continue
                resealed.append((new.seal(note, host, customer, call_id, version), host, customer, call_id, version))
            if resealed and not unreadable:
                cursor.executemany(_RESEAL.replace("?", self._backend.placeholder), resealed)
        if unreadable:
            raise UnreadableNotesError(
                f"Review notes that open under neither the old secret given nor the current one: {unreadable:,}; "
                "nothing was changed."
            )
        self._listed.clear()
        return len(resealed)


def open_reviews(calls: CallStore, settings: StoreSettings) -> ReviewStore:
    """The reviews kept in `calls`, opened with the instance secret `settings` name (else a SQLite store's own,
    created beside its file); InvalidInputError in one line for a short secret or a PostgreSQL store without
    one."""
    return ReviewStore(calls, instance_secret(settings.secret, secret_file(settings)))


def copy_reviews(source: Backend, target: Backend) -> int:
    """Every review and its whole history from `source` to `target`, in one transaction on the target; how
    many reviews. Notes stay sealed (they open under the same instance secret); a review the target holds at a
    newer version is kept."""
    with source.transaction() as cursor:
        reviews = _run(source, cursor, f"SELECT {_COLUMNS} FROM reviews").fetchall()  # noqa: S608
        history = _run(source, cursor, f"SELECT {_HISTORY_COLUMNS} FROM review_history").fetchall()  # noqa: S608
    with target.transaction() as cursor:
        if reviews:
            cursor.executemany(_COPY_REVIEW.replace("?", target.placeholder), [tuple(row) for row in reviews])
        if history:
            cursor.executemany(_COPY_HISTORY.replace("?", target.placeholder), [tuple(row) for row in history])
    return len(reviews)


def _private_folder(folder: Path) -> None:
    """Create `folder` owner-only (0700) when missing; an existing folder is left as its owner set it."""
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(folder, 0o700)
