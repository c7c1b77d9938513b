"""Fictional personal details in demo transcripts: some calls carry them, deterministically, all masked."""

from __future__ import annotations

from carecycle_dash.data.masking import mask_text
from carecycle_dash.simulator import DEMO_CUSTOMERS, generate_calls
from carecycle_dash.simulator.pii import TEST_CARDS

SEED = 20261128
MARKERS = ("my cell is", "Medicare number? It's", "Social Security number? It's", "My card is")


def calls_with_details() -> list[dict]:
    calls = generate_calls(DEMO_CUSTOMERS["standard"], 2487, SEED)
    return [call for call in calls if any(marker in (call["transcript"] or "") for marker in MARKERS)]


def test_about_one_conversation_in_ten_carries_a_personal_detail_of_every_kind() -> None:
    chosen = calls_with_details()
    assert 120 <= len(chosen) <= 300
    for marker in MARKERS:
        assert any(marker in call["transcript"] for call in chosen), marker


def test_the_details_are_the_same_every_time() -> None:
    assert [call["transcript"] for call in calls_with_details()[:20]] == [
        call["transcript"] for call in calls_with_details()[:20]
    ]


def test_masking_removes_every_detail_the_simulator_adds() -> None:
    for call in calls_with_details():
        masked = mask_text(call["transcript"])
        assert not any(card in masked for card in TEST_CARDS)
        assert "@example.com" not in masked
        assert "It's [medicare]" in masked or "It's [ssn]" in masked or "[card]" in masked or "[phone]" in masked
