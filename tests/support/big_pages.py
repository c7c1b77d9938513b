"""A stand-in API on a loopback socket whose every answer is one fixed, too-large body: a gzip bomb, or a
plain page far past the limit, with or without a Content-Length. It stops sending when the client hangs up."""

from __future__ import annotations

import struct
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MB = 1024 * 1024
_WRITE = 64 * 1024


@cache
def gzip_bomb(decoded_mb: int = 1024) -> bytes:
    """`decoded_mb` MB of JSON whitespace gzipped to about 1/1000 of it (1 MB on the wire for 1 GiB), a valid
    gzip file. Each MB is deflated once: after a full flush every further MB deflates to the same bytes."""
    block = b" " * MB
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS, 9, zlib.Z_RLE)
    first = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    middle = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    last = packer.compress(block) + packer.flush()
    crc = 0
    for _ in range(decoded_mb):
        crc = zlib.crc32(block, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    trailer = struct.pack("<II", crc, (decoded_mb * MB) & 0xFFFFFFFF)
    return b"".join([header, first, middle * (decoded_mb - 2), last, trailer])


@dataclass
class BigPage:
    """What every GET gets: `size` bytes of `body` repeated (or `body` once when `size` is 0), with these
    headers; `declare_length` sends a Content-Length, else the body ends when the connection closes."""

    body: bytes
    size: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    declare_length: bool = True
    base_url: str = ""
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def total(self) -> int:
        return self.size or len(self.body)

    def chunks(self) -> Iterator[bytes]:
        if not self.size:
            for start in range(0, len(self.body), _WRITE):
                yield self.body[start : start + _WRITE]
            return
        block = (self.body * (_WRITE // len(self.body) + 1))[:_WRITE]
        for start in range(0, self.size, _WRITE):
            yield block[: min(_WRITE, self.size - start)]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        page = self.server.page
        with page.lock:
            page.requests += 1
        self.send_response(200)
        self.send_header("content-type", "application/json")
        for name, value in page.headers.items():
            self.send_header(name, value)
        if page.declare_length:
            self.send_header("content-length", str(page.total()))
        else:
            self.send_header("connection", "close")
            self.close_connection = True
        self.end_headers()
        try:
            for chunk in page.chunks():
                self.wfile.write(chunk)
        except OSError:  # the client hung up at its limit, as it should
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: a test's output is its assertions."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, page: BigPage) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.page = page

    def handle_error(self, request: object, client_address: object) -> None:
        """Quiet: a client that hangs up at its limit is what these tests expect."""


@contextmanager
def serve_big_page(page: BigPage) -> Iterator[BigPage]:
    """Serve `page` on a free loopback port for the `with` block; its `base_url` is set inside."""
    server = _Server(page)
    page.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="big-page-api", daemon=True)
    thread.start()
    try:
        yield page
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
