"""Where reviews are kept, and who a change is recorded under: the reviews of the call store this server
process keeps its calls in (`kept_calls`, one backend and one failure rule for both), and the sidebar's "Your
name for reviews".
"""

from __future__ import annotations

import os
import threading
import weakref
from typing import Final

import streamlit as st

from carecycle_dash.api.errors import InvalidInputError
from carecycle_dash.data.reviews import MAX_NAME_CHARS, who_reviews
from carecycle_dash.store import CallStore, resolve_store
from carecycle_dash.store.reviews import ReviewStore, open_reviews
from carecycle_dash.text.logs import one_line
from carecycle_dash.ui.auth import signed_in_user, viewer_name
from carecycle_dash.ui.loading import kept_calls
from carecycle_dash.ui.settings import read_secrets
from carecycle_dash.ui.state import keep, kept, kept_value

NAME_KEY: Final = "review_name"
_opened: weakref.WeakKeyDictionary[CallStore, ReviewStore] = weakref.WeakKeyDictionary()
_opening = threading.Lock()


def review_store() -> ReviewStore | None:
    """The reviews of this process's call store, None when the store is off (`none`). A store that cannot be
    opened, or a secret that cannot be used, raises InvalidInputError in one line; the next run tries again."""
    held = kept_calls()
    if held.store is None:
        if held.problem is not None:
            raise InvalidInputError(f"Reviews are off. {held.problem}")
        return None
    with _opening:
        reviews = _opened.get(held.store)
        if reviews is None:
            reviews = open_reviews(held.store, resolve_store(read_secrets(), os.environ))
            _opened[held.store] = reviews
    return reviews


def signed_in_email() -> str | None:
    """The signed-in e-mail (as audit lines name the viewer), None without sign-in."""
    return None if signed_in_user() is None else viewer_name()


def reviewer_name_input() -> None:
    """The sidebar's "Your name for reviews", kept for the browser session; not shown to people signed in
    (their e-mail is the name)."""
    if signed_in_email() is not None:
        return
    st.sidebar.text_input(
        "Your name for reviews",
        key=kept(NAME_KEY, ""),
        on_change=keep,
        args=(NAME_KEY,),
        max_chars=MAX_NAME_CHARS,
        placeholder="anonymous",
        help="Recorded with the reviews you save in this browser session.",
    )


def reviewer() -> str:
    """Who a review change is recorded under: the signed-in e-mail, the name typed in the sidebar, else
    "anonymous"."""
    return one_line(who_reviews(str(kept_value(NAME_KEY, "") or ""), signed_in_email()), MAX_NAME_CHARS)
