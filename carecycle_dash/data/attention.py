"""Needs attention: what moved between the previous period and this one by a margin that is both large
and unlikely to be chance, with no rules to set up. Pure pandas; `attention_for` is the one place
the Overview and the report get it from.

How a move is judged (RULES says the same in words, for the page):
- a rate (success, connected, each disposition's share, short connected calls, connected calls without a
  recording or transcript): a two-proportion z-test; listed when |z| >= 3, the change is at least
  3 percentage points, each period has at least 30 calls in the denominator, and at least 10 calls show
  the trait in one of the periods (so 0 -> 2 of a handful never raises an alarm);
- volume: the two counts as Poisson events over equal lengths (given their sum, this period's count is
  binomial with p = 1/2): |z| >= 3, a change of at least 20%, and at least 30 calls in all;
- median talk time: a change of at least 10 s and 20%, beyond 3 standard errors of the difference of
  the medians (each from the median absolute deviation: 1.2533 * 1.4826 * MAD / sqrt(n)), with at least
  30 connected calls in each period.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Final

import numpy as np
import pandas as pd

from carecycle_dash.api.contract import POSITIVE_DISPOSITIONS
from carecycle_dash.data.filters import CallFilters
from carecycle_dash.data.formatting import format_count, format_duration
from carecycle_dash.data.frame import labels
from carecycle_dash.data.measures import durations_s, talk_times_s
from carecycle_dash.data.metrics import headline_parts
from carecycle_dash.data.periods import Comparison, attention_period, calls_of, compare
from carecycle_dash.data.silence import Silence, silence

MIN_Z: Final = 3.0
MIN_CALLS: Final = 30
MIN_EVENTS: Final = 10
MIN_POINTS: Final = 0.03
MIN_VOLUME_CHANGE: Final = 0.20
MIN_TALK_CHANGE_S: Final = 10.0
MIN_TALK_CHANGE: Final = 0.20
SHORT_CALL_S: Final = 10.0
RULES: Final = (
    "Listed when a change is both large and unlikely to be chance. Rates: at least 3 percentage points, "
    "|z| ≥ 3 in a two-proportion test, at least 30 calls behind each period's rate and 10 showing the trait. "
    "Volume: at least 20% and |z| ≥ 3 (Poisson). Median talk time: at least 10 s and 20%, beyond 3 standard "
    "errors. Bad news first, then good news, each by strength of evidence."
)


@dataclass(frozen=True)
class AttentionItem:
    """One thing that moved: the figure's name, one line saying both values and the change, how alarming
    it is, and the address parameters of the Calls page showing the calls behind it.

    `severity` is the strength of evidence (|z|), positive when the move is bad news and negative when it
    is good news. `params` holds filter parameters only (a repeatable one as a list); the caller adds the
    period's `start`/`end` and the view's own. API strings in `text` are raw: escape them where shown.
    """

    figure: str
    text: str
    severity: float
    params: dict[str, str | list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Rate:
    """A rate's name, what it is a share of, its numerator and denominator in each period."""

    figure: str
    of: str
    now: tuple[int, int]
    before: tuple[int, int]
    rising_is_bad: bool
    params: dict[str, str | list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Attention:
    """Needs attention for one view: the periods compared (None when no call has a time), what moved
    (bad news first), whether a date range was chosen (else the last days with calls are watched), and
    whether the calls stopped. Shown in this order by the Overview and the report alike: the silence's line,
    the standing lines (Do Not Call), then the items."""

    comparison: Comparison | None
    items: list[AttentionItem]
    range_chosen: bool
    silence: Silence | None = None

    @property
    def scope(self) -> str:
        """Which periods are compared, in words."""
        c = self.comparison
        if c is None:
            return ""
        if self.range_chosen:
            return f"{c.current.label} against {c.previous.label}{c.with_calls}"
        return f"the last {c.current.days} days with calls ({c.current.label}) against the {c.previous.days} before"

    def empty_line(self) -> str | None:
        """The one line shown instead of the items when there are none: no calls with a time, nothing to
        compare with, or nothing moved. None when there are items."""
        if self.comparison is None:
            return "There are no calls with a time to compare."
        if not self.comparison.comparable:
            return f"Nothing to compare {self.scope}: {self.comparison.caption().removeprefix('No changes shown: ')}"
        if not self.items:
            return f"Nothing moved by a meaningful margin: {self.scope}."
        return None

    def caption(self) -> str:
        """What was compared, and why volume is not judged when it is not: today is not over, or the calls
        stopped on the period's last day."""
        if self.comparison is not None and self.comparison.ongoing:
            return f"Comparing {self.scope}. Today is not over yet, so volume is not judged."
        if self.silence is not None and _cut_short(self.comparison, self.silence):
            return f"Comparing {self.scope}. Calls stopped on its last day, so volume is not judged."
        return f"Comparing {self.scope}."


def attention_for(
    all_calls: pd.DataFrame,
    filters: CallFilters,
    first_day: date | None,
    last_day: date | None,
    now: datetime | None,
    *,
    filtered: pd.DataFrame | None = None,
) -> Attention:
    """Needs attention for the calls passing `filters` among every loaded call: the chosen date range (or
    the last days with calls when none is chosen; a range running past the newest call over its days with
    calls) against the period before, when the loaded calls cover it; and, whatever the period, whether the
    customer's calls stopped. `now` is an aware time in the viewer's zone (its date is today; None: unknown).
    `filtered` (the calls passing `filters`, when the caller has them) spares filtering them again."""
    range_chosen = filters.start is not None or filters.end is not None
    counted = all_calls if filters.include_tests else all_calls[~all_calls["isTest"].to_numpy(dtype=bool)]
    quiet = None if now is None else silence(counted["createdAt"], now)
    watched = attention_period(filters, first_day, last_day)
    if watched is None:
        return Attention(None, [], range_chosen, quiet)
    comparison = compare(watched, first_day, None if now is None else now.date(), last_day)
    if not comparison.comparable:
        return Attention(comparison, [], range_chosen, quiet)
    current = filtered if range_chosen and filtered is not None else calls_of(all_calls, filters, comparison.current)
    previous = calls_of(all_calls, filters, comparison.previous)
    complete = not comparison.ongoing and not (quiet is not None and _cut_short(comparison, quiet))
    items = needs_attention(current, previous, complete=complete)
    return Attention(comparison, items, range_chosen, quiet)


def _cut_short(comparison: Comparison | None, quiet: Silence) -> bool:
    """Whether the period compared ends on (or after) the day the calls stopped: that day's count is cut
    short by the silence, which Needs attention says first, so volume is not judged as a fall."""
    return comparison is not None and comparison.current.end >= quiet.last_day


def needs_attention(current: pd.DataFrame, previous: pd.DataFrame, *, complete: bool = True) -> list[AttentionItem]:
    """What moved between `previous` and `current` (the calls of two equally long periods, already
    filtered alike), bad news first. Empty when either period has no calls. `complete=False` (the current
    period ends today, which is not over) leaves volume unjudged: its count is still growing."""
    if current.empty or previous.empty:
        return []
    items = [_volume(len(current), len(previous))] if complete else []
    items += [_rate(rate) for rate in _rates(current, previous)]
    items.append(_median_talk(current, previous))
    found = [item for item in items if item is not None]
    return sorted(found, key=lambda item: (item.severity < 0, -abs(item.severity), item.figure))


def _traits(df: pd.DataFrame) -> dict[str, tuple[int, int]]:
    """(calls showing the trait, calls it is a share of) for each rate but the dispositions; success and
    connected as the headline figures count them."""
    counts = headline_parts(df).drop(columns="talk_s").sum()
    connected = df["connected"].to_numpy(dtype=bool)
    short = durations_s(df) < SHORT_CALL_S  # an unknown duration (NaN) is not short
    n_connected = int(counts["connected_calls"])
    traits = {
        "success": (int(counts["succeeded_calls"]), int(counts["evaluated_calls"])),
        "connected": (n_connected, int(counts["total_calls"])),
        "short": (int((connected & short).sum()), n_connected),
        "recording": (int((connected & ~df["hasRecording"].to_numpy(dtype=bool)).sum()), n_connected),
    }
    if "hasTranscript" in df.columns:
        traits["transcript"] = (int((connected & ~df["hasTranscript"].to_numpy(dtype=bool)).sum()), n_connected)
    return traits


def _rates(current: pd.DataFrame, previous: pd.DataFrame) -> list[_Rate]:
    now, before = _traits(current), _traits(previous)
    short = f"Short connected calls (under {SHORT_CALL_S:.0f} s)"
    named = (
        ("success", "Success rate", "evaluated calls", False, {}),
        ("connected", "Connected", "calls", False, {}),
        ("short", short, "connected calls", True, {"sort_by": "duration", "order": "asc"}),
        ("recording", "Connected calls without a recording", "connected calls", True, {}),
        ("transcript", "Connected calls without a transcript", "connected calls", True, {}),
    )
    rates = [
        _Rate(figure, of, now[key], before[key], rising_is_bad, params)
        for key, figure, of, rising_is_bad, params in named
        if key in now and key in before
    ]
    counts_now = labels(current["disposition"]).value_counts()
    counts_before = labels(previous["disposition"]).value_counts()
    for name in sorted(set(counts_now.index) | set(counts_before.index)):
        rates.append(
            _Rate(
                str(name),
                "calls",
                (int(counts_now.get(name, 0)), len(current)),
                (int(counts_before.get(name, 0)), len(previous)),
                name not in POSITIVE_DISPOSITIONS,
                {"disposition": [str(name)]},
            )
        )
    return rates


def _rate(rate: _Rate) -> AttentionItem | None:
    (x1, n1), (x2, n2) = rate.now, rate.before
    z = two_proportion_z(x1, n1, x2, n2)
    if z is None or min(n1, n2) < MIN_CALLS or max(x1, x2) < MIN_EVENTS:
        return None
    p1, p2 = x1 / n1, x2 / n2
    if abs(z) < MIN_Z or abs(p1 - p2) < MIN_POINTS:
        return None
    rising = p1 > p2
    bad = rising == rate.rising_is_bad
    points = round((p1 - p2) * 100)
    text = (
        f"{rate.figure}: {_percent(p1)} of {rate.of} ({format_count(x1)}), "
        f"{'up' if rising else 'down'} from {_percent(p2)} ({format_count(x2)}), {points:+d} points"
    )
    return AttentionItem(rate.figure, text, abs(z) if bad else -abs(z), dict(rate.params))


def _volume(now: int, before: int) -> AttentionItem | None:
    total = now + before
    if total < MIN_CALLS or before == 0:
        return None
    z = (now - before) / math.sqrt(total)
    change = (now - before) / before
    if abs(z) < MIN_Z or abs(change) < MIN_VOLUME_CHANGE:
        return None
    text = (
        f"Volume: {format_count(now)} calls, {'up' if now > before else 'down'} from "
        f"{format_count(before)} ({change:+.0%})"
    )
    return AttentionItem("Volume", text, abs(z) if now < before else -abs(z), {})


def _median_talk(current: pd.DataFrame, previous: pd.DataFrame) -> AttentionItem | None:
    now, before = talk_times_s(current), talk_times_s(previous)
    if min(now.size, before.size) < MIN_CALLS:
        return None
    m1, m2 = float(np.median(now)), float(np.median(before))
    diff = m1 - m2
    if abs(diff) < MIN_TALK_CHANGE_S or (m2 > 0 and abs(diff) / m2 < MIN_TALK_CHANGE):
        return None
    spread = math.hypot(_median_error(now), _median_error(before))
    z = diff / spread if spread > 0 else math.copysign(math.inf, diff)
    if abs(z) < MIN_Z:
        return None
    strength = min(abs(z), 99.0)
    text = (
        f"Median talk time: {format_duration(m1)}, {'up' if diff > 0 else 'down'} from {format_duration(m2)} "
        f"({'+' if diff > 0 else ''}{format_duration(diff)})"
    )
    return AttentionItem("Median talk time", text, strength if diff < 0 else -strength, {})


def two_proportion_z(x1: int, n1: int, x2: int, n2: int) -> float | None:
    """The pooled two-proportion z statistic of x1/n1 against x2/n2; 0 when both are all or nothing;
    None when a denominator is zero."""
    if n1 <= 0 or n2 <= 0:
        return None
    pooled = (x1 + x2) / (n1 + n2)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if spread == 0:
        return 0.0
    return (x1 / n1 - x2 / n2) / spread


def _median_error(values: np.ndarray) -> float:
    """A robust standard error of the median: the normal-theory 1.2533 * sigma / sqrt(n), with sigma
    estimated as 1.4826 * the median absolute deviation (long calls do not inflate it)."""
    mad = float(np.median(np.abs(values - np.median(values))))
    return 1.2533 * 1.4826 * mad / math.sqrt(values.size)


def _percent(share: float) -> str:
    """Whole percent, one decimal below 10% so small shares stay distinguishable (0.4% vs 2%)."""
    return f"{share * 100:.0f}%" if share >= 0.095 or share == 0 else f"{share * 100:.1f}%"
