"""Where the call store lives and how long it keeps entries, named like the settings people write.

`CARECYCLE_STORE_URL` (else `[carecycle.store] url` in the secrets file) is `sqlite:///ABSOLUTE/PATH.db`,
`postgresql://...` or `none`; unset means the embedded default, `$XDG_CACHE_HOME/carecycle-dash/store.db`
(`~/.cache/...` when XDG_CACHE_HOME is unset). `CARECYCLE_STORE_RETENTION_DAYS` (default 30): entries
unused that long are deleted. `CARECYCLE_STORE_SECRET` (else `[carecycle.store] secret`): the instance secret
review notes are sealed under (store/reviews.py says what happens without one). `CARECYCLE_STORE_RETRY_S`
(default 30): how long a store that failed is left alone before it is tried again.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Final, Literal
from urllib.parse import urlsplit

from carecycle_dash.api.errors import InvalidInputError

ENV_STORE_URL: Final = "CARECYCLE_STORE_URL"
ENV_RETENTION_DAYS: Final = "CARECYCLE_STORE_RETENTION_DAYS"
ENV_SECRET: Final = "CARECYCLE_STORE_SECRET"  # noqa: S105 (a setting's name)
ENV_RETRY_S: Final = "CARECYCLE_STORE_RETRY_S"
SECRETS_SECTION: Final = "carecycle"
STORE_SECTION: Final = "store"  # under [carecycle], i.e. [carecycle.store]
SECRETS_URL: Final = "url"
SECRETS_SECRET: Final = "secret"  # noqa: S105 ([carecycle.store] secret: a setting's name)
DEFAULT_RETENTION: Final = timedelta(days=30)
MAX_RETENTION_DAYS: Final = 3660
DEFAULT_RETRY_AFTER_S: Final = 30.0
"""After a failure, the store is left alone this long (answering empty at once), so a database that is down
costs a page nothing; then the next verb tries again, and the store recovers by itself."""
MAX_RETRY_AFTER_S: Final = 3600
NO_STORE: Final = "none"

Engine = Literal["sqlite", "postgresql", "none"]


class StoreConfigError(InvalidInputError):
    """The store's URL or retention cannot be used; the message names the setting, never a password."""


@dataclass(frozen=True)
class StoreSettings:
    """Which engine, where (a file path for SQLite, the URL for PostgreSQL), the retention, the pause after a
    failure, and the instance secret when one is configured (None: see store/reviews.py `instance_secret`)."""

    engine: Engine
    location: str = ""
    retention: timedelta = DEFAULT_RETENTION
    retry_after_s: float = DEFAULT_RETRY_AFTER_S
    secret: str | None = None

    def __repr__(self) -> str:  # a PostgreSQL URL may hold a password
        return f"StoreSettings(engine={self.engine!r}, where={self.describe()!r})"

    def describe(self) -> str:
        """Where the store is, for people: the file, or the database's host and name (never a password)."""
        if self.engine == "postgresql":
            parts = urlsplit(self.location)
            port = f":{parts.port}" if parts.port else ""
            return f"postgresql://{parts.hostname or 'localhost'}{port}{parts.path}"
        return self.location or NO_STORE


def default_path(environ: Mapping[str, str]) -> Path:
    """$XDG_CACHE_HOME/carecycle-dash/store.db, with ~/.cache when XDG_CACHE_HOME is unset or relative."""
    cache = environ.get("XDG_CACHE_HOME", "").strip()
    base = Path(cache) if cache and Path(cache).is_absolute() else Path.home() / ".cache"
    return base / "carecycle-dash" / "store.db"


def parse_store_url(url: str, source: str = ENV_STORE_URL) -> StoreSettings:
    """`sqlite:///ABSOLUTE/PATH.db`, `postgresql://...` or `none`; StoreConfigError in one line otherwise."""
    text = url.strip()
    if text.lower() == NO_STORE:
        return StoreSettings("none")
    scheme = text.split(":", 1)[0].lower() if ":" in text else ""
    if scheme == "sqlite" and text.startswith("sqlite:///"):
        path = "/" + text[len("sqlite://") :].lstrip("/")  # sqlite:///var/x.db and sqlite:////var/x.db alike
        if len(path) > 1 and not path.endswith("/") and "\x00" not in path:
            return StoreSettings("sqlite", path)
    elif scheme in {"postgresql", "postgres"} and _names_a_server(text):
        return StoreSettings("postgresql", text)
    shown = scheme + "://..." if scheme in {"postgresql", "postgres"} else text[:60]
    shown = shown.encode("unicode_escape").decode("ascii")
    raise StoreConfigError(
        f"{source} must be sqlite:///ABSOLUTE/PATH.db, postgresql://USER:PASSWORD@HOST:PORT/DB or none, not {shown!r}."
    )


def _names_a_server(url: str) -> bool:
    """Whether a PostgreSQL URL can be parsed and names a host (in its authority or as `?host=`)."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises on a port that is not a number
    except ValueError:
        return False
    return bool(parts.hostname) or "host=" in parts.query


def retention(environ: Mapping[str, str]) -> timedelta:
    """CARECYCLE_STORE_RETENTION_DAYS as a time span (a number of days, at least 1); default 30 days."""
    days = _number(environ, ENV_RETENTION_DAYS, "days", 1, MAX_RETENTION_DAYS)
    return DEFAULT_RETENTION if days is None else timedelta(days=days)


def retry_after_s(environ: Mapping[str, str]) -> float:
    """CARECYCLE_STORE_RETRY_S (seconds, at least 1); default 30."""
    seconds = _number(environ, ENV_RETRY_S, "seconds", 1, MAX_RETRY_AFTER_S)
    return DEFAULT_RETRY_AFTER_S if seconds is None else seconds


def _number(environ: Mapping[str, str], name: str, unit: str, low: float, high: float) -> float | None:
    """The setting `name` as a number from `low` to `high`; None when unset; StoreConfigError otherwise."""
    text = environ.get(name, "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not low <= value <= high:
        raise StoreConfigError(f"{name} must be a number of {unit} from {low} to {high}, not {text[:20]!r}.")
    return value


def resolve_store(secrets: Mapping[str, Any] | None, environ: Mapping[str, str]) -> StoreSettings:
    """The environment, else the secrets file, else the embedded default; StoreConfigError for a bad value.
    The secret likewise: the environment, else the secrets file, else None."""
    section = (secrets or {}).get(SECRETS_SECTION)
    store_section = section.get(STORE_SECTION) if isinstance(section, Mapping) else None
    store_section = store_section if isinstance(store_section, Mapping) else {}
    from_secrets = store_section.get(SECRETS_URL)
    secret_in_file = store_section.get(SECRETS_SECRET)
    secret = environ.get(ENV_SECRET, "").strip() or (str(secret_in_file).strip() if secret_in_file else "")
    days = retention(environ)
    if env_url := environ.get(ENV_STORE_URL, "").strip():
        chosen = parse_store_url(env_url, ENV_STORE_URL)
    elif isinstance(from_secrets, str) and from_secrets.strip():
        chosen = parse_store_url(from_secrets, "[carecycle.store] url")
    else:
        chosen = StoreSettings("sqlite", str(default_path(environ)))
    return StoreSettings(chosen.engine, chosen.location, days, retry_after_s(environ), secret or None)
