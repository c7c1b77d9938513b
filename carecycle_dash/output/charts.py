"""Plotly figures of how calls ended and how long they lasted: the disposition bars and the outcome funnel
(drawn from `bars`, which prepares them for Vega-Lite as well), the talk-time histogram and the durations by
disposition. Every API string is escaped (`names`) before it reaches a figure.
"""

from __future__ import annotations

from typing import Any, Final

import pandas as pd
import plotly.graph_objects as go

from carecycle_dash.data import metrics
from carecycle_dash.data.formatting import format_count, format_duration
from carecycle_dash.output.bars import disposition_bars, funnel_bars
from carecycle_dash.output.colors import FUNNEL_COLOR, HISTOGRAM_COLOR, disposition_colors, translucent
from carecycle_dash.output.names import display_names, escape, hover_text
from carecycle_dash.output.plotly_style import category_axis, empty_figure, house_figure, hover_columns

MAX_BOXES: Final = 25


def disposition_chart(df: pd.DataFrame) -> go.Figure:
    """Calls per disposition as horizontal bars, most first, each labelled with its count and share."""
    bars = disposition_bars(df)
    if not bars:
        return empty_figure("Calls by disposition")
    names = [escape(bar.name) for bar in bars]
    trace = dict(
        type="bar",
        x=[bar.calls for bar in bars],
        y=names,
        orientation="h",
        marker={"color": [bar.color for bar in bars]},
        text=[bar.label for bar in bars],
        textposition="outside",
        cliponaxis=False,
        customdata=hover_columns(
            [escape(bar.full_name) for bar in bars], [bar.count for bar in bars], [bar.share for bar in bars]
        ),
        hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]} calls · %{customdata[2]} of calls<extra></extra>",
    )
    return house_figure(
        [trace],
        "Calls by disposition",
        height=max(260, 26 * len(names) + 110),
        xaxis={"title": {"text": "Calls"}, "tickformat": ",d", "rangemode": "tozero"},
        yaxis=category_axis(names),
        margin={"r": 90},
    )


def outcome_funnel_chart(df: pd.DataFrame) -> go.Figure:
    """How far calls got, from every call to a positive disposition; each bar says its share of all calls
    and of the stage before."""
    title = "How far calls got"
    if df.empty:
        return empty_figure(title)
    bars = funnel_bars(df)
    trace = dict(
        type="funnel",
        y=[bar.stage for bar in bars],
        x=[bar.calls for bar in bars],
        text=[bar.label for bar in bars],
        textinfo="text",
        marker={"color": FUNNEL_COLOR},
        connector={"fillcolor": "#deebf7"},
        customdata=hover_columns(
            [bar.count for bar in bars], [bar.of_all for bar in bars], [bar.of_previous for bar in bars]
        ),
        hovertemplate="<b>%{y}</b><br>%{customdata[0]} calls<br>%{customdata[1]} of all calls"
        "<br>%{customdata[2]} of the stage before<extra></extra>",
    )
    return house_figure([trace], title, height=320, yaxis={"type": "category"}, xaxis={"title": {"text": "Calls"}})


def duration_histogram(df: pd.DataFrame) -> go.Figure:
    """How long connected calls lasted, in round-width bins of minutes."""
    title = "Talk time of connected calls"
    if df.empty:
        return empty_figure(title)
    data = metrics.talk_time_distribution(df)
    if data.empty:
        return empty_figure(title, "No connected calls with a duration")
    width = float(data["bin_end_min"].iloc[0] - data["bin_start_min"].iloc[0])
    trace = dict(
        type="bar",
        x=(data["bin_start_min"] + width / 2).to_numpy(),
        y=data["calls"],
        width=width,
        marker={"color": HISTOGRAM_COLOR},
        customdata=hover_columns(data["label"].tolist(), [format_count(n) for n in data["calls"]]),
        hovertemplate="%{customdata[0]} min<br>%{customdata[1]} calls<extra></extra>",
    )
    return house_figure(
        [trace],
        title,
        xaxis={"title": {"text": "Talk time (minutes)"}, "rangemode": "tozero"},
        yaxis={"title": {"text": "Connected calls"}, "tickformat": ",d"},
        bargap=0.05,
    )


def duration_by_disposition_chart(df: pd.DataFrame) -> go.Figure:
    """Call duration per disposition as boxes (quartiles, whiskers at 1.5 IQR), hover anywhere on a row."""
    title = "Call duration by disposition"
    if df.empty:
        return empty_figure(title)
    stats = metrics.duration_by_disposition(df)
    if stats.empty:
        return empty_figure(title, "No calls with a duration")
    shown = stats.head(MAX_BOXES)
    if len(stats) > len(shown):
        title = f"{title} (the {len(shown)} most frequent of {len(stats)})"
    raw = shown["disposition"].tolist()
    names = display_names(raw)
    colors = disposition_colors(raw)
    minutes = {c: (shown[c] / 60.0).to_numpy() for c in ("lower_s", "q1_s", "median_s", "q3_s", "upper_s", "mean_s")}
    traces: list[dict[str, Any]] = []
    for i, name in enumerate(names):
        traces.append(
            dict(
                type="box",
                y=[name],
                orientation="h",
                q1=[minutes["q1_s"][i]],
                median=[minutes["median_s"][i]],
                q3=[minutes["q3_s"][i]],
                lowerfence=[minutes["lower_s"][i]],
                upperfence=[minutes["upper_s"][i]],
                mean=[minutes["mean_s"][i]],
                marker={"color": colors[raw[i]]},
                line={"color": colors[raw[i]], "width": 2},
                fillcolor=translucent(colors[raw[i]]),
                hoverinfo="skip",
                showlegend=False,
            )
        )
    seconds = {c: [format_duration(v) for v in shown[c]] for c in ("q1_s", "median_s", "q3_s", "min_s", "max_s")}
    traces.append(
        dict(
            type="scatter",
            x=minutes["median_s"],
            y=names,
            mode="markers",
            marker={"size": 1, "opacity": 0},
            hoverlabel={"bgcolor": [colors[d] for d in raw]},
            showlegend=False,
            customdata=hover_columns(
                [hover_text(d) for d in raw],
                [format_count(n) for n in shown["calls"]],
                seconds["median_s"],
                seconds["q1_s"],
                seconds["q3_s"],
                seconds["min_s"],
                seconds["max_s"],
            ),
            hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]} calls<br>median %{customdata[2]}"
            "<br>middle half %{customdata[3]} to %{customdata[4]}<br>shortest %{customdata[5]}, "
            "longest %{customdata[6]}<extra></extra>",
        )
    )
    return house_figure(
        traces,
        title,
        height=max(260, 30 * len(names) + 110),
        xaxis={"title": {"text": "Duration (minutes)"}, "rangemode": "tozero"},
        yaxis=category_axis(names),
        hovermode="y",
    )
