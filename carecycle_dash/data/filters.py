"""The sidebar's filters as one value, applied to the calls frame in one vectorised pass."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

import numpy as np
import pandas as pd

from carecycle_dash.api.contract import URL_FIELDS
from carecycle_dash.data.dates import local_midnight
from carecycle_dash.data.frame import labels, time_zone
from carecycle_dash.data.signals import signal_mask

SEARCH_COLUMNS: Final = ("transcript", "summary")
LINK_COLUMNS: Final = (*URL_FIELDS, "recordingId", "twilioSid")
"""Links and the telephony's own ids: long, nearly unique texts that no figure, chart or filter reads (the call
page and the table read them from every call), so a filtered copy without text leaves them out too."""
_ASCII_RUN: Final = re.compile(r"[\x20-\x7e]{3,}")


@dataclass(frozen=True)
class CallFilters:
    """What the viewer asked for. Dates are whole days in the viewer's time zone, both ends included;
    an empty tuple means no restriction; test calls are left out unless asked for."""

    start: date | None = None
    end: date | None = None
    tz: str = "UTC"
    dispositions: tuple[str, ...] = ()
    directions: tuple[str, ...] = ()
    campaigns: tuple[str, ...] = ()
    assistant_types: tuple[str, ...] = ()
    text: str = ""
    include_tests: bool = False
    weekday: int | None = None
    """0 = Monday; with `hour`, one cell of the Overview's hour-of-week heatmap (in `tz`). None means any."""
    hour: int | None = None
    signals: tuple[str, ...] = ()
    """Transcript signals (labels or columns of data/signals.py) every call must show."""


@dataclass(frozen=True)
class FilterOptions:
    """The choices the sidebar offers, read from the data; "(none)" stands for a missing value."""

    dispositions: tuple[str, ...]
    directions: tuple[str, ...]
    campaigns: tuple[str, ...]
    assistant_types: tuple[str, ...]
    first_day: date | None
    last_day: date | None


def apply_filters(df: pd.DataFrame, filters: CallFilters, *, keep_text: bool = True) -> pd.DataFrame:
    """The rows that pass every filter, with their original index (so rows map back to the raw calls).

    Copying the long transcript and summary texts is most of the cost of filtering 100,000 calls; views
    that do not show them (figures, charts, the table) pass keep_text=False to leave those columns out, and
    the links and telephony ids (LINK_COLUMNS) with them: half of what a copy of 100,000 calls holds then.
    """
    keep = filter_mask(df, filters)
    if not keep_text:
        df = df.drop(columns=[c for c in (*SEARCH_COLUMNS, *LINK_COLUMNS) if c in df.columns])
    return df[keep]


def filter_mask(df: pd.DataFrame, filters: CallFilters) -> np.ndarray:
    """One boolean per row of `df`: True where the call passes every filter."""
    keep = np.ones(len(df), dtype=bool)
    if not filters.include_tests:
        keep &= ~df["isTest"].to_numpy(dtype=bool)
    if filters.start is not None or filters.end is not None:
        keep &= _within_days(df["createdAt"], filters.start, filters.end, filters.tz)
    for column, wanted in (
        ("disposition", filters.dispositions),
        ("direction", filters.directions),
        ("campaignId", filters.campaigns),
        ("assistantType", filters.assistant_types),
    ):
        if wanted:
            keep &= labels(df[column]).isin(wanted).to_numpy(dtype=bool)
    if filters.weekday is not None or filters.hour is not None:
        keep &= _within_hour_of_week(df["createdAt"], filters.weekday, filters.hour, filters.tz)
    if filters.signals:
        keep &= signal_mask(df, filters.signals)
    needle = (filters.text or "").strip()
    if needle:
        keep &= contains_text(df, needle, within=keep)
    return keep


def contains_text(df: pd.DataFrame, needle: str, within: np.ndarray | None = None) -> np.ndarray:
    """Rows whose transcript or summary holds `needle`, case-insensitively and literally (no regex).

    Arrow's case-insensitive search is fast for ASCII needles and several times slower for others, so a
    needle with non-ASCII letters is first narrowed by its longest ASCII run, then checked on those rows.
    Whole columns are searched (cheaper than copying a subset of long texts); missing text, or a frame
    without those columns, never matches.
    """
    rows = np.ones(len(df), dtype=bool) if within is None else within
    found = np.zeros(len(df), dtype=bool)
    if not needle or not rows.any():
        return found
    probe = needle if needle.isascii() else max(_ASCII_RUN.findall(needle), key=len, default=needle)
    for column in SEARCH_COLUMNS:
        if column not in df.columns:
            continue
        text = df[column].astype("str")
        hit = _search(text, probe) & rows
        if probe != needle and hit.any():
            hit[hit] = _search(text[hit], needle)
        found |= hit
    return found


def filter_options(df: pd.DataFrame, tz: str = "UTC") -> FilterOptions:
    """Dispositions most frequent first (ties by name), the others by name; the first and last day in `tz`."""
    zone = time_zone(tz)
    dispositions = labels(df["disposition"]).value_counts()
    ordered = sorted(dispositions.items(), key=lambda item: (-item[1], item[0]))
    times = df["createdAt"].dropna()
    first_day = times.min().tz_convert(zone).date() if len(times) else None
    last_day = times.max().tz_convert(zone).date() if len(times) else None
    return FilterOptions(
        dispositions=tuple(str(name) for name, _ in ordered),
        directions=_sorted_labels(df["direction"]),
        campaigns=_sorted_labels(df["campaignId"]),
        assistant_types=_sorted_labels(df["assistantType"]),
        first_day=first_day,
        last_day=last_day,
    )


def _search(text: pd.Series, needle: str) -> np.ndarray:
    return text.str.contains(needle, case=False, regex=False, na=False).to_numpy(dtype=bool)


def _sorted_labels(values: pd.Series) -> tuple[str, ...]:
    return tuple(sorted(str(v) for v in labels(values).unique()))


def _within_days(times: pd.Series, start: date | None, end: date | None, tz: str) -> np.ndarray:
    """Compare instants with the viewer's local midnights, so no column is converted row by row."""
    keep = times.notna().to_numpy(dtype=bool)
    if start is not None:
        keep = keep & times.ge(local_midnight(start, tz)).to_numpy(dtype=bool, na_value=False)
    if end is not None:
        keep = keep & times.lt(local_midnight(end + timedelta(days=1), tz)).to_numpy(dtype=bool, na_value=False)
    return keep


def _within_hour_of_week(times: pd.Series, weekday: int | None, hour: int | None, tz: str) -> np.ndarray:
    """Calls made on that weekday and in that hour in `tz`; calls without a time never match."""
    local = times.dt.tz_convert(time_zone(tz))
    keep = times.notna().to_numpy(dtype=bool).copy()
    if weekday is not None:
        keep &= local.dt.day_of_week.eq(weekday).to_numpy(dtype=bool, na_value=False)
    if hour is not None:
        keep &= local.dt.hour.eq(hour).to_numpy(dtype=bool, na_value=False)
    return keep
