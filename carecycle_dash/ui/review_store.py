"""Where reviews are kept, and who a change is recorded under: the store opened once per server process from
the store's settings, and the sidebar's "Your name for reviews".

Until the call store lands, `review_store` opens the review tables itself at the same setting the call store
reads: CARECYCLE_STORE_URL (else `[carecycle.store] url`), `sqlite:///ABSOLUTE/PATH.db` by default at
$XDG_CACHE_HOME/carecycle-dash/store.db, `postgresql://...` for replicas, `none` for no store. The secret is
CARECYCLE_STORE_SECRET (else `[carecycle.store] secret`), else a random one kept beside the SQLite file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import streamlit as st

from carecycle_dash.api.errors import InvalidInputError
from carecycle_dash.data.reviews import MAX_NAME_CHARS, who_reviews
from carecycle_dash.store.reviews import (
    ENV_SECRET,
    SECRETS_SECRET,
    PostgresReviewStore,
    ReviewStore,
    SqliteReviewStore,
    instance_secret,
)
from carecycle_dash.text.logs import one_line
from carecycle_dash.ui.settings import read_secrets
from carecycle_dash.ui.state import keep, kept, kept_value

ENV_STORE_URL: Final = "CARECYCLE_STORE_URL"
NO_STORE: Final = "none"
NAME_KEY: Final = "review_name"


def _store_section(secrets: Mapping[str, Any]) -> Mapping[str, Any]:
    section = secrets.get("carecycle")
    store = section.get("store") if isinstance(section, Mapping) else None
    return store if isinstance(store, Mapping) else {}


def _default_url(environ: Mapping[str, str]) -> str:
    cache = environ.get("XDG_CACHE_HOME", "").strip()
    base = Path(cache) if cache and Path(cache).is_absolute() else Path.home() / ".cache"
    return f"sqlite://{base / 'carecycle-dash' / 'store.db'}"


def store_setting(secrets: Mapping[str, Any], environ: Mapping[str, str]) -> tuple[str, str | None]:
    """(store URL, configured secret or None): the environment first, then the secrets file, then defaults."""
    section = _store_section(secrets)
    url = environ.get(ENV_STORE_URL, "").strip() or str(section.get("url") or "").strip() or _default_url(environ)
    secret = environ.get(ENV_SECRET, "").strip() or str(section.get(SECRETS_SECRET) or "").strip() or None
    return url, secret


@st.cache_resource(show_spinner=False)
def _opened(url: str, secret: str | None) -> ReviewStore:
    if url.startswith("sqlite:///") and Path(url.removeprefix("sqlite://")).is_absolute():
        path = Path(url.removeprefix("sqlite://"))
        return SqliteReviewStore(path, instance_secret(secret, path.with_suffix(".secret")))
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresReviewStore(url, instance_secret(secret, None))
    raise InvalidInputError(
        f"{ENV_STORE_URL} must be sqlite:///ABSOLUTE/PATH.db, postgresql://USER:PASSWORD@HOST:PORT/DB or none."
    )


def review_store() -> ReviewStore | None:
    """The review store of this server process, None when the store is off (`none`). A setting that cannot
    be used raises InvalidInputError (one line, no password); the next run tries again."""
    url, secret = store_setting(read_secrets(), os.environ)
    if url.lower() == NO_STORE:
        return None
    return _opened(url, secret)


def signed_in_email() -> str | None:
    """The signed-in e-mail, None without sign-in (or outside a session)."""
    try:
        if st.user.get("is_logged_in"):
            return one_line(str(st.user.get("email") or "signed-in user"))
    except Exception:  # st.user needs a session; in a bare run there is none
        return None
    return None


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
