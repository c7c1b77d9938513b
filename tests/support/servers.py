"""Start things on loopback for tests: a free port, and the app under `streamlit run` (one way to start a
served app and wait until it is healthy, used by every test that needs one)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[2]
# The developer's own configuration must never leak into a test run.
_SCRUBBED_ENV = ("CARECYCLE_API_KEY", "CARECYCLE_BASE_URL", "CARECYCLE_MASK")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RunningApp:
    """A `streamlit run` subprocess and where to reach it."""

    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def log_size(self) -> int:
        """Where the log ends now: pass it to `log_since` to read only what a test's own steps wrote."""
        return self.log_path.stat().st_size

    def log_since(self, offset: int) -> str:
        """The log written after `offset` (a `log_size`), for a test on an app other tests share."""
        with self.log_path.open("rb") as log:
            log.seek(offset)
            return log.read().decode("utf-8", errors="replace")

    def __enter__(self) -> RunningApp:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_app(
    log_dir: Path,
    *,
    script: str = "app.py",
    env: Mapping[str, str] | None = None,
    args: tuple[str, ...] = (),
    cwd: Path = REPO_ROOT,
    timeout_s: float = 60.0,
) -> RunningApp:
    """Run `streamlit run SCRIPT` on a free loopback port and wait for `/_stcore/health`."""
    port = free_port()
    child_env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED_ENV}
    child_env.update(
        {
            "STREAMLIT_SERVER_HEADLESS": "true",
            "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
            "PYTHONUNBUFFERED": "1",
        }
    )
    child_env.update(env or {})
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        script,
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        *args,
    ]
    log_dir.mkdir(parents=True, exist_ok=True)
    return serve(command, port, cwd=cwd, env=child_env, log_path=log_dir / f"streamlit-{port}.log", timeout_s=timeout_s)


def serve(
    command: list[str], port: int, *, cwd: Path, env: Mapping[str, str], log_path: Path, timeout_s: float = 60.0
) -> RunningApp:
    """Run `command` (a Streamlit server on `port`) with exactly `env`; return once `/_stcore/health` answers."""
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(command, cwd=cwd, env=dict(env), stdout=log_file, stderr=subprocess.STDOUT)
    app = RunningApp(f"http://127.0.0.1:{port}", process, log_path)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}:\n{app.log_text()[-3000:]}")
        try:
            if httpx.get(f"{app.url}/_stcore/health", timeout=1.0).status_code == 200:
                return app
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    app.stop()
    raise RuntimeError(f"streamlit did not become healthy in {timeout_s}s:\n{app.log_text()[-3000:]}")
