"""Plotly figures for the Overview, drawn from the numbers in `metrics` and nothing else.

Plotly renders a subset of HTML in labels, legends and hover text, so every string that came from the API
is escaped (and shortened for axes) before it reaches a figure; numbers are formatted here for people.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Iterable, Sequence
from typing import Any, Final

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from carecycle_dash.data import metrics
from carecycle_dash.data.formatting import format_count, format_duration, format_percent
from carecycle_dash.data.frame import NONE_LABEL
from carecycle_dash.data.metrics import OTHER_LABEL
from carecycle_dash.data.patterns import WEEKDAYS, HourOfWeek, Measure, outcome_funnel
from carecycle_dash.text.safety import shorten

EMPTY_MESSAGE: Final = "No calls match"
AXIS_LABEL_MAX: Final = 40
HOVER_LABEL_MAX: Final = 200
MAX_BOXES: Final = 25
DAY_TICKS_UP_TO: Final = 14
"""Up to two weeks, calls per day label every day: plotly's own ticks on so short a range fall between the
days and show times of day, which a bar per day does not have."""
HISTOGRAM_COLOR: Final = "#4393c3"
FUNNEL_COLOR: Final = "#2166ac"
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
_FONT: Final = {"family": "Inter, 'Source Sans Pro', 'Helvetica Neue', Arial, sans-serif", "size": 13}
_AXIS: Final = {"gridcolor": "#ebf0f8", "linecolor": "#ebf0f8", "zerolinecolor": "#ebf0f8", "ticks": ""}
# A few lines in the spirit of "plotly_white": copying a named template costs tens of ms per figure.
# Known dispositions by meaning: reached and succeeded (greens, blues), nobody reached (greys),
# reached and declined (oranges), failed or broken (reds). Unknown ones take a hue none of these use.
_KNOWN_COLORS: Final = {
    "qualified": "#1b7837",
    "appointment scheduled": "#5aae61",
    "transferred": "#a6dba0",
    "identity verification succeeded": "#2166ac",
    "identity verified": "#4393c3",
    "message delivered": "#92c5de",
    "busy/no answer": "#969696",
    "voicemail": "#bdbdbd",
    "customer did not answer": "#737373",
    "no agents available": "#525252",
    "not interested": "#fdae61",
    "unqualified": "#e6ab02",
    "do not contact": "#e08214",
    "do not call": "#b35806",
    "identity verification failed": "#d6604d",
    "bad contact": "#f4a582",
    "disposition error": "#ef3b2c",
    "pipeline error": "#b2182b",
    "telephony block": "#67001f",
    NONE_LABEL: "#d9d9d9",
    OTHER_LABEL.casefold(): "#e0e0e0",
}
_UNKNOWN_PALETTE: Final = (
    "#8073ac",
    "#542788",
    "#35978f",
    "#01665e",
    "#8c510a",
    "#bf812d",
    "#c51b7d",
    "#de77ae",
    "#762a83",
    "#9970ab",
    "#80cdc1",
    "#dfc27d",
)


_TEMPLATE: Final = {
    "layout": {
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "font": {"color": "#2a3f5f"},
        "xaxis": _AXIS,
        "yaxis": _AXIS,
    }
}


def disposition_colors(dispositions: Iterable[str]) -> dict[str, str]:
    """A colour per disposition, the same in every chart and session: known ones from a palette by meaning
    (matched ignoring case and surrounding space), others from a stable hash of the name."""
    colors = {}
    for name in dispositions:
        key = str(name).strip().casefold()
        if key in _KNOWN_COLORS:
            colors[name] = _KNOWN_COLORS[key]
        else:
            digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()
            colors[name] = _UNKNOWN_PALETTE[int.from_bytes(digest[:4], "big") % len(_UNKNOWN_PALETTE)]
    return colors


def disposition_chart(df: pd.DataFrame) -> go.Figure:
    """Calls per disposition as horizontal bars, most first, each labelled with its count and share."""
    data = metrics.disposition_breakdown(df)
    if data.empty:
        return empty_figure("Calls by disposition")
    raw = data["disposition"].tolist()
    names = display_names(raw)
    colors = disposition_colors(raw)
    counts = [format_count(n) for n in data["calls"]]
    shares = [format_percent(s) for s in data["share"]]
    trace = dict(
        type="bar",
        x=data["calls"],
        y=names,
        orientation="h",
        marker={"color": [colors[d] for d in raw]},
        text=[f"{c} ({s})" for c, s in zip(counts, shares, strict=True)],
        textposition="outside",
        cliponaxis=False,
        customdata=_columns([hover_text(d) for d in raw], counts, shares),
        hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]} calls · %{customdata[2]} of calls<extra></extra>",
    )
    return _figure(
        [trace],
        "Calls by disposition",
        height=max(260, 26 * len(names) + 110),
        xaxis={"title": {"text": "Calls"}, "tickformat": ",d", "rangemode": "tozero"},
        yaxis=_category_axis(names),
        margin={"r": 90},
    )


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
        customdata=_columns(data["label"].tolist(), [format_count(n) for n in data["calls"]]),
        hovertemplate="%{customdata[0]} min<br>%{customdata[1]} calls<extra></extra>",
    )
    return _figure(
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
                fillcolor=_translucent(colors[raw[i]]),
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
            customdata=_columns(
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
    return _figure(
        traces,
        title,
        height=max(260, 30 * len(names) + 110),
        xaxis={"title": {"text": "Duration (minutes)"}, "rangemode": "tozero"},
        yaxis=_category_axis(names),
        hovermode="y",
    )


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
                customdata=_columns(
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
    return _figure(
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
        customdata=_columns(
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
    return _figure(
        [heatmap, cells],
        title,
        height=340,
        # Fixed ranges: the invisible markers must not pad the axes, so each cell keeps its place.
        xaxis={"title": {"text": "Hour of the day"}, "type": "category", "showgrid": False, "range": [-0.5, 23.5]},
        yaxis={**_category_axis(days), "showgrid": False, "autorange": False, "range": [6.5, -0.5]},
        shapes=shapes,
        hovermode="closest",
        clickmode="event+select",
        dragmode=False,
    )


def outcome_funnel_chart(df: pd.DataFrame) -> go.Figure:
    """How far calls got, from every call to a positive disposition; each bar says its share of all calls
    and of the stage before."""
    title = "How far calls got"
    if df.empty:
        return empty_figure(title)
    data = outcome_funnel(df)
    counts = [format_count(n) for n in data["calls"]]
    of_all = [format_percent(v, 0) for v in data["share_of_all"]]
    trace = dict(
        type="funnel",
        y=data["stage"].tolist(),
        x=data["calls"],
        text=[f"{c} ({s})" for c, s in zip(counts, of_all, strict=True)],
        textinfo="text",
        marker={"color": FUNNEL_COLOR},
        connector={"fillcolor": "#deebf7"},
        customdata=_columns(counts, of_all, [format_percent(v, 0) for v in data["share_of_previous"]]),
        hovertemplate="<b>%{y}</b><br>%{customdata[0]} calls<br>%{customdata[1]} of all calls"
        "<br>%{customdata[2]} of the stage before<extra></extra>",
    )
    return _figure([trace], title, height=320, yaxis={"type": "category"}, xaxis={"title": {"text": "Calls"}})


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
    return _figure([], title, height=260, xaxis={"visible": False}, yaxis={"visible": False}, annotations=[note])


def display_names(labels: Sequence[str], limit: int = AXIS_LABEL_MAX) -> list[str]:
    """Labels as an axis or legend shows them: shortened with "…", kept distinct, HTML-escaped."""
    return [escape(name) for name in distinct_names(labels, limit)]


def distinct_names(labels: Sequence[str], limit: int = AXIS_LABEL_MAX) -> list[str]:
    """Labels shortened with "…" and kept distinct ("… (2)"), as typed: for a renderer that draws text as text."""
    seen: set[str] = set()
    names = []
    for label in labels:
        short = shorten(str(label), limit)
        name, n = short, 2
        while name in seen:
            name, n = f"{short} ({n})", n + 1
        seen.add(name)
        names.append(name)
    return names


def hover_text(value: object, limit: int = HOVER_LABEL_MAX) -> str:
    """An API string as hover text: capped in length, HTML-escaped so it shows as typed."""
    return escape(shorten(str(value), limit))


def escape(text: str) -> str:
    """&, < and > as entities: plotly then shows markup as typed. Quotes stay, since plotly would print
    &quot; literally and a quote outside a tag is harmless."""
    return html.escape(text, quote=False)


def _translucent(color: str, alpha: float = 0.35) -> str:
    """A "#rrggbb" colour as rgba, so a box's median line shows against its fill."""
    red, green, blue = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {alpha})"


def _columns(*columns: Sequence[object]) -> np.ndarray:
    return np.array(list(zip(*columns, strict=True)), dtype=object).reshape(len(columns[0]), len(columns))


def _category_axis(names: list[str]) -> dict[str, Any]:
    """A category axis in the given order, first at the top; numbers and dates in names stay labels."""
    return {
        "type": "category",
        "categoryorder": "array",
        "categoryarray": names,
        "autorange": "reversed",
        "ticklabelstandoff": 6,
    }


def _figure(
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
        customdata=_columns(
            [format_count(n) for n in weekly["mentioning"]],
            [format_count(n) for n in weekly["calls"]],
            [format_percent(v, 0) for v in weekly["share"]],
        ),
        hovertemplate="Week of %{x|%d %b %Y}: %{customdata[0]} of %{customdata[1]} calls (%{customdata[2]})"
        "<extra></extra>",
    )
    return _figure(
        [trace],
        title,
        height=300,
        xaxis={"title": {"text": "Week"}, "type": "date"},
        yaxis={"title": {"text": "Calls"}, "tickformat": ",d"},
        bargap=0.2,
    )
