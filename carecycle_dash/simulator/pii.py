"""Fictional personal details spoken in some demo calls, so that masking has something to hide in the demo.

Real callers volunteer more than a script asks for: a cell number, an e-mail address, a Medicare or Social
Security number, a card to pay with. About one conversation in ten gets one such exchange. Every value is
fictional: 555-01xx numbers, example.com addresses, SSNs from the never-issued 9xx range, Medicare numbers
of the documented shape, and the card networks' published test numbers. Deterministic: chosen from each
call's id, so the same calls get the same details.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any, Final

from carecycle_dash.simulator.scripts import Turn, pick

SHARE: Final = 10
"""One conversation in SHARE carries a personal detail."""
TEST_CARDS: Final = ("4111 1111 1111 1111", "5500 0000 0000 0004", "4012-8888-8888-1881", "6011 1111 1111 1117")
_MBI_LETTERS: Final = tuple("ACDEFGHJKMNPQRTUVWXY")


def _phone(rng: random.Random) -> str:
    number = f"555-01{rng.randint(0, 99):02d}"
    return pick(rng, (f"({rng.randint(201, 989)}) {number}", f"{rng.randint(201, 989)}-{number}"))


def _email(rng: random.Random) -> str:
    name = pick(rng, ("maria.lopez", "jthompson", "bev.okafor", "sam_r", "grandma.pat", "d.nguyen"))
    return f"{name}{rng.randint(1, 99)}@example.com"


def _mbi(rng: random.Random) -> str:
    """A Medicare Beneficiary Identifier of the documented shape, e.g. 1EG4-TE5-MK73."""
    shape = "NLLN-LNN-LLNN"
    return "".join(
        str(rng.randint(1 if i == 0 else 0, 9)) if kind == "N" else pick(rng, _MBI_LETTERS) if kind == "L" else kind
        for i, kind in enumerate(shape)
    )


def _contact(rng: random.Random) -> list[Turn]:
    return [
        ("User", f"If you need to reach me, my cell is {_phone(rng)}, or email me at {_email(rng)}."),
        ("AI", "Thank you, I've noted that."),
    ]


def _medicare(rng: random.Random) -> list[Turn]:
    return [
        ("User", f"Do you need my Medicare number? It's {_mbi(rng)}."),
        ("AI", "Thank you, that matches what we have on file."),
    ]


def _social(rng: random.Random) -> list[Turn]:
    ssn = f"{rng.randint(900, 999)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"
    return [
        ("User", f"Should I give you my Social Security number? It's {ssn}."),
        ("AI", "Please don't share that on the phone; we never need it for this call."),
    ]


def _card(rng: random.Random) -> list[Turn]:
    return [
        ("User", f"Can I pay my copay now? My card is {pick(rng, TEST_CARDS)}, expiring 09/28."),
        ("AI", "I'm not able to take payments, but the front desk can help you with that."),
    ]


_EXCHANGES: Final[tuple[Callable[[random.Random], list[Turn]], ...]] = (_contact, _medicare, _social, _card)


def add_personal_details(calls: list[dict[str, Any]]) -> None:
    """Insert one exchange with a personal detail into about one conversation in SHARE, in place."""
    for call in calls:
        transcript = call.get("transcript")
        if not transcript or "\nUser: " not in transcript or int(call["id"][:8], 16) % SHARE:
            continue
        rng = random.Random(call["id"])
        lines = transcript.split("\n")
        turns = pick(rng, _EXCHANGES)(rng)
        at = max(len(lines) - 2, 1)  # before the goodbyes
        lines[at:at] = [f"{speaker}: {text}" for speaker, text in turns]
        call["transcript"] = "\n".join(lines)
