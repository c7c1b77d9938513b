"""A throwaway PostgreSQL cluster for the `server` tests: initdb and pg_ctl from Debian's postgresql, run as the
`postgres` user when the tests run as root, in a temporary folder, listening on 127.0.0.1 on a free port
with its socket in that folder. Never the machine's own cluster; stopped and deleted at the end.

Missing PostgreSQL fails the tests in CI and skips them elsewhere. Each test gets a database of its own.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from tests.support.servers import free_port, in_ci

USER = "carecycle"
PASSWORD = "throwaway-pw-9d41"
_databases = itertools.count(1)


def postgres_bin() -> Path | None:
    """The newest installed server's bin folder (Debian: /usr/lib/postgresql/N/bin)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return found[-1].parent if found else None


@dataclass
class PostgresCluster:
    bin_dir: Path
    root: Path
    port: int

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{USER}:{PASSWORD}@127.0.0.1:{self.port}/{database}"

    def run(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """A server program as the cluster's owner."""
        command = [str(self.bin_dir / program), *args]
        as_owner = ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command
        env = {**os.environ, "PGPASSWORD": PASSWORD}
        return subprocess.run(as_owner, check=check, capture_output=True, text=True, timeout=120, env=env)

    def new_database(self) -> str:
        """A fresh, empty database; its URL."""
        name = f"store_test_{os.getpid()}_{next(_databases)}"
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def dump(self, database_url: str, tables: Sequence[str] = ()) -> str:
        """pg_dump's plain SQL of a database (some tables only, when given)."""
        database = database_url.rsplit("/", 1)[1]
        table_args = [arg for table in tables for arg in ("-t", table)]
        args = ("-h", "127.0.0.1", "-p", str(self.port), "-U", USER, "-d", database, *table_args)
        return self.run("pg_dump", *args).stdout

    def stop(self) -> None:
        self.run("pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "stop", check=False)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
        log = str(self.root / "server.log")
        self.run("pg_ctl", "-D", str(self.data_dir), "-o", options, "-l", log, "-w", "-t", "60", "start")


def start_cluster() -> PostgresCluster:
    """initdb (password auth on loopback) and start; PostgresCluster to stop and delete later."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        raise FileNotFoundError("PostgreSQL is not installed (apt-get install postgresql)")
    root = Path(tempfile.mkdtemp(prefix="carecycle-pg-"))
    root.chmod(0o700)
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    cluster = PostgresCluster(bin_dir, root, free_port())
    password_file = root / "pw"
    password_file.write_text(PASSWORD, encoding="utf-8")
    if os.geteuid() == 0:
        shutil.chown(password_file, "postgres", "postgres")
    cluster.run(
        "initdb", "-D", str(cluster.data_dir), "-U", USER, f"--pwfile={password_file}",
        "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--no-instructions",
    )  # fmt: skip
    password_file.unlink()
    cluster.start()
    return cluster


def postgres_cluster_fixture() -> Iterator[PostgresCluster]:
    """Session-wide cluster; fails in CI when PostgreSQL is missing, skips elsewhere."""
    try:
        cluster = start_cluster()
    except (FileNotFoundError, subprocess.CalledProcessError) as error:
        detail = error.stderr if isinstance(error, subprocess.CalledProcessError) else str(error)
        if in_ci():
            pytest.fail(f"PostgreSQL could not be started: {detail}")
        pytest.skip(f"PostgreSQL could not be started: {detail}")
    try:
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(cluster.root, ignore_errors=True)


postgres_cluster = pytest.fixture(scope="session")(postgres_cluster_fixture)


@pytest.fixture
def postgres_url(postgres_cluster: PostgresCluster) -> str:
    """The URL of a database of this test's own in the session's cluster."""
    return postgres_cluster.new_database()
