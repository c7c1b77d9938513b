"""The parts of the call detail page: which call, its header, neighbours, recordings and fields."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from carecycle_dash.contract import CALL_FIELDS
from carecycle_dash.metrics import format_duration
from carecycle_dash.safety import escape_markdown
from carecycle_dash.ui.view import View
from carecycle_dash.ui.widgets import recording


@dataclass(frozen=True)
class ChosenCall:
    row: int
    raw: dict[str, Any]
    typed: pd.Series

    def get(self, field: str) -> Any:
        return self.raw.get(field)


def chosen_call(view: View) -> ChosenCall | None:
    """The call named by `call_id` in the address; says what to do when there is none."""
    call_id = st.query_params.get("call_id")
    if not call_id:
        st.info("Choose a call on the Calls page to read its transcript and listen to it.")
        st.page_link(
            "pages/calls.py", label="Go to the calls", icon=":material/table_rows:", query_params=view.link_params()
        )
        return None
    row = view.loaded.row_of(call_id)
    if row is None:
        st.warning("This customer has no call with that ID. It may have been deleted, or the link is incomplete.")
        st.page_link(
            "pages/calls.py", label="Go to the calls", icon=":material/table_rows:", query_params=view.link_params()
        )
        return None
    return ChosenCall(row, view.loaded.result.calls[row], view.all_calls.loc[row])


def call_header(call: ChosenCall) -> None:
    typed = call.typed
    when = typed["createdAt"]
    parts = [
        str(typed["disposition"]) if pd.notna(typed["disposition"]) else "No disposition",
        when.strftime("%Y-%m-%d %H:%M UTC") if pd.notna(when) else "time unknown",
        format_duration(None if pd.isna(typed["durationS"]) else float(typed["durationS"])),
        str(typed["direction"]) if pd.notna(typed["direction"]) else "direction unknown",
    ]
    st.subheader(escape_markdown(" · ".join(parts)))
    if bool(typed["isTest"]):
        st.caption("Test call")


def _go_to(call_id: str) -> None:
    st.query_params["call_id"] = call_id


def neighbours(view: View, call: ChosenCall) -> None:
    """Previous and next call in the table's order (the filtered view when the call is in it)."""
    order = view.filtered.index if call.row in view.filtered.index else view.all_calls.index
    position = order.get_loc(call.row)
    ids = view.all_calls["id"]
    before = str(ids.loc[order[position - 1]]) if position > 0 else None
    after = str(ids.loc[order[position + 1]]) if position + 1 < len(order) else None
    left, middle, right = st.columns([1, 2, 1])
    left.button("← Previous call", disabled=before is None, on_click=_go_to, args=(before,), key="previous_call")
    middle.caption(f"Call {position + 1:,} of {len(order):,} in the table's order")
    right.button("Next call →", disabled=after is None, on_click=_go_to, args=(after,), key="next_call")


def summary_and_evaluation(call: ChosenCall) -> None:
    st.subheader("Summary")
    st.text(call.get("summary") or "No summary.")
    st.subheader("Success evaluation")
    raw = call.get("successEvaluation")
    verdict = call.typed["success"]
    label = "not evaluated" if pd.isna(verdict) else ("success" if bool(verdict) else "not a success")
    st.text(f"{label} (as sent: {raw!s})" if raw not in (None, "") else label)


def recordings(view: View, call: ChosenCall) -> None:
    st.subheader("Recordings")
    main = call.get("mainRecordingUrl") or call.get("recordingUrl")
    recording("Recording", main, fetch_loopback=view.settings.is_demo)
    other = call.get("recordingUrl")
    if other and other != main:
        recording("Recording (original)", other, fetch_loopback=view.settings.is_demo)
    recording(
        "Stereo recording (AI left, caller right)", call.get("stereoRecordingUrl"), fetch_loopback=view.settings.is_demo
    )


def _as_text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def call_metadata(call: ChosenCall) -> None:
    """Every field the API sent, known ones first, as plain text cells."""
    st.subheader("All fields")
    fields = [*CALL_FIELDS, *(name for name in call.raw if name not in CALL_FIELDS)]
    rows = [
        {"Field": name, "Value": _as_text(call.raw.get(name))}
        for name in fields
        if name not in ("transcript", "summary")
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="call_fields")
