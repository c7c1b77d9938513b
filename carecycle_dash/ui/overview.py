"""The Overview screen: headline figures, then how calls ended, how long they took, and when they happened."""

from __future__ import annotations

import streamlit as st

from carecycle_dash.data.formatting import format_count, format_duration, format_percent, format_total_duration
from carecycle_dash.data.metrics import OverviewFigures, overview_figures
from carecycle_dash.output import charts
from carecycle_dash.ui.view import open_page
from carecycle_dash.ui.widgets import no_match, scope_caption


def show() -> None:
    view = open_page("Overview")
    scope_caption(view)
    if view.filtered.empty:
        no_match()
        st.stop()

    headline_figures(overview_figures(view.filtered), show_tests=view.filters.include_tests)
    left, right = st.columns(2)
    left.plotly_chart(charts.disposition_chart(view.filtered), key="dispositions")
    right.plotly_chart(charts.duration_histogram(view.filtered), key="durations")
    st.plotly_chart(charts.calls_over_time_chart(view.filtered, view.tz), key="over_time")
    st.plotly_chart(charts.duration_by_disposition_chart(view.filtered), key="duration_by_disposition")


def headline_figures(figures: OverviewFigures, *, show_tests: bool) -> None:
    reached = f"{format_count(figures.connected_calls)} reached a person"
    evaluated = f"Of {format_count(figures.evaluated_calls)} calls with a success evaluation"
    volume = st.columns(4)
    volume[0].metric("Total calls", format_count(figures.total_calls))
    volume[1].metric("Inbound", format_count(figures.inbound))
    volume[2].metric("Outbound", format_count(figures.outbound))
    if show_tests:
        tests = f"{format_count(figures.test_calls)} test calls"
        volume[3].metric("Test calls", format_percent(figures.test_share, 0), help=tests)
    quality = st.columns(4)
    quality[0].metric("Connected", format_percent(figures.connected_rate, 0), help=reached)
    quality[1].metric("Success rate", format_percent(figures.success_rate, 0), help=evaluated)
    quality[2].metric("Median talk time", format_duration(figures.median_talk_s), help="Of connected calls")
    quality[3].metric("Total talk time", format_total_duration(figures.total_talk_s), help="Of connected calls")
