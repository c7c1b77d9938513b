"""A minimal stand-in for the calls endpoint on a loopback port: fixed calls of one customer for one key.

For page tests that need data the simulator does not make (hostile values, personal data). The simulator
stays the faithful double; this one only pages, checks the key and the customer.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@contextmanager
def serve_calls(
    customer: str, key: str, calls: Sequence[dict[str, Any]], *, page_links: object = None
) -> Iterator[str]:
    """Serve `calls` of `customer` to `key` on a free loopback port; yield the base URL. `page_links` is what
    `nextPage` and `prevPage` say (null, as the API does on a single page, or a value of the wrong type)."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep the test output quiet
            pass

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if self.headers.get("x-api-key") != key:
                return self._send(401, {"message": "Unauthorized", "code": "UNAUTHORIZED"})
            if url.path != f"/v2/customers/{customer}/calls":
                return self._send(404, {"message": "Not found", "code": "NOT_FOUND"})
            query = parse_qs(url.query)
            page, limit = int(query.get("page", ["1"])[0]), int(query.get("limit", ["50"])[0])
            items = list(calls[(page - 1) * limit : page * limit])
            body = {
                "itemsTotal": len(calls),
                "currentPage": page,
                "nextPage": page_links,
                "prevPage": page_links,
                "items": items,
            }
            return self._send(200, body)

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
