"""This period and the one before: which days they hold, whether the loaded calls cover the earlier one,
each headline figure's change between them, and the daily values behind a small trend line.

Pure functions shared by the Overview and the HTML report, so both compare the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Final, Literal

import numpy as np
import pandas as pd

from carecycle_dash.data.filters import CallFilters, apply_filters
from carecycle_dash.data.formatting import format_count, format_duration
from carecycle_dash.data.frame import time_zone
from carecycle_dash.data.measures import local_days
from carecycle_dash.data.metrics import OverviewFigures, headline_parts, headline_table, overview_figures

Coverage = Literal["full", "partial", "none", "no calls"]
PRESETS: Final = ("Last 7 days", "Last 30 days", "This month", "All")
"""Quick date ranges, each ending on the last day with data (see `preset_range`)."""
DEFAULT_PRESET: Final = PRESETS[0]
"""The range a view opens on when its link gives no dates: the period Needs attention watches."""
ALL_PRESET: Final = PRESETS[-1]
"""Every call: no date restriction (`range=all` in a link)."""
TREND_DAILY_MAX_DAYS: Final = 62
"""Longer periods trend by week."""
ATTENTION_DAYS: Final = 7
"""How many days Needs attention looks at when no date range is chosen (the default range's days)."""


@dataclass(frozen=True)
class Period:
    """Whole local days from `start` to `end`, both included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        """ "21–27 Nov 2026", "28 Oct – 3 Nov 2026", "27 Nov 2026": short and unambiguous."""
        if self.start == self.end:
            return _day(self.end, year=True)
        if self.start.year != self.end.year:
            return f"{_day(self.start, year=True)} – {_day(self.end, year=True)}"
        if self.start.month != self.end.month:
            return f"{_day(self.start)} – {_day(self.end, year=True)}"
        return f"{self.start.day}–{_day(self.end, year=True)}"


def previous_period(period: Period) -> Period:
    """The period before: the same number of days, ending the day before `period.start`."""
    end = period.start - timedelta(days=1)
    return Period(end - timedelta(days=period.days - 1), end)


def coverage(previous: Period, first_day: date | None) -> Coverage:
    """Whether the loaded calls reach back over the whole previous period ("full"), into part of it, or not
    at all. `first_day` is the local day of the earliest loaded call (None when no call has a time)."""
    if first_day is None or first_day > previous.end:
        return "none"
    return "full" if first_day <= previous.start else "partial"


@dataclass(frozen=True)
class Comparison:
    """This period, the one before, and whether comparing them is fair."""

    current: Period
    previous: Period
    coverage: Coverage
    ongoing: bool = False
    """The period's last day is today and not over, so its counts are still growing."""
    calendar: Period | None = None
    """The period asked for, when it runs past the newest call: `current` is then its days with calls."""

    @property
    def comparable(self) -> bool:
        """Changes are shown only against a previous period the loaded calls cover in full."""
        return self.coverage == "full"

    @property
    def with_calls(self) -> str:
        """ ", compared over the 4 days with calls" when the period asked for runs past the newest call."""
        if self.calendar is None or self.coverage == "no calls":
            return ""
        return f", compared over the {self.current.days} {'day' if self.current.days == 1 else 'days'} with calls"

    def caption(self) -> str:
        """One line naming the previous period, or saying why there is no comparison."""
        if self.coverage == "full":
            before = f"the {self.previous.days} days before" if self.previous.days > 1 else "the day before"
            line = f"Changes compare {self.current.label} with {before} ({self.previous.label}){self.with_calls}."
            return line + (" Today is not over yet, so this period's counts are still growing." if self.ongoing else "")
        if self.coverage == "no calls":
            return f"No changes shown: there are no calls in {self.current.label}."
        if self.coverage == "partial":
            return (
                f"No changes shown: the loaded calls begin inside the previous period ({self.previous.label}), "
                f"so it would be compared incompletely."
            )
        return f"No changes shown: there are no loaded calls from the previous period ({self.previous.label})."


def compare(
    period: Period, first_day: date | None, today: date | None = None, last_day: date | None = None
) -> Comparison:
    """The comparison of `period` with the one before, given the earliest loaded day (and the viewer's
    today, to tell a period that is still going). A period running past `last_day` (the newest call's day)
    is compared over its days with calls against as many days before them: calls that stopped are said
    once ("No calls since"), not counted as a fall in every figure."""
    if last_day is not None and period.end > last_day:
        if period.start > last_day:
            return Comparison(period, previous_period(period), "no calls", calendar=period)
        return replace(compare(Period(period.start, last_day), first_day, today), calendar=period)
    previous = previous_period(period)
    ongoing = today is not None and period.start <= today <= period.end
    return Comparison(period, previous, coverage(previous, first_day), ongoing)


def chosen_period(filters: CallFilters, first_day: date | None, last_day: date | None) -> Period | None:
    """The date range as a period: an open end is the first or last day with data; None without data."""
    start = filters.start or first_day
    end = filters.end or last_day
    if start is None or end is None or start > end:
        return None
    return Period(start, end)


def attention_period(filters: CallFilters, first_day: date | None, last_day: date | None) -> Period | None:
    """What Needs attention looks at: the chosen range, or, with none chosen (every call), the last
    ATTENTION_DAYS days with data, so the first screen answers "what changed lately?" with no setup."""
    if filters.start is None and filters.end is None:
        if last_day is None:
            return None
        return Period(last_day - timedelta(days=ATTENTION_DAYS - 1), last_day)
    return chosen_period(filters, first_day, last_day)


def filters_for(filters: CallFilters, period: Period) -> CallFilters:
    """The same filters over another period (to select the previous period's calls)."""
    return replace(filters, start=period.start, end=period.end)


def headline_comparison(
    filters: CallFilters, first_day: date | None, last_day: date | None, today: date | None
) -> Comparison | None:
    """The comparison behind the headline changes: only when a date range is chosen (every call has no
    period before it); None without data."""
    if filters.start is None and filters.end is None:
        return None
    period = chosen_period(filters, first_day, last_day)
    return None if period is None else compare(period, first_day, today, last_day)


def calls_of(all_calls: pd.DataFrame, filters: CallFilters, period: Period) -> pd.DataFrame:
    """The calls passing `filters` over another period (the previous one)."""
    return apply_filters(all_calls, filters_for(filters, period), keep_text=False)


def changes_since(
    all_calls: pd.DataFrame, filters: CallFilters, comparison: Comparison | None, current: OverviewFigures
) -> dict[str, Change | None]:
    """Each headline figure's change against the previous period; empty when there is no fair comparison."""
    if comparison is None or not comparison.comparable:
        return {}
    return figure_changes(current, overview_figures(calls_of(all_calls, filters, comparison.previous)))


def preset_range(preset: str, first_day: date, last_day: date) -> tuple[date, date]:
    """The days of a quick range. Ranges end on the last day with data rather than today: a customer whose
    calls stopped two days ago would otherwise see a half-empty week and a volume drop that is not real;
    for a customer calling every day the two are the same day. Never starts before `first_day`."""
    if preset == "Last 7 days":
        start = last_day - timedelta(days=ATTENTION_DAYS - 1)
    elif preset == "Last 30 days":
        start = last_day - timedelta(days=29)
    elif preset == "This month":
        start = last_day.replace(day=1)
    else:
        start = first_day
    return max(start, first_day), last_day


def default_range(first_day: date, last_day: date) -> tuple[date, date]:
    """The days a view opens on when its link gives none: the last days with calls, as Needs attention."""
    return preset_range(DEFAULT_PRESET, first_day, last_day)


def matching_preset(chosen: tuple[date, date], first_day: date, last_day: date) -> str | None:
    """The preset these days are, if any (so its button shows as chosen)."""
    return next((p for p in PRESETS if preset_range(p, first_day, last_day) == tuple(chosen)), None)


@dataclass(frozen=True)
class Change:
    """One figure's change, as the text st.metric shows as its delta, and its sign (0 = no change)."""

    text: str
    sign: int


def figure_changes(current: OverviewFigures, previous: OverviewFigures) -> dict[str, Change | None]:
    """Each headline figure's change: counts as differences, rates in percentage points, talk time as
    m:ss. None where either side has no value (a rate of no calls)."""
    counts = ("total_calls", "inbound", "outbound", "test_calls", "error_calls")
    rates = ("connected_rate", "success_rate", "test_share", "error_share")
    times = ("median_talk_s", "total_talk_s")
    out: dict[str, Change | None] = {}
    for name in counts:
        diff = getattr(current, name) - getattr(previous, name)
        out[name] = Change(f"{'+' if diff > 0 else ''}{format_count(diff)}", int(np.sign(diff)))
    for name in rates:
        now, before = getattr(current, name), getattr(previous, name)
        if now is None or before is None:
            out[name] = None
            continue
        points = round((now - before) * 100, 1)
        out[name] = Change(f"{points:+.1f} pp" if points else "0.0 pp", int(np.sign(points)))
    for name in times:
        now, before = getattr(current, name), getattr(previous, name)
        if now is None or before is None:
            out[name] = None
            continue
        seconds = round(now - before)
        out[name] = Change(f"{'+' if seconds > 0 else ''}{format_duration(seconds)}", int(np.sign(seconds)))
    return out


DAILY_COLUMNS: Final = (
    "total_calls",
    "inbound",
    "outbound",
    "test_calls",
    "connected_rate",
    "success_rate",
    "test_share",
    "error_share",
    "median_talk_s",
    "total_talk_s",
)


def daily_figures(df: pd.DataFrame, period: Period, tz: str, *, bucket_days: int = 1) -> pd.DataFrame:
    """The headline figures per local day of `period`, or per `bucket_days` days counted back from its
    last day (a leading partial bucket is left out, so every point covers as many days). One row per
    bucket, indexed by its last day, zero-filled; rates NaN without a denominator. For trend lines; calls
    without a time are in no bucket."""
    zone = time_zone(tz)
    count = max(period.days // bucket_days, 1)
    end = pd.Timestamp(period.end)
    days = pd.DatetimeIndex([end - pd.Timedelta(days=bucket_days * k) for k in reversed(range(count))], name="day")
    days = days.as_unit("us")
    known = df["createdAt"].notna().to_numpy(dtype=bool)
    rows = df[known]
    local = local_days(rows["createdAt"], zone).to_numpy()
    back = ((end.to_datetime64() - local) // np.timedelta64(1, "D")).astype(np.int64) // bucket_days
    day = (end.to_datetime64() - (back * bucket_days).astype("timedelta64[D]")).astype("datetime64[us]")
    out = headline_table(headline_parts(rows), day, days)
    return out[list(DAILY_COLUMNS)]


def trend_figures(df: pd.DataFrame, period: Period, tz: str) -> pd.DataFrame:
    """Daily figures up to TREND_DAILY_MAX_DAYS, weekly beyond (seven-day buckets ending on the last day),
    so a half-year trend shows its direction instead of every weekend's dip."""
    return daily_figures(df, period, tz, bucket_days=1 if period.days <= TREND_DAILY_MAX_DAYS else 7)


def _day(day: date, *, year: bool = False) -> str:
    return f"{day.day} {day:%b}" + (f" {day.year}" if year else "")
