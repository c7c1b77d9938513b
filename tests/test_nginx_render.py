"""deploy/nginx/render.py: placeholders filled, a repeated name repeats its line, comments kept, and every
mistake one line with exit 2 before nginx ever reads the file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.servers import REPO_ROOT

RENDER = REPO_ROOT / "deploy" / "nginx" / "render.py"
TEMPLATE = """# upstream for @REPLICA@ (a comment: kept as written)
upstream app {
    server @REPLICA@ max_fails=2;
}
listen @ADDRESS@:@PORT@ ssl;
"""


def render(tmp_path: Path, *assignments: str) -> subprocess.CompletedProcess[str]:
    template = tmp_path / "site.conf"
    template.write_text(TEMPLATE, encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(RENDER), str(template), *assignments], capture_output=True, text=True, timeout=30
    )


def test_a_name_given_twice_repeats_its_line_and_comments_stay_as_written(tmp_path: Path) -> None:
    result = render(tmp_path, "REPLICA=127.0.0.1:8501", "REPLICA=127.0.0.1:8502", "ADDRESS=*", "PORT=443")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == (
        "# upstream for @REPLICA@ (a comment: kept as written)\n"
        "upstream app {\n"
        "    server 127.0.0.1:8501 max_fails=2;\n"
        "    server 127.0.0.1:8502 max_fails=2;\n"
        "}\n"
        "listen *:443 ssl;\n"
    )


@pytest.mark.parametrize(
    ("assignments", "message"),
    [
        (("REPLICA=a:1", "ADDRESS=*"), "no value for PORT"),
        (("REPLICA=a:1", "ADDRESS=*", "PORT=443", "PROT=80"), "the template has no PROT"),
        (
            ("REPLICA=a:1", "ADDRESS=*", "ADDRESS=[::]", "PORT=443", "PORT=8443"),
            "one line repeats for both ADDRESS and PORT",
        ),
        (("REPLICA=a:1; include /etc/passwd", "ADDRESS=*", "PORT=443"), "REPLICA may not hold ; { } or a line break"),
        (("REPLICA", "ADDRESS=*", "PORT=443"), "expected NAME=VALUE, got 'REPLICA'"),
    ],
)
def test_a_mistake_is_one_line_and_exit_2(tmp_path: Path, assignments: tuple[str, ...], message: str) -> None:
    result = render(tmp_path, *assignments)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"error: {tmp_path / 'site.conf'}: {message}\n"
