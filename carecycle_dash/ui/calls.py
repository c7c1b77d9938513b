"""The Calls screen: the filtered calls as a table (narrowed by transcript signals if asked, which the address
carries) with the columns the person chose this session; choosing a row opens that call; the view downloads as
CSV with the table's columns and headers; a search shows how often calls mention it, week by week."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import streamlit as st

from carecycle_dash.data.filters import filter_mask
from carecycle_dash.data.formatting import ID_MAX_CHARS, plural
from carecycle_dash.data.signals import SIGNAL_BY_LABEL, SIGNAL_BY_PARAM, SIGNALS, mentions_per_week, signals_named
from carecycle_dash.data.table import DEFAULT_COLUMNS, TABLE_COLUMNS, csv_records, shown_columns
from carecycle_dash.output import time_charts
from carecycle_dash.output.export import calls_to_csv_bytes
from carecycle_dash.text.logs import AUDIT_LOGGER
from carecycle_dash.ui import navigation
from carecycle_dash.ui.auth import viewer_name
from carecycle_dash.ui.privacy import RECORDINGS_WITHHELD
from carecycle_dash.ui.review_form import with_review_column
from carecycle_dash.ui.state import keep, kept, set_kept
from carecycle_dash.ui.view import View, open_page
from carecycle_dash.ui.widgets import in_words, no_match, scope_caption

audit = logging.getLogger(AUDIT_LOGGER)

_SHORTENED = (
    f"IDs longer than {ID_MAX_CHARS} characters show their first 8 and …; the whole value is in the column "
    "{whole} (choose it under Columns), on the call's page and in the CSV download."
)
COLUMN_CONFIG = {
    "Time": st.column_config.DatetimeColumn("Time", format="YYYY-MM-DD HH:mm", help="In your time zone"),
    "Disposition": st.column_config.TextColumn("Disposition"),
    "Direction": st.column_config.TextColumn("Direction", width="small"),
    "Duration": st.column_config.TextColumn("Duration", width="small", help="Talk time, m:ss"),
    "Caller": st.column_config.TextColumn("Caller"),
    "Campaign": st.column_config.TextColumn("Campaign", width="small", help=_SHORTENED.format(whole="Campaign ID")),
    "Campaign ID": st.column_config.TextColumn("Campaign ID"),
    "Assistant": st.column_config.TextColumn(
        "Assistant", width="small", help=_SHORTENED.format(whole="Assistant type")
    ),
    "Assistant type": st.column_config.TextColumn("Assistant type"),
    "Source": st.column_config.TextColumn("Source"),
    "Success": st.column_config.TextColumn("Success", width="small", help="Parsed from the success evaluation"),
    "Evaluation": st.column_config.TextColumn("Evaluation", help="The success evaluation as the API sent it"),
    "Turns": st.column_config.NumberColumn(
        "Turns", format="%d", width="small", help="AI and caller turns in the transcript"
    ),
    "Caller words": st.column_config.ProgressColumn(
        "Caller words", format="percent", min_value=0.0, max_value=1.0, help="The caller's share of the words said"
    ),
    **{
        column: st.column_config.CheckboxColumn(column, help=signal.help)
        for column, signal in zip(("Asked for human", "Early hang-up", "AI repeated"), SIGNALS, strict=True)
    },
    "Recording": st.column_config.LinkColumn(
        "Recording", display_text="Listen", width="small", help="Opens the recording"
    ),
    "Test": st.column_config.CheckboxColumn("Test", help="Test call or test number"),
}


def show() -> None:
    view = open_page("Calls")
    scope_caption(view)
    if view.filtered.empty:
        no_match()
        st.stop()

    keyword_trend(view)
    rows = with_signals(view)
    if rows.empty:
        st.info("No call in this view shows every conversation signal chosen.")
        st.stop()
    columns = chosen_columns(view)
    csv_download(view, rows, columns)
    chosen_call_id = calls_table(view, rows, columns)
    if chosen_call_id:
        signals = _params(st.session_state.get(_SIGNALS_KEY))
        narrowed = {navigation.SIGNAL_PARAM: signals} if signals else {}
        navigation.go_to(navigation.CALL, view.link_params(call_id=chosen_call_id, **narrowed))


_SIGNALS_KEY = "call_signals"
_COLUMNS_KEY = "calls_columns"


def chosen_columns(view: View) -> tuple[str, ...]:
    """The table's columns as the person chose them this session (the default ones to start with), in the
    table's order; never the recordings for a masked viewer."""
    available = tuple(column for column in TABLE_COLUMNS if not (view.privacy.masked and column == "Recording"))
    chosen = st.multiselect(
        "Columns",
        available,
        key=kept(_COLUMNS_KEY, list(DEFAULT_COLUMNS)),
        on_change=keep,
        args=(_COLUMNS_KEY,),
        help="The columns of the table and of its CSV download; kept while this session lasts. "
        "Clear them all to go back to the default ones.",
    )
    return shown_columns(chosen, available)


def with_signals(view: View) -> pd.Index:
    """The filtered calls, in the sidebar's sort order, that show every transcript signal the person picks
    above the table.

    Signals in the address (a shared link, the Overview's) are the choice; an address without any (the
    sidebar's links) keeps the one made before in this session, and the address then shows it."""
    adopt_signals()
    chosen = st.pills(
        "Conversation signals",
        [signal.label for signal in SIGNALS],
        selection_mode="multi",
        key=kept(_SIGNALS_KEY, []),
        on_change=_signals_chosen,
        help="Read from the transcript without any model: keep only calls that show every signal chosen.",
    )
    navigation.set_param(navigation.SIGNAL_PARAM, _params(chosen))
    return view.rows_showing(chosen or [])


def adopt_signals() -> None:
    """Take the address's signals as the choice; one line when it names one that does not exist."""
    given = st.query_params.get_all(navigation.SIGNAL_PARAM)
    if not given:
        return
    known, unknown = signals_named(given)
    if unknown:
        names = ", ".join(SIGNAL_BY_PARAM)
        st.warning(f"The link names a conversation signal that is not one of {names}; it is left out.")
    set_kept(_SIGNALS_KEY, [signal.label for signal in known])


def _signals_chosen() -> None:
    keep(_SIGNALS_KEY)
    navigation.set_param(navigation.SIGNAL_PARAM, _params(st.session_state[_SIGNALS_KEY]))


def _params(labels: list[str] | None) -> list[str]:
    return [SIGNAL_BY_LABEL[label].param for label in labels or []]


def keyword_trend(view: View) -> None:
    """While a search is active: calls per week that mention the search text, among calls passing the
    other filters."""
    needle = view.filters.text.strip()
    if not needle:
        return
    scope = filter_mask(view.all_calls, replace(view.filters, text=""))
    mentioning = np.zeros(len(view.all_calls), dtype=bool)
    mentioning[view.filtered.index.to_numpy()] = True
    weekly = mentions_per_week(view.all_calls["createdAt"][scope], mentioning[scope], view.tz)
    figure = time_charts.mentions_chart(weekly, needle)
    st.plotly_chart(figure, key="mentions_per_week")
    in_words(st.container(), figure)


def calls_table(view: View, rows: pd.Index, columns: tuple[str, ...]) -> str | None:
    """Draw these calls in this order (the sidebar's) with these columns, missing values as blank cells;
    return the id of the call the person picked."""
    table = view.loaded.table(view.tz).loc[rows]
    if view.privacy.masked:
        st.caption(RECORDINGS_WITHHELD)
    table, columns = with_review_column(view, table, columns)
    event = st.dataframe(
        table,
        hide_index=True,
        column_order=columns,
        column_config=COLUMN_CONFIG,
        placeholder="",
        on_select="rerun",
        selection_mode="single-row",
        key="calls_table",
        height=560,
    )
    picked = event.selection.rows
    if not picked:
        return None
    call_id = table["id"].iloc[picked[0]]
    if pd.isna(call_id) or not str(call_id).strip():
        st.warning("The API sent this call without an ID, so it cannot be opened on its own page.")
        return None
    return str(call_id)


def csv_download(view: View, shown: pd.Index, columns: tuple[str, ...]) -> None:
    """A download of the calls shown with the table's columns and headers in its order, formula-guarded, built
    only on click; masked exactly as the screen is for a masked viewer (the View holds masked calls only)."""
    rows = shown
    held, tz = view.held_for_download(), view.tz
    customer = view.inputs.customer_id
    who = viewer_name()
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    masked = "yes" if view.privacy.masked else "no"

    def build() -> bytes:
        data = calls_to_csv_bytes(csv_records(held().table(tz).loc[rows], columns), columns)
        audit.info("csv download: user=%s customer=%s rows=%d masked=%s", who, customer, len(rows), masked)
        return data

    st.download_button(
        f"Download {plural(len(rows), 'call')} as CSV",
        icon=":material/download:",
        data=build,
        file_name=f"carecycle-calls-{customer}-{stamp}{'-masked' if view.privacy.masked else ''}.csv",
        mime="text/csv",
        on_click="ignore",
        key="csv_download",
    )
