import pytest

from carecycle_dash.api.contract import is_valid_customer_id


@pytest.mark.parametrize(
    "value",
    [
        "497f6eca-6276-4993-bfeb-53cbbbba6f08",
        "00000000-0000-0000-0000-000000000000",
        "ffffffff-ffff-ffff-ffff-ffffffffffff",
        "497F6ECA-6276-4993-BFEB-53CBBBBA6F08",
    ],
)
def test_ids_the_api_accepts_are_valid(value: str) -> None:
    assert is_valid_customer_id(value)


@pytest.mark.parametrize(
    "value",
    [
        "497f6eca-6276-4993-bfeb-53cbbbba6f08\n",
        " 497f6eca-6276-4993-bfeb-53cbbbba6f08",
        "497f6eca-6276-0993-bfeb-53cbbbba6f08",  # version 0
        "497f6eca-6276-4993-7feb-53cbbbba6f08",  # not the RFC variant
        "497f6eca62764993bfeb53cbbbba6f08",
        "",
        "../../admin",
    ],
)
def test_anything_else_is_refused(value: str) -> None:
    assert not is_valid_customer_id(value)
