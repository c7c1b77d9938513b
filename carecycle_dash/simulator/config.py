"""Every knob of the simulator in one dataclass; the defaults serve clean data with no faults."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Final

from carecycle_dash.simulator.clock import Clock, clock_from_environment

FAULT_KINDS: Final[tuple[str, ...]] = ("500", "429", "truncated", "drop", "slow")
"""500: an error body; 429: `retryAfter` and `Retry-After`; truncated: 200 whose body stops mid-JSON;
drop: the connection closes without a response; slow: the answer comes after `slow_s`."""

RUNTIME_KNOBS: Final = frozenset(
    {
        "latency_ms",
        "fault_rate",
        "fault_kinds",
        "retry_after_s",
        "slow_s",
        "rate_limit_per_s",
        "drift_calls",
        "drift_after_requests",
    }
)
"""The knobs `RunningSimulator.set_faults` may change while serving; the rest fix the data."""


@dataclass(frozen=True)
class SimulatorConfig:
    """What the simulator serves and how badly it behaves while serving it."""

    seed: int = 20261128
    extra_customers: dict[str, int] = field(default_factory=dict)
    latency_ms: float = 0
    fault_rate: float = 0
    fault_kinds: tuple[str, ...] = FAULT_KINDS
    retry_after_s: float = 1
    slow_s: float = 30
    rate_limit_per_s: float | None = None
    drift_calls: int = 0
    drift_after_requests: int = 1
    extra_keys: dict[str, frozenset[str]] = field(default_factory=dict)
    now: Clock = field(default_factory=clock_from_environment)
    """Calls are served up to this time: the demo data run up to the present (see store.py)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "fault_kinds", tuple(self.fault_kinds))
        problems = _problems(self)
        if problems:
            raise ValueError("invalid simulator config: " + "; ".join(problems))


def _problems(config: SimulatorConfig) -> list[str]:
    problems: list[str] = []
    for name in ("latency_ms", "retry_after_s", "slow_s"):
        value = getattr(config, name)
        if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
            problems.append(f"{name} must be a finite number >= 0")
    if not (isinstance(config.fault_rate, int | float) and 0 <= config.fault_rate <= 1):
        problems.append("fault_rate must be between 0 and 1")
    unknown = [kind for kind in config.fault_kinds if kind not in FAULT_KINDS]
    if unknown or not config.fault_kinds:
        problems.append(f"fault_kinds must be a non-empty subset of {', '.join(FAULT_KINDS)}")
    if config.rate_limit_per_s is not None and not config.rate_limit_per_s > 0:
        problems.append("rate_limit_per_s must be > 0 or None")
    if config.drift_calls < 0:
        problems.append("drift_calls must be >= 0")
    if config.drift_after_requests < 0:
        problems.append("drift_after_requests must be >= 0")
    if any(count < 0 for count in config.extra_customers.values()):
        problems.append("extra_customers counts must be >= 0")
    return problems


def check_runtime_knobs(knobs: dict[str, Any]) -> None:
    """Reject knobs that cannot change while serving, so a typo fails loudly instead of doing nothing."""
    unknown = sorted(set(knobs) - RUNTIME_KNOBS)
    if unknown:
        raise ValueError(f"not a runtime fault knob: {', '.join(unknown)}; allowed: {', '.join(sorted(RUNTIME_KNOBS))}")
