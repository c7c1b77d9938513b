"""The demo customers and keys: fixed IDs and secrets so docs, tests and the app can name them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from carecycle_dash.simulator.edge import EDGE_CALL_COUNT

DEMO_API_KEY: Final = "cc_demo_5f1d8e0a2b7c4e9d8a6f3b1c0e2d4a97"
"""Allowed every demo customer (and every `extra_customers` entry). Public on purpose: it only opens
the simulator."""

LIMITED_API_KEY: Final = "cc_limited_0b9e47c2d18a4f6e93c5a7d2e8f1b640"
"""Allowed only the "small" demo customer, so a 403 can be provoked with a key that otherwise works."""

DataKind = Literal["realistic", "edge"]


@dataclass(frozen=True)
class DemoCustomer:
    name: str
    customer_id: str
    calls: int
    kind: DataKind = "realistic"


DEMO_CUSTOMER_LIST: Final[tuple[DemoCustomer, ...]] = (
    DemoCustomer("empty", "3f0c2a4e-7b1d-4c8a-9e2f-5a6b7c8d9e01", 0),
    DemoCustomer("small", "8a41d2c7-5e93-4b06-a1f8-2c7d9e3b4f12", 43),
    DemoCustomer("standard", "c7e2a9f4-1b3d-4e5a-8c6f-0d9e8b7a6c23", 2487),
    DemoCustomer("large", "1d5f8b3a-9c2e-4a7d-b6e1-4f0a3c8d2e34", 100_000),
    DemoCustomer("edge", "e9b3c6d1-4a8f-4f2e-9d7c-6b5a4e3f2d45", EDGE_CALL_COUNT, "edge"),
)

DEMO_CUSTOMERS: Final[dict[str, str]] = {c.name: c.customer_id for c in DEMO_CUSTOMER_LIST}
"""Demo customer name -> customer ID."""

DEMO_CUSTOMER_SIZES: Final[dict[str, int]] = {c.name: c.calls for c in DEMO_CUSTOMER_LIST}
"""Demo customer name -> number of calls before any drift."""

DEFAULT_DEMO_CUSTOMER_ID: Final = DEMO_CUSTOMERS["standard"]
"""What the app shows a newcomer."""


def demo_keys(all_customer_ids: frozenset[str]) -> dict[str, frozenset[str]]:
    """The built-in keys and the customers each may read."""
    return {
        DEMO_API_KEY: all_customer_ids,
        LIMITED_API_KEY: frozenset({DEMO_CUSTOMERS["small"]}),
    }
