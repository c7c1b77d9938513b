from carecycle_dash.data.transcript import Turn, parse_transcript


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
