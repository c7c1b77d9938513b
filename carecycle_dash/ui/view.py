"""One run's view of the data, prepared by app.py and read by every page."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
import streamlit as st

from carecycle_dash.api.client import validate_customer_id
from carecycle_dash.api.config import Settings
from carecycle_dash.api.errors import InvalidInputError
from carecycle_dash.api.paging import describe_repairs
from carecycle_dash.api.safety import escape_markdown
from carecycle_dash.data.filters import CallFilters, apply_filters
from carecycle_dash.data.formatting import format_count
from carecycle_dash.ui import navigation, sidebar
from carecycle_dash.ui.auth import require_sign_in
from carecycle_dash.ui.loading import LoadedCalls, failure_message, is_cached, load_calls
from carecycle_dash.ui.privacy import Privacy, is_revealed, privacy_sidebar
from carecycle_dash.ui.settings import current_settings

_VIEW_STATE = "_view"
_NOTICES_STATE = "_notices"
_ENTRY_RAN_STATE = "_entry_ran"
Notice = tuple[str, str]  # (kind: "info" | "warning" | "error" | "caption", one line of text)


@dataclass(frozen=True)
class View:
    """Everything a page needs: who asked for what, all calls, and the calls that pass the filters.

    For a masked viewer `loaded` (and so `all_calls`, `filtered`, the raw calls) holds masked data only; the
    calls as sent stay in `_unmasked`, read solely by `revealed_call` for a call revealed with a reason.
    """

    settings: Settings
    inputs: sidebar.ViewInputs
    tz: str
    loaded: LoadedCalls
    filters: CallFilters
    filtered: pd.DataFrame
    privacy: Privacy
    _unmasked: LoadedCalls | None = field(default=None, repr=False)

    @property
    def all_calls(self) -> pd.DataFrame:
        return self.loaded.all_calls

    def revealed_call(self, call_id: str) -> tuple[dict[str, Any], pd.Series] | None:
        """(raw call, typed row) as sent, when this session revealed the call with a reason; else None."""
        if self._unmasked is None or not is_revealed(self.inputs.customer_id, call_id):
            return None
        row = self._unmasked.row_of(call_id)
        if row is None:
            return None
        return self._unmasked.result.calls[row], self._unmasked.all_calls.loc[row]

    def link_params(self, **extra: str) -> dict[str, str]:
        """Query parameters that reproduce this view on another page."""
        params = self.inputs.link_params()
        params.update(extra)
        return params


def viewer_timezone() -> str:
    """The browser's time zone when it sent a valid one, else UTC."""
    name = getattr(st.context, "timezone", None) or "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name


def _load_with_progress(settings: Settings, inputs: sidebar.ViewInputs) -> LoadedCalls:
    if not inputs.refresh and is_cached(settings, inputs.customer_id, inputs.sort_by, inputs.order):
        return load_calls(settings, inputs.customer_id, inputs.sort_by, inputs.order)
    bar = st.progress(0.0, text="Loading calls…")

    def on_progress(done: int, total: int) -> None:
        bar.progress(min(done / max(total, 1), 1.0), text=f"Loading calls: page {done:,} of {total:,}")

    try:
        return load_calls(
            settings, inputs.customer_id, inputs.sort_by, inputs.order, refresh=inputs.refresh, on_progress=on_progress
        )
    finally:
        bar.empty()


def prepare_view() -> None:
    """Draw the sidebar, load the calls and apply the filters, for the page to read with `open_page`.

    Failures become one-line notices that the page shows under its title; never a traceback.
    """
    settings = current_settings()
    notices: list[Notice] = []
    st.session_state[_ENTRY_RAN_STATE] = True
    st.session_state[_VIEW_STATE] = None
    st.session_state[_NOTICES_STATE] = notices
    navigation.sidebar_links()
    sidebar.data_source(settings)
    privacy = privacy_sidebar()
    notices += [("warning", text) for text in sidebar.adopt_link_once(sidebar.default_customer(settings))]
    inputs = sidebar.view_inputs(settings)
    sidebar.write_link(inputs, call_id=st.query_params.get("call_id"))
    if not inputs.customer_id:
        notices.append(("info", "Enter a customer ID in the sidebar to see that customer's calls."))
        return
    try:
        validate_customer_id(inputs.customer_id)
    except InvalidInputError as exc:
        notices.append(("error", exc.message))
        return
    try:
        loaded = _load_with_progress(settings, inputs)
    except Exception as exc:  # every failure becomes one line in the page
        notices.append(("error", failure_message(exc)))
        return
    notices += _repair_notices(loaded)
    sidebar.loaded_caption(loaded.loaded_at, len(loaded.all_calls), loaded.result.pages)
    if loaded.all_calls.empty:
        notices.append(
            ("info", "This customer has no calls yet. When their assistants make or take calls, they will appear here.")
        )
        return
    tz = viewer_timezone()
    data_key = (loaded.base_url, inputs.customer_id, inputs.sort_by, inputs.order)
    shown = _masked(loaded) if privacy.masked else loaded
    chosen = sidebar.filters(shown.filter_options(tz), tz, data_key)
    st.session_state[_VIEW_STATE] = View(
        settings,
        inputs,
        tz,
        shown,
        chosen,
        apply_filters(shown.all_calls, chosen, keep_text=False),
        privacy,
        loaded if privacy.masked else None,
    )


def _masked(loaded: LoadedCalls) -> LoadedCalls:
    """The masked calls: instant once computed for this dataset, a spinner the first time."""
    with st.spinner("Masking personal data…", show_time=True):
        return loaded.masked()


def _repair_notices(loaded: LoadedCalls) -> list[Notice]:
    notices: list[Notice] = []
    if loaded.result.repairs.any:
        notices.append(
            (
                "caption",
                f"Calls changed while loading, so the table was checked and mended to hold each of the "
                f"{format_count(len(loaded.all_calls))} calls exactly once "
                f"({describe_repairs(loaded.result.repairs)}).",
            )
        )
    cleaned = {column: count for column, count in loaded.frame.cleaned.items() if count}
    if cleaned:
        detail = ", ".join(f"{count:,} {column}" for column, count in cleaned.items())
        notices.append(("caption", f"Some values from the API were impossible and are shown as missing: {detail}."))
    return notices


def configure_page() -> None:
    """What every run does first: the browser tab's title and layout, then the sign-in gate."""
    st.set_page_config(page_title="CareCycle Calls", page_icon=":material/support_agent:", layout="wide")
    require_sign_in()


def open_page(title: str) -> View:
    """Draw the page's title and notices and return the view; stop the page when there is no data to show.

    Normally app.py has already run `configure_page` and `prepare_view` in this run. A page script can also
    run alone (a deep link on a fresh server, where Streamlit serves `pages/` itself until the first
    `st.navigation` call, or AppTest after `switch_page`): then it does both itself, so the sign-in gate
    and the sidebar always come first.
    """
    if not st.session_state.pop(_ENTRY_RAN_STATE, False):
        configure_page()
        prepare_view()
        st.session_state.pop(_ENTRY_RAN_STATE, None)
    st.title(title)
    for kind, text in st.session_state.get(_NOTICES_STATE, []):
        getattr(st, kind)(escape_markdown(text))
    view = st.session_state.get(_VIEW_STATE)
    if view is None:
        st.stop()
    return view
