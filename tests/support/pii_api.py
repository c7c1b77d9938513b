"""Calls full of (fictional) personal data, and a stand-in API on loopback that serves them.

`PERSONAL_VALUES` are the strings no masked viewer may ever receive, in any form the app sends them: page
HTML, websocket frames, CSV files. The calls also carry a recording, so tests can check it is withheld.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.factories import make_call

CUSTOMER = "6e1f2d3c-4b5a-4697-8877-665544332211"
KEY = "cc_pii_stand_in"
CALLER = "+15558675309"
CALLER_LAST_FOUR = "5309"
PERSONAL_VALUES = (
    "8675309",  # the caller's number without its area code, as digits
    "(555) 201-7788",
    "jane.doe@example.com",
    "123-45-6789",
    "April 12, 1956",
    "1EG4-TE5-MK73",
    "4111 1111 1111 1111",
    "Jane Doe",
    "recordings.example.org/secret",
)
CALLS: list[dict[str, Any]] = [
    make_call(
        id="aaaaaaaa-1111-4000-8000-000000000001",
        callerId=CALLER,
        summary="The caller (jane.doe@example.com) asked us to call (555) 201-7788; SSN 123-45-6789 on file.",
        transcript=(
            "AI: Hello, may I have your date of birth?\n"
            "User: April 12, 1956. My name is Jane Doe.\n"
            "AI: And your Medicare number?\n"
            "User: 1EG4-TE5-MK73. Can I pay with my card, 4111 1111 1111 1111?\n"
            "AI: I'm sorry, I cannot take payments. Your appointment is on Tuesday, December 1 at 10:30 AM."
        ),
        sourceName="Referral from jane.doe@example.com",
        recordingUrl="https://recordings.example.org/secret/mono.wav",
        mainRecordingUrl="https://recordings.example.org/secret/main.wav",
        stereoRecordingUrl="https://recordings.example.org/secret/stereo.wav",
        createdAt="2026-11-20T15:30:00Z",
    ),
    make_call(id="aaaaaaaa-1111-4000-8000-000000000002", createdAt="2026-11-19T15:30:00Z"),
]
CALL_ID = CALLS[0]["id"]


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
        body = {"itemsTotal": len(CALLS), "currentPage": page, "nextPage": None, "prevPage": None, "items": items}
        return self._send(200, body)

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@contextmanager
def pii_api() -> Iterator[str]:
    """Serve CALLS for CUSTOMER to KEY on a free loopback port; yield the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def leaked(data: bytes | str) -> list[str]:
    """The personal values found in `data` (page text, frames, a file)."""
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    return [value for value in PERSONAL_VALUES if value in text]
