"""The address forms the app writes: no empty parameter in any link, and the filters as link parameters."""

from __future__ import annotations

from datetime import date

from carecycle_dash.data.filters import CallFilters, FilterOptions
from carecycle_dash.ui.navigation import filter_params, written

OPTIONS = FilterOptions(
    dispositions=("Voicemail", "Pipeline Error"),
    directions=("inbound", "outbound"),
    campaigns=("cmp_1",),
    assistant_types=("intake",),
    first_day=date(2026, 10, 1),
    last_day=date(2026, 11, 27),
)


def test_a_default_choice_is_no_parameter_at_all() -> None:
    params = {"customer_id": "c1", "since": "", "refresh": "", "call_id": None, "signal": [], "disposition": ["A", ""]}
    assert written(params) == {"customer_id": "c1", "disposition": ["A"]}


def test_days_nobody_chose_are_no_parameter_and_every_day_chosen_is_range_all() -> None:
    assert filter_params(CallFilters(start=date(2026, 11, 21)), OPTIONS, dates_chosen=False) == {}
    assert filter_params(CallFilters(), OPTIONS, dates_chosen=True) == {"range": "all"}
    assert filter_params(CallFilters(end=date(2026, 11, 26)), OPTIONS, dates_chosen=True) == {
        "start": "2026-10-01",
        "end": "2026-11-26",
    }


def test_every_filter_writes_its_parameter_and_a_range_both_ends() -> None:
    chosen = CallFilters(
        start=date(2026, 11, 1),
        dispositions=("Voicemail", "Pipeline Error"),
        directions=("inbound",),
        campaigns=("cmp_1",),
        assistant_types=("intake",),
        text="refill",
        include_tests=True,
        weekday=1,
        hour=14,
    )
    assert filter_params(chosen, OPTIONS, dates_chosen=True) == {
        "start": "2026-11-01",
        "end": "2026-11-27",
        "disposition": ["Voicemail", "Pipeline Error"],
        "direction": ["inbound"],
        "campaign": ["cmp_1"],
        "assistant": ["intake"],
        "q": "refill",
        "tests": "1",
        "weekday": "tue",
        "hour": "14",
    }
