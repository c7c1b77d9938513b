"""Sign-in in a real Chromium against a local OpenID Connect provider: admitted, refused, signed out."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import assert_no_exception, open_app, wait_for_app
from tests.support.oidc import CLIENT_SECRET, COOKIE_SECRET, Person, oidc_provider, write_auth_secrets
from tests.support.servers import RunningApp, start_app

pytestmark = pytest.mark.browser

NURSE = Person(sub="nurse", email="Nurse@CareAgency.example")
EVE = Person(sub="eve", email="eve@evil.example")


@dataclass
class SignInSetup:
    app: RunningApp
    provider_url: str


@pytest.fixture(scope="module")
def signed_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SignInSetup]:
    """The app in demo mode with sign-in on, admitting careagency.example, and its provider."""
    with oidc_provider([NURSE, EVE]) as provider_url:
        secrets_dir = tmp_path_factory.mktemp("auth-secrets")
        secrets = write_auth_secrets(secrets_dir, provider_url, ["careagency.example"])
        with start_app(secrets_dir, args=("--secrets.files", str(secrets))) as app:
            yield SignInSetup(app, provider_url)


def sign_in_as(page: Page, setup: SignInSetup, subject: str) -> None:
    open_app(page, setup.app.url)
    expect(page.get_by_text("Sign in with your organisation's account")).to_be_visible()
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(re.escape(setup.provider_url) + r"/oauth2/authorize"))
    page.get_by_role("button", name=subject, exact=True).click()
    page.wait_for_url(re.compile(re.escape(setup.app.url) + r"/?$"))
    wait_for_app(page)


def expect_sign_in_screen_only(page: Page) -> None:
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_text("Total calls")).to_have_count(0)
    expect(page.locator("[data-testid='stMetric'], [data-testid='stDataFrame']")).to_have_count(0)
    expect(page.get_by_label("Customer ID")).to_have_count(0)


def test_a_signed_out_visitor_and_deep_links_on_a_fresh_server_show_only_sign_in(
    page: Page, tmp_path: Path, signed_app: SignInSetup
) -> None:
    secrets = write_auth_secrets(tmp_path, signed_app.provider_url, ["careagency.example"])
    with start_app(tmp_path, args=("--secrets.files", str(secrets))) as fresh:
        for path in ("/calls", "/call", "/"):
            open_app(page, fresh.url + path)
            expect_sign_in_screen_only(page)
            expect(page.get_by_role("heading", name="Calls", exact=True)).to_have_count(0)


def test_admitted_user_signs_in_sees_the_dashboard_and_signs_out(page: Page, signed_app: SignInSetup) -> None:
    sign_in_as(page, signed_app, "nurse")
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    expect(page.get_by_text("Total calls")).to_be_visible()
    sidebar = page.locator("[data-testid='stSidebar']")
    expect(sidebar.get_by_text("nurse@careagency.example")).to_be_visible()
    assert_no_exception(page)

    sidebar.get_by_role("button", name="Sign out").click()
    # The provider offers to end its session too, then sends the browser back to the app.
    page.wait_for_url(re.compile(re.escape(signed_app.provider_url) + r"/oauth2/end_session"))
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(re.compile(re.escape(signed_app.app.url) + r"/?$"))
    wait_for_app(page)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_text("Total calls")).to_have_count(0)
    expect(page.get_by_text("nurse@careagency.example")).to_have_count(0)

    log = signed_app.app.log_text()
    # One line per browser session, printed once.
    assert log.count("carecycle_dash.audit: sign-in admitted: user=nurse@careagency.example") == 1
    assert "carecycle_dash.audit: sign-out: user=nurse@careagency.example" in log
    for secret in (COOKIE_SECRET, CLIENT_SECRET, "id_token", "access_token"):
        assert secret not in log


def test_user_of_another_domain_is_refused_with_one_line_and_no_data(page: Page, signed_app: SignInSetup) -> None:
    sign_in_as(page, signed_app, "eve")
    refusal = page.locator("[data-testid='stAlert']")
    expect(refusal).to_have_count(1)
    expect(refusal).to_contain_text("eve@evil.example is not on this dashboard's access list")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_role("heading", name="Overview")).to_have_count(0)
    expect(page.get_by_text("Total calls")).to_have_count(0)
    expect(page.locator("[data-testid='stMetric'], [data-testid='stDataFrame']")).to_have_count(0)
    expect(page.get_by_label("Customer ID")).to_have_count(0)

    assert "carecycle_dash.audit: sign-in refused: user=eve@evil.example reason=not-listed" in signed_app.app.log_text()
