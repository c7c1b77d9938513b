"""Vega-Lite specs for the Overview's first tab: how calls ended and how far they got.

Streamlit draws these with Vega, the library it already loads for the headline figures' trend lines, so
the page people open first needs no plotly (a 4.7 MB script to fetch, compile and run in every new
browser tab: about a second of a browser's CPU). The other tabs and the HTML report keep their plotly
figures (`charts`), built from the same numbers.

Vega draws strings as text, never as markup, and its tooltips escape them, so API strings go in as they
came (shortened for the axis); the exact value a click selects stays in its own field.
"""

from __future__ import annotations

from typing import Any, Final

import pandas as pd

from carecycle_dash.data import metrics
from carecycle_dash.data.formatting import format_count, format_percent
from carecycle_dash.data.patterns import outcome_funnel
from carecycle_dash.output.charts import FUNNEL_COLOR, HOVER_LABEL_MAX, disposition_colors, distinct_names
from carecycle_dash.text.safety import shorten

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
    data = metrics.disposition_breakdown(df)
    raw = data["disposition"].tolist()
    names = distinct_names(raw)
    colors = disposition_colors(raw)
    rows = _labelled(
        [
            {
                "name": name,
                PICKED_FIELD: value,
                "full": shorten(value, HOVER_LABEL_MAX),
                "calls": int(calls),
                "count": format_count(calls),
                "share": format_percent(share),
            }
            for name, value, calls, share in zip(names, raw, data["calls"], data["share"], strict=True)
        ],
        "share",
    )
    most = max((row["calls"] for row in rows), default=0)
    bars = {
        "mark": {"type": "bar", "cursor": "pointer"},
        "params": [{"name": PICK, "select": {"type": "point", "fields": [PICKED_FIELD], "on": "click"}}],
        "encoding": {
            "color": {
                "field": "name",
                "type": "nominal",
                "scale": {"domain": names, "range": [colors[value] for value in raw]},
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
        [bars, labels],
    )


def funnel_spec(df: pd.DataFrame) -> Spec:
    """How far calls got, as a funnel of centred bars from every call to a positive disposition; each bar
    says its count and share of all calls, and its tooltip the share of the stage before."""
    data = outcome_funnel(df)
    rows = _labelled(
        [
            {
                "stage": stage,
                "left": -int(calls) / 2,
                "right": int(calls) / 2,
                "count": format_count(calls),
                "of_all": format_percent(of_all, 0),
                "of_previous": format_percent(of_previous, 0),
            }
            for stage, calls, of_all, of_previous in zip(
                data["stage"], data["calls"], data["share_of_all"], data["share_of_previous"], strict=True
            )
        ],
        "of_all",
    )
    half = max((row["right"] for row in rows), default=0.0) or 0.5
    bars = {
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
        [bars, labels],
    )


def _labelled(rows: list[dict[str, Any]], share: str) -> list[dict[str, Any]]:
    """Each row with the label its bar shows: its count and the share in field `share`, as formatted."""
    return [{**row, "label": f"{row['count']} ({row[share]})"} for row in rows]


def _spec(title: str, rows: list[dict[str, Any]], encoding: Spec, layers: list[Spec]) -> Spec:
    """A layered chart in the house layout: title at the left, one band of BAR_STEP_PX per row."""
    return {
        "title": {"text": title, "anchor": "start"},
        "data": {"values": rows},
        "height": {"step": BAR_STEP_PX},
        "encoding": encoding,
        "layer": layers,
    }
