"""The Callers screen: the people behind the calls (repeat callers, callbacks after a failed call), numbers
called after asking not to be, numbers dialled too often; and with `caller=` in the address, one caller's
calls in time order.

Phone numbers stay on the server: the page shows them through `shown_number` (the whole number, or only its
last four digits for a masked viewer) and writes only opaque tokens into addresses (a number typed into the
address is accepted and replaced by its token; ui/view.py keeps it from a masked viewer, who follows tokens only).
"""

from __future__ import annotations

from typing import Final

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from carecycle_dash.data.callers import (
    DEFAULT_MAX_DIALS,
    caller_figures,
    caller_history,
    caller_label,
    caller_table,
    compliance_scope,
    dialled_too_often,
    do_not_call_breaches,
)
from carecycle_dash.data.formatting import MISSING_TEXT, format_count, format_duration, format_percent, plural
from carecycle_dash.text.safety import escape_markdown
from carecycle_dash.ui import navigation
from carecycle_dash.ui.state import keep, kept
from carecycle_dash.ui.view import View, open_page
from carecycle_dash.ui.widgets import no_match, scope_caption

DNC_HEADING: Final = "Called after Do Not Call"
MAX_BREACH_NUMBERS: Final = 25
MAX_CALLS_PER_BREACH: Final = 10
MAX_TIMELINE_CALLS: Final = 200
TABLE_CONFIG: Final = {
    "Caller": st.column_config.TextColumn("Caller"),
    "Calls": st.column_config.NumberColumn("Calls", format="%d"),
    "Inbound": st.column_config.NumberColumn("Inbound", format="%d"),
    "Outbound": st.column_config.NumberColumn("Outbound", format="%d"),
    "First call": st.column_config.DatetimeColumn("First call", format="YYYY-MM-DD HH:mm"),
    "Last call": st.column_config.DatetimeColumn("Last call", format="YYYY-MM-DD HH:mm"),
    "Last disposition": st.column_config.TextColumn("Last disposition"),
    "Any success": st.column_config.CheckboxColumn("Any success", help="At least one call was a success"),
}


def show() -> None:
    view = open_page("Callers")
    given = st.query_params.get(navigation.CALLER_PARAM)
    if given:
        timeline(view, given)
        return
    scope_caption(view)
    if view.filtered.empty:
        no_match()  # the compliance sections below read every loaded call, so they still show
    else:
        figures(view)
        chosen = callers_table(view)
        if chosen:
            open_caller(view, chosen)
    called_after_do_not_call(view)
    too_often(view)


def open_caller(view: View, number: str) -> None:
    navigation.go_to(navigation.CALLERS, caller_params(view, number))


def caller_params(view: View, number: str, **extra: str) -> dict[str, str]:
    """A view's link parameters naming a caller by token, never by number."""
    return view.link_params(**{navigation.CALLER_PARAM: view.loaded.callers().token(number)}, **extra)


def breaches(view: View) -> pd.DataFrame:
    """`do_not_call_breaches` of the compliance scope, computed once per dataset and test-call choice."""
    return view.loaded.callers().remember(
        ("breaches", view.filters.include_tests),
        lambda: do_not_call_breaches(compliance_scope(view.all_calls, view.filters.include_tests)),
    )


def figures(view: View) -> None:
    numbers = view.loaded.callers().remember(("figures", view.filters), lambda: caller_figures(view.filtered))
    row = st.columns(3)
    row[0].metric("Callers", format_count(numbers.callers), help="Distinct phone numbers in these calls")
    row[1].metric(
        "Repeat callers",
        format_percent(numbers.repeat_share, 0),
        help=f"{plural(numbers.repeat_callers, 'number')} with 2 or more calls",
    )
    row[2].metric(
        "Callback after an unsuccessful call",
        format_percent(numbers.callback_share, 0),
        help=f"{format_count(numbers.called_back)} of {format_count(numbers.unsuccessful_connected)} unsuccessful "
        "connected calls were followed by another call with the same number within 48 hours: the matter was "
        "likely not resolved",
    )


def callers_table(view: View) -> str | None:
    """One row per number in the view, most calls first; returns the number the person picked."""
    table = view.loaded.callers().remember(("table", view.filters), lambda: caller_table(view.filtered))
    if table.empty:
        st.info("None of these calls has a readable phone number.")
        return None
    st.caption("Choose a row to see that caller's calls. Sort by any column.")
    event = st.dataframe(
        shown_callers(view, table),
        hide_index=True,
        column_config=TABLE_CONFIG,
        on_select="rerun",
        selection_mode="single-row",
        key="callers_table",
        height=420,
        placeholder="",
    )
    rows = event.selection.rows
    return str(table.index[rows[0]]) if rows else None


def shown_number(view: View, number: str) -> str:
    """A caller's number as this viewer may see it: whole, or, for a masked viewer, the key the masked calls
    hold instead (its last four digits and a short hash: data/masking.masked_caller_keys)."""
    return number if view.privacy.masked else caller_label(number)


def shown_callers(view: View, table: pd.DataFrame) -> pd.DataFrame:
    """The caller table as people read it: numbers through `shown_number` (per run, never remembered, so
    masking depends on the viewer), times in the viewer's zone."""
    tz = view.tz
    return pd.DataFrame(
        {
            "Caller": table.index.map(lambda number: shown_number(view, number)),
            "Calls": table["calls"].to_numpy(),
            "Inbound": table["inbound"].to_numpy(),
            "Outbound": table["outbound"].to_numpy(),
            "First call": table["first"].dt.tz_convert(tz).array,
            "Last call": table["last"].dt.tz_convert(tz).array,
            "Last disposition": table["lastDisposition"].array,
            "Any success": table["anySuccess"].to_numpy(dtype=bool),
        }
    )


def called_after_do_not_call(view: View) -> None:
    """Every number called (outbound) after a "Do Not Call"/"Do Not Contact" call, with each later call."""
    st.subheader(DNC_HEADING)
    found = breaches(view)
    st.caption(
        "Across every loaded call, whatever the date and other filters: a request made before the chosen dates "
        "still binds. Calls without a time cannot be ordered and are left out."
    )
    if found.empty:
        st.success("No number was called after asking not to be.")
        return
    per_number = found.groupby("caller", sort=False)
    numbers = per_number["createdAt"].max().sort_values(ascending=False).index
    st.error(
        f"{plural(len(numbers), 'number')} called after a Do Not Call request: "
        f"{plural(len(found), 'outbound call')} in all."
    )
    for number in numbers[:MAX_BREACH_NUMBERS]:
        breach_card(view, number, found[found["caller"].eq(number).to_numpy(dtype=bool)])
    if len(numbers) > MAX_BREACH_NUMBERS:
        st.caption(
            f"Showing the {MAX_BREACH_NUMBERS} numbers called most recently; "
            f"{format_count(len(numbers) - MAX_BREACH_NUMBERS)} more. The command line lists them all "
            "(`python -m carecycle_dash compliance`)."
        )


def breach_card(view: View, number: str, calls: pd.DataFrame) -> None:
    first = calls.iloc[0]
    with st.container(border=True):
        st.markdown(
            f"**{escape_markdown(shown_number(view, number))}** · asked on {_when(first['requestedAt'], view.tz)} · "
            f"{plural(len(calls), 'call')} after"
        )
        request = view.all_calls.loc[first["requestRow"], ["id", "disposition"]]
        links = st.columns(2)
        _call_link(view, number, request["id"], f"The request: {_text(request['disposition'])}", where=links[0])
        navigation.link(
            navigation.CALLERS,
            caller_params(view, number),
            label="All calls with this number",
            icon=":material/history:",
            where=links[1],
        )
        for call in calls.head(MAX_CALLS_PER_BREACH).itertuples():
            _call_link(
                view, number, call.id, f"{_when(call.createdAt, view.tz)} · outbound · {_text(call.disposition)}"
            )
        if len(calls) > MAX_CALLS_PER_BREACH:
            st.caption(f"and {format_count(len(calls) - MAX_CALLS_PER_BREACH)} more: see all calls with this number")


def too_often(view: View) -> None:
    """Numbers that received more than N outbound calls within any 7 days; N chosen on the page."""
    st.subheader("Dialled too often")
    limit = st.columns([1, 3])[0].number_input(
        "More than this many outbound calls within 7 days",
        min_value=1,
        max_value=100,
        step=1,
        key=kept("max_dials", DEFAULT_MAX_DIALS),
        on_change=keep,
        args=("max_dials",),
    )
    found = view.loaded.callers().remember(
        ("dialled", view.filters.include_tests, int(limit)),
        lambda: dialled_too_often(compliance_scope(view.all_calls, view.filters.include_tests), int(limit)),
    )
    if found.empty:
        st.success(f"No number received more than {limit} outbound calls within 7 days.")
        return
    shown = pd.DataFrame(
        {
            "Caller": found["caller"].map(lambda number: shown_number(view, number)),
            "Outbound calls in 7 days": found["most"].to_numpy(),
            "From": found["windowStart"].dt.tz_convert(view.tz).array,
            "To": found["windowEnd"].dt.tz_convert(view.tz).array,
            "Outbound calls in all": found["outbound"].to_numpy(),
        }
    )
    st.caption(f"{plural(len(found), 'number')}; the busiest 7 days of each. Choose a row to see that caller's calls.")
    event = st.dataframe(
        shown,
        hide_index=True,
        column_config={
            "From": st.column_config.DatetimeColumn("From", format="YYYY-MM-DD HH:mm"),
            "To": st.column_config.DatetimeColumn("To", format="YYYY-MM-DD HH:mm"),
        },
        on_select="rerun",
        selection_mode="single-row",
        key="too_often_table",
        placeholder="",
    )
    if event.selection.rows:
        open_caller(view, str(found["caller"].iloc[event.selection.rows[0]]))


def timeline(view: View, given: str) -> None:
    """One caller's calls in time order, each opening its detail; the address ends up holding a token."""
    number = view.loaded.callers().resolve(given)
    calls = None if number is None else caller_history(view.all_calls, number)
    navigation.link(navigation.CALLERS, view.link_params(), label="All callers", icon=":material/arrow_back:")
    if number is None or calls is None or calls.empty:
        st.warning("No call of this customer has that number. The link may be from another session or incomplete.")
        return
    token = view.loaded.callers().token(number)
    if given != token:
        navigation.set_param(navigation.CALLER_PARAM, token)
    st.subheader(escape_markdown(shown_number(view, number)))
    st.markdown(timeline_headline(calls, view.tz))
    if len(calls) > MAX_TIMELINE_CALLS:
        st.caption(f"Showing the latest {MAX_TIMELINE_CALLS} calls.")
        calls = calls.tail(MAX_TIMELINE_CALLS)
    for row, call in calls.iterrows():
        timeline_entry(view, number, row, call)


def timeline_headline(calls: pd.DataFrame, tz: str) -> str:
    """ "6 calls · first 2026-06-03 09:12 · last 2026-11-20 14:05" (times in the viewer's zone)."""
    times = calls["createdAt"].dropna()
    first = _when(times.min(), tz) if len(times) else MISSING_TEXT
    last = _when(times.max(), tz) if len(times) else MISSING_TEXT
    return f"{plural(len(calls), 'call')} · first {first} · last {last}"


def timeline_entry(view: View, number: str, row: int, call: pd.Series) -> None:
    success = call["success"]
    verdict = "not evaluated" if pd.isna(success) else ("success" if bool(success) else "not a success")
    facts = [
        _when(call["createdAt"], view.tz),
        _text(call["disposition"]),
        _text(call["direction"]),
        format_duration(None if pd.isna(call["durationS"]) else float(call["durationS"])),
        verdict,
    ]
    with st.container(border=True):
        _call_link(view, number, call["id"], " · ".join(facts))
        summary = view.loaded.result.calls[row].get("summary")
        st.text(summary if isinstance(summary, str) and summary.strip() else "No summary.")


def _call_link(view: View, number: str, call_id: object, label: str, *, where: DeltaGenerator | None = None) -> None:
    """A link to a call's detail page that keeps the caller, so previous/next step through their calls."""
    if pd.isna(call_id) or not str(call_id).strip():
        (where or st).caption(escape_markdown(f"{label} (no call ID, so it cannot be opened)"))
        return
    navigation.link(
        navigation.CALL,
        caller_params(view, number, call_id=str(call_id)),
        label=escape_markdown(label),
        icon=":material/call:",
        where=where,
    )


def _when(moment: object, tz: str) -> str:
    if not isinstance(moment, pd.Timestamp) or pd.isna(moment):
        return "time unknown"
    return moment.tz_convert(tz).strftime("%Y-%m-%d %H:%M")


def _text(value: object) -> str:
    return str(value).strip() if isinstance(value, str) and value.strip() else "(none)"
