import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from carecycle_dash.api.contract import CALL_FIELDS
from carecycle_dash.api.errors import InvalidInputError
from carecycle_dash.data.frame import (
    NONE_LABEL,
    build_frame,
    labels,
    matches,
    parse_success_evaluation,
    prepend_calls,
    time_zone,
)
from tests.factories import MISSING, hostile_calls, make_call

DERIVED_COLUMNS = [
    "durationS",
    "isTest",
    "connected",
    "success",
    "hasRecording",
    "hasTranscript",
    "caller",
    "turns",
    "callerTurns",
    "callerWordShare",
    "askedForHuman",
    "earlyHangUp",
    "aiRepeated",
]
TEXT_COLUMNS = [f for f in CALL_FIELDS if f not in {"testFlag", "isTestNumber", "durationMs", "createdAt"}]


def test_every_api_field_is_a_column_even_when_no_call_has_it() -> None:
    frame = build_frame([{"id": "a"}, {"id": "b", "somethingNew": 1}])
    assert list(frame.df.columns) == [*CALL_FIELDS, *DERIVED_COLUMNS]
    assert "somethingNew" not in frame.df.columns
    assert frame.df["transcript"].isna().all()


def test_rows_follow_the_calls_with_a_range_index() -> None:
    calls = [make_call(id=f"call-{i}") for i in range(5)]
    df = build_frame(calls).df
    assert isinstance(df.index, pd.RangeIndex)
    assert df["id"].tolist() == [c["id"] for c in calls]


def test_column_types() -> None:
    df = build_frame([make_call()]).df
    for name in TEXT_COLUMNS:
        assert df[name].dtype == pd.StringDtype(na_value=math.nan), name
        assert df[name].dtype == "str"
    assert str(df["createdAt"].dtype).startswith("datetime64[") and str(df["createdAt"].dt.tz) == "UTC"
    assert df["durationMs"].dtype == "Int64"
    assert df["testFlag"].dtype == "boolean" and df["isTestNumber"].dtype == "boolean"
    assert df["durationS"].dtype == "Float64"
    assert df["success"].dtype == "boolean"
    for name in ("isTest", "connected"):
        assert df[name].dtype == bool, name


def test_an_empty_list_gives_an_empty_typed_frame() -> None:
    frame = build_frame([])
    assert frame.df.empty
    assert list(frame.df.columns) == [*CALL_FIELDS, *DERIVED_COLUMNS]
    assert frame.df["durationMs"].dtype == "Int64"
    assert frame.cleaned_total == 0


def test_hostile_calls_do_not_crash_and_impossible_values_are_counted() -> None:
    calls = hostile_calls()
    frame = build_frame(calls)
    assert len(frame.df) == len(calls)
    # -9007199254740991, 10**30, True and "abc" are impossible durations; "45000" is read as a number.
    assert frame.cleaned["durationMs"] == 4
    # "string", "yesterday", "1970-01-01..." (implausible) and the number 1700000000000 are impossible times.
    assert frame.cleaned["createdAt"] == 4
    assert frame.cleaned["testFlag"] == 2  # "maybe", "yes"
    assert frame.cleaned["isTestNumber"] == 0


def test_the_api_examples_minimum_safe_integer_duration_becomes_missing() -> None:
    df = build_frame([make_call(durationMs=-9007199254740991)]).df
    assert df["durationMs"].isna().all() and df["durationS"].isna().all()


def test_durations_in_seconds_and_absurd_ones_missing() -> None:
    df = build_frame([make_call(durationMs=90_500), make_call(durationMs=25 * 3600 * 1000), make_call(durationMs=0)]).df
    assert df["durationMs"].tolist() == [90_500, pd.NA, 0]
    assert df["durationS"].tolist() == [90.5, pd.NA, 0.0]


def test_created_at_is_parsed_to_utc_and_bad_dates_are_missing() -> None:
    df = build_frame(
        [
            make_call(createdAt="2025-03-01T23:30:00-05:00"),
            make_call(createdAt="2025-03-01T10:00:00.123Z"),
            make_call(createdAt="not a date"),
            make_call(createdAt=""),
            make_call(createdAt=MISSING),
        ]
    ).df
    assert df["createdAt"].iloc[0] == pd.Timestamp("2025-03-02T04:30:00Z")
    assert df["createdAt"].iloc[1] == pd.Timestamp("2025-03-01T10:00:00.123Z")
    assert df["createdAt"].iloc[2:].isna().all()
    assert build_frame([make_call(createdAt=""), make_call(createdAt=None)]).cleaned["createdAt"] == 0


def test_booleans_accept_true_false_words_and_refuse_others() -> None:
    df = build_frame([make_call(testFlag=v) for v in (True, False, "TRUE", "false", 1, 0, None, "maybe", 2)]).df
    assert df["testFlag"].tolist() == [True, False, True, False, True, False, pd.NA, pd.NA, pd.NA]


def test_a_test_call_is_one_with_either_flag() -> None:
    df = build_frame(
        [
            make_call(testFlag=True, isTestNumber=False),
            make_call(testFlag=False, isTestNumber=True),
            make_call(testFlag=None, isTestNumber=None),
            make_call(testFlag=False, isTestNumber=False),
        ]
    ).df
    assert df["isTest"].tolist() == [True, True, False, False]


def test_text_keeps_the_raw_value_and_non_text_becomes_text() -> None:
    df = build_frame(
        [
            make_call(successEvaluation=" 85% ", callerId=15555550100, summary="lone \ud800 surrogate"),
            make_call(transcript={"turns": ["hi"]}),
        ]
    ).df
    assert df["successEvaluation"].iloc[0] == " 85% "
    assert df["callerId"].iloc[0] == "15555550100"
    assert df["summary"].iloc[0] == "lone \ufffd surrogate"
    assert df["transcript"].iloc[1] == '{"turns": ["hi"]}'


def test_unicode_and_markup_survive_unchanged() -> None:
    text = "AI: Grüß Gott 👋 <b>x</b>\nUser: =SUM(A1)"
    assert build_frame([make_call(transcript=text)]).df["transcript"].iloc[0] == text


@pytest.mark.parametrize(
    ("disposition", "seconds", "connected"),
    [
        ("Qualified", 3, True),
        ("Not Interested", 0, True),
        ("Voicemail", 300, False),
        ("  busy/no answer ", 300, False),
        ("Pipeline Error", 60, False),
        ("Something New", 10, True),
        ("Something New", 9.9, False),
        (None, 45, True),
        (None, None, False),
    ],
)
def test_connected_follows_the_contract(disposition: str | None, seconds: float | None, connected: bool) -> None:
    duration = None if seconds is None else int(seconds * 1000)
    df = build_frame([make_call(disposition=disposition, durationMs=duration)]).df
    assert bool(df["connected"].iloc[0]) is connected


@pytest.mark.parametrize(
    ("text", "success", "score"),
    [
        ("true", True, 1.0),
        (" FALSE ", False, 0.0),
        ("Excellent", True, 1.0),
        ("poor", False, 0.0),
        ("7", True, 0.7),
        ("6", False, 0.6),
        ("85%", True, 0.85),
        ("85", True, 0.85),
        ("42 %", False, 0.42),
        ("8/10", True, 0.8),
        ('"true".', True, 1.0),
        ("", None, None),
        ("   ", None, None),
        ("maybe later", None, None),
        ("150", None, None),
        ("-3", None, None),
        ("5/0", None, None),
        (None, None, None),
    ],
)
def test_success_evaluation_is_parsed(text: str | None, success: bool | None, score: float | None) -> None:
    got_success, got_score = parse_success_evaluation(text)
    assert got_success is success
    assert got_score == (pytest.approx(score) if score is not None else None)


def test_success_column_carries_the_parsed_verdict() -> None:
    df = build_frame([make_call(successEvaluation=v) for v in ("true", "7", "85%", "6", "unclear", None)]).df
    assert df["success"].tolist() == [True, True, True, False, pd.NA, pd.NA]
    assert df["successEvaluation"].tolist()[:5] == ["true", "7", "85%", "6", "unclear"]


def test_labels_show_missing_and_blank_as_none_and_trim() -> None:
    values = pd.Series(["Voicemail", " Voicemail ", "", "   ", None], dtype="str")
    assert labels(values).tolist() == ["Voicemail", "Voicemail", NONE_LABEL, NONE_LABEL, NONE_LABEL]


def test_unknown_time_zone_is_a_clear_input_error() -> None:
    with pytest.raises(InvalidInputError, match="time zone"):
        time_zone("Mars/Olympus_Mons")


@pytest.mark.parametrize("kept", [range(2, 8), [2, 4, 6, 7]])
def test_fresh_calls_put_before_kept_rows_equal_a_frame_built_from_scratch(kept: Any) -> None:
    older_calls = [make_call(durationMs=i * 1000) for i in range(5)] + hostile_calls()[:3]
    fresh = [make_call(disposition="Voicemail"), *hostile_calls()[3:5]]
    older = build_frame(older_calls)
    rows = np.array(list(kept))
    dropped = [call for row, call in enumerate(older_calls) if row not in set(rows)]
    merged = prepend_calls(fresh, older, rows, dropped)
    whole = build_frame(fresh + [older_calls[row] for row in rows])
    pd.testing.assert_frame_equal(merged.df, whole.df)
    assert {k: v for k, v in merged.cleaned.items() if v} == {k: v for k, v in whole.cleaned.items() if v}


def test_matches_checks_trimmed_text_once_per_distinct_value() -> None:
    values = pd.Series([" Inbound", "outbound", None, "INBOUND ", "", "in bound"], dtype="str")
    assert list(matches(values, ("inbound",), casefold=True)) == [True, False, False, True, False, False]
    assert list(matches(values, ("inbound",))) == [False] * 6
