"""People worth finding in the demo calls: agencies mostly honour "Do Not Call" (with one deliberate lapse),
one repeat caller whose number each source system writes its own way, one number dialled five times in a
week, and an AI that now and then asks a caller to repeat themselves twice over.

Applied to a customer's generated calls in time order; deterministic from (customer ID, seed). Only
`callerId` and some transcripts change, so every other distribution of the demo data stays as it was.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any, Final

DO_NOT_CALL: Final = frozenset({"Do Not Call", "Do Not Contact"})
# Numbers an agency moves to after a "Do Not Call" (555-01xx is the fictional range in every area code).
_FRESH_AREA_CODES: Final = ("206", "216", "224", "248", "267", "281", "305", "313", "317", "321", "336", "410")
BREACH_AFTER_DAYS: Final = 3
"""The deliberate lapse: the first outbound call at least this many days after the first request."""
UNANSWERED: Final = frozenset({"Customer Did Not Answer", "Busy/No Answer"})
TOO_OFTEN_DIALS: Final = 5
REPEAT_EVERY: Final = 60
"""About one connected conversation in this many has the AI say the same line twice."""
AI_REPEAT_LINE: Final = "AI: I'm sorry, I didn't quite catch that. Could you say that again?"


def add_people(calls: list[dict[str, Any]], customer_id: str, seed: int) -> None:
    """Rewrite `calls` (oldest first) in place; see the module docstring."""
    if not calls:
        return
    rng = random.Random(f"people:{seed}:{customer_id}")
    breach = _deliberate_breach(calls)
    _honour_do_not_call(calls, skip=breach)
    if breach is not None:
        request, lapse = breach
        calls[lapse]["callerId"] = _written_locally(calls[request]["callerId"])
    _vary_repeat_caller_formats(calls)
    _dialled_too_often(calls)
    _ai_repeats_itself(calls, rng)


def add_people_to_day(calls: list[dict[str, Any]], customer_id: str, seed: int, day_index: int) -> None:
    """For a customer generated a day at a time (its earlier days unknown): whoever asks not to be called has
    a number of their own that is never called again, and the AI repeats itself now and then. The rewrites
    that need the whole history (the one lapse, the repeat caller, the number dialled too often) are left out."""
    rng = random.Random(f"people:{seed}:{customer_id}:{day_index}")
    asked = 0
    for call in calls:
        if call["disposition"] in DO_NOT_CALL and not call["testFlag"] and not call["isTestNumber"]:
            call["callerId"] = _asked_once_number(day_index * _MAX_ASKED_A_DAY + asked)
            asked += 1
    _ai_repeats_itself(calls, rng)


_MAX_ASKED_A_DAY: Final = 200


def _asked_once_number(k: int) -> str:
    """The k-th number that asked not to be called: 555-01xx in area codes from 201 on, each used once."""
    return f"+1{201 + k // 100}55501{k % 100:02d}"


def _is_real_outbound(call: dict[str, Any]) -> bool:
    return call["direction"] == "outbound" and not call["testFlag"] and not call["isTestNumber"]


def _deliberate_breach(calls: list[dict[str, Any]]) -> tuple[int, int] | None:
    """(request row, lapse row): the first real Do Not Call request, and the first outbound call at least
    BREACH_AFTER_DAYS later that asks for nothing of the kind itself."""
    request = next((i for i, c in enumerate(calls) if c["disposition"] in DO_NOT_CALL and _is_real_outbound(c)), None)
    if request is None:
        return None
    after = _day(calls[request]["createdAt"]) + BREACH_AFTER_DAYS
    for i in range(request + 1, len(calls)):
        call = calls[i]
        if _is_real_outbound(call) and call["disposition"] not in DO_NOT_CALL and _day(call["createdAt"]) >= after:
            return request, i
    return None


def _honour_do_not_call(calls: list[dict[str, Any]], skip: tuple[int, int] | None) -> None:
    """An outbound call to a number that asked not to be called goes to another (fresh) patient instead."""
    blocked: set[str] = set()
    fresh = 0
    for i, call in enumerate(calls):
        if call["testFlag"] or call["isTestNumber"]:
            continue
        number = call["callerId"]
        if skip is not None and i == skip[1]:
            continue
        if number in blocked and call["direction"] == "outbound":
            while (number := _fresh_number(fresh)) in blocked:
                fresh += 1
            fresh += 1
            call["callerId"] = number
        if call["disposition"] in DO_NOT_CALL:
            blocked.add(number)


def _fresh_number(k: int) -> str:
    area = _FRESH_AREA_CODES[k % len(_FRESH_AREA_CODES)]
    return f"+1{area}55501{(k // len(_FRESH_AREA_CODES)) % 100:02d}"


def _vary_repeat_caller_formats(calls: list[dict[str, Any]]) -> None:
    """The number with the most real calls is written three ways, as different source systems do."""
    counts: dict[str, int] = {}
    for call in calls:
        if not call["testFlag"] and not call["isTestNumber"] and isinstance(call["callerId"], str):
            counts[call["callerId"]] = counts.get(call["callerId"], 0) + 1
    if not counts:
        return
    number = min(counts, key=lambda n: (-counts[n], n))
    seen = 0
    for call in calls:
        if call["callerId"] == number and not call["testFlag"]:
            if seen % 3 == 1:
                call["callerId"] = _written_locally(number)
            elif seen % 3 == 2:
                call["callerId"] = f"{number[:2]} {number[2:5]} {number[5:8]} {number[8:]}"
            seen += 1


def _dialled_too_often(calls: list[dict[str, Any]]) -> None:
    """From the middle of the window on, the next unanswered outbound calls within a week (up to
    TOO_OFTEN_DIALS) all go to one number that never asked not to be called: a dialler retrying too hard.
    Unanswered calls have no transcript, so no name contradicts the number."""
    asked = {call["callerId"] for call in calls if call["disposition"] in DO_NOT_CALL}
    middle = _day(calls[0]["createdAt"]) + (_day(calls[-1]["createdAt"]) - _day(calls[0]["createdAt"])) // 2
    unanswered = [
        call
        for call in calls
        if call["disposition"] in UNANSWERED
        and _is_real_outbound(call)
        and call["callerId"] not in asked
        and _day(call["createdAt"]) >= middle
    ]
    if not unanswered:
        return
    first = _day(unanswered[0]["createdAt"])
    week = [call for call in unanswered if _day(call["createdAt"]) < first + 7][:TOO_OFTEN_DIALS]
    if len(week) > 3:
        for call in week[1:]:
            call["callerId"] = week[0]["callerId"]


def _written_locally(number: str) -> str:
    """ "+16175550142" as a US form would have it: "(617) 555-0142"."""
    digits = number.removeprefix("+1")
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}" if len(digits) == 10 else number


def _ai_repeats_itself(calls: list[dict[str, Any]], rng: random.Random) -> None:
    """In a few conversations the AI asks the caller to say that again, twice."""
    for call in calls:
        transcript = call["transcript"]
        if not transcript or "\nUser: " not in transcript or rng.random() >= 1 / REPEAT_EVERY:
            continue
        head, _, tail = transcript.partition("\nUser: ")
        call["transcript"] = f"{head}\n{AI_REPEAT_LINE}\nUser: Sorry?\n{AI_REPEAT_LINE}\nUser: {tail}"


def _day(created_at: str) -> int:
    """The day number of an ISO time, to compare calls a few days apart."""
    return date.fromisoformat(created_at[:10]).toordinal()
