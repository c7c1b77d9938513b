"""Which key and host this browser session uses, read from Streamlit's secrets, the environment, or the sidebar."""

from __future__ import annotations

import os
from typing import Any

import streamlit as st

from carecycle_dash.api.config import Settings, resolve_settings

TYPED_KEY_STATE = "_typed_api_key"


def read_secrets() -> dict[str, Any]:
    """The secrets file as a dict; an absent or unreadable file is simply no secrets."""
    try:
        return st.secrets.to_dict()
    except Exception:  # Streamlit raises several types for a missing or malformed file.
        return {}


def current_settings() -> Settings:
    """Secrets file, then environment, then a key typed in this session, else the demo."""
    return resolve_settings(read_secrets(), os.environ, st.session_state.get(TYPED_KEY_STATE))


def source_label(settings: Settings) -> str:
    """One line for the sidebar saying where the data comes from (host only, never the key)."""
    if settings.is_demo:
        return "Demo data from the built-in simulator"
    host = (settings.base_url or "").split("://", 1)[-1].split("/", 1)[0]
    where = {
        "secrets": "key from the secrets file",
        "environment": "key from the environment",
        "session": "key entered here",
    }
    return f"Live data from {host} ({where[settings.source]})"
