"""Entry point: tab title and sign-in, navigation, the shared sidebar and data; then the chosen page draws."""

import streamlit as st

from carecycle_dash.ui.view import configure_page, prepare_view

configure_page()
navigation = st.navigation(
    [
        st.Page("pages/overview.py", title="Overview", icon=":material/insights:", url_path="", default=True),
        st.Page("pages/calls.py", title="Calls", icon=":material/table_rows:", url_path="calls"),
        st.Page("pages/call.py", title="Call detail", icon=":material/headphones:", url_path="call"),
    ],
    position="hidden",  # the sidebar draws its own links, which carry the view along
)
prepare_view()
navigation.run()
