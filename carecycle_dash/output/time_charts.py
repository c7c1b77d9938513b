"""Plotly figures over time: calls per local day stacked by disposition, and calls per week mentioning a
search text. Every API string is escaped (`names`) before it reaches a figure."""

from __future__ import annotations

from typing import Any, Final

import pandas as pd
import plotly.graph_objects as go

from carecycle_dash.data import metrics
from carecycle_dash.data.formatting import format_count, format_percent
from carecycle_dash.output.colors import HISTOGRAM_COLOR, disposition_colors
from carecycle_dash.output.names import display_names, escape, hover_text
from carecycle_dash.output.plotly_style import empty_figure, house_figure, hover_columns

DAY_TICKS_UP_TO: Final = 14
"""Up to two weeks, calls per day label every day: plotly's own ticks on so short a range fall between the
days and show times of day, which a bar per day does not have."""


def calls_over_time_chart(df: pd.DataFrame, tz: str = "UTC") -> go.Figure:
    """Calls per day in the viewer's time zone, stacked by disposition (most frequent at the bottom)."""
    title = "Calls per day"
    if df.empty:
        return empty_figure(title)
    data = metrics.calls_per_day(df, tz)
    if data.empty:
        return empty_figure(title, "No calls with a time")
    raw = list(pd.unique(data["disposition"]))
    names = dict(zip(raw, display_names(raw), strict=True))
    colors = disposition_colors(raw)
    traces = []
    for disposition in raw:
        rows = data[data["disposition"].eq(disposition).to_numpy()]
        traces.append(
            dict(
                type="bar",
                x=rows["day"],
                y=rows["calls"],
                name=names[disposition],
                marker={"color": colors[disposition], "line": {"width": 0}},
                customdata=hover_columns(
                    [hover_text(disposition)] * len(rows),
                    [format_count(n) for n in rows["calls"]],
                    [f"{day:%Y-%m-%d}" for day in rows["day"]],
                ),
                hovertemplate="%{customdata[0]}: %{customdata[1]}<extra></extra>",
            )
        )
    xaxis: dict[str, Any] = {"title": {"text": "Day"}, "type": "date", "hoverformat": "%a %d %b %Y"}
    days = pd.DatetimeIndex(data["day"].unique())
    if len(days) <= DAY_TICKS_UP_TO:
        xaxis |= {"tickmode": "array", "tickvals": list(days), "ticktext": [f"{day:%a %d %b}" for day in days]}
    return house_figure(
        traces,
        f"{title} ({escape(tz)})",
        height=420,
        xaxis=xaxis,
        yaxis={"title": {"text": "Calls"}, "tickformat": ",d"},
        barmode="stack",
        bargap=0.15,
        hovermode="x unified",
        legend={"title": {"text": "Disposition"}},
    )


def mentions_chart(weekly: pd.DataFrame, needle: str) -> go.Figure:
    """Calls per week that mention the search text (`signals.mentions_per_week`), with the share of all
    calls that week in the hover; the search text is escaped and shortened like any label."""
    title = f"Calls mentioning “{display_names([needle])[0]}” per week"
    if weekly.empty:
        return empty_figure(title, "No calls with a time")
    trace = dict(
        type="bar",
        x=weekly["week"],
        y=weekly["mentioning"],
        marker={"color": HISTOGRAM_COLOR, "line": {"width": 0}},
        customdata=hover_columns(
            [format_count(n) for n in weekly["mentioning"]],
            [format_count(n) for n in weekly["calls"]],
            [format_percent(v, 0) for v in weekly["share"]],
        ),
        hovertemplate="Week of %{x|%d %b %Y}: %{customdata[0]} of %{customdata[1]} calls (%{customdata[2]})"
        "<extra></extra>",
    )
    return house_figure(
        [trace],
        title,
        height=300,
        xaxis={"title": {"text": "Week"}, "type": "date"},
        yaxis={"title": {"text": "Calls"}, "tickformat": ",d"},
        bargap=0.2,
    )
