"""Reading a link: the address's parameters become the sidebar's kept choices.

The customer, sort field and order live in the address (`?customer_id=..&sort_by=..&order=..`), and so do
how far back calls are loaded (`since=YYYY-MM-DD`, or `7d`, `30d`, `90d` for a span that moves with the
days), the auto-refresh interval (`refresh=1|5|15` minutes) and the filters (`start`, `end`, `range=all`,
`disposition`..., see navigation.FILTER_PARAMS), so that a link reproduces the view; the key never does.
A link without dates opens on the last 7 days with calls (the period Needs attention watches).
A link is read on a session's first run, and again whenever the address changed without the app (a link
followed inside it); from then on the widgets hold the choices and navigation.py writes the address.
Each bad value gives one warning line and falls back to its default.

Streamlit's `bind="query-params"` is not used: it names a parameter after its widget key and writes its own
forms (`tests=true`, a date range as one repeated key), a bound parameter cannot be written through
`st.query_params` (which navigation.sync_address, the one writer, does), and it offers no place for the
one-line warning a bad value deserves.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from carecycle_dash.api.contract import DEFAULT_SORT_FIELD, DEFAULT_SORT_ORDER, SORT_FIELDS, SORT_ORDERS
from carecycle_dash.data.dates import parse_day, since_day
from carecycle_dash.data.filters import FilterOptions
from carecycle_dash.data.periods import ATTENTION_DAYS
from carecycle_dash.text.logs import one_line
from carecycle_dash.ui.choices import (
    CELL_KEY,
    DATES_CHOSEN_KEY,
    FILTER_KEYS,
    REFRESH_MINUTES,
    SINCE_DATE,
    SINCE_SPANS,
    reset_filters_when_data_changes,
)
from carecycle_dash.ui.navigation import (
    ALL_RANGE,
    CHOICE_FILTERS,
    FILTER_PARAMS,
    RANGE_PARAM,
    ParamValue,
    address_moved,
    address_params,
    cell_from_params,
)
from carecycle_dash.ui.state import forget, kept_value, set_kept

_URL_ADOPTED = "_url_adopted"
_LINK_FILTERS = "_link_filters"
_CHOICE_WIDGETS = {
    "disposition": ("f_dispositions", "disposition"),
    "direction": ("f_directions", "direction"),
    "campaign": ("f_campaigns", "campaign"),
    "assistant": ("f_assistants", "assistant type"),
}
"""Address parameter of each multi-choice filter: (its widget's key, how a warning names it)."""
MAX_SEARCH_CHARS = 200
_DEFAULT_DAYS = f"showing the last {ATTENTION_DAYS} days with calls"


def adopt_link_once(default_customer: str) -> list[str]:
    """Take customer, sort, order, since and refresh from the address, and keep its filters for
    `adopt_link_filters`: on a session's first run, and again whenever the address changed without the app.
    Returns one warning line per bad value."""
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
    try:
        day = since_day(token, date.today())
    except ValueError:
        set_kept("since_choice", "")
        return ["The link's since is not a date such as 2026-11-01 (or 7d, 30d, 90d); loading every call instead."]
    if token in SINCE_SPANS:
        set_kept("since_choice", token)
    elif day is not None:
        set_kept("since_choice", SINCE_DATE)
        set_kept("since_date", day)
    return []


def link_filters() -> dict[str, ParamValue]:
    """The link's filter parameters not yet applied (they wait for the calls, to be checked against them)."""
    pending = st.session_state.get(_LINK_FILTERS)
    return dict(pending) if pending is not None else {}


def adopt_link_filters(options: FilterOptions, data_key: tuple[str, ...]) -> list[str]:
    """Apply the link's filters once the calls they filter are loaded; one warning line per bad value
    (that filter then falls back to no restriction)."""
    reset_filters_when_data_changes(data_key)
    params = st.session_state.pop(_LINK_FILTERS, None)
    if params is None:
        return []
    for key in FILTER_KEYS:
        forget(key)
    warnings = _adopt_dates(params, options)
    for name, field in CHOICE_FILTERS:
        key, noun = _CHOICE_WIDGETS[name]
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
    """The link's days: `start`/`end`, else every day for `range=all`, else the default range (the sidebar's
    own default, so nothing is kept)."""
    first, last = options.first_day, options.last_day
    if first is None or last is None:
        return []
    if not ({"start", "end"} & params.keys()):
        if RANGE_PARAM not in params:
            return []
        if params[RANGE_PARAM] != ALL_RANGE:
            return [f"The link's range is not {ALL_RANGE}; {_DEFAULT_DAYS}."]
        _choose_days((first, last))
        return []
    days: dict[str, date] = {}
    for name in ("start", "end"):
        raw = params.get(name)
        if raw is None:
            continue
        try:
            if not isinstance(raw, str):
                raise ValueError(raw)
            days[name] = parse_day(raw)
        except ValueError:
            return [f"The link's {name} is not a date like 2026-11-21; {_DEFAULT_DAYS} instead."]
    start, end = max(days.get("start", first), first), min(days.get("end", last), last)
    if start > end:
        return [f"The link's dates hold none of these calls; {_DEFAULT_DAYS} instead."]
    _choose_days((start, end))
    return []


def _choose_days(days: tuple[date, date]) -> None:
    set_kept("f_dates", days)
    set_kept(DATES_CHOSEN_KEY, True)
