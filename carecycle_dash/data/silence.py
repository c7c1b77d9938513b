"""Calls that stopped: whether a customer has gone quiet for longer than it usually does, so Needs attention
says so first instead of reporting a fall in volume (or nothing at all) over days that simply had no calls.

A customer is quiet when the time since its newest call is longer than any gap between its calls in the
four weeks before that call, and at least a day (a customer calling once a week is not quiet on day three).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

import numpy as np
import pandas as pd

from carecycle_dash.data.periods import Period

USUAL_GAPS_OVER: Final = timedelta(days=28)
"""How far before the newest call the gaps between calls are looked at."""
MIN_SILENCE: Final = timedelta(days=1)
"""No silence shorter than this is news, however regular the calls."""


@dataclass(frozen=True)
class Silence:
    """The newest call's local day and how many days ago it is."""

    last_day: date
    days: int

    @property
    def text(self) -> str:
        """ "No calls since 24 Nov 2026 (9 days)": dates as the app's periods write them."""
        unit = "day" if self.days == 1 else "days"
        return f"No calls since {Period(self.last_day, self.last_day).label} ({self.days} {unit})"


def silence(created_at: pd.Series, now: datetime) -> Silence | None:
    """The silence since the newest of these call times (UTC, NaT for none), seen at `now` (an aware time in
    the viewer's zone, whose date is "today"); None when there is no call with a time or the calls have not
    stopped for longer than their usual quiet spells."""
    times = created_at.dropna()
    if times.empty:
        return None
    ordered = np.sort(times.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(dtype="datetime64[us]"))
    newest = ordered[-1]
    recent = ordered[ordered >= newest - np.timedelta64(USUAL_GAPS_OVER)]
    longest_gap = np.diff(recent).max() if recent.size > 1 else np.timedelta64(0, "us")
    last_call = pd.Timestamp(newest, tz="UTC")
    if pd.Timestamp(now) - last_call <= max(pd.Timedelta(longest_gap), pd.Timedelta(MIN_SILENCE)):
        return None
    last_day = last_call.tz_convert(now.tzinfo).date()
    return Silence(last_day, (now.date() - last_day).days)
