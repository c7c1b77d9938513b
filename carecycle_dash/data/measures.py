"""What each call counts for, defined once for every figure built from it: its duration and talk time in
seconds, and the local day (or week) it falls on.

Talk time is the duration of a connected call: the time an assistant spent with a person. Pure numpy and
pandas over the calls table, importing nothing else of the data layer, so that every module can use it.
"""

from __future__ import annotations

from datetime import tzinfo

import numpy as np
import pandas as pd


def durations_s(df: pd.DataFrame) -> np.ndarray:
    """Each call's duration in seconds, NaN where unknown."""
    return df["durationS"].astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan)


def talk_s(df: pd.DataFrame) -> np.ndarray:
    """Each call's talk time in seconds: its duration when connected, NaN otherwise or when unknown."""
    return np.where(df["connected"].to_numpy(dtype=bool), durations_s(df), np.nan)


def talk_times_s(df: pd.DataFrame) -> np.ndarray:
    """The talk times there are: of connected calls with a known duration, in row order."""
    talk = talk_s(df)
    return talk[~np.isnan(talk)]


def local_days(times: pd.Series, zone: tzinfo | str) -> pd.Series:
    """Each (UTC, known) time's local day in `zone`, as a naive local midnight in microseconds."""
    return times.dt.tz_convert(zone).dt.tz_localize(None).dt.normalize().dt.as_unit("us")


def local_weeks(times: pd.Series, zone: tzinfo | str) -> pd.Series:
    """Each (UTC, known) time's local week, as the naive local midnight of its Monday in microseconds."""
    days = local_days(times, zone)
    return (days - pd.to_timedelta(days.dt.day_of_week, unit="D")).dt.as_unit("us")
