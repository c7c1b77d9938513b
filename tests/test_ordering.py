"""The sidebar's sort, applied locally, gives exactly the order the API (the simulator) serves."""

from __future__ import annotations

import pandas as pd
import pytest

from carecycle_dash.api.client import CallsClient
from carecycle_dash.api.contract import SORT_FIELDS, SORT_ORDERS
from carecycle_dash.api.full_load import load_all_calls
from carecycle_dash.data.frame import build_frame
from carecycle_dash.data.ordering import in_rank_order, ranks, sort_positions
from carecycle_dash.simulator import DEMO_API_KEY, DEMO_CUSTOMERS, RunningSimulator
from tests.factories import make_call


@pytest.mark.server
@pytest.mark.parametrize("sort_by", SORT_FIELDS)
@pytest.mark.parametrize("order", SORT_ORDERS)
def test_a_local_sort_matches_the_api_order_ties_included(
    simulator: RunningSimulator, sort_by: str, order: str
) -> None:
    customer = DEMO_CUSTOMERS["standard"]
    with CallsClient(DEMO_API_KEY, simulator.base_url) as client:
        newest_first = load_all_calls(client, customer).calls
        served = load_all_calls(client, customer, sort_by=sort_by, order=order).calls  # type: ignore[arg-type]
    df = build_frame(newest_first).df
    local = [newest_first[i]["id"] for i in sort_positions(df, sort_by, order)]  # type: ignore[arg-type]
    assert local == [call["id"] for call in served]


def test_missing_values_come_last_ascending_and_first_descending_with_ties_by_id() -> None:
    calls = [
        make_call(id="00000000-0000-4000-8000-000000000003", durationMs=None),
        make_call(id="00000000-0000-4000-8000-000000000002", durationMs=5000),
        make_call(id="00000000-0000-4000-8000-000000000001", durationMs=5000),
        make_call(id="00000000-0000-4000-8000-000000000004", durationMs=1000),
    ]
    df = build_frame(calls).df
    assert list(sort_positions(df, "duration", "asc")) == [3, 2, 1, 0]
    assert list(sort_positions(df, "duration", "desc")) == [0, 1, 2, 3]


def test_the_labels_of_a_filtered_subset_are_put_in_sort_order() -> None:
    df = pd.DataFrame({"x": [10, 20, 30, 40]})
    rank = ranks([3, 1, 0, 2])  # row 3 first, then 1, 0, 2
    subset = df.iloc[[0, 1, 3]]
    assert list(in_rank_order(subset.index, rank)) == [3, 1, 0]
