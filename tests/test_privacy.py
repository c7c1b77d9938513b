"""Who is masked: the mode, sign-in, and the full-access lists."""

from __future__ import annotations

from carecycle_dash.data.privacy import FullAccess, decide_masking, full_access_from_secrets

SECRETS = {
    "carecycle": {
        "access": {
            "allowed_domains": ["careagency.example"],
            "full_access_emails": ["Officer@CareAgency.example"],
            "full_access_domains": ["@audit.example"],
        }
    }
}
FULL = full_access_from_secrets(SECRETS)


def test_full_access_lists_are_read_in_lower_case_without_at_signs() -> None:
    full = full_access_from_secrets(SECRETS)
    assert full.emails == {"officer@careagency.example"} and full.domains == {"audit.example"}


def test_missing_or_malformed_full_access_lists_grant_nobody() -> None:
    assert full_access_from_secrets({}) == FullAccess()
    assert full_access_from_secrets({"carecycle": {"access": {"full_access_emails": 42}}}) == FullAccess()


def test_auto_with_sign_in_masks_everyone_but_full_access_people() -> None:
    assert not decide_masking("auto", sign_in=True, email="OFFICER@careagency.example", full_access=FULL).masked
    assert not decide_masking("auto", sign_in=True, email="x@audit.example", full_access=FULL).masked
    assert decide_masking("auto", sign_in=True, email="nurse@careagency.example", full_access=FULL).masked
    assert decide_masking("auto", sign_in=True, email="x@sub.audit.example", full_access=FULL).masked


def test_auto_with_sign_in_masks_a_viewer_without_a_usable_address() -> None:
    for email in (None, "", "not an address", 42):
        assert decide_masking("auto", sign_in=True, email=email, full_access=FULL).masked


def test_auto_without_sign_in_shows_everything() -> None:
    assert not decide_masking("auto", sign_in=False, email=None, full_access=FullAccess()).masked


def test_on_and_off_apply_to_everyone() -> None:
    assert decide_masking("on", sign_in=True, email="officer@careagency.example", full_access=FULL).masked
    assert decide_masking("on", sign_in=False, email=None, full_access=FULL).masked
    assert not decide_masking("off", sign_in=True, email="nurse@careagency.example", full_access=FULL).masked
