"""The headline figures shared by the Overview and the report: order, values, and the colour of a change."""

from __future__ import annotations

from carecycle_dash.data.frame import build_frame
from carecycle_dash.data.headline import headline
from carecycle_dash.data.metrics import overview_figures
from carecycle_dash.data.periods import Change, figure_changes
from tests.factories import make_call


def figures_of(*dispositions: str):
    return overview_figures(build_frame([make_call(disposition=d) for d in dispositions]).df)


def test_rows_hold_volume_then_quality_with_test_calls_only_when_shown() -> None:
    volume, quality = headline(figures_of("Qualified"), {}, show_tests=False)
    assert [h.label for h in volume] == ["Total calls", "Inbound", "Outbound", "Errors"]
    assert [h.label for h in quality] == ["Connected", "Success rate", "Median talk time", "Total talk time"]
    shown, _ = headline(figures_of("Qualified"), {}, show_tests=True)
    assert shown[-1].label == "Test calls"
    assert all(h.change is None and h.tone == "same" for h in [*volume, *quality])


def test_rising_errors_are_bad_and_rising_success_is_good() -> None:
    before = figures_of("Qualified", "Qualified", "Qualified", "Qualified")
    now = figures_of("Qualified", "Pipeline Error", "Pipeline Error", "Qualified")
    volume, quality = headline(now, figure_changes(now, before), show_tests=False)
    by_label = {h.label: h for h in [*volume, *quality]}
    assert by_label["Errors"].value == "50.0%" and by_label["Errors"].tone == "bad"
    assert by_label["Connected"].tone == "bad"  # pipeline errors reach nobody
    assert by_label["Total calls"].tone == "same"  # volume is neither good nor bad by itself
    assert "Pipeline Error" in (by_label["Errors"].help or "")


def test_no_change_is_neither_good_nor_bad() -> None:
    figures = figures_of("Qualified")
    volume, _ = headline(figures, {"error_share": Change("0.0 pp", 0)}, show_tests=False)
    assert volume[3].tone == "same"
