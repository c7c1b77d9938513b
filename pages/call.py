"""Call detail: what was said and how it sounded, with every field the API sent, and the calls around it."""

import streamlit as st

from carecycle_dash.ui.call_detail import (
    call_header,
    call_metadata,
    chosen_call,
    neighbours,
    recordings,
    summary_and_evaluation,
)
from carecycle_dash.ui.view import open_page
from carecycle_dash.ui.widgets import transcript

view = open_page("Call detail")
call = chosen_call(view)
if call is None:
    st.stop()

call_header(call)
neighbours(view, call)
left, right = st.columns([3, 2])
with left:
    st.subheader("Transcript")
    transcript(call.get("transcript"))
with right:
    summary_and_evaluation(call)
    recordings(view, call)
    call_metadata(call)
