"""Reviews in the SQLite store: versions that refuse a stale save, history, notes sealed at rest, rekey."""

from __future__ import annotations

import os
import sqlite3
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from carecycle_dash.api.errors import InvalidInputError
from carecycle_dash.store.reviews import (
    NoteCipher,
    Review,
    ReviewChange,
    SqliteReviewStore,
    StaleVersionError,
    UnreadableNotesError,
    instance_secret,
)

SECRET = "a test secret of enough length"
OTHER_SECRET = "another secret, also long enough"
NOTE = "Patient Jane Roe asked to be called on 555-867-5309 about her MRI"
T0 = datetime(2025, 3, 4, 10, 0, tzinfo=UTC)
T1 = datetime(2025, 3, 4, 11, 30, tzinfo=UTC)


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


def store_at(tmp_path: Path, secret: str = SECRET) -> SqliteReviewStore:
    return SqliteReviewStore(tmp_path / "store" / "store.db", secret)


def test_a_saved_review_reads_back_with_its_history(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    store.save(review(1), expected_version=0)
    store.save(review(2, note="Called back, all fine", state="handled", who="ben@example.org"), expected_version=1)
    got = store.get("api.example.org", "cust-1", "call-1")
    assert got == review(2, note="Called back, all fine", state="handled", who="ben@example.org")
    assert store.list("api.example.org", "cust-1") == [got]
    assert store.list("api.example.org", "cust-2") == []
    assert store.history("api.example.org", "cust-1", "call-1") == [
        ReviewChange("ana@example.org", T0, "change 1", 1),
        ReviewChange("ben@example.org", T1, "change 2", 2),
    ]


def test_a_stale_version_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    store.save(review(1), expected_version=0)
    store.save(review(2, who="ben@example.org"), expected_version=1)
    with pytest.raises(StaleVersionError) as refused:
        store.save(review(2, note="mine", who="cy@example.org"), expected_version=1)
    assert refused.value.current == review(2, who="ben@example.org")
    with pytest.raises(StaleVersionError):
        store.save(review(1, note="a second first"), expected_version=0)
    assert [change.version for change in store.history("api.example.org", "cust-1", "call-1")] == [1, 2]


def test_a_restart_keeps_reviews(tmp_path: Path) -> None:
    store_at(tmp_path).save(review(1), expected_version=0)
    assert store_at(tmp_path).get("api.example.org", "cust-1", "call-1") == review(1)


def test_the_file_holds_no_note_text_and_is_owner_only(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    store.save(review(1), expected_version=0)
    raw = b"".join(path.read_bytes() for path in store.path.parent.iterdir())
    assert b"Jane Roe" not in raw and b"867-5309" not in raw and b"MRI" not in raw
    assert stat.S_IMODE(os.stat(store.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(store.path.parent).st_mode) == 0o700


def test_a_note_moved_to_another_review_does_not_open(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    store.save(review(1), expected_version=0)
    other = Review(**{**review(1).__dict__, "call_id": "call-2"})
    store.save(other, expected_version=0)
    with sqlite3.connect(store.path) as connection:
        blob = connection.execute("SELECT note FROM reviews WHERE call_id = 'call-1'").fetchone()[0]
        connection.execute("UPDATE reviews SET note = ? WHERE call_id = 'call-2'", (blob,))
    assert store.get("api.example.org", "cust-1", "call-2").note is None
    assert store.get("api.example.org", "cust-1", "call-1").note == NOTE


def test_rekey_reseals_the_notes_under_the_new_secret(tmp_path: Path) -> None:
    store_at(tmp_path, OTHER_SECRET).save(review(1), expected_version=0)
    rekeyed = store_at(tmp_path)
    assert rekeyed.get("api.example.org", "cust-1", "call-1").note is None
    assert rekeyed.rekey(OTHER_SECRET) == 1
    assert rekeyed.get("api.example.org", "cust-1", "call-1").note == NOTE
    assert rekeyed.rekey(OTHER_SECRET) == 0
    assert store_at(tmp_path, OTHER_SECRET).get("api.example.org", "cust-1", "call-1").note is None


def test_rekey_with_a_wrong_old_secret_changes_nothing(tmp_path: Path) -> None:
    store_at(tmp_path, OTHER_SECRET).save(review(1), expected_version=0)
    with pytest.raises(UnreadableNotesError, match="nothing was changed"):
        store_at(tmp_path).rekey("not the secret it was sealed with")
    assert store_at(tmp_path, OTHER_SECRET).get("api.example.org", "cust-1", "call-1").note == NOTE


def test_the_default_secret_is_created_once_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "folder" / "store.secret"
    first = instance_secret(None, path)
    assert len(first) == 64 and instance_secret("", path) == first
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert instance_secret("  configured secret value  ", path) == "configured secret value"


def test_a_short_or_missing_server_secret_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="at least 16 characters"):
        instance_secret("short", tmp_path / "s")
    with pytest.raises(InvalidInputError, match="PostgreSQL store needs CARECYCLE_STORE_SECRET"):
        instance_secret(None, None)


def test_each_seal_uses_a_fresh_nonce() -> None:
    cipher = NoteCipher(SECRET)
    first, second = (cipher.seal("same", "h", "c", "call", 1) for _ in range(2))
    assert first[:12] != second[:12]
    assert cipher.open(first, "h", "c", "call", 1) == "same"
    assert cipher.open(first, "h", "c", "call", 2) is None
