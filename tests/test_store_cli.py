"""The commands through the call store: a scheduled export costs only the re-check window and writes the same
CSV, `--no-store` keeps nothing, `store list` and `store purge` without a key, `store copy` to PostgreSQL."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from carecycle_dash import cli
from carecycle_dash.api.paging import pages_for
from carecycle_dash.simulator import DEMO_API_KEY, DEMO_CUSTOMERS, RunningSimulator
from carecycle_dash.store import StoreSettings, entry_for, open_store
from tests.support.postgres import postgres_cluster, postgres_url  # noqa: F401
from tests.support.store import API_KEY, HOST, calls_of, sample_result, sample_snapshot

pytestmark = pytest.mark.server
STANDARD = DEMO_CUSTOMERS["standard"]
SMALL = DEMO_CUSTOMERS["small"]


def environ_for(simulator: RunningSimulator, store: Path | str) -> dict[str, str]:
    url = store if isinstance(store, str) else f"sqlite://{store}"
    return {"CARECYCLE_API_KEY": DEMO_API_KEY, "CARECYCLE_BASE_URL": simulator.base_url, "CARECYCLE_STORE_URL": url}


def run(argv: list[str], environ: dict[str, str]) -> tuple[int, str, str]:
    args = cli.build_parser().parse_args(argv)
    out, err = io.StringIO(), io.StringIO()
    options = {"stdout": out} if argv[0] in {"store", "compliance"} else {}
    code = args.run(args, environ=environ, stderr=err, **options)
    return code, out.getvalue(), err.getvalue()


def export(tmp_path: Path, environ: dict[str, str], name: str, *extra: str) -> tuple[int, bytes, str]:
    output = tmp_path / name
    code, _, err = run(["export", "--customer-id", STANDARD, "--output", str(output), *extra], environ)
    return code, output.read_bytes() if output.exists() else b"", err


def test_a_second_export_reads_the_store_and_asks_only_for_the_newest_page(
    tmp_path: Path, simulator: RunningSimulator
) -> None:
    environ = environ_for(simulator, tmp_path / "store.db")
    before = simulator.stats.page_requests
    code, first, err = export(tmp_path, environ, "first.csv")
    assert code == 0, err
    assert simulator.stats.page_requests - before == pages_for(2487, 100)
    code, second, err = export(tmp_path, environ, "second.csv")
    assert code == 0, err
    assert simulator.stats.page_requests - before == pages_for(2487, 100) + 1
    _, fresh, _ = export(tmp_path, environ, "fresh.csv", "--no-store")
    assert second == first == fresh  # the API's fields and values exactly


def test_no_store_keeps_nothing(tmp_path: Path, simulator: RunningSimulator) -> None:
    environ = environ_for(simulator, tmp_path / "store.db")
    code, _, err = export(tmp_path, environ, "calls.csv", "--no-store")
    assert code == 0, err
    assert not (tmp_path / "store.db").exists()


def test_a_sorted_or_since_export_through_the_store_equals_one_without(
    tmp_path: Path, simulator: RunningSimulator
) -> None:
    environ = environ_for(simulator, tmp_path / "store.db")
    export(tmp_path, environ, "warm.csv")
    options = ("--since", "2026-11-01", "--sort-by", "duration", "--order", "asc")
    code, kept, err = export(tmp_path, environ, "kept.csv", *options)
    assert code == 0, err
    _, fresh, _ = export(tmp_path, environ, "fresh.csv", *options, "--no-store")
    assert kept == fresh


def test_report_and_compliance_use_the_store_too(tmp_path: Path, simulator: RunningSimulator) -> None:
    environ = environ_for(simulator, tmp_path / "store.db")
    export(tmp_path, environ, "warm.csv")
    before = simulator.stats.page_requests
    code, _, err = run(["report", "--customer-id", STANDARD, "--output", str(tmp_path / "r.html")], environ)
    assert code == 0, err
    code, _, err = run(["compliance", "--customer-id", STANDARD], environ)
    assert code == 0, err
    assert simulator.stats.page_requests - before == 2


def test_store_list_and_purge_need_no_key(tmp_path: Path, simulator: RunningSimulator) -> None:
    environ = environ_for(simulator, tmp_path / "store.db")
    export(tmp_path, environ, "calls.csv")
    run(["export", "--customer-id", SMALL, "--output", str(tmp_path / "small.csv")], environ)
    no_key = {"CARECYCLE_STORE_URL": environ["CARECYCLE_STORE_URL"]}
    code, out, _ = run(["store", "list"], no_key)
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["host", "customer", "key", "calls", "size", "last", "use", "(UTC)"]
    host = simulator.base_url
    fingerprint = entry_for(host, STANDARD, DEMO_API_KEY).key_fingerprint
    assert sorted(line.split()[:4] for line in lines[1:]) == sorted(
        [[host, STANDARD, fingerprint, "2,487"], [host, SMALL, fingerprint, "43"]]
    )
    assert run(["store", "purge"], no_key)[0] == 2
    assert run(["store", "purge", "--customer-id", SMALL], no_key)[:2] == (
        0,
        f"Deleted 1 entry from {tmp_path / 'store.db'}.\n",
    )
    assert run(["store", "purge", "--all"], no_key)[:2] == (0, f"Deleted 1 entry from {tmp_path / 'store.db'}.\n")
    assert run(["store", "list"], no_key)[1] == f"The call store at {tmp_path / 'store.db'} keeps no calls.\n"


def test_store_commands_on_a_bad_url_are_one_line_and_exit_2() -> None:
    code, _, err = run(["store", "list"], {"CARECYCLE_STORE_URL": "nope"})
    assert code == 2
    assert err == (
        "error: CARECYCLE_STORE_URL must be sqlite:///ABSOLUTE/PATH.db, postgresql://USER:PASSWORD@HOST:PORT/DB "
        "or none, not 'nope'.\n"
    )


def test_store_copy_moves_every_entry_sealed_to_postgresql(tmp_path: Path, postgres_url: str) -> None:  # noqa: F811
    source = open_store(StoreSettings("sqlite", str(tmp_path / "store.db")))
    assert source is not None
    entry = entry_for(HOST, STANDARD, API_KEY)
    source.write(entry, API_KEY, sample_snapshot(30))
    source.close()
    environ = {"CARECYCLE_STORE_URL": f"sqlite://{tmp_path / 'store.db'}"}
    code, out, err = run(["store", "copy", "--to", postgres_url], environ)
    assert (code, err) == (0, "")
    assert out.startswith("Copied 1 entry and 0 reviews to postgresql://127.0.0.1:")
    target = open_store(StoreSettings("postgresql", postgres_url))
    assert target is not None
    copied = target.read(entry, API_KEY)
    assert copied is not None and calls_of(copied) == sample_result(30).calls
    target.close()
