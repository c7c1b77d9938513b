"""Days as people type them and the instant a day starts, shared by the sidebar, the links and the CLI."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from carecycle_dash.api.errors import InvalidInputError
from carecycle_dash.data.dates import local_midnight, parse_day, since_day

TODAY = date(2026, 11, 21)


def test_a_day_is_read_only_as_yyyy_mm_dd() -> None:
    assert parse_day(" 2026-11-01 ") == date(2026, 11, 1)
    for text in ("20261101", "2026-W44-1", "2026-11-1", "2026-13-01", "last tuesday", ""):
        with pytest.raises(ValueError):
            parse_day(text)


@pytest.mark.parametrize(
    ("token", "first"),
    [
        ("", None),
        ("7d", date(2026, 11, 14)),
        ("30d", date(2026, 10, 22)),
        ("90d", date(2026, 8, 23)),
        ("2026-11-01", date(2026, 11, 1)),
        ("2026-12-25", TODAY),
    ],
)
def test_since_is_every_call_a_span_before_today_or_a_day_never_after_today(token: str, first: date | None) -> None:
    assert since_day(token, TODAY) == first


@pytest.mark.parametrize("token", ["8d", "yesterday", "2026-11-01T00:00"])
def test_any_other_since_is_refused(token: str) -> None:
    with pytest.raises(ValueError):
        since_day(token, TODAY)


def test_local_midnight_is_that_zones_first_instant_in_utc() -> None:
    assert local_midnight(date(2026, 11, 1), "UTC") == pd.Timestamp("2026-11-01T00:00:00Z")
    assert local_midnight(date(2025, 3, 1), "America/New_York") == pd.Timestamp("2025-03-01T05:00:00Z")
    assert local_midnight(date(2026, 7, 1), "Europe/Berlin") == pd.Timestamp("2026-06-30T22:00:00Z")


def test_a_skipped_midnight_moves_forward_and_a_repeated_one_takes_the_first() -> None:
    # Havana's clocks jump from 00:00 to 01:00 on 2024-03-10 and fall back from 01:00 to 00:00 on 2024-11-03.
    assert local_midnight(date(2024, 3, 10), "America/Havana") == pd.Timestamp("2024-03-10T05:00:00Z")
    assert local_midnight(date(2024, 11, 3), "America/Havana") == pd.Timestamp("2024-11-03T04:00:00Z")


def test_an_unknown_zone_is_one_clear_error() -> None:
    with pytest.raises(InvalidInputError, match="Unknown time zone 'Mars/Olympus'"):
        local_midnight(date(2026, 11, 1), "Mars/Olympus")
