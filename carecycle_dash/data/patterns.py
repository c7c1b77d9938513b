"""When calls work and how far they get: the hour-of-week table and the outcome funnel behind the Overview's
heatmap and funnel charts (and the report's). Pure pandas, numbers only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import pandas as pd

from carecycle_dash.api.contract import CONVERSATION_MIN_CALLER_TURNS, POSITIVE_DISPOSITIONS
from carecycle_dash.data.frame import time_zone

Measure = Literal["calls", "connected_rate", "success_rate"]
MEASURES: Final[tuple[Measure, ...]] = ("calls", "connected_rate", "success_rate")
WEEKDAYS: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MIN_CALLS_FOR_RATE: Final = 5
"""A rate over fewer calls than this says more about chance than about the hour, so it is left out."""

FUNNEL_STAGES: Final = ("All calls", "Connected", "Conversation", "Success evaluation passed", "Positive disposition")


@dataclass(frozen=True)
class HourOfWeek:
    """168 rows, Monday 0:00 first: weekday (0 = Monday), hour (0..23), calls, connected, connected_rate,
    evaluated, succeeded, success_rate. A rate is NaN where its denominator is under MIN_CALLS_FOR_RATE.
    `without_time` counts the calls left out because they have no time."""

    table: pd.DataFrame
    without_time: int


def hour_of_week(df: pd.DataFrame, tz: str = "UTC") -> HourOfWeek:
    """Calls, connected rate and success rate per weekday and hour in the viewer's time zone `tz`.

    The connected rate is over all calls of the hour, the success rate over those with a readable verdict
    (as in the headline figures). Every hour of the week is present, zero where there were no calls.
    """
    times = df["createdAt"]
    known = times.notna().to_numpy(dtype=bool)
    local = times[known].dt.tz_convert(time_zone(tz))
    cell = local.dt.day_of_week.to_numpy(dtype=np.int64) * 24 + local.dt.hour.to_numpy(dtype=np.int64)
    verdicts = df["success"][known]
    calls = np.bincount(cell, minlength=168)
    connected = np.bincount(cell, weights=df["connected"].to_numpy(dtype=bool)[known], minlength=168)
    evaluated = np.bincount(cell, weights=verdicts.notna().to_numpy(dtype=bool), minlength=168)
    succeeded = np.bincount(cell, weights=verdicts.fillna(False).to_numpy(dtype=bool), minlength=168)
    table = pd.DataFrame(
        {
            "weekday": np.repeat(np.arange(7, dtype=np.int64), 24),
            "hour": np.tile(np.arange(24, dtype=np.int64), 7),
            "calls": calls.astype(np.int64),
            "connected": connected.astype(np.int64),
            "connected_rate": _rate(connected, calls),
            "evaluated": evaluated.astype(np.int64),
            "succeeded": succeeded.astype(np.int64),
            "success_rate": _rate(succeeded, evaluated),
        }
    )
    return HourOfWeek(table=table, without_time=int((~known).sum()))


def outcome_funnel(df: pd.DataFrame) -> pd.DataFrame:
    """How far calls got: one row per FUNNEL_STAGES entry with stage, calls, share_of_all, share_of_previous.

    Each stage holds the calls of the one before that also pass it, so the bars never grow: connected;
    a conversation (the caller spoke at least CONVERSATION_MIN_CALLER_TURNS times); a success evaluation
    that passed; a positive disposition (contract.POSITIVE_DISPOSITIONS). Shares are NaN over zero calls.
    """
    connected = df["connected"].to_numpy(dtype=bool)
    conversation = connected & (df["callerTurns"].to_numpy(dtype=np.int64) >= CONVERSATION_MIN_CALLER_TURNS)
    passed = conversation & df["success"].fillna(False).to_numpy(dtype=bool)
    positive = passed & _is_positive(df["disposition"])
    counts = np.array([len(df), connected.sum(), conversation.sum(), passed.sum(), positive.sum()], dtype=np.int64)
    previous = np.concatenate([[len(df)], counts[:-1]])
    return pd.DataFrame(
        {
            "stage": pd.array(FUNNEL_STAGES, dtype="str"),
            "calls": counts,
            "share_of_all": _rate(counts, np.full(len(counts), len(df)), minimum=1),
            "share_of_previous": _rate(counts, previous, minimum=1),
        }
    )


def _is_positive(dispositions: pd.Series) -> np.ndarray:
    """Judge each distinct disposition once (there are few), then spread the verdicts over the rows."""
    codes, uniques = pd.factorize(dispositions)
    wanted = {name.casefold() for name in POSITIVE_DISPOSITIONS}
    verdicts = [isinstance(name, str) and name.strip().casefold() in wanted for name in uniques]
    return np.array([*verdicts, False], dtype=bool)[codes]  # code -1 (missing) takes the final False


def _rate(part: np.ndarray, whole: np.ndarray, minimum: int = MIN_CALLS_FOR_RATE) -> np.ndarray:
    whole = np.asarray(whole, dtype=np.float64)
    enough = whole >= minimum
    out = np.full(len(whole), np.nan)
    np.divide(np.asarray(part, dtype=np.float64), whole, out=out, where=enough)
    return out
