"""The call store: loaded calls and reviews kept encrypted in SQLite or PostgreSQL; nothing else knows SQL.
`open_store(resolve_store(secrets, environ))` gives a `CallStore` (None for `none`): `write` seals a
`Snapshot` under `entry_for(base_url, customer_id, api_key)`, `read` opens it (None when absent, unreadable
or failing), `forget`, `entries` and `purge` manage entries. The SQL is in backend.py, sqlite.py and
postgres.py only; the encryption in crypto.py.
"""

from carecycle_dash.store.backend import SCHEMA_VERSION, EntryId, EntryInfo, SchemaTooNew, StoreError
from carecycle_dash.store.calls import DEMO_HOST, CallStore, entry_for, open_store
from carecycle_dash.store.codec import Snapshot
from carecycle_dash.store.settings import (
    ENV_RETENTION_DAYS,
    ENV_STORE_URL,
    StoreConfigError,
    StoreSettings,
    parse_store_url,
    resolve_store,
)

__all__ = [
    "DEMO_HOST",
    "ENV_RETENTION_DAYS",
    "ENV_STORE_URL",
    "SCHEMA_VERSION",
    "CallStore",
    "EntryId",
    "EntryInfo",
    "SchemaTooNew",
    "Snapshot",
    "StoreConfigError",
    "StoreError",
    "StoreSettings",
    "entry_for",
    "open_store",
    "parse_store_url",
    "resolve_store",
]
