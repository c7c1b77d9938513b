"""The allow-list read from the secrets file, and who it lets in."""

from __future__ import annotations

from typing import Any

import pytest

from carecycle_dash.data.access import (
    AccessPolicy,
    decide,
    missing_auth_settings,
    policy_from_secrets,
    sign_in_configured,
)

AUTH = {
    "redirect_uri": "https://calls.example.org/oauth2callback",
    "cookie_secret": "s3cret-s3cret-s3cret",
    "client_id": "dash",
    "client_secret": "client-secret",
    "server_metadata_url": "https://login.example.org/.well-known/openid-configuration",
}


def secrets_with(access: dict[str, Any] | None) -> dict[str, Any]:
    secrets: dict[str, Any] = {"auth": dict(AUTH)}
    if access is not None:
        secrets["carecycle"] = {"api_key": "cc_key", "access": access}
    return secrets


def verified(email: Any) -> dict[str, Any]:
    return {"email": email, "email_verified": True, "sub": "123"}


POLICY = policy_from_secrets(
    secrets_with(
        {"allowed_domains": ["CareAgency.example", "@clinic.example"], "allowed_emails": ["Ann@Partner.example"]}
    )
)


def test_sign_in_is_configured_only_by_an_auth_section() -> None:
    assert sign_in_configured(secrets_with(None))
    assert sign_in_configured({"auth": {}})
    assert not sign_in_configured({"carecycle": {"api_key": "cc_key"}})
    assert not sign_in_configured({})


def test_missing_auth_settings_are_named() -> None:
    assert missing_auth_settings(secrets_with(None)) == []
    partial = {"auth": {"client_id": "dash", "cookie_secret": "  "}}
    assert missing_auth_settings(partial) == ["redirect_uri", "cookie_secret", "client_secret", "server_metadata_url"]
    assert missing_auth_settings({"auth": "not a table"}) == [
        "redirect_uri",
        "cookie_secret",
        "client_id",
        "client_secret",
        "server_metadata_url",
    ]


def test_policy_lower_cases_entries_and_drops_a_leading_at() -> None:
    assert POLICY.domains == frozenset({"careagency.example", "clinic.example"})
    assert POLICY.emails == frozenset({"ann@partner.example"})
    assert POLICY.require_verified_email


def test_a_lone_string_counts_as_a_list_of_one() -> None:
    policy = policy_from_secrets(secrets_with({"allowed_domains": "careagency.example"}))
    assert policy.domains == frozenset({"careagency.example"})


def test_non_string_and_blank_entries_are_ignored() -> None:
    policy = policy_from_secrets(secrets_with({"allowed_domains": ["", "  ", 7, "ok.example"], "allowed_emails": {}}))
    assert policy.domains == frozenset({"ok.example"})
    assert policy.emails == frozenset()


@pytest.mark.parametrize("email", ["nurse@careagency.example", "NURSE@CareAgency.Example", " dr@clinic.example "])
def test_an_address_in_an_allowed_domain_is_admitted_whatever_its_case(email: str) -> None:
    decision = decide(POLICY, verified(email))
    assert decision.admitted
    assert decision.email == email.strip().lower()


def test_an_allowed_address_is_admitted_outside_the_allowed_domains() -> None:
    assert decide(POLICY, verified("ANN@partner.example")).admitted
    assert not decide(POLICY, verified("bob@partner.example")).admitted


@pytest.mark.parametrize(
    "email",
    [
        "eve@evil.example",
        "eve@evil-careagency.example",
        "eve@careagency.example.evil",
        "eve@sub.careagency.example",
        "careagency.example@evil.example",
    ],
)
def test_look_alike_domains_are_refused(email: str) -> None:
    decision = decide(POLICY, verified(email))
    assert not decision.admitted
    assert "not on this dashboard's access list" in decision.reason
    assert decision.code == "not-listed"


@pytest.mark.parametrize("email", [None, "", "no-at-sign", "@careagency.example", "a b@careagency.example", 42])
def test_a_missing_or_malformed_email_is_refused(email: Any) -> None:
    decision = decide(POLICY, verified(email))
    assert not decision.admitted
    assert decision.email is None
    assert "did not include an email address" in decision.reason


def test_an_address_with_a_line_break_is_refused() -> None:
    assert not decide(POLICY, verified("nurse@careagency.example\nadmin")).admitted


def test_an_empty_allow_list_admits_nobody_and_says_so() -> None:
    for access in (None, {}, {"allowed_domains": [], "allowed_emails": []}):
        policy = policy_from_secrets(secrets_with(access))
        assert policy.admits_nobody
        decision = decide(policy, verified("nurse@careagency.example"))
        assert not decision.admitted
        assert "allow-list in the secrets file is empty" in decision.reason
        assert decision.code == "nobody-listed"


def test_an_unverified_or_unconfirmed_address_is_refused_by_default() -> None:
    for flag in (False, "false", None, "yes"):
        decision = decide(POLICY, {"email": "nurse@careagency.example", "email_verified": flag})
        assert not decision.admitted
        assert "has not verified nurse@careagency.example" in decision.reason
    assert not decide(POLICY, {"email": "nurse@careagency.example"}).admitted


def test_a_verified_flag_sent_as_a_string_counts() -> None:
    assert decide(POLICY, {"email": "nurse@careagency.example", "email_verified": "true"}).admitted


def test_relaxed_policy_admits_an_absent_flag_but_never_an_explicit_false() -> None:
    relaxed = policy_from_secrets(
        secrets_with({"allowed_domains": ["careagency.example"], "require_verified_email": False})
    )
    assert not relaxed.require_verified_email
    assert decide(relaxed, {"email": "nurse@careagency.example"}).admitted
    assert not decide(relaxed, {"email": "nurse@careagency.example", "email_verified": False}).admitted


def test_only_an_explicit_false_relaxes_the_verified_check() -> None:
    policy = policy_from_secrets(secrets_with({"allowed_domains": ["x.example"], "require_verified_email": "false"}))
    assert policy.require_verified_email


def test_the_reason_for_an_admitted_person_names_them() -> None:
    decision = decide(AccessPolicy(frozenset(), frozenset({"x.example"})), verified("a@x.example"))
    assert (decision.reason, decision.code) == ("Signed in as a@x.example.", "listed")
