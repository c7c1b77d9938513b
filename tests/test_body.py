"""Every response body within the page size limit, as received and as decoded (api/body.py through the client):
in memory with httpx.MockTransport, then a gzip bomb and an oversized page on real loopback sockets against the
client and `python -m carecycle_dash export`, with peak memory measured."""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
import tracemalloc
import zlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from carecycle_dash import cli
from carecycle_dash.api.client import CallsClient
from carecycle_dash.api.errors import NetworkError, ResponseTooLargeError, UnreadableResponseError
from carecycle_dash.api.retry import RetryPolicy
from carecycle_dash.cli import export as export_cli
from tests.factories import make_call
from tests.support.big_pages import MB, BigPage, gzip_bomb, serve_big_page
from tests.support.fake_api import API_KEY, BASE_URL, CUSTOMER_ID
from tests.support.servers import REPO_ROOT

PIECE = 64 * 1024


def too_large(limit_mb: int, page: int = 1) -> str:
    return (
        f"Page {page} of customer {CUSTOMER_ID} is larger than the {limit_mb} MB limit (CARECYCLE_MAX_PAGE_MB); "
        "not loaded."
    )


class Pieces(httpx.SyncByteStream):
    """A body that arrives in pieces, counting how many the client took; with `cut_after`, each answer stops
    with a reset after that many pieces."""

    def __init__(self, data: bytes, size: int = PIECE, cut_after: int | None = None) -> None:
        self.pieces = [data[start : start + size] for start in range(0, len(data), size)]
        self.read = 0
        self.cut_after = cut_after

    def __iter__(self) -> Iterator[bytes]:
        for sent, piece in enumerate(self.pieces):
            if sent == self.cut_after:
                raise httpx.ReadError("connection reset by peer")
            self.read += 1
            yield piece


class OneBody:
    """A MockTransport handler answering every request with `stream` and `headers`, keeping the requests."""

    def __init__(self, stream: Pieces, headers: dict[str, str] | None = None) -> None:
        self.stream = stream
        self.headers = headers or {}
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, headers=self.headers, stream=self.stream)


def client_for(handler: OneBody, max_page_mb: int = 1) -> CallsClient:
    retry = RetryPolicy(attempts=3, jitter=lambda cap: 0.0, sleep=lambda seconds: None)
    return CallsClient(API_KEY, BASE_URL, transport=httpx.MockTransport(handler), retry=retry, max_page_mb=max_page_mb)


def page_json(calls: int, padded_to: int = 0) -> bytes:
    body = json.dumps({"itemsTotal": calls, "currentPage": 1, "items": [make_call(i) for i in range(calls)]})
    return body.encode().ljust(padded_to, b" ")


def test_a_gzip_bomb_is_refused_after_decoding_just_past_the_limit_and_not_retried() -> None:
    bomb = gzip_bomb(64)  # 64 MB decoded, 64 KB sent
    stream = Pieces(bomb, size=1024)  # each piece decodes to about 1 MB
    handler = OneBody(stream, {"content-encoding": "gzip"})
    with client_for(handler) as client, pytest.raises(ResponseTooLargeError) as caught:
        client.fetch_page(CUSTOMER_ID)
    assert caught.value.message == too_large(1)
    assert len(handler.requests) == 1
    assert stream.read <= 3  # of 64 pieces: decoding stopped at the first MB past the limit


def test_a_body_encoded_twice_is_not_decoded_at_all() -> None:
    handler = OneBody(Pieces(gzip.compress(gzip_bomb(64))), {"content-encoding": "gzip, gzip"})
    with client_for(handler) as client, pytest.raises(UnreadableResponseError) as caught:
        client.fetch_page(CUSTOMER_ID)
    assert caught.value.message == (
        "The API sent a response encoded as 'gzip, gzip', which was not asked for. Try again; if it persists, "
        "report it."
    )


def test_a_declared_length_past_the_limit_is_refused_before_the_body_is_read() -> None:
    stream = Pieces(b" " * (2 * MB))
    handler = OneBody(stream, {"content-length": str(2 * MB)})
    with client_for(handler) as client, pytest.raises(ResponseTooLargeError, match=r"^Page 1 of customer"):
        client.fetch_page(CUSTOMER_ID, page=1)
    assert stream.read == 0


def test_an_undeclared_body_is_cut_at_the_first_piece_past_the_limit() -> None:
    stream = Pieces(b" " * (3 * MB))  # 48 pieces of 64 KB; 16 make the 1 MB limit
    handler = OneBody(stream)
    with client_for(handler) as client, pytest.raises(ResponseTooLargeError) as caught:
        client.fetch_page(CUSTOMER_ID, page=3)
    assert caught.value.message == too_large(1, page=3)
    assert stream.read == 17


def test_a_page_of_exactly_the_limit_is_loaded() -> None:
    handler = OneBody(Pieces(page_json(5, padded_to=MB)))
    with client_for(handler) as client:
        page = client.fetch_page(CUSTOMER_ID)
    assert [call["id"] for call in page["items"]] == [make_call(i)["id"] for i in range(5)]


@pytest.mark.parametrize(
    ("encoding", "pack"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("identity", bytes),
    ],
)
def test_a_compressed_page_within_the_limit_is_decoded(encoding: str, pack: object) -> None:
    handler = OneBody(Pieces(pack(page_json(300)), size=1000), {"content-encoding": encoding})  # type: ignore[operator]
    with client_for(handler) as client:
        page = client.fetch_page(CUSTOMER_ID)
    assert [call["id"] for call in page["items"]] == [make_call(i)["id"] for i in range(300)]
    assert handler.requests[0].headers["accept-encoding"] == "gzip, deflate"


def test_a_broken_compressed_body_is_unreadable() -> None:
    handler = OneBody(Pieces(b"\x1f\x8b\x08\x00 not gzip at all"), {"content-encoding": "gzip"})
    with client_for(handler) as client, pytest.raises(UnreadableResponseError) as caught:
        client.fetch_page(CUSTOMER_ID)
    assert caught.value.message == (
        "The API sent a compressed response that could not be decompressed. Try again; if it persists, report it."
    )


def test_a_connection_cut_mid_body_says_so() -> None:
    handler = OneBody(Pieces(page_json(50), size=1000, cut_after=2))
    with client_for(handler) as client, pytest.raises(NetworkError) as caught:
        client.fetch_page(CUSTOMER_ID, page=4)
    assert caught.value.message == (
        "The API answered, but the connection was cut while reading page 4 (after 2,000 bytes, ReadError). "
        "Check the connection and try again."
    )
    assert len(handler.requests) == 3  # a cut is worth trying again


def test_export_refuses_a_bad_page_size_limit_before_loading(tmp_path: Path) -> None:
    output = tmp_path / "calls.csv"
    args = cli.build_parser().parse_args(["export", "--customer-id", CUSTOMER_ID, "--output", str(output)])
    err = io.StringIO()
    environ = {"CARECYCLE_API_KEY": API_KEY, "CARECYCLE_MAX_PAGE_MB": "lots"}
    assert export_cli.run(args, environ=environ, stderr=err) == 2
    assert err.getvalue() == (
        "error: CARECYCLE_MAX_PAGE_MB must be a whole number of megabytes from 1 to 4096, not 'lots'.\n"
    )
    assert list(tmp_path.iterdir()) == []


# On real sockets ------------------------------------------------------------------------------------------------


@pytest.mark.server
def test_a_gzip_bomb_on_a_socket_costs_the_client_no_more_than_the_limit() -> None:
    """1 MB on the wire, 1 GiB decoded: refused at the 64 MB default, with Python's allocations measured."""
    with serve_big_page(BigPage(gzip_bomb(), headers={"content-encoding": "gzip"})) as api:
        retry = RetryPolicy(attempts=3, sleep=lambda seconds: None)
        with CallsClient(API_KEY, api.base_url, retry=retry, max_page_mb=64) as client:
            tracemalloc.start()
            try:
                with pytest.raises(ResponseTooLargeError) as caught:
                    client.fetch_page(CUSTOMER_ID)
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
    assert caught.value.message == too_large(64)
    assert api.requests == 1
    assert peak < 72 * MB, f"{peak / MB:.0f} MB"  # the 64 MB held and one piece: not the 1 GiB


# A small launcher starts the export and reports its peak memory: ru_maxrss counts a process from its fork, so
# an export forked straight from a large pytest worker would report the worker's size, not its own.
PEAK_LAUNCHER = """
import os, subprocess, sys
process = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(process.pid, 0)
process.returncode = 0  # reaped by wait4
open(sys.argv[1], "w").write(str(usage.ru_maxrss // 1024))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def export_in_subprocess(tmp_path: Path, base_url: str, **env: str) -> tuple[int, str, int]:
    """`python -m carecycle_dash export` against `base_url`: exit code, standard error, peak memory in MB (of
    that process alone, from its own resource usage)."""
    output = tmp_path / "calls.csv"
    err_path = tmp_path / "stderr.txt"
    peak_path = tmp_path.parent / f"{tmp_path.name}-peak.txt"
    own = {name: value for name, value in os.environ.items() if not name.startswith("CARECYCLE_")}
    environ = {**own, "CARECYCLE_API_KEY": API_KEY, "CARECYCLE_BASE_URL": base_url, "CARECYCLE_STORE_URL": "none"}
    environ.update(env)
    export = [sys.executable, "-m", "carecycle_dash", "export", "--customer-id", CUSTOMER_ID, "--output", str(output)]
    argv = [sys.executable, "-c", PEAK_LAUNCHER, str(peak_path), *export]
    with err_path.open("wb") as err:
        code = subprocess.run(
            argv, cwd=REPO_ROOT, env=environ, stdout=subprocess.DEVNULL, stderr=err, check=False, timeout=120
        )
    assert not output.exists()
    assert list(tmp_path.iterdir()) == [err_path]  # no file, no temporary left behind
    return code.returncode, err_path.read_text(), int(peak_path.read_text())


@pytest.mark.server
def test_export_of_a_gzip_bomb_exits_4_with_no_file_and_bounded_memory(tmp_path: Path) -> None:
    with serve_big_page(BigPage(gzip_bomb(), headers={"content-encoding": "gzip"})) as api:
        code, stderr, peak_mb = export_in_subprocess(tmp_path, api.base_url)
    assert (code, stderr) == (4, f"error: {too_large(64)}\n")
    assert peak_mb < 64 + 300, f"{peak_mb} MB"


@pytest.mark.server
def test_export_of_a_200_mb_page_exits_4_with_no_file_and_bounded_memory(tmp_path: Path) -> None:
    """No Content-Length: the page ends when the server closes, so only counting what arrives can stop it."""
    with serve_big_page(BigPage(b" ", size=200 * MB, declare_length=False)) as api:
        code, stderr, peak_mb = export_in_subprocess(tmp_path, api.base_url, CARECYCLE_MAX_PAGE_MB="16")
    assert (code, stderr) == (4, f"error: {too_large(16)}\n")
    assert peak_mb < 16 + 300, f"{peak_mb} MB"
