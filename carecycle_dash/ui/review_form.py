"""Reviews where calls are shown: the call page's Review section (flag, note, assign, mark handled, reopen,
history), the Overview's "N flagged calls open" and the Calls table's Review column.

Reviews are read only through a View: a session sees the reviews of the calls its own key loaded, no other.
Every change is checked against the version this person opened, so nothing is silently overwritten, and
writes one audit line (who, call, what changed), never the note's text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Final
from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from carecycle_dash.api.errors import InvalidInputError
from carecycle_dash.data.reviews import (
    NO_FLAG,
    REASON_CHOICES,
    bound_to_calls,
    check_review_input,
    conflict,
    history_lines,
    marked_handled,
    masked_note_added,
    open_flagged,
    people,
    reopened,
    review_states,
    saved,
    shown_note,
    status_line,
)
from carecycle_dash.store import StoreError
from carecycle_dash.store.reviews import Review, ReviewStore, StaleVersionError
from carecycle_dash.text.logs import AUDIT_LOGGER, one_line
from carecycle_dash.text.safety import escape_markdown
from carecycle_dash.ui import navigation
from carecycle_dash.ui.review_store import review_store, reviewer
from carecycle_dash.ui.view import View

audit = logging.getLogger(AUDIT_LOGGER)
NO_STORE_LINE: Final = (
    "Reviews need a store: set CARECYCLE_STORE_URL (or [carecycle.store] url) to a SQLite file or PostgreSQL."
)
REVIEW_COLUMN: Final = "Review"
_OPENED_STATE: Final = "_review_opened"
_CONFLICT_STATE: Final = "_review_conflict"
_ROUND_STATE: Final = "_review_round"
Key = tuple[str, str, str]
"""(API host, customer, call ID): what a review is bound to."""
Change = Callable[[Review | None, str, datetime], Review | None]
"""The review after one person's action on the stored one (None: nothing to write); gets (stored, who, now)."""


def place(view: View) -> tuple[str, str]:
    """(API host, customer) a review is bound to: the demo is named for the demo, not its simulator's port."""
    host = "demo" if view.settings.is_demo else (urlsplit(view.loaded.base_url).netloc or view.loaded.base_url)
    return host.lower(), view.inputs.customer_id


def opened_store() -> tuple[ReviewStore | None, str | None]:
    """(the store, None), or (None, one line saying why there is none)."""
    try:
        store = review_store()
    except InvalidInputError as exc:
        return None, exc.message
    except Exception as exc:  # a database that cannot be reached: one line, the page goes on
        return None, f"The review store cannot be opened ({type(exc).__name__}); reviews are not shown."
    return (store, None) if store is not None else (None, NO_STORE_LINE)


def reviews_or_why(view: View) -> tuple[list[Review] | None, str]:
    """(the reviews of this view's loaded calls, newest change first, ""), or (None, one line saying why there
    are none to show: no store, or a store that is failing, which answers at once while it rests)."""
    store, why_not = opened_store()
    if store is None:
        return None, why_not or NO_STORE_LINE
    try:
        reviews = store.list(*place(view))
    except Exception as exc:  # the page goes on without reviews, and says why
        return None, unavailable_line(exc)
    return bound_to_calls(reviews, lambda call_id: view.loaded.row_of(call_id) is not None), ""


def view_reviews(view: View) -> list[Review] | None:
    """The reviews of this view's loaded calls, newest change first; None without a working store."""
    return reviews_or_why(view)[0]


def unavailable_line(error: Exception) -> str:
    """One line for a store that failed: its own words for a StoreError, else the error's type only."""
    cause = str(error) if isinstance(error, StoreError) else f"The store cannot be read ({type(error).__name__})."
    return f"Reviews are not available now. {cause}"


def flagged_calls_line(view: View) -> None:
    """Needs attention's "N flagged calls open", linking to the Review page; nothing when none is open."""
    reviews = view_reviews(view)
    flagged = open_flagged(reviews or [])
    if flagged:
        navigation.link(
            navigation.REVIEW, view.link_params(), label=f"{flagged:,} flagged calls open", icon=":material/flag:"
        )


def with_review_column(
    view: View, table: pd.DataFrame, columns: tuple[str, ...]
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The Calls table with its Review column (Open / Handled / empty) after the time; as is without a store."""
    reviews = view_reviews(view)
    if reviews is None:
        return table, columns
    table = table.assign(**{REVIEW_COLUMN: review_states(reviews, table["id"].astype("str"))})
    return table, (columns[0], REVIEW_COLUMN, *columns[1:])


def review_section(view: View, call_id: str) -> None:
    """The call page's **Review**: the review's state and note, Mark handled or Reopen, the form, history."""
    st.subheader("Review")
    store, why_not = opened_store()
    if store is None:
        st.caption(why_not or NO_STORE_LINE)
        return
    host, customer = place(view)
    key = (host, customer, call_id)
    try:
        current = store.get(*key)
    except Exception as exc:
        st.caption(unavailable_line(exc))
        return
    opened = _opened_version(key, current)
    if (line := st.session_state.get(_CONFLICT_STATE)) and line[0] == key:
        st.warning(escape_markdown(line[1]), icon=":material/sync_problem:")
    masked = view.privacy.masked
    if current is not None:
        _current_review(store, view, key, current, opened, masked)
    _form(store, view, key, current, opened, masked)
    if current is not None:
        with st.expander("History", icon=":material/history:"):
            for entry in history_lines(store.history(*key), view.tz):
                st.text(entry)


def _opened_version(key: Key, current: Review | None) -> int:
    """The version this person opened: kept while they stay on this call, so a colleague's change in
    between is a conflict rather than silently overwritten."""
    held = st.session_state.get(_OPENED_STATE)
    if held is None or held[0] != key:
        held = (key, current.version if current else 0)
        st.session_state[_OPENED_STATE] = held
        st.session_state.pop(_CONFLICT_STATE, None)
    return held[1]


def _current_review(store: ReviewStore, view: View, key: Key, current: Review, opened: int, masked: bool) -> None:
    st.markdown(escape_markdown(status_line(current, view.tz)))
    if current.note is None or current.note:
        st.text(shown_note(current, masked=masked))
    if current.assignee:
        st.caption(escape_markdown(f"Assigned to {current.assignee}"))
    if current.state == "open":
        if st.button("Mark handled", icon=":material/task_alt:", key="review_mark_handled"):
            _change(store, view, key, opened, _stored(marked_handled))
    elif st.button("Reopen", icon=":material/undo:", key="review_reopen"):
        _change(store, view, key, opened, _stored(reopened))


def _stored(action: Callable[[Review, str, datetime], Review]) -> Change:
    """Mark handled and Reopen act on a stored review (their buttons show only when there is one)."""

    def change(fresh: Review | None, who: str, now: datetime) -> Review | None:
        return None if fresh is None else action(fresh, who, now)

    return change


def _form(store: ReviewStore, view: View, key: Key, current: Review | None, opened: int, masked: bool) -> None:
    round_ = st.session_state.get(_ROUND_STATE, 0)
    suffix = f"{key[2]}:{round_}"
    with st.form(f"review_form:{suffix}", border=True):
        reason = st.selectbox(
            "Reason",
            REASON_CHOICES,
            index=REASON_CHOICES.index(current.reason) if current else 0,
            key=f"review_reason:{suffix}",
        )
        if masked:
            note = st.text_area(
                "Note",
                key=f"review_note:{suffix}",
                placeholder="Added below the note (you see notes masked)",
                help="Personal data is masked for you, so what you write is added to the note, never replacing it.",
            )
        else:
            note = st.text_area("Note", value=(current.note or "") if current else "", key=f"review_note:{suffix}")
        names = people(store.list(key[0], key[1]))
        assignee = st.selectbox(
            "Assign to",
            names,
            index=names.index(current.assignee) if current and current.assignee in names else None,
            accept_new_options=True,
            placeholder="Optional: a name",
            key=f"review_assignee:{suffix}",
        )
        submitted = st.form_submit_button("Save review", type="primary", key=f"review_save:{suffix}")
    if not submitted:
        return
    typed_reason, typed_note, typed_assignee = str(reason or NO_FLAG), str(note or ""), str(assignee or "")

    def save(fresh: Review | None, who: str, now: datetime) -> Review | None:
        full_note = masked_note_added(fresh.note if fresh else None, typed_note) if masked else typed_note
        check_review_input(typed_reason, full_note, key[2], lambda cid: view.loaded.row_of(cid) is not None)
        return saved(
            fresh,
            host=key[0],
            customer=key[1],
            call_id=key[2],
            reason=typed_reason,
            note=full_note,
            assignee=typed_assignee,
            who=who,
            now=now,
        )

    _change(store, view, key, opened, save)


def _change(store: ReviewStore, view: View, key: Key, opened: int, make: Change) -> None:
    """Apply `make(fresh, who, now)` to the stored review when it is still the version opened; else show who
    changed it since. One line for bad input; nothing is written then."""
    fresh = store.get(*key)
    if (found := conflict(fresh, opened)) is not None:
        _conflicted(key, found.line(view.tz), found.current.version)
        return
    try:
        changed = make(fresh, reviewer(), datetime.now(UTC))
    except InvalidInputError as exc:
        st.error(escape_markdown(exc.message))
        return
    if changed is None:
        st.info("Nothing changed, so nothing was saved.")
        return
    try:
        store.save(changed, opened)
    except StaleVersionError as stale:  # someone saved between the read above and this write
        if (found := conflict(stale.current, opened)) is not None:
            _conflicted(key, found.line(view.tz), found.current.version)
        return
    audit.info(
        "review: user=%s customer=%s call=%s action=%s",
        changed.last_change.who,
        one_line(key[1]),
        one_line(key[2]),
        one_line(changed.last_change.what),
    )
    st.session_state[_OPENED_STATE] = (key, changed.version)
    st.session_state.pop(_CONFLICT_STATE, None)
    st.session_state[_ROUND_STATE] = st.session_state.get(_ROUND_STATE, 0) + 1
    st.rerun()


def _conflicted(key: Key, line: str, version: int) -> None:
    """Say who changed the review since it was opened; the form keeps what was typed, and saving again now
    applies it over the review as shown."""
    st.session_state[_CONFLICT_STATE] = (key, line)
    st.session_state[_OPENED_STATE] = (key, version)
    st.rerun()
