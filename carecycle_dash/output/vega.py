"""Vega-Lite specs for the Overview's first tab: how calls ended and how far they got.

Streamlit draws these with Vega, the library it already loads for the headline figures' trend lines, so
the page people open first needs no plotly (a 4.7 MB script to fetch, compile and run in every new
browser tab: about a second of a browser's CPU). The other tabs and the HTML report keep their plotly
figures (`charts`); both draw the bars `bars` prepares, with the same numbers and labels.

Vega draws strings as text, never as markup, and its tooltips escape them, so API strings go in as they
came (shortened for the axis); the exact value a click selects stays in its own field.
"""

from __future__ import annotations

from typing import Any, Final

import pandas as pd

from carecycle_dash.output.bars import disposition_bars, funnel_bars
from carecycle_dash.output.colors import FUNNEL_COLOR

PICK: Final = "pick"
"""The disposition chart's click selection: Streamlit reports it under this name."""
PICKED_FIELD: Final = "disposition"
"""The field of a clicked bar that holds the exact disposition."""
BAR_STEP_PX: Final = 26
LABEL_ROOM: Final = 1.35
"""How far the count axis reaches past the longest bar, so its label fits beside it."""

Spec = dict[str, Any]


def disposition_spec(df: pd.DataFrame) -> Spec:
    """Calls per disposition as horizontal bars, most first, in each disposition's own colour, each labelled
    with its count and share; a click selects the bar's exact disposition (`PICK`, `PICKED_FIELD`)."""
    bars = disposition_bars(df)
    rows = [
        {
            "name": bar.name,
            PICKED_FIELD: bar.disposition,
            "full": bar.full_name,
            "calls": bar.calls,
            "count": bar.count,
            "share": bar.share,
            "label": bar.label,
        }
        for bar in bars
    ]
    most = max((row["calls"] for row in rows), default=0)
    marks = {
        "mark": {"type": "bar", "cursor": "pointer"},
        "params": [{"name": PICK, "select": {"type": "point", "fields": [PICKED_FIELD], "on": "click"}}],
        "encoding": {
            "color": {
                "field": "name",
                "type": "nominal",
                "scale": {"domain": [bar.name for bar in bars], "range": [bar.color for bar in bars]},
                "legend": None,
            },
            "tooltip": [
                {"field": "full", "title": "Disposition"},
                {"field": "count", "title": "Calls"},
                {"field": "share", "title": "Of all calls"},
            ],
        },
    }
    labels = {
        "mark": {"type": "text", "align": "left", "dx": 4},
        "encoding": {"text": {"field": "label", "type": "nominal"}},
    }
    return _spec(
        "Calls by disposition",
        rows,
        {
            "y": {"field": "name", "type": "nominal", "sort": None, "title": None, "axis": {"labelLimit": 280}},
            "x": {
                "field": "calls",
                "type": "quantitative",
                "title": "Calls",
                "axis": {"format": ",d", "tickMinStep": 1},
                "scale": {"domain": [0, max(most, 1) * LABEL_ROOM]},
            },
        },
        [marks, labels],
    )


def funnel_spec(df: pd.DataFrame) -> Spec:
    """How far calls got, as a funnel of centred bars from every call to a positive disposition; each bar
    says its count and share of all calls, and its tooltip the share of the stage before."""
    rows = [
        {
            "stage": bar.stage,
            "left": -bar.calls / 2,
            "right": bar.calls / 2,
            "count": bar.count,
            "of_all": bar.of_all,
            "of_previous": bar.of_previous,
            "label": bar.label,
        }
        for bar in funnel_bars(df)
    ]
    half = max((row["right"] for row in rows), default=0.0) or 0.5
    marks = {
        "mark": {"type": "bar", "color": FUNNEL_COLOR},
        "encoding": {
            "x": {"field": "left", "type": "quantitative", "axis": None, "scale": {"domain": [-half, half * 2]}},
            "x2": {"field": "right"},
            "tooltip": [
                {"field": "stage", "title": "Stage"},
                {"field": "count", "title": "Calls"},
                {"field": "of_all", "title": "Of all calls"},
                {"field": "of_previous", "title": "Of the stage before"},
            ],
        },
    }
    labels = {
        "mark": {"type": "text", "align": "left", "dx": 4},
        "encoding": {
            "x": {"field": "right", "type": "quantitative"},
            "text": {"field": "label", "type": "nominal"},
        },
    }
    return _spec(
        "How far calls got",
        rows,
        {"y": {"field": "stage", "type": "nominal", "sort": None, "title": None, "axis": {"labelLimit": 200}}},
        [marks, labels],
    )


def _spec(title: str, rows: list[dict[str, Any]], encoding: Spec, layers: list[Spec]) -> Spec:
    """A layered chart in the house layout: title at the left, one band of BAR_STEP_PX per row."""
    return {
        "title": {"text": title, "anchor": "start"},
        "data": {"values": rows},
        "height": {"step": BAR_STEP_PX},
        "encoding": encoding,
        "layer": layers,
    }
