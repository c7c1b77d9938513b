"""Numbers as people read them: counts with separators, m:ss durations, percentages; "—" for missing; counted
nouns in the right number; long IDs shortened.

One function per kind, used by figures, tables, charts, the report and the CLI alike.
"""

from __future__ import annotations

import math
from typing import Any, Final

import pandas as pd

from carecycle_dash.text.safety import shorten

MISSING_TEXT: Final = "—"
ID_MAX_CHARS: Final = 12
"""An ID (or name) up to this long is shown whole; a longer one (a UUID) as its first 8 characters and "…"."""


def format_count(n: int) -> str:
    """A count with thousands separators: 2,345."""
    return f"{int(n):,}"


def plural(count: int, noun: str, many: str | None = None) -> str:
    """A count and its noun in the right number: "1 number", "2 numbers", "1,234 numbers" (`many` for a noun
    whose plural is not noun + "s")."""
    return f"{format_count(count)} {noun if int(count) == 1 else many or noun + 's'}"


def short_id(value: object) -> str:
    """An ID as tables, filters and labels show it: whole up to ID_MAX_CHARS characters, else its first 8 and
    "…" (the same 9 characters everywhere); "" when missing."""
    if not isinstance(value, str):
        return ""
    return value if len(value) <= ID_MAX_CHARS else shorten(value, 9)


def format_duration(seconds: float | None) -> str:
    """Seconds as m:ss, or h:mm:ss from an hour on, rounded to the second; "—" when missing."""
    if not _is_number(seconds):
        return MISSING_TEXT
    total = round(float(seconds))  # type: ignore[arg-type]
    sign = "-" if total < 0 else ""
    hours, rest = divmod(abs(total), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{sign}{hours}:{minutes:02d}:{secs:02d}"
    return f"{sign}{minutes}:{secs:02d}"


def format_total_duration(seconds: float | None) -> str:
    """A sum of talk time: h:mm:ss up to ten hours, then whole hours ("1,234 h"); "—" when missing."""
    if _is_number(seconds) and float(seconds) >= 10 * 3600:  # type: ignore[arg-type]
        return f"{float(seconds) / 3600:,.0f} h"  # type: ignore[arg-type]
    return format_duration(seconds)


def format_percent(share: float | None, digits: int = 1) -> str:
    """A share in 0..1 as "42.0%"; "—" when there is nothing to divide by."""
    if not _is_number(share):
        return MISSING_TEXT
    return f"{float(share) * 100:.{digits}f}%"  # type: ignore[arg-type]


def _is_number(value: Any) -> bool:
    if value is None or value is pd.NA or isinstance(value, bool):
        return False
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False
