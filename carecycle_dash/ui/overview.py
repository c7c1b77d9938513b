"""The Overview screen: headline figures, then how calls ended, how long they took, when they happened, when
calls work best and how far they get; and the same as a report to download."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime

import streamlit as st

from carecycle_dash.api.contract import CONVERSATION_MIN_CALLER_TURNS, POSITIVE_DISPOSITIONS
from carecycle_dash.api.logs import AUDIT_LOGGER
from carecycle_dash.data.filters import apply_filters
from carecycle_dash.data.formatting import format_count, format_duration, format_percent, format_total_duration
from carecycle_dash.data.frame import time_zone
from carecycle_dash.data.metrics import OverviewFigures, overview_figures
from carecycle_dash.data.patterns import MEASURES, MIN_CALLS_FOR_RATE, hour_of_week
from carecycle_dash.output import charts
from carecycle_dash.output.report import build_report, completeness_lines
from carecycle_dash.ui import click_through
from carecycle_dash.ui.view import View, open_page
from carecycle_dash.ui.widgets import no_match, scope_caption, viewer_name

audit = logging.getLogger(AUDIT_LOGGER)


def show() -> None:
    view = open_page("Overview")
    scope_caption(view)
    if view.filtered.empty:
        no_match()
        st.stop()

    headline_figures(overview_figures(view.filtered), show_tests=view.filters.include_tests)
    left, right = st.columns(2)
    click_through.clickable_chart(
        left, charts.disposition_chart(view.filtered), "dispositions", click_through.show_disposition
    )
    right.plotly_chart(charts.duration_histogram(view.filtered), key="durations")
    click_through.clickable_chart(
        st.container(), charts.calls_over_time_chart(view.filtered, view.tz), "over_time", click_through.show_day
    )
    st.caption("Click a disposition bar or a day to narrow the view to those calls; clear it in the sidebar.")
    st.plotly_chart(charts.duration_by_disposition_chart(view.filtered), key="duration_by_disposition")
    hour_of_week_heatmap(view)
    outcome_funnel(view)
    report_download(view)


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


def hour_of_week_heatmap(view: View) -> None:
    """When should we call? Calls or a rate per weekday and hour; a click narrows the view to that hour.

    The heatmap leaves out its own cell filter, so every hour stays visible (the chosen one outlined)."""
    measure = st.segmented_control(
        "Hour of the week shows",
        MEASURES,
        default="calls",
        format_func=charts.MEASURE_LABELS.__getitem__,
        key="heatmap_measure",
    )
    cell = None if view.filters.weekday is None else (view.filters.weekday, view.filters.hour)
    calls = view.filtered
    if cell is not None:
        calls = apply_filters(view.all_calls, replace(view.filters, weekday=None, hour=None), keep_text=False)
    data = hour_of_week(calls, view.tz)
    figure = charts.hour_of_week_chart(data, measure or "calls", view.tz, selected=cell)
    click_through.clickable_chart(st.container(), figure, "hour_of_week", click_through.show_cell)
    notes = [f"Rates need at least {MIN_CALLS_FOR_RATE} calls in an hour; click a cell to see its calls."]
    if data.without_time:
        notes.append(f"{format_count(data.without_time)} calls without a time are not shown.")
    st.caption(" ".join(notes))


def outcome_funnel(view: View) -> None:
    """How far calls get, with what each stage means (the rules live in api/contract.py)."""
    st.plotly_chart(charts.outcome_funnel_chart(view.filtered), key="funnel")
    positive = ", ".join(sorted(POSITIVE_DISPOSITIONS))
    st.caption(
        "Each stage keeps the calls of the one before: connected (a person was reached), a conversation "
        f"(the caller spoke at least {CONVERSATION_MIN_CALLER_TURNS} times), a success evaluation that passed, "
        f"and a positive disposition ({positive})."
    )


def report_download(view: View) -> None:
    """This view as the weekly report's self-contained HTML file, built only when clicked."""
    customer = view.inputs.customer_id
    who = viewer_name()
    today = datetime.now(UTC)

    def build() -> bytes:
        data = build_report(
            view.all_calls,
            view.filters,
            customer_id=customer,
            first_day=view.loaded.filter_options(view.tz).first_day,
            generated_at=datetime.now(UTC).astimezone(time_zone(view.tz)),
            attention=None,
            completeness=completeness_lines(
                view.all_calls,
                view.filters,
                api_total=view.loaded.result.items_total,
                cleaned=view.loaded.frame.cleaned_total,
            ),
        )
        audit.info(
            "report download: user=%s customer=%s rows=%d bytes=%d", who, customer, len(view.filtered), len(data)
        )
        return data

    st.download_button(
        "Download this view as a report (HTML)",
        icon=":material/summarize:",
        data=build,
        file_name=f"carecycle-report-{customer}-{today:%Y-%m-%d}.html",
        mime="text/html",
        on_click="ignore",
        key="report_download",
        help="One file with the figures, their changes against the previous period and the charts; "
        "it opens offline in any browser and can be mailed.",
    )
