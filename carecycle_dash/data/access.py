"""Who may open the hosted dashboard: the allow-list in the secrets file, and the decision for one person.

Pure (no Streamlit), so every rule is a unit test. Shape in `.streamlit/secrets.toml`:

    [auth]                       # Streamlit's own OpenID Connect settings; sign-in is on when present
    redirect_uri = "https://calls.example.org/oauth2callback"
    cookie_secret = "..."
    client_id = "..."
    client_secret = "..."
    server_metadata_url = "https://login.example.org/.well-known/openid-configuration"

    [carecycle.access]
    allowed_domains = ["example.org"]            # everyone whose address ends in @example.org
    allowed_emails = ["auditor@partner.example"] # and these people, one by one
    require_verified_email = true                # the default; see below

Rules: addresses and domains compare case-insensitively; a domain admits only that exact domain (list
sub-domains separately); an `[auth]` section with an empty or missing allow-list admits nobody, and the
page says so. The provider must vouch for the address: `email_verified` must be true, because an
unverified address proves nothing about who signed in. Providers that never send the claim (Microsoft
Entra ID, for one) need `require_verified_email = false`; even then an explicit `email_verified = false`
is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from carecycle_dash.data.addresses import AddressList, carecycle_section, listed_addresses, normalised_email

AUTH_SECTION: Final = "auth"
ACCESS_SECTION: Final = "access"  # under [carecycle], i.e. [carecycle.access]
ALLOWED_DOMAINS: Final = "allowed_domains"
ALLOWED_EMAILS: Final = "allowed_emails"
REQUIRE_VERIFIED_EMAIL: Final = "require_verified_email"
# What Streamlit's st.login needs in [auth] for its default provider.
REQUIRED_AUTH_KEYS: Final = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")


@dataclass(frozen=True)
class AccessPolicy(AddressList):
    """The allow-list: exact addresses and whole domains, all lower case."""

    require_verified_email: bool = True

    @property
    def admits_nobody(self) -> bool:
        return self.is_empty


@dataclass(frozen=True)
class AccessDecision:
    """Whether this person is let in, one line for the page saying why, and a short code for the audit log."""

    admitted: bool
    email: str | None
    reason: str
    code: str  # "listed", "nobody-listed", "no-email", "unverified", "not-listed"


def sign_in_configured(secrets: Mapping[str, Any]) -> bool:
    """Sign-in is required as soon as the secrets file has an [auth] section, even an incomplete one."""
    return AUTH_SECTION in secrets


def missing_auth_settings(secrets: Mapping[str, Any]) -> list[str]:
    """The [auth] keys Streamlit needs that are absent or blank, so the page can name them."""
    section = secrets.get(AUTH_SECTION)
    if not isinstance(section, Mapping):
        return list(REQUIRED_AUTH_KEYS)
    return [key for key in REQUIRED_AUTH_KEYS if not str(section.get(key) or "").strip()]


def policy_from_secrets(secrets: Mapping[str, Any]) -> AccessPolicy:
    """Read [carecycle.access]; a missing or malformed section is an empty allow-list (nobody)."""
    section = carecycle_section(secrets, ACCESS_SECTION)
    emails, domains = listed_addresses(section, ALLOWED_EMAILS, ALLOWED_DOMAINS)
    # Only an explicit false relaxes the check; a typo or a string keeps it on.
    require_verified = section.get(REQUIRE_VERIFIED_EMAIL, True) is not False
    return AccessPolicy(emails=emails, domains=domains, require_verified_email=require_verified)


def _claim_flag(value: Any) -> bool | None:
    """A boolean claim; some providers (AWS Cognito) send "true"/"false" as strings. Else None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    return None


def decide(policy: AccessPolicy, claims: Mapping[str, Any]) -> AccessDecision:
    """Admit a signed-in person when the provider vouches for an address on the allow-list."""
    email = normalised_email(claims.get("email"))
    if policy.admits_nobody:
        return AccessDecision(
            False,
            email,
            "Nobody is admitted yet: the allow-list in the secrets file is empty. Ask your admin.",
            "nobody-listed",
        )
    if email is None:
        return AccessDecision(
            False, None, "Your sign-in did not include an email address, so access is refused.", "no-email"
        )
    verified = _claim_flag(claims.get("email_verified"))
    if verified is False or (policy.require_verified_email and verified is not True):
        return AccessDecision(
            False, email, f"Your provider has not verified {email}, so access is refused. Ask your admin.", "unverified"
        )
    if policy.includes(email):
        return AccessDecision(True, email, f"Signed in as {email}.", "listed")
    return AccessDecision(
        False, email, f"{email} is not on this dashboard's access list. Ask your admin to add you.", "not-listed"
    )
