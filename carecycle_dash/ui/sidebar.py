"""The sidebar's widgets: where the data comes from, which customer and order, how far back, and the filters.

Each widget holds a kept value (ui/state.py), so a choice survives a page switch; link.py sets those values
from a link before the widgets are drawn, and navigation.py writes the address from what they return.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Final

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from carecycle_dash.api.config import Settings
from carecycle_dash.api.contract import DEFAULT_SORT_FIELD, DEFAULT_SORT_ORDER, SORT_FIELDS, SORT_ORDERS
from carecycle_dash.data.filters import CallFilters, FilterOptions
from carecycle_dash.data.formatting import plural, short_id
from carecycle_dash.data.patterns import WEEKDAYS
from carecycle_dash.data.periods import PRESETS, default_range, matching_preset, preset_range
from carecycle_dash.simulator import DEFAULT_DEMO_CUSTOMER_ID, DEMO_CUSTOMERS
from carecycle_dash.ui.choices import (
    CELL_KEY,
    DATES_CHOSEN_KEY,
    REFRESH_MINUTES,
    SINCE_DATE,
    SINCE_SPANS,
    ViewInputs,
    kept_cell,
    reset_filters_when_data_changes,
)
from carecycle_dash.ui.review_store import reviewer_name_input
from carecycle_dash.ui.settings import TYPED_KEY_STATE, source_label
from carecycle_dash.ui.state import keep, kept, kept_value, set_kept

SORT_LABELS: dict[str, str] = {"createdAt": "Time", "disposition": "Disposition", "duration": "Duration"}
ORDER_LABELS: dict[str, str] = {"desc": "Descending", "asc": "Ascending"}
_DATES_SPAN = "_dates_span"
_SINCE_LABELS: Final = {**SINCE_SPANS, SINCE_DATE: "Since a date…"}


def _accept_typed_key() -> None:
    typed = st.session_state.get("_key_input", "").strip()
    st.session_state["_key_input"] = ""
    if typed:
        st.session_state[TYPED_KEY_STATE] = typed


def _forget_typed_key() -> None:
    st.session_state.pop(TYPED_KEY_STATE, None)


def _pick_demo_customer() -> None:
    keep("_demo_customer")
    if name := st.session_state["_demo_customer"]:
        set_kept("customer_id", DEMO_CUSTOMERS[name])


def data_source(settings: Settings) -> None:
    """Where the data comes from, and a place to enter a key when none is configured."""
    if settings.is_demo:
        st.sidebar.info(
            f"**Demo mode.** {source_label(settings)}: fictional calls, no real patients.", icon=":material/science:"
        )
    else:
        st.sidebar.success(source_label(settings), icon=":material/lock:")
    if settings.source in ("demo", "session"):
        with st.sidebar.expander("Use your own API key", expanded=False):
            if settings.source == "session":
                st.caption("A key entered here is kept only in this browser session.")
                st.button("Forget the key", on_click=_forget_typed_key, use_container_width=True)
            else:
                with st.form("api_key_form", clear_on_submit=False, border=False):
                    st.text_input("API key", type="password", key="_key_input", placeholder="cc_…")
                    st.form_submit_button("Use this key", on_click=_accept_typed_key)


def view_inputs(settings: Settings) -> ViewInputs:
    """Customer, sort field, order and refresh, from the sidebar."""
    sidebar = st.sidebar
    if settings.is_demo:
        names = list(DEMO_CUSTOMERS)
        current = next((n for n, cid in DEMO_CUSTOMERS.items() if cid == kept_value("customer_id")), None)
        set_kept("_demo_customer", current)
        sidebar.selectbox(
            "Demo customer",
            names,
            key=kept("_demo_customer", None),
            on_change=_pick_demo_customer,
            format_func=lambda name: f"{name} ({short_id(DEMO_CUSTOMERS[name])})",
            placeholder="Pick a demo customer",
        )
    sidebar.text_input(
        "Customer ID",
        key=kept("customer_id", ""),
        on_change=keep,
        args=("customer_id",),
        placeholder="a UUID such as 497f6eca-6276-…",
    )
    col_sort, col_order = sidebar.columns(2)
    col_sort.selectbox(
        "Sort by",
        SORT_FIELDS,
        key=kept("sort_by", DEFAULT_SORT_FIELD),
        on_change=keep,
        args=("sort_by",),
        format_func=SORT_LABELS.__getitem__,
    )
    col_order.selectbox(
        "Order",
        SORT_ORDERS,
        key=kept("order", DEFAULT_SORT_ORDER),
        on_change=keep,
        args=("order",),
        format_func=ORDER_LABELS.__getitem__,
    )
    since = _since_choice(sidebar)
    refresh = sidebar.button(
        "Reload from the API",
        icon=":material/refresh:",
        use_container_width=True,
        help="Reads only the newest calls again (and those of the last day, which may still change)",
    )
    full_reload = sidebar.button(
        "Reload every call", type="tertiary", icon=":material/sync:", help="Loads every call again, not just the newest"
    )
    auto_refresh = sidebar.selectbox(
        "Auto-refresh",
        tuple(REFRESH_MINUTES),
        key=kept("auto_refresh", 0),
        on_change=keep,
        args=("auto_refresh",),
        format_func=REFRESH_MINUTES.__getitem__,
        help="Reloads the newest calls on a schedule, for a wall screen",
    )
    reviewer_name_input()
    return ViewInputs(
        customer_id=str(kept_value("customer_id") or "").strip(),
        sort_by=st.session_state["sort_by"],
        order=st.session_state["order"],
        refresh=refresh,
        full_reload=full_reload,
        since=since,
        auto_refresh=int(auto_refresh or 0),
    )


def _since_choice(sidebar: DeltaGenerator) -> str:
    """The "Load calls since" choice as a `since` token."""
    choice = sidebar.selectbox(
        "Load calls since",
        tuple(_SINCE_LABELS),
        key=kept("since_choice", ""),
        on_change=keep,
        args=("since_choice",),
        format_func=_SINCE_LABELS.__getitem__,
        help="Loads only calls from this day on: quicker for customers with many calls",
    )
    if choice != SINCE_DATE:
        return str(choice or "")
    today = date.today()
    day = sidebar.date_input(
        "Since",
        key=kept("since_date", today - timedelta(days=30)),
        on_change=keep,
        args=("since_date",),
        max_value=today,
        format="YYYY-MM-DD",
    )
    return day.isoformat() if isinstance(day, date) else ""


def loaded_caption(loaded_at: datetime, calls: int, pages: int, since: date | None = None) -> None:
    """How fresh the data is, so nobody mistakes a cached table for a live one."""
    span = f" since {since:%Y-%m-%d}" if since is not None else ""
    st.sidebar.caption(
        f"Loaded {plural(calls, 'call')}{span} ({plural(pages, 'page')}) at {loaded_at:%H:%M} UTC. "
        "Reload for newer calls."
    )


def _follow_the_span(default: tuple[date, date], span: tuple[date, date]) -> None:
    """A date range left at the default (the last days with calls) or at the whole span keeps being so when
    a reload brings newer days."""
    before = st.session_state.get(_DATES_SPAN)
    chosen = tuple(kept_value("f_dates", ()) or ())
    if before is not None and before != (default, span):
        moved = next((now for was, now in zip(before, (default, span), strict=True) if chosen == was), None)
        if moved is not None:
            set_kept("f_dates", moved)
    st.session_state[_DATES_SPAN] = (default, span)


def _date_range(value: object, options: FilterOptions) -> tuple[date | None, date | None]:
    """The chosen days; the whole span means no restriction, so calls without a time stay in view."""
    start: date | None = None
    end: date | None = None
    if isinstance(value, tuple | list):
        start = value[0] if len(value) > 0 else None
        end = value[1] if len(value) > 1 else None
    elif isinstance(value, date):
        start = end = value
    if start is not None and start <= options.first_day:
        start = None
    if end is not None and end >= options.last_day:
        end = None
    return start, end


def _pick_preset(options: FilterOptions) -> None:
    preset = st.session_state.get("f_preset")
    if preset and options.first_day and options.last_day:
        set_kept("f_dates", preset_range(preset, options.first_day, options.last_day))
        set_kept(DATES_CHOSEN_KEY, True)


def _pick_dates() -> None:
    keep("f_dates")
    set_kept(DATES_CHOSEN_KEY, True)


def dates_chosen() -> bool:
    """Whether the days were chosen rather than left at the default (the last days with calls)."""
    return bool(kept_value(DATES_CHOSEN_KEY))


def _date_filter(options: FilterOptions) -> tuple[date | None, date | None]:
    """Quick ranges above the date range, opening on the default (the last days with calls, the period Needs
    attention watches); the quick range matching the chosen days shows as chosen."""
    if not (options.first_day and options.last_day):
        return None, None
    sidebar = st.sidebar
    whole = (options.first_day, options.last_day)
    default = default_range(*whole)
    _follow_the_span(default, whole)
    current = kept_value("f_dates", default)
    days = tuple(current) if isinstance(current, tuple | list) and len(current) == 2 else default
    st.session_state["f_preset"] = matching_preset(days, *whole)  # type: ignore[arg-type]
    sidebar.pills(
        "Quick range",
        PRESETS,
        key="f_preset",
        on_change=_pick_preset,
        args=(options,),
        label_visibility="collapsed",
        help="Each ends on the last day with calls; a page opens on the last 7 days.",
    )
    chosen = sidebar.date_input(
        "Date range",
        min_value=options.first_day,
        max_value=options.last_day,
        key=kept("f_dates", default),
        on_change=_pick_dates,
    )
    return _date_range(chosen, options)


def filters(options: FilterOptions, tz: str, data_key: tuple[str, ...]) -> CallFilters:
    """The filter widgets, with the choices the loaded calls offer."""
    reset_filters_when_data_changes(data_key)
    sidebar = st.sidebar
    sidebar.divider()
    sidebar.subheader("Filters")
    start, end = _date_filter(options)

    def choose(label: str, choices: tuple[str, ...], key: str) -> list[str]:
        shown = short_id if key in ("f_campaigns", "f_assistants") else str
        return sidebar.multiselect(label, choices, format_func=shown, key=kept(key, []), on_change=keep, args=(key,))

    dispositions = choose("Dispositions", options.dispositions, "f_dispositions")
    directions = choose("Direction", options.directions, "f_directions")
    campaigns = choose("Campaign", options.campaigns, "f_campaigns")
    assistants = choose("Assistant type", options.assistant_types, "f_assistants")
    text = sidebar.text_input(
        "Search transcripts and summaries",
        key=kept("f_text", ""),
        on_change=keep,
        args=("f_text",),
        placeholder="e.g. refill",
    )
    include_tests = sidebar.toggle("Include test calls", key=kept("f_tests", False), on_change=keep, args=("f_tests",))
    cell = _cell_filter()
    return CallFilters(
        start=start,
        end=end,
        tz=tz,
        dispositions=tuple(dispositions),
        directions=tuple(directions),
        campaigns=tuple(campaigns),
        assistant_types=tuple(assistants),
        text=text.strip(),
        include_tests=include_tests,
        weekday=None if cell is None else cell[0],
        hour=None if cell is None else cell[1],
    )


def _cell_filter() -> tuple[int, int] | None:
    """The heatmap cell chosen on the Overview, shown with a way to clear it (there is no widget to pick it)."""
    cell = kept_cell()
    if cell is not None:
        weekday, hour = cell
        box = st.sidebar.container(border=True)
        box.markdown(f"**Hour of the week:** {WEEKDAYS[weekday]} {hour:02d}:00–{hour:02d}:59")
        box.button(
            "Clear the hour", icon=":material/close:", key="clear_cell", on_click=set_kept, args=(CELL_KEY, None)
        )
    return cell


def default_customer(settings: Settings) -> str:
    """A newcomer in demo mode sees the standard demo customer at once; live mode starts empty."""
    return DEFAULT_DEMO_CUSTOMER_ID if settings.is_demo else ""
