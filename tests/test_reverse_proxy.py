"""deploy/nginx for real: Debian's nginx on loopback ports, TLS with a certificate made here, in front of two
`streamlit run` replicas of the app in demo mode. Headers on every response, sticky replicas by nginx's own
cookie, cached static files, and a whole session (page, WebSocket, CSV download) through it in Chromium."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx
import pytest

from carecycle_dash.data.table import DEFAULT_COLUMNS
from carecycle_dash.simulator import DEMO_CUSTOMERS
from tests.support.proxy import Certificate, RunningNginx, make_certificate, require_nginx, start_nginx
from tests.support.servers import RunningApp, start_app
from tests.support.websocket import open_stream_as

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.server

SECURITY_HEADERS = {
    "content-security-policy": "frame-ancestors 'none'",
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "strict-transport-security": "max-age=63072000; includeSubDomains",
}
REPLICA_COOKIE = re.compile(r"carecycle_replica=([0-9a-f]{32}); Path=/; Secure; HttpOnly; SameSite=Lax")


@dataclass
class Stack:
    nginx: RunningNginx
    replicas: list[RunningApp]
    certificate: Certificate

    def client(self, **options: object) -> httpx.Client:
        return httpx.Client(verify=self.certificate.client_context(), timeout=30.0, **options)

    def replica_addresses(self) -> set[str]:
        return {urlsplit(replica.url).netloc for replica in self.replicas}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    require_nginx()
    replicas = [start_app(tmp_path_factory.mktemp(f"replica-{number}")) for number in (1, 2)]
    try:
        certificate = make_certificate(tmp_path_factory.mktemp("tls"))
        nginx = start_nginx(
            tmp_path_factory.mktemp("nginx"), [urlsplit(replica.url).netloc for replica in replicas], certificate
        )
        try:
            yield Stack(nginx, replicas, certificate)
        finally:
            nginx.stop()
    finally:
        for replica in replicas:
            replica.stop()


def upstreams_by_key(nginx: RunningNginx) -> dict[str, set[str]]:
    """From nginx's access log: which replicas each sticky key's requests reached."""
    reached: dict[str, set[str]] = {}
    for line in nginx.access_lines():
        upstream = re.search(r"upstream=(\S+) replica_key=(\S+)$", line)
        if upstream and upstream[1] != "-":
            reached.setdefault(upstream[2], set()).add(upstream[1])
    return reached


@pytest.mark.parametrize("path", ["/", "/_stcore/health", "/static/no-such-file.js", "/calls"])
def test_every_response_through_nginx_carries_the_security_headers_and_no_server_version(
    stack: Stack, path: str
) -> None:
    with stack.client() as client:
        response = client.get(f"{stack.nginx.https_url}{path}")
    assert {name: response.headers.get(name) for name in SECURITY_HEADERS} == SECURITY_HEADERS
    assert response.headers.get_list("server") == ["nginx"]


def test_the_health_check_answers_ok_through_nginx(stack: Stack) -> None:
    with stack.client() as client:
        response = client.get(f"{stack.nginx.https_url}/_stcore/health")
    assert (response.status_code, response.text) == (200, "ok")


def test_an_error_from_nginx_itself_carries_the_headers(stack: Stack) -> None:
    with stack.client() as client:
        response = client.post(f"{stack.nginx.https_url}/_stcore/upload_file/x/y", content=b"x" * 2_000_000)
    assert response.status_code == 413
    assert {name: response.headers.get(name) for name in SECURITY_HEADERS} == SECURITY_HEADERS


def test_plain_http_is_redirected_to_https_with_the_headers(stack: Stack) -> None:
    with httpx.Client(timeout=30.0) as client:
        response = client.get(f"{stack.nginx.http_url}/calls?customer_id=x")
    https_port = urlsplit(stack.nginx.https_url).port
    assert (response.status_code, response.headers["location"]) == (
        301,
        f"https://localhost:{https_port}/calls?customer_id=x",
    )
    assert response.headers.get("x-frame-options") == "DENY"


def test_static_files_are_kept_a_year_by_browsers_and_served_again_by_nginx_alone(stack: Stack) -> None:
    with stack.client() as client:
        page = client.get(f"{stack.nginx.https_url}/")
        asset = re.search(r'src="\.?(/static/js/[^"]+\.js)"', page.text)
        assert asset is not None, page.text[:500]
        first = client.get(f"{stack.nginx.https_url}{asset[1]}")
        again = client.get(f"{stack.nginx.https_url}{asset[1]}")
    assert (first.status_code, again.status_code, again.content) == (200, 200, first.content)
    assert first.headers["cache-control"] == again.headers["cache-control"] == "max-age=31536000"
    assert {name: again.headers.get(name) for name in SECURITY_HEADERS} == SECURITY_HEADERS
    served = [line for line in stack.nginx.access_lines() if f'"GET {asset[1]}"' in line]
    assert "upstream=-" in served[-1]  # the second time from nginx's cache, no replica asked


def test_a_new_visitor_gets_a_sticky_cookie_and_keeps_its_replica(stack: Stack) -> None:
    with stack.client() as client:
        first = client.get(f"{stack.nginx.https_url}/_stcore/health")
        ours = [line for line in first.headers.get_list("set-cookie") if line.startswith("carecycle_replica=")]
        assert len(ours) == 1
        cookie = REPLICA_COOKIE.fullmatch(ours[0])
        assert cookie is not None, ours
        for _ in range(12):
            again = client.get(f"{stack.nginx.https_url}/_stcore/health")  # the client sends the cookie back
            assert not [line for line in again.headers.get_list("set-cookie") if "carecycle_replica" in line]
    reached = upstreams_by_key(stack.nginx)[cookie[1]]
    assert len(reached) == 1 and reached <= stack.replica_addresses()


def test_different_cookies_spread_over_both_replicas(stack: Stack) -> None:
    keys = [f"{number:032x}" for number in range(1, 41)]
    with stack.client() as client:
        for key in keys:
            for _ in range(2):
                client.get(f"{stack.nginx.https_url}/_stcore/health", headers={"Cookie": f"carecycle_replica={key}"})
    reached = upstreams_by_key(stack.nginx)
    assert all(len(reached[key]) == 1 for key in keys)
    spread = Counter(next(iter(reached[key])) for key in keys)
    assert set(spread) == stack.replica_addresses()
    assert min(spread.values()) >= 8  # 40 keys: neither replica is left with a handful


def open_stream(stack: Stack, name: str) -> str:
    port = urlsplit(stack.nginx.https_url).port
    assert port is not None
    return open_stream_as(port, name, stack.certificate.client_context())


def test_the_websocket_upgrades_through_nginx_and_a_foreign_host_is_still_refused(stack: Stack) -> None:
    assert open_stream(stack, "localhost") == "OPEN"
    assert open_stream(stack, "evil.example") == "403"


@pytest.mark.browser
def test_a_session_works_end_to_end_through_nginx(browser: Browser, stack: Stack, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    from tests.support.browser import assert_no_exception, new_page, open_app

    page = new_page(browser, accept_downloads=True, ignore_https_errors=True, viewport={"width": 1400, "height": 1000})
    page.context.set_default_timeout(30_000)
    sockets: list[str] = []
    page.on("websocket", lambda websocket: sockets.append(websocket.url))
    try:
        small = DEMO_CUSTOMERS["small"]
        open_app(page, f"{stack.nginx.https_url}/calls?customer_id={small}&sort_by=duration&order=desc")
        expect(page).to_have_title("CareCycle Calls")
        expect(page.get_by_role("heading", name="Calls")).to_be_visible()
        assert_no_exception(page)
        assert sockets == [f"wss://localhost:{urlsplit(stack.nginx.https_url).port}/_stcore/stream"]
        button = page.get_by_role("button", name=re.compile(r"Download [\d,]+ calls as CSV"))
        expected_rows = int(re.search(r"Download ([\d,]+) calls", button.inner_text()).group(1).replace(",", ""))
        with page.expect_download() as info:
            button.click()
        target = tmp_path / info.value.suggested_filename
        info.value.save_as(target)
        rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
        assert tuple(rows[0]) == DEFAULT_COLUMNS  # the page's CSV: the table's columns and headers
        assert len(rows) - 1 == expected_rows > 0
        cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
        assert cookies["carecycle_replica"]["secure"] is True and cookies["carecycle_replica"]["httpOnly"] is True
    finally:
        page.context.close()
