"""Values that survive page switches: the one helper every sidebar widget uses.

Streamlit forgets a widget's value when the page changes, and a page script run on its own starts without
one; a plain session value does not forget. The plain value is copied into the widget before it is drawn
(`kept`) and back in the widget's on_change callback (`keep`).
"""

from __future__ import annotations

import streamlit as st

_PREFIX = "_kept_"


def kept(key: str, default: object) -> str:
    """The widget key `key`, its value restored from the kept one (or `default` the first time)."""
    st.session_state.setdefault(_PREFIX + key, default)
    st.session_state[key] = st.session_state[_PREFIX + key]
    return key


def keep(key: str) -> None:
    """on_change callback: remember what the widget `key` now holds."""
    st.session_state[_PREFIX + key] = st.session_state[key]


def set_kept(key: str, value: object) -> None:
    st.session_state[_PREFIX + key] = value


def kept_value(key: str, default: object = None) -> object:
    return st.session_state.get(_PREFIX + key, default)


def forget(key: str) -> None:
    """Drop both the widget's value and the kept one, so the widget starts from its default."""
    st.session_state.pop(key, None)
    st.session_state.pop(_PREFIX + key, None)
