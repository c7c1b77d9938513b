from carecycle_dash.api.config import PrivacySettings, key_fingerprint, resolve_privacy, resolve_settings
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


def test_masking_is_auto_without_reveal_by_default() -> None:
    assert resolve_privacy({}, {}) == PrivacySettings("auto", False, None)


def test_mask_setting_comes_from_secrets_and_the_environment_overrides_it() -> None:
    secrets = {"carecycle": {"privacy": {"mask": "off", "allow_reveal": True}}}
    assert resolve_privacy(secrets, {}) == PrivacySettings("off", True, None)
    assert resolve_privacy(secrets, {"CARECYCLE_MASK": " ON "}) == PrivacySettings("on", True, None)


def test_an_unusable_mask_value_masks_everyone_with_one_line_saying_so() -> None:
    settings = resolve_privacy({"carecycle": {"privacy": {"mask": "sometimes"}}}, {})
    assert settings.mode == "on"
    assert settings.notice is not None and "'sometimes'" in settings.notice and "\n" not in settings.notice
    assert resolve_privacy({}, {"CARECYCLE_MASK": "0\nforged"}).notice.count("\n") == 0  # type: ignore[union-attr]


def test_only_an_explicit_true_allows_reveal() -> None:
    for value in ("true", 1, "yes", None):
        assert not resolve_privacy({"carecycle": {"privacy": {"allow_reveal": value}}}, {}).allow_reveal
