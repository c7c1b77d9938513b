"""The standard demo customer's last week holds a story that Needs attention finds."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from carecycle_dash.data.attention import needs_attention
from carecycle_dash.data.filters import CallFilters, apply_filters
from carecycle_dash.data.frame import build_frame
from carecycle_dash.simulator import DEMO_CUSTOMER_SIZES, DEMO_CUSTOMERS, generate_calls
from carecycle_dash.simulator.stories import STORY_FROM, tell_story

SEED = 20261128
STANDARD = DEMO_CUSTOMERS["standard"]


@pytest.fixture(scope="module")
def plain() -> list[dict]:
    return generate_calls(STANDARD, DEMO_CUSTOMER_SIZES["standard"], SEED)


@pytest.fixture(scope="module")
def told(plain: list[dict]) -> list[dict]:
    return tell_story(STANDARD, copy.deepcopy(plain))


def test_story_changes_only_the_last_week(plain: list[dict], told: list[dict]) -> None:
    changed = [after for before, after in zip(plain, told, strict=True) if before != after]
    assert len(told) == len(plain) == 2487
    assert 30 < len(changed) < 120
    assert all(call["createdAt"] >= STORY_FROM for call in changed)
    assert all(before["id"] == after["id"] for before, after in zip(plain, told, strict=True))


def test_story_is_deterministic(plain: list[dict], told: list[dict]) -> None:
    assert tell_story(STANDARD, copy.deepcopy(plain)) == told


def test_other_customers_have_no_story() -> None:
    calls = generate_calls(DEMO_CUSTOMERS["small"], 43, SEED)
    assert tell_story(DEMO_CUSTOMERS["small"], copy.deepcopy(calls)) == calls


def test_pipeline_errors_look_like_pipeline_errors(told: list[dict]) -> None:
    errors = [c for c in told if c["createdAt"] >= STORY_FROM and c["disposition"] == "Pipeline Error"]
    assert len(errors) >= 10
    for call in errors:
        assert call["durationMs"] < 2_500 and call["recordingUrl"] is None and call["successEvaluation"] is None


def test_needs_attention_finds_the_story_in_the_last_week(told: list[dict]) -> None:
    df = build_frame(told).df
    tz = "America/New_York"
    week = apply_filters(df, CallFilters(start=date(2026, 11, 21), end=date(2026, 11, 27), tz=tz))
    before = apply_filters(df, CallFilters(start=date(2026, 11, 14), end=date(2026, 11, 20), tz=tz))
    items = needs_attention(week, before)
    assert [item.figure for item in items[:2]] == ["Pipeline Error", "Success rate"]
    assert all(item.severity > 0 for item in items[:2])


def test_the_week_before_the_story_is_quiet(plain: list[dict], told: list[dict]) -> None:
    df = build_frame(told).df
    tz = "America/New_York"
    before = apply_filters(df, CallFilters(start=date(2026, 11, 14), end=date(2026, 11, 20), tz=tz))
    earlier = apply_filters(df, CallFilters(start=date(2026, 11, 7), end=date(2026, 11, 13), tz=tz))
    assert needs_attention(before, earlier) == []
