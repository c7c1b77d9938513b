"""RetryPolicy: what is retried, how long it waits, and when it gives up. Time is faked throughout."""

from __future__ import annotations

import pytest

from carecycle_dash.api.errors import (
    AuthenticationError,
    NetworkError,
    RateLimitedError,
    ServerError,
    UnreadableResponseError,
)
from carecycle_dash.api.retry import RetryPolicy, full_jitter, is_retryable
from tests.support.clock import FakeClock


def policy(clock: FakeClock, **overrides: object) -> RetryPolicy:
    settings: dict[str, object] = {
        "attempts": 5,
        "deadline_s": 100.0,
        "backoff_initial_s": 1.0,
        "backoff_max_s": 8.0,
        "jitter": lambda cap: cap,
        "sleep": clock.sleep,
        "clock": clock.clock,
    }
    settings.update(overrides)
    return RetryPolicy(**settings)  # type: ignore[arg-type]


class Flaky:
    """Fails with the given errors in turn, then returns "ok"."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


def server_error() -> ServerError:
    return ServerError("down", status=503)


def test_transient_failures_are_retried_until_success() -> None:
    clock = FakeClock()
    attempt = Flaky(server_error(), NetworkError("drop"), UnreadableResponseError("cut"))
    assert policy(clock).call(attempt) == "ok"
    assert attempt.calls == 4


def test_backoff_doubles_up_to_the_cap() -> None:
    clock = FakeClock()
    attempt = Flaky(*[server_error() for _ in range(5)])
    policy(clock, attempts=6).call(attempt)
    assert clock.sleeps == [1.0, 2.0, 4.0, 8.0, 8.0]


def test_jitter_picks_the_actual_wait_below_the_cap() -> None:
    clock = FakeClock()
    caps: list[float] = []
    jittered = policy(clock, jitter=lambda cap: caps.append(cap) or cap / 4)
    jittered.call(Flaky(server_error(), server_error()))
    assert caps == [1.0, 2.0]
    assert clock.sleeps == [0.25, 0.5]


def test_full_jitter_stays_within_zero_and_the_cap() -> None:
    draws = [full_jitter(2.0) for _ in range(200)]
    assert all(0.0 <= d <= 2.0 for d in draws)
    assert len(set(draws)) > 1


def test_retry_after_is_honoured() -> None:
    clock = FakeClock()
    attempt = Flaky(RateLimitedError("slow", status=429, code=None, retry_after=7.0))
    policy(clock, jitter=lambda cap: 0.0).call(attempt)
    assert clock.sleeps == [7.0]


def test_rate_limit_without_retry_after_backs_off() -> None:
    clock = FakeClock()
    policy(clock).call(Flaky(RateLimitedError("slow", status=429, code=None, retry_after=None)))
    assert clock.sleeps == [1.0]


def test_attempts_are_capped_and_the_last_error_is_raised() -> None:
    clock = FakeClock()
    attempt = Flaky(*[ServerError(f"down {i}", status=500) for i in range(10)])
    with pytest.raises(ServerError, match="down 2"):
        policy(clock, attempts=3).call(attempt)
    assert attempt.calls == 3


def test_a_wait_that_would_pass_the_deadline_is_not_taken() -> None:
    clock = FakeClock()
    attempt = Flaky(*[server_error() for _ in range(10)])
    with pytest.raises(ServerError):
        policy(clock, attempts=10, deadline_s=5.0).call(attempt)
    assert clock.sleeps == [1.0, 2.0]
    assert clock.now <= 5.0


def test_a_retry_after_longer_than_the_deadline_gives_up_at_once() -> None:
    clock = FakeClock()
    attempt = Flaky(RateLimitedError("slow", status=429, code=None, retry_after=3600.0))
    with pytest.raises(RateLimitedError) as raised:
        policy(clock, deadline_s=60.0).call(attempt)
    assert raised.value.retry_after == 3600.0
    assert clock.sleeps == []


def test_errors_the_caller_must_fix_are_not_retried() -> None:
    clock = FakeClock()
    attempt = Flaky(AuthenticationError("bad key", status=401))
    with pytest.raises(AuthenticationError):
        policy(clock).call(attempt)
    assert attempt.calls == 1
    assert not is_retryable(ValueError("x"))


def test_a_policy_needs_at_least_one_attempt() -> None:
    with pytest.raises(ValueError, match="attempts"):
        RetryPolicy(attempts=0)


def test_rate_limits_with_retry_after_do_not_use_up_the_failure_attempts() -> None:
    clock = FakeClock()
    paced = [RateLimitedError("slow", status=429, code=None, retry_after=0.5) for _ in range(6)]
    attempt = Flaky(*paced, server_error())
    assert policy(clock, attempts=2).call(attempt) == "ok"
    assert attempt.calls == 8


def test_rate_limits_have_their_own_cap() -> None:
    clock = FakeClock()
    attempt = Flaky(*[RateLimitedError("slow", status=429, code=None, retry_after=0.5) for _ in range(9)])
    with pytest.raises(RateLimitedError):
        policy(clock, rate_limited_attempts=4).call(attempt)
    assert attempt.calls == 4
