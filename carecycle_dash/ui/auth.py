"""The sign-in gate: with an [auth] section in the secrets file, nothing is drawn for anyone not admitted.

app.py calls `require_sign_in()` right after `st.set_page_config`, before any data is loaded. Without an
[auth] section it returns at once, so local use is unchanged. The allow-list rules live in `access.py`.
"""

from __future__ import annotations

import logging
from typing import Any

import streamlit as st

from carecycle_dash.data.access import (
    AccessDecision,
    decide,
    missing_auth_settings,
    policy_from_secrets,
    sign_in_configured,
)
from carecycle_dash.text.logs import AUDIT_LOGGER, configure_logging, one_line
from carecycle_dash.text.safety import escape_markdown
from carecycle_dash.ui.settings import read_secrets

audit = logging.getLogger(AUDIT_LOGGER)
_AUDITED_STATE = "_access_audited"


def require_sign_in() -> None:
    """Return when this person may see the dashboard; otherwise draw why not and stop the run."""
    configure_logging()  # the first thing every run does, so audit lines always have somewhere to go
    secrets = read_secrets()
    if not sign_in_configured(secrets):
        return
    if missing := missing_auth_settings(secrets):
        # Fail closed: a half-configured sign-in must not fall back to an open dashboard.
        st.error(
            "Sign-in is switched on but not fully configured; the secrets file's [auth] section lacks: "
            + ", ".join(missing)
            + ". Ask your admin."
        )
        st.stop()
    claims = signed_in_user()
    if claims is None:
        _sign_in_screen()
        st.stop()
    decision = decide(policy_from_secrets(secrets), claims)
    _audit_once(decision)
    if not decision.admitted:
        st.error(_with_plain_email(decision.reason, decision.email))
        st.button("Sign out", on_click=_sign_out, args=(decision.email,), key="sign_out_refused")
        st.stop()
    with st.sidebar:
        st.caption(f"Signed in as {_plain(decision.email or '')}")
        st.button("Sign out", on_click=_sign_out, args=(decision.email,), key="sign_out")


def _plain(email: str) -> str:
    """Markdown that shows the address as typed: a code span, so it is neither formatted nor auto-linked."""
    return f"`{email}`" if "`" not in email else escape_markdown(email)


def _with_plain_email(text: str, email: str | None) -> str:
    escaped = escape_markdown(text)
    return escaped.replace(escape_markdown(email), _plain(email)) if email else escaped


def signed_in_user() -> dict[str, Any] | None:
    """The signed-in person's identity claims; None when nobody is signed in (or there is no session, as in a
    bare run). The one place the app reads `st.user`: the gate, masking and the audit lines all ask here."""
    try:
        if not st.user.get("is_logged_in"):
            return None
    except Exception:  # st.user needs a session; in a bare run there is none
        return None
    try:
        return dict(st.user.to_dict())
    except Exception:  # an unreadable identity is no identity: signed in, but with no claims to admit
        return {}


def viewer_name() -> str:
    """Who is looking, for audit lines: the signed-in address, else "signed-in user" or "local user"."""
    claims = signed_in_user()
    if claims is None:
        return "local user"
    return one_line(str(claims.get("email") or "signed-in user"))


def _sign_in_screen() -> None:
    st.title("CareCycle Calls")
    st.write(
        "This dashboard shows health and insurance call data. Sign in with your organisation's account to continue."
    )
    if st.button("Sign in", type="primary", key="sign_in"):
        st.login()


def _audit_once(decision: AccessDecision) -> None:
    """One line per browser session and person: who was let in or refused, and why; no tokens, no claims."""
    seen = (decision.email, decision.code)
    if st.session_state.get(_AUDITED_STATE) == seen:
        return
    st.session_state[_AUDITED_STATE] = seen
    who = one_line(decision.email or "unknown")
    if decision.admitted:
        audit.info("sign-in admitted: user=%s", who)
    else:
        audit.warning("sign-in refused: user=%s reason=%s", who, decision.code)


def _sign_out(email: str | None) -> None:
    audit.info("sign-out: user=%s", one_line(email or "unknown"))
    st.session_state.pop(_AUDITED_STATE, None)
    st.logout()
