"""The Call detail screen: what was said and how it sounded, with every field the API sent, and the calls
around it."""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass
from typing import Any, Final

import pandas as pd
import streamlit as st

from carecycle_dash.api.contract import CALL_FIELDS, URL_FIELDS
from carecycle_dash.api.errors import NetworkError
from carecycle_dash.api.recordings import fetch_loopback_recording, is_loopback_url, on_origin
from carecycle_dash.data.callers import caller_history
from carecycle_dash.data.formatting import format_count, format_duration, format_percent
from carecycle_dash.data.ordering import in_rank_order
from carecycle_dash.data.signals import SIGNALS, signals_named
from carecycle_dash.data.transcript import parse_transcript
from carecycle_dash.text.logs import AUDIT_LOGGER, one_line
from carecycle_dash.text.safety import escape_markdown, safe_http_url
from carecycle_dash.ui import navigation
from carecycle_dash.ui.auth import viewer_name
from carecycle_dash.ui.loading import connection
from carecycle_dash.ui.privacy import RECORDINGS_WITHHELD, remember_reveal
from carecycle_dash.ui.review_form import review_section
from carecycle_dash.ui.view import View, open_page

audit = logging.getLogger(AUDIT_LOGGER)
MIN_REASON_CHARS: Final = 5
WITHHELD: Final = "(withheld while personal data is masked)"


@dataclass(frozen=True)
class ChosenCall:
    row: int
    raw: dict[str, Any]
    typed: pd.Series
    call_id: str
    revealed: bool = False

    def get(self, field: str) -> Any:
        return self.raw.get(field)


def show() -> None:
    view = open_page("Call detail")
    call = chosen_call(view)
    if call is None:
        st.stop()

    call_header(call)
    neighbours(view, call)
    if view.privacy.by_policy and view.privacy.allow_reveal:
        reveal(view, call)
    left, right = st.columns([3, 2])
    with left:
        st.subheader("Transcript")
        transcript(call.get("transcript"), highlight=view.filters.text)
    with right:
        review_section(view, call.call_id)
        conversation_facts(view, call)
        summary_and_evaluation(call, highlight=view.filters.text)
        recordings(view, call)
        call_metadata(call, withheld=view.privacy.masked and not call.revealed)


def chosen_call(view: View) -> ChosenCall | None:
    """The call named by `call_id` in the address; says what to do when there is none."""
    call_id = st.query_params.get("call_id")
    if not call_id:
        st.info("Choose a call on the Calls page to read its transcript and listen to it.")
        navigation.link(navigation.CALLS, view.link_params(), label="Go to the calls")
        return None
    row = view.loaded.row_of(call_id)
    if row is None:
        st.warning("This customer has no call with that ID. It may have been deleted, or the link is incomplete.")
        navigation.link(navigation.CALLS, view.link_params(), label="Go to the calls")
        return None
    if revealed := view.revealed_call(call_id):
        return ChosenCall(row, *revealed, call_id=call_id, revealed=True)
    return ChosenCall(row, view.loaded.result.calls[row], view.all_calls.loc[row], call_id)


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
    navigation.set_param("call_id", call_id)


def neighbours(view: View, call: ChosenCall) -> None:
    """Previous and next call: within the caller when the address names one (from their timeline), else in
    the table's order (the filtered view, narrowed to the address's signals, when the call is in it)."""
    order, where = _caller_order(view, call)
    if order is None:
        order, where = _table_order(view, call)
    position = order.get_loc(call.row)
    ids = view.all_calls["id"]
    before = str(ids.loc[order[position - 1]]) if position > 0 else None
    after = str(ids.loc[order[position + 1]]) if position + 1 < len(order) else None
    left, middle, right = st.columns([1, 2, 1])
    left.button("← Previous call", disabled=before is None, on_click=_go_to, args=(before,), key="previous_call")
    middle.caption(f"Call {position + 1:,} of {len(order):,} {where}")
    right.button("Next call →", disabled=after is None, on_click=_go_to, args=(after,), key="next_call")


def _table_order(view: View, call: ChosenCall) -> tuple[pd.Index, str]:
    """The Calls table's rows as the person left it (filters, then signals), or every call when this one is
    not among them."""
    signals, _ = signals_named(st.query_params.get_all(navigation.SIGNAL_PARAM))
    narrowed = view.rows_showing([signal.label for signal in signals])
    if signals and call.row in narrowed:
        shown = ", ".join(signal.label.lower() for signal in signals)
        return narrowed, f"in the table's order ({shown})"
    if call.row in view.filtered.index:
        return view.sorted_rows, "in the table's order"
    every_call = in_rank_order(view.all_calls.index, view.loaded.rank(view.inputs.sort_by, view.inputs.order))
    return every_call, "in the table's order"


def _caller_order(view: View, call: ChosenCall) -> tuple[pd.Index | None, str]:
    """The calls of the caller named in the address, in time order, when this call is one of them."""
    given = st.query_params.get(navigation.CALLER_PARAM)
    number = view.loaded.callers().resolve(given) if given else None
    if number is None or call.typed["caller"] != number:
        return None, ""
    return caller_history(view.all_calls[["caller", "createdAt"]], number).index, "with this number"


def conversation_facts(view: View, call: ChosenCall) -> None:
    """What the transcript tells without a model, and a way to this caller's other calls."""
    st.subheader("Conversation")
    typed = call.typed
    share = typed["callerWordShare"]
    facts = st.columns(2)
    facts[0].metric("Turns", format_count(int(typed["turns"])))
    facts[1].metric("Caller's share of words", format_percent(None if pd.isna(share) else float(share), 0))
    flags = [signal.label for signal in SIGNALS if bool(typed[signal.column])]
    st.caption(
        " · ".join(flags) if flags else "The caller did not ask for a human, hang up early or hear the AI repeat."
    )
    number = typed["caller"]
    if isinstance(number, str):
        calls = int(view.all_calls["caller"].eq(number).sum())
        token = view.loaded.callers().token(number)
        label = f"All {format_count(calls)} calls with this number" if calls > 1 else "This caller's page"
        navigation.link(
            navigation.CALLERS,
            view.link_params(**{navigation.CALLER_PARAM: token}),
            label=label,
            icon=":material/history:",
        )


def summary_and_evaluation(call: ChosenCall, highlight: str = "") -> None:
    st.subheader("Summary")
    summary = call.get("summary")
    if isinstance(summary, str) and summary:
        text_with_hits(summary, highlight.strip())
    else:
        st.text(summary or "No summary.")
    st.subheader("Success evaluation")
    raw = call.get("successEvaluation")
    verdict = call.typed["success"]
    label = "not evaluated" if pd.isna(verdict) else ("success" if bool(verdict) else "not a success")
    st.text(f"{label} (as sent: {raw!s})" if raw not in (None, "") else label)


def reveal(view: View, call: ChosenCall) -> None:
    """Break the glass for this one call: a reason, an audit line, and the call unmasked for this session."""
    if call.revealed:
        st.warning(
            "You revealed this call's personal data. It stays shown for this call until your session ends.",
            icon=":material/visibility:",
        )
        return
    with st.expander("Reveal this call's personal data", icon=":material/visibility:"):
        with st.form("reveal_form", border=False):
            reason = st.text_input(
                "Reason for revealing (recorded with your name)",
                max_chars=200,
                placeholder="e.g. the patient asked for a callback; ticket 4411",
                key="reveal_reason",
            )
            submitted = st.form_submit_button("Reveal this call", key="reveal_submit")
        if not submitted:
            return
        if len(reason.strip()) < MIN_REASON_CHARS:
            st.error(f"Give a reason of at least {MIN_REASON_CHARS} characters to reveal this call.")
            return
    customer = view.inputs.customer_id
    audit.info(
        "reveal: user=%s customer=%s call=%s reason=%s",
        viewer_name(),
        one_line(customer),
        one_line(call.call_id),
        one_line(reason.strip()),
    )
    remember_reveal(customer, call.call_id)
    st.rerun()


def recordings(view: View, call: ChosenCall) -> None:
    st.subheader("Recordings")
    if view.privacy.masked and not call.revealed:
        st.caption(RECORDINGS_WITHHELD)
        return
    demo_base = connection(view.settings)[0] if view.settings.is_demo else None
    main = call.get("mainRecordingUrl") or call.get("recordingUrl")
    recording("Recording", main, demo_base=demo_base)
    other = call.get("recordingUrl")
    if other and other != main:
        recording("Recording (original)", other, demo_base=demo_base)
    recording("Stereo recording (AI left, caller right)", call.get("stereoRecordingUrl"), demo_base=demo_base)


def _as_text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def call_metadata(call: ChosenCall, *, withheld: bool = False) -> None:
    """Every field the API sent, known ones first, as plain text cells; recording links say when withheld."""
    st.subheader("All fields")
    fields = [*CALL_FIELDS, *(name for name in call.raw if name not in CALL_FIELDS)]
    rows = [
        {"Field": name, "Value": WITHHELD if withheld and name in URL_FIELDS else _as_text(call.raw.get(name))}
        for name in fields
        if name not in ("transcript", "summary")
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="call_fields")


_ROLES = {
    "ai": ("assistant", ":material/smart_toy:"),
    "caller": ("user", ":material/person:"),
    "unknown": ("user", ":material/help:"),
}


def transcript(text: str | None, highlight: str = "") -> None:
    """The conversation, AI and caller visibly apart; each turn as plain text, the search text marked."""
    turns = parse_transcript(text)
    if not turns:
        st.caption("No transcript for this call.")
        return
    needle = highlight.strip()
    for turn in turns:
        role, avatar = _ROLES[turn.speaker]
        with st.chat_message(role, avatar=avatar):
            text_with_hits(turn.text, needle)


def text_with_hits(text: str, needle: str) -> None:
    """The text as plain text, or with the search text marked when it occurs (still no markup of its own)."""
    marked = highlighted_html(text, needle) if needle else None
    if marked is None:
        st.text(text)
    else:
        st.html(marked)


def highlighted_html(text: str, needle: str) -> str | None:
    """The text as HTML with every case-insensitive hit of `needle` in <mark>; None when there is no hit.

    Every piece is html-escaped, and only the marks are ours, so the text can hold no markup of its own."""
    pieces = re.split(f"({re.escape(needle)})", text, flags=re.IGNORECASE)
    if len(pieces) == 1:
        return None
    body = "".join(
        f"<mark>{html.escape(piece)}</mark>" if i % 2 else html.escape(piece) for i, piece in enumerate(pieces)
    )
    return f'<div style="white-space: pre-wrap; font-family: monospace; font-size: 14px">{body}</div>'


@st.cache_data(ttl=3600, max_entries=64, show_spinner=False)
def _loopback_recording(url: str) -> bytes:
    """Demo recordings are the same bytes every time; fetch each once, not on every rerun."""
    return fetch_loopback_recording(url)


def recording(label: str, raw_url: Any, *, demo_base: str | None) -> None:
    """An audio player for an http(s) recording; anything else is withheld and said so. In the demo
    (`demo_base`: the simulator running now), loopback recordings are fetched by the server from it."""
    if raw_url is None or raw_url == "":
        st.caption(f"{label}: none")
        return
    url = safe_http_url(raw_url)
    if url is None:
        st.warning(f"{label}: the recording link was withheld because it is not an http or https address.")
        return
    st.markdown(f"**{label}**")
    if demo_base is not None and is_loopback_url(url):
        # The demo simulator listens on the server's loopback, which a remote browser cannot reach.
        try:
            st.audio(_loopback_recording(on_origin(url, demo_base)), format="audio/wav")
        except NetworkError as exc:
            st.caption(exc.message)
    else:
        st.audio(url)
