"""Masking in the pages under AppTest: the setting, the sidebar's line and toggle, recordings withheld, reveal."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.apptest import assert_no_exception, new_app, run_app
from tests.support.pii_api import CALL_ID, CALLER_LAST_FOUR, CUSTOMER, KEY, leaked, pii_api


@pytest.fixture(autouse=True)
def api(clean_app: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The stand-in API with personal data; no mask setting unless a test sets one; no calls carried over."""
    monkeypatch.delenv("CARECYCLE_MASK", raising=False)
    with pii_api() as base_url:
        monkeypatch.setenv("CARECYCLE_API_KEY", KEY)
        monkeypatch.setenv("CARECYCLE_BASE_URL", base_url)
        yield


def run(page: str | None = None, at: AppTest | None = None, **query: str) -> AppTest:
    """The app at this address (a new AppTest, or `at` run again), then `page`; never an exception."""
    if at is None:
        at = run_app(page, **query)
    else:
        for name, value in query.items():
            at.query_params[name] = value
        at.run()
        if page:
            at.switch_page(page).run()
    assert_no_exception(at)
    return at


def shown(at: AppTest) -> str:
    """Everything the page would send that a test can read: text elements and dataframe cells."""
    parts = [
        str(element.value) for kind in ("text", "markdown", "caption", "info", "warning") for element in at.get(kind)
    ]
    parts += [frame.value.to_csv() for frame in at.dataframe]
    return "\n".join(parts)


def sidebar_text(at: AppTest) -> str:
    return "\n".join(str(element.value) for element in [*at.sidebar.info, *at.sidebar.warning])


def test_without_sign_in_or_setting_everything_is_shown_with_a_toggle_to_mask() -> None:
    at = run("pages/call.py", customer_id=CUSTOMER, call_id=CALL_ID)
    assert len(leaked(shown(at))) >= 5
    assert at.sidebar.toggle(key="mask_for_screen_sharing").value is False
    assert at.get("audio")


def test_mask_on_hides_every_personal_value_on_every_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARECYCLE_MASK", "on")
    for page in ("pages/overview.py", "pages/calls.py", "pages/call.py"):
        at = run(page, customer_id=CUSTOMER, call_id=CALL_ID)
        assert leaked(shown(at)) == [], page
        assert "Personal data is masked" in sidebar_text(at)
    assert f"•••-•••-{CALLER_LAST_FOUR}" in shown(at)
    assert "[medicare]" in shown(at) and "[dob]" in shown(at) and "[card]" in shown(at)
    assert not at.get("audio")
    assert any("audio cannot be masked" in caption.value for caption in at.caption)
    assert not at.get("expander"), "no reveal unless allow_reveal is set"


def test_the_calls_table_of_a_masked_viewer_has_no_recording_column(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARECYCLE_MASK", "on")
    at = run("pages/calls.py", customer_id=CUSTOMER)
    assert "Recording" not in at.dataframe[0].proto.column_order
    assert any("audio cannot be masked" in caption.value for caption in at.caption)


def test_an_unusable_setting_masks_and_says_so_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARECYCLE_MASK", "maybe")
    at = run("pages/calls.py", customer_id=CUSTOMER)
    assert leaked(shown(at)) == []
    warnings = [w.value.replace("\\", "") for w in at.sidebar.warning]
    assert any("'maybe'" in w and "masked for everyone" in w for w in warnings)


def test_the_screen_sharing_toggle_masks_until_turned_off_across_pages() -> None:
    at = run("pages/call.py", customer_id=CUSTOMER, call_id=CALL_ID)
    at.sidebar.toggle(key="mask_for_screen_sharing").set_value(True).run()
    assert leaked(shown(at)) == []
    assert "masked" in sidebar_text(at)
    at.switch_page("pages/calls.py").run()
    assert leaked(shown(at)) == []
    at.sidebar.toggle(key="mask_for_screen_sharing").set_value(False).run()
    assert leaked(shown(at))


def test_search_runs_over_masked_text_so_it_cannot_probe_for_a_number(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARECYCLE_MASK", "on")
    at = run("pages/calls.py", customer_id=CUSTOMER)
    at.sidebar.text_input(key="f_text").input("123-45-6789").run()
    assert any("No calls match" in info.value for info in at.info)
    at.sidebar.text_input(key="f_text").input("[ssn]").run()
    assert len(at.dataframe[0].value) == 1


def test_a_reveal_needs_a_reason_is_audited_and_unmasks_only_that_call(caplog: pytest.LogCaptureFixture) -> None:
    at = new_app()
    at.secrets["carecycle"] = {"privacy": {"mask": "on", "allow_reveal": True}}
    at = run("pages/call.py", at=at, customer_id=CUSTOMER, call_id=CALL_ID)
    assert leaked(shown(at)) == []
    at.text_input(key="reveal_reason").input("no")
    at.button(key="reveal_submit").click().run()  # a form sends its values with the click
    assert any("at least 5 characters" in error.value for error in at.error)
    assert leaked(shown(at)) == []

    with caplog.at_level("INFO", logger="carecycle_dash.audit"):
        at.text_input(key="reveal_reason").input("patient asked for a callback\nforged line")
        at.button(key="reveal_submit").click().run()
    assert not at.exception
    assert "+15558675309" in shown(at) and "1EG4-TE5-MK73" in shown(at)
    assert at.get("audio"), "a revealed call offers its recordings"
    lines = [r.getMessage() for r in caplog.records if r.name == "carecycle_dash.audit" and "reveal" in r.getMessage()]
    assert lines == [
        f"reveal: user=local user customer={CUSTOMER} call={CALL_ID} reason=patient asked for a callback?forged line"
    ]

    at.query_params["call_id"] = "aaaaaaaa-1111-4000-8000-000000000002"
    at.switch_page("pages/calls.py").run()
    assert leaked(shown(at)) == [], "the reveal unmasks the call detail of that call only"
