"""Overview: headline figures, then how calls ended, how long they took, and when they happened."""

import streamlit as st

from carecycle_dash import charts
from carecycle_dash.metrics import overview_figures
from carecycle_dash.ui.view import open_page
from carecycle_dash.ui.widgets import headline_figures, no_match, scope_caption

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
