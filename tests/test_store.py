# ruff: noqa: F811  (the fixtures imported from tests.support are parameters here)
"""The call store on both engines: sealed round trips, nothing readable at rest, unreadable entries dropped,
file modes, retention, purge, the schema version, and a write killed mid-way."""

from __future__ import annotations

import logging
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from carecycle_dash.api.config import key_fingerprint
from carecycle_dash.store import (
    SCHEMA_VERSION,
    CallStore,
    EntryId,
    SchemaTooNew,
    Snapshot,
    StoreSettings,
    entry_for,
    open_store,
)
from tests.support.clock import FakeClock
from tests.support.postgres import PostgresCluster, postgres_cluster, postgres_url  # noqa: F401
from tests.support.servers import REPO_ROOT
from tests.support.store import (  # noqa: F401
    API_KEY,
    CUSTOMER,
    HOST,
    LOADED_AT,
    call_store,
    calls_of,
    engine_settings,
    fake_clock,
    sample_result,
    sample_snapshot,
    snapshot_for,
)

ENTRY = entry_for(HOST, CUSTOMER, API_KEY)
OTHER_KEY = "cc_test_other_0000000000000000000000"


def sensitive_values(snapshot: Snapshot) -> list[bytes]:
    """A transcript phrase, a phone number, a recording URL and the key: none may be found at rest."""
    call = calls_of(snapshot)[0]
    return [
        call["transcript"][10:60].encode(),
        call["callerId"].encode(),
        call["recordingUrl"].encode(),
        API_KEY.encode(),
    ]


def test_an_entry_is_kept_under_the_host_customer_and_key_fingerprint_never_the_key() -> None:
    assert EntryId("https://api.example.test", CUSTOMER, key_fingerprint(API_KEY)) == ENTRY
    assert entry_for("HTTPS://API.example.test/v2/", CUSTOMER, API_KEY) == ENTRY
    assert entry_for("http://127.0.0.1:41234", CUSTOMER, API_KEY, demo=True).host == "demo"


def test_a_snapshot_reads_back_exactly(call_store: CallStore) -> None:
    snapshot = sample_snapshot()
    assert call_store.write(ENTRY, API_KEY, snapshot)
    read = call_store.read(ENTRY, API_KEY)
    assert read is not None
    assert calls_of(read) == sample_result().calls
    assert read.loaded_at == LOADED_AT
    assert (read.items_total, read.api_items_total, read.since, read.how) == (40, 40, None, "full")
    assert call_store.problem is None


def test_values_json_libraries_disagree_on_read_back_exactly(call_store: CallStore) -> None:
    result = sample_result(2)
    odd = {**result.calls[0], "durationMs": float("nan"), "big": 2**80, "nested": {"a": [1, "b"]}}
    snapshot = snapshot_for(replace(result, calls=[odd, result.calls[1]], since=LOADED_AT - timedelta(days=3)))
    call_store.write(ENTRY, API_KEY, snapshot)
    read = call_store.read(ENTRY, API_KEY)
    assert read is not None
    calls = calls_of(read)
    assert calls[0]["big"] == 2**80 and calls[0]["nested"] == {"a": [1, "b"]}
    assert str(calls[0]["durationMs"]) == "nan"
    assert list(calls[0]) == list(odd)
    assert calls[1] == result.calls[1]
    assert read.since == LOADED_AT - timedelta(days=3)


def test_a_newer_write_replaces_the_entry_whole(call_store: CallStore) -> None:
    call_store.write(ENTRY, API_KEY, sample_snapshot(40))
    call_store.write(ENTRY, API_KEY, sample_snapshot(12))
    read = call_store.read(ENTRY, API_KEY)
    assert read is not None and read.calls == 12
    assert [(info.entry, info.calls) for info in call_store.entries()] == [(ENTRY, 12)]


def test_another_key_or_entry_cannot_open_a_blob_and_it_is_dropped(
    call_store: CallStore, caplog: pytest.LogCaptureFixture
) -> None:
    call_store.write(ENTRY, API_KEY, sample_snapshot())
    with caplog.at_level(logging.WARNING, "carecycle_dash.store"):
        assert call_store.read(ENTRY, OTHER_KEY) is None
    assert call_store.entries() == []
    assert [record.getMessage() for record in caplog.records] == [
        f"Call store {call_store.where}: dropped an entry that could not be read (UnreadableBlob)"
    ]
    # A blob copied into another customer's entry (same key) fails too: the identity is authenticated.
    call_store.write(ENTRY, API_KEY, sample_snapshot())
    blob = call_store.backend.get(ENTRY)
    assert blob is not None
    moved = replace(ENTRY, customer_id="8a41d2c7-5e93-4b06-a1f8-2c7d9e3b4f12")
    call_store.backend.put(moved, blob, 40)
    assert call_store.read(moved, API_KEY) is None
    assert [info.entry for info in call_store.entries()] == [ENTRY]


def test_a_corrupt_entry_is_dropped_with_one_line_that_names_neither_key_nor_content(
    call_store: CallStore, caplog: pytest.LogCaptureFixture
) -> None:
    call_store.backend.put(ENTRY, b"\x01" + os.urandom(200), 40)
    with caplog.at_level(logging.INFO, "carecycle_dash"):
        assert call_store.read(ENTRY, API_KEY) is None
    assert len(caplog.records) == 1 and API_KEY not in caplog.text
    assert call_store.entries() == []


def test_nothing_sensitive_is_readable_in_the_sqlite_file(tmp_path: Path) -> None:
    store = open_store(StoreSettings("sqlite", str(tmp_path / "s" / "store.db")))
    assert store is not None
    snapshot = sample_snapshot()
    store.write(ENTRY, API_KEY, snapshot)
    store.close()
    on_disk = b"".join(path.read_bytes() for path in (tmp_path / "s").iterdir())
    assert [value for value in sensitive_values(snapshot) if value in on_disk] == []
    assert b"\x28\xb5\x2f\xfd" not in on_disk  # no zstd frame: compressed before encrypting, never stored so


@pytest.mark.server
def test_nothing_sensitive_is_readable_in_a_database_dump(postgres_cluster: PostgresCluster, postgres_url: str) -> None:
    store = open_store(StoreSettings("postgresql", postgres_url))
    assert store is not None
    snapshot = sample_snapshot()
    store.write(ENTRY, API_KEY, snapshot)
    store.close()
    dump = postgres_cluster.dump(postgres_url)
    assert "call_entries" in dump
    with psycopg.connect(postgres_url) as connection:
        blobs = b"".join(bytes(row[0]) for row in connection.execute("SELECT blob FROM call_entries"))
    hex_blobs = bytes.fromhex(blobs.hex())
    for value in sensitive_values(snapshot):
        assert value.decode() not in dump
        assert value not in blobs and value not in hex_blobs
    assert blobs.hex() in dump  # the dump holds the sealed blob, and only that
    assert b"\x28\xb5\x2f\xfd" not in blobs


def test_the_file_and_its_folder_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "carecycle-dash" / "store.db"
    store = open_store(StoreSettings("sqlite", str(path)))
    assert store is not None
    store.write(ENTRY, API_KEY, sample_snapshot())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in path.parent.iterdir()} == {0o600}
    store.close()


def test_entries_unused_for_the_retention_period_are_deleted(call_store: CallStore, fake_clock: FakeClock) -> None:
    used = replace(ENTRY, customer_id="8a41d2c7-5e93-4b06-a1f8-2c7d9e3b4f12")
    call_store.write(ENTRY, API_KEY, sample_snapshot(3))
    call_store.write(used, API_KEY, sample_snapshot(3))
    fake_clock.now += timedelta(days=20).total_seconds()
    assert call_store.read(used, API_KEY) is not None  # reading is a use
    fake_clock.now += timedelta(days=10, seconds=1).total_seconds()
    assert call_store.expire() == 1
    assert [info.entry for info in call_store.entries()] == [used]


def test_purge_deletes_one_customers_entries_or_all(call_store: CallStore) -> None:
    other_customer = replace(ENTRY, customer_id="8a41d2c7-5e93-4b06-a1f8-2c7d9e3b4f12")
    other_key = entry_for(HOST, CUSTOMER, OTHER_KEY)
    for entry, key in ((ENTRY, API_KEY), (other_customer, API_KEY), (other_key, OTHER_KEY)):
        call_store.write(entry, key, sample_snapshot(2))
    assert call_store.purge(CUSTOMER) == 2
    assert [info.entry for info in call_store.entries()] == [other_customer]
    assert call_store.purge() == 1
    assert call_store.entries() == []


def test_an_older_app_refuses_a_newer_schema_in_one_line(engine_settings: StoreSettings) -> None:
    store = open_store(engine_settings)
    assert store is not None and store.backend.schema_version() == SCHEMA_VERSION
    _set_schema_version(engine_settings, SCHEMA_VERSION + 1)
    store.close()
    with pytest.raises(SchemaTooNew) as refused:
        open_store(engine_settings)
    assert str(refused.value) == (
        f"The call store at {engine_settings.describe()} has schema version {SCHEMA_VERSION + 1}, newer than "
        f"this app's {SCHEMA_VERSION}: upgrade the app, or set CARECYCLE_STORE_URL to another store."
    )


def _set_schema_version(settings: StoreSettings, version: int) -> None:
    statement = "UPDATE store_meta SET value = ? WHERE name = 'schema_version'"
    if settings.engine == "sqlite":
        with sqlite3.connect(settings.location) as connection:
            connection.execute(statement, (str(version),))
    else:
        with psycopg.connect(settings.location) as connection:
            connection.execute(statement.replace("?", "%s"), (str(version),))


def test_a_store_that_cannot_be_reached_answers_empty_and_says_so_in_one_line(tmp_path: Path) -> None:
    store = open_store(StoreSettings("sqlite", str(tmp_path / "store.db")))
    assert store is not None
    store.backend.close()  # as if the file went away under a running server
    assert store.read(ENTRY, API_KEY) is None
    assert not store.write(ENTRY, API_KEY, sample_snapshot(2))
    assert store.problem == "Calls are not being kept: the call store failed (ProgrammingError)."


def test_background_writes_keep_the_latest_snapshot(call_store: CallStore) -> None:
    for n in (5, 6, 7):
        call_store.write_later(ENTRY, API_KEY, lambda n=n: sample_snapshot(n))
    assert call_store.flush(30)
    read = call_store.read(ENTRY, API_KEY)
    assert read is not None and read.calls == 7


def test_the_crawl_lock_makes_a_second_crawl_wait_and_shows_it_the_first_ones_progress(
    call_store: CallStore,
) -> None:
    seen: list[bool] = []
    progress: list[tuple[int, int] | None] = []
    with call_store.crawl_lock(ENTRY, 5) as first_waited:
        assert first_waited is False
        call_store.report_progress(ENTRY, 3, 10)
        second = threading.Thread(target=lambda: seen.append(_take(call_store, progress)))
        second.start()
        time.sleep(0.6)
        assert seen == []
    second.join(5)
    assert seen == [True]
    assert set(progress) == {(3, 10)}


def _take(store: CallStore, progress: list[tuple[int, int] | None]) -> bool:
    with store.crawl_lock(ENTRY, 30, lambda: progress.append(store.progress(ENTRY))) as waited:
        return waited


_PUT_LOOP = textwrap.dedent(
    """
    import sys
    from carecycle_dash.store import StoreSettings, entry_for, open_store
    from tests.support.store import API_KEY, CUSTOMER, HOST, sample_snapshot
    engine, location = sys.argv[1], sys.argv[2]
    store = open_store(StoreSettings(engine, location))
    entry = entry_for(HOST, CUSTOMER, API_KEY)
    snapshots = [sample_snapshot(n) for n in (400, 401)]
    print("writing", flush=True)
    while True:
        for snapshot in snapshots:
            store.write(entry, API_KEY, snapshot)
    """
)


def test_a_write_killed_mid_way_leaves_the_previous_entry_readable(engine_settings: StoreSettings) -> None:
    store = open_store(engine_settings)
    assert store is not None
    store.write(ENTRY, API_KEY, sample_snapshot(40))
    store.close()
    for delay in (0.3, 0.75, 1.2):
        process = subprocess.Popen(
            [sys.executable, "-c", _PUT_LOOP, engine_settings.engine, engine_settings.location],
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        )
        assert process.stdout is not None and process.stdout.readline() == b"writing\n"
        time.sleep(delay)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
        process.stdout.close()
        reopened = open_store(engine_settings)
        assert reopened is not None
        read = reopened.read(ENTRY, API_KEY)
        assert read is not None and read.calls in {40, 400, 401}
        reopened.close()


def test_loaded_at_keeps_its_time_zone(call_store: CallStore) -> None:
    snapshot = snapshot_for(sample_result(1), datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    call_store.write(ENTRY, API_KEY, snapshot)
    read = call_store.read(ENTRY, API_KEY)
    assert read is not None and read.loaded_at == snapshot.loaded_at and read.loaded_at.tzinfo is not None
