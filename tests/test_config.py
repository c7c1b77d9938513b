from carecycle_dash.api.config import key_fingerprint, resolve_settings
from carecycle_dash.api.contract import DEFAULT_BASE_URL


def test_secrets_file_wins_over_environment_and_typed_key() -> None:
    settings = resolve_settings(
        {"carecycle": {"api_key": "cc_secret", "base_url": "https://eu.example.com"}},
        {"CARECYCLE_API_KEY": "cc_env"},
        typed_key="cc_typed",
    )
    assert (settings.api_key, settings.base_url, settings.source) == ("cc_secret", "https://eu.example.com", "secrets")


def test_environment_wins_over_typed_key() -> None:
    settings = resolve_settings({}, {"CARECYCLE_API_KEY": "cc_env"}, typed_key="cc_typed")
    assert (settings.api_key, settings.base_url, settings.source) == ("cc_env", DEFAULT_BASE_URL, "environment")


def test_typed_key_is_used_when_nothing_is_configured() -> None:
    settings = resolve_settings({}, {"CARECYCLE_BASE_URL": "https://other.example.com"}, typed_key=" cc_typed ")
    assert (settings.api_key, settings.base_url, settings.source) == (
        "cc_typed",
        "https://other.example.com",
        "session",
    )


def test_no_key_anywhere_means_demo() -> None:
    settings = resolve_settings({}, {}, typed_key="  ")
    assert settings.is_demo and settings.api_key is None


def test_key_never_shows_in_repr() -> None:
    assert "cc_secret" not in repr(resolve_settings({}, {"CARECYCLE_API_KEY": "cc_secret"}))


def test_fingerprint_tells_keys_apart_without_containing_them() -> None:
    first, second = key_fingerprint("cc_one"), key_fingerprint("cc_two")
    assert first != second
    assert "cc_one" not in first and len(first) == 16
    assert key_fingerprint("cc_one") == first
