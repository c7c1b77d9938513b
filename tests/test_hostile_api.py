"""The pages against a small stand-in API of our own that sends values of every wrong type and shape."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.support.servers import REPO_ROOT

CUSTOMER = "5d3c2b1a-0f9e-4d8c-a7b6-1234567890ab"
KEY = "cc_hostile_stand_in"
CALLS: list[dict[str, Any]] = [
    {
        "id": "AAAAAAAA-0000-4000-8000-000000000001",
        "disposition": "<img src=x onerror=alert(1)>",
        "transcript": 42,
        "summary": {"nested": "object"},
        "durationMs": "abc",
        "createdAt": "yesterday",
        "testFlag": "yes",
        "recordingUrl": "javascript:alert(1)",
        "successEvaluation": 7,
        "unknownField": [1, 2, 3],
    },
    {
        "id": "aaaaaaaa-0000-4000-8000-000000000002",
        "disposition": '=HYPERLINK("http://evil.example")',
        "transcript": "AI: [click](javascript:alert(1))\nUser: **bold** <script>alert(2)</script>",
        "summary": None,
        "durationMs": -9007199254740991,
        "createdAt": "2026-11-20T10:00:00Z",
        "direction": "sideways",
        "mainRecordingUrl": "data:audio/wav;base64,AAAA",
        "stereoRecordingUrl": "/etc/passwd",
        "successEvaluation": "",
    },
    {"id": "aaaaaaaa-0000-4000-8000-000000000003"},
    {
        "id": "aaaaaaaa-0000-4000-8000-000000000004",
        "disposition": "Voicemail",
        "durationMs": 12_000,
        "createdAt": "2026-11-21T10:00:00.123+02:00",
        "callerId": "‮+1 555 0100",
        "campaignId": None,
        "isTestNumber": None,
    },
    {"id": None, "disposition": "No id at all", "createdAt": "2026-11-22T10:00:00Z"},
]


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep the test output quiet
        pass

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if self.headers.get("x-api-key") != KEY:
            return self._send(401, {"message": "Unauthorized", "code": "UNAUTHORIZED"})
        if url.path != f"/v2/customers/{CUSTOMER}/calls":
            return self._send(404, {"message": "Not found", "code": "NOT_FOUND"})
        query = parse_qs(url.query)
        page, limit = int(query.get("page", ["1"])[0]), int(query.get("limit", ["50"])[0])
        items = CALLS[(page - 1) * limit : page * limit]
        return self._send(
            200,
            {"itemsTotal": len(CALLS), "currentPage": page, "nextPage": 0, "prevPage": 0, "items": items},
        )

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def hostile_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("CARECYCLE_API_KEY", KEY)
    monkeypatch.setenv("CARECYCLE_BASE_URL", f"http://127.0.0.1:{server.server_address[1]}")
    st.cache_data.clear()
    st.cache_resource.clear()
    yield CUSTOMER
    server.shutdown()
    st.cache_data.clear()
    st.cache_resource.clear()


def run(page: str | None = None, **query: str) -> AppTest:
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60)
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_every_page_survives_values_of_the_wrong_type(hostile_api: str) -> None:
    at = run(customer_id=hostile_api)
    assert not at.error
    at.sidebar.toggle(key="f_tests").set_value(True).run()
    assert next(m.value for m in at.metric if m.label == "Total calls") == "5"
    at = run("pages/calls.py", customer_id=hostile_api)
    table = at.dataframe[0].value
    assert table["Recording"].isna().all()
    for call in CALLS:
        if call["id"]:
            at = run("pages/call.py", customer_id=hostile_api, call_id=call["id"])
            assert at.title[0].value == "Call detail"
            for element in at.markdown:
                assert "<script" not in element.value and "<img" not in element.value
                assert "](javascript:" not in element.value


def test_impossible_values_are_counted_not_hidden(hostile_api: str) -> None:
    at = run(customer_id=hostile_api)
    assert any("impossible" in caption.value for caption in at.caption)
