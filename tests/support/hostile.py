"""Hostile stand-ins for the API on a real loopback socket: one that drips its answer, one that never answers.

Per customer the server behaves as told: "drip" sends the status line and headers at once and then a valid
body one byte every `drip_interval_s` (each read arrives well within any read timeout, so only a deadline on
the whole request ends it); "silent" accepts and reads the request and never answers; "ok" answers at once
with a page of `calls`. Used by the client, CLI and page tests.
"""

from __future__ import annotations

import json
import re
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

Behaviour = Literal["drip", "silent", "ok"]
_CUSTOMER_IN_PATH = re.compile(r"^/v2/customers/([^/]+)/calls$")


@dataclass
class HostileApi:
    """What the server does per customer, and what it saw: requests received, most served at once."""

    default: Behaviour = "drip"
    per_customer: dict[str, Behaviour] = field(default_factory=dict)
    calls: list[dict[str, Any]] = field(default_factory=list)
    drip_interval_s: float = 0.2
    base_url: str = ""
    requests: int = 0
    active: int = 0
    most_active: int = 0
    closed_by_client: int = 0
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def behaviour(self, path: str) -> Behaviour:
        match = _CUSTOMER_IN_PATH.match(path)
        return self.per_customer.get(match.group(1), self.default) if match else "ok"

    def page_body(self, query: str) -> bytes:
        params = parse_qs(query)
        page = int(params.get("page", ["1"])[0])
        limit = int(params.get("limit", ["100"])[0])
        start = (page - 1) * limit
        items = self.calls[start : start + limit]
        more = start + limit < len(self.calls)
        body = {
            "itemsTotal": len(self.calls),
            "currentPage": page,
            "nextPage": page + 1 if more else None,
            "prevPage": page - 1 if page > 1 else None,
            "items": items,
        }
        return json.dumps(body).encode()


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        api = self.server.api
        while not api.stop.is_set():
            request_line = self.rfile.readline()
            if not request_line:
                return
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass  # headers: nothing in them changes what a hostile server does
            target = request_line.split(b" ")[1].decode() if request_line.count(b" ") >= 2 else "/"
            parts = urlsplit(target)
            with api.lock:
                api.requests += 1
                api.active += 1
                api.most_active = max(api.most_active, api.active)
            try:
                if not self._answer(api, api.behaviour(parts.path), parts.query):
                    return
            finally:
                with api.lock:
                    api.active -= 1

    def _answer(self, api: HostileApi, behaviour: Behaviour, query: str) -> bool:
        """Serve one request; False when the connection is over."""
        if behaviour == "silent":
            api.stop.wait()
            return False
        body = api.page_body(query)
        head = f"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n\r\n"
        try:
            self.wfile.write(head.encode())
            if behaviour == "ok":
                self.wfile.write(body)
                return True
            for byte in body:
                if api.stop.wait(api.drip_interval_s):
                    return False
                self.wfile.write(bytes([byte]))
        except OSError:
            with api.lock:
                api.closed_by_client += 1
            return False
        return True


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, api: HostileApi) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.api = api


@contextmanager
def serve_hostile_api(api: HostileApi) -> Iterator[HostileApi]:
    """Run `api` on a free loopback port for the `with` block; its `base_url` is set inside."""
    server = _Server(api)
    api.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="hostile-api", daemon=True)
    thread.start()
    try:
        yield api
    finally:
        api.stop.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
