"""The screens and every address the app writes: app.py's navigation, the sidebar's links, and each link
from one screen to another come from here, so no other module names a page file or a link parameter.

A view's address carries the customer, sort field and order (never the key); the call page adds `call_id`,
the callers page and the call page `caller` (a token the app writes, never a phone number).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from carecycle_dash.ui.settings import read_secrets


@dataclass(frozen=True)
class Screen:
    """One page of the app."""

    path: str
    title: str
    icon: str
    url_path: str
    default: bool = False
    carries: tuple[str, ...] = ()
    """Link parameters of its own that the sidebar link to it keeps (beyond the view's)."""


OVERVIEW: Final = Screen("pages/overview.py", "Overview", ":material/insights:", "", default=True)
CALLS: Final = Screen("pages/calls.py", "Calls", ":material/table_rows:", "calls")
CALLER_PARAM: Final = "caller"
CALL: Final = Screen("pages/call.py", "Call detail", ":material/headphones:", "call", carries=("call_id", CALLER_PARAM))
CALLERS: Final = Screen("pages/callers.py", "Callers", ":material/groups:", "callers")
SCREENS: Final = (OVERVIEW, CALLS, CALL, CALLERS)

VIEW_PARAMS: Final = ("customer_id", "sort_by", "order")
"""The address parameters that reproduce a view on every screen."""
PAGE_PARAMS: Final = ("call_id", CALLER_PARAM)
"""Address parameters of a screen's own, kept in the address beside the view's: the call shown, and the
caller (an opaque token, or a number as typed) whose calls are shown or whose calls the call page steps through."""


def streamlit_pages() -> list[st.Page]:
    """The screens as `st.navigation` wants them."""
    return [st.Page(s.path, title=s.title, icon=s.icon, url_path=s.url_path, default=s.default) for s in SCREENS]


def _carried_params(screen: Screen) -> dict[str, str]:
    names = (*VIEW_PARAMS, *screen.carries)
    return {name: st.query_params[name] for name in names if name in st.query_params}


def sidebar_links() -> None:
    """A link to each screen that carries the view along (never the key)."""
    for screen in SCREENS:
        st.sidebar.page_link(screen.path, label=screen.title, icon=screen.icon, query_params=_carried_params(screen))
    st.sidebar.divider()


def link(
    screen: Screen,
    params: Mapping[str, str],
    *,
    label: str | None = None,
    icon: str | None = None,
    where: DeltaGenerator | None = None,
) -> None:
    """A link to `screen` with these address parameters."""
    (where or st).page_link(
        screen.path, label=label or screen.title, icon=icon or screen.icon, query_params=dict(params)
    )


def go_to(screen: Screen, params: Mapping[str, str]) -> None:
    """Switch to `screen` now, with these address parameters."""
    st.switch_page(screen.path, query_params=dict(params))


def sync_address(params: Mapping[str, str | None]) -> None:
    """Make the address hold exactly these parameters (empty ones left out); rewritten only when it differs,
    since every rewrite costs the browser a history entry and Streamlit a message."""
    wanted = {name: value for name, value in params.items() if value}
    current = {name: st.query_params.get(name) for name in st.query_params}
    if current != wanted:
        st.query_params.from_dict(wanted)


def caller_link_secret() -> bytes:
    """The key of the caller tokens in addresses, derived from the cookie secret (`[auth] cookie_secret`,
    else Streamlit's `server.cookieSecret`). docs/deploy.md asks for the same one on every replica, so a link
    the app wrote opens on any replica and after a restart; left unset, Streamlit's is random per process."""
    auth = read_secrets().get("auth")
    base = auth.get("cookie_secret") if isinstance(auth, dict) else None
    base = base or st.get_option("server.cookieSecret")
    return hashlib.sha256(f"carecycle-dash caller links:{base}".encode()).digest()
