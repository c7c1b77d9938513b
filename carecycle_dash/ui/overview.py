"""The Overview screen: what the data covers, what needs attention, the headline figures with their change
since the previous period; then charts in three tabs (how calls ended and how far they got, how long they
took, when they happened and when calls work best), the conversation signals, and the same as a report to
download."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Final
from zoneinfo import ZoneInfo

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from carecycle_dash.api.contract import CONVERSATION_MIN_CALLER_TURNS, POSITIVE_DISPOSITIONS
from carecycle_dash.data.attention import RULES, Attention, attention_for
from carecycle_dash.data.callers import do_not_call_line as do_not_call_summary
from carecycle_dash.data.completeness import Completeness, completeness
from carecycle_dash.data.filters import CallFilters, apply_filters
from carecycle_dash.data.formatting import format_count, format_percent, plural
from carecycle_dash.data.frame import time_zone
from carecycle_dash.data.headline import headline
from carecycle_dash.data.metrics import OverviewFigures, overview_figures
from carecycle_dash.data.patterns import MEASURES, MIN_CALLS_FOR_RATE, Measure, hour_of_week
from carecycle_dash.data.periods import (
    Change,
    Comparison,
    changes_since,
    chosen_period,
    headline_comparison,
    trend_figures,
)
from carecycle_dash.data.signals import SIGNALS, conversation_counts
from carecycle_dash.output import charts, heatmap, time_charts, vega
from carecycle_dash.output.report import build_report
from carecycle_dash.text.logs import AUDIT_LOGGER
from carecycle_dash.text.safety import escape_markdown
from carecycle_dash.ui import click_through, navigation
from carecycle_dash.ui.auth import viewer_name
from carecycle_dash.ui.callers import breaches
from carecycle_dash.ui.loading import LoadedCalls
from carecycle_dash.ui.review_form import flagged_calls_line
from carecycle_dash.ui.state import keep, kept, set_kept
from carecycle_dash.ui.view import View, open_page
from carecycle_dash.ui.widgets import in_words, no_match, scope_caption

audit = logging.getLogger(AUDIT_LOGGER)

_TREND_DAYS = range(3, 367 * 2)
"""A trend line helps from three days on (weekly points beyond two months)."""
_DELTA_COLOURS: Final = {True: "normal", False: "inverse", None: "off"}
"""st.metric's delta colour for a figure whose rise is good news, bad news, or neither."""


@dataclass(frozen=True)
class PeriodSummary:
    """Everything the Overview compares, computed once per data and filter state."""

    figures: OverviewFigures
    comparison: Comparison | None
    changes: dict[str, Change | None]
    trends: dict[str, list[float]]
    attention: Attention


def show() -> None:
    view = open_page("Overview")
    scope_caption(view)
    data_completeness(view)
    if view.filtered.empty:
        no_match()
        st.stop()
    summary = period_summary(view)
    attention_section(view, summary.attention)
    headline_figures(
        summary.figures, show_tests=view.filters.include_tests, changes=summary.changes, trends=summary.trends
    )
    comparison_caption(summary.comparison)
    charts_section(view)
    conversation_signals(view)
    report_download(view)


def data_completeness(view: View) -> None:
    """One line on what the figures rest on: calls loaded, test calls, cleaned values, calls without time."""
    st.caption(_completeness(view.loaded, view.filters).text())


def _completeness(loaded: LoadedCalls, filters: CallFilters) -> Completeness:
    return completeness(
        loaded.all_calls,
        loaded.result.items_total,
        loaded.frame.cleaned_total,
        tests_included=filters.include_tests,
    )


def clock() -> datetime:
    """The time now (aware): the Overview's one reading of the clock, which a test may set."""
    return datetime.now(UTC)


def period_summary(view: View) -> PeriodSummary:
    """The comparison, changes, trends and attention items of this view, computed once per data, filter
    state and hour for every session showing them: a rerun that changes nothing, a page revisited or a
    colleague on the same customer recomputes nothing (so calls that stopped are noticed within the hour)."""
    now = clock().astimezone(ZoneInfo(view.tz)).replace(minute=0, second=0, microsecond=0)
    return view.derived("period summary", lambda: _summarise(view, now), now)


def _summarise(view: View, now: datetime) -> PeriodSummary:
    today = now.date()
    options = view.loaded.filter_options(view.tz)
    first_day, last_day = options.first_day, options.last_day
    figures = overview_figures(view.filtered)
    comparison = headline_comparison(view.filters, first_day, last_day, today)
    changes = changes_since(view.all_calls, view.filters, comparison, figures)
    period = chosen_period(view.filters, first_day, last_day)
    trends: dict[str, list[float]] = {}
    if period is not None and period.days in _TREND_DAYS:
        trends = _trends(trend_figures(view.filtered, period, view.tz))
    attention = attention_for(view.all_calls, view.filters, first_day, last_day, now, filtered=view.filtered)
    return PeriodSummary(figures, comparison, changes, trends, attention)


def _trends(daily: pd.DataFrame) -> dict[str, list[float]]:
    """Daily values per figure (rates in percent); a day without a denominator has no rate and is skipped."""
    scaled = daily.copy()
    for rate in ("connected_rate", "success_rate", "test_share", "error_share"):
        scaled[rate] = scaled[rate] * 100
    return {name: [float(v) for v in scaled[name].dropna()] for name in scaled.columns}


def attention_section(view: View, attention: Attention) -> None:
    """**Needs attention**: calls that stopped (linking to the last day's calls), then what moved by a large
    and meaningful margin, worst first, each a link to the calls behind it; one line when nothing did or when
    there is nothing to compare with. The report lists the same lines (output/report.py)."""
    st.subheader("Needs attention")
    if (quiet := attention.silence) is not None:
        day = str(quiet.last_day)
        params = view.link_params(start=day, end=day)
        navigation.link(navigation.CALLS, params, label=quiet.text, icon=":material/phone_disabled:")
    do_not_call_line(view)
    flagged_calls_line(view)
    line = attention.empty_line()
    if attention.comparison is None or not attention.comparison.comparable:
        st.caption(line or "")
        return
    if line:
        st.success(line, icon=":material/check_circle:")
    for item in attention.items:
        period = attention.comparison.current
        params = view.link_params(start=str(period.start), end=str(period.end))
        params.update(item.params)
        icon = ":material/warning:" if item.severity > 0 else ":material/trending_up:"
        navigation.link(navigation.CALLS, params, label=escape_markdown(item.text), icon=icon)
    st.caption(attention.caption())
    with st.expander("How a change is judged", icon=":material/rule:"):
        st.caption(RULES)


def headline_figures(
    figures: OverviewFigures,
    *,
    show_tests: bool,
    changes: dict[str, Change | None] | None = None,
    trends: dict[str, list[float]] | None = None,
) -> None:
    """The row of figures; each with its change against the previous period and a daily trend when given."""
    trends = trends or {}
    for row in headline(figures, changes or {}, show_tests=show_tests):
        for where, figure in zip(st.columns(len(row)), row, strict=True):
            moved = figure.change is not None and figure.change.sign != 0
            where.metric(
                figure.label,
                figure.value,
                delta=figure.change.text if figure.change else None,
                delta_color=_DELTA_COLOURS[figure.up_is_good] if moved else "off",
                delta_arrow="auto" if moved else "off",
                help=figure.help,
                chart_data=trends.get(figure.name),
                chart_type="line",
            )


def comparison_caption(comparison: Comparison | None) -> None:
    """Names the previous period the changes compare with, or says why there are none."""
    if comparison is None:
        st.caption(
            "Choose a date range (for example Last 7 days) to see each figure's change against the period before."
        )
    else:
        st.caption(comparison.caption())


@dataclass(frozen=True)
class ChartGroup:
    """One tab of the Overview's charts: its label, its value of the `charts` address parameter, what it draws."""

    label: str
    param: str
    draw: Callable[[View], None]


def charts_section(view: View) -> None:
    """The charts in tabs by the question they answer. Only the open tab's charts are built, sent and drawn:
    a visit or a filter change costs the charts looked at, and the page's first chart comes sooner. The tab
    lives in the address (`charts`; none for the first), so a link opens it; the sidebar's link keeps it."""
    labels = [group.label for group in CHART_GROUPS]
    adopt_chart_group()
    tabs = st.tabs(labels, key=kept(_CHARTS_KEY, labels[0]), on_change=_chart_group_chosen)
    for tab, group in zip(tabs, CHART_GROUPS, strict=True):
        if tab.open:
            with tab:
                group.draw(view)
    navigation.set_param(navigation.CHARTS_PARAM, _chart_param(st.session_state.get(_CHARTS_KEY)))


def adopt_chart_group() -> None:
    """Take the address's chart tab as the choice; one line when it names none of them."""
    given = st.query_params.get(navigation.CHARTS_PARAM)
    if given is None:
        return
    group = next((group for group in CHART_GROUPS if group.param == given), None)
    if group is None:
        names = ", ".join(group.param for group in CHART_GROUPS)
        st.warning(f"The link's chart tab is not one of {names}; showing the first.")
        group = CHART_GROUPS[0]
    set_kept(_CHARTS_KEY, group.label)


def _chart_group_chosen() -> None:
    keep(_CHARTS_KEY)
    navigation.set_param(navigation.CHARTS_PARAM, _chart_param(st.session_state[_CHARTS_KEY]))


def _chart_param(label: object) -> str:
    """The address value of the tab with this label: none for the first, the one a bare address opens."""
    group = next((group for group in CHART_GROUPS[1:] if group.label == label), None)
    return group.param if group else ""


def outcomes_charts(view: View) -> None:
    """How calls ended (a click on a bar narrows the view to that disposition) and how far they got."""
    left, right = st.columns(2)
    click_through.disposition_bars(left, view.derived("disposition bars", lambda: vega.disposition_spec(view.filtered)))
    left.caption("Click a disposition bar to narrow the view to those calls; clear it in the sidebar.")
    with right:
        outcome_funnel(view)


def duration_charts(view: View) -> None:
    """How long calls took: all of them, and by disposition."""
    left, right = st.columns(2)
    histogram = view.derived("duration histogram", lambda: charts.duration_histogram(view.filtered))
    left.plotly_chart(histogram, key="durations")
    in_words(left, histogram)
    by_disposition = view.derived(
        "duration by disposition", lambda: charts.duration_by_disposition_chart(view.filtered)
    )
    right.plotly_chart(by_disposition, key="duration_by_disposition")
    in_words(right, by_disposition)


def timing_charts(view: View) -> None:
    """When calls happened (a click on a day narrows the view to it) and when they work best."""
    over_time = view.derived("calls per day chart", lambda: time_charts.calls_over_time_chart(view.filtered, view.tz))
    click_through.clickable_chart(st.container(), over_time, "over_time", click_through.show_day)
    st.caption("Click a day to narrow the view to its calls; clear it in the sidebar.")
    hour_of_week_heatmap(view)


_CHARTS_KEY = "overview_charts"
CHART_GROUPS: Final = (
    ChartGroup("How calls ended", "outcomes", outcomes_charts),
    ChartGroup("How long they took", "durations", duration_charts),
    ChartGroup("When they happened", "timing", timing_charts),
)


def hour_of_week_heatmap(view: View) -> None:
    """When should we call? Calls or a rate per weekday and hour; a click narrows the view to that hour.

    The heatmap leaves out its own cell filter, so every hour stays visible (the chosen one outlined)."""
    measure = st.segmented_control(
        "Hour of the week shows",
        MEASURES,
        format_func=heatmap.MEASURE_LABELS.__getitem__,
        key=kept(_MEASURE_KEY, "calls"),
        on_change=keep,
        args=(_MEASURE_KEY,),
    )
    shown: Measure = measure or "calls"
    figure, without_time = view.derived("hour of week", lambda: _hour_of_week(view, shown), shown)
    click_through.clickable_chart(st.container(), figure, "hour_of_week", click_through.show_cell)
    notes = [f"Rates need at least {MIN_CALLS_FOR_RATE} calls in an hour; click a cell to see its calls."]
    if without_time:
        notes.append(f"{plural(without_time, 'call')} without a time {'is' if without_time == 1 else 'are'} not shown.")
    st.caption(" ".join(notes))


_MEASURE_KEY = "heatmap_measure"


def _hour_of_week(view: View, measure: Measure) -> tuple[go.Figure, int]:
    """The heatmap figure and how many calls have no time; a chosen cell is outlined, not filtered away."""
    cell = None if view.filters.weekday is None else (view.filters.weekday, view.filters.hour)
    calls = view.filtered
    if cell is not None:
        calls = apply_filters(view.all_calls, replace(view.filters, weekday=None, hour=None), keep_text=False)
    data = hour_of_week(calls, view.tz)
    return heatmap.hour_of_week_chart(data, measure, view.tz, selected=cell), data.without_time


def outcome_funnel(view: View) -> None:
    """How far calls get, with what each stage means (the rules live in api/contract.py)."""
    funnel = view.derived("outcome funnel", lambda: vega.funnel_spec(view.filtered))
    st.vega_lite_chart(funnel, key="funnel", width="stretch")
    in_words(st.container(), funnel)
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
    held, filters, tz, rows = view.held_for_download(), view.filters, view.tz, len(view.filtered)

    def build() -> bytes:
        loaded = held()
        options = loaded.filter_options(tz)
        data = build_report(
            loaded.all_calls,
            filters,
            customer_id=customer,
            first_day=options.first_day,
            last_day=options.last_day,
            generated_at=datetime.now(UTC).astimezone(time_zone(tz)),
            completeness=_completeness(loaded, filters),
        )
        audit.info("report download: user=%s customer=%s rows=%d bytes=%d", who, customer, rows, len(data))
        return data

    st.download_button(
        "Download this view as a report (HTML)",
        icon=":material/summarize:",
        data=build,
        file_name=f"carecycle-report-{customer}-{today:%Y-%m-%d}.html",
        mime="text/html",
        on_click="ignore",
        key="report_download",
        help="One file with the figures, their changes against the previous period, Needs attention and the "
        "charts; it opens offline in any browser and can be mailed.",
    )


def conversation_signals(view: View) -> None:
    """How often connected calls show each transcript signal (counts of the view's connected calls)."""
    counts = view.derived("conversation counts", lambda: conversation_counts(view.filtered))
    if not counts.connected:
        return
    st.subheader("Conversations")
    row = st.columns(len(SIGNALS))
    for column, signal in zip(row, SIGNALS, strict=True):
        calls = counts.counts[signal.column]
        column.metric(
            signal.label,
            format_count(calls),
            help=f"{signal.help}: {format_percent(counts.share(signal.column), 1)} of "
            f"{plural(counts.connected, 'connected call')}",
        )
        if calls:
            params = view.link_params(**{navigation.SIGNAL_PARAM: [signal.param]})
            navigation.link(navigation.CALLS, params, label="See these calls", where=column)
    st.caption("Read from the transcripts without any model; each link opens those calls on the Calls page.")


def do_not_call_line(view: View) -> None:
    """In Needs attention whatever the period, after calls that stopped: numbers called after asking not to
    be, linking to them on the Callers page."""
    text = do_not_call_summary(breaches(view))
    if text is not None:
        navigation.link(navigation.CALLERS, view.link_params(), label=escape_markdown(text), icon=":material/block:")
