"""Transcript signals without a model: turns, the caller's share of words, asking for a human, hanging up
early, the AI repeating itself; read for every call at once and matching the turn parser."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from carecycle_dash.data.frame import build_frame
from carecycle_dash.data.signals import (
    SIGNAL_COLUMNS,
    conversation_counts,
    mentions_per_week,
    signal_mask,
    transcript_signals,
)
from carecycle_dash.data.transcript import parse_transcript
from tests.factories import hostile_calls, make_call


def signals(*transcripts: object, connected: bool = True) -> pd.DataFrame:
    series = pd.Series([t if t is None else str(t) for t in transcripts], dtype="str")
    return transcript_signals(series, np.full(len(transcripts), connected))


def test_turns_and_the_callers_share_of_words() -> None:
    row = signals(
        "AI: Hello there, this is the clinic.\nUser: Hi.\nAI: How can I help?\nUser: I need my refill now"
    ).iloc[0]
    assert row["turns"] == 4
    assert row["callerTurns"] == 2
    assert row["callerWordShare"] == pytest.approx(6 / 16)


@pytest.mark.parametrize(
    "transcript",
    [
        "AI: Hello\nUser: hi\nsecond line\n\nAI: ok",
        "preamble\nmore\nAI: Hello\nuser: hi",
        "User: The caller speaks first\nUser: twice\nAI:\nAI:    \nUser: AI: nested label",
        "  Assistant : hi\nCUSTOMER: yes",
        "",
    ],
)
def test_turns_match_the_transcript_parser(transcript: str) -> None:
    assert signals(transcript).iloc[0]["turns"] == len(parse_transcript(transcript))


def test_continuation_lines_count_for_the_speaker_above() -> None:
    row = signals("AI: one two\nUser: three\nfour five six").iloc[0]
    assert row["callerWordShare"] == pytest.approx(4 / 6)


@pytest.mark.parametrize(
    "said",
    [
        "Can I speak to a real person?",
        "I want a HUMAN",
        "representative please",
        "Let me talk to   someone",
        "get me an operator",
        "transfer me to an agent",
        "can I speak to someone",
    ],
)
def test_caller_asking_for_a_human_is_found(said: str) -> None:
    assert bool(signals(f"AI: Hello.\nUser: {said}").iloc[0]["askedForHuman"])


@pytest.mark.parametrize(
    "transcript",
    [
        "AI: I can connect you to an agent or a real person.\nUser: No thanks.",
        "AI: Hello.\nUser: I'll come in personally, humane society volunteer here.",
        "",
    ],
)
def test_the_ai_offering_a_human_or_similar_words_are_not_a_request(transcript: str) -> None:
    assert not bool(signals(transcript).iloc[0]["askedForHuman"])


def test_early_hang_up_is_a_connected_call_with_at_most_one_caller_turn() -> None:
    rows = signals("AI: Hello?\nUser: Wrong number.", "AI: Hi\nUser: a\nAI: b\nUser: c", "", None)
    assert rows["earlyHangUp"].tolist() == [True, False, False, False]
    assert not signals("AI: Hello?", connected=False).iloc[0]["earlyHangUp"]


def test_the_ai_repeating_a_line_is_found_but_short_lines_are_not() -> None:
    rows = signals(
        "AI: Sorry, I did not catch that.\nUser: what\nAI:  Sorry, I did not catch that. ",
        "AI: Okay.\nUser: yes\nAI: Okay.",
        "AI: Sorry, I did not catch that.\nUser: Sorry, I did not catch that.",
    )
    assert rows["aiRepeated"].tolist() == [True, False, False]


def test_signals_keep_the_index_and_survive_hostile_calls() -> None:
    df = build_frame(hostile_calls()).df
    assert set(SIGNAL_COLUMNS) <= set(df.columns)
    assert df["turns"].ge(0).all()
    keyed = signals("AI: a", "User: b")
    keyed.index = [7, 9]
    assert list(transcript_signals(pd.Series(["AI: a", None], index=[7, 9], dtype="str"), [True, True]).index) == [7, 9]


def test_signal_mask_filters_by_label_or_column() -> None:
    df = build_frame(
        [
            make_call(transcript="AI: Hello.\nUser: I want a human.\nAI: Sure.\nUser: Thanks."),
            make_call(transcript="AI: Hi\nUser: a"),
        ]
    ).df
    assert signal_mask(df, ["Asked for a human"]).tolist() == [True, False]
    assert signal_mask(df, ["Early hang-up"]).tolist() == [False, True]
    assert signal_mask(df, ["askedForHuman", "Early hang-up"]).tolist() == [False, False]
    assert signal_mask(df, []).tolist() == [True, True]
    assert signal_mask(df.drop(columns=["aiRepeated"]), ["AI repeated itself"]).tolist() == [False, False]


def test_mentions_per_week_counts_every_week_from_monday_in_the_viewers_zone() -> None:
    times = pd.Series(
        pd.to_datetime(
            [
                "2026-11-02T10:00:00Z",  # Monday
                "2026-11-08T23:30:00Z",  # Sunday in UTC, already Monday 9 Nov in Berlin
                "2026-11-03T10:00:00Z",
                "2026-11-24T10:00:00Z",
                None,
            ],
            utc=True,
        )
    )
    mentioning = np.array([True, True, False, True, True])
    weekly = mentions_per_week(times, mentioning, "Europe/Berlin")
    assert weekly["week"].dt.strftime("%Y-%m-%d").tolist() == ["2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23"]
    assert weekly["calls"].tolist() == [2, 1, 0, 1]
    assert weekly["mentioning"].tolist() == [1, 1, 0, 1]
    assert weekly["share"].iloc[0] == pytest.approx(0.5)
    assert np.isnan(weekly["share"].iloc[2])


def test_mentions_per_week_without_times_is_empty() -> None:
    assert mentions_per_week(pd.Series([pd.NaT, pd.NaT], dtype="datetime64[us, UTC]"), np.ones(2, bool), "UTC").empty


def test_conversation_counts_look_at_connected_calls_only() -> None:
    df = build_frame(
        [
            make_call(transcript="AI: Hello.\nUser: A real person please."),
            make_call(transcript="AI: Hello.\nUser: A human please.", disposition="Voicemail", durationMs=0),
        ]
    ).df
    counts = conversation_counts(df)
    assert counts.connected == 1
    assert counts.counts["askedForHuman"] == 1
    assert counts.share("askedForHuman") == 1.0


CALLER_COUNT_CASES = [
    "AI: Hi\nUser: a\nUser: b",
    "AI: Hi\r\nuser : x\r\nCUSTOMER: y\rCaller:z",
    "AI: the user: said nothing",
    "  User: x\n\n  User: y",
    "User: x\u2028User: y\x0bUser: z",
    "User: <b>x</b>\nAI: y",
    "",
]


@pytest.mark.parametrize("text", CALLER_COUNT_CASES)
def test_the_column_wide_caller_count_agrees_with_parse_transcript(text: str) -> None:
    expected = sum(turn.speaker == "caller" for turn in parse_transcript(text))
    assert transcript_signals(pd.Series([text], dtype="str"), np.array([True]))["callerTurns"].tolist() == [expected]


def test_missing_transcripts_count_no_caller_turns() -> None:
    assert transcript_signals(pd.Series([None, "User: hi"], dtype="str"), np.array([True, True]))[
        "callerTurns"
    ].tolist() == [0, 1]
