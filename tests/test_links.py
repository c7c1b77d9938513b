"""Every kind of link the app writes opens without a warning (issue 26: each drill-down carried an empty
`refresh=` and opened under "The link's refresh is not 1, 5 or 15 minutes").

The links are taken from the app itself: the page links it draws (Needs attention lines, conversation signals,
Do Not Call, the sidebar's links with a chart tab and filters, a call's caller, the callers' calls) and the
addresses it switches to when a row is picked (a call in the Calls table, a caller in the Callers table).
Each is then opened in a new session, as a shared link is, and must raise no warning at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode

import pytest
from streamlit.testing.v1 import AppTest

from carecycle_dash.simulator import DEMO_CUSTOMERS
from carecycle_dash.ui import navigation
from tests.support.apptest import assert_no_exception, new_app, run_app

pytestmark = [pytest.mark.server, pytest.mark.usefixtures("clean_app")]
STANDARD = DEMO_CUSTOMERS["standard"]
PAGE_BY_URL_PATH = {
    **{Path(screen.path).stem: screen.path for screen in navigation.SCREENS},
    **{screen.url_path: screen.path for screen in navigation.SCREENS},
}
"""A link's page as the link names it: its url path, or the default page's file name ("overview")."""
FILTERED = {
    "customer_id": STANDARD,
    "sort_by": "duration",
    "order": "asc",
    "since": "90d",
    "refresh": "5",
    "direction": "inbound",
    "tests": "1",
    "charts": "timing",
}
"""A view with a choice in every view parameter, some filters and a chart tab, so the links carry them along."""
ONE_HOUR = {**FILTERED, "weekday": "tue", "hour": "14"}
"""The same narrowed to one cell of the hour-of-week heatmap (whether or not any call falls in it)."""


@dataclass(frozen=True)
class Link:
    page: str
    """The page file it opens, e.g. "pages/calls.py"."""
    query: str
    label: str


def drawn_links(at: AppTest) -> list[Link]:
    return [Link(PAGE_BY_URL_PATH[link.proto.page], link.proto.query_string, link.value) for link in at.page_link]


def address(at: AppTest) -> str:
    return urlencode(at.query_params, doseq=True)


def warnings(at: AppTest) -> list[str]:
    assert_no_exception(at)
    return [warning.value for warning in at.warning]


def picked_row(at: AppTest, table_key: str) -> AppTest:
    """Pick the first row of the table `table_key`, as a click does; the app then switches page."""
    at.session_state[table_key] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    return at.run()


def open_link(link: Link) -> list[str]:
    """Open `link` in a new session: the app's first run takes the address, then its page draws."""
    at = new_app()
    for name, values in parse_qs(link.query, keep_blank_values=True).items():
        at.query_params[name] = values if len(values) > 1 else values[0]
    at.run()
    seen = warnings(at)
    if link.page != navigation.OVERVIEW.path:
        seen += warnings(at.switch_page(link.page).run())
    return seen


def collect_links() -> tuple[list[Link], dict[str, list[str]]]:
    """Every link the app draws on the way through its pages, and the warnings each page switch the app made
    itself (a picked row) showed, by the address it switched to."""
    links: list[Link] = []
    switched: dict[str, list[str]] = {}

    plain = run_app(customer_id=STANDARD)
    links += drawn_links(plain)
    links += drawn_links(run_app(**ONE_HOUR))
    links += drawn_links(run_app(customer_id=STANDARD, range="all"))  # every day, not the default week

    signal_link = next(link for link in links if "signal=" in link.query)
    calls = run_app(signal_link.page, **{k: v[0] for k, v in parse_qs(signal_link.query).items()})
    picked_row(calls, "calls_table")
    assert {"call_id", "signal"} <= calls.query_params.keys()
    switched[address(calls)] = warnings(calls)
    links.append(Link(navigation.CALL.path, address(calls), "a call row, among calls with a signal"))
    links += drawn_links(calls)

    call = picked_row(run_app(navigation.CALLS.path, **FILTERED), "calls_table")
    assert "call_id" in call.query_params
    switched[address(call)] = warnings(call)
    links.append(Link(navigation.CALL.path, address(call), "a call row"))
    links += drawn_links(call)
    links += drawn_links(run_app(navigation.CALL.path, customer_id=STANDARD))  # no call chosen: "Go to the calls"

    callers = run_app(navigation.CALLERS.path, **FILTERED)
    links += drawn_links(callers)
    picked_row(callers, "callers_table")
    assert "caller" in callers.query_params
    switched[address(callers)] = warnings(callers)
    links.append(Link(navigation.CALLERS.path, address(callers), "a caller row"))
    links += drawn_links(callers)
    return links, switched


def test_every_link_the_app_writes_opens_without_a_warning() -> None:
    links, switched = collect_links()
    kinds = {(link.page, frozenset(parse_qs(link.query))) for link in links}
    assert {page for page, _ in kinds} == {screen.path for screen in navigation.SCREENS}
    assert any("charts" in names and "refresh" in names and "weekday" in names for _, names in kinds)
    assert any("caller" in names and "call_id" in names for _, names in kinds)
    assert any("range=all" in link.query for link in links)
    needs_attention = (navigation.CALLS.path, frozenset({"customer_id", "sort_by", "order", "start", "end"}))
    assert needs_attention in kinds
    assert any(link.label == "See these calls" for link in links)  # a conversation signal
    assert any(link.label.startswith("Called after Do Not Call") for link in links)

    assert {query: seen for query, seen in switched.items() if seen} == {}
    blank = [
        link
        for link in links
        if any(value == "" for values in parse_qs(link.query, keep_blank_values=True).values() for value in values)
    ]
    assert blank == []
    unique = {(link.page, link.query): link for link in links}
    raised = {
        f"{link.label} -> {link.page}?{link.query}": seen for link in unique.values() if (seen := open_link(link))
    }
    assert raised == {}
