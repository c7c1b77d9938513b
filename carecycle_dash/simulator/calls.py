"""Realistic, deterministic demo calls: who was called, when, what happened, how long it took.

Same (customer ID, count, seed, window end) -> the same calls, byte for byte. The calls span WINDOW_DAYS + 1
days up to the window's end (a day in US Eastern, where the agencies are); the default end is WINDOW_END, and the
live demo ends the window today (see store.py). Recording URLs are paths on the simulator ("/recordings/...");
pass `base_url` to make them absolute.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from itertools import accumulate
from typing import Any
from zoneinfo import ZoneInfo

from carecycle_dash.simulator import pii, scripts
from carecycle_dash.simulator.people import add_people, add_people_to_day

WINDOW_END = date(2026, 11, 27)
"""The last day (inclusive) of `generate_calls`' default window."""
WINDOW_DAYS = 179
WINDOW_START = WINDOW_END - timedelta(days=WINDOW_DAYS)
AGENCY_ZONE = ZoneInfo("America/New_York")
"""Where the agencies' business hours are."""
# US holidays of 2026 (and the day after Thanksgiving): share of a usual day's calls.
_HOLIDAYS = {date(2026, 7, 3): 0.1, date(2026, 9, 7): 0.1, date(2026, 11, 26): 0.05, date(2026, 11, 27): 0.4}


@dataclass(frozen=True)
class Scenario:
    """One kind of call a customer runs: a campaign (or the inbound line) with its own outcomes."""

    key: str
    direction: str
    assistant_type: str
    evaluation: str  # how its assistant grades calls: passfail, score10, percent, words
    outcomes: tuple[tuple[str, float], ...]
    share: float
    starts_after_days: int = 0
    """Days after the window's first day when the campaign starts."""
    sources: tuple[str, ...] = ("Epic export", "Salesforce Health Cloud", "CSV upload")


_NO_ANSWER = (("Voicemail", 16), ("Customer Did Not Answer", 10), ("Busy/No Answer", 5), ("Bad Contact", 2.5))
_RARE = (("Pipeline Error", 0.5), ("Telephony Block", 0.5), ("Disposition Error", 0.4), ("Callback Requested", 1.2))

SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "wellness",
        "outbound",
        "Appointment Scheduler",
        "passfail",
        (
            ("Appointment Scheduled", 30),
            ("Not Interested", 9),
            ("Transferred", 5),
            ("Do Not Call", 1.5),
            ("Language Barrier", 0.6),
            *_NO_ANSWER,
            *_RARE,
        ),
        0.27,
    ),
    Scenario(
        "reminder",
        "outbound",
        "Reminder",
        "passfail",
        (
            ("Message Delivered", 48),
            ("Appointment Scheduled", 7),
            ("Transferred", 3),
            ("Not Interested", 2),
            *_NO_ANSWER,
            *_RARE,
        ),
        0.30,
        sources=("Epic export", "athenaOne sync"),
    ),
    Scenario(
        "verification",
        "inbound",
        "Identity Verification",
        "score10",
        (
            ("Identity Verified", 38),
            ("Identity Verification Succeeded", 14),
            ("Identity Verification Failed", 12),
            ("Transferred", 16),
            ("No Agents Available", 4),
            ("Pipeline Error", 0.4),
            ("Disposition Error", 0.4),
        ),
        0.14,
        sources=("Inbound phone line",),
    ),
    Scenario(
        "medicare",
        "outbound",
        "Insurance Qualification",
        "percent",
        (
            ("Qualified", 19),
            ("Unqualified", 11),
            ("Not Interested", 14),
            ("Do Not Contact", 2.5),
            ("Transferred", 6),
            *_NO_ANSWER,
            *_RARE,
        ),
        0.12,
        starts_after_days=122,  # 1 October in the default window
        sources=("HubSpot", "Web form", "CSV upload"),
    ),
    Scenario(
        "discharge",
        "outbound",
        "Care Follow-up",
        "words",
        (("Message Delivered", 40), ("Transferred", 8), ("Appointment Scheduled", 9), *_NO_ANSWER, *_RARE),
        0.07,
        starts_after_days=70,  # 10 August in the default window
        sources=("Epic export", "HL7 ADT feed"),
    ),
    Scenario(
        "inbound",
        "inbound",
        "Front Desk",
        "passfail",
        (
            ("Appointment Scheduled", 42),
            ("Transferred", 24),
            ("Qualified", 6),
            ("Unqualified", 3),
            ("No Agents Available", 5),
            ("Pipeline Error", 0.4),
            ("Disposition Error", 0.3),
        ),
        0.10,
        sources=("Inbound phone line",),
    ),
)

# Seconds a call of each outcome lasts: (median, spread of the log-normal, floor, ceiling).
_DURATIONS: dict[str, tuple[float, float, float, float]] = {
    "Appointment Scheduled": (185, 0.35, 70, 720),
    "Message Delivered": (75, 0.3, 30, 240),
    "Identity Verified": (150, 0.4, 50, 600),
    "Identity Verification Succeeded": (95, 0.35, 40, 400),
    "Identity Verification Failed": (80, 0.35, 30, 300),
    "Transferred": (85, 0.5, 20, 420),
    "Qualified": (310, 0.35, 120, 900),
    "Unqualified": (110, 0.4, 40, 400),
    "Not Interested": (42, 0.45, 12, 200),
    "Do Not Call": (30, 0.4, 10, 120),
    "Do Not Contact": (34, 0.4, 10, 120),
    "Bad Contact": (18, 0.4, 6, 60),
    "Voicemail": (33, 0.25, 14, 70),
    "Customer Did Not Answer": (24, 0.35, 0, 45),
    "Busy/No Answer": (3, 0.8, 0, 15),
    "No Agents Available": (55, 0.35, 20, 150),
    "Pipeline Error": (2, 1.0, 0, 20),
    "Telephony Block": (0, 0, 0, 0),
    "Disposition Error": (120, 0.6, 20, 600),
    "Callback Requested": (48, 0.35, 15, 150),
    "Language Barrier": (28, 0.35, 10, 90),
}
NO_CONVERSATION = frozenset({"Customer Did Not Answer", "Busy/No Answer", "Pipeline Error", "Telephony Block"})

# Share of a day's calls by local hour: outbound dials in business hours, inbound also hears from night owls.
_OUTBOUND_HOURS = dict(zip(range(8, 20), (0.25, 0.7, 1.0, 1.0, 0.6, 0.8, 1.0, 0.9, 0.7, 0.35, 0.12, 0.04), strict=True))
_INBOUND_HOURS = {h: 0.02 for h in range(24)} | dict(
    zip(range(7, 21), (0.2, 0.7, 1.0, 1.0, 0.9, 0.7, 0.8, 0.9, 0.8, 0.7, 0.5, 0.3, 0.2, 0.1), strict=True)
)
_OUTBOUND_WEEKDAYS = (1.0, 1.0, 0.95, 1.0, 0.85, 0.2, 0.03)
_INBOUND_WEEKDAYS = (1.15, 1.0, 0.95, 0.95, 0.9, 0.35, 0.15)

_AREA_CODES = ("212", "312", "415", "512", "617", "702", "808", "904", "919", "971", "303", "404", "602", "713")
_MORE_AREA_CODES = ("202", "215", "480", "503", "612", "615")
PEOPLE = 2000
"""Patients per customer, each with a number of their own: 555-01xx in one of 20 area codes."""
TEST_NUMBERS = ("+15555550100", "+15555550101", "+15555550123")
_SERVICES = (("vapi", 92.0), ("retell", 6.0), ("bland", 2.0))
_WORDS_SUCCESS = ("Excellent", "Good")
_WORDS_FAILURE = ("Fair", "Poor")


def _utc_offset_hours(day: date) -> int:
    """The agencies' UTC offset on a day (at noon, so a day's business hours share one offset)."""
    offset = datetime(day.year, day.month, day.day, 12, tzinfo=AGENCY_ZONE).utcoffset()
    assert offset is not None
    return int(offset.total_seconds()) // 3600


@dataclass(frozen=True)
class _Calendar:
    days: tuple[date, ...]
    day_cum: tuple[float, ...]
    hours: tuple[int, ...]
    hour_cum: tuple[float, ...]


def _calendar(scenario: Scenario, window_start: date, start: date, end: date) -> _Calendar:
    """The days (`start`..`end`, within the window) and hours a scenario's calls fall on, and their weights."""
    weekdays = _INBOUND_WEEKDAYS if scenario.direction == "inbound" else _OUTBOUND_WEEKDAYS
    hours = _INBOUND_HOURS if scenario.direction == "inbound" else _OUTBOUND_HOURS
    first = max(start, window_start + timedelta(days=scenario.starts_after_days))
    if first > end:
        first = start
    days = tuple(first + timedelta(days=i) for i in range((end - first).days + 1))
    weights = [
        weekdays[d.weekday()] * _HOLIDAYS.get(d, 1.0) * (0.55 + 0.75 * (d - window_start).days / WINDOW_DAYS)
        for d in days
    ]
    return _Calendar(days, tuple(accumulate(weights)), tuple(hours), tuple(accumulate(hours.values())))


def _pick(rng: random.Random, cum: tuple[float, ...]) -> int:
    return bisect.bisect_right(cum, rng.random() * cum[-1])


@dataclass(frozen=True)
class _Plan:
    """What one customer's calls are drawn from: its agency, campaigns and calendars."""

    org: scripts.Organisation
    scenarios: tuple[Scenario, ...]
    scenario_cum: tuple[float, ...]
    campaign_ids: tuple[str, ...]
    calendars: tuple[_Calendar, ...]
    outcome_names: tuple[tuple[str, ...], ...]
    outcome_cums: tuple[tuple[float, ...], ...]
    people: tuple[tuple[str, scripts.Person], ...]


_UUID4_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_UUID4_SET = (0x4000 << 64) | (0x8000 << 48)


def _uuid4(rng: random.Random) -> str:
    """A version-4 UUID from the seeded RNG (what `uuid.UUID(int=..., version=4)` makes, faster)."""
    h = f"{(rng.getrandbits(128) & _UUID4_CLEAR) | _UUID4_SET:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@lru_cache(maxsize=16)
def _people_plan(customer_id: str, seed: int) -> _Plan:
    """What does not depend on the window: the agency, its campaigns and patients (no calendars yet)."""
    rng = random.Random(f"plan:{seed}:{customer_id}")
    org = scripts.ORGANISATIONS[int(rng.random() * len(scripts.ORGANISATIONS))]
    if org.name == "BrightPath Health Plans":
        keys = {"verification", "medicare", "reminder", "discharge"}
        scenarios = tuple(s for s in SCENARIOS if s.key in keys)
    else:
        scenarios = SCENARIOS
    campaign_ids = tuple(_uuid4(rng) for _ in scenarios)
    people = tuple((_own_number(i, rng), scripts.make_person(rng)) for i in range(PEOPLE))
    return _Plan(
        org,
        scenarios,
        tuple(accumulate(s.share for s in scenarios)),
        campaign_ids,
        (),
        tuple(tuple(name for name, _ in s.outcomes) for s in scenarios),
        tuple(tuple(accumulate(w for _, w in s.outcomes)) for s in scenarios),
        people,
    )


def _plan(customer_id: str, seed: int, window_start: date, start: date, end: date) -> _Plan:
    plan = _people_plan(customer_id, seed)
    return replace(plan, calendars=tuple(_calendar(s, window_start, start, end) for s in plan.scenarios))


def _own_number(person: int, rng: random.Random) -> str:
    """Patient `person`'s number, one per patient so that a caller's calls are one person's. It still makes
    the two draws that once picked a number, so every other value of the demo data stays as it was."""
    scripts.pick(rng, _AREA_CODES)
    rng.randint(0, 99)
    codes = _AREA_CODES + _MORE_AREA_CODES
    return f"+1{codes[person % len(codes)]}55501{person // len(codes) % 100:02d}"


def _duration_ms(rng: random.Random, outcome: str) -> int:
    median, spread, floor, ceiling = _DURATIONS.get(outcome, (60, 0.5, 5, 600))
    if median == 0:
        return 0
    if outcome == "Customer Did Not Answer" and rng.random() < 0.55:
        return 0
    seconds = min(ceiling, max(floor, rng.lognormvariate(0, spread) * median))
    return int(seconds * 1000) + rng.randint(0, 999) if seconds else 0


def _evaluation(rng: random.Random, style: str, outcome: str) -> str | None:
    if outcome in NO_CONVERSATION:
        return None
    if rng.random() < 0.02:
        return ""
    good = outcome in _GOOD_OUTCOMES
    if style == "passfail" or rng.random() < 0.25:
        return "true" if good else "false"
    if style == "score10":
        return str(rng.randint(7, 10) if good else rng.randint(1, 6))
    if style == "percent":
        return f"{rng.randint(72, 100) if good else rng.randint(5, 65)}%"
    return scripts.pick(rng, _WORDS_SUCCESS if good else _WORDS_FAILURE)


_GOOD_OUTCOMES = frozenset(
    {
        "Appointment Scheduled",
        "Message Delivered",
        "Identity Verified",
        "Identity Verification Succeeded",
        "Qualified",
        "Transferred",
        "Voicemail",
    }
)


def _timestamp(rng: random.Random, calendar: _Calendar) -> tuple[date, str]:
    day = calendar.days[_pick(rng, calendar.day_cum)]
    hour = calendar.hours[_pick(rng, calendar.hour_cum)]
    millis = int(rng.random() * 3_600_000)
    seconds, millis = divmod(millis, 1000)
    minutes, seconds = divmod(seconds, 60)
    return day, f"{_utc_hour_prefix(day, hour)}{minutes:02d}:{seconds:02d}.{millis:03d}Z"


@lru_cache(maxsize=8192)
def _utc_hour_prefix(day: date, local_hour: int) -> str:
    """ "YYYY-MM-DDTHH:" in UTC for a local hour: offsets are whole hours, so minutes never change."""
    moment = datetime(day.year, day.month, day.day, local_hour, tzinfo=UTC) - timedelta(hours=_utc_offset_hours(day))
    return moment.strftime("%Y-%m-%dT%H:")


def iso_utc(moment: datetime) -> str:
    """How the API writes times: ISO 8601, UTC, milliseconds, `Z`."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def recording_paths(customer_id: str, call_id: str) -> dict[str, str]:
    """Where the simulator serves a call's recordings (see `server.py`)."""
    base = f"/recordings/{customer_id}/{call_id}"
    return {"mono": f"{base}/mono.wav", "stereo": f"{base}/stereo.wav", "main": f"{base}/main.wav"}


def _call(rng: random.Random, plan: _Plan, customer_id: str, base_url: str) -> dict[str, Any]:
    index = _pick(rng, plan.scenario_cum)
    scenario = plan.scenarios[index]
    outcome = plan.outcome_names[index][_pick(rng, plan.outcome_cums[index])]
    direction = scenario.direction
    call_id = _uuid4(rng)
    day, created_at = _timestamp(rng, plan.calendars[index])
    phone, person = plan.people[int(rng.random() * len(plan.people))]
    context = scripts.make_context(rng, plan.org, person, day)
    duration_ms = _duration_ms(rng, outcome)
    test_call = rng.random() < 0.02
    if test_call:
        phone = scripts.pick(rng, TEST_NUMBERS) if rng.random() < 0.8 else phone
    is_test_number = phone in TEST_NUMBERS

    if outcome in NO_CONVERSATION:
        transcript: str | None = "" if rng.random() < 0.6 else None
        summary: str | None = None
    else:
        script_outcome = "Appointment Scheduled" if outcome == "Disposition Error" else outcome
        turns = scripts.SCRIPTS[scenario.key](context, rng, script_outcome)
        transcript = "\n".join(f"{speaker}: {text}" for speaker, text in turns)
        summary = scripts.summary(scenario.key, outcome, context, direction) if rng.random() > 0.01 else None

    has_recording = duration_ms > 0 and outcome not in {"Telephony Block", "Pipeline Error"}
    paths = recording_paths(customer_id, call_id)
    service = _SERVICES_NAMES[_pick(rng, _SERVICES_CUM)]
    campaign_id: str | None = plan.campaign_ids[index]
    if direction == "inbound" and rng.random() < 0.12:
        campaign_id = None
    return {
        "id": call_id,
        "campaignId": campaign_id,
        "disposition": outcome if rng.random() > 0.004 else None,
        "callerId": phone,
        "twilioSid": "CA" + f"{rng.getrandbits(128):032x}" if service != "bland" or rng.random() < 0.5 else None,
        "service": service,
        "testFlag": test_call,
        "direction": direction,
        "recordingUrl": base_url + paths["mono"] if has_recording else None,
        "recordingId": _uuid4(rng) if has_recording else None,
        "stereoRecordingUrl": base_url + paths["stereo"] if has_recording and rng.random() > 0.03 else None,
        "assistantType": scenario.assistant_type if rng.random() > 0.01 else None,
        "successEvaluation": _evaluation(rng, scenario.evaluation, outcome),
        "summary": summary,
        "transcript": transcript,
        "durationMs": duration_ms,
        "createdAt": created_at,
        "mainRecordingUrl": base_url + paths["main"] if has_recording else None,
        "isTestNumber": is_test_number,
        "sourceName": scripts.pick(rng, scenario.sources) if rng.random() > 0.04 else None,
    }


_SERVICES_NAMES = tuple(name for name, _ in _SERVICES)
_SERVICES_CUM = tuple(accumulate(weight for _, weight in _SERVICES))


def generate_calls(
    customer_id: str, n: int, seed: int, *, base_url: str = "", end: date = WINDOW_END
) -> list[dict[str, Any]]:
    """`n` calls of one customer, oldest first, over the WINDOW_DAYS + 1 days up to `end` (by default June to
    late November 2026). Pure and deterministic."""
    start = end - timedelta(days=WINDOW_DAYS)
    return _generate(customer_id, n, seed, base_url=base_url, salt="calls", window_start=start, start=start, end=end)


def generate_newer_calls(
    customer_id: str, n: int, seed: int, *, after: str, batch: int, base_url: str = "", end: date = WINDOW_END
) -> list[dict[str, Any]]:
    """`n` calls that happened after `after` (an ISO timestamp): the calls that arrive while a client pages,
    drawn like the calls of the window's last day `end`."""
    window_start = end - timedelta(days=WINDOW_DAYS)
    calls = _generate(
        customer_id, n, seed, base_url=base_url, salt=f"drift:{batch}", window_start=window_start, start=end, end=end
    )
    try:
        newest = datetime.fromisoformat(after.replace("Z", "+00:00"))
    except ValueError:
        newest = datetime(end.year, end.month, end.day, tzinfo=UTC)
    for i, call in enumerate(calls):
        call["createdAt"] = iso_utc(newest + timedelta(seconds=7 * (i + 1), milliseconds=(i * 37) % 1000))
    return calls


def daily_counts(customer_id: str, n: int, seed: int, *, end: date = WINDOW_END) -> list[tuple[date, int]]:
    """How many of `n` calls fall on each day of the window ending `end`, oldest first: the days' expected
    shares (each campaign's share spread over its calendar), rounded so they add up to `n`."""
    plan = _plan(customer_id, seed, end - timedelta(days=WINDOW_DAYS), end - timedelta(days=WINDOW_DAYS), end)
    shares = [b - a for a, b in zip((0.0, *plan.scenario_cum), plan.scenario_cum, strict=False)]
    expected: dict[date, float] = {}
    for share, calendar in zip(shares, plan.calendars, strict=True):
        weights = [b - a for a, b in zip((0.0, *calendar.day_cum), calendar.day_cum, strict=False)]
        for day, weight in zip(calendar.days, weights, strict=True):
            expected[day] = expected.get(day, 0.0) + n * share / plan.scenario_cum[-1] * weight / calendar.day_cum[-1]
    counts = {day: int(value) for day, value in expected.items()}
    by_remainder = sorted(expected, key=lambda day: (counts[day] - expected[day], day))
    for day in by_remainder[: n - sum(counts.values())]:
        counts[day] += 1
    return sorted(counts.items())


def generate_day(
    customer_id: str, n: int, seed: int, *, day: date, end: date = WINDOW_END, base_url: str = ""
) -> list[dict[str, Any]]:
    """`n` calls of one day of the window ending `end`, oldest first, drawn on their own (seeded by the day),
    so a large customer's newest days can be made before its oldest. Each campaign gets its share of the
    day; people are added by `add_people_to_day`. Pure and deterministic."""
    if n <= 0:
        return []
    window_start = end - timedelta(days=WINDOW_DAYS)
    whole = _plan(customer_id, seed, window_start, window_start, end)
    plan = _plan(customer_id, seed, window_start, day, day)
    shares = [b - a for a, b in zip((0.0, *whole.scenario_cum), whole.scenario_cum, strict=False)]
    on_day = [
        share * (_weight_on(calendar, day) / calendar.day_cum[-1])
        for share, calendar in zip(shares, whole.calendars, strict=True)
    ]
    plan = replace(plan, scenario_cum=tuple(accumulate(on_day)))
    rng = random.Random(f"day:{seed}:{customer_id}:{day.isoformat()}")
    calls = [_call(rng, plan, customer_id, base_url) for _ in range(n)]
    calls.sort(key=lambda call: call["createdAt"])
    add_people_to_day(calls, customer_id, seed, (day - window_start).days)
    pii.add_personal_details(calls)
    return calls


def _weight_on(calendar: _Calendar, day: date) -> float:
    if day not in calendar.days:
        return 0.0
    i = calendar.days.index(day)
    return calendar.day_cum[i] - (calendar.day_cum[i - 1] if i else 0.0)


def _generate(
    customer_id: str, n: int, seed: int, *, base_url: str, salt: str, window_start: date, start: date, end: date
) -> list[dict[str, Any]]:
    if n <= 0:
        return []
    plan = _plan(customer_id, seed, window_start, start, end)
    rng = random.Random(f"{salt}:{seed}:{customer_id}")
    calls = [_call(rng, plan, customer_id, base_url) for _ in range(n)]
    calls.sort(key=lambda call: call["createdAt"])
    add_people(calls, customer_id, seed)
    pii.add_personal_details(calls)
    return calls
