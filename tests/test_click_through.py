"""A clicked bar's disposition or point's customdata becomes the kept filter values the sidebar and the
address follow."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def script() -> None:
    import streamlit as st

    from carecycle_dash.ui import click_through
    from carecycle_dash.ui.state import kept_value

    results = (
        click_through.show_disposition("<b>A & B</b>"),
        click_through.show_day(["shown", "3", "2025-03-04"]),
        click_through.show_cell([1, 14, "Tuesday 14:00–14:59"]),
        click_through.show_cell([9, 14]),
        click_through.show_day(["shown", "3", "not a day"]),
    )
    st.text(repr((kept_value("f_dispositions"), kept_value("f_dates"), kept_value("f_cell"), results)))


def test_clicks_set_the_exact_disposition_the_day_and_the_cell() -> None:
    at = AppTest.from_function(script).run()
    assert not at.exception
    assert at.text[0].value == (
        "(['<b>A & B</b>'], (datetime.date(2025, 3, 4), datetime.date(2025, 3, 4)), (1, 14), "
        "(True, True, True, False, False))"
    )
