"""Calls as one typed DataFrame: every API field under its own name, impossible values made missing and
counted, and the derived columns the dashboard reads (seconds, test, connected, success, recording and
transcript present, the caller's normalised number and the transcript signals, computed here once per
loaded dataset).

Row i is calls[i], and `sent` gives calls[i] back exactly as sent (data/sent.py). Built column by column with
vectorised pandas/Arrow operations so that 100,000 calls take well under a second or two.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd
import pyarrow as pa

from carecycle_dash.api.contract import (
    BOOLEAN_FIELDS,
    CALL_FIELDS,
    CONNECTED_MIN_SECONDS,
    EARLIEST_CALL_TIME,
    FAILURE_WORDS,
    INTEGER_FIELDS,
    KNOWN_DISPOSITIONS,
    LATEST_CALL_TIME,
    MAX_CALL_DURATION_MS,
    NOT_CONNECTED_DISPOSITIONS,
    SUCCESS_SCORE_THRESHOLD,
    SUCCESS_WORDS,
    URL_FIELDS,
)
from carecycle_dash.api.errors import InvalidInputError
from carecycle_dash.data.callers import normalise_numbers
from carecycle_dash.data.sent import Sent, inexact_rows, sent_fields, usual_keys
from carecycle_dash.data.signals import SIGNAL_COLUMNS, transcript_signals

TEXT_FIELDS: Final = tuple(f for f in CALL_FIELDS if f not in BOOLEAN_FIELDS | INTEGER_FIELDS | {"createdAt"})
NONE_LABEL: Final = "(none)"
"""How a missing or blank category (disposition, direction, campaign...) is shown and filtered."""

TIME_UNIT: Final = "us"

_SCORE: Final = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*(?:(%)|/\s*(\d+(?:\.\d+)?))?$")
_TRUE_TEXT: Final = frozenset({"true", "1"})
_FALSE_TEXT: Final = frozenset({"false", "0"})


@dataclass(frozen=True)
class CallsFrame:
    """The calls table and how many impossible values were set to missing, per API column."""

    df: pd.DataFrame
    cleaned: dict[str, int] = field(default_factory=dict)
    sent: Sent | None = None
    """What gives back each call exactly as the API sent it (data/sent.py); None for a masked frame."""

    @property
    def cleaned_total(self) -> int:
        return sum(self.cleaned.values())


def build_frame(calls: Sequence[Mapping[str, Any]], keys: tuple[str, ...] | None = None) -> CallsFrame:
    """One row per call, in order; every API field even when no call has it; unknown fields kept only in
    `sent`, with what else gives each call back as sent. `keys`: the usual field order, when already known."""
    rows = [call if type(call) is dict or isinstance(call, Mapping) else {} for call in calls]
    columns: dict[str, Any] = {}
    cleaned: dict[str, int] = {}
    inexact: dict[str, list[int]] = {}
    created_text = pa.array([], type=pa.large_string())
    for name in CALL_FIELDS:
        values = [row.get(name) for row in rows]
        text_is_exact = True
        if name in BOOLEAN_FIELDS:
            columns[name], cleaned[name] = _booleans(values)
        elif name in INTEGER_FIELDS:
            columns[name], cleaned[name] = _durations_ms(values)
        elif name == "createdAt":
            created_text, text_is_exact = _text_array(values)
            columns[name], cleaned[name] = _timestamps(created_text.to_pandas())
        else:
            array, text_is_exact = _text_array(values)
            columns[name] = array.to_pandas()
        inexact[name] = inexact_rows(name, values, text_is_exact)
    df = pd.DataFrame(columns, index=pd.RangeIndex(len(rows)))
    _add_derived(df)
    sent = sent_fields(rows, created_text, inexact, usual_keys(rows) if keys is None else keys)
    return CallsFrame(df=df, cleaned=cleaned, sent=sent)


def prepend_calls(
    fresh: Sequence[Mapping[str, Any]], older: CallsFrame, kept: np.ndarray, dropped: Sequence[Mapping[str, Any]]
) -> CallsFrame:
    """The frame of `fresh` calls followed by rows `kept` of `older`, parsing only the fresh calls.

    A reload that read a few pages again then costs those pages, not the customer. `dropped` are the raw
    calls of `older`'s rows that are not kept, so the counts of impossible values stay exact.
    """
    parts = _runs(older.df, np.asarray(kept, dtype=np.int64))
    new_cleaned: dict[str, int] = {}
    sent = older.sent.take(kept) if older.sent is not None else None
    if len(fresh):
        new = build_frame(fresh, older.sent.keys if older.sent is not None and len(older.df) else None)
        parts.insert(0, new.df)
        new_cleaned = new.cleaned
        sent = Sent.concat([new.sent, sent]) if sent is not None and new.sent is not None else None
    df = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)
    gone = build_frame(dropped).cleaned if len(dropped) else {}
    cleaned = {
        name: older.cleaned.get(name, 0) - gone.get(name, 0) + new_cleaned.get(name, 0)
        for name in older.cleaned.keys() | new_cleaned.keys()
    }
    return CallsFrame(df=df, cleaned=cleaned, sent=sent)


def _runs(df: pd.DataFrame, rows: np.ndarray, most: int = 64) -> list[pd.DataFrame]:
    """`df`'s `rows` as a few slices (a slice copies nothing) when they form few contiguous runs, else one take."""
    if not len(rows):
        return [df.iloc[0:0]]
    breaks = np.flatnonzero(np.diff(rows) != 1) + 1
    if len(breaks) >= most:
        return [df.take(rows)]
    starts = np.concatenate(([0], breaks))
    ends = np.concatenate((breaks, [len(rows)]))
    return [df.iloc[rows[start] : rows[end - 1] + 1] for start, end in zip(starts, ends, strict=True)]


def labels(values: pd.Series) -> pd.Series:
    """A text column as charts and filters show it: trimmed, with missing or blank as "(none)"."""
    text = values.astype("str").str.strip()
    return text.where(text.str.len().fillna(0).astype(int).gt(0), NONE_LABEL)


def matches(values: pd.Series, wanted: Collection[str], *, casefold: bool = False) -> np.ndarray:
    """True where a text value, trimmed (and case-folded if asked), is one of `wanted`. Each distinct value
    is checked once, so 100,000 calls with a handful of directions cost one factorize, not 100,000 strips."""
    codes, uniques = pd.factorize(values)
    targets = {w.casefold() for w in wanted} if casefold else set(wanted)

    def hit(value: object) -> bool:
        if not isinstance(value, str):
            return False
        text = value.strip()
        return (text.casefold() if casefold else text) in targets

    verdicts = np.array([hit(u) for u in uniques] + [False], dtype=bool)
    return verdicts[codes]


def time_zone(tz: str) -> ZoneInfo:
    """The viewer's time zone by IANA name, or InvalidInputError with a message a person can act on."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise InvalidInputError(f"Unknown time zone {tz!r}; use a name like 'Europe/Berlin' or 'UTC'.") from exc


def parse_success_evaluation(text: str | None) -> tuple[bool | None, float | None]:
    """(success, score in 0..1) from free text: true/false words, "7" (of 10), "85%" or "85" (of 100),
    "8/10"; (None, None) when empty or unreadable. The rules and words live in contract.py."""
    if not isinstance(text, str):
        return None, None
    word = text.strip().strip("\"'.!").strip().casefold()
    if not word:
        return None, None
    if word in SUCCESS_WORDS:
        return True, 1.0
    if word in FAILURE_WORDS:
        return False, 0.0
    match = _SCORE.match(word)
    if match is None:
        return None, None
    value = float(match[1])
    if match[2]:
        scale = 100.0
    elif match[3]:
        scale = float(match[3])
    else:
        scale = 10.0 if value <= 10 else 100.0
    if scale <= 0 or not 0 <= value <= scale:
        return None, None
    score = value / scale
    return score >= SUCCESS_SCORE_THRESHOLD, score


def _text_array(values: list[Any]) -> tuple[pa.Array, bool]:
    """Arrow builds a string column from Python strings ten times faster than pandas does; a column holding
    anything else (numbers, objects, lone surrogates) goes through the slow path once. With whether it was
    the fast path (every value kept as sent)."""
    try:
        return pa.array(values, type=pa.large_string()), True
    except (pa.ArrowException, TypeError, ValueError):
        return pa.array([_as_text(v) for v in values], type=pa.large_string()), False


def _as_text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False, default=str)
    text = value if isinstance(value, str) else str(value)
    # A lone surrogate (legal in JSON escapes) cannot be stored as UTF-8: it becomes U+FFFD.
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _booleans(values: list[Any]) -> tuple[pd.arrays.BooleanArray, int]:
    parsed = [v if v is True or v is False else _parse_bool(v) for v in values]
    bad = sum(1 for raw, v in zip(values, parsed, strict=True) if v is None and raw is not None)
    return pd.array(parsed, dtype="boolean"), bad


def _parse_bool(value: Any) -> bool | None:
    if isinstance(value, str):
        word = value.strip().casefold()
        if word in _TRUE_TEXT:
            return True
        if word in _FALSE_TEXT:
            return False
    elif type(value) is int and value in (0, 1):
        return bool(value)
    return None


def _durations_ms(values: list[Any]) -> tuple[pd.arrays.IntegerArray, int]:
    limit = MAX_CALL_DURATION_MS
    numbers = np.array(
        [v if type(v) is int and 0 <= v <= limit else _parse_duration(v) for v in values], dtype=np.float64
    )
    missing = np.isnan(numbers)
    present = np.fromiter((v is not None for v in values), dtype=bool, count=len(values))
    ints = np.where(missing, 0, np.round(numbers)).astype(np.int64)
    return pd.arrays.IntegerArray(ints, missing), int((missing & present).sum())


def _parse_duration(value: Any) -> float:
    if type(value) is str:
        try:
            value = float(value.strip())
        except ValueError:
            return math.nan
    if type(value) not in (int, float) or not 0 <= value <= MAX_CALL_DURATION_MS:
        return math.nan
    return float(value)


def _timestamps(text: pd.Series) -> tuple[pd.Series, int]:
    parsed = pd.to_datetime(text, utc=True, errors="coerce", format="ISO8601").dt.as_unit(TIME_UNIT)
    plausible = parsed.ge(pd.Timestamp(EARLIEST_CALL_TIME)) & parsed.lt(pd.Timestamp(LATEST_CALL_TIME))
    parsed = parsed.where(plausible)
    given = text.str.strip().str.len().fillna(0).gt(0)
    return parsed, int((given & parsed.isna()).sum())


def _add_derived(df: pd.DataFrame) -> None:
    df["durationS"] = df["durationMs"].astype("Float64") / 1000.0
    df["isTest"] = (df["testFlag"].fillna(False) | df["isTestNumber"].fillna(False)).astype(bool)
    df["connected"] = _connected(df["disposition"], df["durationS"])
    df["success"] = _success(df["successEvaluation"])
    # Whether a recording or transcript was sent at all (not whether a link is safe to show: that is
    # safety.safe_http_url's one check, made where a link is drawn).
    df["hasRecording"] = _any_text(df[list(URL_FIELDS)])
    df["hasTranscript"] = _any_text(df[["transcript"]])
    df["caller"] = normalise_numbers(df["callerId"])
    # Counted once here, as the views that filter calls leave the long transcripts behind.
    df[list(SIGNAL_COLUMNS)] = transcript_signals(df["transcript"], df["connected"])


def _any_text(columns: pd.DataFrame) -> np.ndarray:
    """True where at least one of these text columns holds something other than blanks."""
    present = np.zeros(len(columns), dtype=bool)
    for name in columns.columns:
        present |= columns[name].str.strip().str.len().fillna(0).gt(0).to_numpy(dtype=bool)
    return present


def _connected(disposition: pd.Series, seconds: pd.Series) -> np.ndarray:
    """Known dispositions decide; an unknown or missing one counts as connected from CONNECTED_MIN_SECONDS."""
    folded = disposition.str.strip().str.casefold()
    not_connected = folded.isin([d.casefold() for d in NOT_CONNECTED_DISPOSITIONS]).to_numpy(dtype=bool)
    known_connected = [d.casefold() for d in KNOWN_DISPOSITIONS if d not in NOT_CONNECTED_DISPOSITIONS]
    connected = folded.isin(known_connected).to_numpy(dtype=bool)
    long_enough = seconds.ge(CONNECTED_MIN_SECONDS).fillna(False).to_numpy(dtype=bool)
    return connected | (~not_connected & long_enough)


def _success(evaluation: pd.Series) -> pd.arrays.BooleanArray:
    """Parse each distinct text once (there are few), then spread the verdicts over the rows."""
    codes, uniques = pd.factorize(evaluation)
    verdicts = pd.array([parse_success_evaluation(text)[0] for text in uniques] + [None], dtype="boolean")
    return verdicts.take(codes, allow_fill=False)
