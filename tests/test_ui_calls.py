"""The Calls page under AppTest: the default columns, a column choice kept for the session, blank empty cells."""

from __future__ import annotations

import pytest

from carecycle_dash.data.table import DEFAULT_COLUMNS
from carecycle_dash.simulator import DEMO_CUSTOMERS
from tests.support.apptest import assert_no_exception, run_app

pytestmark = [pytest.mark.server, pytest.mark.usefixtures("clean_app")]


def test_the_table_starts_with_the_default_columns_and_keeps_the_choice_across_pages() -> None:
    at = run_app("pages/calls.py", customer_id=DEMO_CUSTOMERS["small"])
    assert_no_exception(at)
    table = at.dataframe[0]
    assert tuple(table.proto.column_order) == DEFAULT_COLUMNS
    assert table.proto.placeholder == ""
    assert at.multiselect(key="calls_columns").value == list(DEFAULT_COLUMNS)

    at.multiselect(key="calls_columns").set_value(["Turns", "Time", "Campaign ID"]).run()
    assert tuple(at.dataframe[0].proto.column_order) == ("Time", "Campaign ID", "Turns")
    at.switch_page("pages/overview.py").run()
    at.switch_page("pages/calls.py").run()
    assert_no_exception(at)
    assert at.multiselect(key="calls_columns").value == ["Turns", "Time", "Campaign ID"]
    assert tuple(at.dataframe[0].proto.column_order) == ("Time", "Campaign ID", "Turns")
