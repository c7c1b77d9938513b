"""The hour-of-week heatmap in plotly: weekday by hour in the viewer's time zone, coloured by calls or a
rate, with a clickable cell (plotly heatmaps send no selection events of their own)."""

from __future__ import annotations

from typing import Final

import numpy as np
import plotly.graph_objects as go

from carecycle_dash.data.formatting import format_count, format_percent
from carecycle_dash.data.patterns import WEEKDAYS, HourOfWeek, Measure
from carecycle_dash.output.names import escape
from carecycle_dash.output.plotly_style import category_axis, empty_figure, house_figure, hover_columns

MEASURE_LABELS: Final[dict[str, str]] = {
    "calls": "Calls",
    "connected_rate": "Connected rate",
    "success_rate": "Success rate",
}
_HEATMAP_SCALES: Final = {
    "calls": [[0.0, "#f7fbff"], [0.5, "#6baed6"], [1.0, "#08306b"]],
    "connected_rate": [[0.0, "#f7fcf5"], [0.5, "#74c476"], [1.0, "#00441b"]],
    "success_rate": [[0.0, "#fcfbfd"], [0.5, "#9e9ac8"], [1.0, "#3f007d"]],
}


def hour_of_week_chart(
    data: HourOfWeek, measure: Measure = "calls", tz: str = "UTC", selected: tuple[int, int] | None = None
) -> go.Figure:
    """Weekday by hour in the viewer's time zone, coloured by calls or a rate (blank where too few calls
    to judge). An invisible marker on each cell carries the hover text and its (weekday, hour) in
    customdata[0..1], so clicking a cell can select it (plotly heatmaps send no selection events);
    `selected` is outlined."""
    title = f"When calls work: {MEASURE_LABELS[measure].lower()} by hour of the week ({escape(tz)})"
    table = data.table
    if not table["calls"].any():
        return empty_figure(title, "No calls with a time")
    hours = [f"{h:02d}" for h in range(24)]
    days = [name[:3] for name in WEEKDAYS]
    values = table[measure].to_numpy(dtype=np.float64)
    is_rate = measure != "calls"
    heatmap = dict(
        type="heatmap",
        z=values.reshape(7, 24),
        x=hours,
        y=days,
        colorscale=_HEATMAP_SCALES[measure],
        zmin=0,
        zmax=1 if is_rate else None,
        xgap=2,
        ygap=2,
        hoverinfo="skip",
        colorbar={"title": {"text": MEASURE_LABELS[measure]}, "tickformat": ".0%" if is_rate else ",d", "len": 0.9},
    )
    rates = {name: [format_percent(v, 0) for v in table[name]] for name in ("connected_rate", "success_rate")}
    cells = dict(
        type="scatter",
        x=[hours[h] for h in table["hour"]],
        y=[days[d] for d in table["weekday"]],
        mode="markers",
        marker={"size": 18, "opacity": 0, "symbol": "square"},
        selected={"marker": {"opacity": 0}},
        unselected={"marker": {"opacity": 0}},
        showlegend=False,
        customdata=hover_columns(
            table["weekday"].tolist(),
            table["hour"].tolist(),
            [f"{WEEKDAYS[d]} {h:02d}:00–{h:02d}:59" for d, h in zip(table["weekday"], table["hour"], strict=True)],
            [format_count(n) for n in table["calls"]],
            rates["connected_rate"],
            rates["success_rate"],
            [format_count(n) for n in table["evaluated"]],
        ),
        hovertemplate="<b>%{customdata[2]}</b><br>%{customdata[3]} calls<br>connected %{customdata[4]}"
        "<br>success %{customdata[5]} of %{customdata[6]} evaluated<extra></extra>",
    )
    shapes = []
    if selected is not None:
        weekday, hour = selected
        shapes.append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "y",
                "x0": hour - 0.5,
                "x1": hour + 0.5,
                "y0": weekday - 0.5,
                "y1": weekday + 0.5,
                "line": {"color": "#d6604d", "width": 3},
            }
        )
    return house_figure(
        [heatmap, cells],
        title,
        height=340,
        # Fixed ranges: the invisible markers must not pad the axes, so each cell keeps its place.
        xaxis={"title": {"text": "Hour of the day"}, "type": "category", "showgrid": False, "range": [-0.5, 23.5]},
        yaxis={**category_axis(days), "showgrid": False, "autorange": False, "range": [6.5, -0.5]},
        shapes=shapes,
        hovermode="closest",
        clickmode="event+select",
        dragmode=False,
    )
