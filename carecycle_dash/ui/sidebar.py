"""The sidebar: where the data comes from, which customer and order, and the filters.

The customer, sort field and order live in the address (`?customer_id=..&sort_by=..&order=..`) so that
a link reproduces the view; the key never does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import streamlit as st

from carecycle_dash.api.config import Settings
from carecycle_dash.api.contract import (
    DEFAULT_SORT_FIELD,
    DEFAULT_SORT_ORDER,
    SORT_FIELDS,
    SORT_ORDERS,
    SortField,
    SortOrder,
)
from carecycle_dash.data.filters import CallFilters, FilterOptions
from carecycle_dash.data.patterns import WEEKDAYS
from carecycle_dash.simulator import DEFAULT_DEMO_CUSTOMER_ID, DEMO_CUSTOMERS
from carecycle_dash.ui.navigation import VIEW_PARAMS, cell_from_params, cell_params, sync_address
from carecycle_dash.ui.settings import TYPED_KEY_STATE, source_label
from carecycle_dash.ui.state import forget, keep, kept, kept_value, set_kept

SORT_LABELS: dict[str, str] = {"createdAt": "Time", "disposition": "Disposition", "duration": "Duration"}
ORDER_LABELS: dict[str, str] = {"desc": "Descending", "asc": "Ascending"}
_URL_ADOPTED = "_url_adopted"
_FILTERS_FOR = "_filters_for"
CELL_KEY = "f_cell"
"""The kept heatmap cell: (weekday 0 = Monday, hour) or None."""
_FILTER_KEYS = (
    "f_dates",
    "f_dispositions",
    "f_directions",
    "f_campaigns",
    "f_assistants",
    "f_text",
    "f_tests",
    CELL_KEY,
)


@dataclass(frozen=True)
class ViewInputs:
    """What the person asked for: customer, order, and whether to reload."""

    customer_id: str
    sort_by: SortField
    order: SortOrder
    refresh: bool

    def link_params(self) -> dict[str, str]:
        """The address parameters that reproduce this choice (never the key)."""
        return dict(zip(VIEW_PARAMS, (self.customer_id, self.sort_by, self.order), strict=True))


def adopt_link_once(default_customer: str) -> list[str]:
    """On a session's first run, take customer, sort and order from the address; return warnings."""
    if st.session_state.get(_URL_ADOPTED):
        return []
    params = st.query_params
    warnings = []
    set_kept("customer_id", params.get("customer_id", default_customer).strip())
    sort_by = params.get("sort_by", DEFAULT_SORT_FIELD)
    if sort_by not in SORT_FIELDS:
        warnings.append(f"The link's sort field is not one of {', '.join(SORT_FIELDS)}; sorting by time instead.")
        sort_by = DEFAULT_SORT_FIELD
    order = params.get("order", DEFAULT_SORT_ORDER)
    if order not in SORT_ORDERS:
        warnings.append("The link's order is not asc or desc; using descending instead.")
        order = DEFAULT_SORT_ORDER
    set_kept("sort_by", sort_by)
    set_kept("order", order)
    cell, warning = cell_from_params(params)
    set_kept(CELL_KEY, cell)
    warnings += [warning] if warning else []
    st.session_state[_URL_ADOPTED] = True
    return warnings


def write_link(inputs: ViewInputs, **extra: str | None) -> None:
    """Keep the address in step with the inputs and the kept filters."""
    sync_address({**inputs.link_params(), **cell_params(kept_cell()), **extra})


def kept_cell() -> tuple[int, int] | None:
    """The heatmap cell the view is narrowed to, if any."""
    cell = kept_value(CELL_KEY)
    return (int(cell[0]), int(cell[1])) if isinstance(cell, tuple | list) and len(cell) == 2 else None


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
            format_func=lambda name: f"{name} ({DEMO_CUSTOMERS[name][:8]}…)",
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
    refresh = sidebar.button("Reload from the API", icon=":material/refresh:", use_container_width=True)
    return ViewInputs(
        customer_id=str(kept_value("customer_id") or "").strip(),
        sort_by=st.session_state["sort_by"],
        order=st.session_state["order"],
        refresh=refresh,
    )


def loaded_caption(loaded_at: datetime, calls: int, pages: int) -> None:
    """How fresh the data is, so nobody mistakes a cached table for a live one."""
    st.sidebar.caption(f"Loaded {calls:,} calls ({pages:,} pages) at {loaded_at:%H:%M} UTC. Reload for newer calls.")


def _reset_filters_when_data_changes(data_key: tuple[str, ...]) -> None:
    """Other calls, other choices: start over. The session's first calls keep the filters its link gave."""
    if _FILTERS_FOR not in st.session_state:
        st.session_state[_FILTERS_FOR] = data_key
    elif st.session_state[_FILTERS_FOR] != data_key:
        for key in _FILTER_KEYS:
            forget(key)
        st.session_state[_FILTERS_FOR] = data_key


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


def filters(options: FilterOptions, tz: str, data_key: tuple[str, ...]) -> CallFilters:
    """The filter widgets, with the choices the loaded calls offer."""
    _reset_filters_when_data_changes(data_key)
    sidebar = st.sidebar
    sidebar.divider()
    sidebar.subheader("Filters")
    start = end = None
    if options.first_day and options.last_day:
        chosen = sidebar.date_input(
            "Date range",
            min_value=options.first_day,
            max_value=options.last_day,
            key=kept("f_dates", (options.first_day, options.last_day)),
            on_change=keep,
            args=("f_dates",),
        )
        start, end = _date_range(chosen, options)

    def choose(label: str, choices: tuple[str, ...], key: str) -> list[str]:
        return sidebar.multiselect(label, choices, key=kept(key, []), on_change=keep, args=(key,))

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
