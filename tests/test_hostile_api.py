"""The pages against a small stand-in API of our own that serves the hostile dataset (values of every wrong
type and shape) as the real API would."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from carecycle_dash.api.safety import safe_http_url
from tests.factories import hostile_calls
from tests.support.apptest import assert_no_exception, run_app

pytestmark = pytest.mark.server

CUSTOMER = "5d3c2b1a-0f9e-4d8c-a7b6-1234567890ab"
KEY = "cc_hostile_stand_in"
CALLS = hostile_calls()


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
def hostile_api(clean_app: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The stand-in API on a loopback port, configured as the app's API; yields the customer ID."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("CARECYCLE_API_KEY", KEY)
    monkeypatch.setenv("CARECYCLE_BASE_URL", f"http://127.0.0.1:{server.server_address[1]}")
    yield CUSTOMER
    server.shutdown()
    server.server_close()


def test_every_page_survives_values_of_the_wrong_type(hostile_api: str) -> None:
    at = run_app(customer_id=hostile_api)
    assert_no_exception(at)
    assert not at.error
    at.sidebar.toggle(key="f_tests").set_value(True).run()
    assert next(m.value for m in at.metric if m.label == "Total calls") == str(len(CALLS))
    at.switch_page("pages/calls.py").run()
    assert_no_exception(at)
    table = at.dataframe[0].value
    assert table["Recording"].isna().any()  # javascript:, data:, a path, a blank: no link
    assert all(safe_http_url(link) for link in table["Recording"].dropna())
    for call in CALLS:
        if isinstance(call.get("id"), str):
            at.query_params["call_id"] = call["id"]
            at.switch_page("pages/call.py").run()
            assert_no_exception(at)
            assert at.title[0].value == "Call detail"
            for element in at.markdown:
                assert "<script" not in element.value and "<img" not in element.value
                assert "](javascript:" not in element.value


def test_impossible_values_are_counted_not_hidden(hostile_api: str) -> None:
    at = run_app(customer_id=hostile_api)
    assert_no_exception(at)
    assert any("impossible" in caption.value for caption in at.caption)
