"""While a customer's first load runs: what its pages so far show, redrawn about once a second.

The figures are those of the newest calls, marked "Partial: X of Y calls loaded"; they carry no change and
raise no Needs attention line, since a period cut short by the load would compare wrongly. The previous
customer's page is cleared the moment another customer starts loading, instead of staying on screen, greyed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Final

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from carecycle_dash.data.filters import CallFilters, apply_filters
from carecycle_dash.data.headline import headline
from carecycle_dash.data.metrics import overview_figures
from carecycle_dash.data.partial import GrowingCalls, PartialCalls
from carecycle_dash.output import time_charts

REDRAW_S: Final = 1.0
WAITING: Final = "Waiting for the API's first page…"
_HIDE_STALE: Final = """<style>
[data-testid='stMain'] [data-testid='stVerticalBlock'] > :not([data-stale='false']):not(:has([data-stale='false'])),
[data-testid='stSidebarUserContent'] [data-testid='stVerticalBlock']
  > :not([data-stale='false']):not(:has([data-stale='false'])) { display: none; }
</style>"""
"""Hides what the previous run drew and this one has not drawn again (Streamlit marks it `data-stale` and keeps
it on screen, greyed, until the run ends): every element, and every block holding no element of this run."""


def clear_stale_page() -> None:
    """Hide the previous page, in the main area and the sidebar, for as long as the element drawn here stays:
    draw it in the place the wait empties when it ends."""
    st.html(_HIDE_STALE)


class PartialPreview:
    """The wait's `on_preview`: draws into `slot` the figures of the calls so far, at most every REDRAW_S."""

    def __init__(self, slot: DeltaGenerator, tz: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.slot = slot
        self.tz = tz
        self.clock = clock
        self.drawn_at = -REDRAW_S
        self.shown = 0
        self.redraws = 0

    def __call__(self, growing: GrowingCalls) -> None:
        now = self.clock()
        if now - self.drawn_at < REDRAW_S:
            return
        self.drawn_at = now
        partial = growing.now()
        if partial is None or partial.count == self.shown:
            return
        self.shown = partial.count
        self.redraws += 1
        with self.slot.container():
            draw_partial(partial, self.tz, f"partial_calls_per_day_{self.redraws}")


def draw_partial(partial: PartialCalls, tz: str, chart_key: str) -> None:
    """The caption, the headline figures without changes, and calls per day: of the calls loaded so far."""
    st.caption(partial.caption())
    shown = apply_filters(partial.frame.df, CallFilters(), keep_text=False)
    for row in headline(overview_figures(shown), {}, show_tests=False):
        for where, figure in zip(st.columns(len(row)), row, strict=True):
            where.metric(figure.label, figure.value, help=figure.help)
    st.plotly_chart(time_charts.calls_over_time_chart(shown, tz), key=chart_key)
