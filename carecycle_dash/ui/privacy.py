"""Masking in the UI: the per-viewer decision, the sidebar's line or toggle, and the calls revealed with a reason.

The rules live in data/privacy.py and data/masking.py; this module only reads who is looking and keeps a
session's choices. A masked viewer's View holds masked calls only (ui/view.py), so no page can leak.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import streamlit as st

from carecycle_dash.api.config import resolve_privacy
from carecycle_dash.data.access import sign_in_configured
from carecycle_dash.data.privacy import decide_masking, full_access_from_secrets
from carecycle_dash.text.safety import escape_markdown
from carecycle_dash.ui.auth import signed_in_user
from carecycle_dash.ui.settings import read_secrets
from carecycle_dash.ui.state import keep, kept

SCREEN_SHARING = "mask_for_screen_sharing"
_REVEALED_STATE = "_revealed_calls"
RECORDINGS_WITHHELD = "Recordings are not offered while personal data is masked: audio cannot be masked."


@dataclass(frozen=True)
class Privacy:
    """What this run shows: masked or not, whether the settings (not the viewer's toggle) mask it, and
    whether a masked viewer may reveal one call with a reason."""

    masked: bool = False
    by_policy: bool = False
    allow_reveal: bool = False


def privacy_sidebar() -> Privacy:
    """Decide for this viewer and say so in the sidebar; people who see everything get a toggle to mask."""
    secrets = read_secrets()
    settings = resolve_privacy(secrets, os.environ)
    decision = decide_masking(
        settings.mode,
        sign_in=sign_in_configured(secrets),
        email=(signed_in_user() or {}).get("email"),
        full_access=full_access_from_secrets(secrets),
    )
    if settings.notice:
        st.sidebar.warning(escape_markdown(settings.notice), icon=":material/warning:")
    if decision.masked:
        reveal = " You may reveal one call at a time, with a reason." if settings.allow_reveal else ""
        st.sidebar.info(
            f"**Personal data is masked.** {escape_markdown(decision.reason)}{reveal}", icon=":material/visibility_off:"
        )
        return Privacy(masked=True, by_policy=True, allow_reveal=settings.allow_reveal)
    sharing = st.sidebar.toggle(
        "Mask for screen sharing",
        key=kept(SCREEN_SHARING, False),
        on_change=keep,
        args=(SCREEN_SHARING,),
        help="Masks numbers, e-mail addresses, dates of birth and other personal data until you turn it off.",
    )
    if sharing:
        st.sidebar.info("**Personal data is masked** for screen sharing.", icon=":material/visibility_off:")
    return Privacy(masked=sharing)


def is_revealed(customer_id: str, call_id: str) -> bool:
    """Whether this session revealed this call with a reason; a reveal lasts for the session."""
    return (customer_id, call_id) in st.session_state.get(_REVEALED_STATE, set())


def remember_reveal(customer_id: str, call_id: str) -> None:
    st.session_state.setdefault(_REVEALED_STATE, set()).add((customer_id, call_id))
