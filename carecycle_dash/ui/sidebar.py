"""The sidebar: where the data comes from, which customer and order, and the filters.

The customer, sort field and order live in the address (`?customer_id=..&sort_by=..&order=..`), and so do
how far back calls are loaded (`since=YYYY-MM-DD`, or `7d`, `30d`, `90d` for a span that moves with the
days), the auto-refresh interval (`refresh=1|5|15` minutes) and the filters (`start`, `end`,
`disposition`..., see navigation.FILTER_PARAMS), so that a link reproduces the view; the key never does.
A link is read once per session; from then on the widgets write the address.

Streamlit's `bind="query-params"` is not used: it names a parameter after its widget key and writes its own
forms (`tests=true`, a date range as one repeated key), a bound parameter cannot be written through
`st.query_params` (which navigation.sync_address, the one writer, does), and it offers no place for the
one-line warning a bad value deserves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

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
from carecycle_dash.data.periods import PRESETS, matching_preset, preset_range
from carecycle_dash.simulator import DEFAULT_DEMO_CUSTOMER_ID, DEMO_CUSTOMERS
from carecycle_dash.text.logs import one_line
from carecycle_dash.text.safety import shorten
from carecycle_dash.ui.navigation import (
    FILTER_PARAMS,
    VIEW_PARAMS,
    ParamValue,
    address_moved,
    address_params,
    cell_from_params,
    cell_params,
    sync_address,
)
from carecycle_dash.ui.review_store import reviewer_name_input
from carecycle_dash.ui.settings import TYPED_KEY_STATE, source_label
from carecycle_dash.ui.state import forget, keep, kept, kept_value, set_kept

SORT_LABELS: dict[str, str] = {"createdAt": "Time", "disposition": "Disposition", "duration": "Duration"}
ORDER_LABELS: dict[str, str] = {"desc": "Descending", "asc": "Ascending"}
_URL_ADOPTED = "_url_adopted"
_LINK_FILTERS = "_link_filters"
_FILTERS_FOR = "_filters_for"
_DATES_SPAN = "_dates_span"
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
SINCE_SPANS: Final[dict[str, str]] = {
    "": "All calls",
    "7d": "Last 7 days",
    "30d": "Last 30 days",
    "90d": "Last 90 days",
}
_SINCE_DATE = "date"
_SINCE_LABELS: Final = {**SINCE_SPANS, _SINCE_DATE: "Since a date…"}
_SINCE_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
REFRESH_MINUTES: Final[dict[int, str]] = {0: "Off", 1: "Every minute", 5: "Every 5 minutes", 15: "Every 15 minutes"}

_CHOICE_PARAMS = (
    ("disposition", "f_dispositions", "dispositions", "disposition"),
    ("direction", "f_directions", "directions", "direction"),
    ("campaign", "f_campaigns", "campaigns", "campaign"),
    ("assistant", "f_assistants", "assistant_types", "assistant type"),
)
"""(address parameter, widget key, FilterOptions field, how a warning names it) of each multi-choice filter."""
MAX_SEARCH_CHARS = 200


def since_day(token: str, today: date) -> date | None:
    """The first day a `since` choice loads: "" is every call, "7d" the 7 days before today and today, a
    YYYY-MM-DD that day (never later than today). Raises ValueError for anything else."""
    if not token:
        return None
    if token in SINCE_SPANS:
        return today - timedelta(days=int(token[:-1]))
    if not _SINCE_DAY.fullmatch(token):
        raise ValueError(token)
    return min(date.fromisoformat(token), today)


@dataclass(frozen=True)
class ViewInputs:
    """What the person asked for: customer, order, how far back, whether to reload, how often to refresh."""

    customer_id: str
    sort_by: SortField
    order: SortOrder
    refresh: bool
    """Reload pressed: read the newest pages again."""
    full_reload: bool = False
    since: str = ""
    """"" for every call, "7d"/"30d"/"90d", or a day as YYYY-MM-DD (see `since_day`)."""
    auto_refresh: int = 0
    """Minutes between automatic reloads; 0 is off."""

    def link_params(self) -> dict[str, str]:
        """The address parameters that reproduce this choice (never the key)."""
        values = (self.customer_id, self.sort_by, self.order, self.since, str(self.auto_refresh or ""))
        return dict(zip(VIEW_PARAMS, values, strict=True))


def adopt_link_once(default_customer: str) -> list[str]:
    """Take customer, sort and order from the address, and keep its filters for `adopt_link_filters`: on a
    session's first run, and again whenever the address changed without the app (a link followed inside
    the app). Returns one warning line per bad value."""
    first = not st.session_state.get(_URL_ADOPTED)
    if not first and not address_moved():
        return []
    if not first:
        default_customer = str(kept_value("customer_id") or default_customer)
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
    warnings += _adopt_since(params.get("since", "").strip())
    refresh = params.get("refresh", "0").strip()
    if refresh not in {str(minutes) for minutes in REFRESH_MINUTES}:
        warnings.append("The link's refresh is not 1, 5 or 15 minutes; auto-refresh is off.")
        refresh = "0"
    set_kept("auto_refresh", int(refresh))
    st.session_state[_LINK_FILTERS] = address_params(FILTER_PARAMS)
    st.session_state[_URL_ADOPTED] = True
    return warnings


def _adopt_since(token: str) -> list[str]:
    today = date.today()
    try:
        day = since_day(token, today)
    except ValueError:
        set_kept("since_choice", "")
        return ["The link's since is not a date such as 2026-11-01 (or 7d, 30d, 90d); loading every call instead."]
    if token in SINCE_SPANS:
        set_kept("since_choice", token)
    elif day is not None:
        set_kept("since_choice", _SINCE_DATE)
        set_kept("since_date", day)
    return []


def link_filters() -> dict[str, ParamValue]:
    """The link's filter parameters not yet applied (they wait for the calls, to be checked against them)."""
    pending = st.session_state.get(_LINK_FILTERS)
    return dict(pending) if pending is not None else {}


def write_link(inputs: ViewInputs, **extra: ParamValue | None) -> None:
    """Keep the address in step with the inputs and these other parameters (filters, call)."""
    sync_address({**inputs.link_params(), **extra})


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
            format_func=lambda name: f"{name} ({shorten(DEMO_CUSTOMERS[name], 9)})",
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
    if choice != _SINCE_DATE:
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
        f"Loaded {calls:,} calls{span} ({pages:,} pages) at {loaded_at:%H:%M} UTC. Reload for newer calls."
    )


def _reset_filters_when_data_changes(data_key: tuple[str, ...]) -> None:
    """Other calls, other choices: start over. The session's first calls keep the filters its link gave."""
    if _FILTERS_FOR not in st.session_state:
        st.session_state[_FILTERS_FOR] = data_key
    elif st.session_state[_FILTERS_FOR] != data_key:
        for key in _FILTER_KEYS:
            forget(key)
        st.session_state[_FILTERS_FOR] = data_key


def _follow_the_span(span: tuple[date, date]) -> None:
    """A date range left at the whole span keeps being the whole span when a reload brings newer days."""
    before = st.session_state.get(_DATES_SPAN)
    if before is not None and before != span and tuple(kept_value("f_dates", ()) or ()) == before:
        set_kept("f_dates", span)
    st.session_state[_DATES_SPAN] = span


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


def adopt_link_filters(options: FilterOptions, data_key: tuple[str, ...]) -> list[str]:
    """Apply the link's filters once the calls they filter are loaded; one warning line per bad value
    (that filter then falls back to no restriction)."""
    _reset_filters_when_data_changes(data_key)
    params = st.session_state.pop(_LINK_FILTERS, None)
    if params is None:
        return []
    for key in _FILTER_KEYS:
        forget(key)
    warnings = _adopt_dates(params, options)
    for name, key, field, noun in _CHOICE_PARAMS:
        wanted = params.get(name)
        if not wanted:
            continue
        offered = getattr(options, field)
        values = wanted if isinstance(wanted, list) else [wanted]
        unknown = [v for v in values if v not in offered]
        if unknown:
            shown = one_line(", ".join(f'"{v}"' for v in unknown), limit=80)
            warnings.append(f"The link's {noun} {shown} is not among these calls; leaving it out.")
        set_kept(key, list(dict.fromkeys(v for v in values if v in offered)))
    if isinstance(text := params.get("q"), str):
        set_kept("f_text", text.strip()[:MAX_SEARCH_CHARS])
    if (tests := params.get("tests")) is not None:
        if tests in ("1", "0"):
            set_kept("f_tests", tests == "1")
        else:
            warnings.append("The link's tests value is not 1 or 0; test calls stay hidden.")
    cell, warning = cell_from_params({name: value for name, value in params.items() if isinstance(value, str)})
    set_kept(CELL_KEY, cell)
    warnings += [warning] if warning else []
    return warnings


def _adopt_dates(params: dict[str, ParamValue], options: FilterOptions) -> list[str]:
    first, last = options.first_day, options.last_day
    if first is None or last is None or not ({"start", "end"} & params.keys()):
        return []
    days: dict[str, date] = {}
    for name in ("start", "end"):
        raw = params.get(name)
        if raw is None:
            continue
        try:
            if not isinstance(raw, str) or len(raw) != 10:
                raise ValueError
            days[name] = date.fromisoformat(raw)
        except ValueError:
            return [f"The link's {name} is not a date like 2026-11-21; showing every day instead."]
    start, end = max(days.get("start", first), first), min(days.get("end", last), last)
    if start > end:
        return ["The link's dates hold none of these calls; showing every day instead."]
    set_kept("f_dates", (start, end))
    return []


def filter_link_params(chosen: CallFilters, options: FilterOptions) -> dict[str, ParamValue]:
    """The address parameters that reproduce these filters. A date range writes both ends, so a shared
    "until today" link still shows the sender's days when newer calls arrive."""
    params: dict[str, ParamValue] = {}
    if chosen.start is not None or chosen.end is not None:
        start, end = chosen.start or options.first_day, chosen.end or options.last_day
        params["start"], params["end"] = str(start), str(end)
    for name, values in (
        ("disposition", chosen.dispositions),
        ("direction", chosen.directions),
        ("campaign", chosen.campaigns),
        ("assistant", chosen.assistant_types),
    ):
        if values:
            params[name] = list(values)
    if chosen.text:
        params["q"] = chosen.text
    if chosen.include_tests:
        params["tests"] = "1"
    if chosen.weekday is not None and chosen.hour is not None:
        params.update(cell_params((chosen.weekday, chosen.hour)))  # type: ignore[arg-type]
    return params


def _pick_preset(options: FilterOptions) -> None:
    preset = st.session_state.get("f_preset")
    if preset and options.first_day and options.last_day:
        set_kept("f_dates", preset_range(preset, options.first_day, options.last_day))


def _date_filter(options: FilterOptions) -> tuple[date | None, date | None]:
    """Quick ranges above the date range; the quick range matching the chosen days shows as chosen."""
    if not (options.first_day and options.last_day):
        return None, None
    sidebar = st.sidebar
    whole = (options.first_day, options.last_day)
    _follow_the_span(whole)
    current = kept_value("f_dates", whole)
    days = tuple(current) if isinstance(current, tuple | list) and len(current) == 2 else whole
    st.session_state["f_preset"] = matching_preset(days, *whole)  # type: ignore[arg-type]
    sidebar.pills(
        "Quick range",
        PRESETS,
        key="f_preset",
        on_change=_pick_preset,
        args=(options,),
        label_visibility="collapsed",
        help="Each ends on the last day with calls.",
    )
    chosen = sidebar.date_input(
        "Date range",
        min_value=options.first_day,
        max_value=options.last_day,
        key=kept("f_dates", (options.first_day, options.last_day)),
        on_change=keep,
        args=("f_dates",),
    )
    return _date_range(chosen, options)


def filters(options: FilterOptions, tz: str, data_key: tuple[str, ...]) -> CallFilters:
    """The filter widgets, with the choices the loaded calls offer."""
    _reset_filters_when_data_changes(data_key)
    sidebar = st.sidebar
    sidebar.divider()
    sidebar.subheader("Filters")
    start, end = _date_filter(options)

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
