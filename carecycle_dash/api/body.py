"""Read a response body within a size limit, counted as received and as decoded.

httpx decodes a compressed body a whole received chunk at a time, with no bound on what one chunk becomes:
64 KB of gzip may decode to 64 MB, and a body encoded twice ("gzip, gzip") to gigabytes. So the body is read
raw and decoded here, never more than the limit plus one byte: a gzip bomb is refused after the first bytes
past the limit, not after it has filled the memory. Only the encodings asked for (`ACCEPT_ENCODING`) are
read; a body in any other is unreadable.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import Final

import httpx

from carecycle_dash.api.errors import UnreadableResponseError

ACCEPT_ENCODING: Final = "gzip, deflate"
_PIECE: Final = 1024 * 1024
"""Decoded at most this much at a time: zlib grows its output buffer by doubling, so one large piece costs twice."""
_ZLIB_WINDOWS: Final = {
    "gzip": zlib.MAX_WBITS | 16,
    "x-gzip": zlib.MAX_WBITS | 16,
    "deflate": zlib.MAX_WBITS | 32,  # zlib-wrapped, as HTTP says (or gzip, which some servers send instead)
}


def _nothing(received: int) -> None:
    """No check between chunks."""


def read_capped(
    response: httpx.Response,
    limit: int,
    too_large: Exception,
    between_chunks: Callable[[int], None] = _nothing,
) -> bytes:
    """The decoded body; `too_large` is raised as soon as the declared length, the bytes received or the bytes
    decoded pass `limit`. `between_chunks(bytes received so far)` runs after each chunk (a deadline, say)."""
    declared = response.headers.get("content-length", "").strip()
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise too_large
    if response.is_stream_consumed:  # made in memory (httpx.MockTransport): already read and decoded
        if len(response.content) > limit:
            raise too_large
        return response.content
    received = 0

    def raw() -> Iterator[bytes]:
        nonlocal received
        for chunk in response.iter_raw():
            received += len(chunk)
            if received > limit:
                raise too_large
            yield chunk
            between_chunks(received)

    chunks: list[bytes] = []
    size = 0
    for piece in _decoded(raw(), response.headers.get("content-encoding", ""), limit + 1):
        size += len(piece)
        if size > limit:
            raise too_large
        chunks.append(piece)
    return b"".join(chunks)


def _decoded(chunks: Iterable[bytes], encoding: str, most: int) -> Iterator[bytes]:
    """The pieces of the decoded body, at most `most` bytes in all (the caller stops reading there)."""
    name = encoding.strip().lower()
    if name in ("", "identity"):
        yield from chunks
        return
    if name not in _ZLIB_WINDOWS:
        raise UnreadableResponseError(
            f"The API sent a response encoded as {name[:40]!r}, which was not asked for. Try again; if it "
            "persists, report it."
        )
    decoder = zlib.decompressobj(_ZLIB_WINDOWS[name])
    try:
        for chunk in chunks:
            data = chunk
            while data and most > 0:
                piece = decoder.decompress(data, min(most, _PIECE))
                most -= len(piece)
                yield piece
                data = decoder.unconsumed_tail
            if most <= 0:
                return
        yield decoder.flush(most)
    except zlib.error:
        raise UnreadableResponseError(
            "The API sent a compressed response that could not be decompressed. Try again; if it persists, report it."
        ) from None
