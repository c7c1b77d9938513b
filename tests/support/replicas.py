"""A team's layout for real, for the replica tests: two `streamlit run` replicas of the app sharing one call
store in a throwaway PostgreSQL database, both reading a counting simulator on loopback with the same key, as
a deployment's replicas read the real API. The store's tables are read directly to wait for a kept entry."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

from carecycle_dash.simulator import DEMO_API_KEY, RunningSimulator
from carecycle_dash.store.settings import ENV_STORE_URL
from tests.support.servers import RunningApp, start_app


@dataclass
class Replicas:
    """Two replicas on one store and one simulator; `apps[0]` is replica 1."""

    apps: list[RunningApp]
    store_url: str
    simulator: RunningSimulator
    env: dict[str, str]
    log_dir: Path

    def url(self, replica: int, customer_id: str) -> str:
        """The dashboard of `customer_id` on replica 1 or 2."""
        return f"{self.apps[replica - 1].url}/?customer_id={customer_id}"

    def page_requests(self) -> int:
        """Pages of calls the API has answered so far, to both replicas together."""
        return self.simulator.stats.page_requests

    def restart(self, replica: int) -> RunningApp:
        """Stop replica 1 or 2 and start it again: a process that holds nothing in memory."""
        self.apps[replica - 1].stop()
        self.apps[replica - 1] = start_app(self.log_dir / f"replica-{replica}", env=self.env)
        return self.apps[replica - 1]

    def stop(self) -> None:
        for app in self.apps:
            app.stop()


def start_replicas(log_dir: Path, store_url: str, simulator: RunningSimulator, **env: str) -> Replicas:
    """Two replicas with the same CARECYCLE_STORE_URL, key and base URL (and `env`); stopped together."""
    shared = {
        ENV_STORE_URL: store_url,
        "CARECYCLE_API_KEY": DEMO_API_KEY,
        "CARECYCLE_BASE_URL": simulator.base_url,
        **env,
    }
    apps: list[RunningApp] = []
    try:
        for number in (1, 2):
            apps.append(start_app(log_dir / f"replica-{number}", env=shared))
    except BaseException:
        for app in apps:
            app.stop()
        raise
    return Replicas(apps, store_url, simulator, shared, log_dir)


def kept_calls(store_url: str, customer_id: str) -> int:
    """How many calls the store keeps for `customer_id` (0 when it keeps no entry, or has no tables yet)."""
    with psycopg.connect(store_url, autocommit=True) as connection:
        exists = connection.execute("SELECT to_regclass('call_entries') IS NOT NULL").fetchone()
        if exists is None or not exists[0]:
            return 0
        row = connection.execute(
            "SELECT COALESCE(SUM(calls), 0) FROM call_entries WHERE customer_id = %s", (customer_id,)
        ).fetchone()
    return int(row[0]) if row is not None else 0


def wait_until_kept(store_url: str, customer_id: str, calls: int, timeout_s: float = 60.0) -> None:
    """Wait until the store keeps `calls` calls for `customer_id` (a replica writes off the page's path)."""
    deadline = time.monotonic() + timeout_s
    while (found := kept_calls(store_url, customer_id)) != calls:
        if time.monotonic() > deadline:
            raise TimeoutError(f"the store keeps {found} calls of {customer_id}, not {calls}, after {timeout_s}s")
        time.sleep(0.2)
