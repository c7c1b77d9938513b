"""Click-through: a click on a disposition bar, a day or a heatmap cell narrows the view to those calls.

A click sets the sidebar's kept filter values in the chart's on_select callback (which runs before the
script), so the sidebar, the figures and the address all follow in the same rerun. Each chart's key changes
after an applied click, so the next chart starts without a lingering selection and a second click on the
same bar works again. The figures carry the raw value in customdata (charts.selection_key).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import plotly.graph_objects as go
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from carecycle_dash.output import charts
from carecycle_dash.ui.sidebar import CELL_KEY
from carecycle_dash.ui.state import set_kept

_ROUND = "_click_round_"
DISPOSITION_COLUMN = 3
"""Where the disposition chart's customdata holds the raw disposition."""
DAY_COLUMN = 2
"""Where the calls-per-day chart's customdata holds the day (YYYY-MM-DD)."""


def clickable_chart(where: DeltaGenerator, figure: go.Figure, name: str, apply: Callable[[list[Any]], bool]) -> None:
    """Draw `figure`; a click on a point calls `apply(customdata)`, which sets kept filters and says
    whether it did."""
    key = f"{name}_{st.session_state.get(_ROUND + name, 0)}"

    def on_select() -> None:
        points = st.session_state[key]["selection"]["points"]
        data = next((p.get("customdata") for p in points if p.get("customdata")), None)
        try:
            applied = data is not None and apply(list(data))
        except (IndexError, TypeError, ValueError):  # a point without the expected customdata: ignore it
            applied = False
        if applied:
            st.session_state[_ROUND + name] = st.session_state.get(_ROUND + name, 0) + 1

    where.plotly_chart(figure, key=key, on_select=on_select, selection_mode=("points",))


def show_disposition(data: list[Any]) -> bool:
    """Narrow the view to one disposition."""
    set_kept("f_dispositions", [charts.selected_value(str(data[DISPOSITION_COLUMN]))])
    return True


def show_day(data: list[Any]) -> bool:
    """Narrow the date range to one day."""
    try:
        day = date.fromisoformat(str(data[DAY_COLUMN]))
    except ValueError:
        return False
    set_kept("f_dates", (day, day))
    return True


def show_cell(data: list[Any]) -> bool:
    """Narrow the view to one hour of one weekday."""
    weekday, hour = int(data[0]), int(data[1])
    if not (0 <= weekday <= 6 and 0 <= hour <= 23):
        return False
    set_kept(CELL_KEY, (weekday, hour))
    return True
