"""Every number the Overview shows, each from one function a test can call without Streamlit.

The headline figures have one definition, `headline_parts` (what each call counts for) summed by
`headline_table` (per group of calls): the Overview's row, the report's and the trend lines of `periods`
all read them. Talk time is the duration of connected calls (`measures`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from carecycle_dash.api.contract import ERROR_DISPOSITIONS
from carecycle_dash.data.formatting import format_duration
from carecycle_dash.data.frame import labels, matches, time_zone
from carecycle_dash.data.measures import durations_s, local_days, talk_s, talk_times_s

OTHER_LABEL: Final = "Other"
MAX_STACKED_DISPOSITIONS: Final = 12
_HISTOGRAM_MAX_BINS: Final = 30
_NICE_BIN_MINUTES: Final = (0.25, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 240, 480, 1440)
HEADLINE_COUNTS: Final = (
    "total_calls",
    "connected_calls",
    "evaluated_calls",
    "succeeded_calls",
    "inbound",
    "outbound",
    "test_calls",
    "error_calls",
)
HEADLINE_RATES: Final = {
    "connected_rate": ("connected_calls", "total_calls"),
    "success_rate": ("succeeded_calls", "evaluated_calls"),
    "test_share": ("test_calls", "total_calls"),
    "error_share": ("error_calls", "total_calls"),
}
"""Each rate's (numerator, denominator) among HEADLINE_COUNTS; success is over calls with a readable verdict."""


@dataclass(frozen=True)
class OverviewFigures:
    """The row of figures on the Overview. Rates are None where their denominator is zero."""

    total_calls: int
    connected_calls: int
    connected_rate: float | None
    median_talk_s: float | None
    total_talk_s: float
    evaluated_calls: int
    success_rate: float | None
    inbound: int
    outbound: int
    test_calls: int
    test_share: float | None
    error_calls: int = 0
    error_share: float | None = None
    """Calls whose disposition is an error on our side (contract.ERROR_DISPOSITIONS)."""


def overview_figures(df: pd.DataFrame) -> OverviewFigures:
    """The headline figures of the rows given (already filtered), as one group of `headline_table`."""
    parts = headline_parts(df)
    row = headline_table(parts, np.zeros(len(parts), dtype=np.int64), pd.Index([0])).iloc[0]
    counts = {name: int(row[name]) for name in HEADLINE_COUNTS if name != "succeeded_calls"}
    rates = {name: _number(row[name]) for name in HEADLINE_RATES}
    return OverviewFigures(
        **counts, **rates, median_talk_s=_number(row["median_talk_s"]), total_talk_s=float(row["total_talk_s"])
    )


def headline_parts(df: pd.DataFrame) -> pd.DataFrame:
    """What each call counts for in the headline figures, one row per call in order: under every name of
    HEADLINE_COUNTS whether the call is one of those calls, and its talk time in seconds (`talk_s`: NaN
    unless connected with a duration)."""
    verdicts = df["success"]
    return pd.DataFrame(
        {
            "total_calls": np.ones(len(df), dtype=bool),
            "connected_calls": df["connected"].to_numpy(dtype=bool),
            "evaluated_calls": verdicts.notna().to_numpy(dtype=bool),
            "succeeded_calls": verdicts.fillna(False).to_numpy(dtype=bool),
            "inbound": matches(df["direction"], ("inbound",), casefold=True),
            "outbound": matches(df["direction"], ("outbound",), casefold=True),
            "test_calls": df["isTest"].to_numpy(dtype=bool),
            "error_calls": matches(df["disposition"], ERROR_DISPOSITIONS),
            "talk_s": talk_s(df),
        }
    )


def headline_table(parts: pd.DataFrame, groups: np.ndarray, index: pd.Index) -> pd.DataFrame:
    """The headline figures of each group of calls (`groups` holds each row of `parts`' group; rows of no
    group in `index` are left out), one row per value of `index`: every count of HEADLINE_COUNTS, zero
    where a group has no calls; the rates of HEADLINE_RATES, NaN without a denominator; median_talk_s
    (NaN without talk) and total_talk_s. Counted with bincount, which costs a fraction of a groupby."""
    size = len(index)
    found = index.get_indexer(groups)
    position = np.where(found >= 0, found, size)  # one more bin, dropped, for calls of no group
    out: dict[str, np.ndarray] = {
        name: np.bincount(position[parts[name].to_numpy(dtype=bool)], minlength=size + 1)[:size].astype(np.int64)
        for name in HEADLINE_COUNTS
    }
    for rate, (part, whole) in HEADLINE_RATES.items():
        out[rate] = np.divide(out[part], out[whole], out=np.full(size, np.nan), where=out[whole] > 0)
    talk = parts["talk_s"].to_numpy()
    spoken = ~np.isnan(talk) & (found >= 0)
    talk_by_group = pd.Series(talk[spoken]).groupby(found[spoken]).agg(["median", "sum"]).reindex(range(size))
    out["median_talk_s"] = talk_by_group["median"].to_numpy()
    out["total_talk_s"] = talk_by_group["sum"].fillna(0.0).to_numpy()
    return pd.DataFrame(out, index=index)


def disposition_breakdown(df: pd.DataFrame) -> pd.DataFrame:
    """One row per disposition: calls and share of all rows, most calls first (ties by name)."""
    counts = labels(df["disposition"]).value_counts()
    out = pd.DataFrame({"disposition": counts.index.astype("str"), "calls": counts.to_numpy(dtype=np.int64)})
    out = out.sort_values(["calls", "disposition"], ascending=[False, True], ignore_index=True)
    out["share"] = out["calls"] / len(df) if len(df) else 0.0
    return out


def duration_by_disposition(df: pd.DataFrame) -> pd.DataFrame:
    """Box-plot statistics of call duration in seconds per disposition (calls with a known duration), in
    the order of `disposition_breakdown`. Whiskers reach the furthest value within 1.5 IQR of the box."""
    columns = ["disposition", "calls", "min_s", "lower_s", "q1_s", "median_s", "q3_s", "upper_s", "max_s", "mean_s"]
    seconds = pd.Series(durations_s(df), index=df.index)
    known = seconds.notna()
    if not known.any():
        return pd.DataFrame({c: pd.Series(dtype="str" if c == "disposition" else "float64") for c in columns})
    every_label = labels(df["disposition"])
    values = seconds[known]
    group = every_label[known]
    grouped = values.groupby(group, sort=False)
    stats = pd.DataFrame(
        {
            "calls": grouped.size(),
            "min_s": grouped.min(),
            "q1_s": grouped.quantile(0.25),
            "median_s": grouped.median(),
            "q3_s": grouped.quantile(0.75),
            "max_s": grouped.max(),
            "mean_s": grouped.mean(),
        }
    )
    iqr = stats["q3_s"] - stats["q1_s"]
    low_fence = (stats["q1_s"] - 1.5 * iqr).reindex(group).to_numpy()
    high_fence = (stats["q3_s"] + 1.5 * iqr).reindex(group).to_numpy()
    stats["lower_s"] = values.where(values.to_numpy() >= low_fence).groupby(group, sort=False).min()
    stats["upper_s"] = values.where(values.to_numpy() <= high_fence).groupby(group, sort=False).max()
    order = [d for d in _by_frequency(every_label.value_counts()) if d in stats.index]
    out = stats.reindex(order).rename_axis("disposition").reset_index()
    out["disposition"] = out["disposition"].astype("str")
    out["calls"] = out["calls"].astype(np.int64)
    return out[columns]


def talk_time_distribution(df: pd.DataFrame) -> pd.DataFrame:
    """Histogram of talk time (connected calls) in minutes: bin_start_min, bin_end_min, calls, label.

    Bins have a round width and number at most 30; when a few very long calls would squash the rest,
    the last bin is open-ended ("≥ 40:00") and holds everything from its start on.
    """
    minutes = talk_times_s(df) / 60.0
    columns = ["bin_start_min", "bin_end_min", "calls", "label", "open_ended"]
    if not minutes.size:
        return pd.DataFrame(
            {c: pd.Series(dtype=t) for c, t in zip(columns, ["float64"] * 2 + ["int64", "str", "bool"], strict=True)}
        )
    longest = float(minutes.max())
    typical = float(np.quantile(minutes, 0.99))
    span = longest if longest <= 1.5 * typical or typical == 0 else typical
    width = next((w for w in _NICE_BIN_MINUTES if span / w <= _HISTOGRAM_MAX_BINS), _NICE_BIN_MINUTES[-1])
    bins = max(1, math.floor(span / width) + 1)
    open_ended = longest >= bins * width
    index = np.minimum((minutes // width).astype(np.int64), bins - 1)
    counts = np.bincount(index, minlength=bins)
    starts = np.arange(bins) * width
    ends = starts + width
    text = [f"{format_duration(s * 60)}–{format_duration(e * 60)}" for s, e in zip(starts, ends, strict=True)]
    flags = np.zeros(bins, dtype=bool)
    if open_ended:
        flags[-1] = True
        text[-1] = f"≥ {format_duration(starts[-1] * 60)}"
    return pd.DataFrame(
        {
            "bin_start_min": starts,
            "bin_end_min": ends,
            "calls": counts.astype(np.int64),
            "label": pd.array(text, dtype="str"),
            "open_ended": flags,
        }
    )


def calls_per_day(df: pd.DataFrame, tz: str = "UTC", max_dispositions: int = MAX_STACKED_DISPOSITIONS) -> pd.DataFrame:
    """Calls per local day and disposition: day (naive local midnight), disposition, calls.

    Every day from the first to the last call is present, zero-filled, with every disposition, so stacked
    bars have no gaps. Beyond `max_dispositions` the least frequent are folded into "Other". Calls with
    no time are left out. Rows are by day, then by disposition from most to fewest calls, "Other" last.
    """
    columns = {
        "day": pd.Series(dtype="datetime64[us]"),
        "disposition": pd.Series(dtype="str"),
        "calls": pd.Series(dtype="int64"),
    }
    times = df["createdAt"]
    known = times.notna().to_numpy(dtype=bool)
    if not known.any():
        return pd.DataFrame(columns)
    zone = time_zone(tz)
    local_day = local_days(times[known], zone)
    group = _fold_rare(labels(df["disposition"])[known], max_dispositions)
    # groupby-size stays on pandas' vectorised path; crosstab falls back to a Python loop per group.
    counts = (
        pd.Series(1, index=[local_day.to_numpy(), group.to_numpy()]).groupby(level=[0, 1]).size().unstack(fill_value=0)
    )
    totals = counts.sum()
    order = sorted(totals.index, key=lambda d: (d == OTHER_LABEL, -totals[d], d))
    days = pd.date_range(local_day.min(), local_day.max(), freq="D", unit="us", name="day")
    wide = counts.reindex(index=days, columns=order, fill_value=0)
    long = wide.stack().rename("calls").reset_index()
    long.columns = ["day", "disposition", "calls"]
    long["disposition"] = long["disposition"].astype("str")
    long["calls"] = long["calls"].astype(np.int64)
    return long


def _by_frequency(counts: pd.Series) -> list[str]:
    return [str(name) for name, _ in sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))]


def _number(value: float) -> float | None:
    """A figure as OverviewFigures holds it: None where there is nothing to divide or take the median of."""
    return None if np.isnan(value) else float(value)


def _fold_rare(group: pd.Series, keep: int) -> pd.Series:
    counts = group.value_counts()
    if len(counts) <= keep:
        return group
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    kept = [name for name, _ in ranked[: max(keep - 1, 1)]]
    return group.where(group.isin(kept), OTHER_LABEL)
