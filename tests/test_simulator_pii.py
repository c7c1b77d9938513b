"""Fictional personal details in demo transcripts: some calls carry them, deterministically, all masked."""

from __future__ import annotations

from collections import Counter

from carecycle_dash.data.masking import mask_text
from carecycle_dash.simulator import DEMO_CUSTOMERS, generate_calls
from carecycle_dash.simulator.pii import TEST_CARDS

SEED = 20261128
MARKERS = ("my cell is", "Medicare number? It's", "Social Security number? It's", "My card is")
MASKED_LINES = {
    "my cell is": "User: If you need to reach me, my cell is [phone], or email me at [email].",
    "Medicare number? It's": "User: Do you need my Medicare number? It's [medicare].",
    "Social Security number? It's": "User: Should I give you my Social Security number? It's [ssn].",
    "My card is": "User: Can I pay my copay now? My card is [card], expiring 09/28.",
}


def calls_with_details() -> list[dict]:
    calls = generate_calls(DEMO_CUSTOMERS["standard"], 2487, SEED)
    return [call for call in calls if any(marker in (call["transcript"] or "") for marker in MARKERS)]


def detail_lines(call: dict) -> list[tuple[str, str]]:
    """(marker, line) for every line of the call's transcript that carries a personal detail."""
    lines = call["transcript"].split("\n")
    return [(marker, line) for line in lines for marker in MARKERS if marker in line]


def test_189_conversations_carry_one_personal_detail_each_of_every_kind() -> None:
    chosen = calls_with_details()
    kinds = Counter(marker for call in chosen for marker, _ in detail_lines(call))
    assert len(chosen) == 189
    assert kinds == {
        "my cell is": 56,
        "My card is": 50,
        "Social Security number? It's": 47,
        "Medicare number? It's": 36,
    }


def test_the_details_are_the_same_every_time() -> None:
    assert [call["transcript"] for call in calls_with_details()[:20]] == [
        call["transcript"] for call in calls_with_details()[:20]
    ]


def test_masking_removes_every_detail_the_simulator_adds() -> None:
    for call in calls_with_details():
        masked = mask_text(call["transcript"])
        assert not any(card in masked for card in TEST_CARDS)
        assert "@example.com" not in masked
        [(marker, line)] = detail_lines(call)
        assert mask_text(line) == MASKED_LINES[marker]
