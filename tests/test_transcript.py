import pandas as pd
import pytest

from carecycle_dash.data.transcript import Turn, caller_turns, parse_transcript


def test_turns_follow_speaker_prefixes() -> None:
    text = "AI: Hello, this is Ava from Sunrise Care.\nUser: Hi.\nAI: Can I confirm your date of birth?"
    assert parse_transcript(text) == [
        Turn("ai", "Hello, this is Ava from Sunrise Care."),
        Turn("caller", "Hi."),
        Turn("ai", "Can I confirm your date of birth?"),
    ]


def test_lines_without_a_speaker_continue_the_previous_turn() -> None:
    assert parse_transcript("User: I need\nto reschedule") == [Turn("caller", "I need\nto reschedule")]


def test_text_before_any_speaker_is_kept_as_unknown() -> None:
    assert parse_transcript("[call connected]\nAI: Hi") == [Turn("unknown", "[call connected]"), Turn("ai", "Hi")]


def test_missing_or_empty_transcript_has_no_turns() -> None:
    assert parse_transcript(None) == []
    assert parse_transcript("  \n ") == []


def test_markup_is_kept_verbatim_for_plain_text_rendering() -> None:
    assert parse_transcript("User: <script>alert(1)</script> **hi**") == [
        Turn("caller", "<script>alert(1)</script> **hi**")
    ]


def test_a_transcript_that_is_not_a_string_is_read_as_text() -> None:
    assert parse_transcript(42) == [Turn("unknown", "42")]
    assert parse_transcript(["AI: hi"]) == [Turn("unknown", "['AI: hi']")]


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
    assert caller_turns(pd.Series([text], dtype="str")).tolist() == [expected]


def test_missing_transcripts_count_no_caller_turns() -> None:
    assert caller_turns(pd.Series([None, "User: hi"], dtype="str")).tolist() == [0, 1]
