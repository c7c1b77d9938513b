"""The Calls screen: the filtered calls as a table; choosing a row opens that call; the view downloads as CSV."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from carecycle_dash.api.logs import AUDIT_LOGGER
from carecycle_dash.data.formatting import format_count
from carecycle_dash.data.masking import calls_at
from carecycle_dash.data.table import TABLE_COLUMNS
from carecycle_dash.output.export import calls_to_csv_bytes
from carecycle_dash.ui import navigation
from carecycle_dash.ui.privacy import RECORDINGS_WITHHELD
from carecycle_dash.ui.view import View, open_page
from carecycle_dash.ui.widgets import no_match, scope_caption, viewer_name

audit = logging.getLogger(AUDIT_LOGGER)

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


def show() -> None:
    view = open_page("Calls")
    scope_caption(view)
    if view.filtered.empty:
        no_match()
        st.stop()

    csv_download(view)
    chosen_call_id = calls_table(view)
    if chosen_call_id:
        navigation.go_to(navigation.CALL, view.link_params(call_id=chosen_call_id))


def calls_table(view: View) -> str | None:
    """Draw the filtered calls in the API's order; return the id of the call the person picked."""
    table = view.loaded.table(view.tz).loc[view.filtered.index]
    columns = TABLE_COLUMNS
    if view.privacy.masked:
        columns = tuple(column for column in TABLE_COLUMNS if column != "Recording")
        st.caption(RECORDINGS_WITHHELD)
    event = st.dataframe(
        table,
        hide_index=True,
        column_order=columns,
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


def csv_download(view: View) -> None:
    """A download of the filtered calls with API field names, formula-guarded, built only on click; masked
    exactly as the screen is for a masked viewer (the View holds masked calls only)."""
    rows = list(view.filtered.index)
    calls = view.loaded.result.calls
    customer = view.inputs.customer_id
    who = viewer_name()
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    masked = "yes" if view.privacy.masked else "no"

    def build() -> bytes:
        data = calls_to_csv_bytes(calls_at(calls, rows))
        audit.info("csv download: user=%s customer=%s rows=%d masked=%s", who, customer, len(rows), masked)
        return data

    st.download_button(
        f"Download {format_count(len(rows))} calls as CSV",
        icon=":material/download:",
        data=build,
        file_name=f"carecycle-calls-{customer}-{stamp}{'-masked' if view.privacy.masked else ''}.csv",
        mime="text/csv",
        on_click="ignore",
        key="csv_download",
    )
