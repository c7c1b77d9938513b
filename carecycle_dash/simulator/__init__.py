"""A faithful stand-in for the CareCycle calls API on loopback: the demo's data, the tests' double, and
what the benchmarks measure.

    with start_simulator(SimulatorConfig(latency_ms=40)) as sim:
        httpx.get(f"{sim.base_url}/v2/customers/{DEFAULT_DEMO_CUSTOMER_ID}/calls",
                  headers={"x-api-key": DEMO_API_KEY})
"""

from carecycle_dash.simulator.calls import generate_calls
from carecycle_dash.simulator.config import FAULT_KINDS, SimulatorConfig
from carecycle_dash.simulator.customers import (
    DEFAULT_DEMO_CUSTOMER_ID,
    DEMO_API_KEY,
    DEMO_CUSTOMER_SIZES,
    DEMO_CUSTOMERS,
    LIMITED_API_KEY,
)
from carecycle_dash.simulator.server import RunningSimulator, start_simulator
from carecycle_dash.simulator.state import SimulatorStats

__all__ = [
    "DEFAULT_DEMO_CUSTOMER_ID",
    "DEMO_API_KEY",
    "DEMO_CUSTOMERS",
    "DEMO_CUSTOMER_SIZES",
    "FAULT_KINDS",
    "LIMITED_API_KEY",
    "RunningSimulator",
    "SimulatorConfig",
    "SimulatorStats",
    "generate_calls",
    "start_simulator",
]
