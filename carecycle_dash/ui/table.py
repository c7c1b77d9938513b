"""The calls table widget: display columns, formats, and single-row selection."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from carecycle_dash.table import TABLE_COLUMNS
from carecycle_dash.ui.view import View

COLUMN_CONFIG = {
    "Time": st.column_config.DatetimeColumn("Time", format="YYYY-MM-DD HH:mm", help="In your time zone"),
    "Duration": st.column_config.TextColumn("Duration", help="Talk time, m:ss"),
    "Caller": st.column_config.TextColumn("Caller"),
    "Campaign": st.column_config.TextColumn("Campaign", width="small"),
    "Success": st.column_config.TextColumn("Success", help="Parsed from the success evaluation"),
    "Evaluation": st.column_config.TextColumn("Evaluation", help="The success evaluation as the API sent it"),
    "Recording": st.column_config.LinkColumn("Recording", display_text="Listen", help="Opens the recording"),
    "Test": st.column_config.CheckboxColumn("Test", help="Test call or test number"),
}


def calls_table(view: View) -> str | None:
    """Draw the filtered calls in the API's order; return the id of the call the person picked."""
    table = view.loaded.table(view.tz).loc[view.filtered.index]
    event = st.dataframe(
        table,
        hide_index=True,
        column_order=TABLE_COLUMNS,
        column_config=COLUMN_CONFIG,
        on_select="rerun",
        selection_mode="single-row",
        key="calls_table",
        height=560,
    )
    rows = event.selection.rows
    if not rows:
        return None
    call_id = table["id"].iloc[rows[0]]
    if pd.isna(call_id) or not str(call_id).strip():
        st.warning("The API sent this call without an ID, so it cannot be opened on its own page.")
        return None
    return str(call_id)
