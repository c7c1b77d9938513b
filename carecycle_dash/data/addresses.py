"""The secrets file's `[carecycle.*]` sections and the lists of addresses in them, read one way for the
allow-list (`access.py`) and the full-access lists (`privacy.py`).

Addresses and domains compare case-insensitively; a domain admits only that exact domain (a leading "@"
is dropped); a malformed section or list counts as empty. Pure, so every rule is a unit test.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

CARECYCLE_SECTION: Final = "carecycle"


@dataclass(frozen=True)
class AddressList:
    """Exact addresses and whole domains, all lower case."""

    emails: frozenset[str] = frozenset()
    domains: frozenset[str] = frozenset()

    @property
    def is_empty(self) -> bool:
        return not self.emails and not self.domains

    def includes(self, email: str | None) -> bool:
        """Whether a normalised address (`normalised_email`) is listed, by itself or by its domain."""
        return email is not None and (email in self.emails or email.rpartition("@")[2] in self.domains)


def carecycle_section(secrets: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    """`[carecycle.<name>]`; empty when it, or `[carecycle]`, is missing or not a table."""
    carecycle = secrets.get(CARECYCLE_SECTION)
    section = carecycle.get(name) if isinstance(carecycle, Mapping) else None
    return section if isinstance(section, Mapping) else {}


def listed_addresses(
    section: Mapping[str, Any], emails_key: str, domains_key: str
) -> tuple[frozenset[str], frozenset[str]]:
    """(addresses, domains) from two lists of a section, lower case, blanks and a domain's leading "@" dropped."""
    domains = frozenset(entry.removeprefix("@") for entry in _entries(section.get(domains_key)))
    return frozenset(_entries(section.get(emails_key))), domains - {""}


def normalised_email(value: Any) -> str | None:
    """The address in lower case, or None unless it looks like exactly one local@domain with no spaces."""
    if not isinstance(value, str):
        return None
    email = value.strip().lower()
    local, at, domain = email.rpartition("@")
    if not at or not local or not domain or any(ch.isspace() or ord(ch) < 32 for ch in email):
        return None
    return email


def _entries(value: Any) -> list[str]:
    """A TOML list of strings; a lone string counts as a list of one, anything else as nothing."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Iterable) or isinstance(value, Mapping):
        return []
    return [item.strip().lower() for item in value if isinstance(item, str) and item.strip()]
