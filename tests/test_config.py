import pytest

from carecycle_dash.api.config import (
    PrivacySettings,
    Timeouts,
    key_fingerprint,
    resolve_max_page_mb,
    resolve_privacy,
    resolve_settings,
    resolve_timeouts,
)
from carecycle_dash.api.contract import DEFAULT_BASE_URL
from carecycle_dash.api.errors import InvalidInputError


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


def test_time_limits_default_to_a_minute_per_request_and_five_per_load() -> None:
    assert resolve_settings({}, {}).timeouts == Timeouts(request_s=60.0, load_s=300.0)


def test_time_limits_come_from_the_environment() -> None:
    environ = {"CARECYCLE_REQUEST_TIMEOUT_S": "20", "CARECYCLE_LOAD_TIMEOUT_S": "90.5"}
    assert resolve_settings({}, environ).timeouts == Timeouts(request_s=20.0, load_s=90.5)


@pytest.mark.parametrize("value", ["abc", "0", "-5", "nan", "inf"])
def test_a_bad_time_limit_is_one_line_naming_the_variable_in_strict_mode(value: str) -> None:
    with pytest.raises(InvalidInputError, match="CARECYCLE_LOAD_TIMEOUT_S must be a number of seconds"):
        resolve_timeouts({"CARECYCLE_LOAD_TIMEOUT_S": value}, strict=True)


def test_a_bad_time_limit_keeps_the_dashboard_on_the_default_and_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    assert resolve_timeouts({"CARECYCLE_REQUEST_TIMEOUT_S": "soon"}).request_s == 60.0
    assert "CARECYCLE_REQUEST_TIMEOUT_S must be a number of seconds" in caplog.text


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


def test_the_page_size_limit_is_64_mb_unless_the_environment_says() -> None:
    assert resolve_max_page_mb({}) == 64
    assert resolve_max_page_mb({"CARECYCLE_MAX_PAGE_MB": " 8 "}) == 8
    assert resolve_max_page_mb({"CARECYCLE_MAX_PAGE_MB": "4096"}, strict=True) == 4096


@pytest.mark.parametrize("value", ["0", "-1", "1.5", "lots", "4097", "²"])
def test_a_bad_page_size_limit_is_an_error_for_the_cli_and_the_default_for_the_dashboard(value: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        resolve_max_page_mb({"CARECYCLE_MAX_PAGE_MB": value}, strict=True)
    assert caught.value.message == (
        f"CARECYCLE_MAX_PAGE_MB must be a whole number of megabytes from 1 to 4096, not {value!r}."
    )
    assert resolve_max_page_mb({"CARECYCLE_MAX_PAGE_MB": value}) == 64
