"""The Review screen: the customer's reviews as a table (each row opens its call), filtered by `state` and
`reason` in the address, with their counts and a CSV download; below, **Suggested**: calls the app already
points at that nobody has reviewed yet."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Final

import pandas as pd
import streamlit as st

from carecycle_dash.data.formatting import format_count
from carecycle_dash.data.reviews import (
    REASON_CHOICES,
    STATE_FILTERS,
    TABLE_COLUMNS,
    as_reasons,
    as_state,
    counts_line,
    filter_reviews,
    review_table,
    suggested,
)
from carecycle_dash.output.export import calls_to_csv_bytes
from carecycle_dash.store.reviews import Review
from carecycle_dash.text.logs import AUDIT_LOGGER
from carecycle_dash.text.safety import escape_markdown
from carecycle_dash.ui import navigation
from carecycle_dash.ui.auth import viewer_name
from carecycle_dash.ui.callers import breaches
from carecycle_dash.ui.review_form import reviews_or_why
from carecycle_dash.ui.state import keep, kept, set_kept
from carecycle_dash.ui.view import View, open_page

audit = logging.getLogger(AUDIT_LOGGER)
SUGGESTED_SHOWN: Final = 25
_STATE_KEY: Final = "review_state"
_REASON_KEY: Final = "review_reasons"
STATE_LABELS: Final = {"open": "Open", "handled": "Handled", "all": "All"}
COLUMN_CONFIG: Final = {
    "Call time": st.column_config.DatetimeColumn("Call time", format="YYYY-MM-DD HH:mm", help="In your time zone"),
    "Note": st.column_config.TextColumn("Note", help="The start of the note; open the call to read all of it"),
}


def show() -> None:
    view = open_page("Review")
    reviews, why_not = reviews_or_why(view)
    if reviews is None:
        st.info(why_not)
        st.stop()
    state, reasons = _chosen_filters()
    st.caption(counts_line(reviews, datetime.now(UTC)))
    shown = filter_reviews(reviews, state, reasons)
    shown_versions = tuple((review.call_id, review.version) for review in shown)
    table = view.derived(
        "review table", lambda: review_table(shown, view.all_calls, view.tz, masked=view.privacy.masked), shown_versions
    )
    if table.empty:
        st.info("No review matches. Flag a call on its page, or choose another state or reason.")
    else:
        csv_download(view, table)
        picked = reviews_table(table)
        if picked:
            navigation.go_to(navigation.CALL, view.link_params(call_id=picked))
    suggested_section(view, reviews)


def _chosen_filters() -> tuple[str, list[str]]:
    """`state` and `reason` from the address when it has them (one line for a value that names none), else
    as chosen before in this session; the widgets write them back to the address."""
    given_state = st.query_params.get(navigation.REVIEW_STATE_PARAM)
    given_reasons = st.query_params.get_all(navigation.REVIEW_REASON_PARAM)
    state, state_warning = as_state(given_state)
    reasons, reason_warning = as_reasons(given_reasons)
    for warning in (state_warning, reason_warning):
        if warning:
            st.warning(warning)
    if given_state is not None:
        set_kept(_STATE_KEY, state)
    if given_reasons:
        set_kept(_REASON_KEY, reasons)
    left, right = st.columns([1, 2])
    chosen_state = left.segmented_control(
        "Show",
        STATE_FILTERS,
        format_func=STATE_LABELS.__getitem__,
        key=kept(_STATE_KEY, state),
        on_change=_filters_chosen,
    )
    chosen_reasons = right.multiselect(
        "Reason", REASON_CHOICES, key=kept(_REASON_KEY, reasons), on_change=_filters_chosen, placeholder="Any reason"
    )
    state = chosen_state or "open"
    _write_address(state, chosen_reasons)
    return state, list(chosen_reasons)


def _filters_chosen() -> None:
    keep(_STATE_KEY)
    keep(_REASON_KEY)
    _write_address(st.session_state[_STATE_KEY] or "open", st.session_state[_REASON_KEY])


def _write_address(state: str, reasons: list[str]) -> None:
    navigation.set_param(navigation.REVIEW_STATE_PARAM, "" if state == "open" else state)
    navigation.set_param(navigation.REVIEW_REASON_PARAM, list(reasons))


def reviews_table(table: pd.DataFrame) -> str | None:
    """The reviews shown; the ID of the call whose row the person picked."""
    event = st.dataframe(
        table,
        hide_index=True,
        column_order=TABLE_COLUMNS,
        column_config=COLUMN_CONFIG,
        on_select="rerun",
        selection_mode="single-row",
        key="reviews_table",
    )
    picked = event.selection.rows
    return str(table["id"].iloc[picked[0]]) if picked else None


def csv_download(view: View, table: pd.DataFrame) -> None:
    """The reviews shown as CSV (notes as shown: shortened, masked for a masked viewer), formula-guarded."""
    customer, who = view.inputs.customer_id, viewer_name()
    columns = (*TABLE_COLUMNS, "Call ID")

    def build() -> bytes:
        shown = table.rename(columns={"id": "Call ID"}).assign(
            **{"Call time": table["Call time"].dt.strftime("%Y-%m-%d %H:%M")}
        )
        audit.info("review csv download: user=%s customer=%s rows=%d", who, customer, len(shown))
        return calls_to_csv_bytes(shown.fillna("").to_dict("records"), columns)

    st.download_button(
        f"Download {format_count(len(table))} reviews as CSV",
        icon=":material/download:",
        data=build,
        file_name=f"carecycle-reviews-{customer}-{datetime.now(UTC):%Y-%m-%d}.csv",
        mime="text/csv",
        on_click="ignore",
        key="reviews_csv_download",
    )


def suggested_section(view: View, reviews: list[Review]) -> None:
    """**Suggested**: calls in the period that were made after Do Not Call, asked for a human or ended in a
    Pipeline Error, without a review; the newest first, each linking to its call."""
    st.subheader("Suggested")
    reviewed = frozenset(review.call_id for review in reviews)
    found = view.derived("review suggestions", lambda: suggested(view.filtered, breaches(view), reviewed), reviewed)
    if found.rows.empty:
        st.caption(
            "No call in this view was made after Do Not Call, asked for a human or hit a Pipeline Error "
            "without a review."
        )
        return
    calls = view.all_calls
    for row in found.rows[:SUGGESTED_SHOWN]:
        when = calls.at[row, "createdAt"]
        parts = [
            pd.Timestamp(when).tz_convert(view.tz).strftime("%Y-%m-%d %H:%M") if pd.notna(when) else "time unknown",
            found.why.at[row],
            str(calls.at[row, "disposition"]) if pd.notna(calls.at[row, "disposition"]) else "No disposition",
        ]
        navigation.link(
            navigation.CALL,
            view.link_params(call_id=str(calls.at[row, "id"])),
            label=escape_markdown(" · ".join(parts)),
            icon=":material/flag:",
        )
    if len(found.rows) > SUGGESTED_SHOWN:
        st.caption(f"The {SUGGESTED_SHOWN} newest of {format_count(len(found.rows))} suggested calls.")
