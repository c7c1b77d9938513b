"""The weekly report: one self-contained HTML file a manager can open offline or get by mail.

Pure (no network, no Streamlit): it takes the loaded calls and the filters of the view and returns bytes.
The `report` command and the Overview's download share it, and its figures come from the same functions
as the Overview's. plotly.js is inlined once (so opening the file makes no request); every string that
came from the API is HTML-escaped, and the charts escape theirs as they always do.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Final

import pandas as pd
import plotly.graph_objects as go

from carecycle_dash.data.filters import CallFilters, apply_filters
from carecycle_dash.data.formatting import format_count, format_duration, format_percent, format_total_duration
from carecycle_dash.data.metrics import OverviewFigures, overview_figures
from carecycle_dash.data.patterns import WEEKDAYS, hour_of_week
from carecycle_dash.output import charts

ATTENTION_NOT_COMPUTED: Final = "Needs attention: not computed for this report."
_PLOTLY_CONFIG: Final = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["sendDataToCloud"]}
_STYLE: Final = """
body{font-family:Inter,'Source Sans Pro','Helvetica Neue',Arial,sans-serif;color:#1f2a44;margin:24px auto;
max-width:1100px;padding:0 16px;line-height:1.45}
h1{font-size:1.6em;margin-bottom:0}h2{font-size:1.2em;margin-top:1.8em;border-bottom:1px solid #ebf0f8}
.sub{color:#5b6478;margin-top:4px}
table{border-collapse:collapse}td,th{padding:6px 14px 6px 0;text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.good{color:#1b7837}.bad{color:#b2182b}.same{color:#5b6478}
ul.attention li{margin:4px 0}.note{color:#5b6478;font-size:.9em}
"""


@dataclass(frozen=True)
class HeadlineRow:
    """One headline figure: its value this period and its change since the previous one ("" when none).
    `tone` is "good", "bad" or "same" for the change's colour."""

    label: str
    value: str
    change: str
    tone: str


@dataclass(frozen=True)
class ReportPeriods:
    """The calls of this period and, when the loaded calls cover it, of the one before (same length,
    ending the day before this one starts)."""

    current: pd.DataFrame
    previous: pd.DataFrame | None
    current_label: str
    previous_label: str | None
    why_no_previous: str | None
    """Why there is no comparison, or what to bear in mind about the one there is (a period still growing)."""


def previous_filters(filters: CallFilters, first_day: date | None) -> CallFilters | None:
    """The same filters over the period before, or None when this period is open-ended or the loaded calls
    start after the previous period does (a partial previous period would mislead).

    Integration note: h9a's data/periods.py computes the previous period for the Overview; this should call
    that once both are merged.
    """
    if filters.start is None or filters.end is None or first_day is None:
        return None
    length = filters.end - filters.start
    previous_end = filters.start - timedelta(days=1)
    previous_start = previous_end - length
    if first_day > previous_start:
        return None
    return replace(filters, start=previous_start, end=previous_end)


def report_periods(all_calls: pd.DataFrame, filters: CallFilters, first_day: date | None, today: date) -> ReportPeriods:
    """Split the loaded calls into this period and the previous one, with labels for people; a period that
    runs into `today` (in the viewer's zone) is said to be still growing."""
    current = apply_filters(all_calls, filters, keep_text=False)
    before = previous_filters(filters, first_day)
    if before is None:
        why: str | None = (
            "No comparison: the report covers every loaded call."
            if filters.start is None or filters.end is None
            else "No comparison: the loaded calls do not reach back over the whole previous period."
        )
    elif filters.end is not None and filters.end >= today:
        why = "Today is not over yet, so this period's counts are still growing."
    else:
        why = None
    return ReportPeriods(
        current=current,
        previous=None if before is None else apply_filters(all_calls, before, keep_text=False),
        current_label=period_label(filters),
        previous_label=None if before is None else period_label(before),
        why_no_previous=why,
    )


def period_label(filters: CallFilters) -> str:
    """ "2026-11-16 to 2026-11-22 (Europe/Berlin)", or what an open end means."""
    start = filters.start.isoformat() if filters.start else "the first call"
    end = filters.end.isoformat() if filters.end else "the last call"
    return f"{start} to {end} ({filters.tz})"


def filter_summary(filters: CallFilters) -> list[str]:
    """The view's filters beyond its dates, one phrase each, so a reader knows which calls were counted."""
    parts = [
        f"{name}: {', '.join(values)}"
        for name, values in (
            ("Dispositions", filters.dispositions),
            ("Direction", filters.directions),
            ("Campaign", filters.campaigns),
            ("Assistant type", filters.assistant_types),
        )
        if values
    ]
    if filters.weekday is not None or filters.hour is not None:
        day = WEEKDAYS[filters.weekday] if filters.weekday is not None else "Every day"
        hours = f"{filters.hour:02d}:00–{filters.hour:02d}:59" if filters.hour is not None else "every hour"
        parts.append(f"Hour of the week: {day} {hours}")
    if filters.text:
        parts.append(f"Transcript or summary contains: {filters.text}")
    if filters.include_tests:
        parts.append("Test calls included")
    return parts


def headline_rows(current: OverviewFigures, previous: OverviewFigures | None) -> list[HeadlineRow]:
    """The headline figures with their changes: counts as differences, rates in percentage points, talk time
    in m:ss. A rise is good for calls, connected and success; a change in talk time is neither.

    Integration note: h9a's data/periods.py formats the Overview's deltas; switch to it once merged.
    """

    def count_change(now: int, then: int | None, up_is_good: bool | None) -> tuple[str, str]:
        if then is None:
            return "", "same"
        diff = now - then
        return f"{diff:+,}", _tone(diff, up_is_good)

    def rate_change(now: float | None, then: float | None) -> tuple[str, str]:
        if now is None or then is None:
            return "", "same"
        points = (now - then) * 100
        return f"{points:+.1f} pp", _tone(round(points, 1), True)

    def time_change(now: float | None, then: float | None) -> tuple[str, str]:
        if now is None or then is None:
            return "", "same"
        diff = now - then
        return ("+" if diff >= 0 else "") + format_duration(diff), "same"

    p = previous
    rows = [
        (
            "Total calls",
            format_count(current.total_calls),
            count_change(current.total_calls, p and p.total_calls, None),
        ),
        ("Inbound", format_count(current.inbound), count_change(current.inbound, p and p.inbound, None)),
        ("Outbound", format_count(current.outbound), count_change(current.outbound, p and p.outbound, None)),
        (
            "Connected",
            format_percent(current.connected_rate, 0),
            rate_change(current.connected_rate, p and p.connected_rate),
        ),
        (
            "Success rate",
            format_percent(current.success_rate, 0),
            rate_change(current.success_rate, p and p.success_rate),
        ),
        (
            "Median talk time",
            format_duration(current.median_talk_s),
            time_change(current.median_talk_s, p and p.median_talk_s),
        ),
        (
            "Total talk time",
            format_total_duration(current.total_talk_s),
            time_change(current.total_talk_s, p and p.total_talk_s),
        ),
    ]
    return [HeadlineRow(label, value, change, tone) for label, value, (change, tone) in rows]


def completeness_lines(all_calls: pd.DataFrame, filters: CallFilters, *, api_total: int, cleaned: int) -> list[str]:
    """What the figures leave out, so none does so silently: calls not loaded, test calls, impossible
    values cleaned, calls without a time.

    Integration note: h9a builds the Overview's data-completeness line; one function should serve both.
    """
    loaded = len(all_calls)
    lines = [
        f"{format_count(loaded)} calls loaded of the {format_count(api_total)} the API reports."
        if api_total != loaded
        else f"All {format_count(loaded)} calls the API reports were loaded."
    ]
    tests = int(all_calls["isTest"].to_numpy(dtype=bool).sum())
    if tests and not filters.include_tests:
        lines.append(f"Test calls left out: {format_count(tests)}.")
    if cleaned:
        lines.append(f"Impossible values from the API treated as missing: {format_count(cleaned)}.")
    timeless = int(all_calls["createdAt"].isna().sum())
    if timeless:
        where = "in no period" if filters.start or filters.end else "left out of the time charts"
        lines.append(f"Calls without a time ({where}): {format_count(timeless)}.")
    return lines


def report_figures(df: pd.DataFrame, tz: str) -> list[go.Figure]:
    """The report's charts, the Overview's own: dispositions, calls per day, hour of week, outcome funnel."""
    return [
        charts.disposition_chart(df),
        charts.calls_over_time_chart(df, tz),
        charts.hour_of_week_chart(hour_of_week(df, tz), "calls", tz),
        charts.outcome_funnel_chart(df),
    ]


def build_report(
    all_calls: pd.DataFrame,
    filters: CallFilters,
    *,
    customer_id: str,
    first_day: date | None,
    generated_at: datetime,
    attention: Sequence[str] | None,
    completeness: Sequence[str] = (),
) -> bytes:
    """The whole report for the calls passing `filters`, compared with the previous period where possible.
    `generated_at` is in the viewer's zone (its date is "today").

    `attention` holds the Needs attention lines, worst first (computed by the caller); None when they were
    not computed. `completeness` holds lines saying what the figures leave out.
    """
    periods = report_periods(all_calls, filters, first_day, generated_at.date())
    narrowed = filter_summary(filters)
    scope = [f"Only calls matching: {'; '.join(narrowed)}."] if narrowed else []
    current = overview_figures(periods.current)
    previous = None if periods.previous is None else overview_figures(periods.previous)
    return render_report(
        customer_id=customer_id,
        periods=periods,
        headline=headline_rows(current, previous),
        attention=attention,
        completeness=[*scope, *completeness],
        figures=report_figures(periods.current, filters.tz),
        generated_at=generated_at,
    )


def render_report(
    *,
    customer_id: str,
    periods: ReportPeriods,
    headline: Sequence[HeadlineRow],
    attention: Sequence[str] | None,
    completeness: Sequence[str],
    figures: Sequence[go.Figure],
    generated_at: datetime,
) -> bytes:
    """The HTML document as UTF-8 bytes: headline table, Needs attention, then the charts."""
    e = _escape
    compared = " ".join(
        part
        for part in (
            f"Changes against {e(periods.previous_label)}." if periods.previous_label else "",
            e(periods.why_no_previous or ""),
        )
        if part
    )
    rows = "".join(
        f"<tr><th>{e(r.label)}</th><td class=num>{e(r.value)}</td><td class='num {r.tone}'>{e(r.change)}</td></tr>"
        for r in headline
    )
    if attention is None:
        attention_html = f"<p class=note>{e(ATTENTION_NOT_COMPUTED)}</p>"
    elif not attention:
        attention_html = "<p>Nothing moved enough to need attention.</p>"
    else:
        attention_html = "<ul class=attention>" + "".join(f"<li>{e(line)}</li>" for line in attention) + "</ul>"
    notes = "".join(f"<p class=note>{e(line)}</p>" for line in completeness)
    chart_html = "".join(
        figure.to_html(
            full_html=False, include_plotlyjs=(i == 0), config=_PLOTLY_CONFIG, default_width="100%", validate=False
        )
        for i, figure in enumerate(figures)
    )
    document = (
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width, initial-scale=1'>"
        f"<title>CareCycle calls report: {e(periods.current_label)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>CareCycle calls report</h1><p class=sub>Customer {e(customer_id)} · {e(periods.current_label)} · "
        f"generated {e(f'{generated_at:%Y-%m-%d %H:%M %Z}'.strip())}</p>"
        f"<h2>Headline figures</h2><p class=note>{compared}</p><table>{rows}</table>{notes}"
        f"<h2>Needs attention</h2>{attention_html}"
        f"<h2>Charts</h2>{chart_html}"
        "</body></html>"
    )
    return document.encode("utf-8")


def _escape(text: object) -> str:
    return html.escape(str(text), quote=True)


def _tone(change: float, up_is_good: bool | None) -> str:
    if up_is_good is None or change == 0:
        return "same"
    return "good" if (change > 0) == up_is_good else "bad"
