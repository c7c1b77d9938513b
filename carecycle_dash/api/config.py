"""Where the API key, base URL and time limits come from, in one place, named like the settings people write.

Order: the secrets file (`[carecycle] api_key`, `base_url`), the environment (`CARECYCLE_API_KEY`,
`CARECYCLE_BASE_URL`), a key the user typed in this browser session, else the built-in demo simulator.
Time limits come from the environment only (`CARECYCLE_REQUEST_TIMEOUT_S`, `CARECYCLE_LOAD_TIMEOUT_S`), and so
does the largest page body accepted (`CARECYCLE_MAX_PAGE_MB`).

Masking of personal data: `[carecycle.privacy] mask = "auto" | "on" | "off"` and `allow_reveal`, with the
environment's `CARECYCLE_MASK` overriding `mask`. Who is masked under "auto" is decided in data/privacy.py.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from carecycle_dash.api.contract import DEFAULT_BASE_URL
from carecycle_dash.api.errors import InvalidInputError

ENV_API_KEY: Final = "CARECYCLE_API_KEY"
ENV_BASE_URL: Final = "CARECYCLE_BASE_URL"
ENV_REQUEST_TIMEOUT: Final = "CARECYCLE_REQUEST_TIMEOUT_S"
ENV_LOAD_TIMEOUT: Final = "CARECYCLE_LOAD_TIMEOUT_S"
DEFAULT_REQUEST_TIMEOUT_S: Final = 60.0
DEFAULT_LOAD_TIMEOUT_S: Final = 300.0
ENV_MAX_PAGE_MB: Final = "CARECYCLE_MAX_PAGE_MB"
DEFAULT_MAX_PAGE_MB: Final = 64
MAX_PAGE_MB_CEILING: Final = 4096
"""A page limit above 4 GB would bound nothing a server's memory could hold."""
MEGABYTE: Final = 1024 * 1024
SECRETS_SECTION: Final = "carecycle"
SECRETS_API_KEY: Final = "api_key"
SECRETS_BASE_URL: Final = "base_url"

ENV_MASK: Final = "CARECYCLE_MASK"
PRIVACY_SECTION: Final = "privacy"  # under [carecycle], i.e. [carecycle.privacy]
SECRETS_MASK: Final = "mask"
SECRETS_ALLOW_REVEAL: Final = "allow_reveal"

KeySource = Literal["secrets", "environment", "session", "demo"]
MaskMode = Literal["auto", "on", "off"]
MASK_MODES: Final[tuple[MaskMode, ...]] = ("auto", "on", "off")

log = logging.getLogger("carecycle_dash.config")


def parse_seconds(value: object, name: str) -> float:
    """A positive, finite number of seconds from a setting; InvalidInputError naming the setting otherwise."""
    try:
        seconds = float(str(value).strip())
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds <= 0:
        raise InvalidInputError(f"{name} must be a number of seconds greater than 0, not {str(value)[:20]!r}.")
    return seconds


def resolve_max_page_mb(environ: Mapping[str, str] | None = None, *, strict: bool = False) -> int:
    """The largest page body accepted, in MB, from `CARECYCLE_MAX_PAGE_MB` (a whole number from 1 to 4096).

    A bad value is an error when `strict` (the CLI), else the default with a warning in the log."""
    raw = (environ or {}).get(ENV_MAX_PAGE_MB, "").strip()
    if not raw:
        return DEFAULT_MAX_PAGE_MB
    if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_PAGE_MB_CEILING:
        return int(raw)
    message = (
        f"{ENV_MAX_PAGE_MB} must be a whole number of megabytes from 1 to {MAX_PAGE_MB_CEILING}, not {raw[:20]!r}."
    )
    if strict:
        raise InvalidInputError(message)
    log.warning("%s Using the default.", message)
    return DEFAULT_MAX_PAGE_MB


@dataclass(frozen=True)
class Timeouts:
    """How long one request (connect to last byte) and one whole load may take."""

    request_s: float = DEFAULT_REQUEST_TIMEOUT_S
    load_s: float = DEFAULT_LOAD_TIMEOUT_S


def resolve_timeouts(environ: Mapping[str, str] | None = None, *, strict: bool = False) -> Timeouts:
    """The time limits from the environment. A bad value is an error when `strict` (the CLI), else the
    default with a warning in the log (a dashboard keeps working; the operator sees the line)."""
    values: dict[str, float] = {}
    for attribute, name in (("request_s", ENV_REQUEST_TIMEOUT), ("load_s", ENV_LOAD_TIMEOUT)):
        raw = (environ or {}).get(name, "").strip()
        if not raw:
            continue
        try:
            values[attribute] = parse_seconds(raw, name)
        except InvalidInputError as error:
            if strict:
                raise
            log.warning("%s Using the default.", error.message)
    return Timeouts(**values)


@dataclass(frozen=True)
class Settings:
    """The key and host one session talks to. The key never shows in repr or logs."""

    api_key: str | None = field(repr=False)
    base_url: str | None
    source: KeySource
    timeouts: Timeouts = Timeouts()

    @property
    def is_demo(self) -> bool:
        return self.source == "demo"


def _clean(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def resolve_settings(
    secrets: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    typed_key: str | None = None,
) -> Settings:
    """Pick the first configured key; `base_url` None with source "demo" means: run the simulator."""
    section = (secrets or {}).get(SECRETS_SECTION) or {}
    environ = environ or {}
    timeouts = resolve_timeouts(environ)
    base_url = _clean(section.get(SECRETS_BASE_URL)) or _clean(environ.get(ENV_BASE_URL))
    if key := _clean(section.get(SECRETS_API_KEY)):
        return Settings(key, base_url or DEFAULT_BASE_URL, "secrets", timeouts)
    if key := _clean(environ.get(ENV_API_KEY)):
        return Settings(key, base_url or DEFAULT_BASE_URL, "environment", timeouts)
    if key := _clean(typed_key):
        return Settings(key, base_url or DEFAULT_BASE_URL, "session", timeouts)
    return Settings(None, None, "demo", timeouts)


def key_fingerprint(api_key: str | None) -> str:
    """A short, one-way tag of a key: enough to keep caches apart, useless to call the API with."""
    digest = hashlib.sha256(f"carecycle-dash:{api_key or ''}".encode()).hexdigest()
    return digest[:16]


@dataclass(frozen=True)
class PrivacySettings:
    """How personal data is masked: `mode`, whether a masked viewer may reveal one call with a reason, and
    one line for the page when the configured value was unusable (then everyone is masked)."""

    mode: MaskMode = "auto"
    allow_reveal: bool = False
    notice: str | None = None


def resolve_privacy(
    secrets: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> PrivacySettings:
    """`CARECYCLE_MASK`, else `[carecycle.privacy] mask`, else "auto". A value that is not one of the three
    fails safe: masked for everyone, with a notice naming the value."""
    carecycle = (secrets or {}).get(SECRETS_SECTION)
    section = carecycle.get(PRIVACY_SECTION) if isinstance(carecycle, Mapping) else None
    section = section if isinstance(section, Mapping) else {}
    # Only an explicit true opens the reveal; a typo or a string keeps it closed.
    allow_reveal = section.get(SECRETS_ALLOW_REVEAL) is True
    env_value = (environ or {}).get(ENV_MASK)
    source, value = (
        (ENV_MASK, env_value) if env_value is not None else ("[carecycle.privacy] mask", section.get(SECRETS_MASK))
    )
    if value is None:
        return PrivacySettings("auto", allow_reveal)
    mode = str(value).strip().lower()
    if mode in MASK_MODES:
        return PrivacySettings(mode, allow_reveal)  # type: ignore[arg-type]
    shown = str(value)[:40].encode("unicode_escape").decode("ascii")
    notice = f"{source} is {shown!r}, not auto, on or off, so personal data is masked for everyone. Ask your admin."
    return PrivacySettings("on", allow_reveal, notice)
