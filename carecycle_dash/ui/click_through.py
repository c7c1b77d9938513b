"""Click-through: a click on a disposition bar, a day or a heatmap cell narrows the view to those calls.

A click sets the sidebar's kept filter values in the chart's on_select callback (which runs before the
script), so the sidebar, the figures and the address all follow in the same rerun. Each chart's key changes
after an applied click, so the next chart starts without a lingering selection and a second click on the
same bar works again. The plotly figures carry what a click needs in customdata; the disposition bars (a
Vega-Lite chart, see output/vega.py) in the selected bar's `PICKED_FIELD`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import plotly.graph_objects as go
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from carecycle_dash.output import vega
from carecycle_dash.ui.choices import CELL_KEY
from carecycle_dash.ui.state import set_kept
from carecycle_dash.ui.widgets import in_words

_ROUND = "_click_round_"
DAY_COLUMN = 2
"""Where the calls-per-day chart's customdata holds the day (YYYY-MM-DD)."""
DISPOSITIONS = "dispositions"


def clickable_chart(where: DeltaGenerator, figure: go.Figure, name: str, apply: Callable[[list[Any]], bool]) -> None:
    """Draw `figure`; a click on a point calls `apply(customdata)`, which sets kept filters and says
    whether it did."""
    key = _key(name)

    def on_select() -> None:
        points = st.session_state[key]["selection"]["points"]
        data = next((p.get("customdata") for p in points if p.get("customdata")), None)
        try:
            applied = data is not None and apply(list(data))
        except (IndexError, TypeError, ValueError):  # a point without the expected customdata: ignore it
            applied = False
        _next_round(name, applied)

    where.plotly_chart(figure, key=key, on_select=on_select, selection_mode=("points",))
    in_words(where, figure)


def disposition_bars(where: DeltaGenerator, spec: vega.Spec) -> None:
    """Draw the disposition bars (`vega.disposition_spec`); a click on a bar narrows the view to its disposition."""
    key = _key(DISPOSITIONS)

    def on_select() -> None:
        picked = st.session_state[key]["selection"].get(vega.PICK) or []
        value = next((p.get(vega.PICKED_FIELD) for p in picked if isinstance(p, dict)), None)
        _next_round(DISPOSITIONS, isinstance(value, str) and show_disposition(value))

    where.vega_lite_chart(spec, key=key, on_select=on_select, selection_mode=(vega.PICK,), width="stretch")
    in_words(where, spec)


def _key(name: str) -> str:
    return f"{name}_{st.session_state.get(_ROUND + name, 0)}"


def _next_round(name: str, applied: bool) -> None:
    """After an applied click, the chart's next key: it starts without the selection just used."""
    if applied:
        st.session_state[_ROUND + name] = st.session_state.get(_ROUND + name, 0) + 1


def show_disposition(value: str) -> bool:
    """Narrow the view to one disposition, exactly as the API sent it."""
    set_kept("f_dispositions", [value])
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
