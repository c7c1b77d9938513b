"""The secrets file's [carecycle.*] sections and address lists, read one way for access and privacy."""

from __future__ import annotations

from carecycle_dash.data.addresses import AddressList, carecycle_section, listed_addresses, normalised_email


def test_a_missing_or_malformed_section_reads_as_empty() -> None:
    assert carecycle_section({}, "access") == {}
    assert carecycle_section({"carecycle": "oops"}, "access") == {}
    assert carecycle_section({"carecycle": {"access": ["a"]}}, "access") == {}
    assert carecycle_section({"carecycle": {"access": {"k": 1}}}, "access") == {"k": 1}


def test_lists_are_lower_case_without_blanks_or_a_domains_leading_at() -> None:
    section = {"emails": ["Ann@X.example", " ", 7], "domains": "@Clinic.example", "other": ["@"]}
    assert listed_addresses(section, "emails", "domains") == (
        frozenset({"ann@x.example"}),
        frozenset({"clinic.example"}),
    )
    assert listed_addresses(section, "missing", "other") == (frozenset(), frozenset())


def test_an_address_is_listed_by_itself_or_its_exact_domain() -> None:
    listed = AddressList(frozenset({"ann@x.example"}), frozenset({"clinic.example"}))
    assert [listed.includes(e) for e in ("ann@x.example", "bo@clinic.example", "bo@sub.clinic.example", None)] == [
        True,
        True,
        False,
        False,
    ]
    assert AddressList().is_empty and not listed.is_empty


def test_only_one_plain_address_normalises() -> None:
    assert normalised_email(" Ann@X.Example ") == "ann@x.example"
    assert [normalised_email(v) for v in ("a b@x.example", "@x.example", "ann@", "no-at", 42, None)] == [None] * 6
