"""Open the app's WebSocket as a page served from another name would: Host and Origin both that name (as after
DNS rebinding), over a socket to the server's real loopback port."""

from __future__ import annotations

import socket
import ssl

from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect


def open_stream_as(port: int, name: str, tls: ssl.SSLContext | None = None) -> str:
    """The state the session's WebSocket reached (`OPEN`) or the status of its refusal (`403`)."""
    scheme = "wss" if tls else "ws"
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        with connect(
            f"{scheme}://{name}:{port}/_stcore/stream",
            sock=sock,
            ssl=tls,
            server_hostname="localhost" if tls else None,
            origin=f"{'https' if tls else 'http'}://{name}:{port}",
            subprotocols=["streamlit"],
            open_timeout=10,
            proxy=None,
        ) as stream:
            return stream.protocol.state.name
    except InvalidStatus as refused:
        return str(refused.response.status_code)
    finally:
        sock.close()
