"""Each chart in words, for people who cannot see it: its title and what stands out, read from the figure
or spec itself, so the words always match the picture whichever module draws it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from carecycle_dash.data.formatting import format_count, plural

MAX_NAMED: Final = 5
"""How many bars a spec's description names, largest first."""


def describe_figure(figure: go.Figure) -> str:
    """ "Calls per day (UTC): 30 days from 2026-06-01 to 2026-06-30; the most calls, 84, on 2026-06-14."."""
    title = figure.layout.title.text or "Chart"
    kinds = {trace.type for trace in figure.data}
    if "heatmap" in kinds:
        detail = _heatmap(next(trace for trace in figure.data if trace.type == "heatmap"))
    elif "bar" in kinds:
        bars = [trace for trace in figure.data if trace.type == "bar"]
        detail = _bars(bars if figure.layout.barmode == "stack" else bars[:1], figure.layout)
    elif "box" in kinds:
        groups = [trace for trace in figure.data if trace.type == "box"]
        detail = f"a box per group, {plural(len(groups), 'group')}"
    elif "histogram" in kinds:
        values = sum(len(trace.x if trace.x is not None else trace.y or ()) for trace in figure.data)
        detail = f"how {plural(values, 'value')} spread"
    else:
        detail = ""
    return f"{title}: {detail}." if detail else f"{title}."


def describe_spec(spec: dict[str, Any]) -> str:
    """A Vega-Lite spec of labelled bars (rows with a name or stage and a label) in words, largest first."""
    title = spec.get("title")
    text = title.get("text") if isinstance(title, dict) else title
    rows = spec.get("data", {}).get("values") or []
    named = [f"{row.get('name') or row.get('stage')} {row['label']}" for row in rows if "label" in row]
    if not named:
        return f"{text or 'Chart'}."
    more = f"; {format_count(len(named) - MAX_NAMED)} more" if len(named) > MAX_NAMED else ""
    return f"{text or 'Chart'}: {'; '.join(named[:MAX_NAMED])}{more}."


def _bars(traces: Sequence[Any], layout: Any) -> str:
    """Bars (stacked ones summed): how many, the first and last position, and the tallest, with the axes'
    titles."""
    frames = [
        pd.Series(np.asarray(trace.y, dtype=float), index=list(trace.x)) for trace in traces if trace.x is not None
    ]
    if not frames:
        return ""
    totals = pd.concat(frames, axis=1).sum(axis=1)
    if totals.empty:
        return "no bars"
    top = totals.idxmax()
    first, last = _label(totals.index[0]), _label(totals.index[-1])
    across = layout.xaxis.title.text or "position"
    height = layout.yaxis.title.text or "value"
    return (
        f"{plural(len(totals), 'bar')}, {across.lower()} {first} to {last}; the tallest at {_label(top)}: "
        f"{format_count(int(totals.max()))} ({height.lower()})"
    )


def _heatmap(trace: Any) -> str:
    z = np.asarray(trace.z, dtype=float)
    if z.size == 0 or np.isnan(z).all():
        return "no values"
    row, column = np.unravel_index(np.nanargmax(z), z.shape)
    peak = z[row, column]
    shown = format_count(int(peak)) if float(peak).is_integer() else f"{peak:.0%}" if peak <= 1 else f"{peak:,.1f}"
    return f"highest at {trace.y[row]} {trace.x[column]}:00 ({shown})"


def _label(value: Any) -> str:
    if isinstance(value, np.datetime64 | pd.Timestamp):
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    return str(value)
