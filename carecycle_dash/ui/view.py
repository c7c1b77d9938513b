"""One run's view of the data, prepared by app.py and read by every page."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
import streamlit as st

from carecycle_dash.api.config import Settings
from carecycle_dash.api.contract import MAX_LIMIT
from carecycle_dash.api.errors import InvalidInputError
from carecycle_dash.api.messages import describe_repairs
from carecycle_dash.api.paging import pages_for
from carecycle_dash.api.validation import validate_customer_id
from carecycle_dash.data.callers import is_caller_token
from carecycle_dash.data.dates import local_midnight, since_day
from carecycle_dash.data.filters import CallFilters, FilterOptions
from carecycle_dash.data.formatting import plural
from carecycle_dash.data.frame import time_zone
from carecycle_dash.data.ordering import in_rank_order
from carecycle_dash.data.signals import signal_mask
from carecycle_dash.text.safety import escape_markdown
from carecycle_dash.ui import link, navigation, sidebar
from carecycle_dash.ui.auth import require_sign_in
from carecycle_dash.ui.choices import REFRESH_MINUTES, ViewInputs
from carecycle_dash.ui.loading import (
    LoadedCalls,
    Reload,
    failure_message,
    held_calls,
    latest_loaded_at,
    load_calls,
    store_caption,
)
from carecycle_dash.ui.partial import WAITING, PartialPreview, clear_stale_page
from carecycle_dash.ui.privacy import Privacy, is_revealed, privacy_sidebar
from carecycle_dash.ui.settings import current_settings

_VIEW_STATE = "_view"
_NOTICES_STATE = "_notices"
_ENTRY_RAN_STATE = "_entry_ran"
_STOPPED_STATE = "_stopped_waiting"
T = TypeVar("T")
Notice = tuple[str, str]  # (kind: "info" | "warning" | "error" | "caption", one line of text)


@dataclass(frozen=True)
class View:
    """Everything a page needs: who asked for what, all calls, and the calls that pass the filters.

    For a masked viewer `loaded` (and so `all_calls`, `filtered`, the raw calls) holds masked data only; the
    calls as sent stay in `_unmasked`, read solely by `revealed_call` for a call revealed with a reason.
    """

    settings: Settings
    inputs: ViewInputs
    tz: str
    loaded: LoadedCalls
    filters: CallFilters
    filtered: pd.DataFrame
    """The calls passing the filters (and `since`), in the order they were loaded (newest first)."""
    sorted_rows: pd.Index
    """The row labels of `filtered` in the sidebar's sort order: what tables and neighbours follow."""
    privacy: Privacy
    """Whether this viewer sees personal data masked (then `loaded` holds the masked calls only)."""
    since: date | None = None
    """The first day of calls this view shows (None: every call)."""
    in_scope: int = 0
    """How many loaded calls are on or after `since`: the "of N calls" of this view."""
    filter_params: dict[str, navigation.ParamValue] = field(default_factory=dict)
    _unmasked: LoadedCalls | None = field(default=None, repr=False)

    @property
    def all_calls(self) -> pd.DataFrame:
        """Every loaded call (some may be older than `since` when the store reaches further back)."""
        return self.loaded.all_calls

    def held_for_download(self) -> Callable[[], LoadedCalls]:
        """This view's calls for a download built when clicked, held weakly: Streamlit keeps a page's download
        callables until its session ends (two minutes after the tab closes), and holding the calls there would
        keep a customer the store has dropped in memory, past CARECYCLE_CACHE_MAX_MB."""
        ref = weakref.ref(self.loaded)

        def held() -> LoadedCalls:
            loaded = ref()
            if loaded is None:
                raise LookupError("these calls are no longer held; open the page again to download them")
            return loaded

        return held

    def revealed_call(self, call_id: str) -> tuple[dict[str, Any], pd.Series] | None:
        """(raw call, typed row) as sent, when this session revealed the call with a reason; else None."""
        if self._unmasked is None or not is_revealed(self.inputs.customer_id, call_id):
            return None
        row = self._unmasked.row_of(call_id)
        if row is None:
            return None
        return self._unmasked.result.calls[row], self._unmasked.all_calls.loc[row]

    def derived(self, name: str, compute: Callable[[], T], *extra: Hashable) -> T:
        """`compute()`, what this view's calls give (a figure, a summary), once per data, filters, time zone and
        `extra` for every session that holds the same calls (LoadedCalls.remember); `filtered` is a function
        of the first three, so a result keyed so is the same whoever asks."""
        return self.loaded.remember((name, self.filters, self.tz, *extra), compute)

    def rows_showing(self, signals: Sequence[str]) -> pd.Index:
        """`sorted_rows` narrowed to the calls that show every one of these signals (labels or columns)."""
        if not signals:
            return self.sorted_rows
        shows = pd.Series(signal_mask(self.filtered, signals), index=self.filtered.index)
        return self.sorted_rows[shows.loc[self.sorted_rows].to_numpy()]

    def link_params(self, **extra: navigation.ParamValue) -> dict[str, navigation.ParamValue]:
        """Query parameters that reproduce this view (customer, order and filters) on another page."""
        params: dict[str, navigation.ParamValue] = {**self.inputs.link_params(), **self.filter_params}
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


def since_instant(day: date | None, tz: str) -> datetime | None:
    """The first instant of `day` in the viewer's time zone, in UTC (None stays None)."""
    return None if day is None else local_midnight(day, tz).to_pydatetime()


def _reload_kind(inputs: ViewInputs) -> Reload:
    return "full" if inputs.full_reload else "incremental" if inputs.refresh else "none"


def _load_with_progress(
    settings: Settings, inputs: ViewInputs, since_at: datetime | None, tz: str, notices: list[Notice]
) -> LoadedCalls | None:
    """The calls, from the store or after a wait with a progress bar and a way to stop waiting (None then); a
    first load clears the previous page and shows the figures of the calls so far."""
    reload = _reload_kind(inputs)
    waiting_for = (inputs.customer_id, inputs.since)
    if reload != "none":
        st.session_state.pop(_STOPPED_STATE, None)
    elif (held := held_calls(settings, inputs.customer_id, since_at)) is not None:
        return held
    stopped = ("info", "You stopped waiting for these calls. Choose Reload from the API to load them.")
    if st.session_state.get(_STOPPED_STATE) == waiting_for:
        notices.append(stopped)
        return None
    slot = st.empty()
    with slot.container():
        if st.button("Stop waiting", icon=":material/cancel:", type="tertiary", key="_stop_waiting"):
            st.session_state[_STOPPED_STATE] = waiting_for
            notices.append(stopped)
            slot.empty()
            return None
        what = "Reading the newest calls" if reload == "incremental" else "Loading calls"
        bar = st.progress(0.0, text=f"{what}…" if reload != "none" else WAITING)
        preview = PartialPreview(st.empty(), tz) if reload == "none" else None
        if preview is not None:
            clear_stale_page()

    def on_progress(done: int, total: int) -> None:
        if total == 0:
            bar.progress(0.0, text=WAITING)
            return
        bar.progress(min(done / max(total, 1), 1.0), text=f"{what}: page {done:,} of {max(total, done):,}")

    try:
        return load_calls(
            settings, inputs.customer_id, since=since_at, reload=reload, on_progress=on_progress, on_preview=preview
        )
    finally:
        slot.empty()


def _tick(settings: Settings, customer_id: str, since_at: datetime | None, minutes: int, shown_at: datetime) -> None:
    """One auto-refresh check: redraw the page when newer calls are in the store, reload the newest pages
    when the calls shown are `minutes` old, else say what it does."""
    newest = latest_loaded_at(settings, customer_id)
    if newest is not None and newest > shown_at:
        st.rerun()
    if datetime.now(UTC) - shown_at < timedelta(minutes=minutes, seconds=-10):
        st.caption(f"Auto-refresh {REFRESH_MINUTES[minutes].lower()}: reads only the newest calls.")
        return
    text = "Checking for new calls…"
    bar = st.progress(0.0, text=text)
    try:
        loaded = load_calls(
            settings,
            customer_id,
            since=since_at,
            reload="incremental",
            on_progress=lambda done, total: bar.progress(min(done / max(total, 1), 1.0), text=text),
        )
    except Exception as exc:  # one line; the next tick tries again
        bar.empty()
        st.caption(escape_markdown(f"Auto-refresh could not reload: {failure_message(exc)}"))
        return
    bar.empty()
    if loaded.loaded_at > shown_at:
        st.rerun()


_TICKERS = {minutes: st.fragment(run_every=timedelta(minutes=minutes))(_tick) for minutes in (1, 5, 15)}


def auto_refresh(settings: Settings, inputs: ViewInputs, since_at: datetime | None, loaded: LoadedCalls) -> None:
    """The opt-in auto-refresh: a fragment in the sidebar that reloads the newest pages on a timer, so the
    page stays in use meanwhile and is redrawn only when newer calls arrived."""
    ticker = _TICKERS.get(inputs.auto_refresh)
    if ticker is not None:
        with st.sidebar:
            ticker(settings, inputs.customer_id, since_at, inputs.auto_refresh, loaded.loaded_at)


def _since_options(options: FilterOptions, since: date | None) -> FilterOptions:
    """The date-range filter never reaches before `since`."""
    if since is None or options.first_day is None or options.last_day is None:
        return options
    if options.last_day < since:
        return replace(options, first_day=None, last_day=None)
    return replace(options, first_day=max(options.first_day, since))


def prepare_view() -> None:
    """Draw the sidebar, load the calls and apply the filters, for the page to read with `open_page`.

    Failures become one-line notices that the page shows under its title; never a traceback.
    """
    settings = current_settings()
    notices: list[Notice] = []
    st.session_state[_ENTRY_RAN_STATE] = True
    st.session_state[_VIEW_STATE] = None
    st.session_state[_NOTICES_STATE] = notices
    links = st.sidebar.container()
    sidebar.data_source(settings)
    privacy = privacy_sidebar()
    notices += [("warning", text) for text in link.adopt_link_once(sidebar.default_customer(settings))]
    inputs = sidebar.view_inputs(settings)
    page_params: dict[str, navigation.ParamValue | None] = {**navigation.address_params(navigation.PAGE_PARAMS)}
    notices += _drop_typed_number(page_params, privacy)
    # Until the calls are loaded, the link's filters wait unapplied and stay in the address.
    navigation.sync_address({**inputs.link_params(), **page_params, **link.link_filters()})
    try:
        scope = _load_scope(settings, inputs, notices)
        if scope is None:
            return
        view = _filtered_view(settings, inputs, scope, privacy, notices)
        navigation.sync_address({**inputs.link_params(), **page_params, **view.filter_params})
        st.session_state[_VIEW_STATE] = view
    finally:
        navigation.sidebar_links(links)


def _drop_typed_number(page_params: dict[str, navigation.ParamValue | None], privacy: Privacy) -> list[Notice]:
    """A masked viewer follows the app's caller tokens only: a phone number typed into the address is not
    looked up (that would tell whose calls it names) and is taken out of the address and every link."""
    given = page_params.get(navigation.CALLER_PARAM)
    if not privacy.masked or not isinstance(given, str) or not given or is_caller_token(given):
        return []
    page_params[navigation.CALLER_PARAM] = None
    st.query_params.pop(navigation.CALLER_PARAM, None)
    return [("warning", "Personal data is masked, so a phone number in the address is not looked up.")]


@dataclass(frozen=True)
class _Scope:
    """The calls loaded for a view, before any filter: the viewer's zone, the first day and instant of `since`
    (None: every call), and how many loaded calls are on or after it."""

    tz: str
    since: date | None
    since_at: datetime | None
    loaded: LoadedCalls
    in_scope: int


def _load_scope(settings: Settings, inputs: ViewInputs, notices: list[Notice]) -> _Scope | None:
    """The customer's calls since the chosen day, with the sidebar's caption and auto-refresh; None (and a notice
    why) when there is nothing to filter: no or a malformed customer, a failed or stopped load, no calls."""
    if not inputs.customer_id:
        notices.append(("info", "Enter a customer ID in the sidebar to see that customer's calls."))
        return None
    try:
        validate_customer_id(inputs.customer_id)
    except InvalidInputError as exc:
        notices.append(("error", exc.message))
        return None
    tz = viewer_timezone()
    try:
        since = since_day(inputs.since, datetime.now(time_zone(tz)).date())
    except ValueError:
        since = None
    since_at = since_instant(since, tz)
    try:
        loaded = _load_with_progress(settings, inputs, since_at, tz, notices)
    except Exception as exc:  # every failure becomes one line in the page
        notices.append(("error", failure_message(exc)))
        return None
    if loaded is None:
        return None
    notices += _repair_notices(loaded) + _reload_notices(loaded, inputs)
    in_scope = loaded.count_since(since_at)
    pages = loaded.result.pages if since is None else pages_for(in_scope, MAX_LIMIT)
    sidebar.loaded_caption(loaded.loaded_at, in_scope, pages, since)
    if (kept := store_caption(loaded)) is not None:
        st.sidebar.caption(escape_markdown(kept))
    auto_refresh(settings, inputs, since_at, loaded)
    if in_scope == 0:
        when = f"since {since:%Y-%m-%d}" if since is not None else "yet"
        notices.append(
            (
                "info",
                f"This customer has no calls {when}. When their assistants make or take calls, they will appear here.",
            )
        )
        return None
    return _Scope(tz, since, since_at, loaded, in_scope)


def _filtered_view(
    settings: Settings, inputs: ViewInputs, scope: _Scope, privacy: Privacy, notices: list[Notice]
) -> View:
    """The link's filters applied and the filter widgets drawn over the loaded calls (masked for a masked
    viewer); the calls that pass them, in the sidebar's order."""
    data_key = (scope.loaded.base_url, inputs.customer_id, inputs.since)
    shown = _masked(scope.loaded) if privacy.masked else scope.loaded
    options = _since_options(shown.filter_options(scope.tz), scope.since)
    notices += [("warning", text) for text in link.adopt_link_filters(options, data_key)]
    chosen = sidebar.filters(options, scope.tz, data_key)
    filter_params = navigation.filter_params(chosen, options, dates_chosen=sidebar.dates_chosen())
    if scope.since is not None:
        chosen = replace(chosen, start=max(chosen.start or scope.since, scope.since))
    filtered = shown.filtered(chosen)
    sorted_rows = in_rank_order(filtered.index, shown.rank(inputs.sort_by, inputs.order))
    return View(
        settings,
        inputs,
        scope.tz,
        shown,
        chosen,
        filtered,
        sorted_rows,
        privacy,
        scope.since,
        scope.in_scope,
        filter_params,
        scope.loaded if privacy.masked else None,
    )


def _reload_notices(loaded: LoadedCalls, inputs: ViewInputs) -> list[Notice]:
    """What a Reload did, in one line: read only the newest pages, or fell back to a full load and why."""
    result = loaded.result
    if result.fallback:
        text = (
            f"Reload read the newest pages, but the count did not add up ({result.fallback}), "
            "so every call was loaded again."
        )
        return [("caption", text)]
    if inputs.refresh and result.how == "reload":
        text = (
            f"Reloaded: read only the newest calls ({plural(result.requests, 'request')}); "
            f"{plural(len(loaded.all_calls), 'call')} loaded."
        )
        return [("caption", text)]
    return []


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
                f"{plural(len(loaded.all_calls), 'call')} exactly once "
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
    # Taken, not read: the filtered calls live for this run only, so an idle session holds no copy of them
    # (30 MB at 100,000 calls; benchmarks/hosting.py).
    view = st.session_state.pop(_VIEW_STATE, None)
    if view is None:
        st.stop()
    return view
