"""The sign-in gate in AppTest: open without [auth]; sign-in screen, refusal or the page with it."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

AUTH = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "a-cookie-secret-for-tests",
    "client_id": "dash",
    "client_secret": "client-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
ACCESS = {"allowed_domains": ["careagency.example"]}


def gated_page() -> None:
    import streamlit as st

    from carecycle_dash.ui.auth import require_sign_in

    require_sign_in()
    st.write("THE DASHBOARD")


def run(secrets: dict[str, Any], user: dict[str, Any] | None = None) -> AppTest:
    at = AppTest.from_function(gated_page, default_timeout=30)
    for name, value in secrets.items():
        at.secrets[name] = value
    if user is not None:
        at.user = user
    return at.run()


def page_text(at: AppTest) -> str:
    return " ".join(str(element.value) for element in [*at.markdown, *at.error, *at.caption])


def test_without_an_auth_section_the_page_is_drawn_as_before() -> None:
    at = run({"carecycle": {"access": ACCESS}})
    assert not at.exception
    assert "THE DASHBOARD" in page_text(at)
    assert [button.label for button in at.button] == []


def test_a_signed_out_person_sees_only_the_sign_in_button() -> None:
    at = run({"auth": AUTH, "carecycle": {"access": ACCESS}}, {"is_logged_in": False})
    assert not at.exception
    assert [button.label for button in at.button] == ["Sign in"]
    assert "THE DASHBOARD" not in page_text(at)


def test_an_admitted_person_sees_the_page_and_who_is_signed_in() -> None:
    user = {"is_logged_in": True, "email": "Nurse@CareAgency.example", "email_verified": True}
    at = run({"auth": AUTH, "carecycle": {"access": ACCESS}}, user)
    assert not at.exception
    assert "THE DASHBOARD" in page_text(at)
    assert at.sidebar.caption[0].value == "Signed in as `nurse@careagency.example`"
    assert [button.label for button in at.sidebar.button] == ["Sign out"]


def test_a_person_outside_the_allow_list_is_refused_with_a_sign_out_button() -> None:
    user = {"is_logged_in": True, "email": "eve@evil.example", "email_verified": True}
    at = run({"auth": AUTH, "carecycle": {"access": ACCESS}}, user)
    assert not at.exception
    assert "THE DASHBOARD" not in page_text(at)
    assert at.error[0].value.startswith("`eve@evil.example` is not on this dashboard\\'s access list")
    assert [button.label for button in at.button] == ["Sign out"]


def test_an_auth_section_without_an_allow_list_admits_nobody() -> None:
    user = {"is_logged_in": True, "email": "nurse@careagency.example", "email_verified": True}
    at = run({"auth": AUTH}, user)
    assert "THE DASHBOARD" not in page_text(at)
    assert "allow-list in the secrets file is empty" in at.error[0].value.replace("\\", "")


def test_an_incomplete_auth_section_fails_closed_and_names_what_is_missing() -> None:
    at = run({"auth": {"client_id": "dash"}, "carecycle": {"access": ACCESS}}, {"is_logged_in": True})
    assert not at.exception
    assert "THE DASHBOARD" not in page_text(at)
    message = at.error[0].value
    assert "redirect_uri" in message
    assert "server_metadata_url" in message


def test_signing_out_returns_to_the_sign_in_button() -> None:
    user = {"is_logged_in": True, "email": "nurse@careagency.example", "email_verified": True}
    at = run({"auth": AUTH, "carecycle": {"access": ACCESS}}, user)
    at.sidebar.button[0].click().run()
    assert [button.label for button in at.button] == ["Sign in"]
    assert "THE DASHBOARD" not in page_text(at)


def test_each_decision_is_audited_once_per_session_without_claims_or_tokens(caplog: pytest.LogCaptureFixture) -> None:
    user = {
        "is_logged_in": True,
        "email": "eve@evil.example",
        "email_verified": True,
        "tokens": {"id": "eyJ-the-id-token"},
        "name": "Eve Example",
    }
    with caplog.at_level(logging.INFO, logger="carecycle_dash.audit"):
        at = run({"auth": AUTH, "carecycle": {"access": ACCESS}}, user)
        at.run()
    lines = [record.getMessage() for record in caplog.records if record.name == "carecycle_dash.audit"]
    assert lines == ["sign-in refused: user=eve@evil.example reason=not-listed"]
    assert "eyJ" not in caplog.text
    assert "Eve Example" not in caplog.text
