"""Pieces of screen that more than one page draws, each rendering API text as text only."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from carecycle_dash.data.formatting import format_count, plural
from carecycle_dash.output.chart_text import describe_figure, describe_spec
from carecycle_dash.ui.view import View


def scope_caption(view: View) -> None:
    """Which customer, how many calls pass the filters out of how many, and since when."""
    shown, total = len(view.filtered), view.in_scope
    scope = f"{format_count(shown)} of {plural(total, 'call')}" if shown != total else plural(total, "call")
    since = f" since {view.since:%Y-%m-%d}" if view.since is not None else ""
    st.caption(f"Customer {view.inputs.customer_id} · {scope}{since} · times in {view.tz}")


def in_words(where: DeltaGenerator, chart: go.Figure | dict) -> None:
    """A chart's text description under it (what a screen reader reads, and anyone who cannot see the chart)."""
    text = describe_figure(chart) if isinstance(chart, go.Figure) else describe_spec(chart)
    where.caption(f"In words: {text}")


def no_match() -> None:
    st.info("No calls match these filters. Widen the date range or clear some filters in the sidebar.")
