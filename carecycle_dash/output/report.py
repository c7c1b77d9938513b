"""The weekly report: one self-contained HTML file a manager can open offline or get by mail.

Pure (no network, no Streamlit): it takes the loaded calls and the filters of the view and returns bytes.
The `report` command and the Overview's download share it, and its figures come from the same functions
as the Overview's. plotly.js is inlined once (so opening the file makes no request); every string that
came from the API is HTML-escaped, and the charts escape theirs as they always do.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date, datetime
from typing import Final

import pandas as pd
import plotly.graph_objects as go

from carecycle_dash.data.attention import RULES, Attention, attention_for
from carecycle_dash.data.callers import compliance_scope, do_not_call_breaches, do_not_call_line
from carecycle_dash.data.completeness import Completeness
from carecycle_dash.data.filters import CallFilters, apply_filters
from carecycle_dash.data.headline import Headline, headline
from carecycle_dash.data.metrics import overview_figures
from carecycle_dash.data.patterns import WEEKDAYS, hour_of_week
from carecycle_dash.data.periods import Period, changes_since, chosen_period, headline_comparison
from carecycle_dash.output import charts, heatmap, time_charts

NO_RANGE: Final = (
    "No changes shown: the report covers every loaded call; give a period to compare it with the one before."
)
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


def period_label(period: Period | None, tz: str) -> str:
    """ "21–27 Nov 2026 (America/New_York)", or that no call has a time."""
    return f"{period.label} ({tz})" if period is not None else f"no calls with a time ({tz})"


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


def report_figures(df: pd.DataFrame, tz: str) -> list[go.Figure]:
    """The report's charts, the Overview's own: dispositions, calls per day, hour of week, outcome funnel."""
    return [
        charts.disposition_chart(df),
        time_charts.calls_over_time_chart(df, tz),
        heatmap.hour_of_week_chart(hour_of_week(df, tz), "calls", tz),
        charts.outcome_funnel_chart(df),
    ]


def build_report(
    all_calls: pd.DataFrame,
    filters: CallFilters,
    *,
    customer_id: str,
    first_day: date | None,
    last_day: date | None,
    generated_at: datetime,
    completeness: Completeness,
) -> bytes:
    """The whole report for the calls passing `filters` among every loaded call (`all_calls`): the
    Overview's headline figures, changes and Needs attention, from the same functions. `first_day` and
    `last_day` are the local days of the earliest and latest call; `generated_at` is in the viewer's zone
    (its date is "today")."""
    today = generated_at.date()
    current = apply_filters(all_calls, filters, keep_text=False)
    figures = overview_figures(current)
    comparison = headline_comparison(filters, first_day, last_day, today)
    changes = changes_since(all_calls, filters, comparison, figures)
    narrowed = filter_summary(filters)
    scope = [f"Only calls matching: {'; '.join(narrowed)}."] if narrowed else []
    volume, quality = headline(figures, changes, show_tests=filters.include_tests)
    return render_report(
        customer_id=customer_id,
        period=period_label(chosen_period(filters, first_day, last_day), filters.tz),
        compared=comparison.caption() if comparison else NO_RANGE,
        headline=[*volume, *quality],
        attention=attention_for(all_calls, filters, first_day, last_day, generated_at, filtered=current),
        standing=[
            line
            for line in [do_not_call_line(do_not_call_breaches(compliance_scope(all_calls, filters.include_tests)))]
            if line is not None
        ],
        notes=[*scope, completeness.text()],
        figures=report_figures(current, filters.tz),
        generated_at=generated_at,
    )


def render_report(
    *,
    customer_id: str,
    period: str,
    compared: str,
    headline: Sequence[Headline],
    attention: Attention,
    standing: Sequence[str],
    notes: Sequence[str],
    figures: Sequence[go.Figure],
    generated_at: datetime,
) -> bytes:
    """The HTML document as UTF-8 bytes: headline table, Needs attention (in the Overview's order: calls that
    stopped, the `standing` lines, what needs attention whatever the period, then what moved), then the
    charts."""
    e = _escape
    rows = "".join(
        f"<tr><th>{e(h.label)}</th><td class=num>{e(h.value)}</td>"
        f"<td class='num {h.tone}'>{e(h.change.text if h.change else '')}</td></tr>"
        for h in headline
    )
    quiet = [attention.silence.text] if attention.silence is not None else []
    lines = [*quiet, *standing, *(item.text for item in attention.items)]
    attention_html = (
        "<ul class=attention>" + "".join(f"<li>{e(line)}</li>" for line in lines) + "</ul>" if lines else ""
    )
    if (empty := attention.empty_line()) is not None:
        attention_html += f"<p>{e(empty)}</p>"
    if attention.comparison is not None and attention.comparison.comparable:
        attention_html += f"<p class=note>{e(attention.caption())} {e(RULES)}</p>"
    notes_html = "".join(f"<p class=note>{e(line)}</p>" for line in notes)
    chart_html = "".join(
        figure.to_html(
            full_html=False, include_plotlyjs=(i == 0), config=_PLOTLY_CONFIG, default_width="100%", validate=False
        )
        for i, figure in enumerate(figures)
    )
    document = (
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width, initial-scale=1'>"
        f"<title>CareCycle calls report: {e(period)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>CareCycle calls report</h1><p class=sub>Customer {e(customer_id)} · {e(period)} · "
        f"generated {e(f'{generated_at:%Y-%m-%d %H:%M %Z}'.strip())}</p>"
        f"<h2>Needs attention</h2>{attention_html}"
        f"<h2>Headline figures</h2><p class=note>{e(compared)}</p><table>{rows}</table>{notes_html}"
        f"<h2>Charts</h2>{chart_html}"
        "</body></html>"
    )
    return document.encode("utf-8")


def _escape(text: object) -> str:
    return html.escape(str(text), quote=True)
