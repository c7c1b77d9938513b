"""The disposition bars and the funnel, prepared once for plotly and Vega-Lite: raw text, formatted numbers."""

from __future__ import annotations

from carecycle_dash.data.frame import build_frame
from carecycle_dash.data.patterns import FUNNEL_STAGES
from carecycle_dash.output.bars import DispositionBar, FunnelBar, disposition_bars, funnel_bars
from carecycle_dash.output.colors import disposition_colors
from tests.factories import make_call
from tests.test_charts import sample_frame


def test_disposition_bars_are_most_first_with_count_share_and_label() -> None:
    colors = disposition_colors(["Qualified", "Transferred", "Voicemail"])
    assert disposition_bars(sample_frame()) == [
        DispositionBar("Qualified", "Qualified", "Qualified", colors["Qualified"], 14, "14", "50.0%", "14 (50.0%)"),
        DispositionBar(
            "Transferred", "Transferred", "Transferred", colors["Transferred"], 7, "7", "25.0%", "7 (25.0%)"
        ),
        DispositionBar("Voicemail", "Voicemail", "Voicemail", colors["Voicemail"], 7, "7", "25.0%", "7 (25.0%)"),
    ]


def test_disposition_text_stays_raw_shortened_for_the_axis_and_capped_for_the_hover() -> None:
    long = "<b>" + "x" * 300
    bar = disposition_bars(build_frame([make_call(disposition=long)]).df)[0]
    assert bar.disposition == long
    assert bar.name == "<b>" + "x" * 36 + "…"
    assert bar.full_name == "<b>" + "x" * 196 + "…"


def test_funnel_bars_count_every_stage_with_its_shares() -> None:
    bars = funnel_bars(sample_frame())
    assert [bar.stage for bar in bars] == list(FUNNEL_STAGES)
    assert bars[0] == FunnelBar("All calls", 28, "28", "100%", "100%", "28 (100%)")
    assert bars[1] == FunnelBar("Connected", 21, "21", "75%", "75%", "21 (75%)")


def test_no_calls_give_no_disposition_bars_and_an_empty_funnel() -> None:
    empty = build_frame([]).df
    assert disposition_bars(empty) == []
    assert [(bar.calls, bar.label) for bar in funnel_bars(empty)] == [(0, "0 (—)")] * 5
