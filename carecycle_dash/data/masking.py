"""Personal data masked on the server, before anything reaches a browser: caller numbers cut to their last
four digits, and phone numbers, e-mail addresses, SSNs, dates of birth, Medicare numbers (MBI), payment
cards and self-introduced names in free text replaced by labels such as `[phone]`.

Pure (no Streamlit). One set of rules serves two engines: Arrow's RE2 over whole columns (100,000 calls in
well under the 3 s budget, see benchmarks/masking.py) and Python's `re` for one value (`mask_text`), so the
table, the call detail, the CSV and the command line all mask alike. The rules use only syntax both engines
read the same way (ASCII classes, `\\b`, groups, `\\1` in replacements, no look-arounds). Card numbers need a
Luhn check no regex can do: RE2 finds the few rows with a candidate, Python checks those.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from carecycle_dash.api.contract import CALL_FIELDS, URL_FIELDS
from carecycle_dash.data.frame import TEXT_FIELDS, CallsFrame
from carecycle_dash.data.sent import FrameCalls

CALLER_FIELD: Final = "callerId"
CALLER_KEY_COLUMN: Final = "caller"
"""The frame's normalised caller number (data/callers.py), which groups a caller's calls."""
_CALLER_KEY_SECRET: Final = os.urandom(16)
KEPT_FIELDS: Final = frozenset({"id"})
"""Text fields left as sent: the call's id is what links and the row lookup use, and is no personal data."""
MASKED_TEXT_FIELDS: Final = tuple(f for f in TEXT_FIELDS if f not in KEPT_FIELDS | {CALLER_FIELD, *URL_FIELDS})
HIDDEN_DIGIT: Final = "•"
NO_DIGITS_CALLER: Final = "•••"
"""What a caller ID shows when it holds fewer than four digits: nothing of it is safe to show."""

_SEP = r"[ .-]?"
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"[0-9]{1,2}(?:st|nd|rd|th)?"
_DATE = (
    rf"(?:\b{_MONTH} {_DAY},? [0-9]{{4}}\b|\b{_DAY} (?:of )?{_MONTH},? [0-9]{{4}}\b"
    r"|\b[0-9]{1,2}[/.-][0-9]{1,2}[/.-](?:[0-9]{4}|[0-9]{2})\b|\b[0-9]{4}-[0-9]{2}-[0-9]{2}\b)"
)
_BIRTH_WORDS = r"(?:birth(?:day|date)?|born|dob|d\.o\.b\.?)"
_NAME_CUES = r"my name is|this is|i'm|i am|speak with|speaking with|message is for|is this|called|reached"
# A name ends before a lower-case word, punctuation or the end: "called Riverside Family Medicine" (three
# capitalised words, an organisation more likely than a person) is left alone.
_NAME_END = r"""( [a-z]|'s\b|[.,;:!?"\n)]|$)"""
_BIRTH_AFTER = r" (?:is|was|as) (?:my|his|her|their|the) (?:date of birth|birthday|birth date|dob)\b"
_MBI_LETTER = "[ac-hjkmnp-rt-y]"  # letters an MBI may hold: no S, L, O, I, B, Z
_MBI_ANY = "[0-9ac-hjkmnp-rt-y]"
_WORD = r"[A-Z](?:[a-z]+|[a-z]*['-][A-Z]?[a-z]+)(?:-[A-Z][a-z]+)?"
_NAME = rf"(?:(?:Dr|Mr|Mrs|Ms|Miss)\.? )?{_WORD}(?: {_WORD})?"


@dataclass(frozen=True)
class Rule:
    """One kind of personal data: a pattern both engines read alike, and what a match becomes.

    `cue`, when set, is a cheap regex of plain words that every match contains: a column is first searched
    for the cue (fast), and the full pattern runs only on the rows that have it.
    """

    label: str
    pattern: str
    replacement: str
    cue: str | None = None


RULES: Final[tuple[Rule, ...]] = (
    Rule("email", r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b", "[email]", cue="@"),
    Rule(
        "ssn",
        r"(\b(?i:ssn|social security(?: number| no\.?)?)\b[^0-9]{0,20}?)[0-9]{9}\b"
        r"|\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b|\b[0-9]{3} [0-9]{2} [0-9]{4}\b",
        r"\1[ssn]",
    ),
    Rule(
        "medicare",
        rf"(?i)\b[1-9]{_MBI_LETTER}{_MBI_ANY}[0-9][ -]?{_MBI_LETTER}{_MBI_ANY}[0-9][ -]?"
        rf"{_MBI_LETTER}{_MBI_LETTER}[0-9][0-9]\b",
        "[medicare]",
    ),
    Rule(
        "dob",
        rf"(?i)(\b{_BIRTH_WORDS}\b[^0-9]{{0,40}}?){_DATE}",
        r"\1[dob]",
        cue=r"(?i)birth|born|dob|d\.o\.b",
    ),
    Rule(
        "dob",
        rf"(?i){_DATE}({_BIRTH_AFTER})",
        r"[dob]\1",
        cue=rf"(?i){_BIRTH_AFTER}",
    ),
    Rule(
        "phone",
        r"\+[0-9](?:[ .-]?[0-9]){7,14}\b"
        r"|(?:\+?\b1[ .-]?)?\([0-9]{3}\) ?[0-9]{3}[ .-]?[0-9]{4}\b"
        rf"|(?:\b1[ .-]?|\b)[0-9]{{3}}{_SEP}[0-9]{{3}}{_SEP}[0-9]{{4}}\b"
        r"|\b[0-9]{3}[.-][0-9]{4}\b",
        "[phone]",
    ),
    Rule(
        "name",
        rf"(\b(?i:{_NAME_CUES}) |(?i:your (?:full )?name)\?\s*\n(?i:user|customer|caller): ){_NAME}{_NAME_END}",
        r"\1[name]\2",
        cue=rf"(?i){_NAME_CUES}|name\?",
    ),
    Rule("name", rf"\b{_NAME}( called\b)", r"[name]\1", cue=r"[a-z] called\b"),
)
"""In order: a later rule never sees what an earlier one replaced (an SSN is not read as a phone). Card
numbers go first of all (see `_mask_cards`). Groups that take no part in a match rewrite to nothing."""

CARD_LABEL: Final = "[card]"
_CARD_CANDIDATE: Final = (
    r"\b(?:[0-9]{13,19}|[0-9]{4}[ -][0-9]{4}[ -][0-9]{4}[ -][0-9]{1,7}|[0-9]{4}[ -][0-9]{6}[ -][0-9]{4,5})\b"
)
# Python only (RE2 has no back-references): the separators of one card number are all alike.
_CARD: Final = re.compile(
    r"\b(?:[0-9]{13,19}|[0-9]{4}([ -])[0-9]{4}\1[0-9]{4}\1[0-9]{1,7}|[0-9]{4}([ -])[0-9]{6}\2[0-9]{4,5})\b",
    re.ASCII,
)
_PYTHON_RULES: Final = tuple((re.compile(rule.pattern, re.ASCII), rule.replacement) for rule in RULES)
_NON_DIGITS: Final = r"[^0-9]"
_SHORT_TEXT_BYTES: Final = 64
_PARALLEL_FROM_ROWS: Final = 20_000
_MAX_WORKERS: Final = 4
_FROM_FRAME: Final = (*MASKED_TEXT_FIELDS, CALLER_FIELD)


def luhn_valid(digits: str) -> bool:
    """The check digit every payment card number carries; it tells a card from a random run of digits."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _mask_cards(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        digits = re.sub(_NON_DIGITS, "", match[0])
        return CARD_LABEL if 13 <= len(digits) <= 19 and luhn_valid(digits) else match[0]

    return _CARD.sub(replace, text)


def mask_text(text: str) -> str:
    """One value with every kind of personal data replaced by its label."""
    text = _mask_cards(text)
    for pattern, replacement in _PYTHON_RULES:
        text = pattern.sub(replacement, text)
    return text


def mask_caller(number: str | None) -> str | None:
    """A caller ID as a masked viewer sees it: only its last four digits (`•••-•••-3333`); missing stays missing."""
    if number is None:
        return None
    digits = re.sub(_NON_DIGITS, "", str(number))
    if len(digits) < 4:
        return NO_DIGITS_CALLER if str(number).strip() else number
    return f"{HIDDEN_DIGIT * 3}-{HIDDEN_DIGIT * 3}-{digits[-4:]}"


def masked_caller_keys(numbers: pd.Series, secret: bytes = _CALLER_KEY_SECRET) -> pd.Series:
    """The caller numbers a masked viewer's frame groups by: each number's last four digits and a short keyed
    hash (`•••-•••-3333 #1a2b`), so two callers whose numbers end alike stay two callers while nothing in the
    frame lets anyone recover a number (the key is random per process). Missing stays missing."""
    codes, uniques = pd.factorize(numbers)
    keys = [
        f"{mask_caller(str(number))} #{hmac.new(secret, str(number).encode(), hashlib.sha256).hexdigest()[:4]}"
        for number in uniques
    ]
    values = pd.array([*keys, None], dtype=numbers.dtype)
    return pd.Series(values.take(codes, allow_fill=False), index=numbers.index, name=numbers.name)


def mask_texts(values: pd.Series) -> pd.Series:
    """A whole text column masked at once, same index; each rule rewrites only the rows it matches.

    Short texts mostly repeat (dispositions, campaigns, sources): those columns are masked once per distinct
    value and spread back over the rows.
    """
    array = pa.array(values.astype("str"), type=pa.large_string())
    if isinstance(array, pa.ChunkedArray):  # a column concatenated by a reload
        array = array.combine_chunks()
    if len(array) and array.nbytes < _SHORT_TEXT_BYTES * len(array):
        encoded = pc.dictionary_encode(array)
        if 2 * len(encoded.dictionary) <= len(array):
            array = _masked_array(encoded.dictionary).take(encoded.indices)
            return pd.Series(array.to_pandas().array, index=values.index, name=values.name)
    return pd.Series(_masked_in_parallel(array).to_pandas().array, index=values.index, name=values.name)


def _masked_in_parallel(array: pa.Array) -> pa.Array:
    """Arrow's regex kernels release the GIL: long columns are masked in slices on every core at once."""
    workers = min(os.cpu_count() or 1, _MAX_WORKERS)
    if workers < 2 or len(array) < _PARALLEL_FROM_ROWS:
        return _masked_array(array)
    size = -(-len(array) // workers)
    slices = [array.slice(start, size) for start in range(0, len(array), size)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return pa.concat_arrays(list(pool.map(_masked_array, slices)))


def _masked_array(array: pa.Array) -> pa.Array:
    array = _replace_where_matched(array, Rule("card", _CARD_CANDIDATE, CARD_LABEL))
    for rule in RULES:
        array = _replace_where_matched(array, rule)
    return array


def _replace_where_matched(array: pa.Array, rule: Rule) -> pa.Array:
    """Matching is several times cheaper than replacing, and a plain-word cue cheaper still: narrow the
    rows by cue, then by pattern, and rewrite only those."""
    rows = np.arange(len(array))
    candidates = array
    if rule.cue is not None:
        cued = _matches(array, rule.cue)
        rows, candidates = rows[cued], array.filter(pa.array(cued))
    hits = _matches(candidates, rule.pattern)
    if not hits.any():
        return array
    chosen = candidates.filter(pa.array(hits))
    if rule.label == "card":
        rewritten = pa.array([_mask_cards(text) for text in chosen.to_pylist()], type=array.type)
    else:
        rewritten = pc.replace_substring_regex(chosen, rule.pattern, rule.replacement)
    where = np.zeros(len(array), dtype=bool)
    where[rows[hits]] = True
    return pc.replace_with_mask(array, pa.array(where), rewritten)


def _matches(array: pa.Array, pattern: str) -> np.ndarray:
    found = pc.match_substring_regex(array, pattern).fill_null(False)
    return np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)


def mask_callers(values: pd.Series) -> pd.Series:
    """`mask_caller` over a whole column."""
    text = pa.array(values.astype("str"), type=pa.large_string())
    digits = pc.replace_substring_regex(text, _NON_DIGITS, "")
    last_four = pc.utf8_slice_codeunits(digits, start=-4)
    prefix = pa.scalar(f"{HIDDEN_DIGIT * 3}-{HIDDEN_DIGIT * 3}", type=pa.large_string())
    shown = pc.binary_join_element_wise(prefix, last_four, pa.scalar("-", type=pa.large_string()))
    blank = pc.equal(pc.utf8_trim_whitespace(text), "")
    hidden = pc.if_else(blank, text, pa.scalar(NO_DIGITS_CALLER, type=pa.large_string()))
    masked = pc.if_else(pc.less(pc.utf8_length(digits), 4), hidden, shown)
    return pd.Series(masked.to_pandas().array, index=values.index, name=values.name)


class MaskedCalls(Sequence[dict[str, Any]]):
    """The raw calls as a masked viewer receives them, each built from the masked frame when asked for.

    Text fields come from the masked columns, recording links are withheld (audio cannot be masked), other
    known fields (times, durations, flags) are kept as sent, and unknown fields are masked as text. One call
    costs microseconds (the call detail); `take` builds many at once (the CSV).
    """

    def __init__(self, raw: Sequence[Mapping[str, Any]], masked: pd.DataFrame) -> None:
        self._raw = raw
        self._columns = {name: pa.array(masked[name], type=pa.large_string()) for name in _FROM_FRAME}

    def __len__(self) -> int:
        return len(self._raw)

    def __getitem__(self, row: int) -> dict[str, Any]:  # type: ignore[override]
        return self._call(self._raw[row], {name: column[row].as_py() for name, column in self._columns.items()})

    def _raw_at(self, rows: Sequence[int]) -> list[Mapping[str, Any]]:
        """The unmasked calls at `rows`: rebuilt from the frame in one pass when they live there."""
        return self._raw.take(rows) if isinstance(self._raw, FrameCalls) else [self._raw[row] for row in rows]

    def take(self, rows: Sequence[int]) -> list[dict[str, Any]]:
        """The calls at `rows`, in that order, with each masked column read once for all of them."""
        indices = pa.array(rows, type=pa.int64())
        columns = {name: column.take(indices).to_pylist() for name, column in self._columns.items()}
        return [
            self._call(source, {name: values[i] for name, values in columns.items()})
            for i, source in enumerate(self._raw_at(rows))
        ]

    @staticmethod
    def _call(source: Any, masked: dict[str, Any]) -> dict[str, Any]:
        call: dict[str, Any] = {}
        for name, value in (source if isinstance(source, Mapping) else {}).items():
            if name in masked:
                call[name] = masked[name]
            elif name in URL_FIELDS:
                call[name] = None
            elif name in CALL_FIELDS:
                call[name] = value
            else:
                call[name] = _masked_unknown(value)
        return call


def _masked_unknown(value: Any) -> Any:
    """A field the API added beyond the contract may hold anything: masked as text, numbers and flags kept."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return mask_text(value)
    return mask_text(json.dumps(value, ensure_ascii=False, default=str))


def mask_frame(frame: CallsFrame) -> CallsFrame:
    """The calls frame a masked viewer sees: caller IDs cut to four digits, free text masked, recordings
    withheld. Derived columns (success, connected, hasRecording...) are kept: they are figures, not identity."""
    df = frame.df.copy(deep=False)
    for name in MASKED_TEXT_FIELDS:
        df[name] = mask_texts(df[name])
    df[CALLER_FIELD] = mask_callers(df[CALLER_FIELD])
    if CALLER_KEY_COLUMN in df.columns:
        df[CALLER_KEY_COLUMN] = masked_caller_keys(df[CALLER_KEY_COLUMN])
    for name in URL_FIELDS:
        df[name] = pd.Series(pd.NA, index=df.index, dtype=df[name].dtype)
    return CallsFrame(df=df, cleaned=dict(frame.cleaned))
