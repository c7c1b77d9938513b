"""The words of api/messages.py: a time limit named as people name it, and what a load mended."""

import pytest

from carecycle_dash.api.messages import describe_repairs, format_seconds, limit_in_words
from carecycle_dash.api.models import Repairs


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (300.0, "5-minute"),
        (90.0, "90-second"),
        (110.0, "110-second"),
        (60.0, "1-minute"),
        (7200.0, "2-hour"),
        (1.0, "1-second"),
        (0.5, "0.5-second"),
        (0.442, "0.442-second"),
        (150.0, "150-second"),
    ],
)
def test_a_limit_is_named_in_whole_units_where_it_has_them(seconds: float, words: str) -> None:
    assert limit_in_words(seconds) == words


@pytest.mark.parametrize(("seconds", "text"), [(0.5, "0.5 s"), (60.0, "60 s"), (110.0, "110 s"), (300.0, "5 min")])
def test_a_wait_is_written_in_seconds_or_minutes(seconds: float, text: str) -> None:
    assert format_seconds(seconds) == text


def test_a_load_that_needed_no_repair_says_so() -> None:
    assert describe_repairs(Repairs(total_at_start=5, total_at_end=5)) == "no repairs needed"
