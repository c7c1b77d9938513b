"""Checks on untrusted strings from the API before they reach a browser, a log line or a message."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

SAFE_URL_SCHEMES = frozenset({"http", "https"})


def safe_http_url(value: object) -> str | None:
    """`value` when it is an absolute http(s) URL with a host, else None (javascript:, data:, paths...)."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or any(ch in text for ch in "\x00\r\n\t\\ ") or text != value:
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in SAFE_URL_SCHEMES or not parts.hostname:
        return None
    return text


ELLIPSIS = "…"


def shorten(text: str, limit: int) -> str:
    """`text` when it has at most `limit` characters, else its start and "…", `limit` characters in all."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + ELLIPSIS


_MARKDOWN_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")


def escape_markdown(text: str) -> str:
    """Backslash-escape every ASCII punctuation mark so Streamlit's markdown shows `text` literally."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)
