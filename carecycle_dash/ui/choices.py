"""The sidebar's choices as session values: the keys that hold them, the values each may take, and what one run
asked for (`ViewInputs`). link.py sets them from an address and sidebar.py draws them, so both read them here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import streamlit as st

from carecycle_dash.api.contract import SortField, SortOrder
from carecycle_dash.data.dates import SINCE_SPAN_DAYS
from carecycle_dash.ui.navigation import VIEW_PARAMS
from carecycle_dash.ui.state import forget, kept_value

SINCE_SPANS: Final[dict[str, str]] = {
    "": "All calls",
    **{token: f"Last {days} days" for token, days in SINCE_SPAN_DAYS.items()},
}
"""The "Load calls since" choices that are a `since` token of their own, with their labels."""
SINCE_DATE: Final = "date"
"""The "Load calls since" choice of a day picked in the calendar (kept as `since_date`)."""
REFRESH_MINUTES: Final[dict[int, str]] = {0: "Off", 1: "Every minute", 5: "Every 5 minutes", 15: "Every 15 minutes"}
CELL_KEY: Final = "f_cell"
"""The kept heatmap cell: (weekday 0 = Monday, hour) or None."""
DATES_CHOSEN_KEY: Final = "f_dates_chosen"
"""Whether the days were chosen (in the sidebar or by a link's `start`/`end`/`range`): else they are the
default, the last days with calls, which the address leaves out."""
FILTER_KEYS: Final = (
    "f_dates",
    DATES_CHOSEN_KEY,
    "f_dispositions",
    "f_directions",
    "f_campaigns",
    "f_assistants",
    "f_text",
    "f_tests",
    CELL_KEY,
)
"""The kept values of the filters, which start over when other calls are loaded."""
_FILTERS_FOR = "_filters_for"


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
    """"" for every call, "7d"/"30d"/"90d", or a day as YYYY-MM-DD (see `data.dates.since_day`)."""
    auto_refresh: int = 0
    """Minutes between automatic reloads; 0 is off."""

    def link_params(self) -> dict[str, str]:
        """The address parameters that reproduce this choice (never the key); "" where a choice is the default,
        which the address leaves out."""
        values = (self.customer_id, self.sort_by, self.order, self.since, str(self.auto_refresh or ""))
        return dict(zip(VIEW_PARAMS, values, strict=True))


def kept_cell() -> tuple[int, int] | None:
    """The heatmap cell the view is narrowed to, if any."""
    cell = kept_value(CELL_KEY)
    return (int(cell[0]), int(cell[1])) if isinstance(cell, tuple | list) and len(cell) == 2 else None


def reset_filters_when_data_changes(data_key: tuple[str, ...]) -> None:
    """Other calls, other choices: start over. The session's first calls keep the filters its link gave."""
    if _FILTERS_FOR not in st.session_state:
        st.session_state[_FILTERS_FOR] = data_key
    elif st.session_state[_FILTERS_FOR] != data_key:
        for key in FILTER_KEYS:
            forget(key)
        st.session_state[_FILTERS_FOR] = data_key
