"""Entry point: page set-up and navigation. Each page in pages/ draws one screen."""

import streamlit as st

st.set_page_config(page_title="CareCycle Calls", page_icon="📞", layout="wide")

navigation = st.navigation(
    [
        st.Page("pages/overview.py", title="Overview", icon="📊", url_path="", default=True),
        st.Page("pages/calls.py", title="Calls", icon="📋", url_path="calls"),
        st.Page("pages/call.py", title="Call detail", icon="🎧", url_path="call"),
    ]
)
navigation.run()
