"""The pages against a small stand-in API of our own that serves the hostile dataset (values of every wrong
type and shape) as the real API would."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from carecycle_dash.text.safety import safe_http_url
from tests.factories import hostile_calls
from tests.support.apptest import assert_no_exception, run_app
from tests.support.stand_in import serve_calls

pytestmark = pytest.mark.server

CUSTOMER = "5d3c2b1a-0f9e-4d8c-a7b6-1234567890ab"
KEY = "cc_hostile_stand_in"
CALLS = hostile_calls()


@pytest.fixture
def hostile_api(clean_app: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The stand-in API on a loopback port, configured as the app's API; yields the customer ID."""
    # nextPage/prevPage 0: a wrong value the loader must not follow.
    with serve_calls(CUSTOMER, KEY, CALLS, page_links=0) as base_url:
        monkeypatch.setenv("CARECYCLE_API_KEY", KEY)
        monkeypatch.setenv("CARECYCLE_BASE_URL", base_url)
        yield CUSTOMER


def test_every_page_survives_values_of_the_wrong_type(hostile_api: str) -> None:
    at = run_app(customer_id=hostile_api, range="all")
    assert_no_exception(at)
    assert not at.error
    at.sidebar.toggle(key="f_tests").set_value(True).run()
    assert next(m.value for m in at.metric if m.label == "Total calls") == str(len(CALLS))
    at.switch_page("pages/calls.py").run()
    assert_no_exception(at)
    table = at.dataframe[0].value
    assert table["Recording"].isna().any()  # javascript:, data:, a path, a blank: no link
    assert all(safe_http_url(link) for link in table["Recording"].dropna())
    for call in CALLS:
        if isinstance(call.get("id"), str):
            at.query_params["call_id"] = call["id"]
            at.switch_page("pages/call.py").run()
            assert_no_exception(at)
            assert at.title[0].value == "Call detail"
            for element in at.markdown:
                assert "<script" not in element.value and "<img" not in element.value
                assert "](javascript:" not in element.value


def test_impossible_values_are_counted_not_hidden(hostile_api: str) -> None:
    at = run_app(customer_id=hostile_api)
    assert_no_exception(at)
    assert any("impossible" in caption.value for caption in at.caption)
