"""Entry point: tab title and sign-in, navigation, the shared sidebar and data; then the chosen page draws."""

import streamlit as st

from carecycle_dash.ui.navigation import streamlit_pages
from carecycle_dash.ui.view import configure_page, prepare_view

configure_page()
# The sidebar draws its own links, which carry the view along.
navigation = st.navigation(streamlit_pages(), position="hidden")
prepare_view()
navigation.run()
