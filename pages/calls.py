"""Calls: the filtered calls as a table; choosing a row opens that call; the view downloads as CSV."""

import streamlit as st

from carecycle_dash.ui.table import calls_table
from carecycle_dash.ui.view import open_page
from carecycle_dash.ui.widgets import csv_download, no_match, scope_caption

view = open_page("Calls")
scope_caption(view)
if view.filtered.empty:
    no_match()
    st.stop()

csv_download(view)
chosen_call_id = calls_table(view)
if chosen_call_id:
    st.switch_page("pages/call.py", query_params=view.link_params(call_id=chosen_call_id))
