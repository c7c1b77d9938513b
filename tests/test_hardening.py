"""The served app refuses what a shared instance holding health data must refuse."""

from __future__ import annotations

import tomllib
from urllib.parse import urlsplit

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.support.servers import REPO_ROOT, RunningApp
from tests.support.websocket import open_stream_as as open_stream

CONFIG = tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))


def test_config_keeps_the_hardening_settings() -> None:
    assert CONFIG["server"]["enableXsrfProtection"] is True
    assert CONFIG["server"]["enableCORS"] is True
    assert CONFIG["browser"]["gatherUsageStats"] is False
    assert CONFIG["client"]["showErrorDetails"] == "none"
    assert CONFIG["client"]["toolbarMode"] == "viewer"


def test_the_app_listens_on_loopback_and_allows_only_loopback_names_unless_told_otherwise() -> None:
    assert CONFIG["server"]["address"] == "127.0.0.1"
    assert CONFIG["server"]["allowedHosts"] == ["localhost", "127.0.0.1", "::1"]


def open_stream_as(app: RunningApp, name: str) -> str:
    port = urlsplit(app.url).port
    assert port is not None
    return open_stream(port, name)


@pytest.mark.parametrize("name", ["evil.example", "rebind.127.0.0.1.nip.io", "10.0.0.5"])
def test_a_websocket_with_a_foreign_host_and_its_own_origin_is_refused(demo_app: RunningApp, name: str) -> None:
    assert open_stream_as(demo_app, name) == "403"


@pytest.mark.parametrize("name", ["localhost", "127.0.0.1"])
def test_a_websocket_by_a_loopback_name_is_accepted(demo_app: RunningApp, name: str) -> None:
    assert open_stream_as(demo_app, name) == "OPEN"


def test_other_sites_get_no_cross_origin_access(demo_app: RunningApp) -> None:
    response = httpx.get(f"{demo_app.url}/_stcore/health", headers={"Origin": "https://evil.example"})
    assert response.headers.get("access-control-allow-origin") not in ("*", "https://evil.example")


def test_a_websocket_from_another_origin_is_refused(demo_app: RunningApp) -> None:
    ws_url = demo_app.url.replace("http://", "ws://") + "/_stcore/stream"
    with pytest.raises(InvalidStatus) as refused:
        connect(ws_url, origin="https://evil.example", open_timeout=10).close()
    assert refused.value.response.status_code in (401, 403)


def test_a_websocket_from_the_app_itself_is_accepted(demo_app: RunningApp) -> None:
    ws_url = demo_app.url.replace("http://", "ws://") + "/_stcore/stream"
    with connect(ws_url, origin=demo_app.url, open_timeout=10, subprotocols=["streamlit"]) as socket:
        assert socket.protocol.state.name == "OPEN"
