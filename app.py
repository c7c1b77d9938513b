"""Entry point: tab title and sign-in, navigation, the shared sidebar and data; then the chosen page draws."""

import streamlit as st

from carecycle_dash.ui.sidebar import SCREENS
from carecycle_dash.ui.view import configure_page, prepare_view

configure_page()
navigation = st.navigation(
    [st.Page(s.path, title=s.title, icon=s.icon, url_path=s.url_path, default=s.default) for s in SCREENS],
    position="hidden",  # the sidebar draws its own links, which carry the view along
)
prepare_view()
navigation.run()
