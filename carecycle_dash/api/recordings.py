"""Fetch a recording on the server's side, for hosts the viewer's browser cannot reach itself."""

from __future__ import annotations

import threading

import httpx

from carecycle_dash.api.body import ACCEPT_ENCODING, read_capped
from carecycle_dash.api.errors import NetworkError, UnreadableResponseError
from carecycle_dash.api.validation import is_loopback_host
from carecycle_dash.text.safety import safe_http_url

MAX_RECORDING_BYTES = 50 * 1024 * 1024
_client: httpx.Client | None = None
_client_lock = threading.Lock()


def _shared_client() -> httpx.Client:
    """One client for the process: a new one per recording built its TLS context each time (tens of ms of CPU
    for every player on a call page). httpx clients are safe to share between threads."""
    global _client
    with _client_lock:
        if _client is None:
            _client = httpx.Client(follow_redirects=False, headers={"accept-encoding": ACCEPT_ENCODING})
        return _client


def is_loopback_url(url: str) -> bool:
    """True for http(s) URLs on 127.0.0.0/8, ::1 or localhost (the demo simulator's recordings)."""
    try:
        return is_loopback_host(httpx.URL(url).host)
    except httpx.InvalidURL:
        return False


def on_origin(url: str, base_url: str) -> str:
    """`url`'s path and query at `base_url`'s scheme, host and port: a demo recording kept in the call store by
    an earlier run of the simulator (whose port changes with every start) is fetched from the one running now."""
    base = httpx.URL(base_url)
    return str(httpx.URL(url).copy_with(scheme=base.scheme, host=base.host, port=base.port))


def fetch_loopback_recording(url: str, *, timeout_s: float = 10.0) -> bytes:
    """The audio bytes at a loopback URL; anything else is refused so this never becomes an open proxy."""
    safe = safe_http_url(url)
    if safe is None or not is_loopback_url(safe):
        raise ValueError("only loopback http(s) recordings are fetched by the server")
    try:
        with _shared_client().stream("GET", safe, timeout=timeout_s) as response:
            response.raise_for_status()
            return read_capped(response, MAX_RECORDING_BYTES, NetworkError("The recording is too large to play here."))
    except (httpx.HTTPError, UnreadableResponseError) as exc:
        raise NetworkError("The recording could not be fetched.") from exc
