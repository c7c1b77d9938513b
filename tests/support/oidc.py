"""A local OpenID Connect provider (oidc-provider-mock) and the secrets file that points the app at it.

oidc-provider-mock (and the Flask it brings, 0.4 s) is imported only when a provider starts, so collecting the
browser files that name their users here costs nothing in the fast loop, which leaves them out anyway.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

CLIENT_ID = "carecycle-dash-tests"
CLIENT_SECRET = "provider-mock-accepts-any-secret"
COOKIE_SECRET = "cookie-secret-for-the-sign-in-tests-only"


@dataclass(frozen=True)
class Person:
    """Someone the provider signs in: `sub` names their button on its login form; the e-mail is verified."""

    sub: str
    email: str


@contextmanager
def oidc_provider(people: Sequence[Person]) -> Iterator[str]:
    """Run the provider on a free loopback port in a thread; yield its base URL.

    Its login form shows one button per person, named by their `sub`. Any client ID and secret are accepted.
    It listens on "localhost" so its cookies never mix with the app's on 127.0.0.1.
    """
    from oidc_provider_mock import User, run_server_in_thread

    users = [User(sub=person.sub, claims={"email": person.email, "email_verified": True}) for person in people]
    with run_server_in_thread(port=0, user_claims=users) as server:
        yield f"http://localhost:{server.server_port}"


def write_auth_secrets(directory: Path, provider_url: str, allowed_domains: Sequence[str]) -> Path:
    """A secrets.toml with [auth] for the provider and an allow-list; Streamlit fills in {port}."""
    domains = ", ".join(f'"{domain}"' for domain in allowed_domains)
    path = directory / "secrets.toml"
    path.write_text(
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{COOKIE_SECRET}"\n'
        f'client_id = "{CLIENT_ID}"\n'
        f'client_secret = "{CLIENT_SECRET}"\n'
        f'server_metadata_url = "{provider_url}/.well-known/openid-configuration"\n'
        "\n[carecycle.access]\n"
        f"allowed_domains = [{domains}]\n",
        encoding="utf-8",
    )
    return path
