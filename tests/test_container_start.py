"""The image's start command, run directly on the files the Dockerfile copies (no Docker engine here)."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.support.servers import REPO_ROOT, free_port, serve

if TYPE_CHECKING:
    from playwright.sync_api import Page

DOCKERFILE = REPO_ROOT / "Dockerfile"
DOCKERIGNORE = REPO_ROOT / ".dockerignore"


def dockerfile_instructions(name: str) -> list[str]:
    """The arguments of every instruction `name`, with continued lines joined."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text(encoding="utf-8"))
    return [line.split(None, 1)[1].strip() for line in text.splitlines() if line.split(None, 1)[:1] == [name]]


def copied_sources() -> list[tuple[str, str]]:
    """(source, destination under WORKDIR) of every COPY."""
    pairs = []
    for args in dockerfile_instructions("COPY"):
        source, destination = args.split()
        pairs.append((source.rstrip("/"), destination.removeprefix("./").rstrip("/")))
    return pairs


def exec_form(instruction: str) -> list[str]:
    """The JSON array of the last CMD, or of HEALTHCHECK's CMD."""
    args = dockerfile_instructions(instruction)[-1]
    return json.loads(args[args.index("[") :])


@dataclass
class Served:
    url: str
    root: Path
    log_path: Path
    env: dict[str, str]
    files_at_start: set[Path]


def files_under(root: Path) -> set[Path]:
    return {path.relative_to(root) for path in root.rglob("*")}


def image_layout(root: Path) -> None:
    """Lay out `root` as the image's /app: exactly what the Dockerfile copies, and nothing else."""
    for source, destination in copied_sources():
        src, dest = REPO_ROOT / source, root / (destination or ".")
        if src.is_dir():
            shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            if destination in ("", "."):
                dest = root / src.name
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The Dockerfile's CMD, run in the image's layout on a free loopback port, until healthy."""
    root = tmp_path_factory.mktemp("image") / "app"
    root.mkdir()
    image_layout(root)
    files_at_start = files_under(root)
    home = tmp_path_factory.mktemp("home")
    port = free_port()
    env = {
        # The image's Python is first on PATH there; the test's interpreter plays its part here.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(home),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        "STREAMLIT_SERVER_HEADLESS": "true",
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
        "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none",
        "STREAMLIT_SERVER_PORT": str(port),
        "STREAMLIT_SERVER_ADDRESS": "127.0.0.1",
    }
    with serve(exec_form("CMD"), port, cwd=root, env=env, log_path=home / "serve.log") as app:
        yield Served(app.url, root, app.log_path, env, files_at_start)


def test_the_dockerfile_runs_the_start_script_and_copies_what_the_app_needs() -> None:
    assert exec_form("CMD") == ["sh", "scripts/serve"]
    sources = [source for source, _ in copied_sources()]
    assert {"app.py", "carecycle_dash", ".streamlit/config.toml", "scripts/serve", "requirements.txt"} <= set(sources)
    for source in sources:
        assert (REPO_ROOT / source).exists(), f"the Dockerfile copies {source}, which does not exist"
    for page in re.findall(r"st\.Page\(\s*\"([^\"]+\.py)\"", (REPO_ROOT / "app.py").read_text(encoding="utf-8")):
        assert any(page == source or page.startswith(source + "/") for source in sources), f"{page} is not copied"
    assert not any("secrets" in source for source in sources)


def test_dockerignore_lets_in_every_copied_source_and_keeps_secrets_out() -> None:
    lines = [line.strip() for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()]
    assert lines[lines.index("**")] == "**"
    for source, _ in copied_sources():
        assert f"!{source}" in lines, f".dockerignore keeps {source} out of the build context"
    assert ".streamlit/secrets.toml" in lines


def test_the_image_runs_as_a_non_root_user_on_a_slim_python() -> None:
    assert dockerfile_instructions("FROM") == ["python:3.11-slim"]
    assert dockerfile_instructions("USER") == ["app"]
    assert dockerfile_instructions("EXPOSE") == ["8501"]


@pytest.mark.server
def test_the_start_command_answers_health_on_its_port(served: Served) -> None:
    response = httpx.get(f"{served.url}/_stcore/health", timeout=5.0)
    assert response.status_code == 200
    assert response.text == "ok"


@pytest.mark.server
def test_the_images_health_check_passes_against_the_running_app(served: Served) -> None:
    result = subprocess.run(exec_form("HEALTHCHECK"), env=served.env, capture_output=True, timeout=30, check=False)
    assert result.returncode == 0, result.stderr.decode(errors="replace")


@pytest.mark.server
def test_the_health_check_fails_when_nothing_listens(served: Served) -> None:
    env = {**served.env, "STREAMLIT_SERVER_PORT": str(free_port())}
    result = subprocess.run(exec_form("HEALTHCHECK"), env=env, capture_output=True, timeout=30, check=False)
    assert result.returncode != 0


@pytest.mark.browser
def test_the_app_served_from_the_image_layout_draws_the_demo_and_writes_nothing(page: Page, served: Served) -> None:
    from playwright.sync_api import expect

    from tests.support.browser import assert_no_exception, open_app

    open_app(page, served.url)
    expect(page).to_have_title("CareCycle Calls")
    expect(page.get_by_text("Total calls")).to_be_visible()
    assert_no_exception(page)
    assert "Traceback" not in served.log_path.read_text(encoding="utf-8", errors="replace")
    # Read-only friendly: serving a session wrote nothing next to the code, and in HOME only our log and the
    # call store's default place (~/.cache/carecycle-dash), owner-only.
    assert files_under(served.root) == served.files_at_start
    home = served.log_path.parent
    store_dir = Path(".cache/carecycle-dash")
    written = files_under(home) - {Path("serve.log"), Path(".cache")}
    assert {store_dir, store_dir / "store.db", store_dir / "store.secret"} <= written
    assert all(path == store_dir or path.parent == store_dir for path in written), written
    assert stat.S_IMODE((home / store_dir).stat().st_mode) == 0o700
    assert {stat.S_IMODE((home / path).stat().st_mode) for path in written - {store_dir}} == {0o600}


UNSET_HOSTS_LINE = (
    "carecycle-dash: STREAMLIT_SERVER_ALLOWED_HOSTS is not set, so only localhost, 127.0.0.1 and ::1 may open a "
    "session; set it to the names people use to reach this app (space-separated).\n"
)


def run_serve_with_a_stand_in_python(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """scripts/serve with a `python` first on PATH that prints its arguments: what the start would run."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    stand_in = bin_dir / "python"
    stand_in.write_text("#!/bin/sh\nprintf '%s\\n' \"$@\"\n")
    stand_in.chmod(0o755)
    return subprocess.run(
        ["sh", str(REPO_ROOT / "scripts" / "serve")],
        env={"PATH": f"{bin_dir}{os.pathsep}/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )


def test_the_start_binds_every_interface_and_says_when_no_public_name_is_allowed(tmp_path: Path) -> None:
    result = run_serve_with_a_stand_in_python(tmp_path)
    assert result.stdout.splitlines() == [
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.port=8501",
        "--server.address=0.0.0.0",
    ]
    assert result.stderr == UNSET_HOSTS_LINE


def test_the_start_is_quiet_when_the_public_names_are_given(tmp_path: Path) -> None:
    result = run_serve_with_a_stand_in_python(tmp_path, STREAMLIT_SERVER_ALLOWED_HOSTS="dash.example.org")
    assert result.stderr == ""


@pytest.mark.server
def test_the_real_start_says_once_that_no_public_name_is_allowed(served: Served) -> None:
    assert served.log_path.read_text(encoding="utf-8").count(UNSET_HOSTS_LINE) == 1


def test_the_image_binds_every_interface_explicitly() -> None:
    assert "STREAMLIT_SERVER_ADDRESS=0.0.0.0" in dockerfile_instructions("ENV")[0].split()
