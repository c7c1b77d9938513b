"""The simulator's clock: which calls have happened yet. The real clock by default; pinned by a test, by
`simulate --now`, or by the CARECYCLE_DEMO_NOW environment variable (for the app's built-in demo)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

Clock = Callable[[], datetime]
DEMO_NOW_ENV = "CARECYCLE_DEMO_NOW"


def real_clock() -> datetime:
    return datetime.now(UTC)


def fixed_clock(moment: datetime) -> Clock:
    """A clock that always says `moment` (which must carry its UTC offset)."""
    if moment.utcoffset() is None:
        raise ValueError("a pinned time needs its UTC offset, such as 2026-11-27T23:59:59-05:00")
    return lambda: moment


def parse_moment(text: str, source: str) -> datetime:
    """An ISO 8601 time with its offset (`2026-11-27T23:59:59-05:00`, or `Z`); one clear line otherwise."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        moment = None
    if moment is None or moment.utcoffset() is None:
        raise ValueError(f"{source} is not a time with its UTC offset, such as 2026-11-27T23:59:59-05:00")
    return moment


def clock_from_environment(environ: Mapping[str, str] = os.environ) -> Clock:
    """Pinned at CARECYCLE_DEMO_NOW when it is set, else the real clock."""
    text = environ.get(DEMO_NOW_ENV, "").strip()
    return fixed_clock(parse_moment(text, DEMO_NOW_ENV)) if text else real_clock
