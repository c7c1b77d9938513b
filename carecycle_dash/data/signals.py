"""What a transcript tells without any model: how many turns, how much the caller spoke, whether they asked
for a human, hung up early, or heard the AI say the same line again.

Read from the `AI:`/`User:` lines (the labels of data/transcript.py) for every call at once: the
transcripts are split into lines with Arrow, and each line's speaker, words and phrases are found by
vectorised string kernels, then summed per call. A line without a label continues the previous turn, as
in `parse_transcript`. Words are counted by spaces (transcripts are written with single spaces).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from carecycle_dash.data.measures import local_weeks
from carecycle_dash.data.transcript import AI_LABELS, CALLER_LABELS

HUMAN_REQUEST_PHRASES: Final = (
    "human",
    "a person",
    "real person",
    "live person",
    "actual person",
    "representative",
    "operator",
    "agent",
    "speak to someone",
    "speak with someone",
    "talk to someone",
    "talk with someone",
    "speak to somebody",
    "talk to somebody",
    "someone real",
    "not a robot",
    "not a machine",
)
"""What a caller says when they want a person instead of the AI (whole words, any case, in caller turns)."""

_LINE_BREAK: Final = "\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]"
_OTHER_LINE_BREAK: Final = "[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]"
REPEAT_MIN_WORDS: Final = 3
"""An AI line counts as repeated when it has at least this many words: "Okay." twice is no loop."""

SIGNAL_COLUMNS: Final = ("turns", "callerTurns", "callerWordShare", "askedForHuman", "earlyHangUp", "aiRepeated")


@dataclass(frozen=True)
class Signal:
    """A yes/no signal people can filter the calls by."""

    column: str
    label: str
    help: str
    param: str
    """Its value in an address (`?signal=asked_for_human`)."""


SIGNALS: Final = (
    Signal(
        "askedForHuman",
        "Asked for a human",
        "The caller asked for a person, representative, agent or operator",
        "asked_for_human",
    ),
    Signal("earlyHangUp", "Early hang-up", "Connected, but the caller spoke at most once", "early_hang_up"),
    Signal(
        "aiRepeated",
        "AI repeated itself",
        f"The AI said the same line ({REPEAT_MIN_WORDS}+ words) twice",
        "ai_repeated",
    ),
)
SIGNAL_BY_LABEL: Final = {signal.label: signal for signal in SIGNALS}
SIGNAL_BY_PARAM: Final = {signal.param: signal for signal in SIGNALS}


def signals_named(params: Sequence[str]) -> tuple[list[Signal], bool]:
    """The signals these address values name, each once in their order; and whether any value names none."""
    given = list(dict.fromkeys(params))
    known = [SIGNAL_BY_PARAM[param] for param in given if param in SIGNAL_BY_PARAM]
    return known, len(known) < len(given)


def _labels_pattern(names: Sequence[str]) -> str:
    return rf"^\s*(?:{'|'.join(names)})\s*:"


_AI_LINE: Final = _labels_pattern(AI_LABELS)
_CALLER_LINE: Final = _labels_pattern(CALLER_LABELS)
_HUMAN_REQUEST: Final = r"\b(?:" + "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in HUMAN_REQUEST_PHRASES) + r")\b"
_AI, _CALLER = 1, 2


def transcript_signals(transcripts: pd.Series, connected: pd.Series | np.ndarray) -> pd.DataFrame:
    """One row per call, same index: turns, the caller's turns and share of words (missing when nobody
    said a word), and the three yes/no signals of SIGNALS."""
    n = len(transcripts)
    text = pa.array(transcripts.astype("str"), type=pa.large_string())  # zero-copy for an Arrow-backed column
    # Every line boundary str.splitlines knows (as parse_transcript splits); a missing transcript stays a
    # missing list: no lines. The plain "\n" split is the fast path when no other boundary occurs.
    if pc.any(pc.match_substring_regex(text, _OTHER_LINE_BREAK)).as_py():
        lists = pc.split_pattern_regex(text, _LINE_BREAK)
    else:
        lists = pc.split_pattern(text, "\n")
    lines = pc.utf8_trim_whitespace(pc.list_flatten(lists))
    call = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False).astype(np.int64)
    code = np.where(_matches(lines, _AI_LINE), _AI, 0) + np.where(_matches(lines, _CALLER_LINE), _CALLER, 0)
    labelled = code > 0
    blank = _as_bool(pc.equal(pc.utf8_length(lines), 0))
    spaces = pc.count_substring(lines, " ").to_numpy(zero_copy_only=False).astype(np.int64)
    words = np.where(labelled, spaces, np.where(blank, 0, spaces + 1))
    speaker = _speaker_of_each_line(code, call)
    said_by_caller = speaker == _CALLER

    turns = np.bincount(call[labelled], minlength=n)
    leading_unlabelled = (speaker == 0) & ~blank
    turns += np.bincount(call[leading_unlabelled], minlength=n) > 0
    caller_turns = np.bincount(call[code == _CALLER], minlength=n)
    all_words = np.bincount(call, weights=words, minlength=n)
    caller_words = np.bincount(call, weights=np.where(said_by_caller, words, 0), minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = pd.array(np.where(all_words > 0, caller_words / all_words, np.nan), dtype="Float64")
    asked = np.zeros(len(call), dtype=bool)
    if said_by_caller.any():
        asked[said_by_caller] = _matches(pc.filter(lines, pa.array(said_by_caller)), _HUMAN_REQUEST)
    connected_calls = np.asarray(connected, dtype=bool)
    return pd.DataFrame(
        {
            "turns": turns.astype(np.int64),
            "callerTurns": caller_turns.astype(np.int64),
            "callerWordShare": share,
            "askedForHuman": np.bincount(call[asked], minlength=n) > 0,
            "earlyHangUp": connected_calls & (turns > 0) & (caller_turns <= 1),
            "aiRepeated": _ai_repeated(lines, call, (code == _AI) & (words >= REPEAT_MIN_WORDS), n),
        },
        index=transcripts.index,
    )


def signal_mask(df: pd.DataFrame, wanted: Sequence[str]) -> np.ndarray:
    """True where a call shows every signal named (by column or label); calls without the columns never do."""
    keep = np.ones(len(df), dtype=bool)
    for name in wanted:
        column = SIGNAL_BY_LABEL[name].column if name in SIGNAL_BY_LABEL else name
        if column not in df.columns:
            return np.zeros(len(df), dtype=bool)
        keep &= df[column].to_numpy(dtype=bool)
    return keep


@dataclass(frozen=True)
class ConversationCounts:
    """How often each signal shows among connected calls (the only ones with a conversation to read)."""

    connected: int
    counts: dict[str, int]

    def share(self, column: str) -> float | None:
        return self.counts[column] / self.connected if self.connected else None


def conversation_counts(df: pd.DataFrame) -> ConversationCounts:
    """Per signal of SIGNALS, the connected calls showing it."""
    connected = df["connected"].to_numpy(dtype=bool)
    counts = {s.column: int((df[s.column].to_numpy(dtype=bool) & connected).sum()) for s in SIGNALS}
    return ConversationCounts(int(connected.sum()), counts)


def mentions_per_week(times: pd.Series, mentioning: np.ndarray, tz: str) -> pd.DataFrame:
    """Calls per local week (starting Monday) and how many of them mention the search text: week (naive
    local midnight), calls, mentioning, share. Every week from the first to the last call; untimed calls out."""
    known = times.notna().to_numpy(dtype=bool)
    columns = ["week", "calls", "mentioning", "share"]
    if not known.any():
        return pd.DataFrame(columns=columns)
    week = local_weeks(times[known], tz)
    counts = pd.DataFrame({"week": week.to_numpy(), "hit": np.asarray(mentioning, dtype=bool)[known]})
    grouped = counts.groupby("week")["hit"].agg(["size", "sum"])
    weeks = pd.date_range(grouped.index.min(), grouped.index.max(), freq="7D", unit="us", name="week")
    grouped = grouped.reindex(weeks, fill_value=0)
    out = pd.DataFrame(
        {
            "week": weeks,
            "calls": grouped["size"].to_numpy(dtype=np.int64),
            "mentioning": grouped["sum"].to_numpy(dtype=np.int64),
        }
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        out["share"] = np.where(out["calls"] > 0, out["mentioning"] / out["calls"].clip(lower=1), np.nan)
    return out


def _matches(lines: pa.Array, pattern: str) -> np.ndarray:
    return _as_bool(pc.match_substring_regex(lines, pattern, ignore_case=True))


def _as_bool(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(values.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def _speaker_of_each_line(code: np.ndarray, call: np.ndarray) -> np.ndarray:
    """Each line's speaker: its own label, else the last label above it in the same call, else 0."""
    if not len(code):
        return code
    position = np.arange(len(code))
    last = np.maximum.accumulate(np.where(code > 0, position, -1))
    found = last >= 0
    source = np.where(found, last, 0)
    return np.where(found & (call[source] == call), code[source], 0)


def _ai_repeated(lines: pa.Array, call: np.ndarray, candidates: np.ndarray, n: int) -> np.ndarray:
    """True where the AI says the same thing (ignoring its label and surrounding space) twice in a call."""
    if not candidates.any():
        return np.zeros(n, dtype=bool)
    text = pc.replace_substring_regex(pc.filter(lines, pa.array(candidates)), _AI_LINE + r"\s*", "", max_replacements=1)
    codes = pc.dictionary_encode(text).indices.to_numpy(zero_copy_only=False).astype(np.int64)
    key = call[candidates] * (np.int64(1) << 32) + codes
    repeated = pd.Series(key).duplicated().to_numpy()
    return np.bincount(call[candidates][repeated], minlength=n) > 0
