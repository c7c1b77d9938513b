# ruff: noqa: F811  (the fixtures imported from tests.support are parameters here)
"""`store rekey` and `store copy` with reviews, on both engines: rekey re-seals the notes under the current
secret (the old one given as an argument or on standard input), a wrong old secret changes nothing; copy moves
every entry and every review with its history."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from carecycle_dash import cli
from carecycle_dash.store import StoreSettings, entry_for, open_store
from carecycle_dash.store.reviews import Review, ReviewChange
from tests.support.postgres import postgres_cluster, postgres_url  # noqa: F401
from tests.support.store import (  # noqa: F401
    API_KEY,
    CUSTOMER,
    HOST,
    ReviewsOpener,
    calls_of,
    engine_settings,
    reviews_of,
    sample_snapshot,
    store_settings,
)

OLD_SECRET = "the old instance secret, long enough"
NEW_SECRET = "the new instance secret, long enough"
NOTE = "Call Jane Roe back on 555-867-5309"
T0 = datetime(2025, 3, 4, 10, 0, tzinfo=UTC)


def review(call_id: str, version: int = 1) -> Review:
    return Review(
        host="api.example.org",
        customer="cust-1",
        call_id=call_id,
        reason="Other",
        note=f"{NOTE} ({call_id})",
        assignee="",
        state="open",
        flagged_by="ana@example.org",
        flagged_at=T0,
        handled_by=None,
        handled_at=None,
        last_change=ReviewChange("ana@example.org", T0, f"change {version}", version),
    )


def environ_of(settings: StoreSettings, secret: str) -> dict[str, str]:
    url = f"sqlite://{settings.location}" if settings.engine == "sqlite" else settings.location
    return {"CARECYCLE_STORE_URL": url, "CARECYCLE_STORE_SECRET": secret}


def run(argv: list[str], environ: dict[str, str], stdin: str = "") -> tuple[int, str, str]:
    args = cli.build_parser().parse_args(argv)
    out, err = io.StringIO(), io.StringIO()
    code = args.run(args, environ=environ, stdout=out, stderr=err, stdin=io.StringIO(stdin))
    return code, out.getvalue(), err.getvalue()


def test_rekey_reseals_every_note_under_the_current_secret(
    engine_settings: StoreSettings, reviews_of: ReviewsOpener
) -> None:
    old = reviews_of(engine_settings, OLD_SECRET)
    old.save(review("call-1"), expected_version=0)
    old.save(review("call-2"), expected_version=0)
    assert run(["store", "rekey", "--old-secret", OLD_SECRET], environ_of(engine_settings, NEW_SECRET)) == (
        0,
        "Re-encrypted 2 review notes.\n",
        "",
    )
    rekeyed = reviews_of(engine_settings, NEW_SECRET)
    assert [r.note for r in rekeyed.list("api.example.org", "cust-1")] == [f"{NOTE} (call-1)", f"{NOTE} (call-2)"]
    assert reviews_of(engine_settings, OLD_SECRET).get("api.example.org", "cust-1", "call-1").note is None


def test_rekey_reads_the_old_secret_from_standard_input(
    engine_settings: StoreSettings, reviews_of: ReviewsOpener
) -> None:
    reviews_of(engine_settings, OLD_SECRET).save(review("call-1"), expected_version=0)
    environ = environ_of(engine_settings, NEW_SECRET)
    assert run(["store", "rekey", "--old-secret", "-"], environ, stdin=OLD_SECRET + "\n") == (
        0,
        "Re-encrypted 1 review note.\n",
        "",
    )
    assert reviews_of(engine_settings, NEW_SECRET).get("api.example.org", "cust-1", "call-1").note == f"{NOTE} (call-1)"


def test_rekey_with_a_wrong_old_secret_changes_nothing(
    engine_settings: StoreSettings, reviews_of: ReviewsOpener
) -> None:
    old = reviews_of(engine_settings, OLD_SECRET)
    old.save(review("call-1"), expected_version=0)
    environ = environ_of(engine_settings, NEW_SECRET)
    assert run(["store", "rekey", "--old-secret", "not the old secret at all"], environ) == (
        2,
        "",
        "error: Review notes that open under neither the old secret given nor the current one: 1; nothing was "
        "changed.\n",
    )
    assert run(["store", "rekey", "--old-secret", "-"], environ, stdin="\n") == (
        2,
        "",
        "error: --old-secret is empty.\n",
    )
    assert reviews_of(engine_settings, OLD_SECRET).get("api.example.org", "cust-1", "call-1").note == f"{NOTE} (call-1)"


def test_copy_moves_every_entry_and_every_review_with_its_history(
    engine_settings: StoreSettings, request: pytest.FixtureRequest, reviews_of: ReviewsOpener
) -> None:
    """From a SQLite file (the default a team outgrows) to another file, and to PostgreSQL."""
    source_settings, target_settings = store_settings("sqlite", request, "source"), engine_settings
    calls = open_store(source_settings)
    assert calls is not None
    entry = entry_for(HOST, CUSTOMER, API_KEY)
    calls.write(entry, API_KEY, sample_snapshot(5))
    calls.close()
    source = reviews_of(source_settings, OLD_SECRET)
    source.save(review("call-1"), expected_version=0)
    source.save(replace(review("call-1", 2), state="handled", handled_by="ben", handled_at=T0), expected_version=1)
    source.save(review("call-2"), expected_version=0)
    to = target_settings.location if target_settings.engine == "postgresql" else f"sqlite://{target_settings.location}"
    code, out, err = run(["store", "copy", "--to", to], environ_of(source_settings, OLD_SECRET))
    assert (code, err) == (0, "")
    assert out == f"Copied 1 entry and 2 reviews to {target_settings.describe()}.\n"
    target = reviews_of(target_settings, OLD_SECRET)
    assert target.list("api.example.org", "cust-1") == source.list("api.example.org", "cust-1")
    assert target.history("api.example.org", "cust-1", "call-1") == source.history(
        "api.example.org", "cust-1", "call-1"
    )
    assert [change.what for change in target.history("api.example.org", "cust-1", "call-1")] == ["change 1", "change 2"]
    kept = open_store(target_settings)
    assert kept is not None
    copied = kept.read(entry, API_KEY)
    assert copied is not None and calls_of(copied) == calls_of(sample_snapshot(5))
    kept.close()
    code, out, _ = run(["store", "copy", "--to", to], environ_of(source_settings, OLD_SECRET))
    assert (code, out) == (0, f"Copied 1 entry and 2 reviews to {target_settings.describe()}.\n"), "again: no doubles"
    assert len(target.history("api.example.org", "cust-1", "call-1")) == 2
