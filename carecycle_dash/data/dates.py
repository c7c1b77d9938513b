"""Days as people type them, and the instant a day starts: one definition for the sidebar, the links and the CLI.

A `since` is "" (every call), a span that moves with the days ("7d", "30d", "90d") or a day as YYYY-MM-DD.
Which midnight a day starts at is the caller's choice of zone: the dashboard's is the viewer's, the `export`
command's is UTC.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Final

import pandas as pd

from carecycle_dash.data.frame import time_zone

SINCE_SPAN_DAYS: Final[dict[str, int]] = {"7d": 7, "30d": 30, "90d": 90}
"""The `since` spans: that many days before today, and today."""
_DAY: Final = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_day(text: str) -> date:
    """A day written as YYYY-MM-DD (surrounding spaces ignored); ValueError for anything else, including the
    shorter and longer forms `date.fromisoformat` also accepts (20261101, 2026-W44-1)."""
    text = text.strip()
    if not _DAY.fullmatch(text):
        raise ValueError(text)
    return date.fromisoformat(text)


def since_day(token: str, today: date) -> date | None:
    """The first day a `since` choice covers: "" is every call (None), "7d" the 7 days before `today` and
    `today`, a YYYY-MM-DD that day but never later than `today`. ValueError for anything else."""
    token = token.strip()
    if not token:
        return None
    if token in SINCE_SPAN_DAYS:
        return today - timedelta(days=SINCE_SPAN_DAYS[token])
    return min(parse_day(token), today)


def local_midnight(day: date, tz: str) -> pd.Timestamp:
    """The first instant of `day` in the zone `tz`, in UTC. A midnight the clocks skip moves forward to the
    first instant that exists; a midnight that happens twice takes the first."""
    naive = pd.Timestamp(day.year, day.month, day.day)
    return naive.tz_localize(time_zone(tz), ambiguous=True, nonexistent="shift_forward").tz_convert("UTC")
