"""Where the call store lives: CARECYCLE_STORE_URL, the secrets file, the default path, the retention."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from carecycle_dash.store import StoreConfigError, StoreSettings, parse_store_url, resolve_store


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("none", StoreSettings("none")),
        (" NONE ", StoreSettings("none")),
        ("sqlite:///var/lib/carecycle/store.db", StoreSettings("sqlite", "/var/lib/carecycle/store.db")),
        ("sqlite:////var/lib/carecycle/store.db", StoreSettings("sqlite", "/var/lib/carecycle/store.db")),
        (
            "postgresql://u:p@db.internal:5432/calls",
            StoreSettings("postgresql", "postgresql://u:p@db.internal:5432/calls"),
        ),
        (
            "postgres://db/calls?sslmode=verify-full",
            StoreSettings("postgresql", "postgres://db/calls?sslmode=verify-full"),
        ),
    ],
)
def test_store_urls_that_are_understood(url: str, expected: StoreSettings) -> None:
    assert parse_store_url(url) == expected


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("sqlite:///", "'sqlite:///'"),
        ("sqlite://host/x.db", "'sqlite://host/x.db'"),
        ("mysql://x", "'mysql://x'"),
        ("postgresql://user:s3cret@host:notaport/db", "'postgresql://...'"),
        ("postgresql:///db", "'postgresql://...'"),
        ("", "''"),
    ],
)
def test_a_bad_store_url_is_one_line_that_never_shows_a_password(url: str, shown: str) -> None:
    with pytest.raises(StoreConfigError) as bad:
        parse_store_url(url)
    assert bad.value.message == (
        "CARECYCLE_STORE_URL must be sqlite:///ABSOLUTE/PATH.db, postgresql://USER:PASSWORD@HOST:PORT/DB or none, "
        f"not {shown}."
    )


def test_the_environment_wins_over_the_secrets_file_which_wins_over_the_default(tmp_path: Path) -> None:
    secrets = {"carecycle": {"store": {"url": "sqlite:////srv/store.db"}}}
    assert resolve_store(secrets, {"CARECYCLE_STORE_URL": "none"}).engine == "none"
    assert resolve_store(secrets, {}) == StoreSettings("sqlite", "/srv/store.db")
    assert resolve_store({}, {"XDG_CACHE_HOME": str(tmp_path)}) == StoreSettings(
        "sqlite", str(tmp_path / "carecycle-dash" / "store.db")
    )
    assert resolve_store(None, {}) == StoreSettings("sqlite", str(Path.home() / ".cache/carecycle-dash/store.db"))


def test_a_bad_url_in_the_secrets_file_is_named_so() -> None:
    with pytest.raises(StoreConfigError, match=r"^\[carecycle.store\] url must be"):
        resolve_store({"carecycle": {"store": {"url": "file.db"}}}, {})


@pytest.mark.parametrize(("value", "days"), [(None, 30), ("7", 7), ("1.5", 1.5), ("3660", 3660)])
def test_retention_days_come_from_the_environment(value: str | None, days: float) -> None:
    environ = {"CARECYCLE_STORE_URL": "none"} | ({} if value is None else {"CARECYCLE_STORE_RETENTION_DAYS": value})
    assert resolve_store(None, environ).retention == timedelta(days=days)


@pytest.mark.parametrize("value", ["0", "-1", "soon", "nan", "99999"])
def test_a_bad_retention_is_one_line(value: str) -> None:
    with pytest.raises(StoreConfigError) as bad:
        resolve_store(None, {"CARECYCLE_STORE_RETENTION_DAYS": value})
    assert (
        bad.value.message == f"CARECYCLE_STORE_RETENTION_DAYS must be a number of days from 1 to 3660, not {value!r}."
    )


def test_a_postgresql_store_describes_itself_without_its_password() -> None:
    settings = parse_store_url("postgresql://team:s3cret@db.internal:5433/calls?sslmode=require")
    assert settings.describe() == "postgresql://db.internal:5433/calls"
    assert "s3cret" not in repr(settings)


def test_the_secret_comes_from_the_environment_else_the_secrets_file_and_is_never_shown() -> None:
    secrets = {"carecycle": {"store": {"url": "sqlite:///srv/store.db", "secret": "  from the secrets file  "}}}
    assert resolve_store(secrets, {}).secret == "from the secrets file"
    chosen = resolve_store(secrets, {"CARECYCLE_STORE_SECRET": "from the environment"})
    assert chosen.secret == "from the environment"
    assert repr(chosen) == "StoreSettings(engine='sqlite', where='/srv/store.db')"
    assert resolve_store(None, {"CARECYCLE_STORE_SECRET": "  "}).secret is None
