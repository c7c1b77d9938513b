"""The Overview screen: headline figures, then how calls ended, how long they took, and when they happened."""

from __future__ import annotations

import streamlit as st

from carecycle_dash.data.formatting import format_count, format_duration, format_percent, format_total_duration
from carecycle_dash.data.metrics import OverviewFigures, overview_figures
from carecycle_dash.data.signals import SIGNALS, conversation_counts
from carecycle_dash.output import charts
from carecycle_dash.ui import navigation
from carecycle_dash.ui.callers import breaches
from carecycle_dash.ui.view import View, open_page
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
    conversation_signals(view)
    do_not_call_notice(view)


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


def conversation_signals(view: View) -> None:
    """How often connected calls show each transcript signal (counts of the view's connected calls)."""
    counts = conversation_counts(view.filtered)
    if not counts.connected:
        return
    st.subheader("Conversations")
    row = st.columns(len(SIGNALS))
    for column, signal in zip(row, SIGNALS, strict=True):
        column.metric(
            signal.label,
            format_count(counts.counts[signal.column]),
            help=f"{signal.help}: {format_percent(counts.share(signal.column), 1)} of "
            f"{format_count(counts.connected)} connected calls",
        )
    st.caption("Read from the transcripts without any model. Filter the calls by these signals on the Calls page.")


def do_not_call_notice(view: View) -> None:
    """A warning with a link when any number was called after asking not to be (see the Callers page)."""
    found = breaches(view)
    if found.empty:
        return
    numbers = found["caller"].nunique()
    st.warning(
        f"{format_count(numbers)} {'number was' if numbers == 1 else 'numbers were'} called after a Do Not Call "
        "request.",
        icon=":material/block:",
    )
    navigation.link(navigation.CALLERS, view.link_params(), label="See them on the Callers page")
