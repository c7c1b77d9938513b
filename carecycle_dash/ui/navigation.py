"""The screens and every address the app writes: app.py's navigation, the sidebar's links, and each link
from one screen to another come from here, so no other module names a page file or a link parameter.

A view's address carries the customer, sort field and order, how far back calls are loaded (`since`), the
auto-refresh interval (`refresh`) and every filter (FILTER_PARAMS), never the key, so a link reproduces
exactly what its sender saw; the call page adds `call_id`, the callers page and the call page `caller` (a
token the app writes, never a phone number), the calls page and the call page `signal` (the conversation
signals the calls are narrowed to, which the call page steps through), the Overview `charts` (its open tab).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from carecycle_dash.data.filters import CallFilters, FilterOptions
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


CHARTS_PARAM: Final = "charts"
OVERVIEW: Final = Screen(
    "pages/overview.py", "Overview", ":material/insights:", "", default=True, carries=(CHARTS_PARAM,)
)
SIGNAL_PARAM: Final = "signal"
CALLS: Final = Screen("pages/calls.py", "Calls", ":material/table_rows:", "calls", carries=(SIGNAL_PARAM,))
CALLER_PARAM: Final = "caller"
CALL: Final = Screen(
    "pages/call.py", "Call detail", ":material/headphones:", "call", carries=("call_id", CALLER_PARAM, SIGNAL_PARAM)
)
CALLERS: Final = Screen("pages/callers.py", "Callers", ":material/groups:", "callers")
REVIEW_STATE_PARAM: Final = "state"
REVIEW_REASON_PARAM: Final = "reason"
REVIEW: Final = Screen(
    "pages/review.py", "Review", ":material/flag:", "review", carries=(REVIEW_STATE_PARAM, REVIEW_REASON_PARAM)
)
SCREENS: Final = (OVERVIEW, CALLS, CALL, CALLERS, REVIEW)

VIEW_PARAMS: Final = ("customer_id", "sort_by", "order", "since", "refresh")
"""The address parameters that choose which calls are loaded, in which order, and how often they refresh."""
RANGE_PARAM: Final = "range"
ALL_RANGE: Final = "all"
"""`range=all`: every day, where a link without dates opens on the last 7 days with calls."""
FILTER_PARAMS: Final = (
    "start",
    "end",
    RANGE_PARAM,
    "disposition",
    "direction",
    "campaign",
    "assistant",
    "q",
    "tests",
    "weekday",
    "hour",
)
"""The address parameters of the filters: `start`/`end` as YYYY-MM-DD (inclusive, viewer's time zone;
neither: the last 7 days with calls, `range=all`: every day);
`disposition`, `direction`, `campaign` and `assistant` repeatable (?disposition=A&disposition=B); `q` the
search text; `tests=1` to include test calls; `weekday` and `hour` one cell of the hour-of-week heatmap."""
CHOICE_FILTERS: Final = (
    ("disposition", "dispositions"),
    ("direction", "directions"),
    ("campaign", "campaigns"),
    ("assistant", "assistant_types"),
)
"""(address parameter, field of CallFilters and of FilterOptions) of each multi-choice filter."""
PAGE_PARAMS: Final = ("call_id", CALLER_PARAM, SIGNAL_PARAM, CHARTS_PARAM, REVIEW_STATE_PARAM, REVIEW_REASON_PARAM)
"""Address parameters of a screen's own, kept in the address beside the view's: the call shown, the caller
(an opaque token, or a number as typed) whose calls are shown or whose calls the call page steps through,
the conversation signals (`Signal.param`, repeatable) every call on the calls page shows, and the Overview's
chart tab (`outcomes`, `durations`, `timing`; none for the first), and the Review page's `state`
(open, handled, all) and `reason` (repeatable, a reason's label)."""
REPEATABLE_PARAMS: Final = frozenset(
    {"disposition", "direction", "campaign", "assistant", SIGNAL_PARAM, REVIEW_REASON_PARAM}
)

_WRITTEN: Final = "_address_written"
ParamValue = str | list[str]
"""One address parameter's value: a list for a repeatable one."""

WEEKDAY_PARAM: Final = FILTER_PARAMS[-2]
HOUR_PARAM: Final = FILTER_PARAMS[-1]
"""One cell of the Overview's hour-of-week heatmap: `weekday=tue&hour=14` (hour 0..23 in the viewer's zone)."""
WEEKDAY_NAMES: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def cell_params(cell: tuple[int, int] | None) -> dict[str, str | None]:
    """The address parameters of a heatmap cell (weekday 0 = Monday, hour); both empty for none."""
    if cell is None:
        return {WEEKDAY_PARAM: None, HOUR_PARAM: None}
    return {WEEKDAY_PARAM: WEEKDAY_NAMES[cell[0]], HOUR_PARAM: str(cell[1])}


def cell_from_params(params: Mapping[str, str]) -> tuple[tuple[int, int] | None, str | None]:
    """The heatmap cell a link asks for, and a one-line warning when it asks for one that cannot be."""
    weekday, hour = params.get(WEEKDAY_PARAM), params.get(HOUR_PARAM)
    if weekday is None and hour is None:
        return None, None
    name = (weekday or "").strip().lower()[:3]
    text = (hour or "").strip()
    if name in WEEKDAY_NAMES and text.isdigit() and 0 <= int(text) <= 23:
        return (WEEKDAY_NAMES.index(name), int(text)), None
    return None, "The link's weekday and hour are not a day (mon…sun) and an hour (0…23); showing every hour."


def filter_params(chosen: CallFilters, options: FilterOptions, *, dates_chosen: bool) -> dict[str, ParamValue]:
    """The address parameters that reproduce these filters. Days nobody chose (the default: the last days
    with calls) write none, so the link moves with the calls as the default does; chosen days write both
    ends, so a shared "until today" link still shows the sender's days when newer calls arrive; every day
    chosen writes `range=all`."""
    params: dict[str, ParamValue] = {}
    if dates_chosen and chosen.start is None and chosen.end is None:
        params[RANGE_PARAM] = ALL_RANGE
    elif dates_chosen:
        start, end = chosen.start or options.first_day, chosen.end or options.last_day
        params["start"], params["end"] = str(start), str(end)
    for name, field in CHOICE_FILTERS:
        if values := getattr(chosen, field):
            params[name] = list(values)
    if chosen.text:
        params["q"] = chosen.text
    if chosen.include_tests:
        params["tests"] = "1"
    if chosen.weekday is not None and chosen.hour is not None:
        params.update(cell_params((chosen.weekday, chosen.hour)))  # type: ignore[arg-type]
    return params


def written(params: Mapping[str, ParamValue | None]) -> dict[str, ParamValue]:
    """The parameters as the app writes them, in the address and in every link: an empty one is left out
    (a default choice, such as no auto-refresh, is no parameter at all), and so is an empty entry of a
    repeatable one, so that no link the app writes reads back as a value nobody chose."""
    out: dict[str, ParamValue] = {}
    for name, value in params.items():
        kept = [v for v in value if v] if isinstance(value, list) else value
        if kept:
            out[name] = kept
    return out


def streamlit_pages() -> list[st.Page]:
    """The screens as `st.navigation` wants them."""
    return [st.Page(s.path, title=s.title, icon=s.icon, url_path=s.url_path, default=s.default) for s in SCREENS]


def address_params(names: tuple[str, ...]) -> dict[str, ParamValue]:
    """These parameters as the address holds them now (repeatable ones as lists)."""
    out: dict[str, ParamValue] = {}
    for name in names:
        values = st.query_params.get_all(name)
        if values:
            out[name] = list(values) if name in REPEATABLE_PARAMS else values[-1]
    return out


def sidebar_links(where: DeltaGenerator | None = None) -> None:
    """A link to each screen that carries the view and its filters along (never the key). Draw it after
    `sync_address`, so the links hold this run's choices rather than the last run's."""
    place = where or st.sidebar
    for screen in SCREENS:
        carried = address_params((*VIEW_PARAMS, *FILTER_PARAMS, *screen.carries))
        place.page_link(screen.path, label=screen.title, icon=screen.icon, query_params=written(carried))
    place.divider()


def link(
    screen: Screen,
    params: Mapping[str, ParamValue],
    *,
    label: str | None = None,
    icon: str | None = None,
    where: DeltaGenerator | None = None,
) -> None:
    """A link to `screen` with these address parameters."""
    (where or st).page_link(
        screen.path, label=label or screen.title, icon=icon or screen.icon, query_params=written(params)
    )


def go_to(screen: Screen, params: Mapping[str, ParamValue]) -> None:
    """Switch to `screen` now, with these address parameters."""
    st.switch_page(screen.path, query_params=written(params))


def sync_address(params: Mapping[str, ParamValue | None]) -> None:
    """Make the address hold exactly these parameters (empty ones left out); rewritten only when it differs,
    since every rewrite costs the browser a history entry and Streamlit a message."""
    wanted = written(params)
    as_lists = {name: value if isinstance(value, list) else [value] for name, value in wanted.items()}
    st.session_state[_WRITTEN] = as_lists
    current = {name: st.query_params.get_all(name) for name in st.query_params}
    if current != as_lists:
        st.query_params.from_dict(wanted)


def set_param(name: str, value: ParamValue) -> None:
    """Put one of a screen's own parameters into the address, or take it out when empty; the rest stays."""
    values = [value] if isinstance(value, str) else list(value)
    values = [v for v in values if v]
    if st.query_params.get_all(name) == values:
        return
    if values:
        st.query_params[name] = values
    else:
        st.query_params.pop(name, None)


def address_moved() -> bool:
    """Whether the view and filter parameters in the address differ from what the app last wrote: a link
    followed inside the app (Needs attention, a shared link pasted into this tab) asks for another view."""
    written = st.session_state.get(_WRITTEN)
    if written is None:
        return False
    names = (*VIEW_PARAMS, *FILTER_PARAMS)
    now = {name: values for name in names if (values := st.query_params.get_all(name))}
    return now != {name: values for name, values in written.items() if name in names}


def caller_link_secret() -> bytes:
    """The key of the caller tokens in addresses, derived from the cookie secret (`[auth] cookie_secret`,
    else Streamlit's `server.cookieSecret`). docs/deploy.md asks for the same one on every replica, so a link
    the app wrote opens on any replica and after a restart; left unset, Streamlit's is random per process."""
    auth = read_secrets().get("auth")
    base = auth.get("cookie_secret") if isinstance(auth, dict) else None
    base = base or st.get_option("server.cookieSecret")
    return hashlib.sha256(f"carecycle-dash caller links:{base}".encode()).digest()
