"""The house style of every plotly figure: one constructor call with the layout, the empty state, and the
small pieces the charts share (hover data columns, a category axis in a given order)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import plotly.graph_objects as go

from carecycle_dash.output.names import escape

EMPTY_MESSAGE: Final = "No calls match"
_FONT: Final = {"family": "Inter, 'Source Sans Pro', 'Helvetica Neue', Arial, sans-serif", "size": 13}
_AXIS: Final = {"gridcolor": "#ebf0f8", "linecolor": "#ebf0f8", "zerolinecolor": "#ebf0f8", "ticks": ""}
# A few lines in the spirit of "plotly_white": copying a named template costs tens of ms per figure.
_TEMPLATE: Final = {
    "layout": {
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "font": {"color": "#2a3f5f"},
        "xaxis": _AXIS,
        "yaxis": _AXIS,
    }
}


def house_figure(
    traces: list[dict[str, Any]],
    title: str,
    *,
    height: int = 360,
    xaxis: dict[str, Any] | None = None,
    yaxis: dict[str, Any] | None = None,
    margin: dict[str, Any] | None = None,
    **layout: Any,
) -> go.Figure:
    """One figure in the house style, built in a single constructor call: plotly validates a layout once
    there, while each `update_*` call afterwards validates again (tens of ms per chart)."""
    return go.Figure(
        data=traces,
        layout={
            "template": _TEMPLATE,
            "title": {"text": title, "x": 0, "xanchor": "left"},
            "font": _FONT,
            "height": height,
            "margin": {"l": 10, "r": 20, "t": 50, "b": 40, **(margin or {})},
            "hoverlabel": {"font": {"size": 13}},
            "xaxis": {"automargin": True, **(xaxis or {})},
            "yaxis": {"automargin": True, **(yaxis or {})},
            **layout,
        },
    )


def empty_figure(title: str, message: str = EMPTY_MESSAGE) -> go.Figure:
    """A blank figure with a centred note, for filters that leave nothing to draw."""
    note = {
        "text": escape(message),
        "x": 0.5,
        "y": 0.5,
        "xref": "paper",
        "yref": "paper",
        "showarrow": False,
        "font": {"size": 16, "color": "#666666"},
    }
    return house_figure([], title, height=260, xaxis={"visible": False}, yaxis={"visible": False}, annotations=[note])


def hover_columns(*columns: Sequence[object]) -> np.ndarray:
    """The columns as a trace's customdata: one row per point, read in a hover template as customdata[i]."""
    return np.array(list(zip(*columns, strict=True)), dtype=object).reshape(len(columns[0]), len(columns))


def category_axis(names: list[str]) -> dict[str, Any]:
    """A category axis in the given order, first at the top; numbers and dates in names stay labels."""
    return {
        "type": "category",
        "categoryorder": "array",
        "categoryarray": names,
        "autorange": "reversed",
        "ticklabelstandoff": 6,
    }
