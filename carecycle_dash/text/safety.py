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


# A JSON escape of a UTF-16 surrogate: the only way a JSON body can hold text that is not valid Unicode.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def mend_lone_surrogates(body: bytes, parsed: object) -> object:
    """`parsed` (JSON from `body`) with every lone surrogate (`"\\ud800"`, legal JSON) made U+FFFD: such text
    cannot be encoded as UTF-8, so a page showing it would fail. Walks the values only when `body` escapes a
    surrogate at all."""
    if not _SURROGATE_ESCAPE.search(body):
        return parsed
    return _mended(parsed)


def _mended(value: object) -> object:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        return value
    if isinstance(value, list):
        return [_mended(item) for item in value]
    if isinstance(value, dict):
        return {_mended(key): _mended(item) for key, item in value.items()}
    return value


_MARKDOWN_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")


def escape_markdown(text: str) -> str:
    """Backslash-escape every ASCII punctuation mark so Streamlit's markdown shows `text` literally."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)
