"""`scripts/team`: one command starts PostgreSQL, two replicas and nginx on this machine, and stops them all
(no process left); run for real in a throwaway folder on free loopback ports."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.proxy import require_nginx
from tests.support.servers import REPO_ROOT, free_port

pytestmark = pytest.mark.server
TEAM = REPO_ROOT / "scripts" / "team"


@pytest.fixture
def team_env() -> Iterator[dict[str, str]]:
    """A state folder PostgreSQL's own user may pass through (as root it runs as `postgres`), and free ports."""
    require_nginx()
    with tempfile.TemporaryDirectory(prefix="carecycle-team-") as folder:
        os.chmod(folder, 0o755)  # noqa: S103 (postgres passes through; nothing secret at this level)
        env = {
            **{key: value for key, value in os.environ.items() if not key.startswith("CARECYCLE_")},
            "CARECYCLE_TEAM_DIR": str(Path(folder) / "team"),
            "CARECYCLE_TEAM_HTTPS_PORT": str(free_port()),
            "CARECYCLE_TEAM_HTTP_PORT": str(free_port()),
            "CARECYCLE_TEAM_REPLICA_PORTS": f"{free_port()} {free_port()}",
            "CARECYCLE_TEAM_PG_PORT": str(free_port()),
            "CARECYCLE_TEAM_PYTHON_BIN": str(Path(sys.executable).parent),
        }
        try:
            yield env
        finally:
            subprocess.run(["bash", str(TEAM), "stop"], env=env, capture_output=True, timeout=120, check=False)


def team(env: dict[str, str], command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(TEAM), command], env=env, capture_output=True, text=True, timeout=300)


def test_start_brings_up_the_whole_team_behind_nginx_and_stop_leaves_no_process(team_env: dict[str, str]) -> None:
    started = team(team_env, "start")
    assert started.returncode == 0, started.stderr
    state = Path(team_env["CARECYCLE_TEAM_DIR"])
    https_port = team_env["CARECYCLE_TEAM_HTTPS_PORT"]
    assert started.stdout.splitlines() == [
        f"Team instance at https://localhost:{https_port}/ (certificate {state}/tls/certificate.pem, self-signed).",
        "No CARECYCLE_API_KEY: the replicas show the demo simulator.",
        f"Logs and data in {state}; stop it with: scripts/team stop",
    ]
    status = team(team_env, "status")
    assert status.returncode == 0
    assert [line.split(":")[0] for line in status.stdout.splitlines()] == [
        "nginx",
        "replica-1",
        "replica-2",
        "postgresql",
    ]
    store_url = (state / "store-url").read_text().strip()
    assert store_url.startswith("postgresql://carecycle:") and store_url.endswith(
        f"@127.0.0.1:{team_env['CARECYCLE_TEAM_PG_PORT']}/carecycle"
    )
    assert oct((state / "store-url").stat().st_mode & 0o777) == "0o600"
    response = httpx.get(
        f"https://localhost:{https_port}/_stcore/health", verify=str(state / "tls" / "certificate.pem"), timeout=30
    )
    assert (response.status_code, response.text, response.headers["x-frame-options"]) == (200, "ok", "DENY")
    pids = [int((state / "run" / f"replica-{n}.pid").read_text()) for n in (1, 2)]
    pids.append(int((state / "nginx" / "nginx.pid").read_text()))
    pids.append(int((state / "postgresql" / "data" / "postmaster.pid").read_text().splitlines()[0]))

    stopped = team(team_env, "stop")
    assert stopped.returncode == 0, stopped.stderr
    assert stopped.stdout == f"Team instance stopped (data kept in {state}).\n"
    assert team(team_env, "status").stdout.splitlines() == ["nginx: stopped", "postgresql: stopped"]
    assert living(pids, within_s=10.0) == []


def living(pids: list[int], within_s: float) -> list[int]:
    """Those of `pids` still running (not a zombie) after up to `within_s`: a process may outlive its pid file
    by a moment."""
    deadline = time.monotonic() + within_s
    while True:
        alive = [pid for pid in pids if _state(pid) not in ("", "Z")]
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.1)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return ""
