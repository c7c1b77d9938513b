"""The one place that decides whether, and how long after, a failed request is tried again.

A GET is safe to repeat, so rate limits, server errors, network failures and unreadable bodies are retried;
anything the caller must fix (bad input, key, access, customer) is not. Built on tenacity; time, sleeping
and jitter are parameters so tests run without waiting.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import tenacity

from carecycle_dash.api.errors import (
    LoadTimeoutError,
    NetworkError,
    RateLimitedError,
    ServerError,
    UnreadableResponseError,
)

T = TypeVar("T")

RETRYABLE_ERRORS: tuple[type[Exception], ...] = (
    RateLimitedError,
    ServerError,
    NetworkError,
    UnreadableResponseError,
)
# A load out of time is a network timeout too, but trying again cannot give it time back.
FINAL_ERRORS: tuple[type[Exception], ...] = (LoadTimeoutError,)


def full_jitter(cap: float) -> float:
    """A wait drawn uniformly from [0, cap] ("full jitter"), so concurrent clients spread out."""
    return random.uniform(0.0, cap)


def is_retryable(error: BaseException) -> bool:
    """True for outcomes a repeated GET may cure."""
    return isinstance(error, RETRYABLE_ERRORS) and not isinstance(error, FINAL_ERRORS)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to try one request.

    `attempts` caps the tries (first one included), not counting tries the server answered with a 429 and a
    `retry_after`: a server that says when to come back is pacing us, not failing, so those have their own,
    larger cap, `rate_limited_attempts`. `deadline_s` caps the time from the first try to the start of the
    last one, waits included: a wait that would end past it is not taken. Backoff doubles from
    `backoff_initial_s` up to `backoff_max_s` and `jitter(cap)` picks the actual wait in [0, cap]. A 429's
    `retry_after` is waited in full, plus `jitter(backoff_initial_s)` so parallel workers do not return
    in lockstep.
    """

    attempts: int = 6
    rate_limited_attempts: int = 30
    deadline_s: float = 60.0
    backoff_initial_s: float = 0.25
    backoff_max_s: float = 8.0
    jitter: Callable[[float], float] = full_jitter
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic

    def __post_init__(self) -> None:
        if self.attempts < 1 or self.rate_limited_attempts < 1:
            raise ValueError("attempts must be at least 1")
        if self.deadline_s < 0 or self.backoff_initial_s < 0 or self.backoff_max_s < 0:
            raise ValueError("deadline and backoff must not be negative")

    def backoff(self, failures: int) -> float:
        """The wait after the `failures`-th consecutive failure: full jitter over a doubling cap."""
        cap = min(self.backoff_max_s, self.backoff_initial_s * (2 ** max(failures - 1, 0)))
        return max(0.0, self.jitter(cap))

    def wait_after(self, error: BaseException | None, failures: int) -> float:
        """Seconds to wait before the next try, honouring a rate limit's `retry_after`."""
        if isinstance(error, RateLimitedError) and error.retry_after is not None:
            return max(0.0, error.retry_after) + max(0.0, self.jitter(self.backoff_initial_s))
        return self.backoff(failures)

    def call(self, attempt: Callable[[], T], *, until: float | None = None) -> T:
        """Run `attempt` until it returns, fails for good, or the attempts or deadline run out.

        `until`, a time on `clock`, is a further deadline from the caller (a whole load's): no wait that
        would end past it is taken. The last error is raised as it is, so callers see the package's own
        exception types.
        """
        started = self.clock()
        failures = {"paced": 0, "other": 0}

        def wait(state: tenacity.RetryCallState) -> float:
            error = state.outcome.exception() if state.outcome else None
            paced = isinstance(error, RateLimitedError) and error.retry_after is not None
            failures["paced" if paced else "other"] += 1
            return self.wait_after(error, max(failures["other"], 1))

        def stop(state: tenacity.RetryCallState) -> bool:
            if failures["other"] + 1 > self.attempts or failures["paced"] >= self.rate_limited_attempts:
                return True
            now = self.clock()
            if until is not None and now + state.upcoming_sleep > until:
                return True
            return now - started + state.upcoming_sleep > self.deadline_s

        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception(is_retryable),
            wait=wait,
            stop=stop,
            sleep=self.sleep,
            reraise=True,
        )
        return retrying(attempt)
