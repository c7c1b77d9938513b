import pandas as pd
import pytest

from carecycle_dash.data.formatting import (
    format_count,
    format_duration,
    format_percent,
    format_total_duration,
    plural,
    short_id,
)


@pytest.mark.parametrize(("n", "text"), [(0, "0"), (7, "7"), (2345, "2,345"), (1_234_567, "1,234,567")])
def test_format_count(n: int, text: str) -> None:
    assert format_count(n) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0:00"),
        (5.4, "0:05"),
        (59.6, "1:00"),
        (125, "2:05"),
        (3599, "59:59"),
        (3600, "1:00:00"),
        (3725, "1:02:05"),
        (90_000, "25:00:00"),
        (None, "—"),
        (float("nan"), "—"),
        (pd.NA, "—"),
        (float("inf"), "—"),
    ],
)
def test_format_duration(seconds: float | None, text: str) -> None:
    assert format_duration(seconds) == text


def test_format_percent() -> None:
    assert format_percent(0.4567) == "45.7%"
    assert format_percent(None) == "—"


def test_total_talk_time_reads_in_hours_once_it_is_long() -> None:
    assert format_total_duration(None) == "—"
    assert format_total_duration(3_725) == "1:02:05"
    assert format_total_duration(4_000 * 3600 + 1) == "4,000 h"


@pytest.mark.parametrize(
    ("count", "noun", "many", "text"),
    [
        (0, "number", None, "0 numbers"),
        (1, "number", None, "1 number"),
        (2, "number", None, "2 numbers"),
        (1234, "number", None, "1,234 numbers"),
        (1, "outbound call", None, "1 outbound call"),
        (3, "outbound call", None, "3 outbound calls"),
        (1, "reply", "replies", "1 reply"),
        (2, "reply", "replies", "2 replies"),
    ],
)
def test_plural(count: int, noun: str, many: str | None, text: str) -> None:
    assert plural(count, noun, many) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("497f6eca-6276-4993-bfeb-53cbbbba6f08", "497f6eca…"),
        ("Reminder", "Reminder"),
        ("verification", "verification"),
        ("verification1", "verifica…"),
        (None, ""),
        (float("nan"), ""),
    ],
)
def test_short_id(value: object, text: str) -> None:
    assert short_id(value) == text
