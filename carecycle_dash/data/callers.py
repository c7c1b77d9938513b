"""People behind the calls: one caller per phone number, however the source wrote it, and what their calls
add up to: repeat callers, callbacks after a failed call, numbers called after asking not to be, numbers
dialled too often.

Every function takes the calls frame (any subset of rows, with the derived `caller` column) and works on
whole columns. Calls without a time cannot be put in order: they count as calls of their caller but never
as a request, a callback or a breach. The raw number stays on the server; pages show it through
`caller_label` and put only `caller_token` into addresses.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Final, TypeVar

import numpy as np
import pandas as pd

from carecycle_dash.api.contract import DEFAULT_COUNTRY_CODE, DO_NOT_CALL_DISPOSITIONS
from carecycle_dash.data.formatting import plural
from carecycle_dash.data.shared import SharedResults

CALLBACK_WINDOW: Final = pd.Timedelta(hours=48)
DIAL_WINDOW: Final = pd.Timedelta(days=7)
DEFAULT_MAX_DIALS: Final = 3
CALLER_TOKEN_PREFIX: Final = "c_"  # noqa: S105 (a link prefix, not a secret)
_TOKEN_HEX: Final = 16
# Digits with the punctuation people write numbers with; anything else (letters, markup, formulas, control
# or direction characters) is not a phone number.
_PHONE_TEXT: Final = r"\+?[0-9 ().\-/]+"
_MIN_DIGITS, _MAX_DIGITS = 7, 15
REMEMBERED: Final = 16
T = TypeVar("T")
_PROCESS_SECRET: Final = secrets.token_bytes(32)
"""Keys the tokens when no secret is given: a token tells nothing about the number to anyone without it."""


def normalise_numbers(values: pd.Series) -> pd.Series:
    """One key per phone number, same index: `+1 555 000 1111`, `(555) 000-1111` and `5550001111` all become
    `+15550001111`; missing, blank or non-phone text (letters, markup) becomes missing.

    Each distinct value is read once (a customer has far fewer numbers than calls)."""
    codes, uniques = pd.factorize(values.astype("str"))
    text = pd.Series(uniques, dtype="str").str.strip()
    digits = text.str.replace(r"\D", "", regex=True)
    count = digits.str.len().fillna(0).astype(int)
    readable = text.str.fullmatch(_PHONE_TEXT).fillna(False).astype(bool)
    readable &= count.between(_MIN_DIGITS, _MAX_DIGITS)
    international = text.str.startswith("+").fillna(False).astype(bool)
    national = ~international & count.eq(10)
    with_country = ~international & count.eq(11) & digits.str.startswith(DEFAULT_COUNTRY_CODE).fillna(False)
    keys = digits.where(~national, DEFAULT_COUNTRY_CODE + digits)
    keys = ("+" + keys).where(international | national | with_country, keys)
    keys = keys.where(readable)
    taken = pd.array(keys.to_numpy(dtype=object), dtype="str").take(codes, allow_fill=True)
    return pd.Series(taken, index=values.index, dtype="str")


def normalise_number(text: str) -> str | None:
    """The key of one typed number (see `normalise_numbers`), or None when it is no phone number."""
    key = normalise_numbers(pd.Series([text], dtype="str")).iloc[0]
    return None if pd.isna(key) else str(key)


COMPLIANCE_COLUMNS: Final = ["caller", "createdAt", "direction", "disposition", "id", "isTest"]


def is_caller_token(given: str) -> bool:
    """Whether a `caller=` value is one of the app's opaque tokens rather than a number as typed."""
    return given.strip().startswith(CALLER_TOKEN_PREFIX)


def caller_label(number: str) -> str:
    """How a caller's number is shown: `+1 555-000-1111` for North American numbers, else the key as is.

    The one place a number becomes text on a page, so that masking can be applied here."""
    country = "+" + DEFAULT_COUNTRY_CODE
    if number.startswith(country) and len(number) == len(country) + 10:
        rest = number[len(country) :]
        return f"{country} {rest[:3]}-{rest[3:6]}-{rest[6:]}"
    return number


def caller_token(number: str, secret: bytes = _PROCESS_SECRET) -> str:
    """An opaque stand-in for a number in addresses: `c_` and 16 hex digits of HMAC-SHA256."""
    digest = hmac.new(secret, number.encode("utf-8"), hashlib.sha256).hexdigest()
    return CALLER_TOKEN_PREFIX + digest[:_TOKEN_HEX]


@dataclass
class CallerDirectory:
    """The callers of one loaded dataset: maps tokens back to numbers, and remembers results that depend
    only on the dataset (compliance sections read every loaded call, whatever the filters)."""

    numbers: pd.Series
    secret: bytes = _PROCESS_SECRET
    _by_token: dict[str, str] | None = field(default=None, repr=False)
    _remembered: SharedResults = field(default_factory=lambda: SharedResults(REMEMBERED), repr=False)

    def remember(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()` the first time `key` is asked for, the same result afterwards (never change it), for
        every session; only the REMEMBERED most recent keys are kept, so changing filters cannot grow it."""
        return self._remembered.remember(key, compute)

    def resolve(self, given: str) -> str | None:
        """The number a `caller=` value names: a token of this dataset, or a number as typed."""
        given = given.strip()
        if is_caller_token(given):
            if self._by_token is None:
                self._by_token = {caller_token(n, self.secret): n for n in self.numbers.dropna().unique()}
            return self._by_token.get(given)
        return normalise_number(given)

    def token(self, number: str) -> str:
        return caller_token(number, self.secret)


def caller_table(df: pd.DataFrame) -> pd.DataFrame:
    """One row per caller (index: the number), most calls first: calls, inbound, outbound, first and last
    call, last disposition, whether any call succeeded. Calls without a number are left out.

    Sorted once by (caller, time), then each figure is a slice boundary or a `reduceat` sum: pandas'
    per-aggregation overhead would cost more than the work at a few thousand calls."""
    columns = ["calls", "inbound", "outbound", "first", "last", "lastDisposition", "anySuccess"]
    calls = _numbered(df, "direction", "success", "disposition")
    if calls.empty:
        return pd.DataFrame(columns=columns, index=pd.Index([], name="caller", dtype="str"))
    codes, numbers = pd.factorize(calls["caller"])
    times = calls["createdAt"].array
    missing = np.asarray(times.isna(), dtype=bool)
    ticks = np.where(missing, np.iinfo(np.int64).min, times.asi8)  # no time sorts first, so never "last"
    order = np.lexsort((ticks, codes))
    starts = np.flatnonzero(np.r_[True, codes[order][1:] != codes[order][:-1]])
    ends = np.r_[starts[1:], len(order)] - 1
    first = np.minimum(starts + np.add.reduceat(missing[order].astype(np.int64), starts), ends)
    table = pd.DataFrame(
        {
            "calls": ends - starts + 1,
            "inbound": np.add.reduceat(_one_of(calls["direction"], ("inbound",))[order].astype(np.int64), starts),
            "outbound": np.add.reduceat(_is_outbound(calls)[order].astype(np.int64), starts),
            "first": times.take(order[first]),
            "last": times.take(order[ends]),
            "lastDisposition": calls["disposition"].array.take(order[ends]),
            "anySuccess": np.add.reduceat(calls["success"].fillna(False).to_numpy(dtype=bool)[order], starts) > 0,
        },
        index=pd.Index(numbers.take(codes[order][starts]), name="caller"),
    )
    return table.sort_values(["calls", "last"], ascending=[False, False], kind="stable")


@dataclass(frozen=True)
class CallerFigures:
    """The Callers page's row of figures; shares are None where nothing can be divided."""

    callers: int
    repeat_callers: int
    repeat_share: float | None
    unsuccessful_connected: int
    called_back: int
    callback_share: float | None


def caller_figures(df: pd.DataFrame) -> CallerFigures:
    """Distinct callers, how many called 2+ times, and the share of unsuccessful connected calls followed by
    another call with the same number within CALLBACK_WINDOW (the matter was likely not resolved)."""
    counts = df["caller"].value_counts()
    repeat = int(counts.ge(2).sum())
    timed = _numbered(df, "connected", "success", timed=True).sort_values(["caller", "createdAt"], kind="stable")
    following = timed["createdAt"].shift(-1).where(timed["caller"].shift(-1).eq(timed["caller"]))
    failed = timed["connected"].to_numpy(dtype=bool) & timed["success"].eq(False).fillna(False).to_numpy(dtype=bool)
    within = (following - timed["createdAt"]).le(CALLBACK_WINDOW).fillna(False).to_numpy(dtype=bool)
    unsuccessful, back = int(failed.sum()), int((failed & within).sum())
    return CallerFigures(
        callers=len(counts),
        repeat_callers=repeat,
        repeat_share=repeat / len(counts) if len(counts) else None,
        unsuccessful_connected=unsuccessful,
        called_back=back,
        callback_share=back / unsuccessful if unsuccessful else None,
    )


def compliance_scope(all_calls: pd.DataFrame, include_tests: bool) -> pd.DataFrame:
    """The calls compliance reads: every loaded call whatever the filters (a request made before the chosen
    dates still binds), test calls only when asked for; only the columns it needs."""
    calls = all_calls[COMPLIANCE_COLUMNS]
    return calls if include_tests else calls[~calls["isTest"].to_numpy(dtype=bool)]


def do_not_call_line(breaches: pd.DataFrame) -> str | None:
    """The Needs attention line for numbers called after asking not to be (first whatever the period: a legal
    exposure), or None when there is none."""
    if breaches.empty:
        return None
    numbers, calls = breaches["caller"].nunique(), len(breaches)
    return (
        f"Called after Do Not Call: {plural(numbers, 'number')} received {plural(calls, 'call')} "
        "after asking not to be called"
    )


def do_not_call_breaches(df: pd.DataFrame) -> pd.DataFrame:
    """Every outbound call to a number after that number's first "Do Not Call"/"Do Not Contact" call, in
    time order per number: caller, requestedAt, requestRow (the request's row), row (the later call's row),
    createdAt, disposition, id. A call at the same instant as the request is not after it."""
    columns = ["caller", "requestedAt", "requestRow", "row", "createdAt", "disposition", "id"]
    timed = _numbered(df, "direction", "disposition", "id", timed=True)
    requests = timed[_one_of(timed["disposition"], DO_NOT_CALL_DISPOSITIONS)]
    if requests.empty:
        return pd.DataFrame(columns=columns)
    first = _in_time_order(requests).drop_duplicates("caller", keep="first")
    first = pd.DataFrame(
        {"caller": first["caller"], "requestedAt": first["createdAt"], "requestRow": first.index}
    ).set_index("caller")
    outbound = timed[_is_outbound(timed)]
    outbound = outbound[outbound["caller"].isin(first.index).to_numpy(dtype=bool)]
    joined = first.reindex(outbound["caller"].to_numpy())
    later = np.asarray(outbound["createdAt"].array > joined["requestedAt"].array, dtype=bool)
    calls = outbound[later]
    out = pd.DataFrame(
        {
            "caller": calls["caller"].array,
            "requestedAt": joined["requestedAt"].array[later],
            "requestRow": joined["requestRow"].to_numpy()[later],
            "row": calls.index.to_numpy(),
            "createdAt": calls["createdAt"].array,
            "disposition": calls["disposition"].array,
            "id": calls["id"].array,
        }
    )
    return out.sort_values(["requestedAt", "caller", "createdAt"], kind="stable", ignore_index=True)


def dialled_too_often(df: pd.DataFrame, max_dials: int = DEFAULT_MAX_DIALS) -> pd.DataFrame:
    """Numbers that received more than `max_dials` outbound calls within DIAL_WINDOW (any 7 days), most
    first: caller, most (outbound calls in the busiest window), windowStart, windowEnd, outbound (in all)."""
    columns = ["caller", "most", "windowStart", "windowEnd", "outbound"]
    calls = _numbered(df, "direction", timed=True)
    calls = calls[_is_outbound(calls)].sort_values(["caller", "createdAt"], kind="stable")
    if calls.empty:
        return pd.DataFrame(columns=columns)
    code = pd.factorize(calls["caller"], sort=True)[0].astype(np.int64)
    seconds = calls["createdAt"].dt.as_unit("s").astype("int64").to_numpy()
    seconds = seconds - seconds.min()
    window = int(DIAL_WINDOW.total_seconds())
    key = code * (int(seconds.max()) + window + 1) + seconds  # sorted: by caller, then time; far from overflow
    start = np.searchsorted(key, key - window, side="right")
    in_window = np.arange(len(key)) - start + 1
    per_call = pd.DataFrame(
        {
            "caller": calls["caller"].array,
            "most": in_window,
            "windowStart": calls["createdAt"].array.take(start),
            "windowEnd": calls["createdAt"].array,
        }
    )
    totals = per_call.groupby("caller", sort=False).size()
    busiest = per_call.sort_values(["caller", "most"], ascending=[True, False], kind="stable")
    busiest = busiest.drop_duplicates("caller", keep="first")
    busiest = busiest[busiest["most"] > max_dials].copy()
    busiest["outbound"] = totals.reindex(busiest["caller"]).to_numpy()
    return busiest.sort_values(["most", "windowEnd"], ascending=[False, False], kind="stable", ignore_index=True)


def caller_history(df: pd.DataFrame, number: str) -> pd.DataFrame:
    """One caller's calls in time order (calls without a time last), with their original index."""
    return _in_time_order(df[df["caller"].eq(number).fillna(False).to_numpy(dtype=bool)], missing_last=True)


def _numbered(df: pd.DataFrame, *columns: str, timed: bool = False) -> pd.DataFrame:
    """The calls with a caller (and a time, when `timed`), only the columns asked for: long texts never copied."""
    keep = df["caller"].notna().to_numpy(dtype=bool)
    if timed:
        keep = keep & df["createdAt"].notna().to_numpy(dtype=bool)
    return df.loc[keep, ["caller", "createdAt", *columns]]


def _is_outbound(df: pd.DataFrame) -> np.ndarray:
    return _one_of(df["direction"], ("outbound",))


def _one_of(values: pd.Series, names: Iterable[str]) -> np.ndarray:
    """True where a text value is one of `names`, ignoring case and surrounding space; each distinct value
    is compared once."""
    wanted = {name.casefold() for name in names}
    codes, uniques = pd.factorize(values)
    hits = np.array([str(u).strip().casefold() in wanted for u in uniques] + [False], dtype=bool)
    return hits[codes]


def _in_time_order(df: pd.DataFrame, *, missing_last: bool = False) -> pd.DataFrame:
    """Oldest first, ties in row order; calls without a time first (never "last") unless `missing_last`."""
    return df.sort_values("createdAt", kind="stable", na_position="last" if missing_last else "first")
