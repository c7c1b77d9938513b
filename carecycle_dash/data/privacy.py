"""Who sees personal data: the per-viewer masking decision, pure so that every rule is a unit test.

Shape in `.streamlit/secrets.toml`, beside the allow-list of access.py:

    [carecycle.access]
    allowed_domains = ["careagency.example"]
    full_access_emails = ["privacy.officer@careagency.example"]  # see names, numbers and recordings
    full_access_domains = ["audit.careagency.example"]

    [carecycle.privacy]
    mask = "auto"        # "auto" (default) | "on" | "off"; the environment's CARECYCLE_MASK overrides it
    allow_reveal = true  # a masked viewer may reveal one call after giving a reason (audited)

"auto": with sign-in configured, everyone is masked except the full-access people; without sign-in (one
person on their own machine) nobody is. "on" and "off" apply to everyone. Full access is granted only by
address or domain, compared like the allow-list (case-insensitive, exact domain).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from carecycle_dash.api.config import MaskMode
from carecycle_dash.data.access import ACCESS_SECTION
from carecycle_dash.data.addresses import AddressList, carecycle_section, listed_addresses, normalised_email

FULL_ACCESS_EMAILS: Final = "full_access_emails"
FULL_ACCESS_DOMAINS: Final = "full_access_domains"


@dataclass(frozen=True)
class FullAccess(AddressList):
    """The people who see personal data unmasked under "auto": exact addresses and whole domains."""


@dataclass(frozen=True)
class MaskDecision:
    """Whether this viewer's data is masked, and one line saying why (for the sidebar)."""

    masked: bool
    reason: str


def full_access_from_secrets(secrets: Mapping[str, Any]) -> FullAccess:
    """Read the full-access lists of [carecycle.access]; missing or malformed lists grant nobody."""
    section = carecycle_section(secrets, ACCESS_SECTION)
    return FullAccess(*listed_addresses(section, FULL_ACCESS_EMAILS, FULL_ACCESS_DOMAINS))


def decide_masking(mode: MaskMode, *, sign_in: bool, email: Any, full_access: FullAccess) -> MaskDecision:
    """Masked or not for one viewer. Anything unexpected (no address, an odd one) masks: the safe side."""
    if mode == "on":
        return MaskDecision(True, "Masking is switched on for everyone on this dashboard.")
    if mode == "off":
        return MaskDecision(False, "Masking is switched off for this dashboard.")
    if not sign_in:
        return MaskDecision(False, "Nobody signs in to this dashboard, so nothing is masked.")
    if full_access.includes(normalised_email(email)):
        return MaskDecision(False, "You have full access.")
    return MaskDecision(True, "Your account does not have full access.")
