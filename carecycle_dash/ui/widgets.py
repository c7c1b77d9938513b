"""Pieces of screen that more than one page draws, each rendering API text as text only."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import streamlit as st

from carecycle_dash.errors import NetworkError
from carecycle_dash.export import calls_to_csv_bytes
from carecycle_dash.logs import AUDIT_LOGGER, one_line
from carecycle_dash.metrics import (
    OverviewFigures,
    format_count,
    format_duration,
    format_percent,
    format_total_duration,
)
from carecycle_dash.recordings import fetch_loopback_recording, is_loopback_url
from carecycle_dash.safety import safe_http_url
from carecycle_dash.transcript import parse_transcript
from carecycle_dash.ui.view import View

audit = logging.getLogger(AUDIT_LOGGER)


def scope_caption(view: View) -> None:
    """Which customer, how many calls pass the filters out of how many."""
    shown, total = len(view.filtered), len(view.all_calls)
    scope = (
        f"{format_count(shown)} of {format_count(total)} calls" if shown != total else f"{format_count(total)} calls"
    )
    st.caption(f"Customer {view.inputs.customer_id} · {scope} · times in {view.tz}")


def headline_figures(figures: OverviewFigures, *, show_tests: bool) -> None:
    reached = f"{format_count(figures.connected_calls)} reached a person"
    evaluated = f"Of {format_count(figures.evaluated_calls)} calls with a success evaluation"
    volume = st.columns(4)
    volume[0].metric("Total calls", format_count(figures.total_calls))
    volume[1].metric("Inbound", format_count(figures.inbound))
    volume[2].metric("Outbound", format_count(figures.outbound))
    if show_tests:
        tests = f"{format_count(figures.test_calls)} test calls"
        volume[3].metric("Test calls", format_percent(figures.test_share, 0), help=tests)
    quality = st.columns(4)
    quality[0].metric("Connected", format_percent(figures.connected_rate, 0), help=reached)
    quality[1].metric("Success rate", format_percent(figures.success_rate, 0), help=evaluated)
    quality[2].metric("Median talk time", format_duration(figures.median_talk_s), help="Of connected calls")
    quality[3].metric("Total talk time", format_total_duration(figures.total_talk_s), help="Of connected calls")


def no_match() -> None:
    st.info("No calls match these filters. Widen the date range or clear some filters in the sidebar.")


def _who() -> str:
    try:
        if st.user.get("is_logged_in"):
            return one_line(str(st.user.get("email") or "signed-in user"))
    except Exception:  # st.user needs a session; in a bare run there is none
        return "local user"
    return "local user"


def csv_download(view: View) -> None:
    """A download of the filtered calls with API field names, formula-guarded, built only on click."""
    rows = list(view.filtered.index)
    calls = view.loaded.result.calls
    customer = view.inputs.customer_id
    who = _who()
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")

    def build() -> bytes:
        data = calls_to_csv_bytes(calls[i] for i in rows)
        audit.info("csv download: user=%s customer=%s rows=%d", who, customer, len(rows))
        return data

    st.download_button(
        f"Download {format_count(len(rows))} calls as CSV",
        icon=":material/download:",
        data=build,
        file_name=f"carecycle-calls-{customer}-{stamp}.csv",
        mime="text/csv",
        on_click="ignore",
        key="csv_download",
    )


_ROLES = {
    "ai": ("assistant", ":material/smart_toy:"),
    "caller": ("user", ":material/person:"),
    "unknown": ("user", ":material/help:"),
}


def transcript(text: str | None) -> None:
    """The conversation, AI and caller visibly apart; each turn as plain text."""
    turns = parse_transcript(text)
    if not turns:
        st.caption("No transcript for this call.")
        return
    for turn in turns:
        role, avatar = _ROLES[turn.speaker]
        with st.chat_message(role, avatar=avatar):
            st.text(turn.text)


@st.cache_data(ttl=3600, max_entries=64, show_spinner=False)
def _loopback_recording(url: str) -> bytes:
    """Demo recordings are the same bytes every time; fetch each once, not on every rerun."""
    return fetch_loopback_recording(url)


def recording(label: str, raw_url: Any, *, fetch_loopback: bool) -> None:
    """An audio player for an http(s) recording; anything else is withheld and said so."""
    if raw_url is None or raw_url == "":
        st.caption(f"{label}: none")
        return
    url = safe_http_url(raw_url)
    if url is None:
        st.warning(f"{label}: the recording link was withheld because it is not an http or https address.")
        return
    st.markdown(f"**{label}**")
    if fetch_loopback and is_loopback_url(url):
        # The demo simulator listens on the server's loopback, which a remote browser cannot reach.
        try:
            st.audio(_loopback_recording(url), format="audio/wav")
        except NetworkError as exc:
            st.caption(exc.message)
    else:
        st.audio(url)
